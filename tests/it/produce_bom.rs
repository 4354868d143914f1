//! A UTF-8 byte-order mark at the start of produce's input (files saved by some editors).

use crate::common;

use common::Broker;

fn values(broker: &Broker, topic: &str) -> Vec<serde_json::Value> {
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
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["value"].clone())
        .collect()
}

/// JSON detection looks past the mark, and JSON and envelope input skip it: a pretty-printed
/// document is one message, not one per line.
#[test]
fn a_byte_order_mark_does_not_defeat_json() {
    let broker = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let doc = "{\n  \"id\": 1,\n  \"item\": \"book\"\n}\n";
    let file = dir.path().join("order.json");
    std::fs::write(&file, format!("\u{feff}{doc}")).unwrap();
    for mode in [None, Some("json")] {
        let topic = common::unique("bom");
        broker
            .kctl()
            .args(["topics", "create", &topic, "-p", "1"])
            .assert()
            .success();
        let mut cmd = broker.kctl();
        cmd.args(["produce", &topic, "--file"]).arg(&file);
        if let Some(mode) = mode {
            cmd.args(["--input", mode]);
        }
        cmd.assert().success();
        assert_eq!(
            values(&broker, &topic),
            [doc.trim_end()],
            "--input {mode:?}"
        );
    }
    let topic = common::unique("bom-envelope");
    broker
        .kctl()
        .args(["topics", "create", &topic, "-p", "1"])
        .assert()
        .success();
    broker
        .kctl()
        .args(["produce", &topic, "--input", "envelope"])
        .write_stdin("\u{feff}{\"value\": \"a\"}\n{\"value\": \"b\"}\n")
        .assert()
        .success();
    assert_eq!(values(&broker, &topic), ["a", "b"]);
}
