//! Consumer groups: listing, describing, their committed offsets, altering and deleting them.
//!
//! Plain types only; the native calls are in `native.rs`. Every call is bounded by the timeout.

use std::collections::BTreeMap;

use rdkafka::error::RDKafkaErrorCode;

use super::native::{self, AdminCallError, ClientPtr};
use super::{broker_error, Broker, BrokerError, Kafka, TopicPartition};
use crate::error::{Error, Result};

/// A consumer group's state, as Kafka names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupState {
    Unknown,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
    Empty,
}

impl GroupState {
    /// Kafka's own name, as `kafka-consumer-groups` prints it.
    pub fn name(self) -> &'static str {
        match self {
            GroupState::Unknown => "Unknown",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
            GroupState::Empty => "Empty",
        }
    }

    /// The snake_case name used in JSON.
    pub fn snake_name(self) -> &'static str {
        match self {
            GroupState::Unknown => "unknown",
            GroupState::PreparingRebalance => "preparing_rebalance",
            GroupState::CompletingRebalance => "completing_rebalance",
            GroupState::Stable => "stable",
            GroupState::Dead => "dead",
            GroupState::Empty => "empty",
        }
    }
}

/// Which group protocol a group runs: Kafka 4's consumer protocol (KIP-848) or the classic one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupType {
    Classic,
    Consumer,
    /// Not said (an older broker), or a kind librdkafka does not name (share groups, say).
    Unknown,
}

impl GroupType {
    /// The name Kafka uses (`kafka-consumer-groups --list --type`), also the JSON value.
    pub fn name(self) -> &'static str {
        match self {
            GroupType::Classic => "classic",
            GroupType::Consumer => "consumer",
            GroupType::Unknown => "unknown",
        }
    }
}

/// A group as ListConsumerGroups lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupListing {
    pub group: String,
    /// `Unknown` when the broker does not report states in its listing.
    pub state: GroupState,
    /// A group that only commits offsets (no group protocol, no members).
    pub simple: bool,
    pub group_type: GroupType,
}

/// A member of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMember {
    pub consumer_id: String,
    pub client_id: String,
    pub host: String,
    pub group_instance_id: Option<String>,
    pub assignment: Vec<TopicPartition>,
    /// Consumer-protocol groups: the partitions the coordinator is moving this member to
    /// (equal to `assignment` once it has caught up); `None` for classic groups.
    pub target_assignment: Option<Vec<TopicPartition>>,
}

/// A group as DescribeConsumerGroups describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupInfo {
    pub group: String,
    pub state: GroupState,
    pub simple: bool,
    pub group_type: GroupType,
    /// The partition assignor (e.g. `range`); `None` when the group has none.
    pub assignor: Option<String>,
    pub coordinator: Option<Broker>,
    pub members: Vec<GroupMember>,
}

/// A committed offset: `None` when the group has none for the partition.
pub type CommittedOffset = std::result::Result<Option<i64>, BrokerError>;

impl Kafka {
    /// Every consumer group the cluster knows. The strings are warnings: brokers that could not
    /// answer (the listing is then partial).
    pub async fn list_groups(&self) -> Result<(Vec<GroupListing>, Vec<String>)> {
        let what = "cannot list consumer groups";
        let client = ClientPtr(self.admin.inner().native_ptr());
        let (groups, errors) = self
            .blocking(what, move |_admin, timeout| {
                // `_admin` keeps the client behind `client` alive while the call runs.
                native::list_consumer_groups(client, timeout)
            })
            .await?
            .map_err(|e| self.call_error(what, e))?;
        // Errors and nothing listed: no broker answered, which is a failure, not a warning.
        if groups.is_empty() {
            if let Some(first) = errors.into_iter().next() {
                return Err(self.native_error(what, first));
            }
            return Ok((Vec::new(), Vec::new()));
        }
        let groups = groups
            .into_iter()
            .map(|g| GroupListing {
                group: g.group,
                state: g.state,
                simple: g.simple,
                group_type: g.group_type,
            })
            .collect();
        let warnings = errors
            .into_iter()
            .map(|e| format!("{what} fully: {}", broker_error(e.code, Some(&e.message))))
            .collect();
        Ok((groups, warnings))
    }

    /// Describes groups in one batched call (one request per coordinator); one result per
    /// name, in the order given.
    pub async fn describe_groups(
        &self,
        names: &[String],
    ) -> Result<Vec<(String, std::result::Result<GroupInfo, BrokerError>)>> {
        let what = "cannot describe consumer groups";
        let client = ClientPtr(self.admin.inner().native_ptr());
        let request = names.to_vec();
        let described = self
            .blocking(what, move |_admin, timeout| {
                native::describe_consumer_groups(client, &request, timeout)
            })
            .await
            .map_err(Kafka::coordinator_timeout)?
            .map_err(|e| Kafka::coordinator_timeout(self.call_error(what, e)))?;
        let mut by_name: BTreeMap<String, std::result::Result<GroupInfo, BrokerError>> = described
            .into_iter()
            .map(|(name, result)| {
                let result = result
                    .map(|d| GroupInfo {
                        group: d.group,
                        state: d.state,
                        simple: d.simple,
                        group_type: d.group_type,
                        assignor: Some(d.assignor).filter(|a| !a.is_empty()),
                        coordinator: d.coordinator.map(|n| Broker {
                            id: n.id,
                            host: n.host,
                            port: i32::from(n.port),
                        }),
                        members: d
                            .members
                            .into_iter()
                            .map(|m| GroupMember {
                                consumer_id: m.consumer_id,
                                client_id: m.client_id,
                                host: m.host,
                                group_instance_id: m.group_instance_id,
                                assignment: m.assignment,
                                target_assignment: m.target_assignment,
                            })
                            .collect(),
                    })
                    .or_else(|e| {
                        if e.code == RDKafkaErrorCode::GroupIdNotFound {
                            // Newer brokers say "not found" where Kafka's classic protocol
                            // describes an unknown group as Dead: report both the same way.
                            Ok(GroupInfo {
                                group: name.clone(),
                                state: GroupState::Dead,
                                simple: false,
                                group_type: GroupType::Unknown,
                                assignor: None,
                                coordinator: None,
                                members: Vec::new(),
                            })
                        } else {
                            Err(broker_error(e.code, Some(&e.message)))
                        }
                    });
                (name, result)
            })
            .collect();
        names
            .iter()
            .map(|name| match by_name.remove(name) {
                Some(result) => Ok((name.clone(), result)),
                None => Err(Error::runtime(format!(
                    "{what}: the broker sent no result for group '{name}'"
                ))),
            })
            .collect()
    }

    /// The committed offsets of one group (one OffsetFetch request): of `partitions`, or of every
    /// partition the group has committed offsets for when `None`.
    pub async fn group_offsets(
        &self,
        group: &str,
        partitions: Option<&[TopicPartition]>,
    ) -> Result<BTreeMap<TopicPartition, CommittedOffset>> {
        let what = format!("cannot read the committed offsets of group '{group}'");
        let client = ClientPtr(self.admin.inner().native_ptr());
        let name = group.to_string();
        let partitions = partitions.map(<[TopicPartition]>::to_vec);
        let offsets = self
            .blocking(&what, move |_admin, timeout| {
                native::list_group_offsets(client, &name, partitions.as_deref(), timeout)
            })
            .await
            .map_err(Kafka::coordinator_timeout)?;
        let offsets = match offsets {
            // A group the broker does not know has no committed offsets.
            Err(AdminCallError::Failed(e)) if e.code == RDKafkaErrorCode::GroupIdNotFound => {
                Vec::new()
            }
            other => other.map_err(|e| Kafka::coordinator_timeout(self.call_error(&what, e)))?,
        };
        Ok(offsets
            .into_iter()
            .map(|o| {
                let result = o
                    .result
                    .map(|offset| (offset >= 0).then_some(offset))
                    .map_err(|e| broker_error(e.code, Some(&e.message)));
                ((o.topic, o.partition), result)
            })
            .collect())
    }

    /// Commits `offsets` for `group` (one OffsetCommit request); one result per partition.
    pub async fn alter_group_offsets(
        &self,
        group: &str,
        offsets: &[(TopicPartition, i64)],
    ) -> Result<Vec<(TopicPartition, std::result::Result<(), BrokerError>)>> {
        let what = format!("cannot commit offsets for group '{group}'");
        let client = ClientPtr(self.admin.inner().native_ptr());
        let name = group.to_string();
        let request: Vec<(String, i32, i64)> = offsets
            .iter()
            .map(|((t, p), o)| (t.clone(), *p, *o))
            .collect();
        let altered = self
            .blocking(&what, move |_admin, timeout| {
                native::alter_group_offsets(client, &name, &request, timeout)
            })
            .await
            .map_err(Kafka::coordinator_timeout)?
            .map_err(|e| Kafka::coordinator_timeout(self.call_error(&what, e)))?;
        Ok(altered
            .into_iter()
            .map(|o| {
                let result = o
                    .result
                    .map(|_| ())
                    .map_err(|e| broker_error(e.code, Some(&e.message)));
                ((o.topic, o.partition), result)
            })
            .collect())
    }

    /// Deletes groups; one result per name, in the order given.
    pub async fn delete_groups(
        &self,
        names: &[String],
    ) -> Result<Vec<(String, std::result::Result<(), BrokerError>)>> {
        let what = "cannot delete consumer groups";
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let opts = self.admin_options();
        let results = self
            .bounded(what, async {
                self.admin
                    .delete_groups(&refs, &opts)
                    .await
                    .map_err(|e| self.kafka_error(what, e))
            })
            .await
            .map_err(Kafka::coordinator_timeout)?;
        let mut by_name: BTreeMap<String, std::result::Result<(), BrokerError>> = results
            .into_iter()
            .map(|r| match r {
                Ok(name) => (name, Ok(())),
                Err((name, code)) => (name, Err(broker_error(code, None))),
            })
            .collect();
        Ok(names
            .iter()
            .map(|n| {
                let result = by_name.remove(n).unwrap_or_else(|| {
                    Err(BrokerError {
                        code: super::Code::Other,
                        message: "the broker sent no result".into(),
                    })
                });
                (n.clone(), result)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_have_kafka_and_json_names() {
        assert_eq!(GroupState::Stable.name(), "Stable");
        assert_eq!(
            GroupState::PreparingRebalance.snake_name(),
            "preparing_rebalance"
        );
    }
}
