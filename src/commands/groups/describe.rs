//! `kctl groups describe GROUP...`

use std::collections::BTreeMap;

use serde::Serialize;

use super::super::dedup;
use super::super::Ctx;
use super::{check_exist, load_groups, Group, StateName};
use crate::error::Result;
use crate::kafka::{OffsetSpec, TopicPartition};
use crate::render::{or_dash, Block, Render, Table};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Consumer groups to describe
    #[arg(required = true, value_name = "GROUP", value_parser = super::group_name, add = crate::complete::group_completer())]
    pub groups: Vec<String>,

    /// Also show how far behind in time each partition is: the age of its oldest unconsumed
    /// record (reads that record from each partition with lag)
    #[arg(long)]
    pub time_lag: bool,

    /// Refresh every --interval, adding consume and produce rates, time lag, trend and the
    /// time to catch up (JSON lines when stdout is not a terminal, or with -o json)
    #[arg(long, conflicts_with = "time_lag")]
    pub watch: bool,

    /// How often --watch refreshes (e.g. 500ms, 2s, 1m)
    #[arg(long, value_name = "DURATION", default_value = "2s", requires = "watch",
          value_parser = super::watch::parse_interval)]
    pub interval: std::time::Duration,
}

#[derive(Debug, Serialize)]
pub struct Description {
    pub groups: Vec<GroupDescription>,
    /// Whether time lags were asked for (the table then has a TIME-LAG column).
    #[serde(skip)]
    pub time_lag: bool,
}

#[derive(Debug, Serialize)]
pub struct Coordinator {
    pub id: i32,
    pub host: String,
    pub port: i32,
}

#[derive(Debug, Serialize)]
pub struct GroupDescription {
    pub group: String,
    /// `classic`, `consumer` (Kafka 4's consumer protocol, KIP-848) or `unknown`.
    #[serde(rename = "type")]
    pub group_type: &'static str,
    pub state: StateName,
    /// `null` when the broker did not say.
    pub coordinator: Option<Coordinator>,
    /// The partition assignor (e.g. `range`); `null` for groups without members.
    pub assignor: Option<String>,
    /// Sorted by consumer id.
    pub members: Vec<Member>,
    /// One entry per partition the group has a committed offset for or a member is assigned.
    pub offsets: Vec<PartitionOffsets>,
    /// Per topic, the sum of the partitions' known lags; `null` when no partition of the topic
    /// has a known lag (none has a committed offset, say): unknown, not 0.
    pub lag_by_topic: BTreeMap<String, Option<i64>>,
    /// The sum of the known lags; `null` when no partition of the group has one.
    pub total_lag: Option<i64>,
    /// With --time-lag: the largest `time_lag_ms` of the group's partitions; else `null`.
    pub max_time_lag_ms: Option<i64>,
    /// Consumer-protocol groups: the group's epoch and its target assignment's; `null` for
    /// classic groups.
    pub group_epoch: Option<i32>,
    pub assignment_epoch: Option<i32>,
}

#[derive(Debug, Serialize)]
pub struct Member {
    pub consumer_id: String,
    pub client_id: String,
    pub host: String,
    /// Set for static members (`group.instance.id`).
    pub group_instance_id: Option<String>,
    pub assignments: Vec<Assignment>,
    /// Consumer-protocol groups: what the coordinator is moving the member to (equal to
    /// `assignments` once it caught up); `null` for classic groups.
    pub target_assignments: Option<Vec<Assignment>>,
    /// Consumer-protocol groups: the member's epoch (the assignment epoch once it caught
    /// up); `null` for classic groups.
    pub member_epoch: Option<i32>,
}

#[derive(Debug, Serialize)]
pub struct Assignment {
    pub topic: String,
    pub partition: i32,
}

#[derive(Debug, Serialize)]
pub struct PartitionOffsets {
    pub topic: String,
    pub partition: i32,
    /// The committed offset; `null` when the group has none for this partition.
    pub current_offset: Option<i64>,
    /// `null` when the partition's leader could not answer.
    pub log_end_offset: Option<i64>,
    /// log_end_offset - current_offset; `null` when either is unknown.
    pub lag: Option<i64>,
    /// With --time-lag: how long ago the oldest unconsumed record was written (0 without lag);
    /// `null` without --time-lag or when it could not be read.
    pub time_lag_ms: Option<i64>,
    /// The open transaction holding the partition's last stable offset below its log end
    /// (read_committed consumers stop there); `null` when nothing holds it back.
    pub held_by: Option<super::super::held_by::HeldBy>,
    /// The member the partition is assigned to, if any.
    pub consumer_id: Option<String>,
    #[serde(skip)]
    pub host: Option<String>,
    #[serde(skip)]
    pub client_id: Option<String>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    if args.watch {
        return super::watch::run(args, ctx).await;
    }
    let names = dedup(args.groups);
    let kafka = ctx.kafka()?;
    let groups = load_groups(kafka, &names).await?;
    // A share group is no consumer group: described apart (asked only for names not found).
    if groups.iter().any(|g| !g.exists()) {
        if let Some(share) = super::share::share_groups_among(kafka, &names).await {
            if !share.is_empty() && share.len() == names.len() {
                return super::share::describe(ctx, &names).await;
            }
            if !share.is_empty() {
                return Err(super::share::mixed_error(&share));
            }
        }
    }
    check_exist(&groups, "")?;

    // The log-end offsets of every partition of every group, in one batched ListOffsets call.
    let partitions: Vec<TopicPartition> = groups.iter().flat_map(Group::partitions).collect();
    let (ends, filtered) = tokio::join!(
        kafka.list_offsets(&partitions, OffsetSpec::Latest),
        kafka.listing_filtered_for()
    );
    let ends = ends?;
    if let Some(principal) = filtered {
        ctx.printer.warn(format!(
            "showing only the offsets of topics {principal} may describe (Kafka leaves out \
             the others)"
        ));
    }

    for g in &groups {
        for (tp, offset) in &g.offsets {
            if let Err(e) = offset {
                ctx.printer.warn(format!(
                    "group '{}': cannot read the committed offset of {}:{}: {e}",
                    g.info.group, tp.0, tp.1
                ));
            }
        }
        for (tp, end) in g.partitions().iter().map(|tp| (tp, ends.get(tp))) {
            if let Some(Err(e)) = end {
                ctx.printer.warn(format!(
                    "cannot read the log-end offset of {}:{}: {e}",
                    tp.0, tp.1
                ));
            }
        }
    }

    let mut description = Description {
        groups: groups
            .iter()
            .map(|g| describe(g, |tp| ends.get(tp).and_then(|r| r.clone().ok())))
            .collect(),
        time_lag: args.time_lag,
    };
    add_held_by(&mut description, ctx).await?;
    add_epochs(&mut description, ctx).await?;
    if args.time_lag {
        add_time_lags(&mut description, ctx).await?;
    }
    for g in &description.groups {
        for o in g
            .offsets
            .iter()
            .filter(|o| o.lag.is_some_and(|lag| lag < 0))
        {
            ctx.printer.warn(format!(
                "group '{}': the committed offset of {}:{} ({}) is beyond its log-end offset \
                 ({}): records there were deleted or lost; its lag shows negative, as \
                 kafka-consumer-groups shows it (counted as 0 in the totals), and the group's \
                 consumers reset by auto.offset.reset when they read it",
                g.group,
                o.topic,
                o.partition,
                o.current_offset.unwrap_or_default(),
                o.log_end_offset.unwrap_or_default(),
            ));
        }
        if g.members.is_empty() {
            ctx.printer.note(format!(
                "Consumer group '{}' has no active members.",
                g.group
            ));
        }
    }
    ctx.printer.print(&description)
}

/// Consumer-protocol groups' epochs, and the states librdkafka does not name (`Assigning`,
/// `Reconciling`), from their coordinator.
async fn add_epochs(description: &mut Description, ctx: &Ctx) -> Result<()> {
    let consumer: Vec<String> = description
        .groups
        .iter()
        .filter(|g| g.group_type == "consumer")
        .map(|g| g.group.clone())
        .collect();
    if consumer.is_empty() {
        return Ok(());
    }
    let epochs = super::share::consumer_epochs(ctx.kafka()?, &consumer, &ctx.printer).await;
    for g in &mut description.groups {
        let Some(d) = epochs.get(&g.group) else {
            continue;
        };
        g.group_epoch = Some(d.group_epoch);
        g.assignment_epoch = Some(d.assignment_epoch);
        if g.state.0 == crate::kafka::GroupState::Unknown {
            g.state = StateName(crate::kafka::GroupState::from_name(&d.state));
        }
        for m in &mut g.members {
            m.member_epoch = d
                .members
                .iter()
                .find(|c| c.member_id == m.consumer_id)
                .map(|c| c.member_epoch);
        }
    }
    Ok(())
}

/// Names the open transactions holding back partitions with lag (asked only for those).
async fn add_held_by(description: &mut Description, ctx: &Ctx) -> Result<()> {
    let lagging = description
        .groups
        .iter()
        .flat_map(|g| &g.offsets)
        .filter(|o| o.lag.is_some_and(|lag| lag > 0))
        .filter_map(|o| Some(((o.topic.clone(), o.partition), o.log_end_offset?)))
        .collect();
    let (by, warning) = super::super::held_by::held_by_lagging(ctx.kafka()?, &lagging).await;
    if let Some(w) = warning {
        ctx.printer.warn(w);
    }
    for o in description.groups.iter_mut().flat_map(|g| &mut g.offsets) {
        o.held_by = by.get(&(o.topic.clone(), o.partition)).cloned();
    }
    Ok(())
}

/// Fills in each partition's time lag: now minus the timestamp of the record at the committed
/// offset, read from every partition with lag in one pass (bounded by --timeout).
async fn add_time_lags(description: &mut Description, ctx: &Ctx) -> Result<()> {
    let positions: Vec<(TopicPartition, i64)> = description
        .groups
        .iter()
        .flat_map(|g| &g.offsets)
        .filter(|o| o.lag.is_some_and(|lag| lag > 0))
        .filter_map(|o| Some(((o.topic.clone(), o.partition), o.current_offset?)))
        .collect();
    let client = ctx.client()?.clone();
    let timestamps = tokio::task::spawn_blocking(move || {
        crate::kafka::record_timestamps(&client, &positions, client.timeout)
    })
    .await
    .map_err(|e| crate::error::Error::runtime(format!("internal error: {e}")))??;
    let now = chrono::Utc::now().timestamp_millis();
    for g in &mut description.groups {
        for o in &mut g.offsets {
            o.time_lag_ms = match o.lag {
                Some(lag) if lag <= 0 => Some(0),
                Some(_) => {
                    let at = (
                        (o.topic.clone(), o.partition),
                        o.current_offset.unwrap_or(-1),
                    );
                    let ts = timestamps.get(&at).copied();
                    if ts.is_none() {
                        ctx.printer.warn(format!(
                            "group '{}': cannot read the oldest unconsumed record of {}:{} \
                             within --timeout; its time lag is unknown",
                            g.group, o.topic, o.partition
                        ));
                    }
                    ts.map(|ts| (now - ts).max(0))
                }
                None => None,
            };
        }
        g.max_time_lag_ms = g.offsets.iter().filter_map(|o| o.time_lag_ms).max();
    }
    Ok(())
}

/// A time lag for people: `0s`, `42s`, `5m 3s`, `2h 10m`, `3d 4h` (two units at most).
fn time_text(ms: i64) -> String {
    let secs = ms / 1000;
    let (d, h, m, s) = (secs / 86_400, secs / 3_600 % 24, secs / 60 % 60, secs % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m{s}s"),
        (0, _, _) => format!("{h}h{m}m"),
        _ => format!("{d}d{h}h"),
    }
}

/// A member's partitions as JSON has them, sorted.
fn sorted_assignments(partitions: &[crate::kafka::TopicPartition]) -> Vec<Assignment> {
    let mut out: Vec<Assignment> = partitions
        .iter()
        .map(|(topic, partition)| Assignment {
            topic: topic.clone(),
            partition: *partition,
        })
        .collect();
    out.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    out
}

fn describe(g: &Group, end_of: impl Fn(&TopicPartition) -> Option<i64>) -> GroupDescription {
    let info = &g.info;
    let mut owner = BTreeMap::new();
    for m in &info.members {
        for tp in &m.assignment {
            owner.insert(tp.clone(), m);
        }
    }
    let offsets: Vec<PartitionOffsets> = g
        .partitions()
        .into_iter()
        .map(|tp| {
            let current = g.offsets.get(&tp).and_then(|o| o.clone().ok().flatten());
            let end = end_of(&tp);
            let member = owner.get(&tp);
            PartitionOffsets {
                current_offset: current,
                log_end_offset: end,
                // Negative when the committed offset is beyond the log end (records were
                // deleted or lost), as kafka-consumer-groups shows it.
                lag: current.zip(end).map(|(c, e)| e - c),
                time_lag_ms: None,
                held_by: None,
                consumer_id: member.map(|m| m.consumer_id.clone()),
                host: member.map(|m| m.host.clone()),
                client_id: member.map(|m| m.client_id.clone()),
                topic: tp.0,
                partition: tp.1,
            }
        })
        .collect();
    // A topic's lag is the sum of what is known, and unknown when nothing is. A negative lag
    // is no lag: it counts as 0 (it must not hide what other partitions lag).
    let mut lag_by_topic: BTreeMap<String, Option<i64>> = BTreeMap::new();
    for o in &offsets {
        let sum = lag_by_topic.entry(o.topic.clone()).or_default();
        if let Some(lag) = o.lag {
            *sum = Some(sum.unwrap_or(0) + lag.max(0));
        }
    }
    let total_lag = lag_by_topic
        .values()
        .flatten()
        .copied()
        .reduce(|a, b| a + b);
    let mut members: Vec<&crate::kafka::GroupMember> = info.members.iter().collect();
    members.sort_by(|a, b| {
        (&a.consumer_id, &a.client_id, &a.host).cmp(&(&b.consumer_id, &b.client_id, &b.host))
    });
    GroupDescription {
        group: info.group.clone(),
        group_type: info.group_type.name(),
        state: StateName(info.state),
        coordinator: info.coordinator.as_ref().map(|c| Coordinator {
            id: c.id,
            host: c.host.clone(),
            port: c.port,
        }),
        assignor: info.assignor.clone(),
        members: members
            .into_iter()
            .map(|m| Member {
                consumer_id: m.consumer_id.clone(),
                client_id: m.client_id.clone(),
                host: m.host.clone(),
                group_instance_id: m.group_instance_id.clone(),
                assignments: sorted_assignments(&m.assignment),
                target_assignments: m.target_assignment.as_deref().map(sorted_assignments),
                member_epoch: None,
            })
            .collect(),
        total_lag,
        max_time_lag_ms: None,
        group_epoch: None,
        assignment_epoch: None,
        lag_by_topic,
        offsets,
    }
}

/// `orders:0,1;payments:2`
pub(super) fn assignment_text(assignments: &[Assignment]) -> String {
    let mut by_topic: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for a in assignments {
        by_topic
            .entry(&a.topic)
            .or_default()
            .push(a.partition.to_string());
    }
    if by_topic.is_empty() {
        return "-".into();
    }
    by_topic
        .iter()
        .map(|(t, ps)| format!("{t}:{}", ps.join(",")))
        .collect::<Vec<_>>()
        // One word, so the table's columns still split on whitespace.
        .join(";")
}

/// The members table; a TARGET-ASSIGNMENT column where a member's target assignment (consumer
/// protocol) differs from what it has now.
fn members_table(members: &[Member]) -> Table {
    let moving = |m: &Member| {
        m.target_assignments
            .as_ref()
            .filter(|t| assignment_text(t) != assignment_text(&m.assignments))
            .map(|t| assignment_text(t))
    };
    let show_target = members.iter().any(|m| moving(m).is_some());
    let mut header = vec![
        "CONSUMER-ID",
        "HOST",
        "CLIENT-ID",
        "#PARTITIONS",
        "ASSIGNMENT",
    ];
    if show_target {
        header.push("TARGET-ASSIGNMENT");
    }
    let epochs = members.iter().any(|m| m.member_epoch.is_some());
    if epochs {
        header.push("MEMBER-EPOCH");
    }
    let mut table = Table::new(header).numeric(&[3]);
    for m in members {
        let mut row = vec![
            m.consumer_id.clone(),
            m.host.clone(),
            m.client_id.clone(),
            m.assignments.len().to_string(),
            assignment_text(&m.assignments),
        ];
        if show_target {
            row.push(moving(m).unwrap_or_else(|| "-".into()));
        }
        if epochs {
            row.push(or_dash(m.member_epoch));
        }
        table.row(row);
    }
    table
}

impl Render for Description {
    fn blocks(&self) -> Vec<Block> {
        let mut blocks = Vec::new();
        for (i, g) in self.groups.iter().enumerate() {
            if i > 0 {
                blocks.push(Block::Line(String::new()));
            }
            blocks.push(Block::Table(head_table(g)));
            if !g.offsets.is_empty() {
                blocks.push(Block::Line(String::new()));
                blocks.push(Block::Table(offsets_table(g, self.time_lag)));
                blocks.push(Block::Line(total_lag_line(g, self.time_lag)));
            }
            if !g.members.is_empty() {
                blocks.push(Block::Line(String::new()));
                blocks.push(Block::Table(members_table(&g.members)));
            }
        }
        blocks
    }
}

/// The group's head line, in kafka-consumer-groups' columns.
fn head_table(g: &GroupDescription) -> Table {
    let mut head = Table::new([
        "GROUP",
        "COORDINATOR (ID)",
        "ASSIGNMENT-STRATEGY",
        "STATE",
        "#MEMBERS",
    ])
    .numeric(&[4]);
    head.row([
        g.group.clone(),
        g.coordinator
            .as_ref()
            .map_or("-".into(), |c| format!("{}:{} ({})", c.host, c.port, c.id)),
        g.assignor.clone().unwrap_or_else(|| "-".into()),
        g.state.0.name().to_string(),
        g.members.len().to_string(),
    ]);
    if let (Some(e), Some(a)) = (g.group_epoch, g.assignment_epoch) {
        head.header
            .extend(["GROUP-EPOCH".to_string(), "ASSIGNMENT-EPOCH".to_string()]);
        head.numeric.extend([5, 6]);
        if let Some(row) = head.rows.last_mut() {
            row.extend([e.to_string(), a.to_string()]);
        }
    }
    head
}

/// One row per partition: offsets, lag (and time lag) and the member that owns it.
fn offsets_table(g: &GroupDescription, time_lag: bool) -> Table {
    let mut header = vec![
        "GROUP",
        "TOPIC",
        "PARTITION",
        "CURRENT-OFFSET",
        "LOG-END-OFFSET",
        "LAG",
    ];
    if time_lag {
        header.push("TIME-LAG");
    }
    header.extend(["CONSUMER-ID", "HOST", "CLIENT-ID"]);
    let held = g.offsets.iter().any(|o| o.held_by.is_some());
    if held {
        header.push("HELD-BY");
    }
    let numeric: &[usize] = if time_lag {
        &[2, 3, 4, 5, 6]
    } else {
        &[2, 3, 4, 5]
    };
    let mut table = Table::new(header).numeric(numeric);
    for o in &g.offsets {
        let mut row = vec![
            g.group.clone(),
            o.topic.clone(),
            o.partition.to_string(),
            or_dash(o.current_offset),
            or_dash(o.log_end_offset),
            or_dash(o.lag),
        ];
        if time_lag {
            row.push(o.time_lag_ms.map_or_else(|| "-".into(), time_text));
        }
        row.extend([
            or_dash(o.consumer_id.as_ref()),
            or_dash(o.host.as_ref()),
            or_dash(o.client_id.as_ref()),
        ]);
        if held {
            row.push(or_dash(o.held_by.as_ref().map(|h| h.cell())));
        }
        table.row(row);
    }
    table
}

/// `Total lag: 7 (orders: 7, payments: -)`, with the oldest unconsumed record's age when
/// time lags were asked for.
fn total_lag_line(g: &GroupDescription, time_lag: bool) -> String {
    let per_topic = g
        .lag_by_topic
        .iter()
        .map(|(t, lag)| format!("{t}: {}", or_dash(*lag)))
        .collect::<Vec<_>>()
        .join(", ");
    let behind = match (time_lag, g.max_time_lag_ms) {
        (true, Some(ms)) if g.total_lag.is_some_and(|lag| lag > 0) => {
            format!("; oldest unconsumed record: {} ago", time_text(ms))
        }
        _ => String::new(),
    };
    format!("Total lag: {} ({per_topic}){behind}", or_dash(g.total_lag))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::{BrokerError, Code, GroupInfo, GroupMember, GroupState};

    #[test]
    fn lag_counts_only_partitions_with_both_offsets() {
        let tp = |t: &str, p| (t.to_string(), p);
        let group = Group {
            info: GroupInfo {
                group: "g".into(),
                group_type: crate::kafka::GroupType::Classic,
                state: GroupState::Stable,
                simple: false,
                assignor: Some("range".into()),
                coordinator: None,
                members: vec![GroupMember {
                    consumer_id: "c1".into(),
                    client_id: "app".into(),
                    host: "/10.0.0.1".into(),
                    group_instance_id: None,
                    // Assigned, never committed.
                    assignment: vec![tp("orders", 1), tp("orders", 0)],
                    target_assignment: None,
                }],
            },
            offsets: [
                (tp("orders", 0), Ok(Some(3))),
                (tp("pay", 0), Ok(Some(10))),
                (tp("pay", 1), Ok(Some(4))),
                (
                    tp("pay", 2),
                    Err(BrokerError {
                        code: Code::Other,
                        message: "x".into(),
                    }),
                ),
            ]
            .into_iter()
            .collect(),
            unlisted: false,
        };
        let ends = |t: &TopicPartition| match (t.0.as_str(), t.1) {
            ("orders", 0) => Some(5),
            ("orders", 1) => Some(7),
            ("pay", 0) => Some(12),
            _ => None, // pay:1's leader did not answer
        };
        let d = describe(&group, ends);
        type Row<'a> = (&'a str, i32, Option<i64>, Option<i64>, Option<&'a str>);
        let rows: Vec<Row> = d
            .offsets
            .iter()
            .map(|o| {
                (
                    o.topic.as_str(),
                    o.partition,
                    o.current_offset,
                    o.lag,
                    o.consumer_id.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("orders", 0, Some(3), Some(2), Some("c1")),
                ("orders", 1, None, None, Some("c1")),
                ("pay", 0, Some(10), Some(2), None),
                ("pay", 1, Some(4), None, None),
                ("pay", 2, None, None, None),
            ]
        );
        assert_eq!(d.lag_by_topic.get("orders"), Some(&Some(2)));
        assert_eq!(d.lag_by_topic.get("pay"), Some(&Some(2)));
        assert_eq!(d.total_lag, Some(4));
        assert_eq!(d.members[0].assignments[0].partition, 0, "sorted");

        let text = crate::render::to_text(
            &Description {
                groups: vec![d],
                time_lag: false,
            }
            .blocks(),
        );
        assert!(text.contains("Total lag: 4 (orders: 2, pay: 2)"), "{text}");
        let row = text
            .lines()
            .find(|l| l.starts_with("g ") && l.contains(" pay ") && l.contains(" 1 "))
            .unwrap();
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cells, ["g", "pay", "1", "4", "-", "-", "-", "-", "-"]);
    }

    fn member(id: &str, assignment: Vec<TopicPartition>) -> GroupMember {
        GroupMember {
            consumer_id: id.into(),
            client_id: "app".into(),
            host: "/10.0.0.1".into(),
            group_instance_id: None,
            assignment,
            target_assignment: None,
        }
    }

    /// A topic none of whose partitions has a committed offset has an unknown lag (`-`,
    /// `null`), not 0; so has the group when no partition has one. Members sort by id.
    #[test]
    fn unknown_lags_are_not_zero_and_members_are_sorted() {
        let tp = |t: &str, p| (t.to_string(), p);
        let group = Group {
            info: GroupInfo {
                group: "g".into(),
                group_type: crate::kafka::GroupType::Classic,
                state: GroupState::Stable,
                simple: false,
                assignor: Some("range".into()),
                coordinator: None,
                members: vec![
                    member("m-b", vec![tp("fresh", 0)]),
                    member("m-a", vec![tp("fresh", 1)]),
                ],
            },
            offsets: [(tp("old", 0), Ok(Some(1)))].into_iter().collect(),
            unlisted: false,
        };
        let ends = |_: &TopicPartition| Some(5);
        let d = describe(&group, ends);
        assert_eq!(d.lag_by_topic.get("fresh"), Some(&None));
        assert_eq!(d.lag_by_topic.get("old"), Some(&Some(4)));
        assert_eq!(d.total_lag, Some(4));
        let ids: Vec<&str> = d.members.iter().map(|m| m.consumer_id.as_str()).collect();
        assert_eq!(ids, ["m-a", "m-b"]);
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["lag_by_topic"]["fresh"], serde_json::Value::Null);
        let text = crate::render::to_text(
            &Description {
                groups: vec![d],
                time_lag: false,
            }
            .blocks(),
        );
        assert!(text.contains("Total lag: 4 (fresh: -, old: 4)"), "{text}");
        let members: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("m-"))
            .map(|l| l.split_whitespace().next().unwrap())
            .collect();
        assert_eq!(members, ["m-a", "m-b"], "{text}");

        // Nothing committed at all: the group's lag is unknown too.
        let group = Group {
            info: GroupInfo {
                members: vec![member("m", vec![tp("fresh", 0)])],
                ..group.info
            },
            offsets: BTreeMap::new(),
            unlisted: false,
        };
        let d = describe(&group, ends);
        assert_eq!(d.total_lag, None);
        assert_eq!(
            serde_json::to_value(&d).unwrap()["total_lag"],
            serde_json::Value::Null
        );
        let text = crate::render::to_text(
            &Description {
                groups: vec![d],
                time_lag: false,
            }
            .blocks(),
        );
        assert!(text.contains("Total lag: - (fresh: -)"), "{text}");
    }

    #[test]
    fn time_lags_read_in_two_units() {
        assert_eq!(time_text(0), "0s");
        assert_eq!(time_text(42_999), "42s");
        assert_eq!(time_text(303_000), "5m3s");
        assert_eq!(time_text(7_800_000), "2h10m");
        assert_eq!(time_text(273_600_000), "3d4h");
    }

    #[test]
    fn assignments_read_compactly() {
        let a = |topic: &str, partition| Assignment {
            topic: topic.into(),
            partition,
        };
        assert_eq!(assignment_text(&[]), "-");
        assert_eq!(
            assignment_text(&[a("orders", 0), a("orders", 1), a("pay", 2)]),
            "orders:0,1;pay:2"
        );
    }
}
