//! `kctl config contexts`

use serde::Serialize;

use super::super::Ctx;
use crate::error::Result;
use crate::render::{or_dash, Block, Render, Table};

#[derive(Debug, clap::Args)]
pub struct Args {}

#[derive(Debug, Serialize)]
pub struct ContextList {
    pub config_file: Option<String>,
    /// The context in use (--context, KCTL_CONTEXT or the file's current-context).
    pub current_context: Option<String>,
    pub contexts: Vec<ContextSummary>,
}

#[derive(Debug, Serialize)]
pub struct ContextSummary {
    pub name: String,
    pub current: bool,
    pub brokers: Option<String>,
    pub tls: bool,
    pub sasl_mechanism: Option<String>,
}

pub fn run(_args: Args, ctx: &Ctx) -> Result<()> {
    let config = super::load()?;
    let current = ctx.settings.context.clone();
    // Listing still works (so `kctl config use` can fix it), but says so.
    if let Some(name) = current.as_deref().filter(|n| config.context(n).is_none()) {
        ctx.printer.warn(format!(
            "the context in use, '{name}', is not defined in {}",
            config.display_path()
        ));
    }
    let contexts = config
        .file
        .contexts
        .iter()
        .map(|(name, c)| ContextSummary {
            name: name.clone(),
            current: current.as_deref() == Some(name),
            brokers: c.brokers.clone(),
            tls: c.tls.as_ref().is_some_and(|t| t.enabled != Some(false)),
            sasl_mechanism: c.sasl.as_ref().map(|s| s.mechanism.as_str().to_string()),
        })
        .collect();
    ctx.printer.print(&ContextList {
        config_file: config.path.as_ref().map(|p| p.display().to_string()),
        current_context: current,
        contexts,
    })
}

impl Render for ContextList {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new(["CURRENT", "NAME", "BROKERS", "TLS", "SASL"]);
        for c in &self.contexts {
            table.row([
                if c.current { "*" } else { "" }.to_string(),
                c.name.clone(),
                or_dash(c.brokers.as_ref()),
                if c.tls { "yes" } else { "no" }.to_string(),
                or_dash(c.sasl_mechanism.as_ref()),
            ]);
        }
        vec![Block::Table(table)]
    }
}
