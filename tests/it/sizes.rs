//! Sizes on disk (`topics describe`, `topics list --size`) from DescribeLogDirs, which kctl
//! speaks itself: compared with Apache's kafka-log-dirs (LogDirsCommand) on the same broker,
//! on one broker and on three; over every secured listener (SASL PLAIN and SCRAM, SSL,
//! SASL_SSL, mTLS); and refused (a user without DESCRIBE on the cluster, a mechanism kctl's
//! own connections do not speak): one warning, the rest printed, exit 0, no secret shown.

use crate::common;

use std::collections::BTreeSet;

use common::apache::tool;
use common::secure::{Run, SecureKafka, ADMIN, ALICE, PASSWORD_MECHANISMS};
use common::Broker;
use serde_json::Value;

/// kafka-log-dirs.sh.
const LOG_DIRS_COMMAND: &str = "org.apache.kafka.tools.LogDirsCommand";

/// One replica's facts: broker, log dir, partition, size, offset lag, future.
type Replica = (i64, String, i64, i64, i64, bool);

/// What kafka-log-dirs says about `topic`'s replicas.
fn apache_replicas(bootstrap: &str, topic: &str) -> BTreeSet<Replica> {
    let out = tool(
        LOG_DIRS_COMMAND,
        &[
            "--describe",
            "--bootstrap-server",
            bootstrap,
            "--topic-list",
            topic,
        ],
    );
    let json = out
        .lines()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| panic!("no JSON from kafka-log-dirs: {out}"));
    let doc: Value = serde_json::from_str(json).unwrap();
    let mut replicas = BTreeSet::new();
    for broker in doc["brokers"].as_array().unwrap() {
        for dir in broker["logDirs"].as_array().unwrap() {
            assert!(dir["error"].is_null(), "{dir}");
            for p in dir["partitions"].as_array().unwrap() {
                let name = p["partition"].as_str().unwrap();
                let (t, partition) = name.rsplit_once('-').unwrap();
                if t != topic {
                    continue;
                }
                replicas.insert((
                    broker["broker"].as_i64().unwrap(),
                    dir["logDir"].as_str().unwrap().to_string(),
                    partition.parse().unwrap(),
                    p["size"].as_i64().unwrap(),
                    p["offsetLag"].as_i64().unwrap(),
                    p["isFuture"].as_bool().unwrap(),
                ));
            }
        }
    }
    replicas
}

/// What `kctl topics describe -o json` says about the replicas of its one topic.
fn kctl_replicas(described: &Value) -> BTreeSet<Replica> {
    let topic = &described["topics"][0];
    let mut replicas = BTreeSet::new();
    for p in topic["partitions"].as_array().unwrap() {
        for r in p["replica_sizes"].as_array().unwrap() {
            replicas.insert((
                r["broker"].as_i64().unwrap(),
                r["log_dir"].as_str().expect("a known log dir").to_string(),
                p["partition"].as_i64().unwrap(),
                r["size_bytes"].as_i64().unwrap(),
                r["offset_lag"].as_i64().unwrap(),
                r["is_future"].as_bool().unwrap(),
            ));
        }
    }
    replicas
}

/// Compares kctl's replica sizes with kafka-log-dirs' until both agree (a follower may still
/// be catching up), then checks the partition and topic sizes kctl derives from them.
fn compare_with_apache(broker: &Broker, topic: &str) -> Value {
    let mut last = None;
    for _ in 0..5 {
        let described = broker.json(&["topics", "describe", topic]);
        let ours = kctl_replicas(&described);
        let theirs = apache_replicas(&broker.addr, topic);
        if ours == theirs && !ours.is_empty() {
            check_derived_sizes(&described["topics"][0], &ours);
            return described;
        }
        last = Some((ours, theirs));
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    let (ours, theirs) = last.unwrap();
    panic!("kctl and kafka-log-dirs disagree:\nkctl:   {ours:?}\napache: {theirs:?}");
}

/// A partition's size is its leader's replica; the topic's the sum of all replicas.
fn check_derived_sizes(topic: &Value, replicas: &BTreeSet<Replica>) {
    let total: i64 = replicas.iter().map(|r| r.3).sum();
    assert_eq!(topic["size_bytes"], total, "{topic}");
    let mut leaders = 0;
    for p in topic["partitions"].as_array().unwrap() {
        let leader = p["leader"].as_i64().unwrap();
        let id = p["partition"].as_i64().unwrap();
        let size = replicas
            .iter()
            .find(|r| r.0 == leader && r.2 == id && !r.5)
            .unwrap()
            .3;
        assert_eq!(p["size_bytes"], size, "{p}");
        leaders += size;
    }
    assert_eq!(topic["leader_size_bytes"], leaders, "{topic}");
}

fn produce(broker: &Broker, topic: &str, count: usize) {
    let lines: String = (0..count)
        .map(|i| format!("k{i}:value number {i}\n"))
        .collect();
    broker
        .kctl()
        .args(["produce", topic, "-K", ":"])
        .write_stdin(lines)
        .assert()
        .success();
}

#[test]
fn sizes_are_those_of_kafka_log_dirs() {
    let broker = Broker::start();
    let topic = common::unique("sizes");
    broker.json(&["topics", "create", &topic, "-p", "3"]);
    produce(&broker, &topic, 3000);
    let described = compare_with_apache(&broker, &topic);
    let total = described["topics"][0]["size_bytes"].as_i64().unwrap();
    assert!(total > 3000 * 10, "{described}");

    // topics list --size: the same total, from one request per broker for all topics.
    let listed = broker.json(&["topics", "list", "--size"]);
    let entry = listed["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == topic.as_str())
        .unwrap();
    assert_eq!(entry["size_bytes"], total, "{entry}");
    // Without --size there is no size key at all.
    let plain = broker.json(&["topics", "list"]);
    assert!(plain["topics"][0].get("size_bytes").is_none(), "{plain}");

    // The tables: human sizes, no warning.
    let out = broker
        .kctl()
        .args(["topics", "describe", &topic])
        .output()
        .unwrap();
    assert!(out.status.success() && out.stderr.is_empty(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let header = text.lines().next().unwrap();
    assert!(
        header.contains("  Size: ") && header.contains("KiB (leaders "),
        "{text}"
    );
    // The partitions' table splits on whitespace, SIZE last.
    let rows = common::apache::table(&text.lines().skip(1).collect::<Vec<_>>().join("\n"));
    assert_eq!(rows.len(), 3, "{text}");
    assert!(rows.iter().all(|r| r["SIZE"].ends_with("KiB")), "{text}");
    let out = broker
        .kctl()
        .args(["topics", "list", "--size"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().next().unwrap().ends_with("SIZE"), "{text}");
    let row = text.lines().find(|l| l.starts_with(&topic)).unwrap();
    assert!(row.ends_with("KiB"), "{row}");
    // Sizes are one word: the table still splits on whitespace.
    let rows = common::apache::table(&text);
    let ours = rows.iter().find(|r| r["NAME"] == topic).unwrap();
    assert!(ours["SIZE"].ends_with("KiB"), "{ours:?}");
}

/// Three brokers, three replicas each: every broker is asked about its own log dirs.
#[test]
fn sizes_of_every_replica_on_three_brokers() {
    let broker = Broker::private_with(&["--brokers", "3"]);
    let topic = common::unique("sizes3");
    broker.json(&["topics", "create", &topic, "-p", "2", "-r", "3"]);
    produce(&broker, &topic, 2000);
    let described = compare_with_apache(&broker, &topic);
    for p in described["topics"][0]["partitions"].as_array().unwrap() {
        let brokers: BTreeSet<i64> = p["replica_sizes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["broker"].as_i64().unwrap())
            .collect();
        assert_eq!(brokers.len(), 3, "{p}");
    }
}

/// The size facts of `kctl ... topics describe TOPIC -o json`, run as `cmd`, which must
/// succeed without a word on stderr.
fn sizes_as(mut cmd: assert_cmd::Command, topic: &str) -> Value {
    let run = Run::of(cmd.args(["-o", "json", "topics", "describe", topic]), None);
    run.assert_no_secret(&[]);
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert_eq!(run.stderr, "", "{run:#?}");
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    doc["topics"][0].clone()
}

#[test]
fn sizes_over_every_secured_listener() {
    let sk = SecureKafka::shared();
    let topic = sk.topic("alice-sizes");
    sk.fill(&topic, "one\ntwo\nthree\n");
    let expected = sizes_as(sk.admin(), &topic)["size_bytes"].clone();
    assert!(expected.as_i64().unwrap() > 0, "{expected}");
    let mut runs = Vec::new();
    for mechanism in PASSWORD_MECHANISMS {
        runs.push((
            format!("SASL_PLAINTEXT {mechanism}"),
            sk.sasl(mechanism, ADMIN),
        ));
    }
    for mechanism in ["SCRAM-SHA-256", "SCRAM-SHA-512"] {
        let cmd = sk.sasl_on(&sk.sasl_ssl, mechanism, ADMIN);
        runs.push((format!("SASL_SSL {mechanism}"), cmd));
    }
    let mut ssl = sk.kctl(&sk.ssl);
    ssl.args(["--tls-ca", &sk.file("ca.pem")]);
    runs.push(("SSL".to_string(), ssl));
    for (what, cmd) in runs {
        let topic_sizes = sizes_as(cmd, &topic);
        assert_eq!(topic_sizes["size_bytes"], expected, "{what}: {topic_sizes}");
    }
}

/// A description whose sizes were refused: one warning, the rest printed, exit 0.
fn refused(mut cmd: assert_cmd::Command, topic: &str) -> (Run, Value) {
    let run = Run::of(cmd.args(["-o", "json", "topics", "describe", topic]), None);
    run.assert_no_secret(&[]);
    assert_eq!(run.code, Some(0), "{run:#?}");
    let warnings: Vec<&str> = run.stderr.lines().filter(|l| l.contains("sizes")).collect();
    assert_eq!(warnings.len(), 1, "one warning: {run:#?}");
    assert!(warnings[0].contains("sizes are unknown"), "{run:#?}");
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let t = doc["topics"][0].clone();
    assert!(
        t["size_bytes"].is_null() && t["leader_size_bytes"].is_null(),
        "{t}"
    );
    for p in t["partitions"].as_array().unwrap() {
        assert!(p["size_bytes"].is_null(), "{p}");
        assert!(p["latest_offset"].is_i64(), "the rest prints: {p}");
        for r in p["replica_sizes"].as_array().unwrap() {
            assert!(r["size_bytes"].is_null() && r["log_dir"].is_null(), "{r}");
        }
    }
    (run, t)
}

#[test]
fn a_principal_without_cluster_describe_gets_a_warning() {
    let sk = SecureKafka::shared();
    let topic = sk.topic("alice-sized");
    sk.fill(&topic, "x\n");
    // alice may describe the topic but not the cluster.
    let (run, t) = refused(sk.sasl("SCRAM-SHA-512", ALICE), &topic);
    assert_eq!(t["partitions"][0]["latest_offset"], 1);
    assert!(
        run.stderr.contains(
            "warning: sizes are unknown for the replicas on broker 1: not authorized to \
             describe the cluster as User:alice (DescribeLogDirs at "
        ),
        "{run:#?}"
    );
    // carol over mTLS: her certificate is taken (she is refused by ACL, not by TLS).
    let carol_topic = sk.topic("carol-sized");
    let (run, _) = refused(sk.carol(), &carol_topic);
    assert!(
        run.stderr.contains(
            "not authorized to describe the cluster as the certificate's principal (CN=carol)"
        ),
        "{run:#?}"
    );
    // The table too: `-` for what is unknown.
    let mut cmd = sk.sasl("SCRAM-SHA-256", ALICE);
    let run = Run::of(cmd.args(["topics", "describe", &topic]), None);
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert!(run.stdout.contains("  Size: - (leaders -)  "), "{run:#?}");
    // list --size: the column, unknown.
    let mut cmd = sk.sasl("PLAIN", ALICE);
    let run = Run::of(cmd.args(["-o", "json", "topics", "list", "--size"]), None);
    run.assert_no_secret(&[]);
    assert_eq!(run.code, Some(0), "{run:#?}");
    // One warning for the sizes (besides the one that the listing is filtered).
    let sizes = run
        .stderr
        .lines()
        .filter(|l| l.contains("sizes are unknown"));
    assert_eq!(sizes.count(), 1, "{run:#?}");
    assert_eq!(run.stderr.lines().count(), 2, "{run:#?}");
    assert!(
        run.stderr.contains("showing only the topics User:alice"),
        "{run:#?}"
    );
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    for t in doc["topics"].as_array().unwrap() {
        assert!(t["size_bytes"].is_null(), "{t}");
    }
}

/// OAUTHBEARER works for librdkafka but not for kctl's own connections: said, not failed.
#[test]
fn a_mechanism_kctl_does_not_speak_is_a_warning() {
    let sk = SecureKafka::shared();
    let topic = sk.topic("alice-oauth-sized");
    let mut cmd = sk.kctl(&sk.sasl);
    cmd.args([
        "--sasl-mechanism",
        "OAUTHBEARER",
        "-X",
        "enable.sasl.oauthbearer.unsecure.jwt=true",
        "-X",
        "sasl.oauthbearer.config=principal=admin",
    ]);
    let (run, _) = refused(cmd, &topic);
    assert!(run.stderr.contains("OAUTHBEARER"), "{run:#?}");
}

/// Every unknown size (`-`, `null`) comes with a warning saying why: here a broker holding a
/// replica is killed, and once the cluster has fenced it, the metadata no longer names it, so
/// `topics list --size` cannot ask it (it printed `-` without a word).
#[test]
fn an_unknown_size_is_always_warned_about() {
    use common::apache::cluster::Cluster;
    let c = Cluster::start(&["--brokers", "3"]);
    let topic = common::unique("offline-size");
    c.kctl()
        .args(["topics", "create", &topic, "-p", "3", "-r", "1"])
        .assert()
        .success();
    let out = c
        .kctl()
        .args(["-o", "json", "topics", "describe", &topic])
        .output()
        .unwrap();
    let described: Value = serde_json::from_slice(&out.stdout).unwrap();
    let leader = described["topics"][0]["partitions"][0]["leader"]
        .as_i64()
        .unwrap() as i32;
    let _down = c.kill(c.node_of(leader));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let out = c
            .kctl()
            .args(["-o", "json", "topics", "list", "--size"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
        let size = listed["topics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == topic.as_str())
            .map(|t| t["size_bytes"].clone())
            .unwrap();
        if size.is_null() {
            assert!(
                stderr.contains("sizes are unknown"),
                "a size is unknown without a warning: {stderr:?}"
            );
        }
        // The dead broker is gone from the metadata: the case that had no warning.
        if stderr.contains("is not among the brokers the metadata names") {
            assert!(size.is_null(), "{listed}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the killed broker stayed in the metadata: {stderr}"
        );
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}
