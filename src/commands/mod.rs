//! The commands: one module per noun, one file per verb, each with its clap arguments beside its
//! handler. Handlers compute plain serde data and hand it to the [`Printer`].

pub mod acls;
pub mod brokers;
pub mod cluster;
pub mod codec;
pub mod complete;
pub mod completions;
pub mod config;
pub mod consume;
pub mod doctor;
pub mod groups;
pub mod held_by;
pub mod offsets;
pub mod partitions;
pub mod produce;
pub mod quotas;
pub mod record;
pub mod schemas;
pub mod times;
pub mod topics;
pub mod transactions;
pub mod users;

use std::sync::OnceLock;

use clap::Subcommand;

use crate::error::{Error, ErrorKind, Result};
use crate::interrupt::Interrupt;
use crate::kafka::{ClientConfig, Kafka};
use crate::printer::Printer;
use crate::registry::client::Registry;
use crate::settings::Settings;

/// What every command runs with.
pub struct Ctx {
    pub settings: Settings,
    pub printer: Printer,
    /// Raised on Ctrl-C, SIGTERM or SIGHUP; commands that stop gracefully watch it.
    pub interrupt: Interrupt,
    /// How clients connect; `None` for the commands that never do.
    client: Option<ClientConfig>,
    kafka: OnceLock<Kafka>,
    registry: OnceLock<Registry>,
}

impl Ctx {
    pub fn new(settings: Settings, client: Option<ClientConfig>, printer: Printer) -> Ctx {
        Ctx {
            settings,
            printer,
            interrupt: Interrupt::new(),
            client,
            kafka: OnceLock::new(),
            registry: OnceLock::new(),
        }
    }

    /// How the command's clients connect (commands that talk to a cluster only).
    pub fn client(&self) -> Result<&ClientConfig> {
        self.client
            .as_ref()
            .ok_or_else(|| Error::runtime("internal error: this command has no cluster settings"))
    }

    /// The command's Kafka admin connection, made on first use and shared by every call.
    pub fn kafka(&self) -> Result<&Kafka> {
        if let Some(kafka) = self.kafka.get() {
            return Ok(kafka);
        }
        let kafka = Kafka::connect(self.client()?)?;
        Ok(self.kafka.get_or_init(|| kafka))
    }

    /// The schema registry the settings name, made on first use and shared (its schema cache
    /// with it); a usage error when none is set.
    pub fn registry(&self) -> Result<&Registry> {
        if let Some(registry) = self.registry.get() {
            return Ok(registry);
        }
        let settings = self.settings.registry.as_ref().ok_or_else(|| {
            Error::usage(
                "no schema registry is set: give --registry URL, set KCTL_REGISTRY, or add a \
                 [registry] table with a url to the context",
            )
        })?;
        let registry = Registry::new(settings, self.settings.timeout)?;
        Ok(self.registry.get_or_init(|| registry))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, create, describe and delete topics
    #[command(subcommand)]
    Topics(topics::Command),
    /// Write messages to a topic from stdin or a file (lines, JSON or consume's JSON records)
    Produce(produce::Args),
    /// Read messages from topics: values, JSON lines (-o json) or a --format string
    Consume(consume::Args),
    /// List, describe, reset the offsets of and delete consumer groups
    #[command(subcommand)]
    Groups(groups::Command),
    /// Show the cluster: its id, controller and brokers
    #[command(subcommand)]
    Cluster(cluster::Command),
    /// Describe brokers and change their dynamic configs
    #[command(subcommand)]
    Brokers(brokers::Command),
    /// List, create and delete ACLs
    #[command(subcommand)]
    Acls(acls::Command),
    /// List, create and delete SASL/SCRAM users
    #[command(subcommand)]
    Users(users::Command),
    /// Elect partition leaders
    #[command(subcommand)]
    Partitions(partitions::Command),
    /// Show, set and delete client quotas of users, client ids and IP addresses
    #[command(subcommand)]
    Quotas(quotas::Command),
    /// List and describe transactions and producers, find and abort hanging transactions
    #[command(subcommand, visible_alias = "txn")]
    Transactions(transactions::Command),
    /// Manage the schema registry: subjects, versions, schemas, compatibility and mode
    #[command(subcommand)]
    Schemas(schemas::Command),
    /// Show partitions' earliest, latest and last stable offsets, max-timestamp record and the
    /// offset for a time
    Offsets(offsets::Args),
    /// Check the connection to the cluster step by step and explain what is wrong
    Doctor(doctor::Args),
    /// Print a shell completion script
    Completions(completions::Args),
    /// List and switch contexts of the config file, and view it
    #[command(subcommand)]
    Config(config::Command),
    /// Complete topic or group names (used by the completion scripts)
    #[command(name = "__complete", hide = true)]
    Complete(complete::Args),
}

impl Command {
    /// Whether the command stops by itself on Ctrl-C (and so must be given time to finish).
    pub fn handles_interrupt(&self) -> bool {
        matches!(
            self,
            Command::Produce(_) | Command::Consume(_) | Command::Topics(topics::Command::Copy(_))
        ) || matches!(self, Command::Groups(groups::Command::Describe(args)) if args.watch)
    }

    /// Whether the command talks to a cluster at all.
    pub fn needs_cluster(&self) -> bool {
        !matches!(
            self,
            Command::Completions(_) | Command::Config(_) | Command::Complete(_)
        )
    }
}

/// Deduplicates names, keeping the first occurrence's order.
pub fn dedup(names: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names
        .into_iter()
        .filter(|n| seen.insert(n.clone()))
        .collect()
}

/// What `topics delete` and `groups delete` deleted: `{"deleted": [...]}`.
#[derive(Debug, serde::Serialize)]
pub struct Deleted {
    pub deleted: Vec<String>,
    /// What was deleted, for the text output (e.g. `topic`).
    #[serde(skip)]
    pub kind: &'static str,
}

impl crate::render::Render for Deleted {
    fn blocks(&self) -> Vec<crate::render::Block> {
        self.deleted
            .iter()
            .map(|n| crate::render::Block::Line(format!("deleted {} \"{n}\"", self.kind)))
            .collect()
    }
}

/// The confirm-then-delete flow shared by `topics delete` and `groups delete`: asks to delete
/// the `names` (things of `kind`, e.g. ("topic", "topics")), runs `delete`, and returns what
/// was deleted; any per-name failure is an error that also lists what was deleted.
pub async fn confirm_and_delete<F, Fut>(
    ctx: &Ctx,
    kind: (&'static str, &'static str),
    names: &[String],
    yes: bool,
    delete: F,
) -> Result<Deleted>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<
        Output = Result<Vec<(String, std::result::Result<(), crate::kafka::BrokerError>)>>,
    >,
{
    let action = format!(
        "delete {} {}",
        crate::render::plural(names.len(), kind.0, kind.1),
        names.join(", ")
    );
    if !ctx.printer.confirm(&action, None, yes).await? {
        return Err(crate::error::Error::runtime("aborted: nothing was deleted"));
    }
    let mut deleted = Vec::new();
    let mut failed = Vec::new();
    let mut refused = Vec::new();
    for (name, result) in delete().await? {
        match result {
            Ok(()) => deleted.push(name),
            // "not authorized to delete topic 'T' as User:alice" names it already.
            Err(e) if e.code == crate::kafka::Code::NotAuthorized => refused.push(e.message),
            Err(e) => failed.push(format!("{name}: {e}")),
        }
    }
    if !failed.is_empty() || !refused.is_empty() {
        let (error_kind, mut message) = if failed.is_empty() {
            (ErrorKind::Authorization, refused.join("; "))
        } else {
            failed.extend(refused);
            let message = format!("cannot delete {} {}", kind.0, failed.join("; "));
            (ErrorKind::Runtime, message)
        };
        if !deleted.is_empty() {
            message.push_str(&format!(" (deleted: {})", deleted.join(", ")));
        }
        return Err(crate::error::Error::new(error_kind, message));
    }
    Ok(Deleted {
        deleted,
        kind: kind.0,
    })
}

pub async fn run(command: Command, ctx: &Ctx) -> Result<()> {
    // Every command but produce (nothing on stdout) and consume (its own writer) prints its
    // result there: a stdout that cannot take it fails first, before anything is changed.
    if !matches!(
        command,
        Command::Produce(_) | Command::Consume(_) | Command::Complete(_)
    ) {
        ctx.printer.check_output()?;
    }
    match command {
        Command::Topics(cmd) => topics::run(cmd, ctx).await,
        Command::Produce(args) => produce::run(args, ctx).await,
        Command::Consume(args) => consume::run(args, ctx).await,
        Command::Groups(cmd) => groups::run(cmd, ctx).await,
        Command::Cluster(cmd) => cluster::run(cmd, ctx).await,
        Command::Brokers(cmd) => brokers::run(cmd, ctx).await,
        Command::Acls(cmd) => acls::run(cmd, ctx).await,
        Command::Users(cmd) => users::run(cmd, ctx).await,
        Command::Transactions(cmd) => transactions::run(cmd, ctx).await,
        Command::Quotas(cmd) => quotas::run(cmd, ctx).await,
        Command::Partitions(cmd) => partitions::run(cmd, ctx).await,
        Command::Offsets(args) => offsets::run(args, ctx).await,
        Command::Schemas(cmd) => schemas::run(cmd, ctx).await,
        Command::Doctor(args) => doctor::run(args, ctx).await,
        Command::Completions(args) => completions::run(args, ctx),
        Command::Config(cmd) => config::run(cmd, ctx).await,
        // Handled before any settings are resolved, see `crate::complete::run_hidden`.
        Command::Complete(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dedup_keeps_the_first_of_each_name_in_order() {
        let names = ["b", "a", "b", "c", "a"].map(String::from).to_vec();
        assert_eq!(super::dedup(names), ["b", "a", "c"]);
    }
}
