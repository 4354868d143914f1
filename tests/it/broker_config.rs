//! The test broker (scripts/kafka-broker) runs what docker-compose.yaml runs: the same Kafka
//! version and the same settings, but for the listener addresses, the controller quorum and
//! the log directory. This parses the compose file on its own and compares.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

/// What scripts/kafka-broker sets itself: loopback listeners on free ports, their quorum, and
/// a log directory of its own.
const REPLACED: &[&str] = &[
    "listeners",
    "advertised.listeners",
    "controller.quorum.voters",
    "controller.quorum.bootstrap.servers",
    "log.dirs",
    "log.dir",
];

/// KAFKA_* variables of the apache/kafka image that are not broker properties.
const NOT_PROPERTIES: &[&str] = &[
    "KAFKA_VERSION",
    "KAFKA_HEAP_OPT",
    "KAFKA_LOG4J_OPTS",
    "KAFKA_OPTS",
    "KAFKA_JMX_OPTS",
    "KAFKA_JVM_PERFORMANCE_OPTS",
    "KAFKA_GC_LOG_OPTS",
    "KAFKA_LOG4J_ROOT_LOGLEVEL",
    "KAFKA_LOG4J_LOGGERS",
    "KAFKA_TOOLS_LOG4J_LOGLEVEL",
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The apache/kafka image's key conversion: `_` -> `.`, `__` -> `_`, `___` -> `-`, lower case
/// (a single `_` only between two other characters, as its `[^_]_[^_]` regex matches).
fn convert_key(key: &str) -> String {
    let c: Vec<char> = key.chars().collect();
    let mut single = String::new();
    let mut i = 0;
    // Leftmost, non-overlapping matches of [^_]_[^_], as Go's ReplaceAllStringFunc takes them.
    while i < c.len() {
        if i + 2 < c.len() && c[i] != '_' && c[i + 1] == '_' && c[i + 2] != '_' {
            single.push(c[i]);
            single.push('.');
            single.push(c[i + 2]);
            i += 3;
        } else {
            single.push(c[i]);
            i += 1;
        }
    }
    single.replace("___", "-").replace("__", "_").to_lowercase()
}

fn unquote(value: &str) -> String {
    let v = value.trim();
    if v.len() >= 2
        && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')))
    {
        return v[1..v.len() - 1].to_string();
    }
    match v.find(" #") {
        Some(i) => v[..i].trim_end().to_string(),
        None => v.to_string(),
    }
}

/// `services.<service>.<key>` of a compose file: the lines of that block, by indentation.
fn service_block(compose: &str, service: &str, key: &str) -> Vec<String> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let lines: Vec<&str> = compose
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    let services = lines
        .iter()
        .position(|l| l.trim_end() == "services:")
        .expect("services:");
    let svc = (services + 1..lines.len())
        .find(|&i| lines[i].trim_end() == format!("  {service}:"))
        .unwrap_or_else(|| panic!("service {service}"));
    let svc_indent = indent(lines[svc]);
    let mut i = svc + 1;
    while i < lines.len() && indent(lines[i]) > svc_indent {
        if lines[i].trim() == format!("{key}:") {
            let key_indent = indent(lines[i]);
            return lines[i + 1..]
                .iter()
                .take_while(|l| indent(l) > key_indent)
                .map(|l| l.trim().to_string())
                .collect();
        }
        i += 1;
    }
    panic!("services.{service}.{key}");
}

fn compose_text() -> String {
    std::fs::read_to_string(repo().join("docker-compose.yaml")).unwrap()
}

/// The broker properties the apache/kafka image makes of the compose file's kafka service.
fn compose_properties() -> BTreeMap<String, String> {
    let mut props = BTreeMap::new();
    for line in service_block(&compose_text(), "kafka", "environment") {
        let (key, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("KEY: VALUE, not {line}"));
        let key = key.trim();
        if key.starts_with("KAFKA") && !NOT_PROPERTIES.contains(&key) {
            props.insert(convert_key(&key[6..]), unquote(value));
        }
    }
    props
}

/// `scripts/kafka-broker --print-config ARGS`, one property map per node.
fn launcher_properties(args: &[&str]) -> Vec<BTreeMap<String, String>> {
    let out = Command::new("python3")
        .arg(repo().join("scripts/kafka-broker"))
        .arg("--print-config")
        .args(args)
        .output()
        .expect("python3 runs scripts/kafka-broker");
    assert!(
        out.status.success(),
        "kafka-broker --print-config failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut nodes = vec![BTreeMap::new()];
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        if line.starts_with("# node ") {
            if !nodes.last().unwrap().is_empty() {
                nodes.push(BTreeMap::new());
            }
            continue;
        }
        let (k, v) = line.split_once('=').expect("key=value");
        nodes
            .last_mut()
            .unwrap()
            .insert(k.to_string(), v.to_string());
    }
    nodes
}

fn without_replaced(props: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    props
        .iter()
        .filter(|(k, _)| !REPLACED.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn listener_names(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|l| l.split("://").next().unwrap().to_string())
        .collect()
}

#[test]
fn the_key_conversion_is_the_images() {
    assert_eq!(convert_key("LOG_RETENTION_MS"), "log.retention.ms");
    assert_eq!(
        convert_key("LISTENER_NAME_SASL__SSL_PLAIN___SASL"),
        "listener.name.sasl_ssl.plain-sasl"
    );
    assert_eq!(convert_key("NODE_ID"), "node.id");
}

#[test]
fn the_launcher_runs_the_compose_settings() {
    let compose = compose_properties();
    let nodes = launcher_properties(&[]);
    assert_eq!(nodes.len(), 1);
    let node = &nodes[0];
    assert_eq!(
        without_replaced(node),
        without_replaced(&compose),
        "scripts/kafka-broker and docker-compose.yaml drifted apart (left: the launcher)"
    );
    // The settings the tests rely on live in the compose file.
    for (key, value) in [
        ("offsets.topic.replication.factor", "1"),
        ("transaction.state.log.replication.factor", "1"),
        ("transaction.state.log.min.isr", "1"),
        ("group.initial.rebalance.delay.ms", "0"),
    ] {
        assert_eq!(compose.get(key).map(String::as_str), Some(value), "{key}");
    }
    // What is replaced keeps its shape: the same listener names, on loopback.
    for key in ["listeners", "advertised.listeners"] {
        assert_eq!(
            listener_names(&node[key]),
            listener_names(&compose[key]),
            "{key}"
        );
        assert!(
            node[key]
                .split(',')
                .all(|l| l.split("://").nth(1).unwrap().starts_with("127.0.0.1:")),
            "{key}: {}",
            node[key]
        );
    }
    assert_eq!(
        node.contains_key("controller.quorum.voters"),
        compose.contains_key("controller.quorum.voters")
    );
    assert!(node.contains_key("log.dirs"));
}

#[test]
fn a_cluster_of_three_is_one_quorum_of_three_nodes() {
    let nodes = launcher_properties(&["--brokers", "3"]);
    assert_eq!(nodes.len(), 3);
    let ids: Vec<&str> = nodes.iter().map(|n| n["node.id"].as_str()).collect();
    assert_eq!(ids, ["1", "2", "3"]);
    let voters = &nodes[0]["controller.quorum.voters"];
    assert_eq!(voters.split(',').count(), 3, "{voters}");
    let compose = compose_properties();
    for node in &nodes {
        assert_eq!(&node["controller.quorum.voters"], voters);
        let mut same = without_replaced(node);
        same.remove("node.id");
        let mut expected = without_replaced(&compose);
        expected.remove("node.id");
        assert_eq!(same, expected);
    }
}

#[test]
fn compose_runs_the_pinned_kafka_version() {
    let pom = std::fs::read_to_string(repo().join("tests/kafka/pom.xml")).unwrap();
    let version = pom
        .split("<kafka.version>")
        .nth(1)
        .and_then(|rest| rest.split("</kafka.version>").next())
        .expect("<kafka.version> in tests/kafka/pom.xml");
    let compose = compose_text();
    let kafka_image = compose
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("image: apache/kafka:"))
        .expect("the kafka service's image");
    assert_eq!(kafka_image, format!("image: apache/kafka:{version}"));
    assert!(
        compose.contains("image: kafbat/kafka-ui:"),
        "the ui profile runs the maintained kafbat/kafka-ui"
    );
}
