//! `kctl partitions ...`: partition leadership.

pub mod elect_leaders;

use clap::Subcommand;

use super::Ctx;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Elect the preferred replica (or, --unclean, any live one) as the leader of partitions
    ElectLeaders(elect_leaders::Args),
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::ElectLeaders(args) => elect_leaders::run(args, ctx).await,
    }
}
