//! Every subcommand that talks to a cluster, pointed at an unreachable address, at a port that
//! is not Kafka, and at a port that never answers: a non-zero exit within --timeout plus a
//! second, with a message naming the address.

use crate::common;

use std::time::{Duration, Instant};

use common::{dead_port, http_port, kctl, silent_port};

/// Every subcommand that contacts the cluster, with arguments valid enough to get that far.
const COMMANDS: &[&[&str]] = &[
    &["topics", "list"],
    &["topics", "create", "orders", "--partitions", "1"],
    &["topics", "describe", "orders"],
    &["topics", "delete", "orders", "--yes"],
    &["produce", "orders"],
    &["consume", "orders", "-e"],
    &[
        "consume",
        "orders",
        "-g",
        "order-tracker",
        "--from-beginning",
    ],
    &["groups", "list"],
    &["groups", "describe", "order-tracker"],
    &[
        "groups",
        "reset-offsets",
        "order-tracker",
        "--all-topics",
        "--to-earliest",
    ],
    &["groups", "delete", "order-tracker", "--yes"],
    &["doctor"],
];

const TIMEOUT: Duration = Duration::from_secs(2);

fn check_all(addr: &str, kind: &str, expect_in_message: Option<&str>) {
    for args in COMMANDS {
        let start = Instant::now();
        let out = kctl()
            .args(["-b", addr, "--timeout", "2s"])
            .args(*args)
            .write_stdin("{\"id\":1}\n")
            .output()
            .unwrap();
        let took = start.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{kind} {args:?}: {stderr}");
        assert!(
            took < TIMEOUT + Duration::from_secs(1),
            "{kind} {args:?} took {took:?}"
        );
        assert!(
            stderr.contains(addr),
            "{kind} {args:?} names the address: {stderr}"
        );
        if let Some(text) = expect_in_message {
            assert!(
                stderr.contains(text),
                "{kind} {args:?} says '{text}': {stderr}"
            );
        }
    }
}

#[test]
fn unreachable_address() {
    check_all(&dead_port(), "dead port", Some("refused"));
}

#[test]
fn port_without_kafka() {
    check_all(&http_port(), "HTTP port", Some("HTTP"));
}

#[test]
fn port_that_never_answers() {
    check_all(&silent_port(), "silent port", None);
}
