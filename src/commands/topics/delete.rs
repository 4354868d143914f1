//! `kctl topics delete NAME...`

use super::super::Ctx;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Topics to delete
    #[arg(required = true, value_name = "NAME", value_parser = super::topic_name, add = crate::complete::topic_completer())]
    pub names: Vec<String>,

    /// Delete without asking (required when there is no terminal to ask on)
    #[arg(short = 'y', long)]
    pub yes: bool,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let names = super::super::dedup(args.names);
    let kafka = ctx.kafka()?;

    // Check every name first, so a typo deletes nothing.
    let cluster = kafka.metadata().await?;
    super::require_topics(kafka, &cluster, &names, "; nothing was deleted").await?;

    let deleted =
        super::super::confirm_and_delete(ctx, ("topic", "topics"), &names, args.yes, || {
            kafka.delete_topics(&names)
        })
        .await?;
    ctx.printer.print(&deleted)
}
