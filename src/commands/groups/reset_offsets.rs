//! `kctl groups reset-offsets GROUP (--topic T[:P[,P...]]... | --all-topics) TARGET [--execute]`,
//! or `--from-file PLAN`: a plan that `--export FILE` saved (the JSON of `-o json`), checked
//! against the group and the cluster before it is shown or applied.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::super::Ctx;
use super::{load_groups, Group};
use crate::commands::topics::validate_topic_name;
use crate::error::{Error, Result};
use crate::kafka::{BrokerError, Kafka, OffsetSpec, TopicPartition};
use crate::render::{or_dash, plural, to_text, Block, Render, Table};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl groups reset-offsets order-tracker --topic orders --to-earliest\n  \
    kctl groups reset-offsets order-tracker --all-topics --shift-by -100 --execute\n  \
    kctl groups reset-offsets order-tracker --topic orders:0,1 --by-duration 1h --execute --yes\n  \
    kctl groups reset-offsets order-tracker --topic orders --to-earliest --export plan.json\n  \
    kctl groups reset-offsets order-tracker --from-file plan.json --execute")]
pub struct Args {
    /// The consumer group
    #[arg(value_name = "GROUP", value_parser = super::group_name, add = crate::complete::group_completer())]
    pub group: String,

    #[command(flatten)]
    pub scope: Scope,

    #[command(flatten)]
    pub target: Target,

    /// Apply the plan (asks first); without it nothing changes
    #[arg(long)]
    pub execute: bool,

    /// Only print the plan (the default)
    #[arg(long, conflicts_with = "execute")]
    pub dry_run: bool,

    /// Also write the plan, as JSON, to FILE (nothing changes; apply it with --from-file)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["execute", "from_file"])]
    pub export: Option<PathBuf>,

    /// Take the plan from FILE (written by --export, or the JSON of -o json) instead of
    /// --topic/--all-topics and a target; it must be for this group
    #[arg(long, value_name = "FILE", groups = ["Scope", "Target"])]
    pub from_file: Option<PathBuf>,

    /// Apply without asking (required with --execute when there is no terminal to ask on)
    #[arg(short = 'y', long)]
    pub yes: bool,
}

#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct Scope {
    /// A topic, or some of its partitions (repeatable)
    #[arg(long = "topic", value_name = "TOPIC[:P[,P...]]", value_parser = parse_topic_spec,
          add = crate::complete::topic_completer())]
    pub topics: Vec<TopicSpec>,

    /// Every topic the group has committed offsets for
    #[arg(long)]
    pub all_topics: bool,
}

#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct Target {
    /// To each partition's earliest offset
    #[arg(long, help_heading = "Targets (exactly one)")]
    pub to_earliest: bool,

    /// To each partition's latest offset (the log end: skip everything)
    #[arg(long, help_heading = "Targets (exactly one)")]
    pub to_latest: bool,

    /// To the committed offset (the latest where the group has none)
    #[arg(long, help_heading = "Targets (exactly one)")]
    pub to_current: bool,

    /// To this offset
    #[arg(
        long,
        value_name = "N",
        allow_negative_numbers = true,
        value_parser = clap::value_parser!(i64).range(0..),
        help_heading = "Targets (exactly one)"
    )]
    pub to_offset: Option<i64>,

    /// Move the committed offset by N (negative: back)
    #[arg(
        long,
        value_name = "N",
        allow_negative_numbers = true,
        help_heading = "Targets (exactly one)"
    )]
    pub shift_by: Option<i64>,

    /// To the first offset at or after this time: RFC 3339 or ISO 8601, in UTC with Z or an
    /// offset, else local time (2024-05-01T12:00:00Z, 2024-05-01T14:00:00+02:00,
    /// 2024-05-01T12:00:00, 2024-05-01)
    #[arg(
        long,
        value_name = "TIME",
        value_parser = crate::commands::times::parse_datetime,
        help_heading = "Targets (exactly one)"
    )]
    pub to_datetime: Option<i64>,

    /// To the first offset at or after this long ago (1h, 30m, 2d 4h, or ISO 8601 P1DT2H)
    #[arg(
        long,
        value_name = "DURATION",
        value_parser = crate::commands::times::parse_ago,
        help_heading = "Targets (exactly one)"
    )]
    pub by_duration: Option<Duration>,
}

/// `--topic T[:P[,P...]]`: a topic and optionally some of its partitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSpec {
    pub topic: String,
    /// `None`: every partition.
    pub partitions: Option<Vec<i32>>,
}

pub fn parse_topic_spec(s: &str) -> std::result::Result<TopicSpec, String> {
    let (topic, partitions) = match s.split_once(':') {
        Some((t, ps)) => (t, Some(ps)),
        None => (s, None),
    };
    validate_topic_name(topic).map_err(|e| e.message().to_string())?;
    let partitions = partitions
        .map(|ps| {
            ps.split(',')
                .map(|p| {
                    p.trim()
                        .parse::<i32>()
                        .ok()
                        .filter(|p| *p >= 0)
                        .ok_or_else(|| format!("'{p}' is not a partition number (in '{s}')"))
                })
                .collect::<std::result::Result<Vec<i32>, String>>()
        })
        .transpose()?;
    Ok(TopicSpec {
        topic: topic.to_string(),
        partitions,
    })
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub group: String,
    /// `false` for a dry run: nothing was changed.
    #[serde(default)]
    pub executed: bool,
    pub offsets: Vec<PlannedOffset>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannedOffset {
    pub topic: String,
    pub partition: i32,
    /// The committed offset before the reset; `null` when there was none.
    #[serde(default)]
    pub current_offset: Option<i64>,
    pub new_offset: i64,
}

impl Render for Plan {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new([
            "GROUP",
            "TOPIC",
            "PARTITION",
            "CURRENT-OFFSET",
            "NEW-OFFSET",
        ])
        .numeric(&[2, 3, 4]);
        for o in &self.offsets {
            table.row([
                self.group.clone(),
                o.topic.clone(),
                o.partition.to_string(),
                or_dash(o.current_offset),
                o.new_offset.to_string(),
            ]);
        }
        vec![Block::Table(table)]
    }
}

/// Where `reset-offsets` moves each partition's offset: exactly one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetTarget {
    Earliest,
    Latest,
    /// The committed offset (the latest where there is none).
    Current,
    Offset(i64),
    /// The committed offset plus N; partitions without one are skipped.
    ShiftBy(i64),
    /// The first offset at or after this time (ms since the epoch); the latest if none.
    Time(i64),
}

impl Target {
    /// The one target the flags give (clap requires exactly one); a duration is taken back
    /// from now.
    pub fn resolve(&self) -> ResetTarget {
        if let Some(n) = self.to_offset {
            ResetTarget::Offset(n)
        } else if let Some(n) = self.shift_by {
            ResetTarget::ShiftBy(n)
        } else if let Some(ms) = self.to_datetime {
            ResetTarget::Time(ms)
        } else if let Some(ago) = self.by_duration {
            let ago = i64::try_from(ago.as_millis()).unwrap_or(i64::MAX);
            ResetTarget::Time(chrono::Utc::now().timestamp_millis() - ago)
        } else if self.to_latest {
            ResetTarget::Latest
        } else if self.to_current {
            ResetTarget::Current
        } else {
            ResetTarget::Earliest
        }
    }
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    // A share group's start offsets (AlterShareGroupOffsets).
    if args.from_file.is_none() && super::share::is_share_group(ctx.kafka()?, &args.group).await {
        return super::share::reset(ctx, &args).await;
    }
    let saved = match &args.from_file {
        Some(path) => Some(read_plan(path, &args.group)?),
        None => None,
    };
    let kafka = ctx.kafka()?;
    let group = load_groups(kafka, std::slice::from_ref(&args.group))
        .await?
        .pop()
        .ok_or_else(|| Error::runtime("internal error: no group described"))?;
    refuse_active(&group)?;
    let mut plan = match saved {
        Some(saved) => check_saved(kafka, saved, &group).await?,
        None => make_plan(kafka, &args, &group, ctx).await?,
    };
    if let Some(path) = &args.export {
        write_plan(path, &plan)?;
        ctx.printer.print(&plan)?;
        ctx.printer.note(format!(
            "Dry run: nothing was changed. The plan is in {}; apply it with: kctl groups \
             reset-offsets {} --from-file {} --execute",
            path.display(),
            plan.group,
            path.display()
        ));
        return Ok(());
    }
    if !args.execute {
        ctx.printer.print(&plan)?;
        ctx.printer
            .note("Dry run: nothing was changed. Pass --execute to apply this plan.");
        return Ok(());
    }
    if plan.offsets.is_empty() {
        return Err(Error::runtime("nothing to reset"));
    }
    let action = format!(
        "reset the offsets of consumer group '{}' on {} {}",
        plan.group,
        plan.offsets.len(),
        plural(plan.offsets.len(), "partition", "partitions")
    );
    // What is about to be confirmed shows before the question (stdout stays for the result).
    let details = to_text(&plan.blocks());
    if !ctx
        .printer
        .confirm(&action, Some(details.trim_end()), args.yes)
        .await?
    {
        return Err(Error::runtime("aborted: nothing was changed"));
    }
    apply(kafka, &plan).await?;
    plan.executed = true;
    ctx.printer.print(&plan)
}

/// The plan the scope and target flags give.
async fn make_plan(kafka: &Kafka, args: &Args, group: &Group, ctx: &Ctx) -> Result<Plan> {
    let target = args.target.resolve();
    let partitions = match args.scope.all_topics {
        true => all_committed(group)?,
        false => named_partitions(kafka, &args.scope.topics).await?,
    };
    let offsets = Offsets::list(kafka, &partitions, target).await?;
    Ok(Plan {
        group: args.group.clone(),
        executed: false,
        offsets: plan_offsets(&partitions, &group.committed(), &offsets, target, ctx)?,
    })
}

/// Reads a saved plan: the JSON `--export` writes, for `group`, naming each partition once.
fn read_plan(path: &Path, group: &str) -> Result<Plan> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::runtime(format!("cannot read the plan file '{shown}': {e}")))?;
    let bad = |why: String| {
        Error::invalid_input(
            None,
            format!("invalid plan file '{shown}': {why}; nothing was changed"),
        )
    };
    let plan: Plan = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    if plan.group != group {
        return Err(Error::runtime(format!(
            "the plan in '{shown}' is for consumer group '{}', not '{group}'; nothing was changed",
            plan.group
        )));
    }
    if plan.offsets.is_empty() {
        return Err(bad("it names no partition".into()));
    }
    let mut seen = BTreeSet::new();
    for o in &plan.offsets {
        validate_topic_name(&o.topic).map_err(|e| bad(e.message()))?;
        let tp = format!("{}:{}", o.topic, o.partition);
        if o.partition < 0 || o.new_offset < 0 {
            return Err(bad(format!("{tp}: partitions and offsets are 0 or more")));
        }
        if !seen.insert((o.topic.clone(), o.partition)) {
            return Err(bad(format!("it names {tp} twice")));
        }
    }
    Ok(plan)
}

/// A saved plan checked against the cluster (its partitions exist, its offsets are within
/// what each partition holds) and the group (the current offsets are the group's now).
async fn check_saved(kafka: &Kafka, saved: Plan, group: &Group) -> Result<Plan> {
    let mut by_topic: BTreeMap<String, Vec<i32>> = BTreeMap::new();
    for o in &saved.offsets {
        by_topic
            .entry(o.topic.clone())
            .or_default()
            .push(o.partition);
    }
    let specs: Vec<TopicSpec> = by_topic
        .into_iter()
        .map(|(topic, partitions)| TopicSpec {
            topic,
            partitions: Some(partitions),
        })
        .collect();
    let partitions = named_partitions(kafka, &specs).await?;
    let offsets = Offsets::list(kafka, &partitions, ResetTarget::Earliest).await?;
    let committed = group.committed();
    let mut checked = Vec::with_capacity(saved.offsets.len());
    for o in saved.offsets {
        let tp = (o.topic.clone(), o.partition);
        let lo = Offsets::get(&offsets.earliest, &tp, "earliest")?;
        let hi = Offsets::get(&offsets.latest, &tp, "latest")?;
        let outside = match o.new_offset {
            n if n > hi => Some(format!("past its latest offset {hi}")),
            n if n < lo => Some(format!("before its earliest offset {lo}")),
            _ => None,
        };
        if let Some(outside) = outside {
            return Err(Error::runtime(format!(
                "the plan sets {}:{} to offset {}, {outside}; nothing was changed",
                tp.0, tp.1, o.new_offset
            )));
        }
        checked.push(PlannedOffset {
            current_offset: committed.get(&tp).copied(),
            ..o
        });
    }
    Ok(Plan {
        group: saved.group,
        executed: false,
        offsets: checked,
    })
}

/// Writes the plan as JSON (what `-o json` prints) to `path`.
fn write_plan(path: &Path, plan: &Plan) -> Result<()> {
    let mut json = serde_json::to_string_pretty(plan)
        .map_err(|e| Error::runtime(format!("internal error: {e}")))?;
    json.push('\n');
    std::fs::write(path, json).map_err(|e| {
        Error::runtime(format!(
            "cannot write the plan to '{}': {e}; nothing was changed",
            path.display()
        ))
    })
}

/// `--all-topics`: every partition the group has a committed offset for.
fn all_committed(group: &Group) -> Result<Vec<TopicPartition>> {
    let committed = group.committed();
    if !committed.is_empty() {
        return Ok(committed.into_keys().collect());
    }
    let name = &group.info.group;
    let why = if group.exists() {
        "has no committed offsets"
    } else {
        "does not exist"
    };
    let message = format!("consumer group '{name}' {why}, so --all-topics names no partition");
    let error = match group.exists() {
        true => Error::runtime(message),
        false => Error::not_found(format!("consumer group '{name}'"), message),
    };
    Err(error.with_hint("name the topics with --topic to set the group's offsets on them"))
}

/// `--topic T[:P,...]`: the partitions named, each checked against the cluster's metadata.
pub(super) async fn named_partitions(
    kafka: &Kafka,
    specs: &[TopicSpec],
) -> Result<Vec<TopicPartition>> {
    let cluster = kafka.metadata().await?;
    let mut chosen = BTreeSet::new();
    for spec in specs {
        let listed = cluster.topic(&spec.topic).filter(|t| t.error.is_none());
        if listed.is_none() {
            // Kafka leaves topics the principal may not describe out of the listing.
            kafka
                .check_refused(std::slice::from_ref(&spec.topic))
                .await?;
        }
        let topic = listed.ok_or_else(|| {
            Error::not_found(
                format!("topic '{}'", spec.topic),
                format!("topic not found: {}", spec.topic),
            )
        })?;
        match &spec.partitions {
            None => chosen.extend(topic.partitions.iter().map(|p| (spec.topic.clone(), p.id))),
            Some(ps) => {
                if let Some(missing) = topic.missing_partition(ps) {
                    // (This command's own wording, which its tests pin.)
                    return Err(Error::not_found(
                        missing.resource(),
                        format!(
                            "topic '{}' has no partition {} (it has {})",
                            missing.topic, missing.partition, missing.count
                        ),
                    ));
                }
                chosen.extend(ps.iter().map(|p| (spec.topic.clone(), *p)));
            }
        }
    }
    Ok(chosen.into_iter().collect())
}

/// What ListOffsets says of each partition: the bounds new offsets are clamped to and, for a
/// time target, the offset for the time.
struct Offsets {
    earliest: BTreeMap<TopicPartition, std::result::Result<i64, BrokerError>>,
    latest: BTreeMap<TopicPartition, std::result::Result<i64, BrokerError>>,
    at_time: BTreeMap<TopicPartition, std::result::Result<i64, BrokerError>>,
}

impl Offsets {
    async fn list(
        kafka: &Kafka,
        partitions: &[TopicPartition],
        target: ResetTarget,
    ) -> Result<Offsets> {
        let (earliest, latest, at_time) = tokio::try_join!(
            kafka.list_offsets(partitions, OffsetSpec::Earliest),
            kafka.list_offsets(partitions, OffsetSpec::Latest),
            async {
                match target {
                    ResetTarget::Time(ts) => {
                        kafka
                            .list_offsets(partitions, OffsetSpec::Timestamp(ts))
                            .await
                    }
                    _ => Ok(BTreeMap::new()),
                }
            },
        )?;
        Ok(Offsets {
            earliest,
            latest,
            at_time,
        })
    }

    /// The `which` offset of `tp`, or the error that nothing can be planned without it.
    fn get(
        map: &BTreeMap<TopicPartition, std::result::Result<i64, BrokerError>>,
        tp: &TopicPartition,
        which: &str,
    ) -> Result<i64> {
        let why = match map.get(tp) {
            Some(Ok(o)) => return Ok(*o),
            Some(Err(e)) => e.to_string(),
            None => "no answer".to_string(),
        };
        Err(Error::runtime(format!(
            "cannot read the {which} offset of {}:{}: {why}; nothing was changed",
            tp.0, tp.1
        )))
    }
}

/// The new offset of each partition, clamped to what the partition holds. `--shift-by` skips
/// partitions without a committed offset, with a warning.
fn plan_offsets(
    partitions: &[TopicPartition],
    committed: &BTreeMap<TopicPartition, i64>,
    offsets: &Offsets,
    target: ResetTarget,
    ctx: &Ctx,
) -> Result<Vec<PlannedOffset>> {
    let mut planned = Vec::new();
    let mut uncommitted = Vec::new();
    for tp in partitions {
        let lo = Offsets::get(&offsets.earliest, tp, "earliest")?;
        let hi = Offsets::get(&offsets.latest, tp, "latest")?;
        let current = committed.get(tp).copied();
        let wanted = match target {
            ResetTarget::Earliest => lo,
            ResetTarget::Latest => hi,
            ResetTarget::Current => current.unwrap_or(hi),
            ResetTarget::Offset(n) => n,
            ResetTarget::ShiftBy(n) => match current {
                Some(c) => c.saturating_add(n),
                None => {
                    uncommitted.push(format!("{}:{}", tp.0, tp.1));
                    continue;
                }
            },
            // No message at or after the time: the log end, as Kafka does.
            ResetTarget::Time(_) => match Offsets::get(&offsets.at_time, tp, "time's")? {
                o if o < 0 => hi,
                o => o,
            },
        };
        planned.push(PlannedOffset {
            topic: tp.0.clone(),
            partition: tp.1,
            current_offset: current,
            new_offset: wanted.clamp(lo, hi.max(lo)),
        });
    }
    if !uncommitted.is_empty() {
        ctx.printer.warn(format!(
            "--shift-by skips partitions without a committed offset: {}",
            uncommitted.join(", ")
        ));
    }
    Ok(planned)
}

/// Commits the plan's offsets; any partition that failed is an error naming it.
async fn apply(kafka: &Kafka, plan: &Plan) -> Result<()> {
    let request: Vec<(TopicPartition, i64)> = plan
        .offsets
        .iter()
        .map(|o| ((o.topic.clone(), o.partition), o.new_offset))
        .collect();
    let results = kafka.alter_group_offsets(&plan.group, &request).await?;
    let failed: Vec<String> = results
        .iter()
        .filter_map(|((t, p), r)| r.as_ref().err().map(|e| format!("{t}:{p}: {e}")))
        .collect();
    if failed.is_empty() {
        return Ok(());
    }
    Err(Error::runtime(format!(
        "cannot reset the offsets of consumer group '{}' on {} of {} partitions: {}",
        plan.group,
        failed.len(),
        results.len(),
        failed.join("; ")
    )))
}

fn refuse_active(group: &Group) -> Result<()> {
    if !group.is_active() {
        return Ok(());
    }
    let n = group.info.members.len();
    Err(Error::runtime(format!(
        "cannot reset the offsets of consumer group '{}': it has {n} active {} (state {}); \
         nothing was changed",
        group.info.group,
        plural(n, "member", "members"),
        group.info.state.name()
    ))
    .with_hint("offsets can only be reset while the group is inactive: stop its consumers first"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_target_is_resolved() {
        use clap::{Args as _, FromArgMatches};
        let target = |flags: &[&str]| {
            let cmd = Target::augment_args(clap::Command::new("t"));
            let matches = cmd.try_get_matches_from([&["t"], flags].concat()).unwrap();
            Target::from_arg_matches(&matches).unwrap().resolve()
        };
        assert_eq!(target(&["--to-earliest"]), ResetTarget::Earliest);
        assert_eq!(target(&["--to-latest"]), ResetTarget::Latest);
        assert_eq!(target(&["--to-current"]), ResetTarget::Current);
        assert_eq!(target(&["--to-offset", "7"]), ResetTarget::Offset(7));
        assert_eq!(target(&["--shift-by", "-3"]), ResetTarget::ShiftBy(-3));
        assert_eq!(
            target(&["--to-datetime", "2024-05-01T12:00:00Z"]),
            ResetTarget::Time(1_714_564_800_000)
        );
        let before = chrono::Utc::now().timestamp_millis() - 3_600_000;
        match target(&["--by-duration", "1h"]) {
            ResetTarget::Time(ms) => assert!((before..before + 5_000).contains(&ms), "{ms}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn topic_specs_parse() {
        assert_eq!(
            parse_topic_spec("orders").unwrap(),
            TopicSpec {
                topic: "orders".into(),
                partitions: None
            }
        );
        assert_eq!(
            parse_topic_spec("orders:0,2").unwrap().partitions,
            Some(vec![0, 2])
        );
        assert!(parse_topic_spec("orders:").is_err());
        assert!(parse_topic_spec("orders:x").is_err());
        assert!(parse_topic_spec("orders:-1").is_err());
        assert!(parse_topic_spec("bad topic").is_err());
    }
}
