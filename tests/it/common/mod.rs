//! Test support: the brokers the integration tests run against, and a `kctl` pointed at them.
//!
//! - [`Broker::start`]: the Apache Kafka broker of this test binary, started once on first use
//!   by `scripts/kafka-broker` and shared by every test in it. Tests keep out of each other's
//!   way with their own topic and group names ([`unique`]); they never assert on what the
//!   whole cluster holds (every group, every topic).
//! - [`Broker::private`]: an Apache Kafka broker of the test's own, gone when dropped, for a
//!   test that stops, kills or reconfigures its broker (a JVM start, some seconds: use sparingly).
//! - [`Noida::start`]: a noida-db broker (a small Kafka-protocol server) of the test's own, for
//!   the smoke tests that keep kctl working on other Kafka-protocol servers, and for tests that
//!   need a broker that can be killed at once.
//! - [`kctl`], [`kctl_command`], [`spawn`]: the kctl binary in the tests' environment (no
//!   `KCTL_*` from the developer's shell, a private `KCTL_CONFIG`; see [`clean_env`]).
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command as StdCommand, Stdio};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::Duration;

use assert_cmd::Command;

pub mod apache;
pub mod mock;
pub mod registry;
pub mod secure;

pub const KAFKA_INSTALL_HINT: &str = "the broker tests run Apache Kafka (Java 17+ and the \
     Kafka jars from Maven Central): run `scripts/install-test-deps` (or `scripts/test`, \
     which runs it first)";

pub const INSTALL_HINT: &str = "noida-db 0.2.3 is needed for the noida broker tests: \
     run `scripts/test` (it installs everything), or `pip install noida-db==0.2.3`, \
     or point KCTL_NOIDA_DB at the noida-db binary inside the installed package";

/// scripts/kafka-broker, the one launcher of Apache Kafka (tests, scripts/with-broker, benches).
pub fn kafka_launcher() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/kafka-broker")
}

/// `python3 scripts/kafka-broker`, told to run its nodes on the tests' Java
/// ([`apache::java`]) whatever the developer's shell says; or why there is no such Java.
pub fn kafka_launcher_command() -> Result<StdCommand, String> {
    let mut cmd = StdCommand::new("python3");
    cmd.arg(kafka_launcher())
        .env("KCTL_JAVA", apache::test_java()?);
    Ok(cmd)
}

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

/// A broker to run kctl against: `addr` is its bootstrap address.
pub struct Broker {
    pub addr: String,
    owner: Owner,
}

enum Owner {
    /// The shared Kafka broker: it lives as long as the test process.
    Shared,
    /// A launcher of this broker's own; dropping the sender stops it.
    Private {
        stop: Option<mpsc::Sender<()>>,
        thread: Option<std::thread::JoinHandle<()>>,
    },
    Noida {
        child: Child,
        _dir: tempfile::TempDir,
    },
}

/// A running scripts/kafka-broker: its stdin (closing it stops the broker) and its stderr.
struct Launched {
    child: Child,
    stdin: ChildStdin,
}

/// Starts scripts/kafka-broker with `args` and waits for its bootstrap line. Must be called
/// from a thread that outlives the broker: the launcher is signalled when that thread ends.
fn launch(args: &[String]) -> Result<(String, Launched), String> {
    let launcher = kafka_launcher();
    let mut cmd = kafka_launcher_command()?;
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SIGTERM, not SIGKILL: the launcher then stops its JVMs and removes its directory.
    die_with_parent(&mut cmd, libc::SIGTERM);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", launcher.display()))?;
    let stdin = child.stdin.take().expect("piped stdin");
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    // The launcher's stderr: kept for the error message, and passed on (a broker that dies
    // during the tests says so in the test output).
    let said = Arc::new(Mutex::new(String::new()));
    let said_by_thread = said.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            eprintln!("{line}");
            let mut said = said_by_thread.lock().unwrap();
            said.push_str(&line);
            said.push('\n');
        }
    });
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let _ = tx.send(lines.next());
        // Nothing else is printed; keep the pipe open so the launcher never gets SIGPIPE.
        for _ in lines {}
    });
    let failed = |child: &mut Child, what: String| {
        let _ = child.kill();
        let _ = child.wait();
        std::thread::sleep(Duration::from_millis(100));
        let said = said.lock().unwrap().clone();
        format!("{what}: {}", said.trim())
    };
    match rx.recv_timeout(Duration::from_secs(240)) {
        Ok(Some(Ok(addr))) if !addr.trim().is_empty() => {
            let addr = addr.trim().to_string();
            if let Err(e) = wait_for_group_coordinator(&addr) {
                return Err(failed(&mut child, e));
            }
            Ok((addr, Launched { child, stdin }))
        }
        Ok(_) => {
            let status = child.wait().ok();
            std::thread::sleep(Duration::from_millis(200));
            let said = said.lock().unwrap().clone();
            Err(format!(
                "scripts/kafka-broker exited ({}) without a bootstrap address: {}",
                status.map_or("?".to_string(), |s| s.to_string()),
                said.trim()
            ))
        }
        Err(_) => Err(failed(
            &mut child,
            "scripts/kafka-broker gave no bootstrap address within 240 s".to_string(),
        )),
    }
}

/// Waits until the broker coordinates groups. A new Kafka cluster makes its offsets topic on
/// the first group request and answers "not coordinator" or "loading" until its partitions
/// are loaded; tests would each have to retry. An offset fetch leaves no group behind.
fn wait_for_group_coordinator(addr: &str) -> Result<(), String> {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    let consumer: BaseConsumer = rdkafka::config::ClientConfig::new()
        .set("bootstrap.servers", addr)
        .set("group.id", "common-warm-up")
        .create()
        .map_err(|e| e.to_string())?;
    let mut tpl = rdkafka::TopicPartitionList::new();
    tpl.add_partition("common-warm-up", 0);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        match consumer.committed_offsets(tpl.clone(), Duration::from_secs(5)) {
            Ok(_) => return Ok(()),
            Err(e) if std::time::Instant::now() > deadline => {
                return Err(format!("the broker coordinates no group within 60 s: {e}"))
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

impl Broker {
    /// The Apache Kafka broker shared by every test of this test binary.
    pub fn start() -> Broker {
        static SHARED: OnceLock<Result<String, String>> = OnceLock::new();
        let addr = SHARED.get_or_init(|| {
            // The launcher dies with the thread that spawned it (PR_SET_PDEATHSIG), so spawn
            // it from a thread that lives as long as the process, not from this test's thread.
            let (tx, rx) = mpsc::channel();
            std::thread::Builder::new()
                .name("kafka-broker".into())
                .spawn(move || match launch(&[]) {
                    Ok((addr, mut launched)) => {
                        let _ = tx.send(Ok(addr));
                        // Until the process exits: then stdin closes and the thread's death
                        // signals the launcher, which stops the JVM and removes its directory.
                        let _ = launched.child.wait();
                        drop(launched.stdin);
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                    }
                })
                .expect("a thread for the broker");
            rx.recv()
                .unwrap_or_else(|_| Err("the broker thread died".to_string()))
        });
        match addr {
            Ok(addr) => Broker {
                addr: addr.clone(),
                owner: Owner::Shared,
            },
            Err(e) => panic!("cannot start Apache Kafka: {e}\n{KAFKA_INSTALL_HINT}"),
        }
    }

    /// An Apache Kafka broker of this test's own, stopped and removed when dropped.
    pub fn private() -> Broker {
        Broker::private_with(&[])
    }

    /// A private Apache Kafka broker (or cluster) started with these scripts/kafka-broker
    /// arguments, e.g. `&["--brokers", "3"]` or `&["--override", "num.partitions=3"]`.
    pub fn private_with(args: &[&str]) -> Broker {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let (tx, rx) = mpsc::channel();
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || match launch(&args) {
            Ok((addr, mut launched)) => {
                let _ = tx.send(Ok(addr));
                // Until the Broker is dropped (its sender with it).
                let _ = stop_rx.recv();
                drop(launched.stdin);
                let _ = launched.child.wait();
            }
            Err(e) => {
                let _ = tx.send(Err(e));
            }
        });
        match rx.recv() {
            Ok(Ok(addr)) => Broker {
                addr,
                owner: Owner::Private {
                    stop: Some(stop_tx),
                    thread: Some(thread),
                },
            },
            Ok(Err(e)) => panic!("cannot start Apache Kafka: {e}\n{KAFKA_INSTALL_HINT}"),
            Err(_) => panic!("the broker thread died. {KAFKA_INSTALL_HINT}"),
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
        match &mut self.owner {
            Owner::Shared => {}
            Owner::Private { stop, thread } => {
                drop(stop.take());
                if let Some(thread) = thread.take() {
                    let _ = thread.join();
                }
            }
            Owner::Noida { child, .. } => {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

/// noida-db, a small Kafka-protocol server: kctl must keep working on such servers too.
pub struct Noida;

impl Noida {
    /// A noida-db broker of the caller's own, with its own data directory; killed on drop.
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
            addr,
            owner: Owner::Noida { child, _dir: dir },
        }
    }
}

/// The config file every kctl of the tests reads unless a test gives its own: a path of this
/// test process's own, in a directory that is never created, so the defaults apply.
pub fn private_config() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("kctl-it-{}", std::process::id()))
        .join("config.toml")
}

/// Gives `cmd` (kctl, or a shell that runs it) the tests' environment: no `KCTL_*` variable
/// from the developer's shell, and [`private_config`] as `KCTL_CONFIG`, so a developer's own
/// settings and config file never leak into a test.
pub fn clean_env(cmd: &mut StdCommand) -> &mut StdCommand {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("KCTL_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("KCTL_CONFIG", private_config())
}

/// The kctl binary in the tests' environment, as a std command (to spawn, pipe or signal).
pub fn kctl_command() -> StdCommand {
    let mut cmd = StdCommand::new(env!("CARGO_BIN_EXE_kctl"));
    clean_env(&mut cmd);
    cmd
}

/// The kctl binary in the tests' environment, for assertions; killed after 60 s.
pub fn kctl() -> Command {
    let mut cmd = Command::from_std(kctl_command());
    cmd.timeout(Duration::from_secs(60));
    cmd
}

/// Starts `kctl ARGS` with `stdin`, its stdout and stderr piped.
pub fn spawn(args: &[&str], stdin: Stdio) -> Child {
    kctl_command()
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kctl starts")
}

/// Commits `offsets[p]` for each partition `p` of `topic` for `group`, from outside the group
/// (no subscription: a plain offset commit).
pub fn commit_offsets(broker: &Broker, group: &str, topic: &str, offsets: &[i64]) {
    use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
    use rdkafka::{Offset, TopicPartitionList};
    let consumer: BaseConsumer = rdkafka::config::ClientConfig::new()
        .set("bootstrap.servers", &broker.addr)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    let mut tpl = TopicPartitionList::new();
    for (p, &o) in offsets.iter().enumerate() {
        tpl.add_partition_offset(topic, p as i32, Offset::Offset(o))
            .unwrap();
    }
    // A fresh Kafka broker makes its offsets topic on the first group call, and answers "not
    // coordinator" or "loading" meanwhile: retry those, for a bounded time.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        match consumer.commit(&tpl, CommitMode::Sync) {
            Ok(()) => return,
            Err(e)
                if std::time::Instant::now() < deadline
                    && matches!(
                        e.rdkafka_error_code(),
                        Some(
                            rdkafka::types::RDKafkaErrorCode::NotCoordinator
                                | rdkafka::types::RDKafkaErrorCode::CoordinatorLoadInProgress
                                | rdkafka::types::RDKafkaErrorCode::CoordinatorNotAvailable
                        )
                    ) =>
            {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("commit: {e}"),
        }
    }
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

/// Makes the child die with the test process even if the test is killed (Linux). The signal
/// comes when the thread that spawned the child ends: spawn from a thread that outlives it.
pub fn kill_with_parent(cmd: &mut StdCommand) {
    die_with_parent(cmd, libc::SIGKILL);
}

/// Has `signal` sent to the child when the spawning thread ends (Linux).
pub fn die_with_parent(cmd: &mut StdCommand, signal: libc::c_int) {
    #[cfg(target_os = "linux")]
    unsafe {
        use std::os::unix::process::CommandExt;
        let parent = libc::getpid();
        cmd.pre_exec(move || {
            libc::prctl(libc::PR_SET_PDEATHSIG, signal);
            // The parent may have died before prctl: then no signal would ever come.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
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
