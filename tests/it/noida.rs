//! Smoke tests on noida-db, a small Kafka-protocol server that is not Apache Kafka: kctl keeps
//! working on other servers that speak the protocol. The full suite runs on Apache Kafka.

use crate::common;

use common::Noida;
use predicates::prelude::*;
use serde_json::Value;

fn names(list: &Value) -> Vec<String> {
    list["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn topics_create_list_describe_delete() {
    let broker = Noida::start();
    broker
        .kctl()
        .args(["topics", "create", "orders", "-p", "3"])
        .assert()
        .success()
        .stdout(predicate::str::contains("created topic \"orders\""));
    assert!(names(&broker.json(&["topics", "list"])).contains(&"orders".to_string()));
    let described = broker.json(&["topics", "describe", "orders"]);
    let topic = &described["topics"][0];
    assert_eq!(topic["partition_count"], 3);
    for p in topic["partitions"].as_array().unwrap() {
        assert!(p["leader"].is_i64(), "{p}");
        assert_eq!(p["messages"], 0);
    }
    broker
        .kctl()
        .args(["topics", "describe", "orders"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "Topic: orders  PartitionCount: 3",
        ));
    broker
        .kctl()
        .args(["topics", "delete", "orders", "--yes"])
        .assert()
        .success();
    assert!(!names(&broker.json(&["topics", "list"])).contains(&"orders".to_string()));
}

#[test]
fn produce_consume_and_describe_the_group() {
    let broker = Noida::start();
    broker.json(&["topics", "create", "events", "-p", "2"]);
    broker
        .kctl()
        .args(["produce", "events", "-K", ":"])
        .write_stdin("a:1\nb:2\nc:3\nd:4\n")
        .assert()
        .success()
        .stderr(predicate::str::contains("delivered 4, failed 0"));

    // Without a group, as JSON records.
    let out = broker
        .kctl()
        .args(["-o", "json", "consume", "events", "--from-beginning", "-e"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let mut values: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["value"].to_string())
        .collect();
    values.sort();
    assert_eq!(values, ["\"1\"", "\"2\"", "\"3\"", "\"4\""]);

    // In a group, which then has its offsets at the end.
    let out = broker
        .kctl()
        .args(["consume", "events", "-g", "smoke", "--from-beginning", "-e"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 4);
    let g = broker.json(&["groups", "describe", "smoke"])["groups"][0].clone();
    assert_eq!(g["group"], "smoke");
    assert_eq!(g["total_lag"], 0, "{g}");
    let committed: i64 = g["offsets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["current_offset"].as_i64().unwrap())
        .sum();
    assert_eq!(committed, 4, "{g}");
}

#[test]
fn configs_partitions_and_the_cluster() {
    let broker = Noida::start();
    broker.json(&["topics", "create", "admin", "-p", "2"]);

    // DescribeCluster.
    let cluster = broker.json(&["cluster", "describe"]);
    let brokers = cluster["brokers"].as_array().unwrap();
    assert!(!brokers.is_empty(), "{cluster}");
    assert!(
        brokers[0]["leader_partitions"].as_u64().unwrap() >= 2,
        "{cluster}"
    );

    // DescribeConfigs and IncrementalAlterConfigs.
    let altered = broker.json(&["topics", "alter", "admin", "--set", "retention.ms=60000"]);
    let change = &altered["topics"][0]["changes"][0];
    assert_eq!(change["new_value"], "60000", "{altered}");
    assert_eq!(change["new_source"], "dynamic_topic_config", "{altered}");
    let configs = broker.json(&["topics", "configs", "admin"]);
    assert_eq!(configs["topics"][0]["configs"][0]["name"], "retention.ms");
    assert_eq!(configs["topics"][0]["configs"][0]["value"], "60000");
    let all = broker.json(&["topics", "configs", "admin", "--all"]);
    assert!(all["topics"][0]["configs"].as_array().unwrap().len() > 1);

    // CreatePartitions.
    let added = broker.json(&["topics", "add-partitions", "admin", "--to", "3"]);
    assert_eq!(added["status"], "added");
    let described = broker.json(&["topics", "describe", "admin"]);
    assert_eq!(described["topics"][0]["partition_count"], 3);
}

/// noida answers DescribeLogDirs: sizes on disk from kctl's own connection (issue 12).
#[test]
fn sizes_on_disk() {
    let broker = Noida::start();
    broker.json(&["topics", "create", "sized", "-p", "2"]);
    broker
        .kctl()
        .args(["produce", "sized", "-p", "0"])
        .write_stdin("a\nb\nc\n")
        .assert()
        .success();
    let out = broker
        .kctl()
        .args(["-o", "json", "topics", "describe", "sized"])
        .output()
        .unwrap();
    assert!(out.status.success() && out.stderr.is_empty(), "{out:?}");
    let described: Value = serde_json::from_slice(&out.stdout).unwrap();
    let topic = &described["topics"][0];
    let size = topic["size_bytes"].as_i64().unwrap();
    assert!(size > 0, "{topic}");
    assert_eq!(topic["partitions"][0]["size_bytes"], size, "{topic}");
    assert_eq!(topic["partitions"][1]["size_bytes"], 0, "{topic}");
    let listed = broker.json(&["topics", "list", "--size"]);
    let sized = listed["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "sized")
        .unwrap();
    assert_eq!(sized["size_bytes"], size, "{listed}");
}

/// noida-db answers DeleteRecords and OffsetDelete: `offsets`, `topics delete-records` and
/// `groups delete-offsets` work there too.
#[test]
fn offsets_delete_records_and_delete_offsets() {
    let broker = Noida::start();
    broker.json(&["topics", "create", "trim", "-p", "2"]);
    broker
        .kctl()
        .args(["produce", "trim", "-p", "0"])
        .write_stdin("a\nb\nc\n")
        .assert()
        .success();
    let offsets = broker.json(&["offsets", "trim", "--at", "-1h"]);
    let p0 = &offsets["partitions"][0];
    assert_eq!(p0["latest_offset"], 3, "{offsets}");
    assert_eq!(p0["at_time"]["offset"], 0, "{offsets}");
    assert_eq!(offsets["partitions"][1]["max_timestamp"], Value::Null);

    let done = broker.json(&[
        "topics",
        "delete-records",
        "trim",
        "-p",
        "0",
        "--before",
        "2",
        "--execute",
        "--yes",
    ]);
    assert_eq!(done["partitions"][0]["new_earliest_offset"], 2, "{done}");
    let offsets = broker.json(&["offsets", "trim", "-p", "0"]);
    assert_eq!(offsets["partitions"][0]["earliest_offset"], 2, "{offsets}");

    common::commit_offsets(&broker, "trimmer", "trim", &[3, 0]);
    let deleted = broker.json(&[
        "groups",
        "delete-offsets",
        "trimmer",
        "--topic",
        "trim:0",
        "--yes",
    ]);
    assert_eq!(deleted["offsets"][0]["committed_offset"], 3, "{deleted}");
    let g = broker.json(&["groups", "describe", "trimmer"])["groups"][0].clone();
    let left: Vec<i64> = g["offsets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| !o["current_offset"].is_null())
        .map(|o| o["partition"].as_i64().unwrap())
        .collect();
    assert_eq!(left, [1], "{g}");
}
