//! The y/N confirmation on a real terminal (a pseudo-terminal): Ctrl-C at the prompt exits 130,
//! changes nothing and leaves the terminal's cursor visible.

use crate::common;

use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Broker;

/// A pseudo-terminal: (controller, the terminal a child gets as its stdin and stderr).
pub(crate) fn pty() -> (std::fs::File, OwnedFd) {
    let (mut controller, mut terminal) = (0, 0);
    let size = libc::winsize {
        ws_row: 24,
        ws_col: 100,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let rc = unsafe {
        libc::openpty(
            &mut controller,
            &mut terminal,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // Only the child this test starts gets the terminal: children other tests of this process
    // start meanwhile must not inherit it.
    for fd in [controller, terminal] {
        // SAFETY: both descriptors were just opened by openpty and are ours.
        assert_eq!(
            unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) },
            0
        );
    }
    unsafe {
        (
            std::fs::File::from_raw_fd(controller),
            OwnedFd::from_raw_fd(terminal),
        )
    }
}

const HIDE_CURSOR: &str = "\x1b[?25l";
const SHOW_CURSOR: &str = "\x1b[?25h";

#[test]
fn ctrl_c_at_the_confirmation_exits_130_and_shows_the_cursor() {
    let broker = Broker::start();
    let topic = common::unique("keep");
    broker
        .kctl()
        .args(["topics", "create", &topic])
        .assert()
        .success();

    let (controller, terminal) = pty();
    let mut child = common::kctl_command()
        .env("TERM", "xterm")
        .args(["-b", &broker.addr, "topics", "delete", &topic])
        .stdin(Stdio::from(terminal.try_clone().unwrap()))
        .stderr(Stdio::from(terminal))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();

    // Everything kctl writes to the terminal.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut reader = controller.try_clone().unwrap();
    let sink = seen.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        // Ends with EIO once the child (the last holder of the terminal) exits.
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let text = || String::from_utf8_lossy(&seen.lock().unwrap()).into_owned();

    let deadline = Instant::now() + Duration::from_secs(20);
    while !text().contains(HIDE_CURSOR) {
        assert!(Instant::now() < deadline, "no prompt: {:?}", text());
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(text().contains("This cannot be undone"), "{:?}", text());
    // Ctrl-C as the terminal sends it while the prompt reads keys.
    (&controller).write_all(b"\x03").unwrap();

    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("kctl did not exit after Ctrl-C: {:?}", text());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    std::thread::sleep(Duration::from_millis(100));
    let out = text();
    assert_eq!(status.code(), Some(130), "{out:?}");
    let hidden = out.rfind(HIDE_CURSOR).unwrap();
    assert!(
        out[hidden..].contains(SHOW_CURSOR),
        "the cursor stays hidden: {out:?}"
    );
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    assert_eq!(stdout, "");

    // Nothing was deleted.
    let listed = broker.json(&["topics", "list"]);
    assert!(listed.to_string().contains(&topic), "{listed}");
}
