//! Leader elections (ElectLeaders, which librdkafka has no API for): kctl's own request
//! (`wire/elect.rs`) to a broker of the metadata, which forwards it to the controller.

use super::authz::{Operation, Resource};
use super::client::Kafka;
use super::types::TopicPartition;
use super::wire::{self, WireError};
use crate::error::Result;

/// Kafka's ELECTION_NOT_NEEDED: the leader is already the one the election would choose.
const ELECTION_NOT_NEEDED: i16 = 84;
/// A refusal of the election (it takes ALTER on the cluster), per partition too.
const CLUSTER_AUTHORIZATION_FAILED: i16 = 31;

/// What an election did to one partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElectionOutcome {
    Elected,
    /// Its leader already is the one the election would choose.
    NotNeeded,
    /// The controller's reason (the preferred replica is not in sync, none is alive, ...).
    Failed(String),
}

impl Kafka {
    /// Elects the preferred (or, `unclean`, any live) replica as the leader of `partitions`
    /// (`None`: every partition), each with its outcome. Needs ALTER on the cluster.
    pub async fn elect_leaders(
        &self,
        partitions: Option<Vec<TopicPartition>>,
        unclean: bool,
    ) -> Result<Vec<(TopicPartition, ElectionOutcome)>> {
        let what = "cannot elect leaders";
        let grouped: Option<Vec<(String, Vec<i32>)>> = partitions.map(|ps| {
            let mut by_topic: std::collections::BTreeMap<String, Vec<i32>> = Default::default();
            for (t, p) in ps {
                by_topic.entry(t).or_default().push(p);
            }
            by_topic.into_iter().collect()
        });
        let timeout_ms = self.timeout().as_millis().min(i32::MAX as u128) as i32;
        let answer = self
            .ask_a_broker(what, move |at, settings, _| {
                wire::elect_leaders(at, settings, grouped.as_deref(), unclean, timeout_ms)
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
        let mut out: Vec<(TopicPartition, ElectionOutcome)> = answer
            .into_iter()
            .map(|(tp, r)| {
                let outcome = match r {
                    Ok(()) => ElectionOutcome::Elected,
                    Err(WireError::Refused {
                        code: ELECTION_NOT_NEEDED,
                        ..
                    }) => ElectionOutcome::NotNeeded,
                    Err(e) => ElectionOutcome::Failed(e.to_string()),
                };
                (tp, outcome)
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }
}
