#!/usr/bin/env bash
# Times start-up: a cold `topics list` (one new process each time) of kctl against `kcat -L` and
# kcl's `topic list`, and each tool's version command (starting the process and nothing else),
# on one broker, in one run; then counts, for one listing each, the instructions executed
# (valgrind's callgrind, all threads: repeatable where seconds on a shared machine are not), the
# connections made and the system calls (strace -f -c), and the shared libraries loaded.
# The broker is real Apache Kafka (scripts/kafka-broker), started for this run and stopped at
# its exit. Prints one table: the median wall time of RUNS runs (the tools alternating, taking
# turns going first), the ratio to kctl and the peak RSS.
#
#   bench/startup.sh                        # RUNS=11, 21 topics, real Kafka
#   RUNS=21 TOPICS=100 bench/startup.sh
#   BROKER=noida bench/startup.sh           # noida-db instead of Apache Kafka
#   TOOLS="kctl kcat" bench/startup.sh
#
# Needs kcat and GNU time (installed with apt-get when missing), valgrind and strace for the
# counts (skipped when missing), Go for kcl (built from its source into ~/.cache/kctl-bench, see
# bench/lib.sh; KCL=path times one built elsewhere), Java and the Kafka jars.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=${TOOLS:-kctl kcat kcl}
. bench/lib.sh

RUNS=${RUNS:-11}
TOPICS=${TOPICS:-20}

bench_install
bench_build_kctl
bench_kcl
bench_start_broker

"$kctl" topics create bench-first --partitions 3 >/dev/null
for i in $(seq 1 "$TOPICS"); do "$kctl" topics create "bench-topic-$i" --partitions 3 >/dev/null; done

tools=()
for t in kctl kcat kcl; do
  tool_wanted "$t" || continue
  [ "$t" = kcl ] && [ -z "$kcl" ] && continue
  tools+=("$t")
done
# shellcheck disable=SC2034
[ -z "$kcl" ] && tool_wanted kcl && { why_kcl_list="not built"; why_kcl_version="not built"; }

list() {
  case $1 in
    kctl) echo "$kctl" topics list ;;
    kcat) echo kcat -b "$broker" -L ;;
    kcl) echo "$kcl" --no-config-file -B "$broker" topic list ;;
  esac
}
version() {
  case $1 in
    kctl) echo "$kctl" --version ;;
    kcat) echo kcat -V ;;
    kcl) echo "$kcl" --version ;;
  esac
}

# Each listing once, untimed, its output checked.
for t in "${tools[@]}"; do
  cmd=$(list "$t")
  # shellcheck disable=SC2086
  out=$($cmd 2>"$work/err.tmp" 9>&-) || { echo "failed: $cmd" >&2; cat "$work/err.tmp" >&2; exit 1; }
  grep -q "bench-topic-$TOPICS" <<<"$out" || { echo "$t: the listing misses bench-topic-$TOPICS" >&2; exit 1; }
done

for r in $(seq 1 "$RUNS"); do
  echo "run $r/$RUNS (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  for t in "${tools[@]:$(( (r - 1) % ${#tools[@]} ))}" "${tools[@]:0:$(( (r - 1) % ${#tools[@]} ))}"; do
    # shellcheck disable=SC2046
    run list "$t" $(list "$t")
    # shellcheck disable=SC2046
    run version "$t" $(version "$t")
  done
done

# One listing each: instructions, connections, system calls, shared libraries.
counts=$work/counts
for t in "${tools[@]}"; do
  # shellcheck disable=SC2046
  instructions "$t" $(list "$t")
  if command -v strace >/dev/null 2>&1; then
    # shellcheck disable=SC2046
    strace -f -c -o "$work/strace.$t" $(list "$t") >/dev/null 2>&1 9>&- || true
    # shellcheck disable=SC2046
    conns=$(strace -f -e trace=connect $(list "$t") 2>&1 >/dev/null 9>&- | grep -c 'connect(.*sin_port=htons(' || true)
    calls=$(awk '$NF == "total" { print $4 }' "$work/strace.$t")
    echo "$t connections $conns syscalls ${calls:-?}" >>"$counts"
  fi
  bin=$(command -v "$(list "$t" | awk '{ print $1 }')")
  echo "$t libraries $(ldd "$bin" 2>/dev/null | grep -c '=>' || true)" >>"$counts"
done

TABLE_MS=1 table "start-up ($((TOPICS + 1)) topics)" \
  "list:topics list, cold" "version:version (start-up only)"
echo
echo "medians of $RUNS runs; vs kctl = the tool's time / kctl's; peak = max RSS over the runs"
echo
printf '%-8s %16s %12s %10s %10s\n' "one listing" "instructions" "connections" "syscalls" "libraries"
for t in "${tools[@]}"; do
  printf '%-8s %16s %12s %10s %10s\n' "$t" \
    "$(awk -v t="$t" '$1 == t { print $2 }' "$work/instructions" 2>/dev/null | grep . || echo -)" \
    "$(awk -v t="$t" '$1 == t && $2 == "connections" { print $3 }' "$counts" 2>/dev/null)" \
    "$(awk -v t="$t" '$1 == t && $4 == "syscalls" { print $5 }' "$counts" 2>/dev/null)" \
    "$(awk -v t="$t" '$1 == t && $2 == "libraries" { print $3 }' "$counts" 2>/dev/null)"
done
echo
bench_footer
if tool_wanted kcat; then
  echo "target: kctl topics list / kcat -L = $(awk -v a="$(fig list kctl s)" -v b="$(fig list kcat s)" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') (<= 1.00)"
fi
if [ -n "$kcl" ]; then
  echo "target: kctl topics list / kcl topic list = $(awk -v a="$(fig list kctl s)" -v b="$(fig list kcl s)" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') (<= 1.00)"
fi
