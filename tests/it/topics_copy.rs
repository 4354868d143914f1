//! `kctl topics copy`: records copied between two real brokers are byte-identical (keys,
//! values, headers, timestamps and their type, partitions, order), as read back by an
//! independent client (rust-rdkafka's own consumer, not kctl's), also after a killed copy was
//! resumed; bad input fails clearly with nothing written.
//!
//! The copy between brokers is of 1,000,000 records (about 30 s on a debug build); the timings
//! beside other ways to copy are `bench/topics-copy.sh`'s.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::common::{self, Broker};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, Timestamp, TopicPartitionList};

/// A record as compared: everything a copy keeps.
type Compared = (
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Vec<(String, Option<Vec<u8>>)>,
    String,
);

fn create(broker: &Broker, topic: &str, partitions: u32) {
    broker
        .kctl()
        .args(["topics", "create", topic, "-p", &partitions.to_string()])
        .assert()
        .success();
}

/// Writes `n` records over `partitions` partitions with rust-rdkafka: binary keys (some
/// null), binary values (some null, some empty), headers (a null value among them) and
/// create-time timestamps that go back and forth.
fn fill(broker: &Broker, topic: &str, partitions: i32, from: u64, n: u64) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &broker.addr)
        .set("linger.ms", "20")
        .set("queue.buffering.max.messages", "1000000")
        .create()
        .unwrap();
    let base = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        - 2 * 86_400_000;
    for i in from..from + n {
        let key = (i % 7 != 0).then(|| {
            let mut k = vec![0u8, 0xff, (i % 251) as u8];
            k.extend_from_slice(&i.to_be_bytes());
            k
        });
        let value: Option<Vec<u8>> = match i % 11 {
            0 => None,
            1 => Some(Vec::new()),
            _ => Some(
                (0..(i % 50) as u8)
                    .map(|b| b.wrapping_mul(37) ^ 0x80)
                    .collect(),
            ),
        };
        let mut headers = OwnedHeaders::new();
        if i % 3 == 0 {
            headers = headers
                .insert(Header {
                    key: "trace",
                    value: Some(&i.to_le_bytes()[..]),
                })
                .insert(Header {
                    key: "nil",
                    value: None::<&[u8]>,
                })
                .insert(Header {
                    key: "trace",
                    value: Some(&[0xc3, 0x28][..]),
                });
        }
        // Within the last two days: older records would go by the topic's retention.
        let ts = base + (i as i64 * 7919) % 86_400_000;
        let mut record = BaseRecord::<Vec<u8>, Vec<u8>>::to(topic)
            .partition((i % partitions as u64) as i32)
            .timestamp(ts)
            .headers(headers);
        if let Some(k) = &key {
            record = record.key(k);
        }
        if let Some(v) = &value {
            record = record.payload(v);
        }
        let mut record = record;
        loop {
            match producer.send(record) {
                Ok(()) => break,
                Err((_, back)) => {
                    record = back;
                    producer.poll(Duration::from_millis(10));
                }
            }
        }
        if i % 10_000 == 0 {
            producer.poll(Duration::ZERO);
        }
    }
    producer.flush(Duration::from_secs(60)).unwrap();
}

/// Every record of `topic`, by partition, in order, read by rust-rdkafka's consumer up to the
/// high watermarks.
fn read_all(broker: &Broker, topic: &str, partitions: i32) -> BTreeMap<i32, Vec<Compared>> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &broker.addr)
        .set("group.id", "topics-copy-check")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    let mut ends = BTreeMap::new();
    for p in 0..partitions {
        let (_, hi) = consumer
            .fetch_watermarks(topic, p, Duration::from_secs(20))
            .unwrap();
        ends.insert(p, hi);
        tpl.add_partition_offset(topic, p, Offset::Beginning)
            .unwrap();
    }
    consumer.assign(&tpl).unwrap();
    let mut out: BTreeMap<i32, Vec<Compared>> = (0..partitions).map(|p| (p, Vec::new())).collect();
    let mut done: Vec<i32> = ends
        .iter()
        .filter(|(_, e)| **e == 0)
        .map(|(p, _)| *p)
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    while done.len() < partitions as usize {
        assert!(Instant::now() < deadline, "reading {topic} timed out");
        let Some(msg) = consumer.poll(Duration::from_millis(200)) else {
            continue;
        };
        let msg = msg.unwrap();
        let headers = msg
            .headers()
            .map(|h| {
                h.iter()
                    .map(|h| (h.key.to_string(), h.value.map(<[u8]>::to_vec)))
                    .collect()
            })
            .unwrap_or_default();
        let ts = match msg.timestamp() {
            Timestamp::CreateTime(t) => format!("create:{t}"),
            Timestamp::LogAppendTime(t) => format!("append:{t}"),
            Timestamp::NotAvailable => "none".into(),
        };
        out.get_mut(&msg.partition()).unwrap().push((
            msg.key().map(<[u8]>::to_vec),
            msg.payload().map(<[u8]>::to_vec),
            headers,
            ts,
        ));
        if msg.offset() + 1 >= ends[&msg.partition()] {
            done.push(msg.partition());
        }
    }
    out
}

fn high_watermarks(broker: &Broker, topic: &str, partitions: i32) -> Vec<i64> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &broker.addr)
        .create()
        .unwrap();
    (0..partitions)
        .map(|p| {
            consumer
                .fetch_watermarks(topic, p, Duration::from_secs(10))
                .map_or(0, |w| w.1)
        })
        .collect()
}

/// A copy to another broker, killed (SIGKILL) part-way and resumed, leaves the destination
/// byte-identical to the source, with an exact count; the destination is created like the
/// source (its partition count and configs).
#[test]
fn a_copy_between_brokers_is_identical_also_when_killed_and_resumed() {
    const N: u64 = 1_000_000;
    let src = Broker::start();
    let dst = Broker::private();
    let topic = common::unique("copy-src");
    src.kctl()
        .args([
            "topics",
            "create",
            &topic,
            "-p",
            "3",
            "-c",
            "retention.ms=86400000000",
        ])
        .assert()
        .success();
    fill(&src, &topic, 3, 0, N / 2);

    // Killed (following the source) once the destination holds the first half; the second
    // half is written after.
    let mut child = common::kctl_command()
        .args([
            "-b",
            &src.addr,
            "-q",
            "topics",
            "copy",
            &topic,
            &topic,
            "--to-brokers",
        ])
        .arg(&dst.addr)
        .args(["--create", "--follow"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let held: i64 = high_watermarks(&dst, &topic, 3).iter().sum();
        if held >= N as i64 / 2 {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
            panic!("the copy ended ({status}) before it could be killed: {stderr}");
        }
        assert!(Instant::now() < deadline, "the copy is too slow");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let held: i64 = high_watermarks(&dst, &topic, 3).iter().sum();
    assert_eq!(held, N as i64 / 2);
    fill(&src, &topic, 3, N / 2, N / 2);

    // Resumed: the rest, nothing twice; to the destination a context of the config file
    // names.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[contexts.dr]\nbrokers = \"{}\"\n", dst.addr),
    )
    .unwrap();
    let out = src
        .kctl()
        .env("KCTL_CONFIG", &config)
        .args(["-o", "json", "topics", "copy", &topic, &topic])
        .args(["--to-context", "dr", "--resume"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["resumed"], true, "{summary}");
    assert_eq!(summary["destination_cluster"], "context dr", "{summary}");
    assert_eq!(summary["failed"], 0);
    let skipped: u64 = (0..3)
        .map(|p| summary["partitions"][p]["skipped"].as_u64().unwrap())
        .sum();
    assert_eq!(skipped, held as u64, "{summary}");
    assert_eq!(
        summary["copied"].as_u64().unwrap() + skipped,
        N,
        "{summary}"
    );

    let (a, b) = (read_all(&src, &topic, 3), read_all(&dst, &topic, 3));
    for p in 0..3 {
        assert_eq!(a[&p].len(), b[&p].len(), "partition {p}");
        if let Some(i) = (0..a[&p].len()).find(|i| a[&p][*i] != b[&p][*i]) {
            panic!(
                "partition {p}, record {i}: {:?} != {:?}",
                a[&p][i], b[&p][i]
            );
        }
    }
    assert_eq!(a.values().map(Vec::len).sum::<usize>() as u64, N);

    // Created like the source: its partitions and its configs.
    let described = dst.json(&["topics", "describe", &topic]);
    let text = described.to_string();
    assert!(text.contains("86400000000"), "{text}");

    // Resumed again: nothing left to copy.
    let again = src.json(&[
        "topics",
        "copy",
        &topic,
        &topic,
        "--to-brokers",
        &dst.addr,
        "--resume",
    ]);
    assert_eq!(again["copied"], 0, "{again}");
}

/// Bad input fails clearly, before anything is written; a dry run writes nothing; a copy on
/// one cluster keeps partitions and prints its summary.
#[test]
fn bad_input_fails_with_nothing_written() {
    let broker = Broker::start();
    let src = common::unique("copy-bad-src");
    let dst = common::unique("copy-bad-dst");
    let other = common::unique("copy-bad-other");
    create(&broker, &src, 2);
    create(&broker, &other, 3);
    broker
        .kctl()
        .args(["produce", &src, "-K", " ", "--partition", "1"])
        .write_stdin("k1 a\nk2 b\nk3 c\n")
        .assert()
        .success();

    let fails = |args: &[&str], code: i32, says: &str| {
        let out = broker
            .kctl()
            .args(["topics", "copy"])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    };
    fails(&[&src, &src], 2, "onto itself");
    fails(
        &[&src, &src, "--to-brokers", &broker.addr],
        2,
        "the source's own cluster",
    );
    fails(&[&src, &dst, "--to-brokers", "no-port"], 2, "--to-brokers");
    fails(
        &[&src, &dst, "--resume", "--partitioner", "murmur2"],
        2,
        "cannot be used",
    );
    fails(&[&src, &dst, "--to-context", "nowhere"], 2, "nowhere");
    fails(&[&src, &dst, "-X", "acks=1"], 2, "acks=all");
    fails(&[&src, &dst, "--offset", "soon"], 2, "invalid offset");
    fails(&[&src, &dst], 1, "add --create");
    fails(&[&src, &other], 1, "--partitioner");
    fails(&[&src, &dst, "-p", "5"], 1, "partition 5");
    // Nothing was created by any of them.
    broker
        .kctl()
        .args(["topics", "describe", &dst])
        .assert()
        .failure();

    // A dry run creates and writes nothing.
    let plan = broker.json(&["topics", "copy", &src, &dst, "--create", "--dry-run"]);
    assert_eq!(plan["dry_run"], true);
    assert_eq!(plan["created"], true);
    assert_eq!(plan["partitions"][1]["end_offset"], 3, "{plan}");
    assert_eq!(plan["copied"], serde_json::Value::Null);
    broker
        .kctl()
        .args(["topics", "describe", &dst])
        .assert()
        .failure();

    // The copy itself, on one cluster: records keep their partition.
    let out = broker
        .kctl()
        .args(["topics", "copy", &src, &dst, "--create"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "Copied 3 records from '{src}' to '{dst}'; failed: 0"
        )),
        "{text}"
    );
    let consumed = broker
        .kctl()
        .args([
            "consume",
            &dst,
            "-p",
            "1",
            "--from-beginning",
            "-e",
            "--format",
            "%k=%v\\n",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&consumed.stdout),
        "k1=a\nk2=b\nk3=c\n"
    );

    // From --offset: the last 2 records of each partition.
    let tail = common::unique("copy-bad-tail");
    let copied = broker.json(&["topics", "copy", &src, &tail, "--create", "--offset", "-2"]);
    assert_eq!(copied["copied"], 2, "{copied}");
    assert_eq!(copied["partitions"][1]["start_offset"], 1, "{copied}");
    let consumed = broker
        .kctl()
        .args([
            "consume",
            &tail,
            "--from-beginning",
            "-e",
            "--format",
            "%k\\n",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&consumed.stdout), "k2\nk3\n");

    // Resuming into a destination that does not hold an earlier copy is refused, nothing
    // written.
    broker
        .kctl()
        .args(["produce", &other, "--partition", "0"])
        .write_stdin("x\n")
        .assert()
        .success();
    let third = common::unique("copy-bad-third");
    create(&broker, &third, 2);
    broker
        .kctl()
        .args(["produce", &third, "--partition", "1"])
        .write_stdin("not a copy\n")
        .assert()
        .success();
    fails(&[&src, &third, "--resume"], 1, "cannot resume");
    let ends = high_watermarks(&broker, &third, 2);
    assert_eq!(ends, [0, 1]);
    // More records than the source has: refused too.
    broker
        .kctl()
        .args(["produce", &third, "--partition", "1"])
        .write_stdin("a\nb\nc\nd\n")
        .assert()
        .success();
    fails(&[&src, &third, "--resume"], 1, "holds 5 records");
}

/// `--follow` copies what is written after it started, until Ctrl-C, which ends it cleanly
/// (exit 130) with its summary; `--partitioner` copies into another partition count, each key
/// to one partition.
#[test]
fn follow_until_ctrl_c_and_a_partitioner_for_another_partition_count() {
    let broker = Broker::start();
    let src = common::unique("copy-follow-src");
    let dst = common::unique("copy-follow-dst");
    let wide = common::unique("copy-follow-wide");
    create(&broker, &src, 2);
    create(&broker, &wide, 5);
    broker
        .kctl()
        .args(["produce", &src, "-K", " "])
        .write_stdin("a 1\nb 2\nc 3\na 4\n")
        .assert()
        .success();

    let child = common::kctl_command()
        .args([
            "-b",
            &broker.addr,
            "-o",
            "json",
            "topics",
            "copy",
            &src,
            &dst,
        ])
        .args(["--create", "--follow"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut written = false;
    loop {
        let held: i64 = high_watermarks(&broker, &dst, 2).iter().sum();
        if held == 4 && !written {
            broker
                .kctl()
                .args(["produce", &src, "-K", " "])
                .write_stdin("d 5\n")
                .assert()
                .success();
            written = true;
        }
        if held == 5 {
            break;
        }
        assert!(Instant::now() < deadline, "the copy did not follow: {held}");
        std::thread::sleep(Duration::from_millis(50));
    }
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["interrupted"], true, "{summary}");
    assert_eq!(summary["copied"], 5, "{summary}");
    assert_eq!(
        summary["partitions"][0]["end_offset"],
        serde_json::Value::Null
    );

    let copied = broker.json(&["topics", "copy", &src, &wide, "--partitioner", "murmur2"]);
    assert_eq!(copied["copied"], 5, "{copied}");
    // Every record of a key in one partition, in order.
    let out = broker
        .kctl()
        .args(["-o", "json", "consume", &wide, "--from-beginning", "-e"])
        .output()
        .unwrap();
    let records: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 5);
    let of_a: Vec<&serde_json::Value> = records.iter().filter(|r| r["key"] == "a").collect();
    assert_eq!(of_a.len(), 2);
    assert_eq!(of_a[0]["partition"], of_a[1]["partition"]);
    assert!(of_a[0]["offset"].as_i64() < of_a[1]["offset"].as_i64());
}

/// A record DST cannot take stops the copy there (exit 1, the failure counted and named);
/// what came before it is in DST, and once DST takes it, `--resume` copies the rest.
#[test]
fn a_record_the_destination_refuses_stops_the_copy_which_resumes_once_fixed() {
    let broker = Broker::start();
    let src = common::unique("copy-large-src");
    let dst = common::unique("copy-large-dst");
    create(&broker, &src, 1);
    let big = "x".repeat(3000);
    broker
        .kctl()
        .args(["produce", &src])
        .write_stdin(format!("a\nb\nc\n{big}\nd\ne\n"))
        .assert()
        .success();
    broker
        .kctl()
        .args([
            "topics",
            "create",
            &dst,
            "-p",
            "1",
            "-c",
            "max.message.bytes=1000",
        ])
        .assert()
        .success();
    let out = broker
        .kctl()
        .args(["-o", "json", "topics", "copy", &src, &dst])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("max.message.bytes (1000 bytes)"),
        "{stderr}"
    );
    assert!(stderr.contains("--resume"), "{stderr}");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["copied"], 3, "{summary}");
    assert_eq!(summary["failed"], 1, "{summary}");
    assert!(
        summary["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("record 3 of partition 0: "),
        "{summary}"
    );
    assert_eq!(high_watermarks(&broker, &dst, 1), [3]);

    broker
        .kctl()
        .args(["topics", "alter", &dst, "--set", "max.message.bytes=100000"])
        .assert()
        .success();
    let resumed = broker.json(&["topics", "copy", &src, &dst, "--resume"]);
    assert_eq!(resumed["partitions"][0]["skipped"], 3, "{resumed}");
    assert_eq!(resumed["copied"], 3, "{resumed}");
    assert_eq!(read_all(&broker, &src, 1), read_all(&broker, &dst, 1));
}

#[test]
fn grep_and_where_copy_only_the_records_they_match_and_a_filtered_copy_resumes() {
    let broker = Broker::start();
    let src = common::unique("copy-filter-src");
    create(&broker, &src, 2);
    let lines: String = (1..=20)
        .map(|i| format!("k{i} {{\"order_id\": {i}, \"qty\": {}}}\n", i % 4))
        .collect();
    broker
        .kctl()
        .args(["produce", &src, "-K", " ", "--partition", "1"])
        .write_stdin(lines)
        .assert()
        .success();

    // Bad filters are usage errors before any connection, nothing created.
    let dst = common::unique("copy-filter-dst");
    for bad in [["--where", ".value |"], ["--grep", "k:(unclosed"]] {
        let out = common::kctl()
            .args([
                "-b",
                &common::dead_port(),
                "topics",
                "copy",
                &src,
                &dst,
                "--create",
            ])
            .args(bad)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {out:?}");
    }

    // --where: qty 3 (orders 3, 7, 11, 15, 19); --grep: keys k1... (k1, k10-k19), not k13.
    let copied = broker.json(&[
        "topics",
        "copy",
        &src,
        &dst,
        "--create",
        "--where",
        ".value | fromjson | .qty == 3",
        "--grep",
        "k:^k1",
        "--grep",
        "!k:^k13$",
    ]);
    assert_eq!(copied["copied"], 3, "{copied}");
    let keys = |topic: &str| {
        let out = broker
            .kctl()
            .args([
                "consume",
                topic,
                "--from-beginning",
                "-e",
                "--format",
                "%p:%k\\n",
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(keys(&dst), "1:k11\n1:k15\n1:k19\n");

    // More matching records arrive; the filtered copy resumes with the same filters.
    broker
        .kctl()
        .args(["produce", &src, "-K", " ", "--partition", "1"])
        .write_stdin("k31 {\"qty\": 3}\nk14 {\"qty\": 3}\nk17 {\"qty\": 1}\n")
        .assert()
        .success();
    let resumed = broker.json(&[
        "topics",
        "copy",
        &src,
        &dst,
        "--resume",
        "--where",
        ".value | fromjson | .qty == 3",
        "--grep",
        "k:^k1",
        "--grep",
        "!k:^k13$",
    ]);
    assert_eq!(resumed["copied"], 1, "{resumed}");
    assert_eq!(keys(&dst), "1:k11\n1:k15\n1:k19\n1:k14\n");
}
