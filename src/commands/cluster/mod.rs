//! `kctl cluster ...`

pub mod describe;
pub mod features;
pub mod quorum;

use clap::Subcommand;

use super::Ctx;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the cluster id, the controller and the brokers with the partitions each leads and
    /// replicates
    Describe(describe::Args),
    /// Show the KRaft metadata quorum: the active controller, its epoch, and how far each
    /// voter and observer is behind it
    Quorum(quorum::Args),
    /// Show the feature levels the brokers support and the cluster has finalized
    /// (metadata.version)
    Features(features::Args),
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::Describe(args) => describe::run(args, ctx).await,
        Command::Quorum(args) => quorum::run(args, ctx).await,
        Command::Features(args) => features::run(args, ctx).await,
    }
}
