#!/usr/bin/env bash
# Times `kctl topics copy` against the two pipelines one would use without it, on one broker:
#   1. kctl topics copy SRC DST (keys, values, headers, timestamps and partitions kept),
#   2. kctl -o json consume SRC -e | kctl produce DST --input envelope (the same, through JSON),
#   3. kcat -C -K | kcat -P -K (keys and values only: kcat's producer takes neither the
#      records' headers nor their timestamps, and partitions by key).
# SRC holds N records with keys, two headers and timestamps of their own, over PARTITIONS
# partitions. The broker is real Apache Kafka (scripts/kafka-broker), started for this run and
# stopped at its exit. Prints one table: the median wall time of RUNS runs of each, the ratio to
# kctl and the peak RSS (GNU time); then checks that kctl's copy is identical to SRC (every
# record's partition, offset, key, value, headers and timestamp with its type).
#
#   bench/topics-copy.sh                  # N=1000000 RUNS=3 PARTITIONS=3
#   N=200000 RUNS=1 bench/topics-copy.sh
#
# Needs: kcat and GNU time (installed with apt-get when missing), Java and the Kafka jars
# (scripts/install-test-deps, run by this script), a Rust toolchain (kctl is built --release).
# Every producer waits for acks=all and is idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=${TOOLS:-"kctl kcat"}
. bench/lib.sh

N=${N:-1000000}
RUNS=${RUNS:-3}
PARTITIONS=${PARTITIONS:-3}

bench_install
bench_build_kctl
bench_start_broker

# The source: envelope records (kctl's lossless JSON) with keys, headers and timestamps.
data=$work/records.ndjson
awk -v n="$N" -v p="$PARTITIONS" 'BEGIN { for (i = 0; i < n; i++)
  printf "{\"partition\":%d,\"timestamp\":%d,\"key\":\"user-%d\",\"value\":\"{\\\"id\\\":%d,\\\"amount\\\":%d.%02d}\",\"headers\":[{\"key\":\"trace\",\"value\":\"t-%d\"},{\"key\":\"src\",\"value\":\"bench\"}]}\n",
    i % p, 1700000000000 + i, i % 1000, i, i % 500, i % 100, i }' >"$data"
"$kctl" topics create src -p "$PARTITIONS" >/dev/null
"$kctl" produce src --input envelope --file "$data"
echo "$N records in src ($PARTITIONS partitions); $RUNS runs each" >&2

# Warm-up, untimed: the broker's JIT and the page cache.
"$kctl" topics copy src warm-up --create -q >/dev/null

for r in $(seq 1 "$RUNS"); do
  echo "run $r/$RUNS (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  run copy kctl "$kctl" topics copy src "copy-$r" --create -q
  "$kctl" topics create "envelope-$r" -p "$PARTITIONS" >/dev/null
  run envelope kctl sh -c "'$kctl' -o json consume src --from-beginning -e | '$kctl' produce envelope-$r --input envelope"
  if tool_wanted kcat; then
    "$kctl" topics create "kcat-$r" -p "$PARTITIONS" >/dev/null
    run kcat kcat sh -c "kcat -b '$broker' -C -t src -o beginning -e -q -K '\t' | kcat -b '$broker' -P -t kcat-$r -K '\t' -X acks=all -X enable.idempotence=true"
  fi
done

# Sanity: every destination holds N records; kctl's copy is SRC, record for record.
count() { kcat -b "$broker" -C -t "$1" -o beginning -e -q 2>/dev/null | wc -l; }
for t in copy-1 envelope-1 $(tool_wanted kcat && echo kcat-1); do
  c=$(count "$t")
  [ "$c" -eq "$N" ] || { echo "$t holds $c records, expected $N" >&2; exit 1; }
done
# (kctl's envelope: kcat -J 1.7 prints timestamps cut to 32 bits. The tests compare copies with
# an independent client.)
dump() { "$kctl" -o json consume "$1" --from-beginning -e 2>/dev/null | sed 's/"topic":"[^"]*",//' | LC_ALL=C sort >"$work/$1.dump"; }
dump src
dump copy-1
if ! cmp -s "$work/src.dump" "$work/copy-1.dump"; then
  echo "copy-1 differs from src ($(wc -l <"$work/src.dump") and $(wc -l <"$work/copy-1.dump") records read):" >&2
  diff "$work/src.dump" "$work/copy-1.dump" | head -5 >&2 || true
  exit 1
fi
echo "copy-1 is identical to src (partition, offset, key, value, headers, timestamp and its type)" >&2

printf '\n%-46s %10s %9s %10s %5s\n' "benchmark ($N records, $PARTITIONS partitions)" "median s" "vs copy" "peak MB" "runs"
k=$(fig copy kctl s)
line() {
  local s m
  s=$(fig "$1" "$2" s)
  m=$(fig "$1" "$2" m)
  [ -n "$s" ] || return 0
  awk -v l="$3" -v s="$s" -v k="$k" -v m="$m" -v n="$(awk -v t="$2" '$1 == t' "$work/$1.times" | wc -l)" 'BEGIN {
    printf "%-46s %10.3f %9s %10.1f %5d\n", l, s, (k > 0 ? sprintf("%.2fx", s / k) : "-"), m / 1024, n }'
}
line copy kctl "kctl topics copy"
line envelope kctl "kctl consume -o json | kctl produce envelope"
line kcat kcat "kcat -C -K | kcat -P -K (keys, values only)"
echo
echo "medians of $RUNS runs; vs copy = the line's time / topics copy's; peak = max RSS of the"
echo "largest process over the runs (GNU time)"
bench_footer
