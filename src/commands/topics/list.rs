//! `kctl topics list`

use serde::Serialize;

use super::super::Ctx;
use crate::error::Result;
use crate::kafka::ClusterInfo;
use crate::render::{Block, Render, Table};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Include internal topics such as __consumer_offsets
    #[arg(long)]
    pub internal: bool,
}

#[derive(Debug, Serialize)]
pub struct TopicList {
    pub topics: Vec<TopicSummary>,
}

#[derive(Debug, Serialize)]
pub struct TopicSummary {
    pub name: String,
    pub partitions: usize,
    pub replication_factor: usize,
    pub internal: bool,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let kafka = ctx.kafka()?;
    let (cluster, filtered) = tokio::join!(kafka.metadata(), kafka.listing_filtered_for());
    let cluster = cluster?;
    if let Some(principal) = filtered {
        ctx.printer.warn(format!(
            "showing only the topics {principal} may describe (Kafka leaves out the others)"
        ));
    }
    ctx.printer.print(&list(&cluster, args.internal))
}

pub fn list(cluster: &ClusterInfo, internal: bool) -> TopicList {
    let mut topics: Vec<TopicSummary> = cluster
        .topics
        .iter()
        .filter(|t| internal || !t.is_internal())
        .filter(|t| t.error.is_none())
        .map(|t| TopicSummary {
            name: t.name.clone(),
            partitions: t.partitions.len(),
            replication_factor: t.replication_factor(),
            internal: t.is_internal(),
        })
        .collect();
    topics.sort_by(|a, b| a.name.cmp(&b.name));
    TopicList { topics }
}

impl Render for TopicList {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new(["NAME", "PARTITIONS", "REPLICATION-FACTOR"]).numeric(&[1, 2]);
        for t in &self.topics {
            table.row([
                t.name.clone(),
                t.partitions.to_string(),
                t.replication_factor.to_string(),
            ]);
        }
        vec![Block::Table(table)]
    }
}
