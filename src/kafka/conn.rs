//! Connection state: what librdkafka's logs and error events say about the connection to the
//! cluster (which bootstrap addresses failed, whether every broker is down, the last reason
//! given), read into plain facts and readable reasons, and the hints kctl gives for them. The
//! one rust-rdkafka context of every kctl client ([`ClientCtx`]) feeds it.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rdkafka::client::{ClientContext, OAuthToken};
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use tokio::sync::watch;

use super::config::ClientConfig;
use super::native::events::EventSink;
use crate::printer::Diagnostics;

/// What librdkafka told us about the connection, served by the main-queue pump.
pub(crate) struct ConnState {
    verbose: u8,
    /// What kctl asked for (TLS, the SASL login), to say what a failure means.
    expect: Expect,
    /// Where librdkafka's logs go with -v.
    logs: Diagnostics,
    last_error: Mutex<Option<Failure>>,
    /// True while every broker is down and none has ever answered.
    pub(super) unreachable: watch::Sender<bool>,
    pub(super) reached: AtomicBool,
    /// librdkafka's last word on the broker count was "all brokers are down". Its log lines
    /// and error events come by different paths, so a failure's FAIL line may come after it:
    /// that line looks again.
    all_down_said: AtomicBool,
    /// The bootstrap addresses (`host:port`, lower case), and those a connection to failed.
    /// librdkafka says "all brokers are down" also while it swaps the bootstrap connections for
    /// the brokers the metadata named, so that alone does not make the cluster unreachable:
    /// every bootstrap address must have failed too.
    pub(super) bootstrap: Vec<String>,
    pub(super) failed: Mutex<HashSet<String>>,
    /// Where OAUTHBEARER tokens come from, when kctl fetches them (OIDC).
    oidc: Option<super::oidc::Oidc>,
}

impl ConnState {
    pub fn new(config: &ClientConfig) -> ConnState {
        let list = config
            .user_property("bootstrap.servers")
            .map(str::to_string)
            .unwrap_or_else(|| config.bootstrap_servers());
        ConnState {
            verbose: config.verbose,
            expect: Expect::of(config),
            logs: config.logs,
            last_error: Mutex::new(None),
            unreachable: watch::channel(false).0,
            reached: AtomicBool::new(false),
            all_down_said: AtomicBool::new(false),
            bootstrap: list
                .split(',')
                .map(|a| address_of(a.trim()))
                .filter(|a| !a.is_empty())
                .collect(),
            failed: Mutex::new(HashSet::new()),
            oidc: config.oidc.clone(),
        }
    }

    pub fn on_log(&self, level: i32, facility: &str, message: &str) {
        // librdkafka logs at Info level even without -v (the FAIL lines below); only -v
        // prints them.
        if self.verbose > 0 {
            let message = crate::security::scrub(message);
            self.logs
                .line(&format!("librdkafka[{level}] {facility}: {message}"));
        }
        // A broker connection failed (TLS, SASL, refused): the same thread logs this before
        // "all brokers are down", so the reason is known when the bound gives up.
        if facility == "FAIL" {
            let reason = strip_thread(message);
            // "ssl://host:port/bootstrap: Connect to ... failed": which broker failed.
            if let Some((broker, _)) = reason.split_once(": ") {
                let name = broker.rsplit_once('/').map_or(broker, |(name, _)| name);
                if let Ok(mut failed) = self.failed.lock() {
                    failed.insert(address_of(name));
                }
            }
            let refusal = self.record(message, reason);
            // A refused handshake or login is no passing trouble: librdkafka says "all
            // brokers are down" only once its count caught up (often after a retry, with a
            // SASL login each time), so when every bootstrap address was refused, that is it.
            if refusal || self.all_down_said.load(Ordering::Relaxed) {
                self.all_down();
            }
        }
        // Without an error callback (the admin client) librdkafka logs its error events with
        // this facility: "all brokers down", and errors that are no connection failure, such
        // as an OAUTHBEARER token it could not get. The latter is the cause to report.
        if facility == "ERROR" {
            match parse_brokers_down(message) {
                Some((down, total)) => {
                    self.all_down_said.store(down == total, Ordering::Relaxed);
                    if down == total {
                        self.all_down();
                    }
                }
                None => {
                    self.record(message, strip_thread(message));
                }
            }
        }
    }

    /// librdkafka counts every broker down: the cluster is unreachable if none ever answered
    /// and every bootstrap address failed.
    pub fn all_down(&self) {
        if self.reached.load(Ordering::Relaxed) {
            return;
        }
        let every_bootstrap_failed = self.failed.lock().is_ok_and(|failed| {
            !self.bootstrap.is_empty() && self.bootstrap.iter().all(|a| failed.contains(a))
        });
        if every_bootstrap_failed {
            self.unreachable.send_replace(true);
        }
    }

    pub fn on_error(&self, code: RDKafkaErrorCode, reason: &str) {
        if self.verbose > 0 {
            self.logs.line(&format!(
                "librdkafka error: {}",
                crate::security::scrub(reason)
            ));
        }
        if code == RDKafkaErrorCode::AllBrokersDown {
            self.all_down_said.store(true, Ordering::Relaxed);
            self.all_down();
        } else {
            self.record(reason, reason);
        }
    }

    /// Keeps `reason` (from the log line or error `raw`) as the last failure, explained;
    /// true when it is a refused TLS handshake or SASL login.
    fn record(&self, raw: &str, reason: &str) -> bool {
        let reached = self.reached.load(Ordering::Relaxed);
        let failure = Failure::explain(raw, reason, &self.expect, reached);
        let refusal = failure.stage().is_some();
        if let Ok(mut last) = self.last_error.lock() {
            *last = Some(failure);
        }
        refusal
    }

    /// Replaces the last failure (kctl found out more about it).
    pub fn refine(&self, failure: Failure) {
        if let Ok(mut last) = self.last_error.lock() {
            *last = Some(failure);
        }
    }

    /// Whether kctl checks that the brokers' certificates name the host it connects to.
    pub fn verifies_host_names(&self) -> bool {
        self.expect.tls && self.expect.verify_hostname
    }

    /// The last connection failure librdkafka reported.
    pub fn last_error(&self) -> Option<Failure> {
        self.last_error.lock().ok().and_then(|l| l.clone())
    }

    pub fn mark_reached(&self) {
        self.reached.store(true, Ordering::Relaxed);
        self.unreachable
            .send_if_modified(|down| std::mem::replace(down, false));
    }
}

/// A log line without librdkafka's `[thrd:NAME]: ` prefix.
fn strip_thread(message: &str) -> &str {
    message
        .strip_prefix("[thrd:")
        .and_then(|m| m.split_once("]: ").map(|(_, rest)| rest))
        .unwrap_or(message)
}

/// `host:port` of a broker address or librdkafka broker name, without a `proto://` prefix, in
/// lower case.
fn address_of(name: &str) -> String {
    let name = name.split_once("://").map_or(name, |(_, rest)| rest);
    name.to_ascii_lowercase()
}

/// Parses librdkafka's "N/M brokers are down" (the message may carry a thread prefix).
fn parse_brokers_down(message: &str) -> Option<(u32, u32)> {
    let head = message.strip_suffix(" brokers are down")?;
    let counts = head.rsplit(' ').next()?;
    let (down, total) = counts.split_once('/')?;
    Some((down.parse().ok()?, total.parse().ok()?))
}

/// How to raise the largest answer librdkafka reads.
pub(crate) const RECEIVE_MAX_HINT: &str =
    "raise it with -X receive.message.max.bytes=BYTES (at most \
     2147483647; at least -X fetch.max.bytes plus 512, which bounds what one fetch asks for)";

/// Explains librdkafka's "Invalid response size N (0..MAX)". On a connection that spoke Kafka
/// already (in state UP) the answer was larger than receive.message.max.bytes; otherwise the
/// first four bytes say what answered: an HTTP server "HTTP", a TLS listener a TLS record.
fn explain_bad_size(reason: &str) -> Option<String> {
    let rest = reason.split("Invalid response size ").nth(1)?;
    let size: i64 = rest.split_whitespace().next()?.parse().ok()?;
    if reason.contains(" in state UP)") {
        let max = rest
            .split_once("(0..")
            .and_then(|(_, m)| m.split(')').next())
            .unwrap_or("?");
        return Some(format!(
            "an answer of {size} bytes is larger than receive.message.max.bytes ({max}): \
             {RECEIVE_MAX_HINT}"
        ));
    }
    let bytes = (size as i32).to_be_bytes();
    Some(if &bytes == b"HTTP" {
        "the server answered HTTP: this is an HTTP server, not a Kafka broker".to_string()
    } else if bytes[0] == 0x15 || bytes[0] == 0x16 {
        "the server answered with TLS: connect with --tls".to_string()
    } else {
        "the server's answer is not Kafka: is this the Kafka port?".to_string()
    })
}

/// What to check when the cluster did not answer in time.
pub const TIMEOUT_HINT: &str = "check that the brokers are up and reachable (`kctl doctor` checks \
     step by step), or give a longer --timeout";

/// What to check when the cluster did not answer a call that goes to a group's coordinator.
pub(crate) const COORDINATOR_HINT: &str =
    "check that the brokers are up and reachable (`kctl doctor` \
     checks step by step) and that the group coordinator is available: __consumer_offsets \
     needs a leader for every partition (`kctl topics describe __consumer_offsets`); or give \
     a longer --timeout";

/// What kctl asked of the connection, to read its failures by: TLS or not, the SASL login
/// (mechanism and user name, never the password), a client certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Expect {
    pub tls: bool,
    pub verify_hostname: bool,
    pub client_certificate: bool,
    /// The SASL mechanism, upper case.
    pub sasl: Option<String>,
    pub user: Option<String>,
}

impl Expect {
    pub fn of(config: &ClientConfig) -> Expect {
        let mode = config.security_mode();
        let has = |key: &str| config.user_property(key).is_some();
        Expect {
            tls: mode.tls,
            // librdkafka checks host names (`https`) unless told `none`.
            verify_hostname: config
                .user_property("ssl.endpoint.identification.algorithm")
                .is_none_or(|a| a.eq_ignore_ascii_case("https"))
                && config
                    .user_property("enable.ssl.certificate.verification")
                    .is_none_or(|v| v != "false"),
            client_certificate: has("ssl.certificate.location")
                || has("ssl.certificate.pem")
                || has("ssl.keystore.location"),
            sasl: mode.sasl.map(|m| m.to_ascii_uppercase()),
            user: config.user_property("sasl.username").map(str::to_string),
        }
    }

    /// `user alice (SCRAM-SHA-512)`, `OAUTHBEARER`: who logged in, for "authentication
    /// failed for ...".
    fn login(&self) -> String {
        let mechanism = self.sasl.as_deref().unwrap_or("SASL");
        match (&self.user, mechanism) {
            (Some(user), "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512") => {
                format!("user {user} ({mechanism})")
            }
            _ => format!("the {mechanism} login"),
        }
    }
}

/// What a connection failure was about, as far as kctl's advice goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailureKind {
    /// librdkafka could not get an OAUTHBEARER token.
    OAuthToken,
    /// The SASL login failed (or the listener does not take SASL, or wants it).
    Sasl,
    /// The TLS handshake failed (or the listener does not speak TLS, or wants it).
    Tls,
    /// The broker's certificate did not verify: which check failed is found out apart
    /// (see `Kafka::explain_certificate`).
    CertificateVerify,
    /// Anything else (refused, not resolved, not Kafka, ...).
    Other,
}

/// The stage of a connection a failure belongs to, as `kctl doctor` names its steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailedStage {
    /// The TLS handshake (or a TLS/plaintext mismatch).
    Handshake,
    /// The SASL login (or a SASL/plaintext mismatch).
    Authentication,
}

/// A connection failure librdkafka reported: what it was about, its reason as kctl words it,
/// and what to do about it.
///
/// librdkafka reports connection failures as words only (its `FAIL` log lines carry no error
/// code), so their kind is read from those words once, here, where its logs are parsed; all
/// that comes after goes by the kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub kind: FailureKind,
    pub reason: String,
    pub hint: Option<String>,
}

const SASL_HINT: &str = "check the SASL settings: --sasl-mechanism, --sasl-username and the \
     password (or the context's [sasl] table)";
const TLS_HINT: &str = "the TLS handshake failed: check --tls-ca (the CA that signed the \
     brokers' certificates), --tls-cert/--tls-key, and that the listener speaks TLS";

impl Failure {
    fn new(kind: FailureKind, reason: String, hint: impl Into<String>) -> Failure {
        Failure {
            kind,
            reason,
            hint: Some(hint.into()),
        }
    }

    /// Reads librdkafka's `reason` (from the line `raw`, which still says in which state the
    /// connection was) against what kctl asked for; `reached` says whether a call succeeded.
    pub fn explain(raw: &str, reason: &str, expect: &Expect, reached: bool) -> Failure {
        let reason = tidy_reason(reason);
        // The broker closed the connection: librdkafka says so when it reads, or, when it was
        // writing a request then, that the write failed on the closed socket.
        let peer_closed = reason.starts_with("Disconnected")
            || (reason.starts_with("Send failed") && reason.contains("Broken pipe"));
        let closed = (peer_closed && !reached)
            .then(|| connection_state(raw))
            .flatten();
        Failure::sasl(&reason, expect)
            .or_else(|| Failure::tls(&reason, expect))
            .or_else(|| closed.and_then(|state| Failure::closed(&reason, state, expect)))
            .unwrap_or_else(|| {
                if reason.contains("SASL") {
                    Failure::new(FailureKind::Sasl, reason, SASL_HINT)
                } else if reason.contains("SSL") || reason.contains("certificate") {
                    Failure::new(FailureKind::Tls, reason, TLS_HINT)
                } else {
                    Failure {
                        kind: FailureKind::Other,
                        reason,
                        hint: None,
                    }
                }
            })
    }

    /// A token librdkafka could not get, a refused login, a mechanism the listener does not
    /// offer, a listener that takes no SASL.
    fn sasl(reason: &str, expect: &Expect) -> Option<Failure> {
        let mechanism = expect.sasl.as_deref().unwrap_or("SASL");
        if reason.contains("OAUTHBEARER token") {
            return Some(Failure::new(FailureKind::OAuthToken, reason.to_string(), "librdkafka could not get an OAUTHBEARER token: check the token endpoint (--sasl-oauth-token-url, or the context's oauth-token-url) and the client id and secret (--sasl-username, --sasl-password-env/-file), or -X sasl.oauthbearer.config"));
        }
        if reason.contains("SASL authentication error") {
            let hint = if expect.sasl.as_deref() == Some("OAUTHBEARER") {
                "the broker refused the token: check what the token endpoint hands out and the \
                 broker's OAUTHBEARER settings (validator, issuer, audience)"
                    .to_string()
            } else {
                format!(
                    "check the SASL user name and password (--sasl-username, \
                     --sasl-password-env/--sasl-password-file, or the context's [sasl] table); \
                     the user must exist on the brokers for {mechanism}"
                )
            };
            return Some(Failure::new(
                FailureKind::Sasl,
                format!("authentication failed for {}: {reason}", expect.login()),
                hint,
            ));
        }
        let offered = reason.split("broker's supported mechanisms:").nth(1)?;
        let offered: Vec<&str> = offered
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .collect();
        Some(match offered.first() {
            None => Failure::new(
                FailureKind::Sasl,
                format!(
                    "this listener does not take SASL (it is a PLAINTEXT or SSL listener): \
                     {reason}"
                ),
                "connect to the brokers' SASL listener, or without --sasl-* (with --tls for an \
                 SSL listener)",
            ),
            Some(first) => Failure::new(
                FailureKind::Sasl,
                format!(
                    "the listener does not enable SASL {mechanism}; it offers {}: {reason}",
                    offered.join(", ")
                ),
                format!("use one of them: --sasl-mechanism {first}"),
            ),
        })
    }

    /// A PLAINTEXT listener met with TLS, a certificate that did not verify, a refused client
    /// certificate.
    fn tls(reason: &str, expect: &Expect) -> Option<Failure> {
        if reason.contains("connecting to a PLAINTEXT broker listener?") {
            let reason = reason.replace(": connecting to a PLAINTEXT broker listener?", "");
            return Some(Failure::plaintext_listener(&reason));
        }
        if reason.contains("certificate verify failed") {
            return Some(Failure::new(
                FailureKind::CertificateVerify,
                reason.to_string(),
                TLS_HINT,
            ));
        }
        let refused = match tls_alert(reason) {
            // The broker refused the certificate kctl sent, or wanted one and got none. Which
            // alert says so depends on the broker's JDK and TLS version: Java 17 answers a
            // missing or untrusted certificate with bad_certificate (42), Java 25 a missing one
            // with certificate_required (116); others send certificate_unknown (46) or
            // unknown_ca (48).
            Some(alert) if CLIENT_CERTIFICATE_ALERTS.contains(&alert) => true,
            // A bare handshake_failure (40) says no more than that; after kctl sent a
            // certificate, it is the certificate that a broker that wants one turns down.
            Some(HANDSHAKE_FAILURE) => expect.client_certificate,
            _ => false,
        };
        refused.then(|| {
            Failure::client_certificate(
                format!("the broker refused the client certificate: {reason}"),
                expect,
            )
        })
    }

    /// The broker refused the client certificate (or the lack of one), as `reason` says.
    fn client_certificate(reason: String, expect: &Expect) -> Failure {
        let hint = if expect.client_certificate {
            "the broker does not accept the client certificate: give --tls-cert/--tls-key a \
             certificate signed by a CA the brokers trust (their ssl.truststore)"
        } else {
            "the listener requires mutual TLS: give --tls-cert and --tls-key (a certificate \
             signed by a CA the brokers trust)"
        };
        Failure::new(FailureKind::Tls, reason, hint)
    }

    fn plaintext_listener(reason: &str) -> Failure {
        Failure::new(
            FailureKind::Tls,
            format!(
                "the TLS handshake failed: the broker closed the connection, as a PLAINTEXT \
                 listener does: {reason}"
            ),
            "connect without --tls/--tls-* to a PLAINTEXT listener, or to the brokers' TLS \
             listener",
        )
    }

    /// A connection the broker closed before any call succeeded, in librdkafka's `state`: a
    /// listener that expects TLS closes it on the plaintext ApiVersions, a PLAINTEXT one on
    /// the TLS handshake (librdkafka does not always ask "connecting to a PLAINTEXT broker
    /// listener?"), one that expects SASL answers ApiVersions and closes on the next request,
    /// one that refuses the client certificate may close it right after the handshake.
    fn closed(reason: &str, state: &str, expect: &Expect) -> Option<Failure> {
        match state {
            "SSL_HANDSHAKE" if expect.tls => Some(Failure::plaintext_listener(reason)),
            // TLS 1.3 ends the client's side of the handshake before the broker checks the
            // client certificate: a broker that refuses it without an alert kctl reads just
            // closes the connection then.
            "APIVERSION_QUERY" if expect.tls && expect.client_certificate => {
                Some(Failure::client_certificate(
                    format!(
                        "the broker closed the connection right after the TLS handshake, as a \
                         broker that does not accept the client certificate does: {reason}"
                    ),
                    expect,
                ))
            }
            "APIVERSION_QUERY" if !expect.tls => Some(Failure::new(
                FailureKind::Tls,
                format!(
                    "the broker closed the connection at the first request, as a TLS listener \
                     does to plaintext: {reason}"
                ),
                "connect with --tls (and --tls-ca FILE when a private CA signed the brokers' \
                 certificates), or to the brokers' PLAINTEXT listener",
            )),
            "UP" if expect.sasl.is_none() => Some(Failure::new(
                FailureKind::Sasl,
                format!(
                    "the broker closed the connection after the handshake, as a SASL listener \
                     does to a client that does not log in: {reason}"
                ),
                "log in with --sasl-mechanism MECHANISM --sasl-username USER \
                 --sasl-password-env VAR (or the context's [sasl] table), or connect to the \
                 brokers' listener without SASL",
            )),
            _ => None,
        }
    }

    /// A broker certificate that did not verify, once kctl knows whether only the host name
    /// check failed (`host_mismatch`) or the certificate is not trusted.
    pub fn certificate(host_mismatch: bool, brokers: &str) -> Failure {
        if host_mismatch {
            Failure::new(
                FailureKind::CertificateVerify,
                format!(
                    "certificate verify failed: hostname mismatch: the broker's certificate \
                     does not name the host kctl connects to ({brokers}), though a CA kctl \
                     trusts signed it"
                ),
                "connect by a host name or IP address the certificate names (its subject \
                 alternative names), or turn the host name check off: verify-hostname = false \
                 in the context's [tls], or -X ssl.endpoint.identification.algorithm=none",
            )
        } else {
            Failure::new(
                FailureKind::CertificateVerify,
                "certificate verify failed: unable to get local issuer certificate: the \
                 broker's certificate is not signed by a CA kctl trusts (--tls-ca, or the \
                 system's), or it expired"
                    .to_string(),
                "give --tls-ca the CA certificate (PEM) that signed the brokers' certificates \
                 (or the context's ca-file)",
            )
        }
    }

    /// What to check when a connection failed in its TLS or SASL stage.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// The stage the failure belongs to, when it is a TLS or SASL one.
    pub fn stage(&self) -> Option<FailedStage> {
        match self.kind {
            FailureKind::Tls | FailureKind::CertificateVerify => Some(FailedStage::Handshake),
            FailureKind::Sasl | FailureKind::OAuthToken => Some(FailedStage::Authentication),
            FailureKind::Other => None,
        }
    }
}

/// TLS alerts (RFC 8446 6.2, RFC 5246 7.2.2) a server sends about the client's certificate:
/// bad_certificate, unsupported_certificate, certificate_revoked, certificate_expired,
/// certificate_unknown, unknown_ca, certificate_required.
const CLIENT_CERTIFICATE_ALERTS: [u8; 7] = [42, 43, 44, 45, 46, 48, 116];
/// The TLS alert handshake_failure.
const HANDSHAKE_FAILURE: u8 = 40;

/// The number of the TLS alert the broker sent, out of librdkafka's words for a failed TLS
/// connection.
///
/// librdkafka hands a TLS failure on as text only: its `FAIL` log line and error event carry
/// OpenSSL's error string (`error:0A000412:SSL routines::sslv3 alert bad certificate: SSL
/// alert number 42`), and its error code says no more than "SSL" (or "transport"). So the
/// number is read out of that string: OpenSSL adds `SSL alert number N` to every alert it
/// *received* (an alert OpenSSL sends itself, as on a broker certificate that did not verify,
/// comes with its own reason instead), and packs the alert into the error code as reason
/// 1000 + N (`0A000412`, 1042; `14094412` in OpenSSL 1.1), read when the words are cut off.
/// The alert's name in the text (which differs between TLS versions and OpenSSL releases) is
/// never compared.
fn tls_alert(reason: &str) -> Option<u8> {
    const SAID: &str = "SSL alert number ";
    if let Some(at) = reason.find(SAID) {
        let digits: String = reason[at + SAID.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(alert) = digits.parse() {
            return Some(alert);
        }
    }
    // OpenSSL's packed code: "error:XXXXXXXX:" with the reason in its low 12 bits (OpenSSL 1.1
    // packs library, function and reason; 3.0 library and a 23-bit reason).
    let code = reason.split("error:").nth(1)?.split(':').next()?;
    let code = u32::from_str_radix(code, 16).ok()?;
    const LIB_SSL: u32 = 20;
    if code >> 23 != LIB_SSL && code >> 24 != LIB_SSL {
        return None;
    }
    let alert = (code & 0xfff).checked_sub(1000)?;
    u8::try_from(alert).ok()
}

/// The state a librdkafka broker connection was in, from "(after Nms in state X...)".
fn connection_state(raw: &str) -> Option<&str> {
    let rest = raw.split(" in state ").nth(1)?;
    rest.split([')', ',', ' ']).next()
}

/// Drops librdkafka's "host:port/id: " prefix and "(after Nms in state X)" suffix.
pub(crate) fn tidy_reason(reason: &str) -> String {
    if let Some(explained) = explain_bad_size(reason) {
        return explained;
    }
    let mut r = reason.trim();
    if let Some(idx) = r.find(" (after ") {
        r = &r[..idx];
    }
    if let Some((prefix, rest)) = r.split_once(": ") {
        if prefix.contains('/') && !prefix.contains(' ') {
            r = rest;
        }
    }
    r.to_string()
}
/// What a client does besides forwarding its logs and errors (a consumer follows rebalances
/// and statistics, a producer counts delivery reports: see their contexts).
pub(crate) trait Hooks: Send + Sync + 'static {
    /// librdkafka's statistics (JSON), when `statistics.interval.ms` is set.
    fn statistics(&self, _json: &[u8]) {}
}

impl Hooks for () {}

/// The rust-rdkafka context of every kctl client: logs and errors go to the connection state,
/// anything else to the client's hooks.
pub(crate) struct ClientCtx<H: Hooks = ()> {
    pub state: Arc<ConnState>,
    pub hooks: H,
}

impl<H: Hooks> ClientContext for ClientCtx<H> {
    fn stats_raw(&self, statistics: &[u8]) {
        self.hooks.statistics(statistics);
    }

    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        self.state.on_log(level as i32, fac, log_message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        let code = error.rdkafka_error_code().unwrap_or(RDKafkaErrorCode::Fail);
        // Reaching a partition's end is an event kctl asks consumers for, not an error.
        if code != RDKafkaErrorCode::PartitionEOF {
            self.state.on_error(code, reason);
        }
    }

    // A producer's token refresh events are served by rust-rdkafka's poll (the other
    // clients' by kctl's main-queue pump, see `EventSink::oauth_token`).
    const ENABLE_REFRESH_OAUTH_TOKEN: bool = true;

    fn generate_oauth_token(
        &self,
        _config: Option<&str>,
    ) -> std::result::Result<OAuthToken, Box<dyn std::error::Error>> {
        let Some(result) = self.state.oauth_token() else {
            return Err("no OIDC token endpoint is configured".into());
        };
        let token = result?;
        Ok(OAuthToken {
            token: token.value,
            principal_name: token.principal,
            lifetime_ms: token.lifetime_ms,
        })
    }
}

impl EventSink for ConnState {
    fn log(&self, level: i32, facility: &str, message: &str) {
        self.on_log(level, facility, message);
    }

    fn error(&self, code: RDKafkaErrorCode, reason: &str) {
        self.on_error(code, reason);
    }

    fn oauth_token(&self) -> Option<std::result::Result<super::oidc::Token, String>> {
        self.oidc.as_ref().map(super::oidc::Oidc::fetch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(brokers: &str) -> ConnState {
        ConnState::new(&ClientConfig::for_test(&["-b", brokers]))
    }

    fn unreachable(state: &ConnState) -> bool {
        *state.unreachable.borrow()
    }

    /// "All brokers down" makes the cluster unreachable only once every bootstrap address
    /// failed itself: librdkafka also says it while swapping bootstrap connections for the
    /// brokers the metadata named.
    #[test]
    fn unreachable_needs_every_bootstrap_address_to_fail() {
        let fail = |state: &ConnState, name: &str| {
            state.on_log(
                3,
                "FAIL",
                &format!("[thrd:{name}]: {name}: Connect to ipv4#10.0.0.1:9092 failed: Connection refused (after 0ms in state CONNECT)"),
            )
        };
        let s = state("Kafka-1:9092,kafka-2:9092");
        s.on_log(3, "ERROR", "2/2 brokers are down");
        assert!(!unreachable(&s), "no bootstrap address failed");
        fail(&s, "kafka-1:9092/bootstrap");
        s.on_error(RDKafkaErrorCode::AllBrokersDown, "2/2 brokers are down");
        assert!(!unreachable(&s), "kafka-2 did not fail");
        fail(&s, "ssl://KAFKA-2:9092/2");
        s.on_log(3, "ERROR", "[thrd:x]: 2/2 brokers are down");
        assert!(unreachable(&s));
        assert_eq!(
            s.last_error().map(|f| f.reason).as_deref(),
            Some("Connect to ipv4#10.0.0.1:9092 failed: Connection refused")
        );

        // The FAIL line coming after "all brokers are down" (they come by different paths).
        let s = state("kafka-1:9092");
        s.on_error(RDKafkaErrorCode::AllBrokersDown, "1/1 brokers are down");
        assert!(!unreachable(&s));
        fail(&s, "kafka-1:9092/bootstrap");
        assert!(unreachable(&s), "the late FAIL line completes the picture");

        // Once a call succeeded, never.
        let s = state("kafka-1:9092");
        s.mark_reached();
        fail(&s, "kafka-1:9092/bootstrap");
        s.on_log(3, "ERROR", "1/1 brokers are down");
        assert!(!unreachable(&s));
    }

    /// An error event the admin client can only log (here: no OAUTHBEARER token) is the cause
    /// a timeout reports; "all brokers down" is not.
    #[test]
    fn logged_error_events_are_the_last_error() {
        let s = state("kafka-1:9092");
        s.on_log(
            3,
            "ERROR",
            "[thrd:background]: Failed to acquire SASL OAUTHBEARER token: Failed to connect to idp port 443",
        );
        s.on_log(3, "ERROR", "[thrd:app]: 1/1 brokers are down");
        let last = s.last_error().unwrap();
        assert_eq!(
            last.reason,
            "Failed to acquire SASL OAUTHBEARER token: Failed to connect to idp port 443"
        );
        assert_eq!(last.kind, FailureKind::OAuthToken);
        assert!(last.hint().unwrap().contains("--sasl-oauth-token-url"));
    }

    /// What kctl asked for, and librdkafka's words for each refusal, read into named causes.
    #[test]
    fn refusals_are_explained_against_what_kctl_asked_for() {
        let scram = Expect {
            sasl: Some("SCRAM-SHA-512".into()),
            user: Some("alice".into()),
            ..Expect::default()
        };
        let explain = |raw: &str, expect: &Expect| Failure::explain(raw, raw, expect, false);
        let f = explain("h:1/bootstrap: SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512 (after 301ms in state AUTH_REQ)", &scram);
        assert_eq!(f.stage(), Some(FailedStage::Authentication));
        assert!(
            f.reason
                .starts_with("authentication failed for user alice (SCRAM-SHA-512): SASL"),
            "{f:?}"
        );
        assert!(!f.reason.contains("after 301ms"), "{f:?}");

        let plain = Expect {
            tls: true,
            sasl: Some("PLAIN".into()),
            user: Some("alice".into()),
            ..Expect::default()
        };
        let f = explain("h:1/bootstrap: SASL PLAIN mechanism handshake failed: Broker: Unsupported SASL mechanism: broker's supported mechanisms: SCRAM-SHA-512,SCRAM-SHA-256", &plain);
        assert!(
            f.reason.starts_with(
                "the listener does not enable SASL PLAIN; it offers SCRAM-SHA-512, SCRAM-SHA-256"
            ),
            "{f:?}"
        );
        assert_eq!(
            f.hint(),
            Some("use one of them: --sasl-mechanism SCRAM-SHA-512")
        );
        let f = explain("h:1/bootstrap: SASL SCRAM-SHA-512 mechanism handshake failed: Broker: Request not valid in current SASL state: broker's supported mechanisms: ", &scram);
        assert!(
            f.reason.starts_with("this listener does not take SASL"),
            "{f:?}"
        );

        let plaintext = Expect::default();
        let f = explain("h:1/bootstrap: Disconnected: connection closed by peer: receive 0 after POLLIN (after 1ms in state APIVERSION_QUERY)", &plaintext);
        assert_eq!(f.stage(), Some(FailedStage::Handshake));
        assert!(f.reason.contains("as a TLS listener does"), "{f:?}");
        let f = explain("h:1/bootstrap: Disconnected: connection closed by peer: receive 0 after POLLIN (after 2ms in state UP)", &plaintext);
        assert_eq!(f.stage(), Some(FailedStage::Authentication));
        assert!(f.reason.contains("as a SASL listener does"), "{f:?}");
        // The same close, met by the next request's write.
        let tls = Expect {
            tls: true,
            ..Expect::default()
        };
        let f = explain("ssl://h:1/bootstrap: Send failed: SSL transport error: Broken pipe (after 3ms in state UP)", &tls);
        assert_eq!(f.stage(), Some(FailedStage::Authentication));
        assert!(f.reason.contains("as a SASL listener does"), "{f:?}");
        // Once a call succeeded, a closed connection is only that.
        let f = Failure::explain("h:1/1: Disconnected: connection closed by peer: receive 0 after POLLIN (after 2ms in state UP)", "h:1/1: Disconnected: connection closed by peer: receive 0 after POLLIN (after 2ms in state UP)", &plaintext, true);
        assert_eq!(f.kind, FailureKind::Other);

        let tls = Expect {
            tls: true,
            ..Expect::default()
        };
        for raw in [
            "ssl://h:1/bootstrap: SSL handshake failed: Disconnected: SSL connection closed by peer: connecting to a PLAINTEXT broker listener? (after 1ms in state SSL_HANDSHAKE)",
            "ssl://h:1/bootstrap: Disconnected: SSL connection closed by peer (after 0ms in state SSL_HANDSHAKE)",
        ] {
            let f = explain(raw, &tls);
            assert!(f.reason.contains("as a PLAINTEXT listener does"), "{f:?}");
            assert!(!f.reason.contains('?'), "{f:?}");
        }
        let f = explain("ssl://h:1/bootstrap: SSL handshake failed: error:0A000086:SSL routines::certificate verify failed: broker certificate could not be verified, verify that ssl.ca.location is correctly configured (after 29ms in state SSL_HANDSHAKE)", &tls);
        assert_eq!(f.kind, FailureKind::CertificateVerify);
        let f = explain("ssl://h:1/bootstrap: Receive failed: error:0A00045C:SSL routines::tlsv13 alert certificate required: SSL alert number 116", &tls);
        assert!(
            f.hint().unwrap().contains("--tls-cert and --tls-key"),
            "{f:?}"
        );
        assert_eq!(f.stage(), Some(FailedStage::Handshake));
        assert!(
            f.reason
                .starts_with("the broker refused the client certificate: "),
            "{f:?}"
        );
        assert!(Failure::certificate(true, "h:1")
            .reason
            .contains("hostname mismatch"));
        assert!(Failure::certificate(false, "h:1")
            .reason
            .contains("unable to get local issuer certificate"));
    }

    /// A refused client certificate is named whichever alert the broker sends it with (the
    /// JDK and the TLS version decide), read by the alert's number, never its name.
    #[test]
    fn a_refused_client_certificate_is_named_whatever_alert_says_so() {
        let explain = |raw: &str, expect: &Expect| Failure::explain(raw, raw, expect, false);
        let without = Expect {
            tls: true,
            ..Expect::default()
        };
        let with = Expect {
            tls: true,
            client_certificate: true,
            ..Expect::default()
        };
        let refusals = [
            // Java 17, no or an untrusted certificate (TLS 1.3: read after the handshake).
            "ssl://h:1/bootstrap: Receive failed: error:0A000412:SSL routines::sslv3 alert bad certificate: SSL alert number 42 (after 12ms in state APIVERSION_QUERY)",
            "ssl://h:1/bootstrap: SSL handshake failed: error:0A000412:SSL routines::sslv3 alert bad certificate: SSL alert number 42 (after 9ms in state SSL_HANDSHAKE)",
            "ssl://h:1/bootstrap: SSL handshake failed: error:0A000416:SSL routines::sslv3 alert certificate unknown: SSL alert number 46",
            "ssl://h:1/bootstrap: SSL handshake failed: error:0A000418:SSL routines::tlsv1 alert unknown ca: SSL alert number 48",
            "ssl://h:1/bootstrap: Receive failed: error:0A00045C:SSL routines::tlsv13 alert certificate required: SSL alert number 116",
            // OpenSSL 1.1's layout; and words cut off before the number.
            "ssl://h:1/bootstrap: SSL handshake failed: error:14094412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate: SSL alert number 42",
            "ssl://h:1/bootstrap: Receive failed: error:0A000412:SSL routines::sslv3 alert bad",
        ];
        for raw in refusals {
            for expect in [&without, &with] {
                let f = explain(raw, expect);
                assert_eq!(f.stage(), Some(FailedStage::Handshake), "{raw}");
                assert!(
                    f.reason
                        .starts_with("the broker refused the client certificate: "),
                    "{f:?}"
                );
                assert!(!f.reason.contains("(after "), "{f:?}");
                let hint = f.hint().unwrap();
                match expect.client_certificate {
                    true => assert!(hint.contains("does not accept the client certificate")),
                    false => assert!(hint.contains("requires mutual TLS"), "{hint}"),
                }
            }
        }
        // handshake_failure (40) names the certificate only when kctl sent one.
        let failure = "ssl://h:1/bootstrap: SSL handshake failed: error:0A000410:SSL routines::sslv3 alert handshake failure: SSL alert number 40";
        assert!(explain(failure, &with)
            .reason
            .starts_with("the broker refused the client certificate"));
        let f = explain(failure, &without);
        assert_eq!(f.kind, FailureKind::Tls);
        assert!(!f.reason.contains("client certificate"), "{f:?}");
        // A broker that closes the connection right after the handshake, kctl having sent a
        // certificate.
        let closed = "ssl://h:1/bootstrap: Disconnected: connection closed by peer: receive 0 after POLLIN (after 3ms in state APIVERSION_QUERY)";
        let f = explain(closed, &with);
        assert!(f.reason.contains("client certificate"), "{f:?}");
        assert_eq!(f.stage(), Some(FailedStage::Handshake));

        assert_eq!(tls_alert("SSL alert number 116"), Some(116));
        assert_eq!(
            tls_alert("error:0A000086:SSL routines::certificate verify failed"),
            None
        );
        assert_eq!(
            tls_alert("error:1E08010C:DECODER routines::unsupported"),
            None
        );
        assert_eq!(tls_alert("Connection refused"), None);
    }

    #[test]
    fn brokers_down_lines_parse() {
        assert_eq!(parse_brokers_down("1/1 brokers are down"), Some((1, 1)));
        assert_eq!(
            parse_brokers_down("[thrd:x]: 2/3 brokers are down"),
            Some((2, 3))
        );
        assert_eq!(parse_brokers_down("something else"), None);
    }

    #[test]
    fn reasons_are_tidied() {
        assert_eq!(
            tidy_reason("127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused (after 0ms in state CONNECT)"),
            "Connect to ipv4#127.0.0.1:1 failed: Connection refused"
        );
    }

    #[test]
    fn odd_answers_are_explained() {
        let http = "127.0.0.1:5/bootstrap: Receive failed: Invalid response size 1213486160 (0..100000000): increase receive.message.max.bytes";
        assert!(tidy_reason(http).contains("HTTP server"));
        let tls = format!(
            "Invalid response size {} (0..1)",
            i32::from_be_bytes([0x15, 3, 3, 0])
        );
        assert!(tidy_reason(&tls).contains("TLS"));
    }

    /// On a connection that spoke Kafka, "Invalid response size" is an answer too large for
    /// receive.message.max.bytes: the explanation names the setting and how to raise it.
    #[test]
    fn a_too_large_answer_names_receive_message_max_bytes() {
        let big = "127.0.0.1:42703/1: Receive failed: Invalid response size 300134 (0..10000): increase receive.message.max.bytes (after 0ms in state UP)";
        let why = tidy_reason(big);
        assert!(
            why.starts_with(
                "an answer of 300134 bytes is larger than receive.message.max.bytes (10000): \
                 raise it with -X receive.message.max.bytes="
            ),
            "{why}"
        );
        assert!(why.contains("fetch.max.bytes"), "{why}");
        // Before the handshake it is still "not Kafka".
        let http = "127.0.0.1:5/bootstrap: Receive failed: Invalid response size 1213486160 (0..100000000): increase receive.message.max.bytes (after 1ms in state APIVERSION_QUERY)";
        assert!(tidy_reason(http).contains("HTTP server"));
    }
}
