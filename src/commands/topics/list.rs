//! `kctl topics list`

use serde::Serialize;

use super::super::Ctx;
use crate::error::Result;
use crate::kafka::{ClusterInfo, SizesOf};
use crate::render::{Block, Render, Table};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Include internal topics such as __consumer_offsets
    #[arg(long)]
    pub internal: bool,
    /// Show each topic's size on disk, all replicas (asks every broker, DescribeLogDirs)
    #[arg(long)]
    pub size: bool,
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
    /// With --size: bytes on disk of all its replicas (`null`: a broker did not answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<Option<i64>>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    // Without sizes, a connection of kctl's own where it can (one connection, one round trip).
    let quick = match args.size {
        false => crate::kafka::quick_metadata(ctx.client()?).await,
        true => None,
    };
    let (cluster, filtered) = match quick {
        Some(answer) => answer?,
        None => {
            let kafka = ctx.kafka()?;
            let (cluster, filtered) = tokio::join!(kafka.metadata(), kafka.listing_filtered_for());
            (cluster?, filtered)
        }
    };
    if let Some(principal) = filtered {
        ctx.printer.warn(format!(
            "showing only the topics {principal} may describe (Kafka leaves out the others)"
        ));
    }
    let mut topics = list(&cluster, args.internal);
    if args.size {
        let sizes = super::sizes::fetch(ctx, &cluster.brokers, SizesOf::AllTopics).await?;
        for t in &mut topics.topics {
            let info = cluster.topic(&t.name);
            t.size_bytes = Some(info.and_then(|i| super::sizes::topic_size(&sizes, i)));
        }
        let shown: Vec<&crate::kafka::TopicInfo> = topics
            .topics
            .iter()
            .filter_map(|t| cluster.topic(&t.name))
            .collect();
        super::sizes::warn_unexplained(ctx, &sizes, &shown, false);
    }
    ctx.printer.print(&topics)
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
            size_bytes: None,
        })
        .collect();
    topics.sort_by(|a, b| a.name.cmp(&b.name));
    TopicList { topics }
}

impl Render for TopicList {
    fn blocks(&self) -> Vec<Block> {
        let sized = self.topics.iter().any(|t| t.size_bytes.is_some());
        let mut header = vec!["NAME", "PARTITIONS", "REPLICATION-FACTOR"];
        if sized {
            header.push("SIZE");
        }
        let mut table = Table::new(header).numeric(&[1, 2, 3]);
        for t in &self.topics {
            let mut row = vec![
                t.name.clone(),
                t.partitions.to_string(),
                t.replication_factor.to_string(),
            ];
            if let Some(size) = t.size_bytes {
                row.push(super::sizes::human(size));
            }
            table.row(row);
        }
        vec![Block::Table(table)]
    }
}
