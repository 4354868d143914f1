//! The admin client: one connection to the cluster for admin and metadata calls, each bounded
//! by the timeout and failing fast, with the reason librdkafka gave, when no broker can be
//! reached at all. Blocking librdkafka calls run on tokio's blocking pool.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions};
use rdkafka::config::FromClientConfigAndContext;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};

use super::authz::{self, Operation, Resource};
use super::config::{admin_request_timeout, ClientConfig, MAX_TIMEOUT};
use super::conn::{
    ClientCtx, ConnState, FailedStage, Failure, FailureKind, COORDINATOR_HINT, TIMEOUT_HINT,
};
use super::errors::{broker_error, is_timeout};
use super::native::admin::AdminCallError;
use super::native::events::MainQueuePump;
use super::native::{self, ClientRef, NativeError, SharedClient};
use super::types::{Broker, BrokerError, ClusterInfo, PartitionInfo, TopicInfo};
use crate::error::{Error, ErrorKind, Result};
use crate::settings::format_duration;

/// How long a call that failed on its connection waits for the connection log to say why.
const CONNECTION_LOG_WAIT: Duration = Duration::from_millis(500);

/// A connection to a Kafka cluster for admin and metadata calls.
pub struct Kafka {
    _pump: MainQueuePump,
    pub(super) admin: Arc<AdminClient<ClientCtx>>,
    pub(super) state: Arc<ConnState>,
    timeout: Duration,
    brokers: String,
    /// How kctl's own connections (`wire/`) connect, or why they cannot.
    pub(super) wire: super::wire::WireResult<super::wire::WireSettings>,
    /// Who kctl authenticates as, for refusals (`User:alice`).
    pub(super) principal: String,
    /// What the client was made from (to look into a failed certificate check).
    pub(super) config: ClientConfig,
    /// The client for the group offset calls (see `groups.rs`), made on first use.
    pub(super) group_client: std::sync::OnceLock<super::groups::GroupClient>,
}

/// Drops a client on a thread of its own: tearing librdkafka down takes a moment that nothing
/// needs to wait for (call once nothing is left in flight).
pub(super) fn drop_in_background<T: Send + 'static>(client: T) {
    let _ = std::thread::Builder::new()
        .name("kctl-close".into())
        .spawn(move || drop(client));
}

/// Process-wide setup for librdkafka's dependencies; call first thing, before any client.
pub fn init_process() {
    native::init_process();
}

/// A topic of a metadata answer.
pub(super) fn topic_info(t: &rdkafka::metadata::MetadataTopic) -> TopicInfo {
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

impl Kafka {
    /// Creates the client. This does not wait for a connection: the first call does.
    pub fn connect(config: &ClientConfig) -> Result<Kafka> {
        let state = Arc::new(ConnState::new(config));
        let admin = AdminClient::from_config_and_context(
            &config.base(),
            ClientCtx {
                state: state.clone(),
                hooks: (),
            },
        )
        .map_err(|e| Error::usage(format!("cannot create the Kafka client: {e}")))?;
        let admin = Arc::new(admin);
        let pump = MainQueuePump::start(SharedClient::admin(&admin), state.clone());
        Ok(Kafka {
            _pump: pump,
            admin,
            state,
            timeout: config.timeout,
            brokers: config.bootstrap_servers(),
            wire: super::wire::WireSettings::of(config),
            principal: super::authz::principal(config),
            config: config.clone(),
            group_client: std::sync::OnceLock::new(),
        })
    }

    /// The bound on every call (`--timeout`).
    pub(super) fn timeout(&self) -> Duration {
        self.timeout
    }

    pub(super) fn admin_options(&self) -> AdminOptions {
        let timeout = admin_request_timeout(self.timeout);
        AdminOptions::new()
            .request_timeout(Some(timeout))
            .operation_timeout(Some(timeout))
    }

    /// `what` got no answer within the timeout; librdkafka's last connection failure says
    /// why, when it reported one (a failed TLS handshake or SASL login makes it an
    /// authentication error).
    pub(super) fn timeout_error(&self, what: &str) -> Error {
        let mut why = format!(
            "no answer from the cluster at {} within {}",
            self.brokers,
            format_duration(self.timeout)
        );
        let last = self.state.last_error();
        if let Some(last) = &last {
            why.push_str(&format!(" (last error: {})", last.reason));
        }
        let error = Error::new(
            ErrorKind::Timeout {
                what: what.to_string(),
            },
            what,
        )
        .because(why);
        match last.as_ref().filter(|l| l.stage().is_some()) {
            Some(last) => error
                .with_kind(ErrorKind::Authentication)
                .with_hint(last.hint().unwrap_or(TIMEOUT_HINT)),
            None => error.with_hint(TIMEOUT_HINT),
        }
    }

    /// A call to a group's coordinator that timed out says what to check about coordinators.
    pub(super) fn coordinator_timeout(err: Error) -> Error {
        if matches!(err.kind(), ErrorKind::Timeout { .. }) {
            err.with_hint(COORDINATOR_HINT)
        } else {
            err
        }
    }

    /// No broker answered at all: every bootstrap address failed. A failed TLS handshake or
    /// SASL login is an authentication error that names its cause.
    pub(super) fn unreachable_error(&self, what: &str) -> Error {
        let last = self.state.last_error();
        if let Some(last) = last.as_ref().filter(|l| l.stage().is_some()) {
            let error = Error::new(ErrorKind::Authentication, what).because(&last.reason);
            return match last.hint() {
                Some(hint) => error.with_hint(hint),
                None => error,
            };
        }
        let reason = last
            .as_ref()
            .map_or("all brokers are down", |f| f.reason.as_str());
        Error::new(
            ErrorKind::Unreachable {
                addresses: self.brokers.clone(),
            },
            what,
        )
        .because(format!(
            "no Kafka broker answered at {}: {reason}",
            self.brokers
        ))
        .with_hint(
            "check the address (-b/--brokers or KCTL_BROKERS) and that Kafka is running \
             there; `kctl doctor` checks the connection step by step",
        )
    }

    /// The stage of the connection that failed (TLS handshake, SASL login), if one did.
    pub fn failed_stage(&self) -> Option<FailedStage> {
        self.state.last_error().and_then(|f| f.stage())
    }

    /// A broker certificate that did not verify: looks into which check failed by connecting
    /// once more without the host name check. When that connects, a CA kctl trusts signed the
    /// certificate and it does not name the host; otherwise the CA is not trusted (or the
    /// certificate expired).
    async fn explain_certificate(&self) {
        let verify_failed = self
            .state
            .last_error()
            .is_some_and(|f| f.kind == FailureKind::CertificateVerify);
        if !verify_failed {
            return;
        }
        let mut host_mismatch = false;
        if self.state.verifies_host_names() {
            let config = self.config.clone();
            let limit = self.timeout.min(Duration::from_secs(3));
            host_mismatch =
                tokio::task::spawn_blocking(move || trusted_without_host_check(&config, limit))
                    .await
                    .unwrap_or(false);
        }
        self.state
            .refine(Failure::certificate(host_mismatch, &self.brokers));
    }

    /// Runs `fut` bounded by the timeout, failing fast when no broker can be reached at all.
    pub(super) async fn bounded<T>(
        &self,
        what: &str,
        fut: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let result = self.bound(what, fut).await;
        if result.is_ok() {
            self.state.mark_reached();
        }
        result
    }

    /// [`Kafka::bounded`] without marking the cluster as reached: the caller knows better.
    pub(super) async fn bound<T>(
        &self,
        what: &str,
        fut: impl Future<Output = Result<T>>,
    ) -> Result<T> {
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
            () = all_down => Err(self.explained_unreachable(what).await),
        }
    }

    /// The error of a cluster that cannot be reached (or refuses kctl's connections), with
    /// the reason the connection log gives.
    async fn explained_unreachable(&self, what: &str) -> Error {
        // The reason may still be queued behind the "all brokers down" line.
        for _ in 0..20 {
            if self.state.last_error().is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        self.explain_certificate().await;
        self.unreachable_error(what)
    }

    /// For a call that failed on its connection (`code`, e.g. a transport failure) before
    /// the connection log told why: the refusal or unreachability that log gives within a
    /// moment, when every bootstrap address failed; `None` when it does not say so.
    pub(super) async fn connection_failure(
        &self,
        what: &str,
        code: RDKafkaErrorCode,
    ) -> Option<Error> {
        use RDKafkaErrorCode as C;
        if !matches!(
            code,
            C::BrokerTransportFailure | C::AllBrokersDown | C::SSL | C::Authentication
        ) {
            return None;
        }
        let mut unreachable = self.state.unreachable.subscribe();
        let down = tokio::time::timeout(CONNECTION_LOG_WAIT, async {
            // The `Ref` is dropped at once: it holds the watch's read lock (see `bound`).
            unreachable.wait_for(|down| *down).await.is_ok()
        })
        .await;
        match down {
            Ok(true) => Some(self.explained_unreachable(what).await),
            _ => None,
        }
    }

    /// Runs a blocking librdkafka call on the blocking pool, bounded like every call. The outer
    /// error is the bound (timeout, unreachable cluster); the inner one is the call's own. Only
    /// a call that succeeded proves the cluster was reached.
    pub(super) async fn blocking<T, E, F>(
        &self,
        what: &str,
        f: F,
    ) -> Result<std::result::Result<T, E>>
    where
        T: Send + 'static,
        E: Send + 'static,
        F: FnOnce(&AdminClient<ClientCtx>, Duration) -> std::result::Result<T, E> + Send + 'static,
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

    pub(super) fn call_error(&self, what: &str, err: AdminCallError) -> Error {
        match err {
            AdminCallError::TimedOut => self.timeout_error(what),
            AdminCallError::Failed(e) => self.native_error(what, e),
        }
    }

    pub(super) fn native_error(&self, what: &str, err: NativeError) -> Error {
        match err.code {
            code if is_timeout(code) => self.timeout_error(what),
            code => {
                let cause = broker_error(code, Some(&err.message));
                Error::new(cause.kind(), what).because(cause)
            }
        }
    }

    pub(super) fn kafka_error(&self, what: &str, err: KafkaError) -> Error {
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
            Some(code) => {
                let cause = broker_error(code, None);
                Error::new(cause.kind(), what).because(cause)
            }
            None => Error::runtime(what).because(err),
        }
    }

    /// `err` as a refusal of `operation` on `resource` ("not authorized to ... as
    /// User:alice") when the broker refused for lack of permission; else as it is.
    pub fn refused(&self, err: Error, operation: Operation, resource: Resource) -> Error {
        if *err.kind() == ErrorKind::Authorization {
            authz::refusal_error(operation, &resource, &self.principal)
        } else {
            err
        }
    }

    /// The refusal of `operation` on `resource` as an error ("not authorized to alter configs
    /// of topic 'T' as User:alice", exit 1), with the `kafka-acls` hint: for a command whose
    /// broker answer was a refusal (a `BrokerError` of code `Code::NotAuthorized`).
    pub fn refusal(&self, operation: Operation, resource: Resource) -> Error {
        authz::refusal_error(operation, &resource, &self.principal)
    }

    /// The refusal a librdkafka error code is, of `operation` on `asked` (or on the cluster,
    /// when the code says so); `None` when the code is no refusal.
    pub(super) fn refusal_of(
        &self,
        code: RDKafkaErrorCode,
        operation: Operation,
        asked: Resource,
    ) -> Option<Error> {
        authz::refused_resource(code, asked).map(|r| self.refusal(operation, r))
    }

    /// A broker's per-item error as a refusal of `operation` on `resource` when it is one.
    pub(super) fn reword(
        &self,
        err: BrokerError,
        operation: Operation,
        resource: Resource,
    ) -> BrokerError {
        authz::reword(err, operation, &resource, &self.principal)
    }

    /// The principal, when a listing may leave out what it may not describe: Kafka lists
    /// only the topics and groups the principal may describe. kctl takes a listing as complete
    /// when the principal may use every operation on the cluster (DescribeCluster's authorized
    /// operations), as a super user may, or when the connection does not authenticate;
    /// otherwise it is "only what User:alice may describe". `None` also when the broker does
    /// not say.
    pub async fn listing_filtered_for(&self) -> Option<String> {
        if self.principal == authz::ANONYMOUS {
            return None;
        }
        let everything = self
            .blocking("cannot describe the cluster", |admin, timeout| {
                native::cluster::may_do_everything_on_cluster(ClientRef::of(admin.inner()), timeout)
            })
            .await;
        match everything {
            Ok(Ok(Some(false))) => Some(self.principal.clone()),
            _ => None,
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
}

/// Whether a TLS handshake with `config`, the host name check off, gets past the
/// certificate within `limit`.
fn trusted_without_host_check(config: &ClientConfig, limit: Duration) -> bool {
    let mut quiet = config.clone();
    quiet.verbose = 0;
    let state = Arc::new(ConnState::new(&quiet));
    let mut rd = quiet.base();
    rd.set("ssl.endpoint.identification.algorithm", "none");
    let ctx = ClientCtx {
        state: state.clone(),
        hooks: (),
    };
    let Ok(probe) = AdminClient::from_config_and_context(&rd, ctx) else {
        return false;
    };
    let probe = Arc::new(probe);
    let pump = MainQueuePump::start(SharedClient::admin(&probe), state.clone());
    let (done, answered) = std::sync::mpsc::channel();
    let _ = std::thread::Builder::new()
        .name("kctl-tls-probe".into())
        .spawn(move || {
            let ok = probe.inner().fetch_metadata(None, limit).is_ok();
            let _ = done.send(ok);
            drop(pump);
            drop_in_background(probe);
        });
    let deadline = std::time::Instant::now() + limit;
    loop {
        match answered.recv_timeout(Duration::from_millis(10)) {
            Ok(true) => return true,
            Ok(false) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
        }
        if state.last_error().is_some() || std::time::Instant::now() >= deadline {
            break;
        }
    }
    // A failure past the handshake (a SASL login, say) still means the certificate passed.
    state
        .last_error()
        .is_some_and(|f| f.stage() == Some(FailedStage::Authentication))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Kafka client whose bootstrap broker accepts connections and never answers.
    fn silent_kafka(timeout: &str) -> Kafka {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        std::thread::spawn(move || {
            let held: Vec<_> = listener.incoming().collect();
            drop(held);
        });
        Kafka::connect(&ClientConfig::for_test(&[
            "-b",
            &addr,
            "--timeout",
            timeout,
        ]))
        .unwrap()
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
}
