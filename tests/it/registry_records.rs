//! Records framed for the schema registry, against the real broker and the real registry
//! (Apicurio's Confluent API): what confluent-kafka's serializers write, kctl decodes to the
//! same data; what kctl encodes, confluent-kafka decodes to the input and is byte for byte
//! what confluent-kafka writes; a consume | produce --input envelope copy is byte identical.

use serde_json::{json, Value};

use crate::common;
use common::registry::{run_python, Registry};
use common::{unique, Broker};

/// The Python side: `produce` writes the JSON values read from stdin (one per line) with
/// confluent-kafka's serializer for FORMAT and prints each payload in hex; `decode` reads hex
/// payloads from stdin and prints what confluent-kafka's deserializer makes of them.
const PYTHON: &str = r#"
import json, sys
from confluent_kafka import Producer
from confluent_kafka.schema_registry import SchemaRegistryClient, Schema, SchemaReference
from confluent_kafka.schema_registry.avro import AvroSerializer, AvroDeserializer
from confluent_kafka.schema_registry.json_schema import JSONSerializer, JSONDeserializer
from confluent_kafka.serialization import SerializationContext, MessageField

action, fmt, url, bootstrap, topic, spec = sys.argv[1:7]
spec = json.loads(spec)
client = SchemaRegistryClient({"url": url})
refs = []
for ref in spec.get("references", []):
    client.register_schema(ref["subject"], Schema(ref["schema"], spec["type"]))
    refs.append(SchemaReference(ref["name"], ref["subject"], 1))
schema = Schema(spec["schema"], spec["type"], refs)
ctx = SerializationContext(topic, MessageField.VALUE)
to_bytes = lambda value: ser(json.loads(value), ctx)
from_bytes = lambda payload: json.dumps(de(payload, ctx), separators=(",", ":"), ensure_ascii=False)
if fmt == "avro":
    ser = AvroSerializer(client, schema, conf={"auto.register.schemas": True})
    de = AvroDeserializer(client)
elif fmt == "protobuf":
    from google.protobuf import descriptor_pb2, json_format, message_factory
    from confluent_kafka.schema_registry.protobuf import ProtobufSerializer, ProtobufDeserializer
    files = descriptor_pb2.FileDescriptorSet.FromString(open(spec["desc"], "rb").read())
    cls = message_factory.GetMessages(files.file)[spec["message"]]
    ser = ProtobufSerializer(cls, client, {"use.deprecated.format": False})
    de = ProtobufDeserializer(cls, {"use.deprecated.format": False})
    to_bytes = lambda value: ser(json_format.Parse(value, cls()), ctx)
    from_bytes = lambda payload: json.dumps(json_format.MessageToDict(de(payload, ctx)), separators=(",", ":"))
else:
    ser = JSONSerializer(schema, client, conf={"auto.register.schemas": True})
    de = JSONDeserializer(None, schema_registry_client=client)
if action == "produce":
    producer = Producer({"bootstrap.servers": bootstrap})
    for line in sys.stdin:
        payload = to_bytes(line)
        producer.produce(topic, payload)
        print(payload.hex())
    assert producer.flush(30) == 0
else:
    for line in sys.stdin:
        print(from_bytes(bytes.fromhex(line.strip())))
"#;

fn kctl(broker: &Broker, registry: &Registry) -> assert_cmd::Command {
    let mut cmd = broker.kctl();
    cmd.args(["--registry", &registry.url]);
    cmd
}

fn create_topic(broker: &Broker, topic: &str) {
    broker
        .kctl()
        .args(["topics", "create", topic, "-p", "1"])
        .assert()
        .success();
}

/// `kctl consume TOPIC -o json` from the beginning to the end, one JSON object per record.
fn consume(broker: &Broker, registry: &Registry, topic: &str, extra: &[&str]) -> Vec<Value> {
    let out = kctl(broker, registry)
        .args(["-o", "json", "consume", topic, "--from-beginning", "-e"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "consume failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The raw payloads of a topic, in hex.
fn raw_values(broker: &Broker, registry: &Registry, topic: &str) -> Vec<String> {
    use base64::Engine as _;
    consume(broker, registry, topic, &["--decode", "none"])
        .iter()
        .map(|r| {
            let v = r["value"].as_str().unwrap();
            let bytes = match r["value_encoding"].as_str() {
                Some("base64") => base64::engine::general_purpose::STANDARD.decode(v).unwrap(),
                _ => v.as_bytes().to_vec(),
            };
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        })
        .collect()
}

/// `text` as a regular expression that matches it literally.
fn regex_escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$' => {
                format!("\\{c}")
            }
            c => c.to_string(),
        })
        .collect()
}

/// Checks one format both ways with `values` (JSON lines as people write them, and as kctl
/// prints them back).
fn interop(
    format: &str,
    spec: Value,
    values: &[Value],
    encoding: &str,
    produce_extra: &[&str],
) -> Vec<String> {
    let broker = Broker::start();
    let registry = Registry::start();
    let subject_topic = unique(&format!("rec-{format}"));
    create_topic(&broker, &subject_topic);
    let input: String = values.iter().map(|v| format!("{v}\n")).collect();
    let spec_text = spec.to_string();
    let py_args = |action: &str, topic: &str| -> Vec<String> {
        vec![
            action.into(),
            format.into(),
            registry.url.clone(),
            broker.addr.clone(),
            topic.into(),
            spec_text.clone(),
        ]
    };
    let args = py_args("produce", &subject_topic);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let written = String::from_utf8(run_python(PYTHON, &args, input.as_bytes())).unwrap();
    let written: Vec<&str> = written.lines().collect();

    // confluent-kafka -> kctl: the same data.
    let records = consume(&broker, &registry, &subject_topic, &[]);
    assert_eq!(records.len(), values.len());
    let id = u32::from_str_radix(&written[0][2..10], 16).unwrap();
    for (record, value) in records.iter().zip(values) {
        assert_eq!(&record["value"], value, "{record}");
        assert_eq!(record["value_encoding"], encoding);
        assert_eq!(record["value_schema_id"], id);
    }

    // consume --where sees the decoded value, --grep its JSON text.
    let first = serde_json::to_string(&values[0]).unwrap();
    let matched = consume(
        &broker,
        &registry,
        &subject_topic,
        &["--where", &format!(".value == {first}")],
    );
    assert_eq!(matched.len(), 1, "{matched:?}");
    assert_eq!(&matched[0]["value"], &values[0]);
    let out = kctl(&broker, &registry)
        .args(["consume", &subject_topic, "--from-beginning", "-e"])
        .output()
        .unwrap();
    let printed = String::from_utf8(out.stdout).unwrap();
    let line = printed.lines().next().unwrap();
    let grep = format!("^{}$", regex_escape(line));
    let matched = consume(&broker, &registry, &subject_topic, &["--grep", &grep]);
    assert_eq!(matched.len(), 1, "{grep}: {matched:?}");
    assert_eq!(&matched[0]["value"], &values[0]);

    // The default output and --format print the decoded values as compact JSON.
    for extra in [&[][..], &["--format", "%v\\n"][..]] {
        let out = kctl(&broker, &registry)
            .args(["consume", &subject_topic, "--from-beginning", "-e"])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        let printed: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(printed, values, "{text}");
    }

    // kctl -> confluent-kafka: the same bytes, and the same data back.
    let copy = unique(&format!("rec-{format}-kctl"));
    create_topic(&broker, &copy);
    kctl(&broker, &registry)
        .args([
            "produce",
            &copy,
            "--value-schema",
            &format!("{subject_topic}-value"),
        ])
        .args(produce_extra)
        .write_stdin(input.clone())
        .assert()
        .success();
    let kctl_bytes = raw_values(&broker, &registry, &copy);
    assert_eq!(
        kctl_bytes, written,
        "kctl writes what confluent-kafka writes"
    );
    let args = py_args("decode", &copy);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let decoded =
        String::from_utf8(run_python(PYTHON, &args, kctl_bytes.join("\n").as_bytes())).unwrap();
    for (line, value) in decoded.lines().zip(values) {
        let back: Value = serde_json::from_str(line).unwrap();
        assert_eq!(&back, value);
    }

    // consume | produce --input envelope: byte identical.
    let envelope = unique(&format!("rec-{format}-copy"));
    create_topic(&broker, &envelope);
    let out = kctl(&broker, &registry)
        .args([
            "-o",
            "json",
            "consume",
            &subject_topic,
            "--from-beginning",
            "-e",
        ])
        .output()
        .unwrap();
    kctl(&broker, &registry)
        .args(["produce", &envelope, "--input", "envelope"])
        .write_stdin(out.stdout)
        .assert()
        .success();
    assert_eq!(raw_values(&broker, &registry, &envelope), written);
    written.iter().map(|w| w.to_string()).collect()
}

#[test]
fn avro_records_interoperate_with_confluent_kafka() {
    let address = json!({"type": "record", "name": "Address", "namespace": "t",
        "fields": [{"name": "city", "type": "string"}]});
    let person = json!({"type": "record", "name": "Person", "namespace": "t", "fields": [
        {"name": "id", "type": "long"},
        {"name": "name", "type": ["null", "string"]},
        {"name": "home", "type": "t.Address"},
        {"name": "tags", "type": {"type": "map", "values": "double"}},
        {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "BLUE"]}}
    ]});
    let subject = unique("address");
    let spec = json!({"type": "AVRO", "schema": person.to_string(), "references": [
        {"name": "t.Address", "subject": subject, "schema": address.to_string()}]});
    let values = [
        json!({"id": 1, "name": "Zoë", "home": {"city": "Paris"}, "tags": {"b": 1.5, "a": -2.0}, "color": "BLUE"}),
        json!({"id": -7, "name": null, "home": {"city": ""}, "tags": {}, "color": "RED"}),
    ];
    interop("avro", spec, &values, "avro", &[]);
}

#[test]
fn json_schema_records_interoperate_with_confluent_kafka() {
    let schema = json!({"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}, "required": ["id"]});
    let spec = json!({"type": "JSON", "schema": schema.to_string()});
    let values = [json!({"id": 1, "name": "Zoë"}), json!({"id": 2})];
    interop("json", spec, &values, "json_schema", &[]);
}

fn proto_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/codec/proto")
}

#[test]
fn protobuf_records_interoperate_with_confluent_kafka_and_proto_files() {
    let dir = proto_dir();
    let spec = json!({"type": "PROTOBUF", "schema": "", "message": "shop.Order",
        "desc": dir.join("orders.desc").to_str().unwrap()});
    let values = [
        json!({"id": "o1", "lines": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": -1}],
               "total": {"currency": "EUR", "cents": "1234"}, "at": "2024-05-01T12:00:00.500Z",
               "status": "PAID", "counts": {"x": "3"}, "blob": "AQI="}),
        json!({"id": "o2"}),
    ];
    let written = interop(
        "protobuf",
        spec,
        &values,
        "protobuf",
        &["--value-proto-type", "shop.Order"],
    );

    // Without a registry: plain Protobuf from the .proto files, the same bodies.
    let broker = Broker::start();
    let topic = unique("rec-proto-file");
    create_topic(&broker, &topic);
    let proto = dir.join("shop/orders.proto");
    let flags = |cmd: &mut assert_cmd::Command| {
        cmd.arg("--proto-file")
            .arg(&proto)
            .arg("--proto-include")
            .arg(&dir)
            .args(["--value-proto-type", "shop.Order"]);
    };
    let input: String = values.iter().map(|v| format!("{v}\n")).collect();
    let mut produce = broker.kctl();
    produce.args(["produce", &topic]);
    flags(&mut produce);
    produce.write_stdin(input).assert().success();
    let mut consume = broker.kctl();
    consume.args(["-o", "json", "consume", &topic, "--from-beginning", "-e"]);
    flags(&mut consume);
    let out = consume.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2);
    for (record, value) in records.iter().zip(&values) {
        assert_eq!(&record["value"], value);
        assert_eq!(record["value_encoding"], "protobuf");
        assert_eq!(record["value_proto_type"], "shop.Order");
    }
    // The bodies are what confluent-kafka framed (after the id and the message index [1]).
    let registry = Registry::start();
    let bodies = raw_values(&broker, &registry, &topic);
    let framed: Vec<String> = written.iter().map(|w| w[14..].to_string()).collect();
    assert!(written.iter().all(|w| &w[10..14] == "0202"), "{written:?}");
    assert_eq!(bodies, framed);
}

#[test]
fn records_that_do_not_fit_are_refused_and_nothing_is_sent() {
    let broker = Broker::start();
    let registry = Registry::start();
    let topic = unique("rec-bad");
    create_topic(&broker, &topic);
    let schema = r#"{"type":"record","name":"R","fields":[{"name":"n","type":"int"}]}"#;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.avsc");
    std::fs::write(&file, schema).unwrap();
    let subject = format!("{topic}-value");
    registry
        .kctl()
        .args(["schemas", "register", &subject, "--file"])
        .arg(&file)
        .assert()
        .success();
    let out = kctl(&broker, &registry)
        .args(["produce", &topic, "--value-schema", "topic"])
        .write_stdin("{\"n\": 1}\n{\"n\": \"x\"}\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2"), "{err}");
    assert!(err.contains("at $.n: expected an int"), "{err}");
    // An unknown subject: nothing at all is sent.
    let out = kctl(&broker, &registry)
        .args(["produce", &topic, "--value-schema", "no-such-subject"])
        .write_stdin("{\"n\": 1}\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no-such-subject"), "{err}");

    // A framed record with an unknown id: printed as it is, warned about, exit 1.
    kctl(&broker, &registry)
        .args(["produce", &topic, "--input", "envelope"])
        .write_stdin("{\"value\": \"AAAAJxAC\", \"value_encoding\": \"base64\"}\n")
        .assert()
        .success();
    let out = kctl(&broker, &registry)
        .args(["-o", "json", "consume", &topic, "--from-beginning", "-e"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        2,
        "the first record was sent before the bad one"
    );
    assert_eq!(lines[0]["value"], json!({"n": 1}));
    // Its bytes happen to be UTF-8: printed as text, as without a registry.
    assert_eq!(lines[1]["value"], "\u{0}\u{0}\u{0}'\u{10}\u{2}");
    assert_eq!(lines[1]["value_encoding"], "utf8");
    assert!(lines[1].get("value_schema_id").is_none());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("partition 0 offset 1"), "{err}");
    assert!(err.contains("schema id 10000"), "{err}");

    // A registry that does not answer: consume prints the records as they are and exits 1;
    // produce sends nothing.
    let down = "http://127.0.0.1:1/apis/ccompat/v7";
    let out = broker
        .kctl()
        .args(["--registry", down, "-o", "json", "consume", &topic])
        .args(["--from-beginning", "-e"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("127.0.0.1:1"), "{err}");
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l["value"].is_string()), "{lines:?}");
    let out = broker
        .kctl()
        .args([
            "--registry",
            down,
            "produce",
            &topic,
            "--value-schema-id",
            "1",
        ])
        .write_stdin("{\"n\": 1}\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("127.0.0.1:1"), "{err}");
    let count = kctl(&broker, &registry)
        .args([
            "consume",
            &topic,
            "--from-beginning",
            "-e",
            "--decode",
            "none",
        ])
        .output()
        .unwrap()
        .stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    assert_eq!(count, 2, "nothing was sent");
}
