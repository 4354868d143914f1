//! `kctl config current`

use serde::Serialize;

use super::super::Ctx;
use crate::error::Result;
use crate::render::{Block, Render};

#[derive(Debug, clap::Args)]
pub struct Args {}

#[derive(Debug, Serialize)]
pub struct Current {
    /// The context in use, `null` for none.
    pub current_context: Option<String>,
    /// Where the choice comes from: `flag`, `environment` or `config_file`; `null` for none.
    pub source: Option<&'static str>,
    /// Whether the config file defines the context.
    pub defined: bool,
    pub config_file: Option<String>,
}

pub fn run(_args: Args, ctx: &Ctx) -> Result<()> {
    let config = super::load()?;
    let name = ctx.settings.context.clone();
    // Same order as the resolution: --context, then KCTL_CONTEXT, then the file.
    let flag = std::env::args().any(|a| a == "--context" || a.starts_with("--context="));
    let env = std::env::var("KCTL_CONTEXT").ok().filter(|e| !e.is_empty());
    let source = name.as_ref().map(|_| {
        if flag {
            "flag"
        } else if env.is_some() {
            "environment"
        } else {
            "config_file"
        }
    });
    // As for every other command, a context that is not defined is a usage error.
    if let Some(name) = name.as_deref().filter(|n| config.context(n).is_none()) {
        return Err(config.unknown_context(name));
    }
    let current = Current {
        defined: name.is_some(),
        current_context: name,
        source,
        config_file: config.path.as_ref().map(|p| p.display().to_string()),
    };
    if current.current_context.is_none() {
        ctx.printer
            .note("no context in use: the defaults apply (choose one with `kctl config use NAME`)");
    }
    ctx.printer.print(&current)
}

impl Render for Current {
    fn blocks(&self) -> Vec<Block> {
        self.current_context
            .iter()
            .map(|n| Block::Line(n.clone()))
            .collect()
    }
}
