//! `kctl users list [NAME...]`

use serde::Serialize;

use super::super::Ctx;
use crate::error::Result;
use crate::kafka::ScramCredential;
use crate::render::{Block, Render, Table};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only these users (each must have a SCRAM credential)
    #[arg(value_name = "NAME", value_parser = super::user_name)]
    pub names: Vec<String>,
}

/// The SCRAM credentials, one per user and mechanism.
#[derive(Debug, Serialize)]
pub struct Credentials {
    pub credentials: Vec<ScramCredential>,
}

impl Render for Credentials {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new(["USER", "MECHANISM", "ITERATIONS"]).numeric(&[2]);
        for c in &self.credentials {
            table.row([
                c.user.clone(),
                c.mechanism.to_string(),
                c.iterations.to_string(),
            ]);
        }
        vec![Block::Table(table)]
    }
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let names = super::super::dedup(args.names);
    let credentials = super::credentials_of(ctx.kafka()?, &names, "").await?;
    ctx.printer.print(&Credentials { credentials })
}
