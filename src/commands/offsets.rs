//! `kctl offsets TOPIC... [-p N,...] [--at TIME]`: per partition the earliest, latest and
//! last stable offset, the record with the largest timestamp and, with `--at`, the first
//! offset at or after a time. One ListOffsets call per kind for every partition named (one
//! request per partition leader), however many partitions.

use std::collections::BTreeMap;

use serde::Serialize;

use super::times::{parse_time, TimeArg};
use super::Ctx;
use crate::error::{Error, Result};
use crate::kafka::{BrokerError, ClusterInfo, Kafka, ListedOffset, OffsetQuery, TopicPartition};
use crate::render::{or_dash, Block, Render, Table};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl offsets orders\n  \
    kctl offsets orders payments -p 0,1\n  \
    kctl offsets orders --at @-1h\n  \
    kctl offsets orders --at 2024-05-01T12:00:00Z -o json")]
pub struct Args {
    /// Topics to show the offsets of
    #[arg(required = true, value_name = "TOPIC", value_parser = super::topics::topic_name, add = crate::complete::topic_completer())]
    pub topics: Vec<String>,

    /// Only these partitions (of every topic named)
    #[arg(short = 'p', long = "partition", value_name = "N[,N...]", value_delimiter = ',',
          allow_negative_numbers = true,
          value_parser = clap::value_parser!(i32).range(0..))]
    pub partitions: Vec<i32>,

    /// Also the first offset at or after this time: -1h (a duration ago), epoch ms, or
    /// RFC 3339 / ISO 8601 (2024-05-01T12:00:00Z; local time without a zone); a leading @ as
    /// in consume --offset is fine
    #[arg(long, value_name = "TIME", allow_hyphen_values = true, value_parser = parse_time)]
    pub at: Option<TimeArg>,
}

/// What `kctl offsets` prints.
#[derive(Debug, Serialize)]
pub struct Offsets {
    /// `--at` in ms since the epoch; `null` without it.
    pub at: Option<i64>,
    pub partitions: Vec<PartitionOffsets>,
}

#[derive(Debug, Serialize)]
pub struct PartitionOffsets {
    pub topic: String,
    pub partition: i32,
    pub earliest_offset: i64,
    /// The log end (high watermark): the offset the next record gets.
    pub latest_offset: i64,
    /// The log end as read_committed consumers see it: below `latest_offset` while a
    /// transaction is open.
    pub last_stable_offset: i64,
    /// The record with the largest timestamp; `null` for an empty partition.
    pub max_timestamp: Option<RecordAt>,
    /// With `--at`: the first record at or after that time; `null` when every record is
    /// older (or without `--at`).
    pub at_time: Option<RecordAt>,
    /// The open transaction holding `last_stable_offset` below `latest_offset`; `null` when
    /// nothing holds it back (or it cannot be named).
    pub held_by: Option<super::held_by::HeldBy>,
}

/// A record's offset and timestamp (ms since the epoch; `null` when it has none).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct RecordAt {
    pub offset: i64,
    pub timestamp: Option<i64>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let topics = super::dedup(args.topics);
    let kafka = ctx.kafka()?;
    let cluster = kafka.metadata().await?;
    let partitions = select_partitions(kafka, &cluster, &topics, &args.partitions).await?;
    let at = args.at.map(TimeArg::millis);
    let mut offsets = Offsets {
        at,
        partitions: partition_offsets(kafka, &partitions, at).await?,
    };
    // Only partitions whose last stable offset is held back cost more requests.
    let held = offsets
        .partitions
        .iter()
        .filter(|p| p.last_stable_offset < p.latest_offset)
        .map(|p| ((p.topic.clone(), p.partition), p.last_stable_offset))
        .collect();
    let (mut by, warning) = super::held_by::held_by(kafka, &cluster, &held).await;
    if let Some(w) = warning {
        ctx.printer.warn(w);
    }
    for p in &mut offsets.partitions {
        p.held_by = by.remove(&(p.topic.clone(), p.partition));
    }
    ctx.printer.print(&offsets)
}

/// The partitions of `topics` (each must exist), all of them or those `named` (each must
/// exist in every topic), in the order of the topics given.
pub async fn select_partitions(
    kafka: &Kafka,
    cluster: &ClusterInfo,
    topics: &[String],
    named: &[i32],
) -> Result<Vec<TopicPartition>> {
    super::topics::require_topics(kafka, cluster, topics, "").await?;
    let mut named = named.to_vec();
    named.sort_unstable();
    named.dedup();
    let mut out = Vec::new();
    for name in topics {
        let topic = cluster.topic(name).expect("checked above");
        if let Some(missing) = topic.missing_partition(&named) {
            return Err(missing.error());
        }
        let mut ids: Vec<i32> = match named.is_empty() {
            true => topic.partitions.iter().map(|p| p.id).collect(),
            false => named.clone(),
        };
        ids.sort_unstable();
        out.extend(ids.into_iter().map(|p| (name.clone(), p)));
    }
    Ok(out)
}

type Answers = BTreeMap<TopicPartition, std::result::Result<ListedOffset, BrokerError>>;

/// Every kind of offset of each partition, one batched call per kind, all at once.
async fn partition_offsets(
    kafka: &Kafka,
    partitions: &[TopicPartition],
    at: Option<i64>,
) -> Result<Vec<PartitionOffsets>> {
    let (earliest, latest, stable, max, at_time) = tokio::try_join!(
        kafka.query_offsets(partitions, OffsetQuery::Earliest),
        kafka.query_offsets(partitions, OffsetQuery::Latest),
        kafka.query_offsets(partitions, OffsetQuery::LastStable),
        kafka.query_offsets(partitions, OffsetQuery::MaxTimestamp),
        async {
            match at {
                Some(ms) => kafka.query_offsets(partitions, OffsetQuery::Time(ms)).await,
                None => Ok(BTreeMap::new()),
            }
        },
    )?;
    let mut failed = Vec::new();
    let mut out = Vec::with_capacity(partitions.len());
    for tp in partitions {
        let mut get = |answers: &Answers, kind: &str| match answers.get(tp) {
            Some(Ok(o)) => Some(*o),
            other => {
                let why = match other {
                    Some(Err(e)) => e.to_string(),
                    _ => "no answer".to_string(),
                };
                failed.push(format!("{}:{} ({kind}: {why})", tp.0, tp.1));
                None
            }
        };
        let lo = get(&earliest, "earliest");
        let hi = get(&latest, "latest");
        let lso = get(&stable, "last stable");
        let max = get(&max, "max timestamp");
        let found = at.and_then(|_| get(&at_time, "at time"));
        let (Some(lo), Some(hi), Some(lso), Some(max)) = (lo, hi, lso, max) else {
            continue;
        };
        out.push(PartitionOffsets {
            topic: tp.0.clone(),
            partition: tp.1,
            earliest_offset: lo.offset.unwrap_or(-1),
            latest_offset: hi.offset.unwrap_or(-1),
            last_stable_offset: lso.offset.unwrap_or(-1),
            max_timestamp: record_at(max),
            at_time: found.and_then(record_at),
            held_by: None,
        });
    }
    if !failed.is_empty() {
        return Err(Error::runtime(format!(
            "cannot read the offsets of {}",
            failed.join(", ")
        )));
    }
    Ok(out)
}

fn record_at(o: ListedOffset) -> Option<RecordAt> {
    o.offset.map(|offset| RecordAt {
        offset,
        timestamp: o.timestamp,
    })
}

/// A timestamp in ms as RFC 3339 in UTC with milliseconds.
pub fn format_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || ms.to_string(),
        |t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    )
}

impl Render for Offsets {
    fn blocks(&self) -> Vec<Block> {
        let mut header = vec![
            "TOPIC",
            "PARTITION",
            "EARLIEST",
            "LATEST",
            "LAST-STABLE",
            "MAX-TIMESTAMP-OFFSET",
            "MAX-TIMESTAMP",
        ];
        if self.at.is_some() {
            header.extend(["AT-OFFSET", "AT-TIMESTAMP"]);
        }
        // Only when a transaction holds a partition back.
        let held = self.partitions.iter().any(|p| p.held_by.is_some());
        if held {
            header.push("HELD-BY");
        }
        let mut table = Table::new(header).numeric(&[1, 2, 3, 4, 5, 7]);
        let time = |r: &Option<RecordAt>| or_dash(r.and_then(|r| r.timestamp).map(format_ms));
        for p in &self.partitions {
            let mut row = vec![
                p.topic.clone(),
                p.partition.to_string(),
                p.earliest_offset.to_string(),
                p.latest_offset.to_string(),
                p.last_stable_offset.to_string(),
                or_dash(p.max_timestamp.map(|r| r.offset)),
                time(&p.max_timestamp),
            ];
            if self.at.is_some() {
                row.push(or_dash(p.at_time.map(|r| r.offset)));
                row.push(time(&p.at_time));
            }
            if held {
                row.push(or_dash(p.held_by.as_ref().map(|h| h.cell())));
            }
            table.row(row);
        }
        vec![Block::Table(table)]
    }
}
