//! The commands: one module per noun, one file per verb, each with its clap arguments beside its
//! handler. Handlers compute plain serde data and hand it to the [`Printer`].

pub mod completions;
pub mod consume;
pub mod produce;
pub mod topics;

use clap::Subcommand;
use tokio_util::sync::CancellationToken;

use crate::error::Result;
use crate::kafka::Kafka;
use crate::printer::Printer;
use crate::settings::Settings;

/// What every command runs with.
pub struct Ctx {
    pub settings: Settings,
    pub printer: Printer,
    /// Cancelled on Ctrl-C; commands that stop gracefully watch it.
    pub interrupt: CancellationToken,
}

impl Ctx {
    /// A Kafka admin connection built from the settings.
    pub fn kafka(&self) -> Result<Kafka> {
        Kafka::connect(&self.settings)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, create, describe and delete topics
    #[command(subcommand)]
    Topics(topics::Command),
    /// Write messages to a topic from stdin or a file (lines, JSON or consume's JSON records)
    Produce(produce::Args),
    /// Read messages from a topic: values, JSON lines (-o json) or a --format string
    Consume(consume::Args),
    /// Print a shell completion script
    Completions(completions::Args),
}

impl Command {
    /// Whether the command stops by itself on Ctrl-C (and so must be given time to finish).
    pub fn handles_interrupt(&self) -> bool {
        matches!(self, Command::Produce(_) | Command::Consume(_))
    }

    /// Whether the command talks to a cluster at all.
    pub fn needs_cluster(&self) -> bool {
        !matches!(self, Command::Completions(_))
    }
}

pub async fn run(command: Command, ctx: &Ctx) -> Result<()> {
    match command {
        Command::Topics(cmd) => topics::run(cmd, ctx).await,
        Command::Produce(args) => produce::run(args, ctx).await,
        Command::Consume(args) => consume::run(args, ctx).await,
        Command::Completions(args) => completions::run(args, ctx),
    }
}
