//! `kctl quotas delete ENTITY [--dry-run] [--yes]`: removes every quota of one entity (asks
//! first: the entity is no longer throttled).

use std::collections::BTreeMap;

use serde::Serialize;

use super::super::Ctx;
use super::{entity_text, entity_view, value_text, EntityArgs, EntityPart};
use crate::error::{Error, Result};
use crate::kafka::QuotaOp;
use crate::render::{Block, Render};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl quotas delete --user alice --dry-run\n  \
    kctl quotas delete --default-client-id --yes")]
pub struct Args {
    #[command(flatten)]
    pub entity: EntityArgs,

    /// Only show what would be deleted
    #[arg(long)]
    pub dry_run: bool,

    /// Delete without asking (required when there is no terminal to ask on)
    #[arg(short = 'y', long)]
    pub yes: bool,
}

#[derive(Debug, Serialize)]
pub struct QuotasDeleted {
    pub dry_run: bool,
    pub entity: Vec<EntityPart>,
    /// The quotas removed, with the values they had.
    pub deleted: BTreeMap<String, f64>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let entity = args.entity.entity()?;
    let kafka = ctx.kafka()?;
    let found = kafka.describe_quotas(&args.entity.filter(), true).await?;
    let values = found
        .into_iter()
        .find(|e| e.entity == entity)
        .map(|e| e.values)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            Error::not_found(
                entity.describe(),
                format!("{} has no quotas; nothing was deleted", entity.describe()),
            )
        })?;
    let ops: Vec<QuotaOp> = values.keys().map(|k| QuotaOp::Delete(k.clone())).collect();
    let view = QuotasDeleted {
        dry_run: args.dry_run,
        entity: entity_view(&entity),
        deleted: values,
    };
    if args.dry_run {
        kafka.alter_quotas(&entity, &ops, true).await?;
        ctx.printer.print(&view)?;
        ctx.printer
            .note("Dry run: nothing was deleted. Run without --dry-run to delete these quotas.");
        return Ok(());
    }
    let action = format!("delete every quota of {}", entity.describe());
    let details = format!(
        "{} is then no longer throttled: {}",
        entity.describe(),
        view.deleted
            .iter()
            .map(|(k, v)| format!("{k}={}", value_text(*v)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !ctx
        .printer
        .confirm(&action, Some(&details), args.yes)
        .await?
    {
        return Err(Error::runtime("aborted: nothing was deleted"));
    }
    kafka.alter_quotas(&entity, &ops, false).await?;
    ctx.printer.print(&view)
}

impl Render for QuotasDeleted {
    fn blocks(&self) -> Vec<Block> {
        let verb = match self.dry_run {
            true => "would delete",
            false => "deleted",
        };
        let mut blocks = vec![Block::Line(format!(
            "{verb} the quotas of {}:",
            entity_text(&self.entity)
        ))];
        for (k, v) in &self.deleted {
            blocks.push(Block::Line(format!("  {k} {} -> -", value_text(*v))));
        }
        blocks
    }
}
