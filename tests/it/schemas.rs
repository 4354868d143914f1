//! `kctl schemas ...` against a real schema registry (Apicurio Registry's Confluent API, see
//! `common::registry`), and the registry client's errors and authentication against local
//! stubs.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common;

use common::registry::Registry;
use common::unique;
use serde_json::{json, Value};

const AVRO_V1: &str =
    r#"{"type":"record","name":"Order","namespace":"t","fields":[{"name":"id","type":"long"}]}"#;
/// V1 plus a field with a default: backward compatible.
const AVRO_V2: &str = r#"{"type":"record","name":"Order","namespace":"t","fields":[{"name":"id","type":"long"},{"name":"note","type":"string","default":""}]}"#;
/// `id` changed to a string: not backward compatible.
const AVRO_BAD: &str =
    r#"{"type":"record","name":"Order","namespace":"t","fields":[{"name":"id","type":"string"}]}"#;

/// Writes `text` to `name` in `dir`.
fn file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn versions(registry: &Registry, subject: &str, deleted: bool) -> Vec<i64> {
    let mut args = vec!["schemas", "versions", subject];
    if deleted {
        args.push("--deleted");
    }
    registry.json(&args)["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect()
}

fn subjects(registry: &Registry, deleted: bool) -> Vec<String> {
    let mut args = vec!["schemas", "list"];
    if deleted {
        args.push("--deleted");
    }
    registry.json(&args)["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn register_versions_get_with_json_shapes() {
    let registry = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    let subject = unique("orders-value");
    let v1 = file(dir.path(), "v1.avsc", AVRO_V1);
    let v2 = file(dir.path(), "v2.avsc", AVRO_V2);

    let first = registry.json(&[
        "schemas",
        "register",
        &subject,
        "--file",
        v1.to_str().unwrap(),
    ]);
    assert_eq!(first["subject"], subject.as_str());
    assert_eq!(first["version"], 1);
    let id1 = first["id"].as_u64().expect("a numeric id");
    assert_eq!(first.as_object().unwrap().len(), 3, "{first}");

    // The table form says what happened.
    let out = registry
        .kctl()
        .args(["schemas", "register", &subject, "-f", v2.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(&format!(
            "registered subject \"{subject}\" version 2 (schema id "
        )),
        "{text}"
    );
    // Registering a schema the subject has is no new version.
    let again = registry.json(&["schemas", "register", &subject, "-f", v1.to_str().unwrap()]);
    assert_eq!(again["version"], 1);
    assert_eq!(again["id"], id1);

    assert_eq!(versions(&registry, &subject, false), [1, 2]);
    assert!(subjects(&registry, false).contains(&subject));

    let latest = registry.json(&["schemas", "get", &subject]);
    assert_eq!(latest["subject"], subject.as_str());
    assert_eq!(latest["version"], 2);
    assert_eq!(latest["schema_type"], "avro");
    assert_eq!(latest["references"], json!([]));
    let text: Value = serde_json::from_str(latest["schema"].as_str().unwrap()).unwrap();
    assert_eq!(text, serde_json::from_str::<Value>(AVRO_V2).unwrap());
    let mut keys: Vec<&str> = latest
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "id",
            "references",
            "schema",
            "schema_type",
            "subject",
            "version"
        ]
    );

    let one = registry.json(&["schemas", "get", &format!("{subject}:1")]);
    assert_eq!(one["version"], 1);
    assert_eq!(one["id"], id1);

    let by_id = registry.json(&["schemas", "get", "--id", &id1.to_string()]);
    assert_eq!(by_id["subject"], Value::Null);
    assert_eq!(by_id["version"], Value::Null);
    assert_eq!(by_id["id"], id1);
    assert_eq!(by_id["schema_type"], "avro");

    // The table form: what it is, then the schema text.
    let out = registry
        .kctl()
        .args(["schemas", "get", &format!("{subject}:latest")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["SUBJECT", "VERSION", "ID", "TYPE"]);
    let row: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(row[0], subject);
    assert_eq!(row[1], "2");
    assert_eq!(row[3], "AVRO");
    assert!(text.trim_end().ends_with(AVRO_V2), "{text}");
}

#[test]
fn check_says_compatible_or_why_not_and_refusals_change_nothing() {
    let registry = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    let subject = unique("check-value");
    let v1 = file(dir.path(), "v1.avsc", AVRO_V1);
    let v2 = file(dir.path(), "v2.avsc", AVRO_V2);
    let bad = file(dir.path(), "bad.avsc", AVRO_BAD);
    registry.json(&["schemas", "register", &subject, "-f", v1.to_str().unwrap()]);
    let config = registry.json(&["schemas", "config", &subject, "--set", "backward"]);
    assert_eq!(
        config,
        json!({"subject": subject, "compatibility": "BACKWARD"})
    );
    assert_eq!(
        registry.json(&["schemas", "config", &subject]),
        json!({"subject": subject, "compatibility": "BACKWARD"})
    );

    let ok = registry.json(&["schemas", "check", &subject, "-f", v2.to_str().unwrap()]);
    assert_eq!(
        ok,
        json!({"subject": subject, "version": "latest", "compatible": true, "messages": []})
    );
    let out = registry
        .kctl()
        .args([
            "schemas",
            "check",
            &subject,
            "-f",
            v2.to_str().unwrap(),
            "--version",
            "1",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("compatible with version 1 of subject \"{subject}\"\n")
    );

    // Not compatible: exit 1, the verdict on stdout (with the registry's reasons, when it gives
    // any: Apicurio gives none), the error on stderr.
    let out = registry
        .kctl()
        .args([
            "-o",
            "json",
            "schemas",
            "check",
            &subject,
            "-f",
            bad.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let verdict: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdict["compatible"], false);
    assert_eq!(verdict["subject"], subject.as_str());
    assert!(verdict["messages"].is_array());
    assert!(
        stderr(&out).contains(&format!(
            "error: the schema is not compatible with the latest version of subject \"{subject}\""
        )),
        "{}",
        stderr(&out)
    );

    // Registering it is refused with the registry's reason, and adds no version.
    let out = registry
        .kctl()
        .args(["schemas", "register", &subject, "-f", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "error: cannot register the schema under subject '{subject}': the schema registry at {} answered HTTP 409 Conflict",
            registry.url
        )),
        "{err}"
    );
    assert!(err.contains("(error code 409)"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(versions(&registry, &subject, false), [1]);
}

#[test]
fn references_are_registered_and_shown() {
    let registry = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    let common_subject = unique("common");
    let subject = unique("order-proto-value");
    let pkg = common_subject.replace('-', "_");
    let common = file(
        dir.path(),
        "common.proto",
        &format!("syntax = \"proto3\";\npackage {pkg};\nmessage Money {{ int64 cents = 1; }}\n"),
    );
    let order = file(
        dir.path(),
        "order.proto",
        &format!(
            "syntax = \"proto3\";\npackage orders;\nimport \"common.proto\";\nmessage Order {{ {pkg}.Money total = 1; }}\n"
        ),
    );
    let first = registry.json(&[
        "schemas",
        "register",
        &common_subject,
        "-f",
        common.to_str().unwrap(),
    ]);
    assert_eq!(first["version"], 1);
    let reference = format!("common.proto={common_subject}:1");
    let second = registry.json(&[
        "schemas",
        "register",
        &subject,
        "-f",
        order.to_str().unwrap(),
        "--reference",
        &reference,
    ]);
    let got = registry.json(&["schemas", "get", &subject]);
    assert_eq!(got["schema_type"], "protobuf");
    assert_eq!(got["id"], second["id"]);
    assert_eq!(
        got["references"],
        json!([{"name": "common.proto", "subject": common_subject, "version": 1}])
    );
    let by_id = registry.json(&["schemas", "get", "--id", &second["id"].to_string()]);
    assert_eq!(by_id["references"], got["references"]);

    let out = registry
        .kctl()
        .args(["schemas", "get", &subject])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("REFERENCE"), "{text}");
    assert!(text.contains(&common_subject), "{text}");
}

#[test]
fn delete_soft_and_permanent_asks_first() {
    let registry = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    let subject = unique("delete-value");
    let v1 = file(dir.path(), "v1.avsc", AVRO_V1);
    let v2 = file(dir.path(), "v2.avsc", AVRO_V2);
    registry.json(&["schemas", "register", &subject, "-f", v1.to_str().unwrap()]);
    registry.json(&["schemas", "register", &subject, "-f", v2.to_str().unwrap()]);

    // Off a terminal without --yes: refused, nothing deleted.
    let out = registry
        .kctl()
        .args(["schemas", "delete", &format!("{subject}:1")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "refusing to delete version 1 of subject {subject} without confirmation"
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(versions(&registry, &subject, false), [1, 2]);

    // A version that does not exist: nothing deleted.
    let out = registry
        .kctl()
        .args(["schemas", "delete", &format!("{subject}:7"), "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!(
            "version 7 of subject '{subject}' not found; nothing was deleted"
        )),
        "{}",
        stderr(&out)
    );

    let deleted = registry.json(&["schemas", "delete", &format!("{subject}:1"), "--yes"]);
    assert_eq!(
        deleted,
        json!({"subject": subject, "versions": [1], "permanent": false})
    );
    assert_eq!(versions(&registry, &subject, false), [2]);
    assert_eq!(versions(&registry, &subject, true), [1, 2]);

    // A soft-deleted version cannot be soft-deleted again.
    let out = registry
        .kctl()
        .args(["schemas", "delete", &format!("{subject}:1"), "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("soft-deleted already"),
        "{}",
        stderr(&out)
    );

    // The table form, then the whole subject for good (soft-deleting what is not yet).
    let out = registry
        .kctl()
        .args(["schemas", "delete", &subject, "--permanent", "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("permanently deleted subject \"{subject}\" (versions 1, 2)\n")
    );
    assert!(!subjects(&registry, true).contains(&subject));

    // An unknown subject: not found, nothing deleted.
    let out = registry
        .kctl()
        .args(["schemas", "delete", &subject, "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("(error code 40401)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn soft_deleted_subjects_show_with_deleted() {
    let registry = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    let subject = unique("soft-value");
    let v1 = file(dir.path(), "v1.avsc", AVRO_V1);
    registry.json(&["schemas", "register", &subject, "-f", v1.to_str().unwrap()]);
    let deleted = registry.json(&["schemas", "delete", &subject, "--yes"]);
    assert_eq!(
        deleted,
        json!({"subject": subject, "versions": [1], "permanent": false})
    );
    assert!(!subjects(&registry, false).contains(&subject));
    assert!(subjects(&registry, true).contains(&subject));
}

#[test]
fn modes_of_subjects() {
    let registry = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    let subject = unique("mode-value");
    let v1 = file(dir.path(), "v1.avsc", AVRO_V1);
    registry.json(&["schemas", "register", &subject, "-f", v1.to_str().unwrap()]);
    let global = registry.json(&["schemas", "mode"]);
    assert_eq!(global["subject"], Value::Null);
    assert!(global["mode"].is_string());
    assert_eq!(
        registry.json(&["schemas", "mode", &subject, "--set", "READONLY"]),
        json!({"subject": subject, "mode": "READONLY"})
    );
    assert_eq!(
        registry.json(&["schemas", "mode", &subject]),
        json!({"subject": subject, "mode": "READONLY"})
    );
    let out = registry
        .kctl()
        .args(["schemas", "mode", &subject, "--set", "readwrite"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("mode (subject \"{subject}\") set to READWRITE\n")
    );
    let global = registry.json(&["schemas", "config"]);
    assert_eq!(global["subject"], Value::Null);
    assert!(global["compatibility"].is_string());
}

#[test]
fn unknown_subjects_ids_and_invalid_schemas_are_clear_errors() {
    let registry = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    let subject = unique("nope-value");
    let run = |args: &[&str]| registry.kctl().args(args).output().unwrap();

    let out = run(&["schemas", "get", &subject]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "error: cannot get the latest version of subject '{subject}': the schema registry at {} \
             answered HTTP 404 Not Found: Subject '{subject}' not found. (error code 40401)\n",
            registry.url
        )
    );
    let out = run(&["schemas", "versions", &subject]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("(error code 40401)"),
        "{}",
        stderr(&out)
    );

    let out = run(&["schemas", "get", "--id", "987654"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("error: cannot get schema id 987654: the schema registry at"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("(error code 40403)"),
        "{}",
        stderr(&out)
    );

    // An invalid schema: the registry says why; nothing registered.
    let invalid = file(dir.path(), "bad.avsc", r#"{"type":"recrd","name":"x"}"#);
    let out = run(&[
        "schemas",
        "register",
        &subject,
        "-f",
        invalid.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("HTTP 422"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("(error code 42201)"),
        "{}",
        stderr(&out)
    );
    assert!(!subjects(&registry, true).contains(&subject));
}

#[test]
fn bad_input_is_refused_before_any_call() {
    // A registry that would only time out: any call would take the whole --timeout.
    let silent = format!("http://{}", common::silent_port());
    let dir = tempfile::tempdir().unwrap();
    let kctl = |args: &[&str]| {
        let started = Instant::now();
        let out = common::kctl()
            .args(["--registry", &silent, "--timeout", "30s"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{args:?} waited"
        );
        out
    };
    let not_json = file(dir.path(), "x.avsc", "{\"type\": ");
    let out = kctl(&["schemas", "register", "s", "-f", not_json.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not valid JSON (line 1"),
        "{}",
        stderr(&out)
    );

    let unknown = file(dir.path(), "x.txt", "{}");
    let out = kctl(&["schemas", "register", "s", "-f", unknown.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("give --type avro, protobuf or json"),
        "{}",
        stderr(&out)
    );

    let out = kctl(&["schemas", "register", "s", "-f", "/nonexistent/x.avsc"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read the schema /nonexistent/x.avsc"));

    for args in [
        &["schemas", "config", "--set", "SIDEWAYS"][..],
        &["schemas", "mode", "--set", "WRITEONLY"],
        &["schemas", "get", "s:0"],
        &[
            "schemas",
            "register",
            "s",
            "-f",
            "x.avsc",
            "--reference",
            "a=b",
        ],
        &["schemas", "get"],
    ] {
        let out = kctl(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }

    // No registry at all.
    let out = common::kctl().args(["schemas", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no schema registry is set"),
        "{}",
        stderr(&out)
    );
    let out = common::kctl()
        .args(["--registry", "localhost:8081", "schemas", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("must start with http:// or https://"));
}

#[test]
fn a_registry_down_wrong_or_silent_is_one_clear_line_fast() {
    // A closed port: refused at once.
    let dead = format!("http://{}", common::dead_port());
    let started = Instant::now();
    let out = common::kctl()
        .args(["--registry", &dead, "schemas", "list"])
        .output()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("error: cannot list subjects: cannot reach the schema registry at {dead}: connection refused\n")
    );

    // A server that never answers: bounded by --timeout.
    let silent = format!("http://{}", common::silent_port());
    let started = Instant::now();
    let out = common::kctl()
        .args([
            "--registry",
            &silent,
            "--timeout",
            "1s",
            "schemas",
            "get",
            "--id",
            "1",
        ])
        .output()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("error: cannot get schema id 1: no answer from the schema registry at {silent} within 1s\n")
    );

    // The registry's server, but not its API's path: not a registry.
    let registry = Registry::start();
    let base = registry.url.trim_end_matches("/apis/ccompat/v7");
    let out = common::kctl()
        .args([
            "--registry",
            &format!("{base}/apis/nothing"),
            "schemas",
            "list",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("does not look like a schema registry"),
        "{err}"
    );
    assert!(err.contains("HTTP 404"), "{err}");
    assert!(
        err.contains("hint: the URL is the registry's base"),
        "{err}"
    );

    // An HTTP server that answers 400 to everything, without a registry's error.
    let http = format!("http://{}", common::http_port());
    let out = common::kctl()
        .args(["--registry", &http, "schemas", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("answered HTTP 400 Bad Request"),
        "{}",
        stderr(&out)
    );
}

/// A registry stub on a loopback port: answers `GET /subjects` with `["s1"]` when the
/// `Authorization` header is `expected`, else 401 with a registry's error body. Records the
/// headers it got.
fn auth_stub(expected: String) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen_by_server = seen.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { break };
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut auth = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    if name.eq_ignore_ascii_case("authorization") {
                        auth = value.trim().to_string();
                    }
                }
            }
            seen_by_server.lock().unwrap().push(auth.clone());
            let (status, body) = if auth == expected {
                ("200 OK", r#"["s1"]"#.to_string())
            } else {
                (
                    "401 Unauthorized",
                    r#"{"error_code":40101,"message":"Unauthorized"}"#.to_string(),
                )
            };
            let _ = write!(
                conn,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, seen)
}

#[test]
fn basic_auth_and_tokens_are_sent_and_wrong_ones_refused() {
    use base64::Engine as _;
    let basic = |user: &str, pw: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pw}"))
        )
    };
    let (url, seen) = auth_stub(basic("alice", "s3cret-registry-pw"));

    let out = common::kctl()
        .env("KCTL_TEST_REG_PW", "s3cret-registry-pw")
        .args(["--registry", &url, "--registry-user", "alice"])
        .args([
            "--registry-password-env",
            "KCTL_TEST_REG_PW",
            "-o",
            "json",
            "schemas",
            "list",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        json!({"subjects": ["s1"]})
    );

    // A wrong password: refused, one line naming the URL and the status, no secret shown.
    let out = common::kctl()
        .env("KCTL_TEST_REG_PW", "wrong-registry-pw")
        .args(["--registry", &url, "--registry-user", "alice"])
        .args([
            "--registry-password-env",
            "KCTL_TEST_REG_PW",
            "schemas",
            "list",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!(
            "error: cannot list subjects: the schema registry at {url} answered HTTP 401 Unauthorized: Unauthorized (error code 40101)\nhint: "
        )),
        "{err}"
    );
    assert!(!err.contains("wrong-registry-pw"), "{err}");

    // A context's table: the password from a file (readable by others: a warning).
    let dir = tempfile::tempdir().unwrap();
    let pw = file(dir.path(), "pw", "s3cret-registry-pw\n");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let config = file(
        dir.path(),
        "config.toml",
        &format!(
            "current-context = \"c\"\n[contexts.c.registry]\nurl = \"{url}\"\nusername = \"alice\"\npassword-file = \"{}\"\n",
            pw.display()
        ),
    );
    let out = common::kctl()
        .env("KCTL_CONFIG", &config)
        .args(["-o", "json", "schemas", "list"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("can be read by group or others"),
        "{}",
        stderr(&out)
    );

    // The context's credentials are not sent to another registry named by --registry.
    let (other, other_seen) = auth_stub("none".into());
    let out = common::kctl()
        .env("KCTL_CONFIG", &config)
        .args(["--registry", &other, "schemas", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(*other_seen.lock().unwrap(), [""]);

    // A bearer token from the environment.
    let (token_url, _) = auth_stub("Bearer registry-token-xyz".into());
    let config = file(
        dir.path(),
        "token.toml",
        &format!(
            "current-context = \"c\"\n[contexts.c.registry]\nurl = \"{token_url}\"\ntoken-env = \"KCTL_TEST_REG_TOKEN\"\n"
        ),
    );
    let out = common::kctl()
        .env("KCTL_CONFIG", &config)
        .env("KCTL_TEST_REG_TOKEN", "registry-token-xyz")
        .args(["-o", "json", "schemas", "list"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(seen.lock().unwrap().iter().any(|h| h.starts_with("Basic ")));
}

#[test]
fn doctor_checks_the_registry_when_one_is_set() {
    let broker = common::Broker::start();
    let registry = Registry::start();
    let report = registry
        .kctl()
        .args(["-b", &broker.addr, "-o", "json", "doctor"])
        .output()
        .unwrap();
    assert!(report.status.success(), "{}", stderr(&report));
    let report: Value = serde_json::from_slice(&report.stdout).unwrap();
    let step = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "registry")
        .expect("a registry step")
        .clone();
    assert_eq!(step["status"], "ok");
    assert_eq!(step["target"], registry.url.as_str());
    assert!(report["verdict"]
        .as_str()
        .unwrap()
        .ends_with("; the schema registry answers"));

    // A registry that is down fails the check, naming it.
    let dead = format!("http://{}", common::dead_port());
    let out = broker
        .kctl()
        .args(["--registry", &dead, "-o", "json", "doctor"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
    let verdict = report["verdict"].as_str().unwrap();
    assert!(
        verdict.starts_with("the cluster answers, but the schema registry does not work: cannot reach the schema registry at"),
        "{verdict}"
    );
    assert!(verdict.contains(&dead), "{verdict}");
}

#[test]
fn subject_names_complete_from_the_registry() {
    let registry = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    let subject = unique("complete-me-value");
    let v1 = file(dir.path(), "v1.avsc", AVRO_V1);
    registry.json(&["schemas", "register", &subject, "-f", v1.to_str().unwrap()]);
    let cache = tempfile::tempdir().unwrap();
    let prefix = &subject[..subject.len() - 3];
    // The first completion misses and starts a refresh in the background; it lands soon.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut cmd = common::kctl();
        cmd.env("XDG_CACHE_HOME", cache.path())
            .env("KCTL_COMPLETE", "bash")
            .env("_CLAP_COMPLETE_INDEX", "5")
            .env("_CLAP_IFS", "\n")
            .args([
                "--",
                "kctl",
                "--registry",
                &registry.url,
                "schemas",
                "versions",
                prefix,
            ]);
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{out:?}");
        let names: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        if names.contains(&subject) {
            assert!(names.iter().all(|n| n.starts_with(prefix)), "{names:?}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{subject} never completed: {names:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A registry stub serving `GET /schemas/ids/1` (and 404 with 40403 for other ids), counting
/// the requests it gets.
fn counting_stub() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen_by_server = seen.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { break };
            let seen = seen_by_server.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                loop {
                    let mut request = String::new();
                    if reader.read_line(&mut request).unwrap_or(0) == 0 {
                        return;
                    }
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                            break;
                        }
                    }
                    let path = request.split_whitespace().nth(1).unwrap_or("").to_string();
                    seen.lock().unwrap().push(path.clone());
                    let (status, body) = if path == "/schemas/ids/1" {
                        ("200 OK", r#"{"schema":"\"string\""}"#)
                    } else {
                        (
                            "404 Not Found",
                            r#"{"error_code":40403,"message":"Schema not found"}"#,
                        )
                    };
                    let _ = write!(
                        conn,
                        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                }
            });
        }
    });
    (url, seen)
}

#[test]
fn the_schema_source_fetches_each_id_once_failures_too() {
    use kctl::error::ErrorKind;
    use kctl::registry::client::Registry as Client;
    use kctl::registry::settings::{RegistrySettings, RegistryTls};
    use kctl::registry::SchemaType;
    let (url, seen) = counting_stub();
    let settings = RegistrySettings {
        url,
        auth: None,
        tls: RegistryTls::default(),
    };
    let registry = Client::new(&settings, Duration::from_secs(10)).unwrap();
    let source = registry.source();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let source = source.clone();
            std::thread::spawn(move || {
                for _ in 0..10 {
                    let schema = source.schema_by_id(1).unwrap();
                    assert_eq!(schema.schema_type, SchemaType::Avro);
                    assert_eq!(schema.schema, "\"string\"");
                    let err = source.schema_by_id(2).unwrap_err();
                    assert_eq!(
                        err.kind(),
                        &ErrorKind::NotFound {
                            resource: "schema id 2".into()
                        }
                    );
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let mut paths = seen.lock().unwrap().clone();
    paths.sort();
    assert_eq!(paths, ["/schemas/ids/1", "/schemas/ids/2"]);
}

/// An HTTPS registry stub with a self-signed certificate for 127.0.0.1 (`cert.pem` in `dir`):
/// answers every request with `["tls-subject"]`. With `client_ca`, it wants a client
/// certificate that CA signed.
fn tls_stub(dir: &Path, client_ca: Option<&Path>) -> String {
    use openssl::ssl::{SslAcceptor, SslFiletype, SslMethod, SslVerifyMode};
    use std::io::Read;
    let out = std::process::Command::new("openssl")
        .current_dir(dir)
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .output()
        .expect("openssl runs (scripts/install-test-deps installs it)");
    assert!(out.status.success(), "{}", stderr(&out));
    let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
    acceptor
        .set_private_key_file(dir.join("key.pem"), SslFiletype::PEM)
        .unwrap();
    acceptor
        .set_certificate_chain_file(dir.join("cert.pem"))
        .unwrap();
    if let Some(ca) = client_ca {
        acceptor.set_ca_file(ca).unwrap();
        acceptor.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
    }
    let acceptor = Arc::new(acceptor.build());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { break };
            let acceptor = acceptor.clone();
            std::thread::spawn(move || {
                let Ok(mut tls) = acceptor.accept(conn) else {
                    return;
                };
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !String::from_utf8_lossy(&request).contains("\r\n\r\n") {
                    match tls.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let body = r#"["tls-subject"]"#;
                let _ = write!(
                    tls,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.shutdown();
            });
        }
    });
    url
}

#[test]
fn https_registries_are_verified_with_the_contexts_ca() {
    let dir = tempfile::tempdir().unwrap();
    let url = tls_stub(dir.path(), None);
    let run = |table: &str| {
        let config = file(
            dir.path(),
            "config.toml",
            &format!("current-context = \"c\"\n[contexts.c.registry]\nurl = \"{url}\"\n{table}"),
        );
        common::kctl()
            .env("KCTL_CONFIG", &config)
            .args(["-o", "json", "schemas", "list"])
            .output()
            .unwrap()
    };
    let ok = |out: &std::process::Output| {
        assert!(out.status.success(), "{}", stderr(out));
        assert_eq!(
            serde_json::from_slice::<Value>(&out.stdout).unwrap(),
            json!({"subjects": ["tls-subject"]})
        );
    };
    ok(&run(&format!(
        "ca-file = \"{}\"\n",
        dir.path().join("cert.pem").display()
    )));
    ok(&run("insecure-skip-verify = true\n"));

    // Not signed by a CA the system trusts: the TLS failure, named.
    let out = run("");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!(
            "error: cannot list subjects: TLS with the schema registry at {url} failed: "
        )),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    // A CA file that does not exist: a usage error naming it, before any call.
    let out = run("ca-file = \"missing-ca.pem\"\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("[registry] ca-file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn config_view_shows_the_registry_table_without_its_secret() {
    let dir = tempfile::tempdir().unwrap();
    let config = file(
        dir.path(),
        "config.toml",
        "current-context = \"c\"\n[contexts.c.registry]\nurl = \"http://r:8081\"\nusername = \"alice\"\npassword = \"literal-registry-pw\"\n",
    );
    let out = common::kctl()
        .env("KCTL_CONFIG", &config)
        .args(["-o", "json", "config", "view"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("literal-registry-pw"), "{text}");
    let doc: Value = serde_json::from_str(&text).unwrap();
    let registry = &doc["contexts"]["c"]["registry"];
    assert_eq!(registry["url"], "http://r:8081");
    assert_eq!(registry["username"], "alice");
    assert_eq!(registry["password"], "***");
    assert_eq!(registry["insecure_skip_verify"], false);
}

#[test]
fn mutual_tls_with_the_contexts_certificate_and_key() {
    let dir = tempfile::tempdir().unwrap();
    // The client's certificate, self-signed, with an EC key in SEC1 PEM (not PKCS#8: kctl
    // converts it for native-tls).
    let openssl = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "openssl {args:?}: {}", stderr(&out));
    };
    openssl(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-out",
        "me.key",
    ]);
    openssl(&[
        "req", "-x509", "-new", "-key", "me.key", "-out", "me.pem", "-days", "1", "-subj", "/CN=me",
    ]);
    assert!(std::fs::read_to_string(dir.path().join("me.key"))
        .unwrap()
        .starts_with("-----BEGIN EC PRIVATE KEY-----"));
    let url = tls_stub(dir.path(), Some(&dir.path().join("me.pem")));
    let ca = dir.path().join("cert.pem");
    let run = |table: &str| {
        let config = file(
            dir.path(),
            "config.toml",
            &format!(
                "current-context = \"c\"\n[contexts.c.registry]\nurl = \"{url}\"\nca-file = \"{}\"\n{table}",
                ca.display()
            ),
        );
        common::kctl()
            .env("KCTL_CONFIG", &config)
            .args(["-o", "json", "schemas", "list"])
            .output()
            .unwrap()
    };
    let out = run("cert-file = \"me.pem\"\nkey-file = \"me.key\"\n");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        json!({"subjects": ["tls-subject"]})
    );
    // Without the certificate: refused, naming the registry.
    let out = run("");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains(&url), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    // Half of the pair: a usage error.
    let out = run("cert-file = \"me.pem\"\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cert-file and key-file go together"));
}

/// Runs `kctl schemas delete ARGS` on a pseudo-terminal, answers the question with `keys`,
/// and returns the exit code and what it wrote on the terminal.
fn delete_on_a_terminal(registry: &Registry, args: &[&str], keys: &[u8]) -> (Option<i32>, String) {
    use std::io::Read;
    use std::process::Stdio;
    let (controller, terminal) = crate::prompt::pty();
    let mut child = common::kctl_command()
        .env("TERM", "xterm")
        .args(["--registry", &registry.url, "schemas", "delete"])
        .args(args)
        .stdin(Stdio::from(terminal.try_clone().unwrap()))
        .stderr(Stdio::from(terminal))
        .stdout(Stdio::null())
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
    while !text().contains("This cannot be undone") {
        assert!(Instant::now() < deadline, "no prompt: {:?}", text());
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100));
    (&controller).write_all(keys).unwrap();
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
    (status.code(), text())
}

#[test]
fn delete_asks_on_a_terminal_and_defaults_to_no() {
    let registry = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    let subject = unique("ask-value");
    let v1 = file(dir.path(), "v1.avsc", AVRO_V1);
    registry.json(&["schemas", "register", &subject, "-f", v1.to_str().unwrap()]);

    // Enter takes the default, No: nothing deleted.
    let (code, text) = delete_on_a_terminal(&registry, &[&subject], b"\r");
    assert_eq!(code, Some(1), "{text:?}");
    assert!(
        text.contains(&format!(
            "Delete subject {subject} (version 1)? This cannot be undone"
        )),
        "{text:?}"
    );
    assert!(text.contains("aborted: nothing was deleted"), "{text:?}");
    assert_eq!(versions(&registry, &subject, false), [1]);

    // y deletes.
    let (code, text) = delete_on_a_terminal(&registry, &[&subject], b"y");
    assert_eq!(code, Some(0), "{text:?}");
    assert!(!subjects(&registry, false).contains(&subject));
}

#[test]
fn a_wrong_password_is_refused_by_a_real_registry_and_changes_nothing() {
    let registry = Registry::private_with_basic_auth("alice", "registry-pw-42");
    let dir = tempfile::tempdir().unwrap();
    let v1 = file(dir.path(), "v1.avsc", AVRO_V1);
    let as_alice = |password: &str, args: &[&str]| {
        common::kctl()
            .env("KCTL_TEST_REG_PW", password)
            .args(["--registry", &registry.url, "--registry-user", "alice"])
            .args(["--registry-password-env", "KCTL_TEST_REG_PW"])
            .args(args)
            .output()
            .unwrap()
    };
    let out = as_alice(
        "wrong-pw-17",
        &["schemas", "register", "s", "-f", v1.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!(
            "error: cannot register the schema under subject 's': the schema registry at {} answered HTTP 401 Unauthorized\nhint: ",
            registry.url
        )),
        "{err}"
    );
    assert!(!err.contains("wrong-pw-17"), "{err}");
    // Without credentials: refused the same way.
    let out = common::kctl()
        .args(["--registry", &registry.url, "schemas", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("answered HTTP 401 Unauthorized"),
        "{}",
        stderr(&out)
    );

    // The right password: nothing was registered by the refused call.
    let out = as_alice("registry-pw-42", &["-o", "json", "schemas", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        json!({"subjects": []})
    );
    let out = as_alice(
        "registry-pw-42",
        &[
            "-o",
            "json",
            "schemas",
            "register",
            "s",
            "-f",
            v1.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn confluent_kafkas_client_and_kctl_see_the_same_registry() {
    let registry = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    // Registered by confluent-kafka's client, read by kctl.
    let theirs = unique("py-value");
    let script = "import sys\n\
        from confluent_kafka.schema_registry import SchemaRegistryClient, Schema\n\
        client = SchemaRegistryClient({'url': sys.argv[1]})\n\
        if sys.argv[2] == 'register':\n    \
            print(client.register_schema(sys.argv[3], Schema(sys.argv[4], 'AVRO')))\n\
        else:\n    \
            v = client.get_latest_version(sys.argv[3])\n    \
            print(v.schema_id, v.version)\n";
    let out =
        common::registry::run_python(script, &[&registry.url, "register", &theirs, AVRO_V1], b"");
    let id: u64 = String::from_utf8(out).unwrap().trim().parse().unwrap();
    let got = registry.json(&["schemas", "get", &theirs]);
    assert_eq!(got["id"], id);
    assert_eq!(got["version"], 1);
    assert_eq!(got["schema_type"], "avro");

    // Registered by kctl, read by confluent-kafka's client.
    let ours = unique("kctl-value");
    let v2 = file(dir.path(), "v2.avsc", AVRO_V2);
    let registered = registry.json(&["schemas", "register", &ours, "-f", v2.to_str().unwrap()]);
    let out = common::registry::run_python(script, &[&registry.url, "latest", &ours], b"");
    assert_eq!(
        String::from_utf8(out).unwrap().trim(),
        format!("{} 1", registered["id"])
    );
}
