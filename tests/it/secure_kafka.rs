//! TLS, SASL and ACLs against a real Apache Kafka (tests/it/common/secure.rs): every mechanism
//! logs in with the right secret from every place kctl takes one; refusals (a wrong password,
//! an unknown user, a wrong mechanism or CA, a missing client certificate, the wrong protocol
//! for the port) fail fast with their cause; a principal without permission is told so; and
//! no secret shows up in any output or in the process list.
//!
//! One broker for the whole file (started on first use). Tests keep apart by their own topic
//! and group names and never assert on what the whole cluster holds.

use crate::common;

use std::time::Duration;

use common::secure::{
    Run, SecureKafka, TokenEndpoint, User, ALICE, BOB, PASSWORD_ENV, PASSWORD_MECHANISMS, SECRETS,
    WRONG_PASSWORD,
};

/// How long a refusal may take, with `--timeout 10s`: well under the bound, never a hang.
const FAST: Duration = Duration::from_secs(5);

/// Runs `jobs` on a few threads (each a kctl or two; the machine has 2 cores) and returns
/// their results in order.
fn parallel<T: Send, R: Send>(jobs: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let jobs: Vec<(usize, T)> = jobs.into_iter().enumerate().collect();
    let queue = std::sync::Mutex::new(jobs);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| loop {
                let Some((i, job)) = queue.lock().unwrap().pop() else {
                    break;
                };
                let r = f(job);
                results.lock().unwrap().push((i, r));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// How a login is given to kctl.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// `--sasl-mechanism M --sasl-username U --sasl-password-env VAR`
    FlagEnv,
    /// `--sasl-password-file FILE`
    FlagFile,
    /// A context's `[sasl]` table in the file `KCTL_CONFIG` names (password in the file, 600)
    Context,
    /// `-X security.protocol=... -X sasl.mechanism=... -X sasl.username=... -X sasl.password=...`
    RawProperties,
}

const SOURCES: [Source; 4] = [
    Source::FlagEnv,
    Source::FlagFile,
    Source::Context,
    Source::RawProperties,
];

/// kctl logging in as `user` with `mechanism` on the SASL_PLAINTEXT listener, the secret
/// given as `source` says.
fn login(kafka: &SecureKafka, mechanism: &str, user: User, source: Source) -> assert_cmd::Command {
    match source {
        Source::FlagEnv => kafka.sasl(mechanism, user),
        Source::FlagFile => {
            let file = kafka.secret_file(user.password);
            let mut cmd = kafka.kctl(&kafka.sasl);
            cmd.args(["--sasl-mechanism", mechanism, "--sasl-username", user.name])
                .arg("--sasl-password-file")
                .arg(file);
            cmd
        }
        Source::Context => {
            let config = kafka.config_file(&format!(
                "current-context = \"secure\"\n\n[contexts.secure]\nbrokers = \"{}\"\ntimeout = \"10s\"\n\n\
                 [contexts.secure.sasl]\nmechanism = \"{mechanism}\"\nusername = \"{}\"\npassword = \"{}\"\n",
                kafka.sasl, user.name, user.password
            ));
            let mut cmd = common::kctl();
            cmd.env("KCTL_CONFIG", config);
            cmd
        }
        Source::RawProperties => {
            let mut cmd = kafka.kctl(&kafka.sasl);
            cmd.args(["-X", "security.protocol=sasl_plaintext"])
                .args(["-X", &format!("sasl.mechanism={mechanism}")])
                .args(["-X", &format!("sasl.username={}", user.name)])
                .args(["-X", &format!("sasl.password={}", user.password)]);
            cmd
        }
    }
}

/// The representative subcommands, run as a principal that may use topic `topic` and group
/// `group`: produce a message, read it back in the group, see the topic and the group listed,
/// describe the topic, check the connection. Panics naming the step that failed.
fn round_trip(what: &str, mut kctl: impl FnMut() -> assert_cmd::Command, topic: &str, group: &str) {
    let check = |step: &str, run: &Run| {
        assert_eq!(run.code, Some(0), "{what}: {step} failed: {run:#?}");
        run.assert_no_secret(&[]);
    };
    let run = Run::of(kctl().args(["produce", topic]), Some("secured message\n"));
    check("produce", &run);
    assert!(
        run.stderr.contains("delivered 1, failed 0"),
        "{what}: {run:#?}"
    );

    let run = Run::of(
        kctl().args(["consume", topic, "--from-beginning", "-e", "-g", group]),
        None,
    );
    check("consume -e -g", &run);
    assert!(run.stdout.contains("secured message"), "{what}: {run:#?}");

    let run = Run::of(kctl().args(["-o", "json", "topics", "list"]), None);
    check("topics list", &run);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(
        doc["topics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == topic),
        "{what}: {topic} not listed: {run:#?}"
    );

    let run = Run::of(
        kctl().args(["-o", "json", "topics", "describe", topic]),
        None,
    );
    check("topics describe", &run);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["topics"][0]["name"], topic, "{what}: {run:#?}");
    assert_eq!(
        doc["topics"][0]["partitions"][0]["latest_offset"], 1,
        "{what}: {run:#?}"
    );

    let run = Run::of(kctl().args(["-o", "json", "groups", "list"]), None);
    check("groups list", &run);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(
        doc["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["group"] == group),
        "{what}: {group} not listed: {run:#?}"
    );

    let run = Run::of(kctl().args(["-o", "json", "doctor"]), None);
    check("doctor", &run);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["ok"], true, "{what}: {run:#?}");
}

#[test]
fn every_password_mechanism_logs_in_from_every_secret_source() {
    let kafka = SecureKafka::shared();
    let combos: Vec<(&str, Source)> = PASSWORD_MECHANISMS
        .iter()
        .flat_map(|m| SOURCES.map(|s| (*m, s)))
        .collect();
    parallel(combos, |(mechanism, source)| {
        let what = format!("alice with {mechanism} from {source:?}");
        let topic = kafka.topic("alice-login");
        let group = common::unique("alice-login-group");
        round_trip(
            &what,
            || login(kafka, mechanism, ALICE, source),
            &topic,
            &group,
        );
        // The doctor names the mechanism that was accepted.
        let run = Run::of(login(kafka, mechanism, ALICE, source).arg("doctor"), None);
        assert!(
            run.stdout.contains(&format!("SASL {mechanism} accepted")),
            "{what}: {run:#?}"
        );
    });
}

#[test]
fn a_context_takes_the_password_from_a_variable_or_a_file() {
    let kafka = SecureKafka::shared();
    let file = kafka.secret_file(ALICE.password);
    for (key, value) in [
        ("password-env", "KCTL_TEST_CONTEXT_PW".to_string()),
        ("password-file", file.display().to_string()),
    ] {
        let config = kafka.config_file(&format!(
            "current-context = \"secure\"\n\n[contexts.secure]\nbrokers = \"{}\"\n\n\
             [contexts.secure.sasl]\nmechanism = \"SCRAM-SHA-256\"\nusername = \"alice\"\n{key} = \"{value}\"\n",
            kafka.sasl
        ));
        let topic = kafka.topic("alice-context");
        let run = Run::of(
            common::kctl()
                .env("KCTL_CONFIG", &config)
                .env("KCTL_TEST_CONTEXT_PW", ALICE.password)
                .args(["-o", "json", "topics", "describe", &topic]),
            None,
        );
        assert_eq!(run.code, Some(0), "{key}: {run:#?}");
        assert!(run.stdout.contains(&topic), "{key}: {run:#?}");
        run.assert_no_secret(&[]);
    }
}

#[test]
fn oauthbearer_logs_in_with_unsecured_tokens_from_flags_and_from_a_context() {
    let kafka = SecureKafka::shared();
    let oauth = [
        "-X",
        "enable.sasl.oauthbearer.unsecure.jwt=true",
        "-X",
        "sasl.oauthbearer.config=principal=alice",
    ];
    let topic = kafka.topic("alice-oauth");
    let group = common::unique("alice-oauth-group");
    round_trip(
        "OAUTHBEARER from flags",
        || {
            let mut cmd = kafka.kctl(&kafka.sasl);
            cmd.args(["--sasl-mechanism", "OAUTHBEARER"]).args(oauth);
            cmd
        },
        &topic,
        &group,
    );
    // kctl warns about the principal on the command line (it counts as a secret).
    let run = Run::of(
        kafka
            .kctl(&kafka.sasl)
            .args(["--sasl-mechanism", "OAUTHBEARER"])
            .args(oauth)
            .args(["topics", "list"]),
        None,
    );
    assert!(
        run.stderr
            .contains("sasl.oauthbearer.config=... puts a secret on the command line"),
        "{run:#?}"
    );

    let config = kafka.config_file(&format!(
        "current-context = \"oauth\"\n\n[contexts.oauth]\nbrokers = \"{}\"\ntimeout = \"10s\"\n\n\
         [contexts.oauth.properties]\n\"enable.sasl.oauthbearer.unsecure.jwt\" = true\n\
         \"sasl.oauthbearer.config\" = \"principal=alice\"\n\n\
         [contexts.oauth.sasl]\nmechanism = \"OAUTHBEARER\"\n",
        kafka.sasl
    ));
    let topic = kafka.topic("alice-oauth");
    let group = common::unique("alice-oauth-group");
    round_trip(
        "OAUTHBEARER from a context",
        || {
            let mut cmd = common::kctl();
            cmd.env("KCTL_CONFIG", &config);
            cmd
        },
        &topic,
        &group,
    );
    let run = Run::of(
        common::kctl()
            .env("KCTL_CONFIG", &config)
            .args(["-o", "json", "doctor"]),
        None,
    );
    assert!(run.stdout.contains("SASL OAUTHBEARER accepted"), "{run:#?}");
}

#[test]
fn tls_with_the_ca_from_a_flag_a_context_or_raw_properties() {
    let kafka = SecureKafka::shared();
    let ca = kafka.file("ca.pem");
    // TLS without a client certificate is ANONYMOUS on this broker: a super user.
    let topic = kafka.topic("tls");
    let group = common::unique("tls-group");
    round_trip(
        "--tls-ca",
        || {
            let mut cmd = kafka.kctl(&kafka.ssl);
            cmd.args(["--tls-ca", &ca]);
            cmd
        },
        &topic,
        &group,
    );
    let config = kafka.config_file(&format!(
        "current-context = \"tls\"\n\n[contexts.tls]\nbrokers = \"{}\"\n\n[contexts.tls.tls]\nca-file = \"{ca}\"\n",
        kafka.ssl
    ));
    let topic = kafka.topic("tls");
    let group = common::unique("tls-group");
    round_trip(
        "a context's [tls]",
        || {
            let mut cmd = common::kctl();
            cmd.env("KCTL_CONFIG", &config);
            cmd
        },
        &topic,
        &group,
    );
    let topic = kafka.topic("tls");
    let group = common::unique("tls-group");
    round_trip(
        "-X ssl.*",
        || {
            let mut cmd = kafka.kctl(&kafka.ssl);
            cmd.args(["-X", "security.protocol=ssl", "-X"])
                .arg(format!("ssl.ca.location={ca}"));
            cmd
        },
        &topic,
        &group,
    );
    let run = Run::of(
        kafka.kctl(&kafka.ssl).args(["--tls-ca", &ca, "doctor"]),
        None,
    );
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert!(run.stdout.contains("TLS without SASL"), "{run:#?}");
}

#[test]
fn mutual_tls_with_a_client_certificate_from_flags_or_a_context() {
    let kafka = SecureKafka::shared();
    // The certificate's CN is the principal: User:carol, who may use carol-* only.
    let topic = kafka.topic("carol");
    let group = common::unique("carol-group");
    round_trip("--tls-cert/--tls-key", || kafka.carol(), &topic, &group);

    let config = kafka.config_file(&format!(
        "current-context = \"mtls\"\n\n[contexts.mtls]\nbrokers = \"{}\"\n\n[contexts.mtls.tls]\n\
         ca-file = \"{}\"\ncert-file = \"{}\"\nkey-file = \"{}\"\n",
        kafka.mtls,
        kafka.file("ca.pem"),
        kafka.file("client.pem"),
        kafka.file("client.key")
    ));
    let topic = kafka.topic("carol");
    let group = common::unique("carol-group");
    round_trip(
        "a context's [tls] with cert-file/key-file",
        || {
            let mut cmd = common::kctl();
            cmd.env("KCTL_CONFIG", &config);
            cmd
        },
        &topic,
        &group,
    );
    // carol's ACLs apply: a topic of someone else's is refused.
    let other = kafka.topic("alice-not-carols");
    let run = Run::of(kafka.carol().args(["produce", &other]), Some("x\n"));
    assert_not_authorized(
        "carol produce alice-*",
        &run,
        &format!(
            "not authorized to write topic '{other}' as the certificate's principal (CN=carol)"
        ),
    );
}

#[test]
fn sasl_ssl_logs_in_with_scram_over_tls() {
    let kafka = SecureKafka::shared();
    for mechanism in ["SCRAM-SHA-256", "SCRAM-SHA-512"] {
        let topic = kafka.topic("alice-sasl-ssl");
        let group = common::unique("alice-sasl-ssl-group");
        round_trip(
            &format!("SASL_SSL {mechanism}"),
            || kafka.sasl_on(&kafka.sasl_ssl, mechanism, ALICE),
            &topic,
            &group,
        );
        let run = Run::of(
            kafka
                .sasl_on(&kafka.sasl_ssl, mechanism, ALICE)
                .arg("doctor"),
            None,
        );
        assert!(
            run.stdout.contains(&format!("SASL {mechanism} accepted")),
            "{run:#?}"
        );
    }
}

/// A refused connection: how to make kctl meet it, and what its error must name.
struct Refusal {
    name: &'static str,
    /// kctl with the bad settings (`--timeout 10s`).
    kctl: Box<dyn Fn() -> assert_cmd::Command + Send + Sync>,
    /// Every one of these is in the error line.
    cause: &'static [&'static str],
    /// The hint line says this.
    hint: &'static str,
}

/// The refusals kctl already reports fast and with their cause, for every subcommand.
fn refusals(kafka: &'static SecureKafka) -> Vec<Refusal> {
    let login_hint = "hint: check the SASL user name and password";
    let ca = kafka.file("ca.pem");
    let other_ca = kafka.file("other-ca.pem");
    vec![
        Refusal {
            name: "a wrong password (SCRAM-SHA-512)",
            kctl: Box::new(|| {
                let mut cmd = kafka.sasl("SCRAM-SHA-512", ALICE);
                cmd.env(PASSWORD_ENV, WRONG_PASSWORD);
                cmd
            }),
            cause: &[
                "authentication failed for user alice (SCRAM-SHA-512)",
                "SASL authentication error",
                "invalid credentials",
            ],
            hint: login_hint,
        },
        Refusal {
            name: "a wrong password (SCRAM-SHA-256)",
            kctl: Box::new(|| {
                let mut cmd = kafka.sasl("SCRAM-SHA-256", ALICE);
                cmd.env(PASSWORD_ENV, WRONG_PASSWORD);
                cmd
            }),
            cause: &[
                "authentication failed for user alice (SCRAM-SHA-256)",
                "SASL authentication error",
                "invalid credentials",
            ],
            hint: login_hint,
        },
        Refusal {
            name: "a wrong password over SASL_SSL (SCRAM-SHA-512)",
            kctl: Box::new(|| {
                let mut cmd = kafka.sasl_on(&kafka.sasl_ssl, "SCRAM-SHA-512", ALICE);
                cmd.env(PASSWORD_ENV, WRONG_PASSWORD);
                cmd
            }),
            cause: &[
                "authentication failed for user alice (SCRAM-SHA-512)",
                "SASL authentication error",
                "invalid credentials",
            ],
            hint: login_hint,
        },
        Refusal {
            name: "a wrong password (PLAIN)",
            kctl: Box::new(|| {
                let mut cmd = kafka.sasl("PLAIN", ALICE);
                cmd.env(PASSWORD_ENV, WRONG_PASSWORD);
                cmd
            }),
            cause: &[
                "authentication failed for user alice (PLAIN)",
                "Invalid username or password",
            ],
            hint: login_hint,
        },
        Refusal {
            name: "an unknown user (SCRAM-SHA-512)",
            kctl: Box::new(|| {
                kafka.sasl(
                    "SCRAM-SHA-512",
                    User {
                        name: "mallory",
                        password: ALICE.password,
                    },
                )
            }),
            cause: &[
                "authentication failed for user mallory (SCRAM-SHA-512)",
                "invalid credentials",
            ],
            hint: login_hint,
        },
        Refusal {
            name: "an unknown user (PLAIN)",
            kctl: Box::new(|| {
                kafka.sasl(
                    "PLAIN",
                    User {
                        name: "mallory",
                        password: ALICE.password,
                    },
                )
            }),
            cause: &[
                "authentication failed for user mallory (PLAIN)",
                "Invalid username or password",
            ],
            hint: login_hint,
        },
        Refusal {
            name: "a mechanism the listener does not enable (PLAIN on SCRAM-only SASL_SSL)",
            kctl: Box::new(|| kafka.sasl_on(&kafka.sasl_ssl, "PLAIN", ALICE)),
            cause: &[
                "the listener does not enable SASL PLAIN; it offers",
                "SCRAM-SHA-512",
                "Unsupported SASL mechanism",
            ],
            hint: "hint: use one of them: --sasl-mechanism SCRAM-SHA-",
        },
        Refusal {
            name: "a CA that did not sign the broker's certificate",
            kctl: Box::new(move || {
                let mut cmd = kafka.kctl(&kafka.ssl);
                cmd.args(["--tls-ca", &other_ca]);
                cmd
            }),
            cause: &[
                "certificate verify failed: unable to get local issuer certificate",
                "not signed by a CA kctl trusts",
            ],
            hint: "hint: give --tls-ca the CA certificate",
        },
        Refusal {
            name: "no client certificate where one is required",
            kctl: Box::new({
                let ca = ca.clone();
                move || {
                    let mut cmd = kafka.kctl(&kafka.mtls);
                    cmd.args(["--tls-ca", &ca]);
                    cmd
                }
            }),
            // Never the alert's name: Java 17 sends bad_certificate (42), Java 25
            // certificate_required (116).
            cause: &["the broker refused the client certificate"],
            hint: "hint: the listener requires mutual TLS: give --tls-cert and --tls-key",
        },
        Refusal {
            name: "a client certificate of a CA the broker does not trust",
            kctl: Box::new({
                let ca = ca.clone();
                move || {
                    let mut cmd = kafka.kctl(&kafka.mtls);
                    cmd.args(["--tls-ca", &ca])
                        .args(["--tls-cert", &kafka.file("stranger.pem")])
                        .args(["--tls-key", &kafka.file("stranger.key")]);
                    cmd
                }
            }),
            // Never the alert's name: Java 17 sends bad_certificate (42), Java 25
            // certificate_required (116).
            cause: &["the broker refused the client certificate"],
            hint: "hint: the broker does not accept the client certificate",
        },
        Refusal {
            name: "TLS against a plaintext port",
            kctl: Box::new({
                let ca = ca.clone();
                move || {
                    let mut cmd = kafka.kctl(&kafka.plaintext);
                    cmd.args(["--tls-ca", &ca]);
                    cmd
                }
            }),
            cause: &[
                "the TLS handshake failed",
                "as a PLAINTEXT listener does",
                "SSL connection closed by peer",
            ],
            hint: "hint: connect without --tls",
        },
        Refusal {
            name: "SASL against a plaintext port",
            kctl: Box::new(|| kafka.sasl_on(&kafka.plaintext, "SCRAM-SHA-512", ALICE)),
            cause: &[
                "this listener does not take SASL",
                "SASL SCRAM-SHA-512 mechanism handshake failed",
            ],
            hint: "hint: connect to the brokers' SASL listener, or without --sasl-*",
        },
        Refusal {
            name: "plaintext against a TLS port",
            kctl: Box::new(|| kafka.kctl(&kafka.ssl)),
            cause: &["TLS"],
            hint: "hint: connect with --tls",
        },
        Refusal {
            name: "plaintext against a SASL port",
            kctl: Box::new(|| kafka.kctl(&kafka.sasl)),
            cause: &["SASL"],
            hint: "hint: log in with --sasl-mechanism",
        },
        Refusal {
            name: "plaintext against a SASL_SSL port (TLS, no login)",
            kctl: Box::new(|| {
                let mut cmd = kafka.kctl(&kafka.sasl_ssl);
                cmd.args(["--tls-ca", &kafka.file("ca.pem")]);
                cmd
            }),
            cause: &["as a SASL listener does to a client that does not log in"],
            hint: "hint: log in with --sasl-mechanism",
        },
    ]
}

/// A subcommand's arguments and its stdin.
type Subcommand = (Vec<String>, Option<&'static str>);

/// Every subcommand that talks to the brokers (besides doctor) and its stdin.
fn subcommands(topic: &str) -> Vec<Subcommand> {
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        (args(&["topics", "list"]), None),
        (args(&["topics", "describe", topic]), None),
        (args(&["produce", topic]), Some("refused\n")),
        (args(&["consume", topic, "--from-beginning", "-e"]), None),
        (
            args(&["consume", topic, "-e", "-g", "alice-refused-group"]),
            None,
        ),
        (args(&["groups", "list"]), None),
        (args(&["groups", "describe", "alice-refused-group"]), None),
        (
            args(&[
                "groups",
                "reset-offsets",
                "alice-refused-group",
                "--all-topics",
                "--to-earliest",
            ]),
            None,
        ),
        (
            args(&["groups", "delete", "alice-refused-group", "--yes"]),
            None,
        ),
        (
            args(&["topics", "create", "alice-refused-new", "--dry-run"]),
            None,
        ),
        (args(&["topics", "delete", topic, "--yes"]), None),
        // The administration commands (issue 12).
        (args(&["topics", "configs", topic]), None),
        (
            args(&[
                "topics",
                "alter",
                topic,
                "--set",
                "retention.ms=1000",
                "--dry-run",
            ]),
            None,
        ),
        (
            args(&["topics", "add-partitions", topic, "--to", "5", "--dry-run"]),
            None,
        ),
        (
            args(&["topics", "delete-records", topic, "--before", "0"]),
            None,
        ),
        (args(&["offsets", topic, "--at", "-1h"]), None),
        (
            args(&[
                "groups",
                "delete-offsets",
                "alice-refused-group",
                "--topic",
                topic,
                "--dry-run",
            ]),
            None,
        ),
        (args(&["cluster", "describe"]), None),
        (args(&["brokers", "describe", "1"]), None),
        (args(&["brokers", "describe", "--default"]), None),
        (args(&["acls", "list"]), None),
        (args(&["users", "list"]), None),
    ]
}

#[test]
fn refused_logins_and_handshakes_fail_fast_naming_their_cause_in_every_subcommand() {
    let kafka = SecureKafka::shared();
    let topic = kafka.topic("alice-refused");
    kafka.fill(&topic, "one\n");
    let refusals = refusals(kafka);
    let cases: Vec<(&Refusal, Subcommand)> = refusals
        .iter()
        .flat_map(|r| subcommands(&topic).into_iter().map(move |s| (r, s)))
        .collect();
    parallel(cases, |(refusal, (args, stdin))| {
        let what = format!("{} | kctl {}", refusal.name, args.join(" "));
        let run = Run::of((refusal.kctl)().args(&args), stdin);
        assert_eq!(run.code, Some(1), "{what}: {run:#?}");
        assert!(
            run.elapsed < FAST,
            "{what}: took {:?}: {run:#?}",
            run.elapsed
        );
        let error = run.error();
        for cause in refusal.cause {
            assert!(error.contains(cause), "{what}: {cause:?} not in {error:?}");
        }
        assert!(!error.contains("not found"), "{what}: {error}");
        assert!(run.stderr.contains(refusal.hint), "{what}: {run:#?}");
        assert!(run.stdout.is_empty(), "{what}: {run:#?}");
        run.assert_no_secret(&[]);
    });
}

#[test]
fn doctor_fails_fast_on_a_refusal_and_its_failed_step_names_the_cause() {
    let kafka = SecureKafka::shared();
    let cases = refusals(kafka);
    parallel(cases, |refusal| {
        let what = format!("{} | kctl doctor", refusal.name);
        let run = Run::of((refusal.kctl)().args(["-o", "json", "doctor"]), None);
        assert_eq!(run.code, Some(1), "{what}: {run:#?}");
        assert!(
            run.elapsed < FAST,
            "{what}: took {:?}: {run:#?}",
            run.elapsed
        );
        let doc: serde_json::Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {run:#?}"));
        assert_eq!(doc["ok"], false, "{what}: {run:#?}");
        let failed: Vec<&serde_json::Value> = doc["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["status"] == "failed")
            .collect();
        assert_eq!(failed.len(), 1, "{what}: {run:#?}");
        let detail = failed[0]["detail"].as_str().unwrap();
        let verdict = doc["verdict"].as_str().unwrap();
        for cause in refusal.cause {
            assert!(
                detail.contains(cause),
                "{what}: {cause:?} not in {detail:?}"
            );
            assert!(
                verdict.contains(cause),
                "{what}: {cause:?} not in {verdict:?}"
            );
        }
        run.assert_no_secret(&[]);
    });
}

/// A refusal of the broker's authorizer: exit 1, fast, the one error line names the
/// operation, the resource and the principal (`not authorized to write topic 'T' as
/// User:alice`); never "not found".
fn assert_not_authorized(what: &str, run: &Run, refusal: &str) {
    assert_eq!(run.code, Some(1), "{what}: {run:#?}");
    assert!(
        run.elapsed < FAST,
        "{what}: took {:?}: {run:#?}",
        run.elapsed
    );
    let error = run.error();
    assert!(
        error.contains(refusal),
        "{what}: {refusal:?} not in {error}"
    );
    assert!(!error.contains("not found"), "{what}: {error}");
    run.assert_no_secret(&[]);
}

#[test]
fn a_principal_without_permission_on_a_topic_is_refused_as_such() {
    let kafka = SecureKafka::shared();
    let secret = kafka.topic("secret");
    let readonly = kafka.topic("readonly");
    kafka.fill(&secret, "classified\n");
    let alice = || kafka.sasl("SCRAM-SHA-512", ALICE);
    let bob = || kafka.sasl("SCRAM-SHA-256", BOB);

    // Writing where alice may not: no Describe at all, or Describe and Read but no Write.
    let run = Run::of(alice().args(["produce", &secret]), Some("x\n"));
    assert_not_authorized(
        "alice produce secret-*",
        &run,
        &format!("not authorized to write topic '{secret}' as User:alice"),
    );
    let run = Run::of(alice().args(["produce", &readonly]), Some("x\n"));
    assert_not_authorized(
        "alice produce readonly-*",
        &run,
        &format!("not authorized to write topic '{readonly}' as User:alice"),
    );
    assert!(run.stderr.contains("delivered 0, failed 1"), "{run:#?}");
    let own = kafka.topic("alice-bob-may-not");
    let run = Run::of(bob().args(["produce", &own]), Some("x\n"));
    assert_not_authorized(
        "bob produce alice-*",
        &run,
        &format!("not authorized to write topic '{own}' as User:bob"),
    );

    // Reading it.
    let run = Run::of(
        alice().args(["consume", &secret, "--from-beginning", "-e"]),
        None,
    );
    assert_not_authorized(
        "alice consume secret-*",
        &run,
        &format!("not authorized to read topic '{secret}' as User:alice"),
    );
    assert!(!run.stdout.contains("classified"), "{run:#?}");

    // Creating and deleting topics (Create on the cluster or the topic; Delete on the topic).
    let name = common::unique("alice-new");
    let run = Run::of(alice().args(["topics", "create", &name]), None);
    assert_not_authorized(
        "alice topics create",
        &run,
        &format!("not authorized to create topic '{name}' as User:alice"),
    );
    let run = Run::of(alice().args(["topics", "delete", &own, "--yes"]), None);
    assert_not_authorized(
        "alice topics delete alice-*",
        &run,
        &format!("not authorized to delete topic '{own}' as User:alice"),
    );
    let run = Run::of(kafka.admin().args(["-o", "json", "topics", "list"]), None);
    assert!(run.stdout.contains(&own), "the topic was deleted: {run:#?}");
    assert!(
        !run.stdout.contains(&name),
        "the topic was created: {run:#?}"
    );
}

#[test]
fn a_principal_without_permission_on_a_group_is_refused_as_such() {
    let kafka = SecureKafka::shared();
    let topic = kafka.topic("alice-groups");
    kafka.fill(&topic, "one\n");
    // A group of the admin's, on a topic alice may read.
    let other = common::unique("other-group");
    let run = Run::of(
        kafka
            .admin()
            .args(["consume", &topic, "--from-beginning", "-e", "-g", &other]),
        None,
    );
    assert_eq!(run.code, Some(0), "{run:#?}");
    let alice = || kafka.sasl("PLAIN", ALICE);

    let run = Run::of(
        alice().args(["consume", &topic, "--from-beginning", "-e", "-g", &other]),
        None,
    );
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert!(run.elapsed < FAST, "took {:?}: {run:#?}", run.elapsed);
    assert!(
        run.error().contains(&format!(
            "not authorized to read group '{other}' as User:alice"
        )),
        "{run:#?}"
    );
    assert!(!run.stdout.contains("one"), "{run:#?}");

    let run = Run::of(alice().args(["groups", "describe", &other]), None);
    assert_not_authorized(
        "alice groups describe other-*",
        &run,
        &format!("not authorized to describe group '{other}' as User:alice"),
    );
    let run = Run::of(alice().args(["groups", "delete", &other, "--yes"]), None);
    // kctl reads the group's offsets before it deletes it: that is refused first (Delete
    // implies Describe, so one who may not describe it may not delete it either).
    assert_not_authorized(
        "alice groups delete other-*",
        &run,
        &format!("not authorized to describe group '{other}' as User:alice"),
    );
    let run = Run::of(
        alice().args([
            "groups",
            "reset-offsets",
            &other,
            "--all-topics",
            "--to-earliest",
        ]),
        None,
    );
    assert_not_authorized(
        "alice groups reset-offsets other-*",
        &run,
        &format!("not authorized to describe group '{other}' as User:alice"),
    );

    // alice's own group: read, but not deleted (Delete on the group is not hers).
    let own = common::unique("alice-group");
    let run = Run::of(
        alice().args(["consume", &topic, "--from-beginning", "-e", "-g", &own]),
        None,
    );
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert_eq!(run.stdout, "one\n");
    let run = Run::of(alice().args(["groups", "delete", &own, "--yes"]), None);
    assert_not_authorized(
        "alice groups delete alice-*",
        &run,
        &format!("not authorized to delete group '{own}' as User:alice"),
    );
}

#[test]
fn listings_show_only_what_the_principal_may_describe() {
    let kafka = SecureKafka::shared();
    let mine = kafka.topic("alice-listed");
    let readonly = kafka.topic("readonly-listed");
    let hidden = kafka.topic("secret-listed");
    let group = common::unique("alice-listed-group");
    let hidden_group = common::unique("secret-listed-group");
    for g in [&group, &hidden_group] {
        let run = Run::of(
            kafka
                .admin()
                .args(["consume", &mine, "--from-beginning", "-e", "-g", g]),
            None,
        );
        assert_eq!(run.code, Some(0), "{run:#?}");
    }
    let names = |run: &Run, list: &str, key: &str| -> Vec<String> {
        assert_eq!(run.code, Some(0), "{run:#?}");
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        doc[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t[key].as_str().unwrap().to_string())
            .collect()
    };

    let run = Run::of(
        kafka
            .sasl("SCRAM-SHA-512", ALICE)
            .args(["-o", "json", "topics", "list"]),
        None,
    );
    let topics = names(&run, "topics", "name");
    assert!(
        topics.contains(&mine) && topics.contains(&readonly),
        "{run:#?}"
    );
    assert!(!topics.contains(&hidden), "{run:#?}");
    assert!(
        topics
            .iter()
            .all(|t| t.starts_with("alice-") || t.starts_with("readonly-")),
        "{run:#?}"
    );
    let run = Run::of(
        kafka
            .sasl("SCRAM-SHA-512", ALICE)
            .args(["-o", "json", "groups", "list"]),
        None,
    );
    let groups = names(&run, "groups", "group");
    assert!(groups.contains(&group), "{run:#?}");
    assert!(groups.iter().all(|g| g.starts_with("alice-")), "{run:#?}");

    // bob may describe nothing: empty lists, still a success.
    let run = Run::of(
        kafka
            .sasl("SCRAM-SHA-256", BOB)
            .args(["-o", "json", "topics", "list"]),
        None,
    );
    assert!(names(&run, "topics", "name").is_empty(), "{run:#?}");
    let run = Run::of(
        kafka
            .sasl("SCRAM-SHA-256", BOB)
            .args(["-o", "json", "groups", "list"]),
        None,
    );
    assert!(names(&run, "groups", "group").is_empty(), "{run:#?}");

    // carol (mTLS) sees her topics only.
    let carols = kafka.topic("carol-listed");
    let run = Run::of(kafka.carol().args(["-o", "json", "topics", "list"]), None);
    let topics = names(&run, "topics", "name");
    assert!(topics.contains(&carols), "{run:#?}");
    assert!(topics.iter().all(|t| t.starts_with("carol-")), "{run:#?}");
}

/// The command lines of every process on the machine that holds `needle`.
fn processes_holding(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if text.contains(needle) {
                found.push(format!("{}: {text}", entry.file_name().to_string_lossy()));
            }
        }
    }
    found
}

#[test]
fn no_secret_in_the_output_the_logs_or_the_process_list() {
    let kafka = SecureKafka::shared();
    let topic = kafka.topic("alice-secrets");
    kafka.fill(&topic, "one\n");

    // Every way of giving a password, with protocol debugging on, on success and on failure.
    for source in SOURCES {
        for (password, ok) in [(ALICE.password, true), (WRONG_PASSWORD, false)] {
            let user = User {
                name: ALICE.name,
                password,
            };
            let what = format!("{source:?} ok={ok}");
            let run = Run::of(
                login(kafka, "SCRAM-SHA-512", user, source).args([
                    "-vv",
                    "consume",
                    &topic,
                    "--from-beginning",
                    "-e",
                    "-g",
                    &common::unique("alice-secrets"),
                ]),
                None,
            );
            assert_eq!(run.code, Some(if ok { 0 } else { 1 }), "{what}: {run:#?}");
            assert!(run.stderr.contains("librdkafka["), "no -vv logs: {run:#?}");
            run.assert_no_secret(&[]);
        }
    }
    for mechanism in PASSWORD_MECHANISMS {
        let run = Run::of(
            kafka
                .sasl(mechanism, ALICE)
                .args(["-vv", "-o", "json", "doctor"]),
            None,
        );
        assert_eq!(run.code, Some(0), "{mechanism}: {run:#?}");
        run.assert_no_secret(&[]);
    }
    // SCRAM over TLS, right and wrong.
    for (password, code) in [(ALICE.password, 0), (WRONG_PASSWORD, 1)] {
        let mut cmd = kafka.sasl_on(&kafka.sasl_ssl, "SCRAM-SHA-512", ALICE);
        cmd.env(PASSWORD_ENV, password);
        let run = Run::of(cmd.args(["-vv", "topics", "list"]), None);
        assert_eq!(run.code, Some(code), "{run:#?}");
        run.assert_no_secret(&[]);
    }

    // A running kctl: its password is in no process's command line (only in its environment,
    // or its file), nor are the broker's secrets.
    for source in [Source::FlagEnv, Source::FlagFile, Source::Context] {
        let group = common::unique("alice-secrets-follow");
        // The same kctl as `login` makes, spawned to run on while the processes are read.
        let template = login(kafka, "SCRAM-SHA-256", ALICE, source);
        let mut cmd = std::process::Command::new(template.get_program());
        for (key, value) in template.get_envs() {
            match value {
                Some(v) => cmd.env(key, v),
                None => cmd.env_remove(key),
            };
        }
        cmd.args(template.get_args())
            .args(["consume", &topic, "--from-beginning", "-g", &group])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        // Once it printed the message, it is logged in and following the topic.
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
        assert_eq!(line, "one\n", "{source:?}");
        for secret in SECRETS {
            let holders = processes_holding(secret);
            assert!(holders.is_empty(), "{source:?}: {secret} in {holders:?}");
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    // -X sasl.password does put it on the command line: kctl says so.
    let run = Run::of(
        login(kafka, "PLAIN", ALICE, Source::RawProperties).args(["topics", "list"]),
        None,
    );
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert!(
        run.stderr
            .contains("-X sasl.password=... puts a secret on the command line"),
        "{run:#?}"
    );
    run.assert_no_secret(&[]);
}

/// kctl with OAUTHBEARER through OIDC: `--sasl-oauth-token-url`, the client id and secret.
fn oidc(kafka: &SecureKafka, endpoint: &TokenEndpoint) -> assert_cmd::Command {
    let mut cmd = kafka.kctl(&kafka.sasl);
    cmd.env("KCTL_TEST_OIDC_SECRET", OIDC_SECRET).args([
        "--sasl-mechanism",
        "OAUTHBEARER",
        "--sasl-username",
        "client-1",
        "--sasl-password-env",
        "KCTL_TEST_OIDC_SECRET",
        "--sasl-oauth-token-url",
        &endpoint.url,
    ]);
    cmd
}

const OIDC_SECRET: &str = "oidc-secret-Qq17mB";

#[test]
fn oauthbearer_through_oidc_logs_in_with_the_endpoints_token() {
    let kafka = SecureKafka::shared();
    // Kafka's unsecured validator takes an unsigned JWT: the endpoint's token for alice.
    let endpoint = TokenEndpoint::start("alice", "");
    let topic = kafka.topic("alice-oidc");
    let group = common::unique("alice-oidc-group");
    round_trip("OIDC", || oidc(kafka, &endpoint), &topic, &group);

    let requests = endpoint.requests.lock().unwrap().clone();
    let request = requests.first().expect("a token request");
    assert!(request.starts_with("POST /token "), "{request}");
    assert!(
        request.contains("grant_type=client_credentials"),
        "{request}"
    );
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("client-1:{OIDC_SECRET}"));
    assert!(request.contains(&format!("Basic {basic}")), "{request}");

    // With protocol debugging: neither the secret, nor the credentials, nor the token.
    let run = Run::of(oidc(kafka, &endpoint).args(["-vv", "topics", "list"]), None);
    assert_eq!(run.code, Some(0), "{run:#?}");
    run.assert_no_secret(&[OIDC_SECRET, &basic, &endpoint.token]);

    // A token the broker rejects (signed, where it takes unsecured ones only): fast, named.
    let signed = TokenEndpoint::start("alice", "c2lnbmVk");
    for args in [&["topics", "list"][..], &["consume", &topic, "-e"][..]] {
        let run = Run::of(oidc(kafka, &signed).args(args), None);
        assert_eq!(run.code, Some(1), "{run:#?}");
        assert!(run.elapsed < FAST, "took {:?}: {run:#?}", run.elapsed);
        assert!(
            run.error().contains("SASL authentication error"),
            "{run:#?}"
        );
        assert!(run.error().contains("invalid_token"), "{run:#?}");
        run.assert_no_secret(&[OIDC_SECRET, &basic, &signed.token]);
    }
}

/// librdkafka's own OIDC properties (`-X`, or a context's) log in as the flags do: kctl takes
/// them out of what librdkafka gets (it is built without libcurl) and fetches the token itself,
/// for every kind of client (the listing's admin client, a producer, a consumer), the scope with
/// the request.
#[test]
fn oidc_properties_log_in_as_the_flags_do() {
    let kafka = SecureKafka::shared();
    let endpoint = TokenEndpoint::start("alice", "");
    let topic = kafka.topic("alice-oidc-x");
    let group = common::unique("alice-oidc-x-group");
    let url = format!("sasl.oauthbearer.token.endpoint.url={}", endpoint.url);
    let secret = format!("sasl.oauthbearer.client.secret={OIDC_SECRET}");
    round_trip(
        "OIDC properties",
        || {
            let mut cmd = kafka.kctl(&kafka.sasl);
            cmd.args(["--sasl-mechanism", "OAUTHBEARER"])
                .args(["-X", "sasl.oauthbearer.method=oidc", "-X", &url])
                .args(["-X", "sasl.oauthbearer.client.id=client-1", "-X", &secret])
                .args(["-X", "sasl.oauthbearer.scope=kafka write"]);
            cmd
        },
        &topic,
        &group,
    );
    let requests = endpoint.requests.lock().unwrap().clone();
    let request = requests.first().expect("a token request");
    assert!(
        request.contains("grant_type=client_credentials&scope=kafka%20write"),
        "{request}"
    );
}

#[test]
fn tls_verification_can_be_turned_off_and_checks_the_host_name() {
    let kafka = SecureKafka::shared();
    // A CA that did not sign the broker's certificate, with verification off: it connects,
    // and kctl warns.
    let run = Run::of(
        kafka
            .kctl(&kafka.ssl)
            .args(["--tls-ca", &kafka.file("other-ca.pem")])
            .args(["--tls-insecure-skip-verify", "topics", "list"]),
        None,
    );
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert!(run.stderr.contains("verification is off"), "{run:#?}");

    // The certificate names IP 127.0.0.1 only: `localhost` does not match it.
    let port = kafka.ssl.rsplit(':').next().unwrap();
    let run = Run::of(
        common::kctl()
            .args(["-b", &format!("localhost:{port}"), "--timeout", "10s"])
            .args(["--tls-ca", &kafka.file("ca.pem"), "topics", "list"]),
        None,
    );
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert!(run.elapsed < FAST, "took {:?}: {run:#?}", run.elapsed);
    assert!(
        run.error()
            .contains("certificate verify failed: hostname mismatch"),
        "{run:#?}"
    );
    assert!(
        run.stderr
            .contains("hint: connect by a host name or IP address the certificate names"),
        "{run:#?}"
    );

    // A context's ca-file relative to the config file's directory.
    let config = kafka.config_file(&format!(
        "current-context = \"tls\"\n\n[contexts.tls]\nbrokers = \"{}\"\n\n[contexts.tls.tls]\nca-file = \"../ca.pem\"\n",
        kafka.ssl
    ));
    let run = Run::of(
        common::kctl()
            .env("KCTL_CONFIG", &config)
            .args(["topics", "list"]),
        None,
    );
    assert_eq!(run.code, Some(0), "{run:#?}");
}

/// `doctor` names the step that failed: `authentication` for a SASL refusal, `handshake`
/// for a TLS one (not `metadata`).
#[test]
fn doctor_names_the_authentication_or_tls_step_that_failed() {
    let kafka = SecureKafka::shared();
    let ca = kafka.file("ca.pem");
    type Make<'a> = Box<dyn Fn() -> assert_cmd::Command + Send + Sync + 'a>;
    let cases: Vec<(&str, Make, &str)> = vec![
        (
            "a wrong password",
            Box::new(|| {
                let mut cmd = kafka.sasl("SCRAM-SHA-512", ALICE);
                cmd.env(PASSWORD_ENV, WRONG_PASSWORD);
                cmd
            }),
            "authentication",
        ),
        (
            "a wrong mechanism",
            Box::new(|| kafka.sasl_on(&kafka.sasl_ssl, "PLAIN", ALICE)),
            "authentication",
        ),
        (
            "plaintext against a SASL port",
            Box::new(|| kafka.kctl(&kafka.sasl)),
            "authentication",
        ),
        (
            "a wrong CA",
            Box::new(|| {
                let mut cmd = kafka.kctl(&kafka.ssl);
                cmd.args(["--tls-ca", &kafka.file("other-ca.pem")]);
                cmd
            }),
            "handshake",
        ),
        (
            "no client certificate",
            Box::new(|| {
                let mut cmd = kafka.kctl(&kafka.mtls);
                cmd.args(["--tls-ca", &ca]);
                cmd
            }),
            "handshake",
        ),
        (
            "TLS against a plaintext port",
            Box::new(|| {
                let mut cmd = kafka.kctl(&kafka.plaintext);
                cmd.args(["--tls-ca", &ca]);
                cmd
            }),
            "handshake",
        ),
    ];
    let failures: Vec<String> = parallel(cases, |(name, make, step)| {
        let run = Run::of(make().args(["-o", "json", "doctor"]), None);
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_default();
        let failed: Vec<String> = doc["steps"]
            .as_array()
            .map(|steps| {
                steps
                    .iter()
                    .filter(|s| s["status"] == "failed")
                    .map(|s| s["step"].as_str().unwrap_or("?").to_string())
                    .collect()
            })
            .unwrap_or_default();
        let hinted = run.stderr.lines().any(|l| l.starts_with("hint: "));
        if run.code != Some(1) || run.elapsed >= FAST || failed != [step.to_string()] || !hinted {
            Some(format!(
                "{name}: wanted step {step} failed with a hint, got {failed:?} (exit {:?} after \
                 {:.2?}): {}",
                run.code, run.elapsed, run.stderr
            ))
        } else {
            None
        }
    })
    .into_iter()
    .flatten()
    .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A refused SASL login names the user and the mechanism (from kctl's settings; never the
/// password).
#[test]
fn a_refused_login_names_the_user_and_the_mechanism() {
    let kafka = SecureKafka::shared();
    let cases: Vec<(&str, User)> = PASSWORD_MECHANISMS
        .iter()
        .flat_map(|m| {
            [
                User {
                    name: ALICE.name,
                    password: WRONG_PASSWORD,
                },
                User {
                    name: "mallory",
                    password: BOB.password,
                },
            ]
            .map(|u| (*m, u))
        })
        .collect();
    let failures: Vec<String> = parallel(cases, |(mechanism, user)| {
        let run = Run::of(kafka.sasl(mechanism, user).args(["topics", "list"]), None);
        run.assert_no_secret(&[]);
        let error = run
            .errors()
            .first()
            .map(|e| e.to_string())
            .unwrap_or_default();
        let wanted = format!("authentication failed for user {} ({mechanism})", user.name);
        (!error.contains(&wanted)).then(|| format!("wanted {wanted:?} in {error:?}"))
    })
    .into_iter()
    .flatten()
    .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `topics describe` of a topic the principal may not describe says so, not "not found"
/// (Kafka leaves it out of a listing of all topics, and refuses its metadata).
#[test]
fn describing_a_topic_one_may_not_describe_is_not_authorized_not_missing() {
    let kafka = SecureKafka::shared();
    let secret = kafka.topic("secret-describe");
    let refusal = format!("not authorized to describe topic '{secret}' as User:alice");
    let alice = || kafka.sasl("SCRAM-SHA-512", ALICE);
    let run = Run::of(alice().args(["topics", "describe", &secret]), None);
    assert_not_authorized("alice topics describe secret-*", &run, &refusal);
    // With one allowed and one refused topic: still the refusal, not "not found".
    let mine = kafka.topic("alice-describe");
    let run = Run::of(alice().args(["topics", "describe", &mine, &secret]), None);
    assert_not_authorized("alice topics describe alice-* secret-*", &run, &refusal);
    assert!(run.stdout.is_empty(), "{run:#?}");
    // A topic that does not exist and that alice may describe is missing indeed.
    let missing = common::unique("alice-missing");
    let run = Run::of(alice().args(["topics", "describe", &missing]), None);
    assert_eq!(run.code, Some(1), "{run:#?}");
    assert!(run.error().contains("not found"), "{run:#?}");
}

/// Reading by assignment (no -g) needs Read on the topic only, no group rights: the group
/// librdkafka's assign needs is never joined, and its coordinator lookup being refused does
/// not stop the read.
#[test]
fn consuming_without_a_group_needs_no_group_rights() {
    let kafka = SecureKafka::shared();
    let topics: Vec<String> = ["alice-assign", "readonly-assign"]
        .iter()
        .map(|prefix| {
            let topic = kafka.topic(prefix);
            kafka.fill(&topic, "one\n");
            topic
        })
        .collect();
    // The refusal races with the read: a few runs each.
    let runs: Vec<(String, usize)> = topics
        .iter()
        .flat_map(|t| (0..4).map(move |i| (t.clone(), i)))
        .collect();
    parallel(runs, |(topic, _)| {
        let run = Run::of(
            kafka
                .sasl("SCRAM-SHA-512", ALICE)
                .args(["consume", &topic, "--from-beginning", "-e"]),
            None,
        );
        assert_eq!(run.code, Some(0), "{topic}: {run:#?}");
        assert_eq!(run.stdout, "one\n", "{topic}: {run:#?}");
    });
}

/// Every authorization refusal names the operation, the resource and the principal.
#[test]
fn authorization_refusals_name_the_operation_the_resource_and_the_principal() {
    let kafka = SecureKafka::shared();
    let alice = || kafka.sasl("SCRAM-SHA-512", ALICE);
    let secret = kafka.topic("secret-words");
    let readonly = kafka.topic("readonly-words");
    let mine = kafka.topic("alice-words");
    kafka.fill(&mine, "one\n");
    let other = common::unique("other-words");
    let run = Run::of(
        kafka
            .admin()
            .args(["consume", &mine, "--from-beginning", "-e", "-g", &other]),
        None,
    );
    assert_eq!(run.code, Some(0), "{run:#?}");
    let own = common::unique("alice-words-group");
    let run = Run::of(
        alice().args(["consume", &mine, "--from-beginning", "-e", "-g", &own]),
        None,
    );
    assert_eq!(run.code, Some(0), "{run:#?}");
    let new = common::unique("alice-words-new");
    // (arguments, stdin, the refusal)
    let cases: Vec<(Vec<&str>, Option<&str>, String)> = vec![
        (
            vec!["produce", &secret],
            Some("x\n"),
            format!("write topic '{secret}'"),
        ),
        (
            vec!["produce", &readonly],
            Some("x\n"),
            format!("write topic '{readonly}'"),
        ),
        (
            vec!["consume", &secret, "--from-beginning", "-e"],
            None,
            format!("read topic '{secret}'"),
        ),
        (
            vec!["consume", &mine, "--from-beginning", "-e", "-g", &other],
            None,
            format!("read group '{other}'"),
        ),
        (
            vec!["groups", "describe", &other],
            None,
            format!("describe group '{other}'"),
        ),
        // kctl reads a group's offsets before it deletes or resets it: that is refused first
        // (whoever may not describe a group may not delete it either).
        (
            vec!["groups", "delete", &other, "--yes"],
            None,
            format!("describe group '{other}'"),
        ),
        (
            vec!["groups", "delete", &own, "--yes"],
            None,
            format!("delete group '{own}'"),
        ),
        (
            vec!["topics", "create", &new],
            None,
            format!("create topic '{new}'"),
        ),
        (
            vec!["topics", "delete", &mine, "--yes"],
            None,
            format!("delete topic '{mine}'"),
        ),
        (
            vec!["topics", "describe", &secret],
            None,
            format!("describe topic '{secret}'"),
        ),
        (
            vec![
                "groups",
                "reset-offsets",
                &own,
                "--topic",
                &secret,
                "--to-earliest",
            ],
            None,
            format!("describe topic '{secret}'"),
        ),
    ];
    for (args, stdin, refusal) in cases {
        let run = Run::of(alice().args(&args), stdin);
        let what = format!("kctl {}", args.join(" "));
        assert_not_authorized(
            &what,
            &run,
            &format!("not authorized to {refusal} as User:alice"),
        );
    }
}

/// `-vv produce` succeeds (librdkafka's queued log lines are no deliveries still in flight),
/// and its protocol debugging shows no secret.
#[test]
fn produce_with_protocol_debugging_delivers_and_shows_no_secret() {
    let kafka = SecureKafka::shared();
    let topic = kafka.topic("alice-debug");
    // librdkafka's every debug context, its configuration dump included.
    for verbose in ["-v", "-vv", "-vv -X debug=all"] {
        let run = Run::of(
            kafka
                .sasl("SCRAM-SHA-512", ALICE)
                .args(verbose.split(' '))
                .args(["produce", &topic]),
            Some("one\ntwo\n"),
        );
        assert_eq!(run.code, Some(0), "{verbose}: {run:#?}");
        assert!(
            run.stderr.contains("delivered 2, failed 0"),
            "{verbose}: {run:#?}"
        );
        if verbose.starts_with("-vv") {
            assert!(run.stderr.contains("librdkafka["), "{verbose}: {run:#?}");
        }
        run.assert_no_secret(&[]);
    }
}

/// A listing Kafka filtered by the principal's ACLs says that it may be partial; one by a
/// super user does not (see `Kafka::listing_filtered_for` for the rule).
#[test]
fn listings_filtered_by_acls_say_so() {
    let kafka = SecureKafka::shared();
    kafka.topic("alice-partial");
    for args in [&["topics", "list"][..], &["groups", "list"][..]] {
        let run = Run::of(kafka.sasl("SCRAM-SHA-512", ALICE).args(args), None);
        assert_eq!(run.code, Some(0), "{args:?}: {run:#?}");
        let warning = run
            .stderr
            .lines()
            .find(|l| l.starts_with("warning: "))
            .unwrap_or_else(|| {
                panic!("{args:?}: no warning that the list may be partial: {run:#?}")
            });
        assert!(warning.contains("User:alice"), "{args:?}: {warning}");
        assert!(warning.contains("describe"), "{args:?}: {warning}");
        let run = Run::of(
            kafka
                .sasl("SCRAM-SHA-512", common::secure::ADMIN)
                .args(args),
            None,
        );
        assert!(
            !run.stderr.contains("warning: "),
            "{args:?} as admin: {run:#?}"
        );
    }
}

/// Topic configs the principal may not read (no DescribeConfigs) are not shown as "none":
/// `null`, with a warning; the rest of the description still prints.
#[test]
fn topic_configs_one_may_not_read_are_unknown_not_empty() {
    let kafka = SecureKafka::shared();
    let topic = common::unique("alice-configs");
    let run = Run::of(
        kafka
            .admin()
            .args(["topics", "create", &topic, "-c", "retention.ms=123456"]),
        None,
    );
    assert_eq!(run.code, Some(0), "{run:#?}");
    let run = Run::of(
        kafka
            .sasl("SCRAM-SHA-512", ALICE)
            .args(["-o", "json", "topics", "describe", &topic]),
        None,
    );
    assert_eq!(run.code, Some(0), "{run:#?}");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(
        doc["topics"][0]["configs"].is_null(),
        "configs kctl could not read are shown as {}: {run:#?}",
        doc["topics"][0]["configs"]
    );
    assert!(
        run.stderr.contains(&format!(
            "warning: not authorized to describe configs of topic '{topic}' as User:alice"
        )),
        "{run:#?}"
    );
    assert_eq!(
        doc["topics"][0]["partitions"][0]["partition"], 0,
        "{run:#?}"
    );
    // The admin sees them.
    let run = Run::of(
        kafka
            .admin()
            .args(["-o", "json", "topics", "describe", &topic]),
        None,
    );
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        doc["topics"][0]["configs"]["retention.ms"], "123456",
        "{run:#?}"
    );
}

/// A principal that may describe a topic but write none: an idempotent producer (kctl's
/// default) is refused its producer id, a cluster operation (IdempotentWrite on the cluster,
/// or Write on some topic); kctl names it and how to get by.
#[test]
fn a_producer_that_may_write_nothing_is_told_so() {
    let kafka = SecureKafka::shared();
    let topic = kafka.topic("viewonly");
    // An OAUTHBEARER principal of its own (Kafka's unsecured tokens): Describe on the topic.
    let principal = common::unique("dave");
    let config = kafka.dir.join("admin.properties").display().to_string();
    let args: Vec<String> = [
        "--bootstrap-server",
        &kafka.sasl,
        "--command-config",
        &config,
        "--add",
        "--allow-principal",
        &format!("User:{principal}"),
        "--topic",
        &topic,
        "--operation",
        "Describe",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    common::apache::tools(&[(common::secure::ACL_COMMAND, args)]);
    let dave = || {
        let mut cmd = kafka.kctl(&kafka.sasl);
        cmd.args(["--sasl-mechanism", "OAUTHBEARER"])
            .args(["-X", "enable.sasl.oauthbearer.unsecure.jwt=true"])
            .args([
                "-X",
                &format!("sasl.oauthbearer.config=principal={principal}"),
            ]);
        cmd
    };
    // The ACL reaches the authorizer a moment after the tool returns.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let run = Run::of(dave().args(["topics", "describe", &topic]), None);
        if run.code == Some(0) || std::time::Instant::now() > deadline {
            assert_eq!(run.code, Some(0), "{run:#?}");
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let run = Run::of(dave().args(["produce", &topic]), Some("x\n"));
    assert_not_authorized(
        "dave produce",
        &run,
        &format!("not authorized to write topic '{topic}' as User:{principal}: the brokers refused the idempotent producer its producer id"),
    );
    assert!(
        run.error().contains("IdempotentWrite on the cluster"),
        "{run:#?}"
    );
    // Whether the refusal came before the message was queued or after is a race.
    assert!(run.stderr.contains("delivered 0, failed "), "{run:#?}");
}

/// `groups describe` of a group with offsets on topics the principal may not describe: Kafka
/// leaves those out, and kctl says the description may be partial.
#[test]
fn a_group_description_filtered_by_acls_says_so() {
    let kafka = SecureKafka::shared();
    let mine = kafka.topic("alice-mixed");
    let secret = kafka.topic("secret-mixed");
    let group = common::unique("alice-mixed-group");
    for topic in [&mine, &secret] {
        kafka.fill(topic, "one\n");
        let run = Run::of(
            kafka
                .admin()
                .args(["consume", topic, "--from-beginning", "-e", "-g", &group]),
            None,
        );
        assert_eq!(run.code, Some(0), "{run:#?}");
    }
    let run = Run::of(
        kafka
            .sasl("SCRAM-SHA-512", ALICE)
            .args(["groups", "describe", &group]),
        None,
    );
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert!(run.stdout.contains(&mine), "{run:#?}");
    assert!(!run.stdout.contains(&secret), "{run:#?}");
    assert!(
        run.stderr
            .contains("warning: showing only the offsets of topics User:alice may describe"),
        "{run:#?}"
    );
    // The admin sees both, without the warning.
    let run = Run::of(kafka.admin().args(["groups", "describe", &group]), None);
    assert!(run.stdout.contains(&secret), "{run:#?}");
    assert!(!run.stderr.contains("warning: showing only"), "{run:#?}");
}
