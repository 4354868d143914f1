//! Share groups (KIP-932) made for real by Apache's share consumer
//! (kafka-console-share-consumer's class, ConsoleShareConsumer) from the same jars, listed and
//! described by kctl side by side with Apache's kafka-share-groups (ShareGroupCommand):
//! the type in `groups list` (and `--type`), the state and epochs, the member with its epoch
//! and assignment, each share-partition's start offset and lag.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Command as StdCommand, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::apache::{java, libs, table, tools};
use common::{kill_with_parent, unique, Broker};
use serde_json::Value;

const SHARE_GROUP_COMMAND: &str = "org.apache.kafka.tools.consumer.group.ShareGroupCommand";
const CONSOLE_SHARE_CONSUMER: &str = "org.apache.kafka.tools.consumer.ConsoleShareConsumer";
const LIMIT: Duration = Duration::from_secs(120);

fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + LIMIT;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "{what} within {LIMIT:?}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn a_share_group_is_listed_and_described_as_kafka_share_groups_does() {
    let broker = Broker::start();
    let topic = unique("shared");
    let group = unique("share-readers");
    broker
        .kctl()
        .args(["topics", "create", &topic, "-p", "2"])
        .assert()
        .success();

    let mut cmd = StdCommand::new(java());
    cmd.args([
        "-Xmx256m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-cp",
    ])
    .arg(format!("{}/*", libs().display()))
    .arg(CONSOLE_SHARE_CONSUMER)
    .args(["--bootstrap-server", &broker.addr, "--topic", &topic])
    .args(["--group", &group])
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    kill_with_parent(&mut cmd);
    let mut consumer = cmd.spawn().expect("the share consumer");
    let read = Arc::new(Mutex::new(Vec::<String>::new()));
    let reader = {
        let read = read.clone();
        let out = consumer.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                read.lock().unwrap().push(line);
            }
        })
    };

    // The member joins and gets both partitions; then records come (a share group starts at
    // the latest offset).
    let described = wait_for("the share consumer joins", || {
        let out = broker
            .kctl()
            .args(["-o", "json", "groups", "describe", &group])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).ok()?;
        let g = v["groups"][0].clone();
        (g["members"][0]["assignments"].as_array().map(Vec::len) == Some(2)).then_some(g)
    });
    assert_eq!(described["type"], "share");
    for p in 0..2 {
        let lines: String = (0..5).map(|i| format!("p{p}-{i}\n")).collect();
        broker
            .kctl()
            .args(["produce", &topic, "-p", &p.to_string()])
            .write_stdin(lines)
            .assert()
            .success();
    }
    wait_for("the share consumer reads all", || {
        (read.lock().unwrap().len() >= 10).then_some(())
    });
    // Delivered records are acknowledged with the next poll: no lag left.
    let k = wait_for("every record acknowledged", || {
        let v = broker.json(&["groups", "describe", &group]);
        (v["groups"][0]["total_lag"] == 0
            && v["groups"][0]["offsets"]
                .as_array()
                .is_some_and(|o| o.len() == 2 && o.iter().all(|o| !o["start_offset"].is_null())))
        .then_some(v)
    });

    let args = |rest: &[&str]| -> Vec<String> {
        let mut v = vec!["--bootstrap-server".to_string(), broker.addr.clone()];
        v.extend(rest.iter().map(|s| s.to_string()));
        v
    };
    let out = tools(&[
        (SHARE_GROUP_COMMAND, args(&["--list"])),
        (
            SHARE_GROUP_COMMAND,
            args(&["--describe", "--group", &group, "--offsets", "--verbose"]),
        ),
        (
            SHARE_GROUP_COMMAND,
            args(&["--describe", "--group", &group, "--members", "--verbose"]),
        ),
        (
            SHARE_GROUP_COMMAND,
            args(&["--describe", "--group", &group, "--state", "--verbose"]),
        ),
    ]);
    // kctl again: the same state throughout (the consumer keeps its partitions).
    let again = broker.json(&["groups", "describe", &group]);
    assert_eq!(k, again);
    let g = &k["groups"][0];

    // list: kctl names the type and filters by it.
    assert!(out[0].lines().any(|l| l.trim() == group), "{}", out[0]);
    let listed = broker.json(&["groups", "list", "--type", "share"]);
    let mine = listed["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["group"] == group.as_str())
        .unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(mine["type"], "share");
    assert_eq!(mine["state"], "stable");
    assert_eq!(mine["members"], 1);
    let classic = broker.json(&["groups", "list", "--type", "classic,consumer"]);
    assert!(!classic.to_string().contains(&group), "{classic}");

    // offsets: start offset, leader epoch and lag per partition.
    let apache = table(&out[1]);
    assert_eq!(apache.len(), 2, "{}", out[1]);
    for (a, o) in apache.iter().zip(g["offsets"].as_array().unwrap()) {
        assert_eq!(a["TOPIC"], topic);
        assert_eq!(a["PARTITION"], o["partition"].to_string());
        assert_eq!(a["START-OFFSET"], o["start_offset"].to_string());
        assert_eq!(a["LEADER-EPOCH"], o["leader_epoch"].to_string());
        assert_eq!(a["LAG"], o["lag"].to_string());
    }
    // members: id, host, client id, epoch, assignment.
    let apache = table(&out[2]);
    let m = &g["members"][0];
    assert_eq!(apache.len(), 1, "{}", out[2]);
    assert_eq!(apache[0]["CONSUMER-ID"], m["member_id"].as_str().unwrap());
    assert_eq!(apache[0]["CLIENT-ID"], m["client_id"].as_str().unwrap());
    assert_eq!(apache[0]["HOST"], m["host"].as_str().unwrap());
    assert_eq!(apache[0]["MEMBER-EPOCH"], m["member_epoch"].to_string());
    assert_eq!(apache[0]["#PARTITIONS"], "2");
    assert_eq!(apache[0]["ASSIGNMENT"], format!("{topic}:0,1"));
    // state: the coordinator column has a space in it; the last four words are the rest.
    let line = out[3]
        .lines()
        .find(|l| l.starts_with(group.as_str()))
        .unwrap_or_else(|| panic!("{}", out[3]));
    let words: Vec<&str> = line.split_whitespace().collect();
    let n = words.len();
    assert_eq!(words[n - 4], "Stable", "{line}");
    assert_eq!(words[n - 3], g["group_epoch"].to_string(), "{line}");
    assert_eq!(words[n - 2], g["assignment_epoch"].to_string(), "{line}");
    assert_eq!(words[n - 1], "1", "{line}");
    assert_eq!(g["state"], "stable");
    assert!(
        words[n - 5].contains(&format!("({})", g["coordinator"])),
        "{line}"
    );

    // The table shows the same.
    let text = broker
        .kctl()
        .args(["groups", "describe", &group])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("START-OFFSET") && text.contains("MEMBER-EPOCH"),
        "{text}"
    );

    // A share group and a consumer group together: a usage error.
    broker
        .kctl()
        .args(["groups", "describe", &group, "no-such-group-here"])
        .assert()
        .code(2);
    // Nothing changes while the share consumer is in the group.
    broker
        .kctl()
        .args([
            "groups",
            "reset-offsets",
            &group,
            "--topic",
            &topic,
            "--to-earliest",
        ])
        .args(["--execute", "--yes"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("active members"));

    // The consumer leaves (SIGTERM: it closes and leaves the group).
    unsafe { libc::kill(consumer.id() as i32, libc::SIGTERM) };
    let _ = consumer.wait();
    let _ = reader.join();
    wait_for("the group empties", || {
        let v = broker.json(&["groups", "describe", &group]);
        (v["groups"][0]["members"] == serde_json::json!([])).then_some(())
    });
    // What share groups do not take: --all-topics, a partition's start offset deleted alone.
    broker
        .kctl()
        .args([
            "groups",
            "reset-offsets",
            &group,
            "--all-topics",
            "--to-earliest",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is a share group"));
    broker
        .kctl()
        .args([
            "groups",
            "delete-offsets",
            &group,
            "--topic",
            &format!("{topic}:0"),
        ])
        .args(["--yes"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("a whole topic at a time"));
    // reset-offsets: a dry run, then to the earliest: everything to deliver again.
    let dry = broker.json(&[
        "groups",
        "reset-offsets",
        &group,
        "--topic",
        &topic,
        "--to-earliest",
    ]);
    assert_eq!(dry["executed"], false);
    let done = broker.json(&[
        "groups",
        "reset-offsets",
        &group,
        "--topic",
        &topic,
        "--to-earliest",
        "--execute",
        "--yes",
    ]);
    assert_eq!(done["executed"], true);
    for o in done["offsets"].as_array().unwrap() {
        assert_eq!(o["new_start_offset"], 0, "{done}");
    }
    let k = wait_for("the reset shows", || {
        let v = broker.json(&["groups", "describe", &group]);
        (v["groups"][0]["total_lag"] == 10).then_some(v)
    });
    let out = common::apache::tool(
        SHARE_GROUP_COMMAND,
        &[
            "--bootstrap-server",
            &broker.addr,
            "--describe",
            "--group",
            &group,
            "--offsets",
        ],
    );
    let apache = table(&out);
    for (a, o) in apache
        .iter()
        .zip(k["groups"][0]["offsets"].as_array().unwrap())
    {
        assert_eq!(a["START-OFFSET"], "0", "{out}");
        assert_eq!(a["LAG"], o["lag"].to_string(), "{out}");
        assert_eq!(o["lag"], 5);
    }
    // delete-offsets: whole topics; then delete the group.
    let deleted = broker.json(&[
        "groups",
        "delete-offsets",
        &group,
        "--topic",
        &topic,
        "--yes",
    ]);
    assert_eq!(deleted["executed"], true);
    let v = broker.json(&["groups", "describe", &group]);
    assert_eq!(v["groups"][0]["offsets"], serde_json::json!([]), "{v}");
    broker
        .kctl()
        .args(["groups", "delete", &group, "--yes"])
        .assert()
        .success();
    let out = common::apache::tool(
        SHARE_GROUP_COMMAND,
        &["--bootstrap-server", &broker.addr, "--list"],
    );
    assert!(!out.lines().any(|l| l.trim() == group), "{out}");
    broker
        .kctl()
        .args(["groups", "describe", &group])
        .assert()
        .code(1);
}

const CONSUMER_GROUP_COMMAND: &str = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";

/// A consumer-protocol group (KIP-848) shows its epochs as kafka-consumer-groups
/// `--describe --members --verbose` and `--state --verbose` do: the group epoch, the target
/// assignment epoch and each member's epoch.
#[test]
fn consumer_protocol_epochs_are_those_kafka_consumer_groups_shows() {
    let broker = Broker::start();
    let topic = unique("epochs");
    let group = unique("epoch-readers");
    broker
        .kctl()
        .args(["topics", "create", &topic, "-p", "2"])
        .assert()
        .success();
    let mut cmd = common::kctl_command();
    cmd.args(["-b", &broker.addr, "consume", &topic, "-g", &group])
        .args(["-X", "group.protocol=consumer", "-X", "client.id=epoch-app"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    kill_with_parent(&mut cmd);
    let mut consumer = cmd.spawn().expect("kctl consume");
    let k = wait_for("the member's assignment", || {
        let out = broker
            .kctl()
            .args(["-o", "json", "groups", "describe", &group])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).ok()?;
        let g = &v["groups"][0];
        (g["state"] == "stable"
            && g["members"][0]["assignments"].as_array().map(Vec::len) == Some(2)
            && g["members"][0]["member_epoch"] == g["assignment_epoch"])
            .then_some(v)
    });
    let args = |rest: &[&str]| -> Vec<String> {
        let mut v = vec!["--bootstrap-server".to_string(), broker.addr.clone()];
        v.extend(rest.iter().map(|s| s.to_string()));
        v
    };
    let out = tools(&[
        (
            CONSUMER_GROUP_COMMAND,
            args(&["--describe", "--group", &group, "--members", "--verbose"]),
        ),
        (
            CONSUMER_GROUP_COMMAND,
            args(&["--describe", "--group", &group, "--state", "--verbose"]),
        ),
    ]);
    assert_eq!(broker.json(&["groups", "describe", &group]), k, "it moved");
    let g = &k["groups"][0];
    assert_eq!(g["type"], "consumer");
    let m = &g["members"][0];
    let apache = table(&out[0]);
    assert_eq!(apache.len(), 1, "{}", out[0]);
    assert_eq!(apache[0]["CONSUMER-ID"], m["consumer_id"].as_str().unwrap());
    assert_eq!(apache[0]["CLIENT-ID"], "epoch-app");
    assert_eq!(apache[0]["CURRENT-EPOCH"], m["member_epoch"].to_string());
    assert_eq!(apache[0]["TARGET-EPOCH"], g["assignment_epoch"].to_string());
    let line = out[1]
        .lines()
        .find(|l| l.starts_with(group.as_str()))
        .unwrap_or_else(|| panic!("{}", out[1]));
    let words: Vec<&str> = line.split_whitespace().collect();
    let n = words.len();
    assert_eq!(words[n - 4], "Stable", "{line}");
    assert_eq!(words[n - 3], g["group_epoch"].to_string(), "{line}");
    assert_eq!(words[n - 2], g["assignment_epoch"].to_string(), "{line}");
    assert_eq!(words[n - 1], "1", "{line}");
    // The table names the epochs too.
    let text = broker
        .kctl()
        .args(["groups", "describe", &group])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("GROUP-EPOCH") && text.contains("MEMBER-EPOCH"),
        "{text}"
    );
    let _ = consumer.kill();
    let _ = consumer.wait();
}
