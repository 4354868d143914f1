//! `kctl topics delete NAME...`

use serde::Serialize;

use super::super::Ctx;
use crate::error::{Error, Result};
use crate::render::{Block, Render};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Topics to delete
    #[arg(required = true, value_name = "NAME", value_parser = super::topic_name, add = crate::complete::topic_completer())]
    pub names: Vec<String>,

    /// Delete without asking (required when there is no terminal to ask on)
    #[arg(short = 'y', long)]
    pub yes: bool,
}

#[derive(Debug, Serialize)]
pub struct Deleted {
    pub deleted: Vec<String>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let mut names = args.names;
    names.dedup();
    let kafka = ctx.kafka()?;

    // Check every name first, so a typo deletes nothing.
    let cluster = kafka.metadata().await?;
    let missing: Vec<&str> = names
        .iter()
        .filter(|n| cluster.topic(n).is_none_or(|t| t.error.is_some()))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(Error::runtime(format!(
            "{} not found: {}; nothing was deleted",
            if missing.len() == 1 {
                "topic"
            } else {
                "topics"
            },
            missing.join(", ")
        )));
    }

    let action = format!(
        "delete {} {}",
        if names.len() == 1 { "topic" } else { "topics" },
        names.join(", ")
    );
    if !ctx.printer.confirm(&action, args.yes)? {
        return Err(Error::runtime("aborted: nothing was deleted"));
    }

    let results = kafka.delete_topics(&names).await?;
    let mut deleted = Vec::new();
    let mut failed = Vec::new();
    for (name, result) in results {
        match result {
            Ok(()) => deleted.push(name),
            Err(e) => failed.push(format!("{name}: {e}")),
        }
    }
    if !failed.is_empty() {
        let mut message = format!("cannot delete {}", failed.join("; "));
        if !deleted.is_empty() {
            message.push_str(&format!(" (deleted: {})", deleted.join(", ")));
        }
        return Err(Error::runtime(message));
    }
    ctx.printer.print(&Deleted { deleted })
}

impl Render for Deleted {
    fn blocks(&self) -> Vec<Block> {
        self.deleted
            .iter()
            .map(|n| Block::Line(format!("deleted topic \"{n}\"")))
            .collect()
    }
}
