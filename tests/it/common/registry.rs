//! The schema registry the tests run against: Apicurio Registry (its Confluent-compatible API
//! at `/apis/ccompat/v7`), one per test binary, and Python with confluent-kafka's serializers,
//! the interop reference.
//!
//! - [`Registry::start`]: the registry of this test binary, started on first use on a free
//!   loopback port (in-memory storage) and shared by every test; it dies with the test
//!   process. Tests keep out of each other's way with subject names of their own
//!   (`common::unique`) and never assert on what the whole registry holds.
//! - [`python`] / [`run_python`]: `python3` with `confluent_kafka` (Avro, Protobuf and JSON
//!   Schema serializers) importable, else a panic saying how to install it.
//!
//! Both are installed by `scripts/install-test-deps` (Apicurio from Maven Central into the
//! test cache, a Java 21+, `confluent-kafka[avro,protobuf,json]` from PyPI).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command as StdCommand, Stdio};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use assert_cmd::Command;

/// The Apicurio Registry version `scripts/install-test-deps` installs.
pub const APICURIO_VERSION: &str = "3.3.3";

pub const REGISTRY_INSTALL_HINT: &str = "the schema registry tests run Apicurio Registry \
     3.3.3 (Maven Central) on Java 21 or newer: run `scripts/install-test-deps` (it fetches \
     Apicurio into ~/.cache/kctl-test or $KCTL_TEST_CACHE and finds a JDK), or set \
     KCTL_REGISTRY_JAVA to a Java 21+ `bin/java`";

pub const PYTHON_INSTALL_HINT: &str = "the schema registry interop tests need Python with \
     confluent-kafka's serializers: run `scripts/install-test-deps`, or \
     `pip install 'confluent-kafka[avro,protobuf,json]==2.16.1'`";

/// The test cache: `$KCTL_TEST_CACHE`, else `~/.cache/kctl-test`.
fn test_cache() -> PathBuf {
    match std::env::var_os("KCTL_TEST_CACHE") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/kctl-test"),
    }
}

/// Apicurio's `quarkus-run.jar` in the test cache.
fn apicurio_jar() -> Result<PathBuf, String> {
    let home = test_cache().join(format!("apicurio-registry-{APICURIO_VERSION}"));
    let jar = home.join("quarkus-run.jar");
    if jar.is_file() && home.join("complete").is_file() {
        Ok(jar)
    } else {
        Err(format!(
            "Apicurio Registry is not installed in {}",
            home.display()
        ))
    }
}

/// The major version of a `java` binary (`17`, `21`, `25`), if it runs.
fn java_major(java: &std::path::Path) -> Option<u32> {
    let out = StdCommand::new(java).arg("-version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stderr);
    let version = text.split('"').nth(1)?;
    let mut parts = version.split(['.', '-', '+']);
    let first: u32 = parts.next()?.parse().ok()?;
    if first == 1 {
        parts.next()?.parse().ok()
    } else {
        Some(first)
    }
}

/// A Java 21 or newer: `$KCTL_REGISTRY_JAVA` (which must be one), else a JDK in
/// /usr/lib/jvm, else `java` on the PATH.
fn registry_java() -> Result<PathBuf, String> {
    if let Some(java) = std::env::var_os("KCTL_REGISTRY_JAVA").filter(|j| !j.is_empty()) {
        let java = PathBuf::from(java);
        return match java_major(&java) {
            Some(major) if major >= 21 => Ok(java),
            Some(major) => Err(format!(
                "KCTL_REGISTRY_JAVA={} is Java {major}, not 21 or newer",
                java.display()
            )),
            None => Err(format!(
                "KCTL_REGISTRY_JAVA={} does not run",
                java.display()
            )),
        };
    }
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/jvm")
        .map(|dir| {
            dir.flatten()
                .map(|e| e.path().join("bin/java"))
                .filter(|j| j.is_file())
                .collect()
        })
        .unwrap_or_default();
    candidates.sort();
    candidates.push(PathBuf::from("java"));
    candidates
        .into_iter()
        .find(|j| java_major(j).is_some_and(|m| m >= 21))
        .ok_or_else(|| "no Java 21 or newer in /usr/lib/jvm or on the PATH".to_string())
}

/// Two different free loopback ports (free when asked; the registry binds them right after).
fn free_ports() -> (u16, u16) {
    let a = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let b = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    (
        a.local_addr().unwrap().port(),
        b.local_addr().unwrap().port(),
    )
}

/// The registry of the tests.
pub struct Registry {
    /// The Confluent-compatible API's base URL: `http://127.0.0.1:PORT/apis/ccompat/v7`.
    pub url: String,
    /// A private registry's stopper: dropping it stops the registry.
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Registry {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Registry {
    /// The Apicurio Registry shared by every test of this test binary, started on first use.
    pub fn start() -> Registry {
        static SHARED: OnceLock<Result<String, String>> = OnceLock::new();
        let url = SHARED.get_or_init(|| {
            // The JVM dies with the thread that spawned it (PR_SET_PDEATHSIG): spawn it from a
            // thread that lives as long as the process.
            let (tx, rx) = mpsc::channel();
            std::thread::Builder::new()
                .name("schema-registry".into())
                .spawn(move || match launch(&[]) {
                    Ok((url, mut child)) => {
                        let _ = tx.send(Ok(url));
                        let _ = child.wait();
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                    }
                })
                .expect("a thread for the registry");
            rx.recv()
                .unwrap_or_else(|_| Err("the registry thread died".to_string()))
        });
        match url {
            Ok(url) => Registry {
                url: url.clone(),
                stop: None,
                thread: None,
            },
            Err(e) => panic!("cannot start the schema registry: {e}\n{REGISTRY_INSTALL_HINT}"),
        }
    }

    /// A registry of the caller's own that wants HTTP basic auth as `user` with `password`
    /// (Quarkus' embedded users); stopped when dropped. A JVM start: use sparingly.
    pub fn private_with_basic_auth(user: &str, password: &str) -> Registry {
        let args = vec![
            "-Dquarkus.http.auth.basic=true".to_string(),
            "-Dquarkus.security.users.embedded.plain-text=true".to_string(),
            format!("-Dquarkus.security.users.embedded.users.{user}={password}"),
            format!("-Dquarkus.security.users.embedded.roles.{user}=sr-admin"),
        ];
        let (tx, rx) = mpsc::channel();
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || match launch(&args) {
            Ok((url, mut child)) => {
                let _ = tx.send(Ok(url));
                let _ = stop_rx.recv();
                let _ = child.kill();
                let _ = child.wait();
            }
            Err(e) => {
                let _ = tx.send(Err(e));
            }
        });
        match rx.recv() {
            Ok(Ok(url)) => Registry {
                url,
                stop: Some(stop_tx),
                thread: Some(thread),
            },
            Ok(Err(e)) => panic!("cannot start the schema registry: {e}\n{REGISTRY_INSTALL_HINT}"),
            Err(_) => panic!("the registry thread died. {REGISTRY_INSTALL_HINT}"),
        }
    }

    /// `kctl --registry <this registry>`.
    pub fn kctl(&self) -> Command {
        let mut cmd = super::kctl();
        cmd.args(["--registry", &self.url]);
        cmd
    }

    /// Runs `kctl --registry URL -o json ARGS`, asserts success and parses stdout as JSON.
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

/// Starts Apicurio on a free port with these extra JVM options and waits until its Confluent
/// API answers (an HTTP 401 is an answer too: a registry that wants a login).
fn launch(extra: &[String]) -> Result<(String, std::process::Child), String> {
    let jar = apicurio_jar()?;
    let java = registry_java()?;
    let (port, management_port) = free_ports();
    let mut cmd = StdCommand::new(&java);
    cmd.args([
        "-Xmx512m",
        "-XX:+UseSerialGC",
        &format!("-Dquarkus.http.port={port}"),
        "-Dquarkus.http.host=127.0.0.1",
        // Quarkus' management interface (health, metrics) listens on 0.0.0.0:9000 by default:
        // a fixed port two registries (or anything else) would fight over.
        &format!("-Dquarkus.management.port={management_port}"),
        "-Dquarkus.management.host=127.0.0.1",
        // Apicurio refuses deletes unless they are enabled.
        "-Dapicurio.rest.deletion.artifact.enabled=true",
        "-Dapicurio.rest.deletion.artifact-version.enabled=true",
        "-Dapicurio.rest.deletion.group.enabled=true",
    ])
    .args(extra)
    .arg("-jar")
    .arg(&jar)
    .current_dir(jar.parent().unwrap())
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    super::kill_with_parent(&mut cmd);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", java.display()))?;
    // Its log: kept for an error message, never printed otherwise.
    let said = Arc::new(Mutex::new(Vec::<String>::new()));
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let said = said.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                let mut said = said.lock().unwrap();
                said.push(line);
                if said.len() > 40 {
                    said.remove(0);
                }
            }
        });
    }
    let url = format!("http://127.0.0.1:{port}/apis/ccompat/v7");
    let deadline = Instant::now() + Duration::from_secs(180);
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(5)))
            .http_status_as_error(false)
            .build(),
    );
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            std::thread::sleep(Duration::from_millis(200));
            return Err(format!(
                "Apicurio Registry exited ({status}): {}",
                said.lock().unwrap().join("\n")
            ));
        }
        if let Ok(response) = agent.get(&format!("{url}/subjects")).call() {
            if response.status() == 200 || response.status() == 401 {
                return Ok((url, child));
            }
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "Apicurio Registry did not answer on {url} within 180 s: {}",
                said.lock().unwrap().join("\n")
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `python3` with confluent-kafka's serializers importable (checked once), in the tests'
/// environment; panics saying how to install them when they are not.
pub fn python() -> StdCommand {
    static CHECKED: OnceLock<Result<(), String>> = OnceLock::new();
    let checked = CHECKED.get_or_init(|| {
        let out = StdCommand::new("python3")
            .args([
                "-c",
                "import confluent_kafka, confluent_kafka.schema_registry.avro, \
                 confluent_kafka.schema_registry.protobuf, confluent_kafka.schema_registry.json_schema",
            ])
            .output()
            .map_err(|e| format!("cannot run python3: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    });
    if let Err(e) = checked {
        panic!("Python with confluent-kafka is not usable: {e}\n{PYTHON_INSTALL_HINT}");
    }
    let mut cmd = StdCommand::new("python3");
    super::clean_env(&mut cmd);
    cmd.env("PYTHONDONTWRITEBYTECODE", "1");
    cmd
}

/// Runs `python3 -c SCRIPT ARGS...` (see [`python`]) with `stdin` as its input; asserts it
/// succeeds and returns its stdout.
pub fn run_python(script: &str, args: &[&str], stdin: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut child = python()
        .arg("-c")
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 starts");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    let _ = writer.join();
    assert!(
        out.status.success(),
        "python3 failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
