//! `kctl partitions ...`: partition leadership and replica placement.

pub mod elect_leaders;
pub mod reassign;

use clap::Subcommand;

use super::Ctx;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Elect the preferred replica (or, --unclean, any live one) as the leader of partitions
    ElectLeaders(elect_leaders::Args),
    /// Move partitions' replicas between brokers: a plan (by default), --execute, --status,
    /// --cancel, as kafka-reassign-partitions does
    Reassign(reassign::Args),
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::ElectLeaders(args) => elect_leaders::run(args, ctx).await,
        Command::Reassign(args) => reassign::run(args, ctx).await,
    }
}
