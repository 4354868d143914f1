//! `kctl transactions producers TOPIC[:P,...]... [--broker ID]`

use serde::Serialize;

use super::super::groups::reset_offsets::{parse_topic_spec, TopicSpec};
use super::super::offsets::format_ms;
use super::super::Ctx;
use crate::error::Result;
use crate::kafka::{PartitionProducers, ProducerState};
use crate::render::{or_dash, Block, Render, Table};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl transactions producers orders\n  \
    kctl transactions producers orders:0,1 payments -o json\n  \
    kctl transactions producers orders:0 --broker 2   # as a follower holds them")]
pub struct Args {
    /// Topics, or some of their partitions
    #[arg(value_name = "TOPIC[:P[,P...]]", required = true, value_parser = parse_topic_spec,
          add = crate::complete::topic_completer())]
    pub topics: Vec<TopicSpec>,

    /// Ask this broker (a replica of each partition) instead of the leaders
    #[arg(long, value_name = "ID", value_parser = clap::value_parser!(i32).range(0..))]
    pub broker: Option<i32>,
}

#[derive(Debug, Serialize)]
pub struct Producers {
    pub partitions: Vec<PartitionView>,
}

#[derive(Debug, Serialize)]
pub struct PartitionView {
    pub topic: String,
    pub partition: i32,
    /// The broker that answered (the leader unless --broker).
    pub broker: i32,
    pub producers: Vec<ProducerView>,
}

#[derive(Debug, Serialize)]
pub struct ProducerView {
    pub producer_id: i64,
    pub producer_epoch: i32,
    pub last_sequence: i32,
    /// The timestamp of its last record (ms since the epoch).
    pub last_timestamp_ms: i64,
    /// The coordinator epoch of its last transaction marker; `null` before any.
    pub coordinator_epoch: Option<i32>,
    /// The first offset of its open transaction; `null` with none open.
    pub transaction_start_offset: Option<i64>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let kafka = ctx.kafka()?;
    let cluster = kafka.metadata().await?;
    let partitions = super::resolve(kafka, &cluster, &args.topics).await?;
    let found = kafka
        .describe_producers(&cluster, &partitions, args.broker)
        .await?;
    ctx.printer.print(&view(found))
}

pub fn producer_view(s: ProducerState) -> ProducerView {
    ProducerView {
        producer_id: s.producer_id,
        producer_epoch: s.producer_epoch,
        last_sequence: s.last_sequence,
        last_timestamp_ms: s.last_timestamp,
        coordinator_epoch: s.coordinator_epoch,
        transaction_start_offset: s.transaction_start_offset,
    }
}

pub fn view(found: Vec<PartitionProducers>) -> Producers {
    Producers {
        partitions: found
            .into_iter()
            .map(|p| PartitionView {
                topic: p.topic,
                partition: p.partition,
                broker: p.broker,
                producers: p.producers.into_iter().map(producer_view).collect(),
            })
            .collect(),
    }
}

impl Render for Producers {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new([
            "TOPIC",
            "PARTITION",
            "PRODUCER-ID",
            "EPOCH",
            "LAST-SEQUENCE",
            "LAST-TIMESTAMP",
            "COORDINATOR-EPOCH",
            "TXN-START-OFFSET",
        ])
        .numeric(&[1, 2, 3, 4, 6, 7]);
        for p in &self.partitions {
            for s in &p.producers {
                table.row([
                    p.topic.clone(),
                    p.partition.to_string(),
                    s.producer_id.to_string(),
                    s.producer_epoch.to_string(),
                    s.last_sequence.to_string(),
                    format_ms(s.last_timestamp_ms),
                    or_dash(s.coordinator_epoch),
                    or_dash(s.transaction_start_offset),
                ]);
            }
        }
        let mut blocks = vec![Block::Table(table)];
        let idle: Vec<String> = self
            .partitions
            .iter()
            .filter(|p| p.producers.is_empty())
            .map(|p| format!("{}:{}", p.topic, p.partition))
            .collect();
        if !idle.is_empty() {
            blocks.push(Block::Line(format!(
                "No active producer on {}",
                idle.join(", ")
            )));
        }
        blocks
    }
}
