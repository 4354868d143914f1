//! `kctl users ...`: SASL/SCRAM users (credentials per mechanism; never a secret), as
//! `kafka-configs --entity-type users` manages them.

pub mod create;
pub mod delete;
pub mod list;

use clap::Subcommand;

use super::Ctx;
use crate::error::{Error, Result};
use crate::kafka::{Kafka, ScramCredential, ScramMechanism};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List SCRAM users: their mechanisms and iterations (never a secret)
    #[command(visible_alias = "ls")]
    List(list::Args),
    /// Create a SCRAM user (the password from a variable, a file or a prompt, never an argument)
    Create(create::Args),
    /// Delete a SCRAM user's credentials (asks first)
    #[command(visible_alias = "rm")]
    Delete(delete::Args),
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::List(args) => list::run(args, ctx).await,
        Command::Create(args) => create::run(args, ctx).await,
        Command::Delete(args) => delete::run(args, ctx).await,
    }
}

/// clap value parser for a user name: not empty, no control characters.
pub fn user_name(s: &str) -> std::result::Result<String, String> {
    if s.is_empty() {
        return Err("a user name cannot be empty".to_string());
    }
    if s.chars().any(char::is_control) {
        return Err(format!(
            "invalid user name {s:?}: it holds a control character"
        ));
    }
    Ok(s.to_string())
}

/// clap value parser for a SCRAM mechanism.
pub fn mechanism(s: &str) -> std::result::Result<ScramMechanism, String> {
    s.parse()
}

/// The credentials of `users`; a user without any is an error naming it (`suffix` is added,
/// e.g. "; nothing was deleted").
pub async fn credentials_of(
    kafka: &Kafka,
    users: &[String],
    suffix: &str,
) -> Result<Vec<ScramCredential>> {
    let (credentials, missing) = kafka.describe_scram_users(users).await?;
    if missing.is_empty() {
        return Ok(credentials);
    }
    let kind = crate::render::plural(missing.len(), "user", "users");
    Err(Error::not_found(
        format!("{kind} {}", missing.join(", ")),
        format!(
            "no SCRAM credentials for {kind} {}{suffix}",
            missing.join(", ")
        ),
    ))
}
