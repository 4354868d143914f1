//! `kctl transactions ...` (alias `txn`): transactions and the producers writing them, as
//! Apache's `kafka-transactions` shows them, and aborting a hanging one.

pub mod abort;
pub mod describe;
pub mod find_hanging;
pub mod list;
pub mod producers;

use clap::Subcommand;
use serde::Serialize;

use super::groups::reset_offsets::TopicSpec;
use super::offsets::select_partitions;
use super::Ctx;
use crate::error::Result;
use crate::kafka::{ClusterInfo, Kafka, TopicPartition};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the transactional ids every broker coordinates, with their producer and state
    #[command(visible_alias = "ls")]
    List(list::Args),
    /// Describe transactional ids as their coordinator does: state, producer, timeout,
    /// start time and partitions
    Describe(describe::Args),
    /// Show the producers of partitions as their leaders hold them, with the start offset of
    /// each open transaction
    Producers(producers::Args),
    /// Find hanging transactions: open on a partition, older than the longest transaction
    /// timeout, and unknown to their coordinator
    FindHanging(find_hanging::Args),
    /// Abort the open transaction that starts at an offset of a partition (asks first)
    Abort(abort::Args),
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::List(args) => list::run(args, ctx).await,
        Command::Describe(args) => describe::run(args, ctx).await,
        Command::Producers(args) => producers::run(args, ctx).await,
        Command::FindHanging(args) => find_hanging::run(args, ctx).await,
        Command::Abort(args) => abort::run(args, ctx).await,
    }
}

/// The partitions `specs` name (each topic's all, or the ones listed), each checked to exist.
pub async fn resolve(
    kafka: &Kafka,
    cluster: &ClusterInfo,
    specs: &[TopicSpec],
) -> Result<Vec<TopicPartition>> {
    let mut out = Vec::new();
    for spec in specs {
        let named = spec.partitions.clone().unwrap_or_default();
        for tp in
            select_partitions(kafka, cluster, std::slice::from_ref(&spec.topic), &named).await?
        {
            if !out.contains(&tp) {
                out.push(tp);
            }
        }
    }
    Ok(out)
}

/// A partition in JSON: `{"topic": "orders", "partition": 0}`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PartitionRef {
    pub topic: String,
    pub partition: i32,
}

/// Milliseconds since the epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// clap value parser for a duration (`15m`, `1h`, `PT15M`).
pub fn duration(s: &str) -> std::result::Result<std::time::Duration, String> {
    super::times::parse_ago(s)
}
