//! `kctl transactions describe ID...`

use serde::Serialize;

use super::super::offsets::format_ms;
use super::super::Ctx;
use super::{now_ms, PartitionRef};
use crate::error::Result;
use crate::kafka::TransactionDescription;
use crate::render::{or_dash, Block, Render, Table};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl transactions describe payments-tx-1\n  \
    kctl txn describe payments-tx-1 payments-tx-2 -o json")]
pub struct Args {
    /// Transactional ids
    #[arg(value_name = "ID", required = true, value_parser = transactional_id)]
    pub ids: Vec<String>,
}

/// clap value parser for a transactional id: not empty.
fn transactional_id(s: &str) -> std::result::Result<String, String> {
    if s.is_empty() {
        return Err("a transactional id cannot be empty".to_string());
    }
    Ok(s.to_string())
}

#[derive(Debug, Serialize)]
pub struct Described {
    pub transactions: Vec<DescribedTransaction>,
}

#[derive(Debug, Serialize)]
pub struct DescribedTransaction {
    pub transactional_id: String,
    /// The broker coordinating it.
    pub coordinator: i32,
    pub state: String,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub timeout_ms: i32,
    /// When the open transaction started (ms since the epoch); `null` with none open.
    pub start_time_ms: Option<i64>,
    /// How long it has been open (ms); `null` with none open.
    pub duration_ms: Option<i64>,
    /// The partitions in it (those written to, or still waiting for their markers).
    pub partitions: Vec<PartitionRef>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let ids = super::super::dedup(args.ids);
    let described = ctx.kafka()?.describe_transactions(&ids).await?;
    let now = now_ms();
    let transactions = described
        .into_iter()
        .map(|d| d.map(|d| view(d, now)))
        .collect::<Result<Vec<_>>>()?;
    ctx.printer.print(&Described { transactions })
}

pub fn view(d: TransactionDescription, now: i64) -> DescribedTransaction {
    DescribedTransaction {
        transactional_id: d.transactional_id,
        coordinator: d.coordinator,
        state: d.state,
        producer_id: d.producer_id,
        producer_epoch: d.producer_epoch,
        timeout_ms: d.timeout_ms,
        start_time_ms: d.start_time_ms,
        duration_ms: d.start_time_ms.map(|s| (now - s).max(0)),
        partitions: d
            .partitions
            .into_iter()
            .map(|(topic, partition)| PartitionRef { topic, partition })
            .collect(),
    }
}

/// `orders:0,1 events:2`.
pub fn partitions_text(partitions: &[PartitionRef]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut last: Option<&str> = None;
    for p in partitions {
        if last == Some(p.topic.as_str()) {
            if let Some(s) = out.last_mut() {
                s.push_str(&format!(",{}", p.partition));
            }
        } else {
            out.push(format!("{}:{}", p.topic, p.partition));
            last = Some(&p.topic);
        }
    }
    out.join(" ")
}

impl Render for Described {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new([
            "TRANSACTIONAL-ID",
            "COORDINATOR",
            "PRODUCER-ID",
            "EPOCH",
            "STATE",
            "TIMEOUT-MS",
            "STARTED",
            "DURATION-MS",
            "PARTITIONS",
        ])
        .numeric(&[1, 2, 3, 5, 7]);
        for t in &self.transactions {
            table.row([
                t.transactional_id.clone(),
                t.coordinator.to_string(),
                t.producer_id.to_string(),
                t.producer_epoch.to_string(),
                t.state.clone(),
                t.timeout_ms.to_string(),
                or_dash(t.start_time_ms.map(format_ms)),
                or_dash(t.duration_ms),
                match partitions_text(&t.partitions) {
                    p if p.is_empty() => "-".to_string(),
                    p => p,
                },
            ]);
        }
        vec![Block::Table(table)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_read_per_topic() {
        let p = |t: &str, n| PartitionRef {
            topic: t.into(),
            partition: n,
        };
        assert_eq!(
            partitions_text(&[p("a", 0), p("a", 1), p("b", 2)]),
            "a:0,1 b:2"
        );
        assert_eq!(partitions_text(&[]), "");
    }
}
