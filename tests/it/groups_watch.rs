//! `kctl groups describe GROUP --watch`: against a group whose consumer is slowed on purpose
//! while a producer writes at a steady pace, the consume and produce rates and the time to
//! catch up it prints agree within 20 % with what this test measures on its own (committed
//! and log-end offsets sampled with rust-rdkafka); its JSON lines are one object per sample;
//! a sample the cluster cannot answer is reported and the watch goes on; Ctrl-C ends it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::common::apache::cluster::Cluster;
use crate::common::{self, Broker};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};
use serde_json::Value;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Reads `child`'s stdout lines on a thread of their own.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Sends SIGINT to `child` and waits for it (at most 20 s); its exit code.
fn interrupt(child: &mut Child) -> Option<i32> {
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the watch did not end on SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// (time in ms, sum of committed offsets, sum of log-end offsets), sampled by this test.
type Measured = Vec<(i64, i64, i64)>;

/// The value of `pick` at `t`, interpolated between the measurements around it.
fn at(measured: &Measured, t: i64, pick: impl Fn(&(i64, i64, i64)) -> i64) -> f64 {
    let i = measured
        .iter()
        .rposition(|m| m.0 <= t)
        .expect("measured before the window");
    let a = &measured[i];
    let b = measured.get(i + 1).expect("measured after the window");
    let f = (t - a.0) as f64 / (b.0 - a.0) as f64;
    pick(a) as f64 + f * (pick(b) - pick(a)) as f64
}

fn within(what: &str, printed: f64, measured: f64, tolerance: f64) {
    assert!(
        (printed - measured).abs() <= tolerance * measured.abs(),
        "{what}: kctl printed {printed}, the test measured {measured}"
    );
}

#[test]
fn watched_rates_and_eta_agree_with_offsets_measured_independently() {
    let broker = Broker::start();
    let topic = common::unique("watch");
    let group = common::unique("watch-group");
    broker
        .kctl()
        .args(["topics", "create", &topic, "-p", "2"])
        .assert()
        .success();
    broker
        .kctl()
        .args(["produce", &topic])
        .write_stdin("x\n".repeat(20_000))
        .assert()
        .success();
    let stop = Arc::new(AtomicBool::new(false));

    // The slowed consumer: about 2 ms per record (500 a second at most), committing every
    // 20 records; 20,000 records keep it behind for the whole test.
    let consumer_thread = {
        let (stop, addr, topic, group) = (
            stop.clone(),
            broker.addr.clone(),
            topic.clone(),
            group.clone(),
        );
        std::thread::spawn(move || {
            let consumer: BaseConsumer = ClientConfig::new()
                .set("bootstrap.servers", &addr)
                .set("group.id", &group)
                .set("enable.auto.commit", "false")
                .set("enable.auto.offset.store", "false")
                // Small fetches and a short queue: both partitions are read side by side.
                .set("max.partition.fetch.bytes", "1024")
                .set("queued.min.messages", "20")
                .set("auto.offset.reset", "earliest")
                .create()
                .unwrap();
            consumer.subscribe(&[&topic]).unwrap();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let Some(Ok(msg)) = consumer.poll(Duration::from_millis(100)) else {
                    continue;
                };
                let mut tpl = TopicPartitionList::new();
                tpl.add_partition_offset(
                    msg.topic(),
                    msg.partition(),
                    Offset::Offset(msg.offset() + 1),
                )
                .unwrap();
                consumer.store_offsets(&tpl).unwrap();
                n += 1;
                std::thread::sleep(Duration::from_millis(2));
                if n % 20 == 0 {
                    let _ = consumer.commit_consumer_state(CommitMode::Async);
                }
            }
        })
    };
    // A steady producer: a record every 10 ms or so.
    let producer_thread = {
        let (stop, addr, topic) = (stop.clone(), broker.addr.clone(), topic.clone());
        std::thread::spawn(move || {
            let producer: BaseProducer = ClientConfig::new()
                .set("bootstrap.servers", &addr)
                .set("linger.ms", "0")
                .create()
                .unwrap();
            let mut i = 0i32;
            while !stop.load(Ordering::Relaxed) {
                let _ = producer.send(
                    BaseRecord::<(), str>::to(&topic)
                        .partition(i % 2)
                        .payload("y"),
                );
                producer.poll(Duration::ZERO);
                i += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
            producer.flush(Duration::from_secs(10)).unwrap();
        })
    };
    // This test's own measurements of the group's committed offsets and the log ends.
    let measured: Arc<Mutex<Measured>> = Arc::default();
    let sampler_thread = {
        let (stop, addr, topic, group, measured) = (
            stop.clone(),
            broker.addr.clone(),
            topic.clone(),
            group.clone(),
            measured.clone(),
        );
        std::thread::spawn(move || {
            let client: BaseConsumer = ClientConfig::new()
                .set("bootstrap.servers", &addr)
                .set("group.id", &group)
                .set("enable.auto.commit", "false")
                .create()
                .unwrap();
            let mut tpl = TopicPartitionList::new();
            tpl.add_partition(&topic, 0);
            tpl.add_partition(&topic, 1);
            while !stop.load(Ordering::Relaxed) {
                let before = now_ms();
                let Ok(committed) = client.committed_offsets(tpl.clone(), Duration::from_secs(5))
                else {
                    continue;
                };
                // Once both partitions have a committed offset.
                let committed: Option<i64> = committed
                    .elements()
                    .iter()
                    .map(|e| match e.offset() {
                        Offset::Offset(o) => Some(o),
                        _ => None,
                    })
                    .sum();
                let Some(committed) = committed else {
                    std::thread::sleep(Duration::from_millis(100));
                    continue;
                };
                let ends: Option<i64> = (0..2)
                    .map(|p| {
                        client
                            .fetch_watermarks(&topic, p, Duration::from_secs(5))
                            .ok()
                            .map(|w| w.1)
                    })
                    .sum();
                let Some(ends) = ends else {
                    continue;
                };
                let after = now_ms();
                measured
                    .lock()
                    .unwrap()
                    .push(((before + after) / 2, committed, ends));
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };

    // The group has committed and is on its way: watch it.
    let deadline = Instant::now() + Duration::from_secs(60);
    while measured.lock().unwrap().last().is_none_or(|m| m.1 < 200) {
        assert!(Instant::now() < deadline, "the consumer did not commit");
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut watch = common::kctl_command()
        .args([
            "-b",
            &broker.addr,
            "-o",
            "json",
            "groups",
            "describe",
            &group,
        ])
        .args(["--watch", "--interval", "1s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut watch);
    let mut samples: Vec<Value> = Vec::new();
    while samples.len() < 9 {
        let line = lines
            .recv_timeout(Duration::from_secs(20))
            .expect("a sample every second");
        samples.push(serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}")));
    }
    // Measurements past the last sample, then everything stops.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(interrupt(&mut watch), Some(130), "Ctrl-C ends the watch");
    stop.store(true, Ordering::Relaxed);
    for t in [consumer_thread, producer_thread, sampler_thread] {
        t.join().unwrap();
    }
    // Nothing but whole JSON lines, then.
    for line in lines.try_iter() {
        serde_json::from_str::<Value>(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    }

    let first = &samples[0];
    assert_eq!(first["sample"], 1);
    assert_eq!(first["missed"], false);
    assert_eq!(first["groups"][0]["consume_rate"], Value::Null, "{first}");
    assert_eq!(
        first["groups"][0]["partitions"].as_array().unwrap().len(),
        2
    );

    let last = samples.last().unwrap();
    let g = &last["groups"][0];
    assert_eq!(g["group"], group.as_str());
    assert_eq!(g["state"], "stable");
    let end = last["time"].as_i64().unwrap();
    let window = g["window_ms"].as_i64().unwrap();
    assert!(window >= 4000, "{g}");
    let start = end - window;
    let measured = measured.lock().unwrap();
    let consumed =
        (at(&measured, end, |m| m.1) - at(&measured, start, |m| m.1)) * 1000.0 / window as f64;
    let produced =
        (at(&measured, end, |m| m.2) - at(&measured, start, |m| m.2)) * 1000.0 / window as f64;
    assert!(
        consumed > produced,
        "the consumer is slowed, not stopped: {consumed} {produced}"
    );
    within(
        "consume rate",
        g["consume_rate"].as_f64().unwrap(),
        consumed,
        0.2,
    );
    within(
        "produce rate",
        g["produce_rate"].as_f64().unwrap(),
        produced,
        0.2,
    );
    let lag = at(&measured, end, |m| m.2) - at(&measured, end, |m| m.1);
    within("lag", g["lag"].as_f64().unwrap(), lag, 0.2);
    assert_eq!(g["status"], "catching_up", "{g}");
    assert_eq!(g["trend"], "shrinking", "{g}");
    let eta = lag / (consumed - produced) * 1000.0;
    within("ETA", g["eta_ms"].as_f64().unwrap(), eta, 0.2);
    // The per-partition rates add up to the group's.
    let sum: f64 = g["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["consume_rate"].as_f64().unwrap())
        .sum();
    within(
        "partition rates",
        sum,
        g["consume_rate"].as_f64().unwrap(),
        0.01,
    );
    // The time lag: the log end was where the group is now about lag / produce rate ago.
    let time_lag = g["time_lag_ms"].as_f64().unwrap_or_else(|| panic!("{g}"));
    assert!(time_lag > 0.0, "{g}");
}

/// A sample the cluster cannot answer (its broker restarting) is a line that says so, and the
/// watch goes on once it is back; the groups must exist when the watch starts.
#[test]
fn a_missed_sample_is_reported_and_the_watch_goes_on_after_a_broker_restart() {
    let cluster = Cluster::start(&[]);
    let topic = common::unique("watch-restart");
    cluster
        .kctl()
        .args(["topics", "create", &topic, "-p", "1"])
        .assert()
        .success();
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &cluster.addr)
        .set("group.id", "tracker")
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(&topic, 0, Offset::Offset(0))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while let Err(e) = consumer.commit(&tpl, CommitMode::Sync) {
        assert!(Instant::now() < deadline, "commit: {e}");
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(consumer);

    let missing = cluster
        .kctl()
        .args(["--timeout", "5s", "groups", "describe"])
        .args(["no-such-group", "--watch", "--interval", "200ms"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("not found: no-such-group"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );

    let mut watch = cluster.kctl_process();
    let mut watch = watch
        .args(["--timeout", "2s", "groups", "describe"])
        .args(["tracker", "--watch", "--interval", "500ms"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut watch);
    let said = Arc::new(Mutex::new(String::new()));
    {
        let (said, stderr) = (said.clone(), watch.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(|l| l.ok()) {
                said.lock().unwrap().push_str(&(line + "\n"));
            }
        });
    }
    let next = || -> Value {
        let Ok(line) = lines.recv_timeout(Duration::from_secs(20)) else {
            panic!("no sample: {}", said.lock().unwrap());
        };
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    };
    let first = next();
    assert_eq!(first["missed"], false, "{first}");
    assert_eq!(first["groups"][0]["partitions"][0]["current_offset"], 0);
    let down = cluster.kill(1);
    let deadline = Instant::now() + Duration::from_secs(30);
    let missed = loop {
        let sample = next();
        if sample["missed"] == true {
            break sample;
        }
        assert!(Instant::now() < deadline, "no sample was missed");
    };
    assert!(
        missed["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{missed}"
    );
    assert_eq!(missed["groups"], serde_json::json!([]));
    down.restart();
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let sample = next();
        if sample["missed"] == false {
            assert_eq!(sample["groups"][0]["group"], "tracker", "{sample}");
            assert_eq!(sample["groups"][0]["partitions"][0]["current_offset"], 0);
            break;
        }
        assert!(Instant::now() < deadline, "the watch did not recover");
    }
    assert_eq!(interrupt(&mut watch), Some(130));
}

/// Bad input: --interval without --watch, an interval too short, --watch with --time-lag.
#[test]
fn watch_bad_input_is_a_usage_error() {
    for args in [
        &["groups", "describe", "g", "--interval", "1s"][..],
        &["groups", "describe", "g", "--watch", "--interval", "1ms"][..],
        &["groups", "describe", "g", "--watch", "--interval", "soon"][..],
        &["groups", "describe", "g", "--watch", "--time-lag"][..],
    ] {
        let out = common::kctl().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

/// On a terminal the watch redraws its table in place (cursor home, screen cleared) each
/// interval, with a line per group; Ctrl-C ends it.
#[test]
fn on_a_terminal_the_table_is_redrawn_in_place() {
    use std::io::Read;
    let broker = Broker::start();
    let topic = common::unique("watch-tty");
    let group = common::unique("watch-tty-group");
    broker
        .kctl()
        .args(["topics", "create", &topic, "-p", "1"])
        .assert()
        .success();
    common::commit_offsets(&broker, &group, &topic, &[0]);
    let (controller, terminal) = crate::prompt::pty();
    let mut child = common::kctl_command()
        .env("TERM", "xterm")
        .args(["-b", &broker.addr, "groups", "describe", &group])
        .args(["--watch", "--interval", "300ms"])
        .stdin(Stdio::null())
        .stdout(Stdio::from(terminal.try_clone().unwrap()))
        .stderr(Stdio::from(terminal.try_clone().unwrap()))
        .spawn()
        .unwrap();
    drop(terminal);
    let seen = Arc::new(Mutex::new(Vec::new()));
    {
        let (seen, mut reader) = (seen.clone(), controller.try_clone().unwrap());
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                seen.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
    }
    let text = || String::from_utf8_lossy(&seen.lock().unwrap()).into_owned();
    let deadline = Instant::now() + Duration::from_secs(30);
    while text().matches("\x1b[H\x1b[2J").count() < 3 {
        assert!(Instant::now() < deadline, "no redraws: {:?}", text());
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(interrupt(&mut child), Some(130));
    let screen = text();
    let last = screen.rsplit("\x1b[H\x1b[2J").next().unwrap().to_string();
    assert!(
        last.contains("Every 300ms") || screen.contains("Every 300ms"),
        "{screen:?}"
    );
    let last_screen = screen
        .rsplit("\x1b[H\x1b[2J")
        .find(|s| s.contains("CONSUME-RATE"))
        .unwrap_or_else(|| panic!("{screen:?}"));
    let row = last_screen
        .lines()
        .find(|l| l.starts_with(&group))
        .unwrap_or_else(|| panic!("{last_screen:?}"));
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        &cells[..6],
        [group.as_str(), topic.as_str(), "0", "0", "0", "0"],
        "{row}"
    );
    assert_eq!(cells[10], "caught-up", "{row}");
    assert!(
        last_screen.contains(&format!("{group} (Empty, 0 members): lag 0")),
        "{last_screen:?}"
    );
}
