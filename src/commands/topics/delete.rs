//! `kctl topics delete NAME...`

use serde::Serialize;

use super::super::Ctx;
use crate::error::Result;
use crate::render::{Block, Render};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Topics to delete
    #[arg(required = true, value_name = "NAME", value_parser = super::topic_name, add = crate::complete::topic_completer())]
    pub names: Vec<String>,

    /// Delete without asking (required when there is no terminal to ask on)
    #[arg(short = 'y', long)]
    pub yes: bool,
}

#[derive(Debug, Serialize)]
pub struct Deleted {
    pub deleted: Vec<String>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let mut names = args.names;
    names.dedup();
    let kafka = ctx.kafka()?;

    // Check every name first, so a typo deletes nothing.
    let cluster = kafka.metadata().await?;
    super::require_topics(&cluster, &names, "; nothing was deleted")?;

    let deleted =
        super::super::confirm_and_delete(ctx, ("topic", "topics"), &names, args.yes, || {
            kafka.delete_topics(&names)
        })
        .await?;
    ctx.printer.print(&Deleted { deleted })
}

impl Render for Deleted {
    fn blocks(&self) -> Vec<Block> {
        self.deleted
            .iter()
            .map(|n| Block::Line(format!("deleted topic \"{n}\"")))
            .collect()
    }
}
