#!/usr/bin/env bash
# Times kctl against kcat, kcl (franz-go), Apache Kafka's console tools and kafkactl, on one
# broker, in one run:
#   1. produce N small JSON records from a file,
#   2. consume them all to the end (-e) to /dev/null, values only,
#   3. the same as JSON (kctl -o json, kcat -J, kafkactl -o json; Apache's console consumer
#      and kcl have no JSON record output).
# kctl also produces the file with --input lines, as kcat -l does: sent line by line as they are
# (by default kctl reads the file as JSON, since it starts with '{', and checks every value).
# Then it counts the instructions (valgrind's callgrind, all threads) of one produce of the same
# file by kctl (both ways) and by kcat: repeatable where seconds on a shared machine are not
# (CALLGRIND=0 skips it).
# The broker is real Apache Kafka (scripts/kafka-broker), started for this run and stopped at
# its exit. Prints one table: the median wall time of RUNS runs of each, the ratio to kctl and
# the peak RSS (GNU time, the maximum over the runs).
#
#   bench/produce-consume.sh                  # N=1000000 RUNS=5 PARTITIONS=3, real Kafka
#   N=200000 RUNS=5 bench/produce-consume.sh
#   BROKER=noida bench/produce-consume.sh     # noida-db instead of Apache Kafka
#   TOOLS="kctl kcat" bench/produce-consume.sh
#   KCTL_ARGS="-X queued.max.messages.kbytes=8192" bench/produce-consume.sh  # kctl with -X
#
# Needs: kcat and GNU time (installed with apt-get when missing), Java and the Kafka jars
# (scripts/install-test-deps, run by this script), a Rust toolchain (kctl is built --release),
# Go for kafkactl and kcl (installed into ~/.cache/kctl-bench/bin; skipped, and said so, when that
# fails), valgrind for the instruction counts.
# Every producer waits for acks=all; kctl, kcat, kcl and Apache's producer are idempotent too
# (kafkactl's sarama producer is not); kcl compresses with snappy by default, so it gets -z none
# like the others. kafkactl produces with one synchronous request per record
# (minutes for 1M records), so it produces KAFKACTL_PRODUCE_RUNS times (default 1; 0 skips it),
# not RUNS.
# Apache's console consumer has no "exit at the end": it is given --max-messages N, and joins a
# group of its own as it always does.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

N=${N:-1000000}
RUNS=${RUNS:-5}
PARTITIONS=${PARTITIONS:-3}
read -r -a kctl_args <<<"${KCTL_ARGS:-}"

bench_install
bench_build_kctl
bench_kafkactl
bench_kcl
bench_apache
bench_start_broker
[ -n "$kafkactl" ] && kafkactl_env

data=$work/records.ndjson
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
  printf "{\"id\":%d,\"user\":\"user-%d\",\"amount\":%d.%02d,\"status\":\"new\"}\n", i, i % 1000, i % 500, i % 100 }' >"$data"
echo "$N records, $(du -h "$data" | cut -f1) in $data; $PARTITIONS partitions; $RUNS runs each" >&2

tools=()
for t in kctl kcat kcl apache kafkactl; do
  tool_wanted "$t" || continue
  [ "$t" = kafkactl ] && [ -z "$kafkactl" ] && continue
  [ "$t" = kcl ] && [ -z "$kcl" ] && continue
  tools+=("$t")
done
# Why a line of the table has no figures (read by `table`).
# shellcheck disable=SC2034
[ -z "$kafkactl" ] && tool_wanted kafkactl && { why_kafkactl_produce="not built"; why_kafkactl_consume="not built"; why_kafkactl_json="not built"; }
# shellcheck disable=SC2034
[ -z "$kcl" ] && tool_wanted kcl && { why_kcl_produce="not built"; why_kcl_consume="not built"; }
# shellcheck disable=SC2034
[ "${KAFKACTL_PRODUCE_RUNS:-1}" = 0 ] && why_kafkactl_produce="not run (KAFKACTL_PRODUCE_RUNS=0)"
# shellcheck disable=SC2034
why_kcat_lines="(kcat -l: its produce above)"; why_kcl_lines="(its produce above)"; why_apache_lines="(its produce above)"; why_kafkactl_lines="(its produce above)"
# shellcheck disable=SC2034
why_apache_json="no JSON output"
# shellcheck disable=SC2034
why_kcl_json="no JSON records"

# Warm-up, untimed: the broker's JIT and the page cache, and its first producer id (an
# idempotent producer: the first on a new broker waits for the broker's producer id manager,
# about a second, which the timed run going first paid before).
"$kctl" topics create warm-up -p "$PARTITIONS" >/dev/null
kcat -b "$broker" -P -t warm-up -X acks=all -X enable.idempotence=true -l "$data" 2>/dev/null
kcat -b "$broker" -C -t warm-up -o beginning -e -q >/dev/null 2>&1

# Each producer writes a topic of its own; every consumer reads what kctl wrote in run 1.
# The tools take turns going first.
source_topic="kctl-1"
for r in $(seq 1 "$RUNS"); do
  echo "run $r/$RUNS (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  order=("${tools[@]:$(( (r - 1) % ${#tools[@]} ))}" "${tools[@]:0:$(( (r - 1) % ${#tools[@]} ))}")
  for t in "${order[@]}"; do
    [ "$t" = kafkactl ] && [ "$r" -gt "${KAFKACTL_PRODUCE_RUNS:-1}" ] && continue
    "$kctl" topics create "$t-$r" -p "$PARTITIONS" >/dev/null
    case $t in
      kctl)
        run produce kctl "$kctl" "${kctl_args[@]}" produce "$t-$r" --file "$data"
        # As kcat -l does: lines, sent as they are (kctl checks JSON values by default).
        "$kctl" topics create "$t-lines-$r" -p "$PARTITIONS" >/dev/null
        run lines kctl "$kctl" "${kctl_args[@]}" produce "$t-lines-$r" --input lines --file "$data" ;;
      kcat) run produce kcat kcat -b "$broker" -P -t "$t-$r" -X acks=all -X enable.idempotence=true -l "$data" ;;
      kcl) RUN_INPUT=$data run produce kcl "$kcl" --no-config-file -B "$broker" produce "$t-$r" -z none ;;
      apache) RUN_INPUT=$data run produce apache kafka-tool 512M org.apache.kafka.tools.ConsoleProducer \
        --bootstrap-server "$broker" --topic "$t-$r" ;;
      kafkactl) run produce kafkactl "$kafkactl" produce "$t-$r" --file "$data" --silent ;;
    esac
  done
  for t in "${order[@]}"; do
    case $t in
      kctl)
        run consume kctl "$kctl" "${kctl_args[@]}" consume "$source_topic" --from-beginning -e
        run json kctl "$kctl" "${kctl_args[@]}" -o json consume "$source_topic" --from-beginning -e ;;
      kcat)
        run consume kcat kcat -b "$broker" -C -t "$source_topic" -o beginning -e -q
        run json kcat kcat -b "$broker" -C -t "$source_topic" -o beginning -e -q -J ;;
      kcl)
        # (its -o :end does not end here: -n stops it at the count)
        run consume kcl "$kcl" --no-config-file -B "$broker" consume "$source_topic" -n "$N" ;;
      apache)
        run consume apache kafka-tool 512M org.apache.kafka.tools.consumer.ConsoleConsumer \
          --bootstrap-server "$broker" --topic "$source_topic" --from-beginning --max-messages "$N" ;;
      kafkactl)
        run consume kafkactl "$kafkactl" consume "$source_topic" --from-beginning --exit
        run json kafkactl "$kafkactl" consume "$source_topic" --from-beginning --exit -o json ;;
    esac
  done
done

# Sanity: each producer's topic holds every record, and each consumer printed them all.
count() { "$@" 2>/dev/null 9>&- | wc -l; }
for t in "${tools[@]}"; do
  if [ "$t" != kafkactl ] || [ "${KAFKACTL_PRODUCE_RUNS:-1}" -gt 0 ]; then
    c=$(count "$kctl" consume "$t-1" --from-beginning -e)
    [ "$c" -eq "$N" ] || { echo "$t-1 holds $c records, expected $N" >&2; exit 1; }
  fi
  case $t in
    kctl) c=$N ;;
    kcat) c=$(count kcat -b "$broker" -C -t "$source_topic" -o beginning -e -q) ;;
    kcl) c=$(count "$kcl" --no-config-file -B "$broker" consume "$source_topic" -n "$N") ;;
    apache) c=$(count kafka-tool 512M org.apache.kafka.tools.consumer.ConsoleConsumer \
      --bootstrap-server "$broker" --topic "$source_topic" --from-beginning --max-messages "$N") ;;
    kafkactl) c=$(count "$kafkactl" consume "$source_topic" --from-beginning --exit) ;;
  esac
  [ "$c" -eq "$N" ] || { echo "$t read $c records of $source_topic, expected $N" >&2; exit 1; }
done

# Instructions of one produce each, kctl and kcat, into topics of their own.
if [ "${CALLGRIND:-1}" != 0 ] && tool_wanted kcat; then
  echo "counting instructions (callgrind)" >&2
  "$kctl" topics create cg-kctl -p "$PARTITIONS" >/dev/null
  "$kctl" topics create cg-kcat -p "$PARTITIONS" >/dev/null
  "$kctl" topics create cg-lines -p "$PARTITIONS" >/dev/null
  instructions "kctl produce" "$kctl" "${kctl_args[@]}" produce cg-kctl --file "$data"
  instructions "kctl lines" "$kctl" "${kctl_args[@]}" produce cg-lines --input lines --file "$data"
  instructions "kcat produce" kcat -b "$broker" -P -t cg-kcat -X acks=all -X enable.idempotence=true -l "$data"
fi

table "benchmark ($N records, $PARTITIONS partitions)" \
  "produce:produce from a file" "lines:produce, --input lines" "consume:consume -e, values" "json:consume -e, JSON"
echo
echo "medians of $RUNS runs; vs kctl = the tool's time / kctl's; peak = max RSS over the runs"
bench_footer
if tool_wanted kcat; then
  ratio() { awk -v a="$(fig "$1" kctl s)" -v b="$(fig "$1" kcat s)" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
  echo "targets (kctl/kcat): produce $(ratio produce) (<= 0.80; as lines: $(awk -v a="$(fig lines kctl s)" -v b="$(fig produce kcat s)" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')), consume $(ratio consume) (<= 0.90), JSON $(ratio json) (<= 0.50)"
  echo "CPU seconds (kctl/kcat): produce $(awk -v a="$(fig produce kctl c)" -v b="$(fig produce kcat c)" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'), as lines $(awk -v a="$(fig lines kctl c)" -v b="$(fig produce kcat c)" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
  if [ -s "$work/instructions" ]; then
    awk '$1 == "kctl" && $2 == "produce" { k = $3 } $1 == "kctl" && $2 == "lines" { l = $3 } $1 == "kcat" { c = $3 }
      END { if (k && c) printf "instructions, one produce (callgrind, all threads): kctl %.0f (%.2fx kcat), kctl --input lines %.0f (%.2fx), kcat %.0f\n", k, k / c, l, l / c, c }' "$work/instructions"
  fi
  echo "kctl peak RSS consuming: $(awk -v m="$(fig consume kctl m)" 'BEGIN { printf "%.1f", m / 1024 }') MB values, $(awk -v m="$(fig json kctl m)" 'BEGIN { printf "%.1f", m / 1024 }') MB JSON (target <= 64 MB)"
fi
