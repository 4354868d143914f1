//! Test support: a real Kafka-protocol broker (noida-db) started per test on a free loopback
//! port, and a `kctl` command pointed at it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command as StdCommand, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use assert_cmd::Command;

pub mod mock;

pub const INSTALL_HINT: &str = "noida-db 0.2.3 is needed for the broker tests: \
     run `scripts/test` (it installs everything), or `pip install noida-db==0.2.3`, \
     or point KCTL_NOIDA_DB at the noida-db binary inside the installed package";

/// Where the noida-db binary is: $KCTL_NOIDA_DB, or inside the installed Python package.
pub fn noida_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("KCTL_NOIDA_DB") {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "KCTL_NOIDA_DB={} is not a file. {INSTALL_HINT}",
            path.display()
        );
        return path;
    }
    for python in ["python3", "python"] {
        let out = StdCommand::new(python)
            .args([
                "-c",
                "import noida_db, os; print(os.path.join(os.path.dirname(noida_db.__file__), 'noida-db'))",
            ])
            .stderr(Stdio::null())
            .output();
        if let Ok(out) = out {
            if out.status.success() {
                let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
                if path.is_file() {
                    return path;
                }
            }
        }
    }
    panic!("cannot find the noida-db broker. {INSTALL_HINT}");
}

/// A noida-db broker process with its own data directory; killed on drop.
pub struct Broker {
    child: Child,
    pub addr: String,
    _dir: tempfile::TempDir,
}

impl Broker {
    pub fn start() -> Broker {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut cmd = StdCommand::new(noida_binary());
        cmd.args(["start", "--data-dir"])
            .arg(dir.path())
            .args(["--only", "kafka", "--kafka-port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        kill_with_parent(&mut cmd);
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start noida-db: {e}. {INSTALL_HINT}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let mut words = line.split_whitespace();
                if !sent && words.next() == Some("kafka") {
                    if let Some(addr) = words.next() {
                        let _ = tx.send(addr.to_string());
                        sent = true;
                    }
                }
                // Keep draining so the broker never blocks on a full pipe.
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                panic!("noida-db did not report its Kafka port within 30s. {INSTALL_HINT}");
            }
        };
        Broker {
            child,
            addr,
            _dir: dir,
        }
    }

    /// `kctl -b <this broker>`.
    pub fn kctl(&self) -> Command {
        let mut cmd = kctl();
        cmd.args(["-b", &self.addr]);
        cmd
    }

    /// Runs `kctl -b <broker> -o json ARGS`, asserts success and parses stdout as JSON.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self
            .kctl()
            .args(["-o", "json"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "kctl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "kctl {args:?} printed invalid JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The kctl binary with a clean environment (no KCTL_* from the developer's shell).
pub fn kctl() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kctl"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("KCTL_") {
            cmd.env_remove(key);
        }
    }
    // Never read the developer's own config file.
    cmd.env("KCTL_CONFIG", "/nonexistent/kctl-tests/config.toml");
    cmd.timeout(Duration::from_secs(60));
    cmd
}

/// A loopback address where nothing listens.
pub fn dead_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// A loopback port with an HTTP server that answers every request with 400.
pub fn http_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { break };
            std::thread::spawn(move || {
                let mut buf = [0u8; 1024];
                let _ = std::io::Read::read(&mut conn, &mut buf);
                let _ = std::io::Write::write_all(
                    &mut conn,
                    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
                );
            });
        }
    });
    addr
}

/// A loopback port that accepts connections and never answers: calls can only time out.
pub fn silent_port() -> String {
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

/// Makes the child die with the test process even if the test is killed (Linux).
pub fn kill_with_parent(cmd: &mut StdCommand) {
    #[cfg(target_os = "linux")]
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
}

/// A topic name unique within the test process.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}
