//! `kctl groups ...`

pub mod delete;
pub mod delete_offsets;
pub mod describe;
pub mod list;
pub mod reset_offsets;
pub mod share;
pub mod watch;

use std::collections::BTreeMap;

use clap::Subcommand;
use serde::Serialize;

use super::Ctx;
use crate::error::{Error, Result};
use crate::kafka::{CommittedOffset, GroupInfo, GroupState, Kafka, TopicPartition};
use crate::render::plural;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List groups of every type (classic, consumer, share, streams) with their state,
    /// assignor and number of members
    #[command(visible_alias = "ls")]
    List(list::Args),
    /// Show members, committed offsets and lag of groups (share groups: start offsets; --watch:
    /// rates and time to catch up, refreshed)
    Describe(describe::Args),
    /// Move a stopped group's committed offsets (a dry run unless --execute)
    ResetOffsets(reset_offsets::Args),
    /// Delete consumer groups without active members (asks first)
    #[command(visible_alias = "rm")]
    Delete(delete::Args),
    /// Delete a group's committed offsets on some topics or partitions (asks first)
    DeleteOffsets(delete_offsets::Args),
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::List(args) => list::run(args, ctx).await,
        Command::Describe(args) => describe::run(args, ctx).await,
        Command::ResetOffsets(args) => reset_offsets::run(args, ctx).await,
        Command::Delete(args) => delete::run(args, ctx).await,
        Command::DeleteOffsets(args) => delete_offsets::run(args, ctx).await,
    }
}

/// clap value parser for a group name: any non-empty string.
pub fn group_name(s: &str) -> std::result::Result<String, String> {
    if s.is_empty() {
        Err("a group name cannot be empty".to_string())
    } else {
        Ok(s.to_string())
    }
}

/// A group's state for JSON output: Kafka's states in snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateName(pub GroupState);

impl Serialize for StateName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.0.snake_name())
    }
}

/// A group as kctl works with it: its description and all its committed offsets.
pub struct Group {
    pub info: GroupInfo,
    pub offsets: BTreeMap<TopicPartition, CommittedOffset>,
    /// The group is described as `Empty` with nothing in it and the cluster does not list it
    /// (a broker that describes any name it does not know as an empty group).
    pub unlisted: bool,
}

impl Group {
    /// The partitions the group has committed offsets for or members assigned, sorted.
    pub fn partitions(&self) -> Vec<TopicPartition> {
        let mut all: Vec<TopicPartition> = self
            .offsets
            .keys()
            .cloned()
            .chain(
                self.info
                    .members
                    .iter()
                    .flat_map(|m| m.assignment.iter().cloned()),
            )
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// Whether the group has members (or is rebalancing): its offsets must not be changed.
    pub fn is_active(&self) -> bool {
        !self.info.members.is_empty()
            || matches!(
                self.info.state,
                GroupState::Stable
                    | GroupState::PreparingRebalance
                    | GroupState::CompletingRebalance
            )
    }

    /// Whether the group exists. Kafka describes a group it does not know as `Dead` (or
    /// answers "group id not found"); an `Empty` group without committed offsets exists all
    /// the same (Apache's console consumer leaves one behind, `console-consumer-NNNNN`, which
    /// `kafka-consumer-groups` describes and deletes). Some other brokers describe any name
    /// as an empty group: there an empty group without offsets exists when the cluster lists
    /// it (see [`load_groups`]).
    pub fn exists(&self) -> bool {
        !self.info.members.is_empty()
            || !self.offsets.is_empty()
            || self.is_active()
            || (self.info.state != GroupState::Dead && !self.unlisted)
    }

    /// Described as `Empty`, without members or committed offsets: whether the group exists
    /// takes the cluster's listing.
    fn is_bare(&self) -> bool {
        self.info.state == GroupState::Empty
            && self.info.members.is_empty()
            && self.offsets.is_empty()
    }

    /// The partitions the group has a committed offset for.
    pub fn committed(&self) -> BTreeMap<TopicPartition, i64> {
        self.offsets
            .iter()
            .filter_map(|(tp, o)| match o {
                Ok(Some(o)) => Some((tp.clone(), *o)),
                _ => None,
            })
            .collect()
    }
}

/// Describes groups and reads their committed offsets: one DescribeConsumerGroups call for all
/// of them, then one offsets request per group, concurrently.
pub async fn load_groups(kafka: &Kafka, names: &[String]) -> Result<Vec<Group>> {
    let (described, offsets) = tokio::try_join!(
        kafka.describe_groups(names),
        futures::future::try_join_all(names.iter().map(|name| kafka.group_offsets(name, None))),
    )?;
    let mut groups = described
        .into_iter()
        .zip(offsets)
        .map(|((name, info), offsets)| {
            let info = info.map_err(|e| {
                Error::new(e.kind(), format!("cannot describe consumer group '{name}'")).because(e)
            })?;
            Ok(Group {
                info,
                offsets,
                unlisted: false,
            })
        })
        .collect::<Result<Vec<Group>>>()?;
    // An empty group with nothing in it: one ListGroups call says whether the cluster knows it.
    if groups.iter().any(Group::is_bare) {
        let (listed, _) = kafka.list_groups().await?;
        for group in groups.iter_mut().filter(|g| g.is_bare()) {
            group.unlisted = !listed.iter().any(|l| l.group == group.info.group);
        }
    }
    Ok(groups)
}

/// An error naming the groups that do not exist, if any.
pub fn check_exist(groups: &[Group], consequence: &str) -> Result<()> {
    let missing: Vec<&str> = groups
        .iter()
        .filter(|g| !g.exists())
        .map(|g| g.info.group.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let kind = plural(missing.len(), "consumer group", "consumer groups");
    Err(Error::not_found(
        format!("{kind} {}", missing.join(", ")),
        format!("{kind} not found: {}{consequence}", missing.join(", ")),
    )
    .with_hint("`kctl groups list` shows the groups the cluster knows"))
}
