//! `kctl brokers describe ID|--default [--all-configs]`

use serde::Serialize;

use super::super::topics::configs::{rows, table, ConfigRow};
use super::super::Ctx;
use super::BrokerRef;
use crate::error::Result;
use crate::kafka::{ConfigResource, ConfigSource};
use crate::render::{or_dash, Block, Render};

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("target").required(true))]
#[command(after_help = "Examples:\n  \
    kctl brokers describe 1 --all-configs\n  \
    kctl brokers describe --default")]
pub struct Args {
    /// The broker's id
    #[arg(value_name = "ID", value_parser = super::broker_id, group = "target", add = crate::complete::broker_completer())]
    pub id: Option<i32>,

    /// The cluster-wide default of all brokers instead of one broker (kafka-configs
    /// --entity-default)
    #[arg(long, group = "target")]
    pub default: bool,

    /// Show every config (static, default and read-only ones included), not only the dynamic
    /// ones set on the broker
    #[arg(short = 'a', long)]
    pub all_configs: bool,
}

#[derive(Debug, Serialize)]
pub struct BrokerDescription {
    /// `None` for the cluster-wide default.
    pub broker: Option<BrokerRef>,
    /// Whether this is the cluster-wide default of all brokers.
    pub default: bool,
    pub configs: Vec<ConfigRow>,
    #[serde(skip)]
    pub all: bool,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let kafka = ctx.kafka()?;
    let (broker, resource) = match args.id {
        Some(id) if !args.default => {
            let node = super::resolve(kafka, id, "").await?;
            (Some(BrokerRef::from(node)), ConfigResource::Broker(id))
        }
        _ => (None, ConfigResource::BrokerDefault),
    };
    let entries = kafka.resource_configs(&resource).await?;
    ctx.printer.print(&BrokerDescription {
        broker,
        default: resource == ConfigResource::BrokerDefault,
        configs: rows(entries, args.all_configs, ConfigSource::of(&resource)),
        all: args.all_configs,
    })
}

impl Render for BrokerDescription {
    fn blocks(&self) -> Vec<Block> {
        let mut blocks = match &self.broker {
            Some(b) => broker_heading(b, self.all),
            None => vec![Block::Line(if self.all {
                "All configs at the cluster-wide default of all brokers:".to_string()
            } else {
                "Dynamic configs set as the cluster-wide default of all brokers:".to_string()
            })],
        };
        if self.configs.is_empty() {
            blocks.push(Block::Line(
                "  none (--all-configs shows every config)".to_string(),
            ));
        } else {
            blocks.push(Block::Table(table(&self.configs)));
        }
        blocks
    }
}

/// The lines above one broker's configs.
fn broker_heading(b: &BrokerRef, all: bool) -> Vec<Block> {
    vec![
        Block::Line(format!(
            "Broker: {}  Host: {}:{}  Rack: {}",
            b.id,
            b.host,
            b.port,
            or_dash(b.rack.as_deref())
        )),
        Block::Line(String::new()),
        Block::Line(if all {
            format!("All configs of broker {}:", b.id)
        } else {
            format!("Dynamic configs of broker {}:", b.id)
        }),
    ]
}
