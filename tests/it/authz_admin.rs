//! The admin commands refused for lack of permission (issue 13), against the secured Kafka
//! (`SecureKafka::shared`): as alice (SCRAM; ACLs on `alice-*` topics only, none on the
//! cluster) and bob (no ACL at all), each refusal is fast, exit 1, one `error:` line
//! "not authorized to OPERATION RESOURCE as User:NAME" with the `kafka-acls` hint, and changes
//! nothing; sizes on disk refused are a warning in the same words (exit 0).

use std::time::Duration;

use serde_json::Value;

use crate::common;
use common::secure::{Run, SecureKafka, User, ALICE, BOB};

/// How long a refusal may take, with `--timeout 10s`: well under the bound.
const FAST: Duration = Duration::from_secs(5);

/// The variable `users create` reads the new user's password from.
const NEW_PASSWORD_ENV: &str = "KCTL_TEST_NEW_PASSWORD";
/// The password `users create` is given (it must never show).
const NEW_PASSWORD: &str = "never-set-pw-Qe42uJ";

/// One refused command: who runs it, its arguments, and the refusal's words and ACL.
struct Row {
    user: User,
    args: Vec<String>,
    /// "alter configs of topic 'T'": what follows "not authorized to".
    refused: String,
    /// The hint's `--operation` and resource arguments: "AlterConfigs --topic 'T'".
    acl: String,
}

fn row(user: User, args: &[&str], refused: &str, acl: &str) -> Row {
    Row {
        user,
        args: args.iter().map(|a| a.to_string()).collect(),
        refused: refused.to_string(),
        acl: acl.to_string(),
    }
}

/// The rows for `topic` (an `alice-*` topic: alice may describe, read and write it), broker
/// `id`, and a principal and a user that exist nowhere.
fn rows(topic: &str, id: &str, principal: &str, user: &str) -> Vec<Row> {
    let on_topic = |op: &str| format!("{op} --topic '{topic}'");
    let t = format!("topic '{topic}'");
    let create_acl = [
        "acls",
        "create",
        "--allow",
        "--principal",
        principal,
        "--operation",
        "read",
        "--topic",
        topic,
    ];
    let create_user = [
        "users",
        "create",
        user,
        "--mechanism",
        "SCRAM-SHA-256",
        "--password-env",
        NEW_PASSWORD_ENV,
    ];
    let mut rows = vec![
        // Topics: alice may describe the topic, not its configs; bob not even the topic.
        row(
            ALICE,
            &["topics", "alter", topic, "--set", "retention.ms=1000"],
            &format!("alter configs of {t}"),
            &on_topic("AlterConfigs"),
        ),
        row(
            BOB,
            &["topics", "alter", topic, "--set", "retention.ms=1000"],
            &format!("describe {t}"),
            &on_topic("Describe"),
        ),
        row(
            ALICE,
            &["topics", "configs", topic],
            &format!("describe configs of {t}"),
            &on_topic("DescribeConfigs"),
        ),
        row(
            ALICE,
            &["topics", "describe", topic, "--all-configs"],
            &format!("describe configs of {t}"),
            &on_topic("DescribeConfigs"),
        ),
        row(
            BOB,
            &["topics", "configs", topic],
            &format!("describe {t}"),
            &on_topic("Describe"),
        ),
        // Producer states take READ on the topic (alice's); bob may not even describe it.
        row(
            BOB,
            &["transactions", "producers", topic],
            &format!("describe {t}"),
            &on_topic("Describe"),
        ),
        // Elections take ALTER on the cluster.
        row(
            ALICE,
            &["partitions", "elect-leaders", "--topic", topic],
            "alter the cluster",
            "Alter --cluster",
        ),
        // Reassignments in progress are the cluster's to describe.
        row(
            ALICE,
            &["partitions", "reassign", "--status"],
            "describe the cluster",
            "Describe --cluster",
        ),
    ];
    for who in [ALICE, BOB] {
        rows.extend([
            row(
                who,
                &["topics", "add-partitions", topic, "--to", "3"],
                &format!("alter {t}"),
                &on_topic("Alter"),
            ),
            // Broker configs, ACLs and SCRAM users are the cluster's.
            row(
                who,
                &["brokers", "describe", id],
                "describe configs of the cluster",
                "DescribeConfigs --cluster",
            ),
            row(
                who,
                &[
                    "brokers",
                    "alter",
                    id,
                    "--set",
                    "log.cleaner.backoff.ms=20000",
                ],
                "alter configs of the cluster",
                "AlterConfigs --cluster",
            ),
            row(
                who,
                &["brokers", "describe", "--default"],
                "describe configs of the cluster",
                "DescribeConfigs --cluster",
            ),
            row(
                who,
                &[
                    "brokers",
                    "alter",
                    "--default",
                    "--set",
                    "log.cleaner.backoff.ms=20000",
                ],
                "alter configs of the cluster",
                "AlterConfigs --cluster",
            ),
            row(
                who,
                &["acls", "list"],
                "describe the cluster",
                "Describe --cluster",
            ),
            row(who, &create_acl, "alter the cluster", "Alter --cluster"),
            row(
                who,
                &["acls", "delete", "--principal", principal, "--yes"],
                "alter the cluster",
                "Alter --cluster",
            ),
            row(
                who,
                &["users", "list"],
                "describe the cluster",
                "Describe --cluster",
            ),
            row(who, &create_user, "alter the cluster", "Alter --cluster"),
            // Quotas are the cluster's configs; the quorum is the cluster's.
            row(
                who,
                &["quotas", "describe"],
                "describe configs of the cluster",
                "DescribeConfigs --cluster",
            ),
            row(
                who,
                &[
                    "quotas",
                    "alter",
                    "--user",
                    "x",
                    "--set",
                    "producer_byte_rate=1024",
                ],
                "describe configs of the cluster",
                "DescribeConfigs --cluster",
            ),
            row(
                who,
                &["cluster", "quorum"],
                "describe the cluster",
                "Describe --cluster",
            ),
            row(
                who,
                &["users", "delete", user, "--yes"],
                "alter the cluster",
                "Alter --cluster",
            ),
        ]);
    }
    rows
}

fn admin_json(kafka: &SecureKafka, args: &[&str]) -> Value {
    let run = Run::of(kafka.admin().args(["-o", "json"]).args(args), None);
    assert_eq!(run.code, Some(0), "{args:?}: {run:#?}");
    serde_json::from_str(&run.stdout).unwrap()
}

#[test]
fn admin_commands_without_permission_are_refused_by_name_and_change_nothing() {
    let kafka = SecureKafka::shared();
    let topic = kafka.topic("alice-authz");
    let id = admin_json(kafka, &["cluster", "describe"])["brokers"][0]["id"].to_string();
    let principal = format!("User:{}", common::unique("kctl-authz-nobody"));
    let user = common::unique("kctl-authz-never");
    for row in rows(&topic, &id, &principal, &user) {
        let what = format!("{} {}", row.user.name, row.args.join(" "));
        let run = Run::of(
            kafka
                .sasl("SCRAM-SHA-512", row.user)
                .env(NEW_PASSWORD_ENV, NEW_PASSWORD)
                .args(&row.args),
            None,
        );
        assert_eq!(run.code, Some(1), "{what}: {run:#?}");
        assert!(run.elapsed < FAST, "{what}: took {:?}", run.elapsed);
        let who = format!("User:{}", row.user.name);
        assert_eq!(
            run.error(),
            format!("error: not authorized to {} as {who}", row.refused),
            "{what}: {run:#?}"
        );
        let hint = format!(
            "hint: an administrator can allow it: kafka-acls --bootstrap-server ... --add \
             --allow-principal {who} --operation {}",
            row.acl
        );
        assert!(run.stderr.contains(&hint), "{what}: {hint:?} in {run:#?}");
        assert!(run.stdout.is_empty(), "{what}: {run:#?}");
        run.assert_no_secret(&[NEW_PASSWORD]);
    }

    // Creating and deleting a topic say their refusal once, not "cannot create topic 'T':
    // not authorized to create topic 'T' ...".
    let new = common::unique("alice-authz-new");
    let once: [(Vec<&str>, String); 2] = [
        (
            vec!["topics", "create", &new],
            format!("create topic '{new}'"),
        ),
        (
            vec!["topics", "delete", &topic, "--yes"],
            format!("delete topic '{topic}'"),
        ),
    ];
    for (args, refused) in once {
        let run = Run::of(kafka.sasl("SCRAM-SHA-512", ALICE).args(&args), None);
        assert_eq!(run.code, Some(1), "{args:?}: {run:#?}");
        assert_eq!(
            run.error(),
            format!("error: not authorized to {refused} as User:alice"),
            "{args:?}: {run:#?}"
        );
    }

    // Nothing changed.
    let described = admin_json(kafka, &["topics", "describe", &topic]);
    assert_eq!(described["topics"][0]["partition_count"], 1);
    let run = Run::of(kafka.admin().args(["topics", "describe", &new]), None);
    assert_eq!(run.code, Some(1), "the topic was created: {run:#?}");
    // Only what the brokers set: no refused change reached the topic.
    assert!(
        described["topics"][0]["configs"]
            .as_object()
            .unwrap()
            .keys()
            .all(|k| k == "min.insync.replicas"),
        "{described}"
    );
    let acls = admin_json(kafka, &["acls", "list", "--principal", &principal]);
    assert_eq!(acls["acls"], serde_json::json!([]), "{acls}");
    let run = Run::of(kafka.admin().args(["users", "list", &user]), None);
    assert_eq!(run.code, Some(1), "the user was created: {run:#?}");
    let broker = admin_json(kafka, &["brokers", "describe", &id]);
    let set =
        broker["configs"].as_array().unwrap().iter().any(|c| {
            c["name"] == "log.cleaner.backoff.ms" && c["source"] == "dynamic_broker_config"
        });
    assert!(!set, "the broker config was set: {broker}");
}

/// Sizes on disk are extra facts: refused DescribeLogDirs (Describe on the cluster) is a
/// warning in the words of every refusal, and the listing prints (exit 0).
#[test]
fn refused_sizes_are_a_warning_naming_the_refusal() {
    let kafka = SecureKafka::shared();
    let topic = kafka.topic("alice-authz-sizes");
    for user in [ALICE, BOB] {
        let run = Run::of(
            kafka
                .sasl("SCRAM-SHA-256", user)
                .args(["topics", "list", "--size"]),
            None,
        );
        assert_eq!(run.code, Some(0), "{run:#?}");
        assert!(run.elapsed < FAST, "took {:?}", run.elapsed);
        assert!(run.errors().is_empty(), "{run:#?}");
        let warning = format!(
            ": not authorized to describe the cluster as User:{} (DescribeLogDirs at ",
            user.name
        );
        let warned = run
            .stderr
            .lines()
            .any(|l| l.starts_with("warning: sizes are unknown") && l.contains(&warning));
        assert!(warned, "{warning:?} in {run:#?}");
        assert_eq!(
            run.stdout.contains(&topic),
            user.name == ALICE.name,
            "{run:#?}"
        );
        run.assert_no_secret(&[]);
    }
}

/// `cluster describe` asks for no permission: Kafka's DescribeCluster (and metadata) takes
/// none, so even bob, without any ACL, sees the brokers.
#[test]
fn cluster_describe_takes_no_permission() {
    let kafka = SecureKafka::shared();
    let run = Run::of(
        kafka
            .sasl("SCRAM-SHA-256", BOB)
            .args(["-o", "json", "cluster", "describe"]),
        None,
    );
    assert_eq!(run.code, Some(0), "{run:#?}");
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(!v["brokers"].as_array().unwrap().is_empty(), "{v}");
    run.assert_no_secret(&[]);
}
