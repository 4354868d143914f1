//! `kctl config use NAME`

use serde::Serialize;

use super::super::Ctx;
use crate::error::{Error, Result};
use crate::render::{Block, Render};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The context to make current
    #[arg(add = crate::complete::context_completer())]
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct Switched {
    pub current_context: String,
    pub previous_context: Option<String>,
    pub config_file: String,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let config = super::load()?;
    let Some(path) = config.path.clone().filter(|_| config.exists) else {
        return Err(super::no_config_file(&config));
    };
    if config.context(&args.name).is_none() {
        return Err(config.unknown_context(&args.name));
    }
    // Edit the document rather than re-serialise it, so comments and layout stay.
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::runtime(format!("cannot read {}: {e}", path.display())))?;
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        Error::usage(format!(
            "invalid config file {}: {}",
            path.display(),
            e.message()
        ))
    })?;
    doc["current-context"] = toml_edit::value(args.name.clone());
    std::fs::write(&path, doc.to_string())
        .map_err(|e| Error::runtime(format!("cannot write {}: {e}", path.display())))?;
    if let Ok(env) = std::env::var("KCTL_CONTEXT") {
        if !env.is_empty() && env != args.name {
            ctx.printer.warn(format!(
                "KCTL_CONTEXT={env} is set and takes precedence over the file's current-context"
            ));
        }
    }
    ctx.printer.print(&Switched {
        current_context: args.name,
        previous_context: config.file.current_context.clone(),
        config_file: path.display().to_string(),
    })
}

impl Render for Switched {
    fn blocks(&self) -> Vec<Block> {
        vec![Block::Line(format!(
            "Switched to context \"{}\".",
            self.current_context
        ))]
    }
}
