//! Producing records: a thin, fast wrapper over librdkafka's producer that counts every
//! delivery report, so kctl can say exactly how many messages were delivered and how many failed.

use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::client::ClientContext;
use rdkafka::config::{FromClientConfigAndContext, RDKafkaLogLevel};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, DeliveryResult, Producer as _, ProducerContext};

use crate::error::{Error, Result};
use crate::settings::Settings;

use super::native::{self, ClientPtr, TopicHandle};
use super::topic::{set_default, user_property};
use super::{base_config, broker_error, ConnState};

/// Compression codecs a producer can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Snappy,
    Lz4,
    Zstd,
}

impl Compression {
    fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Snappy => "snappy",
            Compression::Lz4 => "lz4",
            Compression::Zstd => "zstd",
        }
    }
}

/// How a producer is set up.
#[derive(Debug, Clone)]
pub struct ProducerOptions {
    pub topic: String,
    pub compression: Option<Compression>,
    /// Headers added to every record (after the record's own).
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

/// A record's timestamp as it is sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RecordTime {
    /// The time it is sent (librdkafka stamps it).
    #[default]
    Now,
    /// No timestamp: Kafka's -1, what a record without one reads back as.
    Unset,
    /// Milliseconds since the epoch; 1 or more (see [`check_timestamp`]).
    At(i64),
}

impl RecordTime {
    /// The value librdkafka takes: 0 is "now", -1 none.
    fn native(self) -> i64 {
        match self {
            RecordTime::Now => 0,
            RecordTime::Unset => -1,
            RecordTime::At(ts) => ts,
        }
    }
}

/// Whether a record can carry this timestamp (ms since the epoch); why not, if it cannot.
/// librdkafka reads 0 as "now" (the record would silently get the time it is sent), and
/// Kafka's timestamps are never negative (Java's producer refuses them; -1 is "none").
pub fn check_timestamp(ts: i64) -> std::result::Result<(), String> {
    match ts {
        0 => Err(
            "timestamp 0 cannot be sent: librdkafka reads 0 as \"now\" and would stamp \
             the record with the time it is sent (leave the timestamp out for that, or use 1, \
             the earliest time it can carry)"
                .to_string(),
        ),
        ts if ts < 0 => Err(format!(
            "timestamp {ts} is negative: Kafka timestamps are milliseconds since the epoch, \
             0 or more (a record without a timestamp is written \"timestamp\": null)"
        )),
        _ => Ok(()),
    }
}

/// One record to send. Bytes are borrowed: librdkafka copies them when the record is queued.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutRecord<'a> {
    pub key: Option<&'a [u8]>,
    pub value: Option<&'a [u8]>,
    /// `None` lets the partitioner choose (by key hash, or spread when there is no key).
    pub partition: Option<i32>,
    pub timestamp: RecordTime,
    pub headers: &'a [(&'a str, Option<&'a [u8]>)],
}

/// Delivery counts so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryStats {
    pub delivered: u64,
    /// Messages that failed and were not written.
    pub failed: u64,
    /// Messages that failed after they were sent, with no acknowledgement: the broker may have
    /// written them (librdkafka's "possibly persisted").
    pub uncertain: u64,
    /// The distinct delivery errors seen (at most a few), each with how often it happened.
    pub errors: Vec<(String, u64)>,
}

const MAX_DISTINCT_ERRORS: usize = 5;

struct ProduceCtx {
    state: Arc<ConnState>,
    /// The client, once made: a fatal error's reason is asked of it.
    client: std::sync::OnceLock<ClientPtr>,
    failed: AtomicU64,
    uncertain: AtomicU64,
    errors: Mutex<Vec<(String, u64)>>,
}

impl ClientContext for ProduceCtx {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        self.state.on_log(level as i32, fac, log_message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        let code = error.rdkafka_error_code().unwrap_or(RDKafkaErrorCode::Fail);
        self.state.on_error(code, reason);
    }
}

impl ProducerContext for ProduceCtx {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        match result {
            // Delivered is counted by subtraction (what was sent, less what failed, less what
            // is still in flight), which also holds with -X delivery.report.only.error=true.
            Ok(_) => {}
            Err((err, msg)) => {
                let counter = if super::native::possibly_persisted(msg) {
                    &self.uncertain
                } else {
                    &self.failed
                };
                counter.fetch_add(1, Ordering::Relaxed);
                let message = match err.rdkafka_error_code() {
                    // After a fatal error the queued messages are purged and the others fail
                    // with "fatal error": either way the reason is the fatal error's.
                    Some(RDKafkaErrorCode::Fatal | RDKafkaErrorCode::PurgeQueue)
                        if self.fatal().is_some() =>
                    {
                        self.fatal().unwrap_or_default()
                    }
                    Some(code) => broker_error(code, None).message,
                    None => err.to_string(),
                };
                if let Ok(mut errors) = self.errors.lock() {
                    if let Some(entry) = errors.iter_mut().find(|(m, _)| *m == message) {
                        entry.1 += 1;
                    } else if errors.len() < MAX_DISTINCT_ERRORS {
                        errors.push((message, 1));
                    }
                }
            }
        }
    }
}

impl ProduceCtx {
    /// The producer's fatal error as one line, when one was raised: `fatal error: WHAT: WHY`.
    fn fatal(&self) -> Option<String> {
        let (code, reason) = native::fatal_error(*self.client.get()?)?;
        Some(format!(
            "fatal error: {}: {}",
            broker_error(code, None).message,
            reason.trim()
        ))
    }
}

/// Why a record was not queued: the reason alone (the caller knows which record it was).
fn send_error(ctx: &ProduceCtx, code: Option<RDKafkaErrorCode>, err: Option<&KafkaError>) -> Error {
    let reason = match (code, err) {
        (Some(RDKafkaErrorCode::Fatal), _) if ctx.fatal().is_some() => {
            ctx.fatal().unwrap_or_default()
        }
        (Some(code), _) => broker_error(code, None).message,
        (None, Some(err)) => err.to_string(),
        (None, None) => "unknown error".to_string(),
    };
    let error = Error::runtime(reason);
    if code == Some(RDKafkaErrorCode::MessageSizeTooLarge) {
        error.with_hint(
            "the producer sends messages up to message.max.bytes (1000000 unless set with \
             -X message.max.bytes=N), the broker accepts up to the topic's max.message.bytes",
        )
    } else {
        error
    }
}

/// A producer for one topic. Call [`Producer::flush`] before dropping it: dropping discards
/// whatever is still in flight.
pub struct Producer {
    /// Dropped before `inner` (fields drop in order), as librdkafka requires.
    handle: TopicHandle,
    inner: BaseProducer<ProduceCtx>,
    topic: String,
    headers: Vec<(String, Option<Vec<u8>>)>,
    sent: AtomicU64,
    delivery_timeout: Duration,
    spread: Spread,
}

/// How kctl spreads records that have neither key nor partition: like librdkafka's sticky
/// partitioner (one partition for a while, then the next), without its per-record clock reads
/// and locks, which were the largest cost of sending. Off until the partition count is known,
/// and off when the user chose a partitioner with -X.
struct Spread {
    enabled: bool,
    partitions: AtomicI32,
    current: AtomicI32,
    /// Bytes sent to `current` so far.
    bytes: AtomicU64,
}

/// Bytes of keys and values sent to one partition before moving on to the next.
const STICKY_BYTES: u64 = 512 * 1024;

impl Spread {
    /// The partition for a record of `len` bytes without key or partition; -1 lets librdkafka
    /// choose.
    fn next(&self, len: usize) -> i32 {
        let partitions = self.partitions.load(Ordering::Relaxed);
        if partitions <= 0 {
            return -1;
        }
        let bytes = self.bytes.load(Ordering::Relaxed) + len as u64;
        let mut current = self.current.load(Ordering::Relaxed);
        if bytes >= STICKY_BYTES {
            current = (current + 1) % partitions;
            self.current.store(current, Ordering::Relaxed);
            self.bytes.store(0, Ordering::Relaxed);
        } else {
            self.bytes.store(bytes, Ordering::Relaxed);
        }
        current.min(partitions - 1)
    }
}

impl Producer {
    /// Creates the producer: acks=all and idempotence unless the user's `-X` says otherwise,
    /// each message bounded by `--timeout` from when it is queued to its delivery report.
    pub fn new(settings: &Settings, options: ProducerOptions) -> Result<Producer> {
        let mut config = base_config(settings);
        let user_acks = user_property(settings, "acks");
        // Idempotence needs acks=all: a user who asks for weaker acks gets no idempotence.
        let idempotent = matches!(user_acks, None | Some("all") | Some("-1"));
        set_default(&mut config, settings, "acks", "all");
        set_default(
            &mut config,
            settings,
            "enable.idempotence",
            if idempotent { "true" } else { "false" },
        );
        set_default(&mut config, settings, "linger.ms", "5");
        // Every message gets its delivery report, served on the thread that sends (see
        // `send`): librdkafka then frees each message on the thread that allocated it. With
        // reports of failures only it frees them on its broker thread, and the two threads
        // contend for the allocator's lock (measured: 10x the context switches, 1.5x the CPU).
        let timeout_ms = settings.timeout.as_millis().clamp(1000, i32::MAX as u128) as u64;
        set_default(
            &mut config,
            settings,
            "message.timeout.ms",
            &timeout_ms.to_string(),
        );
        let delivery_timeout = Duration::from_millis(
            user_property(settings, "message.timeout.ms")
                .and_then(|v| v.parse().ok())
                // 0 is "no limit" to librdkafka.
                .map(|ms: u64| if ms == 0 { u64::from(u32::MAX) } else { ms })
                .unwrap_or(timeout_ms),
        );
        if let Some(c) = options.compression {
            config.set("compression.type", c.name());
        }
        let state = Arc::new(ConnState::new(settings));
        let ctx = ProduceCtx {
            state,
            client: std::sync::OnceLock::new(),
            failed: AtomicU64::new(0),
            uncertain: AtomicU64::new(0),
            errors: Mutex::new(Vec::new()),
        };
        let inner = BaseProducer::from_config_and_context(&config, ctx)
            .map_err(|e| Error::usage(format!("cannot create the Kafka producer: {e}")))?;
        let _ = inner
            .context()
            .client
            .set(ClientPtr(inner.client().native_ptr()));
        let spread = Spread {
            enabled: user_property(settings, "partitioner").is_none()
                && user_property(settings, "sticky.partitioning.linger.ms").is_none(),
            partitions: AtomicI32::new(0),
            current: AtomicI32::new(0),
            bytes: AtomicU64::new(0),
        };
        let handle = TopicHandle::new(ClientPtr(inner.client().native_ptr()), &options.topic)
            .ok_or_else(|| Error::usage(format!("invalid topic name '{}'", options.topic)))?;
        Ok(Producer {
            handle,
            inner,
            topic: options.topic,
            headers: options.headers,
            sent: AtomicU64::new(0),
            delivery_timeout,
            spread,
        })
    }

    /// Records with neither key nor partition are spread over these partitions from now on
    /// (starting at a random one). Call once the topic's partition count is known.
    pub fn spread_over(&self, partitions: i32) {
        if self.spread.enabled && partitions > 0 {
            use std::hash::{BuildHasher, Hasher};
            let random = std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish();
            let start = (random % partitions as u64) as i32;
            self.spread.current.store(start, Ordering::Relaxed);
            self.spread.partitions.store(partitions, Ordering::Relaxed);
        }
    }

    /// Asks the cluster for the topic's metadata through this producer (bounded by `timeout`).
    /// Besides readying the topic, a metadata answer makes an idempotent producer ask for its
    /// producer id at once, instead of on its retry timer half a second later. It takes two:
    /// librdkafka (2.10+) drops the bootstrap connection after the first answer, and asks for
    /// a producer id only from a broker the metadata named.
    pub fn warm_up(&self, timeout: Duration) {
        for _ in 0..2 {
            if self
                .inner
                .client()
                .fetch_metadata(Some(&self.topic), timeout.min(super::MAX_TIMEOUT))
                .is_err()
            {
                return;
            }
        }
    }

    /// Queues one record, waiting while librdkafka's queue is full. Delivery reports are
    /// served now and then; an error here means the record was not queued (and not counted). The
    /// error's message is the reason alone: the caller knows which message it was.
    pub fn send(&self, record: &OutRecord<'_>) -> Result<()> {
        if record.headers.is_empty() && self.headers.is_empty() {
            self.send_plain(record)?;
        } else {
            self.send_with_headers(record)?;
        }
        let sent = self.sent.fetch_add(1, Ordering::Relaxed) + 1;
        if sent % 1024 == 0 {
            self.inner.poll(Duration::ZERO);
        }
        Ok(())
    }

    /// The common case, through the topic handle.
    fn send_plain(&self, record: &OutRecord<'_>) -> Result<()> {
        let client = ClientPtr(self.inner.client().native_ptr());
        let partition = match (record.partition, record.key) {
            (Some(p), _) => p,
            // Keyed records go by the key's hash (librdkafka's partitioner).
            (None, Some(_)) => -1,
            (None, None) => self.spread.next(record.value.map_or(0, <[u8]>::len)),
        };
        loop {
            match native::produce(
                client,
                &self.handle,
                partition,
                record.key,
                record.value,
                record.timestamp.native(),
            ) {
                Ok(()) => return Ok(()),
                Err(RDKafkaErrorCode::QueueFull) => {
                    self.inner.poll(Duration::from_millis(5));
                }
                Err(code) => return Err(send_error(self.inner.context(), Some(code), None)),
            }
        }
    }

    fn send_with_headers(&self, record: &OutRecord<'_>) -> Result<()> {
        let mut base: BaseRecord<'_, [u8], [u8]> = BaseRecord::to(&self.topic);
        if let Some(key) = record.key {
            base = base.key(key);
        }
        if let Some(value) = record.value {
            base = base.payload(value);
        }
        if let Some(p) = record.partition {
            base = base.partition(p);
        }
        if record.timestamp != RecordTime::Now {
            base = base.timestamp(record.timestamp.native());
        }
        let mut headers =
            OwnedHeaders::new_with_capacity(record.headers.len() + self.headers.len());
        for (key, value) in record.headers {
            headers = headers.insert(Header { key, value: *value });
        }
        for (key, value) in &self.headers {
            headers = headers.insert(Header {
                key,
                value: value.as_deref(),
            });
        }
        base = base.headers(headers);
        loop {
            match self.inner.send(base) {
                Ok(()) => return Ok(()),
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                    base = back;
                    self.inner.poll(Duration::from_millis(5));
                }
                Err((err, _)) => {
                    return Err(send_error(
                        self.inner.context(),
                        err.rdkafka_error_code(),
                        Some(&err),
                    ))
                }
            }
        }
    }

    /// How many records were queued.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// How long librdkafka tries to deliver a message before it reports it failed.
    pub fn delivery_timeout(&self) -> Duration {
        self.delivery_timeout
    }

    /// Serves delivery reports for up to `timeout`.
    pub fn poll(&self, timeout: Duration) {
        self.inner.poll(timeout);
    }

    /// Waits up to `timeout` for every queued record's delivery report; returns how many are
    /// still in flight (0 when all are accounted for).
    pub fn flush(&self, timeout: Duration) -> u64 {
        let deadline = Instant::now() + timeout;
        loop {
            // In short slices: rust-rdkafka's flush serves reports in 100ms polls that run
            // their full length, which would hold every produce up to 100ms at its end.
            let slice = deadline
                .saturating_duration_since(Instant::now())
                .min(Duration::from_millis(5));
            let _ = self.inner.flush(slice);
            let pending = self.in_flight();
            if pending == 0 || Instant::now() >= deadline {
                return pending;
            }
        }
    }

    /// Drops the producer on a thread of its own once nothing else holds it (call after
    /// [`Producer::flush`]): tearing librdkafka down takes a moment nothing needs to wait for.
    pub fn close_in_background(self: Arc<Self>) {
        super::drop_in_background(self);
    }

    /// Messages queued or sent whose delivery report has not been served yet.
    fn in_flight(&self) -> u64 {
        self.inner.in_flight_count().max(0) as u64
    }

    pub fn stats(&self) -> DeliveryStats {
        let ctx = self.inner.context();
        let failed = ctx.failed.load(Ordering::Relaxed);
        let uncertain = ctx.uncertain.load(Ordering::Relaxed);
        DeliveryStats {
            delivered: self
                .sent()
                .saturating_sub(failed)
                .saturating_sub(uncertain)
                .saturating_sub(self.in_flight()),
            failed,
            uncertain,
            errors: ctx.errors.lock().map(|e| e.clone()).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::mocking::MockCluster;
    use rdkafka::types::RDKafkaRespErr;

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

    /// A fatal error (an idempotent producer's out-of-order sequence after a broker restart,
    /// say) is reported with librdkafka's reason, for records refused after it and for those
    /// it purged from the queue; "fatal error" alone says nothing.
    #[test]
    fn a_fatal_error_carries_its_reason() {
        let mock = MockCluster::new(1).expect("mock cluster");
        mock.create_topic("orders", 1, 1).expect("topic");
        let settings = settings(&["-b", &mock.bootstrap_servers(), "--timeout", "10s"]);
        let producer = Producer::new(
            &settings,
            ProducerOptions {
                topic: "orders".into(),
                compression: None,
                headers: Vec::new(),
            },
        )
        .unwrap();
        producer
            .send(&OutRecord {
                value: Some(b"first"),
                ..OutRecord::default()
            })
            .unwrap();
        assert_eq!(producer.flush(Duration::from_secs(10)), 0);
        assert_eq!(producer.stats().delivered, 1);

        // Queued while the broker is down, then purged by the fatal error.
        mock.broker_down(1).unwrap();
        producer
            .send(&OutRecord {
                value: Some(b"queued"),
                ..OutRecord::default()
            })
            .unwrap();
        let client = ClientPtr(producer.inner.client().native_ptr());
        native::test_fatal_error(
            client,
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
            "sequence desynchronization with broker 1",
        );
        let err = producer
            .send(&OutRecord {
                value: Some(b"after"),
                ..OutRecord::default()
            })
            .unwrap_err();
        assert!(
            err.message().starts_with("fatal error: ")
                && err.message().contains("out of order sequence")
                && err
                    .message()
                    .contains("sequence desynchronization with broker 1"),
            "{}",
            err.message()
        );
        producer.flush(Duration::from_secs(5));
        let stats = producer.stats();
        assert_eq!(stats.failed + stats.uncertain, 1, "{stats:?}");
        assert!(
            stats.errors[0]
                .0
                .contains("sequence desynchronization with broker 1"),
            "{stats:?}"
        );
        mock.broker_up(1).unwrap();
    }
}
