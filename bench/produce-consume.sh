#!/usr/bin/env bash
# Times kctl against kcat on the same local broker, in the same run:
#   1. produce N small JSON messages from a file,
#   2. consume them all with -e to /dev/null, value output,
#   3. the same with JSON output (kctl -o json, kcat -J).
# Reports the median wall time of RUNS runs of each, the kctl/kcat ratio and peak memory.
#
#   bench/produce-consume.sh               # N=1000000 RUNS=3
#   N=200000 RUNS=5 bench/produce-consume.sh
#
# Needs: kcat and GNU time (installed with apt-get when missing), noida-db (scripts/install-test-deps),
# and a Rust toolchain (kctl is built with --release).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
RUNS=${RUNS:-3}
PARTITIONS=${PARTITIONS:-3}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
need=()
command -v kcat >/dev/null 2>&1 || need+=(kcat)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
scripts/install-test-deps >&2

echo "building kctl (release)" >&2
cargo build --release --locked -q
kctl=$PWD/target/release/kctl

work=$(mktemp -d)
noida=$(python3 -c 'import noida_db, os; print(os.path.join(os.path.dirname(noida_db.__file__), "noida-db"))')
"$noida" start --data-dir "$work/db" --only kafka --kafka-port 0 >"$work/noida.out" 2>"$work/noida.err" &
noida_pid=$!
trap 'kill $noida_pid 2>/dev/null; wait $noida_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  broker=$(awk '$1 == "kafka" { print $2 }' "$work/noida.out")
  [ -n "$broker" ] && break
  sleep 0.1
done
[ -n "${broker:-}" ] || { echo "noida-db did not start" >&2; cat "$work/noida.err" >&2; exit 1; }
export KCTL_BROKERS=$broker

data=$work/messages.ndjson
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
  printf "{\"id\":%d,\"user\":\"user-%d\",\"amount\":%d.%02d,\"status\":\"new\"}\n", i, i % 1000, i % 500, i % 100 }' >"$data"
echo "broker $broker; $N messages, $(du -h "$data" | cut -f1) in $data; $RUNS runs each" >&2

# Both producers get the same delivery guarantees: acks=all with idempotence (kctl's default).
kcat_produce=(-X acks=all -X enable.idempotence=true)

# run NAME COMMAND...: times one run, appends "seconds max_rss_kb" to $work/NAME.
run() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time.tmp" "$@" >/dev/null 2>"$work/err.tmp" || {
    echo "failed: $*" >&2; cat "$work/err.tmp" >&2; exit 1; }
  cat "$work/time.tmp" >>"$work/$name"
}

for r in $(seq 1 "$RUNS"); do
  echo "run $r/$RUNS" >&2
  "$kctl" topics create "kctl-$r" -p "$PARTITIONS" >/dev/null
  "$kctl" topics create "kcat-$r" -p "$PARTITIONS" >/dev/null
  run produce.kctl "$kctl" produce "kctl-$r" --file "$data"
  run produce.kcat kcat -b "$broker" -P -t "kcat-$r" "${kcat_produce[@]}" -l "$data"
  # Consume what kctl produced in run 1 (both tools read the same topic).
  run consume.kctl sh -c "'$kctl' consume kctl-1 --from-beginning -e > /dev/null"
  run consume.kcat sh -c "kcat -b '$broker' -C -t kctl-1 -o beginning -e -q > /dev/null"
  run json.kctl sh -c "'$kctl' -o json consume kctl-1 --from-beginning -e > /dev/null"
  run json.kcat sh -c "kcat -b '$broker' -C -t kctl-1 -o beginning -e -q -J > /dev/null"
done

# Sanity: every message arrived, and each tool read them all.
count=$("$kctl" consume kctl-1 --from-beginning -e | wc -l)
[ "$count" -eq "$N" ] || { echo "kctl-1 holds $count messages, expected $N" >&2; exit 1; }
count=$(kcat -b "$broker" -C -t kcat-1 -o beginning -e -q | wc -l)
[ "$count" -eq "$N" ] || { echo "kcat-1 holds $count messages, expected $N" >&2; exit 1; }

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '\n%-28s %10s %10s %7s %14s %14s\n' "benchmark ($N messages)" "kctl s" "kcat s" "ratio" "kctl peak MB" "kcat peak MB"
for b in produce consume json; do
  case $b in
    produce) label="produce from a file" ;;
    consume) label="consume -e, values" ;;
    json) label="consume -e, JSON" ;;
  esac
  k=$(cut -d' ' -f1 "$work/$b.kctl" | median)
  c=$(cut -d' ' -f1 "$work/$b.kcat" | median)
  km=$(cut -d' ' -f2 "$work/$b.kctl" | sort -n | tail -1)
  cm=$(cut -d' ' -f2 "$work/$b.kcat" | sort -n | tail -1)
  awk -v l="$label" -v k="$k" -v c="$c" -v km="$km" -v cm="$cm" \
    'BEGIN { printf "%-28s %10.2f %10.2f %7.2f %14.1f %14.1f\n", l, k, c, (c > 0 ? k / c : 0), km / 1024, cm / 1024 }'
done
echo
echo "medians of $RUNS runs; peak = max RSS over the runs; $(nproc) cores; kcat $(kcat -V 2>&1 | awk '/^Version/ { print $2 }'); $(date -u +%Y-%m-%d)"
