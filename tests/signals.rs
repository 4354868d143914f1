//! Ctrl-C (SIGINT) ends commands cleanly with exit 130.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A port that accepts connections and never answers: calls on it can only time out.
fn silent_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            held.push(conn);
        }
    });
    addr
}

/// Starts kctl with `args`, sends SIGINT after `after`, returns (exit code, stderr, time to exit
/// after the signal).
pub fn interrupt(args: &[&str], after: Duration) -> (Option<i32>, String, Duration) {
    let child = Command::new(env!("CARGO_BIN_EXE_kctl"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    let sent = Instant::now();
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        sent.elapsed(),
    )
}

#[test]
fn ctrl_c_during_a_long_describe_exits_130() {
    let addr = silent_port();
    let (code, stderr, took) = interrupt(
        &[
            "-b",
            &addr,
            "--timeout",
            "60s",
            "topics",
            "describe",
            "orders",
        ],
        Duration::from_millis(500),
    );
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(took < Duration::from_secs(2), "took {took:?}");
}
