//! What a newcomer meets first: messages with a hint wherever a next step is known, positions
//! that point at the input's real lines.

use predicates::prelude::*;

use crate::common::{self, Broker};

#[test]
fn a_missing_topic_has_a_hint_as_a_missing_group_does() {
    let broker = Broker::start();
    let topic = common::unique("nosuch");
    broker
        .kctl()
        .args(["topics", "describe", &topic])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "topic not found: {topic}"
        )))
        .stderr(predicate::str::contains("hint: `kctl topics list`"));
}

#[test]
fn acls_create_without_an_authorizer_says_what_to_set_as_acls_list_does() {
    let broker = Broker::start();
    for args in [
        vec!["acls", "list"],
        vec![
            "acls",
            "create",
            "--allow",
            "--principal",
            "User:a",
            "--operation",
            "read",
            "--topic",
            "t",
        ],
    ] {
        broker
            .kctl()
            .args(&args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "hint: the brokers have no authorizer",
            ))
            .stderr(predicate::str::contains("authorizer.class.name"));
    }
}

#[test]
fn json_that_ends_early_is_placed_at_the_end_of_its_last_line() {
    let broker = Broker::start();
    let topic = common::unique("eof");
    broker
        .kctl()
        .args(["topics", "create", &topic])
        .assert()
        .success();
    broker
        .kctl()
        .args(["produce", &topic, "--input", "json"])
        .write_stdin("{\"a\": 1}\n{\"a\":\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "invalid JSON at the end of line 2",
        ))
        .stderr(predicate::str::contains("column 0").not());
}
