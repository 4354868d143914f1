//! `kctl users create NAME --mechanism M... [--iterations N] [--password-env VAR |
//! --password-file FILE] [--update] [--dry-run]`: the password never comes from an argument.

use std::path::PathBuf;

use serde::Serialize;

use super::super::Ctx;
use crate::error::{Error, Result};
use crate::kafka::{Operation, Resource, ScramMechanism};
use crate::render::{Block, Render};
use crate::security::{Secret, SecretSource};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "The password is read from --password-env, --password-file or, on a \
    terminal, asked twice; it is never an argument (others could read it in the process list).\n\n\
    Examples:\n  \
    kctl users create alice --mechanism SCRAM-SHA-512\n  \
    NEW_PW=... kctl users create app --mechanism SCRAM-SHA-256 --password-env NEW_PW\n  \
    kctl users create reports --mechanism SCRAM-SHA-256,SCRAM-SHA-512 --password-file pw.txt --iterations 8192"
)]
pub struct Args {
    /// The user name (its principal is User:NAME)
    #[arg(value_name = "NAME", value_parser = super::user_name)]
    pub name: String,

    /// SCRAM-SHA-256 or SCRAM-SHA-512 (repeatable or comma-separated: one password for each)
    #[arg(long = "mechanism", value_name = "MECHANISM", value_parser = super::mechanism, value_delimiter = ',', required = true)]
    pub mechanisms: Vec<ScramMechanism>,

    /// Hash iterations, 4096 to 16384 (Kafka's limits)
    #[arg(long, value_name = "N", default_value_t = ScramMechanism::MIN_ITERATIONS, value_parser = iterations)]
    pub iterations: u32,

    /// Read the password from this environment variable
    #[arg(long, value_name = "VAR", conflicts_with = "password_file")]
    pub password_env: Option<String>,

    /// Read the password from this file (one trailing newline is dropped)
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// Set a new password where the user already has a credential of the mechanism
    #[arg(long)]
    pub update: bool,

    /// Check everything, print what would be done and change nothing
    #[arg(long)]
    pub dry_run: bool,
}

fn iterations(s: &str) -> std::result::Result<u32, String> {
    let (min, max) = (
        ScramMechanism::MIN_ITERATIONS,
        ScramMechanism::MAX_ITERATIONS,
    );
    match s.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "iterations must be {min} to {max} (Kafka's limits for SCRAM-SHA-256 and \
             SCRAM-SHA-512), not '{s}'"
        )),
    }
}

/// What `users create` did (or would do).
#[derive(Debug, Serialize)]
pub struct Created {
    pub user: String,
    pub mechanisms: Vec<ScramMechanism>,
    pub iterations: u32,
    /// `created`, or `updated` where the user had a credential of a mechanism already.
    pub status: &'static str,
    /// `true`: nothing was changed.
    pub dry_run: bool,
}

impl Render for Created {
    fn blocks(&self) -> Vec<Block> {
        let verb = match (self.dry_run, self.status) {
            (true, "updated") => "would update",
            (true, _) => "would create",
            (false, status) => status,
        };
        let mechanisms: Vec<&str> = self.mechanisms.iter().map(|m| m.as_str()).collect();
        vec![Block::Line(format!(
            "{verb} user \"{}\": {} ({} iterations)",
            self.user,
            mechanisms.join(", "),
            self.iterations
        ))]
    }
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let mut mechanisms = args.mechanisms.clone();
    mechanisms.sort();
    mechanisms.dedup();
    let password = password(&args, ctx).await?;
    let kafka = ctx.kafka()?;

    // Alter implies Describe: one who may not describe users may not create them either.
    let (existing, _) = kafka
        .describe_scram_users(std::slice::from_ref(&args.name))
        .await
        .map_err(|e| kafka.refused(e, Operation::Alter, Resource::Cluster))?;
    let taken: Vec<&str> = existing
        .iter()
        .filter(|c| mechanisms.contains(&c.mechanism))
        .map(|c| c.mechanism.as_str())
        .collect();
    if !taken.is_empty() && !args.update {
        return Err(Error::runtime(format!(
            "user '{}' already has a {} credential; nothing was changed",
            args.name,
            taken.join(" and ")
        ))
        .with_hint("pass --update to set a new password"));
    }
    let created = Created {
        user: args.name.clone(),
        mechanisms,
        iterations: args.iterations,
        status: if taken.is_empty() {
            "created"
        } else {
            "updated"
        },
        dry_run: args.dry_run,
    };
    if !args.dry_run {
        kafka
            .upsert_scram_user(
                &created.user,
                &created.mechanisms,
                created.iterations as i32,
                &password,
            )
            .await?;
    }
    ctx.printer.print(&created)?;
    if args.dry_run {
        ctx.printer.note("Dry run: nothing was changed.");
    }
    Ok(())
}

/// The new password: from the variable, the file, or asked twice on the terminal.
async fn password(args: &Args, ctx: &Ctx) -> Result<Secret> {
    if let Some(var) = &args.password_env {
        return SecretSource::Env(var.clone()).read("--password-env");
    }
    if let Some(file) = &args.password_file {
        let mut warnings = Vec::new();
        let secret =
            SecretSource::File(file.clone()).read_checked("--password-file", &mut warnings)?;
        for w in warnings {
            ctx.printer.warn(w);
        }
        return Ok(secret);
    }
    if !ctx.printer.can_prompt() {
        return Err(Error::usage(
            "no password for the new user: pass --password-env VAR or --password-file FILE \
             (there is no terminal to ask on; a password is never an argument)",
        ));
    }
    prompt(&args.name, ctx).await
}

/// Asks for the password twice, without echo, until both say the same. End of input (Ctrl-D)
/// is an error that changes nothing; Ctrl-C (or a signal) ends the command while the prompt
/// waits (see [`crate::printer::Printer::ask_secret`]).
async fn prompt(user: &str, ctx: &Ctx) -> Result<Secret> {
    let no_input = || {
        Error::runtime(format!(
            "no password for user '{user}': the input ended (Ctrl-D); nothing was changed"
        ))
    };
    loop {
        let first = ctx
            .printer
            .ask_secret(&format!("Password for user '{user}'"))
            .await?
            .ok_or_else(no_input)?;
        if first.is_empty() {
            return Err(Error::runtime(format!(
                "the password for user '{user}' is empty; nothing was changed"
            )));
        }
        let again = ctx
            .printer
            .ask_secret("Repeat the password")
            .await?
            .ok_or_else(no_input)?;
        if first == again {
            return Ok(Secret::new(first));
        }
        ctx.printer.diagnostics().line("The passwords do not match");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iterations_are_within_kafkas_limits() {
        assert_eq!(iterations("4096"), Ok(4096));
        assert_eq!(iterations("16384"), Ok(16384));
        for bad in ["4095", "16385", "0", "-1", "many"] {
            let err = iterations(bad).unwrap_err();
            assert!(err.starts_with("iterations must be 4096 to 16384"), "{err}");
        }
    }
}
