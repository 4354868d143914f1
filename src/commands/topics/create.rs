//! `kctl topics create NAME`

use std::collections::BTreeMap;

use serde::Serialize;

use super::super::Ctx;
use crate::cli::parse_key_value;
use crate::error::{Error, Result};
use crate::kafka::{Code, NewTopicSpec, Operation, Resource};
use crate::render::{Block, Render};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Name of the topic: 1-249 characters of letters, digits, '.', '_' and '-'
    #[arg(value_parser = super::topic_name)]
    pub name: String,

    /// Number of partitions, 1 to 100000 (librdkafka's limit) [default: the broker's
    /// num.partitions]
    #[arg(short = 'p', long, value_name = "N", allow_negative_numbers = true,
          value_parser = clap::value_parser!(i32).range(1..=crate::kafka::MAX_PARTITIONS))]
    pub partitions: Option<i32>,

    /// Replication factor, 1 to 10000 (librdkafka's limit) [default: the broker's
    /// default.replication.factor]
    #[arg(short = 'r', long, value_name = "R", allow_negative_numbers = true,
          value_parser = clap::value_parser!(i32).range(1..=crate::kafka::MAX_REPLICATION_FACTOR))]
    pub replication_factor: Option<i32>,

    /// A topic config, e.g. --config cleanup.policy=compact (repeatable)
    #[arg(short = 'c', long = "config", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub configs: Vec<(String, String)>,

    /// Succeed without changes when the topic already exists
    #[arg(long)]
    pub if_not_exists: bool,

    /// Have the broker validate the request without creating anything
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The topic was created.
    Created,
    /// It existed already (with --if-not-exists); nothing changed.
    Exists,
    /// The broker accepted the request in a dry run; nothing was created.
    Validated,
}

#[derive(Debug, Serialize)]
pub struct Created {
    pub name: String,
    pub status: Status,
    /// As requested; `null` means the broker's default.
    pub partitions: Option<i32>,
    pub replication_factor: Option<i32>,
    pub configs: BTreeMap<String, String>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let kafka = ctx.kafka()?;
    let spec = NewTopicSpec {
        name: args.name.clone(),
        partitions: args.partitions,
        replication_factor: args.replication_factor,
        configs: args.configs.clone(),
    };
    let status = match kafka.create_topic(&spec, args.dry_run).await? {
        Ok(()) if args.dry_run => Status::Validated,
        Ok(()) => Status::Created,
        Err(e) if e.code == Code::TopicAlreadyExists && args.if_not_exists => Status::Exists,
        Err(e) if e.code == Code::NotAuthorized => {
            return Err(kafka.refusal(Operation::Create, Resource::Topic(args.name)));
        }
        Err(e) => {
            let mut message = format!("cannot create topic '{}': {e}", args.name);
            if e.code == Code::InvalidConfig && !args.configs.is_empty() {
                // The broker's answer does not say which one: name what was asked for.
                let given: Vec<String> = args
                    .configs
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                message.push_str(&format!(" (--config {})", given.join(", ")));
            }
            let err = Error::runtime(message);
            return Err(match e.code {
                Code::TopicAlreadyExists => {
                    err.with_hint("pass --if-not-exists to accept an existing topic")
                }
                Code::InvalidReplicationFactor => {
                    err.with_hint("the replication factor cannot exceed the number of brokers")
                }
                _ => err,
            });
        }
    };
    // Return only once the topic can be used: `kctl topics create t && kctl produce t` must
    // not find it missing while the brokers' metadata catches up with the controller.
    if status == Status::Created && !kafka.wait_for_topic(&args.name, ctx.settings.timeout).await {
        ctx.printer.warn(format!(
            "topic '{}' was created, but the cluster metadata does not show it with a leader \
             for every partition yet",
            args.name
        ));
    }
    ctx.printer.print(&Created {
        name: args.name,
        status,
        partitions: args.partitions,
        replication_factor: args.replication_factor,
        configs: args.configs.into_iter().collect(),
    })
}

impl Render for Created {
    fn blocks(&self) -> Vec<Block> {
        let line = match self.status {
            Status::Created => format!("created topic \"{}\"", self.name),
            Status::Exists => format!("topic \"{}\" already exists; nothing changed", self.name),
            Status::Validated => format!(
                "topic \"{}\" can be created; nothing changed (dry run)",
                self.name
            ),
        };
        vec![Block::Line(line)]
    }
}
