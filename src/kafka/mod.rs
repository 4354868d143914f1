//! Kafka access: the one module that talks to librdkafka.
//!
//! The rest of kctl sees only [`Kafka`] and the plain types below; nothing from `rdkafka::`
//! leaks out. Every call is bounded by the global timeout, blocking librdkafka calls run on
//! tokio's blocking pool, and a cluster that cannot be reached at all fails fast with the
//! reason librdkafka gave (connection refused, name not resolved, ...).

mod consumer;
mod groups;
mod names;
mod native;
pub mod probe;
mod producer;
mod topic;

pub use consumer::{
    record_timestamps, Consumer, GroupStatus, Polled, ReadMode, RecordRef, Revocation, StartOffset,
    TimestampType,
};
pub use groups::{CommittedOffset, GroupInfo, GroupListing, GroupMember, GroupState, GroupType};
pub use producer::{
    check_timestamp, Compression, DeliveryStats, OutRecord, Producer, ProducerOptions, RecordTime,
};

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rdkafka::admin::{
    AdminClient, AdminOptions, ConfigSource, NewTopic, ResourceSpecifier, TopicReplication,
};
use rdkafka::client::ClientContext;
use rdkafka::config::{ClientConfig, FromClientConfigAndContext, RDKafkaLogLevel};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use tokio::sync::watch;

use crate::error::{Error, Result};
use crate::settings::Settings;

use native::{AdminCallError, ClientPtr, MainQueuePump, NativeError};

/// The longest wait a librdkafka call takes: its timeouts are `int` milliseconds (about 24.8
/// days). `--timeout` accepts up to this.
pub const MAX_TIMEOUT: Duration = Duration::from_millis(i32::MAX as u64);

/// The longest request timeout librdkafka's admin calls take (AdminOptions: 0..3600000 ms).
/// A longer `--timeout` bounds each admin request by this.
const MAX_ADMIN_REQUEST: Duration = Duration::from_secs(3600);

/// `timeout` as an admin call's request timeout: at most librdkafka's limit.
pub(crate) fn admin_request_timeout(timeout: Duration) -> Duration {
    timeout.min(MAX_ADMIN_REQUEST)
}

/// The most partitions librdkafka lets a topic be created with (RD_KAFKAP_PARTITIONS_MAX).
pub const MAX_PARTITIONS: i64 = 100_000;
/// The largest replication factor librdkafka lets a topic be created with
/// (RD_KAFKAP_BROKERS_MAX).
pub const MAX_REPLICATION_FACTOR: i64 = 10_000;

/// Checks `-X` properties against librdkafka without connecting anywhere.
pub fn validate_properties(properties: &[(String, String)]) -> Result<()> {
    for (key, value) in properties {
        let mut config = ClientConfig::new();
        config.set(key, value);
        if let Err(err) = config.create_native_config() {
            let reason = match err {
                KafkaError::ClientConfig(_, desc, _, _) => desc,
                other => other.to_string(),
            };
            return Err(Error::usage(format!("invalid -X {key}: {reason}")));
        }
    }
    Ok(())
}

/// The kind of a broker-side failure that commands act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    TopicAlreadyExists,
    UnknownTopic,
    InvalidTopic,
    InvalidPartitions,
    InvalidReplicationFactor,
    InvalidConfig,
    PolicyViolation,
    NotAuthorized,
    Other,
}

/// A failure the broker reported for one item of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerError {
    pub code: Code,
    pub message: String,
}

impl std::fmt::Display for BrokerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn broker_error(code: RDKafkaErrorCode, detail: Option<&str>) -> BrokerError {
    use RDKafkaErrorCode as E;
    let kind = match code {
        E::TopicAlreadyExists => Code::TopicAlreadyExists,
        E::UnknownTopicOrPartition | E::UnknownTopic | E::UnknownTopicId => Code::UnknownTopic,
        E::InvalidTopic => Code::InvalidTopic,
        E::InvalidPartitions => Code::InvalidPartitions,
        E::InvalidReplicationFactor => Code::InvalidReplicationFactor,
        E::InvalidConfig => Code::InvalidConfig,
        E::PolicyViolation => Code::PolicyViolation,
        E::TopicAuthorizationFailed
        | E::GroupAuthorizationFailed
        | E::ClusterAuthorizationFailed => Code::NotAuthorized,
        _ => Code::Other,
    };
    let described = native::describe(code);
    let mut message = described
        .strip_prefix("Broker: ")
        .or_else(|| described.strip_prefix("Local: "))
        .unwrap_or(&described)
        .to_string();
    if let Some(first) = message.get(..1) {
        message = first.to_lowercase() + &message[1..];
    }
    if let Some(detail) = detail.map(str::trim).filter(|d| !d.is_empty()) {
        if !described.contains(detail) {
            message = format!("{message} ({detail})");
        }
    }
    BrokerError {
        code: kind,
        message,
    }
}

/// A broker as the cluster advertises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broker {
    pub id: i32,
    pub host: String,
    pub port: i32,
}

/// A partition as the metadata describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionInfo {
    pub id: i32,
    /// The leader's broker id, `None` when the partition has no leader.
    pub leader: Option<i32>,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    pub error: Option<String>,
}

/// A topic as the metadata describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicInfo {
    pub name: String,
    pub partitions: Vec<PartitionInfo>,
    pub error: Option<BrokerError>,
}

impl TopicInfo {
    /// Kafka's internal topics (`__consumer_offsets`, `__transaction_state`) start with `__`.
    pub fn is_internal(&self) -> bool {
        self.name.starts_with("__")
    }

    pub fn replication_factor(&self) -> usize {
        self.partitions
            .iter()
            .map(|p| p.replicas.len())
            .max()
            .unwrap_or(0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterInfo {
    pub brokers: Vec<Broker>,
    pub topics: Vec<TopicInfo>,
}

impl ClusterInfo {
    pub fn topic(&self, name: &str) -> Option<&TopicInfo> {
        self.topics.iter().find(|t| t.name == name)
    }
}

/// A topic to create. `None` leaves the value to the broker's default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTopicSpec {
    pub name: String,
    pub partitions: Option<i32>,
    pub replication_factor: Option<i32>,
    pub configs: Vec<(String, String)>,
}

/// One config entry of a topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigValue {
    pub name: String,
    /// `None` for sensitive values, which brokers never return.
    pub value: Option<String>,
    /// Set explicitly on the topic (not a broker or built-in default).
    pub is_topic_override: bool,
}

/// Which offset ListOffsets asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetSpec {
    Earliest,
    Latest,
    /// The first offset whose timestamp is at or after this time (ms since the epoch). A time
    /// before the epoch is before every record: the earliest offset.
    Timestamp(i64),
}

impl OffsetSpec {
    /// ListOffsets' value: a timestamp, or -1 latest, -2 earliest (and -3 the record with the
    /// largest timestamp, which kctl does not ask for). A negative time must not read as one of
    /// those, nor be refused as an invalid offset: nothing is before it, so it is the earliest.
    fn native(self) -> i64 {
        match self {
            OffsetSpec::Earliest => -2,
            OffsetSpec::Latest => -1,
            OffsetSpec::Timestamp(ts) if ts < 0 => -2,
            OffsetSpec::Timestamp(ts) => ts,
        }
    }
}

/// A (topic, partition) pair.
pub type TopicPartition = (String, i32);

fn topic_info(t: &rdkafka::metadata::MetadataTopic) -> TopicInfo {
    TopicInfo {
        name: t.name().to_string(),
        error: t.error().map(|e| broker_error(e.into(), None)),
        partitions: t
            .partitions()
            .iter()
            .map(|p| PartitionInfo {
                id: p.id(),
                leader: (p.leader() >= 0).then(|| p.leader()),
                replicas: p.replicas().to_vec(),
                isr: p.isr().to_vec(),
                error: p.error().map(|e| broker_error(e.into(), None).message),
            })
            .collect(),
    }
}

/// What librdkafka told us about the connection, served by the main-queue pump.
pub(crate) struct ConnState {
    verbose: u8,
    last_error: Mutex<Option<String>>,
    /// True while every broker is down and none has ever answered.
    unreachable: watch::Sender<bool>,
    reached: std::sync::atomic::AtomicBool,
    /// The bootstrap addresses (`host:port`, lower case), and those a connection to failed.
    /// librdkafka says "all brokers are down" also while it swaps the bootstrap connections for
    /// the brokers the metadata named, so that alone does not make the cluster unreachable:
    /// every bootstrap address must have failed too.
    bootstrap: Vec<String>,
    failed: Mutex<std::collections::HashSet<String>>,
}

impl ConnState {
    fn new(settings: &Settings) -> ConnState {
        let list = topic::user_property(settings, "bootstrap.servers")
            .map(str::to_string)
            .unwrap_or_else(|| settings.bootstrap_servers());
        ConnState {
            verbose: settings.verbose,
            last_error: Mutex::new(None),
            unreachable: watch::channel(false).0,
            reached: std::sync::atomic::AtomicBool::new(false),
            bootstrap: list
                .split(',')
                .map(|a| address_of(a.trim()))
                .filter(|a| !a.is_empty())
                .collect(),
            failed: Mutex::new(std::collections::HashSet::new()),
        }
    }

    fn on_log(&self, level: i32, facility: &str, message: &str) {
        if self.verbose > 0 {
            let message = crate::security::scrub(message);
            eprintln!("librdkafka[{level}] {facility}: {message}");
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
            if let Ok(mut last) = self.last_error.lock() {
                *last = Some(tidy_reason(reason));
            }
        }
        // Without an error callback (the admin client) librdkafka logs its error events with
        // this facility: "all brokers down", and errors that are no connection failure, such
        // as an OAUTHBEARER token it could not get. The latter is the cause to report.
        if facility == "ERROR" {
            match parse_brokers_down(message) {
                Some((down, total)) => {
                    if down == total {
                        self.all_down();
                    }
                }
                None => {
                    let reason = strip_thread(message);
                    if let Ok(mut last) = self.last_error.lock() {
                        *last = Some(tidy_reason(reason));
                    }
                }
            }
        }
    }

    /// librdkafka counts every broker down: the cluster is unreachable if none ever answered
    /// and every bootstrap address failed.
    fn all_down(&self) {
        if self.reached.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        let every_bootstrap_failed = self.failed.lock().is_ok_and(|failed| {
            !self.bootstrap.is_empty() && self.bootstrap.iter().all(|a| failed.contains(a))
        });
        if every_bootstrap_failed {
            self.unreachable.send_replace(true);
        }
    }

    fn on_error(&self, code: RDKafkaErrorCode, reason: &str) {
        if self.verbose > 0 {
            eprintln!("librdkafka error: {}", crate::security::scrub(reason));
        }
        if code == RDKafkaErrorCode::AllBrokersDown {
            self.all_down();
        } else if let Ok(mut last) = self.last_error.lock() {
            *last = Some(tidy_reason(reason));
        }
    }

    fn last_error(&self) -> Option<String> {
        self.last_error.lock().ok().and_then(|l| l.clone())
    }

    fn mark_reached(&self) {
        self.reached
            .store(true, std::sync::atomic::Ordering::Relaxed);
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
const RECEIVE_MAX_HINT: &str = "raise it with -X receive.message.max.bytes=BYTES (at most \
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

/// A consumer's "bad message format": what a fetch answer larger than
/// receive.message.max.bytes reads as (librdkafka drops the connection and fails the fetch),
/// or a corrupt record. Names the setting and its value.
pub(crate) fn bad_message_error(topic: &str, client: native::ClientPtr) -> Error {
    let max = native::config_value(client, "receive.message.max.bytes")
        .unwrap_or_else(|| "?".to_string());
    Error::runtime(format!(
        "cannot consume from '{topic}': bad message format: an answer from the broker was \
         larger than receive.message.max.bytes ({max} bytes), or corrupt"
    ))
    .with_hint(format!(
        "if records (or what one fetch returns) are that large, {RECEIVE_MAX_HINT}"
    ))
}

/// What to check when the cluster did not answer in time.
const TIMEOUT_HINT: &str = "check that the brokers are up and reachable (`kctl doctor` checks \
     step by step), or give a longer --timeout";

/// What to check when the cluster did not answer a call that goes to a group's coordinator.
const COORDINATOR_HINT: &str = "check that the brokers are up and reachable (`kctl doctor` \
     checks step by step) and that the group coordinator is available: __consumer_offsets \
     needs a leader for every partition (`kctl topics describe __consumer_offsets`); or give \
     a longer --timeout";

/// What to check when a connection failed in its TLS or SASL stage.
fn security_hint(reason: &str) -> Option<&'static str> {
    if reason.contains("OAUTHBEARER token") {
        Some("librdkafka could not get an OAUTHBEARER token: check the token endpoint (--sasl-oauth-token-url, or the context's oauth-token-url) and the client id and secret (--sasl-username, --sasl-password-env/-file), or -X sasl.oauthbearer.config")
    } else if reason.contains("SASL") {
        Some("check the SASL settings: --sasl-mechanism, --sasl-username and the password (or the context's [sasl] table)")
    } else if reason.contains("SSL") || reason.contains("certificate") {
        Some("the TLS handshake failed: check --tls-ca (the CA that signed the brokers' certificates), --tls-cert/--tls-key, and that the listener speaks TLS")
    } else {
        None
    }
}

/// Drops librdkafka's "host:port/id: " prefix and "(after Nms in state X)" suffix.
fn tidy_reason(reason: &str) -> String {
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

struct Ctx {
    state: Arc<ConnState>,
}

impl ClientContext for Ctx {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        self.state.on_log(level as i32, fac, log_message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        let code = error.rdkafka_error_code().unwrap_or(RDKafkaErrorCode::Fail);
        self.state.on_error(code, reason);
    }
}

/// A connection to a Kafka cluster for admin and metadata calls.
pub struct Kafka {
    // Declared first so it stops before the client it serves is destroyed.
    _pump: MainQueuePump,
    admin: Arc<AdminClient<Ctx>>,
    state: Arc<ConnState>,
    timeout: Duration,
    brokers: String,
}

/// Drops a client on a thread of its own: tearing librdkafka down takes a moment that nothing
/// needs to wait for (call once nothing is left in flight).
fn drop_in_background<T: Send + 'static>(client: T) {
    let _ = std::thread::Builder::new()
        .name("kctl-close".into())
        .spawn(move || drop(client));
}

/// Process-wide setup for librdkafka's dependencies; call first thing, before any client.
pub fn init_process() {
    native::init_process();
}

/// The librdkafka configuration kctl uses for a client, before the user's `-X` properties.
pub(crate) fn base_config(settings: &Settings) -> ClientConfig {
    let mut config = ClientConfig::new();
    let timeout_ms = settings.timeout.as_millis().clamp(1000, i32::MAX as u128);
    config
        .set("bootstrap.servers", settings.bootstrap_servers())
        .set("client.id", "kctl")
        .set("socket.connection.setup.timeout.ms", timeout_ms.to_string())
        .set("reconnect.backoff.ms", "50")
        .set("reconnect.backoff.max.ms", "1000")
        // Connect to each broker as soon as the metadata names it, not when a request first
        // waits for it: kctl's commands need the leaders or the coordinator anyway, and on
        // demand each costs a wait (measured: producing 1,000 records took 40 ms, 18 ms eager).
        .set("enable.sparse.connections", "false")
        // Never create a topic as a side effect of asking about it.
        .set("allow.auto.create.topics", "false");
    match settings.verbose {
        0 => config.set_log_level(RDKafkaLogLevel::Error),
        1 => config.set_log_level(RDKafkaLogLevel::Info),
        _ => config
            .set("debug", "broker,topic,metadata,protocol,security")
            .set_log_level(RDKafkaLogLevel::Debug),
    };
    for (key, value) in &settings.properties {
        config.set(key, value);
    }
    config
}

/// How the resolved configuration secures its connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityMode {
    pub tls: bool,
    /// The SASL mechanism, when the connection authenticates with SASL.
    pub sasl: Option<String>,
}

/// The TLS and SASL mode of the resolved configuration (flags, context and -X applied).
pub fn security_mode(settings: &Settings) -> SecurityMode {
    let config = base_config(settings);
    let protocol = config
        .get("security.protocol")
        .unwrap_or("plaintext")
        .to_ascii_lowercase();
    let sasl = protocol.starts_with("sasl").then(|| {
        config
            .get("sasl.mechanisms")
            .or_else(|| config.get("sasl.mechanism"))
            .unwrap_or("GSSAPI")
            .to_string()
    });
    SecurityMode {
        tls: protocol == "ssl" || protocol == "sasl_ssl",
        sasl,
    }
}

impl Kafka {
    /// Creates the client. This does not wait for a connection: the first call does.
    pub fn connect(settings: &Settings) -> Result<Kafka> {
        let state = Arc::new(ConnState::new(settings));
        let config = base_config(settings);
        let admin = AdminClient::from_config_and_context(
            &config,
            Ctx {
                state: state.clone(),
            },
        )
        .map_err(|e| Error::usage(format!("cannot create the Kafka client: {e}")))?;
        let admin = Arc::new(admin);
        let pump = MainQueuePump::start(ClientPtr(admin.inner().native_ptr()), state.clone());
        Ok(Kafka {
            _pump: pump,
            admin,
            state,
            timeout: settings.timeout,
            brokers: settings.bootstrap_servers(),
        })
    }

    fn admin_options(&self) -> AdminOptions {
        let timeout = admin_request_timeout(self.timeout);
        AdminOptions::new()
            .request_timeout(Some(timeout))
            .operation_timeout(Some(timeout))
    }

    fn timeout_error(&self, what: &str) -> Error {
        let mut message = format!(
            "{what}: no answer from the cluster at {} within {}",
            self.brokers,
            crate::settings::format_duration(self.timeout)
        );
        if let Some(last) = self.state.last_error() {
            message.push_str(&format!(" (last error: {last})"));
        }
        let hint = self
            .state
            .last_error()
            .and_then(|e| security_hint(&e))
            .unwrap_or(TIMEOUT_HINT);
        Error::runtime(message).with_hint(hint)
    }

    /// A call to a group's coordinator that timed out says what to check about coordinators.
    fn coordinator_timeout(err: Error) -> Error {
        if err.hint() == Some(TIMEOUT_HINT) {
            err.with_hint(COORDINATOR_HINT)
        } else {
            err
        }
    }

    fn unreachable_error(&self, what: &str) -> Error {
        let reason = self
            .state
            .last_error()
            .unwrap_or_else(|| "all brokers are down".to_string());
        Error::runtime(format!(
            "{what}: no Kafka broker answered at {}: {reason}",
            self.brokers
        ))
        .with_hint(security_hint(&reason).unwrap_or(
            "check the address (-b/--brokers or KCTL_BROKERS) and that Kafka is running there; \
             `kctl doctor` checks the connection step by step",
        ))
    }

    /// Runs `fut` bounded by the timeout, failing fast when no broker can be reached at all.
    async fn bounded<T>(&self, what: &str, fut: impl Future<Output = Result<T>>) -> Result<T> {
        let result = self.bound(what, fut).await;
        if result.is_ok() {
            self.state.mark_reached();
        }
        result
    }

    /// [`Kafka::bounded`] without marking the cluster as reached: the caller knows better.
    async fn bound<T>(&self, what: &str, fut: impl Future<Output = Result<T>>) -> Result<T> {
        let mut unreachable = self.state.unreachable.subscribe();
        // The `Ref` that `wait_for` returns holds the watch's read lock: it must not live on
        // while this arm awaits, or a concurrent `mark_reached` on this thread deadlocks.
        let all_down = async move {
            if unreachable.wait_for(|down| *down).await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            r = fut => r,
            _ = tokio::time::sleep(self.timeout) => Err(self.timeout_error(what)),
            () = all_down => {
                // The reason may still be queued behind the "all brokers down" line.
                for _ in 0..20 {
                    if self.state.last_error().is_some() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                Err(self.unreachable_error(what))
            }
        }
    }

    /// Runs a blocking librdkafka call on the blocking pool, bounded like every call. The outer
    /// error is the bound (timeout, unreachable cluster); the inner one is the call's own. Only
    /// a call that succeeded proves the cluster was reached.
    async fn blocking<T, E, F>(&self, what: &str, f: F) -> Result<std::result::Result<T, E>>
    where
        T: Send + 'static,
        E: Send + 'static,
        F: FnOnce(&AdminClient<Ctx>, Duration) -> std::result::Result<T, E> + Send + 'static,
    {
        let admin = self.admin.clone();
        // rust-rdkafka converts a Duration to int milliseconds by wrapping.
        let timeout = self.timeout.min(MAX_TIMEOUT);
        let result = self
            .bound(what, async move {
                tokio::task::spawn_blocking(move || f(&admin, timeout))
                    .await
                    .map_err(|e| Error::runtime(format!("internal error: {e}")))
            })
            .await;
        if matches!(result, Ok(Ok(_))) {
            self.state.mark_reached();
        }
        result
    }

    fn call_error(&self, what: &str, err: AdminCallError) -> Error {
        match err {
            AdminCallError::TimedOut => self.timeout_error(what),
            AdminCallError::Failed(e) => self.native_error(what, e),
        }
    }

    fn native_error(&self, what: &str, err: NativeError) -> Error {
        match err.code {
            RDKafkaErrorCode::OperationTimedOut | RDKafkaErrorCode::RequestTimedOut => {
                self.timeout_error(what)
            }
            _ => Error::runtime(format!(
                "{what}: {}",
                broker_error(err.code, Some(&err.message))
            )),
        }
    }

    fn kafka_error(&self, what: &str, err: KafkaError) -> Error {
        // rust-rdkafka keeps the code of a failed admin operation out of rdkafka_error_code().
        let code = match &err {
            KafkaError::AdminOp(code) => Some(*code),
            other => other.rdkafka_error_code(),
        };
        match code {
            Some(RDKafkaErrorCode::OperationTimedOut)
            | Some(RDKafkaErrorCode::RequestTimedOut)
            | Some(RDKafkaErrorCode::BrokerTransportFailure)
            | Some(RDKafkaErrorCode::AllBrokersDown) => self.timeout_error(what),
            Some(code) => Error::runtime(format!("{what}: {}", broker_error(code, None))),
            None => Error::runtime(format!("{what}: {err}")),
        }
    }

    /// Cluster metadata for all topics (one request).
    pub async fn metadata(&self) -> Result<ClusterInfo> {
        let what = "cannot read the cluster metadata";
        self.blocking(what, move |admin, timeout| {
            admin
                .inner()
                .fetch_metadata(None, timeout)
                .map(|md| ClusterInfo {
                    brokers: md
                        .brokers()
                        .iter()
                        .map(|b| Broker {
                            id: b.id(),
                            host: b.host().to_string(),
                            port: b.port(),
                        })
                        .collect(),
                    topics: md.topics().iter().map(topic_info).collect(),
                })
        })
        .await?
        .map_err(|e| self.kafka_error(what, e))
    }

    /// Creates one topic; `Ok(Err(..))` is the broker's refusal.
    pub async fn create_topic(
        &self,
        spec: &NewTopicSpec,
        validate_only: bool,
    ) -> Result<std::result::Result<(), BrokerError>> {
        let what = format!("cannot create topic '{}'", spec.name);
        let mut topic = NewTopic::new(
            &spec.name,
            spec.partitions.unwrap_or(-1),
            TopicReplication::Fixed(spec.replication_factor.unwrap_or(-1)),
        );
        for (k, v) in &spec.configs {
            topic = topic.set(k, v);
        }
        let opts = self.admin_options().validate_only(validate_only);
        let results = self
            .bounded(&what, async {
                self.admin
                    .create_topics([&topic], &opts)
                    .await
                    .map_err(|e| self.kafka_error(&what, e))
            })
            .await?;
        match results.into_iter().next() {
            Some(Ok(_)) => Ok(Ok(())),
            Some(Err((_, code))) => match code {
                RDKafkaErrorCode::OperationTimedOut | RDKafkaErrorCode::RequestTimedOut => {
                    Err(self.timeout_error(&what))
                }
                code => Ok(Err(broker_error(code, None))),
            },
            None => Err(Error::runtime(format!("{what}: the broker sent no result"))),
        }
    }

    /// Waits until the metadata shows topic `name` with a leader for every partition, for at
    /// most `limit`; false if it still does not. A broker answers CreateTopics once the
    /// controller has the topic, and the brokers' metadata may lag a moment behind: a produce
    /// or describe right after would not find the topic yet.
    pub async fn wait_for_topic(&self, name: &str, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let topic = name.to_string();
            let ready = self
                .blocking("cannot read the topic's metadata", move |admin, timeout| {
                    admin
                        .inner()
                        .fetch_metadata(Some(&topic), timeout)
                        .map(|md| {
                            md.topics().iter().map(topic_info).any(|t| {
                                t.name == topic
                                    && t.error.is_none()
                                    && !t.partitions.is_empty()
                                    && t.partitions.iter().all(|p| p.leader.is_some())
                            })
                        })
                })
                .await;
            if matches!(ready, Ok(Ok(true))) {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Deletes topics; one result per name, in order.
    pub async fn delete_topics(
        &self,
        names: &[String],
    ) -> Result<Vec<(String, std::result::Result<(), BrokerError>)>> {
        let what = "cannot delete topics";
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let opts = self.admin_options();
        let results = self
            .bounded(what, async {
                self.admin
                    .delete_topics(&refs, &opts)
                    .await
                    .map_err(|e| self.kafka_error(what, e))
            })
            .await?;
        Ok(results
            .into_iter()
            .map(|r| match r {
                Ok(name) => (name, Ok(())),
                Err((name, code)) => (name, Err(broker_error(code, None))),
            })
            .collect())
    }

    /// The configs of each named topic.
    pub async fn topic_configs(
        &self,
        names: &[String],
    ) -> Result<BTreeMap<String, Vec<ConfigValue>>> {
        let what = "cannot read topic configs";
        if names.is_empty() {
            return Ok(BTreeMap::new());
        }
        let specs: Vec<ResourceSpecifier> =
            names.iter().map(|n| ResourceSpecifier::Topic(n)).collect();
        let opts = self.admin_options();
        let results = self
            .bounded(what, async {
                self.admin
                    .describe_configs(&specs, &opts)
                    .await
                    .map_err(|e| self.kafka_error(what, e))
            })
            .await?;
        let mut out = BTreeMap::new();
        for (name, result) in names.iter().zip(results) {
            let resource = result.map_err(|code| {
                Error::runtime(format!(
                    "cannot read the configs of topic '{name}': {}",
                    broker_error(code, None)
                ))
            })?;
            let entries = resource
                .entries
                .into_iter()
                .map(|e| ConfigValue {
                    is_topic_override: e.source == ConfigSource::DynamicTopic,
                    name: e.name,
                    value: if e.is_sensitive { None } else { e.value },
                })
                .collect();
            out.insert(name.clone(), entries);
        }
        Ok(out)
    }

    /// Offsets for many partitions in one batched ListOffsets call (librdkafka sends one
    /// request per leader). Each partition has its own result.
    pub async fn list_offsets(
        &self,
        partitions: &[TopicPartition],
        spec: OffsetSpec,
    ) -> Result<BTreeMap<TopicPartition, std::result::Result<i64, BrokerError>>> {
        let what = "cannot list offsets";
        let mut unique = partitions.to_vec();
        unique.sort();
        unique.dedup();
        let client = ClientPtr(self.admin.inner().native_ptr());
        let listed = self
            .blocking(what, move |_admin, timeout| {
                // `_admin` keeps the client behind `client` alive while the call runs.
                native::list_offsets(client, &unique, spec.native(), timeout)
            })
            .await?
            .map_err(|e| self.call_error(what, e))?;
        Ok(listed
            .into_iter()
            .map(|item| {
                let result = item
                    .result
                    .map_err(|e| broker_error(e.code, Some(&e.message)));
                ((item.topic, item.partition), result)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Settings from global flags alone (no config file, no environment).
    fn settings(flags: &[&str]) -> Settings {
        use clap::{Args, FromArgMatches};
        let cmd = crate::settings::GlobalArgs::augment_args(clap::Command::new("kctl"));
        let matches = cmd
            .try_get_matches_from([&["kctl"], flags].concat())
            .unwrap();
        let args = crate::settings::GlobalArgs::from_arg_matches(&matches).unwrap();
        Settings::resolve_from(
            &args,
            &crate::config::Config::default(),
            crate::settings::Resolve::Quiet,
        )
        .unwrap()
    }

    /// A Kafka client whose bootstrap broker accepts connections and never answers.
    fn silent_kafka(timeout: &str) -> Kafka {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        std::thread::spawn(move || {
            let held: Vec<_> = listener.incoming().collect();
            drop(held);
        });
        Kafka::connect(&settings(&["-b", &addr, "--timeout", timeout])).unwrap()
    }

    /// Regression: one bounded call giving up because every broker is down while a sibling
    /// call (same task, as in `try_join!`) succeeds used to deadlock on the watch's lock.
    #[test]
    fn a_call_succeeding_beside_one_that_gives_up_does_not_deadlock() {
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let kafka = silent_kafka("5s");
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            let result = runtime.block_on(async {
                // "All brokers down" with no reason yet: the giving-up arm waits for one.
                let address = kafka.state.bootstrap[0].clone();
                kafka.state.failed.lock().unwrap().insert(address);
                kafka.state.on_log(3, "ERROR", "1/1 brokers are down");
                let gives_up = kafka.bounded("first", std::future::pending::<Result<()>>());
                // A sibling call that succeeds meanwhile marks the cluster reached.
                let succeeds = async {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    kafka.state.mark_reached();
                };
                tokio::join!(gives_up, succeeds).0
            });
            runtime.shutdown_timeout(Duration::ZERO);
            std::mem::forget(kafka);
            let _ = done.send(result.is_err());
        });
        let ok = finished
            .recv_timeout(Duration::from_secs(10))
            .expect("deadlocked: the bounded calls never finished");
        assert!(ok);
    }

    /// A blocking call that fails (here: times out inside librdkafka) is no proof that the
    /// cluster answered, so a later "all brokers down" still ends calls early.
    #[test]
    fn a_failed_blocking_call_does_not_mark_the_cluster_reached() {
        let kafka = silent_kafka("5s");
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let inner = runtime
            .block_on(kafka.blocking("call", |_, _| Err::<(), _>("no answer")))
            .unwrap();
        assert!(inner.is_err());
        assert!(!kafka
            .state
            .reached
            .load(std::sync::atomic::Ordering::Relaxed));
        runtime
            .block_on(kafka.blocking("call", |_, _| Ok::<_, ()>(())))
            .unwrap()
            .unwrap();
        assert!(kafka
            .state
            .reached
            .load(std::sync::atomic::Ordering::Relaxed));
        std::mem::forget(kafka);
    }

    fn state(brokers: &str) -> ConnState {
        ConnState::new(&settings(&["-b", brokers]))
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
            s.last_error().as_deref(),
            Some("Connect to ipv4#10.0.0.1:9092 failed: Connection refused")
        );

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
            last,
            "Failed to acquire SASL OAUTHBEARER token: Failed to connect to idp port 443"
        );
        assert!(security_hint(&last)
            .unwrap()
            .contains("--sasl-oauth-token-url"));
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

    #[test]
    fn times_before_the_epoch_are_the_earliest_offset() {
        assert_eq!(OffsetSpec::Timestamp(-2_208_988_800_000).native(), -2);
        assert_eq!(OffsetSpec::Timestamp(-1).native(), -2);
        assert_eq!(OffsetSpec::Timestamp(-3).native(), -2);
        assert_eq!(OffsetSpec::Timestamp(0).native(), 0);
        assert_eq!(
            OffsetSpec::Timestamp(1_700_000_000_000).native(),
            1_700_000_000_000
        );
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

    #[test]
    fn broker_errors_read_plainly() {
        let e = broker_error(RDKafkaErrorCode::TopicAlreadyExists, None);
        assert_eq!(e.code, Code::TopicAlreadyExists);
        assert_eq!(e.message, "topic already exists");
    }
}
