//! `-q/--quiet`: only data, warnings and errors. Each command family that prints a summary or a
//! note prints it without -q and not with it; the data on stdout is the same either way.

use crate::common;

use common::{kctl, unique, Broker};
use predicates::prelude::*;

/// Runs `args` against the shared broker, with stdin, and returns (stdout, stderr).
fn run(broker: &Broker, args: &[&str], stdin: &str) -> (String, String) {
    let out = broker
        .kctl()
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kctl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn create_topic(broker: &Broker, topic: &str) {
    broker
        .kctl()
        .args(["topics", "create", topic, "--partitions", "1"])
        .assert()
        .success();
}

#[test]
fn produce_and_consume_print_no_summary_or_note() {
    let broker = Broker::start();
    let topic = unique("quiet-records");
    create_topic(&broker, &topic);

    let (out, err) = run(&broker, &["produce", &topic], "a\nb\n");
    assert_eq!(out, "");
    assert!(err.contains("delivered 2, failed 0"), "{err}");
    let (out, err) = run(&broker, &["-q", "produce", &topic], "c\n");
    assert_eq!((out.as_str(), err.as_str()), ("", ""));

    // The data is the same with -q.
    let (out, err) = run(
        &broker,
        &["--quiet", "consume", &topic, "--from-beginning", "-e"],
        "",
    );
    assert_eq!((out.as_str(), err.as_str()), ("a\nb\nc\n", ""));

    // -e at the end of a topic with records reads nothing and says so, unless quiet.
    let (out, err) = run(&broker, &["consume", &topic, "-e"], "");
    assert_eq!(out, "");
    assert!(err.contains("read nothing"), "{err}");
    // The hint names the user's topic, to copy.
    assert!(
        err.contains(&format!("kctl consume {topic} --from-beginning -e")),
        "{err}"
    );
    let (out, err) = run(&broker, &["-q", "consume", &topic, "-e"], "");
    assert_eq!((out.as_str(), err.as_str()), ("", ""));
}

#[test]
fn group_commands_print_no_notes() {
    let broker = Broker::start();
    let topic = unique("quiet-groups");
    let group = unique("quiet-group");
    create_topic(&broker, &topic);
    run(&broker, &["produce", &topic], "x\n");
    common::commit_offsets(&broker, &group, &topic, &[0]);

    // A dry run says it changed nothing, unless quiet; the plan is data either way.
    let reset = [
        "groups",
        "reset-offsets",
        &group,
        "--topic",
        &topic,
        "--to-earliest",
    ];
    let (plan, err) = run(&broker, &reset, "");
    assert!(err.contains("Dry run: nothing was changed"), "{err}");
    let (quiet_plan, err) = run(&broker, &[&["-q"], &reset[..]].concat(), "");
    assert_eq!((quiet_plan.as_str(), err.as_str()), (plan.as_str(), ""));

    // A group with committed offsets and no members: describe notes that, unless quiet.
    let (described, err) = run(&broker, &["groups", "describe", &group], "");
    assert!(err.contains("has no active members"), "{err}");
    let (quiet_described, err) = run(&broker, &["-q", "groups", "describe", &group], "");
    assert_eq!(err, "");
    assert_eq!(quiet_described, described);
}

#[test]
fn config_commands_print_no_notes() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("config.toml");
    let config = || {
        let mut cmd = kctl();
        cmd.env("KCTL_CONFIG", &missing);
        cmd
    };
    config()
        .args(["config", "current"])
        .assert()
        .success()
        .stderr(predicate::str::contains("no context in use"));
    config()
        .args(["-q", "config", "current"])
        .assert()
        .success()
        .stdout("")
        .stderr("");
    config()
        .args(["config", "view"])
        .assert()
        .success()
        .stderr(predicate::str::contains("no config file at"));
    config()
        .args(["-q", "config", "view"])
        .assert()
        .success()
        .stdout(predicate::str::contains("config file:"))
        .stderr("");
}

/// Warnings and errors still print with -q; -q with -v is a usage error.
#[test]
fn warnings_and_errors_stay() {
    kctl()
        .args([
            "-q",
            "-X",
            "sasl.password=quiet-secret-1",
            "config",
            "current",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: -X sasl.password=... puts a secret",
        ));
    kctl()
        .args([
            "-q",
            "-b",
            &common::dead_port(),
            "--timeout",
            "2s",
            "topics",
            "list",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with("error: "));
    kctl()
        .args(["-q", "-v", "topics", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
}
