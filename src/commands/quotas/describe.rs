//! `kctl quotas describe [ENTITY] [--type user|client-id|ip]...`

use std::collections::BTreeMap;

use serde::Serialize;

use super::super::Ctx;
use super::{entity_text, entity_view, value_text, EntityArgs, EntityPart};
use crate::error::Result;
use crate::kafka::{QuotaEntry, QuotaMatch};
use crate::render::{Block, Render, Table};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl quotas describe                          # every quota\n  \
    kctl quotas describe --type user              # kafka-configs --entity-type users\n  \
    kctl quotas describe --user alice             # alice's own\n  \
    kctl quotas describe --default-user --client-id app-1")]
pub struct Args {
    #[command(flatten)]
    pub entity: EntityArgs,

    /// Every entity of this type (repeatable): with others named, only entities of exactly
    /// those types
    #[arg(long = "type", value_name = "TYPE",
          value_parser = clap::builder::PossibleValuesParser::new(["user", "client-id", "ip"]))]
    pub types: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Quotas {
    pub quotas: Vec<QuotaView>,
}

#[derive(Debug, Serialize)]
pub struct QuotaView {
    /// The entity's parts, in Kafka's order (user, client-id, ip); a `name` of `null` is the
    /// type's default.
    pub entity: Vec<EntityPart>,
    /// Each quota by its name (`producer_byte_rate`, ...).
    pub values: BTreeMap<String, f64>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let mut filter = args.entity.filter();
    for t in &args.types {
        if filter.iter().all(|(kind, _)| kind != t) {
            filter.push((t.clone(), QuotaMatch::Any));
        }
    }
    // Nothing named: every quota. Something named: exactly those types, as kafka-configs
    // describes an entity (a user's own quotas, not those of the user with a client id).
    let strict = !filter.is_empty();
    let entries = ctx.kafka()?.describe_quotas(&filter, strict).await?;
    ctx.printer.print(&view(entries))
}

pub fn view(entries: Vec<QuotaEntry>) -> Quotas {
    Quotas {
        quotas: entries
            .into_iter()
            .map(|e| QuotaView {
                entity: entity_view(&e.entity),
                values: e.values,
            })
            .collect(),
    }
}

impl Render for Quotas {
    fn blocks(&self) -> Vec<Block> {
        if self.quotas.is_empty() {
            return vec![Block::Line("No quotas".to_string())];
        }
        let mut table = Table::new(["ENTITY", "QUOTA", "VALUE"]).numeric(&[2]);
        for q in &self.quotas {
            for (name, value) in &q.values {
                table.row([entity_text(&q.entity), name.clone(), value_text(*value)]);
            }
        }
        vec![Block::Table(table)]
    }
}
