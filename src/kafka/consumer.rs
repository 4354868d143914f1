//! Consuming records: librdkafka's consumer behind a small interface of plain types.
//!
//! Records are handed out as [`RecordRef`]s that borrow the consumer, so none can outlive it
//! (a consumer dropped while one of its messages is alive would hang).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rdkafka::client::ClientContext;
use rdkafka::config::{ClientConfig, FromClientConfigAndContext, RDKafkaLogLevel};
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer as _, ConsumerContext};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::BorrowedMessage;
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use rdkafka::types::RDKafkaRespErr;

use crate::error::{Error, Result};
use crate::settings::Settings;

use super::native::{ClientPtr, ConsumerQueue, MainQueuePump, RawMessage};
use super::topic::set_default;
use super::{base_config, broker_error, ConnState};

/// The group id of a consumer that reads by assignment. It is never joined and nothing is ever
/// committed under it, so no group appears on the broker.
const ASSIGN_ONLY_GROUP: &str = "kctl-assign-only";

/// Where to start reading a partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartOffset {
    Beginning,
    End,
    /// An absolute offset.
    At(i64),
    /// The last N records.
    Tail(i64),
}

impl StartOffset {
    fn native(self) -> Offset {
        match self {
            StartOffset::Beginning => Offset::Beginning,
            StartOffset::End => Offset::End,
            StartOffset::At(n) => Offset::Offset(n),
            StartOffset::Tail(n) => Offset::OffsetTail(n),
        }
    }
}

/// How to read a topic.
#[derive(Debug, Clone)]
pub enum ReadMode {
    /// Read these partitions from these offsets; no group is joined, nothing is committed.
    Assign(BTreeMap<i32, StartOffset>),
    /// Join `group` (subscribe). Where a partition has no committed offset, start at the
    /// beginning when `from_beginning`, else at the end. `starts`, when given, overrides the
    /// committed offsets of the partitions assigned.
    Group {
        group: String,
        from_beginning: bool,
        starts: Option<BTreeMap<i32, StartOffset>>,
    },
}

/// How a record's timestamp was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampType {
    CreateTime,
    LogAppendTime,
}

/// A record borrowed from the consumer; it cannot outlive it (nor the next poll).
pub struct RecordRef<'a> {
    raw: RawMessage<'a>,
    /// The message the view reads, when it came from rust-rdkafka's poll (group mode).
    _owned: Option<BorrowedMessage<'a>>,
}

impl<'a> RecordRef<'a> {
    pub fn topic(&self) -> &str {
        self.raw.topic()
    }

    pub fn partition(&self) -> i32 {
        self.raw.partition()
    }

    pub fn offset(&self) -> i64 {
        self.raw.offset()
    }

    /// Milliseconds since the epoch, with how it was set; `None` when not available.
    pub fn timestamp(&self) -> Option<(i64, TimestampType)> {
        self.raw.timestamp().map(|(ts, log_append)| {
            let kind = if log_append {
                TimestampType::LogAppendTime
            } else {
                TimestampType::CreateTime
            };
            (ts, kind)
        })
    }

    pub fn key(&self) -> Option<&[u8]> {
        self.raw.key()
    }

    pub fn value(&self) -> Option<&[u8]> {
        self.raw.payload()
    }

    /// The headers in order: name and value (`None` for a null value).
    pub fn headers(&self) -> impl Iterator<Item = (&str, Option<&[u8]>)> + '_ {
        self.raw.headers()
    }

    pub fn has_headers(&self) -> bool {
        self.raw.headers().next().is_some()
    }
}

/// Records taken from librdkafka per call when reading by assignment.
const BATCH: usize = 1024;

/// A consumer error: transient ones (librdkafka retries by itself) read as nothing polled.
fn consume_error<'a>(
    topic: &str,
    code: RDKafkaErrorCode,
    fatal: bool,
    client: ClientPtr,
) -> Result<Polled<'a>> {
    match code {
        RDKafkaErrorCode::BrokerTransportFailure
        | RDKafkaErrorCode::AllBrokersDown
        | RDKafkaErrorCode::OperationTimedOut
        | RDKafkaErrorCode::RequestTimedOut
        | RDKafkaErrorCode::NetworkException
            if !fatal =>
        {
            Ok(Polled::Idle)
        }
        RDKafkaErrorCode::BadMessage => Err(super::bad_message_error(topic, client)),
        code => Err(Error::runtime(format!(
            "cannot consume from '{topic}': {}",
            broker_error(code, None)
        ))),
    }
}

/// How far a group consumer got with joining its group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupStatus {
    /// A rebalance assigned partitions (possibly none) to this consumer.
    Joined,
    /// The group's coordinator is known and connected; the group is still (re)balancing.
    Joining,
    /// The cluster named the group's coordinator but it cannot be reached (yet).
    CoordinatorUnreachable,
    /// No coordinator for the group has been found (yet).
    NoCoordinator,
}

/// What one poll brought.
pub enum Polled<'a> {
    Record(RecordRef<'a>),
    /// The consumer reached the current end of this partition.
    PartitionEnd(i32),
    /// Nothing within the poll's timeout (or only internal events).
    Idle,
}

/// Partitions the group is taking away from this consumer. They stay assigned (the group waits)
/// until [`Consumer::release`] gives them up, so what was printed of them can be committed
/// first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub partitions: Vec<i32>,
    /// The assignment was lost (the session expired): others may own the partitions already,
    /// so nothing may be committed for them.
    pub lost: bool,
    cooperative: bool,
}

struct ConsumeCtx {
    state: Arc<ConnState>,
    /// Explicit start offsets applied to partitions as they are assigned (group mode).
    starts: Option<BTreeMap<i32, StartOffset>>,
    assigned: Mutex<BTreeSet<i32>>,
    /// A revocation waiting for [`Consumer::release`].
    revoked: Mutex<Option<Revocation>>,
    /// Why the last commit the broker answered failed, if it did.
    commit_error: Arc<Mutex<Option<String>>>,
    /// The consumer is closing: partitions are given up at once.
    closing: AtomicBool,
    /// A rebalance reached this consumer (group mode).
    joined: AtomicBool,
    /// The coordinator's state in librdkafka's last statistics (a `COORD_*` value).
    coordinator: AtomicU8,
}

const COORD_NONE: u8 = 0;
const COORD_UNREACHABLE: u8 = 1;
const COORD_UP: u8 = 2;
const COORD_MEMBER: u8 = 3;

/// The part of librdkafka's statistics kctl reads.
#[derive(serde::Deserialize)]
struct Stats {
    cgrp: Option<CgrpStats>,
}

#[derive(serde::Deserialize)]
struct CgrpStats {
    state: String,
    /// `steady` once the member is in the group, with or without partitions.
    #[serde(default)]
    join_state: String,
}

impl ClientContext for ConsumeCtx {
    fn stats_raw(&self, statistics: &[u8]) {
        // Only needed until the group is joined.
        if self.joined.load(Ordering::Relaxed) {
            return;
        }
        if let Ok(Stats { cgrp: Some(cgrp) }) = serde_json::from_slice::<Stats>(statistics) {
            let state = match cgrp.state.as_str() {
                // A member of the group that was given nothing yet (the consumer protocol
                // assigns without a rebalance callback while others still hold everything).
                "up" if cgrp.join_state == "steady" => COORD_MEMBER,
                "up" => COORD_UP,
                "wait-broker" | "wait-broker-transport" => COORD_UNREACHABLE,
                _ => COORD_NONE,
            };
            self.coordinator.store(state, Ordering::Relaxed);
        }
    }

    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        self.state.on_log(level as i32, fac, log_message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        let code = error.rdkafka_error_code().unwrap_or(RDKafkaErrorCode::Fail);
        // Reaching a partition's end is an event kctl asked for, not an error.
        if code != RDKafkaErrorCode::PartitionEOF {
            self.state.on_error(code, reason);
        }
    }
}

impl ConsumerContext for ConsumeCtx {
    fn commit_callback(&self, result: rdkafka::error::KafkaResult<()>, _: &TopicPartitionList) {
        let reason = match result {
            Ok(()) => None,
            Err(e) => Some(match e.rdkafka_error_code() {
                Some(code) => broker_error(code, None).message,
                None => e.to_string(),
            }),
        };
        if let Ok(mut last) = self.commit_error.lock() {
            *last = reason;
        }
    }

    fn rebalance(
        &self,
        consumer: &BaseConsumer<Self>,
        err: RDKafkaRespErr,
        tpl: &mut TopicPartitionList,
    ) {
        let cooperative = matches!(
            consumer.rebalance_protocol(),
            rdkafka::consumer::RebalanceProtocol::Cooperative
        );
        let partitions: Vec<i32> = tpl.elements().iter().map(|e| e.partition()).collect();
        self.joined.store(true, Ordering::Relaxed);
        match err {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                if let Some(starts) = &self.starts {
                    let elements: Vec<(String, i32)> = tpl
                        .elements()
                        .iter()
                        .map(|e| (e.topic().to_string(), e.partition()))
                        .collect();
                    for (topic, p) in elements {
                        if let Some(start) = starts.get(&p) {
                            let _ = tpl.set_partition_offset(&topic, p, start.native());
                        }
                    }
                }
                let _ = if cooperative {
                    consumer.incremental_assign(tpl)
                } else {
                    consumer.assign(tpl)
                };
                if let Ok(mut assigned) = self.assigned.lock() {
                    if !cooperative {
                        assigned.clear();
                    }
                    assigned.extend(partitions);
                }
            }
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS
                if !self.closing.load(Ordering::Relaxed) =>
            {
                // Given up later, by `Consumer::release`, once what was printed is committed.
                let revocation = Revocation {
                    partitions,
                    lost: consumer.assignment_lost(),
                    cooperative,
                };
                if let Ok(mut revoked) = self.revoked.lock() {
                    *revoked = Some(revocation);
                }
            }
            _ => {
                unassign(consumer, tpl, cooperative);
                if let Ok(mut assigned) = self.assigned.lock() {
                    if cooperative {
                        for p in partitions {
                            assigned.remove(&p);
                        }
                    } else {
                        assigned.clear();
                    }
                }
            }
        }
    }
}

/// Gives up the partitions of `tpl` (cooperative) or the whole assignment (eager).
fn unassign(consumer: &BaseConsumer<ConsumeCtx>, tpl: &TopicPartitionList, cooperative: bool) {
    let _ = if cooperative {
        consumer.incremental_unassign(tpl)
    } else {
        consumer.unassign()
    };
}

/// Settings every kctl consumer shares: nothing committed by itself, partition ends reported.
fn consumer_config(settings: &Settings) -> ClientConfig {
    let mut config = base_config(settings);
    config
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("enable.partition.eof", "true");
    // Queue and fetch sizes for a command line tool, not a service (`-X` overrides each).
    // librdkafka's defaults let the queue of fetched records grow to 100,000 records or
    // 64 MiB and a fetch bring 50 MiB, and when the queue is full they wait 1 s before the
    // next fetch. Measured on Apache Kafka 4.4, 1M records of 65 bytes to /dev/null: values
    // 0.51 s, 64 MB peak RSS; JSON 6.6 s (idle between those 1 s waits), 66 MB; on 1,000
    // partitions 250 MB. With these: values 0.50 s, 33 MB; JSON 1.1 s, 39 MB; 1,000
    // partitions 52 MB. (4 MiB of queue also caps a fetch at 4 MiB, or message.max.bytes.)
    set_default(&mut config, settings, "queued.min.messages", "25000");
    set_default(&mut config, settings, "queued.max.messages.kbytes", "4096");
    set_default(&mut config, settings, "fetch.queue.backoff.ms", "10");
    config
}

/// A consumer that reads by assignment: a group id it never joins or commits under.
fn assign_only(config: &mut ClientConfig, settings: &Settings) {
    config.set("group.id", ASSIGN_ONLY_GROUP);
    // An offset out of range (records deleted meanwhile) restarts at the earliest one there.
    set_default(config, settings, "auto.offset.reset", "earliest");
}

/// Creates the consumer; `starts` are applied to partitions as a group assigns them.
fn create(
    config: &ClientConfig,
    settings: &Settings,
    starts: Option<BTreeMap<i32, StartOffset>>,
) -> Result<BaseConsumer<ConsumeCtx>> {
    let ctx = ConsumeCtx {
        state: Arc::new(ConnState::new(settings)),
        starts,
        assigned: Mutex::new(BTreeSet::new()),
        revoked: Mutex::new(None),
        commit_error: Arc::new(Mutex::new(None)),
        closing: AtomicBool::new(false),
        joined: AtomicBool::new(false),
        coordinator: AtomicU8::new(COORD_NONE),
    };
    BaseConsumer::from_config_and_context(config, ctx)
        .map_err(|e| Error::usage(format!("cannot create the Kafka consumer: {e}")))
}

/// A consumer of one topic.
pub struct Consumer {
    /// Reading by assignment, records are taken from here in batches. Dropped before `inner`.
    batch: Option<ConsumerQueue>,
    /// Reading by assignment, logs and errors are served from the main queue here. Dropped
    /// before `inner`.
    _pump: Option<MainQueuePump>,
    inner: BaseConsumer<ConsumeCtx>,
    topic: String,
    group: Option<String>,
}

impl Consumer {
    /// Creates the consumer and starts reading. Offsets are never committed automatically:
    /// call [`Consumer::commit`] with what was printed.
    pub fn new(settings: &Settings, topic: &str, mode: ReadMode) -> Result<Consumer> {
        let mut config = consumer_config(settings);
        let (group, starts) = match &mode {
            ReadMode::Assign(_) => {
                assign_only(&mut config, settings);
                (None, None)
            }
            ReadMode::Group {
                group,
                from_beginning,
                starts,
            } => {
                config.set("group.id", group);
                set_default(
                    &mut config,
                    settings,
                    "auto.offset.reset",
                    if *from_beginning {
                        "earliest"
                    } else {
                        "latest"
                    },
                );
                // The statistics say whether the group's coordinator was found, which tells a
                // coordinator that is unavailable from a group that is slow to rebalance.
                set_default(&mut config, settings, "statistics.interval.ms", "1000");
                (Some(group.clone()), starts.clone())
            }
        };
        let inner = create(&config, settings, starts)?;
        match &mode {
            ReadMode::Assign(starts) => {
                let mut tpl = TopicPartitionList::with_capacity(starts.len());
                for (p, start) in starts {
                    tpl.add_partition_offset(topic, *p, start.native())
                        .map_err(|e| Error::runtime(format!("invalid start offset: {e}")))?;
                }
                inner
                    .assign(&tpl)
                    .map_err(|e| Error::runtime(format!("cannot assign partitions: {e}")))?;
                if let Ok(mut assigned) = inner.context().assigned.lock() {
                    assigned.extend(starts.keys().copied());
                }
            }
            ReadMode::Group { group, .. } => {
                inner
                    .subscribe(&[topic])
                    .map_err(|e| Error::runtime(format!("cannot join group '{group}': {e}")))?;
            }
        }
        // A group member is polled one event at a time: rebalances come as events.
        let (batch, pump) = match &mode {
            ReadMode::Assign(_) => {
                let client = ClientPtr(inner.client().native_ptr());
                let pump = MainQueuePump::start(client, inner.context().state.clone());
                (ConsumerQueue::new(client), Some(pump))
            }
            ReadMode::Group { .. } => (None, None),
        };
        Ok(Consumer {
            batch,
            _pump: pump,
            inner,
            topic: topic.to_string(),
            group,
        })
    }

    /// Ends the consumer. A group member waits (up to `within`) for its commits to be answered
    /// and leaves its group right away (its partitions move on at once); a consumer reading by
    /// assignment has nothing to tell the broker and is torn down on a thread of its own, which
    /// nothing needs to wait for.
    pub fn close(self, within: Duration) -> Result<()> {
        let Some(group) = self.group.clone() else {
            super::drop_in_background(self);
            return Ok(());
        };
        // Closing revokes every partition: give them up at once (what was printed has been
        // committed by now).
        self.inner.context().closing.store(true, Ordering::Relaxed);
        if let Some(revocation) = self.revocation() {
            self.release(&revocation);
        }
        let commit_error = self.inner.context().commit_error.clone();
        let (done, closed) = std::sync::mpsc::channel();
        let _ = std::thread::Builder::new()
            .name("kctl-close".into())
            .spawn(move || {
                drop(self);
                let _ = done.send(());
            });
        if closed.recv_timeout(within).is_err() {
            return Err(Error::runtime(format!(
                "cannot leave group '{group}' cleanly: its coordinator did not answer within {}; \
                 the last offsets may not be committed",
                humantime::format_duration(Duration::from_millis(within.as_millis() as u64))
            )));
        }
        match commit_error.lock().ok().and_then(|mut e| e.take()) {
            Some(reason) => Err(Error::runtime(format!(
                "cannot commit offsets of group '{group}': {reason}"
            ))),
            None => Ok(()),
        }
    }

    /// Waits up to `timeout` for the next record or event.
    pub fn poll(&mut self, timeout: Duration) -> Result<Polled<'_>> {
        let Some(batch) = self.batch.as_mut() else {
            return match self.inner.poll(timeout) {
                None => Ok(Polled::Idle),
                Some(Ok(msg)) => {
                    // SAFETY: the view borrows the message, which the record keeps alive.
                    let raw = unsafe { RawMessage::from_ptr(msg.ptr()) };
                    Ok(Polled::Record(RecordRef {
                        raw,
                        _owned: Some(msg),
                    }))
                }
                Some(Err(KafkaError::PartitionEOF(p))) => Ok(Polled::PartitionEnd(p)),
                Some(Err(err)) => {
                    let fatal = matches!(err, KafkaError::MessageConsumptionFatal(_));
                    match err.rdkafka_error_code() {
                        Some(code) => consume_error(
                            &self.topic,
                            code,
                            fatal,
                            ClientPtr(self.inner.client().native_ptr()),
                        ),
                        None => Err(Error::runtime(format!(
                            "cannot consume from '{}': {err}",
                            self.topic
                        ))),
                    }
                }
            };
        };
        if !batch.has_next() {
            // Busy: take what is there. Idle: return as soon as one record arrives.
            let max = if timeout.is_zero() { BATCH } else { 1 };
            if batch.refill(timeout, max) == 0 {
                return Ok(Polled::Idle);
            }
        }
        let raw = batch.next().expect("a refilled batch has a message");
        match raw.error() {
            RDKafkaErrorCode::NoError => Ok(Polled::Record(RecordRef { raw, _owned: None })),
            RDKafkaErrorCode::PartitionEOF => Ok(Polled::PartitionEnd(raw.partition())),
            code => consume_error(
                &self.topic,
                code,
                false,
                ClientPtr(self.inner.client().native_ptr()),
            ),
        }
    }

    /// Partitions the group is taking away, if any: commit what was printed of them, then
    /// [`Consumer::release`] them. Until then they stay assigned and the group waits.
    pub fn revocation(&self) -> Option<Revocation> {
        self.inner.context().revoked.lock().ok()?.clone()
    }

    /// Gives up the partitions of `revocation` to the group.
    pub fn release(&self, revocation: &Revocation) {
        let ctx = self.inner.context();
        if let Ok(mut revoked) = ctx.revoked.lock() {
            if revoked.as_ref() == Some(revocation) {
                *revoked = None;
            }
        }
        let mut tpl = TopicPartitionList::with_capacity(revocation.partitions.len());
        for p in &revocation.partitions {
            tpl.add_partition(&self.topic, *p);
        }
        unassign(&self.inner, &tpl, revocation.cooperative);
        if let Ok(mut assigned) = ctx.assigned.lock() {
            if revocation.cooperative {
                for p in &revocation.partitions {
                    assigned.remove(p);
                }
            } else {
                assigned.clear();
            }
        }
    }

    /// librdkafka's last connection error (a broker that cannot be reached, say).
    pub fn last_error(&self) -> Option<String> {
        self.inner.context().state.last_error()
    }

    /// The partitions currently assigned to this consumer.
    pub fn assigned(&self) -> BTreeSet<i32> {
        self.inner
            .context()
            .assigned
            .lock()
            .map(|a| a.clone())
            .unwrap_or_default()
    }

    /// How far joining the group got (group mode).
    pub fn group_status(&self) -> GroupStatus {
        let ctx = self.inner.context();
        if ctx.joined.load(Ordering::Relaxed) {
            return GroupStatus::Joined;
        }
        match ctx.coordinator.load(Ordering::Relaxed) {
            COORD_MEMBER => GroupStatus::Joined,
            COORD_UP => GroupStatus::Joining,
            COORD_UNREACHABLE => GroupStatus::CoordinatorUnreachable,
            _ => GroupStatus::NoCoordinator,
        }
    }

    /// The fetch position (next offset to read) of each assigned partition, when known.
    pub fn positions(&self) -> BTreeMap<i32, i64> {
        let mut out = BTreeMap::new();
        if let Ok(tpl) = self.inner.position() {
            for e in tpl.elements() {
                if let Offset::Offset(o) = e.offset() {
                    out.insert(e.partition(), o);
                }
            }
        }
        out
    }

    /// Stops fetching a partition (it reached its end).
    pub fn pause(&self, partition: i32) {
        let mut tpl = TopicPartitionList::with_capacity(1);
        tpl.add_partition(&self.topic, partition);
        let _ = self.inner.pause(&tpl);
    }

    /// Commits the next offset to read of each partition to the group (no-op without one).
    /// `wait` blocks until the broker answered.
    pub fn commit(&self, next_offsets: &BTreeMap<i32, i64>, wait: bool) -> Result<()> {
        let Some(group) = &self.group else {
            return Ok(());
        };
        if next_offsets.is_empty() {
            return Ok(());
        }
        let mut tpl = TopicPartitionList::with_capacity(next_offsets.len());
        for (p, o) in next_offsets {
            tpl.add_partition_offset(&self.topic, *p, Offset::Offset(*o))
                .map_err(|e| Error::runtime(format!("invalid offset to commit: {e}")))?;
        }
        let mode = if wait {
            CommitMode::Sync
        } else {
            CommitMode::Async
        };
        self.inner.commit(&tpl, mode).map_err(|e| {
            let reason = match e.rdkafka_error_code() {
                Some(code) => broker_error(code, None).message,
                None => e.to_string(),
            };
            Error::runtime(format!(
                "cannot commit offsets of group '{group}': {reason}"
            ))
        })
    }
}

/// The timestamp (ms since the epoch) of the record at each given (partition, offset): for a
/// group, of the oldest record it has not consumed yet. Blocks up to `timeout`; a position
/// whose record cannot be read in time (or that has none at that offset) is left out. Reads by
/// assignment: no group is joined, nothing is committed.
pub fn record_timestamps(
    settings: &Settings,
    positions: &[(super::TopicPartition, i64)],
    timeout: Duration,
) -> Result<BTreeMap<(super::TopicPartition, i64), i64>> {
    let deadline = std::time::Instant::now() + timeout;
    // An assignment holds one offset per partition: a partition asked at several offsets
    // (groups at different places) is read again in a further pass.
    let mut passes: Vec<BTreeMap<super::TopicPartition, i64>> = Vec::new();
    for (tp, offset) in positions {
        if passes.iter().any(|pass| pass.get(tp) == Some(offset)) {
            continue;
        }
        match passes.iter_mut().find(|pass| !pass.contains_key(tp)) {
            Some(pass) => {
                pass.insert(tp.clone(), *offset);
            }
            None => passes.push(BTreeMap::from([(tp.clone(), *offset)])),
        }
    }
    let mut out = BTreeMap::new();
    for pass in passes {
        for (tp, ts) in read_timestamps(settings, &pass, deadline)? {
            let offset = pass[&tp];
            out.insert((tp, offset), ts);
        }
    }
    Ok(out)
}

/// One pass of [`record_timestamps`]: one consumer assigned to every partition at its offset.
fn read_timestamps(
    settings: &Settings,
    positions: &BTreeMap<super::TopicPartition, i64>,
    deadline: std::time::Instant,
) -> Result<BTreeMap<super::TopicPartition, i64>> {
    let mut out = BTreeMap::new();
    // Records deleted since the commit: the oldest one still there is the oldest unconsumed.
    let mut config = consumer_config(settings);
    assign_only(&mut config, settings);
    // One record per partition is all that is needed.
    set_default(&mut config, settings, "max.partition.fetch.bytes", "4096");
    let consumer = create(&config, settings, None)?;
    let mut tpl = TopicPartitionList::with_capacity(positions.len());
    for ((topic, partition), offset) in positions {
        tpl.add_partition_offset(topic, *partition, Offset::Offset(*offset))
            .map_err(|e| Error::runtime(format!("invalid offset: {e}")))?;
    }
    consumer
        .assign(&tpl)
        .map_err(|e| Error::runtime(format!("cannot assign partitions: {e}")))?;
    let mut pending: BTreeSet<&super::TopicPartition> = positions.keys().collect();
    let client = ClientPtr(consumer.client().native_ptr());
    // Logs and errors go to kctl's handlers, not librdkafka's printer.
    let pump = MainQueuePump::start(client, consumer.context().state.clone());
    if let Some(mut queue) = ConsumerQueue::new(client) {
        while !pending.is_empty() {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            queue.refill(left.min(Duration::from_millis(100)), BATCH);
            while let Some(msg) = queue.next() {
                let tp = (msg.topic().to_string(), msg.partition());
                if !pending.remove(&tp) {
                    continue;
                }
                // An error here is mostly the partition's end: no record at or after the
                // offset (transaction markers only, say).
                if msg.error() == RDKafkaErrorCode::NoError {
                    if let Some((ts, _)) = msg.timestamp() {
                        out.insert(tp.clone(), ts);
                    }
                }
                let mut one = TopicPartitionList::with_capacity(1);
                one.add_partition(&tp.0, tp.1);
                let _ = consumer.pause(&one);
            }
        }
        // The batch's messages go before the consumer does.
        drop(queue);
    }
    drop(pump);
    super::drop_in_background(consumer);
    Ok(out)
}
