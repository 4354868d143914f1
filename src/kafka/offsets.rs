//! Partition offsets: ListOffsets of every kind (earliest, latest, last stable, the record
//! with the largest timestamp, the first at or after a time), for many partitions in one
//! batched call per kind, with retriable errors asked again within the timeout.

use std::collections::BTreeMap;
use std::time::Duration;

use rdkafka::error::RDKafkaErrorCode;

use super::authz::{Operation, Resource};
use super::client::Kafka;
use super::errors::broker_error;
use super::native::admin::{self as native, ListOffsetsQuery};
use super::native::ClientRef;
use super::types::{BrokerError, OffsetSpec, TopicPartition};
use crate::error::Result;

/// How long to wait before asking again for partitions that answered a retriable error.
const RETRY_BACKOFF: Duration = Duration::from_millis(100);

/// Which offset of each partition [`Kafka::query_offsets`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetQuery {
    Earliest,
    /// The log end (high watermark).
    Latest,
    /// The last stable offset: the log end as a read_committed consumer sees it (before the
    /// first transaction still open).
    LastStable,
    /// The record with the largest timestamp (none in an empty partition).
    MaxTimestamp,
    /// The first record whose timestamp is at or after this time (ms since the epoch); none
    /// when every record is older.
    Time(i64),
}

/// A partition's answer: an offset, and the timestamp of its record where ListOffsets gives
/// one (the max-timestamp and time queries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListedOffset {
    /// `None` where there is no such record (a max-timestamp or time query answered -1).
    pub offset: Option<i64>,
    pub timestamp: Option<i64>,
}

/// Errors of one partition that go away by themselves: a leader not known yet (right after
/// the topic was created or a leader moved), an offset the new leader cannot give yet.
fn is_retriable(code: RDKafkaErrorCode) -> bool {
    use RDKafkaErrorCode as E;
    matches!(
        code,
        E::NotLeaderForPartition
            | E::LeaderNotAvailable
            | E::OffsetNotAvailable
            | E::FencedLeaderEpoch
            | E::UnknownLeaderEpoch
            | E::ReplicaNotAvailable
            | E::NotEnoughReplicas
    )
}

impl Kafka {
    /// One kind of offset for many partitions: one ListOffsets call (librdkafka sends one
    /// request per partition leader), however many partitions. Each partition has its own
    /// result.
    pub async fn query_offsets(
        &self,
        partitions: &[TopicPartition],
        query: OffsetQuery,
    ) -> Result<BTreeMap<TopicPartition, std::result::Result<ListedOffset, BrokerError>>> {
        let native = match query {
            OffsetQuery::Earliest => ListOffsetsQuery::of(OffsetSpec::Earliest),
            OffsetQuery::Latest => ListOffsetsQuery::of(OffsetSpec::Latest),
            OffsetQuery::LastStable => ListOffsetsQuery::LAST_STABLE,
            OffsetQuery::MaxTimestamp => ListOffsetsQuery::MAX_TIMESTAMP,
            OffsetQuery::Time(ms) => ListOffsetsQuery::of(OffsetSpec::Timestamp(ms)),
        };
        let listed = self.list_offsets_as(partitions, native).await?;
        let found = matches!(query, OffsetQuery::MaxTimestamp | OffsetQuery::Time(_));
        Ok(listed
            .into_iter()
            .map(|(tp, r)| {
                let r = r.map(|o| ListedOffset {
                    // -1: no record with the largest timestamp (empty) or at or after the time.
                    offset: Some(o.offset).filter(|o| !found || *o >= 0),
                    timestamp: o.timestamp.filter(|_| found),
                });
                (tp, r)
            })
            .collect())
    }

    /// ListOffsets as `query` says, for each distinct partition of `partitions`; partitions
    /// that answer a retriable error are asked again until the timeout.
    pub(super) async fn list_offsets_as(
        &self,
        partitions: &[TopicPartition],
        query: ListOffsetsQuery,
    ) -> Result<BTreeMap<TopicPartition, std::result::Result<RawOffset, BrokerError>>> {
        let what = "cannot list offsets";
        let mut pending = partitions.to_vec();
        pending.sort();
        pending.dedup();
        let deadline = tokio::time::Instant::now() + self.timeout();
        let mut out = BTreeMap::new();
        while !pending.is_empty() {
            let ask = std::mem::take(&mut pending);
            let listed = self
                .blocking(what, move |admin, timeout| {
                    native::list_offsets(ClientRef::of(admin.inner()), &ask, query, timeout)
                })
                .await?
                .map_err(|e| self.call_error(what, e))?;
            let retry = tokio::time::Instant::now() + RETRY_BACKOFF < deadline;
            for item in listed {
                let tp = (item.topic, item.partition);
                match item.result {
                    Err(e) if retry && is_retriable(e.code) => pending.push(tp),
                    Err(e) => {
                        let err = broker_error(e.code, Some(&e.message));
                        let topic = Resource::Topic(tp.0.clone());
                        out.insert(tp, Err(self.reword(err, Operation::Describe, topic)));
                    }
                    Ok((offset, ts)) => {
                        let timestamp = (ts >= 0).then_some(ts);
                        out.insert(tp, Ok(RawOffset { offset, timestamp }));
                    }
                }
            }
            if !pending.is_empty() {
                tokio::time::sleep(RETRY_BACKOFF).await;
            }
        }
        Ok(out)
    }
}

/// A ListOffsets answer as the broker gave it (-1 offsets included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct RawOffset {
    pub offset: i64,
    pub timestamp: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leader_changes_are_retried_and_unknown_partitions_are_not() {
        assert!(is_retriable(RDKafkaErrorCode::NotLeaderForPartition));
        assert!(is_retriable(RDKafkaErrorCode::LeaderNotAvailable));
        assert!(!is_retriable(RDKafkaErrorCode::UnknownTopicOrPartition));
        assert!(!is_retriable(RDKafkaErrorCode::TopicAuthorizationFailed));
    }
}
