//! What holds a partition's last stable offset back: the open transaction that starts there.
//! `offsets` and `groups describe` name it (`held_by`) for the partitions whose last stable
//! offset is below their log end, and only for those: a partition without an open
//! transaction costs nothing more. The partition's leader names the producer
//! (DescribeProducers: the one whose current transaction starts at the last stable offset);
//! the transaction coordinators name its transactional id (ListTransactions by producer id),
//! when they know it (a hanging transaction's coordinator does not).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::kafka::{ClusterInfo, Kafka, OffsetQuery, TopicPartition, TransactionFilter};

/// The open transaction holding a partition's last stable offset back.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HeldBy {
    pub producer_id: i64,
    pub producer_epoch: i32,
    /// `null` when no coordinator lists the producer (a hanging transaction).
    pub transactional_id: Option<String>,
    /// The offset its transaction starts at (the last stable offset).
    pub start_offset: i64,
}

impl HeldBy {
    /// One word for a table: `tx-orders(pid=1000)`, or `pid=1000` without a transactional id.
    pub fn cell(&self) -> String {
        match &self.transactional_id {
            Some(id) => format!("{id}(pid={})", self.producer_id),
            None => format!("pid={}", self.producer_id),
        }
    }
}

/// The transactions holding `held` back (partitions whose last stable offset, the value, is
/// below their log end), and a warning when they could not all be named. Never fails: these
/// are extra facts.
pub async fn held_by(
    kafka: &Kafka,
    cluster: &ClusterInfo,
    held: &BTreeMap<TopicPartition, i64>,
) -> (BTreeMap<TopicPartition, HeldBy>, Option<String>) {
    let mut out = BTreeMap::new();
    if held.is_empty() {
        return (out, None);
    }
    let partitions: Vec<TopicPartition> = held.keys().cloned().collect();
    let producers = match kafka.describe_producers(cluster, &partitions, None).await {
        Ok(p) => p,
        Err(e) => {
            return (
                out,
                Some(format!(
                    "cannot name the open transactions holding the last stable offset back: {}",
                    e.message()
                )),
            )
        }
    };
    for p in producers {
        let tp = (p.topic.clone(), p.partition);
        let Some(lso) = held.get(&tp) else { continue };
        // The transaction starting at the last stable offset; else the oldest open one.
        let open = p
            .producers
            .iter()
            .filter_map(|s| s.transaction_start_offset.map(|o| (o, s)))
            .min_by_key(|(o, _)| (*o != *lso, *o));
        if let Some((start, s)) = open {
            out.insert(
                tp,
                HeldBy {
                    producer_id: s.producer_id,
                    producer_epoch: s.producer_epoch,
                    transactional_id: None,
                    start_offset: start,
                },
            );
        }
    }
    let mut ids: Vec<i64> = out.values().map(|h| h.producer_id).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return (out, None);
    }
    let filter = TransactionFilter {
        producer_ids: ids,
        ..Default::default()
    };
    let warning = match kafka.list_transactions(&filter).await {
        Ok(listed) => {
            for h in out.values_mut() {
                h.transactional_id = listed
                    .iter()
                    .find(|l| l.producer_id == h.producer_id)
                    .map(|l| l.transactional_id.clone());
            }
            None
        }
        Err(e) => Some(format!(
            "cannot name the transactional ids holding the last stable offset back: {}",
            e.message()
        )),
    };
    (out, warning)
}

/// [`held_by`] for partitions with lag: `ends` are their log ends; their last stable offsets
/// are asked only here (one ListOffsets call), and only those below the log end are looked
/// into.
pub async fn held_by_lagging(
    kafka: &Kafka,
    ends: &BTreeMap<TopicPartition, i64>,
) -> (BTreeMap<TopicPartition, HeldBy>, Option<String>) {
    if ends.is_empty() {
        return (BTreeMap::new(), None);
    }
    let partitions: Vec<TopicPartition> = ends.keys().cloned().collect();
    let stable = match kafka
        .query_offsets(&partitions, OffsetQuery::LastStable)
        .await
    {
        Ok(s) => s,
        Err(e) => {
            return (
                BTreeMap::new(),
                Some(format!(
                    "cannot read the last stable offsets: {}",
                    e.message()
                )),
            )
        }
    };
    let held: BTreeMap<TopicPartition, i64> = stable
        .into_iter()
        .filter_map(|(tp, r)| {
            let lso = r.ok()?.offset?;
            (lso < *ends.get(&tp)?).then_some((tp, lso))
        })
        .collect();
    if held.is_empty() {
        return (BTreeMap::new(), None);
    }
    let cluster = match kafka.metadata().await {
        Ok(c) => c,
        Err(e) => return (BTreeMap::new(), Some(e.message())),
    };
    held_by(kafka, &cluster, &held).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_is_one_word() {
        let mut h = HeldBy {
            producer_id: 1000,
            producer_epoch: 0,
            transactional_id: Some("tx-a".into()),
            start_offset: 5,
        };
        assert_eq!(h.cell(), "tx-a(pid=1000)");
        h.transactional_id = None;
        assert_eq!(h.cell(), "pid=1000");
    }
}
