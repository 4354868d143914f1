//! Consuming records: librdkafka's consumer behind a small interface of plain types.
//!
//! Records are handed out as [`RecordRef`]s that borrow the consumer, so none can outlive it
//! (a consumer dropped while one of its messages is alive would hang). Reading by assignment
//! takes records from librdkafka in batches; a group member is polled one event at a time,
//! since rebalances come as events (see `rebalance.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use rdkafka::config::FromClientConfigAndContext;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer as _};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::BorrowedMessage;
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};

use super::authz::{principal, refusal_error, Operation, Resource};
use super::client::drop_in_background;
use super::config::ClientConfig;
use super::conn::{ConnState, RECEIVE_MAX_HINT};
use super::errors::broker_error;
use super::native::consume::{ConsumerQueue, RawMessage};
use super::native::events::MainQueuePump;
use super::native::{self, ClientRef, SharedClient};
use super::rebalance::{offset_of, unassign, ConsumeCtx, ConsumeHooks, Revocation};
use super::types::{
    GroupStatus, ReadMode, StartOffset, Subscription, TimestampType, TopicPartition,
};
use crate::error::{Error, Result};

/// A record borrowed from the consumer; it cannot outlive it (nor the next poll).
pub struct RecordRef<'a>(Message<'a>);

enum Message<'a> {
    /// A message of the current batch (reading by assignment).
    Batch(RawMessage<'a>),
    /// A message rust-rdkafka's poll handed out (group mode).
    Polled(BorrowedMessage<'a>),
}

impl RecordRef<'_> {
    fn raw(&self) -> RawMessage<'_> {
        match &self.0 {
            Message::Batch(raw) => *raw,
            Message::Polled(msg) => RawMessage::of(msg),
        }
    }

    pub fn topic(&self) -> &str {
        self.raw().topic()
    }

    pub fn partition(&self) -> i32 {
        self.raw().partition()
    }

    pub fn offset(&self) -> i64 {
        self.raw().offset()
    }

    /// Milliseconds since the epoch, with how it was set; `None` when not available.
    pub fn timestamp(&self) -> Option<(i64, TimestampType)> {
        self.raw().timestamp().map(|(ts, log_append)| {
            let kind = if log_append {
                TimestampType::LogAppendTime
            } else {
                TimestampType::CreateTime
            };
            (ts, kind)
        })
    }

    pub fn key(&self) -> Option<&[u8]> {
        self.raw().key()
    }

    pub fn value(&self) -> Option<&[u8]> {
        self.raw().payload()
    }

    /// The headers in order: name and value (`None` for a null value).
    pub fn headers(&self) -> impl Iterator<Item = (&str, Option<&[u8]>)> + '_ {
        self.raw().headers()
    }

    pub fn has_headers(&self) -> bool {
        self.raw().headers().next().is_some()
    }
}

/// What one poll brought.
pub enum Polled<'a> {
    Record(RecordRef<'a>),
    /// The consumer reached the current end of a partition: of this topic, when known (a
    /// group member of several topics is not told which).
    PartitionEnd {
        topic: Option<String>,
        partition: i32,
    },
    /// Nothing within the poll's timeout (or only internal events).
    Idle,
}

/// Records taken from librdkafka per call when reading by assignment.
pub(super) const BATCH: usize = 1024;

/// A consumer's "bad message format": what a fetch answer larger than
/// receive.message.max.bytes reads as (librdkafka drops the connection and fails the fetch),
/// or a corrupt record. Names the setting and its value.
fn bad_message_error(topic: &str, client: ClientRef<'_>) -> Error {
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

/// A consumer error: transient ones (librdkafka retries by itself) read as nothing polled.
/// Reading by assignment (`group` is `None`) the consumer's group is only there because
/// librdkafka's assign needs one: its coordinator lookup being refused is no concern of kctl's,
/// which joins no group and commits nothing.
fn consume_error<'a>(
    topic: &str,
    group: Option<&str>,
    code: RDKafkaErrorCode,
    fatal: bool,
    client: ClientRef<'_>,
    principal: &str,
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
        RDKafkaErrorCode::GroupAuthorizationFailed if group.is_none() => Ok(Polled::Idle),
        RDKafkaErrorCode::GroupAuthorizationFailed | RDKafkaErrorCode::TopicAuthorizationFailed => {
            let resource = match group {
                Some(group) if code == RDKafkaErrorCode::GroupAuthorizationFailed => {
                    Resource::Group(group.to_string())
                }
                _ => Resource::Topic(topic.to_string()),
            };
            Err(refusal_error(Operation::Read, &resource, principal))
        }
        RDKafkaErrorCode::BadMessage => Err(bad_message_error(topic, client)),
        code => Err(Error::runtime(format!(
            "cannot consume from '{topic}': {}",
            broker_error(code, None)
        ))),
    }
}

/// Creates a consumer from `config`; `starts` are applied to partitions as a group assigns
/// them.
pub(super) fn create(
    client: &ClientConfig,
    config: &rdkafka::config::ClientConfig,
    starts: Option<BTreeMap<TopicPartition, StartOffset>>,
) -> Result<Arc<BaseConsumer<ConsumeCtx>>> {
    let ctx = ConsumeCtx {
        state: Arc::new(ConnState::new(client)),
        hooks: ConsumeHooks::new(starts),
    };
    BaseConsumer::from_config_and_context(config, ctx)
        .map(Arc::new)
        .map_err(|e| Error::usage(format!("cannot create the Kafka consumer: {e}")))
}

impl ClientConfig {
    /// Whether a consumer made from this configuration reads committed records only (the
    /// default isolation level): its partitions then end at their last stable offset, not at
    /// their high watermark.
    pub fn reads_committed(&self) -> bool {
        self.user_property("isolation.level") != Some("read_uncommitted")
    }
}

/// A consumer of one topic or several.
pub struct Consumer {
    /// Reading by assignment, records are taken from here in batches.
    batch: Option<ConsumerQueue>,
    /// Reading by assignment, logs and errors are served from the main queue here.
    _pump: Option<MainQueuePump>,
    inner: Arc<BaseConsumer<ConsumeCtx>>,
    /// What is read, for messages: `orders`, or `a, b` for several topics.
    topic: String,
    /// The topic, when a group member subscribes to one.
    single_topic: Option<String>,
    group: Option<String>,
    /// Who reads, for a refusal.
    principal: String,
}

impl Consumer {
    /// Creates the consumer and starts reading: the partitions of [`ReadMode::Assign`], or,
    /// in a group, what `subscription` names. Offsets are never committed automatically: call
    /// [`Consumer::commit`] with what was printed. `topic` names what is read in messages.
    pub fn new(
        client: &ClientConfig,
        topic: &str,
        subscription: &Subscription,
        mode: ReadMode,
    ) -> Result<Consumer> {
        let (group, starts) = match &mode {
            ReadMode::Assign(_) => (None, None),
            ReadMode::Group { group, starts, .. } => (Some(group.clone()), starts.clone()),
        };
        let inner = create(client, &client.consumer(&mode), starts)?;
        match &mode {
            ReadMode::Assign(starts) => {
                let mut tpl = TopicPartitionList::with_capacity(starts.len());
                for ((topic, p), start) in starts {
                    tpl.add_partition_offset(topic, *p, offset_of(*start))
                        .map_err(|e| Error::runtime(format!("invalid start offset: {e}")))?;
                }
                inner
                    .assign(&tpl)
                    .map_err(|e| Error::runtime(format!("cannot assign partitions: {e}")))?;
                if let Ok(mut assigned) = inner.context().hooks.assigned.lock() {
                    assigned.extend(starts.keys().cloned());
                }
            }
            ReadMode::Group { group, .. } => {
                // librdkafka reads a topic that starts with '^' as a regular expression.
                let names: Vec<String> = match subscription {
                    Subscription::Topics(names) => names.clone(),
                    Subscription::Pattern(pattern) => vec![format!("^({pattern})$")],
                };
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                inner
                    .subscribe(&names)
                    .map_err(|e| Error::runtime(format!("cannot join group '{group}': {e}")))?;
            }
        }
        // A group member is polled one event at a time: rebalances come as events.
        let (batch, pump) = match &mode {
            ReadMode::Assign(_) => {
                let shared = SharedClient::consumer(&inner);
                let pump = MainQueuePump::start(shared.clone(), inner.context().state.clone());
                (ConsumerQueue::new(shared), Some(pump))
            }
            ReadMode::Group { .. } => (None, None),
        };
        Ok(Consumer {
            batch,
            _pump: pump,
            inner,
            topic: topic.to_string(),
            single_topic: match subscription {
                Subscription::Topics(names) if names.len() == 1 => Some(names[0].clone()),
                _ => None,
            },
            group,
            principal: principal(client),
        })
    }

    /// Ends the consumer. A group member waits (up to `within`) for its commits to be answered
    /// and leaves its group right away (its partitions move on at once); a consumer reading by
    /// assignment has nothing to tell the broker and is torn down on a thread of its own, which
    /// nothing needs to wait for.
    pub fn close(self, within: Duration) -> Result<()> {
        let Some(group) = self.group.clone() else {
            drop_in_background(self);
            return Ok(());
        };
        // Closing revokes every partition: give them up at once (what was printed has been
        // committed by now).
        let hooks = &self.inner.context().hooks;
        hooks.closing.store(true, Ordering::Relaxed);
        if let Some(revocation) = self.revocation() {
            self.release(&revocation);
        }
        let commit_error = hooks.commit_error.clone();
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
                Some(Ok(msg)) => Ok(Polled::Record(RecordRef(Message::Polled(msg)))),
                Some(Err(KafkaError::PartitionEOF(p))) => Ok(Polled::PartitionEnd {
                    topic: self.single_topic.clone(),
                    partition: p,
                }),
                Some(Err(err)) => {
                    let fatal = matches!(err, KafkaError::MessageConsumptionFatal(_));
                    let client = ClientRef::of(self.inner.client());
                    match err.rdkafka_error_code() {
                        Some(code) => consume_error(
                            &self.topic,
                            self.group.as_deref(),
                            code,
                            fatal,
                            client,
                            &self.principal,
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
            RDKafkaErrorCode::NoError => Ok(Polled::Record(RecordRef(Message::Batch(raw)))),
            RDKafkaErrorCode::PartitionEOF => Ok(Polled::PartitionEnd {
                topic: Some(raw.topic().to_string()),
                partition: raw.partition(),
            }),
            code => consume_error(
                &self.topic,
                self.group.as_deref(),
                code,
                false,
                ClientRef::of(self.inner.client()),
                &self.principal,
            ),
        }
    }

    /// Partitions the group is taking away, if any: commit what was printed of them, then
    /// [`Consumer::release`] them. Until then they stay assigned and the group waits.
    pub fn revocation(&self) -> Option<Revocation> {
        self.inner.context().hooks.revoked.lock().ok()?.clone()
    }

    /// Gives up the partitions of `revocation` to the group.
    pub fn release(&self, revocation: &Revocation) {
        let hooks = &self.inner.context().hooks;
        if let Ok(mut revoked) = hooks.revoked.lock() {
            if revoked.as_ref() == Some(revocation) {
                *revoked = None;
            }
        }
        let mut tpl = TopicPartitionList::with_capacity(revocation.partitions.len());
        for (topic, p) in &revocation.partitions {
            tpl.add_partition(topic, *p);
        }
        unassign(&self.inner, &tpl, revocation.cooperative);
        hooks.forget(&revocation.partitions, revocation.cooperative);
    }

    /// librdkafka's last connection error (a broker that cannot be reached, say).
    pub fn last_error(&self) -> Option<String> {
        self.inner.context().state.last_error().map(|f| f.reason)
    }

    /// The partitions currently assigned to this consumer.
    pub fn assigned(&self) -> BTreeSet<TopicPartition> {
        self.inner
            .context()
            .hooks
            .assigned
            .lock()
            .map(|a| a.clone())
            .unwrap_or_default()
    }

    /// Changes whenever the group assigns partitions to this consumer (never when reading by
    /// assignment).
    pub fn assignment_generation(&self) -> u64 {
        self.inner
            .context()
            .hooks
            .generation
            .load(Ordering::Acquire)
    }

    /// How far joining the group got (group mode).
    pub fn group_status(&self) -> GroupStatus {
        self.inner.context().hooks.group_status()
    }

    /// The fetch position (next offset to read) of each assigned partition, when known.
    pub fn positions(&self) -> BTreeMap<TopicPartition, i64> {
        let mut out = BTreeMap::new();
        if let Ok(tpl) = self.inner.position() {
            for e in tpl.elements() {
                if let Offset::Offset(o) = e.offset() {
                    out.insert((e.topic().to_string(), e.partition()), o);
                }
            }
        }
        out
    }

    /// Stops fetching a partition (it reached its end).
    pub fn pause(&self, (topic, partition): &TopicPartition) {
        let mut tpl = TopicPartitionList::with_capacity(1);
        tpl.add_partition(topic, *partition);
        let _ = self.inner.pause(&tpl);
    }

    /// The group's committed offsets (next offset to read) of `partitions`; a partition
    /// without one is left out. Blocks up to `timeout` (group mode only).
    pub fn committed(
        &self,
        partitions: &[TopicPartition],
        timeout: Duration,
    ) -> Result<BTreeMap<TopicPartition, i64>> {
        let Some(group) = &self.group else {
            return Ok(BTreeMap::new());
        };
        let mut tpl = TopicPartitionList::with_capacity(partitions.len());
        for (topic, p) in partitions {
            tpl.add_partition(topic, *p);
        }
        let committed = self.inner.committed_offsets(tpl, timeout).map_err(|e| {
            let reason = match e.rdkafka_error_code() {
                Some(code) => broker_error(code, None).message,
                None => e.to_string(),
            };
            Error::runtime(format!(
                "cannot read the committed offsets of group '{group}': {reason}"
            ))
        })?;
        Ok(committed
            .elements()
            .iter()
            .filter_map(|e| match e.offset() {
                Offset::Offset(o) => Some(((e.topic().to_string(), e.partition()), o)),
                _ => None,
            })
            .collect())
    }

    /// Commits the next offset to read of each partition to the group (no-op without one).
    /// `wait` blocks until the broker answered.
    pub fn commit(&self, next_offsets: &BTreeMap<TopicPartition, i64>, wait: bool) -> Result<()> {
        let Some(group) = &self.group else {
            return Ok(());
        };
        if next_offsets.is_empty() {
            return Ok(());
        }
        let mut tpl = TopicPartitionList::with_capacity(next_offsets.len());
        for ((topic, p), o) in next_offsets {
            tpl.add_partition_offset(topic, *p, Offset::Offset(*o))
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
