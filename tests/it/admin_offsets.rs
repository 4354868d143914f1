//! `kctl offsets`, `kctl topics delete-records`, `kctl groups delete-offsets` and
//! `groups reset-offsets --export/--from-file`, each compared with Apache Kafka's own tool on
//! the same broker: kafka-get-offsets (GetOffsetShell), kafka-delete-records
//! (DeleteRecordsCommand) and kafka-consumer-groups --delete-offsets (ConsumerGroupCommand).
//! Also the group calls right after a broker starts (librdkafka issue 5040: a crash) and a
//! reset right after a big topic is created (leaders not known yet).

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::apache::{run_tool, table, tools, CONSUMER_GROUP_COMMAND, GET_OFFSET_SHELL};
use common::Broker;
use rdkafka::config::ClientConfig;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use serde_json::{json, Value};

/// kafka-delete-records.sh
const DELETE_RECORDS_COMMAND: &str = "org.apache.kafka.tools.DeleteRecordsCommand";

/// A base time for the records' timestamps (2023-11-14T22:13:20Z).
const T0: i64 = 1_700_000_000_000;

/// A topic that keeps its records whatever their time: they are written at T0, long past the
/// default retention (7 days), and the broker's retention check (every 5 minutes) would
/// otherwise delete them in the middle of a test.
fn create(broker: &Broker, topic: &str, partitions: u32) {
    broker
        .kctl()
        .args(["topics", "create", topic, "-p", &partitions.to_string()])
        .args(["-c", "retention.ms=-1"])
        .assert()
        .success();
}

/// Writes records with these (partition, timestamp) through `produce --input envelope`.
fn produce_at(broker: &Broker, topic: &str, records: &[(i32, i64)]) {
    let input: String = records
        .iter()
        .enumerate()
        .map(|(i, (p, ts))| {
            format!(
                "{}\n",
                json!({"value": format!("v{i}"), "partition": p, "timestamp": ts})
            )
        })
        .collect();
    broker
        .kctl()
        .args(["produce", topic, "--input", "envelope"])
        .write_stdin(input)
        .assert()
        .success();
}

fn bootstrap(broker: &Broker) -> Vec<String> {
    vec!["--bootstrap-server".into(), broker.addr.clone()]
}

/// GetOffsetShell's `topic:partition:offset` lines as partition -> offset.
fn shell_offsets(out: &str, topic: &str) -> BTreeMap<i64, i64> {
    out.lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix(&format!("{topic}:"))?;
            let (p, o) = rest.split_once(':')?;
            Some((p.parse().ok()?, o.parse().ok()?))
        })
        .collect()
}

/// kctl's answers of one field as partition -> value, leaving out `null`s.
fn kctl_field(offsets: &Value, pick: impl Fn(&Value) -> Option<i64>) -> BTreeMap<i64, i64> {
    offsets["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| Some((p["partition"].as_i64()?, pick(p)?)))
        .collect()
}

#[test]
fn offsets_match_get_offset_shell() {
    let broker = Broker::start();
    let topic = common::unique("offsets");
    create(&broker, &topic, 3);
    // Partition 0: the largest timestamp in the middle (offset 1); partition 1: increasing;
    // partition 2: empty. Then the first two records of partition 0 are deleted.
    let s = 1000;
    produce_at(
        &broker,
        &topic,
        &[
            (0, T0 + s),
            (0, T0 + 9 * s),
            (0, T0 + 3 * s),
            (0, T0 + 2 * s),
            (0, T0 + 4 * s),
            (1, T0 + s),
            (1, T0 + 5 * s),
            (1, T0 + 6 * s),
        ],
    );
    broker
        .kctl()
        .args([
            "topics",
            "delete-records",
            &topic,
            "-p",
            "0",
            "--before",
            "1",
        ])
        .args(["--execute", "--yes"])
        .assert()
        .success();
    let at = T0 + 3 * s + 500;
    let b = bootstrap(&broker);
    let run = |time: &str| {
        let mut args = b.clone();
        args.extend(["--topic", &topic, "--time", time].map(String::from));
        (GET_OFFSET_SHELL, args)
    };
    let field = |ours: &Value, name: &str, key: Option<&str>| {
        kctl_field(ours, |p| match key {
            Some(key) => p[name][key].as_i64(),
            None => p[name].as_i64(),
        })
    };
    // Under load Apache's tool has answered --time -3 with nothing at all (exit 0): a round
    // that disagrees is asked again, twice at most, before it counts.
    let mut round = 0;
    let (ours, [latest, earliest, max, at_time], said) = loop {
        round += 1;
        let ours = broker.json(&["offsets", &topic, "--at", &at.to_string()]);
        let theirs = tools(&[run("-1"), run("-2"), run("-3"), run(&at.to_string())]);
        let answers = [0, 1, 2, 3].map(|i| shell_offsets(&theirs[i], &topic));
        let said = format!("kctl: {ours}\nApache: {theirs:?}");
        let agree = field(&ours, "latest_offset", None) == answers[0]
            && field(&ours, "earliest_offset", None) == answers[1]
            && field(&ours, "max_timestamp", Some("offset")) == answers[2]
            && field(&ours, "at_time", Some("offset")) == answers[3];
        if agree || round == 3 {
            break (ours, answers, said);
        }
        eprintln!("round {round} disagrees, asking again: {said}");
    };
    assert_eq!(ours["at"], at, "{said}");
    assert_eq!(field(&ours, "latest_offset", None), latest, "{said}");
    assert_eq!(field(&ours, "earliest_offset", None), earliest, "{said}");
    assert_eq!(field(&ours, "max_timestamp", Some("offset")), max, "{said}");
    assert_eq!(field(&ours, "at_time", Some("offset")), at_time, "{said}");
    // The facts themselves, so that agreeing on nothing cannot pass.
    assert_eq!(latest, BTreeMap::from([(0, 5), (1, 3), (2, 0)]));
    assert_eq!(earliest, BTreeMap::from([(0, 1), (1, 0), (2, 0)]));
    assert_eq!(max, BTreeMap::from([(0, 1), (1, 2)]));
    assert_eq!(at_time, BTreeMap::from([(0, 1), (1, 1)]));
    let p0 = &ours["partitions"][0];
    assert_eq!(
        p0["max_timestamp"],
        json!({"offset": 1, "timestamp": T0 + 9 * s})
    );
    assert_eq!(p0["at_time"], json!({"offset": 1, "timestamp": T0 + 9 * s}));
    assert_eq!(p0["last_stable_offset"], 5);
    let empty = &ours["partitions"][2];
    assert_eq!(empty["max_timestamp"], Value::Null, "{empty}");
    assert_eq!(empty["at_time"], Value::Null, "{empty}");

    // The table, and -p.
    let out = broker
        .kctl()
        .args(["offsets", &topic, "-p", "1", "--at", "2023-11-14T22:13:24Z"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let rows = table(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["PARTITION"], "1");
    assert_eq!(rows[0]["EARLIEST"], "0");
    assert_eq!(rows[0]["LATEST"], "3");
    assert_eq!(rows[0]["LAST-STABLE"], "3");
    assert_eq!(rows[0]["MAX-TIMESTAMP-OFFSET"], "2");
    assert_eq!(rows[0]["MAX-TIMESTAMP"], "2023-11-14T22:13:26.000Z");
    assert_eq!(rows[0]["AT-OFFSET"], "1");
    assert_eq!(rows[0]["AT-TIMESTAMP"], "2023-11-14T22:13:25.000Z");
}

#[test]
fn last_stable_offset_stops_at_an_open_transaction() {
    let broker = Broker::start();
    let topic = common::unique("offsets-txn");
    create(&broker, &topic, 1);
    produce_at(&broker, &topic, &[(0, T0), (0, T0 + 1)]);
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &broker.addr)
        .set("transactional.id", common::unique("kctl-offsets-txn"))
        .create()
        .unwrap();
    producer.init_transactions(Duration::from_secs(30)).unwrap();
    producer.begin_transaction().unwrap();
    for _ in 0..3 {
        producer
            .send(
                BaseRecord::<(), str>::to(&topic)
                    .partition(0)
                    .payload("open"),
            )
            .unwrap();
    }
    producer.flush(Duration::from_secs(30)).unwrap();

    let open = broker.json(&["offsets", &topic]);
    let p = &open["partitions"][0];
    assert_eq!(p["latest_offset"], 5, "{open}");
    assert_eq!(p["last_stable_offset"], 2, "{open}");

    producer
        .commit_transaction(Duration::from_secs(30))
        .unwrap();
    // The coordinator writes the commit marker after the commit returns: wait for it (it
    // takes an offset too).
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let done = loop {
        let done = broker.json(&["offsets", &topic]);
        if done["partitions"][0]["latest_offset"] == 6 || std::time::Instant::now() > deadline {
            break done;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let p = &done["partitions"][0];
    assert_eq!(p["latest_offset"], 6, "{done}");
    assert_eq!(p["last_stable_offset"], 6, "{done}");
}

/// How many requests of each kind one command sent (librdkafka's protocol log with -vv).
fn requests(broker: &Broker, args: &[&str]) -> BTreeMap<String, usize> {
    let out = broker.kctl().arg("-vv").args(args).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let mut counts = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stderr).lines() {
        if let Some(rest) = line.split("Sent ").nth(1) {
            if let Some(name) = rest.split_whitespace().next() {
                if name.ends_with("Request") {
                    *counts.entry(name.to_string()).or_default() += 1;
                }
            }
        }
    }
    counts
}

/// One ListOffsets request per kind of offset (with one broker, one leader), however many
/// partitions.
#[test]
fn offsets_send_one_request_per_kind_however_many_partitions() {
    let broker = Broker::start();
    let small = common::unique("offsets-few");
    let big = common::unique("offsets-many");
    create(&broker, &small, 2);
    create(&broker, &big, 120);
    // Right after the topic is made its leaders are not all known yet, and kctl asks again
    // for those partitions: count the requests of a topic that is ready.
    broker.json(&["offsets", &big]);
    broker.json(&["offsets", &small]);
    for (topic, at) in [(&small, None), (&big, None), (&big, Some("-1h"))] {
        let mut args = vec!["offsets", topic.as_str()];
        if let Some(at) = at {
            args.extend(["--at", at]);
        }
        let counts = requests(&broker, &args);
        let kinds = if at.is_some() { 5 } else { 4 };
        assert_eq!(
            counts.get("ListOffsetsRequest"),
            Some(&kinds),
            "{args:?}: {counts:?}"
        );
    }
}

fn offsets_of(broker: &Broker, topic: &str) -> Vec<(i64, i64)> {
    let o = broker.json(&["offsets", topic]);
    o["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["earliest_offset"].as_i64().unwrap(),
                p["latest_offset"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn delete_records_matches_delete_records_command() {
    let broker = Broker::start();
    let ours = common::unique("delrec-kctl");
    let theirs = common::unique("delrec-apache");
    let records: Vec<(i32, i64)> = (0..10).map(|i| (i % 2, T0 + i as i64 * 1000)).collect();
    for topic in [&ours, &theirs] {
        create(&broker, topic, 3);
        produce_at(&broker, topic, &records);
    }
    let dir = tempfile::tempdir().unwrap();
    let file = |topic: &str| {
        let path = dir.path().join(format!("{topic}.json"));
        // -1: up to the latest offset (the high watermark), as kafka-delete-records takes it.
        let doc = json!({"version": 1, "partitions": [
            {"topic": topic, "partition": 0, "offset": 3},
            {"topic": topic, "partition": 1, "offset": -1},
        ]});
        std::fs::write(&path, doc.to_string()).unwrap();
        path.to_str().unwrap().to_string()
    };
    let (our_file, their_file) = (file(&ours), file(&theirs));

    // The default is a plan: nothing changes.
    let plan = broker.json(&["topics", "delete-records", "--offsets-file", &our_file]);
    assert_eq!(plan["executed"], false);
    assert_eq!(
        plan["partitions"],
        json!([
            {"topic": ours, "partition": 0, "earliest_offset": 0, "new_earliest_offset": 3,
             "latest_offset": 5, "records_removed": 3},
            {"topic": ours, "partition": 1, "earliest_offset": 0, "new_earliest_offset": 5,
             "latest_offset": 5, "records_removed": 5},
        ])
    );
    assert_eq!(offsets_of(&broker, &ours), [(0, 5), (0, 5), (0, 0)]);

    let mut args = bootstrap(&broker);
    args.extend(["--offset-json-file".into(), their_file]);
    let apache = tools(&[(DELETE_RECORDS_COMMAND, args)]).remove(0);
    let done = broker.json(&[
        "topics",
        "delete-records",
        "--offsets-file",
        &our_file,
        "--execute",
        "--yes",
    ]);
    assert_eq!(done["executed"], true);
    // Apache prints "partition: T-P	low_watermark: N" per partition.
    let mut low: BTreeMap<i64, i64> = BTreeMap::new();
    for line in apache.lines() {
        if let Some(rest) = line.trim().strip_prefix(&format!("partition: {theirs}-")) {
            let mut words = rest.split_whitespace();
            let p = words.next().unwrap().parse().unwrap();
            assert_eq!(words.next(), Some("low_watermark:"), "{apache}");
            low.insert(p, words.next().unwrap().parse().unwrap());
        }
    }
    let reported = kctl_field(&done, |p| p["new_earliest_offset"].as_i64());
    assert_eq!(reported, low, "kctl: {done}\nApache: {apache}");
    assert_eq!(offsets_of(&broker, &ours), offsets_of(&broker, &theirs));
    assert_eq!(offsets_of(&broker, &ours), [(3, 5), (5, 5), (0, 0)]);

    // By time: records of partition 0 are at T0, T0+2s, ... (offsets 0..5).
    let t = (T0 + 4000).to_string();
    let plan = broker.json(&[
        "topics",
        "delete-records",
        &ours,
        "-p",
        "0",
        "--before-time",
        &t,
    ]);
    assert_eq!(plan["partitions"][0]["new_earliest_offset"], 3, "{plan}");
    let t = (T0 + 6500).to_string();
    let plan = broker.json(&[
        "topics",
        "delete-records",
        &ours,
        "-p",
        "0",
        "--before-time",
        &t,
    ]);
    assert_eq!(plan["partitions"][0]["new_earliest_offset"], 4, "{plan}");
    // After the last record: an error, unless --to-latest.
    let out = broker
        .kctl()
        .args(["topics", "delete-records", &ours, "--before-time", "-1m"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("no record of {ours}:0 is at or after")),
        "{stderr}"
    );
    assert!(stderr.contains("--to-latest"), "{stderr}");
    let done = broker.json(&[
        "topics",
        "delete-records",
        &ours,
        "--before-time",
        "-1m",
        "--to-latest",
        "--execute",
        "--yes",
    ]);
    assert_eq!(
        kctl_field(&done, |p| p["records_removed"].as_i64()),
        BTreeMap::from([(0, 2), (1, 0), (2, 0)])
    );
    assert_eq!(offsets_of(&broker, &ours), [(5, 5), (5, 5), (0, 0)]);

    // --execute asks first, and refuses without a terminal.
    produce_at(&broker, &ours, &[(2, T0)]);
    let out = broker
        .kctl()
        .args([
            "topics",
            "delete-records",
            &ours,
            "--to-latest",
            "--execute",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!(
        "refusing to delete 1 record from 1 partition of topic {ours} without confirmation"
    )));
    assert_eq!(offsets_of(&broker, &ours), [(5, 5), (5, 5), (0, 1)]);
}

fn committed(broker: &Broker, group: &str) -> BTreeMap<(String, i64), i64> {
    let g = broker.json(&["groups", "describe", group]);
    g["groups"][0]["offsets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| {
            Some((
                (o["topic"].as_str()?.to_string(), o["partition"].as_i64()?),
                o["current_offset"].as_i64()?,
            ))
        })
        .collect()
}

#[test]
fn delete_offsets_matches_consumer_group_command() {
    let broker = Broker::start();
    let topic = common::unique("deloff");
    let other = common::unique("deloff-other");
    create(&broker, &topic, 3);
    create(&broker, &other, 1);
    let records: Vec<(i32, i64)> = (0..9).map(|i| (i % 3, T0 + i as i64)).collect();
    produce_at(&broker, &topic, &records);
    let (ours, theirs) = (
        common::unique("deloff-kctl"),
        common::unique("deloff-apache"),
    );
    for g in [&ours, &theirs] {
        common::commit_offsets(&broker, g, &topic, &[1, 2, 3]);
        common::commit_offsets(&broker, g, &other, &[0]);
    }
    let spec = format!("{topic}:0,2");

    // A dry run changes nothing.
    let dry = broker.json(&[
        "groups",
        "delete-offsets",
        &ours,
        "--topic",
        &spec,
        "--dry-run",
    ]);
    assert_eq!(dry["executed"], false);
    assert_eq!(committed(&broker, &ours).len(), 4);

    let mut args = bootstrap(&broker);
    args.extend(["--delete-offsets", "--group", &theirs, "--topic", &spec].map(String::from));
    let apache = tools(&[(CONSUMER_GROUP_COMMAND, args)]).remove(0);
    let done = broker.json(&["groups", "delete-offsets", &ours, "--topic", &spec, "--yes"]);
    assert_eq!(
        done,
        json!({"group": ours, "executed": true, "offsets": [
            {"topic": topic, "partition": 0, "committed_offset": 1},
            {"topic": topic, "partition": 2, "committed_offset": 3},
        ]})
    );
    // Apache: "Request succeed for deleting offsets from group G." then TOPIC PARTITION STATUS.
    let rows = table(
        apache
            .lines()
            .skip_while(|l| !l.contains("TOPIC"))
            .collect::<Vec<_>>()
            .join("\n")
            .as_str(),
    );
    let apache_deleted: BTreeSet<(String, i64)> = rows
        .iter()
        .filter(|r| r["STATUS"] == "Successful")
        .map(|r| (r["TOPIC"].clone(), r["PARTITION"].parse().unwrap()))
        .collect();
    let kctl_deleted: BTreeSet<(String, i64)> = [(topic.clone(), 0), (topic.clone(), 2)]
        .into_iter()
        .collect();
    assert_eq!(apache_deleted, kctl_deleted, "{apache}");
    let left = |g: &str| -> BTreeSet<(String, i64)> { committed(&broker, g).into_keys().collect() };
    assert_eq!(left(&ours), left(&theirs));
    assert_eq!(
        left(&ours),
        [(topic.clone(), 1), (other.clone(), 0)]
            .into_iter()
            .collect()
    );
    // A whole topic: every partition the group has an offset for.
    broker.json(&[
        "groups",
        "delete-offsets",
        &ours,
        "--topic",
        &other,
        "--yes",
    ]);
    assert_eq!(left(&ours), [(topic.clone(), 1)].into_iter().collect());

    // Without --yes and no terminal: refused, nothing deleted.
    let out = broker
        .kctl()
        .args(["groups", "delete-offsets", &ours, "--topic", &topic])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(left(&ours).len(), 1);
}

/// Kafka refuses to delete the offsets of a topic an active member consumes
/// (GROUP_SUBSCRIBED_TO_TOPIC): kctl says so, naming the group and the topic, and deletes
/// nothing; Apache's tool refuses too.
#[test]
fn delete_offsets_refuses_a_topic_a_live_member_consumes() {
    let broker = Broker::start();
    let topic = common::unique("deloff-live");
    create(&broker, &topic, 1);
    let group = common::unique("deloff-live");
    common::commit_offsets(&broker, &group, &topic, &[0]);
    let mut member = common::spawn(
        &["-b", &broker.addr, "consume", &topic, "-g", &group],
        Stdio::null(),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let g = broker.json(&["groups", "describe", &group]);
        let assigned = g["groups"][0]["members"][0]["assignments"]
            .as_array()
            .is_some_and(|a| !a.is_empty());
        if assigned {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the member never got its partition: {g}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let out = broker
        .kctl()
        .args([
            "groups",
            "delete-offsets",
            &group,
            "--topic",
            &topic,
            "--yes",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "cannot delete the committed offsets of consumer group '{group}' on topic {topic}: \
             active members of the group consume it; nothing was deleted"
        )),
        "{stderr}"
    );
    let mut args = bootstrap(&broker);
    args.extend(["--delete-offsets", "--group", &group, "--topic", &topic].map(String::from));
    let apache = run_tool(
        CONSUMER_GROUP_COMMAND,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&apache.stdout),
        String::from_utf8_lossy(&apache.stderr)
    );
    assert!(
        said.contains("GROUP_SUBSCRIBED_TO_TOPIC") || said.contains("subscribed"),
        "{said}"
    );
    assert_eq!(committed(&broker, &group).len(), 1);
    let _ = member.kill();
    let _ = member.wait();
}

#[test]
fn reset_offsets_exports_a_plan_and_applies_it_from_the_file() {
    let broker = Broker::start();
    let topic = common::unique("reset-plan");
    create(&broker, &topic, 2);
    produce_at(
        &broker,
        &topic,
        &[(0, T0), (0, T0 + 1), (1, T0), (1, T0 + 1), (1, T0 + 2)],
    );
    let group = common::unique("reset-plan");
    common::commit_offsets(&broker, &group, &topic, &[2, 3]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    let file = path.to_str().unwrap();

    let dry = broker.json(&[
        "groups",
        "reset-offsets",
        &group,
        "--topic",
        &topic,
        "--to-earliest",
    ]);
    let exported = broker.json(&[
        "groups",
        "reset-offsets",
        &group,
        "--topic",
        &topic,
        "--to-earliest",
        "--export",
        file,
    ]);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(saved, dry);
    assert_eq!(exported, dry);
    assert_eq!(
        committed(&broker, &group)
            .values()
            .copied()
            .collect::<Vec<_>>(),
        [2, 3]
    );

    // Reviewed and edited: partition 1 goes to 1 instead.
    let mut edited = saved.clone();
    edited["offsets"][1]["new_offset"] = json!(1);
    std::fs::write(&path, edited.to_string()).unwrap();
    let shown = broker.json(&["groups", "reset-offsets", &group, "--from-file", file]);
    assert_eq!(shown["executed"], false);
    assert_eq!(
        committed(&broker, &group)
            .values()
            .copied()
            .collect::<Vec<_>>(),
        [2, 3]
    );
    let applied = broker.json(&[
        "groups",
        "reset-offsets",
        &group,
        "--from-file",
        file,
        "--execute",
        "--yes",
    ]);
    assert_eq!(
        applied,
        json!({"group": group, "executed": true, "offsets": [
            {"topic": topic, "partition": 0, "current_offset": 2, "new_offset": 0},
            {"topic": topic, "partition": 1, "current_offset": 3, "new_offset": 1},
        ]})
    );
    assert_eq!(
        committed(&broker, &group)
            .values()
            .copied()
            .collect::<Vec<_>>(),
        [0, 1]
    );

    // A plan for another group is refused.
    let other = common::unique("reset-plan-other");
    let out = broker
        .kctl()
        .args([
            "groups",
            "reset-offsets",
            &other,
            "--from-file",
            file,
            "--execute",
            "--yes",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!(
        "is for consumer group '{group}', not '{other}'; nothing was changed"
    )));
}

/// Right after a broker starts, the group coordinator answers NOT_COORDINATOR while it makes
/// the offsets topic: librdkafka 2.12 crashed on that (SIGSEGV, exit 139, its issue 5040).
/// And right after a topic of many partitions is created, their leaders are not known yet:
/// a reset used to fail NotLeaderForPartition.
#[test]
fn group_calls_right_after_a_broker_starts_and_a_big_topic_is_created() {
    let broker = Broker::private();
    let out = broker
        .kctl()
        .args(["--timeout", "30s", "groups", "describe", "nosuch"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("consumer group not found: nosuch"),
        "{stderr}"
    );

    broker
        .kctl()
        .args(["topics", "create", "big", "-p", "150"])
        .assert()
        .success();
    let out = broker
        .kctl()
        // (A bound that a loaded machine keeps while the leaders are elected.)
        .args([
            "--timeout",
            "30s",
            "-o",
            "json",
            "groups",
            "reset-offsets",
            "fresh",
        ])
        .args(["--topic", "big"])
        .args(["--to-earliest", "--execute", "--yes"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["offsets"].as_array().unwrap().len(), 150);
    assert_eq!(committed(&broker, "fresh").len(), 150);
}

/// The new commands complete topic and group names from the cluster.
#[test]
fn new_commands_complete_topic_and_group_names() {
    let broker = Broker::start();
    let topic = common::unique("complete-offsets");
    create(&broker, &topic, 1);
    let group = common::unique("complete-offsets");
    common::commit_offsets(&broker, &group, &topic, &[0]);
    let cache = tempfile::tempdir().unwrap();
    let complete = |words: &[&str]| -> Vec<String> {
        let out = common::kctl()
            .env("XDG_CACHE_HOME", cache.path())
            .env("KCTL_BROKERS", &broker.addr)
            .env("KCTL_COMPLETE", "fish")
            .arg("--")
            .args(words)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.split('\t').next().unwrap_or("").to_string())
            .collect()
    };
    let prefix = &topic[..topic.len() - 2];
    let gprefix = &group[..group.len() - 2];
    let cases: [(Vec<&str>, &str); 4] = [
        (vec!["kctl", "offsets", prefix], topic.as_str()),
        (
            vec!["kctl", "topics", "delete-records", prefix],
            topic.as_str(),
        ),
        (
            vec!["kctl", "groups", "delete-offsets", gprefix],
            group.as_str(),
        ),
        (
            vec![
                "kctl",
                "groups",
                "delete-offsets",
                &group,
                "--topic",
                prefix,
            ],
            topic.as_str(),
        ),
    ];
    for (words, want) in cases {
        // The first completion of a cluster may come before its names are cached.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let got = complete(&words);
            if got.iter().any(|c| c == want) {
                break;
            }
            assert!(Instant::now() < deadline, "{words:?}: {got:?}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}
