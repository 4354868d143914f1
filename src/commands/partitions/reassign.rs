//! `kctl partitions reassign`: moving partitions' replicas between brokers, as Apache's
//! `kafka-reassign-partitions` does, over AlterPartitionReassignments and
//! ListPartitionReassignments.
//!
//! - A plan, from a move (`--topic T... --broker-ids 1,2,3`, `--drain BROKER`, and/or
//!   `--replication-factor N`) or from a file in kafka-reassign-partitions' JSON
//!   (`--from-file`), printed as that same JSON (nothing changes);
//! - `--execute` applies it (asks first), with `--throttle RATE` setting the replication
//!   throttles as Apache does (the rate on the brokers involved, the moving replicas on their
//!   topics);
//! - `--status` shows each reassignment's progress (bytes left where DescribeLogDirs says) and,
//!   once no reassignment is in progress, removes the throttles (as Apache's `--verify`);
//! - `--cancel` shows, and with `--execute` cancels, reassignments in progress.
//!
//! A generated plan moves as little as it can: a partition keeps its replicas on the target
//! brokers (in their order, so its preferred leader stays when it can) and takes the least
//! loaded target brokers for the rest.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::super::Ctx;
use crate::error::{Error, Result};
use crate::kafka::{
    ClusterInfo, ConfigOp, ConfigResource, ConfigSource, Kafka, Reassignment, SizesOf,
    TopicPartition,
};
use crate::render::{join_ids, or_dash, plural, Block, Render, Table};

/// The broker configs that bound replication while replicas move (bytes per second).
const BROKER_THROTTLES: [&str; 2] = [
    "leader.replication.throttled.rate",
    "follower.replication.throttled.rate",
];
/// The topic configs naming the throttled replicas (`partition:broker,...`).
const LEADER_REPLICAS: &str = "leader.replication.throttled.replicas";
const FOLLOWER_REPLICAS: &str = "follower.replication.throttled.replicas";

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl partitions reassign --topic orders --broker-ids 2,3,4 > plan.json   # the plan only\n  \
    kctl partitions reassign --drain 1                       # every replica off broker 1\n  \
    kctl partitions reassign --topic orders --replication-factor 3\n  \
    kctl partitions reassign --from-file plan.json --execute --throttle 50MB\n  \
    kctl partitions reassign --status                        # progress; throttles removed when done\n  \
    kctl partitions reassign --cancel --topic orders --execute")]
pub struct Args {
    /// The topics to move (repeatable or comma separated); with --status and --cancel, only
    /// their reassignments; --drain without it moves every topic with a replica there
    #[arg(long = "topic", visible_alias = "topics", value_name = "TOPIC", value_delimiter = ',',
          add = crate::complete::topic_completer(), conflicts_with = "from_file")]
    pub topics: Vec<String>,

    /// The brokers the topics' replicas go to (comma separated)
    #[arg(long, value_name = "ID[,ID...]", value_delimiter = ',',
          value_parser = super::super::brokers::broker_id, add = crate::complete::broker_completer())]
    pub broker_ids: Vec<i32>,

    /// Move every replica off this broker (of --topic's topics, or of all topics)
    #[arg(long, value_name = "BROKER", value_parser = super::super::brokers::broker_id,
          add = crate::complete::broker_completer())]
    pub drain: Option<i32>,

    /// The topics' new replication factor (replicas are added or removed)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub replication_factor: Option<u16>,

    /// Take the plan from FILE, in kafka-reassign-partitions' JSON (`-`: stdin); with
    /// --status and --cancel, only its partitions
    #[arg(long, value_name = "FILE", conflicts_with_all = ["broker_ids", "drain", "replication_factor"])]
    pub from_file: Option<PathBuf>,

    /// Apply the plan (or, with --cancel, cancel); asks first. Without it nothing changes
    #[arg(long)]
    pub execute: bool,

    /// With --execute: bound replication to RATE bytes per second on the brokers involved
    /// while the replicas move (e.g. 10485760, 50MB, 10MiB); --status removes it when done
    #[arg(long, value_name = "RATE", requires = "execute", value_parser = parse_rate)]
    pub throttle: Option<u64>,

    /// Show the reassignments in progress (of --topic or --from-file, or all); when none is
    /// left, remove the throttles
    #[arg(long, conflicts_with_all = ["execute", "cancel", "broker_ids", "drain", "replication_factor"])]
    pub status: bool,

    /// Cancel the reassignments in progress (of --topic or --from-file, or all): with
    /// --execute; without it, show what would be cancelled
    #[arg(long, conflicts_with_all = ["broker_ids", "drain", "replication_factor", "throttle"])]
    pub cancel: bool,

    /// Apply without asking (required with --execute when there is no terminal to ask on)
    #[arg(short = 'y', long)]
    pub yes: bool,
}

/// A rate in bytes per second: a number, optionally with a unit (`KB`, `MB`, `GB`: powers
/// of 1000; `KiB`, `MiB`, `GiB`: of 1024) and `/s`.
pub fn parse_rate(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim();
    let t = t.strip_suffix("/s").unwrap_or(t);
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let factor: u64 = match unit.trim() {
        "" | "B" => 1,
        "K" | "KB" | "k" | "kB" => 1_000,
        "M" | "MB" => 1_000_000,
        "G" | "GB" => 1_000_000_000,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        _ => {
            return Err(format!(
                "'{s}' is not a rate: bytes per second, like 50MB or 10MiB"
            ))
        }
    };
    digits
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .and_then(|n| n.checked_mul(factor))
        .filter(|n| *n <= i64::MAX as u64)
        .ok_or_else(|| format!("'{s}' is not a rate: bytes per second, more than 0"))
}

/// A plan in kafka-reassign-partitions' JSON.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PlanFile {
    #[serde(default = "version_one")]
    pub version: i32,
    #[serde(default)]
    pub partitions: Vec<PlanEntry>,
}

fn version_one() -> i32 {
    1
}

/// One partition of a plan: its new replicas (the first is the preferred leader).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PlanEntry {
    pub topic: String,
    pub partition: i32,
    pub replicas: Vec<i32>,
    /// Each replica's log directory; kctl moves only between brokers: `any`.
    #[serde(default)]
    pub log_dirs: Option<Vec<String>>,
}

impl PlanFile {
    fn of(moves: &[Move], target: bool) -> PlanFile {
        PlanFile {
            version: 1,
            partitions: moves
                .iter()
                .map(|m| {
                    let replicas = if target { &m.target } else { &m.current };
                    PlanEntry {
                        topic: m.tp.0.clone(),
                        partition: m.tp.1,
                        replicas: replicas.clone(),
                        log_dirs: Some(vec!["any".to_string(); replicas.len()]),
                    }
                })
                .collect(),
        }
    }
}

impl Render for PlanFile {
    fn blocks(&self) -> Vec<Block> {
        // The plan prints as the JSON it is, to be saved and given back with --from-file.
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        vec![Block::Line(text)]
    }
}

/// A partition's move: from its replicas now to the target ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub tp: TopicPartition,
    pub current: Vec<i32>,
    pub target: Vec<i32>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let file = match &args.from_file {
        Some(path) => Some(read_plan(path)?),
        None => None,
    };
    let moving =
        !args.broker_ids.is_empty() || args.drain.is_some() || args.replication_factor.is_some();
    if !args.status && !args.cancel && file.is_none() && !moving {
        return Err(Error::usage(
            "say what to move: --topic with --broker-ids or --replication-factor, --drain, \
             or --from-file (or ask for --status or --cancel)",
        ));
    }
    if !args.status
        && !args.cancel
        && file.is_none()
        && args.topics.is_empty()
        && args.drain.is_none()
    {
        return Err(Error::usage(
            "name the topics to move with --topic (only --drain moves every topic)",
        ));
    }
    if file.is_some() && !args.status && !args.cancel && !args.topics.is_empty() {
        return Err(Error::usage(
            "--topic and --from-file name the partitions twice",
        ));
    }
    let kafka = ctx.kafka()?;
    let cluster = kafka.metadata().await?;
    if args.status || args.cancel {
        let scope = match (&file, args.topics.is_empty()) {
            (Some(plan), _) => Some(check_plan(kafka, &cluster, plan).await?),
            (None, false) => Some(topic_moves(kafka, &cluster, &args.topics).await?),
            (None, true) => None,
        };
        return match args.status {
            true => status(ctx, kafka, &cluster, scope, file.is_some()).await,
            false => cancel(ctx, kafka, &cluster, scope, &args).await,
        };
    }
    let moves = match &file {
        Some(plan) => check_plan(kafka, &cluster, plan).await?,
        None => generate(kafka, &cluster, &args).await?,
    };
    if !args.execute {
        ctx.printer.print(&PlanFile::of(&moves, true))?;
        let changing = moves.iter().filter(|m| m.current != m.target).count();
        ctx.printer.note(match changing {
            0 => "Nothing to move: every partition already has these replicas.".to_string(),
            n => format!(
                "Dry run: nothing was changed. {n} {} would move ({}). Save the plan and apply \
                 it with --from-file FILE --execute, or run again with --execute.",
                plural(n, "partition", "partitions"),
                summary(&moves)
            ),
        });
        return Ok(());
    }
    execute(ctx, kafka, moves, args.throttle, args.yes).await
}

/// `orders:0 1,2,3>2,3,4; ...`: the first few moves, for a note.
fn summary(moves: &[Move]) -> String {
    let changing: Vec<&Move> = moves.iter().filter(|m| m.current != m.target).collect();
    let mut parts: Vec<String> = changing
        .iter()
        .take(5)
        .map(|m| {
            format!(
                "{}:{} {}>{}",
                m.tp.0,
                m.tp.1,
                join_ids(&m.current),
                join_ids(&m.target)
            )
        })
        .collect();
    if changing.len() > 5 {
        parts.push(format!("and {} more", changing.len() - 5));
    }
    parts.join("; ")
}

/// Reads and checks a plan file (or stdin, `-`) before any connection.
fn read_plan(path: &Path) -> Result<PlanFile> {
    let text = match path.to_str() {
        Some("-") => std::io::read_to_string(std::io::stdin())
            .map_err(|e| Error::usage(format!("cannot read the plan from stdin: {e}")))?,
        _ => std::fs::read_to_string(path)
            .map_err(|e| Error::usage(format!("cannot read the plan {}: {e}", path.display())))?,
    };
    parse_plan(&text).map_err(|e| {
        Error::invalid_input(None, format!("invalid plan in {}", path.display())).because(e)
    })
}

/// A plan's JSON, checked on its own: version 1, partitions named once, each with replicas,
/// none twice, log directories `any`.
pub fn parse_plan(text: &str) -> std::result::Result<PlanFile, String> {
    let plan: PlanFile = serde_json::from_str(text).map_err(|e| {
        format!("not kafka-reassign-partitions' JSON ({{\"version\":1,\"partitions\":[{{\"topic\":...,\"partition\":...,\"replicas\":[...]}}]}}): {e}")
    })?;
    if plan.version != 1 {
        return Err(format!(
            "version {} is not supported (only 1)",
            plan.version
        ));
    }
    if plan.partitions.is_empty() {
        return Err("it names no partition".to_string());
    }
    let mut seen = BTreeSet::new();
    for e in &plan.partitions {
        let at = format!("{}:{}", e.topic, e.partition);
        if !seen.insert((e.topic.clone(), e.partition)) {
            return Err(format!("{at} is in it twice"));
        }
        if e.replicas.is_empty() {
            return Err(format!("{at} has no replicas"));
        }
        let distinct: BTreeSet<i32> = e.replicas.iter().copied().collect();
        if distinct.len() != e.replicas.len() {
            return Err(format!(
                "{at} names a broker twice in its replicas ({})",
                join_ids(&e.replicas)
            ));
        }
        if let Some(dirs) = &e.log_dirs {
            if dirs.len() != e.replicas.len() {
                return Err(format!(
                    "{at} has {} log_dirs for {} replicas",
                    dirs.len(),
                    e.replicas.len()
                ));
            }
            if let Some(dir) = dirs.iter().find(|d| *d != "any") {
                return Err(format!(
                    "{at} names log directory {dir:?}: kctl moves replicas between brokers \
                     only (log_dirs \"any\"); use kafka-reassign-partitions for log directories"
                ));
            }
        }
    }
    Ok(plan)
}

/// The broker ids of the cluster.
fn broker_ids(cluster: &ClusterInfo) -> BTreeSet<i32> {
    cluster.brokers.iter().map(|b| b.id).collect()
}

/// Fails, naming them, when any of `ids` is not a broker of the cluster.
fn require_brokers(cluster: &ClusterInfo, ids: impl IntoIterator<Item = i32>) -> Result<()> {
    let known = broker_ids(cluster);
    let missing: BTreeSet<i32> = ids.into_iter().filter(|b| !known.contains(b)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let missing: Vec<i32> = missing.into_iter().collect();
    let kind = plural(missing.len(), "broker", "brokers");
    Err(Error::not_found(
        format!("{kind} {}", join_ids(&missing)),
        format!(
            "{kind} not in the cluster: {} (its brokers: {}); nothing was changed",
            join_ids(&missing),
            join_ids(&known.into_iter().collect::<Vec<_>>())
        ),
    )
    .with_hint("`kctl cluster describe` lists the brokers"))
}

fn replicas_of(cluster: &ClusterInfo, tp: &TopicPartition) -> Vec<i32> {
    cluster
        .topic(&tp.0)
        .and_then(|t| t.partitions.iter().find(|p| p.id == tp.1))
        .map(|p| p.replicas.clone())
        .unwrap_or_default()
}

/// A plan's partitions as moves, each checked against the cluster: its topic and partition
/// exist, its brokers are the cluster's.
async fn check_plan(kafka: &Kafka, cluster: &ClusterInfo, plan: &PlanFile) -> Result<Vec<Move>> {
    let mut topics: Vec<String> = plan.partitions.iter().map(|e| e.topic.clone()).collect();
    topics.sort();
    topics.dedup();
    super::super::topics::require_topics(kafka, cluster, &topics, "; nothing was changed").await?;
    for e in &plan.partitions {
        let topic = cluster.topic(&e.topic).expect("checked above");
        if let Some(missing) = topic.missing_partition(&[e.partition]) {
            return Err(missing.error());
        }
    }
    require_brokers(
        cluster,
        plan.partitions.iter().flat_map(|e| e.replicas.clone()),
    )?;
    let mut moves: Vec<Move> = plan
        .partitions
        .iter()
        .map(|e| {
            let tp = (e.topic.clone(), e.partition);
            Move {
                current: replicas_of(cluster, &tp),
                target: e.replicas.clone(),
                tp,
            }
        })
        .collect();
    moves.sort_by(|a, b| a.tp.cmp(&b.tp));
    Ok(moves)
}

/// Every partition of `topics` (each must exist), as a move to where it is.
async fn topic_moves(kafka: &Kafka, cluster: &ClusterInfo, topics: &[String]) -> Result<Vec<Move>> {
    let partitions = super::super::offsets::select_partitions(kafka, cluster, topics, &[]).await?;
    Ok(partitions
        .into_iter()
        .map(|tp| {
            let current = replicas_of(cluster, &tp);
            Move {
                target: current.clone(),
                current,
                tp,
            }
        })
        .collect())
}

/// The plan of a move given by flags: which topics, onto which brokers, how many replicas.
async fn generate(kafka: &Kafka, cluster: &ClusterInfo, args: &Args) -> Result<Vec<Move>> {
    require_brokers(cluster, args.broker_ids.iter().copied().chain(args.drain))?;
    let topics: Vec<String> = match (args.topics.is_empty(), args.drain) {
        (false, _) => {
            super::super::topics::require_topics(kafka, cluster, &args.topics, "").await?;
            let mut t = args.topics.clone();
            t.sort();
            t.dedup();
            t
        }
        (true, Some(drained)) => cluster
            .topics
            .iter()
            .filter(|t| t.error.is_none())
            .filter(|t| t.partitions.iter().any(|p| p.replicas.contains(&drained)))
            .map(|t| t.name.clone())
            .collect(),
        (true, None) => Vec::new(),
    };
    let mut targets: BTreeSet<i32> = match args.broker_ids.is_empty() {
        true => broker_ids(cluster),
        false => args.broker_ids.iter().copied().collect(),
    };
    if let Some(drained) = args.drain {
        targets.remove(&drained);
    }
    propose(
        cluster,
        &topics,
        &targets,
        args.replication_factor.map(usize::from),
    )
}

/// The least-moving plan that puts `topics`' partitions on `targets` with `factor` replicas
/// each (`None`: as many as now). A partition keeps its replicas on the targets, in their
/// order (down to `factor`), and takes the least loaded targets (fewest replicas of all
/// topics, then lowest id) for the rest. Partitions that stay as they are are left out.
pub fn propose(
    cluster: &ClusterInfo,
    topics: &[String],
    targets: &BTreeSet<i32>,
    factor: Option<usize>,
) -> Result<Vec<Move>> {
    let mut load: BTreeMap<i32, usize> = targets.iter().map(|b| (*b, 0)).collect();
    for t in &cluster.topics {
        for p in &t.partitions {
            for r in &p.replicas {
                if let Some(n) = load.get_mut(r) {
                    *n += 1;
                }
            }
        }
    }
    let mut moves = Vec::new();
    for name in topics {
        let Some(topic) = cluster.topic(name) else {
            continue;
        };
        let mut partitions: Vec<_> = topic.partitions.iter().collect();
        partitions.sort_by_key(|p| p.id);
        for p in partitions {
            let want = factor.unwrap_or(p.replicas.len());
            if want > targets.len() {
                return Err(Error::usage(format!(
                    "cannot place {want} replicas of {name}:{} on {} {} ({}); nothing was changed",
                    p.id,
                    targets.len(),
                    plural(targets.len(), "broker", "brokers"),
                    join_ids(&targets.iter().copied().collect::<Vec<_>>())
                )));
            }
            let mut keep: Vec<i32> = Vec::new();
            for r in &p.replicas {
                if targets.contains(r) && !keep.contains(r) {
                    keep.push(*r);
                }
            }
            for dropped in keep.split_off(want.min(keep.len())) {
                if let Some(n) = load.get_mut(&dropped) {
                    *n -= 1;
                }
            }
            while keep.len() < want {
                let next = targets
                    .iter()
                    .filter(|b| !keep.contains(b))
                    .min_by_key(|b| (load[b], **b))
                    .copied()
                    .expect("enough targets, checked above");
                *load.get_mut(&next).expect("a target") += 1;
                keep.push(next);
            }
            if keep != p.replicas {
                moves.push(Move {
                    tp: (name.clone(), p.id),
                    current: p.replicas.clone(),
                    target: keep,
                });
            }
        }
    }
    Ok(moves)
}

/// The result of `--execute`.
#[derive(Debug, Serialize)]
pub struct Executed {
    pub executed: bool,
    pub partitions: Vec<MovedPartition>,
    /// The replication throttle set, bytes per second; `null`: none.
    pub throttle: Option<u64>,
    /// The replicas before, as a plan: `--from-file` of it moves them back.
    pub rollback: PlanFile,
}

#[derive(Debug, Serialize)]
pub struct MovedPartition {
    pub topic: String,
    pub partition: i32,
    pub replicas_before: Vec<i32>,
    pub replicas: Vec<i32>,
    /// `started` or `failed`.
    pub result: &'static str,
    pub error: Option<String>,
}

impl Render for Executed {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new([
            "TOPIC",
            "PARTITION",
            "REPLICAS-BEFORE",
            "REPLICAS",
            "RESULT",
            "ERROR",
        ])
        .numeric(&[1]);
        for p in &self.partitions {
            table.row([
                p.topic.clone(),
                p.partition.to_string(),
                join_ids(&p.replicas_before),
                join_ids(&p.replicas),
                p.result.to_string(),
                or_dash(p.error.as_deref()),
            ]);
        }
        let started = self
            .partitions
            .iter()
            .filter(|p| p.result == "started")
            .count();
        let mut line = format!(
            "started {started} {}",
            plural(started, "reassignment", "reassignments")
        );
        if let Some(rate) = self.throttle {
            line.push_str(&format!(", replication throttled to {rate} B/s"));
        }
        vec![
            Block::Table(table),
            Block::Line(line),
            Block::Line(format!(
                "rollback plan: {}",
                serde_json::to_string(&self.rollback).unwrap_or_default()
            )),
        ]
    }
}

/// Moves the plan's partitions, after the throttles when asked.
async fn execute(
    ctx: &Ctx,
    kafka: &Kafka,
    moves: Vec<Move>,
    throttle: Option<u64>,
    yes: bool,
) -> Result<()> {
    if moves.is_empty() {
        ctx.printer
            .note("Nothing to move: every partition already has these replicas.");
        return ctx.printer.print(&Executed {
            executed: true,
            partitions: Vec::new(),
            throttle: None,
            rollback: PlanFile::of(&[], false),
        });
    }
    let tps: Vec<TopicPartition> = moves.iter().map(|m| m.tp.clone()).collect();
    let busy = kafka.list_reassignments(Some(&tps)).await?;
    if !busy.is_empty() {
        let names: Vec<String> = busy
            .iter()
            .map(|r| format!("{}:{}", r.topic, r.partition))
            .collect();
        return Err(Error::runtime(format!(
            "{} already being reassigned: {}; nothing was changed",
            plural(names.len(), "a partition is", "partitions are"),
            names.join(", ")
        ))
        .with_hint(
            "wait for it (`kctl partitions reassign --status`) or cancel it (--cancel --execute)",
        ));
    }
    let action = format!(
        "reassign {} {}",
        moves.len(),
        plural(moves.len(), "partition", "partitions")
    );
    let details = format!("Moves: {}", summary(&moves));
    if !ctx.printer.confirm(&action, Some(&details), yes).await? {
        return Err(Error::runtime("aborted: nothing was changed"));
    }
    if let Some(rate) = throttle {
        set_throttles(kafka, &moves, rate).await?;
    }
    let changes: Vec<(TopicPartition, Option<Vec<i32>>)> = moves
        .iter()
        .map(|m| (m.tp.clone(), Some(m.target.clone())))
        .collect();
    let answers: BTreeMap<TopicPartition, std::result::Result<(), String>> = kafka
        .alter_reassignments(&changes)
        .await?
        .into_iter()
        .collect();
    let partitions: Vec<MovedPartition> = moves
        .iter()
        .map(|m| {
            let error = match answers.get(&m.tp) {
                Some(Ok(())) => None,
                Some(Err(e)) => Some(e.clone()),
                None => Some("the controller did not answer about it".to_string()),
            };
            MovedPartition {
                topic: m.tp.0.clone(),
                partition: m.tp.1,
                replicas_before: m.current.clone(),
                replicas: m.target.clone(),
                result: if error.is_none() { "started" } else { "failed" },
                error,
            }
        })
        .collect();
    let failed: Vec<String> = partitions
        .iter()
        .filter_map(|p| {
            p.error
                .as_ref()
                .map(|e| format!("{}:{}: {e}", p.topic, p.partition))
        })
        .collect();
    ctx.printer.print(&Executed {
        executed: true,
        partitions,
        throttle,
        rollback: PlanFile::of(&moves, false),
    })?;
    if !failed.is_empty() {
        return Err(Error::runtime(format!(
            "the reassignment failed for {} {}",
            failed.len(),
            plural(failed.len(), "partition", "partitions")
        ))
        .because(failed.join("; ")));
    }
    ctx.printer.note(
        "Follow it with `kctl partitions reassign --status`; it removes the throttles once \
         every reassignment is done.",
    );
    Ok(())
}

/// The topic throttle configs of `moves`, as Apache computes them: the leader side throttles
/// the replicas now (`partition:broker` of the sources), the follower side the new ones.
pub fn topic_throttles(moves: &[Move]) -> BTreeMap<String, (String, String)> {
    /// (partition, broker) pairs.
    type Replicas = BTreeSet<(i32, i32)>;
    let mut by_topic: BTreeMap<String, (Replicas, Replicas)> = BTreeMap::new();
    for m in moves {
        let entry = by_topic.entry(m.tp.0.clone()).or_default();
        for s in &m.current {
            entry.0.insert((m.tp.1, *s));
        }
        for d in m.target.iter().filter(|d| !m.current.contains(d)) {
            entry.1.insert((m.tp.1, *d));
        }
    }
    let text = |s: &BTreeSet<(i32, i32)>| {
        s.iter()
            .map(|(p, b)| format!("{p}:{b}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    by_topic
        .into_iter()
        .map(|(t, (l, f))| (t, (text(&l), text(&f))))
        .collect()
}

async fn set_throttles(kafka: &Kafka, moves: &[Move], rate: u64) -> Result<()> {
    let mut changes: Vec<(ConfigResource, Vec<ConfigOp>)> = Vec::new();
    for (topic, (leaders, followers)) in topic_throttles(moves) {
        let mut ops = vec![ConfigOp::Set(LEADER_REPLICAS.to_string(), leaders)];
        if !followers.is_empty() {
            ops.push(ConfigOp::Set(FOLLOWER_REPLICAS.to_string(), followers));
        }
        changes.push((ConfigResource::Topic(topic), ops));
    }
    let brokers: BTreeSet<i32> = moves
        .iter()
        .flat_map(|m| m.current.iter().chain(&m.target).copied())
        .collect();
    for b in brokers {
        changes.push((
            ConfigResource::Broker(b),
            BROKER_THROTTLES
                .iter()
                .map(|n| ConfigOp::Set(n.to_string(), rate.to_string()))
                .collect(),
        ));
    }
    alter(
        kafka,
        &changes,
        "cannot set the replication throttle; nothing was reassigned",
    )
    .await
}

/// `items` in batches librdkafka takes: every topic in one call, each broker in its own.
fn batches<T: Clone>(items: &[T], resource: impl Fn(&T) -> &ConfigResource) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = Vec::new();
    let topics: Vec<T> = items
        .iter()
        .filter(|i| !matches!(resource(i), ConfigResource::Broker(_)))
        .cloned()
        .collect();
    if !topics.is_empty() {
        out.push(topics);
    }
    out.extend(
        items
            .iter()
            .filter(|i| matches!(resource(i), ConfigResource::Broker(_)))
            .map(|i| vec![i.clone()]),
    );
    out
}

async fn alter(
    kafka: &Kafka,
    changes: &[(ConfigResource, Vec<ConfigOp>)],
    what: &str,
) -> Result<()> {
    let calls = batches(changes, |(r, _)| r);
    let answers =
        futures::future::join_all(calls.iter().map(|c| kafka.alter_configs(c, false))).await;
    let mut failed = Vec::new();
    for answer in answers {
        for (r, result) in answer.map_err(|e| e.context(what))? {
            if let Err(e) = result {
                failed.push(format!("{r}: {e}"));
            }
        }
    }
    match failed.is_empty() {
        true => Ok(()),
        false => Err(Error::runtime(what).because(failed.join("; "))),
    }
}

/// The throttles set on the cluster's brokers and on `topics` (`None`: every topic), as
/// (resource, config name), to remove once nothing moves.
async fn throttles_set(
    kafka: &Kafka,
    cluster: &ClusterInfo,
    topics: Option<&[String]>,
) -> Result<Vec<(ConfigResource, String)>> {
    let mut resources: Vec<ConfigResource> = cluster
        .brokers
        .iter()
        .map(|b| ConfigResource::Broker(b.id))
        .collect();
    let all: Vec<String>;
    let topics = match topics {
        Some(t) => t,
        None => {
            all = cluster
                .topics
                .iter()
                .filter(|t| t.error.is_none())
                .map(|t| t.name.clone())
                .collect();
            &all
        }
    };
    resources.extend(topics.iter().map(|t| ConfigResource::Topic(t.clone())));
    let calls = batches(&resources, |r| r);
    let answers = futures::future::join_all(calls.iter().map(|c| kafka.describe_configs(c))).await;
    let mut described = Vec::new();
    for answer in answers {
        described.extend(answer?);
    }
    let mut set = Vec::new();
    for (resource, result) in described {
        let Ok(entries) = result else { continue };
        let own = ConfigSource::of(&resource);
        for e in entries {
            let throttle = match resource {
                ConfigResource::Topic(_) => {
                    e.name == LEADER_REPLICAS || e.name == FOLLOWER_REPLICAS
                }
                _ => BROKER_THROTTLES.contains(&e.name.as_str()),
            };
            if throttle && e.source == own && e.value.as_deref().is_some_and(|v| !v.is_empty()) {
                set.push((resource.clone(), e.name));
            }
        }
    }
    Ok(set)
}

/// Removes the reassignment throttles (when nothing moves any more), saying which.
async fn remove_throttles(
    kafka: &Kafka,
    cluster: &ClusterInfo,
    topics: Option<&[String]>,
) -> Result<Vec<String>> {
    let set = throttles_set(kafka, cluster, topics).await?;
    if set.is_empty() {
        return Ok(Vec::new());
    }
    let mut changes: Vec<(ConfigResource, Vec<ConfigOp>)> = Vec::new();
    for (r, name) in &set {
        match changes.iter_mut().find(|(c, _)| c == r) {
            Some((_, ops)) => ops.push(ConfigOp::Delete(name.clone())),
            None => changes.push((r.clone(), vec![ConfigOp::Delete(name.clone())])),
        }
    }
    alter(kafka, &changes, "cannot remove the replication throttles").await?;
    Ok(set.iter().map(|(r, n)| format!("{r}: {n}")).collect())
}

/// The result of `--status`.
#[derive(Debug, Serialize)]
pub struct Status {
    pub partitions: Vec<PartitionStatus>,
    /// How many reassignments are in progress in the whole cluster.
    pub in_progress: usize,
    /// The throttles removed because nothing moves any more (`topic 'orders':
    /// leader.replication.throttled.replicas`).
    pub throttles_removed: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct PartitionStatus {
    pub topic: String,
    pub partition: i32,
    /// `in_progress`; `completed` (its replicas are the plan's); `not_as_planned` (nothing
    /// moves it, and its replicas are not the plan's); `none` (nothing moves it, no plan).
    pub state: &'static str,
    /// Its replicas now (while it moves: old and new).
    pub replicas: Vec<i32>,
    /// The plan's replicas (`--from-file`); `null` otherwise.
    pub target: Option<Vec<i32>>,
    pub adding: Vec<i32>,
    pub removing: Vec<i32>,
    /// Bytes the new replicas lack of the leader's log, where the brokers say; `null` when
    /// unknown or nothing moves.
    pub bytes_left: Option<i64>,
}

impl Render for Status {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new([
            "TOPIC",
            "PARTITION",
            "STATE",
            "REPLICAS",
            "TARGET",
            "ADDING",
            "REMOVING",
            "BYTES-LEFT",
        ])
        .numeric(&[1, 7]);
        for p in &self.partitions {
            table.row([
                p.topic.clone(),
                p.partition.to_string(),
                p.state.replace('_', "-"),
                join_ids(&p.replicas),
                or_dash(p.target.as_deref().map(join_ids)),
                join_ids(&p.adding),
                join_ids(&p.removing),
                or_dash(p.bytes_left),
            ]);
        }
        let mut blocks = vec![Block::Line(format!(
            "{} {} in progress",
            self.in_progress,
            plural(self.in_progress, "reassignment", "reassignments")
        ))];
        if !self.partitions.is_empty() {
            blocks.insert(0, Block::Table(table));
        }
        for t in &self.throttles_removed {
            blocks.push(Block::Line(format!("throttle removed: {t}")));
        }
        blocks
    }
}

async fn status(
    ctx: &Ctx,
    kafka: &Kafka,
    cluster: &ClusterInfo,
    scope: Option<Vec<Move>>,
    planned: bool,
) -> Result<()> {
    let ongoing = kafka.list_reassignments(None).await?;
    let by_tp: BTreeMap<TopicPartition, &Reassignment> = ongoing
        .iter()
        .map(|r| ((r.topic.clone(), r.partition), r))
        .collect();
    let rows: Vec<(TopicPartition, Option<Vec<i32>>)> = match &scope {
        Some(moves) => moves
            .iter()
            .map(|m| (m.tp.clone(), planned.then(|| m.target.clone())))
            .collect(),
        None => by_tp.keys().map(|tp| (tp.clone(), None)).collect(),
    };
    // A move that just ended may not show in the metadata yet.
    let fresh = settled(ctx, kafka, cluster, &rows, &by_tp).await?;
    let cluster = &fresh;
    let sizes = progress_sizes(kafka, cluster, &ongoing, &rows).await;
    let partitions: Vec<PartitionStatus> = rows
        .into_iter()
        .map(|(tp, target)| {
            let now = replicas_of(cluster, &tp);
            match by_tp.get(&tp) {
                Some(r) => PartitionStatus {
                    topic: tp.0.clone(),
                    partition: tp.1,
                    state: "in_progress",
                    replicas: r.replicas.clone(),
                    target,
                    adding: r.adding.clone(),
                    removing: r.removing.clone(),
                    bytes_left: bytes_left(cluster, &sizes, &tp, &r.adding),
                },
                None => PartitionStatus {
                    topic: tp.0.clone(),
                    partition: tp.1,
                    state: match &target {
                        Some(t) if *t == now => "completed",
                        Some(_) => "not_as_planned",
                        None => "none",
                    },
                    replicas: now,
                    target,
                    adding: Vec::new(),
                    removing: Vec::new(),
                    bytes_left: None,
                },
            }
        })
        .collect();
    if let Some(w) = sizes.as_ref().and_then(|s| s.warning()) {
        ctx.printer.warn(w);
    }
    let mut throttles_removed = Vec::new();
    if ongoing.is_empty() {
        let topics: Option<Vec<String>> = scope.as_ref().map(|moves| {
            let t: BTreeSet<String> = moves.iter().map(|m| m.tp.0.clone()).collect();
            t.into_iter().collect()
        });
        throttles_removed = remove_throttles(kafka, cluster, topics.as_deref()).await?;
    }
    ctx.printer.print(&Status {
        partitions,
        in_progress: ongoing.len(),
        throttles_removed,
    })
}

/// The metadata once every planned partition that no longer moves shows its end: the
/// controller ends a move a moment before the brokers' metadata has it, the old replicas
/// still listed. Waits (at most the timeout, or 5 s) only while such replicas remain.
async fn settled(
    ctx: &Ctx,
    kafka: &Kafka,
    first: &ClusterInfo,
    rows: &[(TopicPartition, Option<Vec<i32>>)],
    moving: &BTreeMap<TopicPartition, &Reassignment>,
) -> Result<ClusterInfo> {
    let lagging = |cluster: &ClusterInfo| {
        rows.iter().any(|(tp, target)| {
            let Some(target) = target else { return false };
            let now = replicas_of(cluster, tp);
            !moving.contains_key(tp) && now != *target && target.iter().all(|b| now.contains(b))
        })
    };
    if !lagging(first) {
        return Ok(first.clone());
    }
    let limit = ctx.settings.timeout.min(std::time::Duration::from_secs(5));
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let cluster = kafka.metadata().await?;
        if !lagging(&cluster) || tokio::time::Instant::now() >= deadline {
            return Ok(cluster);
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Replica sizes of the partitions in progress among `rows` (`None` when none moves).
async fn progress_sizes(
    kafka: &Kafka,
    cluster: &ClusterInfo,
    ongoing: &[Reassignment],
    rows: &[(TopicPartition, Option<Vec<i32>>)],
) -> Option<crate::kafka::LogDirSizes> {
    let moving: BTreeSet<&str> = ongoing
        .iter()
        .filter(|r| {
            rows.iter()
                .any(|(tp, _)| tp.0 == r.topic && tp.1 == r.partition)
        })
        .map(|r| r.topic.as_str())
        .collect();
    if moving.is_empty() {
        return None;
    }
    let topics: Vec<&crate::kafka::TopicInfo> = cluster
        .topics
        .iter()
        .filter(|t| moving.contains(t.name.as_str()))
        .collect();
    // The adding replicas are on brokers the metadata's replica lists already name.
    Some(
        kafka
            .log_dir_sizes(&cluster.brokers, SizesOf::Topics(&topics))
            .await,
    )
}

/// What the adding replicas lack of the leader's log: the leader's size minus theirs, summed.
fn bytes_left(
    cluster: &ClusterInfo,
    sizes: &Option<crate::kafka::LogDirSizes>,
    tp: &TopicPartition,
    adding: &[i32],
) -> Option<i64> {
    let sizes = sizes.as_ref()?;
    let leader = cluster
        .topic(&tp.0)
        .and_then(|t| t.partitions.iter().find(|p| p.id == tp.1))
        .and_then(|p| p.leader)?;
    let replicas = sizes.replicas.get(tp)?;
    let size_on = |b: i32| {
        replicas
            .iter()
            .filter(|r| r.broker == b && !r.is_future)
            .map(|r| r.size_bytes)
            .max()
    };
    let full = size_on(leader)?;
    let mut left = 0;
    for b in adding {
        let have = match size_on(*b) {
            Some(s) => s,
            None if sizes.answered.contains(b) => 0,
            None => return None,
        };
        left += (full - have).max(0);
    }
    Some(left)
}

/// The result of `--cancel`.
#[derive(Debug, Serialize)]
pub struct Cancelled {
    /// `false` for a dry run: nothing was changed.
    pub executed: bool,
    pub partitions: Vec<CancelledPartition>,
    pub throttles_removed: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct CancelledPartition {
    pub topic: String,
    pub partition: i32,
    pub replicas: Vec<i32>,
    pub adding: Vec<i32>,
    pub removing: Vec<i32>,
    /// `would_cancel` (dry run), `cancelled` or `failed`.
    pub result: &'static str,
    pub error: Option<String>,
}

impl Render for Cancelled {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new([
            "TOPIC",
            "PARTITION",
            "REPLICAS",
            "ADDING",
            "REMOVING",
            "RESULT",
            "ERROR",
        ])
        .numeric(&[1]);
        for p in &self.partitions {
            table.row([
                p.topic.clone(),
                p.partition.to_string(),
                join_ids(&p.replicas),
                join_ids(&p.adding),
                join_ids(&p.removing),
                p.result.replace('_', "-"),
                or_dash(p.error.as_deref()),
            ]);
        }
        let mut blocks = Vec::new();
        if !self.partitions.is_empty() {
            blocks.push(Block::Table(table));
        }
        let n = self
            .partitions
            .iter()
            .filter(|p| p.result == "cancelled")
            .count();
        blocks.push(Block::Line(match self.executed {
            true => format!(
                "cancelled {n} {}",
                plural(n, "reassignment", "reassignments")
            ),
            false => format!(
                "{} {} to cancel",
                self.partitions.len(),
                plural(self.partitions.len(), "reassignment", "reassignments")
            ),
        }));
        for t in &self.throttles_removed {
            blocks.push(Block::Line(format!("throttle removed: {t}")));
        }
        blocks
    }
}

async fn cancel(
    ctx: &Ctx,
    kafka: &Kafka,
    cluster: &ClusterInfo,
    scope: Option<Vec<Move>>,
    args: &Args,
) -> Result<()> {
    let tps: Option<Vec<TopicPartition>> = scope
        .as_ref()
        .map(|moves| moves.iter().map(|m| m.tp.clone()).collect());
    let ongoing = kafka.list_reassignments(tps.as_deref()).await?;
    let row = |r: &Reassignment, result, error| CancelledPartition {
        topic: r.topic.clone(),
        partition: r.partition,
        replicas: r.replicas.clone(),
        adding: r.adding.clone(),
        removing: r.removing.clone(),
        result,
        error,
    };
    if !args.execute || ongoing.is_empty() {
        ctx.printer.print(&Cancelled {
            executed: false,
            partitions: ongoing
                .iter()
                .map(|r| row(r, "would_cancel", None))
                .collect(),
            throttles_removed: Vec::new(),
        })?;
        ctx.printer.note(match ongoing.is_empty() {
            true => "No reassignment in progress to cancel.",
            false => "Dry run: nothing was changed. Pass --execute to cancel these.",
        });
        return Ok(());
    }
    let action = format!(
        "cancel {} {}",
        ongoing.len(),
        plural(ongoing.len(), "reassignment", "reassignments")
    );
    if !ctx.printer.confirm(&action, None, args.yes).await? {
        return Err(Error::runtime("aborted: nothing was changed"));
    }
    let changes: Vec<(TopicPartition, Option<Vec<i32>>)> = ongoing
        .iter()
        .map(|r| ((r.topic.clone(), r.partition), None))
        .collect();
    let answers: BTreeMap<TopicPartition, std::result::Result<(), String>> = kafka
        .alter_reassignments(&changes)
        .await?
        .into_iter()
        .collect();
    let partitions: Vec<CancelledPartition> = ongoing
        .iter()
        .map(|r| match answers.get(&(r.topic.clone(), r.partition)) {
            Some(Ok(())) => row(r, "cancelled", None),
            Some(Err(e)) => row(r, "failed", Some(e.clone())),
            None => row(
                r,
                "failed",
                Some("the controller did not answer about it".into()),
            ),
        })
        .collect();
    let failed = partitions.iter().filter(|p| p.result == "failed").count();
    let mut throttles_removed = Vec::new();
    if kafka.list_reassignments(None).await?.is_empty() {
        let topics: BTreeSet<String> = ongoing.iter().map(|r| r.topic.clone()).collect();
        let topics: Vec<String> = topics.into_iter().collect();
        throttles_removed = remove_throttles(kafka, cluster, Some(&topics)).await?;
    }
    ctx.printer.print(&Cancelled {
        executed: true,
        partitions,
        throttles_removed,
    })?;
    if failed > 0 {
        return Err(Error::runtime(format!(
            "cancelling failed for {failed} {}",
            plural(failed, "partition", "partitions")
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::{Broker, PartitionInfo, TopicInfo};

    fn cluster(brokers: &[i32], topics: &[(&str, &[&[i32]])]) -> ClusterInfo {
        ClusterInfo {
            brokers: brokers
                .iter()
                .map(|id| Broker {
                    id: *id,
                    host: "h".into(),
                    port: 1,
                })
                .collect(),
            topics: topics
                .iter()
                .map(|(name, parts)| TopicInfo {
                    name: name.to_string(),
                    partitions: parts
                        .iter()
                        .enumerate()
                        .map(|(i, r)| PartitionInfo {
                            id: i as i32,
                            leader: r.first().copied(),
                            replicas: r.to_vec(),
                            isr: r.to_vec(),
                            error: None,
                        })
                        .collect(),
                    error: None,
                })
                .collect(),
        }
    }

    fn set(ids: &[i32]) -> BTreeSet<i32> {
        ids.iter().copied().collect()
    }

    #[test]
    fn a_drain_moves_only_the_drained_replicas_to_the_least_loaded() {
        let c = cluster(&[1, 2, 3, 4], &[("t", &[&[1, 2], &[2, 3], &[3, 1]])]);
        let moves = propose(&c, &["t".into()], &set(&[2, 3, 4]), None).unwrap();
        assert_eq!(moves.len(), 2);
        assert_eq!(moves[0].target, vec![2, 4]);
        assert_eq!(moves[1].tp.1, 2);
        // Broker 4 then has one replica, 2 has two: 4 again.
        assert_eq!(moves[1].target, vec![3, 4]);
    }

    #[test]
    fn a_replication_factor_adds_or_removes_replicas() {
        let c = cluster(&[1, 2, 3], &[("t", &[&[1], &[2]])]);
        let moves = propose(&c, &["t".into()], &set(&[1, 2, 3]), Some(3)).unwrap();
        assert_eq!(moves[0].target, vec![1, 3, 2]);
        assert_eq!(moves[1].target.len(), 3);
        assert_eq!(moves[1].target[0], 2);
        let c = cluster(&[1, 2, 3], &[("t", &[&[1, 2, 3]])]);
        let moves = propose(&c, &["t".into()], &set(&[1, 2, 3]), Some(1)).unwrap();
        assert_eq!(moves[0].target, vec![1]);
        assert!(propose(&c, &["t".into()], &set(&[1, 2]), Some(3)).is_err());
        // Nothing to do: no move.
        assert!(propose(&c, &["t".into()], &set(&[1, 2, 3]), None)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn plans_are_checked_on_their_own() {
        let ok = parse_plan(
            r#"{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2],"log_dirs":["any","any"]}]}"#,
        )
        .unwrap();
        assert_eq!(ok.partitions[0].replicas, vec![1, 2]);
        for bad in [
            r#"{"version":2,"partitions":[{"topic":"t","partition":0,"replicas":[1]}]}"#,
            r#"{"version":1,"partitions":[]}"#,
            r#"{"version":1}"#,
            r#"{"partitions":[{"topic":"t","partition":0,"replicas":[]}]}"#,
            r#"{"partitions":[{"topic":"t","partition":0,"replicas":[1,1]}]}"#,
            r#"{"partitions":[{"topic":"t","partition":0,"replicas":[1]},{"topic":"t","partition":0,"replicas":[2]}]}"#,
            r#"{"partitions":[{"topic":"t","partition":0,"replicas":[1],"log_dirs":["/d"]}]}"#,
            r#"{"partitions":[{"topic":"t","partition":0,"replicas":[1],"log_dirs":[]}]}"#,
            "nope",
        ] {
            assert!(parse_plan(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn throttles_name_sources_and_destinations() {
        let moves = vec![
            Move {
                tp: ("t".into(), 0),
                current: vec![1, 2],
                target: vec![2, 3],
            },
            Move {
                tp: ("t".into(), 1),
                current: vec![2],
                target: vec![4],
            },
        ];
        let t = topic_throttles(&moves);
        assert_eq!(t["t"], ("0:1,0:2,1:2".to_string(), "0:3,1:4".to_string()));
    }

    #[test]
    fn rates_take_units() {
        assert_eq!(parse_rate("1000"), Ok(1000));
        assert_eq!(parse_rate("50MB"), Ok(50_000_000));
        assert_eq!(parse_rate("10MiB/s"), Ok(10 * 1024 * 1024));
        assert!(parse_rate("0").is_err());
        assert!(parse_rate("fast").is_err());
        assert!(parse_rate("-5").is_err());
    }

    #[test]
    fn the_plan_prints_as_apache_json() {
        let m = Move {
            tp: ("t".into(), 0),
            current: vec![1],
            target: vec![2, 3],
        };
        let text = serde_json::to_string(&PlanFile::of(&[m], true)).unwrap();
        assert_eq!(
            text,
            r#"{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,3],"log_dirs":["any","any"]}]}"#
        );
    }
}
