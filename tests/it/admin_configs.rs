//! Cluster administration against Apache Kafka, side by side with Apache's own tools on the
//! same broker: `kctl topics configs` / `topics describe --all-configs` / `brokers describe`
//! against kafka-configs --describe [--all] (ConfigCommand), `topics alter` and
//! `brokers alter` (each change, its dry run, what stays as it was) as kafka-configs then sees
//! them, `topics add-partitions` as kafka-topics --describe (TopicCommand) sees it, and
//! `cluster describe` against kafka-cluster cluster-id (ClusterTool),
//! kafka-broker-api-versions (BrokerApiVersionsCommand) and the partitions kafka-topics lists.
//!
//! The topic tests use the shared broker and topics of their own; the cluster and broker
//! config test has a broker of its own (it changes broker configs, and counts every
//! partition of the cluster).

use crate::common;

use std::collections::BTreeMap;

use common::apache::{tool, tools, TOPIC_COMMAND};
use common::Broker;
use serde_json::Value;

/// kafka-configs.sh
pub(crate) const CONFIG_COMMAND: &str = "org.apache.kafka.tools.ConfigCommand";
/// kafka-cluster.sh
const CLUSTER_TOOL: &str = "org.apache.kafka.tools.ClusterTool";
/// kafka-broker-api-versions.sh
const BROKER_API_VERSIONS: &str = "org.apache.kafka.tools.BrokerApiVersionsCommand";

/// A config as kafka-configs --describe prints it: `  name=value sensitive=false
/// synonyms={SOURCE:name=value, ...}`; `source` is the first synonym's (the effective one),
/// `None` when it lists none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApacheConfig {
    pub(crate) value: String,
    pub(crate) sensitive: bool,
    pub(crate) source: Option<String>,
}

/// The configs kafka-configs --describe printed, by name (its heading line skipped).
pub(crate) fn parse_config_command(text: &str) -> BTreeMap<String, ApacheConfig> {
    text.lines()
        .filter(|l| l.starts_with("  "))
        .map(|l| {
            let l = l.trim_start();
            let (name, rest) = l.split_once('=').expect("name=value");
            let at = rest.find(" sensitive=").expect("sensitive=");
            let value = rest[..at].to_string();
            let rest = &rest[at + " sensitive=".len()..];
            let (sensitive, synonyms) = rest.split_once(" synonyms={").expect("synonyms=");
            let source = synonyms
                .split_once(':')
                .map(|(s, _)| s.to_string())
                .filter(|s| !s.starts_with('}'));
            (
                name.to_string(),
                ApacheConfig {
                    value,
                    sensitive: sensitive == "true",
                    source,
                },
            )
        })
        .collect()
}

/// kafka-configs --describe arguments for an entity.
fn describe_args(b: &Broker, entity_type: &str, name: &str, all: bool) -> Vec<String> {
    let mut args: Vec<String> = [
        "--bootstrap-server",
        &b.addr,
        "--describe",
        "--entity-type",
        entity_type,
        "--entity-name",
        name,
    ]
    .map(String::from)
    .to_vec();
    if all {
        args.push("--all".into());
    }
    args
}

/// Asserts that kctl's config rows (JSON) say what kafka-configs said: the same configs with
/// the same values, sensitivity and (where kafka-configs names it) source.
pub(crate) fn assert_same_configs(
    what: &str,
    kctl: &Value,
    apache: &BTreeMap<String, ApacheConfig>,
) {
    let rows = kctl.as_array().expect("configs");
    let ours: BTreeMap<String, &Value> = rows
        .iter()
        .map(|r| (r["name"].as_str().unwrap().to_string(), r))
        .collect();
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        apache.keys().collect::<Vec<_>>(),
        "{what}: the config names differ"
    );
    for (name, a) in apache {
        let r = ours[name];
        // kafka-configs prints a missing value (and every sensitive one) as `null`.
        assert_eq!(
            r["value"].as_str().unwrap_or("null"),
            a.value,
            "{what}: value of {name}: {r}"
        );
        assert_eq!(r["sensitive"], a.sensitive, "{what}: {name}: {r}");
        if let Some(source) = &a.source {
            assert_eq!(
                r["source"].as_str().unwrap(),
                source.to_lowercase(),
                "{what}: source of {name}: {r}"
            );
        }
    }
}

fn create_topic(b: &Broker, prefix: &str, args: &[&str]) -> String {
    let topic = common::unique(prefix);
    b.kctl()
        .args(["topics", "create", &topic])
        .args(args)
        .assert()
        .success();
    topic
}

/// The change of `config` in a `topics alter` / `brokers alter` JSON change list.
fn change<'a>(changes: &'a Value, config: &str) -> &'a Value {
    changes
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["config"] == config)
        .unwrap_or_else(|| panic!("no change of {config} in {changes}"))
}

#[test]
fn topic_configs_are_those_kafka_configs_describes() {
    let b = Broker::start();
    let topic = create_topic(
        &b,
        "cfg-describe",
        &[
            "-p",
            "2",
            "-c",
            "retention.ms=3600000",
            "-c",
            "cleanup.policy=compact",
        ],
    );
    let own = b.json(&["topics", "configs", &topic]);
    let all = b.json(&["topics", "configs", &topic, "--all"]);
    let described = b.json(&["topics", "describe", &topic, "--all-configs"]);
    let apache = tools(&[
        (CONFIG_COMMAND, describe_args(&b, "topics", &topic, false)),
        (CONFIG_COMMAND, describe_args(&b, "topics", &topic, true)),
    ]);
    let (apache_own, apache_all) = (
        parse_config_command(&apache[0]),
        parse_config_command(&apache[1]),
    );
    assert_eq!(own["topics"][0]["name"], topic.as_str());
    assert_same_configs("configs", &own["topics"][0]["configs"], &apache_own);
    assert_same_configs("configs --all", &all["topics"][0]["configs"], &apache_all);
    assert_eq!(apache_own.len(), 2, "{apache_own:?}");
    // `topics describe --all-configs` lists the same; without the flag, `null`.
    assert_eq!(
        described["topics"][0]["all_configs"],
        all["topics"][0]["configs"]
    );
    let plain = b.json(&["topics", "describe", &topic]);
    assert_eq!(plain["topics"][0]["all_configs"], Value::Null);
    // A row's whole shape.
    let row = all["topics"][0]["configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "retention.ms")
        .unwrap()
        .clone();
    assert_eq!(
        row,
        serde_json::json!({"name": "retention.ms", "value": "3600000",
            "source": "dynamic_topic_config", "sensitive": false, "read_only": false})
    );

    // The table: the topic's own configs, and every config with its source.
    let out = b
        .kctl()
        .args(["topics", "configs", &topic])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(format!("Configs set on topic {topic}:").as_str())
    );
    let rows = common::apache::table(&lines.collect::<Vec<_>>().join("\n"));
    let rows: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r["CONFIG"].clone(), r["VALUE"].clone(), r["SOURCE"].clone()))
        .collect();
    assert_eq!(
        rows,
        [
            ("cleanup.policy".into(), "compact".into(), "topic".into()),
            ("retention.ms".into(), "3600000".into(), "topic".into())
        ]
    );
    let out = b
        .kctl()
        .args(["topics", "configs", &topic, "--all"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["retention.ms", "3600000", "topic", "-"]),
        "{text}"
    );
    let default = apache_all["segment.bytes"].value.clone();
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["segment.bytes", default.as_str(), "default", "-"]),
        "{text}"
    );
}

#[test]
fn topics_alter_changes_what_kafka_configs_describes_and_nothing_else() {
    let b = Broker::start();
    let first = create_topic(&b, "cfg-alter", &["-c", "cleanup.policy=compact"]);
    let second = create_topic(&b, "cfg-alter", &[]);
    let apache_all = parse_config_command(&tool(
        CONFIG_COMMAND,
        &describe_args(&b, "topics", &first, true)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    ));
    let default_retention = apache_all["retention.ms"].value.clone();
    let default_max_bytes = apache_all["max.message.bytes"].value.clone();

    // A dry run: the broker validates, nothing changes.
    let dry = b.json(&[
        "topics",
        "alter",
        &first,
        "--set",
        "retention.ms=3600000",
        "--dry-run",
    ]);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(
        dry["topics"][0]["changes"][0],
        serde_json::json!({"config": "retention.ms", "action": "set",
            "old_value": default_retention, "old_source": "default_config",
            "new_value": "3600000", "new_source": "dynamic_topic_config", "sensitive": false})
    );
    let describe_both = || {
        let out = tools(&[
            (CONFIG_COMMAND, describe_args(&b, "topics", &first, false)),
            (CONFIG_COMMAND, describe_args(&b, "topics", &second, false)),
        ]);
        (parse_config_command(&out[0]), parse_config_command(&out[1]))
    };
    let (a, c) = describe_both();
    assert_eq!(a.keys().collect::<Vec<_>>(), ["cleanup.policy"], "{a:?}");
    assert!(c.is_empty(), "{c:?}");

    // Two topics at once; the config set before (cleanup.policy) stays.
    let out = b
        .kctl()
        .args(["topics", "alter", &first, &second])
        .args([
            "--set",
            "retention.ms=3600000",
            "--set",
            "max.message.bytes=2000",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!(
            "altered topic {first} (2 configs):\n  retention.ms {default_retention} (default) -> 3600000 (topic)\n"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "  max.message.bytes {default_max_bytes} (default) -> 2000 (topic)"
        )),
        "{text}"
    );
    let (a, c) = describe_both();
    for (name, configs) in [(&first, &a), (&second, &c)] {
        assert_eq!(configs["retention.ms"].value, "3600000", "{name}");
        assert_eq!(configs["max.message.bytes"].value, "2000", "{name}");
        assert_eq!(
            configs["retention.ms"].source.as_deref(),
            Some("DYNAMIC_TOPIC_CONFIG")
        );
    }
    assert_eq!(a["cleanup.policy"].value, "compact");
    assert_eq!(a.len(), 3);
    assert_eq!(c.len(), 2);

    // Deleting reverts to the default, which the change shows; a dry run of it first.
    let dry = b.json(&[
        "topics",
        "alter",
        &first,
        "--delete",
        "max.message.bytes",
        "--dry-run",
    ]);
    let d = change(&dry["topics"][0]["changes"], "max.message.bytes");
    assert_eq!(d["old_value"], "2000");
    assert_eq!(d["new_value"], default_max_bytes.as_str());
    assert_eq!(d["new_source"], "default_config");
    let deleted = b.json(&[
        "topics",
        "alter",
        &first,
        "--delete",
        "retention.ms,max.message.bytes",
        "--set",
        "cleanup.policy=delete",
    ]);
    assert_eq!(deleted["dry_run"], false);
    let changes = &deleted["topics"][0]["changes"];
    let r = change(changes, "retention.ms");
    assert_eq!(r["action"], "delete");
    assert_eq!(r["old_value"], "3600000");
    assert_eq!(r["old_source"], "dynamic_topic_config");
    assert_eq!(r["new_value"], default_retention.as_str());
    assert_ne!(r["new_source"], "dynamic_topic_config");
    assert_eq!(change(changes, "cleanup.policy")["old_value"], "compact");
    let (a, c) = describe_both();
    assert_eq!(a.keys().collect::<Vec<_>>(), ["cleanup.policy"], "{a:?}");
    assert_eq!(a["cleanup.policy"].value, "delete");
    assert_eq!(c.len(), 2, "the other topic kept its configs: {c:?}");
}

#[test]
fn add_partitions_grows_a_topic_as_kafka_topics_describes_it() {
    let b = Broker::start();
    let topic = create_topic(&b, "cfg-partitions", &["-p", "2"]);
    let partition_count = || {
        let out = tool(
            TOPIC_COMMAND,
            &[
                "--bootstrap-server",
                &b.addr,
                "--describe",
                "--topic",
                &topic,
            ],
        );
        let line = out.lines().next().unwrap_or_default().to_string();
        line.split('\t')
            .find_map(|f| f.trim().strip_prefix("PartitionCount: "))
            .unwrap_or_else(|| panic!("no PartitionCount in {out:?}"))
            .to_string()
    };

    let out = b
        .kctl()
        .args([
            "-o",
            "json",
            "topics",
            "add-partitions",
            &topic,
            "--to",
            "5",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let dry: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        dry,
        serde_json::json!({"name": topic, "status": "validated", "previous_partitions": 2,
            "partitions": 5})
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("warning: records with keys will map"),
        "{out:?}"
    );
    assert_eq!(partition_count(), "2");

    let out = b
        .kctl()
        .args(["topics", "add-partitions", &topic, "--to", "5"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("topic \"{topic}\" now has 5 partitions (was 2)\n")
    );
    assert_eq!(partition_count(), "5");
    // kctl sees them at once: it returned once the metadata showed them.
    let described = b.json(&["topics", "describe", &topic]);
    assert_eq!(described["topics"][0]["partition_count"], 5);

    for to in ["5", "3"] {
        let out = b
            .kctl()
            .args(["topics", "add-partitions", &topic, "--to", to])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!(
                "cannot add partitions to topic '{topic}': it has 5 partitions, and --to {to} is not more; nothing was changed"
            )),
            "{stderr}"
        );
    }
    assert_eq!(partition_count(), "5");
}

/// kafka-topics --describe's partition lines: (leader, replicas) of every partition listed.
fn partitions_of_topic_command(text: &str) -> Vec<(String, Vec<String>)> {
    text.lines()
        .filter(|l| l.contains("\tPartition: "))
        .map(|l| {
            let field = |key: &str| {
                l.split('\t')
                    .find_map(|f| f.trim().strip_prefix(key).map(str::to_string))
                    .unwrap_or_default()
            };
            let replicas = field("Replicas: ")
                .split(',')
                .filter(|r| !r.is_empty())
                .map(str::to_string)
                .collect();
            (field("Leader: "), replicas)
        })
        .collect()
}

#[test]
fn cluster_and_broker_configs_are_what_apaches_tools_say() {
    // A broker of its own: it changes broker configs and counts every partition.
    let b = Broker::private_with(&["--override", "broker.rack=rack-a"]);
    create_topic(&b, "cfg-cluster", &["-p", "3"]);
    let cluster = b.json(&["cluster", "describe"]);
    let addr = b.addr.as_str();
    let out = tools(&[
        (
            CLUSTER_TOOL,
            ["cluster-id", "--bootstrap-server", addr]
                .map(String::from)
                .to_vec(),
        ),
        (
            BROKER_API_VERSIONS,
            ["--bootstrap-server", addr].map(String::from).to_vec(),
        ),
        (
            TOPIC_COMMAND,
            ["--bootstrap-server", addr, "--describe"]
                .map(String::from)
                .to_vec(),
        ),
    ]);
    assert_eq!(
        out[0].trim(),
        format!("Cluster ID: {}", cluster["cluster_id"].as_str().unwrap())
    );
    // `127.0.0.1:9092 (id: 1 rack: rack-a isFenced: false) -> (`
    let apache_brokers: Vec<String> = out[1]
        .lines()
        .filter(|l| l.ends_with("-> ("))
        .map(|l| l.split(" isFenced").next().unwrap().to_string())
        .collect();
    let brokers = cluster["brokers"].as_array().unwrap();
    let ours: Vec<String> = brokers
        .iter()
        .map(|b| {
            format!(
                "{}:{} (id: {} rack: {}",
                b["host"].as_str().unwrap(),
                b["port"],
                b["id"],
                b["rack"].as_str().unwrap_or("null")
            )
        })
        .collect();
    assert_eq!(ours, apache_brokers);
    assert_eq!(brokers[0]["rack"], "rack-a");
    let ids: Vec<&Value> = brokers.iter().map(|b| &b["id"]).collect();
    assert!(ids.contains(&&cluster["controller"]), "{cluster}");
    // One node, broker and controller: it is the quorum's leader.
    assert_eq!(
        cluster["active_controller"], cluster["controller"],
        "{cluster}"
    );
    let partitions = partitions_of_topic_command(&out[2]);
    let id = brokers[0]["id"].to_string();
    let leads = partitions.iter().filter(|(l, _)| *l == id).count();
    let replicates = partitions.iter().filter(|(_, r)| r.contains(&id)).count();
    assert!(partitions.len() >= 3, "{}", out[2]);
    assert_eq!(brokers[0]["leader_partitions"], leads);
    assert_eq!(brokers[0]["replica_partitions"], replicates);

    // The table.
    let text = String::from_utf8(
        b.kctl()
            .args(["cluster", "describe"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(text.starts_with(&format!(
        "Cluster: {}  Controller: {}  Active controller: {}  Brokers: 1\n",
        cluster["cluster_id"].as_str().unwrap(),
        cluster["controller"],
        cluster["active_controller"]
    )));
    let row = text.lines().nth(3).unwrap();
    assert_eq!(
        row.split_whitespace().collect::<Vec<_>>(),
        [
            id.clone(),
            addr.to_string(),
            "rack-a".into(),
            leads.to_string(),
            replicates.to_string()
        ]
    );

    // Broker configs: the dynamic ones (none yet) and all of them.
    let dynamic = b.json(&["brokers", "describe", &id]);
    let all = b.json(&["brokers", "describe", &id, "--all-configs"]);
    let apache = tools(&[
        (CONFIG_COMMAND, describe_args(&b, "brokers", &id, false)),
        (CONFIG_COMMAND, describe_args(&b, "brokers", &id, true)),
    ]);
    assert_eq!(dynamic["broker"]["rack"], "rack-a");
    assert_eq!(dynamic["broker"]["port"], brokers[0]["port"]);
    assert_same_configs(
        "broker",
        &dynamic["configs"],
        &parse_config_command(&apache[0]),
    );
    let apache_all = parse_config_command(&apache[1]);
    assert_same_configs("broker --all", &all["configs"], &apache_all);
    assert_eq!(apache_all["broker.rack"].value, "rack-a");
    let rack = all["configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "broker.rack")
        .unwrap();
    assert_eq!(rack["source"], "static_broker_config");
    assert_eq!(rack["read_only"], true);

    // Alter a dynamic broker config: dry run, set, delete.
    let default_backoff = apache_all["log.cleaner.backoff.ms"].value.clone();
    let describe_dynamic = || {
        parse_config_command(&tool(
            CONFIG_COMMAND,
            &describe_args(&b, "brokers", &id, false)
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        ))
    };
    let dry = b.json(&[
        "brokers",
        "alter",
        &id,
        "--set",
        "log.cleaner.backoff.ms=20000",
        "--dry-run",
    ]);
    assert_eq!(
        dry,
        serde_json::json!({"dry_run": true, "broker": brokers[0]["id"], "default": false, "changes": [
            {"config": "log.cleaner.backoff.ms", "action": "set",
             "old_value": default_backoff, "old_source": "default_config",
             "new_value": "20000", "new_source": "dynamic_broker_config", "sensitive": false}]})
    );
    assert!(describe_dynamic().is_empty());
    let set = b.json(&[
        "brokers",
        "alter",
        &id,
        "--set",
        "log.cleaner.backoff.ms=20000",
    ]);
    assert_eq!(set["dry_run"], false);
    assert_eq!(set["changes"], dry["changes"]);
    let after = describe_dynamic();
    assert_eq!(
        after["log.cleaner.backoff.ms"],
        ApacheConfig {
            value: "20000".into(),
            sensitive: false,
            source: Some("DYNAMIC_BROKER_CONFIG".into())
        }
    );
    assert_same_configs(
        "broker after alter",
        &b.json(&["brokers", "describe", &id])["configs"],
        &after,
    );
    let out = b
        .kctl()
        .args([
            "brokers",
            "alter",
            &id,
            "--delete",
            "log.cleaner.backoff.ms",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!(
            "altered broker {id} (1 config):\n  log.cleaner.backoff.ms 20000 (broker) -> {default_backoff} (default)\n"
        )
    );
    assert!(describe_dynamic().is_empty());
}

#[test]
fn broker_ids_complete_from_the_cluster() {
    let b = Broker::start();
    let cache = tempfile::tempdir().unwrap();
    let cluster = b.json(&["cluster", "describe"]);
    let ids: Vec<String> = cluster["brokers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].to_string())
        .collect();
    let words = ["kctl", "-b", b.addr.as_str(), "brokers", "describe", ""];
    // The first completion starts the cache's refresh; the names come once it is done.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let out = common::kctl()
            .env("XDG_CACHE_HOME", cache.path())
            .env("KCTL_COMPLETE", "bash")
            .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
            .env("_CLAP_IFS", "\n")
            .arg("--")
            .args(words)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let names: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('-'))
            .map(str::to_string)
            .collect();
        if names == ids {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "completed {names:?}, expected {ids:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// Up to librdkafka's `int` milliseconds, every new command works: each call is bounded by
/// what it takes (the admin requests by librdkafka's hour).
#[test]
fn long_timeouts_work_on_the_admin_commands() {
    let b = Broker::start();
    let topic = create_topic(&b, "cfg-long-timeout", &["-p", "1"]);
    let id = b.json(&["cluster", "describe"])["brokers"][0]["id"].to_string();
    for args in [
        vec!["cluster", "describe"],
        vec!["topics", "configs", &topic, "--all"],
        vec!["topics", "describe", &topic, "--all-configs"],
        vec![
            "topics",
            "alter",
            &topic,
            "--set",
            "retention.ms=7200000",
            "--dry-run",
        ],
        vec!["topics", "alter", &topic, "--set", "retention.ms=7200000"],
        vec!["topics", "alter", &topic, "--delete", "retention.ms"],
        vec!["topics", "add-partitions", &topic, "--to", "2", "--dry-run"],
        vec!["topics", "add-partitions", &topic, "--to", "2"],
        vec!["brokers", "describe", &id, "--all-configs"],
        vec![
            "brokers",
            "alter",
            &id,
            "--set",
            "log.cleaner.backoff.ms=20000",
            "--dry-run",
        ],
        vec!["brokers", "describe", "--default", "--all-configs"],
        vec![
            "brokers",
            "alter",
            "--default",
            "--set",
            "log.cleaner.backoff.ms=20000",
            "--dry-run",
        ],
    ] {
        let out = b
            .kctl()
            .args(["--timeout", "24d"])
            .args(&args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "--timeout 24d {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Without the ACLs for configs, every change is refused as an authorization failure (exit 1)
/// and nothing changes; the admin's changes go through.
#[test]
fn changes_without_permission_are_refused_and_change_nothing() {
    use common::secure::{Run, SecureKafka, ALICE, BOB};
    let kafka = SecureKafka::shared();
    // alice may describe, read and write alice-* topics, but not their configs.
    let topic = kafka.topic("alice-cfg");
    let id = {
        let out = kafka
            .admin()
            .args(["-o", "json", "cluster", "describe"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["brokers"][0]["id"].to_string()
    };
    let refused: Vec<(Run, &str, String)> = vec![
        (
            Run::of(
                kafka.sasl("SCRAM-SHA-512", ALICE).args([
                    "topics",
                    "alter",
                    &topic,
                    "--set",
                    "retention.ms=1000",
                ]),
                None,
            ),
            "topics alter",
            format!("not authorized to alter configs of topic '{topic}' as User:alice"),
        ),
        (
            Run::of(
                kafka.sasl("SCRAM-SHA-512", ALICE).args([
                    "topics",
                    "add-partitions",
                    &topic,
                    "--to",
                    "3",
                ]),
                None,
            ),
            "topics add-partitions",
            format!("not authorized to alter topic '{topic}' as User:alice"),
        ),
        (
            Run::of(
                kafka.sasl("SCRAM-SHA-256", BOB).args([
                    "brokers",
                    "alter",
                    &id,
                    "--set",
                    "log.cleaner.backoff.ms=20000",
                ]),
                None,
            ),
            "brokers alter",
            "not authorized to alter configs of the cluster as User:bob".to_string(),
        ),
    ];
    for (run, what, refusal) in &refused {
        assert_eq!(run.code, Some(1), "{what}: {run:#?}");
        assert_eq!(run.error(), format!("error: {refusal}"), "{what}: {run:#?}");
        assert!(run.stdout.is_empty(), "{what}: {run:#?}");
        run.assert_no_secret(&[]);
    }
    let out = kafka
        .admin()
        .args(["-o", "json", "topics", "describe", &topic])
        .output()
        .unwrap();
    let described: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(described["topics"][0]["partition_count"], 1);
    // Only what the brokers set (none on the topic): the refused retention.ms is not there.
    assert!(
        described["topics"][0]["configs"]
            .get("retention.ms")
            .is_none(),
        "{described}"
    );
    let out = kafka
        .admin()
        .args(["-o", "json", "brokers", "describe", &id])
        .output()
        .unwrap();
    let broker: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        !broker["configs"]
            .to_string()
            .contains("log.cleaner.backoff.ms"),
        "{broker}"
    );
    // The admin may.
    let out = kafka
        .admin()
        .args(["topics", "alter", &topic, "--set", "retention.ms=1000"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

/// On three brokers: `cluster describe` counts each broker's partitions as kafka-topics lists
/// them, and a broker's configs are that broker's own (librdkafka asks that broker): changing
/// one broker leaves the others as kafka-configs describes them.
#[test]
fn each_of_three_brokers_has_its_own_partitions_and_configs() {
    let b = Broker::private_with(&["--brokers", "3"]);
    let topic = common::unique("cfg-three");
    let out = b
        .kctl()
        .args([
            "--timeout",
            "60s",
            "topics",
            "create",
            &topic,
            "-p",
            "6",
            "-r",
            "2",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let cluster = b.json(&["cluster", "describe"]);
    let ids: Vec<String> = cluster["brokers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].to_string())
        .collect();
    assert_eq!(ids.len(), 3, "{cluster}");
    let mut runs = vec![(
        TOPIC_COMMAND,
        ["--bootstrap-server", b.addr.as_str(), "--describe"]
            .map(String::from)
            .to_vec(),
    )];
    let target = ids[1].clone();
    let changed = b.json(&[
        "brokers",
        "alter",
        &target,
        "--set",
        "log.cleaner.backoff.ms=20000",
    ]);
    assert_eq!(changed["broker"].to_string(), target);
    for id in &ids {
        runs.push((CONFIG_COMMAND, describe_args(&b, "brokers", id, false)));
    }
    let out = tools(&runs);
    let partitions = partitions_of_topic_command(&out[0]);
    for (i, broker) in cluster["brokers"].as_array().unwrap().iter().enumerate() {
        let id = &ids[i];
        let leads = partitions.iter().filter(|(l, _)| l == id).count();
        let replicates = partitions.iter().filter(|(_, r)| r.contains(id)).count();
        assert_eq!(broker["leader_partitions"], leads, "broker {id}: {cluster}");
        assert_eq!(
            broker["replica_partitions"], replicates,
            "broker {id}: {cluster}"
        );
        let apache = parse_config_command(&out[i + 1]);
        let ours = b.json(&["brokers", "describe", id]);
        assert_same_configs(&format!("broker {id}"), &ours["configs"], &apache);
        assert_eq!(
            apache.contains_key("log.cleaner.backoff.ms"),
            *id == target,
            "broker {id}: {apache:?}"
        );
    }
    let total_replicas: u64 = cluster["brokers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["replica_partitions"].as_u64().unwrap())
        .sum();
    assert!(total_replicas >= 12, "{cluster}");
}

/// `topics alter --delete` of a config the topic does not set is refused (Kafka would accept
/// it and change nothing), and nothing else named in the same command is changed either.
#[test]
fn deleting_a_config_the_topic_does_not_set_is_refused_and_changes_nothing() {
    let b = Broker::start();
    let topic = common::unique("unset");
    b.kctl()
        .args([
            "topics",
            "create",
            &topic,
            "--config",
            "max.message.bytes=2000",
        ])
        .assert()
        .success();
    for args in [
        vec!["topics", "alter", &topic, "--delete", "retention.ms"],
        vec![
            "topics",
            "alter",
            &topic,
            "--delete",
            "retention.ms",
            "--dry-run",
        ],
        vec![
            "topics",
            "alter",
            &topic,
            "--set",
            "segment.ms=3600000",
            "--delete",
            "max.message.bytes,retention.ms",
        ],
    ] {
        let out = b.kctl().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "cannot alter the configs of topic '{topic}': config 'retention.ms' is not set on it"
            )) || stderr.contains("config 'retention.ms' is not set on it"),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("nothing was changed"), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let configs = b.json(&["topics", "configs", &topic]);
    let text = configs.to_string();
    assert!(text.contains("max.message.bytes"), "{configs}");
    assert!(!text.contains("segment.ms"), "{configs}");
    // A config the topic sets is deleted as before.
    b.kctl()
        .args(["topics", "alter", &topic, "--delete", "max.message.bytes"])
        .assert()
        .success();
}
