//! `kctl transactions` side by side with Apache's kafka-transactions (TransactionsCommand) on
//! the same broker, around a transaction left open for real: Apache's transactional producer
//! (kafka-producer-perf-test with a transactional id and a ten-minute transaction) killed with
//! SIGKILL in the middle of its transaction. `producers` and `list` find it, `describe`,
//! `producers` and `find-hanging` say what Apache's tool says, a read_committed consumer is
//! stuck before it, `abort` aborts it (and Apache's `abort` another one, to the same effect),
//! after which the consumer moves past it. A second test leaves a transaction open from a
//! confluent-kafka (Python) producer killed with SIGKILL: `producers` and `list` find it,
//! `offsets` and `groups describe` name it where it holds the last stable offset back
//! (`held_by`), `abort` ends it and the consumers (a read_committed one, a group) move past it.

use crate::common;

use std::collections::BTreeMap;
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use common::apache::{java, libs, table, tools};
use common::{kill_with_parent, unique, Broker};
use serde_json::Value;

const TRANSACTIONS_COMMAND: &str = "org.apache.kafka.tools.TransactionsCommand";
const PRODUCER_PERFORMANCE: &str = "org.apache.kafka.tools.ProducerPerformance";

/// Apache's transactional producer writing a few records a second to `topic` in one long
/// transaction (ten minutes; the broker would abort it after its 15-minute timeout).
fn transactional_producer(broker: &Broker, topic: &str, id: &str) -> Child {
    let mut cmd = StdCommand::new(java());
    cmd.args([
        "-Xmx256m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-cp",
    ])
    .arg(format!("{}/*", libs().display()))
    .arg(PRODUCER_PERFORMANCE)
    .args([
        "--topic",
        topic,
        "--num-records",
        "100000",
        "--throughput",
        "20",
        "--record-size",
        "10",
        "--transactional-id",
        id,
        "--transaction-duration-ms",
        "600000",
        "--producer-props",
        &format!("bootstrap.servers={}", broker.addr),
        "transaction.timeout.ms=900000",
        "linger.ms=0",
    ])
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    kill_with_parent(&mut cmd);
    cmd.spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", java().display()))
}

/// `kctl transactions producers TOPIC -o json`'s producers of partition 0.
fn producers(broker: &Broker, topic: &str) -> Vec<Value> {
    let v = broker.json(&["transactions", "producers", &format!("{topic}:0")]);
    v["partitions"][0]["producers"]
        .as_array()
        .expect("producers")
        .clone()
}

/// Waits (bounded) until partition 0 of `topic` has an open transaction with records in it.
fn wait_for_open_transaction(broker: &Broker, topic: &str) {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let p = producers(broker, topic);
        if p.iter().any(|p| {
            !p["transaction_start_offset"].is_null() && p["last_sequence"].as_i64() >= Some(3)
        }) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no open transaction on {topic}: {p:?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn offsets(broker: &Broker, topic: &str) -> (i64, i64) {
    let v = broker.json(&["offsets", topic]);
    let p = &v["partitions"][0];
    (
        p["last_stable_offset"]
            .as_i64()
            .expect("last_stable_offset"),
        p["latest_offset"].as_i64().expect("latest_offset"),
    )
}

/// How many records a read_committed consumer (librdkafka's default) reads from the start of
/// `topic` to its end.
fn committed_records(broker: &Broker, topic: &str) -> usize {
    let out = broker
        .kctl()
        .args(["consume", topic, "--from-beginning", "-e"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).lines().count()
}

fn none_or(v: &Value) -> String {
    match v {
        Value::Null => "None".to_string(),
        v => v.to_string(),
    }
}

#[test]
fn a_killed_transactional_producer_is_found_compared_and_aborted() {
    let broker = Broker::start();
    let (ta, tb) = (unique("txn-a"), unique("txn-b"));
    let (ida, idb) = (unique("tx-a"), unique("tx-b"));
    for t in [&ta, &tb] {
        broker
            .kctl()
            .args(["topics", "create", t])
            .assert()
            .success();
    }
    let mut a = transactional_producer(&broker, &ta, &ida);
    let mut b = transactional_producer(&broker, &tb, &idb);
    wait_for_open_transaction(&broker, &ta);
    wait_for_open_transaction(&broker, &tb);
    a.kill().unwrap();
    b.kill().unwrap();
    a.wait().unwrap();
    b.wait().unwrap();
    // Records after the open transaction: a read_committed consumer cannot reach them.
    broker
        .kctl()
        .args(["produce", &ta])
        .write_stdin("after-1\nafter-2\nafter-3\n")
        .assert()
        .success();
    let (stable, latest) = offsets(&broker, &ta);
    assert_eq!(committed_records(&broker, &ta), 0);
    assert!(
        stable < latest,
        "the open transaction holds the stable offset back"
    );

    // kctl's facts, then Apache's, on the same state (the producers are dead: it stays).
    let listed = broker.json(&["transactions", "list", "--state", "Ongoing"]);
    let described = broker.json(&["transactions", "describe", &ida, &idb]);
    let pa = producers(&broker, &ta);
    let hanging = broker.json(&[
        "transactions",
        "find-hanging",
        "--topic",
        &ta,
        "--topic",
        &tb,
        "--max-transaction-timeout",
        "0s",
    ]);
    let b_ = broker.addr.clone();
    let args = |rest: &[&str]| -> Vec<String> {
        let mut v = vec!["--bootstrap-server".to_string(), b_.clone()];
        v.extend(rest.iter().map(|s| s.to_string()));
        v
    };
    let out = tools(&[
        (TRANSACTIONS_COMMAND, args(&["list"])),
        (
            TRANSACTIONS_COMMAND,
            args(&["describe", "--transactional-id", &ida]),
        ),
        (
            TRANSACTIONS_COMMAND,
            args(&["describe-producers", "--topic", &ta, "--partition", "0"]),
        ),
        (
            TRANSACTIONS_COMMAND,
            args(&[
                "find-hanging",
                "--topic",
                &ta,
                "--max-transaction-timeout",
                "0",
            ]),
        ),
    ]);

    // list: the same coordinator, producer id and state for both ids.
    let apache: BTreeMap<String, BTreeMap<String, String>> = table(&out[0])
        .into_iter()
        .map(|r| (r["TransactionalId"].clone(), r))
        .collect();
    for id in [&ida, &idb] {
        let k = listed["transactions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["transactional_id"] == id.as_str())
            .unwrap_or_else(|| panic!("kctl does not list {id}: {listed}"));
        let a = apache
            .get(id.as_str())
            .unwrap_or_else(|| panic!("Apache does not list {id}: {}", out[0]));
        assert_eq!(k["coordinator"].to_string(), a["Coordinator"]);
        assert_eq!(k["producer_id"].to_string(), a["ProducerId"]);
        assert_eq!(k["state"], a["TransactionState"].as_str());
        assert_eq!(k["state"], "Ongoing");
    }

    // describe: every fact but the duration (which grows between the two).
    let a = &table(&out[1])[0];
    let k = &described["transactions"][0];
    assert_eq!(k["transactional_id"], ida.as_str());
    assert_eq!(k["coordinator"].to_string(), a["CoordinatorId"]);
    assert_eq!(k["producer_id"].to_string(), a["ProducerId"]);
    assert_eq!(k["producer_epoch"].to_string(), a["ProducerEpoch"]);
    assert_eq!(k["state"], a["TransactionState"].as_str());
    assert_eq!(k["timeout_ms"].to_string(), a["TransactionTimeoutMs"]);
    assert_eq!(k["timeout_ms"], 900000);
    assert_eq!(
        k["start_time_ms"].to_string(),
        a["CurrentTransactionStartTimeMs"]
    );
    assert_eq!(
        k["partitions"],
        serde_json::json!([{"topic": ta, "partition": 0}])
    );
    assert_eq!(a["TopicPartitions"], format!("{ta}-0"));
    assert_eq!(
        described["transactions"][1]["transactional_id"],
        idb.as_str()
    );

    // describe-producers: the same producers (the plain one of `after-N` included).
    let mut apache_rows: Vec<Vec<String>> = table(&out[2])
        .into_iter()
        .map(|r| {
            vec![
                r["ProducerId"].clone(),
                r["ProducerEpoch"].clone(),
                r["LatestCoordinatorEpoch"].clone(),
                r["LastSequence"].clone(),
                r["LastTimestamp"].clone(),
                r["CurrentTransactionStartOffset"].clone(),
            ]
        })
        .collect();
    let mut kctl_rows: Vec<Vec<String>> = pa
        .iter()
        .map(|p| {
            vec![
                p["producer_id"].to_string(),
                p["producer_epoch"].to_string(),
                match &p["coordinator_epoch"] {
                    Value::Null => "-1".to_string(),
                    v => v.to_string(),
                },
                p["last_sequence"].to_string(),
                p["last_timestamp_ms"].to_string(),
                none_or(&p["transaction_start_offset"]),
            ]
        })
        .collect();
    apache_rows.sort();
    kctl_rows.sort();
    assert_eq!(kctl_rows, apache_rows);
    assert_eq!(
        kctl_rows.iter().filter(|r| r[5] != "None").count(),
        1,
        "one open transaction: {kctl_rows:?}"
    );
    let open = pa
        .iter()
        .find(|p| !p["transaction_start_offset"].is_null())
        .expect("the open transaction");
    let start = open["transaction_start_offset"].as_i64().unwrap();

    // find-hanging: the coordinator knows both: nothing hangs, for either tool.
    assert!(table(&out[3]).is_empty(), "{}", out[3]);
    assert_eq!(hanging["hanging"], serde_json::json!([]));
    assert_eq!(hanging["candidates"], 2);

    // abort: kctl's on one topic, Apache's on the other.
    let out = broker
        .kctl()
        .args(["-o", "json", "transactions", "abort", "--topic", &ta])
        .args([
            "--partition",
            "0",
            "--start-offset",
            &start.to_string(),
            "--yes",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let aborted: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(aborted["executed"], true);
    assert_eq!(aborted["producer_id"], open["producer_id"]);
    let pb = producers(&broker, &tb);
    let start_b = pb
        .iter()
        .find_map(|p| p["transaction_start_offset"].as_i64())
        .expect("tb's open transaction");
    common::apache::tool(
        TRANSACTIONS_COMMAND,
        &[
            "--bootstrap-server",
            &broker.addr,
            "abort",
            "--topic",
            &tb,
            "--partition",
            "0",
            "--start-offset",
            &start_b.to_string(),
        ],
    );
    for t in [&ta, &tb] {
        let (stable, latest) = offsets(&broker, t);
        assert_eq!(stable, latest, "{t}: nothing holds the stable offset back");
        assert!(
            producers(&broker, t)
                .iter()
                .all(|p| p["transaction_start_offset"].is_null()),
            "{t}: no open transaction"
        );
    }
    // The read_committed consumer moves past the aborted records to the plain ones.
    assert_eq!(committed_records(&broker, &ta), 3);
    // Aborting it again: there is nothing open there any more.
    broker
        .kctl()
        .args(["transactions", "abort", "--topic", &ta, "--partition", "0"])
        .args(["--start-offset", &start.to_string(), "--yes"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(format!(
            "no open transaction starts at offset {start} of partition 0 of topic '{ta}'"
        )));
}

/// A confluent-kafka (Python) transactional producer that writes `open-0..4` to partition 0
/// of `topic` in a transaction, says `open` on stdout, and waits, never committing.
const PYTHON_OPEN_TRANSACTION: &str = r#"
import sys
from confluent_kafka import Producer
brokers, topic, tid = sys.argv[1:4]
p = Producer({"bootstrap.servers": brokers, "transactional.id": tid,
              "transaction.timeout.ms": 900000})
p.init_transactions(60)
p.begin_transaction()
for i in range(5):
    p.produce(topic, value=f"open-{i}", partition=0)
if p.flush(60) != 0:
    sys.exit("records left unsent")
print("open", flush=True)
sys.stdin.read()
"#;

#[test]
fn a_transaction_left_open_by_a_killed_python_producer_is_named_where_it_holds_offsets_back() {
    use std::io::BufRead;
    let broker = Broker::start();
    let topic = unique("txn-held");
    let id = unique("tx-held");
    let group = unique("txn-held-readers");
    broker
        .kctl()
        .args(["topics", "create", &topic])
        .assert()
        .success();
    let mut cmd = common::registry::python();
    cmd.args(["-c", PYTHON_OPEN_TRANSACTION, &broker.addr, &topic, &id])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    kill_with_parent(&mut cmd);
    let mut producer = cmd.spawn().expect("python3");
    let mut line = String::new();
    std::io::BufReader::new(producer.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(
        line.trim(),
        "open",
        "the producer did not open its transaction"
    );
    // SIGKILL: no abort, no close; the transaction stays open.
    producer.kill().unwrap();
    producer.wait().unwrap();
    broker
        .kctl()
        .args(["produce", &topic])
        .write_stdin("after-1\nafter-2\nafter-3\n")
        .assert()
        .success();
    common::commit_offsets(&broker, &group, &topic, &[0]);

    // producers and list find it.
    let open: Vec<Value> = producers(&broker, &topic)
        .into_iter()
        .filter(|p| !p["transaction_start_offset"].is_null())
        .collect();
    assert_eq!(open.len(), 1, "{open:?}");
    let (pid, start) = (
        open[0]["producer_id"].clone(),
        open[0]["transaction_start_offset"].as_i64().unwrap(),
    );
    assert_eq!(start, 0);
    let listed = broker.json(&["transactions", "list", "--state", "Ongoing"]);
    let found = listed["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["transactional_id"] == id.as_str())
        .unwrap_or_else(|| panic!("{id} is not listed: {listed}"));
    assert_eq!(found["producer_id"], pid);

    // offsets and groups describe name it where it holds the last stable offset back.
    let held = serde_json::json!({
        "producer_id": pid, "producer_epoch": open[0]["producer_epoch"],
        "transactional_id": id, "start_offset": 0,
    });
    let v = broker.json(&["offsets", &topic]);
    let p = &v["partitions"][0];
    assert_eq!(p["last_stable_offset"], 0, "{v}");
    assert_eq!(p["latest_offset"], 8, "{v}");
    assert_eq!(p["held_by"], held, "{v}");
    let g = broker.json(&["groups", "describe", &group]);
    assert_eq!(g["groups"][0]["offsets"][0]["held_by"], held, "{g}");
    let out = broker.kctl().args(["offsets", &topic]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let rows = table(&text);
    assert_eq!(rows[0]["HELD-BY"], format!("{id}(pid={pid})"), "{text}");
    // A read_committed consumer is stuck before it.
    assert_eq!(committed_records(&broker, &topic), 0);

    // abort, then nothing holds anything back and the consumers move past it.
    broker
        .kctl()
        .args([
            "transactions",
            "abort",
            "--topic",
            &topic,
            "--partition",
            "0",
        ])
        .args(["--start-offset", &start.to_string(), "--yes"])
        .assert()
        .success();
    let v = broker.json(&["offsets", &topic]);
    assert_eq!(v["partitions"][0]["held_by"], Value::Null, "{v}");
    let (stable, latest) = offsets(&broker, &topic);
    assert_eq!(stable, latest);
    let out = broker.kctl().args(["offsets", &topic]).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("HELD-BY"));
    assert_eq!(committed_records(&broker, &topic), 3);
    let out = broker
        .kctl()
        .args(["consume", &topic, "-g", &group, "-e"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "after-1\nafter-2\nafter-3\n"
    );
    let g = broker.json(&["groups", "describe", &group]);
    assert_eq!(g["groups"][0]["offsets"][0]["lag"], 0, "{g}");
    assert_eq!(g["groups"][0]["offsets"][0]["held_by"], Value::Null, "{g}");
}
