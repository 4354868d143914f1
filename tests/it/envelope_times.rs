//! Envelope timestamps: what `consume -o json` prints, `produce --input envelope` writes back
//! exactly, and what a record cannot carry is an error at its line.

use crate::common;

use common::Broker;
use serde_json::Value;

fn consume_all(broker: &Broker, topic: &str) -> Vec<Value> {
    let out = broker
        .kctl()
        .args(["-o", "json", "consume", topic, "--from-beginning", "-e"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn timestamps_round_trip_and_a_record_without_one_reads_null() {
    let broker = Broker::start();
    let topic = common::unique("times");
    // Old timestamps must not be deleted by retention meanwhile.
    broker
        .kctl()
        .args([
            "topics",
            "create",
            &topic,
            "-p",
            "1",
            "-c",
            "retention.ms=-1",
        ])
        .assert()
        .success();
    // Without and with headers: the two ways kctl sends a record.
    let input = [
        r#"{"value": "one", "timestamp": 1}"#,
        r#"{"value": "none", "timestamp": null}"#,
        r#"{"value": "now"}"#,
        r#"{"value": "h-one", "timestamp": 1, "headers": [{"key": "h", "value": "v"}]}"#,
        r#"{"value": "h-none", "timestamp": null, "headers": [{"key": "h", "value": "v"}]}"#,
    ]
    .join("\n");
    let before = chrono_now_ms();
    broker
        .kctl()
        .args(["produce", &topic, "--input", "envelope"])
        .write_stdin(input)
        .assert()
        .success();
    let records = consume_all(&broker, &topic);
    let got: Vec<(&str, Value, Value)> = records
        .iter()
        .map(|r| {
            (
                r["value"].as_str().unwrap(),
                r["timestamp"].clone(),
                r["timestamp_type"].clone(),
            )
        })
        .collect();
    assert_eq!(got.len(), 5, "{records:?}");
    assert_eq!(got[0], ("one", Value::from(1), Value::from("create_time")));
    assert_eq!(got[1], ("none", Value::Null, Value::Null), "{records:?}");
    assert_eq!(got[2].0, "now");
    assert!(got[2].1.as_i64().unwrap() >= before, "{records:?}");
    assert_eq!(
        got[3],
        ("h-one", Value::from(1), Value::from("create_time"))
    );
    assert_eq!(got[4], ("h-none", Value::Null, Value::Null), "{records:?}");

    // The copy is exact: consume's output produced again reads the same.
    let copy = common::unique("times-copy");
    broker
        .kctl()
        .args([
            "topics",
            "create",
            &copy,
            "-p",
            "1",
            "-c",
            "retention.ms=-1",
        ])
        .assert()
        .success();
    let dump = broker
        .kctl()
        .args(["-o", "json", "consume", &topic, "--from-beginning", "-e"])
        .output()
        .unwrap();
    broker
        .kctl()
        .args(["produce", &copy, "--input", "envelope"])
        .write_stdin(dump.stdout)
        .assert()
        .success();
    let copied = consume_all(&broker, &copy);
    let times = |rs: &[Value]| -> Vec<(Value, Value)> {
        rs.iter()
            .map(|r| (r["timestamp"].clone(), r["timestamp_type"].clone()))
            .collect()
    };
    assert_eq!(times(&copied), times(&records));
}

fn chrono_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}
