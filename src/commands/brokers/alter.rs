//! `kctl brokers alter ID|--default --set KEY=VALUE... --delete KEY... [--dry-run]`

use serde::Serialize;

use super::super::topics::alter::{alter, change_blocks, dry_run_note, Change, Changes};
use super::super::Ctx;
use crate::error::Result;
use crate::kafka::ConfigResource;
use crate::render::{Block, Render};

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("target").required(true))]
#[command(after_help = "Examples:\n  \
    kctl brokers alter 1 --set log.cleaner.threads=2 --dry-run\n  \
    kctl brokers alter 1 --set log.cleaner.threads=2\n  \
    kctl brokers alter 1 --delete log.cleaner.threads\n  \
    kctl brokers alter --default --set log.cleaner.threads=2")]
pub struct Args {
    /// The broker's id
    #[arg(value_name = "ID", value_parser = super::broker_id, group = "target", add = crate::complete::broker_completer())]
    pub id: Option<i32>,

    /// Change the cluster-wide default of all brokers instead of one broker (kafka-configs
    /// --entity-default)
    #[arg(long, group = "target")]
    pub default: bool,

    #[command(flatten)]
    pub changes: Changes,

    /// Have the broker validate the changes without applying them
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Serialize)]
pub struct BrokerAltered {
    pub dry_run: bool,
    /// The broker's id; `None` for the cluster-wide default.
    pub broker: Option<i32>,
    /// Whether the cluster-wide default of all brokers was altered.
    pub default: bool,
    pub changes: Vec<Change>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let ops = args.changes.ops()?;
    let kafka = ctx.kafka()?;
    let resource = match args.id {
        Some(id) if !args.default => {
            super::resolve(kafka, id, "; nothing was changed").await?;
            ConfigResource::Broker(id)
        }
        _ => ConfigResource::BrokerDefault,
    };
    let mut changes = alter(ctx, std::slice::from_ref(&resource), &ops, args.dry_run).await?;
    ctx.printer.print(&BrokerAltered {
        dry_run: args.dry_run,
        broker: args.id.filter(|_| !args.default),
        default: resource == ConfigResource::BrokerDefault,
        changes: changes.pop().unwrap_or_default(),
    })?;
    dry_run_note(ctx, args.dry_run);
    Ok(())
}

impl Render for BrokerAltered {
    fn blocks(&self) -> Vec<Block> {
        let label = match self.broker {
            Some(id) => format!("broker {id}"),
            None => "the cluster-wide broker default".to_string(),
        };
        change_blocks(&label, &self.changes, self.dry_run)
    }
}
