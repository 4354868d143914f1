# shellcheck shell=bash
# Shared by bench/*.sh (sourced, not run): the broker, the tools, timing and the table.
#
# Environment:
#   BROKER=kafka|noida   the broker (default kafka: real Apache Kafka from scripts/kafka-broker,
#                        started fresh by each script run and stopped at its exit)
#   RUNS=N               timed runs of each command (the table shows their median)
#   TOOLS="kctl kcat kcl apache kafkactl"   the tools to time (default all of them;
#                        bench/schema-consume.sh also knows python: confluent-kafka)
#   KCTL_BENCH_BIN=path  a kctl binary to time instead of building target/release/kctl
#   KAFKACTL=path        a kafkactl binary to time instead of `go install`ing one
#   KCL=path             a kcl (franz-go's CLI) binary to time instead of building one
#   KCL_SRC=dir          kcl's source to build (default: $KCTL_BENCH_CACHE/src/kcl, cloned from
#                        github.com/twmb/kcl when missing)
#   KCTL_KAFKA_JVM_OPTS  the broker JVM's options (default: as kafka-server-start.sh runs it)
#   KCTL_BENCH_CACHE=dir where kafkactl and kcl are installed (default ~/.cache/kctl-bench; outside
#                        the repository, never committed)

export LC_NUMERIC=C
BENCH_CACHE=${KCTL_BENCH_CACHE:-$HOME/.cache/kctl-bench}
BROKER=${BROKER:-kafka}
TOOLS=${TOOLS:-kctl kcat kcl apache kafkactl}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
tool_wanted() { case " $TOOLS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# The work directory, removed at exit with the broker stopped: set up before anything else.
work=$(mktemp -d "${TMPDIR:-/tmp}/kctl-bench.XXXXXX")
broker_pid=
bench_cleanup() {
  exec 9>&- 2>/dev/null || true
  if [ -n "$broker_pid" ]; then
    kill -TERM "$broker_pid" 2>/dev/null || true
    wait "$broker_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# Debian packages: kcat, GNU time; the test dependencies (Java, the Kafka jars, noida-db).
bench_install() {
  local need=()
  command -v kcat >/dev/null 2>&1 || need+=(kcat)
  [ -x /usr/bin/time ] || need+=(time)
  command -v valgrind >/dev/null 2>&1 || need+=(valgrind)
  if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]}" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  scripts/install-test-deps >&2
}

# kctl, built --release (KCTL_BENCH_BIN skips the build).
bench_build_kctl() {
  if [ -z "${KCTL_BENCH_BIN:-}" ]; then
    echo "building kctl (release)" >&2
    cargo build --release --locked -q
    KCTL_BENCH_BIN=$PWD/target/release/kctl
  fi
  kctl=$KCTL_BENCH_BIN
}

# kafkactl from the Go module proxy into $BENCH_CACHE/bin; when that fails, one already there
# (for example built by hand from kafkactl's source) is used, and the output says so.
kafkactl=
kafkactl_note=
bench_kafkactl() {
  tool_wanted kafkactl || return 0
  if [ -n "${KAFKACTL:-}" ]; then
    kafkactl=$KAFKACTL
    kafkactl_note="kafkactl: $KAFKACTL (KAFKACTL)"
  elif ! command -v go >/dev/null 2>&1; then
    kafkactl_note="kafkactl: not measured (no Go toolchain)"
  else
    mkdir -p "$BENCH_CACHE/bin"
    echo "installing kafkactl (go install github.com/deviceinsight/kafkactl/v5@latest)" >&2
    if GOBIN=$BENCH_CACHE/bin GOFLAGS=-buildvcs=false \
      go install github.com/deviceinsight/kafkactl/v5@latest >"$work/kafkactl-install.log" 2>&1; then
      kafkactl=$BENCH_CACHE/bin/kafkactl
      kafkactl_note="kafkactl: go install github.com/deviceinsight/kafkactl/v5@latest"
    else
      local why
      why=$(grep -v '^go: downloading' "$work/kafkactl-install.log" | tr -s ' \t\n' ' ' | sed 's/^go: //; s/reading https[^ ]*: //' | cut -c1-160)
      if [ -x "$BENCH_CACHE/bin/kafkactl" ]; then
        kafkactl=$BENCH_CACHE/bin/kafkactl
        kafkactl_note="kafkactl: go install failed ($why); timing the kafkactl already in $BENCH_CACHE/bin"
      else
        kafkactl_note="kafkactl: not measured: go install failed: $why"
      fi
    fi
  fi
  if [ -n "$kafkactl" ]; then
    local v
    v=$("$kafkactl" version 2>/dev/null | sed -n 's/.*version:"\([^"]*\)".*/\1/p')
    kafkactl_note="$kafkactl_note; version ${v:-unknown}"
  fi
  echo "$kafkactl_note" >&2
}

# kcl (franz-go's command line, github.com/twmb/kcl) into $BENCH_CACHE/bin. The Go module proxy
# refuses it ("go install github.com/twmb/kcl@latest" fails), so it is built from its source:
# KCL_SRC, else $BENCH_CACHE/src/kcl, cloned from GitHub when missing. KCL=path times a kcl
# built elsewhere. When none can be had, the output says so and kcl is left out.
kcl=
kcl_note=
bench_kcl() {
  tool_wanted kcl || return 0
  local src=${KCL_SRC:-$BENCH_CACHE/src/kcl} from
  if [ -n "${KCL:-}" ]; then
    kcl=$KCL
    kcl_note="kcl: $KCL (KCL)"
  elif ! command -v go >/dev/null 2>&1; then
    kcl_note="kcl: not measured (no Go toolchain)"
  else
    mkdir -p "$BENCH_CACHE/bin"
    if [ ! -f "$src/go.mod" ] && [ -z "${KCL_SRC:-}" ]; then
      echo "cloning kcl (git clone https://github.com/twmb/kcl)" >&2
      git clone -q --depth 1 https://github.com/twmb/kcl "$src" >"$work/kcl-clone.log" 2>&1 || rm -rf "$src"
    fi
    if [ -f "$src/go.mod" ]; then
      from=$(git -C "$src" describe --tags --always 2>/dev/null || cat "$src/.source" 2>/dev/null || echo "$src")
      echo "building kcl from $src ($from)" >&2
      if (cd "$src" && GOFLAGS=-buildvcs=false go build -o "$BENCH_CACHE/bin/kcl" .) >"$work/kcl-build.log" 2>&1; then
        kcl=$BENCH_CACHE/bin/kcl
        kcl_note="kcl: built from its source ($from) with $(go version | awk '{ print $3 }')"
      else
        kcl_note="kcl: not measured: go build failed: $(tail -3 "$work/kcl-build.log" | tr -s ' \t\n' ' ' | cut -c1-160)"
      fi
    elif [ -x "$BENCH_CACHE/bin/kcl" ]; then
      kcl=$BENCH_CACHE/bin/kcl
      kcl_note="kcl: no source (git clone failed); timing the kcl already in $BENCH_CACHE/bin"
    else
      kcl_note="kcl: not measured: no source (git clone failed: $(tail -1 "$work/kcl-clone.log" 2>/dev/null | cut -c1-100)); set KCL=path or KCL_SRC=dir"
    fi
  fi
  echo "$kcl_note" >&2
}

# kafkactl's configuration: a file in the work directory (nothing in $HOME is read or written).
kafkactl_env() {
  cat >"$work/kafkactl.yml" <<EOF
contexts:
  default:
    brokers:
      - $broker
    producer:
      requiredAcks: WaitForAll
current-context: default
EOF
  echo "current-context: default" >"$work/kafkactl-current.yml"
  export KAFKA_CTL_CONFIG=$work/kafkactl.yml KAFKA_CTL_WRITABLE_CONFIG=$work/kafkactl-current.yml
}

# Apache Kafka's own tools, from the jars the broker runs, started as Kafka's bin/ scripts start
# them (kafka-run-class.sh: its JVM options; 512 MB heap for the console producer and consumer,
# 256 MB for the others; tools-log4j2: warnings to stderr).
java=
kafka_libs=
bench_apache() {
  tool_wanted apache || return 0
  java=${KCTL_JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/java}}
  java=${java:-$(command -v java)}
  local version
  version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' tests/kafka/pom.xml)
  kafka_libs=${KCTL_KAFKA_LIBS:-${KCTL_TEST_CACHE:-$HOME/.cache/kctl-test}/kafka-$version/libs}
  cat >"$work/tools-log4j2.properties" <<'EOF'
status = warn
appender.stderr.type = Console
appender.stderr.name = stderr
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = stderr
EOF
  # kafka-tool HEAP CLASS ARGS...: an executable on PATH (GNU time runs it).
  mkdir -p "$work/bin"
  cat >"$work/bin/kafka-tool" <<EOF
#!/bin/sh
heap=\$1; shift
exec "$java" "-Xmx\$heap" -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \\
  -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true \\
  "-Dlog4j2.configurationFile=$work/tools-log4j2.properties" -cp "$kafka_libs/*" "\$@"
EOF
  chmod +x "$work/bin/kafka-tool"
  PATH=$work/bin:$PATH
}

# The broker: sets $broker and KCTL_BROKERS. Real Kafka is stopped when this shell exits, however
# it exits: the launcher also stops when its stdin (a pipe this shell holds) closes.
broker_version=
bench_start_broker() {
  case $BROKER in
    kafka)
      mkfifo "$work/broker.in"
      # The JVM as Kafka's kafka-server-start.sh runs it (1 GB heap, G1, the full JIT), not as
      # the launcher's defaults do for tests (serial GC, C1 only: quick to start, slow to serve).
      KCTL_KAFKA_JVM_OPTS=${KCTL_KAFKA_JVM_OPTS-"-Xms1g -XX:-UseSerialGC -XX:+UseG1GC -XX:TieredStopAtLevel=4 \
-XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent"} \
        scripts/kafka-broker --heap 1g <"$work/broker.in" >"$work/broker.out" 2>"$work/broker.err" &
      broker_pid=$!
      exec 9>"$work/broker.in"
      broker_version="Apache Kafka $(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' tests/kafka/pom.xml)"
      ;;
    noida)
      local noida
      noida=$(python3 -c 'import noida_db, os; print(os.path.join(os.path.dirname(noida_db.__file__), "noida-db"))')
      "$noida" start --data-dir "$work/db" --only kafka --kafka-port 0 >"$work/noida.out" 2>"$work/broker.err" &
      broker_pid=$!
      broker_version="noida-db $(python3 -c 'import importlib.metadata as m; print(m.version("noida-db"))')"
      ;;
    *) echo "BROKER must be kafka or noida, not $BROKER" >&2; exit 2 ;;
  esac
  echo "starting $broker_version" >&2
  broker=
  for _ in $(seq 1 1800); do
    if [ "$BROKER" = kafka ]; then broker=$(head -1 "$work/broker.out"); else
      broker=$(awk '$1 == "kafka" { print $2 }' "$work/noida.out"); fi
    [ -n "$broker" ] && break
    kill -0 "$broker_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$broker" ] || { echo "the broker did not start:" >&2; cat "$work/broker.err" >&2; exit 1; }
  export KCTL_BROKERS=$broker
  echo "broker: $broker_version at $broker" >&2
}

# run NAME TOOL [< input] COMMAND...: one timed run, stdout to /dev/null; appends
# "TOOL seconds max_rss_kb cpu_seconds" to $work/NAME.times (CPU: user and system, all threads). With RUN_INPUT set, stdin reads that file.
# The wall time is taken by this shell (microseconds; GNU time's %e has 10 ms steps).
run() {
  local name=$1 tool=$2 start end; shift 2
  start=$EPOCHREALTIME
  if ! /usr/bin/time -f "%M %U %S" -o "$work/time.tmp" "$@" <"${RUN_INPUT:-/dev/null}" >/dev/null 2>"$work/err.tmp" 9>&-; then
    echo "failed: $*" >&2; tail -20 "$work/err.tmp" >&2; exit 1
  fi
  end=$EPOCHREALTIME
  echo "$tool $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }') $(tail -1 "$work/time.tmp" | awk '{ printf "%d %.2f", $1, $2 + $3 }')" >>"$work/$name.times"
  tail -1 "$work/$name.times" | awk -v n="$name" '{ printf "  %-9s %-9s %8.3f s %7.1f MB %6.2f s CPU\n", n, $1, $2, $3 / 1024, $4 }' >&2
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# fig NAME TOOL FIELD: the median seconds (FIELD s), the peak RSS in kB (FIELD m) or the median
# CPU seconds, user and system, all threads (FIELD c).
fig() {
  local f=2
  [ "$3" = m ] && f=3
  [ "$3" = c ] && f=4
  if [ "$3" = m ]; then
    awk -v t="$2" -v f=$f '$1 == t { print $f }' "$work/$1.times" 2>/dev/null | sort -n | tail -1
  else
    awk -v t="$2" -v f=$f '$1 == t { print $f }' "$work/$1.times" 2>/dev/null | median
  fi
}

# table TITLE NAME:LABEL...: one block per benchmark, one line per tool: median, ratio to kctl,
# peak RSS. A tool without figures for a benchmark prints why ($why_TOOL_NAME or "n/a").
table() {
  local title=$1; shift
  # TABLE_MS=1: medians in milliseconds (for start-up times).
  local unit="median s" scale=1
  [ -n "${TABLE_MS:-}" ] && { unit="median ms"; scale=1000; }
  printf '\n%-34s %-9s %10s %9s %10s %5s %8s\n' "$title" "tool" "$unit" "vs kctl" "peak MB" "runs" "CPU s"
  local item name label tool k s m c why
  for item in "$@"; do
    name=${item%%:*}
    label=${item#*:}
    k=$(fig "$name" kctl s)
    for tool in kctl kcat kcl apache kafkactl python; do
      tool_wanted "$tool" || continue
      s=$(fig "$name" "$tool" s)
      m=$(fig "$name" "$tool" m)
      c=$(fig "$name" "$tool" c)
      why=why_${tool}_${name}
      # kcl only where a script measures it (it sets $kcl, or says why not).
      [ "$tool" = kcl ] && [ -z "$kcl" ] && [ -z "${!why:-}" ] && continue
      if [ -z "$s" ]; then
        printf '%-34s %-9s %10s\n' "$label" "$tool" "${!why:-n/a}"
      else
        awk -v l="$label" -v t="$tool" -v s="$s" -v k="$k" -v m="$m" -v c="$scale" -v u="$c" -v n="$(awk -v t="$tool" '$1 == t' "$work/$name.times" | wc -l)" 'BEGIN {
          printf "%-34s %-9s %10.3f %9s %10.1f %5d %8.2f\n", l, t, s * c, (k > 0 ? sprintf("%.2fx", s / k) : "-"), m / 1024, n, u }'
      fi
      label=""
    done
  done
}

# The versions and conditions of this run, for the line under the table.
bench_footer() {
  local lrd
  lrd=$(grep -m1 -o 'rdkafka-sys [^ ]*' <(cargo tree -p rdkafka-sys --depth 0 2>/dev/null) | sed 's/.*+//')
  echo "kctl $("$kctl" --version 2>/dev/null | awk '{ print $2 }') (librdkafka ${lrd:-?}); kcat $(kcat -V 2>&1 | awk '/^Version/ { print $2 }') (librdkafka $(kcat -V 2>&1 | sed -n 's/.*librdkafka \([0-9.]*\).*/\1/p' | head -1)); ${kafkactl_note:-kafkactl not measured}; ${kcl_note:-kcl not measured}"
  echo "$broker_version; $(nproc) cores; load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
}

# instructions NAME COMMAND...: the instructions COMMAND executes, all threads, counted by
# valgrind's callgrind (repeatable, unlike seconds on a shared machine); appends
# "NAME instructions" to $work/instructions. Prints nothing and appends nothing without valgrind.
instructions() {
  local name=$1 n; shift
  command -v valgrind >/dev/null 2>&1 || return 0
  if ! valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.%p" "$@" <"${RUN_INPUT:-/dev/null}" >/dev/null 2>"$work/callgrind.err" 9>&-; then
    echo "  $name: callgrind could not run it ($(grep -m1 -v '^==' "$work/callgrind.err" | cut -c1-80))" >&2
    rm -f "$work"/callgrind.[0-9]*
    return 0
  fi
  n=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/callgrind.err" | awk '{ s += $1 } END { printf "%.0f\n", s }')
  rm -f "$work"/callgrind.[0-9]*
  echo "$name $n" >>"$work/instructions"
  printf '  %-28s %14s instructions\n' "$name" "$n" >&2
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
