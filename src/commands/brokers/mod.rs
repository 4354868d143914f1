//! `kctl brokers ...`: one broker's address, rack and configs, and changing its dynamic
//! configs; the same for the cluster-wide default of all brokers (`--default`).

pub mod alter;
pub mod describe;

use clap::Subcommand;

use super::Ctx;
use crate::error::{Error, Result};
use crate::kafka::{Kafka, Node};
use crate::render::join_ids;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show a broker's address, rack and dynamic configs, or the cluster-wide default's
    /// (--default); --all-configs: every config, with its source
    Describe(describe::Args),
    /// Set or delete dynamic configs of a broker, or the cluster-wide default (--default),
    /// printing each change as old -> new (--dry-run)
    Alter(alter::Args),
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::Describe(args) => describe::run(args, ctx).await,
        Command::Alter(args) => alter::run(args, ctx).await,
    }
}

/// The broker a command is about, checked to exist (`consequence` ends the error otherwise).
pub async fn resolve(kafka: &Kafka, id: i32, consequence: &str) -> Result<Node> {
    let cluster = kafka.describe_cluster().await?;
    if let Some(node) = cluster.nodes.iter().find(|n| n.id == id) {
        return Ok(node.clone());
    }
    let ids: Vec<i32> = cluster.nodes.iter().map(|n| n.id).collect();
    Err(Error::not_found(
        format!("broker {id}"),
        format!(
            "broker {id} does not exist (the cluster's brokers: {}){consequence}",
            join_ids(&ids)
        ),
    )
    .with_hint("`kctl cluster describe` lists the brokers"))
}

/// clap arguments for a broker id, completed from the cluster.
pub fn broker_id(s: &str) -> std::result::Result<i32, String> {
    s.parse::<i32>()
        .ok()
        .filter(|id| *id >= 0)
        .ok_or_else(|| format!("'{s}' is not a broker id (a number, 0 or more)"))
}

/// A broker for JSON.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BrokerRef {
    pub id: i32,
    pub host: String,
    pub port: u16,
    pub rack: Option<String>,
}

impl From<Node> for BrokerRef {
    fn from(n: Node) -> Self {
        BrokerRef {
            id: n.id,
            host: n.host,
            port: n.port,
            rack: n.rack,
        }
    }
}
