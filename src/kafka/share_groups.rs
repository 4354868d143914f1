//! Groups of every type (classic, consumer, share, streams) as ListGroups names them, share
//! groups (KIP-932) and the epochs of consumer-protocol groups (KIP-848): kctl's own requests
//! (`wire/share_groups.rs`), which librdkafka has no API for.

use super::authz::{Operation, Resource};
use super::client::Kafka;
use super::types::TopicPartition;
use super::wire::{self, DescribedGroup, WireError};
use crate::error::{Error, Result};

/// Kafka's GROUP_ID_NOT_FOUND.
const GROUP_ID_NOT_FOUND: i16 = 69;

/// A group as ListGroups lists it, of any type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnyGroup {
    pub group: String,
    /// `classic`, `consumer`, `share`, `streams` (empty when the broker does not say).
    pub group_type: String,
    /// Kafka's name of its state (`Stable`, `Assigning`, ...); empty when not said.
    pub state: String,
}

/// A share group or a consumer-protocol group as its coordinator describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoordinatedGroup {
    pub group: String,
    pub coordinator: i32,
    /// Kafka's name of its state.
    pub state: String,
    pub group_epoch: i32,
    /// The epoch of the target assignment.
    pub assignment_epoch: i32,
    pub assignor: String,
    pub members: Vec<CoordinatedMember>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoordinatedMember {
    pub member_id: String,
    pub client_id: String,
    pub host: String,
    pub instance_id: Option<String>,
    pub member_epoch: i32,
    pub subscribed: Vec<String>,
    pub assignment: Vec<TopicPartition>,
    /// Consumer-protocol groups: the member's target assignment; share groups: `None`.
    pub target_assignment: Option<Vec<TopicPartition>>,
}

/// A share-partition's start offset: where the group's delivery of it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareStart {
    pub topic: String,
    pub partition: i32,
    /// `None`: not initialized.
    pub start_offset: Option<i64>,
    pub leader_epoch: Option<i32>,
    /// The records not yet delivered and acknowledged, as the coordinator counts them;
    /// `None` when it does not say (before Kafka 4.2).
    pub lag: Option<i64>,
    pub error: Option<String>,
}

fn coordinated(g: DescribedGroup) -> CoordinatedGroup {
    CoordinatedGroup {
        group: g.group,
        coordinator: g.coordinator,
        state: g.state,
        group_epoch: g.group_epoch,
        assignment_epoch: g.assignment_epoch,
        assignor: g.assignor,
        members: g
            .members
            .into_iter()
            .map(|m| CoordinatedMember {
                member_id: m.member_id,
                client_id: m.client_id,
                host: m.host,
                instance_id: m.instance_id,
                member_epoch: m.member_epoch,
                subscribed: m.subscribed,
                assignment: m.assignment,
                target_assignment: m.target_assignment,
            })
            .collect(),
    }
}

impl Kafka {
    /// Every group of the cluster (`types`: only those types), each broker asked for the
    /// groups it coordinates, side by side; sorted by name.
    pub async fn list_all_groups(&self, types: &[String]) -> Result<Vec<AnyGroup>> {
        let what = "cannot list groups";
        self.wire_settings(what)?;
        let mut brokers = self.metadata().await?.brokers;
        brokers.sort_by_key(|b| b.id);
        let types = types.to_vec();
        let answers = self
            .ask_brokers(&brokers, move |at, settings, _| {
                wire::list_groups(at, settings, &types)
            })
            .await;
        let mut out = Vec::new();
        for (broker, answer) in brokers.iter().zip(answers) {
            let listed = answer.map_err(|e| {
                let at = format!("broker {} ({})", broker.id, super::ask::address(broker));
                self.refused(
                    super::ask::wire_error(what, Some(&at), e),
                    Operation::Describe,
                    Resource::Cluster,
                )
            })?;
            out.extend(listed.into_iter().map(|l| AnyGroup {
                group: l.group,
                group_type: match (l.group_type.is_empty(), l.protocol_type.as_str()) {
                    (false, _) => l.group_type,
                    (true, "consumer" | "") => "classic".to_string(),
                    (true, other) => other.to_string(),
                },
                state: l.state,
            }));
        }
        out.sort_by(|a, b| a.group.cmp(&b.group));
        out.dedup_by(|a, b| a.group == b.group);
        Ok(out)
    }

    /// A share group as its coordinator describes it.
    pub async fn describe_share_group(&self, group: &str) -> Result<CoordinatedGroup> {
        let what = format!("cannot describe share group '{group}'");
        let name = group.to_string();
        let g = self
            .ask_a_broker(&what, move |at, settings, _| {
                found(wire::share_group_describe(at, settings, &name))
            })
            .await
            .map_err(|e| self.refused(e, Operation::Describe, Resource::Group(group.to_string())))?
            .ok_or_else(|| not_found(group, "share group"))?;
        Ok(coordinated(g))
    }

    /// A consumer-protocol group as its coordinator describes it: its epochs, and the
    /// states (`Assigning`, `Reconciling`) librdkafka does not name.
    pub async fn describe_consumer_group_epochs(&self, group: &str) -> Result<CoordinatedGroup> {
        let what = format!("cannot describe consumer group '{group}'");
        let name = group.to_string();
        let g = self
            .ask_a_broker(&what, move |at, settings, _| {
                found(wire::consumer_group_describe(at, settings, &name))
            })
            .await
            .map_err(|e| self.refused(e, Operation::Describe, Resource::Group(group.to_string())))?
            .ok_or_else(|| not_found(group, "consumer group"))?;
        Ok(coordinated(g))
    }

    /// The start offset of each share-partition of `group`.
    pub async fn share_group_offsets(&self, group: &str) -> Result<Vec<ShareStart>> {
        let what = format!("cannot read the start offsets of share group '{group}'");
        let name = group.to_string();
        let listed = self
            .ask_a_broker(&what, move |at, settings, _| {
                found(wire::describe_share_group_offsets(at, settings, &name))
            })
            .await
            .map_err(|e| self.refused(e, Operation::Describe, Resource::Group(group.to_string())))?
            .ok_or_else(|| not_found(group, "share group"))?;
        Ok(listed
            .into_iter()
            .map(|o| ShareStart {
                topic: o.topic,
                partition: o.partition,
                start_offset: o.start_offset,
                leader_epoch: o.leader_epoch,
                lag: o.lag,
                error: o.error.map(|e| e.to_string()),
            })
            .collect())
    }

    /// Sets share-partitions' start offsets of `group` (which must have no members); each
    /// partition with the coordinator's answer (`Err`: why not). Needs READ on the group.
    pub async fn alter_share_group_offsets(
        &self,
        group: &str,
        offsets: &[(TopicPartition, i64)],
    ) -> Result<Vec<(TopicPartition, std::result::Result<(), String>)>> {
        let what = format!("cannot reset the start offsets of share group '{group}'");
        let mut by_topic: std::collections::BTreeMap<String, Vec<(i32, i64)>> = Default::default();
        for ((t, p), o) in offsets {
            by_topic.entry(t.clone()).or_default().push((*p, *o));
        }
        let by_topic: Vec<(String, Vec<(i32, i64)>)> = by_topic.into_iter().collect();
        let name = group.to_string();
        let answer = self
            .ask_a_broker(&what, move |at, settings, _| {
                found(wire::alter_share_group_offsets(
                    at, settings, &name, &by_topic,
                ))
            })
            .await
            .map_err(|e| self.refused(e, Operation::Read, Resource::Group(group.to_string())))?
            .ok_or_else(|| not_found(group, "share group"))?;
        Ok(answer
            .into_iter()
            .map(|(tp, r)| (tp, r.map_err(|e| e.to_string())))
            .collect())
    }

    /// Deletes the start offsets of `topics` from share group `group` (which must have no
    /// members); each topic with the coordinator's answer. Needs DELETE on the group.
    pub async fn delete_share_group_offsets(
        &self,
        group: &str,
        topics: &[String],
    ) -> Result<Vec<(String, std::result::Result<(), String>)>> {
        let what = format!("cannot delete the start offsets of share group '{group}'");
        let name = group.to_string();
        let topics = topics.to_vec();
        let answer = self
            .ask_a_broker(&what, move |at, settings, _| {
                found(wire::delete_share_group_offsets(
                    at, settings, &name, &topics,
                ))
            })
            .await
            .map_err(|e| self.refused(e, Operation::Delete, Resource::Group(group.to_string())))?
            .ok_or_else(|| not_found(group, "share group"))?;
        Ok(answer
            .into_iter()
            .map(|(t, r)| (t, r.map_err(|e| e.to_string())))
            .collect())
    }
}

/// A group the coordinator does not know as `None`.
fn found<T>(r: wire::WireResult<T>) -> wire::WireResult<Option<T>> {
    match r {
        Err(WireError::Refused {
            code: GROUP_ID_NOT_FOUND,
            ..
        }) => Ok(None),
        r => r.map(Some),
    }
}

fn not_found(group: &str, kind: &str) -> Error {
    Error::not_found(
        format!("{kind} '{group}'"),
        format!("{kind} not found: {group}"),
    )
    .with_hint("`kctl groups list` shows the groups the cluster knows")
}
