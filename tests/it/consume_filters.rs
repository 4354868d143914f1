//! `kctl consume --grep/--where` against Apache Kafka: one record found among a million, each
//! form of --grep, jq expressions, -c counting matches, what a group commits while filtering,
//! and bad filters refused before any connection.

use crate::common;

use std::io::Write;

use common::Broker;
use predicates::prelude::*;

fn create(broker: &Broker, topic: &str, partitions: u32) {
    broker
        .kctl()
        .args(["topics", "create", topic, "-p", &partitions.to_string()])
        .assert()
        .success();
}

/// Runs `kctl --timeout 20s consume ARGS`, asserts success; stdout and stderr.
fn consume(broker: &Broker, args: &[&str]) -> (String, String) {
    let out = broker
        .kctl()
        .args(["--timeout", "20s", "consume"])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "consume {args:?} failed ({}): {stderr}",
        out.status
    );
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

fn lines(out: &str) -> Vec<&str> {
    out.lines().collect()
}

/// A topic of one partition with these envelope records, in order.
fn topic_with(broker: &Broker, prefix: &str, records: &str) -> String {
    let topic = common::unique(prefix);
    create(broker, &topic, 1);
    broker
        .kctl()
        .args(["produce", &topic, "--input", "envelope"])
        .write_stdin(records)
        .assert()
        .success();
    topic
}

const LOGINS: &str = r#"{"key":"user-1","value":"login ok","headers":[{"key":"trace","value":"abc-1"}]}
{"key":"user-2","value":"login failed","headers":[{"key":"trace","value":"xyz-2"},{"key":"trace","value":"abc-3"}]}
{"key":"admin","value":"logout","headers":[]}
{"key":null,"value":"{\"n\":7}","headers":[{"key":"trace","value":null}]}
"#;

/// A topic of 3 partitions holding a million records, one of them the needle, made once for
/// the tests that look for it.
fn million(broker: &Broker) -> String {
    static TOPIC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TOPIC
        .get_or_init(|| {
            let topic = common::unique("million");
            create(broker, &topic, 3);
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("records.ndjson");
            let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
            for i in 0..1_000_000u32 {
                let s = if i == 777_777 { "needle" } else { "hay" };
                writeln!(file, r#"{{"id":{i},"s":"{s}"}}"#).unwrap();
            }
            file.flush().unwrap();
            drop(file);
            broker
                .kctl()
                .args(["produce", &topic, "--file", path.to_str().unwrap()])
                .assert()
                .success();
            topic
        })
        .clone()
}

#[test]
fn one_record_among_a_million_by_grep() {
    let broker = Broker::start();
    let topic = million(&broker);
    let (out, err) = consume(
        &broker,
        &[&topic, "--from-beginning", "-e", "--grep", "needle"],
    );
    assert_eq!(out, "{\"id\":777777,\"s\":\"needle\"}\n");
    assert!(
        err.contains("1 of 1000000 records scanned matched"),
        "{err}"
    );
}

#[test]
fn one_record_among_a_million_by_where() {
    let broker = Broker::start();
    let topic = million(&broker);
    let (out, err) = consume(
        &broker,
        &[
            "-o",
            "json",
            &topic,
            "--from-beginning",
            "-e",
            "--where",
            r#".value | fromjson | .s == "needle""#,
        ],
    );
    let found = lines(&out);
    assert_eq!(found.len(), 1, "{out}");
    let record: serde_json::Value = serde_json::from_str(found[0]).unwrap();
    assert_eq!(record["topic"], topic.as_str());
    assert_eq!(record["value"], "{\"id\":777777,\"s\":\"needle\"}");
    assert!(
        err.contains("1 of 1000000 records scanned matched"),
        "{err}"
    );
}

#[test]
fn grep_matches_the_value_key_headers_or_topic_and_negates() {
    let broker = Broker::start();
    let topic = topic_with(&broker, "grep-forms", LOGINS);
    let grep = |greps: &[&str]| {
        let mut args = vec![
            topic.as_str(),
            "--from-beginning",
            "-e",
            "--format",
            "%k=%s\\n",
        ];
        for g in greps {
            args.extend(["--grep", g]);
        }
        consume(&broker, &args).0
    };
    // The value is the default; v: says so.
    assert_eq!(grep(&["failed"]), "user-2=login failed\n");
    assert_eq!(grep(&["v:^log"]).lines().count(), 3);
    assert_eq!(
        grep(&["k:^user-"]),
        "user-1=login ok\nuser-2=login failed\n"
    );
    // Any header of that name; a null header value matches nothing.
    assert_eq!(
        grep(&["h:trace=^abc"]),
        "user-1=login ok\nuser-2=login failed\n"
    );
    assert_eq!(grep(&["h:trace=xyz"]), "user-2=login failed\n");
    assert_eq!(grep(&["h:nosuch=."]), "");
    // A null key matches no regex, so it is among those a negated one keeps.
    assert_eq!(grep(&["!k:^user-"]), "admin=logout\n={\"n\":7}\n");
    // Several must all hold.
    assert_eq!(grep(&["k:^user-", "!v:failed"]), "user-1=login ok\n");
    assert_eq!(grep(&[&format!("t:^{topic}$")]).lines().count(), 4);
    assert_eq!(grep(&["t:^no-such-topic"]), "");
    // The text form of a regex: (?i) and the like.
    assert_eq!(grep(&["(?i)LOGOUT"]), "admin=logout\n");
    // With a start time: the records of the last hour, filtered.
    let (out, _) = consume(
        &broker,
        &[&topic, "--offset", "@-1h", "-e", "--grep", "k:^user-2$"],
    );
    assert_eq!(out, "login failed\n");
}

#[test]
fn where_evaluates_jq_on_the_record_as_json_prints_it() {
    let broker = Broker::start();
    let topic = topic_with(&broker, "where", LOGINS);
    let jq = |expr: &str| {
        consume(
            &broker,
            &[
                &topic,
                "--from-beginning",
                "-e",
                "--format",
                "%o\\n",
                "--where",
                expr,
            ],
        )
    };
    assert_eq!(jq(r#".key == "admin""#).0, "2\n");
    assert_eq!(jq(".offset >= 2").0, "2\n3\n");
    assert_eq!(
        jq(r#"any(.headers[]; .key == "trace" and .value == "abc-3")"#).0,
        "1\n"
    );
    assert_eq!(
        jq(&format!(r#".topic == "{topic}" and .partition == 0"#))
            .0
            .lines()
            .count(),
        4
    );
    // null and false do not match; any other output does.
    assert_eq!(jq(".key").0, "0\n1\n2\n");
    assert_eq!(jq("empty").0, "");
    // Records the expression fails on are not printed, and counted.
    let (out, err) = jq(".value | fromjson | .n == 7");
    assert_eq!(out, "3\n");
    assert!(
        err.contains("warning: the --where expression failed on 3 records (not printed):"),
        "{err}"
    );
    // --grep and --where together: both must hold.
    let (out, _) = consume(
        &broker,
        &[
            &topic,
            "--from-beginning",
            "-e",
            "--format",
            "%o\\n",
            "--grep",
            "k:user",
            "--where",
            ".offset > 0",
        ],
    );
    assert_eq!(out, "1\n");
}

#[test]
fn max_messages_counts_matches() {
    let broker = Broker::start();
    let topic = common::unique("count");
    create(&broker, &topic, 1);
    let input: String = (0..200).map(|i| format!("record {i}\n")).collect();
    broker
        .kctl()
        .args(["produce", &topic])
        .write_stdin(input)
        .assert()
        .success();
    // Without -e: -c alone ends it, after 3 matches.
    let (out, _) = consume(
        &broker,
        &[&topic, "--from-beginning", "-c", "3", "--grep", "7$"],
    );
    assert_eq!(out, "record 7\nrecord 17\nrecord 27\n");
    // With --offset: -N per partition, then filtered.
    let (out, _) = consume(&broker, &[&topic, "--offset", "-10", "-e", "--grep", "9"]);
    assert_eq!(out, "record 190\nrecord 191\nrecord 192\nrecord 193\nrecord 194\nrecord 195\nrecord 196\nrecord 197\nrecord 198\nrecord 199\n");
    let (out, _) = consume(&broker, &[&topic, "--offset", "-10", "-e", "--grep", "5$"]);
    assert_eq!(out, "record 195\n");
}

#[test]
fn a_group_commits_what_it_scanned() {
    let broker = Broker::start();
    let topic = common::unique("group-scan");
    create(&broker, &topic, 2);
    let input: String = (0..100).map(|i| format!("{i}:value {i}\n")).collect();
    broker
        .kctl()
        .args(["produce", &topic, "-K", ":"])
        .write_stdin(input)
        .assert()
        .success();
    let group = common::unique("group-scan");
    let (out, _) = consume(
        &broker,
        &[
            &topic,
            "-g",
            &group,
            "--from-beginning",
            "-e",
            "--grep",
            "^value 42$",
        ],
    );
    assert_eq!(out, "value 42\n");
    // Every record scanned is committed, matched or not: the whole topic.
    let described = broker.json(&["groups", "describe", &group]);
    let offsets = described["groups"][0]["offsets"].as_array().unwrap();
    let committed: i64 = offsets
        .iter()
        .map(|o| o["current_offset"].as_i64().unwrap())
        .sum();
    assert_eq!(committed, 100, "{described}");
    // So the next run of the group starts past them.
    let (out, _) = consume(&broker, &[&topic, "-g", &group, "-e", "--grep", "."]);
    assert_eq!(out, "");
}

#[test]
fn bad_filters_are_usage_errors_before_any_connection() {
    // Nothing listens there: a connection attempt would fail with exit 1 and say so.
    let nowhere = common::dead_port();
    let cases: &[(&[&str], &str)] = &[
        (&["--grep", "a("], "'a(' is not a valid regular expression"),
        (
            &["--grep", "k:[z-a]"],
            "'[z-a]' is not a valid regular expression",
        ),
        (&["--grep", "h:trace"], "use h:NAME=REGEX"),
        (&["--grep", "h:=x"], "use h:NAME=REGEX"),
        (
            &["--where", ".value =="],
            "'.value ==' is not a valid jq expression",
        ),
        (&["--where", "nosuch(1)"], "undefined filter 'nosuch'"),
        (&["--where", ".a | $x"], "undefined variable '$x'"),
        (&["--where", ""], "is not a valid jq expression"),
    ];
    for (args, message) in cases {
        common::kctl()
            .args(["-b", &nowhere, "consume", "orders", "-e"])
            .args(*args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(*message))
            .stderr(predicate::str::contains("no Kafka broker").not());
    }
}

/// The sorted lines of `out`.
fn sorted(out: &str) -> Vec<String> {
    let mut lines: Vec<String> = out.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

#[test]
fn several_topics_and_a_regex_name_the_topic_in_every_output() {
    let broker = Broker::start();
    let prefix = common::unique("multi");
    let (a, b, c) = (
        format!("{prefix}-a"),
        format!("{prefix}-b"),
        format!("{prefix}-c"),
    );
    create(&broker, &a, 2);
    create(&broker, &b, 1);
    create(&broker, &c, 3);
    for (topic, input) in [(&a, "a1\na2\n"), (&b, "b1\n"), (&c, "c1\n")] {
        broker
            .kctl()
            .args(["produce", topic])
            .write_stdin(input)
            .assert()
            .success();
    }
    // Values: each with its topic and a tab.
    let (out, _) = consume(&broker, &[&a, &b, "--from-beginning", "-e"]);
    assert_eq!(
        sorted(&out),
        [format!("{a}\ta1"), format!("{a}\ta2"), format!("{b}\tb1")]
    );
    // JSON and --format as usual (their topic fields).
    let (out, _) = consume(&broker, &["-o", "json", &c, &b, "--from-beginning", "-e"]);
    let topics: Vec<String> = sorted(&out)
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            format!(
                "{} {}",
                v["topic"].as_str().unwrap(),
                v["value"].as_str().unwrap()
            )
        })
        .collect();
    let mut expected = vec![format!("{b} b1"), format!("{c} c1")];
    expected.sort();
    let mut topics = topics;
    topics.sort();
    assert_eq!(topics, expected);
    // --regex matches whole names; -p applies to each topic.
    let (out, _) = consume(
        &broker,
        &[
            "--regex",
            &format!("{prefix}-(a|c)"),
            "--from-beginning",
            "-e",
            "--format",
            "%t %s\\n",
        ],
    );
    assert_eq!(
        sorted(&out),
        [format!("{a} a1"), format!("{a} a2"), format!("{c} c1")]
    );
    let (out, _) = consume(
        &broker,
        &[
            "--regex",
            &format!("{prefix}-.*"),
            "-p",
            "0",
            "--from-beginning",
            "-e",
        ],
    );
    assert!(out.lines().count() <= 4, "{out}");
    // --grep t: picks topics among them.
    let (out, _) = consume(
        &broker,
        &[
            "--regex",
            &format!("{prefix}-.*"),
            "--from-beginning",
            "-e",
            "--grep",
            "t:-b$",
        ],
    );
    assert_eq!(out, format!("{b}\tb1\n"));
    // A group: subscribed by pattern, it reads them all and commits each topic's end.
    let group = common::unique("multi-group");
    let (out, _) = consume(
        &broker,
        &[
            "--regex",
            &format!("{prefix}-.*"),
            "-g",
            &group,
            "--from-beginning",
            "-e",
        ],
    );
    assert_eq!(out.lines().count(), 4, "{out}");
    let described = broker.json(&["groups", "describe", &group]);
    let mut committed: Vec<(String, i64)> = described["groups"][0]["offsets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["topic"].as_str().unwrap().to_string(),
                o["current_offset"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    committed.sort();
    let per_topic = |t: &str| -> i64 {
        committed
            .iter()
            .filter(|(n, _)| n == t)
            .map(|(_, o)| (*o).max(0))
            .sum()
    };
    assert_eq!(
        (per_topic(&a), per_topic(&b), per_topic(&c)),
        (2, 1, 1),
        "{described}"
    );
    // Named topics in a group; run again, nothing is left.
    let group = common::unique("multi-group");
    let (out, _) = consume(&broker, &[&a, &b, "-g", &group, "--from-beginning", "-e"]);
    assert_eq!(out.lines().count(), 3, "{out}");
    let (out, _) = consume(&broker, &[&a, &b, "-g", &group, "--from-beginning", "-e"]);
    assert_eq!(out, "");
    // Nothing matches: said, exit 1.
    broker
        .kctl()
        .args(["consume", "--regex", &format!("{prefix}-nothing"), "-e"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "no topic matches --regex '{prefix}-nothing'"
        )));
    // A bad pattern: a usage error before any connection.
    common::kctl()
        .args(["-b", &common::dead_port(), "consume", "--regex", "a(", "-e"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "'a(' is not a valid regular expression",
        ));
    common::kctl()
        .args(["-b", &common::dead_port(), "consume", "a", "--regex", "b"])
        .assert()
        .code(2);
    common::kctl()
        .args([
            "-b",
            &common::dead_port(),
            "consume",
            "--regex",
            "t-\\d+",
            "-g",
            "g",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--regex 't-\\d+' cannot be used with --group: the group's subscription is matched \
             by librdkafka as a POSIX extended regular expression, which has no '\\d'",
        ))
        .stderr(predicate::str::contains("hint: write [0-9] for \\d"));
}

#[test]
fn a_terminal_shows_the_records_scanned_and_matched() {
    use std::io::Read;
    use std::process::Stdio;
    let broker = Broker::start();
    let topic = million(&broker);
    let (mut controller, terminal) = crate::prompt::pty();
    let mut child = common::kctl_command()
        .env("TERM", "xterm")
        .args([
            "-b",
            &broker.addr,
            "consume",
            &topic,
            "--from-beginning",
            "-e",
        ])
        .args(["--grep", "needle"])
        .stdin(Stdio::null())
        .stderr(Stdio::from(terminal))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let reader = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        // Ends with EIO once kctl, the only one holding the terminal, exits.
        while let Ok(n) = controller.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&seen).into_owned()
    });
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(child.wait().unwrap().success());
    let terminal = reader.join().unwrap();
    assert_eq!(out, "{\"id\":777777,\"s\":\"needle\"}\n");
    // The progress line, then the summary once it is cleared.
    assert!(terminal.contains(" records scanned, "), "{terminal:?}");
    assert!(terminal.contains(" matched"), "{terminal:?}");
    assert!(
        terminal.contains("1 of 1000000 records scanned matched"),
        "{terminal:?}"
    );
}
