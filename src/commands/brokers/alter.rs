//! `kctl brokers alter ID --set KEY=VALUE... --delete KEY... [--dry-run]`

use serde::Serialize;

use super::super::topics::alter::{alter, change_blocks, dry_run_note, Change, Changes};
use super::super::Ctx;
use crate::error::Result;
use crate::kafka::ConfigResource;
use crate::render::{Block, Render};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl brokers alter 1 --set log.cleaner.threads=2 --dry-run\n  \
    kctl brokers alter 1 --delete log.cleaner.threads")]
pub struct Args {
    /// The broker's id
    #[arg(value_name = "ID", value_parser = super::broker_id, add = crate::complete::broker_completer())]
    pub id: i32,

    #[command(flatten)]
    pub changes: Changes,

    /// Have the broker validate the changes without applying them
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Serialize)]
pub struct BrokerAltered {
    pub dry_run: bool,
    /// The broker's id.
    pub broker: i32,
    pub changes: Vec<Change>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let ops = args.changes.ops()?;
    let kafka = ctx.kafka()?;
    super::resolve(kafka, args.id, "; nothing was changed").await?;
    let resource = ConfigResource::Broker(args.id);
    let mut changes = alter(ctx, std::slice::from_ref(&resource), &ops, args.dry_run).await?;
    ctx.printer.print(&BrokerAltered {
        dry_run: args.dry_run,
        broker: args.id,
        changes: changes.pop().unwrap_or_default(),
    })?;
    dry_run_note(ctx, args.dry_run);
    Ok(())
}

impl Render for BrokerAltered {
    fn blocks(&self) -> Vec<Block> {
        change_blocks(
            &format!("broker {}", self.broker),
            &self.changes,
            self.dry_run,
        )
    }
}
