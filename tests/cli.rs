//! The command line without a broker: help, usage errors, exit codes, unreachable clusters.

mod common;

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

/// (arguments, expected exit code, expected text on stderr)
const BAD_INPUT: &[(&[&str], i32, &str)] = &[
    (&["topics", "create", "a b"], 2, "invalid topic name 'a b'"),
    (&["topics", "create", ".."], 2, "invalid topic name '..'"),
    (
        &["topics", "create", "x", "--partitions", "0"],
        2,
        "--partitions",
    ),
    (
        &["topics", "create", "x", "--partitions", "-3"],
        2,
        "--partitions",
    ),
    (
        &["topics", "create", "x", "--replication-factor", "0"],
        2,
        "--replication-factor",
    ),
    (
        &["topics", "create", "x", "--config", "nokey"],
        2,
        "expected KEY=VALUE",
    ),
    (
        &["-X", "novalue", "topics", "list"],
        2,
        "expected KEY=VALUE",
    ),
    (
        &["-X", "no.such.property=1", "topics", "list"],
        2,
        "invalid -X no.such.property",
    ),
    (
        &["-b", "localhost", "topics", "list"],
        2,
        "invalid broker address 'localhost'",
    ),
    (
        &["-b", "host:notaport", "topics", "list"],
        2,
        "invalid broker address",
    ),
    (&["-b", ",", "topics", "list"], 2, "broker list is empty"),
    (
        &["--timeout", "soon", "topics", "list"],
        2,
        "invalid duration",
    ),
    (
        &["--timeout", "0s", "topics", "list"],
        2,
        "greater than zero",
    ),
    (&["-o", "yaml", "topics", "list"], 2, "invalid value 'yaml'"),
    (&["topics", "describe"], 2, "required"),
    (&["topics", "delete"], 2, "required"),
    (&["topics", "frobnicate"], 2, "unrecognized subcommand"),
];

#[test]
fn bad_input_is_a_clear_usage_error() {
    for (args, code, message) in BAD_INPUT {
        kctl()
            .args(*args)
            .assert()
            .code(*code)
            .stdout("")
            .stderr(predicate::str::contains(*message));
    }
}

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
