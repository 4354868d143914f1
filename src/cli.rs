//! The command-line definition.

use clap::Parser;

use crate::commands::Command;
use crate::settings::GlobalArgs;

/// kctl: a fast, scriptable Kafka admin and debugging tool.
///
/// Results print as tables for people and, with -o json, as JSON for scripts. Exit codes:
/// 0 ok, 1 runtime failure, 2 usage error, 130 interrupted (143 on SIGTERM, 129 on SIGHUP).
#[derive(Debug, Parser)]
#[command(
    name = "kctl",
    version,
    propagate_version = true,
    max_term_width = 100,
    after_help = "Examples:\n  kctl topics create orders --partitions 3\n  kctl topics list\n  kctl -o json topics describe orders\n  kctl topics delete orders --yes"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
