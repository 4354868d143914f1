//! `kctl completions SHELL`: prints a completion script generated from the CLI definition.

use clap_complete::Shell;

use super::Ctx;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to generate the script for
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<()> {
    ctx.printer.write_data(&script(args.shell))
}

/// The completion script for `shell`: it registers kctl as its own completer, which also
/// completes topic and group names from the cluster (see `crate::complete`).
pub fn script(shell: Shell) -> Vec<u8> {
    crate::complete::script(shell)
}
