//! `kctl topics delete-records NAME (--before OFFSET | --before-time T | --to-latest |
//! --offsets-file F) [-p N,...] [--execute [--yes]]`: a plan of what each partition loses,
//! applied (after a confirmation) only with `--execute`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::super::offsets::{format_ms, select_partitions};
use super::super::times::{parse_time, TimeArg};
use super::super::Ctx;
use crate::error::{Error, Result};
use crate::kafka::{BrokerError, Kafka, ListedOffset, OffsetQuery, TopicPartition};
use crate::render::{plural, to_text, Block, Render, Table};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl topics delete-records orders --before-time @-7d       # the plan only\n  \
    kctl topics delete-records orders --before-time @-7d -p 0 --execute\n  \
    kctl topics delete-records orders --to-latest --execute --yes  # every record\n  \
    kctl topics delete-records --offsets-file offsets.json --execute\n\n\
    The offsets file is kafka-delete-records' own:\n  \
    {\"version\": 1, \"partitions\": [{\"topic\": \"orders\", \"partition\": 0, \"offset\": 100}]}")]
pub struct Args {
    /// The topic (optional with --offsets-file, which names its topics)
    #[arg(value_name = "NAME", value_parser = super::topic_name,
          required_unless_present = "offsets_file", add = crate::complete::topic_completer())]
    pub name: Option<String>,

    #[command(flatten)]
    pub target: Target,

    /// Only these partitions
    #[arg(short = 'p', long = "partition", value_name = "N[,N...]", value_delimiter = ',',
          allow_negative_numbers = true, conflicts_with = "offsets_file",
          value_parser = clap::value_parser!(i32).range(0..))]
    pub partitions: Vec<i32>,

    /// Delete the records (asks first); without it nothing changes
    #[arg(long)]
    pub execute: bool,

    /// Only print the plan (the default)
    #[arg(long, conflicts_with = "execute")]
    pub dry_run: bool,

    /// Delete without asking (required with --execute when there is no terminal to ask on)
    #[arg(short = 'y', long)]
    pub yes: bool,
}

#[derive(Debug, clap::Args)]
#[group(required = true, multiple = true)]
pub struct Target {
    /// Delete every record before this offset (at most the latest offset)
    #[arg(long, value_name = "OFFSET", allow_negative_numbers = true,
          conflicts_with_all = ["before_time", "offsets_file", "to_latest"],
          value_parser = clap::value_parser!(i64).range(0..),
          help_heading = "What to delete (one)")]
    pub before: Option<i64>,

    /// Delete every record before the first one at or after this time (-1h, epoch ms,
    /// ISO 8601); a partition with no record that recent is an error unless --to-latest
    #[arg(long, value_name = "TIME", allow_hyphen_values = true, value_parser = parse_time,
          conflicts_with = "offsets_file", help_heading = "What to delete (one)")]
    pub before_time: Option<TimeArg>,

    /// Delete every record; with --before-time, empty the partitions with no record that recent
    #[arg(
        long,
        conflicts_with = "offsets_file",
        help_heading = "What to delete (one)"
    )]
    pub to_latest: bool,

    /// The offsets to delete before, per partition, as kafka-delete-records takes them
    #[arg(long, value_name = "FILE", help_heading = "What to delete (one)")]
    pub offsets_file: Option<PathBuf>,
}

/// What `delete-records` prints: the plan, or what it did.
#[derive(Debug, Serialize)]
pub struct Plan {
    /// `false` for a dry run: nothing was deleted.
    pub executed: bool,
    pub partitions: Vec<PlannedPartition>,
}

#[derive(Debug, Serialize)]
pub struct PlannedPartition {
    pub topic: String,
    pub partition: i32,
    /// The earliest offset before the deletion.
    pub earliest_offset: i64,
    /// The earliest offset after it (planned, or as the leader reported it once executed).
    pub new_earliest_offset: i64,
    pub latest_offset: i64,
    /// `new_earliest_offset - earliest_offset`: how many offsets go (fewer records on a
    /// compacted or transactional topic).
    pub records_removed: i64,
}

impl Render for Plan {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new([
            "TOPIC",
            "PARTITION",
            "EARLIEST",
            "NEW-EARLIEST",
            "LATEST",
            "RECORDS-REMOVED",
        ])
        .numeric(&[1, 2, 3, 4, 5]);
        for p in &self.partitions {
            table.row([
                p.topic.clone(),
                p.partition.to_string(),
                p.earliest_offset.to_string(),
                p.new_earliest_offset.to_string(),
                p.latest_offset.to_string(),
                p.records_removed.to_string(),
            ]);
        }
        vec![Block::Table(table)]
    }
}

/// The offsets file, as Apache's kafka-delete-records reads it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OffsetsFile {
    #[serde(default)]
    version: Option<i64>,
    partitions: Vec<FileEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEntry {
    topic: String,
    partition: i32,
    offset: i64,
}

/// Where each partition's earliest offset goes, as the flags say.
enum Wanted {
    Before(i64),
    Time {
        ms: i64,
        to_latest: bool,
    },
    Latest,
    /// Per partition, from the offsets file.
    Each(BTreeMap<TopicPartition, i64>),
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let (partitions, wanted) = match &args.target.offsets_file {
        Some(path) => read_offsets_file(path, args.name.as_deref())?,
        None => (Vec::new(), wanted_of(&args.target)),
    };
    let kafka = ctx.kafka()?;
    let cluster = kafka.metadata().await?;
    let partitions = match &args.name {
        Some(name) if partitions.is_empty() => {
            select_partitions(
                kafka,
                &cluster,
                std::slice::from_ref(name),
                &args.partitions,
            )
            .await?
        }
        _ => check_partitions(kafka, &cluster, partitions).await?,
    };
    let mut plan = Plan {
        executed: false,
        partitions: make_plan(kafka, &partitions, &wanted).await?,
    };
    if !args.execute {
        ctx.printer.print(&plan)?;
        ctx.printer
            .note("Dry run: nothing was deleted. Pass --execute to delete these records.");
        return Ok(());
    }
    let removed: i64 = plan.partitions.iter().map(|p| p.records_removed).sum();
    if removed == 0 {
        ctx.printer.print(&plan)?;
        ctx.printer
            .note("Nothing to delete: no partition has records before those offsets.");
        return Ok(());
    }
    confirm(ctx, &plan, removed, args.yes).await?;
    apply(kafka, &mut plan).await?;
    plan.executed = true;
    ctx.printer.print(&plan)
}

fn wanted_of(target: &Target) -> Wanted {
    match (target.before, target.before_time) {
        (Some(n), _) => Wanted::Before(n),
        (None, Some(t)) => Wanted::Time {
            ms: t.millis(),
            to_latest: target.to_latest,
        },
        (None, None) => Wanted::Latest,
    }
}

/// Reads and checks an offsets file: an object `{"version": 1, "partitions": [...]}` naming
/// each partition once, with offsets of 0 or more (and only topic `name` when it is given).
fn read_offsets_file(path: &Path, name: Option<&str>) -> Result<(Vec<TopicPartition>, Wanted)> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::runtime(format!("cannot read the offsets file '{shown}': {e}")))?;
    let bad =
        |why: String| Error::invalid_input(None, format!("invalid offsets file '{shown}': {why}"));
    let file: OffsetsFile = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    if let Some(v) = file.version.filter(|v| *v != 1) {
        return Err(bad(format!("version {v} is not supported (1 is)")));
    }
    if file.partitions.is_empty() {
        return Err(bad("it names no partition".into()));
    }
    let mut offsets = BTreeMap::new();
    let mut order = Vec::new();
    for e in file.partitions {
        super::validate_topic_name(&e.topic).map_err(|err| bad(err.message()))?;
        let tp = format!("{}:{}", e.topic, e.partition);
        if let Some(name) = name.filter(|n| *n != e.topic) {
            return Err(bad(format!(
                "it names {tp}, not a partition of topic '{name}'"
            )));
        }
        if e.partition < 0 || e.offset < 0 {
            return Err(bad(format!("{tp}: partitions and offsets are 0 or more")));
        }
        let key = (e.topic, e.partition);
        if offsets.insert(key.clone(), e.offset).is_some() {
            return Err(bad(format!("it names {tp} twice")));
        }
        order.push(key);
    }
    Ok((order, Wanted::Each(offsets)))
}

/// Each partition of the file must exist.
async fn check_partitions(
    kafka: &crate::kafka::Kafka,
    cluster: &crate::kafka::ClusterInfo,
    partitions: Vec<TopicPartition>,
) -> Result<Vec<TopicPartition>> {
    let topics: BTreeSet<String> = partitions.iter().map(|(t, _)| t.clone()).collect();
    let topics: Vec<String> = topics.into_iter().collect();
    super::require_topics(kafka, cluster, &topics, "; nothing was deleted").await?;
    for (topic, partition) in &partitions {
        let info = cluster.topic(topic).expect("checked above");
        if let Some(missing) = info.missing_partition(&[*partition]) {
            return Err(missing.error());
        }
    }
    Ok(partitions)
}

type Answers = BTreeMap<TopicPartition, std::result::Result<ListedOffset, BrokerError>>;

/// The offset `which` of `tp`, or the error that nothing can be planned without it.
fn get(answers: &Answers, tp: &TopicPartition, which: &str) -> Result<Option<i64>> {
    let why = match answers.get(tp) {
        Some(Ok(o)) => return Ok(o.offset),
        Some(Err(e)) => e.to_string(),
        None => "no answer".to_string(),
    };
    Err(Error::runtime(format!(
        "cannot read the {which} offset of {}:{}: {why}; nothing was deleted",
        tp.0, tp.1
    )))
}

/// The plan: each partition's earliest offset now and after, never past its latest offset.
async fn make_plan(
    kafka: &Kafka,
    partitions: &[TopicPartition],
    wanted: &Wanted,
) -> Result<Vec<PlannedPartition>> {
    let (earliest, latest, at_time) = tokio::try_join!(
        kafka.query_offsets(partitions, OffsetQuery::Earliest),
        kafka.query_offsets(partitions, OffsetQuery::Latest),
        async {
            match wanted {
                Wanted::Time { ms, .. } => {
                    kafka
                        .query_offsets(partitions, OffsetQuery::Time(*ms))
                        .await
                }
                _ => Ok(BTreeMap::new()),
            }
        },
    )?;
    let mut plan = Vec::with_capacity(partitions.len());
    let mut too_recent = Vec::new();
    for tp in partitions {
        let lo = get(&earliest, tp, "earliest")?.unwrap_or(0);
        let hi = get(&latest, tp, "latest")?.unwrap_or(lo);
        let target = match wanted {
            Wanted::Before(n) => *n,
            Wanted::Each(each) => each[tp],
            Wanted::Latest => hi,
            Wanted::Time { to_latest, .. } => match get(&at_time, tp, "time's")? {
                Some(o) => o,
                None if *to_latest || hi == lo => hi,
                None => {
                    too_recent.push(format!("{}:{}", tp.0, tp.1));
                    continue;
                }
            },
        };
        if target > hi {
            return Err(Error::runtime(format!(
                "offset {target} is past the end of {}:{} (its latest offset is {hi}); nothing \
                 was deleted",
                tp.0, tp.1
            )));
        }
        let new = target.max(lo);
        plan.push(PlannedPartition {
            topic: tp.0.clone(),
            partition: tp.1,
            earliest_offset: lo,
            new_earliest_offset: new,
            latest_offset: hi,
            records_removed: new - lo,
        });
    }
    if let (false, Wanted::Time { ms, .. }) = (too_recent.is_empty(), wanted) {
        return Err(Error::runtime(format!(
            "no record of {} is at or after {}: deleting before that time would delete every \
             record there; nothing was deleted",
            too_recent.join(", "),
            format_ms(*ms)
        ))
        .with_hint("pass --to-latest to delete every record of such partitions"));
    }
    Ok(plan)
}

async fn confirm(ctx: &Ctx, plan: &Plan, removed: i64, yes: bool) -> Result<()> {
    let changed: Vec<&PlannedPartition> = plan
        .partitions
        .iter()
        .filter(|p| p.records_removed > 0)
        .collect();
    let topics: BTreeSet<&str> = changed.iter().map(|p| p.topic.as_str()).collect();
    let topics: Vec<&str> = topics.into_iter().collect();
    let action = format!(
        "delete {removed} {} from {} {} of {} {}",
        plural(removed as usize, "record", "records"),
        changed.len(),
        plural(changed.len(), "partition", "partitions"),
        plural(topics.len(), "topic", "topics"),
        topics.join(", ")
    );
    let details = to_text(&plan.blocks());
    match ctx
        .printer
        .confirm(&action, Some(details.trim_end()), yes)
        .await?
    {
        true => Ok(()),
        false => Err(Error::runtime("aborted: nothing was deleted")),
    }
}

/// Deletes the planned records (partitions that lose any); the plan takes the new earliest
/// offsets the leaders report. A partition that failed is an error naming it.
async fn apply(kafka: &Kafka, plan: &mut Plan) -> Result<()> {
    let request: Vec<(TopicPartition, i64)> = plan
        .partitions
        .iter()
        .filter(|p| p.records_removed > 0)
        .map(|p| ((p.topic.clone(), p.partition), p.new_earliest_offset))
        .collect();
    let results: BTreeMap<TopicPartition, _> =
        kafka.delete_records(&request).await?.into_iter().collect();
    let mut failed = Vec::new();
    let mut done = Vec::new();
    for p in &mut plan.partitions {
        let tp = (p.topic.clone(), p.partition);
        match results.get(&tp) {
            Some(Ok(low)) => {
                p.new_earliest_offset = (*low).max(p.new_earliest_offset);
                p.records_removed = p.new_earliest_offset - p.earliest_offset;
                done.push(format!("{}:{}", tp.0, tp.1));
            }
            Some(Err(e)) => failed.push(format!("{}:{}: {e}", tp.0, tp.1)),
            None if p.records_removed > 0 => failed.push(format!("{}:{}: no answer", tp.0, tp.1)),
            None => {}
        }
    }
    if failed.is_empty() {
        return Ok(());
    }
    let mut message = format!("cannot delete records of {}", failed.join("; "));
    if !done.is_empty() {
        message.push_str(&format!(" (deleted on: {})", done.join(", ")));
    }
    Err(Error::runtime(message))
}
