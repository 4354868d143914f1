//! `kctl topics ...` against a real broker.

mod common;

use common::Broker;
use predicates::prelude::*;
use serde_json::Value;

fn topic_names(list: &Value) -> Vec<String> {
    list["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn create_list_describe_delete() {
    let broker = Broker::start();
    broker
        .kctl()
        .args(["topics", "create", "orders", "--partitions", "3"])
        .assert()
        .success()
        .stdout(predicate::str::contains("created topic \"orders\""));

    // Table output.
    let out = broker.kctl().args(["topics", "list"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["NAME", "PARTITIONS", "REPLICATION-FACTOR"]);
    let row: Vec<&str> = lines
        .find(|l| l.starts_with("orders "))
        .expect("orders is listed")
        .split_whitespace()
        .collect();
    assert_eq!(row[1], "3");
    assert!(
        !text.contains("__consumer_offsets"),
        "internal topics are hidden"
    );

    // JSON output.
    let list = broker.json(&["topics", "list"]);
    let orders = list["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "orders")
        .expect("orders in JSON list");
    assert_eq!(orders["partitions"], 3);
    assert_eq!(orders["replication_factor"], 1);
    assert_eq!(orders["internal"], false);

    let described = broker.json(&["topics", "describe", "orders"]);
    let topic = &described["topics"][0];
    assert_eq!(topic["name"], "orders");
    assert_eq!(topic["partition_count"], 3);
    let partitions = topic["partitions"].as_array().unwrap();
    assert_eq!(partitions.len(), 3);
    for (i, p) in partitions.iter().enumerate() {
        assert_eq!(p["partition"], i as i64);
        assert!(p["leader"].is_i64(), "partition {i} has a leader: {p}");
        assert_eq!(p["earliest_offset"], 0);
        assert_eq!(p["latest_offset"], 0);
        assert_eq!(p["messages"], 0);
        assert!(!p["replicas"].as_array().unwrap().is_empty());
        assert!(!p["isr"].as_array().unwrap().is_empty());
    }

    broker
        .kctl()
        .args(["topics", "delete", "orders", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("deleted topic \"orders\""));
    assert!(!topic_names(&broker.json(&["topics", "list"])).contains(&"orders".to_string()));
}

#[test]
fn internal_topics_listed_on_request() {
    let broker = Broker::start();
    // Create something so the broker has made its internal topics, whatever they are.
    broker.json(&["topics", "create", "x", "-p", "1"]);
    let all = broker.json(&["topics", "list", "--internal"]);
    let visible = broker.json(&["topics", "list"]);
    for t in visible["topics"].as_array().unwrap() {
        assert_eq!(t["internal"], false);
    }
    for t in all["topics"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        assert_eq!(t["internal"], name.starts_with("__"), "{name}");
    }
    assert!(all["topics"].as_array().unwrap().len() >= visible["topics"].as_array().unwrap().len());
}

#[test]
fn create_twice_fails_unless_if_not_exists() {
    let broker = Broker::start();
    broker
        .kctl()
        .args(["topics", "create", "dup"])
        .assert()
        .success();
    broker
        .kctl()
        .args(["topics", "create", "dup"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot create topic 'dup'"))
        .stderr(predicate::str::contains("already exists"));
    let out = broker.json(&["topics", "create", "dup", "--if-not-exists"]);
    assert_eq!(out["status"], "exists");
}

#[test]
fn create_json_reports_what_was_asked() {
    let broker = Broker::start();
    let out = broker.json(&[
        "topics",
        "create",
        "cfg",
        "-p",
        "2",
        "-r",
        "1",
        "--config",
        "cleanup.policy=compact",
    ]);
    assert_eq!(out["name"], "cfg");
    assert_eq!(out["status"], "created");
    assert_eq!(out["partitions"], 2);
    assert_eq!(out["replication_factor"], 1);
    assert_eq!(out["configs"]["cleanup.policy"], "compact");
    let described = broker.json(&["topics", "describe", "cfg"]);
    assert_eq!(
        described["topics"][0]["configs"]["cleanup.policy"],
        "compact"
    );
}

#[test]
fn dry_run_creates_nothing() {
    let broker = Broker::start();
    let out = broker.json(&["topics", "create", "dry", "-p", "2", "--dry-run"]);
    assert_eq!(out["status"], "validated");
    assert!(!topic_names(&broker.json(&["topics", "list"])).contains(&"dry".to_string()));
}

#[test]
fn failed_create_leaves_nothing_behind() {
    let broker = Broker::start();
    // A replication factor above the broker count is refused by the broker.
    broker
        .kctl()
        .args(["topics", "create", "toobig", "-p", "1", "-r", "100"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("replication factor"));
    assert!(!topic_names(&broker.json(&["topics", "list"])).contains(&"toobig".to_string()));
}

#[test]
fn describe_counts_messages_per_partition() {
    let broker = Broker::start();
    broker.json(&["topics", "create", "counted", "-p", "2"]);
    produce_with_kcat_or_rdkafka(&broker.addr, "counted", 1, 5);
    let d = broker.json(&["topics", "describe", "counted"]);
    let parts = d["topics"][0]["partitions"].as_array().unwrap();
    assert_eq!(parts[0]["messages"], 0);
    assert_eq!(parts[1]["latest_offset"], 5);
    assert_eq!(parts[1]["messages"], 5);

    let out = broker
        .kctl()
        .args(["topics", "describe", "counted"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("Topic: counted  PartitionCount: 2  ReplicationFactor: 1"),
        "{text}"
    );
    assert!(text.contains("PARTITION  LEADER  REPLICAS  ISR  EARLIEST  LATEST  MESSAGES"));
}

#[test]
fn describe_missing_topic_fails() {
    let broker = Broker::start();
    broker
        .kctl()
        .args(["topics", "describe", "nope"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("topic not found: nope"));
}

#[test]
fn delete_checks_every_name_first() {
    let broker = Broker::start();
    broker.json(&["topics", "create", "keep"]);
    broker
        .kctl()
        .args(["topics", "delete", "keep", "missing", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("missing"))
        .stderr(predicate::str::contains("nothing was deleted"));
    assert!(topic_names(&broker.json(&["topics", "list"])).contains(&"keep".to_string()));
}

#[test]
fn delete_without_terminal_needs_yes() {
    let broker = Broker::start();
    broker.json(&["topics", "create", "guarded"]);
    broker
        .kctl()
        .args(["topics", "delete", "guarded"])
        .write_stdin("y\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
    assert!(topic_names(&broker.json(&["topics", "list"])).contains(&"guarded".to_string()));
    let out = broker.json(&["topics", "delete", "guarded", "--yes"]);
    assert_eq!(out["deleted"], serde_json::json!(["guarded"]));
}

/// Produces `count` messages to one partition with rdkafka directly (the test's own client).
fn produce_with_kcat_or_rdkafka(addr: &str, topic: &str, partition: i32, count: usize) {
    use rdkafka::config::ClientConfig;
    use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
    use std::time::Duration;
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", addr)
        .create()
        .unwrap();
    for i in 0..count {
        let payload = format!("m{i}");
        producer
            .send(
                BaseRecord::<(), _>::to(topic)
                    .partition(partition)
                    .payload(&payload),
            )
            .unwrap();
    }
    producer.flush(Duration::from_secs(10)).unwrap();
}
