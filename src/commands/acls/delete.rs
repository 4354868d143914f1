//! `kctl acls delete FILTERS... [--yes]` (or `--all`): shows the matching ACLs, asks, and
//! deletes exactly those.

use serde::Serialize;

use super::super::Ctx;
use super::{acl_table, FilterArgs};
use crate::error::{Error, Result};
use crate::kafka::{Acl, AclFilter, Operation, Resource};
use crate::render::{plural, to_text, Block, Render};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl acls delete --principal User:alice --topic orders\n  \
    kctl acls delete --topic orders- --pattern prefixed --yes")]
pub struct Args {
    #[command(flatten)]
    pub filter: FilterArgs,

    /// Delete every ACL of the cluster (required to delete without any filter)
    #[arg(long)]
    pub all: bool,

    /// Delete without asking (required when there is no terminal to ask on)
    #[arg(short = 'y', long)]
    pub yes: bool,
}

/// What `acls delete` deleted.
#[derive(Debug, Serialize)]
pub struct Deleted {
    pub deleted: Vec<Acl>,
}

impl Render for Deleted {
    fn blocks(&self) -> Vec<Block> {
        let n = self.deleted.len();
        vec![
            Block::Line(format!("deleted {n} {}:", plural(n, "ACL", "ACLs"))),
            Block::Table(acl_table(&self.deleted)),
        ]
    }
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    if args.filter.is_empty() && !args.all {
        return Err(Error::usage(
            "acls delete needs a filter (--principal, --topic, --group, --transactional-id, \
             --cluster, --operation, --host, --allow/--deny, --pattern); --all deletes every ACL",
        ));
    }
    if args.all && !args.filter.is_empty() {
        return Err(Error::usage("--all deletes every ACL: it takes no filter"));
    }
    let filters = args.filter.filters()?;
    let kafka = ctx.kafka()?;
    // One who may not list ACLs (Describe on the cluster) may not delete them either (Alter
    // implies Describe): the refusal names what the command is for.
    let matching = super::matching(kafka, &filters)
        .await
        .map_err(|e| kafka.refused(e, Operation::Alter, Resource::Cluster))?;
    if matching.is_empty() {
        return Err(Error::not_found(
            "ACLs",
            "no ACL matches the filter; nothing was deleted",
        ));
    }
    let n = matching.len();
    let action = format!("delete {n} {}", plural(n, "ACL", "ACLs"));
    let details = to_text(&[Block::Table(acl_table(&matching))]);
    if !ctx
        .printer
        .confirm(&action, Some(details.trim_end()), args.yes)
        .await?
    {
        return Err(Error::runtime("aborted: nothing was deleted"));
    }
    // Exactly what was shown: one exact filter per ACL, so an ACL made meanwhile stays.
    let exact: Vec<AclFilter> = matching.iter().map(AclFilter::exact).collect();
    let mut deleted = Vec::new();
    let mut failed = Vec::new();
    for (acl, result) in matching.iter().zip(kafka.delete_acls(&exact).await?) {
        match result {
            Ok(gone) => deleted.extend(gone),
            Err(e) => failed.push(format!(
                "{} {} on {}: {e}",
                acl.principal, acl.operation, acl.name
            )),
        }
    }
    deleted.sort();
    deleted.dedup();
    if !failed.is_empty() {
        return Err(Error::runtime(format!(
            "cannot delete ACLs: {} ({} deleted)",
            failed.join("; "),
            deleted.len()
        )));
    }
    ctx.printer.print(&Deleted { deleted })
}
