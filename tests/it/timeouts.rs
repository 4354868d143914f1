//! `--timeout` takes any duration librdkafka's calls can wait, on every kind of call.

use crate::common;

use common::Broker;

/// Over an hour (librdkafka's limit for an admin request) and up to its `int` milliseconds,
/// admin, metadata, group and consume calls all work: each call is bounded by what it takes.
#[test]
fn long_timeouts_work_on_every_kind_of_call() {
    let broker = Broker::start();
    for timeout in ["2h", "24d"] {
        let topic = common::unique("long-timeout");
        let run = |args: &[&str]| {
            let out = broker
                .kctl()
                .args(["--timeout", timeout])
                .args(args)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "--timeout {timeout} {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        };
        run(&["topics", "create", &topic, "-p", "1"]);
        run(&["topics", "describe", &topic]);
        let out = broker
            .kctl()
            .args(["--timeout", timeout, "produce", &topic])
            .write_stdin("a\nb\n")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let group = common::unique("long-timeout-group");
        let values = run(&["consume", &topic, "-g", &group, "--from-beginning", "-e"]);
        assert_eq!(values, "a\nb\n");
        run(&["groups", "list"]);
        run(&["groups", "describe", &group]);
        run(&["topics", "delete", &topic, "--yes"]);
    }
}
