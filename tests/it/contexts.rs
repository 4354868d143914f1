//! Contexts: the config file, `kctl config ...`, precedence (flags > environment > context >
//! defaults), malformed files, secrets never printed, and the permissions warning.

use crate::common;

use std::path::PathBuf;

use common::{kctl, Broker};
use predicates::prelude::*;

const CONFIG: &str = r#"# my clusters
current-context = "one"

[contexts.one]
brokers = "127.0.0.1:1"
output = "json"
timeout = "2s"

[contexts.two]
brokers = "127.0.0.1:2"   # the second one
timeout = "2s"

[contexts.secure]
brokers = "127.0.0.1:3"
timeout = "2s"
[contexts.secure.properties]
"client.id" = "me"
"ssl.keystore.password" = "prop-secret-Zq81"
[contexts.secure.tls]
key-password = "key-secret-Wv52"
[contexts.secure.sasl]
mechanism = "PLAIN"
username = "alice"
password = "sasl-secret-Hx93"
"#;

const SECRETS: &[&str] = &["prop-secret-Zq81", "key-secret-Wv52", "sasl-secret-Hx93"];

struct Cfg {
    dir: tempfile::TempDir,
}

impl Cfg {
    fn new(text: &str) -> Cfg {
        let dir = tempfile::tempdir().unwrap();
        let cfg = Cfg { dir };
        std::fs::write(cfg.path(), text).unwrap();
        cfg.chmod(0o600);
        cfg
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("config.toml")
    }

    fn chmod(&self, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(self.path(), std::fs::Permissions::from_mode(mode)).unwrap();
    }

    fn kctl(&self) -> assert_cmd::Command {
        let mut cmd = kctl();
        cmd.env("KCTL_CONFIG", self.path());
        cmd
    }
}

/// Runs a cluster command against unreachable brokers and returns which address it tried.
fn tried_brokers(mut cmd: assert_cmd::Command) -> String {
    let out = cmd.args(["topics", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let at = stderr
        .split("no Kafka broker answered at ")
        .nth(1)
        .or_else(|| stderr.split("no answer from the cluster at ").nth(1))
        .unwrap_or_else(|| panic!("unexpected error: {stderr}"));
    at.split([':', ' ']).take(2).collect::<Vec<_>>().join(":")
}

#[test]
fn precedence_is_flags_then_environment_then_context_then_defaults() {
    let cfg = Cfg::new(CONFIG);
    // The file's current-context.
    assert_eq!(tried_brokers(cfg.kctl()), "127.0.0.1:1");
    // KCTL_CONTEXT beats the file.
    let mut cmd = cfg.kctl();
    cmd.env("KCTL_CONTEXT", "two");
    assert_eq!(tried_brokers(cmd), "127.0.0.1:2");
    // --context beats KCTL_CONTEXT.
    let mut cmd = cfg.kctl();
    cmd.env("KCTL_CONTEXT", "two").args(["--context", "one"]);
    assert_eq!(tried_brokers(cmd), "127.0.0.1:1");
    // KCTL_BROKERS beats the context's brokers.
    let mut cmd = cfg.kctl();
    cmd.env("KCTL_BROKERS", "127.0.0.1:4");
    assert_eq!(tried_brokers(cmd), "127.0.0.1:4");
    // -b beats KCTL_BROKERS.
    let mut cmd = cfg.kctl();
    cmd.env("KCTL_BROKERS", "127.0.0.1:4")
        .args(["-b", "127.0.0.1:5"]);
    assert_eq!(tried_brokers(cmd), "127.0.0.1:5");

    // Output: the context's json applies unless -o says otherwise.
    let out = cfg.kctl().args(["config", "current"]).output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["current_context"], "one");
    assert_eq!(doc["source"], "config_file");
    cfg.kctl()
        .args(["-o", "table", "config", "current"])
        .assert()
        .success()
        .stdout("one\n");
    // Defaults: context two sets no output, so tables.
    cfg.kctl()
        .args(["--context", "two", "config", "current"])
        .assert()
        .success()
        .stdout("two\n");
    let out = cfg
        .kctl()
        .env("KCTL_CONTEXT", "two")
        .args(["-o", "json", "config", "current"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["source"], "environment");
    // A context's timeout applies (an invalid one is an error naming it).
    let bad = Cfg::new("[contexts.x]\nbrokers = \"127.0.0.1:1\"\ntimeout = \"soon\"\n");
    bad.kctl()
        .args(["--context", "x", "topics", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("context 'x'"))
        .stderr(predicate::str::contains("timeout"));
}

#[test]
fn no_config_file_means_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let out = kctl()
        .env("KCTL_CONFIG", dir.path().join("missing.toml"))
        .args(["-o", "json", "config", "view"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["exists"], false);
    assert_eq!(doc["contexts"], serde_json::json!({}));
    // An unknown --context is a usage error listing what exists.
    kctl()
        .env("KCTL_CONFIG", dir.path().join("missing.toml"))
        .args(["--context", "nope", "topics", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no context named 'nope'"));
}

#[test]
fn contexts_switch_and_the_file_keeps_its_comments() {
    let cfg = Cfg::new(CONFIG);
    let out = cfg.kctl().args(["config", "contexts"]).output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = doc["contexts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["one", "secure", "two"]);
    assert_eq!(doc["current_context"], "one");
    assert_eq!(doc["contexts"][0]["current"], true);
    assert_eq!(doc["contexts"][1]["tls"], true);
    assert_eq!(doc["contexts"][1]["sasl_mechanism"], "PLAIN");

    cfg.kctl()
        .args(["-o", "table", "config", "use", "two"])
        .assert()
        .success()
        .stdout("Switched to context \"two\".\n");
    let text = std::fs::read_to_string(cfg.path()).unwrap();
    assert!(text.contains("current-context = \"two\""), "{text}");
    assert!(text.contains("# my clusters") && text.contains("# the second one"));
    assert_eq!(tried_brokers(cfg.kctl()), "127.0.0.1:2");
    let out = cfg
        .kctl()
        .args(["-o", "table", "config", "contexts"])
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.starts_with("CURRENT  NAME"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with('*') && l.contains("two")),
        "{table}"
    );

    cfg.kctl()
        .args(["config", "use", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no context named 'nope'"))
        .stderr(predicate::str::contains("known contexts: one, secure, two"));
}

fn assert_no_secret(what: &str, text: &[u8]) {
    let text = String::from_utf8_lossy(text);
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} shows a secret: {text}");
    }
}

#[test]
fn config_view_never_prints_a_secret() {
    let cfg = Cfg::new(CONFIG);
    for format in ["json", "table"] {
        let out = cfg
            .kctl()
            .args(["-o", format, "config", "view"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        assert_no_secret("config view stdout", &out.stdout);
        assert_no_secret("config view stderr", &out.stderr);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("***"), "{text}");
        assert!(text.contains("alice"), "{text}");
    }
    let out = cfg
        .kctl()
        .args(["-o", "json", "config", "view"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let secure = &doc["contexts"]["secure"];
    assert_eq!(secure["sasl"]["password"], "***");
    assert_eq!(secure["tls"]["key_password"], "***");
    assert_eq!(secure["properties"]["ssl.keystore.password"], "***");
    assert_eq!(secure["properties"]["client.id"], "me");
}

#[test]
fn secrets_stay_out_of_errors_and_debug_logs() {
    let cfg = Cfg::new(CONFIG);
    // A failing connection with -vv (librdkafka's debug logs) and a secret given with -X too.
    let out = cfg
        .kctl()
        .args([
            "--context",
            "secure",
            "-vv",
            "--timeout",
            "1s",
            "-X",
            "debug=all",
            "-X",
            "sasl.password=x-secret-Jk77",
            "topics",
            "list",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(!out.stderr.is_empty());
    assert_no_secret("stdout", &out.stdout);
    assert_no_secret("stderr", &out.stderr);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("x-secret-Jk77"));

    // A password from the environment, and an invalid value for a secret property.
    let out = kctl()
        .env("KCTL_CONFIG", cfg.path())
        .env("MY_PW", "env-secret-Pp31")
        .args([
            "-b",
            "127.0.0.1:1",
            "--timeout",
            "1s",
            "-vv",
            "--sasl-mechanism",
            "SCRAM-SHA-256",
            "--sasl-username",
            "bob",
            "--sasl-password-env",
            "MY_PW",
            "topics",
            "list",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let all = [out.stdout, out.stderr].concat();
    assert!(!String::from_utf8_lossy(&all).contains("env-secret-Pp31"));

    // A missing variable names the variable, nothing else.
    kctl()
        .args([
            "--sasl-mechanism",
            "PLAIN",
            "--sasl-username",
            "bob",
            "--sasl-password-env",
            "KCTL_TEST_UNSET_VAR",
            "topics",
            "list",
        ])
        .env_remove("KCTL_TEST_UNSET_VAR")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("KCTL_TEST_UNSET_VAR is not set"));
}

#[test]
fn malformed_config_names_path_and_line() {
    let cfg = Cfg::new("current-context = \"a\"\n\n[contexts.a]\nbrokers = \"x:1\n");
    let path = cfg.path().display().to_string();
    cfg.kctl()
        .args(["topics", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "invalid config file {path}:4:"
        )));
    // Unknown keys are errors too (a typo must not be ignored silently).
    let cfg = Cfg::new("[contexts.a]\nbrokers = \"x:1\"\nbrokerz = \"y:1\"\n");
    let path = cfg.path().display().to_string();
    cfg.kctl()
        .args(["config", "view"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "invalid config file {path}:3:1"
        )))
        .stderr(predicate::str::contains("brokerz"));
}

#[test]
fn readable_config_with_a_secret_warns() {
    let cfg = Cfg::new(CONFIG);
    let warning = "holds a secret and can be read by group or others";
    cfg.chmod(0o644);
    cfg.kctl()
        .args(["--context", "two", "--timeout", "1s", "topics", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(warning))
        .stderr(predicate::str::contains("chmod 600"));
    cfg.chmod(0o600);
    cfg.kctl()
        .args(["--context", "two", "--timeout", "1s", "topics", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(warning).not());
    // No secret in the file: no warning whatever the mode.
    let plain = Cfg::new(
        "[contexts.a]\nbrokers = \"127.0.0.1:1\"\n[contexts.a.sasl]\nmechanism = \"PLAIN\"\nusername = \"u\"\npassword-env = \"X\"\n",
    );
    plain.chmod(0o644);
    plain
        .kctl()
        .args(["config", "view"])
        .assert()
        .success()
        .stderr(predicate::str::contains(warning).not());
}

#[test]
fn a_context_connects_to_a_real_broker() {
    let broker = Broker::start();
    let cfg = Cfg::new(&format!(
        "current-context = \"local\"\n[contexts.local]\nbrokers = \"{}\"\n[contexts.local.properties]\n\"client.id\" = \"kctl-context-test\"\n",
        broker.addr
    ));
    let topic = common::unique("ctx");
    cfg.kctl()
        .args(["topics", "create", &topic])
        .assert()
        .success();
    let out = cfg
        .kctl()
        .args(["-o", "json", "topics", "list"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains(&topic));
}

/// `config current` with a context the file does not define fails like every other command
/// (exit 2), whichever way it was chosen; `config contexts` still lists, with a warning.
#[test]
fn config_current_refuses_an_undefined_context() {
    let cfg = Cfg::new(CONFIG);
    for cmd in [
        {
            let mut c = cfg.kctl();
            c.args(["--context", "nope"]);
            c
        },
        {
            let mut c = cfg.kctl();
            c.env("KCTL_CONTEXT", "nope");
            c
        },
    ] {
        let mut cmd = cmd;
        cmd.args(["config", "current"])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains("no context named 'nope' in "))
            .stderr(predicate::str::contains("no context in use").not());
    }
    let broken = Cfg::new("current-context = \"gone\"\n[contexts.a]\nbrokers = \"h:1\"\n");
    broken
        .kctl()
        .args(["config", "current"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no context named 'gone'"));
    broken
        .kctl()
        .args(["config", "contexts"])
        .assert()
        .success()
        .stderr(predicate::str::contains("'gone', is not defined"));
    // A defined one still prints.
    cfg.kctl()
        .args(["-o", "table", "--context", "two", "config", "current"])
        .assert()
        .success()
        .stdout("two\n");
}

/// -X bootstrap.servers is applied last (as every -X), so it is where kctl connects: errors
/// name that address, and a -b it overrides gets a warning saying so.
#[test]
fn x_bootstrap_servers_is_the_address_errors_name() {
    let mut cmd = kctl();
    cmd.args(["-b", "127.0.0.1:5", "-X", "bootstrap.servers=127.0.0.1:6"]);
    assert_eq!(tried_brokers(cmd), "127.0.0.1:6");
    kctl()
        .args(["-b", "127.0.0.1:5", "-X", "bootstrap.servers=127.0.0.1:6"])
        .args(["--timeout", "2s", "topics", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "warning: bootstrap.servers=127.0.0.1:6 (a librdkafka property) overrides -b/KCTL_BROKERS 127.0.0.1:5",
        ))
        .stderr(predicate::str::contains("error: ").and(predicate::str::contains("127.0.0.1:5").count(1)));
    // Without -b there is nothing to override: no warning.
    kctl()
        .args([
            "-X",
            "bootstrap.servers=127.0.0.1:6",
            "--timeout",
            "2s",
            "topics",
            "list",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("warning").not())
        .stderr(predicate::str::contains("127.0.0.1:6"));
}

/// The config commands read the file too: a readable file holding a secret warns there as
/// everywhere else.
#[test]
fn config_commands_warn_about_a_readable_secret() {
    let cfg = Cfg::new(CONFIG);
    cfg.chmod(0o644);
    let warning = format!(
        "{} holds a secret and can be read by group or others (mode 0644); run `chmod 600",
        cfg.path().display()
    );
    for args in [
        &["config", "view"][..],
        &["config", "contexts"],
        &["config", "current"],
        &["config", "use", "two"],
    ] {
        let out = cfg.kctl().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.matches(&warning).count(), 1, "{args:?}: {stderr}");
        for secret in SECRETS {
            assert!(!stderr.contains(secret));
        }
    }
    cfg.chmod(0o600);
    cfg.kctl()
        .args(["config", "view"])
        .assert()
        .success()
        .stderr(predicate::str::contains("holds a secret").not());
}
