//! kctl on a three-broker Apache Kafka cluster while brokers die: `produce` (acks=all,
//! idempotent) into a topic with replication factor 3 and min.insync.replicas=2 loses and
//! duplicates nothing while a partition leader is killed (SIGKILL) and started again;
//! `consume -e` prints every record once while the leader of a partition it reads is killed;
//! `topics describe` shows the shrunken ISR while a broker is down; `doctor` names the broker
//! that advertises an address clients cannot reach.
//!
//! The tests that kill brokers share one cluster and run one at a time ([`serial`]); each
//! waits for a whole cluster first and leaves it whole (the killed node started again, even
//! when the test fails, and every replica back in sync). The cluster runs docker-compose.yaml's
//! settings, except that __consumer_offsets is replicated three times as on any real
//! three-broker cluster (with one replica, a killed broker would take the group coordinator of
//! some groups with it).
//!
//! A failover takes a while: KRaft fences a killed broker only when its session times out
//! (broker.session.timeout.ms, 9 s by default), and only then elects new leaders for the
//! partitions it led, about 10 s in all here. kctl's default `--timeout` is 10 s, which bounds
//! each message's delivery (produce) and a partition without progress (consume): too close to
//! the failover time to be reliable, so these tests give kctl `--timeout 60s`.

use crate::common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use common::apache::cluster::Cluster;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::Consumer;
use rdkafka::message::Message;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};
use serde_json::Value;

/// Messages each produce/consume test writes.
const MESSAGES: usize = 100_000;
/// Keys of the produce test (`k00`..`k63`): several per partition.
const KEYS: usize = 64;
/// Partitions of each test's topic.
const PARTITIONS: i32 = 3;
/// Generous bound for anything that waits on the cluster (failover, restart, catching up).
const LIMIT: Duration = Duration::from_secs(180);

/// The cluster the broker-killing tests share.
fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        Cluster::start(&[
            "--brokers",
            "3",
            "--override",
            "offsets.topic.replication.factor=3",
        ])
    })
}

/// One broker-killing test at a time (a failed one must not stop the others).
fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// A topic of the test's own: 3 partitions, replication factor 3, min.insync.replicas=2.
fn create_topic(c: &Cluster, prefix: &str) -> String {
    let topic = common::unique(prefix);
    c.kctl()
        .args(["topics", "create", &topic, "-p", &PARTITIONS.to_string()])
        .args(["-r", "3", "-c", "min.insync.replicas=2"])
        .assert()
        .success();
    known_everywhere(c, &topic);
    topic
}

/// Waits until every broker's metadata has the topic. `kctl topics create` returns once the
/// metadata of the broker it asks shows the topic, but each broker learns of a new topic on
/// its own: on a loaded machine the next kctl (asking another broker) could still be told
/// that the topic does not exist (a kctl bug, reported). A kctl given one node's address asks
/// that node first.
fn known_everywhere(c: &Cluster, topic: &str) {
    for node in &c.nodes {
        wait_for(LIMIT, &format!("{topic} in the metadata of {node}"), || {
            common::kctl()
                .args(["-b", node, "topics", "describe", topic])
                .output()
                .unwrap()
                .status
                .success()
                .then_some(())
        });
    }
}

/// Polls `f` until it gives a value; fails the test after `limit`.
fn wait_for<T>(limit: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Waits for `child` at most `limit`; kills it and fails the test past that.
fn wait_child(child: &mut Child, limit: Duration, what: &str) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Kills a child process when dropped (a failing test leaves no kctl behind).
struct Reaper(Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads a child's stderr in the background (so it never blocks on a full pipe).
fn drain(mut stderr: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    })
}

/// The sum of the partitions' high watermarks, when every partition's leader answers.
fn records_in(c: &Cluster, topic: &str) -> Option<i64> {
    let client = c.client();
    let mut total = 0;
    for p in 0..PARTITIONS {
        total += client
            .fetch_watermarks(topic, p, Duration::from_secs(3))
            .ok()?
            .1;
    }
    Some(total)
}

/// A record read back: offset, key, value.
type Record = (i64, Option<String>, String);

/// Every record of `topic` by partition, in offset order, read by the test's own client
/// (librdkafka, assigned to every partition from the beginning up to its high watermark).
fn read_back(c: &Cluster, topic: &str) -> BTreeMap<i32, Vec<Record>> {
    let client = c.client();
    let mut ends = BTreeMap::new();
    for p in 0..PARTITIONS {
        let end = wait_for(LIMIT, "the high watermarks", || {
            client
                .fetch_watermarks(topic, p, Duration::from_secs(10))
                .ok()
        })
        .1;
        ends.insert(p, end);
    }
    let mut tpl = TopicPartitionList::new();
    for p in 0..PARTITIONS {
        tpl.add_partition_offset(topic, p, Offset::Beginning)
            .unwrap();
    }
    client.assign(&tpl).unwrap();
    let mut records: BTreeMap<i32, Vec<Record>> = BTreeMap::new();
    let mut done: BTreeSet<i32> = ends
        .iter()
        .filter(|(_, e)| **e == 0)
        .map(|(p, _)| *p)
        .collect();
    let deadline = Instant::now() + LIMIT;
    while done.len() < PARTITIONS as usize {
        assert!(
            Instant::now() < deadline,
            "reading back {topic} took over {LIMIT:?}"
        );
        let Some(Ok(m)) = client.poll(Duration::from_millis(500)) else {
            continue; // nothing yet, a partition's end, or a transient error
        };
        let p = m.partition();
        records.entry(p).or_default().push((
            m.offset(),
            m.key().map(|k| String::from_utf8_lossy(k).into_owned()),
            String::from_utf8_lossy(m.payload().unwrap_or_default()).into_owned(),
        ));
        if m.offset() + 1 >= ends[&p] {
            done.insert(p);
        }
    }
    records
}

/// Keyed input lines for kctl produce -K ':': `kKK:NNNNNN`, key `k{seq % KEYS}`, value the
/// sequence number.
fn lines(range: std::ops::Range<usize>) -> String {
    let mut s = String::with_capacity(range.len() * 11);
    for seq in range {
        s.push_str(&format!("k{:02}:{seq:06}\n", seq % KEYS));
    }
    s
}

#[test]
fn produce_loses_and_duplicates_nothing_while_a_leader_is_killed_and_restarted() {
    let _serial = serial();
    let c = cluster();
    c.wait_whole(LIMIT);
    let topic = create_topic(c, "produce");
    let leader = c.leader(&topic, 0);
    let node = c.node_of(leader);

    let mut cmd = c.kctl_process();
    cmd.args(["--timeout", "60s", "produce", &topic, "-K", ":"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    common::kill_with_parent(&mut cmd);
    let mut kctl = Reaper(cmd.spawn().expect("kctl produce"));
    let stderr = drain(kctl.0.stderr.take().unwrap());
    let mut stdin = kctl.0.stdin.take().unwrap();

    // Some messages before the kill (many still in flight when it comes), more while the
    // broker is down, the rest once it is back.
    stdin.write_all(lines(0..30_000).as_bytes()).unwrap();
    stdin.flush().unwrap();
    let down = c.kill(node);
    stdin.write_all(lines(30_000..70_000).as_bytes()).unwrap();
    stdin.flush().unwrap();
    // Everything so far gets written with the broker down: the partitions it led have new
    // leaders, and two in-sync replicas of three are enough for acks=all.
    wait_for(LIMIT, "70,000 records with a broker down", || {
        records_in(c, &topic).filter(|n| *n >= 70_000)
    });
    let now = c.leader(&topic, 0);
    assert_ne!(now, leader, "partition 0 has a new leader");
    down.restart();
    stdin.write_all(lines(70_000..MESSAGES).as_bytes()).unwrap();
    drop(stdin);

    let status = wait_child(&mut kctl.0, LIMIT, "kctl produce");
    let said = stderr.join().unwrap();
    assert!(status.success(), "kctl produce failed ({status}): {said}");
    assert!(
        said.contains(&format!("delivered {MESSAGES}, failed 0")),
        "{said}"
    );

    c.wait_whole(LIMIT);
    let records = read_back(c, &topic);
    let mut seen = vec![false; MESSAGES];
    let mut partition_of_key: HashMap<String, i32> = HashMap::new();
    for (p, recs) in &records {
        let mut last: Option<usize> = None;
        for (offset, key, value) in recs {
            let seq: usize = value
                .parse()
                .unwrap_or_else(|_| panic!("{p}:{offset}: unexpected value {value:?}"));
            assert!(seq < MESSAGES, "{p}:{offset}: {seq}");
            assert!(
                !seen[seq],
                "message {seq} is there twice (again at {p}:{offset})"
            );
            seen[seq] = true;
            let key = key
                .as_deref()
                .unwrap_or_else(|| panic!("{p}:{offset} has no key"));
            assert_eq!(key, format!("k{:02}", seq % KEYS), "{p}:{offset}");
            if let Some(last) = last {
                assert!(
                    seq > last,
                    "partition {p} out of order: message {seq} at offset {offset} after {last}"
                );
            }
            last = Some(seq);
            let first = *partition_of_key.entry(key.to_string()).or_insert(*p);
            assert_eq!(first, *p, "key {key} in partitions {first} and {p}");
        }
    }
    let missing: Vec<usize> = (0..MESSAGES).filter(|s| !seen[*s]).collect();
    assert!(
        missing.is_empty(),
        "{} messages missing, the first: {:?}",
        missing.len(),
        &missing[..missing.len().min(10)]
    );
}

/// Padding that makes each record about 100 bytes: fewer lines fit in kctl's output buffer
/// and the pipe, so the reader's pace holds kctl back (see the consume test).
const PAD: &str = "................................................................................................";

#[test]
fn consume_to_the_end_prints_everything_once_while_a_leader_is_killed() {
    let _serial = serial();
    let c = cluster();
    c.wait_whole(LIMIT);
    let topic = create_topic(c, "consume");

    // Record i goes to partition i % 3, so the record at offset o of partition p is 3o + p.
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &c.addr)
        .set("enable.idempotence", "true")
        .set("linger.ms", "5")
        .create()
        .expect("producer");
    for i in 0..MESSAGES {
        let value = format!("{i:06} {PAD}");
        let mut record = BaseRecord::<(), _>::to(&topic)
            .partition(i as i32 % PARTITIONS)
            .payload(&value);
        loop {
            match producer.send(record) {
                Ok(()) => break,
                Err((_, r)) => {
                    record = r;
                    producer.poll(Duration::from_millis(10));
                }
            }
        }
    }
    producer.flush(LIMIT).expect("every record delivered");
    drop(producer);

    let leader = c.leader(&topic, 0);
    let node = c.node_of(leader);
    let mut cmd = c.kctl_process();
    cmd.args([
        "--timeout",
        "60s",
        "consume",
        &topic,
        "--from-beginning",
        "-e",
    ])
    .args(["--format", "%p %o %s\\n"])
    // Small fetches and a short prefetch queue: kctl then holds only a few hundred
    // records per partition beyond what it printed, and what it printed waits in its
    // 256 KiB buffer and the 64 KiB pipe until this test reads it (about 3,000 lines of
    // 100 bytes). With librdkafka's defaults it would have fetched the whole topic before
    // the kill.
    .args(["-X", "message.max.bytes=4096", "-X", "fetch.max.bytes=8192"])
    .args(["-X", "max.partition.fetch.bytes=4096"])
    .args([
        "-X",
        "queued.max.messages.kbytes=16",
        "-X",
        "queued.min.messages=100",
    ])
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    common::kill_with_parent(&mut cmd);
    let mut kctl = Reaper(cmd.spawn().expect("kctl consume"));
    let stderr = drain(kctl.0.stderr.take().unwrap());
    let mut out = BufReader::new(kctl.0.stdout.take().unwrap());

    // Read 5,000 lines, then kill partition 0's leader. kctl can be at most some 4,000 lines
    // ahead of this reader then, while partition 0 holds 33,334 records: most of them come
    // from the new leader, after the failover.
    let mut printed = Vec::with_capacity(MESSAGES);
    let mut line = String::new();
    while printed.len() < 5_000 {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "kctl consume ended after {} lines",
            printed.len()
        );
        printed.push(line.clone());
    }
    let down = c.kill(node);
    loop {
        line.clear();
        if out.read_line(&mut line).unwrap() == 0 {
            break;
        }
        printed.push(line.clone());
    }
    let status = wait_child(&mut kctl.0, LIMIT, "kctl consume");
    let said = stderr.join().unwrap();
    assert!(status.success(), "kctl consume failed ({status}): {said}");
    assert_ne!(c.leader(&topic, 0), leader, "partition 0 has a new leader");
    down.restart();

    let mut seen = vec![false; MESSAGES];
    let mut next: BTreeMap<i64, i64> = BTreeMap::new();
    for line in &printed {
        let mut fields = line.trim_end_matches('\n').splitn(3, ' ');
        let (p, o, value) = (
            fields.next().unwrap().parse::<i64>().unwrap(),
            fields.next().unwrap().parse::<i64>().unwrap(),
            fields.next().unwrap_or_else(|| panic!("bad line {line:?}")),
        );
        let seq: usize = value[..6].parse().unwrap();
        assert_eq!(value, format!("{seq:06} {PAD}"), "{p}:{o}");
        assert_eq!(seq as i64, 3 * o + p, "the record printed for {p}:{o}");
        assert!(!seen[seq], "{p}:{o} printed twice");
        seen[seq] = true;
        let expected = next.entry(p).or_insert(0);
        assert_eq!(
            o, *expected,
            "partition {p}: offset {o} where {expected} was next"
        );
        *expected = o + 1;
    }
    assert_eq!(
        printed.len(),
        MESSAGES,
        "every record printed once ({said})"
    );
    c.wait_whole(LIMIT);
}

/// The broker ids of a JSON array.
fn ids(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_i64().unwrap())
        .collect()
}

/// `kctl topics describe TOPIC -o json`'s topic, once `done` holds for it (kctl may fail
/// while the cluster moves leaders: it is asked again).
fn describe_until(c: &Cluster, topic: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + LIMIT;
    loop {
        let out = c
            .kctl()
            .args(["-o", "json", "topics", "describe", topic])
            .output()
            .unwrap();
        let last = if out.status.success() {
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            let t = v["topics"][0].clone();
            if done(&t) {
                return t;
            }
            t.to_string()
        } else {
            String::from_utf8_lossy(&out.stderr).into_owned()
        };
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; last: {last}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn describe_shows_the_shrunken_isr_while_a_broker_is_down() {
    let _serial = serial();
    let c = cluster();
    c.wait_whole(LIMIT);
    let topic = create_topic(c, "isr");
    c.kctl()
        .args(["produce", &topic, "-K", ":"])
        .write_stdin(lines(0..1_000))
        .assert()
        .success();

    let victim = c.leader(&topic, 0);
    let down = c.kill(c.node_of(victim));
    let t = describe_until(c, &topic, "the killed broker out of every ISR", |t| {
        t["partitions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| !ids(&p["isr"]).contains(&(victim as i64)))
    });
    assert_eq!(t["partition_count"], PARTITIONS);
    assert_eq!(t["replication_factor"], 3);
    assert_eq!(t["configs"]["min.insync.replicas"], "2");
    let own = c.metadata(&c.client(), Some(&topic));
    let own = own.topics().iter().find(|x| x.name() == topic).unwrap();
    let mut total = 0;
    for p in t["partitions"].as_array().unwrap() {
        let replicas = ids(&p["replicas"]);
        let mut isr = ids(&p["isr"]);
        assert_eq!(replicas.len(), 3, "{p}");
        assert!(
            replicas.contains(&(victim as i64)),
            "the killed broker is still a replica: {p}"
        );
        let mut expected: Vec<i64> = replicas
            .iter()
            .copied()
            .filter(|r| *r != victim as i64)
            .collect();
        expected.sort();
        isr.sort();
        assert_eq!(
            isr, expected,
            "the ISR is every replica but the killed one: {p}"
        );
        let leader = p["leader"].as_i64().expect("a leader");
        assert!(isr.contains(&leader), "the leader is in sync: {p}");
        // The test's own client sees the same ISR.
        let id = p["partition"].as_i64().unwrap() as i32;
        let mut theirs: Vec<i64> = own
            .partitions()
            .iter()
            .find(|x| x.id() == id)
            .unwrap()
            .isr()
            .iter()
            .map(|i| *i as i64)
            .collect();
        theirs.sort();
        assert_eq!(isr, theirs, "partition {id}: kctl's ISR is librdkafka's");
        // The live leaders still answer for the offsets.
        assert_eq!(p["earliest_offset"], 0, "{p}");
        total += p["messages"].as_i64().expect("a message count");
    }
    assert_eq!(total, 1_000);

    // The table says the same.
    let out = c
        .kctl()
        .args(["topics", "describe", &topic])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let rows = common::apache::table(&text.lines().skip(1).collect::<Vec<_>>().join("\n"));
    assert_eq!(rows.len(), PARTITIONS as usize, "{text}");
    for row in &rows {
        let isr: Vec<i64> = row["ISR"].split(',').map(|i| i.parse().unwrap()).collect();
        assert_eq!(isr.len(), 2, "{text}");
        assert!(!isr.contains(&(victim as i64)), "{text}");
    }

    down.restart();
    describe_until(c, &topic, "the restarted broker back in every ISR", |t| {
        t["partitions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| ids(&p["isr"]).len() == 3)
    });
    c.wait_whole(LIMIT);
}

#[test]
fn doctor_names_the_broker_that_advertises_an_unreachable_address() {
    // A cluster of its own, whose node 3 advertises kafka-3.invalid to clients (the .invalid
    // domain never resolves) while it listens on 127.0.0.1 like the others: the bootstrap
    // addresses all work, the metadata sends clients to a name they cannot resolve.
    let c = Cluster::start(&["--brokers", "3", "--advertise", "3=kafka-3.invalid"]);
    let md = c.metadata(&c.client(), None);
    assert_eq!(md.brokers().len(), 3);
    let bad = md
        .brokers()
        .iter()
        .find(|b| b.host() == "kafka-3.invalid")
        .expect("a broker advertising kafka-3.invalid");
    let target = format!("broker {} (kafka-3.invalid:{})", bad.id(), bad.port());

    let out = c
        .kctl()
        .args(["--timeout", "20s", "-o", "json", "doctor"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "doctor printed invalid JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    assert_eq!(out.status.code(), Some(1), "{report:#}");
    assert_eq!(report["ok"], false);
    let steps = report["steps"].as_array().unwrap();
    let of = |name: &str| -> Vec<&Value> { steps.iter().filter(|s| s["step"] == name).collect() };
    for name in ["resolve", "connect", "handshake"] {
        let s = of(name);
        assert_eq!(s.len(), 3, "{name} for each bootstrap address: {report:#}");
        assert!(s.iter().all(|s| s["status"] == "ok"), "{report:#}");
    }
    let metadata = of("metadata");
    assert_eq!(metadata[0]["status"], "ok", "{report:#}");
    assert!(
        metadata[0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("3 broker(s)"),
        "{report:#}"
    );
    let advertised = of("advertised");
    assert_eq!(advertised.len(), 3, "{report:#}");
    let failed: Vec<_> = advertised
        .iter()
        .filter(|s| s["status"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1, "{report:#}");
    assert_eq!(failed[0]["target"], target.as_str(), "{report:#}");
    assert!(
        failed[0]["detail"]
            .as_str()
            .unwrap()
            .contains("kafka-3.invalid"),
        "{report:#}"
    );
    assert!(
        advertised.iter().filter(|s| s["status"] == "ok").count() == 2,
        "{report:#}"
    );
    let verdict = report["verdict"].as_str().unwrap();
    assert!(
        verdict.contains(&format!(
            "broker {} advertises kafka-3.invalid:{}",
            bad.id(),
            bad.port()
        )),
        "{verdict}"
    );

    // The table: the advertised step FAILED for that broker, and a failed verdict.
    let out = c
        .kctl()
        .args(["--timeout", "20s", "doctor"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines().any(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            l.contains(&target) && words.first() == Some(&"advertised") && words.contains(&"FAILED")
        }),
        "{text}"
    );
    assert!(text.contains("verdict: FAILED: "), "{text}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("kafka-3.invalid"),
        "the error names the address"
    );
}
