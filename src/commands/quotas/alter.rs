//! `kctl quotas alter ENTITY --set KEY=VALUE... --delete KEY... [--dry-run]`: the broker
//! validates every change first (nothing changes when one is refused: a quota name Kafka does
//! not know, a bad value), then applies them, and each prints as old -> new.

use serde::Serialize;

use super::super::Ctx;
use super::{entity_view, value_text, EntityArgs, EntityPart};
use crate::cli::parse_key_value;
use crate::error::{Error, Result};
use crate::kafka::QuotaOp;
use crate::render::{or_dash, plural, Block, Render};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl quotas alter --user alice --set producer_byte_rate=1048576 --dry-run\n  \
    kctl quotas alter --default-client-id --set consumer_byte_rate=2097152\n  \
    kctl quotas alter --user alice --client-id app-1 --delete request_percentage\n  \
    kctl quotas alter --ip 10.0.0.7 --set connection_creation_rate=10\n\n\
    Kafka's quotas: producer_byte_rate, consumer_byte_rate, request_percentage,\n\
    controller_mutation_rate (users and client ids), connection_creation_rate (IPs).")]
pub struct Args {
    #[command(flatten)]
    pub entity: EntityArgs,

    #[command(flatten)]
    pub changes: QuotaChanges,

    /// Have the broker validate the changes without applying them
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, clap::Args)]
#[group(required = true, multiple = true)]
pub struct QuotaChanges {
    /// Set a quota (repeatable), e.g. --set producer_byte_rate=1048576
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub set: Vec<(String, String)>,

    /// Remove a quota (repeatable, or comma-separated)
    #[arg(long = "delete", value_name = "KEY", value_delimiter = ',')]
    pub delete: Vec<String>,
}

impl QuotaChanges {
    /// The operations; a value that is no number, or a key named twice, is a usage error.
    pub fn ops(&self) -> Result<Vec<QuotaOp>> {
        let mut ops = Vec::new();
        for (k, v) in &self.set {
            let value: f64 = v
                .trim()
                .parse()
                .ok()
                .filter(|x: &f64| x.is_finite())
                .ok_or_else(|| {
                    Error::usage(format!("invalid value '{v}' for quota '{k}': not a number"))
                })?;
            ops.push(QuotaOp::Set(k.clone(), value));
        }
        ops.extend(self.delete.iter().map(|k| QuotaOp::Delete(k.clone())));
        let mut seen = std::collections::HashSet::new();
        for op in &ops {
            let key = match op {
                QuotaOp::Set(k, _) | QuotaOp::Delete(k) => k,
            };
            if key.is_empty() {
                return Err(Error::usage("a quota name cannot be empty"));
            }
            if !seen.insert(key.clone()) {
                return Err(Error::usage(format!(
                    "quota '{key}' is named more than once (--set and --delete name each quota once)"
                )));
            }
        }
        Ok(ops)
    }
}

#[derive(Debug, Serialize)]
pub struct QuotasAltered {
    pub dry_run: bool,
    pub entity: Vec<EntityPart>,
    pub changes: Vec<QuotaChange>,
}

#[derive(Debug, Serialize)]
pub struct QuotaChange {
    pub quota: String,
    /// `set` or `delete`.
    pub action: &'static str,
    /// `null`: not set before.
    pub old_value: Option<f64>,
    /// `null`: not set after.
    pub new_value: Option<f64>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let entity = args.entity.entity()?;
    let ops = args.changes.ops()?;
    let kafka = ctx.kafka()?;
    let before = kafka.describe_quotas(&args.entity.filter(), true).await?;
    let old = before
        .into_iter()
        .find(|e| e.entity == entity)
        .map(|e| e.values)
        .unwrap_or_default();
    // Validated first: nothing changes when the broker refuses one of them.
    kafka.alter_quotas(&entity, &ops, true).await?;
    if !args.dry_run {
        kafka.alter_quotas(&entity, &ops, false).await?;
    }
    let changes = ops
        .iter()
        .map(|op| match op {
            QuotaOp::Set(k, v) => QuotaChange {
                quota: k.clone(),
                action: "set",
                old_value: old.get(k).copied(),
                new_value: Some(*v),
            },
            QuotaOp::Delete(k) => QuotaChange {
                quota: k.clone(),
                action: "delete",
                old_value: old.get(k).copied(),
                new_value: None,
            },
        })
        .collect();
    ctx.printer.print(&QuotasAltered {
        dry_run: args.dry_run,
        entity: entity_view(&entity),
        changes,
    })?;
    if args.dry_run {
        ctx.printer
            .note("Dry run: the broker validated the changes; nothing was changed.");
    }
    Ok(())
}

impl Render for QuotasAltered {
    fn blocks(&self) -> Vec<Block> {
        let verb = match self.dry_run {
            true => "would alter",
            false => "altered",
        };
        let mut blocks = vec![Block::Line(format!(
            "{verb} the quotas of {} ({} {}):",
            super::entity_text(&self.entity),
            self.changes.len(),
            plural(self.changes.len(), "quota", "quotas")
        ))];
        for c in &self.changes {
            blocks.push(Block::Line(format!(
                "  {} {} -> {}",
                c.quota,
                or_dash(c.old_value.map(value_text)),
                or_dash(c.new_value.map(value_text))
            )));
        }
        blocks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_numbers_and_names_once() {
        let changes = |set: &[(&str, &str)], delete: &[&str]| QuotaChanges {
            set: set
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            delete: delete.iter().map(|k| k.to_string()).collect(),
        };
        let ops = changes(&[("producer_byte_rate", "1024")], &["request_percentage"])
            .ops()
            .unwrap();
        assert_eq!(ops[0], QuotaOp::Set("producer_byte_rate".into(), 1024.0));
        let e = changes(&[("producer_byte_rate", "fast")], &[])
            .ops()
            .unwrap_err();
        assert!(e.message().contains("not a number"), "{e}");
        assert!(changes(&[("a", "1")], &["a"]).ops().is_err());
        assert!(changes(&[("a", "inf")], &[]).ops().is_err());
    }
}
