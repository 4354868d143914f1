//! A fetch answer larger than receive.message.max.bytes names the setting and how to raise it.

use crate::common;

use common::Broker;
use predicates::prelude::*;

#[test]
fn a_fetch_too_large_for_receive_message_max_bytes_names_the_setting() {
    let broker = Broker::start();
    let topic = common::unique("large");
    broker
        .kctl()
        .args(["topics", "create", &topic, "-p", "1"])
        .assert()
        .success();
    broker
        .kctl()
        .args(["produce", &topic])
        .write_stdin(format!("{}\n", "x".repeat(300_000)))
        .assert()
        .success();
    let small = [
        "-X",
        "receive.message.max.bytes=10000",
        "-X",
        "fetch.max.bytes=1000",
        "-X",
        "message.max.bytes=1000",
    ];
    // In a group: reading by assignment, librdkafka reports the failed fetch only now and
    // then (its logs, which say why, do not reach kctl there).
    let group = common::unique("large-group");
    broker
        .kctl()
        .args(small)
        .args([
            "--timeout",
            "20s",
            "consume",
            &topic,
            "--from-beginning",
            "-e",
        ])
        .args(["-g", &group])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "bad message format: an answer from the broker was larger than \
                 receive.message.max.bytes (10000 bytes)",
        ))
        .stderr(predicate::str::contains(
            "hint: if records (or what one fetch returns) are that large, raise it with \
                 -X receive.message.max.bytes=",
        ));
    // Raised, the same record reads.
    broker
        .kctl()
        .args(["consume", &topic, "--from-beginning", "-e"])
        .args(["-X", "receive.message.max.bytes=60000000"])
        .assert()
        .success()
        .stdout(format!("{}\n", "x".repeat(300_000)));
}
