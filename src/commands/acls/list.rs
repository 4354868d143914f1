//! `kctl acls list [FILTERS]`

use super::super::Ctx;
use super::{AclList, FilterArgs};
use crate::error::Result;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl acls list\n  \
    kctl acls list --principal User:alice\n  \
    kctl acls list --topic orders --pattern match\n  \
    kctl acls list -o json > acls.json   # acls create --from-file acls.json reads it back")]
pub struct Args {
    #[command(flatten)]
    pub filter: FilterArgs,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let filters = args.filter.filters()?;
    let acls = super::matching(ctx.kafka()?, &filters).await?;
    ctx.printer.print(&AclList { acls })
}
