//! `kctl groups ...` against a real broker, with real consumers in this test process.

use crate::common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::Broker;
use predicates::prelude::*;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use serde_json::Value;

const TOPIC_PARTITIONS: i32 = 4;

/// A consumer group member polling in a background thread until dropped (it then leaves the
/// group). It never commits, so the group's committed offsets stay where the test put them.
struct Member {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Member {
    fn join(broker: &Broker, group: &str, topic: &str, client_id: &str) -> Member {
        let mut config = Member::config(broker, group, client_id);
        config
            .set("session.timeout.ms", "6000")
            .set("heartbeat.interval.ms", "200")
            .set("partition.assignment.strategy", "range");
        Member::start(config, topic)
    }

    /// A member of a group on Kafka 4's consumer protocol (KIP-848): the coordinator assigns.
    fn join_consumer_protocol(
        broker: &Broker,
        group: &str,
        topic: &str,
        client_id: &str,
    ) -> Member {
        let mut config = Member::config(broker, group, client_id);
        config.set("group.protocol", "consumer");
        Member::start(config, topic)
    }

    fn config(broker: &Broker, group: &str, client_id: &str) -> ClientConfig {
        let mut config = ClientConfig::new();
        config
            .set("bootstrap.servers", &broker.addr)
            .set("group.id", group)
            .set("client.id", client_id)
            .set("enable.auto.commit", "false")
            .set("auto.offset.reset", "earliest");
        config
    }

    fn start(config: ClientConfig, topic: &str) -> Member {
        let consumer: BaseConsumer = config.create().expect("consumer");
        consumer.subscribe(&[topic]).expect("subscribe");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                // Each message is dropped at once: none outlives the consumer.
                let _ = consumer.poll(Duration::from_millis(50));
            }
            // Leave the group now, not after the session times out.
            consumer.unsubscribe();
            drop(consumer);
        });
        Member {
            stop,
            handle: Some(handle),
        }
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// Produces `counts[p]` messages to each partition `p` and waits for every delivery.
fn produce(broker: &Broker, topic: &str, counts: &[usize]) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &broker.addr)
        .set("linger.ms", "0")
        .create()
        .expect("producer");
    for (p, &n) in counts.iter().enumerate() {
        for i in 0..n {
            let payload = format!("message {i}");
            let record = BaseRecord::<(), _>::to(topic)
                .partition(p as i32)
                .payload(&payload);
            producer.send(record).expect("send");
        }
    }
    producer
        .flush(Duration::from_secs(30))
        .expect("every message delivered");
}

/// Polls `describe` (bounded) until `done` holds for the group's JSON; returns it.
fn wait_for(broker: &Broker, group: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(45);
    loop {
        let out = broker
            .kctl()
            .args(["-o", "json", "groups", "describe", group])
            .output()
            .unwrap();
        if out.status.success() {
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            let g = v["groups"][0].clone();
            if done(&g) {
                return g;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; last: {g:#}");
            }
        } else if Instant::now() > deadline {
            panic!(
                "timed out waiting for {what}; last error: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn assigned_partitions(g: &Value) -> Vec<i64> {
    let mut all: Vec<i64> = g["members"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["assignments"].as_array().unwrap().clone())
        .map(|a| a["partition"].as_i64().unwrap())
        .collect();
    all.sort();
    all
}

fn lags(g: &Value) -> Vec<Value> {
    g["offsets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["lag"].clone())
        .collect()
}

fn current_offsets(g: &Value) -> Vec<i64> {
    g["offsets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["current_offset"].as_i64().expect("a committed offset"))
        .collect()
}

fn create_topic(broker: &Broker, topic: &str) {
    broker
        .kctl()
        .args([
            "topics",
            "create",
            topic,
            "--partitions",
            &TOPIC_PARTITIONS.to_string(),
        ])
        .assert()
        .success();
}

#[test]
fn live_group_lag_refusals_then_reset_and_delete() {
    let broker = Broker::start();
    let (topic_name, group_name) = (common::unique("orders"), common::unique("order-tracker"));
    let (topic, group) = (topic_name.as_str(), group_name.as_str());
    create_topic(&broker, topic);
    // Uneven partitions so that clamping shows: 1, 2, 5 and 8 messages.
    let first = [1usize, 2, 5, 8];
    produce(&broker, topic, &first);
    common::commit_offsets(&broker, group, topic, &[1, 2, 5, 8]);

    let a = Member::join(&broker, group, topic, "tracker-a");
    let b = Member::join(&broker, group, topic, "tracker-b");
    let g = wait_for(&broker, group, "two members sharing 4 partitions", |g| {
        g["state"] == "stable"
            && g["members"].as_array().unwrap().len() == 2
            && assigned_partitions(g) == [0, 1, 2, 3]
    });

    // Both members, with their partitions.
    assert_eq!(g["group"], group);
    assert_eq!(g["assignor"], "range");
    assert!(g["coordinator"]["id"].is_i64());
    assert!(g["coordinator"]["host"].is_string());
    assert!(g["coordinator"]["port"].is_i64());
    let members = g["members"].as_array().unwrap();
    let mut clients: Vec<&str> = members
        .iter()
        .map(|m| m["client_id"].as_str().unwrap())
        .collect();
    clients.sort();
    assert_eq!(clients, ["tracker-a", "tracker-b"]);
    for m in members {
        assert!(!m["consumer_id"].as_str().unwrap().is_empty());
        assert!(m["host"].is_string());
        let assignments = m["assignments"].as_array().unwrap();
        assert_eq!(assignments.len(), 2, "range gives each member 2 of 4: {m}");
        for a in assignments {
            assert_eq!(a["topic"], topic);
            // The offsets table names this member as the partition's owner.
            let row = g["offsets"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["partition"] == a["partition"])
                .unwrap();
            assert_eq!(row["consumer_id"], m["consumer_id"]);
        }
    }
    assert_eq!(g["total_lag"], 0);
    assert_eq!(current_offsets(&g), [1, 2, 5, 8]);

    // N more messages: the total lag is exactly N.
    produce(&broker, topic, &[3, 0, 4, 0]);
    let g = broker.json(&["groups", "describe", group])["groups"][0].clone();
    assert_eq!(g["total_lag"], 7);
    assert_eq!(g["lag_by_topic"][topic], 7);
    assert_eq!(lags(&g), [3, 0, 4, 0]);
    let ends: Vec<i64> = g["offsets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["log_end_offset"].as_i64().unwrap())
        .collect();
    assert_eq!(ends, [4, 2, 9, 8]);

    // The table mirrors kafka-consumer-groups --describe.
    let out = broker
        .kctl()
        .args(["groups", "describe", group])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let words = |l: &str| l.split_whitespace().map(String::from).collect::<Vec<_>>();
    assert_eq!(
        words(lines[0]),
        [
            "GROUP",
            "COORDINATOR",
            "(ID)",
            "ASSIGNMENT-STRATEGY",
            "STATE",
            "#MEMBERS"
        ]
    );
    let head = words(lines[1]);
    assert_eq!(head[0], group);
    assert_eq!(&head[head.len() - 3..], ["range", "Stable", "2"]);
    let header = lines
        .iter()
        .position(|l| l.starts_with("GROUP") && l.contains("CURRENT-OFFSET"))
        .expect("offsets table");
    assert_eq!(
        words(lines[header]),
        [
            "GROUP",
            "TOPIC",
            "PARTITION",
            "CURRENT-OFFSET",
            "LOG-END-OFFSET",
            "LAG",
            "CONSUMER-ID",
            "HOST",
            "CLIENT-ID"
        ]
    );
    let row = words(lines[header + 3]);
    assert_eq!(&row[..6], [group, topic, "2", "5", "9", "4"]);
    assert!(row[8].starts_with("tracker-"));
    assert!(
        text.contains(&format!("Total lag: 7 ({topic}: 7)")),
        "{text}"
    );
    assert!(text.contains("#PARTITIONS"));
    assert!(text.contains(&format!("{topic}:0,1")) && text.contains(&format!("{topic}:2,3")));

    // groups list, with the state filter applied however old the broker.
    let list = broker.json(&["groups", "list"]);
    let entry = list["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == group)
        .expect("listed");
    assert_eq!(entry["state"], "stable");
    assert_eq!(entry["members"], 2);
    assert_eq!(entry["assignor"], "range");
    assert_eq!(entry["simple"], false);
    // The broker is shared with other tests: only this group's presence is known.
    let listed = |state: &str| -> Vec<Value> {
        broker.json(&["groups", "list", "--state", state])["groups"]
            .as_array()
            .unwrap()
            .clone()
    };
    let stable = listed("Stable");
    assert!(stable.iter().any(|g| g["group"] == group), "{stable:?}");
    assert!(stable.iter().all(|g| g["state"] == "stable"), "{stable:?}");
    let empty = listed("empty,dead");
    assert!(!empty.iter().any(|g| g["group"] == group), "{empty:?}");
    assert!(
        empty
            .iter()
            .all(|g| g["state"] == "empty" || g["state"] == "dead"),
        "{empty:?}"
    );

    // A live group: reset (even a dry run) and delete are refused, nothing changes.
    for args in [
        &[
            "groups",
            "reset-offsets",
            group,
            "--all-topics",
            "--to-earliest",
        ][..],
        &[
            "groups",
            "reset-offsets",
            group,
            "--all-topics",
            "--to-earliest",
            "--execute",
            "--yes",
        ],
    ] {
        broker
            .kctl()
            .args(args)
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains("2 active members"));
    }
    broker
        .kctl()
        .args(["groups", "delete", group, "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("active members"));
    assert_eq!(
        current_offsets(&broker.json(&["groups", "describe", group])["groups"][0]),
        [1, 2, 5, 8]
    );

    // Stop the group.
    drop((a, b));
    wait_for(&broker, group, "the members to leave", |g| {
        g["members"].as_array().unwrap().is_empty() && g["state"] == "empty"
    });
    broker
        .kctl()
        .args(["groups", "describe", group])
        .assert()
        .success()
        .stderr(predicate::str::contains("has no active members"));

    // A dry run prints the plan and changes nothing.
    let plan = broker.json(&[
        "groups",
        "reset-offsets",
        group,
        "--all-topics",
        "--to-earliest",
    ]);
    assert_eq!(plan["group"], group);
    assert_eq!(plan["executed"], false);
    let planned: Vec<(i64, i64)> = plan["offsets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            assert_eq!(o["topic"], topic);
            (
                o["current_offset"].as_i64().unwrap(),
                o["new_offset"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(planned, [(1, 0), (2, 0), (5, 0), (8, 0)]);
    let out = broker
        .kctl()
        .args([
            "groups",
            "reset-offsets",
            group,
            "--all-topics",
            "--to-earliest",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "GROUP",
            "TOPIC",
            "PARTITION",
            "CURRENT-OFFSET",
            "NEW-OFFSET"
        ]
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("Dry run"));
    assert_eq!(
        current_offsets(&broker.json(&["groups", "describe", group])["groups"][0]),
        [1, 2, 5, 8]
    );

    // --execute without a terminal needs --yes (exit 2), and changes nothing.
    broker
        .kctl()
        .args([
            "groups",
            "reset-offsets",
            group,
            "--all-topics",
            "--to-earliest",
            "--execute",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));

    // Reset to earliest, executed: the lag is every message.
    let done = broker.json(&[
        "groups",
        "reset-offsets",
        group,
        "--all-topics",
        "--to-earliest",
        "--execute",
        "--yes",
    ]);
    assert_eq!(done["executed"], true);
    let g = broker.json(&["groups", "describe", group])["groups"][0].clone();
    assert_eq!(current_offsets(&g), [0, 0, 0, 0]);
    assert_eq!(g["total_lag"], 23);

    // --shift-by -2 from the log end moves each partition back 2, clamped at the earliest.
    broker
        .kctl()
        .args([
            "groups",
            "reset-offsets",
            group,
            "--topic",
            topic,
            "--to-latest",
            "--execute",
            "--yes",
        ])
        .assert()
        .success();
    broker
        .kctl()
        .args([
            "groups",
            "reset-offsets",
            group,
            "--all-topics",
            "--shift-by",
            "-2",
            "--execute",
            "--yes",
        ])
        .assert()
        .success();
    let g = broker.json(&["groups", "describe", group])["groups"][0].clone();
    assert_eq!(current_offsets(&g), [2, 0, 7, 6]);
    // ... and --to-offset beyond the end is clamped at the latest, on chosen partitions only.
    broker
        .kctl()
        .args([
            "groups",
            "reset-offsets",
            group,
            "--topic",
            &format!("{topic}:0,3"),
            "--to-offset",
            "1000",
            "--execute",
            "--yes",
        ])
        .assert()
        .success();
    let g = broker.json(&["groups", "describe", group])["groups"][0].clone();
    assert_eq!(current_offsets(&g), [4, 0, 7, 8]);

    // Delete removes the stopped group; it is then unknown.
    let deleted = broker.json(&["groups", "delete", group, "--yes"]);
    assert_eq!(deleted["deleted"], serde_json::json!([group]));
    broker
        .kctl()
        .args(["groups", "describe", group])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "consumer group not found: {group}"
        )));
}

#[test]
fn unknown_groups_and_bad_arguments() {
    let broker = Broker::start();
    let events = common::unique("events");
    let reporting = common::unique("reporting");
    let fresh = common::unique("fresh");
    create_topic(&broker, events.as_str());
    produce(&broker, events.as_str(), &[2, 2, 2, 2]);
    common::commit_offsets(&broker, reporting.as_str(), events.as_str(), &[1, 2, 0, 2]);

    // A group with committed offsets but no members shows them.
    let out = broker
        .kctl()
        .args(["-o", "json", "groups", "describe", reporting.as_str()])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!(
        "Consumer group '{reporting}' has no active members."
    )));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let g = &v["groups"][0];
    assert!(g["members"].as_array().unwrap().is_empty());
    assert_eq!(g["total_lag"], 3);
    assert_eq!(lags(g), [1, 0, 2, 0]);
    assert!(g["offsets"][0]["consumer_id"].is_null());

    // Unknown groups are errors naming them; with a known one nothing is printed.
    broker
        .kctl()
        .args(["groups", "describe", reporting.as_str(), "no-such-group"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "consumer group not found: no-such-group",
        ));
    broker
        .kctl()
        .args([
            "groups",
            "delete",
            "no-such-group",
            reporting.as_str(),
            "--yes",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nothing was deleted"));
    broker
        .kctl()
        .args([
            "groups",
            "reset-offsets",
            "no-such-group",
            "--all-topics",
            "--to-latest",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not exist"));
    // Deleting without --yes and without a terminal is refused (exit 2).
    broker
        .kctl()
        .args(["groups", "delete", reporting.as_str()])
        .assert()
        .code(2);
    assert_eq!(
        broker.json(&["groups", "describe", reporting.as_str()])["groups"][0]["total_lag"],
        3
    );

    // A new group's offsets can be set with --topic, e.g. to start from a time.
    let plan = broker.json(&[
        "groups",
        "reset-offsets",
        fresh.as_str(),
        "--topic",
        &format!("{events}:1"),
        "--to-datetime",
        "2000-01-01T00:00:00Z",
    ]);
    assert_eq!(
        plan["offsets"],
        serde_json::json!([{"topic": events, "partition": 1, "current_offset": null, "new_offset": 0}])
    );
    let plan = broker.json(&[
        "groups",
        "reset-offsets",
        reporting.as_str(),
        "--topic",
        events.as_str(),
        "--by-duration",
        "PT0S",
    ]);
    let new: Vec<i64> = plan["offsets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["new_offset"].as_i64().unwrap())
        .collect();
    assert_eq!(new, [2, 2, 2, 2], "nothing is newer than now: the log end");

    // Malformed arguments are usage errors.
    for args in [
        &[
            "groups",
            "reset-offsets",
            reporting.as_str(),
            "--all-topics",
        ][..],
        &["groups", "reset-offsets", reporting.as_str(), "--to-latest"],
        &[
            "groups",
            "reset-offsets",
            reporting.as_str(),
            "--all-topics",
            "--to-latest",
            "--to-earliest",
        ],
        &[
            "groups",
            "reset-offsets",
            reporting.as_str(),
            "--all-topics",
            "--to-datetime",
            "yesterday",
        ],
        &[
            "groups",
            "reset-offsets",
            reporting.as_str(),
            "--all-topics",
            "--by-duration",
            "soon",
        ],
        &[
            "groups",
            "reset-offsets",
            reporting.as_str(),
            "--topic",
            &format!("{events}:x"),
            "--to-latest",
        ],
        &["groups", "list", "--state", "sleepy"],
        &["groups", "describe"],
    ] {
        broker.kctl().args(args).assert().code(2);
    }
    broker
        .kctl()
        .args([
            "groups",
            "reset-offsets",
            reporting.as_str(),
            "--topic",
            &format!("{events}:9"),
            "--to-latest",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no partition 9"));
    broker
        .kctl()
        .args([
            "groups",
            "reset-offsets",
            reporting.as_str(),
            "--topic",
            "nope",
            "--to-latest",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("topic not found: nope"));

    // The list's JSON shape.
    let list = broker.json(&["groups", "list"]);
    let g = list["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == reporting.as_str())
        .expect("listed");
    assert_eq!(g["members"], 0);
    assert!(g["assignor"].is_null());
    assert!(g["state"].is_string());
}

/// `--time-lag`: each partition's age of its oldest unconsumed record, from the records'
/// timestamps; 0 without lag, `null` without a committed offset or without the flag.
#[test]
fn time_lag_is_the_age_of_the_oldest_unconsumed_record() {
    let broker = Broker::start();
    let aged = common::unique("aged");
    let reader = common::unique("aged-reader");
    let early = common::unique("aged-early");
    create_topic(&broker, aged.as_str());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let hour = 3_600_000;
    // Partitions 0 and 1: records written 3 h, 2 h and 1 h ago; the others: nothing.
    let records: String = [0, 1]
        .iter()
        .flat_map(|p| {
            (1..=3).rev().map(move |h| {
                format!(
                    "{{\"partition\": {p}, \"value\": \"{h}h\", \"timestamp\": {}}}\n",
                    now - h * hour
                )
            })
        })
        .collect();
    broker
        .kctl()
        .args(["produce", aged.as_str(), "--input", "envelope"])
        .write_stdin(records)
        .assert()
        .success();
    // Partition 0 consumed up to the 2 h old record, partition 1 all of it.
    common::commit_offsets(&broker, reader.as_str(), aged.as_str(), &[1, 3]);

    let describe = |extra: &[&str]| -> Value {
        let args = [&["groups", "describe", reader.as_str()], extra].concat();
        broker.json(&args)["groups"][0].clone()
    };
    let g = describe(&["--time-lag"]);
    let offsets = g["offsets"].as_array().unwrap();
    let by_partition = |p: i64| {
        offsets
            .iter()
            .find(|o| o["partition"] == p)
            .unwrap_or_else(|| panic!("partition {p} in {g:#}"))
    };
    let p0 = by_partition(0);
    assert_eq!(p0["lag"], 2);
    // The oldest unconsumed record on partition 0 was written 2 h ago.
    let age = p0["time_lag_ms"].as_i64().expect("a time lag");
    assert!(
        (2 * hour..2 * hour + 10 * 60_000).contains(&age),
        "{age} ms"
    );
    assert_eq!(by_partition(1)["time_lag_ms"], 0, "no lag, no time lag");
    assert_eq!(g["max_time_lag_ms"], age);

    // The table shows it too.
    broker
        .kctl()
        .args(["groups", "describe", reader.as_str(), "--time-lag"])
        .assert()
        .success()
        .stdout(predicate::str::contains("TIME-LAG"))
        .stdout(predicate::str::contains("2h0m"))
        .stdout(predicate::str::contains(
            "oldest unconsumed record: 2h0m ago",
        ));

    // Two groups at different offsets of the same partition: each gets its own record's age.
    common::commit_offsets(&broker, early.as_str(), aged.as_str(), &[0]);
    let both = broker.json(&[
        "groups",
        "describe",
        reader.as_str(),
        early.as_str(),
        "--time-lag",
    ]);
    let p0_of = |i: usize| {
        both["groups"][i]["offsets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["partition"] == 0)
            .unwrap()["time_lag_ms"]
            .as_i64()
            .expect("a time lag")
    };
    assert!((2 * hour..2 * hour + 10 * 60_000).contains(&p0_of(0)));
    assert!((3 * hour..3 * hour + 10 * 60_000).contains(&p0_of(1)));

    // Without the flag nothing is read and the fields are null.
    let g = describe(&[]);
    assert!(g["offsets"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["time_lag_ms"].is_null()));
    assert!(g["max_time_lag_ms"].is_null());
}

/// A time before the first record (even before 1970) resets to the earliest offset, not to an
/// "invalid offset" error, nor (just before the epoch, -1 ms) to the latest.
#[test]
fn reset_to_a_time_before_every_record_is_the_earliest() {
    let broker = Broker::start();
    let topic = common::unique("old-times");
    let group = common::unique("old-times-group");
    broker
        .kctl()
        .args(["topics", "create", &topic, "--partitions", "1"])
        .assert()
        .success();
    broker
        .kctl()
        .args(["produce", &topic])
        .write_stdin("a\nb\nc\n")
        .assert()
        .success();
    broker
        .kctl()
        .args(["consume", &topic, "-g", &group, "--from-beginning", "-e"])
        .assert()
        .success();
    for target in [
        ["--to-datetime", "1900-01-01T00:00:00Z"],
        ["--to-datetime", "1969-12-31T23:59:59.999Z"],
        ["--by-duration", "1000y"],
    ] {
        let plan = broker.json(&[
            "groups",
            "reset-offsets",
            &group,
            "--topic",
            &topic,
            target[0],
            target[1],
        ]);
        assert_eq!(
            plan["offsets"][0]["current_offset"], 3,
            "{target:?}: {plan}"
        );
        assert_eq!(plan["offsets"][0]["new_offset"], 0, "{target:?}: {plan}");
    }
    let done = broker.json(&[
        "groups",
        "reset-offsets",
        &group,
        "--topic",
        &topic,
        "--to-datetime",
        "1900-01-01T00:00:00Z",
        "--execute",
        "--yes",
    ]);
    assert_eq!(done["executed"], true);
    assert_eq!(done["offsets"][0]["new_offset"], 0);
}

/// A topic with members but no committed offsets has an unknown lag: `null` in
/// `lag_by_topic`, `-` in the totals line; a topic with offsets still counts. Members are
/// listed by consumer id.
#[test]
fn a_topic_without_committed_offsets_has_an_unknown_lag() {
    let broker = Broker::start();
    let (fresh, old) = (common::unique("fresh"), common::unique("old"));
    let group = common::unique("mixed");
    create_topic(&broker, &fresh);
    create_topic(&broker, &old);
    produce(&broker, &fresh, &[2, 2, 2, 2]);
    produce(&broker, &old, &[3, 0, 0, 0]);
    common::commit_offsets(&broker, &group, &old, &[1]);
    let _a = Member::join(&broker, &group, &fresh, "member-a");
    let _b = Member::join(&broker, &group, &fresh, "member-b");
    let g = wait_for(&broker, &group, "both members assigned", |g| {
        g["state"] == "stable"
            && g["members"].as_array().is_some_and(|m| m.len() == 2)
            && assigned_partitions(g) == [0, 1, 2, 3]
    });
    assert_eq!(g["lag_by_topic"][&fresh], Value::Null, "{g:#}");
    assert_eq!(g["lag_by_topic"][&old], 2, "{g:#}");
    assert_eq!(g["total_lag"], 2, "{g:#}");
    let ids: Vec<&str> = g["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["consumer_id"].as_str().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);

    let out = broker
        .kctl()
        .args(["groups", "describe", &group])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let (first, second) = if fresh < old {
        (&fresh, &old)
    } else {
        (&old, &fresh)
    };
    let want = |t: &String| if *t == fresh { "-" } else { "2" };
    let line = format!(
        "Total lag: 2 ({first}: {}, {second}: {})",
        want(first),
        want(second)
    );
    assert!(text.contains(&line), "{line}\n{text}");
    let listed: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("CONSUMER-ID"))
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(listed, sorted, "{text}");
}

/// Both group protocols side by side: `groups list` and `describe` say each group's type, a
/// consumer-protocol member's assignment (and its target) is described, and reset-offsets and
/// delete work on both once their members are gone.
#[test]
fn consumer_protocol_and_classic_groups_list_describe_reset_and_delete() {
    let broker = Broker::start();
    let topic = common::unique("kip848");
    let (modern, classic) = (
        common::unique("kip848-consumer"),
        common::unique("kip848-classic"),
    );
    create_topic(&broker, &topic);
    produce(&broker, &topic, &[3, 2, 1, 0]);
    let members = (
        Member::join_consumer_protocol(&broker, &modern, &topic, "modern-app"),
        Member::join(&broker, &classic, &topic, "classic-app"),
    );
    let all: Vec<i64> = (0..TOPIC_PARTITIONS as i64).collect();
    let m = wait_for(
        &broker,
        &modern,
        "the consumer-protocol member's assignment",
        |g| g["state"] == "stable" && assigned_partitions(g) == all,
    );
    assert_eq!(m["type"], "consumer", "{m:#}");
    let member = &m["members"][0];
    assert_eq!(member["client_id"], "modern-app");
    assert_eq!(
        member["target_assignments"], member["assignments"],
        "a member that caught up has its target: {m:#}"
    );
    let c = wait_for(&broker, &classic, "the classic member's assignment", |g| {
        g["state"] == "stable" && assigned_partitions(g) == all
    });
    assert_eq!(c["type"], "classic", "{c:#}");
    assert_eq!(c["members"][0]["target_assignments"], Value::Null);

    let listed = broker.json(&["groups", "list"]);
    let type_of = |name: &str| {
        listed["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["group"] == name)
            .map(|g| g["type"].clone())
    };
    assert_eq!(
        type_of(&modern),
        Some(Value::from("consumer")),
        "{listed:#}"
    );
    assert_eq!(
        type_of(&classic),
        Some(Value::from("classic")),
        "{listed:#}"
    );
    let text = broker.kctl().args(["groups", "list"]).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    let row = text.lines().find(|l| l.starts_with(&modern)).unwrap();
    assert!(row.split_whitespace().any(|w| w == "consumer"), "{text}");

    // Once the members are gone, both can be reset and deleted.
    drop(members);
    for group in [&modern, &classic] {
        // Empty, or gone: a consumer-protocol group with neither members nor offsets is
        // removed by the broker (and may be given offsets all the same).
        let deadline = Instant::now() + Duration::from_secs(45);
        loop {
            let out = broker
                .kctl()
                .args(["-o", "json", "groups", "describe", group])
                .output()
                .unwrap();
            let gone = !out.status.success();
            let empty = out.status.success() && {
                let v: Value = serde_json::from_slice(&out.stdout).unwrap();
                v["groups"][0]["members"] == serde_json::json!([])
            };
            if gone || empty {
                break;
            }
            assert!(Instant::now() < deadline, "{group} still has members");
            std::thread::sleep(Duration::from_millis(200));
        }
        broker
            .kctl()
            .args([
                "groups",
                "reset-offsets",
                group,
                "--topic",
                &topic,
                "--to-latest",
            ])
            .args(["--execute", "--yes"])
            .assert()
            .success();
        let g = wait_for(&broker, group, "the reset offsets", |g| {
            g["offsets"].as_array().is_some_and(|o| o.len() == 4)
        });
        assert_eq!(current_offsets(&g), vec![3, 2, 1, 0], "{group}: {g:#}");
    }
    broker
        .kctl()
        .args(["groups", "delete", &modern, &classic, "--yes"])
        .assert()
        .success();
    let listed = broker.json(&["groups", "list"]);
    let names: Vec<&str> = listed["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|g| g["group"].as_str())
        .collect();
    assert!(!names.contains(&modern.as_str()) && !names.contains(&classic.as_str()));
}

/// An empty group without committed offsets, as Apache's console consumer leaves behind (its
/// `console-consumer-NNNNN` groups commit nothing): `groups list` shows it, and `groups
/// describe` and `groups delete` take it, as `kafka-consumer-groups` does.
#[test]
fn an_empty_group_without_offsets_is_described_and_deleted_as_apache_does() {
    use common::apache::{run_tool, tool, CONSUMER_GROUP_COMMAND};
    let broker = Broker::start();
    let topic = common::unique("console");
    let group = common::unique("console-consumer");
    create_topic(&broker, &topic);
    produce(&broker, &topic, &[1, 1, 1, 1]);
    // Apache's console consumer with auto commit off (as without --group): it reads one record
    // and leaves its group, Empty and without offsets.
    tool(
        "org.apache.kafka.tools.consumer.ConsoleConsumer",
        &[
            "--bootstrap-server",
            &broker.addr,
            "--topic",
            &topic,
            "--group",
            &group,
            "--from-beginning",
            "--max-messages",
            "1",
            "--consumer-property",
            "enable.auto.commit=false",
        ],
    );
    let listed = broker.json(&["groups", "list"]);
    let entry = listed["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == group.as_str())
        .unwrap_or_else(|| panic!("{group} not listed: {listed}"))
        .clone();
    assert_eq!(entry["state"], "empty", "{entry}");

    // Apache describes it (no members, no offsets) ...
    let apache = run_tool(
        CONSUMER_GROUP_COMMAND,
        &[
            "--bootstrap-server",
            &broker.addr,
            "--describe",
            "--group",
            &group,
        ],
    );
    let said = String::from_utf8_lossy(&apache.stdout).to_string()
        + &String::from_utf8_lossy(&apache.stderr);
    assert!(apache.status.success(), "{said}");
    assert!(said.contains("has no active members"), "{said}");
    assert!(!said.contains("does not exist"), "{said}");
    // ... and so does kctl.
    let out = broker
        .kctl()
        .args(["-o", "json", "groups", "describe", &group])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("has no active members"), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let g = &v["groups"][0];
    assert_eq!(g["group"], group.as_str(), "{v}");
    assert_eq!(g["state"], "empty", "{v}");
    assert!(g["members"].as_array().unwrap().is_empty(), "{v}");
    assert!(g["offsets"].as_array().unwrap().is_empty(), "{v}");

    // kctl deletes it; Apache then knows it no more, nor does kctl.
    let deleted = broker.json(&["groups", "delete", &group, "--yes"]);
    assert_eq!(deleted["deleted"], serde_json::json!([group]));
    let apache = run_tool(
        CONSUMER_GROUP_COMMAND,
        &[
            "--bootstrap-server",
            &broker.addr,
            "--describe",
            "--group",
            &group,
        ],
    );
    let said = String::from_utf8_lossy(&apache.stdout).to_string()
        + &String::from_utf8_lossy(&apache.stderr);
    assert!(
        said.contains("not found") || said.contains("does not exist"),
        "{said}"
    );
    broker
        .kctl()
        .args(["groups", "describe", &group])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "consumer group not found: {group}"
        )));
}
