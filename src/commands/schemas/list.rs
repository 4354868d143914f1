//! `kctl schemas list`

use serde::Serialize;

use super::super::Ctx;
use crate::error::Result;
use crate::render::{Block, Render, Table};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Include soft-deleted subjects
    #[arg(long)]
    pub deleted: bool,
}

/// `{"subjects": ["orders-value", ...]}`, sorted.
#[derive(Debug, Serialize)]
pub struct SubjectList {
    pub subjects: Vec<String>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let registry = ctx.registry()?;
    let subjects = registry
        .call(move |client| client.subjects(args.deleted))
        .await?;
    ctx.printer.print(&SubjectList { subjects })
}

impl Render for SubjectList {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new(["SUBJECT"]);
        for s in &self.subjects {
            table.row([s.clone()]);
        }
        vec![Block::Table(table)]
    }
}
