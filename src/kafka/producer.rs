//! Producing records: a thin, fast wrapper over librdkafka's producer that counts every
//! delivery report, so kctl can say exactly how many messages were delivered and how many failed.

use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::config::FromClientConfigAndContext;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{
    BaseProducer, BaseRecord, DeliveryResult, Producer as _, ProducerContext, PARTITION_UA,
};

use super::authz::{principal, refusal, reword, Operation, Resource};
use super::client::drop_in_background;
use super::config::{ClientConfig, MAX_TIMEOUT};
use super::conn::{ClientCtx, ConnState, Hooks};
use super::errors::broker_error;
use super::native::produce::{self as native, TopicHandle};
use super::native::{fatal_error, ClientRef, SharedClient};
use super::types::{Code, DeliveryStats, OutRecord, ProducerOptions, RecordTime};
use crate::error::{Error, Result};

/// librdkafka's timestamp for "now": it stamps the record with the time it is sent.
const TIMESTAMP_NOW: i64 = 0;
/// Kafka's "no timestamp" (RecordBatch.NO_TIMESTAMP).
const NO_TIMESTAMP: i64 = -1;

/// A record's timestamp as librdkafka takes it.
fn timestamp_value(time: RecordTime) -> i64 {
    match time {
        RecordTime::Now => TIMESTAMP_NOW,
        RecordTime::Unset => NO_TIMESTAMP,
        RecordTime::At(ts) => ts,
    }
}

const MAX_DISTINCT_ERRORS: usize = 5;

/// librdkafka's default `batch.size`.
const LIBRDKAFKA_BATCH_SIZE: u64 = 1_000_000;

/// A record batch's header (magic v2), and what a record adds besides its key, value and
/// headers at most (attributes, timestamp and offset deltas, lengths as varints).
const BATCH_HEADER: u64 = 61;
const RECORD_OVERHEAD: u64 = 1 + 10 + 5 + 5 + 5 + 5 + 5;

/// The rust-rdkafka context of a kctl producer.
type ProduceCtx = ClientCtx<Deliveries>;

/// What a delivery report said, counted by reason. A fatal error's reason is asked of the
/// client when the counts are read (the context cannot reach its client).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reason {
    Message(String),
    /// The client's fatal error, or this code when there is none.
    Fatal(RDKafkaErrorCode),
}

/// The failed deliveries so far (delivered ones are counted by subtraction).
struct Deliveries {
    /// Delivered, as reported (none are reported with -X delivery.report.only.error=true).
    delivered: AtomicU64,
    failed: AtomicU64,
    uncertain: AtomicU64,
    /// Failed deliveries by error code, with the reason of the first.
    errors: Mutex<Vec<(Option<RDKafkaErrorCode>, Reason, u64)>>,
    /// The topic and who writes to it, for a refusal.
    topic: Resource,
    principal: String,
}

impl Hooks for Deliveries {}

impl ProducerContext for ProduceCtx {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        let Err((err, msg)) = result else {
            // Delivered is counted by subtraction (what was sent, less what failed, less what
            // is still in flight), which also holds with -X delivery.report.only.error=true;
            // this count tells what is still in flight.
            self.hooks.delivered.fetch_add(1, Ordering::Relaxed);
            return;
        };
        let counts = &self.hooks;
        let counter = if native::possibly_persisted(msg) {
            &counts.uncertain
        } else {
            &counts.failed
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let reason = match err.rdkafka_error_code() {
            // After a fatal error the queued messages are purged and the others fail with
            // "fatal error": either way the reason is the fatal error's.
            Some(code @ (RDKafkaErrorCode::Fatal | RDKafkaErrorCode::PurgeQueue)) => {
                Reason::Fatal(code)
            }
            // (librdkafka's rd_kafka_message_produce_errstr, the broker's own words, points
            // into a produce answer freed by the time the report is served: not usable.)
            Some(code) => Reason::Message({
                let said = reword(
                    broker_error(code, None),
                    Operation::Write,
                    &counts.topic,
                    &counts.principal,
                )
                .message;
                match refusal_meaning(code) {
                    Some(meaning) => format!("{said}: {meaning}"),
                    None => said,
                }
            }),
            None => Reason::Message(err.to_string()),
        };
        let code = err.rdkafka_error_code();
        if let Ok(mut errors) = counts.errors.lock() {
            let same =
                |(c, r, _): &&mut (_, Reason, _)| (code.is_some() && *c == code) || *r == reason;
            if let Some(entry) = errors.iter_mut().find(same) {
                entry.2 += 1;
            } else if errors.len() < MAX_DISTINCT_ERRORS {
                errors.push((code, reason, 1));
            }
        }
    }
}

/// What a broker's refusal of records means, for the codes whose name alone does not say
/// (librdkafka does not keep the broker's own words for a delivery report).
fn refusal_meaning(code: RDKafkaErrorCode) -> Option<&'static str> {
    use RDKafkaErrorCode as E;
    Some(match code {
        E::InvalidTimestamp => {
            "a timestamp further in the past or the future than the topic accepts (its \
             message.timestamp.before.max.ms and message.timestamp.after.max.ms)"
        }
        E::InvalidRecord => {
            "the broker refused a record it found invalid (one without a key on a compacted \
             topic, say)"
        }
        E::InvalidDifferentRecord => "sent in one batch with a record the broker refused",
        E::MessageSizeTooLarge | E::MessageBatchTooLarge => {
            "a batch larger than the topic's max.message.bytes"
        }
        E::NotEnoughReplicas | E::NotEnoughReplicasAfterAppend => {
            "fewer in-sync replicas than the topic's min.insync.replicas"
        }
        E::InvalidRequiredAcks => "the acks setting (-X acks) is not one Kafka takes",
        _ => return None,
    })
}

/// A producer for one topic. Call [`Producer::flush`] before dropping it: dropping discards
/// whatever is still in flight.
pub struct Producer {
    handle: TopicHandle,
    inner: Arc<BaseProducer<ProduceCtx>>,
    topic: String,
    headers: Vec<(String, Option<Vec<u8>>)>,
    sent: AtomicU64,
    delivery_timeout: Duration,
    /// Whether librdkafka reports deliveries (not only failures): then kctl counts what is in
    /// flight itself.
    reports_deliveries: bool,
    spread: Spread,
    /// The largest key and value together that go out in a batch; a larger record goes alone,
    /// so that one librdkafka refuses for its size (message.max.bytes) leaves the records
    /// after it unsent, as one by one.
    batch_record_max: usize,
}

/// librdkafka's default `message.max.bytes`.
const LIBRDKAFKA_MESSAGE_MAX_BYTES: usize = 1_000_000;
/// More than librdkafka adds to a record's key and value when it checks message.max.bytes
/// (RD_KAFKAP_MESSAGE_V2_MAX_OVERHEAD).
const MESSAGE_OVERHEAD_MARGIN: usize = 1024;

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
    /// The partition for a record of `len` bytes without key or partition; `PARTITION_UA`
    /// lets librdkafka choose.
    fn next(&self, len: usize) -> i32 {
        let partitions = self.partitions.load(Ordering::Relaxed);
        if partitions <= 0 {
            return PARTITION_UA;
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
    /// `max_message_bytes` is the topic's limit on a record batch, when known: batches are
    /// kept within it (librdkafka batches up to 1 MB, and the broker refuses a batch over the
    /// limit whole, valid records with it).
    pub fn new(
        client: &ClientConfig,
        options: ProducerOptions,
        max_message_bytes: Option<u64>,
    ) -> Result<Producer> {
        let mut setup = client.producer(options.compression);
        if let Some(limit) = max_message_bytes {
            if client.user_property("batch.size").is_none() && limit < LIBRDKAFKA_BATCH_SIZE {
                setup.config.set("batch.size", limit.max(1).to_string());
            }
        }
        let ctx = ProduceCtx {
            state: Arc::new(ConnState::new(client)),
            hooks: Deliveries {
                delivered: AtomicU64::new(0),
                failed: AtomicU64::new(0),
                uncertain: AtomicU64::new(0),
                errors: Mutex::new(Vec::new()),
                topic: Resource::Topic(options.topic.clone()),
                principal: principal(client),
            },
        };
        let inner = BaseProducer::from_config_and_context(&setup.config, ctx)
            .map(Arc::new)
            .map_err(|e| Error::usage(format!("cannot create the Kafka producer: {e}")))?;
        let spread = Spread {
            enabled: setup.kctl_spreads,
            partitions: AtomicI32::new(0),
            current: AtomicI32::new(0),
            bytes: AtomicU64::new(0),
        };
        let handle = TopicHandle::new(SharedClient::producer(&inner), &options.topic)
            .ok_or_else(|| Error::usage(format!("invalid topic name '{}'", options.topic)))?;
        Ok(Producer {
            handle,
            inner,
            topic: options.topic,
            headers: options.headers,
            sent: AtomicU64::new(0),
            delivery_timeout: setup.delivery_timeout,
            reports_deliveries: setup.reports_deliveries,
            spread,
            batch_record_max: client
                .user_property("message.max.bytes")
                .and_then(|v| v.parse().ok())
                .unwrap_or(LIBRDKAFKA_MESSAGE_MAX_BYTES)
                .saturating_sub(MESSAGE_OVERHEAD_MARGIN),
        })
    }

    /// The producer's fatal error as one line, when one was raised: `fatal error: WHAT: WHY`.
    /// A producer id refused for lack of permission (a cluster operation) reads as the
    /// refusal to write it is.
    fn fatal(&self) -> Option<String> {
        let (code, reason) = fatal_error(ClientRef::of(self.inner.client()))?;
        let error = broker_error(code, None);
        if error.code == Code::NotAuthorized {
            let hooks = &self.inner.context().hooks;
            return Some(format!(
                "{}: the brokers refused the idempotent producer its producer id ({}), which \
                 takes Write on the topic (or IdempotentWrite on the cluster)",
                refusal(Operation::Write, &hooks.topic, &hooks.principal),
                error.message
            ));
        }
        Some(format!("fatal error: {}: {}", error.message, reason.trim()))
    }

    /// Why a record was not queued: the reason alone (the caller knows which record it was).
    fn send_error(&self, code: Option<RDKafkaErrorCode>, err: Option<&KafkaError>) -> Error {
        let reason = match (code, err) {
            (Some(RDKafkaErrorCode::Fatal), _) if self.fatal().is_some() => {
                self.fatal().unwrap_or_default()
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
        // With OIDC, librdkafka asks for a token on the producer's queue before it connects:
        // served here (kctl fetches it), not at the first record.
        self.inner.poll(Duration::ZERO);
        for _ in 0..2 {
            if self
                .inner
                .client()
                .fetch_metadata(Some(&self.topic), timeout.min(MAX_TIMEOUT))
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

    /// Queues `records` in order, as [`Producer::send`] would one by one, in batches where it
    /// can: records without headers stamped "now" go to librdkafka together, with one clock
    /// read, one timestamp and one topic lock per batch instead of per record. Waits while
    /// librdkafka's queue is full. On an error, the index of the record not queued and why
    /// (the reason alone, as `send`): the records before it were queued, those after it were
    /// not.
    pub fn send_batch(&self, records: &[OutRecord<'_>]) -> std::result::Result<(), (usize, Error)> {
        let mut i = 0;
        while i < records.len() {
            let start = i;
            while i < records.len() && self.batchable(&records[i]) {
                i += 1;
            }
            if i > start {
                self.queue_batch(&records[start..i])
                    .map_err(|(j, e)| (start + j, e))?;
            }
            if let Some(record) = records.get(i) {
                self.send(record).map_err(|e| (i, e))?;
                i += 1;
            }
        }
        Ok(())
    }

    /// Whether `record` can go out in a batch: librdkafka's batch call takes neither headers
    /// nor timestamps.
    fn batchable(&self, record: &OutRecord<'_>) -> bool {
        let len = record.key.map_or(0, <[u8]>::len) + record.value.map_or(0, <[u8]>::len);
        record.headers.is_empty()
            && self.headers.is_empty()
            && record.timestamp == RecordTime::Now
            && len <= self.batch_record_max
    }

    fn queue_batch(&self, records: &[OutRecord<'_>]) -> std::result::Result<(), (usize, Error)> {
        let mut batch = native::Batch::with_capacity(records.len());
        for record in records {
            batch.push(self.partition_of(record), record.key, record.value);
        }
        let mut from = 0;
        loop {
            let refused = batch.produce(&self.handle, from);
            let queued = records.len() - from - refused.len();
            self.sent.fetch_add(queued as u64, Ordering::Relaxed);
            let Some(&(first, code)) = refused.first() else {
                break;
            };
            // A full queue refuses the record and every one after it: serve reports, retry.
            if code == RDKafkaErrorCode::QueueFull && refused.len() == records.len() - first {
                self.inner.poll(Duration::from_millis(5));
                from = first;
                continue;
            }
            return Err((first, self.send_error(Some(code), None)));
        }
        self.inner.poll(Duration::ZERO);
        Ok(())
    }

    /// The partition a record goes to, as librdkafka takes it.
    fn partition_of(&self, record: &OutRecord<'_>) -> i32 {
        match (record.partition, record.key) {
            (Some(p), _) => p,
            // Keyed records go by the key's hash (librdkafka's partitioner).
            (None, Some(_)) => PARTITION_UA,
            (None, None) => self.spread.next(record.value.map_or(0, <[u8]>::len)),
        }
    }

    /// The common case, through the topic handle.
    fn send_plain(&self, record: &OutRecord<'_>) -> Result<()> {
        let partition = self.partition_of(record);
        loop {
            match native::produce(
                &self.handle,
                partition,
                record.key,
                record.value,
                timestamp_value(record.timestamp),
            ) {
                Ok(()) => return Ok(()),
                Err(RDKafkaErrorCode::QueueFull) => {
                    self.inner.poll(Duration::from_millis(5));
                }
                Err(code) => return Err(self.send_error(Some(code), None)),
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
            base = base.timestamp(timestamp_value(record.timestamp));
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
                Err((err, _)) => return Err(self.send_error(err.rdkafka_error_code(), Some(&err))),
            }
        }
    }

    /// The size of a batch holding only `record` (with the producer's `-H` headers), as the
    /// broker counts it against the topic's max.message.bytes, uncompressed, at most.
    pub fn batch_bytes(&self, record: &OutRecord<'_>) -> u64 {
        let len = |b: Option<&[u8]>| b.map_or(0, <[u8]>::len) as u64;
        let header = |k: &str, v: Option<&[u8]>| k.len() as u64 + len(v) + 10;
        let headers: u64 = record
            .headers
            .iter()
            .map(|(k, v)| header(k, *v))
            .sum::<u64>()
            + self
                .headers
                .iter()
                .map(|(k, v)| header(k, v.as_deref()))
                .sum::<u64>();
        BATCH_HEADER + RECORD_OVERHEAD + len(record.key) + len(record.value) + headers
    }

    /// Counts a record kctl did not send (the broker would have refused it) as failed, for
    /// `reason`.
    pub fn refuse(&self, reason: &str) {
        let counts = &self.inner.context().hooks;
        counts.failed.fetch_add(1, Ordering::Relaxed);
        // Counted as sent and failed at once: never in flight.
        self.sent.fetch_add(1, Ordering::Relaxed);
        let reason = Reason::Message(reason.to_string());
        if let Ok(mut errors) = counts.errors.lock() {
            if let Some(entry) = errors.iter_mut().find(|(_, r, _)| *r == reason) {
                entry.2 += 1;
            } else if errors.len() < MAX_DISTINCT_ERRORS {
                errors.push((None, reason, 1));
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
        drop_in_background(self);
    }

    /// Messages queued or sent whose delivery report has not been served yet: counted from
    /// the reports. (librdkafka's out-queue length also counts the events waiting for the
    /// application, such as the log lines of -vv, so it never drops to 0 while librdkafka
    /// logs.) Without reports of deliveries, librdkafka's count is all there is.
    fn in_flight(&self) -> u64 {
        if !self.reports_deliveries {
            return self.inner.in_flight_count().max(0) as u64;
        }
        let hooks = &self.inner.context().hooks;
        self.sent()
            .saturating_sub(hooks.delivered.load(Ordering::Relaxed))
            .saturating_sub(hooks.failed.load(Ordering::Relaxed))
            .saturating_sub(hooks.uncertain.load(Ordering::Relaxed))
    }

    pub fn stats(&self) -> DeliveryStats {
        let counts = &self.inner.context().hooks;
        let failed = counts.failed.load(Ordering::Relaxed);
        let uncertain = counts.uncertain.load(Ordering::Relaxed);
        let fatal = self.fatal();
        let mut errors: Vec<(String, u64)> = Vec::new();
        for (_, reason, n) in counts.errors.lock().map(|e| e.clone()).unwrap_or_default() {
            let message = match reason {
                Reason::Message(m) => m,
                Reason::Fatal(code) => fatal
                    .clone()
                    .unwrap_or_else(|| broker_error(code, None).message),
            };
            match errors.iter_mut().find(|(m, _)| *m == message) {
                Some(entry) => entry.1 += n,
                None => errors.push((message, n)),
            }
        }
        DeliveryStats {
            delivered: self
                .sent()
                .saturating_sub(failed)
                .saturating_sub(uncertain)
                .saturating_sub(self.in_flight()),
            failed,
            uncertain,
            errors,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::mocking::MockCluster;
    use rdkafka::types::RDKafkaRespErr;

    /// Batches keep the count: records that cannot go in a batch (headers, a
    /// timestamp, larger than message.max.bytes) go alone in their place, and the first record
    /// librdkafka refuses stops the batch there, the records before it queued and counted, none
    /// after it.
    #[test]
    fn batches_count_every_record_and_stop_at_a_refused_one() {
        let mock = MockCluster::new(1).expect("mock cluster");
        mock.create_topic("orders", 1, 1).expect("topic");
        let config = ClientConfig::for_test(&[
            "-b",
            &mock.bootstrap_servers(),
            "--timeout",
            "10s",
            "-X",
            "message.max.bytes=5000",
        ]);
        let producer = Producer::new(
            &config,
            ProducerOptions {
                topic: "orders".into(),
                compression: None,
                headers: Vec::new(),
            },
            None,
        )
        .unwrap();
        let headers: [(&str, Option<&[u8]>); 1] = [("h", Some(b"v"))];
        let big = vec![b'x'; 6000];
        let record = |value: &'static [u8]| OutRecord {
            value: Some(value),
            ..OutRecord::default()
        };
        let mut records: Vec<OutRecord<'_>> = (0..3000).map(|_| record(b"plain")).collect();
        records[10] = OutRecord {
            headers: &headers,
            ..record(b"with a header")
        };
        records[20] = OutRecord {
            timestamp: RecordTime::At(1_700_000_000_000),
            ..record(b"with a timestamp")
        };
        producer.send_batch(&records).unwrap();
        assert_eq!(producer.sent(), 3000);

        // Record 5 is larger than message.max.bytes: refused, nothing after it queued.
        let mut records: Vec<OutRecord<'_>> = (0..10).map(|_| record(b"plain")).collect();
        records[5] = OutRecord {
            value: Some(&big),
            ..OutRecord::default()
        };
        let (index, err) = producer.send_batch(&records).unwrap_err();
        assert_eq!(index, 5);
        assert!(err.message().contains("too large"), "{}", err.message());
        assert_eq!(producer.sent(), 3005);

        assert_eq!(producer.flush(Duration::from_secs(10)), 0);
        let stats = producer.stats();
        assert_eq!((stats.delivered, stats.failed), (3005, 0), "{stats:?}");
    }

    /// A fatal error (an idempotent producer's out-of-order sequence after a broker restart,
    /// say) is reported with librdkafka's reason, for records refused after it and for those
    /// it purged from the queue; "fatal error" alone says nothing.
    #[test]
    fn a_fatal_error_carries_its_reason() {
        let mock = MockCluster::new(1).expect("mock cluster");
        mock.create_topic("orders", 1, 1).expect("topic");
        let config = ClientConfig::for_test(&["-b", &mock.bootstrap_servers(), "--timeout", "10s"]);
        let producer = Producer::new(
            &config,
            ProducerOptions {
                topic: "orders".into(),
                compression: None,
                headers: Vec::new(),
            },
            None,
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
        crate::kafka::native::test_fatal_error(
            ClientRef::of(producer.inner.client()),
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
