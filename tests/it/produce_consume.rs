//! `kctl produce` and `kctl consume` against a real broker (noida-db), plus librdkafka's mock
//! cluster for what noida-db cannot show (failed deliveries, transaction markers).

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use common::Broker;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{BaseRecord, Producer};
use rdkafka::TopicPartitionList;
use serde_json::{json, Value};

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn create(broker: &Broker, topic: &str, partitions: u32) {
    broker
        .kctl()
        .args(["topics", "create", topic, "-p", &partitions.to_string()])
        .assert()
        .success();
}

/// Runs `kctl produce TOPIC ARGS` with `input` on stdin; asserts success.
fn produce(broker: &Broker, topic: &str, args: &[&str], input: impl Into<Vec<u8>>) -> String {
    let out = broker
        .kctl()
        .args(["produce", topic])
        .args(args)
        .write_stdin(input)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "produce {args:?} failed: {stderr}");
    stderr
}

/// Runs `kctl -o json consume TOPIC --from-beginning -e ARGS` and parses each line.
fn consume_json(broker: &Broker, topic: &str, args: &[&str]) -> Vec<Value> {
    let out = broker
        .kctl()
        .args(["-o", "json", "consume", topic, "-e"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "consume {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut records: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l}: {e}")))
        .collect();
    records.sort_by_key(|r| (r["partition"].as_i64(), r["offset"].as_i64()));
    records
}

fn all_json(broker: &Broker, topic: &str) -> Vec<Value> {
    consume_json(broker, topic, &["--from-beginning"])
}

fn values(records: &[Value]) -> Vec<&str> {
    records
        .iter()
        .map(|r| r["value"].as_str().unwrap())
        .collect()
}

fn consume_text(broker: &Broker, args: &[&str]) -> Vec<u8> {
    let out = broker.kctl().arg("consume").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "consume {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn lines_mode_with_keys_headers_partitions_and_delimiters() {
    let broker = Broker::start();
    let lines = common::unique("lines");
    let keyed = common::unique("keyed");
    let forced = common::unique("forced");
    create(&broker, lines.as_str(), 3);

    // Plain lines (auto-detected: the input does not start with { or [), a fixed key, headers,
    // a partition and a compression codec.
    let stderr = produce(
        &broker,
        lines.as_str(),
        &[
            "-k",
            "k1",
            "-H",
            "h1=v1",
            "-H",
            "h2=",
            "-p",
            "2",
            "--compression",
            "gzip",
        ],
        "one\ntwo\n\nthree",
    );
    assert!(stderr.contains("delivered 4, failed 0"), "{stderr}");
    let records = all_json(&broker, lines.as_str());
    assert_eq!(values(&records), ["one", "two", "", "three"]);
    for r in &records {
        assert_eq!(r["partition"], 2);
        assert_eq!(r["key"], "k1");
        assert_eq!(r["key_encoding"], "utf8");
        assert_eq!(
            r["headers"],
            json!([{"key": "h1", "value": "v1", "value_encoding": "utf8"},
                   {"key": "h2", "value": "", "value_encoding": "utf8"}])
        );
        assert_eq!(r["timestamp_type"], "create_time");
        assert!(r["timestamp"].as_i64().unwrap() > 1_600_000_000_000);
    }

    // A key separator (lines without it get a null key) and a custom delimiter; zstd.
    create(&broker, keyed.as_str(), 1);
    produce(
        &broker,
        keyed.as_str(),
        &["-K", "::", "-D", "|", "-z", "zstd"],
        "a::1|b::2::x|plain|{\"j\":1}",
    );
    let records = all_json(&broker, keyed.as_str());
    let pairs: Vec<(Value, Value)> = records
        .iter()
        .map(|r| (r["key"].clone(), r["value"].clone()))
        .collect();
    assert_eq!(
        pairs,
        [
            (json!("a"), json!("1")),
            (json!("b"), json!("2::x")),
            (Value::Null, json!("plain")),
            (Value::Null, json!("{\"j\":1}")),
        ]
    );
    assert_eq!(records[2]["key_encoding"], Value::Null);

    // --input lines forces lines even for JSON-looking input.
    create(&broker, forced.as_str(), 1);
    produce(
        &broker,
        forced.as_str(),
        &["--input", "lines"],
        "{\"a\":\n1}\n",
    );
    assert_eq!(
        values(&all_json(&broker, forced.as_str())),
        ["{\"a\":", "1}"]
    );
}

/// Records without key or partition are spread over every partition, each partition keeping
/// their order; records with a key all land on the key's partition.
#[test]
fn records_are_spread_and_keys_stay_together() {
    let broker = Broker::start();
    let spread = common::unique("spread");
    let by_key = common::unique("by-key");
    create(&broker, spread.as_str(), 3);
    // 2 MB of unkeyed records: more than kctl sends to one partition before moving on.
    let pad = "x".repeat(1000);
    let input: String = (0..2000).map(|i| format!("{i:05} {pad}\n")).collect();
    let stderr = produce(&broker, spread.as_str(), &[], input);
    assert!(stderr.contains("delivered 2000, failed 0"), "{stderr}");
    let records = all_json(&broker, spread.as_str());
    assert_eq!(records.len(), 2000);
    let mut last_by_partition = std::collections::BTreeMap::new();
    for r in &records {
        let n: u32 = r["value"].as_str().unwrap()[..5].parse().unwrap();
        let last = last_by_partition
            .entry(r["partition"].as_i64().unwrap())
            .or_insert(n);
        assert!(*last <= n, "order kept within a partition");
        *last = n;
    }
    assert_eq!(last_by_partition.len(), 3, "every partition got records");

    create(&broker, by_key.as_str(), 3);
    let input: String = (0..300).map(|i| format!("k{}:{i}\n", i % 3)).collect();
    produce(&broker, by_key.as_str(), &["-K", ":"], input);
    let mut partition_of = std::collections::BTreeMap::new();
    for r in all_json(&broker, by_key.as_str()) {
        let p = partition_of
            .entry(r["key"].as_str().unwrap().to_string())
            .or_insert(r["partition"].clone());
        assert_eq!(*p, r["partition"], "one partition per key");
    }
    assert_eq!(partition_of.len(), 3);
}

#[test]
fn json_mode_sends_each_value_as_its_exact_text() {
    let broker = Broker::start();
    let json_orders = common::unique("json-orders");
    create(&broker, json_orders.as_str(), 1);

    // NDJSON, auto-detected.
    produce(
        &broker,
        json_orders.as_str(),
        &[],
        "{\"id\":1}\n{\"id\": 2}\n",
    );
    // One pretty-printed document, auto-detected: one message.
    let pretty = "{\n  \"id\": 3,\n  \"items\": [\n    \"a\",\n    \"b\"\n  ]\n}\n";
    produce(&broker, json_orders.as_str(), &[], pretty);
    // Values separated by any whitespace, scalars and arrays, with --input json.
    produce(
        &broker,
        json_orders.as_str(),
        &["--input", "json"],
        "[1, 2]  \"s\"\t42 null",
    );

    let records = all_json(&broker, json_orders.as_str());
    assert_eq!(
        values(&records),
        [
            "{\"id\":1}",
            "{\"id\": 2}",
            pretty.trim_end(),
            "[1, 2]",
            "\"s\"",
            "42",
            "null"
        ]
    );
    // Without -o json the values print one per line.
    let text = consume_text(
        &broker,
        &[json_orders.as_str(), "--from-beginning", "-e", "-c", "2"],
    );
    assert_eq!(text, b"{\"id\":1}\n{\"id\": 2}\n");
}

#[test]
fn envelope_round_trip_keeps_binary_keys_values_headers_and_timestamps() {
    let broker = Broker::start();
    let topic_a = common::unique("a");
    let topic_b = common::unique("b");
    create(&broker, topic_a.as_str(), 3);
    create(&broker, topic_b.as_str(), 3);

    // Recent: brokers delete records older than the topic's retention by their timestamp.
    let ts = now_ms() - 3_600_000;
    let binary_key: Vec<u8> = vec![0x00, 0xff, 0xfe, b'k'];
    let binary_value: Vec<u8> = (0..=255u8).collect();
    let envelopes = [
        json!({"partition": 0, "timestamp": ts, "key": "k1", "value": "{\"id\":1}",
               "headers": [{"key": "h", "value": "v"}, {"key": "nul", "value": null}]}),
        json!({"partition": 1, "key": B64.encode(&binary_key), "key_encoding": "base64",
               "value": B64.encode(&binary_value), "value_encoding": "base64",
               "headers": [{"key": "bin", "value": B64.encode([0xc3, 0x28]), "value_encoding": "base64"}]}),
        json!({"partition": 2, "key": null, "value": "no key"}),
        json!({"partition": 2, "key": "tombstone", "value": null}),
        json!({"topic": "ignored", "offset": 99, "timestamp_type": "create_time", "partition": 1,
               "key": "utf8 ✓", "key_encoding": "utf8", "value": "ok", "value_encoding": "utf8",
               "headers": []}),
    ];
    let input: String = envelopes.iter().map(|e| format!("{e}\n")).collect();
    produce(&broker, topic_a.as_str(), &["--input", "envelope"], input);

    let a = all_json(&broker, topic_a.as_str());
    assert_eq!(a.len(), 5);
    let by_key = |k: Value| a.iter().find(|r| r["key"] == k).unwrap().clone();
    let first = by_key(json!("k1"));
    assert_eq!(first["timestamp"], ts);
    assert_eq!(
        first["headers"],
        json!([{"key": "h", "value": "v", "value_encoding": "utf8"},
               {"key": "nul", "value": null, "value_encoding": null}])
    );
    let binary = by_key(json!(B64.encode(&binary_key)));
    assert_eq!(binary["key_encoding"], "base64");
    assert_eq!(binary["value_encoding"], "base64");
    assert_eq!(
        B64.decode(binary["value"].as_str().unwrap()).unwrap(),
        binary_value
    );
    assert_eq!(binary["headers"][0]["value_encoding"], "base64");
    let null_key = a.iter().find(|r| r["value"] == "no key").unwrap();
    assert_eq!(null_key["key"], Value::Null);
    assert_eq!(null_key["key_encoding"], Value::Null);
    let tombstone = by_key(json!("tombstone"));
    assert_eq!(tombstone["value"], Value::Null);
    assert_eq!(tombstone["value_encoding"], Value::Null);

    // The raw bytes come out as they went in.
    let raw = consume_text(
        &broker,
        &[
            topic_a.as_str(),
            "-p",
            "1",
            "--offset",
            "0",
            "-e",
            "-c",
            "1",
            "--format",
            "%k%v",
        ],
    );
    assert_eq!(raw, [binary_key.clone(), binary_value.clone()].concat());

    // Copy a -> b through a pipe, then compare every record.
    let dump = broker
        .kctl()
        .args([
            "-o",
            "json",
            "consume",
            topic_a.as_str(),
            "--from-beginning",
            "-e",
        ])
        .output()
        .unwrap();
    assert!(dump.status.success());
    produce(
        &broker,
        topic_b.as_str(),
        &["--input", "envelope"],
        dump.stdout,
    );
    let b = all_json(&broker, topic_b.as_str());
    assert_eq!(a.len(), b.len());
    for (ra, rb) in a.iter().zip(&b) {
        for field in [
            "partition",
            "offset",
            "timestamp",
            "key",
            "key_encoding",
            "value",
            "value_encoding",
            "headers",
        ] {
            assert_eq!(ra[field], rb[field], "{field} of {ra} vs {rb}");
        }
        assert_eq!(rb["topic"], topic_b.as_str());
    }
}

#[test]
fn format_strings_and_default_output() {
    let broker = Broker::start();
    let fmt = common::unique("fmt");
    create(&broker, fmt.as_str(), 1);
    produce(
        &broker,
        fmt.as_str(),
        &["-K", "=", "-H", "x=1"],
        "k=v\nnokey\n",
    );
    let ts = now_ms() - 60_000;
    let envelope = json!({"key": "t", "value": "v3", "timestamp": ts});
    produce(
        &broker,
        fmt.as_str(),
        &["--input", "envelope"],
        envelope.to_string(),
    );

    let out = consume_text(
        &broker,
        &[
            fmt.as_str(),
            "--from-beginning",
            "-e",
            "--format",
            "%t|%p|%o|%k|%s|%v|%h|%K|%S|%%\\t\\\\\\n",
        ],
    );
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("{fmt}|0|0|k|v|v|x=1|1|1|%\t\\"));
    assert_eq!(lines[1], format!("{fmt}|0|1||nokey|nokey|x=1|-1|5|%\t\\"));
    assert_eq!(lines[2], format!("{fmt}|0|2|t|v3|v3||1|2|%\t\\"));

    let out = consume_text(
        &broker,
        &[fmt.as_str(), "--from-beginning", "-e", "--format", "%T\\n"],
    );
    assert!(String::from_utf8(out)
        .unwrap()
        .ends_with(&format!("\n{ts}\n")));

    let out = consume_text(&broker, &[fmt.as_str(), "--from-beginning", "-e"]);
    assert_eq!(out, b"v\nnokey\nv3\n");

    broker
        .kctl()
        .args(["consume", fmt.as_str(), "--format", "%x"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown directive '%x'"));
    broker
        .kctl()
        .args(["-o", "json", "consume", fmt.as_str(), "--format", "%v"])
        .assert()
        .code(2);
}

#[test]
fn start_offsets_and_max_messages() {
    let broker = Broker::start();
    let offs = common::unique("offs");
    create(&broker, offs.as_str(), 2);
    // Partition 0: timestamps base+1s..=base+5s; partition 1: two records at base+1.5s and
    // base+4.5s. Recent, as brokers delete records older than the retention by timestamp.
    let base = now_ms() / 1000 * 1000 - 5 * 3_600_000;
    let mut input = String::new();
    for (i, ts) in [1000, 2000, 3000, 4000, 5000].iter().enumerate() {
        input.push_str(&format!(
            "{}\n",
            json!({"partition": 0, "timestamp": base + ts, "value": format!("p0-{i}")})
        ));
    }
    for (i, ts) in [1500, 4500].iter().enumerate() {
        input.push_str(&format!(
            "{}\n",
            json!({"partition": 1, "timestamp": base + ts, "value": format!("p1-{i}")})
        ));
    }
    produce(&broker, offs.as_str(), &["--input", "envelope"], input);
    let at = |ms: i64| format!("@{}", base + ms);
    let rfc3339 = humantime::format_rfc3339_millis(
        std::time::UNIX_EPOCH + Duration::from_millis((base + 4000) as u64),
    )
    .to_string();
    let at_rfc3339 = format!("@{rfc3339}");

    let got = |args: &[&str]| -> Vec<String> {
        values(&consume_json(&broker, offs.as_str(), args))
            .into_iter()
            .map(String::from)
            .collect()
    };
    assert_eq!(got(&["--from-beginning"]).len(), 7);
    assert_eq!(got(&["--offset", "beginning", "-p", "1"]), ["p1-0", "p1-1"]);
    assert!(got(&[]).is_empty(), "the default is new messages only");
    assert!(got(&["--offset", "end"]).is_empty());
    assert_eq!(got(&["--offset", "-2"]), ["p0-3", "p0-4", "p1-0", "p1-1"]);
    assert_eq!(got(&["--offset", "-1", "-p", "0"]), ["p0-4"]);
    assert_eq!(got(&["--offset", "3", "-p", "0"]), ["p0-3", "p0-4"]);
    assert_eq!(
        got(&["--offset", "3"]),
        ["p0-3", "p0-4"],
        "partition 1 is shorter"
    );
    assert_eq!(
        got(&["--offset", &at(3500)]),
        ["p0-3", "p0-4", "p1-1"],
        "the first records at or after the time"
    );
    assert_eq!(got(&["--offset", &at_rfc3339, "-p", "0"]), ["p0-3", "p0-4"]);
    assert!(got(&["--offset", &at(9999)]).is_empty());
    assert!(
        got(&["--offset", "@-1h"]).is_empty(),
        "all records are 5 hours old"
    );
    assert_eq!(got(&["--offset", "@-6h", "-p", "1"]), ["p1-0", "p1-1"]);
    assert_eq!(got(&["--offset", "@-100000d"]).len(), 7);
    assert_eq!(
        got(&["--from-beginning", "-p", "0", "-c", "2"]),
        ["p0-0", "p0-1"]
    );
    assert_eq!(got(&["--from-beginning", "-c", "3"]).len(), 3);

    broker
        .kctl()
        .args(["consume", offs.as_str(), "-p", "7", "-e"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(format!(
            "partition 7 of topic '{offs}' does not exist",
        )));
    broker
        .kctl()
        .args(["consume", offs.as_str(), "--offset", "soon"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("invalid offset 'soon'"));
}

fn admin_consumer(broker: &Broker, group: &str) -> BaseConsumer {
    ClientConfig::new()
        .set("bootstrap.servers", &broker.addr)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()
        .unwrap()
}

fn group_names(broker: &Broker) -> Vec<String> {
    let client = admin_consumer(broker, "kctl-test-lister");
    let list = client
        .fetch_group_list(None, Duration::from_secs(10))
        .unwrap();
    list.groups().iter().map(|g| g.name().to_string()).collect()
}

fn committed(broker: &Broker, group: &str, topic: &str, partitions: i32) -> Vec<i64> {
    let client = admin_consumer(broker, group);
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition(topic, p);
    }
    let tpl = client
        .committed_offsets(tpl, Duration::from_secs(10))
        .unwrap();
    (0..partitions)
        .map(|p| {
            tpl.find_partition(topic, p)
                .unwrap()
                .offset()
                .to_raw()
                .unwrap()
        })
        .collect()
}

fn end_offsets(broker: &Broker, topic: &str, partitions: i32) -> Vec<i64> {
    let client = admin_consumer(broker, "kctl-test-lister");
    (0..partitions)
        .map(|p| {
            client
                .fetch_watermarks(topic, p, Duration::from_secs(10))
                .unwrap()
                .1
        })
        .collect()
}

#[test]
fn group_consumer_prints_each_message_once_and_commits_the_end() {
    let broker = Broker::start();
    let orders = common::unique("orders");
    let tracker = common::unique("order-tracker");
    create(&broker, orders.as_str(), 3);
    // Keyed, so the orders spread over the partitions.
    let input: String = (0..12).map(|i| format!("k{i}:{{\"id\":{i}}}\n")).collect();
    produce(&broker, orders.as_str(), &["-K", ":"], input);
    let ends = end_offsets(&broker, orders.as_str(), 3);
    assert!(ends.iter().filter(|e| **e > 0).count() > 1, "{ends:?}");

    // Reading without a group leaves no group behind.
    assert_eq!(all_json(&broker, orders.as_str()).len(), 12);

    let out = consume_text(
        &broker,
        &[
            orders.as_str(),
            "-g",
            tracker.as_str(),
            "--from-beginning",
            "-e",
        ],
    );
    let mut lines: Vec<String> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    lines.sort_by_key(|l| serde_json::from_str::<Value>(l).unwrap()["id"].as_i64());
    let expected: Vec<String> = (0..12).map(|i| format!("{{\"id\":{i}}}")).collect();
    assert_eq!(lines, expected, "every message exactly once");
    assert_eq!(
        committed(&broker, tracker.as_str(), orders.as_str(), 3),
        end_offsets(&broker, orders.as_str(), 3)
    );

    // The group resumes where it stopped: nothing new, nothing printed.
    let out = consume_text(
        &broker,
        &[
            orders.as_str(),
            "-g",
            tracker.as_str(),
            "--from-beginning",
            "-e",
        ],
    );
    assert!(out.is_empty());
    produce(&broker, orders.as_str(), &["-p", "1"], "{\"id\":12}\n");
    let out = consume_text(&broker, &[orders.as_str(), "-g", tracker.as_str(), "-e"]);
    assert_eq!(out, b"{\"id\":12}\n");
    assert_eq!(
        committed(&broker, tracker.as_str(), orders.as_str(), 3),
        end_offsets(&broker, orders.as_str(), 3)
    );

    let groups = group_names(&broker);
    assert!(groups.contains(&tracker), "{groups:?}");
    assert!(
        groups.iter().all(|g| !g.starts_with("kctl")),
        "consuming without a group created one: {groups:?}"
    );

    broker
        .kctl()
        .args(["consume", orders.as_str(), "-g", "x", "-p", "0"])
        .assert()
        .code(2);
}

fn spawn_kctl(broker: &Broker, args: &[&str], stdin: Stdio) -> Child {
    common::spawn(&[&["-b", &broker.addr], args].concat(), stdin)
}

fn wait_with_deadline(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("kctl did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn interrupt(child: &Child) {
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
}

#[test]
fn closed_stdout_ends_quietly() {
    let broker = Broker::start();
    let pipe = common::unique("pipe");
    create(&broker, pipe.as_str(), 1);
    produce(&broker, pipe.as_str(), &[], "a\nb\n");
    // Follow the topic; read one line and close the pipe like `| head -1`.
    let mut child = spawn_kctl(
        &broker,
        &["consume", pipe.as_str(), "--from-beginning"],
        Stdio::null(),
    );
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line, "a\n");
    drop(stdout);
    // The next write hits the closed pipe.
    produce(&broker, pipe.as_str(), &[], "c\n");
    let status = wait_with_deadline(&mut child, Duration::from_secs(20));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert!(stderr.is_empty(), "a closed pipe is not an error: {stderr}");
}

#[test]
fn ctrl_c_ends_cleanly_and_commits_only_what_was_printed() {
    let broker = Broker::start();
    let ctrlc = common::unique("ctrlc");
    let g1 = common::unique("g1");
    create(&broker, ctrlc.as_str(), 1);
    produce(&broker, ctrlc.as_str(), &[], "1\n2\n3\n");

    let mut child = spawn_kctl(
        &broker,
        &[
            "consume",
            ctrlc.as_str(),
            "-g",
            g1.as_str(),
            "--from-beginning",
        ],
        Stdio::null(),
    );
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut seen = Vec::new();
    for _ in 0..3 {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        seen.push(line);
    }
    assert_eq!(seen, ["1\n", "2\n", "3\n"]);
    interrupt(&child);
    let status = wait_with_deadline(&mut child, Duration::from_secs(20));
    assert_eq!(status.code(), Some(130));
    assert_eq!(committed(&broker, g1.as_str(), ctrlc.as_str(), 1), [3]);

    // Produce: Ctrl-C while stdin is still open waits for what was sent and reports it.
    let mut child = spawn_kctl(&broker, &["produce", ctrlc.as_str()], Stdio::piped());
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"4\n5\n").unwrap();
    stdin.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while all_json(&broker, ctrlc.as_str()).len() < 5 {
        assert!(Instant::now() < deadline, "the two messages never arrived");
        std::thread::sleep(Duration::from_millis(50));
    }
    interrupt(&child);
    let status = wait_with_deadline(&mut child, Duration::from_secs(20));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(130), "stderr: {stderr}");
    assert!(stderr.contains("delivered 2, failed 0"), "{stderr}");
    drop(stdin);
}

#[test]
fn invalid_input_is_reported_with_its_position_and_the_count_sent() {
    let broker = Broker::start();
    let bad = common::unique("bad");
    create(&broker, bad.as_str(), 2);
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &[],
            "{\"a\":1}\n{\"a\":2}\n{\"a\": tru}\n",
            "invalid JSON at line 3 column 10: expected ident (2 messages were sent before it)",
        ),
        (
            &["--input", "envelope"],
            "{\"value\":\"x\"}\n  {\"value\":\"y\", \"nope\": 1}\n",
            "invalid record at line 2 column 22: unknown field `nope`",
        ),
        (
            &["--input", "envelope"],
            "{\"value\":\"x\"}\n{\"value\":\"%%%\",\"value_encoding\":\"base64\"}\n",
            "invalid record at line 2 column 1: the value is not valid base64",
        ),
        (
            &["--input", "envelope"],
            "{\"value\":\"x\",\"partition\":5}\n",
            "invalid record at line 1 column 1: partition 5 does not exist (the topic has 2 partitions) (0 messages were sent before it)",
        ),
        (
            &["--input", "envelope"],
            "{\"value\":\"x\",\"value_encoding\":\"hex\"}\n",
            "unknown variant `hex`",
        ),
    ];
    for (args, input, expected) in cases {
        let out = broker
            .kctl()
            .args(["produce", bad.as_str()])
            .args(*args)
            .write_stdin(*input)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{input}: {stderr}");
        assert!(stderr.contains(expected), "{input}: {stderr}");
        assert!(
            stderr.contains("delivered "),
            "a summary is printed: {stderr}"
        );
    }
    // What was sent before the error was delivered, not dropped.
    assert_eq!(all_json(&broker, bad.as_str()).len(), 2 + 1 + 1);

    broker
        .kctl()
        .args(["produce", bad.as_str(), "-p", "2"])
        .write_stdin("x")
        .assert()
        .code(1)
        .stderr(predicates::str::contains(format!(
            "partition 2 of topic '{bad}' does not exist",
        )));
    broker
        .kctl()
        .args(["produce", bad.as_str(), "--input", "json", "-K", ":"])
        .write_stdin("x")
        .assert()
        .code(2);
    broker
        .kctl()
        .args(["produce", bad.as_str(), "--file", "/nonexistent/file"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("cannot open '/nonexistent/file'"));
}

#[test]
fn missing_topics_are_errors_and_are_not_created() {
    let broker = Broker::start();
    let ghost = common::unique("ghost");
    for args in [
        vec!["produce", ghost.as_str()],
        vec!["consume", ghost.as_str(), "-e"],
    ] {
        broker
            .kctl()
            .args(&args)
            .write_stdin("x\n")
            .assert()
            .code(1)
            .stderr(predicates::str::contains(format!(
                "topic '{ghost}' does not exist"
            )));
    }
    let list = broker.json(&["topics", "list"]);
    assert!(!list.to_string().contains(&ghost), "{list}");
}

#[test]
fn produce_from_a_file() {
    let broker = Broker::start();
    let file = common::unique("file");
    create(&broker, file.as_str(), 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.json");
    std::fs::write(&path, "{\n  \"id\": 1\n}\n").unwrap();
    broker
        .kctl()
        .args(["produce", file.as_str(), "--file"])
        .arg(&path)
        .assert()
        .success()
        .stderr(predicates::str::contains("delivered 1, failed 0"));
    assert_eq!(
        values(&all_json(&broker, file.as_str())),
        ["{\n  \"id\": 1\n}"]
    );
}

/// librdkafka's mock cluster, for what a healthy broker cannot show.
fn mock_cluster(
) -> rdkafka::mocking::MockCluster<'static, rdkafka::producer::DefaultProducerContext> {
    rdkafka::mocking::MockCluster::new(1).expect("librdkafka's mock cluster")
}

#[test]
fn failed_deliveries_are_counted_and_fail_the_command() {
    let mock = mock_cluster();
    mock.create_topic("denied", 1, 1).unwrap();
    mock.request_errors(
        rdkafka::types::RDKafkaApiKey::Produce,
        &[rdkafka::types::RDKafkaRespErr::RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED; 10],
    );
    let out = common::kctl()
        .args(["-b", &mock.bootstrap_servers(), "--timeout", "5s"])
        .args(["produce", "denied", "-X", "enable.idempotence=false"])
        .write_stdin("a\nb\nc\n")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("delivered 0, failed 3"), "{stderr}");
    assert!(
        stderr.contains("3 of 3 messages were not delivered to 'denied'"),
        "{stderr}"
    );
    assert!(
        stderr.contains("not authorized to write topic 'denied' as User:ANONYMOUS"),
        "{stderr}"
    );
}

#[test]
fn exit_at_end_stops_on_position_past_transaction_markers() {
    let mock = mock_cluster();
    mock.create_topic("txn", 2, 1).unwrap();
    let producer: rdkafka::producer::BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", mock.bootstrap_servers())
        .set("transactional.id", "kctl-test")
        .create()
        .unwrap();
    producer.init_transactions(Duration::from_secs(10)).unwrap();
    producer.begin_transaction().unwrap();
    for v in ["t1", "t2", "t3"] {
        producer
            .send(BaseRecord::<(), str>::to("txn").payload(v).partition(0))
            .unwrap();
    }
    producer
        .commit_transaction(Duration::from_secs(10))
        .unwrap();
    // Partition 0 ends with a commit marker (offset 3); partition 1 is empty.
    let out = common::kctl()
        .args(["-b", &mock.bootstrap_servers()])
        .args(["consume", "txn", "--from-beginning", "-e"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, b"t1\nt2\nt3\n");
}

/// A transaction still open when `consume -e` starts: kctl ends after the committed records
/// (at the last stable offset) instead of waiting for the transaction to end.
#[test]
fn exit_at_end_does_not_wait_for_an_open_transaction() {
    let broker = Broker::start();
    let open_txn = common::unique("open-txn");
    create(&broker, open_txn.as_str(), 1);
    produce(&broker, open_txn.as_str(), &[], "before\n");
    let producer: rdkafka::producer::BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &broker.addr)
        .set("transactional.id", "kctl-open-txn")
        .create()
        .unwrap();
    producer.init_transactions(Duration::from_secs(10)).unwrap();
    producer.begin_transaction().unwrap();
    producer
        .send(BaseRecord::<(), str>::to(&open_txn).payload("in-flight"))
        .unwrap();
    producer.flush(Duration::from_secs(10)).unwrap();

    let started = Instant::now();
    let out = broker
        .kctl()
        .args(["consume", open_txn.as_str(), "--from-beginning", "-e"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(out.stdout, b"before\n", "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );

    // Uncommitted records show when reading uncommitted.
    let out = broker
        .kctl()
        .args(["consume", open_txn.as_str(), "--from-beginning", "-e"])
        .args(["-X", "isolation.level=read_uncommitted"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(out.stdout, b"before\nin-flight\n");
    producer.abort_transaction(Duration::from_secs(10)).unwrap();
}

#[test]
fn help_shows_the_modes() {
    common::kctl()
        .args(["produce", "--help"])
        .assert()
        .success()
        .stdout(predicates::str::contains("--input"))
        .stdout(predicates::str::contains("envelope"));
    common::kctl()
        .args(["consume", "--help"])
        .assert()
        .success()
        .stdout(predicates::str::contains("--from-beginning"))
        .stdout(predicates::str::contains("--format"));
}
