//! `kctl schemas versions SUBJECT`

use serde::Serialize;

use super::super::Ctx;
use crate::error::Result;
use crate::render::{Block, Render, Table};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The subject
    #[arg(value_name = "SUBJECT", value_parser = super::subject_name, add = crate::complete::subject_completer())]
    pub subject: String,

    /// Include soft-deleted versions
    #[arg(long)]
    pub deleted: bool,
}

/// `{"subject": "orders-value", "versions": [1, 2]}`, ascending.
#[derive(Debug, Serialize)]
pub struct VersionList {
    pub subject: String,
    pub versions: Vec<i32>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let registry = ctx.registry()?;
    let subject = args.subject.clone();
    let versions = registry
        .call(move |client| client.versions(&subject, args.deleted))
        .await?;
    ctx.printer.print(&VersionList {
        subject: args.subject,
        versions,
    })
}

impl Render for VersionList {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new(["VERSION"]).numeric(&[0]);
        for v in &self.versions {
            table.row([v.to_string()]);
        }
        vec![Block::Table(table)]
    }
}
