//! The cluster-wide default of all brokers' dynamic configs: `kctl brokers describe --default`
//! and `brokers alter --default` (kctl's own DescribeConfigs and IncrementalAlterConfigs,
//! librdkafka cannot address it) side by side with Apache's kafka-configs --entity-type
//! brokers --entity-default (ConfigCommand) on the same broker; over SASL and TLS on the
//! secured broker, where a principal without the cluster's config ACLs is refused.
//!
//! A default changes every broker of the cluster, so the altering test has a broker of its
//! own; on the shared secured broker only a config no other test reads is changed, and
//! deleted again.

use crate::admin_configs::{
    assert_same_configs, parse_config_command, ApacheConfig, CONFIG_COMMAND,
};
use crate::common;

use common::apache::tool;
use common::secure::{Run, SecureKafka, ADMIN, ALICE};
use common::Broker;
use serde_json::{json, Value};

/// kafka-configs --describe of the cluster-wide broker default.
fn apache_default(b: &Broker) -> std::collections::BTreeMap<String, ApacheConfig> {
    parse_config_command(&tool(
        CONFIG_COMMAND,
        &[
            "--bootstrap-server",
            &b.addr,
            "--describe",
            "--entity-type",
            "brokers",
            "--entity-default",
        ],
    ))
}

/// One config row of a `brokers describe` answer.
fn row<'a>(described: &'a Value, name: &str) -> &'a Value {
    described["configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {described}"))
}

fn kctl_text(b: &Broker, args: &[&str]) -> String {
    let out = b.kctl().args(args).output().unwrap();
    assert!(out.status.success(), "kctl {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_default_is_what_kafka_configs_says_and_changes_as_it_sees() {
    let b = Broker::private();
    let id = b.json(&["cluster", "describe"])["brokers"][0]["id"].to_string();
    let config = "log.cleaner.threads";
    let built_in = row(
        &b.json(&["brokers", "describe", &id, "--all-configs"]),
        config,
    )["value"]
        .as_str()
        .unwrap()
        .to_string();

    // What is set at the default is what kafka-configs lists.
    let described = b.json(&["brokers", "describe", "--default"]);
    assert_eq!(described["broker"], Value::Null);
    assert_eq!(described["default"], true);
    assert_same_configs("default", &described["configs"], &apache_default(&b));

    // A dry run changes nothing.
    let set = format!("{config}=2");
    let dry = b.json(&["brokers", "alter", "--default", "--set", &set, "--dry-run"]);
    let expected_changes = json!([{"config": config, "action": "set",
        "old_value": built_in, "old_source": "default_config",
        "new_value": "2", "new_source": "dynamic_default_broker_config", "sensitive": false}]);
    assert_eq!(
        dry,
        json!({"dry_run": true, "broker": null, "default": true, "changes": expected_changes})
    );
    assert!(!apache_default(&b).contains_key(config));

    // Set: kafka-configs sees it at the default, and the broker inherits it from there.
    let altered = b.json(&["brokers", "alter", "--default", "--set", &set]);
    assert_eq!(altered["dry_run"], false);
    assert_eq!(altered["changes"], expected_changes);
    let apache = apache_default(&b);
    assert_eq!(
        apache[config],
        ApacheConfig {
            value: "2".into(),
            sensitive: false,
            source: Some("DYNAMIC_DEFAULT_BROKER_CONFIG".into())
        }
    );
    assert_same_configs(
        "default after set",
        &b.json(&["brokers", "describe", "--default"])["configs"],
        &apache,
    );
    let on_broker = b.json(&["brokers", "describe", &id, "--all-configs"]);
    assert_eq!(row(&on_broker, config)["value"], "2");
    assert_eq!(
        row(&on_broker, config)["source"],
        "dynamic_default_broker_config"
    );
    let table = kctl_text(&b, &["brokers", "describe", &id, "--all-configs"]);
    let line = table.lines().find(|l| l.starts_with(config)).unwrap();
    assert_eq!(
        line.split_whitespace().collect::<Vec<_>>(),
        [config, "2", "broker-default", "-"]
    );

    // The broker's own setting wins on the broker, but is not the default's.
    b.kctl()
        .args(["brokers", "alter", &id, "--set", &format!("{config}=3")])
        .assert()
        .success();
    let all_default = b.json(&["brokers", "describe", "--default", "--all-configs"]);
    assert_eq!(row(&all_default, config)["value"], "2");
    assert_eq!(
        row(&all_default, config)["source"],
        "dynamic_default_broker_config"
    );
    b.kctl()
        .args(["brokers", "alter", &id, "--delete", config])
        .assert()
        .success();

    // Delete: the default is gone, the built-in default is back.
    assert_eq!(
        kctl_text(&b, &["brokers", "alter", "--default", "--delete", config]),
        format!(
            "altered the cluster-wide broker default (1 config):\n  {config} 2 (broker-default) -> {built_in} (default)\n"
        )
    );
    assert!(!apache_default(&b).contains_key(config));
    let on_broker = b.json(&["brokers", "describe", &id, "--all-configs"]);
    assert_eq!(row(&on_broker, config)["source"], "default_config");

    // What kafka-configs sets at the default, kctl reads, and deletes.
    tool(
        CONFIG_COMMAND,
        &[
            "--bootstrap-server",
            &b.addr,
            "--alter",
            "--entity-type",
            "brokers",
            "--entity-default",
            "--add-config",
            "log.cleaner.backoff.ms=20000",
        ],
    );
    let described = b.json(&["brokers", "describe", "--default"]);
    assert_eq!(row(&described, "log.cleaner.backoff.ms")["value"], "20000");
    assert_same_configs(
        "default set by kafka-configs",
        &described["configs"],
        &apache_default(&b),
    );
    let deleted = b.json(&[
        "brokers",
        "alter",
        "--default",
        "--delete",
        "log.cleaner.backoff.ms",
    ]);
    assert_eq!(
        deleted["changes"][0]["old_source"],
        "dynamic_default_broker_config"
    );
    assert_eq!(deleted["changes"][0]["new_source"], "default_config");
    assert!(!apache_default(&b).contains_key("log.cleaner.backoff.ms"));

    // The table of what is set at the default.
    let text = kctl_text(&b, &["brokers", "describe", "--default"]);
    assert!(
        text.starts_with("Dynamic configs set as the cluster-wide default of all brokers:\n"),
        "{text}"
    );
}

/// The run's stdout as JSON.
fn json_of(run: &Run) -> Value {
    assert_eq!(run.code, Some(0), "{run:#?}");
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run:#?}"))
}

/// Over SASL (and TLS) the admin reads and changes the default; alice, without the cluster's
/// config ACLs, is refused as kctl words refusals, and nothing changes.
#[test]
fn over_sasl_the_admin_may_and_alice_is_refused() {
    let sk = SecureKafka::shared();
    // A config no other test reads; deleted again at the end.
    let config = "log.cleaner.io.buffer.load.factor";
    for mechanism in ["SCRAM-SHA-512", "PLAIN"] {
        let run = Run::of(
            sk.sasl(mechanism, ADMIN)
                .args(["-o", "json", "brokers", "describe", "--default"]),
            None,
        );
        assert_eq!(json_of(&run)["default"], true, "{mechanism}");
        run.assert_no_secret(&[]);
    }
    let admin = || sk.sasl_on(&sk.sasl_ssl, "SCRAM-SHA-256", ADMIN);
    let dry = Run::of(
        admin().args([
            "-o",
            "json",
            "brokers",
            "alter",
            "--default",
            "--set",
            &format!("{config}=0.8"),
            "--dry-run",
        ]),
        None,
    );
    assert_eq!(json_of(&dry)["changes"][0]["new_value"], "0.8");
    let set = Run::of(
        admin().args([
            "-o",
            "json",
            "brokers",
            "alter",
            "--default",
            "--set",
            &format!("{config}=0.8"),
        ]),
        None,
    );
    assert_eq!(
        json_of(&set)["changes"][0]["new_source"],
        "dynamic_default_broker_config"
    );

    // alice may not read nor change it.
    let refusals = [
        vec!["brokers", "describe", "--default"],
        vec!["brokers", "alter", "--default", "--delete", config],
        vec![
            "brokers",
            "alter",
            "--default",
            "--set",
            "log.cleaner.backoff.ms=20000",
            "--dry-run",
        ],
    ];
    for args in &refusals {
        let run = Run::of(sk.sasl("SCRAM-SHA-512", ALICE).args(args), None);
        assert_eq!(run.code, Some(1), "{args:?}: {run:#?}");
        assert!(
            run.error().contains("configs of the cluster as User:alice"),
            "{args:?}: {run:#?}"
        );
        assert!(run.stdout.is_empty(), "{args:?}: {run:#?}");
        run.assert_no_secret(&[]);
    }

    let delete = Run::of(
        admin().args([
            "-o",
            "json",
            "brokers",
            "alter",
            "--default",
            "--delete",
            config,
        ]),
        None,
    );
    let deleted = json_of(&delete);
    assert_eq!(deleted["changes"][0]["old_value"], "0.8");
    let after = Run::of(
        sk.sasl("SCRAM-SHA-512", ADMIN)
            .args(["-o", "json", "brokers", "describe", "--default"]),
        None,
    );
    assert!(!json_of(&after).to_string().contains(config));
}

/// On three brokers the default is every broker's: set through one, each broker inherits it
/// (as kafka-configs describes each), and deleting it reverts them all.
#[test]
fn the_default_is_every_brokers_on_three_brokers() {
    let b = Broker::private_with(&["--brokers", "3"]);
    let ids: Vec<String> = b.json(&["cluster", "describe"])["brokers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].to_string())
        .collect();
    assert_eq!(ids.len(), 3);
    let config = "log.cleaner.backoff.ms";
    b.kctl()
        .args([
            "brokers",
            "alter",
            "--default",
            "--set",
            &format!("{config}=25000"),
        ])
        .assert()
        .success();
    let source_on = |id: &str| {
        // Each broker applies the change from the metadata log a moment after the controller.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let all = b.json(&["brokers", "describe", id, "--all-configs"]);
            let r = row(&all, config).clone();
            if r["source"] != "default_config" || std::time::Instant::now() > deadline {
                return (r["value"].clone(), r["source"].clone());
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    };
    for id in &ids {
        assert_eq!(
            source_on(id),
            (json!("25000"), json!("dynamic_default_broker_config")),
            "broker {id}"
        );
        let apache = parse_config_command(&tool(
            CONFIG_COMMAND,
            &[
                "--bootstrap-server",
                &b.addr,
                "--describe",
                "--entity-type",
                "brokers",
                "--entity-name",
                id,
                "--all",
            ],
        ));
        assert_eq!(
            apache[config].source.as_deref(),
            Some("DYNAMIC_DEFAULT_BROKER_CONFIG"),
            "broker {id}"
        );
    }
    assert_same_configs(
        "default on three brokers",
        &b.json(&["brokers", "describe", "--default"])["configs"],
        &apache_default(&b),
    );
    b.kctl()
        .args(["brokers", "alter", "--default", "--delete", config])
        .assert()
        .success();
    assert!(!apache_default(&b).contains_key(config));
}
