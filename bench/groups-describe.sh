#!/usr/bin/env bash
# Times two admin commands of kctl against kcat, Apache Kafka's tools and kafkactl, on one
# broker, in one run:
#   1. `groups describe` of a group with committed offsets on a 1,000-partition topic
#      (kctl groups describe, Apache's ConsumerGroupCommand --describe, kafkactl describe
#      consumer-group; kcat has no groups),
#   2. a cold `topics list`: one new process each time (kctl topics list, kcat -L, Apache's
#      TopicCommand --list, kafkactl get topics).
# Then counts the Kafka requests one kctl describe sends (librdkafka's protocol log, `-vv`).
# The broker is real Apache Kafka (scripts/kafka-broker), started for this run and stopped at
# its exit. Prints one table: median wall time of RUNS runs, the ratio to kctl, peak RSS.
#
#   bench/groups-describe.sh                  # RUNS=10, real Kafka
#   RUNS=5 bench/groups-describe.sh
#   BROKER=noida bench/groups-describe.sh     # noida-db instead of Apache Kafka
#   TOOLS="kctl kcat" bench/groups-describe.sh
#
# The topic gets RECORDS records (default 100,000, spread over its partitions by kcat) so that
# most partitions have a log-end offset and a lag; the group commits offset 0 on all of them
# (kctl's own reset-offsets). TOPICS more topics of 3 partitions (default 20) are there for
# the listing. Needs what bench/produce-consume.sh needs.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

RUNS=${RUNS:-${1:-10}}
PARTITIONS=1000
RECORDS=${RECORDS:-100000}
TOPICS=${TOPICS:-20}
topic=bench-orders
group=bench-group

bench_install
bench_build_kctl
bench_kafkactl
bench_apache
bench_start_broker
[ -n "$kafkactl" ] && kafkactl_env

"$kctl" topics create "$topic" --partitions "$PARTITIONS" >/dev/null
for i in $(seq 1 "$TOPICS"); do "$kctl" topics create "bench-topic-$i" --partitions 3 >/dev/null; done
seq 1 "$RECORDS" | kcat -b "$broker" -P -t "$topic" -X acks=all 2>/dev/null
# Offsets for the group on every partition (one OffsetCommit request) ... On a new broker the
# first group requests can meet a coordinator still loading: librdkafka 2.12 then crashes in
# ListConsumerGroupOffsets (NOT_COORDINATOR, librdkafka issue 5040), and a just-created topic can
# answer NotLeaderForPartition. Retried, and said so.
for attempt in $(seq 1 30); do
  rc=0
  "$kctl" groups reset-offsets "$group" --topic "$topic" --to-earliest --execute --yes >/dev/null 2>"$work/err.tmp" || rc=$?
  [ "$rc" = 0 ] && break
  echo "kctl groups reset-offsets failed (exit $rc, attempt $attempt): $(head -c 200 "$work/err.tmp")" >&2
  [ "$attempt" = 30 ] && exit 1
  sleep 1
done
# ... and check that describe reports every one of them.
rows=$("$kctl" -o json groups describe "$group" 2>/dev/null |
  python3 -c 'import json, sys; print(len(json.load(sys.stdin)["groups"][0]["offsets"]))')
[ "$rows" = "$PARTITIONS" ] || { echo "expected $PARTITIONS partitions, got $rows" >&2; exit 1; }

tools=()
for t in kctl kcat apache kafkactl; do
  tool_wanted "$t" || continue
  [ "$t" = kafkactl ] && [ -z "$kafkactl" ] && continue
  tools+=("$t")
done
# Why a line of the table has no figures (read by `table`).
# shellcheck disable=SC2034
[ -z "$kafkactl" ] && tool_wanted kafkactl && { why_kafkactl_describe="not built"; why_kafkactl_list="not built"; }
# shellcheck disable=SC2034
why_kcat_describe="no groups"

describe() {
  case $1 in
    kctl) echo "$kctl" groups describe "$group" ;;
    apache) echo kafka-tool 256M org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
      --bootstrap-server "$broker" --describe --group "$group" ;;
    kafkactl) echo "$kafkactl" describe consumer-group "$group" ;;
    *) return 1 ;;
  esac
}
list() {
  case $1 in
    kctl) echo "$kctl" topics list ;;
    kcat) echo kcat -b "$broker" -L ;;
    apache) echo kafka-tool 256M org.apache.kafka.tools.TopicCommand --bootstrap-server "$broker" --list ;;
    kafkactl) echo "$kafkactl" get topics ;;
  esac
}

# Each command once, untimed (its output checked), then RUNS timed runs, the tools interleaved
# and taking turns going first.
for t in "${tools[@]}"; do
  if cmd=$(describe "$t"); then
    out=$($cmd 2>"$work/err.tmp" 9>&-) || { echo "failed: $cmd" >&2; cat "$work/err.tmp" >&2; exit 1; }
    grep -q "$topic" <<<"$out" || { echo "$t: the describe does not name $topic" >&2; exit 1; }
  fi
  cmd=$(list "$t")
  out=$($cmd 2>"$work/err.tmp" 9>&-) || { echo "failed: $cmd" >&2; cat "$work/err.tmp" >&2; exit 1; }
  grep -q "bench-topic-$TOPICS" <<<"$out" || { echo "$t: the listing misses bench-topic-$TOPICS" >&2; exit 1; }
done
for r in $(seq 1 "$RUNS"); do
  echo "run $r/$RUNS (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  for t in "${tools[@]:$(( (r - 1) % ${#tools[@]} ))}" "${tools[@]:0:$(( (r - 1) % ${#tools[@]} ))}"; do
    if cmd=$(describe "$t"); then
      # shellcheck disable=SC2086 # the command is words without spaces
      run describe "$t" $cmd
    fi
    # shellcheck disable=SC2046
    run list "$t" $(list "$t")
  done
done

table "benchmark (1 group, $PARTITIONS partitions)" \
  "describe:groups describe" "list:topics list (cold, $((TOPICS + 1)) topics)"
echo
echo "medians of $RUNS runs; vs kctl = the tool's time / kctl's; peak = max RSS over the runs"
bench_footer
if tool_wanted kcat; then
  echo "target: kctl topics list / kcat -L = $(awk -v a="$(fig list kctl s)" -v b="$(fig list kcat s)" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') (<= 1.00)"
fi

# Requests of one describe, from librdkafka's protocol debugging ("Sent XxxRequest").
"$kctl" -vv groups describe "$group" >/dev/null 2>"$work/describe.log"
echo
echo "requests sent by one kctl groups describe:"
grep -o "Sent [A-Za-z]*Request" "$work/describe.log" | sort | uniq -c | sed "s/Sent /  /" | sort -k2
