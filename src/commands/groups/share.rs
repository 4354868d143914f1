//! Share groups (KIP-932) and the group types librdkafka does not name: `groups list` gets
//! every group of every type from ListGroups v5 here (share and streams groups, the consumer
//! protocol's `Assigning` and `Reconciling` states), and `groups describe` of share groups
//! (ShareGroupDescribe and DescribeShareGroupOffsets, as `kafka-share-groups --describe`
//! shows them): members with their epochs and assignments, and each share-partition's start
//! offset and lag. Consumer-protocol groups get their epochs here too (ConsumerGroupDescribe).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::super::Ctx;
use super::list::GroupSummary;
use super::StateName;
use crate::error::{Error, Result};
use crate::kafka::{AnyGroup, GroupState, GroupType, Kafka, OffsetSpec, TopicPartition};
use crate::printer::Printer;
use crate::render::{or_dash, Block, Render, Table};

/// A group type to filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TypeFilter {
    Classic,
    Consumer,
    Share,
    Streams,
}

impl TypeFilter {
    pub fn name(self) -> &'static str {
        match self {
            TypeFilter::Classic => "classic",
            TypeFilter::Consumer => "consumer",
            TypeFilter::Share => "share",
            TypeFilter::Streams => "streams",
        }
    }
}

/// Every group by name, as ListGroups v5 lists them, and a warning when they could not be
/// listed (share and streams groups then do not show).
pub async fn listing(kafka: &Kafka) -> (BTreeMap<String, AnyGroup>, Option<String>) {
    match kafka.list_all_groups(&[]).await {
        Ok(groups) => (
            groups.into_iter().map(|g| (g.group.clone(), g)).collect(),
            None,
        ),
        Err(e) => (
            BTreeMap::new(),
            Some(format!(
                "share and streams groups are not listed: {}",
                e.message()
            )),
        ),
    }
}

/// The groups of `all` that `known` (librdkafka's listing) lacks: share groups (described
/// for their members) and streams groups (as listed).
pub async fn other_summaries(
    kafka: &Kafka,
    all: &BTreeMap<String, AnyGroup>,
    known: &[String],
    printer: &Printer,
) -> Vec<GroupSummary> {
    let known: BTreeSet<&str> = known.iter().map(String::as_str).collect();
    let others: Vec<&AnyGroup> = all
        .values()
        .filter(|g| !known.contains(g.group.as_str()))
        .collect();
    let described = futures::future::join_all(others.iter().map(|g| async move {
        match GroupType::from_name(&g.group_type) {
            GroupType::Share => Some(kafka.describe_share_group(&g.group).await),
            _ => None,
        }
    }))
    .await;
    others
        .into_iter()
        .zip(described)
        .map(|(g, d)| {
            let group_type = GroupType::from_name(&g.group_type).name();
            match d {
                Some(Ok(d)) => GroupSummary {
                    group: g.group.clone(),
                    group_type,
                    state: StateName(GroupState::from_name(&d.state)),
                    assignor: Some(d.assignor).filter(|a| !a.is_empty()),
                    simple: false,
                    members: Some(d.members.len()),
                },
                other => {
                    if let Some(Err(e)) = other {
                        printer.warn(format!(
                            "cannot describe share group '{}': {}",
                            g.group,
                            e.message()
                        ));
                    }
                    GroupSummary {
                        group: g.group.clone(),
                        group_type,
                        state: StateName(GroupState::from_name(&g.state)),
                        assignor: None,
                        simple: false,
                        members: None,
                    }
                }
            }
        })
        .collect()
}

/// Which of `names` are share groups (one ListGroups of share groups per broker). `None`
/// when that cannot be asked (the names are then taken as consumer groups).
pub async fn share_groups_among(kafka: &Kafka, names: &[String]) -> Option<BTreeSet<String>> {
    let listed = kafka.list_all_groups(&["share".to_string()]).await.ok()?;
    let wanted: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    Some(
        listed
            .into_iter()
            .filter(|g| wanted.contains(g.group.as_str()) && g.group_type == "share")
            .map(|g| g.group)
            .collect(),
    )
}

/// Whether `group` is a share group (`false` when that cannot be asked).
pub async fn is_share_group(kafka: &Kafka, group: &str) -> bool {
    share_groups_among(kafka, &[group.to_string()])
        .await
        .is_some_and(|s| !s.is_empty())
}

/// `kctl groups describe` of share groups.
#[derive(Debug, Serialize)]
pub struct ShareDescription {
    pub groups: Vec<ShareGroupDescription>,
}

#[derive(Debug, Serialize)]
pub struct ShareGroupDescription {
    pub group: String,
    /// Always `share`.
    #[serde(rename = "type")]
    pub group_type: &'static str,
    pub state: StateName,
    pub coordinator: i32,
    pub group_epoch: i32,
    /// The epoch of the target assignment.
    pub assignment_epoch: i32,
    /// The assignor (`simple`).
    pub assignor: Option<String>,
    /// Sorted by member id.
    pub members: Vec<ShareMember>,
    /// One per share-partition the group has a start offset for, or a member is assigned.
    pub offsets: Vec<ShareOffset>,
    /// The sum of the known lags; `null` when no partition has one.
    pub total_lag: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct ShareMember {
    pub member_id: String,
    pub client_id: String,
    pub host: String,
    pub member_epoch: i32,
    pub subscribed_topics: Vec<String>,
    pub assignments: Vec<super::describe::Assignment>,
}

#[derive(Debug, Serialize)]
pub struct ShareOffset {
    pub topic: String,
    pub partition: i32,
    /// Where the group's delivery of the partition starts (records before it are all
    /// acknowledged); `null` when not initialized yet.
    pub start_offset: Option<i64>,
    /// `null` when unknown.
    pub leader_epoch: Option<i32>,
    /// `null` when the partition's leader could not answer.
    pub log_end_offset: Option<i64>,
    /// The records not yet delivered and acknowledged, as the share coordinator counts them
    /// (Kafka 4.2 and later); before, `log_end_offset - start_offset`. `null` when unknown.
    pub lag: Option<i64>,
}

/// Describes share groups: members, assignments, start offsets and lag.
pub async fn describe(ctx: &Ctx, names: &[String]) -> Result<()> {
    let kafka = ctx.kafka()?;
    let mut groups = Vec::new();
    for name in names {
        let (d, starts) = tokio::try_join!(
            kafka.describe_share_group(name),
            kafka.share_group_offsets(name)
        )?;
        for s in starts.iter().filter(|s| s.error.is_some()) {
            ctx.printer.warn(format!(
                "share group '{name}': cannot read the start offset of {}:{}: {}",
                s.topic,
                s.partition,
                s.error.as_deref().unwrap_or_default()
            ));
        }
        let mut partitions: BTreeSet<TopicPartition> = starts
            .iter()
            .map(|s| (s.topic.clone(), s.partition))
            .collect();
        partitions.extend(d.members.iter().flat_map(|m| m.assignment.iter().cloned()));
        let partitions: Vec<TopicPartition> = partitions.into_iter().collect();
        let ends = kafka.list_offsets(&partitions, OffsetSpec::Latest).await?;
        let offsets: Vec<ShareOffset> = partitions
            .iter()
            .map(|tp| {
                let start = starts
                    .iter()
                    .find(|s| s.topic == tp.0 && s.partition == tp.1);
                let start_offset = start.and_then(|s| s.start_offset);
                let end = ends.get(tp).and_then(|r| r.clone().ok());
                ShareOffset {
                    topic: tp.0.clone(),
                    partition: tp.1,
                    start_offset,
                    // As kafka-share-groups shows it: no epoch without a start offset.
                    leader_epoch: start
                        .filter(|s| s.start_offset.is_some())
                        .and_then(|s| s.leader_epoch),
                    log_end_offset: end,
                    // The coordinator's count (Kafka 4.2); before, all from the start offset.
                    lag: start
                        .and_then(|s| s.lag)
                        .or_else(|| start_offset.zip(end).map(|(s, e)| (e - s).max(0))),
                }
            })
            .collect();
        let mut members: Vec<ShareMember> = d
            .members
            .iter()
            .map(|m| {
                let mut assignments: Vec<super::describe::Assignment> = m
                    .assignment
                    .iter()
                    .map(|(t, p)| super::describe::Assignment {
                        topic: t.clone(),
                        partition: *p,
                    })
                    .collect();
                assignments.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
                let mut subscribed = m.subscribed.clone();
                subscribed.sort();
                ShareMember {
                    member_id: m.member_id.clone(),
                    client_id: m.client_id.clone(),
                    host: m.host.clone(),
                    member_epoch: m.member_epoch,
                    subscribed_topics: subscribed,
                    assignments,
                }
            })
            .collect();
        members.sort_by(|a, b| a.member_id.cmp(&b.member_id));
        groups.push(ShareGroupDescription {
            group: d.group.clone(),
            group_type: "share",
            state: StateName(GroupState::from_name(&d.state)),
            coordinator: d.coordinator,
            group_epoch: d.group_epoch,
            assignment_epoch: d.assignment_epoch,
            assignor: Some(d.assignor.clone()).filter(|a| !a.is_empty()),
            total_lag: offsets.iter().filter_map(|o| o.lag).reduce(|a, b| a + b),
            members,
            offsets,
        });
    }
    for g in &groups {
        if g.members.is_empty() {
            ctx.printer
                .note(format!("Share group '{}' has no active members.", g.group));
        }
    }
    ctx.printer.print(&ShareDescription { groups })
}

impl Render for ShareDescription {
    fn blocks(&self) -> Vec<Block> {
        let mut blocks = Vec::new();
        for (i, g) in self.groups.iter().enumerate() {
            if i > 0 {
                blocks.push(Block::Line(String::new()));
            }
            let mut head = Table::new([
                "GROUP",
                "TYPE",
                "COORDINATOR",
                "STATE",
                "GROUP-EPOCH",
                "ASSIGNMENT-EPOCH",
                "#MEMBERS",
            ])
            .numeric(&[2, 4, 5, 6]);
            head.row([
                g.group.clone(),
                g.group_type.to_string(),
                g.coordinator.to_string(),
                g.state.0.name().to_string(),
                g.group_epoch.to_string(),
                g.assignment_epoch.to_string(),
                g.members.len().to_string(),
            ]);
            blocks.push(Block::Table(head));
            if !g.offsets.is_empty() {
                let mut t = Table::new([
                    "GROUP",
                    "TOPIC",
                    "PARTITION",
                    "LEADER-EPOCH",
                    "START-OFFSET",
                    "LOG-END-OFFSET",
                    "LAG",
                ])
                .numeric(&[2, 3, 4, 5, 6]);
                for o in &g.offsets {
                    t.row([
                        g.group.clone(),
                        o.topic.clone(),
                        o.partition.to_string(),
                        or_dash(o.leader_epoch),
                        or_dash(o.start_offset),
                        or_dash(o.log_end_offset),
                        or_dash(o.lag),
                    ]);
                }
                blocks.push(Block::Line(String::new()));
                blocks.push(Block::Table(t));
                blocks.push(Block::Line(format!("Total lag: {}", or_dash(g.total_lag))));
            }
            if !g.members.is_empty() {
                let mut t = Table::new([
                    "MEMBER-ID",
                    "HOST",
                    "CLIENT-ID",
                    "MEMBER-EPOCH",
                    "#PARTITIONS",
                    "ASSIGNMENT",
                ])
                .numeric(&[3, 4]);
                for m in &g.members {
                    t.row([
                        m.member_id.clone(),
                        m.host.clone(),
                        m.client_id.clone(),
                        m.member_epoch.to_string(),
                        m.assignments.len().to_string(),
                        super::describe::assignment_text(&m.assignments),
                    ]);
                }
                blocks.push(Block::Line(String::new()));
                blocks.push(Block::Table(t));
            }
        }
        blocks
    }
}

/// Consumer-protocol groups' epochs and states, from their coordinator.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Epochs {
    pub group_epoch: i32,
    /// The epoch of the target assignment (the members move to it).
    pub assignment_epoch: i32,
}

/// Each consumer-protocol group's description from its coordinator (epochs, member epochs,
/// and its state as Kafka names it); groups that cannot be asked are left out with a warning.
pub async fn consumer_epochs(
    kafka: &Kafka,
    groups: &[String],
    printer: &Printer,
) -> BTreeMap<String, crate::kafka::CoordinatedGroup> {
    let answers = futures::future::join_all(
        groups
            .iter()
            .map(|g| kafka.describe_consumer_group_epochs(g)),
    )
    .await;
    let mut out = BTreeMap::new();
    for (g, a) in groups.iter().zip(answers) {
        match a {
            Ok(d) => {
                out.insert(g.clone(), d);
            }
            Err(e) => printer.warn(format!(
                "group '{g}': cannot read its epochs: {}",
                e.message()
            )),
        }
    }
    out
}

/// A usage error for a describe that mixes share groups with the others.
pub fn mixed_error(share: &BTreeSet<String>) -> Error {
    Error::usage(format!(
        "describe share groups ({}) apart from consumer groups: their descriptions differ",
        share.iter().cloned().collect::<Vec<_>>().join(", ")
    ))
}

/// Fails when any of the share groups `groups` (described) has members: their start offsets
/// and the groups themselves change only while no consumer is in them.
fn refuse_active(groups: &[crate::kafka::CoordinatedGroup], nothing: &str) -> Result<()> {
    let active: Vec<String> = groups
        .iter()
        .filter(|g| !g.members.is_empty())
        .map(|g| format!("'{}' ({} active members)", g.group, g.members.len()))
        .collect();
    if active.is_empty() {
        return Ok(());
    }
    Err(Error::runtime(format!(
        "share {} with active members: {}; {nothing}",
        crate::render::plural(active.len(), "group", "groups"),
        active.join(", ")
    ))
    .with_hint("stop the group's share consumers first"))
}

/// `groups delete` of share groups: each must exist and have no members; asks first.
pub async fn delete(ctx: &Ctx, names: &[String], yes: bool) -> Result<()> {
    let kafka = ctx.kafka()?;
    let mut described = Vec::new();
    for name in names {
        described.push(kafka.describe_share_group(name).await?);
    }
    refuse_active(&described, "nothing was deleted")?;
    let deleted =
        super::super::confirm_and_delete(ctx, ("share group", "share groups"), names, yes, || {
            kafka.delete_groups(names)
        })
        .await?;
    ctx.printer.print(&deleted)
}

/// A share group's start offsets, before and after a reset (or a deletion).
#[derive(Debug, Serialize)]
pub struct ShareReset {
    pub group: String,
    /// `false` for a dry run: nothing was changed.
    pub executed: bool,
    pub offsets: Vec<ShareResetOffset>,
}

#[derive(Debug, Serialize)]
pub struct ShareResetOffset {
    pub topic: String,
    pub partition: i32,
    /// The start offset now; `null` when not initialized.
    pub start_offset: Option<i64>,
    /// The new start offset; `null` for a deletion.
    pub new_start_offset: Option<i64>,
}

impl Render for ShareReset {
    fn blocks(&self) -> Vec<Block> {
        let mut t = Table::new([
            "GROUP",
            "TOPIC",
            "PARTITION",
            "START-OFFSET",
            "NEW-START-OFFSET",
        ])
        .numeric(&[2, 3, 4]);
        for o in &self.offsets {
            t.row([
                self.group.clone(),
                o.topic.clone(),
                o.partition.to_string(),
                or_dash(o.start_offset),
                or_dash(o.new_start_offset),
            ]);
        }
        vec![Block::Table(t)]
    }
}

/// `groups reset-offsets` of a share group (AlterShareGroupOffsets), as
/// `kafka-share-groups --reset-offsets` does: `--topic` partitions, one target; a dry run
/// unless `--execute` (asks first); refused while the group has members.
pub async fn reset(ctx: &Ctx, args: &super::reset_offsets::Args) -> Result<()> {
    if args.from_file.is_some() || args.export.is_some() || args.scope.all_topics {
        return Err(Error::usage(format!(
            "'{}' is a share group: name its partitions with --topic (--all-topics, --export \
             and --from-file are for consumer groups)",
            args.group
        )));
    }
    let kafka = ctx.kafka()?;
    let (group, starts) = tokio::try_join!(
        kafka.describe_share_group(&args.group),
        kafka.share_group_offsets(&args.group)
    )?;
    refuse_active(std::slice::from_ref(&group), "nothing was changed")?;
    let cluster = kafka.metadata().await?;
    let partitions =
        super::super::transactions::resolve(kafka, &cluster, &args.scope.topics).await?;
    let (earliest, latest) = tokio::try_join!(
        kafka.list_offsets(&partitions, OffsetSpec::Earliest),
        kafka.list_offsets(&partitions, OffsetSpec::Latest)
    )?;
    let t = &args.target;
    let at_time = t.to_datetime.or_else(|| {
        t.by_duration
            .map(|d| chrono::Utc::now().timestamp_millis() - d.as_millis() as i64)
    });
    let by_time = match at_time {
        Some(ms) => Some(
            kafka
                .list_offsets(&partitions, OffsetSpec::Timestamp(ms))
                .await?,
        ),
        None => None,
    };
    let mut offsets = Vec::new();
    for tp in &partitions {
        let get = |m: &BTreeMap<
            TopicPartition,
            std::result::Result<i64, crate::kafka::BrokerError>,
        >| { m.get(tp).and_then(|r| r.clone().ok()) };
        let (Some(lo), Some(hi)) = (get(&earliest), get(&latest)) else {
            return Err(Error::runtime(format!(
                "cannot read the offsets of {}:{}; nothing was changed",
                tp.0, tp.1
            )));
        };
        let start = starts
            .iter()
            .find(|s| s.topic == tp.0 && s.partition == tp.1)
            .and_then(|s| s.start_offset);
        let new = if t.to_earliest {
            lo
        } else if t.to_latest {
            hi
        } else if t.to_current {
            start.unwrap_or(hi)
        } else if let Some(n) = t.to_offset {
            n
        } else if let Some(n) = t.shift_by {
            start.unwrap_or(hi).saturating_add(n)
        } else {
            by_time
                .as_ref()
                .and_then(get)
                .filter(|o| *o >= 0)
                .unwrap_or(hi)
        };
        offsets.push(ShareResetOffset {
            topic: tp.0.clone(),
            partition: tp.1,
            start_offset: start,
            new_start_offset: Some(new.clamp(lo, hi)),
        });
    }
    let mut plan = ShareReset {
        group: args.group.clone(),
        executed: false,
        offsets,
    };
    if !args.execute {
        ctx.printer.print(&plan)?;
        ctx.printer
            .note("Dry run: nothing was changed. Pass --execute to apply this plan.");
        return Ok(());
    }
    let action = format!(
        "reset the start offsets of share group '{}' on {} {}",
        plan.group,
        plan.offsets.len(),
        crate::render::plural(plan.offsets.len(), "partition", "partitions")
    );
    let details = crate::render::to_text(&plan.blocks());
    if !ctx
        .printer
        .confirm(&action, Some(details.trim_end()), args.yes)
        .await?
    {
        return Err(Error::runtime("aborted: nothing was changed"));
    }
    let changes: Vec<(TopicPartition, i64)> = plan
        .offsets
        .iter()
        .filter_map(|o| Some(((o.topic.clone(), o.partition), o.new_start_offset?)))
        .collect();
    let failed: Vec<String> = kafka
        .alter_share_group_offsets(&plan.group, &changes)
        .await?
        .into_iter()
        .filter_map(|((t, p), r)| r.err().map(|e| format!("{t}:{p}: {e}")))
        .collect();
    if !failed.is_empty() {
        return Err(Error::runtime(format!(
            "cannot reset the start offsets of share group '{}'",
            plan.group
        ))
        .because(failed.join("; ")));
    }
    plan.executed = true;
    ctx.printer.print(&plan)
}

/// `groups delete-offsets` of a share group (DeleteShareGroupOffsets): whole topics only, as
/// `kafka-share-groups --delete-offsets` does; asks first; refused while it has members.
pub async fn delete_offsets(ctx: &Ctx, args: &super::delete_offsets::Args) -> Result<()> {
    if let Some(t) = args.topics.iter().find(|t| t.partitions.is_some()) {
        return Err(Error::usage(format!(
            "'{}' is a share group: its start offsets are deleted a whole topic at a time \
             (--topic {}, not {}:P)",
            args.group, t.topic, t.topic
        )));
    }
    let kafka = ctx.kafka()?;
    let (group, starts) = tokio::try_join!(
        kafka.describe_share_group(&args.group),
        kafka.share_group_offsets(&args.group)
    )?;
    refuse_active(std::slice::from_ref(&group), "nothing was deleted")?;
    let mut topics: Vec<String> = args.topics.iter().map(|t| t.topic.clone()).collect();
    topics.sort();
    topics.dedup();
    let missing: Vec<&str> = topics
        .iter()
        .filter(|t| !starts.iter().any(|s| &s.topic == *t))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(Error::not_found(
            format!("start offsets of share group '{}'", args.group),
            format!(
                "share group '{}' has no start offsets on {}; nothing was deleted",
                args.group,
                missing.join(", ")
            ),
        ));
    }
    let mut plan = ShareReset {
        group: args.group.clone(),
        executed: false,
        offsets: starts
            .iter()
            .filter(|s| topics.contains(&s.topic))
            .map(|s| ShareResetOffset {
                topic: s.topic.clone(),
                partition: s.partition,
                start_offset: s.start_offset,
                new_start_offset: None,
            })
            .collect(),
    };
    if args.dry_run {
        ctx.printer.print(&plan)?;
        ctx.printer.note("Dry run: nothing was deleted.");
        return Ok(());
    }
    let action = format!(
        "delete the start offsets of share group '{}' on {}",
        plan.group,
        topics.join(", ")
    );
    if !ctx.printer.confirm(&action, None, args.yes).await? {
        return Err(Error::runtime("aborted: nothing was deleted"));
    }
    let failed: Vec<String> = kafka
        .delete_share_group_offsets(&plan.group, &topics)
        .await?
        .into_iter()
        .filter_map(|(t, r)| r.err().map(|e| format!("{t}: {e}")))
        .collect();
    if !failed.is_empty() {
        return Err(Error::runtime(format!(
            "cannot delete the start offsets of share group '{}'",
            plan.group
        ))
        .because(failed.join("; ")));
    }
    plan.executed = true;
    ctx.printer.print(&plan)
}
