//! `kctl topics ...` against a real broker.

use crate::common;

use common::{unique, Broker};
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
    let orders = unique("orders");
    broker
        .kctl()
        .args(["topics", "create", &orders, "--partitions", "3"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "created topic \"{orders}\""
        )));

    // Table output.
    let out = broker.kctl().args(["topics", "list"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["NAME", "PARTITIONS", "REPLICATION-FACTOR"]);
    let row: Vec<&str> = lines
        .find(|l| l.starts_with(&format!("{orders} ")))
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
    let listed = list["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == orders.as_str())
        .expect("orders in JSON list");
    assert_eq!(listed["partitions"], 3);
    assert_eq!(listed["replication_factor"], 1);
    assert_eq!(listed["internal"], false);

    let described = broker.json(&["topics", "describe", &orders]);
    let topic = &described["topics"][0];
    assert_eq!(topic["name"], orders.as_str());
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
        .args(["topics", "delete", &orders, "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "deleted topic \"{orders}\""
        )));
    assert!(!topic_names(&broker.json(&["topics", "list"])).contains(&orders));
}

#[test]
fn internal_topics_listed_on_request() {
    let broker = Broker::start();
    // Create something so the broker has made its internal topics, whatever they are.
    broker.json(&["topics", "create", &unique("x"), "-p", "1"]);
    let all = broker.json(&["topics", "list", "--internal"]);
    let visible = broker.json(&["topics", "list"]);
    for t in visible["topics"].as_array().unwrap() {
        assert_eq!(t["internal"], false);
    }
    for t in all["topics"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        assert_eq!(t["internal"], name.starts_with("__"), "{name}");
    }
    // The broker's internal topics (its offsets topic at least) are listed on request only.
    // (Compared by name: tests beside this one create and delete topics between the calls.)
    let internal: Vec<&str> = all["topics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["internal"] == true)
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(!internal.is_empty(), "{all}");
    assert!(internal
        .iter()
        .all(|name| !topic_names(&visible).iter().any(|v| v == name)));
}

#[test]
fn create_twice_fails_unless_if_not_exists() {
    let broker = Broker::start();
    let dup = unique("dup");
    broker
        .kctl()
        .args(["topics", "create", &dup])
        .assert()
        .success();
    broker
        .kctl()
        .args(["topics", "create", &dup])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "cannot create topic '{dup}'"
        )))
        .stderr(predicate::str::contains("already exists"));
    let out = broker.json(&["topics", "create", &dup, "--if-not-exists"]);
    assert_eq!(out["status"], "exists");
}

#[test]
fn create_json_reports_what_was_asked() {
    let broker = Broker::start();
    let cfg = unique("cfg");
    let out = broker.json(&[
        "topics",
        "create",
        &cfg,
        "-p",
        "2",
        "-r",
        "1",
        "--config",
        "cleanup.policy=compact",
    ]);
    assert_eq!(out["name"], cfg.as_str());
    assert_eq!(out["status"], "created");
    assert_eq!(out["partitions"], 2);
    assert_eq!(out["replication_factor"], 1);
    assert_eq!(out["configs"]["cleanup.policy"], "compact");
    let described = broker.json(&["topics", "describe", &cfg]);
    assert_eq!(
        described["topics"][0]["configs"]["cleanup.policy"],
        "compact"
    );
}

#[test]
fn dry_run_creates_nothing() {
    let broker = Broker::start();
    let dry = unique("dry");
    let out = broker.json(&["topics", "create", &dry, "-p", "2", "--dry-run"]);
    assert_eq!(out["status"], "validated");
    assert!(!topic_names(&broker.json(&["topics", "list"])).contains(&dry));
}

#[test]
fn failed_create_leaves_nothing_behind() {
    let broker = Broker::start();
    // A replication factor above the broker count is refused by the broker.
    let toobig = unique("toobig");
    broker
        .kctl()
        .args(["topics", "create", &toobig, "-p", "1", "-r", "100"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("replication factor"));
    assert!(!topic_names(&broker.json(&["topics", "list"])).contains(&toobig));
}

#[test]
fn describe_counts_messages_per_partition() {
    let broker = Broker::start();
    let counted = unique("counted");
    broker.json(&["topics", "create", &counted, "-p", "2"]);
    produce_with_kcat_or_rdkafka(&broker.addr, &counted, 1, 5);
    let d = broker.json(&["topics", "describe", &counted]);
    let parts = d["topics"][0]["partitions"].as_array().unwrap();
    assert_eq!(parts[0]["messages"], 0);
    assert_eq!(parts[1]["latest_offset"], 5);
    assert_eq!(parts[1]["messages"], 5);

    let out = broker
        .kctl()
        .args(["topics", "describe", &counted])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(&format!(
            "Topic: {counted}  PartitionCount: 2  ReplicationFactor: 1"
        )),
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
    let keep = unique("keep");
    broker.json(&["topics", "create", &keep]);
    broker
        .kctl()
        .args(["topics", "delete", &keep, "missing", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("missing"))
        .stderr(predicate::str::contains("nothing was deleted"));
    assert!(topic_names(&broker.json(&["topics", "list"])).contains(&keep));
}

#[test]
fn delete_without_terminal_needs_yes() {
    let broker = Broker::start();
    let guarded = unique("guarded");
    broker.json(&["topics", "create", &guarded]);
    broker
        .kctl()
        .args(["topics", "delete", &guarded])
        .write_stdin("y\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
    assert!(topic_names(&broker.json(&["topics", "list"])).contains(&guarded));
    let out = broker.json(&["topics", "delete", &guarded, "--yes"]);
    assert_eq!(out["deleted"], serde_json::json!([guarded]));
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
