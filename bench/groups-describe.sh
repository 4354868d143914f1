#!/usr/bin/env bash
# Benchmark: `kctl groups describe` of a group with committed offsets on a 1,000-partition topic.
#
#   bench/groups-describe.sh [RUNS]        # default 10 runs
#
# Builds kctl (--release), starts a local broker (noida-db, via scripts/with-broker, as the
# README's figures were measured; KCTL_WITH_BROKER=kafka runs it on Apache Kafka), creates
# the topic, commits an offset for the group on every partition (with kctl's own reset-offsets),
# then times RUNS describes and counts the Kafka requests one describe sends
# (from librdkafka's protocol debug log, `-vv`). KCTL_BENCH_BIN=path skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-10}
partitions=1000
if [ -z "${KCTL_BENCH_BIN:-}" ]; then
  cargo build --release --quiet
  KCTL_BENCH_BIN=$PWD/target/release/kctl
fi
export KCTL_BENCH_BIN runs partitions

export KCTL_WITH_BROKER=${KCTL_WITH_BROKER:-noida}
exec scripts/with-broker bash -c '
set -euo pipefail
kctl=$KCTL_BENCH_BIN
topic=bench-orders
group=bench-group

"$kctl" topics create "$topic" --partitions "$partitions" >/dev/null
# Offsets for the group on every partition (one OffsetCommit request) ...
"$kctl" groups reset-offsets "$group" --topic "$topic" --to-earliest --execute --yes >/dev/null
# ... and check that describe reports every one of them.
out=$("$kctl" -o json groups describe "$group" 2>/dev/null)
rows=$(printf "%s" "$out" | python3 -c "import json,sys; g=json.load(sys.stdin)[\"groups\"][0]; print(len(g[\"offsets\"]))")
[ "$rows" = "$partitions" ] || { echo "expected $partitions partitions, got $rows" >&2; exit 1; }

# Warm-up (page cache, broker), then timed runs.
"$kctl" groups describe "$group" >/dev/null 2>&1
times=()
for _ in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  "$kctl" groups describe "$group" >/dev/null 2>&1
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000000 )))
done
sorted=$(printf "%s\n" "${times[@]}" | sort -n)
min=$(printf "%s\n" "$sorted" | head -1)
max=$(printf "%s\n" "$sorted" | tail -1)
median=$(printf "%s\n" "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")

# Requests of one describe, from librdkafka protocol debugging ("Sent XxxRequest").
log=$(mktemp)
"$kctl" -vv groups describe "$group" >/dev/null 2>"$log"
echo "kctl groups describe: 1 group, 1 topic, $partitions partitions with committed offsets"
echo "time over $runs runs (process start to exit): min ${min} ms, median ${median} ms, max ${max} ms"
echo "requests sent by one describe:"
grep -o "Sent [A-Za-z]*Request" "$log" | sort | uniq -c | sed "s/Sent /  /" | sort -k2
rm -f "$log"
'
