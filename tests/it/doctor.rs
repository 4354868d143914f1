//! `kctl doctor` against a good broker, a dead port, a non-Kafka port and a cluster whose
//! advertised broker address is unreachable.

use crate::common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::{kctl, Broker};
use predicates::prelude::*;
use serde_json::Value;

fn step<'a>(report: &'a Value, name: &str) -> Vec<&'a Value> {
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["step"] == name)
        .collect()
}

#[test]
fn good_broker_passes_every_step() {
    let broker = Broker::start();
    let report = broker.json(&["doctor"]);
    assert_eq!(report["ok"], true, "{report}");
    for name in ["resolve", "connect", "handshake", "metadata", "advertised"] {
        let steps = step(&report, name);
        assert!(!steps.is_empty(), "step {name} present");
        assert!(
            steps.iter().all(|s| s["status"] == "ok"),
            "{name}: {report}"
        );
    }
    broker
        .kctl()
        .arg("doctor")
        .assert()
        .success()
        .stdout(predicate::str::contains("verdict: the connection works"));
}

#[test]
fn dead_port_fails_at_connect() {
    // Bind then drop: the port is free and nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let start = Instant::now();
    let out = kctl()
        .args(["-b", &addr, "--timeout", "3s", "-o", "json", "doctor"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(start.elapsed() < Duration::from_secs(4));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(step(&report, "connect")[0]["status"], "failed");
    assert!(report["verdict"].as_str().unwrap().contains(&addr));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&addr));
}

#[test]
fn http_port_is_not_kafka() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { break };
            let mut buf = [0u8; 1024];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let start = Instant::now();
    let out = kctl()
        .args(["-b", &addr, "--timeout", "3s", "-o", "json", "doctor"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(start.elapsed() < Duration::from_secs(4));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(step(&report, "connect")[0]["status"], "ok");
    let handshake = step(&report, "handshake")[0];
    assert_eq!(handshake["status"], "failed");
    assert!(
        handshake["detail"].as_str().unwrap().contains("HTTP"),
        "{handshake}"
    );
    assert!(report["verdict"].as_str().unwrap().contains(&addr));
}

#[test]
fn unreachable_advertised_broker_is_named() {
    // A two-broker mock cluster whose broker 2 advertises a name that never resolves, as a
    // docker-compose broker advertising its container name does.
    let cluster = common::mock::Cluster::new(2);
    cluster.advertise(2, "kafka.invalid", 9092);
    let bootstrap = cluster.broker_address(1);
    let start = Instant::now();
    let out = kctl()
        .args(["-b", &bootstrap, "--timeout", "3s", "-o", "json", "doctor"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(start.elapsed() < Duration::from_secs(5));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(step(&report, "metadata")[0]["status"], "ok", "{report}");
    let advertised = step(&report, "advertised");
    assert_eq!(advertised.len(), 2, "{report}");
    let failed: Vec<_> = advertised
        .iter()
        .filter(|s| s["status"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1, "{report}");
    assert!(failed[0]["target"]
        .as_str()
        .unwrap()
        .contains("kafka.invalid:9092"));
    let verdict = report["verdict"].as_str().unwrap();
    assert!(
        verdict.contains("broker 2 advertises kafka.invalid:9092"),
        "{verdict}"
    );
    assert!(verdict.contains("advertised.listeners"), "{verdict}");
}

/// A bootstrap address that does not work is a failed step, and a failed step is never "the
/// connection works": the verdict is a warning naming it, and doctor exits 1.
#[test]
fn a_dead_bootstrap_address_beside_a_good_one_is_a_warning() {
    let broker = Broker::start();
    let dead = common::dead_port();
    let brokers = format!("{dead},{}", broker.addr);
    let out = kctl()
        .args(["-b", &brokers, "-o", "json", "doctor"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false, "{report}");
    let verdict = report["verdict"].as_str().unwrap();
    assert!(verdict.contains(&dead), "{verdict}");
    assert!(!verdict.contains("the connection works"), "{verdict}");
    assert!(
        step(&report, "connect")
            .iter()
            .any(|s| s["target"] == dead.as_str() && s["status"] == "failed"),
        "{report}"
    );
    assert_eq!(step(&report, "metadata")[0]["status"], "ok", "{report}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&dead), "{stderr}");

    let out = kctl().args(["-b", &brokers, "doctor"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("verdict: WARNING: "), "{table}");
    assert!(!table.contains("the connection works"), "{table}");
}

/// A port that accepts connections and never answers: the verdict reads as one sentence and
/// its duration is rounded for people (no "us" or "ns").
#[test]
fn a_silent_port_reads_plainly() {
    let addr = common::silent_port();
    let out = kctl()
        .args(["-b", &addr, "--timeout", "2s", "-o", "json", "doctor"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let verdict = report["verdict"].as_str().unwrap();
    assert!(
        verdict.starts_with(&format!(
            "no bootstrap broker is reachable: {addr} accepts connections, but no Kafka answer within "
        )),
        "{verdict}"
    );
    let within = verdict.split(" within ").nth(1).unwrap();
    let duration = within.split(" (").next().unwrap();
    // "1s 998ms" or "2s", never "1s 998ms 152us 675ns".
    let rounded = duration.split(' ').all(|part| {
        let unit = part.trim_start_matches(|c: char| c.is_ascii_digit());
        unit == "s" || unit == "ms"
    });
    assert!(rounded, "{verdict}");
    let handshake = step(&report, "handshake")[0];
    assert_eq!(handshake["status"], "failed");
    assert!(
        handshake["detail"]
            .as_str()
            .unwrap()
            .starts_with("no Kafka answer within "),
        "{handshake}"
    );
}
