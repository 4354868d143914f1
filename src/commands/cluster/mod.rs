//! `kctl cluster ...`

pub mod describe;

use clap::Subcommand;

use super::Ctx;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the cluster id, the controller and the brokers with the partitions each leads and
    /// replicates
    Describe(describe::Args),
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::Describe(args) => describe::run(args, ctx).await,
    }
}
