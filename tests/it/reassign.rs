//! `kctl partitions reassign` on a cluster of three brokers, beside Apache's
//! kafka-reassign-partitions (ReassignPartitionsCommand) `--verify`: a drained broker's
//! partition moves with its data (throttled) while records are produced and consumed, nothing
//! lost; `--status` follows it and removes the throttles once it is done; a replication
//! factor changes; bad plans change nothing.

use crate::common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::apache::cluster::Cluster;
use common::apache::tool;
use common::Broker;
use serde_json::Value;

const REASSIGN_COMMAND: &str = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand";
const LIMIT: Duration = Duration::from_secs(120);
/// About 100 bytes a record: some megabytes to move.
const PAD: &str =
    "..........................................................................................";

/// Each partition's replicas, by `kctl topics describe`.
fn replicas(c: &Cluster, topic: &str) -> Vec<Vec<i64>> {
    let v = c.json(&["topics", "describe", topic]);
    v["topics"][0]["partitions"]
        .as_array()
        .expect("partitions")
        .iter()
        .map(|p| {
            p["replicas"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_i64().unwrap())
                .collect()
        })
        .collect()
}

/// Polls `--status` (of `args`) until nothing is in progress; returns every answer.
fn wait_done(c: &Cluster, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["partitions", "reassign", "--status"];
    all.extend(args);
    let deadline = Instant::now() + LIMIT;
    let mut seen = Vec::new();
    loop {
        let v = c.json(&all);
        let done = v["in_progress"] == 0;
        seen.push(v);
        if done {
            return seen;
        }
        assert!(Instant::now() < deadline, "still moving: {:?}", seen.last());
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// ReassignPartitionsCommand --verify's `Reassignment of partition t-0 is completed.` lines:
/// the partitions it says are completed.
fn apache_completed(text: &str, topic: &str) -> BTreeSet<i64> {
    text.lines()
        .filter_map(|l| l.strip_prefix("Reassignment of partition "))
        .filter_map(|l| l.strip_suffix(" is completed."))
        .filter_map(|tp| tp.strip_prefix(&format!("{topic}-")))
        .map(|p| p.parse().unwrap())
        .collect()
}

#[test]
fn a_drained_broker_moves_its_data_while_records_flow_as_reassign_partitions_verifies() {
    let c = Cluster::start(&["--brokers", "3"]);
    c.kctl()
        .args(["topics", "create", "ra", "-p", "3", "-r", "1"])
        .assert()
        .success();
    c.wait_whole(LIMIT);
    let before = replicas(&c, "ra");
    let drained = before[0][0];

    // Records keep coming (a producer fed line by line) and going (a consumer group) while
    // the partition moves.
    let mut produce = c.kctl_process();
    produce
        .args(["--timeout", "60s", "produce", "ra"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    common::kill_with_parent(&mut produce);
    let mut producer = produce.spawn().expect("kctl produce");
    let mut stdin = producer.stdin.take().unwrap();
    let mut consume = c.kctl_process();
    consume
        .args(["consume", "ra", "-g", "ra-readers", "--from-beginning"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    common::kill_with_parent(&mut consume);
    let mut consumer = consume.spawn().expect("kctl consume");
    let read = Arc::new(Mutex::new(BTreeSet::<usize>::new()));
    let reader = {
        let read = read.clone();
        let out = consumer.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                let seq: usize = line.split(' ').next().unwrap().parse().unwrap();
                read.lock().unwrap().insert(seq);
            }
        })
    };
    let mut sent = 0;
    let mut send = |n: usize, stdin: &mut std::process::ChildStdin| {
        let mut s = String::new();
        for seq in sent..sent + n {
            s.push_str(&format!("{seq} {PAD}\n"));
        }
        stdin.write_all(s.as_bytes()).unwrap();
        stdin.flush().unwrap();
        sent += n;
    };
    send(30_000, &mut stdin);
    std::thread::sleep(Duration::from_secs(2));

    // The plan: the drained broker's partition only, onto another broker.
    let plan = c.json(&[
        "partitions",
        "reassign",
        "--topic",
        "ra",
        "--drain",
        &drained.to_string(),
    ]);
    assert_eq!(plan["version"], 1);
    let planned = plan["partitions"].as_array().unwrap();
    assert_eq!(planned.len(), 1, "{plan}");
    assert_eq!(planned[0]["partition"], 0);
    let target = planned[0]["replicas"][0].as_i64().unwrap();
    assert_ne!(target, drained);
    assert_eq!(planned[0]["log_dirs"], serde_json::json!(["any"]));
    // Nothing moved yet.
    assert_eq!(replicas(&c, "ra"), before);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plan.json");
    std::fs::write(&file, plan.to_string()).unwrap();
    let file = file.to_str().unwrap();

    let run = c.json(&[
        "partitions",
        "reassign",
        "--from-file",
        file,
        "--execute",
        "--yes",
        "--throttle",
        "300KB",
    ]);
    assert_eq!(run["executed"], true);
    assert_eq!(run["throttle"], 300_000);
    assert_eq!(run["partitions"][0]["result"], "started", "{run}");
    assert_eq!(
        run["rollback"]["partitions"][0]["replicas"],
        serde_json::json!([drained])
    );
    send(10_000, &mut stdin);

    let seen = wait_done(&c, &["--from-file", file]);
    // While it moved (if a status saw it move): the new replica was being added.
    for v in &seen {
        let p = &v["partitions"][0];
        if p["state"] == "in_progress" {
            assert_eq!(p["adding"], serde_json::json!([target]), "{v}");
            assert_eq!(p["removing"], serde_json::json!([drained]), "{v}");
            assert!(p["bytes_left"].is_null() || p["bytes_left"].as_i64().unwrap() >= 0);
        }
    }
    let last = seen.last().unwrap();
    assert_eq!(last["partitions"][0]["state"], "completed", "{last}");
    let removed: Vec<&str> = last["throttles_removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        removed.contains(&"topic 'ra': leader.replication.throttled.replicas"),
        "{last}"
    );
    assert!(
        removed.contains(&format!("broker {target}: follower.replication.throttled.rate").as_str()),
        "{last}"
    );
    // Gone for good: the next status removes nothing.
    let again = c.json(&["partitions", "reassign", "--status", "--from-file", file]);
    assert_eq!(again["throttles_removed"], serde_json::json!([]));

    // Apache's --verify agrees: completed.
    let out = tool(
        REASSIGN_COMMAND,
        &[
            "--bootstrap-server",
            &c.addr,
            "--reassignment-json-file",
            file,
            "--verify",
        ],
    );
    assert_eq!(apache_completed(&out, "ra"), BTreeSet::from([0]), "{out}");
    let now = replicas(&c, "ra");
    assert_eq!(now[0], vec![target]);
    assert_eq!(now[1..], before[1..]);

    // Nothing lost: the producer delivered all, the group read all.
    send(5_000, &mut stdin);
    drop(stdin);
    let out = producer.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains(&format!("delivered {sent}, failed 0")),
        "{said}"
    );
    let deadline = Instant::now() + LIMIT;
    while read.lock().unwrap().len() < sent {
        assert!(
            Instant::now() < deadline,
            "the group read {} of {sent}",
            read.lock().unwrap().len()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = consumer.kill();
    let _ = consumer.wait();
    let _ = reader.join();
    assert_eq!(*read.lock().unwrap(), (0..sent).collect::<BTreeSet<_>>());

    // A replication factor of 3, then back to 1 from the rollback of that.
    let plan = c.json(&[
        "partitions",
        "reassign",
        "--topic",
        "ra",
        "--replication-factor",
        "3",
    ]);
    assert_eq!(plan["partitions"].as_array().unwrap().len(), 3);
    let run = c.json(&[
        "partitions",
        "reassign",
        "--topic",
        "ra",
        "--replication-factor",
        "3",
        "--execute",
        "--yes",
    ]);
    wait_done(&c, &["--topic", "ra"]);
    // (The brokers' metadata shows a move a moment after the controller ends it.)
    wait_replicas(&c, |r| r.iter().all(|r| r.len() == 3));
    let rollback = dir.path().join("rollback.json");
    std::fs::write(&rollback, run["rollback"].to_string()).unwrap();
    c.json(&[
        "partitions",
        "reassign",
        "--from-file",
        rollback.to_str().unwrap(),
        "--execute",
        "--yes",
    ]);
    wait_done(&c, &["--topic", "ra"]);
    wait_replicas(&c, |r| r[0] == vec![target]);
}

/// Waits (bounded) until `ra`'s replicas are as `done` says.
fn wait_replicas(c: &Cluster, done: impl Fn(&[Vec<i64>]) -> bool) {
    let deadline = Instant::now() + LIMIT;
    loop {
        let r = replicas(c, "ra");
        if done(&r) {
            return;
        }
        assert!(Instant::now() < deadline, "replicas: {r:?}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// Runs kctl on the shared broker; returns (exit code, stderr).
fn fails(broker: &Broker, args: &[&str], stdin: Option<&str>) -> (i32, String) {
    let mut cmd = broker.kctl();
    cmd.args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_reassignments_are_clear_errors_and_change_nothing() {
    let broker = Broker::start();
    let topic = common::unique("reassign-bad");
    broker
        .kctl()
        .args(["topics", "create", &topic, "-p", "2"])
        .assert()
        .success();
    let plan = |replicas: &str, partition: i32| {
        format!(
            r#"{{"version":1,"partitions":[{{"topic":"{topic}","partition":{partition},"replicas":{replicas}}}]}}"#
        )
    };
    let cases: Vec<(Vec<&str>, Option<String>, i32, &str)> = vec![
        (
            vec![
                "--topic",
                &topic,
                "--broker-ids",
                "99",
                "--execute",
                "--yes",
            ],
            None,
            1,
            "broker not in the cluster: 99",
        ),
        (
            vec!["--drain", "42"],
            None,
            1,
            "broker not in the cluster: 42",
        ),
        (
            vec!["--from-file", "-", "--execute", "--yes"],
            Some(plan("[99]", 0)),
            1,
            "broker not in the cluster: 99",
        ),
        (
            vec!["--from-file", "-", "--execute", "--yes"],
            Some(plan("[1]", 7)),
            1,
            "partition 7",
        ),
        (
            vec![
                "--topic",
                "no-such-topic-here",
                "--replication-factor",
                "1",
                "--execute",
                "--yes",
            ],
            None,
            1,
            "topic not found: no-such-topic-here",
        ),
        (
            vec!["--from-file", "-", "--execute", "--yes"],
            Some(r#"{"version":1,"partitions":[]}"#.to_string()),
            1,
            "it names no partition",
        ),
        (
            vec!["--from-file", "-", "--execute", "--yes"],
            Some(plan("[1,1]", 0)),
            1,
            "names a broker twice",
        ),
        (
            vec![
                "--topic",
                &topic,
                "--replication-factor",
                "3",
                "--execute",
                "--yes",
            ],
            None,
            2,
            "cannot place 3 replicas",
        ),
        (vec!["--topic", &topic], None, 2, "say what to move"),
        (vec!["--broker-ids", "1"], None, 2, "name the topics"),
        (
            vec!["--throttle", "fast", "--execute"],
            None,
            2,
            "not a rate",
        ),
    ];
    let mut all = Vec::new();
    for (args, stdin, code, says) in cases {
        let mut full = vec!["partitions", "reassign"];
        full.extend(args.iter().copied());
        let (got, err) = fails(&broker, &full, stdin.as_deref());
        assert_eq!(got, code, "{full:?}: {err}");
        assert!(err.contains(says), "{full:?}: {err}");
        all.push(err);
    }
    // Nothing moved, nothing in progress.
    let v = broker.json(&["topics", "describe", &topic]);
    for p in v["topics"][0]["partitions"].as_array().unwrap() {
        assert_eq!(p["replicas"].as_array().unwrap().len(), 1, "{v}");
    }
    let status = broker.json(&["partitions", "reassign", "--status", "--topic", &topic]);
    assert_eq!(status["in_progress"], 0, "{status}");
    for p in status["partitions"].as_array().unwrap() {
        assert_eq!(p["state"], "none");
    }
    // Cancelling nothing is nothing to do.
    let cancel = broker.json(&["partitions", "reassign", "--cancel", "--topic", &topic]);
    assert_eq!(cancel["partitions"], serde_json::json!([]));
}
