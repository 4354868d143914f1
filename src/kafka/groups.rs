//! Consumer groups: listing, describing, their committed offsets, altering and deleting them.
//! The group calls rust-rdkafka lacks are in `native/groups.rs`. Every call is bounded by the
//! timeout.

use std::collections::BTreeMap;

use rdkafka::error::RDKafkaErrorCode;

use super::authz::{Operation, Resource};
use super::client::Kafka;
use super::errors::broker_error;
use super::native::admin::AdminCallError;
use super::native::{groups as native, ClientRef};
use super::types::{
    Broker, BrokerError, Code, CommittedOffset, GroupInfo, GroupListing, GroupMember, GroupState,
    GroupType, TopicPartition,
};
use crate::error::{Error, Result};

impl Kafka {
    /// Every consumer group the cluster knows. The strings are warnings: brokers that could not
    /// answer (the listing is then partial).
    pub async fn list_groups(&self) -> Result<(Vec<GroupListing>, Vec<String>)> {
        let what = "cannot list consumer groups";
        let (groups, errors) = self
            .blocking(what, move |admin, timeout| {
                native::list_consumer_groups(ClientRef::of(admin.inner()), timeout)
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
        let request = names.to_vec();
        let described = self
            .blocking(what, move |admin, timeout| {
                native::describe_consumer_groups(ClientRef::of(admin.inner()), &request, timeout)
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
                            Err(self.reword(
                                broker_error(e.code, Some(&e.message)),
                                Operation::Describe,
                                Resource::Group(name.clone()),
                            ))
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
        let name = group.to_string();
        let partitions = partitions.map(<[TopicPartition]>::to_vec);
        let offsets = self
            .blocking(&what, move |admin, timeout| {
                let client = ClientRef::of(admin.inner());
                native::list_group_offsets(client, &name, partitions.as_deref(), timeout)
            })
            .await
            .map_err(Kafka::coordinator_timeout)?;
        let offsets = match offsets {
            // A group the broker does not know has no committed offsets.
            Err(AdminCallError::Failed(e)) if e.code == RDKafkaErrorCode::GroupIdNotFound => {
                Vec::new()
            }
            other => other.map_err(|e| {
                let err = self.call_error(&what, e);
                let err = self.refused(err, Operation::Describe, Resource::Group(group.into()));
                Kafka::coordinator_timeout(err)
            })?,
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
        let name = group.to_string();
        let request: Vec<(String, i32, i64)> = offsets
            .iter()
            .map(|((t, p), o)| (t.clone(), *p, *o))
            .collect();
        let altered = self
            .blocking(&what, move |admin, timeout| {
                native::alter_group_offsets(ClientRef::of(admin.inner()), &name, &request, timeout)
            })
            .await
            .map_err(Kafka::coordinator_timeout)?
            .map_err(|e| {
                let err = self.call_error(&what, e);
                Kafka::coordinator_timeout(self.refused(
                    err,
                    Operation::Read,
                    Resource::Group(group.into()),
                ))
            })?;
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
                Err((name, code)) => {
                    let err = broker_error(code, None);
                    let group = Resource::Group(name.clone());
                    (name, Err(self.reword(err, Operation::Delete, group)))
                }
            })
            .collect();
        Ok(names
            .iter()
            .map(|n| {
                let result = by_name.remove(n).unwrap_or_else(|| {
                    Err(BrokerError {
                        code: Code::Other,
                        message: "the broker sent no result".into(),
                    })
                });
                (n.clone(), result)
            })
            .collect())
    }

    /// The names of all consumer groups, in no particular order: [`Kafka::list_groups`]'s,
    /// without its warnings (a partial listing still completes what it has).
    pub async fn group_names(&self) -> Result<Vec<String>> {
        let (groups, _partial) = self.list_groups().await?;
        Ok(groups.into_iter().map(|g| g.group).collect())
    }
}
