//! A Kafka cluster of several nodes (scripts/kafka-broker --brokers N --control) whose brokers
//! a test can kill (SIGKILL of the node's JVM) and start again with the same configuration
//! and data. Node numbers start at 1 and follow the launcher's bootstrap line: node `n` listens
//! for clients on `nodes[n - 1]`. Tests never assume a node's broker id: [`Cluster::node_of`]
//! finds the node of a broker id from the metadata.

use std::io::{BufRead, BufReader, Write};
use std::process::{ChildStdin, Command as StdCommand, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::metadata::Metadata;

use crate::common::{die_with_parent, kafka_launcher, kafka_launcher_command, KAFKA_INSTALL_HINT};

/// How long a node may take to start again (JVM start, log recovery) on a loaded machine.
const RESTART_LIMIT: Duration = Duration::from_secs(240);

pub struct Cluster {
    /// Every node's client address, comma separated (the launcher's bootstrap line).
    pub addr: String,
    /// Node `n`'s client address is `nodes[n - 1]`.
    pub nodes: Vec<String>,
    control: Mutex<Control>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

struct Control {
    /// The launcher's stdin: commands go here; closing it stops the cluster.
    stdin: Option<ChildStdin>,
    /// The launcher's answers, one line per command.
    answers: mpsc::Receiver<String>,
    /// What the launcher said on stderr (for failure messages).
    said: Arc<Mutex<String>>,
}

impl Cluster {
    /// Starts `scripts/kafka-broker --control ARGS` (e.g. `&["--brokers", "3"]`) and waits
    /// until every node is up. The cluster stops when this is dropped, or when the test
    /// process ends.
    pub fn start(args: &[&str]) -> Cluster {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let (tx, rx) = mpsc::channel();
        // The launcher is told to stop (SIGTERM) when the thread that spawned it ends, so it
        // is spawned by a thread that lives as long as the cluster.
        let thread = std::thread::Builder::new()
            .name("kafka-cluster".into())
            .spawn(move || {
                let launcher = kafka_launcher();
                let mut cmd = match kafka_launcher_command() {
                    Ok(cmd) => cmd,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                };
                cmd.arg("--control")
                    .args(&args)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped());
                die_with_parent(&mut cmd, libc::SIGTERM);
                let mut child = match cmd.spawn() {
                    Ok(child) => child,
                    Err(e) => {
                        let _ = tx.send(Err(format!("cannot run {}: {e}", launcher.display())));
                        return;
                    }
                };
                let stdin = child.stdin.take().expect("piped stdin");
                let stdout = child.stdout.take().expect("piped stdout");
                let stderr = child.stderr.take().expect("piped stderr");
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
                let (answer_tx, answers) = mpsc::channel();
                std::thread::spawn(move || {
                    for line in BufReader::new(stdout).lines() {
                        let Ok(line) = line else { break };
                        if answer_tx.send(line).is_err() {
                            break;
                        }
                    }
                });
                let _ = tx.send(Ok(Control {
                    stdin: Some(stdin),
                    answers,
                    said,
                }));
                let _ = child.wait();
            })
            .expect("a thread for the cluster");
        let control = match rx.recv() {
            Ok(Ok(control)) => control,
            Ok(Err(e)) => panic!("{e}. {KAFKA_INSTALL_HINT}"),
            Err(_) => panic!("the cluster's thread died. {KAFKA_INSTALL_HINT}"),
        };
        let addr = match control.answers.recv_timeout(Duration::from_secs(300)) {
            Ok(line) if !line.trim().is_empty() => line.trim().to_string(),
            _ => {
                std::thread::sleep(Duration::from_millis(300));
                panic!(
                    "scripts/kafka-broker gave no bootstrap address: {}\n{KAFKA_INSTALL_HINT}",
                    control.said.lock().unwrap().trim()
                );
            }
        };
        Cluster {
            nodes: addr.split(',').map(str::to_string).collect(),
            addr,
            control: Mutex::new(control),
            thread: Mutex::new(Some(thread)),
        }
    }

    /// Sends one control command and returns the launcher's answer (which must start with
    /// `expect`).
    fn command(&self, command: &str, expect: &str, limit: Duration) -> String {
        let control = self.control.lock().unwrap_or_else(|e| e.into_inner());
        let stdin = control.stdin.as_ref().expect("the cluster is running");
        let mut stdin: &ChildStdin = stdin;
        stdin
            .write_all(format!("{command}\n").as_bytes())
            .and_then(|_| stdin.flush())
            .unwrap_or_else(|e| panic!("cannot send {command:?} to the launcher: {e}"));
        match control.answers.recv_timeout(limit) {
            Ok(answer) if answer.starts_with(expect) => answer,
            Ok(answer) => panic!("the launcher answered {command:?} with {answer:?}"),
            Err(_) => panic!(
                "no answer to {command:?} within {limit:?}: {}",
                control.said.lock().unwrap().trim()
            ),
        }
    }

    /// Kills node `node`'s JVM with SIGKILL and waits until it is gone. The guard starts it
    /// again when dropped (if the test has not): a failing test leaves the cluster whole too.
    pub fn kill(&self, node: usize) -> Down<'_> {
        self.command(&format!("kill {node}"), "killed ", Duration::from_secs(60));
        Down {
            cluster: self,
            node,
            up: false,
        }
    }

    /// Starts a killed node again (same configuration, same data) and waits until the node
    /// says it started.
    fn start_node(&self, node: usize) {
        self.command(&format!("start {node}"), "started ", RESTART_LIMIT);
    }

    /// The pid of each node's JVM (0 for a node that is down).
    pub fn pids(&self) -> Vec<u32> {
        let answer = self.command("pids", "pids", Duration::from_secs(30));
        answer
            .split_whitespace()
            .skip(1)
            .map(|p| p.parse().expect("a pid"))
            .collect()
    }

    /// `kctl -b <every node>`.
    pub fn kctl(&self) -> assert_cmd::Command {
        let mut cmd = crate::common::kctl();
        cmd.args(["-b", &self.addr]);
        cmd
    }

    /// kctl pointed at the cluster as a std command, for spawning with pipes.
    pub fn kctl_process(&self) -> StdCommand {
        let mut cmd = crate::common::kctl_command();
        cmd.args(["-b", &self.addr]);
        cmd
    }

    /// Runs `kctl -o json ARGS`, asserts success and parses stdout.
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

    /// A client of the test's own (librdkafka, not kctl), for metadata and for reading back.
    pub fn client(&self) -> BaseConsumer {
        ClientConfig::new()
            .set("bootstrap.servers", &self.addr)
            .set("group.id", "kctl-tests-cluster-reader")
            .set("enable.auto.commit", "false")
            .set("enable.partition.eof", "true")
            .set("reconnect.backoff.max.ms", "1000")
            .create()
            .expect("a client")
    }

    /// The cluster's metadata as the test's own client reads it.
    pub fn metadata(&self, client: &BaseConsumer, topic: Option<&str>) -> Metadata {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match client.fetch_metadata(topic, Duration::from_secs(10)) {
                Ok(md) => return md,
                Err(e) if Instant::now() > deadline => panic!("no metadata within 60 s: {e}"),
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
        }
    }

    /// The node whose broker has id `broker` (by the port the metadata gives for it).
    pub fn node_of(&self, broker: i32) -> usize {
        let client = self.client();
        let md = self.metadata(&client, None);
        let b = md
            .brokers()
            .iter()
            .find(|b| b.id() == broker)
            .unwrap_or_else(|| panic!("broker {broker} is not in the metadata"));
        let port = format!(":{}", b.port());
        self.nodes
            .iter()
            .position(|n| n.ends_with(&port))
            .map(|i| i + 1)
            .unwrap_or_else(|| panic!("no node listens on port {}: {:?}", b.port(), self.nodes))
    }

    /// The leader of `topic`'s partition `partition` (a broker id), by the test's own client.
    pub fn leader(&self, topic: &str, partition: i32) -> i32 {
        let client = self.client();
        let md = self.metadata(&client, Some(topic));
        let t = md
            .topics()
            .iter()
            .find(|t| t.name() == topic)
            .expect("the topic");
        let p = t
            .partitions()
            .iter()
            .find(|p| p.id() == partition)
            .expect("the partition");
        assert!(p.leader() >= 0, "{topic}:{partition} has no leader");
        p.leader()
    }

    /// Waits until the cluster is whole: every node's broker in the metadata, and every
    /// partition of every topic led and with all its replicas in sync.
    pub fn wait_whole(&self, limit: Duration) {
        let client = self.client();
        let deadline = Instant::now() + limit;
        loop {
            let md = self.metadata(&client, None);
            let mut missing = Vec::new();
            if md.brokers().len() != self.nodes.len() {
                missing.push(format!(
                    "{} of {} brokers",
                    md.brokers().len(),
                    self.nodes.len()
                ));
            }
            for t in md.topics() {
                for p in t.partitions() {
                    let mut replicas = p.replicas().to_vec();
                    let mut isr = p.isr().to_vec();
                    replicas.sort();
                    isr.sort();
                    if p.leader() < 0 || replicas != isr {
                        missing.push(format!(
                            "{}:{} leader {} replicas {:?} isr {:?}",
                            t.name(),
                            p.id(),
                            p.leader(),
                            p.replicas(),
                            p.isr()
                        ));
                    }
                }
            }
            if missing.is_empty() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the cluster is not whole after {limit:?}: {}",
                missing.join("; ")
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // End of stdin: the launcher stops every node and removes its directory.
        let control = self.control.get_mut().unwrap_or_else(|e| e.into_inner());
        drop(control.stdin.take());
        if let Some(thread) = self
            .thread
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            let _ = thread.join();
        }
    }
}

/// A node killed by [`Cluster::kill`]; started again by [`Down::restart`] or when dropped.
pub struct Down<'a> {
    cluster: &'a Cluster,
    pub node: usize,
    up: bool,
}

impl Down<'_> {
    /// Starts the node again and waits until it says it started.
    pub fn restart(mut self) {
        self.up = true;
        self.cluster.start_node(self.node);
    }
}

impl Drop for Down<'_> {
    fn drop(&mut self) {
        if !self.up {
            self.up = true;
            if std::thread::panicking() {
                // Best effort, without a second panic: the next test waits for a whole cluster.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    self.cluster.start_node(self.node)
                }));
            } else {
                self.cluster.start_node(self.node);
            }
        }
    }
}
