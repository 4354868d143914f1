//! `kctl schemas mode [SUBJECT] [--set MODE]`

use serde::Serialize;

use super::super::Ctx;
use crate::error::Result;
use crate::render::{Block, Render};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The subject (default: the registry's global mode)
    #[arg(value_name = "SUBJECT", value_parser = super::subject_name, add = crate::complete::subject_completer())]
    pub subject: Option<String>,

    /// Set the mode
    #[arg(long = "set", value_name = "MODE", ignore_case = true)]
    pub set: Option<ModeArg>,
}

/// The registry's modes (checked before any call).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ModeArg {
    Readwrite,
    Readonly,
    ReadonlyOverride,
    Import,
}

impl ModeArg {
    pub fn as_str(self) -> &'static str {
        match self {
            ModeArg::Readwrite => "READWRITE",
            ModeArg::Readonly => "READONLY",
            ModeArg::ReadonlyOverride => "READONLY_OVERRIDE",
            ModeArg::Import => "IMPORT",
        }
    }
}

/// `{"subject": "orders-value", "mode": "READWRITE"}`; `subject` is `null` for the global
/// mode. A subject without a mode of its own shows the global one.
#[derive(Debug, Serialize)]
pub struct ModeView {
    pub subject: Option<String>,
    pub mode: String,
    #[serde(skip)]
    set: bool,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let registry = ctx.registry()?;
    let subject = args.subject.clone();
    let set = args.set.is_some();
    let mode = registry
        .call(move |client| match args.set {
            Some(mode) => client.set_mode(subject.as_deref(), mode.as_str()),
            None => client.mode(subject.as_deref()),
        })
        .await?;
    ctx.printer.print(&ModeView {
        subject: args.subject,
        mode,
        set,
    })
}

impl Render for ModeView {
    fn blocks(&self) -> Vec<Block> {
        vec![Block::Line(super::setting_line(
            "mode",
            self.subject.as_deref(),
            self.set,
            &self.mode,
        ))]
    }
}
