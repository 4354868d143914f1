//! `kctl users delete NAME [--mechanism M...] [--yes]`

use serde::Serialize;

use super::super::Ctx;
use crate::error::{Error, Result};
use crate::kafka::{Operation, Resource, ScramMechanism};
use crate::render::{Block, Render};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The user
    #[arg(value_name = "NAME", value_parser = super::user_name)]
    pub name: String,

    /// Only this mechanism's credential (repeatable; default: every one the user has)
    #[arg(long = "mechanism", value_name = "MECHANISM", value_parser = super::mechanism, value_delimiter = ',')]
    pub mechanisms: Vec<ScramMechanism>,

    /// Delete without asking (required when there is no terminal to ask on)
    #[arg(short = 'y', long)]
    pub yes: bool,
}

/// What `users delete` deleted: the user and its mechanisms.
#[derive(Debug, Serialize)]
pub struct Deleted {
    pub user: String,
    pub deleted: Vec<ScramMechanism>,
}

impl Render for Deleted {
    fn blocks(&self) -> Vec<Block> {
        let mechanisms: Vec<&str> = self.deleted.iter().map(|m| m.as_str()).collect();
        vec![Block::Line(format!(
            "deleted user \"{}\": {}",
            self.user,
            mechanisms.join(", ")
        ))]
    }
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let kafka = ctx.kafka()?;
    let suffix = "; nothing was deleted";
    // Alter implies Describe: one who may not describe users may not delete them either.
    let existing = super::credentials_of(kafka, std::slice::from_ref(&args.name), suffix)
        .await
        .map_err(|e| kafka.refused(e, Operation::Alter, Resource::Cluster))?;
    let has: Vec<ScramMechanism> = existing.iter().map(|c| c.mechanism).collect();
    let mut mechanisms = if args.mechanisms.is_empty() {
        has.clone()
    } else {
        args.mechanisms.clone()
    };
    mechanisms.sort();
    mechanisms.dedup();
    if let Some(missing) = mechanisms.iter().find(|m| !has.contains(m)) {
        return Err(Error::not_found(
            format!("user '{}'", args.name),
            format!("user '{}' has no {missing} credential{suffix}", args.name),
        ));
    }
    let names: Vec<&str> = mechanisms.iter().map(|m| m.as_str()).collect();
    let action = format!(
        "delete the {} {} of user '{}'",
        names.join(" and "),
        crate::render::plural(names.len(), "credential", "credentials"),
        args.name
    );
    if !ctx.printer.confirm(&action, None, args.yes).await? {
        return Err(Error::runtime("aborted: nothing was deleted"));
    }
    kafka.delete_scram_user(&args.name, &mechanisms).await?;
    ctx.printer.print(&Deleted {
        user: args.name,
        deleted: mechanisms,
    })
}
