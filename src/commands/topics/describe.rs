//! `kctl topics describe NAME...`

use std::collections::BTreeMap;

use serde::Serialize;

use super::super::Ctx;
use super::sizes::{self, ReplicaSizeOut};
use crate::error::Result;
use crate::kafka::{Code, OffsetSpec, SizesOf, TopicPartition};
use crate::render::{join_ids, or_dash, Block, Render, Table};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Topics to describe
    #[arg(required = true, value_name = "NAME", value_parser = super::topic_name, add = crate::complete::topic_completer())]
    pub names: Vec<String>,

    /// Also list every config with its value and source (as `kctl topics configs --all`)
    #[arg(long)]
    pub all_configs: bool,
}

#[derive(Debug, Serialize)]
pub struct Description {
    pub topics: Vec<TopicDescription>,
}

#[derive(Debug, Serialize)]
pub struct TopicDescription {
    pub name: String,
    pub partition_count: usize,
    pub replication_factor: usize,
    /// Configs not at Kafka's built-in default, as `kafka-topics --describe` shows them: set
    /// on the topic, or by the brokers (dynamic, cluster-wide default or server.properties).
    /// Sensitive values are `null`; the whole is `null` when the broker would not show them
    /// (no DescribeConfigs permission: a warning says so).
    pub configs: Option<BTreeMap<String, Option<String>>>,
    /// Bytes on disk of all its replicas; `null` when a broker holding one did not answer.
    pub size_bytes: Option<i64>,
    /// The sum of its partitions' `size_bytes` (its data once); `null` if any is.
    pub leader_size_bytes: Option<i64>,
    pub partitions: Vec<PartitionDescription>,
    /// With --all-configs: every config with its value and source; else `null`.
    pub all_configs: Option<Vec<super::configs::ConfigRow>>,
}

#[derive(Debug, Serialize)]
pub struct PartitionDescription {
    pub partition: i32,
    /// Broker id of the leader; `null` when the partition has none.
    pub leader: Option<i32>,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    /// `null` when the partition's leader could not answer.
    pub earliest_offset: Option<i64>,
    pub latest_offset: Option<i64>,
    /// latest_offset - earliest_offset: the messages a reader from the start would see
    /// (fewer on compacted or transactional topics).
    pub messages: Option<i64>,
    /// Bytes on disk of the leader's replica; `null` when unknown.
    pub size_bytes: Option<i64>,
    /// Each replica's size, as its broker reports it.
    pub replica_sizes: Vec<ReplicaSizeOut>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let names = super::super::dedup(args.names);
    let kafka = ctx.kafka()?;
    let cluster = kafka.metadata().await?;

    super::require_topics(kafka, &cluster, &names, "").await?;
    let topics: Vec<_> = names.iter().filter_map(|n| cluster.topic(n)).collect();
    let partitions: Vec<TopicPartition> = topics
        .iter()
        .flat_map(|t| {
            t.partitions
                .iter()
                .filter(|p| p.leader.is_some())
                .map(|p| (t.name.clone(), p.id))
        })
        .collect();

    let (configs, earliest, latest, sizes) = tokio::try_join!(
        kafka.topic_configs(&names),
        kafka.list_offsets(&partitions, OffsetSpec::Earliest),
        kafka.list_offsets(&partitions, OffsetSpec::Latest),
        sizes::fetch(ctx, &cluster.brokers, SizesOf::Topics(&topics)),
    )?;
    let mut all_configs = if args.all_configs {
        super::configs::topic_configs(kafka, &names).await?
    } else {
        Vec::new()
    }
    .into_iter();

    for (name, result) in &configs {
        match result {
            // The refusal names the topic already.
            Err(e) if e.code == Code::NotAuthorized => {
                ctx.printer.warn(format!("{e}, so they are not shown"));
            }
            Err(e) => ctx
                .printer
                .warn(format!("{e}: the configs of topic '{name}' are not shown")),
            Ok(_) => {}
        }
    }
    let description = Description {
        topics: topics
            .iter()
            .map(|t| {
                let mut parts: Vec<PartitionDescription> = t
                    .partitions
                    .iter()
                    .map(|p| {
                        let key = (t.name.clone(), p.id);
                        let lo = earliest.get(&key).and_then(|r| r.clone().ok());
                        let hi = latest.get(&key).and_then(|r| r.clone().ok());
                        PartitionDescription {
                            partition: p.id,
                            leader: p.leader,
                            replicas: p.replicas.clone(),
                            isr: p.isr.clone(),
                            earliest_offset: lo,
                            latest_offset: hi,
                            messages: lo.zip(hi).map(|(lo, hi)| (hi - lo).max(0)),
                            size_bytes: sizes::partition_size(&sizes, &t.name, p),
                            replica_sizes: sizes::replica_sizes(&sizes, &t.name, p),
                        }
                    })
                    .collect();
                parts.sort_by_key(|p| p.partition);
                TopicDescription {
                    name: t.name.clone(),
                    partition_count: t.partitions.len(),
                    replication_factor: t.replication_factor(),
                    configs: match configs.get(&t.name) {
                        Some(Err(_)) => None,
                        entries => Some(
                            entries
                                .and_then(|r| r.as_ref().ok())
                                .into_iter()
                                .flatten()
                                .filter(|c| !c.is_default)
                                .map(|c| (c.name.clone(), c.value.clone()))
                                .collect(),
                        ),
                    },
                    size_bytes: sizes::topic_size(&sizes, t),
                    leader_size_bytes: sizes::leader_size(&sizes, t),
                    partitions: parts,
                    all_configs: all_configs.next().map(|entries| {
                        super::configs::rows(
                            entries,
                            true,
                            crate::kafka::ConfigSource::DynamicTopic,
                        )
                    }),
                }
            })
            .collect(),
    };
    ctx.printer.print(&description)
}

impl Render for Description {
    fn blocks(&self) -> Vec<Block> {
        let mut blocks = Vec::new();
        for (i, t) in self.topics.iter().enumerate() {
            if i > 0 {
                blocks.push(Block::Line(String::new()));
            }
            let configs = match &t.configs {
                None => "?".to_string(),
                Some(c) if c.is_empty() => "-".to_string(),
                Some(c) => c
                    .iter()
                    .map(|(k, v)| format!("{k}={}", v.as_deref().unwrap_or("***")))
                    .collect::<Vec<_>>()
                    .join(","),
            };
            blocks.push(Block::Line(format!(
                "Topic: {}  PartitionCount: {}  ReplicationFactor: {}  {}  Configs: {}",
                t.name,
                t.partition_count,
                t.replication_factor,
                sizes::topic_part(t.size_bytes, t.leader_size_bytes),
                configs
            )));
            let mut table = Table::new([
                "PARTITION",
                "LEADER",
                "REPLICAS",
                "ISR",
                "EARLIEST",
                "LATEST",
                "MESSAGES",
                "SIZE",
            ])
            .numeric(&[0, 1, 4, 5, 6, 7]);
            for p in &t.partitions {
                table.row([
                    p.partition.to_string(),
                    or_dash(p.leader),
                    join_ids(&p.replicas),
                    join_ids(&p.isr),
                    or_dash(p.earliest_offset),
                    or_dash(p.latest_offset),
                    or_dash(p.messages),
                    sizes::human(p.size_bytes),
                ]);
            }
            blocks.push(Block::Table(table));
            if let Some(rows) = &t.all_configs {
                blocks.push(Block::Line(String::new()));
                blocks.push(Block::Table(super::configs::table(rows)));
            }
        }
        blocks
    }
}
