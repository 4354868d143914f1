//! `kctl topics alter NAME... --set KEY=VALUE... --delete KEY... [--dry-run]`, and the
//! alter flow it shares with `kctl brokers alter`: read the configs, have the broker validate
//! every change (nothing changes when one is refused), apply them with IncrementalAlterConfigs
//! (configs not named stay as they are), read them again, and print each change as old -> new.

use std::time::Duration;

use serde::Serialize;

use super::super::Ctx;
use super::configs::{shown_value, source_word, SourceName};
use crate::cli::parse_key_value;
use crate::error::{Error, Result};
use crate::kafka::{Code, ConfigEntry, ConfigOp, ConfigResource, ConfigSource, Kafka, Operation};
use crate::render::{plural, Block, Render};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl topics alter orders --set retention.ms=3600000 --dry-run\n  \
    kctl topics alter orders payments --set cleanup.policy=compact --delete retention.ms")]
pub struct Args {
    /// Topics to change
    #[arg(required = true, value_name = "NAME", value_parser = super::topic_name, add = crate::complete::topic_completer())]
    pub names: Vec<String>,

    #[command(flatten)]
    pub changes: Changes,

    /// Have the broker validate the changes without applying them
    #[arg(long)]
    pub dry_run: bool,
}

/// `--set` and `--delete`, shared with `brokers alter`.
#[derive(Debug, Clone, clap::Args)]
#[group(required = true, multiple = true)]
pub struct Changes {
    /// Set a config (repeatable), e.g. --set retention.ms=3600000
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub set: Vec<(String, String)>,

    /// Remove a config's setting, so that it inherits its default again (repeatable, or
    /// comma-separated)
    #[arg(long = "delete", value_name = "KEY", value_delimiter = ',')]
    pub delete: Vec<String>,
}

impl Changes {
    /// The operations, in the order given; a key named twice is a usage error.
    pub fn ops(&self) -> Result<Vec<ConfigOp>> {
        let mut ops: Vec<ConfigOp> = self
            .set
            .iter()
            .map(|(k, v)| ConfigOp::Set(k.clone(), v.clone()))
            .collect();
        ops.extend(self.delete.iter().map(|k| ConfigOp::Delete(k.clone())));
        let mut seen = std::collections::HashSet::new();
        for op in &ops {
            if op.name().is_empty() {
                return Err(Error::usage("a config name cannot be empty"));
            }
            if !seen.insert(op.name().to_string()) {
                return Err(Error::usage(format!(
                    "config '{}' is named more than once (--set and --delete name each config once)",
                    op.name()
                )));
            }
        }
        Ok(ops)
    }
}

/// Whether a config was set or deleted, for JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Set,
    Delete,
}

/// One config change: its value and source before and after.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub config: String,
    pub action: Action,
    /// `null` when sensitive, without a value, or not known before.
    pub old_value: Option<String>,
    /// `null` when the broker listed no such config before.
    pub old_source: Option<SourceName>,
    pub new_value: Option<String>,
    /// `null` when not known (a dry run's deleted config whose inherited value the broker did
    /// not name).
    pub new_source: Option<SourceName>,
    pub sensitive: bool,
}

/// `topics alter`'s result.
#[derive(Debug, Serialize)]
pub struct TopicsAltered {
    pub dry_run: bool,
    pub topics: Vec<TopicChanges>,
}

#[derive(Debug, Serialize)]
pub struct TopicChanges {
    pub name: String,
    pub changes: Vec<Change>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let ops = args.changes.ops()?;
    let names = super::super::dedup(args.names);
    let kafka = ctx.kafka()?;
    let cluster = kafka.metadata().await?;
    super::require_topics(kafka, &cluster, &names, "; nothing was changed").await?;
    let resources: Vec<ConfigResource> = names
        .iter()
        .map(|n| ConfigResource::Topic(n.clone()))
        .collect();
    let changes = alter(ctx, &resources, &ops, args.dry_run).await?;
    let altered = TopicsAltered {
        dry_run: args.dry_run,
        topics: names
            .into_iter()
            .zip(changes)
            .map(|(name, changes)| TopicChanges { name, changes })
            .collect(),
    };
    ctx.printer.print(&altered)?;
    dry_run_note(ctx, args.dry_run);
    Ok(())
}

/// The note after a dry run.
pub fn dry_run_note(ctx: &Ctx, dry_run: bool) {
    if dry_run {
        ctx.printer
            .note("Dry run: the broker accepted these changes; nothing was changed.");
    }
}

/// The alter flow: each resource gets `ops`. Returns each resource's changes, in order.
pub async fn alter(
    ctx: &Ctx,
    resources: &[ConfigResource],
    ops: &[ConfigOp],
    dry_run: bool,
) -> Result<Vec<Vec<Change>>> {
    let kafka = ctx.kafka()?;
    let before = read_all(kafka, resources).await?;
    for (resource, entries) in resources.iter().zip(&before) {
        check_names(resource, entries, ops)?;
    }
    let changes: Vec<(ConfigResource, Vec<ConfigOp>)> = resources
        .iter()
        .map(|r| (r.clone(), ops.to_vec()))
        .collect();
    // Validate everything first: one refused resource must not leave the others changed.
    apply(kafka, &changes, true).await?;
    if dry_run {
        return Ok(resources
            .iter()
            .zip(&before)
            .map(|(r, entries)| predicted(r, entries, ops))
            .collect());
    }
    apply(kafka, &changes, false).await?;
    let after = read_after(kafka, resources, &before, ops, ctx.settings.timeout).await?;
    Ok(before
        .iter()
        .zip(&after)
        .map(|(old, new)| ops.iter().map(|op| change(op, old, new)).collect())
        .collect())
}

/// The configs of every resource; a refusal names its resource. One who may not describe
/// the configs may not alter them either (AlterConfigs implies DescribeConfigs in Kafka's
/// ACLs): the refusal names what the command is for.
async fn read_all(kafka: &Kafka, resources: &[ConfigResource]) -> Result<Vec<Vec<ConfigEntry>>> {
    kafka
        .describe_configs(resources)
        .await?
        .into_iter()
        .map(|(r, result)| {
            result.map_err(|e| match e.code {
                Code::NotAuthorized => kafka.refusal(Operation::AlterConfigs, r.acl_resource()),
                _ => Error::new(
                    e.kind(),
                    format!("cannot read the configs of {r}: {e}; nothing was changed"),
                ),
            })
        })
        .collect()
}

/// Whether a resource can have a config of this name: one it lists, or for a broker (and the
/// brokers' default) also a per-listener one (`listener.name.NAME.`), which brokers take but
/// do not list.
fn known_name(resource: &ConfigResource, entries: &[ConfigEntry], name: &str) -> bool {
    entries.iter().any(|e| e.name == name)
        || is_broker(resource) && name.starts_with("listener.name.")
}

fn is_broker(resource: &ConfigResource) -> bool {
    matches!(
        resource,
        ConfigResource::Broker(_) | ConfigResource::BrokerDefault
    )
}

/// A config the resource does not have is a typo: Kafka would accept deleting it (doing
/// nothing), and a broker even setting it. Topics' unknown `--set` names the broker refuses
/// itself, naming them.
fn check_names(resource: &ConfigResource, entries: &[ConfigEntry], ops: &[ConfigOp]) -> Result<()> {
    let unknown = ops.iter().find(|op| {
        let checked = matches!(op, ConfigOp::Delete(_)) || is_broker(resource);
        checked && !known_name(resource, entries, op.name())
    });
    let listing = match resource {
        ConfigResource::Topic(name) => format!("kctl topics configs {name} --all"),
        ConfigResource::Broker(id) => format!("kctl brokers describe {id} --all-configs"),
        ConfigResource::BrokerDefault => "kctl brokers describe --default --all-configs".into(),
    };
    if let Some(op) = unknown {
        return Err(Error::runtime(format!(
            "cannot alter the configs of {resource}: unknown config '{}'; nothing was changed",
            op.name()
        ))
        .with_hint(format!("`{listing}` lists its configs")));
    }
    // Deleting a config the resource does not set itself would change nothing (Kafka accepts
    // it): most likely the wrong config or the wrong resource.
    let own = ConfigSource::of(resource);
    let unset = ops.iter().find_map(|op| match op {
        ConfigOp::Delete(name) => find(entries, name)
            .filter(|e| e.source != own)
            .map(|e| (name, e)),
        ConfigOp::Set(..) => None,
    });
    if let Some((name, entry)) = unset {
        return Err(Error::runtime(format!(
            "cannot alter the configs of {resource}: config '{name}' is not set on it (it \
             takes its {} value), so there is nothing to delete; nothing was changed",
            source_word(entry.source)
        ))
        .with_hint(format!(
            "`{}` lists the configs set on it",
            listing
                .trim_end_matches(" --all")
                .trim_end_matches(" --all-configs")
        )));
    }
    Ok(())
}

/// Sends the changes (`validate_only`: the broker only checks them); a refusal is an error
/// that names the resource and the changes asked for.
async fn apply(
    kafka: &Kafka,
    changes: &[(ConfigResource, Vec<ConfigOp>)],
    validate_only: bool,
) -> Result<()> {
    let results = kafka.alter_configs(changes, validate_only).await?;
    let mut applied = Vec::new();
    for (resource, result) in results {
        match result {
            Ok(()) => applied.push(resource.to_string()),
            Err(e) if e.code == Code::NotAuthorized => {
                let refusal = kafka.refusal(Operation::AlterConfigs, resource.acl_resource());
                return Err(match applied.is_empty() || validate_only {
                    true => refusal,
                    false => refusal.because(format!("(altered: {})", applied.join(", "))),
                });
            }
            Err(e) => {
                let outcome = if validate_only {
                    "; nothing was changed".to_string()
                } else if applied.is_empty() {
                    String::new()
                } else {
                    format!(" (altered: {})", applied.join(", "))
                };
                return Err(Error::new(
                    e.kind(),
                    format!("cannot alter the configs of {resource}: {e}{outcome}"),
                ));
            }
        }
    }
    Ok(())
}

/// Whether the configs read after a change (`after`) show the operation applied: a set config
/// is the resource's own, with the value given (or another than before: the broker may
/// normalize it); a deleted one no longer is, and has the value it inherits where the broker
/// named that before (a broker drops its own setting a moment before its value follows).
fn reflects(
    op: &ConfigOp,
    own: ConfigSource,
    before: &[ConfigEntry],
    after: &[ConfigEntry],
) -> bool {
    let entry = find(after, op.name());
    match (op, entry) {
        (ConfigOp::Set(_, value), Some(e)) => {
            let old = find(before, op.name()).filter(|b| b.source == own);
            e.source == own
                && (e.sensitive
                    || e.value.as_deref() == Some(value.as_str())
                    || old.is_some_and(|b| b.value != e.value))
        }
        (ConfigOp::Set(..), None) => true,
        (ConfigOp::Delete(_), None) => true,
        (ConfigOp::Delete(_), Some(e)) => {
            let inherited = find(before, op.name()).and_then(|b| b.inherited(own));
            e.source != own && inherited.is_none_or(|(value, _)| e.sensitive || e.value == value)
        }
    }
}

/// How long the configs are read again until they show a change.
const READ_BACK_LIMIT: Duration = Duration::from_secs(5);

/// Reads the configs after a change until they show it (brokers apply changes a moment after
/// the controller accepted them), for at most [`READ_BACK_LIMIT`] (or the timeout).
async fn read_after(
    kafka: &Kafka,
    resources: &[ConfigResource],
    before: &[Vec<ConfigEntry>],
    ops: &[ConfigOp],
    timeout: Duration,
) -> Result<Vec<Vec<ConfigEntry>>> {
    let deadline = tokio::time::Instant::now() + timeout.min(READ_BACK_LIMIT);
    loop {
        let after = read_all(kafka, resources).await.map_err(|e| {
            Error::runtime("the configs were altered, but cannot be read back").because(e)
        })?;
        let done = resources
            .iter()
            .zip(before.iter().zip(&after))
            .all(|(r, (old, new))| {
                ops.iter()
                    .all(|op| reflects(op, ConfigSource::of(r), old, new))
            });
        if done || tokio::time::Instant::now() >= deadline {
            return Ok(after);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn find<'a>(entries: &'a [ConfigEntry], name: &str) -> Option<&'a ConfigEntry> {
    entries.iter().find(|e| e.name == name)
}

fn value_of(e: &ConfigEntry) -> Option<String> {
    if e.sensitive {
        None
    } else {
        e.value.clone()
    }
}

fn action(op: &ConfigOp) -> Action {
    match op {
        ConfigOp::Set(..) => Action::Set,
        ConfigOp::Delete(_) => Action::Delete,
    }
}

/// One change, from the configs before and after.
fn change(op: &ConfigOp, before: &[ConfigEntry], after: &[ConfigEntry]) -> Change {
    let old = find(before, op.name());
    let new = find(after, op.name());
    Change {
        config: op.name().to_string(),
        action: action(op),
        old_value: old.and_then(value_of),
        old_source: old.map(|e| SourceName(e.source)),
        new_value: new.and_then(value_of),
        new_source: new.map(|e| SourceName(e.source)),
        sensitive: old.or(new).is_some_and(|e| e.sensitive),
    }
}

/// A dry run's changes: a set takes the given value on the resource; a delete inherits the
/// next value Kafka names for it (its synonyms), when it names one.
fn predicted(resource: &ConfigResource, before: &[ConfigEntry], ops: &[ConfigOp]) -> Vec<Change> {
    let own = ConfigSource::of(resource);
    ops.iter()
        .map(|op| {
            let old = find(before, op.name());
            let sensitive = old.is_some_and(|e| e.sensitive);
            let (new_value, new_source) = match op {
                ConfigOp::Set(_, v) => ((!sensitive).then(|| v.clone()), Some(own)),
                ConfigOp::Delete(_) => match old.and_then(|e| e.inherited(own)) {
                    Some((value, source)) => (value.filter(|_| !sensitive), Some(source)),
                    None => (None, None),
                },
            };
            Change {
                config: op.name().to_string(),
                action: action(op),
                old_value: old.and_then(value_of),
                old_source: old.map(|e| SourceName(e.source)),
                new_value,
                new_source: new_source.map(SourceName),
                sensitive,
            }
        })
        .collect()
}

/// `retention.ms 604800000 (default) -> 3600000 (topic)`.
pub fn change_line(c: &Change) -> String {
    let side = |value: &Option<String>, source: &Option<SourceName>| match source {
        Some(s) => format!(
            "{} ({})",
            shown_value(value.as_deref(), c.sensitive),
            source_word(s.0)
        ),
        None if value.is_some() => shown_value(value.as_deref(), c.sensitive),
        None if c.action == Action::Delete => "its default".to_string(),
        None => "-".to_string(),
    };
    format!(
        "{} {} -> {}",
        c.config,
        side(&c.old_value, &c.old_source),
        side(&c.new_value, &c.new_source)
    )
}

/// The lines of one resource's changes: `altered topic orders: ...` (`would alter` in a dry
/// run).
pub fn change_blocks(label: &str, changes: &[Change], dry_run: bool) -> Vec<Block> {
    let verb = if dry_run { "would alter" } else { "altered" };
    let mut blocks = vec![Block::Line(format!(
        "{verb} {label} ({} {}):",
        changes.len(),
        plural(changes.len(), "config", "configs")
    ))];
    blocks.extend(
        changes
            .iter()
            .map(|c| Block::Line(format!("  {}", change_line(c)))),
    );
    blocks
}

impl Render for TopicsAltered {
    fn blocks(&self) -> Vec<Block> {
        self.topics
            .iter()
            .flat_map(|t| change_blocks(&format!("topic {}", t.name), &t.changes, self.dry_run))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, value: &str, source: ConfigSource) -> ConfigEntry {
        ConfigEntry {
            name: name.into(),
            value: Some(value.into()),
            source,
            read_only: false,
            sensitive: false,
            synonyms: Vec::new(),
        }
    }

    #[test]
    fn a_key_named_twice_is_a_usage_error() {
        let changes = Changes {
            set: vec![("retention.ms".into(), "1".into())],
            delete: vec!["retention.ms".into()],
        };
        let err = changes.ops().unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err
            .message()
            .contains("'retention.ms' is named more than once"));
    }

    #[test]
    fn changes_read_as_old_to_new() {
        let before = [entry("retention.ms", "604800000", ConfigSource::Default)];
        let after = [entry("retention.ms", "3600000", ConfigSource::DynamicTopic)];
        let op = ConfigOp::Set("retention.ms".into(), "3600000".into());
        let c = change(&op, &before, &after);
        assert_eq!(
            change_line(&c),
            "retention.ms 604800000 (default) -> 3600000 (topic)"
        );
        assert!(reflects(&op, ConfigSource::DynamicTopic, &before, &after));
        assert!(!reflects(&op, ConfigSource::DynamicTopic, &before, &before));
    }

    #[test]
    fn a_delete_is_applied_once_the_inherited_value_shows() {
        let mut set = entry(
            "log.cleaner.backoff.ms",
            "20000",
            ConfigSource::DynamicBroker,
        );
        set.synonyms = vec![
            crate::kafka::Synonym {
                name: "log.cleaner.backoff.ms".into(),
                value: Some("20000".into()),
                source: ConfigSource::DynamicBroker,
            },
            crate::kafka::Synonym {
                name: "log.cleaner.backoff.ms".into(),
                value: Some("15000".into()),
                source: ConfigSource::Default,
            },
        ];
        let op = ConfigOp::Delete("log.cleaner.backoff.ms".into());
        let own = ConfigSource::DynamicBroker;
        let stale = [entry(
            "log.cleaner.backoff.ms",
            "20000",
            ConfigSource::Default,
        )];
        let done = [entry(
            "log.cleaner.backoff.ms",
            "15000",
            ConfigSource::Default,
        )];
        let before = [set];
        assert!(!reflects(&op, own, &before, &before));
        assert!(!reflects(&op, own, &before, &stale));
        assert!(reflects(&op, own, &before, &done));
    }

    #[test]
    fn unknown_config_names_are_refused() {
        let entries = [entry("retention.ms", "1", ConfigSource::Default)];
        let topic = ConfigResource::Topic("orders".into());
        let ops = [ConfigOp::Delete("retention.mss".into())];
        let err = check_names(&topic, &entries, &ops).unwrap_err();
        assert!(err.message().contains("unknown config 'retention.mss'"));
        let broker = ConfigResource::Broker(1);
        assert!(check_names(&broker, &entries, &ops).is_err());
        let listener = [ConfigOp::Set(
            "listener.name.x.ssl.key.password".into(),
            "p".into(),
        )];
        assert!(check_names(&broker, &entries, &listener).is_ok());
        let set = [ConfigOp::Set("retention.mss".into(), "1".into())];
        assert!(check_names(&topic, &entries, &set).is_ok());
    }
}
