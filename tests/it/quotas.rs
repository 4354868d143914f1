//! `kctl quotas` side by side with Apache's kafka-configs (ConfigCommand) --describe
//! --entity-type users|clients|ips on the same broker (one of its own: default quotas apply
//! to every client of a broker). Quotas set by kctl are the ones Apache's tool describes, for
//! every entity shape (a user, the default user, a user with a client id, a client id, an IP,
//! the default IP); a dry run and a quota Kafka does not know change nothing; delete asks
//! first and removes what Apache's tool then no longer shows.

use crate::common;

use std::collections::BTreeMap;

use common::apache::tools;
use common::Broker;
use serde_json::Value;

const CONFIG_COMMAND: &str = "org.apache.kafka.tools.ConfigCommand";

/// An entity as `user=alice,client-id=<default>`, with its quotas.
type Described = BTreeMap<String, BTreeMap<String, f64>>;

/// kafka-configs' `Quota configs for user-principal 'alice', client-id 'c1' are k=v, ...`.
fn parse_config_command(text: &str) -> Described {
    let mut out = Described::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("Quota configs for ") else {
            continue;
        };
        let (entity, values) = rest.split_once(" are ").expect("` are `");
        let parts: Vec<String> = entity
            .split(", ")
            .map(|p| {
                let (kind, name) = match p.strip_prefix("the default ") {
                    Some(kind) => (kind, "<default>".to_string()),
                    None => {
                        let (kind, name) = p.split_once(' ').expect("type 'name'");
                        (kind, name.trim_matches('\'').to_string())
                    }
                };
                let kind = match kind {
                    "user-principal" => "user",
                    k => k,
                };
                format!("{kind}={name}")
            })
            .collect();
        let values = values
            .split(", ")
            .map(|kv| {
                let (k, v) = kv.split_once('=').expect("k=v");
                (k.to_string(), v.parse().expect("a number"))
            })
            .collect();
        out.insert(parts.join(","), values);
    }
    out
}

/// `kctl quotas describe ARGS -o json` in the same shape.
fn describe(broker: &Broker, args: &[&str]) -> Described {
    let mut all = vec!["quotas", "describe"];
    all.extend(args);
    let v = broker.json(&all);
    v["quotas"]
        .as_array()
        .expect("quotas")
        .iter()
        .map(|q| {
            let entity: Vec<String> = q["entity"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    let name = match &p["name"] {
                        Value::Null => "<default>".to_string(),
                        v => v.as_str().unwrap().to_string(),
                    };
                    format!("{}={name}", p["type"].as_str().unwrap())
                })
                .collect();
            let values = q["values"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_f64().unwrap()))
                .collect();
            (entity.join(","), values)
        })
        .collect()
}

fn alter(broker: &Broker, args: &[&str]) -> Value {
    let mut all = vec!["quotas", "alter"];
    all.extend(args);
    broker.json(&all)
}

#[test]
fn quotas_are_what_kafka_configs_describes() {
    let broker = Broker::private();
    let set = [
        vec![
            "--user",
            "alice",
            "--set",
            "producer_byte_rate=1048576,",
            "--set",
            "consumer_byte_rate=2097152",
        ],
        vec!["--default-user", "--set", "producer_byte_rate=4194304"],
        vec![
            "--user",
            "alice",
            "--client-id",
            "app-1",
            "--set",
            "request_percentage=50",
        ],
        vec![
            "--default-user",
            "--client-id",
            "app-2",
            "--set",
            "controller_mutation_rate=10",
        ],
        vec!["--client-id", "app-3", "--set", "consumer_byte_rate=1000"],
        vec!["--ip", "10.0.0.7", "--set", "connection_creation_rate=10"],
        vec!["--default-ip", "--set", "connection_creation_rate=100"],
    ];
    // A value that is not a number is refused before anything is sent.
    broker
        .kctl()
        .args(["quotas", "alter"])
        .args(&set[0])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "invalid value '1048576,' for quota 'producer_byte_rate': not a number",
        ));
    let mut first = set[0].clone();
    first[3] = "producer_byte_rate=1048576";
    let altered = alter(&broker, &first);
    assert_eq!(altered["dry_run"], false);
    assert_eq!(altered["changes"][0]["old_value"], Value::Null);
    assert_eq!(altered["changes"][0]["new_value"], 1048576.0);
    for args in &set[1..] {
        alter(&broker, args);
    }

    let b = broker.addr.clone();
    let describe_args = |types: &[&str]| -> Vec<String> {
        let mut v = vec![
            "--bootstrap-server".to_string(),
            b.clone(),
            "--describe".into(),
        ];
        for t in types {
            v.push("--entity-type".into());
            v.push(t.to_string());
        }
        v
    };
    let mut alice = describe_args(&["users"]);
    alice.extend(["--entity-name".to_string(), "alice".to_string()]);
    let out = tools(&[
        (CONFIG_COMMAND, describe_args(&["users"])),
        (CONFIG_COMMAND, describe_args(&["clients"])),
        (CONFIG_COMMAND, describe_args(&["users", "clients"])),
        (CONFIG_COMMAND, describe_args(&["ips"])),
        (CONFIG_COMMAND, alice),
    ]);
    let kctl = [
        describe(&broker, &["--type", "user"]),
        describe(&broker, &["--type", "client-id"]),
        describe(&broker, &["--type", "user", "--type", "client-id"]),
        describe(&broker, &["--type", "ip"]),
        describe(&broker, &["--user", "alice"]),
    ];
    for (i, (k, a)) in kctl.iter().zip(&out).enumerate() {
        assert_eq!(k, &parse_config_command(a), "query {i}:\n{a}");
    }
    assert_eq!(kctl[0].len(), 2, "{:?}", kctl[0]);
    assert_eq!(kctl[2].len(), 2, "{:?}", kctl[2]);
    // Every quota, with nothing named: the union of them all.
    let all = describe(&broker, &[]);
    let union: Described = kctl[..4].iter().flat_map(|d| d.clone()).collect();
    assert_eq!(all, union);
    assert_eq!(all.len(), 7);

    // A dry run and a quota Kafka does not know change nothing.
    let dry = alter(
        &broker,
        &[
            "--user",
            "alice",
            "--set",
            "producer_byte_rate=1",
            "--dry-run",
        ],
    );
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["changes"][0]["old_value"], 1048576.0);
    broker
        .kctl()
        .args(["quotas", "alter", "--user", "alice"])
        .args(["--set", "producer_byte_rate=1", "--set", "no_such_quota=1"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "Invalid configuration key no_such_quota",
        ));
    assert_eq!(describe(&broker, &[]), all);

    // Old -> new, as Apache's tool then describes it.
    let changed = alter(
        &broker,
        &[
            "--user",
            "alice",
            "--set",
            "producer_byte_rate=512",
            "--delete",
            "consumer_byte_rate",
        ],
    );
    assert_eq!(changed["changes"][0]["old_value"], 1048576.0);
    assert_eq!(changed["changes"][1]["action"], "delete");
    assert_eq!(changed["changes"][1]["old_value"], 2097152.0);
    assert_eq!(changed["changes"][1]["new_value"], Value::Null);

    // delete asks first: refused without a terminal, then done with --yes.
    broker
        .kctl()
        .args(["quotas", "delete", "--default-ip"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "refusing to delete every quota of the default ip",
        ));
    let deleted = broker.json(&["quotas", "delete", "--default-ip", "--yes"]);
    assert_eq!(deleted["deleted"]["connection_creation_rate"], 100.0);
    broker
        .kctl()
        .args(["quotas", "delete", "--default-ip", "--yes"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "the default ip has no quotas; nothing was deleted",
        ));
    let out = tools(&[
        (CONFIG_COMMAND, describe_args(&["ips"])),
        (CONFIG_COMMAND, describe_args(&["users"])),
    ]);
    assert_eq!(
        describe(&broker, &["--type", "ip"]),
        parse_config_command(&out[0])
    );
    let users = parse_config_command(&out[1]);
    assert_eq!(
        users["user=alice"],
        BTreeMap::from([("producer_byte_rate".to_string(), 512.0)])
    );
}
