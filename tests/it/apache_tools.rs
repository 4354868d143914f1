//! kctl side by side with Apache Kafka's own tools on the same broker: `kctl topics describe`
//! against kafka-topics --describe (TopicCommand) and kafka-get-offsets (GetOffsetShell
//! --time -1 and -2), `kctl groups describe` against kafka-consumer-groups --describe,
//! --members (--verbose) and --state (ConsumerGroupCommand). Every fact both print must agree;
//! where they legitimately differ, the comparison says why.
//!
//! The scene: three topics of several partitions with different record counts, records
//! deleted from the start of one partition (so earliest offsets are not all 0); a group with
//! committed offsets on some partitions (on a topic no member reads, too) and two live
//! members (librdkafka consumers in this test) that hold the other topics' partitions, some
//! of them without a committed offset.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::apache::{
    table, table_free_last, tools, CONSUMER_GROUP_COMMAND, GET_OFFSET_SHELL, TOPIC_COMMAND,
};
use common::Broker;
use rdkafka::admin::{AdminClient, AdminOptions};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};
use serde_json::Value;

type Row = BTreeMap<String, String>;

/// A group member polling in a background thread until dropped (it then leaves the group).
/// It never commits: the group's committed offsets stay where the test put them.
struct Member {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Member {
    fn join(broker: &Broker, group: &str, topics: &[&str], client_id: &str) -> Member {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &broker.addr)
            .set("group.id", group)
            .set("client.id", client_id)
            .set("enable.auto.commit", "false")
            .set("auto.offset.reset", "latest")
            // Long enough that a loaded machine never drops a member mid-comparison.
            .set("session.timeout.ms", "45000")
            .set("heartbeat.interval.ms", "1000")
            .set("partition.assignment.strategy", "range")
            .create()
            .expect("consumer");
        consumer.subscribe(topics).expect("subscribe");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                let _ = consumer.poll(Duration::from_millis(100));
            }
            consumer.unsubscribe();
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

fn produce(broker: &Broker, topic: &str, counts: &[usize]) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &broker.addr)
        .create()
        .expect("producer");
    for (p, &n) in counts.iter().enumerate() {
        for i in 0..n {
            let value = format!("{topic} {p} {i}");
            producer
                .send(
                    BaseRecord::<(), _>::to(topic)
                        .partition(p as i32)
                        .payload(&value),
                )
                .expect("send");
        }
    }
    producer
        .flush(Duration::from_secs(60))
        .expect("every record delivered");
}

fn admin(broker: &Broker) -> AdminClient<DefaultClientContext> {
    ClientConfig::new()
        .set("bootstrap.servers", &broker.addr)
        .create()
        .expect("admin client")
}

/// `kctl groups describe -o json`'s group once `done` holds (bounded).
fn group_when(broker: &Broker, group: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let out = broker
            .kctl()
            .args(["-o", "json", "groups", "describe", group])
            .output()
            .unwrap();
        let last = if out.status.success() {
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            if done(&v["groups"][0]) {
                return v["groups"][0].clone();
            }
            v.to_string()
        } else {
            String::from_utf8_lossy(&out.stderr).into_owned()
        };
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {last}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// `-` for a missing value, as Apache's tools print it.
fn or_dash(v: &Value) -> String {
    match v {
        Value::Null => "-".to_string(),
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

fn row(pairs: &[(&str, String)]) -> Row {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn sorted(mut rows: Vec<Row>) -> Vec<Row> {
    rows.sort();
    rows
}

/// The kctl table that starts with this header line (its first columns), as rows (the last
/// column may hold several words: the members' ASSIGNMENT, `orders:0,1 events:0`).
fn kctl_table(text: &str, first_columns: &str) -> Vec<Row> {
    let start = text
        .lines()
        .position(|l| {
            l.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .starts_with(first_columns)
        })
        .unwrap_or_else(|| panic!("no table starting with {first_columns:?} in:\n{text}"));
    // Its rows end at a blank line or at the `Total lag: ...` line under the offsets.
    let rest: Vec<&str> = text
        .lines()
        .skip(start)
        .take_while(|l| !l.starts_with("Total lag:"))
        .collect();
    table_free_last(&rest.join("\n"))
}

/// kafka-topics --describe: for each topic, its line's fields and one field map per partition.
fn parse_topic_command(text: &str) -> BTreeMap<String, (Row, Vec<Row>)> {
    // Lines of tab-separated `Key: value` fields (a value may be empty: `Elr: `); a topic's
    // line has PartitionCount, a partition's line has Partition.
    let fields = |line: &str| -> Row {
        line.split('\t')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(|f| {
                let (k, v) = f
                    .split_once(':')
                    .unwrap_or_else(|| panic!("no `Key: value` in {f:?}"));
                (k.trim().to_string(), v.trim().to_string())
            })
            .collect()
    };
    let mut topics: BTreeMap<String, (Row, Vec<Row>)> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let f = fields(line);
        let name = f["Topic"].clone();
        if f.contains_key("PartitionCount") {
            topics.insert(name, (f, Vec::new()));
        } else if f.contains_key("Partition") {
            topics
                .get_mut(&name)
                .expect("the topic line first")
                .1
                .push(f);
        } else {
            panic!("unexpected kafka-topics line {line:?}");
        }
    }
    topics
}

/// kafka-get-offsets: `topic:partition:offset` lines.
fn parse_offsets(text: &str) -> BTreeMap<(String, i64), i64> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            // Topic names have no ':'; split from the right all the same.
            let mut parts = l.trim().rsplitn(3, ':');
            let offset = parts.next().unwrap().parse().unwrap();
            let partition = parts.next().unwrap().parse().unwrap();
            let topic = parts
                .next()
                .unwrap_or_else(|| panic!("bad line {l:?}"))
                .to_string();
            ((topic, partition), offset)
        })
        .collect()
}

fn ids(v: &Value) -> String {
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn kctl_agrees_with_apaches_own_tools() {
    let broker = Broker::start();
    let base = common::unique("apache");
    let orders = format!("{base}-orders");
    let events = format!("{base}-events");
    let audit = format!("{base}-audit");
    let group = format!("{base}-group");
    let topics = [orders.as_str(), events.as_str(), audit.as_str()];

    broker
        .kctl()
        .args([
            "topics",
            "create",
            &orders,
            "-p",
            "3",
            "-c",
            "retention.ms=86400000",
        ])
        .assert()
        .success();
    broker
        .kctl()
        .args(["topics", "create", &events, "-p", "2"])
        .assert()
        .success();
    broker
        .kctl()
        .args(["topics", "create", &audit, "-p", "1"])
        .assert()
        .success();
    produce(&broker, &orders, &[5, 0, 12]);
    produce(&broker, &events, &[7, 3]);
    produce(&broker, &audit, &[4]);

    // Records before offset 4 of orders:2 deleted: its earliest offset is 4.
    let admin = admin(&broker);
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(&orders, 2, Offset::Offset(4))
        .unwrap();
    let deleted = futures::executor::block_on(admin.delete_records(&tpl, &AdminOptions::new()))
        .expect("delete records");
    assert_eq!(
        deleted.elements()[0].offset(),
        Offset::Offset(4),
        "{deleted:?}"
    );

    // Committed offsets, from outside the group, before any member joins.
    let committer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &broker.addr)
        .set("group.id", &group)
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let mut commits = TopicPartitionList::new();
    for (topic, p, o) in [
        (&orders, 0, 2),
        (&orders, 2, 10),
        (&events, 0, 7),
        (&audit, 0, 1),
    ] {
        commits
            .add_partition_offset(topic, p, Offset::Offset(o))
            .unwrap();
    }
    // On a fresh broker the group coordinator may still be loading: asked again.
    let deadline = Instant::now() + Duration::from_secs(60);
    while let Err(e) = committer.commit(&commits, CommitMode::Sync) {
        assert!(Instant::now() < deadline, "commit: {e}");
        std::thread::sleep(Duration::from_millis(500));
    }
    drop(committer);

    // Two members for orders and events (not audit): 5 partitions between them.
    let a = format!("{base}-a");
    let b = format!("{base}-b");
    let _members = [
        Member::join(&broker, &group, &[&orders, &events], &a),
        Member::join(&broker, &group, &[&orders, &events], &b),
    ];
    group_when(
        &broker,
        &group,
        "a stable group of 2 holding 5 partitions",
        |g| {
            g["state"] == "stable"
                && g["members"].as_array().is_some_and(|m| m.len() == 2)
                && g["members"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["assignments"].as_array().unwrap().len())
                    .sum::<usize>()
                    == 5
        },
    );

    // Both sides' snapshots, kctl's taken before and after Apache's tools: a rebalance in
    // between (it should not happen) would make them differ, and the round is taken again.
    let topic_regex = format!("{base}-.*");
    let apache_runs: Vec<(&str, Vec<String>)> = {
        let b = |args: &[&str]| -> Vec<String> {
            let mut v = vec!["--bootstrap-server".to_string(), broker.addr.clone()];
            v.extend(args.iter().map(|a| a.to_string()));
            v
        };
        vec![
            (TOPIC_COMMAND, b(&["--describe", "--topic", &topic_regex])),
            (
                GET_OFFSET_SHELL,
                b(&["--topic", &topic_regex, "--time", "-1"]),
            ),
            (
                GET_OFFSET_SHELL,
                b(&["--topic", &topic_regex, "--time", "-2"]),
            ),
            (
                CONSUMER_GROUP_COMMAND,
                b(&["--describe", "--group", &group]),
            ),
            (
                CONSUMER_GROUP_COMMAND,
                b(&["--describe", "--members", "--group", &group]),
            ),
            (
                CONSUMER_GROUP_COMMAND,
                b(&["--describe", "--members", "--verbose", "--group", &group]),
            ),
            (
                CONSUMER_GROUP_COMMAND,
                b(&["--describe", "--state", "--group", &group]),
            ),
        ]
    };
    let mut round = 0;
    let (kctl_topics, kctl_group, kctl_group_text, apache) = loop {
        round += 1;
        let kctl_group = broker.json(&["groups", "describe", &group])["groups"][0].clone();
        let kctl_topics = broker.json(&["topics", "describe", &orders, &events, &audit]);
        let out = broker
            .kctl()
            .args(["groups", "describe", &group])
            .output()
            .unwrap();
        assert!(out.status.success());
        let kctl_group_text = String::from_utf8(out.stdout).unwrap();
        let apache = tools(&apache_runs);
        let again = broker.json(&["groups", "describe", &group])["groups"][0].clone();
        if again == kctl_group {
            break (kctl_topics, kctl_group, kctl_group_text, apache);
        }
        assert!(
            round < 3,
            "the group kept changing: {kctl_group:#} then {again:#}"
        );
    };
    let [topic_text, latest_text, earliest_text, describe_text, members_text, verbose_text, state_text] =
        &apache[..]
    else {
        unreachable!()
    };

    // --- kafka-topics --describe ---------------------------------------------------------
    let apache_topics = parse_topic_command(topic_text);
    assert_eq!(
        apache_topics
            .keys()
            .map(String::as_str)
            .collect::<BTreeSet<_>>(),
        BTreeSet::from(topics),
        "{topic_text}"
    );
    for t in kctl_topics["topics"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        let (line, partitions) = &apache_topics[name];
        assert_eq!(
            line["PartitionCount"],
            t["partition_count"].to_string(),
            "{name}"
        );
        assert_eq!(
            line["ReplicationFactor"],
            t["replication_factor"].to_string(),
            "{name}"
        );
        // Configs: both list every config that is not at Kafka's built-in default (set on
        // the topic or by the brokers: Kafka 4 sets a cluster-wide min.insync.replicas).
        let apache_configs: BTreeMap<&str, &str> = line["Configs"]
            .split(',')
            .filter(|c| !c.is_empty())
            .map(|c| c.split_once('=').expect("key=value"))
            .collect();
        let kctl_configs: BTreeMap<&str, &str> = t["configs"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or("")))
            .collect();
        assert_eq!(apache_configs, kctl_configs, "{name}");
        let kctl_parts = t["partitions"].as_array().unwrap();
        assert_eq!(partitions.len(), kctl_parts.len(), "{name}");
        for (apache_p, p) in partitions.iter().zip(kctl_parts) {
            assert_eq!(apache_p["Partition"], p["partition"].to_string(), "{name}");
            // kafka-topics prints `none` for a partition without a leader.
            let leader = p["leader"]
                .as_i64()
                .map_or("none".to_string(), |l| l.to_string());
            assert_eq!(apache_p["Leader"], leader, "{name}:{}", p["partition"]);
            // Replicas in order (the first is the preferred leader); the ISR too: both come
            // from the same controller state, in the same order.
            assert_eq!(
                apache_p["Replicas"],
                ids(&p["replicas"]),
                "{name}:{}",
                p["partition"]
            );
            assert_eq!(apache_p["Isr"], ids(&p["isr"]), "{name}:{}", p["partition"]);
        }
    }
    assert!(apache_topics[&orders].0["Configs"]
        .split(',')
        .any(|c| c == "retention.ms=86400000"));

    // --- kafka-get-offsets --time -1 / -2 --------------------------------------------------
    let latest = parse_offsets(latest_text);
    let earliest = parse_offsets(earliest_text);
    let mut kctl_latest = BTreeMap::new();
    let mut kctl_earliest = BTreeMap::new();
    for t in kctl_topics["topics"].as_array().unwrap() {
        for p in t["partitions"].as_array().unwrap() {
            let key = (
                t["name"].as_str().unwrap().to_string(),
                p["partition"].as_i64().unwrap(),
            );
            kctl_latest.insert(key.clone(), p["latest_offset"].as_i64().unwrap());
            kctl_earliest.insert(key.clone(), p["earliest_offset"].as_i64().unwrap());
            assert_eq!(
                p["messages"].as_i64().unwrap(),
                p["latest_offset"].as_i64().unwrap() - p["earliest_offset"].as_i64().unwrap()
            );
        }
    }
    assert_eq!(kctl_latest, latest, "latest offsets: kctl vs {latest_text}");
    assert_eq!(
        kctl_earliest, earliest,
        "earliest offsets: kctl vs {earliest_text}"
    );
    assert_eq!(earliest[&(orders.clone(), 2)], 4, "records were deleted");
    assert_eq!(latest[&(orders.clone(), 2)], 12);

    // --- kafka-consumer-groups --describe --------------------------------------------------
    let members: BTreeMap<&str, &Value> = kctl_group["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["consumer_id"].as_str().unwrap(), m))
        .collect();
    let expected: Vec<Row> = kctl_group["offsets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let member = o["consumer_id"].as_str().map(|id| members[id]);
            row(&[
                ("GROUP", group.clone()),
                ("TOPIC", or_dash(&o["topic"])),
                ("PARTITION", or_dash(&o["partition"])),
                ("CURRENT-OFFSET", or_dash(&o["current_offset"])),
                ("LOG-END-OFFSET", or_dash(&o["log_end_offset"])),
                ("LAG", or_dash(&o["lag"])),
                ("CONSUMER-ID", or_dash(&o["consumer_id"])),
                ("HOST", member.map_or("-".into(), |m| or_dash(&m["host"]))),
                (
                    "CLIENT-ID",
                    member.map_or("-".into(), |m| or_dash(&m["client_id"])),
                ),
            ])
        })
        .collect();
    let apache_rows = table(describe_text);
    assert_eq!(
        sorted(expected),
        sorted(apache_rows.clone()),
        "kctl's JSON vs:\n{describe_text}"
    );
    // kctl's own table has the same columns and rows.
    assert_eq!(
        sorted(kctl_table(&kctl_group_text, "GROUP TOPIC PARTITION")),
        sorted(apache_rows.clone()),
        "kctl's table:\n{kctl_group_text}\nvs:\n{describe_text}"
    );
    // The scene has what it was made for: partitions without a committed offset, one no
    // member owns, lag.
    assert!(apache_rows
        .iter()
        .any(|r| r["CURRENT-OFFSET"] == "-" && r["CONSUMER-ID"] != "-"));
    assert!(apache_rows
        .iter()
        .any(|r| r["TOPIC"] == audit && r["CONSUMER-ID"] == "-"));
    let apache_lag: i64 = apache_rows
        .iter()
        .filter_map(|r| r["LAG"].parse::<i64>().ok())
        .sum();
    assert_eq!(kctl_group["total_lag"], apache_lag);
    assert!(apache_lag > 0);

    // --- --members, --members --verbose ----------------------------------------------------
    let expected: Vec<Row> = members
        .values()
        .map(|m| {
            row(&[
                ("GROUP", group.clone()),
                ("CONSUMER-ID", or_dash(&m["consumer_id"])),
                ("HOST", or_dash(&m["host"])),
                ("CLIENT-ID", or_dash(&m["client_id"])),
                (
                    "#PARTITIONS",
                    m["assignments"].as_array().unwrap().len().to_string(),
                ),
            ])
        })
        .collect();
    assert_eq!(
        sorted(expected.clone()),
        sorted(table(members_text)),
        "{members_text}"
    );
    // kctl's members table: the same columns but GROUP (it follows the group's line).
    let kctl_members: Vec<Row> = kctl_table(&kctl_group_text, "CONSUMER-ID HOST CLIENT-ID")
        .into_iter()
        .map(|mut r| {
            r.insert("GROUP".into(), group.clone());
            r
        })
        .collect();
    let without_assignment = |rows: &[Row]| -> Vec<Row> {
        sorted(
            rows.iter()
                .map(|r| {
                    r.iter()
                        .filter(|(k, _)| *k != "ASSIGNMENT")
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                })
                .collect(),
        )
    };
    assert_eq!(without_assignment(&kctl_members), sorted(expected));
    // --verbose adds each member's assignment (and, for KIP-848 groups, epochs and the
    // target assignment: `-` for this classic group). Compared as sets of partitions: the
    // order topics are listed in is each tool's own.
    let partitions_of = |s: &str| -> BTreeSet<(String, i64)> {
        s.split(|c: char| c == ';' || c.is_whitespace())
            .filter(|t| !t.is_empty() && *t != "-")
            .flat_map(|t| {
                let (topic, ps) = t
                    .split_once(':')
                    .unwrap_or_else(|| panic!("bad assignment {s:?}"));
                ps.split(',')
                    .map(move |p| (topic.to_string(), p.parse::<i64>().unwrap()))
            })
            .collect()
    };
    let verbose = table(verbose_text);
    assert_eq!(verbose.len(), members.len(), "{verbose_text}");
    for r in &verbose {
        let m = members[r["CONSUMER-ID"].as_str()];
        let kctl: BTreeSet<(String, i64)> = m["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["topic"].as_str().unwrap().to_string(),
                    a["partition"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            partitions_of(&r["CURRENT-ASSIGNMENT"]),
            kctl,
            "{verbose_text}"
        );
        assert_eq!(
            r["TARGET-ASSIGNMENT"], "-",
            "a classic group has no target assignment"
        );
        let in_table = kctl_members
            .iter()
            .find(|k| k["CONSUMER-ID"] == r["CONSUMER-ID"])
            .expect("the member in kctl's table");
        assert_eq!(
            partitions_of(&in_table["ASSIGNMENT"]),
            kctl,
            "{kctl_group_text}"
        );
    }

    // --- --state --------------------------------------------------------------------------
    // `COORDINATOR (ID)` is one column of two words (`127.0.0.1:9092  (1)`): split on
    // whitespace, both header and row have the same number of words.
    let state = table(state_text);
    assert_eq!(state.len(), 1, "{state_text}");
    let state = &state[0];
    let c = &kctl_group["coordinator"];
    assert_eq!(state["GROUP"], group);
    assert_eq!(
        state["COORDINATOR"],
        format!("{}:{}", c["host"].as_str().unwrap(), c["port"])
    );
    assert_eq!(state["(ID)"], format!("({})", c["id"]));
    assert_eq!(
        state["ASSIGNMENT-STRATEGY"],
        or_dash(&kctl_group["assignor"])
    );
    // kctl's JSON spells states in snake_case (its contract), Apache in CamelCase; kctl's
    // table prints Apache's spelling.
    let camel_to_snake = |s: &str| -> String {
        let mut out = String::new();
        for (i, ch) in s.chars().enumerate() {
            if ch.is_uppercase() && i > 0 {
                out.push('_');
            }
            out.extend(ch.to_lowercase());
        }
        out
    };
    assert_eq!(
        camel_to_snake(&state["STATE"]),
        kctl_group["state"].as_str().unwrap()
    );
    assert_eq!(state["#MEMBERS"], members.len().to_string());
    let kctl_state = kctl_table(&kctl_group_text, "GROUP COORDINATOR (ID)");
    assert_eq!(kctl_state.first(), Some(state), "{kctl_group_text}");
}
