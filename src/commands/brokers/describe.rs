//! `kctl brokers describe ID [--all-configs]`

use serde::Serialize;

use super::super::topics::configs::{rows, table, ConfigRow};
use super::super::Ctx;
use super::BrokerRef;
use crate::error::Result;
use crate::kafka::{ConfigResource, ConfigSource};
use crate::render::{or_dash, Block, Render};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The broker's id
    #[arg(value_name = "ID", value_parser = super::broker_id, add = crate::complete::broker_completer())]
    pub id: i32,

    /// Show every config (static, default and read-only ones included), not only the dynamic
    /// ones set on the broker
    #[arg(short = 'a', long)]
    pub all_configs: bool,
}

#[derive(Debug, Serialize)]
pub struct BrokerDescription {
    pub broker: BrokerRef,
    pub configs: Vec<ConfigRow>,
    #[serde(skip)]
    pub all: bool,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let kafka = ctx.kafka()?;
    let node = super::resolve(kafka, args.id, "").await?;
    let entries = kafka
        .resource_configs(&ConfigResource::Broker(args.id))
        .await?;
    ctx.printer.print(&BrokerDescription {
        broker: BrokerRef::from(node),
        configs: rows(entries, args.all_configs, ConfigSource::DynamicBroker),
        all: args.all_configs,
    })
}

impl Render for BrokerDescription {
    fn blocks(&self) -> Vec<Block> {
        let b = &self.broker;
        let mut blocks = vec![
            Block::Line(format!(
                "Broker: {}  Host: {}:{}  Rack: {}",
                b.id,
                b.host,
                b.port,
                or_dash(b.rack.as_deref())
            )),
            Block::Line(String::new()),
            Block::Line(if self.all {
                format!("All configs of broker {}:", b.id)
            } else {
                format!("Dynamic configs of broker {}:", b.id)
            }),
        ];
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
