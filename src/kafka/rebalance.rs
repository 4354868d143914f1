//! What librdkafka tells a consumer besides records: rebalances (partitions assigned and
//! taken away), the answers to its commits, and the statistics that say how far joining its
//! group got. The consumer's context, shared with librdkafka's threads.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use rdkafka::consumer::{BaseConsumer, Consumer as _, ConsumerContext};
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use rdkafka::types::RDKafkaRespErr;

use super::conn::{ClientCtx, Hooks};
use super::errors::broker_error;
use super::types::{GroupStatus, StartOffset, TopicPartition};

/// The rust-rdkafka context of a kctl consumer.
pub(super) type ConsumeCtx = ClientCtx<ConsumeHooks>;

/// Partitions the group is taking away from this consumer. They stay assigned (the group waits)
/// until [`super::Consumer::release`] gives them up, so what was printed of them can be
/// committed first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub partitions: Vec<TopicPartition>,
    /// The assignment was lost (the session expired): others may own the partitions already,
    /// so nothing may be committed for them.
    pub lost: bool,
    pub(super) cooperative: bool,
}

/// What a consumer's context keeps: its assignment, a pending revocation, commit answers and
/// how far joining the group got.
pub(super) struct ConsumeHooks {
    /// Explicit start offsets applied to partitions as they are assigned (group mode).
    starts: Option<BTreeMap<TopicPartition, StartOffset>>,
    pub assigned: Mutex<BTreeSet<TopicPartition>>,
    /// A revocation waiting for [`super::Consumer::release`].
    pub revoked: Mutex<Option<Revocation>>,
    /// Why the last commit the broker answered failed, if it did.
    pub commit_error: Arc<Mutex<Option<String>>>,
    /// The consumer is closing: partitions are given up at once.
    pub closing: AtomicBool,
    /// A rebalance reached this consumer (group mode).
    joined: AtomicBool,
    /// Counts the assignments this consumer was given, so a new one is noticed.
    pub generation: AtomicU64,
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

/// Where a start offset is, as rust-rdkafka takes it.
pub(super) fn offset_of(start: StartOffset) -> Offset {
    match start {
        StartOffset::Beginning => Offset::Beginning,
        StartOffset::End => Offset::End,
        StartOffset::At(n) => Offset::Offset(n),
        StartOffset::Tail(n) => Offset::OffsetTail(n),
    }
}

impl ConsumeHooks {
    pub fn new(starts: Option<BTreeMap<TopicPartition, StartOffset>>) -> ConsumeHooks {
        ConsumeHooks {
            starts,
            assigned: Mutex::new(BTreeSet::new()),
            revoked: Mutex::new(None),
            commit_error: Arc::new(Mutex::new(None)),
            closing: AtomicBool::new(false),
            joined: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            coordinator: AtomicU8::new(COORD_NONE),
        }
    }

    /// How far joining the group got (group mode).
    pub fn group_status(&self) -> GroupStatus {
        if self.joined.load(Ordering::Relaxed) {
            return GroupStatus::Joined;
        }
        match self.coordinator.load(Ordering::Relaxed) {
            COORD_MEMBER => GroupStatus::Joined,
            COORD_UP => GroupStatus::Joining,
            COORD_UNREACHABLE => GroupStatus::CoordinatorUnreachable,
            _ => GroupStatus::NoCoordinator,
        }
    }

    /// Forgets the partitions of `revocation` (given up) from the assignment.
    pub fn forget(&self, partitions: &[TopicPartition], cooperative: bool) {
        if let Ok(mut assigned) = self.assigned.lock() {
            if cooperative {
                for p in partitions {
                    assigned.remove(p);
                }
            } else {
                assigned.clear();
            }
        }
    }
}

impl Hooks for ConsumeHooks {
    fn statistics(&self, statistics: &[u8]) {
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
        if let Ok(mut last) = self.hooks.commit_error.lock() {
            *last = reason;
        }
    }

    fn rebalance(
        &self,
        consumer: &BaseConsumer<Self>,
        err: RDKafkaRespErr,
        tpl: &mut TopicPartitionList,
    ) {
        let hooks = &self.hooks;
        let cooperative = matches!(
            consumer.rebalance_protocol(),
            rdkafka::consumer::RebalanceProtocol::Cooperative
        );
        let partitions: Vec<TopicPartition> = tpl
            .elements()
            .iter()
            .map(|e| (e.topic().to_string(), e.partition()))
            .collect();
        hooks.joined.store(true, Ordering::Relaxed);
        match err {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                if let Some(starts) = &hooks.starts {
                    for tp in &partitions {
                        if let Some(start) = starts.get(tp) {
                            let _ = tpl.set_partition_offset(&tp.0, tp.1, offset_of(*start));
                        }
                    }
                }
                let _ = if cooperative {
                    consumer.incremental_assign(tpl)
                } else {
                    consumer.assign(tpl)
                };
                // A partition assigned afresh is read afresh. kctl pauses a partition that
                // reached its end (-e), and librdkafka keeps an application's pause across
                // assignments: given back after a revocation, the partition would never be
                // fetched, nor reach its end again.
                let _ = consumer.resume(tpl);
                if let Ok(mut assigned) = hooks.assigned.lock() {
                    if !cooperative {
                        assigned.clear();
                    }
                    assigned.extend(partitions.iter().cloned());
                }
                hooks.generation.fetch_add(1, Ordering::Release);
            }
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS
                if !hooks.closing.load(Ordering::Relaxed) =>
            {
                // Given up later, by `Consumer::release`, once what was printed is committed.
                let revocation = Revocation {
                    partitions,
                    lost: consumer.assignment_lost(),
                    cooperative,
                };
                if let Ok(mut revoked) = hooks.revoked.lock() {
                    *revoked = Some(revocation);
                }
            }
            _ => {
                unassign(consumer, tpl, cooperative);
                hooks.forget(&partitions, cooperative);
            }
        }
    }
}

/// Gives up the partitions of `tpl` (cooperative) or the whole assignment (eager).
pub(super) fn unassign(
    consumer: &BaseConsumer<ConsumeCtx>,
    tpl: &TopicPartitionList,
    cooperative: bool,
) {
    let _ = if cooperative {
        consumer.incremental_unassign(tpl)
    } else {
        consumer.unassign()
    };
}
