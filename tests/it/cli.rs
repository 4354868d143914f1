//! The command line without a broker: help, version, unreachable clusters.

use crate::common;

use std::time::{Duration, Instant};

use common::kctl;
use predicates::prelude::*;

#[test]
fn help_reads_well() {
    kctl()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("topics"))
        .stdout(predicate::str::contains("--brokers"))
        .stdout(predicate::str::contains("--timeout"));
    for sub in [
        vec!["topics", "--help"],
        vec!["topics", "list", "--help"],
        vec!["topics", "create", "--help"],
        vec!["topics", "describe", "--help"],
        vec!["topics", "delete", "--help"],
    ] {
        kctl()
            .args(&sub)
            .assert()
            .success()
            .stdout(predicate::str::contains("Usage: kctl"));
    }
}

#[test]
fn version_prints() {
    kctl()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("kctl "));
}

// Usage errors (bad flags, names, addresses, durations...) are one table in tests/it/bad_input.rs,
// each also run without a reachable broker.

#[test]
fn unreachable_broker_fails_fast_naming_it() {
    let start = Instant::now();
    kctl()
        .args(["-b", "127.0.0.1:1", "--timeout", "5s", "topics", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("127.0.0.1:1"));
    assert!(
        start.elapsed() < Duration::from_secs(6),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn silent_broker_times_out_within_the_bound() {
    // A port that accepts connections but never answers: only the timeout can end this.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let _keep = std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            held.push(conn);
        }
    });
    let start = Instant::now();
    kctl()
        .args(["-b", &addr, "--timeout", "2s", "topics", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(addr.as_str()));
    let took = start.elapsed();
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

#[test]
fn default_broker_comes_from_the_environment() {
    kctl()
        .env("KCTL_BROKERS", "127.0.0.1:1")
        .args(["--timeout", "3s", "topics", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("127.0.0.1:1"));
}
