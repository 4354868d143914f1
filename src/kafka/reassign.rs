//! Partition reassignments (AlterPartitionReassignments, ListPartitionReassignments, which
//! librdkafka has no API for): kctl's own requests (`wire/reassign.rs`) to a broker of the
//! metadata, which forwards them to the active controller.

use std::collections::BTreeMap;

use super::authz::{Operation, Resource};
use super::client::Kafka;
use super::types::TopicPartition;
use super::wire::{self, WireError};
use crate::error::Result;

/// A refusal of the request (it takes ALTER, or DESCRIBE, on the cluster), per partition too.
const CLUSTER_AUTHORIZATION_FAILED: i16 = 31;

/// A reassignment in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reassignment {
    pub topic: String,
    pub partition: i32,
    /// Every replica while it moves: the ones staying, the ones coming, the ones going.
    pub replicas: Vec<i32>,
    /// Replicas being added (catching up).
    pub adding: Vec<i32>,
    /// Replicas to be removed once the new ones are in sync.
    pub removing: Vec<i32>,
}

/// Partitions grouped by topic, in order.
fn by_topic<T: Clone>(items: &[(TopicPartition, T)]) -> Vec<(String, Vec<(i32, T)>)> {
    let mut grouped: BTreeMap<String, Vec<(i32, T)>> = BTreeMap::new();
    for ((t, p), v) in items {
        grouped.entry(t.clone()).or_default().push((*p, v.clone()));
    }
    grouped.into_iter().collect()
}

impl Kafka {
    fn controller_timeout_ms(&self) -> i32 {
        self.timeout().as_millis().min(i32::MAX as u128) as i32
    }

    /// The reassignments in progress among `partitions` (`None`: all of the cluster's),
    /// sorted. Needs DESCRIBE on the cluster.
    pub async fn list_reassignments(
        &self,
        partitions: Option<&[TopicPartition]>,
    ) -> Result<Vec<Reassignment>> {
        let what = "cannot list partition reassignments";
        let topics: Option<Vec<(String, Vec<i32>)>> = partitions.map(|ps| {
            let pairs: Vec<(TopicPartition, ())> = ps.iter().map(|tp| (tp.clone(), ())).collect();
            by_topic(&pairs)
                .into_iter()
                .map(|(t, ps)| (t, ps.into_iter().map(|(p, ())| p).collect()))
                .collect()
        });
        if topics.as_ref().is_some_and(|t| t.is_empty()) {
            return Ok(Vec::new());
        }
        let timeout_ms = self.controller_timeout_ms();
        let listed = self
            .ask_a_broker(what, move |at, settings, _| {
                wire::list_partition_reassignments(at, settings, topics.as_deref(), timeout_ms)
            })
            .await
            .map_err(|e| self.refused(e, Operation::Describe, Resource::Cluster))?;
        let mut out: Vec<Reassignment> = listed
            .into_iter()
            .map(|o| Reassignment {
                topic: o.topic,
                partition: o.partition,
                replicas: o.replicas,
                adding: o.adding,
                removing: o.removing,
            })
            .collect();
        out.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
        Ok(out)
    }

    /// Moves each partition to its new replicas (`None`: cancels its reassignment in
    /// progress), each with the controller's answer (`Err`: its reason). Needs ALTER on the
    /// cluster.
    pub async fn alter_reassignments(
        &self,
        changes: &[(TopicPartition, Option<Vec<i32>>)],
    ) -> Result<Vec<(TopicPartition, std::result::Result<(), String>)>> {
        let what = "cannot reassign partitions";
        let grouped = by_topic(changes);
        let timeout_ms = self.controller_timeout_ms();
        let answer = self
            .ask_a_broker(what, move |at, settings, _| {
                wire::alter_partition_reassignments(at, settings, &grouped, timeout_ms)
            })
            .await
            .map_err(|e| self.refused(e, Operation::Alter, Resource::Cluster))?;
        let refused = answer.iter().any(|(_, r)| {
            matches!(
                r,
                Err(WireError::Refused {
                    code: CLUSTER_AUTHORIZATION_FAILED,
                    ..
                })
            )
        });
        if refused {
            return Err(self.refusal(Operation::Alter, Resource::Cluster));
        }
        let mut out: Vec<_> = answer
            .into_iter()
            .map(|(tp, r)| (tp, r.map_err(|e| e.to_string())))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_group_by_topic() {
        let g = by_topic(&[
            (("b".to_string(), 1), 10),
            (("a".to_string(), 0), 20),
            (("b".to_string(), 0), 30),
        ]);
        assert_eq!(g[0], ("a".to_string(), vec![(0, 20)]));
        assert_eq!(g[1], ("b".to_string(), vec![(1, 10), (0, 30)]));
    }
}
