//! kctl: a Kafka admin and debugging command-line tool.
//!
//! Layers, each using only those below it:
//!
//! - the command line: [`cli`] (the parser and the global options), [`commands`] (one file
//!   per subcommand, its arguments beside its handler; handlers compute plain serde data),
//!   [`complete`] and [`docs`];
//! - [`settings`] (the global options, environment and config file resolved once), with
//!   [`config`] (the config file) and [`security`] (TLS, SASL, secrets);
//! - [`kafka`], the only module that talks to librdkafka, made from the settings;
//! - [`registry`], the only module that talks to a schema registry (HTTP), on the same terms;
//! - [`printer`] (the one owner of stdout and stderr) with [`render`] (tables), and
//!   [`error`] (kinds, cause chains and the exit codes, in one place).

// Unsafe code is allowed in one place only, `kafka/native/`, and documented there.
#![deny(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod cli;
pub mod commands;
pub mod complete;
pub mod config;
pub mod docs;
pub mod error;
pub mod help;
pub mod interrupt;
pub mod kafka;
pub mod printer;
pub mod registry;
pub mod render;
pub mod security;
pub mod settings;
pub mod stdio;

use std::time::Duration;

use clap::FromArgMatches;

use crate::commands::Ctx;
use crate::error::{exit, Error};
use crate::kafka::ClientConfig;
use crate::printer::{OutputFormat, Printer};
use crate::settings::{Mode, Settings};

/// Runs kctl with the process arguments and returns the exit code.
pub fn main() -> i32 {
    stdio::guard_standard_fds();
    kafka::init_process();
    // The completion scripts call `KCTL_COMPLETE=SHELL kctl -- WORDS`: answer and exit.
    complete::complete_from_env();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let (mut cmd, after_help) = help::command();
    let parsed = cmd
        .try_get_matches_from_mut(&args)
        .and_then(|matches| cli::Cli::from_arg_matches(&matches))
        .map_err(|err| help::without_hidden(err.format(&mut cmd)));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(err) => {
            // Help and version go to stdout with exit 0; usage errors to stderr with exit 2.
            help::print_error(&err, &cmd, &after_help, &args);
            return err.exit_code();
        }
    };
    // Results are printed in the format the settings say; until then, only diagnostics.
    let printer = Printer::new(OutputFormat::default(), cli.global.quiet);
    if let commands::Command::Complete(args) = &cli.command {
        return complete::run_hidden(args, &cli.global, &printer);
    }
    let (settings, client) = match resolve(&cli, &printer) {
        Ok(resolved) => resolved,
        Err(err) => return fail(&printer, &err),
    };
    let printer = printer.with_format(settings.output);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let err = Error::runtime(format!("cannot start the runtime: {e}"));
            return fail(&printer, &err);
        }
    };
    let ctx = Ctx::new(settings, client, printer.clone());
    let result = runtime.block_on(run(cli.command, &ctx));
    // Do not wait for blocking librdkafka calls that a timeout already gave up on, nor for
    // librdkafka to tear down an admin client that has nothing left to deliver: the process
    // is about to exit. (Producers flush before their command returns.)
    runtime.shutdown_timeout(Duration::from_millis(0));
    std::mem::forget(ctx);
    match result {
        Ok(()) => exit::OK,
        Err(err) => fail(&printer, &err),
    }
}

/// The settings, once, and for a command that connects its client configuration (where -X is
/// checked). Their warnings are printed, also those found before an error.
fn resolve(cli: &cli::Cli, printer: &Printer) -> Result<(Settings, Option<ClientConfig>), Error> {
    let needs_cluster = cli.command.needs_cluster();
    let mode = if needs_cluster {
        Mode::Full
    } else {
        Mode::Offline
    };
    let mut warnings = Vec::new();
    let resolved = Settings::resolve(&cli.global, mode, &mut warnings).and_then(|settings| {
        let client = match needs_cluster {
            true => Some(ClientConfig::new(
                &settings,
                printer.diagnostics(),
                &mut warnings,
            )?),
            false => None,
        };
        Ok((settings, client))
    });
    for warning in &warnings {
        printer.warn(warning);
    }
    resolved
}

/// Reports the error; its exit code.
fn fail(printer: &Printer, err: &Error) -> i32 {
    printer.report(err);
    err.exit_code()
}

async fn run(command: commands::Command, ctx: &Ctx) -> Result<(), Error> {
    let graceful = command.handles_interrupt();
    watch_signals(ctx.interrupt.clone())?;
    tokio::select! {
        result = commands::run(command, ctx) => result,
        _ = ctx.interrupt.cancelled(), if !graceful => Err(ctx.interrupt.error()),
    }
}

/// Ctrl-C, SIGTERM and SIGHUP raise `interrupt` (commands then end cleanly). More signals
/// within a moment of the first are the same request (GNU `timeout` signals kctl, then its
/// process group) and let the clean exit go on; one after that ends the process at once
/// (see [`interrupt`]).
fn watch_signals(interrupt: interrupt::Interrupt) -> Result<(), Error> {
    use interrupt::Arrival;
    use tokio::signal::unix::{signal, SignalKind};
    for number in interrupt::SIGNALS {
        let mut stream = signal(SignalKind::from_raw(number))
            .map_err(|e| Error::runtime(format!("cannot handle signal {number}: {e}")))?;
        let interrupt = interrupt.clone();
        tokio::spawn(async move {
            while stream.recv().await.is_some() {
                match interrupt.arrived(number, interrupt::FOLD_WINDOW) {
                    Arrival::First | Arrival::Folded => {}
                    Arrival::Again => std::process::exit(exit::signalled(interrupt.signal())),
                }
            }
        });
    }
    Ok(())
}
