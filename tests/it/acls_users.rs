//! `kctl acls` and `kctl users` against the secured Apache Kafka (`SecureKafka::shared`),
//! compared with Apache's own tools on the same broker: `kafka-acls --list` (AclCommand) and
//! `kafka-configs --describe --entity-type users` (ConfigCommand).
//!
//! Every test makes users, topics and ACLs of its own (`common::unique` names): the ACLs of
//! alice, bob and carol, which the security tests rely on, are never touched.

use crate::common;
use crate::prompt::pty;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use common::apache::tool;
use common::secure::{Run, SecureKafka, ACL_COMMAND};
use serde_json::{json, Value};

/// kafka-configs.sh in Kafka 4.x.
const CONFIG_COMMAND: &str = "org.apache.kafka.tools.ConfigCommand";
/// The variable the new users' passwords are passed in.
const NEW_PASSWORD_ENV: &str = "KCTL_TEST_NEW_PASSWORD";

fn kafka() -> &'static SecureKafka {
    SecureKafka::shared()
}

/// A password of its own for each user made here (a secret none of the output may hold).
fn new_password() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("Npw{}q{nanos}Z", std::process::id())
}

/// `kctl ARGS` as the super user, asserting success; the JSON it printed.
fn admin_json(args: &[&str]) -> Value {
    let run = Run::of(kafka().admin().args(["-o", "json"]).args(args), None);
    assert_eq!(run.code, Some(0), "kctl {args:?}: {run:#?}");
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {run:#?}"))
}

/// kctl logging in as `user` with `password` over SASL (SCRAM-SHA-512 unless said).
fn login(user: &str, password: &str, mechanism: &str) -> Command {
    let k = kafka();
    let mut cmd = k.kctl(&k.sasl);
    cmd.env(NEW_PASSWORD_ENV, password).args([
        "--sasl-mechanism",
        mechanism,
        "--sasl-username",
        user,
        "--sasl-password-env",
        NEW_PASSWORD_ENV,
    ]);
    cmd
}

/// Retries `check` until it passes or 30 s are over (the broker applies new users and ACLs
/// from its metadata log, a moment after it answered).
fn eventually(what: &str, mut check: impl FnMut() -> Result<(), String>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match check() {
            Ok(()) => return,
            Err(e) if Instant::now() > deadline => panic!("{what} within 30 s: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(250)),
        }
    }
}

/// `kctl users create NAME --mechanism M --password-env ...` as the super user.
fn create_user(name: &str, password: &str, mechanism: &str) -> Value {
    let run = Run::of(
        kafka()
            .admin()
            .env(NEW_PASSWORD_ENV, password)
            .args(["-o", "json", "users", "create", name, "--mechanism"])
            .args([mechanism, "--password-env", NEW_PASSWORD_ENV]),
        None,
    );
    assert_eq!(run.code, Some(0), "{run:#?}");
    run.assert_no_secret(&[password]);
    serde_json::from_str(&run.stdout).unwrap()
}

/// Waits until `user` can log in (any command that reaches the broker will do).
fn wait_for_login(user: &str, password: &str, mechanism: &str) {
    eventually(&format!("{user} logs in"), || {
        let run = Run::of(
            login(user, password, mechanism).args(["topics", "list"]),
            None,
        );
        run.assert_no_secret(&[password]);
        (run.code == Some(0)).then_some(()).ok_or(run.stderr)
    });
}

/// The SCRAM credentials of `user` as kafka-configs describes them, sorted:
/// `SCRAM-SHA-256=iterations=4096, ...`, or `None` when it prints none.
fn apache_scram(user: &str) -> Option<String> {
    apache_scram_unsorted(user).map(|s| {
        let mut parts: Vec<&str> = s.split(", ").collect();
        parts.sort_unstable();
        parts.join(", ")
    })
}

fn apache_scram_unsorted(user: &str) -> Option<String> {
    let k = kafka();
    let config = k.file("admin.properties");
    let out = tool(
        CONFIG_COMMAND,
        &[
            "--bootstrap-server",
            &k.sasl,
            "--command-config",
            &config,
            "--describe",
            "--entity-type",
            "users",
            "--entity-name",
            user,
        ],
    );
    let prefix = format!("SCRAM credential configs for user-principal '{user}' are ");
    out.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|s| s.trim().to_string())
}

/// One ACL as (principal, host, operation, permission, resource type, name, pattern), in
/// Kafka's names.
type AclRow = (String, String, String, String, String, String, String);

/// The ACLs `kafka-acls --list ARGS` prints.
fn apache_acls(args: &[&str]) -> BTreeSet<AclRow> {
    let k = kafka();
    let config = k.file("admin.properties");
    let mut all = vec![
        "--bootstrap-server",
        &k.sasl,
        "--command-config",
        &config,
        "--list",
    ];
    all.extend(args);
    let out = tool(ACL_COMMAND, &all);
    // Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=x, patternType=LITERAL)`:
    //  	(principal=User:u, host=*, operation=READ, permissionType=ALLOW)
    let field = |text: &str, key: &str| -> String {
        let start = text.find(&format!("{key}=")).expect(key) + key.len() + 1;
        let end = text[start..]
            .find([',', ')'])
            .map_or(text.len(), |e| start + e);
        text[start..end].to_string()
    };
    let mut rows = BTreeSet::new();
    let mut resource = None;
    for line in out.lines() {
        if line.starts_with("Current ACLs for resource") {
            resource = Some((
                field(line, "resourceType"),
                field(line, "name"),
                field(line, "patternType"),
            ));
        } else if line.trim_start().starts_with("(principal=") {
            let (kind, name, pattern) = resource.clone().expect("a resource line first");
            rows.insert((
                field(line, "principal"),
                field(line, "host"),
                field(line, "operation"),
                field(line, "permissionType"),
                kind,
                name,
                pattern,
            ));
        }
    }
    rows
}

/// The rows of kctl's ACL table (`acls list` without -o json).
fn kctl_acl_table(args: &[&str]) -> BTreeSet<AclRow> {
    let run = Run::of(kafka().admin().args(["acls", "list"]).args(args), None);
    assert_eq!(run.code, Some(0), "{run:#?}");
    common::apache::table(&run.stdout)
        .into_iter()
        .map(|r| {
            (
                r["PRINCIPAL"].clone(),
                r["HOST"].clone(),
                r["OPERATION"].clone(),
                r["PERMISSION"].clone(),
                r["RESOURCE-TYPE"].clone(),
                r["RESOURCE-NAME"].clone(),
                r["PATTERN"].clone(),
            )
        })
        .collect()
}

/// The ACLs of `principal`, as `acls list -o json` prints them.
fn acls_of(principal: &str) -> Vec<Value> {
    admin_json(&["acls", "list", "--principal", principal])["acls"]
        .as_array()
        .expect("acls")
        .clone()
}

/// Reads the one message of `topic` as `user`; the run.
fn read_as(user: &str, password: &str, topic: &str) -> Run {
    let run = Run::of(
        login(user, password, "SCRAM-SHA-512").args(["consume", topic, "--from-beginning", "-e"]),
        None,
    );
    run.assert_no_secret(&[password]);
    run
}

#[test]
fn a_user_made_by_kctl_is_refused_a_topic_until_kctl_grants_it() {
    let k = kafka();
    let user = common::unique("kctl-acl-user");
    let principal = format!("User:{user}");
    let password = new_password();
    create_user(&user, &password, "SCRAM-SHA-512");
    let topic = k.topic("kctl-acl");
    k.fill(&topic, "granted\n");
    wait_for_login(&user, &password, "SCRAM-SHA-512");

    // No ACL: refused.
    let refused = read_as(&user, &password, &topic);
    assert_eq!(refused.code, Some(1), "{refused:#?}");
    assert_eq!(refused.stdout, "");

    // A dry run prints the ACLs and changes nothing.
    let grant = [
        "acls",
        "create",
        "--allow",
        "--principal",
        &principal,
        "--operation",
        "Read",
        "--operation",
        "DESCRIBE",
        "--topic",
        &topic,
    ];
    let mut dry = grant.to_vec();
    dry.push("--dry-run");
    let planned = admin_json(&dry);
    assert_eq!(planned["dry_run"], true);
    let expected = json!([
        {"principal": principal, "host": "*", "operation": "read", "permission": "allow",
         "resource_type": "topic", "resource_name": topic, "pattern": "literal"},
        {"principal": principal, "host": "*", "operation": "describe", "permission": "allow",
         "resource_type": "topic", "resource_name": topic, "pattern": "literal"},
    ]);
    assert_eq!(planned["acls"], expected);
    assert_eq!(acls_of(&principal), Vec::<Value>::new());

    // Created: kafka-acls lists the same, and the user reads the topic.
    let created = admin_json(&grant);
    assert_eq!(created, json!({"acls": expected, "dry_run": false}));
    assert_eq!(Value::from(acls_of(&principal)), expected);
    let apache = apache_acls(&["--principal", &principal]);
    assert_eq!(kctl_acl_table(&["--principal", &principal]), apache);
    assert_eq!(apache.len(), 2, "{apache:?}");
    assert!(apache.contains(&(
        principal.clone(),
        "*".into(),
        "READ".into(),
        "ALLOW".into(),
        "TOPIC".into(),
        topic.clone(),
        "LITERAL".into()
    )));
    eventually("the user reads the topic", || {
        let run = read_as(&user, &password, &topic);
        (run.code == Some(0) && run.stdout == "granted\n")
            .then_some(())
            .ok_or(format!("{run:#?}"))
    });

    // Deleted: refused again.
    let deleted = admin_json(&["acls", "delete", "--principal", &principal, "--yes"]);
    assert_eq!(deleted, json!({"deleted": expected}));
    assert_eq!(acls_of(&principal), Vec::<Value>::new());
    eventually("the user is refused again", || {
        let run = read_as(&user, &password, &topic);
        (run.code == Some(1))
            .then_some(())
            .ok_or(format!("{run:#?}"))
    });
}

#[test]
fn acls_round_trip_through_a_file_and_filters_match_kafka_acls() {
    let k = kafka();
    let principal = format!("User:{}", common::unique("kctl-acl-file"));
    let topic = common::unique("kctl-acl-file-topic");
    let prefix = format!("{topic}-");
    let group = common::unique("kctl-acl-file-group");
    let tx = common::unique("kctl-acl-tx");
    admin_json(&[
        "acls",
        "create",
        "--allow",
        "--principal",
        &principal,
        "--operation",
        "read,write,describe",
        "--topic",
        &topic,
        "--group",
        &group,
    ]);
    admin_json(&[
        "acls",
        "create",
        "--deny",
        "--principal",
        &principal,
        "--host",
        "10.0.0.9",
        "--operation",
        "idempotent-write",
        "--operation",
        "describe_configs",
        "--cluster",
        "--transactional-id",
        &tx,
    ]);
    admin_json(&[
        "acls",
        "create",
        "--allow",
        "--principal",
        &principal,
        "--operation",
        "describe",
        "--topic",
        &prefix,
        "--pattern",
        "prefixed",
    ]);
    let all = acls_of(&principal);
    assert_eq!(all.len(), 6 + 4 + 1, "{all:#?}");
    assert_eq!(
        kctl_acl_table(&["--principal", &principal]),
        apache_acls(&["--principal", &principal])
    );

    // Filters: a topic's literal ACLs (the default), its prefixed ones, and every ACL that
    // applies to a name (`match`), as kafka-acls --resource-pattern-type has them.
    let under = format!("{prefix}x");
    for (kctl, apache) in [
        (vec!["--topic", &topic], vec!["--topic", &topic]),
        (
            vec!["--topic", &prefix, "--pattern", "prefixed"],
            vec!["--topic", &prefix, "--resource-pattern-type", "prefixed"],
        ),
        (
            vec!["--topic", &under, "--pattern", "match"],
            vec!["--topic", &under, "--resource-pattern-type", "match"],
        ),
        (vec!["--cluster"], vec!["--cluster"]),
        (
            vec!["--transactional-id", &tx],
            vec!["--transactional-id", &tx],
        ),
    ] {
        let mut kctl = kctl.clone();
        kctl.extend(["--principal", &principal]);
        let mut apache = apache.clone();
        apache.extend(["--principal", &principal]);
        let ours = kctl_acl_table(&kctl);
        assert!(!ours.is_empty(), "{kctl:?}");
        assert_eq!(ours, apache_acls(&apache), "{kctl:?}");
    }

    // Without a resource, --pattern filters by pattern type alone (`match`: any).
    let prefixed = kctl_acl_table(&["--principal", &principal, "--pattern", "prefixed"]);
    assert_eq!(prefixed.len(), 1, "{prefixed:?}");
    let matched = kctl_acl_table(&["--principal", &principal, "--pattern", "match"]);
    assert_eq!(matched.len(), all.len(), "{matched:?}");
    let denied = kctl_acl_table(&[
        "--principal",
        &principal,
        "--deny",
        "--operation",
        "idempotent_write",
    ]);
    assert_eq!(denied.len(), 2, "{denied:?}");
    assert!(
        denied.iter().all(|a| a.3 == "DENY" && a.1 == "10.0.0.9"),
        "{denied:?}"
    );

    // The JSON of `acls list` is what `acls create --from-file` takes.
    let file = k.dir.join(common::unique("acls.json"));
    let listed = Run::of(
        k.admin()
            .args(["-o", "json", "acls", "list", "--principal", &principal]),
        None,
    );
    std::fs::write(&file, &listed.stdout).unwrap();
    let deleted = admin_json(&["acls", "delete", "--principal", &principal, "--yes"]);
    assert_eq!(deleted["deleted"], Value::from(all.clone()));
    assert_eq!(acls_of(&principal), Vec::<Value>::new());
    let file = file.display().to_string();
    let planned = admin_json(&["acls", "create", "--from-file", &file, "--dry-run"]);
    assert_eq!(planned["acls"], Value::from(all.clone()));
    assert_eq!(acls_of(&principal), Vec::<Value>::new());
    let created = admin_json(&["acls", "create", "--from-file", &file]);
    assert_eq!(created["acls"], Value::from(all.clone()));
    assert_eq!(acls_of(&principal), all);

    // Deleting asks; without a terminal and --yes it refuses and deletes nothing.
    let refused = Run::of(
        k.admin()
            .args(["acls", "delete", "--principal", &principal, "--cluster"]),
        None,
    );
    assert_eq!(refused.code, Some(2), "{refused:#?}");
    assert!(
        refused
            .error()
            .contains("refusing to delete 2 ACLs without confirmation"),
        "{refused:#?}"
    );
    // A filter that matches nothing deletes nothing; no filter at all is refused.
    let none = Run::of(
        k.admin().args([
            "acls",
            "delete",
            "--principal",
            &principal,
            "--group",
            &group,
            "--pattern",
            "prefixed",
            "--yes",
        ]),
        None,
    );
    assert_eq!(none.code, Some(1), "{none:#?}");
    assert!(
        none.error().contains("no ACL matches the filter"),
        "{none:#?}"
    );
    let everything = Run::of(k.admin().args(["acls", "delete", "--yes"]), None);
    assert_eq!(everything.code, Some(2), "{everything:#?}");
    assert!(everything.error().contains("--all deletes every ACL"));
    assert_eq!(acls_of(&principal), all);

    admin_json(&["acls", "delete", "--principal", &principal, "--yes"]);
    assert_eq!(acls_of(&principal), Vec::<Value>::new());
}

#[test]
fn users_are_created_listed_and_deleted_as_kafka_configs_sees_them() {
    let k = kafka();
    let user = common::unique("kctl-user");
    let password = new_password();

    // A dry run changes nothing.
    let dry = Run::of(
        k.admin()
            .env(NEW_PASSWORD_ENV, &password)
            .args(["-o", "json", "users", "create", &user, "--mechanism"])
            .args([
                "SCRAM-SHA-256",
                "--password-env",
                NEW_PASSWORD_ENV,
                "--dry-run",
            ]),
        None,
    );
    assert_eq!(dry.code, Some(0), "{dry:#?}");
    let dry: Value = serde_json::from_str(&dry.stdout).unwrap();
    assert_eq!(dry["dry_run"], true);
    let unknown = Run::of(k.admin().args(["users", "list", &user]), None);
    assert_eq!(unknown.code, Some(1), "{unknown:#?}");
    assert_eq!(
        unknown.error(),
        format!("error: no SCRAM credentials for user {user}")
    );
    assert_eq!(apache_scram(&user), None);

    // Both mechanisms, 8192 iterations.
    let created = Run::of(
        k.admin()
            .env(NEW_PASSWORD_ENV, &password)
            .args(["users", "create", &user, "--mechanism"])
            .args(["scram-sha-256,SCRAM-SHA-512", "--iterations", "8192"])
            .args(["--password-env", NEW_PASSWORD_ENV]),
        None,
    );
    assert_eq!(created.code, Some(0), "{created:#?}");
    created.assert_no_secret(&[&password]);
    assert_eq!(
        created.stdout,
        format!("created user \"{user}\": SCRAM-SHA-256, SCRAM-SHA-512 (8192 iterations)\n")
    );
    let listed = admin_json(&["users", "list", &user]);
    assert_eq!(
        listed,
        json!({"credentials": [
            {"user": user, "mechanism": "SCRAM-SHA-256", "iterations": 8192},
            {"user": user, "mechanism": "SCRAM-SHA-512", "iterations": 8192},
        ]})
    );
    assert_eq!(
        apache_scram(&user).as_deref(),
        Some("SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=8192")
    );
    let all = Run::of(k.admin().args(["users", "list"]), None);
    let rows = common::apache::table(&all.stdout);
    assert!(rows.iter().any(|r| r["USER"] == user
        && r["MECHANISM"] == "SCRAM-SHA-512"
        && r["ITERATIONS"] == "8192"));
    // The test setup's users are there too (made by kafka-storage at format time).
    assert!(rows.iter().any(|r| r["USER"] == "alice"), "{all:#?}");
    all.assert_no_secret(&[&password]);

    // The user logs in with either mechanism; a wrong password is refused.
    wait_for_login(&user, &password, "SCRAM-SHA-256");
    wait_for_login(&user, &password, "SCRAM-SHA-512");
    let wrong = Run::of(
        login(&user, "not-the-password", "SCRAM-SHA-512").args(["topics", "list"]),
        None,
    );
    assert_eq!(wrong.code, Some(1), "{wrong:#?}");

    // Again: refused without --update; with it (from a file) the new password holds.
    let again = Run::of(
        k.admin()
            .env(NEW_PASSWORD_ENV, &password)
            .args(["users", "create", &user, "--mechanism", "SCRAM-SHA-512"])
            .args(["--password-env", NEW_PASSWORD_ENV]),
        None,
    );
    assert_eq!(again.code, Some(1), "{again:#?}");
    assert!(
        again
            .error()
            .contains("already has a SCRAM-SHA-512 credential; nothing was changed"),
        "{again:#?}"
    );
    let newer = new_password() + "n";
    let file = k.secret_file(&newer);
    let updated = admin_json(&[
        "users",
        "create",
        &user,
        "--mechanism",
        "SCRAM-SHA-512",
        "--password-file",
        file.to_str().unwrap(),
        "--update",
    ]);
    assert_eq!(updated["status"], "updated");
    assert_eq!(updated["iterations"], 4096);
    wait_for_login(&user, &newer, "SCRAM-SHA-512");

    // No secret in the process list while the user's client runs.
    let mut consumer = common::kctl_command()
        .env(NEW_PASSWORD_ENV, &newer)
        .args(["-b", &k.sasl, "--sasl-mechanism", "SCRAM-SHA-512"])
        .args([
            "--sasl-username",
            &user,
            "--sasl-password-env",
            NEW_PASSWORD_ENV,
        ])
        .args(["topics", "list"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let ps = std::process::Command::new("ps")
        .args(["-eo", "args"])
        .output()
        .unwrap();
    let _ = consumer.wait();
    let ps = String::from_utf8_lossy(&ps.stdout);
    assert!(!ps.contains(&password) && !ps.contains(&newer));

    // Deleting asks; one mechanism, then the rest.
    let refused = Run::of(k.admin().args(["users", "delete", &user]), None);
    assert_eq!(refused.code, Some(2), "{refused:#?}");
    assert!(refused.error().contains(&format!(
        "refusing to delete the SCRAM-SHA-256 and SCRAM-SHA-512 credentials of user '{user}'"
    )));
    let one = admin_json(&[
        "users",
        "delete",
        &user,
        "--mechanism",
        "SCRAM-SHA-256",
        "--yes",
    ]);
    assert_eq!(one, json!({"user": user, "deleted": ["SCRAM-SHA-256"]}));
    assert_eq!(
        apache_scram(&user).as_deref(),
        Some("SCRAM-SHA-512=iterations=4096")
    );
    let gone = Run::of(
        k.admin().args([
            "users",
            "delete",
            &user,
            "--mechanism",
            "SCRAM-SHA-256",
            "--yes",
        ]),
        None,
    );
    assert_eq!(gone.code, Some(1), "{gone:#?}");
    assert!(gone
        .error()
        .contains("has no SCRAM-SHA-256 credential; nothing was deleted"));
    let rest = admin_json(&["users", "delete", &user, "--yes"]);
    assert_eq!(rest, json!({"user": user, "deleted": ["SCRAM-SHA-512"]}));
    assert_eq!(apache_scram(&user), None);
    eventually("the deleted user is refused", || {
        let run = Run::of(
            login(&user, &newer, "SCRAM-SHA-512").args(["topics", "list"]),
            None,
        );
        (run.code == Some(1))
            .then_some(())
            .ok_or(format!("{run:#?}"))
    });
}

#[test]
fn a_user_without_cluster_permissions_is_refused_with_a_hint() {
    // Listing, creating and deleting ACLs and SCRAM users all take rights on the cluster.
    // A user of its own, without any ACL (no other test may give it one).
    let user = common::unique("kctl-no-rights");
    let password = new_password();
    create_user(&user, &password, "SCRAM-SHA-512");
    wait_for_login(&user, &password, "SCRAM-SHA-512");
    let other = common::unique("kctl-never-made");
    let principal = format!("User:{other}");
    let describe = format!("not authorized to describe the cluster as User:{user}");
    let alter = format!("not authorized to alter the cluster as User:{user}");
    let attempts: [(&[&str], &str); 5] = [
        (&["acls", "list"], &describe),
        (
            &["acls", "delete", "--principal", &principal, "--yes"],
            &alter,
        ),
        (
            &[
                "acls",
                "create",
                "--allow",
                "--principal",
                &principal,
                "--operation",
                "read",
                "--topic",
                &other,
            ],
            &alter,
        ),
        (&["users", "list"], &describe),
        (
            &[
                "users",
                "create",
                &other,
                "--mechanism",
                "SCRAM-SHA-256",
                "--password-env",
                NEW_PASSWORD_ENV,
            ],
            &alter,
        ),
    ];
    for (args, refusal) in attempts {
        let run = Run::of(login(&user, &password, "SCRAM-SHA-512").args(args), None);
        assert_eq!(run.code, Some(1), "{args:?}: {run:#?}");
        assert_eq!(
            run.error(),
            format!("error: {refusal}"),
            "{args:?}: {run:#?}"
        );
        let operation = if *refusal == alter {
            "Alter"
        } else {
            "Describe"
        };
        assert!(
            run.stderr.contains(&format!(
                "hint: an administrator can allow it: kafka-acls --bootstrap-server ... --add \
                 --allow-principal User:{user} --operation {operation} --cluster"
            )),
            "{args:?}: {run:#?}"
        );
        run.assert_no_secret(&[&password]);
    }
    assert_eq!(acls_of(&principal), Vec::<Value>::new());
    let unknown = Run::of(kafka().admin().args(["users", "list", &other]), None);
    assert_eq!(unknown.code, Some(1), "{unknown:#?}");
}

#[test]
fn a_broker_without_an_authorizer_says_so() {
    let broker = common::Broker::start();
    let run = Run::of(broker.kctl().args(["acls", "list"]), None);
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert!(
        run.error().contains("security features are disabled"),
        "{run:#?}"
    );
    assert!(run.stderr.contains("authorizer.class.name"), "{run:#?}");
}

// ---------------------------------------------------------------------------------------------
// On a terminal: the ACL deletion question, the password prompt.

/// What kctl did on a terminal.
struct Terminal {
    code: Option<i32>,
    stdout: String,
    /// Everything the terminal showed.
    shown: String,
    /// Whether the terminal echoes typed keys again once kctl is gone.
    echo: bool,
}

/// kctl (as the super user) with `args` on a terminal: each time the terminal shows a text
/// of `script`, the keys beside it are typed.
fn on_terminal(args: &[&str], script: &[(&str, &str)]) -> Terminal {
    let (controller, terminal) = pty();
    let probe = terminal.try_clone().unwrap();
    let mut cmd = common::kctl_command();
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls between fork and exec. The terminal becomes the
    // child's controlling terminal (stdin, set up before this runs), so Ctrl-C there is a
    // SIGINT to it, as in a shell.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd
        .env("TERM", "xterm")
        .args(["-b", &kafka().plaintext])
        .args(args)
        .stdin(Stdio::from(terminal.try_clone().unwrap()))
        .stderr(Stdio::from(terminal))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut reader = controller.try_clone().unwrap();
    let sink = seen.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let text = || String::from_utf8_lossy(&seen.lock().unwrap()).into_owned();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut from = 0;
    for (wait_for, keys) in script {
        loop {
            let shown = text();
            if let Some(at) = shown[from.min(shown.len())..].find(wait_for) {
                from += at + wait_for.len();
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("the terminal never showed {wait_for:?}: {shown:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        (&controller).write_all(keys.as_bytes()).unwrap();
    }
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("kctl did not exit: {:?}", text());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    std::thread::sleep(Duration::from_millis(100));
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let mut termios = std::mem::MaybeUninit::<libc::termios>::uninit();
    use std::os::fd::AsRawFd;
    // SAFETY: `probe` is an open terminal; tcgetattr fills the struct on success.
    let echo = unsafe {
        assert_eq!(libc::tcgetattr(probe.as_raw_fd(), termios.as_mut_ptr()), 0);
        termios.assume_init().c_lflag & libc::ECHO != 0
    };
    Terminal {
        code: status.code(),
        stdout,
        shown: text(),
        echo,
    }
}

#[test]
fn deleting_acls_on_a_terminal_shows_them_and_defaults_to_no() {
    let principal = format!("User:{}", common::unique("kctl-acl-ask"));
    let topic = common::unique("kctl-acl-ask-topic");
    admin_json(&[
        "acls",
        "create",
        "--allow",
        "--principal",
        &principal,
        "--operation",
        "read",
        "--topic",
        &topic,
    ]);
    let delete = ["acls", "delete", "--principal", &principal];
    // Enter takes the default: No.
    let no = on_terminal(&delete, &[("This cannot be undone", "\r")]);
    assert_eq!(no.code, Some(1), "{:?}", no.shown);
    assert_eq!(no.stdout, "");
    assert!(no.shown.contains("PRINCIPAL"), "{:?}", no.shown);
    assert!(no.shown.contains(&topic), "{:?}", no.shown);
    assert!(no.shown.contains("Delete 1 ACL?"), "{:?}", no.shown);
    assert!(
        no.shown.contains("aborted: nothing was deleted"),
        "{:?}",
        no.shown
    );
    assert_eq!(acls_of(&principal).len(), 1);
    // y deletes.
    let yes = on_terminal(&delete, &[("This cannot be undone", "y")]);
    assert_eq!(yes.code, Some(0), "{:?}", yes.shown);
    assert!(
        yes.stdout.starts_with("deleted 1 ACL:\n"),
        "{:?}",
        yes.stdout
    );
    assert!(yes.stdout.contains(&topic), "{:?}", yes.stdout);
    assert_eq!(acls_of(&principal), Vec::<Value>::new());
}

#[test]
fn the_password_prompt_asks_twice_and_never_echoes() {
    let user = common::unique("kctl-prompted");
    let password = new_password();
    let typed = format!("{password}\n");
    let run = on_terminal(
        &["users", "create", &user, "--mechanism", "SCRAM-SHA-256"],
        &[
            ("Password for user", &typed),
            ("Repeat the password", "something else\n"),
            ("do not match", ""),
            ("Password for user", &typed),
            ("Repeat the password", &typed),
        ],
    );
    assert_eq!(run.code, Some(0), "{:?}", run.shown);
    assert!(
        !run.shown.contains(&password),
        "the password was echoed: {:?}",
        run.shown
    );
    assert!(run.echo, "the terminal was left without echo");
    assert_eq!(
        run.stdout,
        format!("created user \"{user}\": SCRAM-SHA-256 (4096 iterations)\n")
    );
    wait_for_login(&user, &password, "SCRAM-SHA-256");
    admin_json(&["users", "delete", &user, "--yes"]);
}

#[test]
fn ctrl_c_at_the_password_prompt_exits_130_creates_nothing_and_echoes_again() {
    let user = common::unique("kctl-interrupted");
    let run = on_terminal(
        &["users", "create", &user, "--mechanism", "SCRAM-SHA-256"],
        &[("Password for user", "half-typed\x03")],
    );
    assert_eq!(run.code, Some(130), "{:?}", run.shown);
    assert_eq!(run.stdout, "");
    assert!(
        run.echo,
        "the terminal was left without echo: {:?}",
        run.shown
    );
    let listed = Run::of(kafka().admin().args(["users", "list", &user]), None);
    assert_eq!(listed.code, Some(1), "{listed:#?}");
}

#[test]
fn acls_librdkafka_cannot_name_list_as_unknown_and_still_delete() {
    let k = kafka();
    let principal = format!("User:{}", common::unique("kctl-acl-tokens"));
    let owner = format!("User:{}", common::unique("kctl-acl-owner"));
    let config = k.file("admin.properties");
    // A delegation-token ACL on a user: neither the operation nor the resource type has a
    // librdkafka value.
    tool(
        ACL_COMMAND,
        &[
            "--bootstrap-server",
            &k.sasl,
            "--command-config",
            &config,
            "--add",
            "--allow-principal",
            &principal,
            "--operation",
            "CreateTokens",
            "--user-principal",
            &owner,
        ],
    );
    let listed = acls_of(&principal);
    assert_eq!(
        Value::from(listed.clone()),
        json!([{"principal": principal, "host": "*", "operation": "unknown",
                "permission": "allow", "resource_type": "unknown", "resource_name": owner,
                "pattern": "literal"}])
    );
    let deleted = admin_json(&["acls", "delete", "--principal", &principal, "--yes"]);
    assert_eq!(deleted["deleted"], Value::from(listed));
    assert_eq!(apache_acls(&["--principal", &principal]), BTreeSet::new());
}

/// `acls list -o json` of a principal with a USER ACL (made by kafka-acls: librdkafka cannot)
/// goes back in through `acls create --from-file`: the ACLs kctl can create are, the USER one
/// is skipped with a warning that says why.
#[test]
fn a_listing_with_a_user_acl_goes_back_in_through_a_file() {
    let k = kafka();
    let principal = format!("User:{}", common::unique("tokens"));
    let topic = common::unique("tok-topic");
    let config = k.file("admin.properties");
    tool(
        ACL_COMMAND,
        &[
            "--bootstrap-server",
            &k.sasl,
            "--command-config",
            &config,
            "--add",
            "--allow-principal",
            &principal,
            "--operation",
            "DescribeTokens",
            "--user-principal",
            "User:bob",
        ],
    );
    admin_json(&[
        "acls",
        "create",
        "--allow",
        "--principal",
        &principal,
        "--operation",
        "read",
        "--topic",
        &topic,
    ]);
    let listed = Run::of(
        k.admin()
            .args(["-o", "json", "acls", "list", "--principal", &principal]),
        None,
    );
    let json: Value = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(json["acls"].as_array().unwrap().len(), 2, "{json}");
    let file = k.dir.join(common::unique("acls.json"));
    std::fs::write(&file, &listed.stdout).unwrap();
    admin_json(&[
        "acls",
        "delete",
        "--principal",
        &principal,
        "--topic",
        &topic,
        "--yes",
    ]);
    let file = file.display().to_string();
    let created = Run::of(
        k.admin()
            .args(["-o", "json", "acls", "create", "--from-file", &file]),
        None,
    );
    assert_eq!(created.code, Some(0), "{created:#?}");
    let stderr = &created.stderr;
    assert!(stderr.contains("skipped 1 ACL of"), "{stderr}");
    let acls = acls_of(&principal);
    assert!(
        acls.iter().any(|a| a["resource_name"] == topic.as_str()),
        "{acls:?}"
    );
}
