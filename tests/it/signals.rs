//! Ctrl-C (SIGINT) ends commands cleanly with exit 130, and a closed stdout (`| head -1`) ends
//! them quietly with exit 0.
//!
//! Every test waits for the process to be under way (lines printed, messages landed, and its
//! SIGINT handler installed) before it sends the signal, and every wait is bounded.

use crate::common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use common::{silent_port, spawn, Broker};

/// Waits until the process handles `signal` (Linux: the SigCgt mask of /proc/PID/status), so
/// the signal reaches kctl's handler rather than ending the process at once.
fn wait_for_handler(child: &Child, signal: i32) {
    let path = format!("/proc/{}/status", child.id());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let Ok(status) = std::fs::read_to_string(&path) else {
            // No procfs: give the runtime time to start instead.
            std::thread::sleep(Duration::from_millis(500));
            return;
        };
        let caught = status
            .lines()
            .find_map(|l| l.strip_prefix("SigCgt:"))
            .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
            .unwrap_or(0);
        if caught & (1 << (signal - 1)) != 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "kctl installed no handler for signal {signal} within 20s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn send(child: &Child, signal: i32) {
    wait_for_handler(child, signal);
    unsafe { libc::kill(child.id() as i32, signal) };
}

fn sigint(child: &Child) {
    send(child, libc::SIGINT);
}

/// Waits for the process to end (killing it after `limit`); returns its status and stderr.
fn finish(child: &mut Child, limit: Duration) -> (ExitStatus, String) {
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("kctl did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        pipe.read_to_string(&mut stderr).unwrap();
    }
    (status, stderr)
}

/// Reads kctl's stdout on a thread: the first `first` lines, then nothing until `more` is
/// called (so kctl is held up by the full pipe, as behind a slow reader), then the rest.
struct Lines {
    rx: mpsc::Receiver<String>,
    go: mpsc::Sender<()>,
}

impl Lines {
    fn new(stdout: ChildStdout, first: usize) -> Lines {
        let (tx, rx) = mpsc::channel();
        let (go, wait) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            for _ in 0..first {
                match lines.next() {
                    Some(Ok(line)) => {
                        if tx.send(line).is_err() {
                            return;
                        }
                    }
                    _ => return,
                }
            }
            if wait.recv().is_err() {
                return;
            }
            for line in lines {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Lines { rx, go }
    }

    /// The first lines, within `limit`.
    fn first(&self, n: usize, limit: Duration) -> Vec<String> {
        let deadline = Instant::now() + limit;
        let mut out = Vec::new();
        while out.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(line) => out.push(line),
                Err(e) => panic!("got {} of {n} lines within {limit:?}: {e}", out.len()),
            }
        }
        out
    }

    /// Reads on to the end of stdout, within `limit`.
    fn rest(self, limit: Duration) -> Vec<String> {
        let _ = self.go.send(());
        let deadline = Instant::now() + limit;
        let mut out = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(line) => out.push(line),
                Err(mpsc::RecvTimeoutError::Disconnected) => return out,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    panic!("stdout did not end within {limit:?}")
                }
            }
        }
    }
}

fn create(broker: &Broker, topic: &str, partitions: u32) {
    broker
        .kctl()
        .args(["topics", "create", topic, "-p", &partitions.to_string()])
        .assert()
        .success();
}

/// The latest offset of each partition of `topic`.
fn end_offsets(broker: &Broker, topic: &str) -> BTreeMap<i64, i64> {
    let described = broker.json(&["topics", "describe", topic]);
    described["topics"][0]["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["partition"].as_i64().unwrap(),
                p["latest_offset"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// `count` messages of about 200 bytes spread over the partitions by key.
fn fill(broker: &Broker, topic: &str, count: usize) {
    let padding = "x".repeat(190);
    let input: String = (0..count).map(|i| format!("k{i}:{padding}\n")).collect();
    broker
        .kctl()
        .args(["produce", topic, "-K", ":"])
        .write_stdin(input)
        .assert()
        .success();
}

/// The next offset after the highest one printed, per partition, from `%p %o ...` lines;
/// asserts each partition's offsets were printed once each, in order, from 0.
fn printed_next(lines: &[String]) -> BTreeMap<i64, i64> {
    let mut next: BTreeMap<i64, i64> = BTreeMap::new();
    for line in lines {
        let mut words = line.split(' ');
        let p: i64 = words.next().unwrap().parse().unwrap();
        let o: i64 = words.next().unwrap().parse().unwrap();
        let expected = next.entry(p).or_insert(0);
        assert_eq!(o, *expected, "partition {p}: offset {o} out of order");
        *expected = o + 1;
    }
    next
}

/// Consumes `topic` from the beginning with `extra` args, holds the reader back after a few
/// hundred lines, presses Ctrl-C, then reads on to the end. Checks the exit and returns the
/// lines printed.
fn interrupt_consume(broker: &Broker, topic: &str, extra: &[&str], total: usize) -> Vec<String> {
    let mut args = vec![
        "-b",
        &broker.addr,
        "consume",
        topic,
        "--from-beginning",
        "--format",
        "%p %o %v\\n",
    ];
    args.extend_from_slice(extra);
    let mut child = spawn(&args, Stdio::null());
    let lines = Lines::new(child.stdout.take().unwrap(), 300);
    let mut seen = lines.first(300, Duration::from_secs(30));
    sigint(&child);
    seen.extend(lines.rest(Duration::from_secs(30)));
    let (status, stderr) = finish(&mut child, Duration::from_secs(30));
    assert_eq!(status.code(), Some(130), "stderr: {stderr}");
    assert_eq!(stderr, "interrupted\n", "nothing but the interruption");
    assert!(
        seen.len() < total,
        "the interrupt came after all {total} messages: the test proves nothing"
    );
    seen
}

#[test]
fn ctrl_c_during_consume_without_a_group_stops_cleanly() {
    let broker = Broker::start();
    let feed = common::unique("feed");
    create(&broker, feed.as_str(), 3);
    fill(&broker, feed.as_str(), 20_000);
    let seen = interrupt_consume(&broker, feed.as_str(), &[], 20_000);
    let next = printed_next(&seen);
    assert_eq!(next.values().sum::<i64>() as usize, seen.len());
    // Other tests share the broker and make groups of their own: none of kctl's making.
    let groups = broker.json(&["groups", "list"]);
    assert!(
        groups["groups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| !g["group"].as_str().unwrap().starts_with("kctl")),
        "no group was made: {groups}"
    );
}

#[test]
fn ctrl_c_during_consume_with_a_group_commits_only_what_was_printed() {
    let broker = Broker::start();
    let feed = common::unique("group-feed");
    let reader = common::unique("reader");
    create(&broker, feed.as_str(), 3);
    fill(&broker, feed.as_str(), 20_000);
    let seen = interrupt_consume(&broker, feed.as_str(), &["-g", reader.as_str()], 20_000);
    let next = printed_next(&seen);

    let described = broker.json(&["groups", "describe", reader.as_str()]);
    let mut committed: BTreeMap<i64, i64> = BTreeMap::new();
    for o in described["groups"][0]["offsets"].as_array().unwrap() {
        if let Some(c) = o["current_offset"].as_i64() {
            committed.insert(o["partition"].as_i64().unwrap(), c);
        }
    }
    for (p, c) in &committed {
        let printed = next.get(p).copied().unwrap_or(0);
        assert!(
            *c <= printed,
            "partition {p}: committed {c}, but only offsets below {printed} were printed"
        );
    }
    // And nothing printed is left uncommitted: a restart resumes right after the last line.
    assert_eq!(committed, next, "committed vs printed");
}

#[test]
fn ctrl_c_during_a_busy_produce_reports_what_landed() {
    let broker = Broker::start();
    let stream = common::unique("stream");
    create(&broker, stream.as_str(), 3);
    let mut child = spawn(
        &["-b", &broker.addr, "produce", stream.as_str()],
        Stdio::piped(),
    );
    let mut stdin = child.stdin.take().unwrap();
    // An endless stream (bounded in time) that keeps the producer busy.
    let writer = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(90);
        let mut written: u64 = 0;
        let mut chunk = String::new();
        while Instant::now() < deadline {
            chunk.clear();
            for i in 0..1000 {
                chunk.push_str(&format!("message {}\n", written + i));
            }
            if stdin.write_all(chunk.as_bytes()).is_err() {
                break;
            }
            written += 1000;
        }
        written
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while end_offsets(&broker, stream.as_str()).values().sum::<i64>() < 1000 {
        assert!(Instant::now() < deadline, "no messages landed within 30s");
        std::thread::sleep(Duration::from_millis(50));
    }
    sigint(&child);
    let (status, stderr) = finish(&mut child, Duration::from_secs(40));
    let written = writer.join().unwrap();
    assert_eq!(status.code(), Some(130), "stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "a summary, then the interruption: {stderr}");
    assert_eq!(lines[1], "interrupted");
    let delivered: i64 = lines[0]
        .strip_prefix("delivered ")
        .and_then(|rest| rest.strip_suffix(", failed 0"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected summary: {stderr}"));
    let landed: i64 = end_offsets(&broker, stream.as_str()).values().sum();
    assert_eq!(
        delivered, landed,
        "the summary counts what is on the broker"
    );
    assert!(
        (landed as u64) < written,
        "stopped in the middle of the stream ({landed} of {written} written)"
    );
}

#[test]
fn ctrl_c_during_a_long_describe_exits_130() {
    let addr = silent_port();
    for what in [
        ["topics", "describe", "orders"],
        ["groups", "describe", "g"],
    ] {
        let mut args = vec!["-b", &addr, "--timeout", "60s"];
        args.extend(what);
        let mut child = spawn(&args, Stdio::null());
        // Under way: connected to the port that never answers.
        std::thread::sleep(Duration::from_millis(300));
        sigint(&child);
        let sent = Instant::now();
        let (status, stderr) = finish(&mut child, Duration::from_secs(10));
        let took = sent.elapsed();
        assert_eq!(status.code(), Some(130), "{what:?}: {stderr}");
        assert_eq!(stderr, "interrupted\n", "{what:?}");
        assert!(took < Duration::from_secs(2), "{what:?} took {took:?}");
    }
}

#[test]
fn consume_into_a_closed_pipe_ends_quietly() {
    let broker = Broker::start();
    let pipe = common::unique("pipe");
    let piped = common::unique("piped");
    create(&broker, pipe.as_str(), 3);
    fill(&broker, pipe.as_str(), 20_000);
    // `kctl consume ... | head -1` while kctl still has thousands of records to write.
    for extra in [
        &["-o", "json", "-e"][..],
        &["-g", piped.as_str(), "-e"][..],
        &["--format", "%k %v\\n"][..],
    ] {
        let mut args = vec![
            "-b",
            &broker.addr,
            "consume",
            pipe.as_str(),
            "--from-beginning",
        ];
        args.extend_from_slice(extra);
        let mut child = spawn(&args, Stdio::null());
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        assert!(!line.is_empty(), "{extra:?}: nothing printed");
        drop(stdout);
        let (status, stderr) = finish(&mut child, Duration::from_secs(30));
        assert_eq!(status.code(), Some(0), "{extra:?}: {stderr}");
        assert_eq!(stderr, "", "{extra:?}: a closed pipe is not an error");
    }
}

#[test]
fn sigterm_ends_a_busy_produce_with_its_summary_and_exit_143() {
    let broker = Broker::start();
    let topic = common::unique("term");
    create(&broker, &topic, 3);
    let mut child = spawn(&["-b", &broker.addr, "produce", &topic], Stdio::piped());
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(90);
        let chunk: String = (0..1000).map(|i| format!("message {i}\n")).collect();
        while Instant::now() < deadline && stdin.write_all(chunk.as_bytes()).is_ok() {}
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while end_offsets(&broker, &topic).values().sum::<i64>() < 1000 {
        assert!(Instant::now() < deadline, "no messages landed within 30s");
        std::thread::sleep(Duration::from_millis(50));
    }
    send(&child, libc::SIGTERM);
    let (status, stderr) = finish(&mut child, Duration::from_secs(40));
    writer.join().unwrap();
    assert_eq!(status.code(), Some(143), "stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "a summary, then the interruption: {stderr}");
    assert!(lines[0].starts_with("delivered "), "{stderr}");
    assert_eq!(lines[1], "interrupted");
}

#[test]
fn sighup_ends_a_group_consumer_that_leaves_its_group_at_once() {
    let broker = Broker::start();
    let topic = common::unique("hup");
    let group = common::unique("hup-group");
    create(&broker, &topic, 2);
    fill(&broker, &topic, 2_000);
    let mut child = spawn(
        &[
            "-b",
            &broker.addr,
            "consume",
            &topic,
            "-g",
            &group,
            "--from-beginning",
            "--format",
            "%p %o\\n",
        ],
        Stdio::null(),
    );
    let lines = Lines::new(child.stdout.take().unwrap(), 2_000);
    let mut seen = lines.first(2_000, Duration::from_secs(30));
    send(&child, libc::SIGHUP);
    seen.extend(lines.rest(Duration::from_secs(30)));
    let (status, stderr) = finish(&mut child, Duration::from_secs(30));
    assert_eq!(status.code(), Some(129), "stderr: {stderr}");
    assert_eq!(stderr, "interrupted\n");
    // It left: the group has no members now, so its offsets can be reset at once.
    let described = broker.json(&["groups", "describe", &group]);
    assert_eq!(described["groups"][0]["members"], serde_json::json!([]));
    broker
        .kctl()
        .args([
            "groups",
            "reset-offsets",
            &group,
            "--all-topics",
            "--to-earliest",
        ])
        .args(["--execute", "--yes"])
        .assert()
        .success();
    assert_eq!(printed_next(&seen).values().sum::<i64>(), 2_000);
}

/// GNU `timeout` sends its signal twice, to kctl and then to kctl's process group: that is one
/// request to stop, and the group member still commits what it printed and leaves its group
/// (it used to exit at once on the second signal, leaving a member behind for the group's
/// session timeout). A signal well after the first ends kctl at once.
#[test]
fn a_signal_sent_to_kctl_and_its_process_group_still_ends_cleanly() {
    use std::os::unix::process::CommandExt;
    let broker = Broker::start();
    let topic = common::unique("double-term");
    let group = common::unique("double-term-group");
    create(&broker, &topic, 2);
    fill(&broker, &topic, 2_000);
    let mut cmd = common::kctl_command();
    cmd.args(["-b", &broker.addr, "consume", &topic, "-g", &group])
        .args(["--from-beginning", "--format", "%p %o\\n"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    common::kill_with_parent(&mut cmd);
    let mut child = cmd.spawn().unwrap();
    let lines = Lines::new(child.stdout.take().unwrap(), 2_000);
    let mut seen = lines.first(2_000, Duration::from_secs(30));
    // As `timeout -s TERM` does: the child, then its process group, a moment apart.
    send(&child, libc::SIGTERM);
    std::thread::sleep(Duration::from_millis(5));
    unsafe { libc::kill(-(child.id() as i32), libc::SIGTERM) };
    seen.extend(lines.rest(Duration::from_secs(30)));
    let (status, stderr) = finish(&mut child, Duration::from_secs(30));
    assert_eq!(status.code(), Some(143), "stderr: {stderr}");
    assert_eq!(stderr, "interrupted\n");
    let described = broker.json(&["groups", "describe", &group]);
    assert_eq!(described["groups"][0]["members"], serde_json::json!([]));
    let printed = printed_next(&seen);
    let committed = committed_offsets(&broker.addr, &group, &topic, 2);
    assert_eq!(
        committed,
        [0, 1].map(|p| printed.get(&p).copied().unwrap_or(-1001)),
        "{printed:?}"
    );
    assert_eq!(printed.values().sum::<i64>(), 2_000);
}

/// Asked again after the first signal's moment has passed, kctl ends at once with the first
/// signal's exit code, even while its clean exit waits (here, `produce` waiting for a cluster
/// that never answers).
#[test]
fn a_second_signal_later_ends_at_once() {
    let port = silent_port();
    let mut child = spawn(
        &["-b", &port, "--timeout", "60s", "produce", "t"],
        Stdio::piped(),
    );
    send(&child, libc::SIGTERM);
    std::thread::sleep(Duration::from_millis(1_500));
    assert!(child.try_wait().unwrap().is_none(), "the clean exit waits");
    let asked = Instant::now();
    send(&child, libc::SIGINT);
    let (status, _) = finish(&mut child, Duration::from_secs(30));
    assert_eq!(status.code(), Some(143));
    assert!(
        asked.elapsed() < Duration::from_secs(10),
        "{:?}",
        asked.elapsed()
    );
}

#[test]
fn consume_with_nothing_left_to_write_notices_a_closed_pipe() {
    let broker = Broker::start();
    let topic = common::unique("idle-pipe");
    create(&broker, &topic, 1);
    fill(&broker, &topic, 5);
    // `kctl consume T --from-beginning | head -2`: everything fits in the pipe, then kctl is
    // idle, following the topic.
    let mut child = spawn(
        &["-b", &broker.addr, "consume", &topic, "--from-beginning"],
        Stdio::null(),
    );
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    for _ in 0..2 {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        assert!(!line.is_empty(), "nothing printed");
    }
    drop(stdout);
    let closed = Instant::now();
    let (status, stderr) = finish(&mut child, Duration::from_secs(20));
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(stderr, "");
    assert!(
        closed.elapsed() < Duration::from_secs(5),
        "took {:?} to notice",
        closed.elapsed()
    );
}

/// `kctl ARGS` with stdout redirected by the shell (`>&-`, `> /dev/full`).
fn with_stdout(redirect: &str, args: &[&str]) -> (Option<i32>, String) {
    let script = format!("exec \"$0\" \"$@\" {redirect}");
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(script).arg(env!("CARGO_BIN_EXE_kctl"));
    let out = common::clean_env(&mut cmd)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn consume_to_a_closed_or_full_stdout_fails_naming_it_and_commits_nothing() {
    let broker = Broker::start();
    let topic = common::unique("nowhere");
    create(&broker, &topic, 2);
    fill(&broker, &topic, 3_000);
    for (redirect, why) in [
        (">&-", "cannot write to stdout: it is closed"),
        (
            "> /dev/full",
            "cannot write to stdout: No space left on device",
        ),
    ] {
        let group = common::unique("nowhere-group");
        let (code, stderr) = with_stdout(
            redirect,
            &[
                "-b",
                &broker.addr,
                "consume",
                &topic,
                "-g",
                &group,
                "--from-beginning",
                "-e",
            ],
        );
        assert_eq!(code, Some(1), "{redirect}: {stderr}");
        assert!(
            stderr.starts_with(&format!("error: {why}")),
            "{redirect}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{redirect}: {stderr}");
        // Nothing was committed: the group has no offsets (nor members). Whether Kafka knows
        // it at all depends on whether kctl joined before it found its stdout unusable: an
        // Empty group (as kafka-consumer-groups shows it) or none.
        let out = broker
            .kctl()
            .args(["-o", "json", "groups", "describe", &group])
            .output()
            .unwrap();
        if out.status.success() {
            let described: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let g = &described["groups"][0];
            assert_eq!(
                g["offsets"],
                serde_json::json!([]),
                "{redirect}: {described}"
            );
            assert_eq!(
                g["members"],
                serde_json::json!([]),
                "{redirect}: {described}"
            );
        } else {
            let said = String::from_utf8_lossy(&out.stderr);
            assert!(
                said.contains("consumer group not found"),
                "{redirect}: {said}"
            );
        }
    }
}

/// Whether `topic` exists on `broker`.
fn topic_exists(broker: &Broker, topic: &str) -> bool {
    let listed = broker.json(&["topics", "list"]);
    listed["topics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == topic)
}

/// A stdout that is /dev/null opened read-write, as Python's `subprocess.DEVNULL`, Node's
/// `stdio: 'ignore'` and the shell's `1<>/dev/null` give it, is no closed stdout: commands
/// that change something do so and exit 0. A closed stdout (`>&-`) and one that takes
/// nothing (`> /dev/full`, `1< /dev/null`) fail naming stdout, before anything is changed.
#[test]
fn a_dev_null_stdout_is_written_and_one_that_cannot_be_fails_before_any_change() {
    let broker = Broker::start();
    // `subprocess.DEVNULL`: /dev/null opened O_RDWR, handed over as the child's stdout; any
    // other: a shell redirection.
    let run = |how: &str, args: &[&str]| {
        let mut args: Vec<&str> = args.to_vec();
        args.splice(0..0, ["-b", broker.addr.as_str()]);
        if how != "subprocess.DEVNULL" {
            return with_stdout(how, &args);
        }
        let devnull = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/null")
            .unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kctl"));
        let out = common::clean_env(&mut cmd)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::from(devnull))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    for how in ["subprocess.DEVNULL", "1<>/dev/null", "> /dev/null"] {
        let topic = common::unique("devnull");
        let (code, stderr) = run(how, &["topics", "create", &topic]);
        assert_eq!(code, Some(0), "{how}: {stderr}");
        assert!(topic_exists(&broker, &topic), "{how}");
        let (code, stderr) = run(how, &["topics", "delete", &topic, "--yes"]);
        assert_eq!(code, Some(0), "{how}: {stderr}");
        assert!(!topic_exists(&broker, &topic), "{how}");
    }

    let unwritable = [
        (">&-", "cannot write to stdout: it is closed"),
        (
            "> /dev/full",
            "cannot write to stdout: No space left on device",
        ),
        (
            "1< /dev/null",
            "cannot write to stdout: Bad file descriptor",
        ),
    ];
    let kept = common::unique("kept");
    create(&broker, &kept, 1);
    for (what, why) in unwritable {
        let topic = common::unique("unwritable");
        for args in [
            vec!["topics", "create", topic.as_str()],
            vec!["topics", "delete", kept.as_str(), "--yes"],
            vec![
                "topics",
                "alter",
                kept.as_str(),
                "--set",
                "retention.ms=1000",
            ],
        ] {
            let (code, stderr) = run(what, &args);
            assert_eq!(code, Some(1), "{what} {args:?}: {stderr}");
            assert!(
                stderr.starts_with(&format!("error: {why}")),
                "{what} {args:?}: {stderr}"
            );
            assert_eq!(stderr.lines().count(), 1, "{what} {args:?}: {stderr}");
        }
        assert!(!topic_exists(&broker, &topic), "{what}: created");
        assert!(topic_exists(&broker, &kept), "{what}: deleted");
        let configs = broker.json(&["topics", "configs", &kept]);
        assert!(
            !configs.to_string().contains("retention.ms"),
            "{what}: altered: {configs}"
        );
    }
}

#[test]
fn consume_e_that_starts_at_the_end_says_why_it_read_nothing() {
    let broker = Broker::start();
    let topic = common::unique("from-end");
    create(&broker, &topic, 1);
    fill(&broker, &topic, 3);
    let out = broker
        .kctl()
        .args(["consume", &topic, "-o", "json", "-e"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(stderr.starts_with("read nothing: "), "{stderr}");
    assert!(stderr.contains("--from-beginning"), "{stderr}");
    // The README's topic copy, fixed, copies everything.
    let copy = common::unique("copy");
    create(&broker, &copy, 1);
    let script = format!(
        "\"$0\" -b {b} consume {topic} --from-beginning -o json -e | \"$0\" -b {b} produce {copy} --input envelope",
        b = broker.addr
    );
    let status = common::clean_env(&mut Command::new("sh"))
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_kctl"))
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(end_offsets(&broker, &copy).values().sum::<i64>(), 3);
}

/// The group's committed offset per partition, read by a client that never joins the group.
fn committed_offsets(addr: &str, group: &str, topic: &str, partitions: i32) -> Vec<i64> {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    let client: BaseConsumer = rdkafka::config::ClientConfig::new()
        .set("bootstrap.servers", addr)
        .set("group.id", group)
        .create()
        .unwrap();
    let mut tpl = rdkafka::TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition(topic, p);
    }
    // The coordinator may be moving or loading ("not coordinator"): ask again.
    let deadline = Instant::now() + Duration::from_secs(20);
    let committed = loop {
        match client.committed_offsets(tpl.clone(), Duration::from_secs(10)) {
            Ok(committed) => break committed,
            Err(e) if Instant::now() < deadline => {
                eprintln!("committed offsets: {e}; again");
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("cannot read the committed offsets of {group}: {e}"),
        }
    };
    (0..partitions)
        .map(
            |p| match committed.find_partition(topic, p).unwrap().offset() {
                rdkafka::Offset::Offset(o) => o,
                _ => -1,
            },
        )
        .collect()
}

/// Reads `%p %o ...` lines from a member's stdout, recording (partition, offset) pairs: slowly
/// (1 ms a line) while `slow` holds, and raises `started` at the first line.
fn reader(
    stdout: ChildStdout,
    slow: Arc<AtomicBool>,
    started: Arc<AtomicBool>,
) -> std::thread::JoinHandle<Vec<(i64, i64)>> {
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            started.store(true, Ordering::Relaxed);
            let mut words = line.split(' ');
            let p = words.next().unwrap().parse().unwrap();
            let o = words.next().unwrap().parse().unwrap();
            seen.push((p, o));
            if slow.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        seen
    })
}

#[test]
fn group_members_that_rebalance_commit_what_they_printed_and_never_rewind() {
    rebalancing_members_commit_what_they_printed(&[]);
}

#[test]
fn consumer_protocol_members_that_rebalance_commit_what_they_printed_and_never_rewind() {
    rebalancing_members_commit_what_they_printed(&["-X", "group.protocol=consumer"]);
}

/// Two members of one group (`protocol` picks the group protocol): A reads behind a slow
/// reader, B joins and reads its share to the end, A takes it back. Committed offsets never go
/// back, end at what was printed, and no record is printed twice or missed.
fn rebalancing_members_commit_what_they_printed(protocol: &[&str]) {
    let broker = Broker::start();
    let topic = common::unique("rebalance");
    let group = common::unique("rebalance-group");
    create(&broker, &topic, 2);
    fill(&broker, &topic, 40_000);
    let ends: Vec<i64> = end_offsets(&broker, &topic).values().copied().collect();
    let member = |extra: &[&str]| {
        let mut args = vec![
            "-b",
            &broker.addr,
            "consume",
            &topic,
            "-g",
            &group,
            "--from-beginning",
            "--format",
            // Values of 200 bytes: what A holds in its buffers is a small part of the topic.
            "%p %o %v\\n",
        ];
        args.extend_from_slice(protocol);
        args.extend_from_slice(extra);
        spawn(&args, Stdio::null())
    };
    // A reads behind a slow reader; B joins 1.5 s later and reads its share to the end.
    // A is slow until B has printed something (however long the group takes to hand B its
    // share), then catches up.
    let b_started = Arc::new(AtomicBool::new(false));
    let a_slow = Arc::new(AtomicBool::new(true));
    let mut a = member(&[]);
    let a_seen = reader(
        a.stdout.take().unwrap(),
        a_slow.clone(),
        Arc::new(AtomicBool::new(false)),
    );
    // Committed offsets, watched all along: they never go back.
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (broker_addr, group, topic, stop) = (
            broker.addr.clone(),
            group.clone(),
            topic.clone(),
            stop.clone(),
        );
        std::thread::spawn(move || {
            let mut last = vec![-1i64; 2];
            while !stop.load(Ordering::Relaxed) {
                let now = committed_offsets(&broker_addr, &group, &topic, 2);
                for p in 0..2 {
                    assert!(
                        now[p] >= last[p],
                        "partition {p}: the committed offset went back from {} to {}",
                        last[p],
                        now[p]
                    );
                }
                last = now;
                std::thread::sleep(Duration::from_millis(50));
            }
            last
        })
    };
    std::thread::sleep(Duration::from_millis(1500));
    // The consumer protocol hands B its share at a heartbeat once A gave it up: seconds.
    let mut b = member(&["-e", "--timeout", "30s"]);
    let b_seen = reader(
        b.stdout.take().unwrap(),
        Arc::new(AtomicBool::new(false)),
        b_started.clone(),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while !b_started.load(Ordering::Relaxed) && b.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "B printed nothing within 30s");
        std::thread::sleep(Duration::from_millis(10));
    }
    a_slow.store(false, Ordering::Relaxed);
    let (b_status, b_stderr) = finish(&mut b, Duration::from_secs(60));
    assert_eq!(b_status.code(), Some(0), "B: {b_stderr}");
    // A takes B's partitions back and catches up; then it is stopped.
    let deadline = Instant::now() + Duration::from_secs(60);
    while committed_offsets(&broker.addr, &group, &topic, 2) != ends {
        assert!(
            Instant::now() < deadline,
            "the group never committed the ends"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    sigint(&a);
    let (a_status, a_stderr) = finish(&mut a, Duration::from_secs(30));
    assert_eq!(a_status.code(), Some(130), "A: {a_stderr}");
    stop.store(true, Ordering::Relaxed);
    let last = watcher
        .join()
        .expect("the committed offsets never went back");
    assert_eq!(last, ends, "committed = everything printed");
    assert_eq!(committed_offsets(&broker.addr, &group, &topic, 2), ends);

    let (a_seen, b_seen) = (a_seen.join().unwrap(), b_seen.join().unwrap());
    assert!(
        !b_seen.is_empty(),
        "B read nothing: the test proves nothing"
    );
    let mut printed: BTreeMap<(i64, i64), u32> = BTreeMap::new();
    for po in a_seen.iter().chain(&b_seen) {
        *printed.entry(*po).or_default() += 1;
    }
    for (p, end) in ends.iter().enumerate() {
        for o in 0..*end {
            assert!(
                printed.contains_key(&(p as i64, o)),
                "{p}:{o} never printed"
            );
        }
    }
    let twice = printed.values().filter(|n| **n > 1).count();
    assert_eq!(
        twice,
        0,
        "records printed twice across the rebalances (A printed {}, B {})",
        a_seen.len(),
        b_seen.len()
    );
}
