//! The questions kctl asks on a real terminal (a pseudo-terminal): the y/N confirmation and
//! the password prompt. Ctrl-C, Ctrl-D (end of input) and signals there end kctl with the
//! right exit code, change nothing and leave the terminal as it was.

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

/// kctl run with a pseudo-terminal as its stdin and stderr (stdout piped), and everything it
/// writes to the terminal.
struct Prompted {
    child: std::process::Child,
    controller: std::fs::File,
    /// The terminal's side, kept to read its settings after kctl exits.
    terminal: OwnedFd,
    seen: Arc<Mutex<Vec<u8>>>,
}

impl Prompted {
    fn start(args: &[&str]) -> Prompted {
        let (controller, terminal) = pty();
        let child = common::kctl_command()
            .env("TERM", "xterm")
            .args(args)
            .stdin(Stdio::from(terminal.try_clone().unwrap()))
            .stderr(Stdio::from(terminal.try_clone().unwrap()))
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut reader = controller.try_clone().unwrap();
        let sink = seen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 1024];
            // Ends with EIO once no one holds the terminal any more.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Prompted {
            child,
            controller,
            terminal,
            seen,
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.seen.lock().unwrap()).into_owned()
    }

    /// Waits until kctl wrote `what` to the terminal, then a little longer: the prompt is
    /// written before the terminal is set up to read the answer.
    fn wait_for(&self, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.text().contains(what) {
            assert!(
                Instant::now() < deadline,
                "no {what:?} on the terminal: {:?}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(300));
    }

    /// Types `keys` as the terminal sends them.
    fn type_keys(&self, keys: &[u8]) {
        (&self.controller).write_all(keys).unwrap();
    }

    fn signal(&self, signal: i32) {
        // SAFETY: kill() with the pid of a child this test started and has not reaped.
        assert_eq!(unsafe { libc::kill(self.child.id() as i32, signal) }, 0);
    }

    /// Waits for kctl to exit (it must, within 20 s): its exit code and stdout.
    fn finish(mut self) -> (Option<i32>, String, String, rustix::termios::Termios) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("kctl did not exit: {:?}", self.text());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        std::thread::sleep(Duration::from_millis(100));
        let mut stdout = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        let settings = rustix::termios::tcgetattr(&self.terminal).unwrap();
        (status.code(), stdout, self.text(), settings)
    }
}

/// The terminal is as kctl found it: lines, echo and signal keys on.
fn assert_terminal_restored(settings: &rustix::termios::Termios, what: &str) {
    use rustix::termios::LocalModes;
    let wanted = LocalModes::ICANON | LocalModes::ECHO | LocalModes::ISIG;
    assert!(
        settings.local_modes.contains(wanted),
        "{what}: the terminal was left with {:?}",
        settings.local_modes
    );
}

fn topic_listed(broker: &Broker, topic: &str) -> bool {
    let listed = broker.json(&["topics", "list"]);
    listed["topics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == topic)
}

/// At `topics delete`'s y/N question: Ctrl-C exits 130, Ctrl-D (end of input) is No (exit
/// 1), `n` is No, SIGHUP exits 129 and SIGTERM 143; each changes nothing and leaves the
/// terminal as it was. `y` deletes.
#[test]
fn the_confirmation_ends_on_ctrl_c_ctrl_d_and_signals_and_changes_nothing() {
    let broker = Broker::start();
    let topic = common::unique("keep");
    broker
        .kctl()
        .args(["topics", "create", &topic])
        .assert()
        .success();
    let args = [
        "-b",
        broker.addr.as_str(),
        "topics",
        "delete",
        topic.as_str(),
    ];

    enum Answer {
        Keys(&'static [u8]),
        Signal(i32),
    }
    let cases = [
        ("Ctrl-C", Answer::Keys(b"\x03"), 130, "interrupted"),
        (
            "Ctrl-D",
            Answer::Keys(b"\x04"),
            1,
            "aborted: nothing was deleted",
        ),
        ("n", Answer::Keys(b"n"), 1, "aborted: nothing was deleted"),
        (
            "Enter",
            Answer::Keys(b"\r"),
            1,
            "aborted: nothing was deleted",
        ),
        ("SIGHUP", Answer::Signal(libc::SIGHUP), 129, "interrupted"),
        ("SIGTERM", Answer::Signal(libc::SIGTERM), 143, "interrupted"),
    ];
    for (what, answer, code, said) in cases {
        let prompted = Prompted::start(&args);
        prompted.wait_for("This cannot be undone [y/N]");
        match answer {
            Answer::Keys(keys) => prompted.type_keys(keys),
            Answer::Signal(signal) => prompted.signal(signal),
        }
        let (status, stdout, out, settings) = prompted.finish();
        assert_eq!(status, Some(code), "{what}: {out:?}");
        assert!(out.contains(said), "{what}: {out:?}");
        assert_eq!(stdout, "", "{what}");
        assert_terminal_restored(&settings, what);
        assert!(topic_listed(&broker, &topic), "{what}: deleted");
    }

    let prompted = Prompted::start(&args);
    prompted.wait_for("This cannot be undone [y/N]");
    prompted.type_keys(b"y");
    let (status, _, out, settings) = prompted.finish();
    assert_eq!(status, Some(0), "{out:?}");
    assert_terminal_restored(&settings, "y");
    assert!(!topic_listed(&broker, &topic), "not deleted: {out:?}");
}

/// At `users create`'s password prompt: Ctrl-D (end of input) is an error (exit 1), SIGHUP
/// exits 129, SIGTERM 143; none creates the user, and the terminal gets its echo back.
#[test]
fn the_password_prompt_ends_on_ctrl_d_and_signals_and_creates_nothing() {
    let broker = Broker::start();
    let user = common::unique("prompted");
    let args = [
        "-b",
        broker.addr.as_str(),
        "users",
        "create",
        user.as_str(),
        "--mechanism",
        "SCRAM-SHA-256",
    ];
    enum Answer {
        Keys(&'static [u8]),
        Signal(i32),
    }
    let cases = [
        ("Ctrl-D", Answer::Keys(b"\x04"), 1, "the input ended"),
        ("SIGHUP", Answer::Signal(libc::SIGHUP), 129, "interrupted"),
        ("SIGTERM", Answer::Signal(libc::SIGTERM), 143, "interrupted"),
    ];
    for (what, answer, code, said) in cases {
        let prompted = Prompted::start(&args);
        prompted.wait_for("Password for user");
        match answer {
            Answer::Keys(keys) => prompted.type_keys(keys),
            Answer::Signal(signal) => prompted.signal(signal),
        }
        let (status, stdout, out, settings) = prompted.finish();
        assert_eq!(status, Some(code), "{what}: {out:?}");
        assert!(out.contains(said), "{what}: {out:?}");
        assert_eq!(stdout, "", "{what}");
        assert_terminal_restored(&settings, what);
    }
    // Ctrl-D at the second question too.
    let prompted = Prompted::start(&args);
    prompted.wait_for("Password for user");
    prompted.type_keys(b"secret-1\n");
    prompted.wait_for("Repeat the password");
    prompted.type_keys(b"\x04");
    let (status, _, out, settings) = prompted.finish();
    assert_eq!(status, Some(1), "{out:?}");
    assert!(out.contains("the input ended"), "{out:?}");
    assert!(!out.contains("secret-1"), "echoed: {out:?}");
    assert_terminal_restored(&settings, "Ctrl-D at the repeat");

    let listed = broker.json(&["users", "list"]);
    assert!(!listed.to_string().contains(&user), "{listed}");
}
