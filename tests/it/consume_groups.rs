//! `kctl consume` as a group member and with `-e` against Apache Kafka: what it commits with a
//! transaction open, across rebalances, under a slow reader.

use crate::common;

use std::time::{Duration, Instant};

use common::Broker;
use rdkafka::config::ClientConfig;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};

fn create(broker: &Broker, topic: &str, partitions: u32) {
    broker
        .kctl()
        .args(["topics", "create", topic, "-p", &partitions.to_string()])
        .assert()
        .success();
}

fn produce(broker: &Broker, topic: &str, input: &str) {
    broker
        .kctl()
        .args(["produce", topic])
        .write_stdin(input)
        .assert()
        .success();
}

/// Runs `kctl --timeout 20s consume TOPIC ARGS`; asserts it succeeded well within its
/// timeout, and returns its stdout.
fn consume(broker: &Broker, topic: &str, args: &[&str]) -> String {
    let started = Instant::now();
    let out = broker
        .kctl()
        .args(["--timeout", "20s", "consume", topic])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "consume {args:?} failed: {stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "consume {args:?} took {:?}: {stderr}",
        started.elapsed()
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The group's committed offset of each partition of `topic` (`None` where it has none).
fn committed(broker: &Broker, group: &str, topic: &str) -> Vec<Option<i64>> {
    let described = broker.json(&["groups", "describe", group]);
    let mut offsets: Vec<(i64, Option<i64>)> = described["groups"][0]["offsets"]
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
        .iter()
        .filter(|o| o["topic"] == topic)
        .map(|o| {
            (
                o["partition"].as_i64().unwrap(),
                o["current_offset"].as_i64(),
            )
        })
        .collect();
    offsets.sort();
    offsets.into_iter().map(|(_, o)| o).collect()
}

/// The group's committed offset of partition 0, if it has one yet (`None` for a group that is
/// not there yet).
fn committed_now(broker: &Broker, group: &str) -> Option<i64> {
    let out = broker
        .kctl()
        .args(["-o", "json", "groups", "describe", group])
        .output()
        .unwrap();
    let described: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    described["groups"][0]["offsets"][0]["current_offset"].as_i64()
}

/// A transactional producer holding a transaction open on partition 0 of `topic` with
/// `records` in it.
fn open_transaction(broker: &Broker, topic: &str, records: &[&str]) -> BaseProducer {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &broker.addr)
        .set("transactional.id", common::unique("kctl-consume-txn"))
        .create()
        .unwrap();
    producer.init_transactions(Duration::from_secs(30)).unwrap();
    producer.begin_transaction().unwrap();
    for r in records {
        producer
            .send(BaseRecord::<(), str>::to(topic).partition(0).payload(r))
            .unwrap();
    }
    producer.flush(Duration::from_secs(30)).unwrap();
    producer
}

/// Commits the transaction and waits for its commit marker (written after the commit
/// returns), so the records are readable.
fn commit_transaction(broker: &Broker, producer: BaseProducer, topic: &str, stable: i64) {
    producer
        .commit_transaction(Duration::from_secs(30))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let offsets = broker.json(&["offsets", topic]);
        if offsets["partitions"][0]["last_stable_offset"] == stable {
            return;
        }
        assert!(Instant::now() < deadline, "{offsets}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// With a transaction open, `-e` stops at the last stable offset and a group commits that, not
/// the high watermark: once the transaction commits, its records are delivered to the group.
/// So with the consumer protocol, with a new group that starts at the end, and reading
/// uncommitted (then the end is the high watermark). Started at or past the last stable
/// offset, `-e` ends at once.
#[test]
fn an_open_transaction_is_where_exit_at_end_stops_and_what_the_group_commits() {
    let broker = Broker::start();
    let topic = common::unique("consume-txn");
    create(&broker, &topic, 1);
    produce(&broker, &topic, "a\nb\n");
    let producer = open_transaction(&broker, &topic, &["t1", "t2"]);

    let classic = common::unique("txn-classic");
    let consumer = common::unique("txn-consumer");
    let at_end = common::unique("txn-at-end");
    let uncommitted = common::unique("txn-uncommitted");
    for (group, protocol) in [(&classic, "classic"), (&consumer, "consumer")] {
        let protocol = format!("group.protocol={protocol}");
        let args = ["-g", group, "--from-beginning", "-e", "-X", &protocol];
        assert_eq!(consume(&broker, &topic, &args), "a\nb\n", "{group}");
        assert_eq!(committed(&broker, group, &topic), [Some(2)], "{group}");
    }
    let out = consume(
        &broker,
        &topic,
        &["-g", &consumer, "-X", "group.protocol=consumer", "-e"],
    );
    assert_eq!(out, "");
    assert_eq!(consume(&broker, &topic, &["-g", &at_end, "-e"]), "");
    assert_eq!(committed(&broker, &at_end, &topic), [Some(2)]);
    let out = consume(
        &broker,
        &topic,
        &[
            "-g",
            &uncommitted,
            "--from-beginning",
            "-e",
            "-X",
            "isolation.level=read_uncommitted",
        ],
    );
    assert_eq!(out, "a\nb\nt1\nt2\n");
    assert_eq!(committed(&broker, &uncommitted, &topic), [Some(4)]);

    // By assignment, from at or past the last stable offset: nothing, at once.
    for start in [
        &[][..],
        &["--offset", "end"],
        &["--offset", "2"],
        &["--offset", "3"],
    ] {
        let out = consume(&broker, &topic, &[&["-e"][..], start].concat());
        assert_eq!(out, "", "{start:?}");
    }
    assert_eq!(consume(&broker, &topic, &["--offset", "-1", "-e"]), "b\n");

    // The transaction commits (its marker at 4), then a record after it: the groups that
    // stopped at the last stable offset get the transaction's records.
    commit_transaction(&broker, producer, &topic, 5);
    produce(&broker, &topic, "c\n");
    for group in [&classic, &at_end] {
        assert_eq!(
            consume(&broker, &topic, &["-g", group, "-e"]),
            "t1\nt2\nc\n",
            "{group}"
        );
        assert_eq!(committed(&broker, group, &topic), [Some(6)], "{group}");
    }
    let out = consume(
        &broker,
        &topic,
        &["-g", &consumer, "-X", "group.protocol=consumer", "-e"],
    );
    assert_eq!(out, "t1\nt2\nc\n");
    assert_eq!(consume(&broker, &topic, &["-g", &uncommitted, "-e"]), "c\n");
}

/// Classic (eager) rebalances with `-e`: a partition that a member read to its end, taken away
/// and given back, is done again (kctl paused it at its end, and librdkafka keeps a pause
/// across assignments: it was never fetched again, the member waited for `--timeout` and
/// failed). Member A reads a 1-record partition to its end, then blocks on its stdout in the
/// middle of a long one; B joins (a rebalance), A is let go, B reads its share to the end and
/// leaves (a rebalance that gives A everything back).
#[test]
fn exit_at_end_finishes_partitions_given_back_by_a_rebalance() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::Stdio;

    let broker = Broker::start();
    let topic = common::unique("consume-given-back");
    let group = common::unique("given-back");
    create(&broker, &topic, 2);
    broker
        .kctl()
        .args(["produce", &topic, "-p", "0"])
        .write_stdin("small\n")
        .assert()
        .success();
    let value = "v".repeat(100);
    let big: String = (0..30_000).map(|_| format!("{value}\n")).collect();
    broker
        .kctl()
        .args(["produce", &topic, "-p", "1"])
        .write_stdin(big)
        .assert()
        .success();

    let member = |timeout: &str| {
        let mut cmd = common::kctl_command();
        // Small fetches: partition 0's end arrives right after its record, long before the
        // stdout pipe of A fills with partition 1.
        cmd.args(["-b", &broker.addr, "--timeout", timeout])
            .args(["consume", &topic, "-g", &group, "--from-beginning", "-e"])
            .args([
                "--format",
                "%p %v\\n",
                "-X",
                "max.partition.fetch.bytes=10000",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        common::kill_with_parent(&mut cmd);
        cmd.spawn().unwrap()
    };
    let started = Instant::now();
    let mut a = member("20s");
    let mut a_out = BufReader::new(a.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(a_out.read_line(&mut line).unwrap() > 0, "A ended early");
        if line.starts_with("0 ") {
            break;
        }
    }
    // A reads on until its stdout is full.
    std::thread::sleep(Duration::from_secs(2));
    let mut b = member("60s");
    let b_out = b.stdout.take().unwrap();
    let b_read = std::thread::spawn(move || std::io::read_to_string(b_out).unwrap());
    std::thread::sleep(Duration::from_secs(3));
    let a_read = std::thread::spawn(move || {
        let mut rest = String::new();
        a_out.read_to_string(&mut rest).unwrap();
        rest
    });
    let b_status = b.wait().unwrap();
    let mut b_err = String::new();
    b.stderr.take().unwrap().read_to_string(&mut b_err).unwrap();
    assert!(b_status.success(), "B: {b_err}");
    let a_status = a.wait().unwrap();
    let mut a_err = String::new();
    a.stderr.take().unwrap().read_to_string(&mut a_err).unwrap();
    assert!(a_status.success(), "A: {a_err}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    let (_, _) = (a_read.join().unwrap(), b_read.join().unwrap());
    // Everything was read to its end and committed, and nobody is left in the group.
    assert_eq!(committed(&broker, &group, &topic), [Some(1), Some(30_000)]);
    let described = broker.json(&["groups", "describe", &group]);
    assert_eq!(described["groups"][0]["members"], serde_json::json!([]));
}

/// Behind a slow reader of its pipe, a group member commits what the reader took about every
/// second (it used to commit once per 256 KiB of output, every several seconds at this pace),
/// and SIGTERM ends it promptly (it used to write out its whole buffer first), having
/// committed exactly what the reader got, which ends with a whole record.
#[test]
fn a_slow_reader_gets_commits_every_second_and_a_prompt_sigterm() {
    use std::io::Read;
    use std::process::Stdio;
    use std::sync::{Arc, Mutex};

    let broker = Broker::start();
    let topic = common::unique("consume-slow-reader");
    let group = common::unique("slow-reader");
    create(&broker, &topic, 1);
    let value = "v".repeat(200);
    let records: String = (0..20_000).map(|_| format!("{value}\n")).collect();
    produce(&broker, &topic, &records);

    let mut cmd = common::kctl_command();
    cmd.args(["-b", &broker.addr, "consume", &topic, "-g", &group])
        .args(["--from-beginning", "--format", "%o %v\\n"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    common::kill_with_parent(&mut cmd);
    let mut child = cmd.spawn().unwrap();
    // About 40 KB/s: 4 KiB every 100 ms.
    let got = Arc::new(Mutex::new(Vec::new()));
    let reader = {
        let got = got.clone();
        let mut stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            loop {
                match stdout.read(&mut chunk) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => got.lock().unwrap().extend_from_slice(&chunk[..n]),
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let watching = Instant::now();
    let mut seen = Vec::new();
    // At this pace a 256 KiB buffer takes over 6 s to write out: 12 s used to see at most 2
    // commits. (Each look at the group takes a while on a loaded machine: ask for a few.)
    while watching.elapsed() < Duration::from_secs(12) {
        if let Some(o) = committed_now(&broker, &group) {
            if seen.last() != Some(&o) {
                seen.push(o);
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(seen.len() >= 4, "commits seen in 12 s: {seen:?}");

    let asked = Instant::now();
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    let ended = asked.elapsed();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(143), "{stderr}");
    assert!(ended < Duration::from_secs(3), "SIGTERM took {ended:?}");
    reader.join().unwrap();
    let got = String::from_utf8(got.lock().unwrap().clone()).unwrap();
    assert!(got.ends_with('\n'), "a whole record last");
    let last: i64 = got
        .lines()
        .last()
        .and_then(|l| l.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(got.lines().count() as i64, last + 1);
    assert_eq!(committed(&broker, &group, &topic), [Some(last + 1)]);
}
