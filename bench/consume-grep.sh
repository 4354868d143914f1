#!/usr/bin/env bash
# Times a filtered scan: finding the one record of N that matches, read to the end (-e), with
#   kctl consume --grep needle           (a regex on the value, before anything is formatted)
#   kctl consume --where '...'           (a jq expression on the record as -o json prints it)
#   kcat -C -e | grep needle             (kcat prints every value, grep filters them)
#   kafkactl consume --filter-value '*needle*'   (kafkactl's glob on the value)
# in one run, against one broker: real Apache Kafka (scripts/kafka-broker), started for this
# run and stopped at its exit. Prints one table: the median wall time of RUNS runs of each, the
# ratio to kctl --grep and the peak RSS (GNU time, the maximum over the runs; for kcat | grep,
# the larger of the two processes).
#
#   bench/consume-grep.sh                   # N=1000000 RUNS=3 PARTITIONS=3
#   N=100000 RUNS=1 bench/consume-grep.sh   # a quick check that it works
#   TOOLS="kctl kcat" bench/consume-grep.sh
#
# Needs what bench/produce-consume.sh needs (kcat, GNU time, Java and the Kafka jars, Rust, Go
# for kafkactl: skipped, and said so, when it cannot be built). Apache's console consumer has
# no filter and is not timed. Every tool is checked to find exactly the one record.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=${TOOLS:-kctl kcat kafkactl}
. bench/lib.sh

N=${N:-1000000}
RUNS=${RUNS:-3}
PARTITIONS=${PARTITIONS:-3}

bench_install
bench_build_kctl
bench_kafkactl
bench_start_broker
[ -n "$kafkactl" ] && kafkactl_env

data=$work/records.ndjson
needle_at=$((N * 7 / 9))
awk -v n="$N" -v at="$needle_at" 'BEGIN { for (i = 0; i < n; i++)
  printf "{\"id\":%d,\"user\":\"user-%d\",\"amount\":%d.%02d,\"status\":\"%s\"}\n", i, i % 1000, i % 500, i % 100, (i == at ? "needle" : "new") }' >"$data"
echo "$N records, $(du -h "$data" | cut -f1) in $data, one of them with \"needle\"; $PARTITIONS partitions; $RUNS runs each" >&2

topic=grep-source
"$kctl" topics create "$topic" -p "$PARTITIONS" >/dev/null
"$kctl" produce "$topic" --file "$data" >/dev/null 2>&1
where='.value | fromjson | .status == "needle"'

tools=()
for t in kctl kcat kafkactl; do
  tool_wanted "$t" || continue
  [ "$t" = kafkactl ] && [ -z "$kafkactl" ] && continue
  tools+=("$t")
done
# shellcheck disable=SC2034
[ -z "$kafkactl" ] && tool_wanted kafkactl && why_kafkactl_grep="not built"
# shellcheck disable=SC2034
why_kcat_where="no filter language"; why_kafkactl_where="no filter language"

# kcat | grep as one command (GNU time reports the larger RSS of the two).
kcat_grep() { kcat -b "$broker" -C -t "$topic" -o beginning -e -q | grep needle; }
export -f kcat_grep
export broker topic

# Sanity, untimed (and the warm-up): each finds exactly the one record.
found() { "$@" 2>/dev/null 9>&- | wc -l; }
check() { local c; c=$(found "$@"); [ "$c" -eq 1 ] || { echo "found $c records, expected 1: $*" >&2; exit 1; }; }
for t in "${tools[@]}"; do
  case $t in
    kctl) check "$kctl" consume "$topic" --from-beginning -e --grep needle
      check "$kctl" consume "$topic" --from-beginning -e --where "$where" ;;
    kcat) check bash -c kcat_grep ;;
    kafkactl) check "$kafkactl" consume "$topic" --from-beginning --exit --filter-value '*needle*' ;;
  esac
done

for r in $(seq 1 "$RUNS"); do
  echo "run $r/$RUNS (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  order=("${tools[@]:$(( (r - 1) % ${#tools[@]} ))}" "${tools[@]:0:$(( (r - 1) % ${#tools[@]} ))}")
  for t in "${order[@]}"; do
    case $t in
      kctl)
        run grep kctl "$kctl" consume "$topic" --from-beginning -e --grep needle
        run where kctl "$kctl" consume "$topic" --from-beginning -e --where "$where" ;;
      kcat) run grep kcat bash -c kcat_grep ;;
      kafkactl) run grep kafkactl "$kafkactl" consume "$topic" --from-beginning --exit --filter-value '*needle*' ;;
    esac
  done
done

table "benchmark ($N records, $PARTITIONS partitions)" \
  "grep:value search, 1 match" "where:jq --where, 1 match"
echo
echo "medians of $RUNS runs; vs kctl = the tool's time / kctl --grep's; peak = max RSS over the runs"
bench_footer
ratio() { awk -v a="$(fig grep kctl s)" -v b="$(fig grep "$1" s)" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
line="targets (kctl/other, < 1.00):"
tool_wanted kcat && line="$line kcat | grep $(ratio kcat)"
[ -n "$kafkactl" ] && line="$line, kafkactl --filter-value $(ratio kafkactl)"
echo "$line"
echo "kctl peak RSS: $(awk -v m="$(fig grep kctl m)" 'BEGIN { printf "%.1f", m / 1024 }') MB --grep, $(awk -v m="$(fig where kctl m)" 'BEGIN { printf "%.1f", m / 1024 }') MB --where (target <= 64 MB)"
