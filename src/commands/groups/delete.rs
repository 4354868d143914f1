//! `kctl groups delete GROUP...`

use super::super::dedup;
use super::super::Ctx;
use super::{check_exist, load_groups};
use crate::error::{Error, Result};
use crate::render::plural;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Consumer groups to delete
    #[arg(required = true, value_name = "GROUP", value_parser = super::group_name, add = crate::complete::group_completer())]
    pub groups: Vec<String>,

    /// Delete without asking (required when there is no terminal to ask on)
    #[arg(short = 'y', long)]
    pub yes: bool,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let names = dedup(args.groups);
    let kafka = ctx.kafka()?;

    // Check every group first, so a typo or a live group deletes nothing.
    let groups = load_groups(kafka, &names).await?;
    // Share groups are deleted apart (asked only for names that are no consumer group).
    if groups.iter().any(|g| !g.exists()) {
        if let Some(share) = super::share::share_groups_among(kafka, &names).await {
            if !share.is_empty() && share.len() == names.len() {
                return super::share::delete(ctx, &names, args.yes).await;
            }
            if !share.is_empty() {
                return Err(super::share::mixed_error(&share));
            }
        }
    }
    check_exist(&groups, "; nothing was deleted")?;
    let active: Vec<String> = groups
        .iter()
        .filter(|g| g.is_active())
        .map(|g| {
            format!(
                "'{}' ({}, {} active {})",
                g.info.group,
                g.info.state.name(),
                g.info.members.len(),
                plural(g.info.members.len(), "member", "members")
            )
        })
        .collect();
    if !active.is_empty() {
        return Err(Error::runtime(format!(
            "cannot delete consumer {} with active members: {}; nothing was deleted",
            plural(active.len(), "group", "groups"),
            active.join(", ")
        ))
        .with_hint("stop the group's consumers first"));
    }

    let deleted = super::super::confirm_and_delete(
        ctx,
        ("consumer group", "consumer groups"),
        &names,
        args.yes,
        || kafka.delete_groups(&names),
    )
    .await?;
    ctx.printer.print(&deleted)
}
