//! `kctl topics ...`

pub mod add_partitions;
pub mod alter;
pub mod configs;
pub mod copy;
pub mod create;
pub mod delete;
pub mod delete_records;
pub mod describe;
pub mod list;
pub mod sizes;

use clap::Subcommand;

use super::Ctx;
use crate::error::{Error, Result};
use crate::kafka::{ClusterInfo, Kafka};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List topics with their partition count and replication factor
    #[command(visible_alias = "ls")]
    List(list::Args),
    /// Create a topic
    Create(create::Args),
    /// Show partitions, leaders, replicas, offsets and non-default configs of topics
    Describe(describe::Args),
    /// Delete topics (asks first)
    #[command(visible_alias = "rm")]
    Delete(delete::Args),
    /// Show the configs of topics with their values and sources (--all: every config)
    Configs(configs::Args),
    /// Set or delete configs of topics, printing each change as old -> new (--dry-run)
    Alter(alter::Args),
    /// Add partitions to a topic (--dry-run)
    AddPartitions(add_partitions::Args),
    /// Delete the records before an offset or a time from partitions (a plan unless --execute)
    DeleteRecords(delete_records::Args),
    /// Copy records to another topic, on this cluster or another, keys, headers, timestamps
    /// and partitions kept (--resume, --dry-run)
    Copy(copy::Args),
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::List(args) => list::run(args, ctx).await,
        Command::Create(args) => create::run(args, ctx).await,
        Command::Describe(args) => describe::run(args, ctx).await,
        Command::Delete(args) => delete::run(args, ctx).await,
        Command::Configs(args) => configs::run(args, ctx).await,
        Command::Alter(args) => alter::run(args, ctx).await,
        Command::AddPartitions(args) => add_partitions::run(args, ctx).await,
        Command::DeleteRecords(args) => delete_records::run(args, ctx).await,
        Command::Copy(args) => copy::run(args, ctx).await,
    }
}

/// Fails, naming them, when any of `names` is not a topic of the cluster (or, as Kafka leaves
/// those out of `cluster`, one the principal may not describe). `suffix` is added to the
/// message (e.g. "; nothing was deleted").
pub async fn require_topics(
    kafka: &Kafka,
    cluster: &ClusterInfo,
    names: &[String],
    suffix: &str,
) -> Result<()> {
    let missing: Vec<&str> = names
        .iter()
        .filter(|n| cluster.topic(n).is_none_or(|t| t.error.is_some()))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let unlisted: Vec<String> = missing.iter().map(|n| n.to_string()).collect();
    kafka.check_refused(&unlisted).await?;
    let kind = crate::render::plural(missing.len(), "topic", "topics");
    Err(Error::not_found(
        format!("{kind} {}", missing.join(", ")),
        format!("{kind} not found: {}{suffix}", missing.join(", ")),
    )
    .with_hint("`kctl topics list` shows the topics the cluster knows"))
}

/// Kafka's rule for topic names: 1 to 249 characters of `[a-zA-Z0-9._-]`, not `.` or `..`.
pub fn validate_topic_name(name: &str) -> Result<()> {
    let fail = |why: &str| Err(Error::usage(format!("invalid topic name '{name}': {why}")));
    if name.is_empty() {
        return fail("it is empty");
    }
    if name == "." || name == ".." {
        return fail("'.' and '..' are not allowed");
    }
    if name.len() > 249 {
        return fail("it is longer than 249 characters");
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return fail(&format!(
            "'{c}' is not allowed (use letters, digits, '.', '_' and '-')"
        ));
    }
    Ok(())
}

/// clap value parser for a topic name.
pub fn topic_name(s: &str) -> std::result::Result<String, String> {
    validate_topic_name(s)
        .map(|_| s.to_string())
        .map_err(|e| e.message().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_names_follow_kafkas_rule() {
        for ok in ["orders", "a", "a.b_c-D9", &"x".repeat(249)] {
            assert!(validate_topic_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", ".", "..", "a b", "a/b", "ordérs", &"x".repeat(250)] {
            assert!(validate_topic_name(bad).is_err(), "{bad}");
        }
    }
}
