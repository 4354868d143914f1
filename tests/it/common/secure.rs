//! A secured Apache Kafka for the TLS, SASL and ACL tests: one broker per test binary, started
//! on first use by `scripts/kafka-broker` with these listeners besides PLAINTEXT:
//!
//! | field | protocol | what it takes |
//! |---|---|---|
//! | `sasl` | SASL_PLAINTEXT | PLAIN (users in the listener's JAAS config), SCRAM-SHA-256 and SCRAM-SHA-512 (users made at format time), OAUTHBEARER (Kafka's unsecured JWT validator, the broker default) |
//! | `ssl` | SSL | TLS with a certificate for IP 127.0.0.1 signed by a throwaway CA (`ca.pem`) |
//! | `mtls` | SSL | the same, with `ssl.client.auth=required`: a client certificate signed by the CA (`client.pem`/`client.key`, CN=carol, principal `User:carol`) |
//! | `sasl_ssl` | SASL_SSL | SCRAM-SHA-256 and SCRAM-SHA-512 over TLS |
//!
//! Authorization is on (`StandardAuthorizer`). Super users are `User:admin` and
//! `User:ANONYMOUS`: the controller and inter-broker listeners stay PLAINTEXT, as in
//! docker-compose.yaml, so the broker's own requests come as ANONYMOUS and must be allowed.
//! That makes every unauthenticated connection a super user too (PLAINTEXT, and SSL without
//! a client certificate): `plaintext` is the tests' admin door (creating topics, the warm-up),
//! and authorization is tested with authenticated principals only: SASL users and the mTLS
//! certificate's CN.
//!
//! Users: [`ADMIN`] (super user), [`ALICE`] (may describe, read and write topics `alice-*`,
//! describe and read topics `readonly-*`, describe and read groups `alice-*`), [`BOB`] (no
//! ACLs at all), and over mTLS `carol` (describe, read and write topics `carol-*`, read
//! groups `carol-*`). The ACLs are made at start with Apache's `kafka-acls` tool
//! (`org.apache.kafka.tools.AclCommand`) as `admin` over SASL.
//!
//! Secrets never go on a command line: the JAAS config and keystore passwords reach the
//! launcher in a properties file (`--override-file`), SCRAM users in `--scram-file`, the
//! admin's login in a `--command-config` file; all mode 600.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use assert_cmd::Command;

use super::{die_with_parent, kafka_launcher, kafka_launcher_command, KAFKA_INSTALL_HINT};

/// A SASL user and its password.
#[derive(Debug, Clone, Copy)]
pub struct User {
    pub name: &'static str,
    pub password: &'static str,
}

/// The super user.
pub const ADMIN: User = User {
    name: "admin",
    password: "admin-pw-Zq19xT",
};
/// A user with some ACLs: topics `alice-*` (describe, read, write), `readonly-*` (describe,
/// read), groups `alice-*` (describe, read).
pub const ALICE: User = User {
    name: "alice",
    password: "alice-pw-Wm27kR",
};
/// A user without any ACL.
pub const BOB: User = User {
    name: "bob",
    password: "bob-pw-Hc53vN",
};
/// A password no user has.
pub const WRONG_PASSWORD: &str = "not-the-pw-Yy11bE";
/// The keystore and truststore password (the broker's side only).
pub const STORE_PASSWORD: &str = "store-pw-Kx81dF";

/// Every secret of the setup: none may ever show up in kctl's output or the process list.
pub const SECRETS: &[&str] = &[
    ADMIN.password,
    ALICE.password,
    BOB.password,
    WRONG_PASSWORD,
    STORE_PASSWORD,
];

/// The environment variable [`SecureKafka::sasl`] passes the password in.
pub const PASSWORD_ENV: &str = "KCTL_TEST_SASL_PASSWORD";

/// The PLAIN, SCRAM and OAUTHBEARER mechanisms as kctl's `--sasl-mechanism` names them.
pub const PASSWORD_MECHANISMS: [&str; 3] = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];

/// The secured broker. Addresses are `127.0.0.1:PORT`.
pub struct SecureKafka {
    /// PLAINTEXT, unauthenticated: ANONYMOUS, a super user (the tests' admin door).
    pub plaintext: String,
    /// SASL_PLAINTEXT: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER (unsecured JWTs).
    pub sasl: String,
    /// SSL, server authentication only.
    pub ssl: String,
    /// SSL with `ssl.client.auth=required`.
    pub mtls: String,
    /// SASL_SSL: SCRAM-SHA-256, SCRAM-SHA-512.
    pub sasl_ssl: String,
    /// Certificates and keys: `ca.pem`, `other-ca.pem` (a CA that signed nothing the broker
    /// has), `client.pem`/`client.key` (CN=carol, signed by the CA), `stranger.pem`/
    /// `stranger.key` (CN=carol, signed by the other CA).
    pub dir: PathBuf,
}

impl SecureKafka {
    /// The secured broker of this test binary, started on first use (a JVM start, the
    /// certificates and the ACLs: some seconds).
    pub fn shared() -> &'static SecureKafka {
        static SHARED: OnceLock<Result<SecureKafka, String>> = OnceLock::new();
        match SHARED.get_or_init(start) {
            Ok(kafka) => kafka,
            Err(e) => panic!("cannot start the secured Apache Kafka: {e}\n{KAFKA_INSTALL_HINT}"),
        }
    }

    /// A file of [`SecureKafka::dir`], as a string for kctl's arguments.
    pub fn file(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    /// `kctl -b ADDR --timeout 10s`: a bound well above what any refusal should take.
    pub fn kctl(&self, addr: &str) -> Command {
        let mut cmd = super::kctl();
        cmd.args(["-b", addr, "--timeout", "10s"]);
        cmd
    }

    /// kctl as the super user's door: the PLAINTEXT listener (ANONYMOUS).
    pub fn admin(&self) -> Command {
        let mut cmd = super::kctl();
        cmd.args(["-b", &self.plaintext, "--timeout", "30s"]);
        cmd
    }

    /// kctl logging in on `addr` with `mechanism` as `user`, the password given by
    /// `--sasl-password-env` ([`PASSWORD_ENV`]). On the TLS listener it adds `--tls-ca`.
    pub fn sasl_on(&self, addr: &str, mechanism: &str, user: User) -> Command {
        let mut cmd = self.kctl(addr);
        if addr == self.sasl_ssl {
            cmd.args(["--tls-ca", &self.file("ca.pem")]);
        }
        cmd.env(PASSWORD_ENV, user.password).args([
            "--sasl-mechanism",
            mechanism,
            "--sasl-username",
            user.name,
            "--sasl-password-env",
            PASSWORD_ENV,
        ]);
        cmd
    }

    /// [`SecureKafka::sasl_on`] the SASL_PLAINTEXT listener.
    pub fn sasl(&self, mechanism: &str, user: User) -> Command {
        self.sasl_on(&self.sasl.clone(), mechanism, user)
    }

    /// kctl over mutual TLS as carol (`--tls-ca`, `--tls-cert`, `--tls-key`).
    pub fn carol(&self) -> Command {
        let mut cmd = self.kctl(&self.mtls);
        cmd.args([
            "--tls-ca",
            &self.file("ca.pem"),
            "--tls-cert",
            &self.file("client.pem"),
            "--tls-key",
            &self.file("client.key"),
        ]);
        cmd
    }

    /// Creates a topic named `prefix-<unique>` as the admin and returns its name. `alice-`,
    /// `readonly-` and `carol-` topics are open to those users; any other prefix to no one
    /// but the admin.
    pub fn topic(&self, prefix: &str) -> String {
        let name = super::unique(prefix);
        let out = self
            .admin()
            .args(["topics", "create", &name, "-p", "1"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "cannot create {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        name
    }

    /// Writes `lines` (one message each) to `topic` as the admin.
    pub fn fill(&self, topic: &str, lines: &str) {
        let out = self
            .admin()
            .args(["produce", topic])
            .write_stdin(lines.to_string())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "cannot produce to {topic}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A config file holding `text`, mode 600, in a directory of its own (kept for the test
    /// process; relative paths in it are relative to that directory).
    pub fn config_file(&self, text: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let dir = self.dir.join(super::unique("config"));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.toml");
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        path
    }

    /// A file holding `secret` (no newline), mode 600: for `--sasl-password-file`.
    pub fn secret_file(&self, secret: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = self.dir.join(super::unique("secret"));
        std::fs::write(&path, secret).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        path
    }
}

/// kafka-acls.sh in Kafka 4.x (it moved from kafka.admin to org.apache.kafka.tools).
pub const ACL_COMMAND: &str = "org.apache.kafka.tools.AclCommand";

/// What one kctl run did.
#[derive(Debug, Clone)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    /// Runs `cmd` with `stdin` (empty when `None`) and records what it did.
    pub fn of(cmd: &mut Command, stdin: Option<&str>) -> Run {
        cmd.write_stdin(stdin.unwrap_or("").to_string());
        let started = Instant::now();
        let out = cmd.output().expect("kctl runs");
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            elapsed: started.elapsed(),
        }
    }

    /// The lines of stderr that start with `error: `.
    pub fn errors(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("error: "))
            .collect()
    }

    /// The one `error: ` line (panics, with the whole run, when there is not exactly one).
    pub fn error(&self) -> &str {
        let errors = self.errors();
        assert_eq!(errors.len(), 1, "expected one error line: {self:#?}");
        errors[0]
    }

    /// Panics when any of [`SECRETS`] (or `also`) is in stdout or stderr.
    pub fn assert_no_secret(&self, also: &[&str]) {
        for secret in SECRETS.iter().chain(also) {
            assert!(
                !self.stdout.contains(secret) && !self.stderr.contains(secret),
                "a secret ({secret}) leaked: {self:#?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// start-up

/// Where the certificate directories go; those of test processes that are gone are removed
/// by the next one (a test binary's statics are never dropped, so its own is removed at exit).
fn base_dir() -> PathBuf {
    std::env::temp_dir().join("kctl-secure-tests")
}

fn remove_stale(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = name
            .strip_prefix("run-")
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<i32>().ok());
        if let Some(pid) = pid {
            let alive = unsafe { libc::kill(pid, 0) } == 0
                || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
            if !alive {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

static DIR_AT_EXIT: OnceLock<PathBuf> = OnceLock::new();

extern "C" fn remove_dir_at_exit() {
    if let Some(dir) = DIR_AT_EXIT.get() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

fn openssl(dir: &Path, args: &[&str]) -> Result<(), String> {
    let out = StdCommand::new("openssl")
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run openssl: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "openssl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn write_private(path: &Path, text: &str) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| format!("cannot chmod {}: {e}", path.display()))
}

/// A CA `NAME.pem`/`NAME.key`.
fn make_ca(dir: &Path, name: &str) -> Result<(), String> {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
            "-subj",
            &format!("/CN=kctl test {name}"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    )
}

/// A certificate `NAME.pem`/`NAME.key` for `subject`, signed by `ca`, with `extensions`.
fn make_cert(
    dir: &Path,
    name: &str,
    ca: &str,
    subject: &str,
    extensions: &str,
) -> Result<(), String> {
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            subject,
        ],
    )?;
    std::fs::write(dir.join(format!("{name}.ext")), extensions).map_err(|e| e.to_string())?;
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            &format!("{name}.pem"),
            "-extfile",
            &format!("{name}.ext"),
        ],
    )
}

/// The CAs, the broker's PKCS12 keystore and truststore, and the client certificates.
fn make_pki(dir: &Path) -> Result<(), String> {
    make_ca(dir, "ca")?;
    make_ca(dir, "other-ca")?;
    make_cert(
        dir,
        "server",
        "ca",
        "/CN=127.0.0.1",
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )?;
    let client_ext = "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n";
    make_cert(dir, "client", "ca", "/CN=carol", client_ext)?;
    make_cert(dir, "stranger", "other-ca", "/CN=carol", client_ext)?;
    // The keystore: the server's key and chain, PKCS12 by the openssl CLI (the password
    // from a file, never the command line).
    openssl(
        dir,
        &[
            "pkcs12",
            "-export",
            "-in",
            "server.pem",
            "-inkey",
            "server.key",
            "-certfile",
            "ca.pem",
            "-name",
            "server",
            "-out",
            "server.p12",
            "-passout",
            "file:store.pass",
        ],
    )?;
    // The truststore: a PKCS12 trusted-certificate entry, which OpenSSL 3.0 cannot write
    // (-jdktrust came with 3.2): keytool's job. Its password goes in through a file too.
    let keytool = keytool();
    let out = StdCommand::new(&keytool)
        .current_dir(dir)
        .args([
            "-importcert",
            "-noprompt",
            "-alias",
            "ca",
            "-file",
            "ca.pem",
            "-keystore",
            "truststore.p12",
            "-storetype",
            "PKCS12",
            "-storepass:file",
            "store.pass",
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", keytool.display()))?;
    if !out.status.success() {
        return Err(format!(
            "keytool -importcert failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// keytool, next to the java the tests run.
fn keytool() -> PathBuf {
    let java = super::apache::java();
    if let Some(dir) = java.parent().filter(|d| !d.as_os_str().is_empty()) {
        let keytool = dir.join("keytool");
        if keytool.is_file() {
            return keytool;
        }
    }
    PathBuf::from("keytool")
}

/// The broker settings beyond the listeners: JAAS configs, key stores, the authorizer.
fn broker_properties(dir: &Path) -> String {
    let plain_users: String = [ADMIN, ALICE, BOB]
        .iter()
        .map(|u| format!(" user_{}=\"{}\"", u.name, u.password))
        .collect();
    let scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
    let mut p = vec![
        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer".to_string(),
        "super.users=User:admin;User:ANONYMOUS".to_string(),
        "allow.everyone.if.no.acl.found=false".to_string(),
        // The mTLS principal is the certificate's CN: User:carol.
        "ssl.principal.mapping.rules=RULE:^CN=([^,]*)$/$1/,DEFAULT".to_string(),
        "listener.name.sasl.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER"
            .to_string(),
        format!(
            "listener.name.sasl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required{plain_users};"
        ),
        format!("listener.name.sasl.scram-sha-256.sasl.jaas.config={scram}"),
        format!("listener.name.sasl.scram-sha-512.sasl.jaas.config={scram}"),
        // The broker's default OAUTHBEARER validator takes unsecured JWTs; the login module
        // needs a subject for the broker's own (unused) login.
        "listener.name.sasl.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"admin\";".to_string(),
        "listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512".to_string(),
        format!("listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config={scram}"),
        format!("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config={scram}"),
    ];
    for listener in ["ssl", "mtls", "sasl_ssl"] {
        p.push(format!("listener.name.{listener}.ssl.keystore.type=PKCS12"));
        p.push(format!(
            "listener.name.{listener}.ssl.keystore.location={}",
            dir.join("server.p12").display()
        ));
        p.push(format!(
            "listener.name.{listener}.ssl.keystore.password={STORE_PASSWORD}"
        ));
        p.push(format!(
            "listener.name.{listener}.ssl.key.password={STORE_PASSWORD}"
        ));
    }
    p.push("listener.name.mtls.ssl.truststore.type=PKCS12".to_string());
    p.push(format!(
        "listener.name.mtls.ssl.truststore.location={}",
        dir.join("truststore.p12").display()
    ));
    p.push(format!(
        "listener.name.mtls.ssl.truststore.password={STORE_PASSWORD}"
    ));
    p.push("listener.name.mtls.ssl.client.auth=required".to_string());
    p.join("\n") + "\n"
}

/// What scripts/kafka-broker --report wrote: each listener's bootstrap address.
fn listener(report: &serde_json::Value, name: &str) -> Result<String, String> {
    report["listeners"][name]["bootstrap"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("the launcher's report names no listener {name}: {report}"))
}

fn start() -> Result<SecureKafka, String> {
    let base = base_dir();
    std::fs::create_dir_all(&base).map_err(|e| format!("{}: {e}", base.display()))?;
    remove_stale(&base);
    let dir = tempfile::Builder::new()
        .prefix(&format!("run-{}-", std::process::id()))
        .tempdir_in(&base)
        .map_err(|e| e.to_string())?
        .keep();
    if DIR_AT_EXIT.set(dir.clone()).is_ok() {
        unsafe { libc::atexit(remove_dir_at_exit) };
    }
    write_private(&dir.join("store.pass"), STORE_PASSWORD)?;
    make_pki(&dir)?;
    write_private(&dir.join("broker.properties"), &broker_properties(&dir))?;
    let scram: String = [ADMIN, ALICE, BOB]
        .iter()
        .flat_map(|u| {
            ["SCRAM-SHA-256", "SCRAM-SHA-512"]
                .map(|m| format!("{m}=[name={},password={}]\n", u.name, u.password))
        })
        .collect();
    write_private(&dir.join("scram.txt"), &scram)?;
    write_private(
        &dir.join("admin.properties"),
        &format!(
            "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n\
             sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"{}\" password=\"{}\";\n",
            ADMIN.name, ADMIN.password
        ),
    )?;

    let report_path = dir.join("listeners.json");
    let args: Vec<String> = [
        "--listener",
        "SASL:SASL_PLAINTEXT",
        "--listener",
        "SSL:SSL",
        "--listener",
        "MTLS:SSL",
        "--listener",
        "SASL_SSL:SASL_SSL",
        "--override-file",
        &dir.join("broker.properties").display().to_string(),
        "--scram-file",
        &dir.join("scram.txt").display().to_string(),
        "--report",
        &report_path.display().to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let plaintext = launch(args)?;
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&report_path)
            .map_err(|e| format!("no report from the launcher: {e}"))?,
    )
    .map_err(|e| format!("the launcher's report is not JSON: {e}"))?;
    let kafka = SecureKafka {
        plaintext,
        sasl: listener(&report, "SASL")?,
        ssl: listener(&report, "SSL")?,
        mtls: listener(&report, "MTLS")?,
        sasl_ssl: listener(&report, "SASL_SSL")?,
        dir,
    };
    warm_up(&kafka.plaintext)?;
    make_acls(&kafka)?;
    Ok(kafka)
}

/// Starts scripts/kafka-broker with `args` from a thread that lives as long as the process
/// (the launcher gets SIGTERM when the thread that spawned it ends) and returns the bootstrap
/// line.
fn launch(args: Vec<String>) -> Result<String, String> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("secure-kafka".into())
        .spawn(move || {
            let launcher = kafka_launcher();
            let mut cmd = match kafka_launcher_command() {
                Ok(cmd) => cmd,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            cmd.args(&args)
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
            let stdin = child.stdin.take();
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
            let (line_tx, line_rx) = mpsc::channel();
            std::thread::spawn(move || {
                let mut lines = BufReader::new(stdout).lines();
                let _ = line_tx.send(lines.next());
                for _ in lines {}
            });
            match line_rx.recv_timeout(Duration::from_secs(240)) {
                Ok(Some(Ok(addr))) if !addr.trim().is_empty() => {
                    let _ = tx.send(Ok(addr.trim().to_string()));
                    // Until the process exits: then stdin closes and this thread's death
                    // signals the launcher, which stops the JVM and removes its directory.
                    let _ = child.wait();
                    drop(stdin);
                }
                _ => {
                    let _ = child.kill();
                    let status = child.wait();
                    std::thread::sleep(Duration::from_millis(200));
                    let said = said.lock().unwrap().clone();
                    let _ = tx.send(Err(format!(
                        "scripts/kafka-broker gave no bootstrap address ({status:?}): {}",
                        said.trim()
                    )));
                }
            }
        })
        .map_err(|e| e.to_string())?;
    rx.recv()
        .unwrap_or_else(|_| Err("the broker thread died".to_string()))
}

/// Waits until the broker coordinates groups (a new cluster makes __consumer_offsets on the
/// first group request), as the admin.
fn warm_up(addr: &str) -> Result<(), String> {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    let consumer: BaseConsumer = rdkafka::config::ClientConfig::new()
        .set("bootstrap.servers", addr)
        .set("group.id", "secure-warm-up")
        .create()
        .map_err(|e| e.to_string())?;
    let mut tpl = rdkafka::TopicPartitionList::new();
    tpl.add_partition("secure-warm-up", 0);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match consumer.committed_offsets(tpl.clone(), Duration::from_secs(5)) {
            Ok(_) => return Ok(()),
            Err(e) if Instant::now() > deadline => {
                return Err(format!("the broker coordinates no group within 60 s: {e}"))
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// The ACLs of alice and carol, made with kafka-acls as the admin over SASL; then waits until
/// the broker applies them (alice sees a topic made after them).
fn make_acls(kafka: &SecureKafka) -> Result<(), String> {
    use super::apache::tools;
    let config = kafka.dir.join("admin.properties").display().to_string();
    let acl = |principal: &str, resource: &str, name: &str, ops: &[&str]| {
        let mut args: Vec<String> = [
            "--bootstrap-server",
            &kafka.sasl,
            "--command-config",
            &config,
            "--add",
            "--allow-principal",
            principal,
            resource,
            name,
            "--resource-pattern-type",
            "prefixed",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for op in ops {
            args.push("--operation".to_string());
            args.push(op.to_string());
        }
        (ACL_COMMAND, args)
    };
    tools(&[
        acl(
            "User:alice",
            "--topic",
            "alice-",
            &["Describe", "Read", "Write"],
        ),
        acl("User:alice", "--topic", "readonly-", &["Describe", "Read"]),
        acl("User:alice", "--group", "alice-", &["Describe", "Read"]),
        acl(
            "User:carol",
            "--topic",
            "carol-",
            &["Describe", "Read", "Write"],
        ),
        acl("User:carol", "--group", "carol-", &["Describe", "Read"]),
    ]);
    let probe = kafka.topic("alice-acl-probe");
    use rdkafka::consumer::{BaseConsumer, Consumer};
    let client: BaseConsumer = rdkafka::config::ClientConfig::new()
        .set("bootstrap.servers", &kafka.sasl)
        .set("security.protocol", "sasl_plaintext")
        .set("sasl.mechanisms", "SCRAM-SHA-512")
        .set("sasl.username", ALICE.name)
        .set("sasl.password", ALICE.password)
        .create()
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let seen = client
            .fetch_metadata(Some(&probe), Duration::from_secs(5))
            .map(|md| {
                md.topics()
                    .iter()
                    .any(|t| t.name() == probe && t.error().is_none())
            });
        match seen {
            Ok(true) => return Ok(()),
            _ if Instant::now() > deadline => {
                return Err(format!("alice does not see {probe} within 60 s: {seen:?}"))
            }
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// An OIDC token endpoint on a free loopback port (the client-credentials grant librdkafka
/// speaks): it answers every request with `token` and keeps the text of each request.
pub struct TokenEndpoint {
    pub url: String,
    pub token: String,
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl TokenEndpoint {
    /// Hands out an unsecured JWT (`alg: none`) for `sub`, valid for an hour, whose signature
    /// part is `signature`: empty is what Kafka's unsecured validator takes (the principal is
    /// `User:SUB`); anything else it refuses as an invalid token.
    pub fn start(sub: &str, signature: &str) -> TokenEndpoint {
        use base64::Engine as _;
        use std::io::{Read, Write};
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let token = format!(
            "{}.{}.{signature}",
            b64.encode(r#"{"alg":"none","typ":"JWT"}"#),
            b64.encode(format!(
                r#"{{"sub":"{sub}","exp":{},"iat":{now}}}"#,
                now + 3600
            )),
        );
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/token", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let record = requests.clone();
        let jwt = token.clone();
        std::thread::spawn(move || {
            for mut conn in listener.incoming().flatten() {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                // The headers, then as much body as Content-Length says.
                loop {
                    let n = conn.read(&mut buf).unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    request.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&request).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if request.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                record
                    .lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&request).to_string());
                let body = format!(
                    r#"{{"access_token":"{jwt}","token_type":"bearer","expires_in":3600}}"#
                );
                let _ = write!(
                    conn,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        TokenEndpoint {
            url,
            token,
            requests,
        }
    }
}
