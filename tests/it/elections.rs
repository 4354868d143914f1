//! `kctl partitions elect-leaders` side by side with Apache's kafka-leader-election
//! (LeaderElectionCommand) on a cluster of three brokers (automatic leader rebalancing off):
//! a broker killed and started again leaves the partitions it preferred led by others; each
//! tool moves them back on its own topic, and each then finds the other's topic needing no
//! election.

use crate::common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::apache::cluster::Cluster;
use common::apache::tool;
use serde_json::Value;

const LEADER_ELECTION_COMMAND: &str = "org.apache.kafka.tools.LeaderElectionCommand";

/// Each partition's (leader, preferred replica) by `kctl topics describe`.
fn leaders(c: &Cluster, topic: &str) -> Vec<(i64, i64)> {
    let v = c.json(&["topics", "describe", topic]);
    v["topics"][0]["partitions"]
        .as_array()
        .expect("partitions")
        .iter()
        .map(|p| {
            (
                p["leader"].as_i64().unwrap_or(-1),
                p["replicas"][0].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Partition numbers whose leader is not the preferred replica.
fn off_preferred(c: &Cluster, topic: &str) -> BTreeSet<i64> {
    leaders(c, topic)
        .iter()
        .enumerate()
        .filter(|(_, (l, p))| l != p)
        .map(|(i, _)| i as i64)
        .collect()
}

/// LeaderElectionCommand's `... for partitions t-0, t-2` lines: (elected, not needed).
fn apache_result(text: &str, topic: &str) -> (BTreeSet<i64>, BTreeSet<i64>) {
    let parts = |line: &str| -> BTreeSet<i64> {
        line.split("partitions ")
            .nth(1)
            .unwrap_or("")
            .split(", ")
            .filter_map(|tp| tp.trim().strip_prefix(&format!("{topic}-")))
            .map(|p| p.parse().unwrap())
            .collect()
    };
    let mut elected = BTreeSet::new();
    let mut not_needed = BTreeSet::new();
    for line in text.lines() {
        if line.starts_with("Successfully completed leader election") {
            elected = parts(line);
        } else if line.starts_with("Valid replica already elected") {
            not_needed = parts(line);
        }
    }
    (elected, not_needed)
}

fn kctl_result(v: &Value, result: &str) -> BTreeSet<i64> {
    v["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["result"] == result)
        .map(|p| p["partition"].as_i64().unwrap())
        .collect()
}

#[test]
fn preferred_leaders_are_elected_as_kafka_leader_election_does() {
    let c = Cluster::start(&[
        "--brokers",
        "3",
        "--override",
        "auto.leader.rebalance.enable=false",
    ]);
    for t in ["ea", "eb"] {
        c.kctl()
            .args(["topics", "create", t, "-p", "3", "-r", "3"])
            .assert()
            .success();
    }
    c.wait_whole(Duration::from_secs(120));
    // Every broker prefers one partition of each topic: kill the preferred leader of ea-0.
    let preferred = leaders(&c, "ea")[0].1 as i32;
    let node = c.node_of(preferred);
    let down = c.kill(node);
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    // (The test's own client: kctl topics describe asks the dead broker for configs.)
    while c.leader("ea", 0) == preferred {
        assert!(
            std::time::Instant::now() < deadline,
            "ea-0 keeps its leader"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    down.restart();
    c.wait_whole(Duration::from_secs(240));
    let moved_a = off_preferred(&c, "ea");
    let moved_b = off_preferred(&c, "eb");
    assert!(moved_a.contains(&0), "{:?}", leaders(&c, "ea"));
    assert!(!moved_b.is_empty(), "{:?}", leaders(&c, "eb"));

    // kctl on ea, Apache on eb: each elects exactly the partitions off their preferred leader.
    let k = c.json(&["partitions", "elect-leaders", "--topic", "ea"]);
    assert_eq!(k["election"], "preferred");
    assert_eq!(kctl_result(&k, "elected"), moved_a);
    let all: BTreeSet<i64> = (0..3).collect();
    let rest: BTreeSet<i64> = all.difference(&moved_a).copied().collect();
    assert_eq!(kctl_result(&k, "not_needed"), rest);
    for p in k["partitions"].as_array().unwrap() {
        assert_eq!(p["leader_after"], p["preferred"], "{p}");
    }
    let addr = c.addr.clone();
    let dir = tempfile::tempdir().unwrap();
    // kafka-leader-election takes a topic's partitions one by one, or from a file.
    let partitions_of = |topic: &str| {
        let path = dir.path().join(format!("{topic}.json"));
        let doc = serde_json::json!({"partitions": (0..3)
            .map(|p| serde_json::json!({"topic": topic, "partition": p}))
            .collect::<Vec<_>>()});
        std::fs::write(&path, doc.to_string()).unwrap();
        path.to_str().unwrap().to_string()
    };
    let (file_a, file_b) = (partitions_of("ea"), partitions_of("eb"));
    let elect = |file: &str| {
        tool(
            LEADER_ELECTION_COMMAND,
            &[
                "--bootstrap-server",
                &addr,
                "--election-type",
                "PREFERRED",
                "--path-to-json-file",
                file,
            ],
        )
    };
    let out = elect(&file_b);
    let (elected_b, _) = apache_result(&out, "eb");
    assert_eq!(elected_b, moved_b, "{out}");
    assert!(off_preferred(&c, "ea").is_empty());
    assert!(off_preferred(&c, "eb").is_empty());

    // Each tool now finds the other's topic needing no election.
    let out = elect(&file_a);
    let (elected, not_needed) = apache_result(&out, "ea");
    assert!(elected.is_empty(), "{out}");
    let k = c.json(&["partitions", "elect-leaders", "--topic", "eb"]);
    assert!(kctl_result(&k, "elected").is_empty(), "{k}");
    assert_eq!(kctl_result(&k, "not_needed"), all);
    // Apache lists the partitions that needed none only when it says so at all.
    assert!(not_needed.is_empty() || not_needed == all, "{out}");
}
