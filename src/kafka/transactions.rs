//! Transactions, which librdkafka has no admin API for, through kctl's own requests
//! (`wire/transactions.rs`, sent by `ask.rs`): the transactions every broker coordinates,
//! one transaction as its coordinator describes it, the producers of a partition as a
//! replica holds them, and aborting an open transaction on one partition (an abort marker
//! written by its leader, as Apache's `kafka-transactions abort` does).

use std::collections::BTreeMap;
use std::time::Duration;

use super::ask::wire_error;
use super::authz::{Operation, Resource};
use super::client::Kafka;
use super::types::{Broker, ClusterInfo, TopicPartition};
use super::wire::{self, AbortMarker, WireError};
use crate::error::{Error, Result};

/// Kafka's error codes kctl acts on here.
const UNKNOWN_TOPIC_OR_PARTITION: i16 = 3;
const NOT_LEADER_OR_FOLLOWER: i16 = 6;
const TOPIC_AUTHORIZATION_FAILED: i16 = 29;
const CLUSTER_AUTHORIZATION_FAILED: i16 = 31;
const TRANSACTIONAL_ID_AUTHORIZATION_FAILED: i16 = 53;
const TRANSACTIONAL_ID_NOT_FOUND: i16 = 105;
const COORDINATOR_LOAD_IN_PROGRESS: i16 = 14;
const COORDINATOR_NOT_AVAILABLE: i16 = 15;
const NOT_COORDINATOR: i16 = 16;

/// Whether a coordinator's answer says to ask again (it is loading, moving, or not there yet).
fn retriable(e: &WireError) -> bool {
    matches!(
        e,
        WireError::Refused {
            code: COORDINATOR_LOAD_IN_PROGRESS | COORDINATOR_NOT_AVAILABLE | NOT_COORDINATOR,
            ..
        }
    )
}

/// Kafka's transaction states (`TransactionState`), as ListTransactions filters by them.
pub const TRANSACTION_STATES: &[&str] = &[
    "Empty",
    "Ongoing",
    "PrepareCommit",
    "PrepareAbort",
    "CompleteCommit",
    "CompleteAbort",
    "Dead",
    "PrepareEpochFence",
];

/// Which transactions ListTransactions lists (every one when empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransactionFilter {
    /// Only in one of these states.
    pub states: Vec<String>,
    /// Only of these producers.
    pub producer_ids: Vec<i64>,
    /// Only those running for longer than this.
    pub older_than: Option<Duration>,
}

/// A transactional id as its coordinator lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionListing {
    pub transactional_id: String,
    /// The broker coordinating it.
    pub coordinator: i32,
    pub producer_id: i64,
    pub state: String,
}

/// A transactional id as its coordinator describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionDescription {
    pub transactional_id: String,
    pub coordinator: i32,
    pub state: String,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub timeout_ms: i32,
    /// When the open transaction started (ms since the epoch); `None` with none open.
    pub start_time_ms: Option<i64>,
    /// The partitions in the transaction (sorted).
    pub partitions: Vec<TopicPartition>,
}

/// A producer as a partition's replica holds its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducerState {
    pub producer_id: i64,
    pub producer_epoch: i32,
    pub last_sequence: i32,
    /// The timestamp of its last record (ms since the epoch).
    pub last_timestamp: i64,
    /// The coordinator epoch of its last transaction marker; `None` before any.
    pub coordinator_epoch: Option<i32>,
    /// The first offset of its open transaction on the partition; `None` with none open.
    pub transaction_start_offset: Option<i64>,
}

/// The producers of one partition, as one of its replicas holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionProducers {
    pub topic: String,
    pub partition: i32,
    /// The broker asked (the leader, unless another replica was named).
    pub broker: i32,
    pub producers: Vec<ProducerState>,
}

/// An open transaction to abort on one partition: its producer as the leader holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbortPlan {
    pub topic: String,
    pub partition: i32,
    pub leader: i32,
    pub producer: ProducerState,
}

impl Kafka {
    /// The transactions every broker of the metadata coordinates, as `filter` selects them,
    /// each broker asked side by side. A broker that cannot be asked fails the listing (it
    /// would be incomplete); so does a state the brokers do not know.
    pub async fn list_transactions(
        &self,
        filter: &TransactionFilter,
    ) -> Result<Vec<TransactionListing>> {
        let what = "cannot list transactions";
        self.wire_settings(what)?;
        let mut brokers = self.metadata().await?.brokers;
        brokers.sort_by_key(|b| b.id);
        let f = filter.clone();
        let answers = self
            .ask_brokers(&brokers, move |at, settings, _| {
                wire::list_transactions(at, settings, &f)
            })
            .await;
        let mut listings = Vec::new();
        for (broker, answer) in brokers.iter().zip(answers) {
            let (listed, unknown) = answer.map_err(|e| {
                let at = format!("broker {} ({})", broker.id, super::ask::address(broker));
                match e {
                    WireError::Refused {
                        code: CLUSTER_AUTHORIZATION_FAILED,
                        ..
                    } => self.refusal(Operation::Describe, Resource::Cluster),
                    e => wire_error(what, Some(&at), e),
                }
            })?;
            if let Some(state) = unknown.first() {
                return Err(Error::usage(format!("unknown transaction state '{state}'"))
                    .with_hint(format!("Kafka's states: {}", TRANSACTION_STATES.join(", "))));
            }
            listings.extend(listed.into_iter().map(|l| TransactionListing {
                transactional_id: l.transactional_id,
                coordinator: broker.id,
                producer_id: l.producer_id,
                state: l.state,
            }));
        }
        listings.sort_by(|a, b| a.transactional_id.cmp(&b.transactional_id));
        Ok(listings)
    }

    /// Each of `ids` as its coordinator describes it, in their order: found with
    /// FindCoordinator, asked with DescribeTransactions. An id Kafka does not know is a
    /// not-found error of its own; one the principal may not describe a refusal.
    pub async fn describe_transactions(
        &self,
        ids: &[String],
    ) -> Result<Vec<Result<TransactionDescription>>> {
        // A coordinator that is loading its partition, moving, or not there yet (the
        // transaction state topic is made on first use) answers with a retriable error: ask
        // again, as Kafka's own admin client does, while the timeout lasts.
        let deadline = tokio::time::Instant::now() + self.timeout();
        let mut results: Vec<Option<std::result::Result<TransactionDescription, WireError>>> =
            vec![None; ids.len()];
        let mut pending: Vec<usize> = (0..ids.len()).collect();
        loop {
            self.describe_round(ids, &pending, &mut results).await?;
            pending.retain(|i| matches!(&results[*i], Some(Err(e)) if retriable(e)));
            if pending.is_empty() || tokio::time::Instant::now() >= deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Ok(results
            .into_iter()
            .zip(ids)
            .map(|(r, id)| match r {
                Some(Ok(d)) => Ok(d),
                Some(Err(e)) => Err(self.transaction_error(id, e)),
                None => Err(Error::runtime("cannot describe transactions").because("no answer")),
            })
            .collect())
    }

    /// One round of [`Kafka::describe_transactions`]: the coordinators of the `pending` ids,
    /// then each coordinator's descriptions, into `results`.
    async fn describe_round(
        &self,
        ids: &[String],
        pending: &[usize],
        results: &mut [Option<std::result::Result<TransactionDescription, WireError>>],
    ) -> Result<()> {
        let what = "cannot describe transactions";
        let asked: Vec<String> = pending.iter().map(|i| ids[*i].clone()).collect();
        let coordinators = self
            .ask_a_broker(what, move |at, settings, _| {
                wire::find_coordinators(at, settings, &asked)
            })
            .await?;
        let mut by_coordinator: BTreeMap<i32, (Broker, Vec<usize>)> = BTreeMap::new();
        for (i, found) in pending.iter().copied().zip(coordinators) {
            match found {
                Ok(b) => by_coordinator
                    .entry(b.id)
                    .or_insert((b, Vec::new()))
                    .1
                    .push(i),
                Err(e) => results[i] = Some(Err(e)),
            }
        }
        for (id, (broker, at)) in by_coordinator {
            let asked: Vec<String> = at.iter().map(|i| ids[*i].clone()).collect();
            let answer = self
                .ask_broker(&broker, move |address, settings| {
                    wire::describe_transactions(address, settings, id, &asked)
                })
                .await;
            match answer {
                Ok(described) => {
                    for (i, d) in at.iter().zip(described) {
                        results[*i] = Some(d);
                    }
                }
                Err(e) => {
                    let place = format!("broker {id} ({})", super::ask::address(&broker));
                    return Err(wire_error(what, Some(&place), e));
                }
            }
        }
        Ok(())
    }

    /// The error about transactional id `id` a broker's answer is.
    fn transaction_error(&self, id: &str, e: WireError) -> Error {
        let resource = Resource::TransactionalId(id.to_string());
        match e {
            WireError::Refused {
                code: TRANSACTIONAL_ID_NOT_FOUND,
                ..
            } => Error::not_found(
                resource.describe(),
                format!("transactional id '{id}' does not exist"),
            )
            .with_hint(
                "Kafka forgets a transactional id its producer has not used for \
                 transactional.id.expiration.ms (7 days by default); `kctl transactions list` \
                 lists those it knows",
            ),
            WireError::Refused {
                code: TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
                ..
            } => self.refusal(Operation::Describe, resource),
            e => wire_error(&format!("cannot describe transactional id '{id}'"), None, e),
        }
    }

    /// The producers of `partitions` (each a partition of a topic in `metadata`) as their
    /// leaders hold them, or as broker `on` does (one of their replicas). Each broker is
    /// asked once, side by side.
    pub async fn describe_producers(
        &self,
        metadata: &ClusterInfo,
        partitions: &[TopicPartition],
        on: Option<i32>,
    ) -> Result<Vec<PartitionProducers>> {
        let what = "cannot describe producers";
        self.wire_settings(what)?;
        let mut asks: BTreeMap<i32, BTreeMap<String, Vec<i32>>> = BTreeMap::new();
        for (topic, partition) in partitions {
            let info = metadata
                .topic(topic)
                .and_then(|t| t.partitions.iter().find(|p| p.id == *partition));
            let broker = match (on, info.and_then(|p| p.leader)) {
                (Some(b), _) => b,
                (None, Some(leader)) => leader,
                (None, None) => {
                    return Err(Error::runtime(what).because(format!(
                        "partition {partition} of topic '{topic}' has no leader"
                    )))
                }
            };
            asks.entry(broker)
                .or_default()
                .entry(topic.clone())
                .or_default()
                .push(*partition);
        }
        let mut found = Vec::new();
        for (id, topics) in asks {
            let broker = metadata
                .brokers
                .iter()
                .find(|b| b.id == id)
                .cloned()
                .ok_or_else(|| {
                    Error::not_found(
                        format!("broker {id}"),
                        format!("broker {id} is not in the cluster's metadata"),
                    )
                })?;
            let topics: Vec<(String, Vec<i32>)> = topics.into_iter().collect();
            let asked = topics.clone();
            let answer = self
                .ask_broker(&broker, move |at, settings| {
                    wire::describe_producers(at, settings, &asked)
                })
                .await
                .map_err(|e| {
                    let place = format!("broker {id} ({})", super::ask::address(&broker));
                    wire_error(what, Some(&place), e)
                })?;
            for ((topic, partition), producers) in answer {
                let producers = producers.map_err(|e| {
                    self.partition_error(what, &topic, partition, id, on.is_some(), e)
                })?;
                found.push(PartitionProducers {
                    topic,
                    partition,
                    broker: id,
                    producers,
                });
            }
        }
        found.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
        Ok(found)
    }

    fn partition_error(
        &self,
        what: &str,
        topic: &str,
        partition: i32,
        broker: i32,
        named: bool,
        e: WireError,
    ) -> Error {
        let on = format!("partition {partition} of topic '{topic}' on broker {broker}");
        match e {
            WireError::Refused {
                code: TOPIC_AUTHORIZATION_FAILED,
                ..
            } => self.refusal(Operation::Read, Resource::Topic(topic.to_string())),
            WireError::Refused {
                code: CLUSTER_AUTHORIZATION_FAILED,
                ..
            } => self.refusal(Operation::Describe, Resource::Cluster),
            WireError::Refused {
                code: NOT_LEADER_OR_FOLLOWER | UNKNOWN_TOPIC_OR_PARTITION,
                ..
            } if named => Error::not_found(
                on.clone(),
                format!(
                    "broker {broker} holds no replica of partition {partition} of topic '{topic}'"
                ),
            ),
            e => wire_error(what, Some(&on), e),
        }
    }

    /// The plan to abort the open transaction that starts at `start_offset` of a partition
    /// (of a topic in `metadata`): its producer, as the leader holds it.
    pub async fn plan_abort(
        &self,
        metadata: &ClusterInfo,
        topic: &str,
        partition: i32,
        start_offset: i64,
    ) -> Result<AbortPlan> {
        let tp = (topic.to_string(), partition);
        let mut found = self
            .describe_producers(metadata, std::slice::from_ref(&tp), None)
            .await?;
        let Some(p) = found.pop() else {
            return Err(Error::runtime("cannot describe producers").because("no answer"));
        };
        let mut open: Vec<String> = p
            .producers
            .iter()
            .filter_map(|s| s.transaction_start_offset)
            .map(|o| o.to_string())
            .collect();
        open.sort();
        let producer = p
            .producers
            .into_iter()
            .find(|s| s.transaction_start_offset == Some(start_offset))
            .ok_or_else(|| {
                let which = format!("transaction at offset {start_offset}");
                let err = Error::not_found(
                    which,
                    format!(
                        "no open transaction starts at offset {start_offset} of partition \
                         {partition} of topic '{topic}'"
                    ),
                );
                match open.len() {
                    0 => err.with_hint("the partition has no open transaction"),
                    _ => err.with_hint(format!(
                        "open transactions there start at {}",
                        open.join(", ")
                    )),
                }
            })?;
        Ok(AbortPlan {
            topic: topic.to_string(),
            partition,
            leader: p.broker,
            producer,
        })
    }

    /// Has the partition's leader write the abort marker of `plan`'s transaction (the
    /// coordinator epoch of the producer's last marker, 0 before any, as Apache's tool does).
    /// Writing markers takes ClusterAction on the cluster.
    pub async fn abort_transaction(&self, metadata: &ClusterInfo, plan: &AbortPlan) -> Result<()> {
        let what = format!(
            "cannot abort the transaction of producer {} on partition {} of topic '{}'",
            plan.producer.producer_id, plan.partition, plan.topic
        );
        let leader = metadata
            .brokers
            .iter()
            .find(|b| b.id == plan.leader)
            .cloned()
            .ok_or_else(|| {
                Error::runtime(&what).because(format!(
                    "the leader, broker {}, is not in the cluster's metadata",
                    plan.leader
                ))
            })?;
        let marker = AbortMarker {
            topic: plan.topic.clone(),
            partition: plan.partition,
            producer_id: plan.producer.producer_id,
            producer_epoch: plan.producer.producer_epoch as i16,
            coordinator_epoch: plan.producer.coordinator_epoch.unwrap_or(0),
        };
        let answer = self
            .ask_broker(&leader, move |at, settings| {
                wire::write_abort_marker(at, settings, &marker)
            })
            .await;
        let refusal = |e: &WireError| match e {
            WireError::Refused {
                code: CLUSTER_AUTHORIZATION_FAILED,
                ..
            } => Some(self.refusal(Operation::ClusterAction, Resource::Cluster)),
            WireError::Refused {
                code: TOPIC_AUTHORIZATION_FAILED,
                ..
            } => Some(self.refusal(Operation::Write, Resource::Topic(plan.topic.clone()))),
            _ => None,
        };
        match answer {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) | Err(e) => Err(refusal(&e).unwrap_or_else(|| {
                let place = format!("broker {}", plan.leader);
                wire_error(&what, Some(&place), e)
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::authz;

    #[test]
    fn refusals_name_the_transactional_id() {
        let r = authz::refusal(
            Operation::Describe,
            &Resource::TransactionalId("t1".into()),
            "User:alice",
        );
        assert_eq!(
            r,
            "not authorized to describe transactional id 't1' as User:alice"
        );
        let hint = authz::refusal_hint(Operation::ClusterAction, &Resource::Cluster, "User:a");
        assert!(
            hint.contains("--operation ClusterAction --cluster"),
            "{hint}"
        );
    }
}
