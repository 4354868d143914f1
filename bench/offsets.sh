#!/usr/bin/env bash
# Times `kctl offsets` on a 1,000-partition topic beside Apache Kafka's kafka-get-offsets
# (GetOffsetShell), and counts the ListOffsets requests kctl sends for 10 and for 1,000
# partitions (librdkafka's protocol log, `-vv`): the count must not grow with the partitions.
# The broker is real Apache Kafka (scripts/kafka-broker), started for this run and stopped at
# its exit. Prints one table: median wall time of RUNS runs, the ratio to kctl, peak RSS.
#
#   bench/offsets.sh                  # RUNS=10, real Kafka
#   RUNS=5 bench/offsets.sh
#   BROKER=noida bench/offsets.sh     # noida-db instead of Apache Kafka
#   TOOLS=kctl bench/offsets.sh
#
# kctl asks for every kind at once (earliest, latest, last stable, max timestamp, and with
# --at the offset for a time); GetOffsetShell for one kind per run: it is timed once with
# --time -1 (latest) and once with a timestamp. The topic gets RECORDS records (default
# 100,000, each to a random partition by kcat). kcat (-Q, one partition per argument) and
# kafkactl (no per-partition offsets command) are not timed. Needs what
# bench/produce-consume.sh needs.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

RUNS=${RUNS:-${1:-10}}
PARTITIONS=1000
RECORDS=${RECORDS:-100000}
TOOLS=${TOOLS:-kctl apache}
big=bench-offsets
small=bench-offsets-10

bench_install
bench_build_kctl
bench_apache
bench_start_broker

"$kctl" topics create "$big" --partitions "$PARTITIONS" >/dev/null
"$kctl" topics create "$small" --partitions 10 >/dev/null
# Each record to a random partition (not sticky batches), so that every partition has some.
for t in "$big" "$small"; do
  seq 1 "$RECORDS" | kcat -b "$broker" -P -t "$t" -X acks=all -X sticky.partitioning.linger.ms=0 2>/dev/null
done
# A moment ago: every record is after it, so each partition answers a real offset.
at=$(( $(date +%s%3N) - 600000 ))

# The answer covers every partition (the first call also waits out leaders not known yet).
rows=$("$kctl" -o json offsets "$big" --at "$at" |
  python3 -c 'import json, sys; print(len(json.load(sys.stdin)["partitions"]))')
[ "$rows" = "$PARTITIONS" ] || { echo "expected $PARTITIONS partitions, got $rows" >&2; exit 1; }

tools=()
for t in kctl apache; do tool_wanted "$t" && tools+=("$t"); done
latest() {
  case $1 in
    kctl) echo "$kctl" offsets "$big" ;;
    apache) echo kafka-tool 256M org.apache.kafka.tools.GetOffsetShell --bootstrap-server "$broker" \
      --topic "$big" --time -1 ;;
  esac
}
attime() {
  case $1 in
    kctl) echo "$kctl" offsets "$big" --at "$at" ;;
    apache) echo kafka-tool 256M org.apache.kafka.tools.GetOffsetShell --bootstrap-server "$broker" \
      --topic "$big" --time "$at" ;;
  esac
}
for t in "${tools[@]}"; do
  for what in latest attime; do
    cmd=$($what "$t")
    out=$($cmd 2>"$work/err.tmp" 9>&-) || { echo "failed: $cmd" >&2; cat "$work/err.tmp" >&2; exit 1; }
    [ "$(grep -c "$big" <<<"$out")" -ge "$PARTITIONS" ] ||
      { echo "$t: not every partition in: $cmd ($(grep -c "$big" <<<"$out") lines)" >&2; exit 1; }
  done
done
for r in $(seq 1 "$RUNS"); do
  echo "run $r/$RUNS (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  for t in "${tools[@]:$(( (r - 1) % ${#tools[@]} ))}" "${tools[@]:0:$(( (r - 1) % ${#tools[@]} ))}"; do
    # shellcheck disable=SC2046 # the command is words without spaces
    run latest "$t" $(latest "$t")
    # shellcheck disable=SC2046
    run attime "$t" $(attime "$t")
  done
done

table "benchmark ($PARTITIONS partitions)" \
  "latest:offsets (kctl: all kinds)" "attime:offsets --at TIME"
echo
echo "medians of $RUNS runs; vs kctl = the tool's time / kctl's; peak = max RSS over the runs"
bench_footer

# ListOffsets requests of one kctl offsets, from librdkafka's protocol debugging.
echo
for topic in "$small" "$big"; do
  for flags in "" "--at $at"; do
    # shellcheck disable=SC2086 # no flags, or two words
    "$kctl" -vv offsets "$topic" $flags >/dev/null 2>"$work/offsets.log"
    n=$(grep -c "Sent ListOffsetsRequest" "$work/offsets.log" || true)
    all=$(grep -c "Sent [A-Za-z]*Request" "$work/offsets.log" || true)
    printf 'kctl offsets %-18s %-20s %3s ListOffsets requests (%s requests in all)\n' \
      "$topic" "${flags:+--at TIME}" "$n" "$all"
  done
done
