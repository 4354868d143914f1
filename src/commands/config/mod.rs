//! `kctl config ...`: the config file's contexts.

pub mod contexts;
pub mod current;
pub mod use_context;
pub mod view;

use clap::Subcommand;

use super::Ctx;
use crate::config::Config;
use crate::error::{Error, Result};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the contexts in the config file
    #[command(visible_alias = "ls")]
    Contexts(contexts::Args),
    /// Make a context the current one (writes current-context to the config file)
    Use(use_context::Args),
    /// Print the context in use and where that choice comes from
    Current(current::Args),
    /// Show the config file, secrets shown as ***
    View(view::Args),
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::Contexts(args) => contexts::run(args, ctx),
        Command::Use(args) => use_context::run(args, ctx),
        Command::Current(args) => current::run(args, ctx),
        Command::View(args) => view::run(args, ctx),
    }
}

/// The config file, loaded again (settings were resolved from it already, with its warnings).
fn load() -> Result<Config> {
    Config::load()
}

fn no_config_file(config: &Config) -> Error {
    Error::usage(format!(
        "there is no config file at {}",
        config.display_path()
    ))
    .with_hint("create it (see the Contexts section of the README) or point KCTL_CONFIG at one")
}
