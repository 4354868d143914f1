#!/usr/bin/env bash
# Times reading Avro records written through a schema registry, to the end of the topic:
#   kctl consume -o json --decode none   (the records as stored: the baseline)
#   kctl consume -o json                 (values decoded through the registry, as JSON)
#   kafkactl consume                     (with its schemaRegistry setting)
#   Python confluent-kafka + AvroDeserializer, printing json.dumps of each value
# in one run, against real Apache Kafka (scripts/kafka-broker) and Apicurio Registry 3.3.3 (its
# Confluent API), both started for this run and stopped at its exit. Prints one table: the
# median wall time of RUNS runs of each, the ratio to kctl's undecoded read and the peak RSS.
# Targets: decoding at most 2x the undecoded read, kctl's peak RSS within 64 MB.
#
#   bench/schema-consume.sh                   # N=1000000 RUNS=3 PARTITIONS=3
#   N=100000 RUNS=1 bench/schema-consume.sh   # a quick check that it works
#   TOOLS="kctl python" bench/schema-consume.sh
#
# Needs what bench/produce-consume.sh needs, plus what scripts/install-test-deps installs for the
# registry tests: Apicurio in ~/.cache/kctl-test (or $KCTL_TEST_CACHE), a Java 21 or newer
# (KCTL_REGISTRY_JAVA, else the newest in /usr/lib/jvm) and confluent-kafka[avro]. Every tool is
# checked to print N records.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=${TOOLS:-kctl kafkactl python}
. bench/lib.sh

N=${N:-1000000}
RUNS=${RUNS:-3}
PARTITIONS=${PARTITIONS:-3}

bench_install
bench_build_kctl
tool_wanted kafkactl && bench_kafkactl
bench_start_broker

# Apicurio Registry, on a free loopback port; stopped by this script's exit.
cache=${KCTL_TEST_CACHE:-$HOME/.cache/kctl-test}
apicurio=$cache/apicurio-registry-3.3.3
[ -f "$apicurio/complete" ] || { echo "Apicurio Registry is not in $apicurio: run scripts/install-test-deps" >&2; exit 1; }
java_major() { "$1" -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -1; }
rjava=${KCTL_REGISTRY_JAVA:-}
if [ -z "$rjava" ]; then
  for j in $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -r); do
    [ "$(java_major "$j")" -ge 21 ] 2>/dev/null && { rjava=$j; break; }
  done
fi
[ -n "$rjava" ] || { echo "no Java 21 or newer for Apicurio: run scripts/install-test-deps or set KCTL_REGISTRY_JAVA" >&2; exit 1; }
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$rjava" -Dquarkus.http.port="$port" -Dquarkus.http.host=127.0.0.1 \
  -Dquarkus.management.port="$mport" -Dquarkus.management.host=127.0.0.1 \
  -jar "$apicurio/quarkus-run.jar" >"$work/registry.log" 2>&1 &
registry_pid=$!
trap 'kill "$registry_pid" 2>/dev/null || true; bench_cleanup' EXIT
export KCTL_REGISTRY=http://127.0.0.1:$port/apis/ccompat/v7
for _ in $(seq 1 600); do
  "$kctl" schemas list >/dev/null 2>&1 && break
  kill -0 "$registry_pid" 2>/dev/null || { cat "$work/registry.log" >&2; exit 1; }
  sleep 0.2
done
"$kctl" schemas list >/dev/null || { echo "Apicurio did not answer at $KCTL_REGISTRY" >&2; exit 1; }
echo "registry: Apicurio Registry 3.3.3 at $KCTL_REGISTRY (on $("$rjava" -version 2>&1 | head -1))" >&2

topic=orders-avro
cat >"$work/order.avsc" <<'AVSC'
{"type": "record", "name": "Order", "namespace": "bench",
 "fields": [{"name": "id", "type": "long"}, {"name": "user", "type": "string"},
            {"name": "amount", "type": "double"}, {"name": "status", "type": "string"}]}
AVSC
"$kctl" schemas register "$topic-value" --file "$work/order.avsc" >/dev/null
data=$work/records.ndjson
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
  printf "{\"id\":%d,\"user\":\"user-%d\",\"amount\":%d.%02d,\"status\":\"%s\"}\n", i, i % 1000, i % 500, i % 100, (i % 7 ? "new" : "paid") }' >"$data"
"$kctl" topics create "$topic" -p "$PARTITIONS" >/dev/null
"$kctl" produce "$topic" --file "$data" --value-schema "$topic-value" >/dev/null 2>&1
echo "$N Avro records ($(du -h "$data" | cut -f1) as JSON) in $PARTITIONS partitions; $RUNS runs each" >&2

cat >"$work/consume.py" <<'PY'
import json, sys
from confluent_kafka import Consumer, KafkaError, TopicPartition, OFFSET_BEGINNING
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext
broker, url, topic, parts = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
consumer = Consumer({"bootstrap.servers": broker, "group.id": "bench-python",
                     "enable.auto.commit": False, "enable.partition.eof": True})
consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(parts)])
deserialize = AvroDeserializer(SchemaRegistryClient({"url": url}))
ctx = SerializationContext(topic, MessageField.VALUE)
out, ended = sys.stdout, 0
while ended < parts:
    for m in consumer.consume(1000, 1.0):
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                ended += 1
                continue
            sys.exit(str(m.error()))
        out.write(json.dumps(deserialize(m.value(), ctx)))
        out.write("\n")
consumer.close()
PY
py() { python3 "$work/consume.py" "$broker" "$KCTL_REGISTRY" "$topic" "$PARTITIONS"; }
export -f py; export work broker topic PARTITIONS

tools=()
tool_wanted kctl && tools+=(kctl)
if tool_wanted kafkactl && [ -n "${kafkactl:-}" ]; then
  kafkactl_env
  # kafkactl's schema registry setting, in its context.
  python3 - "$work/kafkactl.yml" "$KCTL_REGISTRY" <<'PY'
import sys
path, url = sys.argv[1], sys.argv[2]
text = open(path).read().replace("    producer:", f"    schemaRegistry:\n      url: {url}\n    producer:", 1)
open(path, "w").write(text)
PY
  tools+=(kafkactl)
fi
if tool_wanted python; then
  if python3 -c 'import confluent_kafka.schema_registry.avro' 2>/dev/null; then tools+=(python)
  else why_python_avro="confluent-kafka[avro] is not installed"; fi
fi
why_kafkactl_none="-"; why_python_none="-"

# Sanity, untimed (and the warm-up): N records each.
count() { local c; c=$("$@" 2>"$work/err.tmp" 9>&- | wc -l); [ "$c" -eq "$N" ] || { echo "printed $c records, expected $N: $*" >&2; tail -5 "$work/err.tmp" >&2; exit 1; }; }
# decodes COMMAND...: its first record names the schema's fields (Avro's bytes do not).
decoded() { local first; first=$("$@" 2>/dev/null 9>&- | head -1 || true); grep -q '"status"' <<<"$first"; }
decodes() { decoded "$@" || { echo "not decoded: $*" >&2; exit 1; }; }
for t in "${tools[@]}"; do
  case $t in
    kctl) count "$kctl" consume "$topic" --from-beginning -e -o json --decode none
      count "$kctl" consume "$topic" --from-beginning -e -o json
      decodes "$kctl" consume "$topic" --from-beginning -e -o json ;;
    kafkactl)
      count "$kafkactl" consume "$topic" --from-beginning --exit
      if ! decoded "$kafkactl" consume "$topic" --from-beginning --exit; then
        # shellcheck disable=SC2034
        why_kafkactl_avro="prints Avro bytes"
        echo "kafkactl prints the Avro bytes, undecoded (schemaRegistry.url set in its context): not timed" >&2
        tools=("${tools[@]/kafkactl}")
      fi ;;
    python) count bash -c py; decodes bash -c py ;;
  esac
done

for r in $(seq 1 "$RUNS"); do
  echo "run $r/$RUNS (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  # Each run starts with another tool.
  order=("${tools[@]:$(( (r - 1) % ${#tools[@]} ))}" "${tools[@]:0:$(( (r - 1) % ${#tools[@]} ))}")
  for t in "${order[@]}"; do
    case $t in
      "") ;;
      kctl)
        run none kctl "$kctl" consume "$topic" --from-beginning -e -o json --decode none
        run avro kctl "$kctl" consume "$topic" --from-beginning -e -o json ;;
      kafkactl) run avro kafkactl "$kafkactl" consume "$topic" --from-beginning --exit ;;
      python) run avro python bash -c py ;;
    esac
  done
done

table "benchmark ($N Avro records, $PARTITIONS partitions)" \
  "none:as stored (--decode none)" "avro:values decoded, as JSON"
echo
echo "medians of $RUNS runs; vs kctl = the tool's time / kctl's in the same row; peak = max RSS over the runs"
bench_footer
awk -v a="$(fig avro kctl s)" -v b="$(fig none kctl s)" -v m="$(fig avro kctl m)" 'BEGIN {
  printf "targets: kctl decoded / undecoded %.2f (<= 2.00); kctl peak RSS decoding %.1f MB (<= 64 MB)\n", a / b, m / 1024 }'
