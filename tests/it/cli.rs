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

/// Help's examples print as written, whatever the width: clap used to cut them at 100 columns,
/// mid-argument. `kctl help X` prints them too, and the man page has them.
#[test]
fn help_examples_are_never_wrapped() {
    let long = "  kctl acls create --allow --principal User:app --operation write --topic orders- --pattern prefixed --dry-run\n";
    assert!(long.len() > 100);
    for args in [
        vec!["acls", "create", "--help"],
        vec!["acls", "create", "-h"],
        vec!["help", "acls", "create"],
        vec!["-b", "x:1", "acls", "create", "--help"],
    ] {
        kctl()
            .args(&args)
            .assert()
            .success()
            .stdout(predicate::str::contains(long))
            .stdout(predicate::str::contains("\nExamples:\n"));
    }
    kctl()
        .args(["users", "create", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "  kctl users create reports --mechanism SCRAM-SHA-256,SCRAM-SHA-512 --password-file pw.txt --iterations 8192\n",
        ));
}

/// `kctl` alone shows the help (exit 2); no internal command is listed anywhere.
#[test]
fn no_subcommand_shows_help_without_internal_commands() {
    let out = kctl().assert().code(2).get_output().clone();
    let said =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("Usage: kctl"), "{said}");
    assert!(!said.contains("__complete"), "{said}");
    let out = kctl()
        .args(["-b", "x:1"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("topics"), "{said}");
    assert!(!said.contains("__complete"), "{said}");
}

/// A usage error does not show the brokers option as needed because KCTL_BROKERS is set, and
/// an empty KCTL_BROKERS means the default.
#[test]
fn the_environment_is_not_shown_as_a_required_option() {
    let out = kctl()
        .env("KCTL_BROKERS", "127.0.0.1:1")
        .args(["topics", "describe"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("Usage: kctl topics describe <NAME>..."),
        "{said}"
    );
    assert!(!said.contains("--brokers"), "{said}");
    kctl()
        .env("KCTL_BROKERS", "")
        .args(["topics", "list", "--timeout", "1s"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("localhost:9092"))
        .stderr(predicate::str::contains("empty").not());
}
