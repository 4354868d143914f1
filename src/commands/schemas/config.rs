//! `kctl schemas config [SUBJECT] [--set LEVEL]`: the compatibility level.

use serde::Serialize;

use super::super::Ctx;
use crate::error::Result;
use crate::render::{Block, Render};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The subject (default: the registry's global level)
    #[arg(value_name = "SUBJECT", value_parser = super::subject_name, add = crate::complete::subject_completer())]
    pub subject: Option<String>,

    /// Set the level
    #[arg(long = "set", value_name = "LEVEL", ignore_case = true)]
    pub set: Option<Level>,
}

/// The compatibility levels (checked before any call).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Level {
    Backward,
    BackwardTransitive,
    Forward,
    ForwardTransitive,
    Full,
    FullTransitive,
    None,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Backward => "BACKWARD",
            Level::BackwardTransitive => "BACKWARD_TRANSITIVE",
            Level::Forward => "FORWARD",
            Level::ForwardTransitive => "FORWARD_TRANSITIVE",
            Level::Full => "FULL",
            Level::FullTransitive => "FULL_TRANSITIVE",
            Level::None => "NONE",
        }
    }
}

/// `{"subject": "orders-value", "compatibility": "BACKWARD"}`; `subject` is `null` for the
/// global level. A subject without a level of its own shows the global one.
#[derive(Debug, Serialize)]
pub struct CompatibilityView {
    pub subject: Option<String>,
    pub compatibility: String,
    #[serde(skip)]
    set: bool,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let registry = ctx.registry()?;
    let subject = args.subject.clone();
    let set = args.set.is_some();
    let compatibility = registry
        .call(move |client| match args.set {
            Some(level) => client.set_compatibility(subject.as_deref(), level.as_str()),
            None => client.compatibility(subject.as_deref()),
        })
        .await?;
    ctx.printer.print(&CompatibilityView {
        subject: args.subject,
        compatibility,
        set,
    })
}

impl Render for CompatibilityView {
    fn blocks(&self) -> Vec<Block> {
        vec![Block::Line(super::setting_line(
            "compatibility",
            self.subject.as_deref(),
            self.set,
            &self.compatibility,
        ))]
    }
}
