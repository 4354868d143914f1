//! `kctl topics configs NAME... [--all]`: the configs of topics with their values and sources,
//! as `kafka-configs --describe [--all]` shows them; and the config rows and table shared with
//! `topics describe --all-configs`, `topics alter` and the `brokers` commands.

use serde::Serialize;

use super::super::Ctx;
use crate::error::{Error, Result};
use crate::kafka::{Code, ConfigEntry, ConfigResource, ConfigSource, Kafka, Operation};
use crate::render::{Block, Render, Table};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Topics whose configs to show
    #[arg(required = true, value_name = "NAME", value_parser = super::topic_name, add = crate::complete::topic_completer())]
    pub names: Vec<String>,

    /// Show every config (defaults and broker-wide values included), not only those set on
    /// the topic
    #[arg(short = 'a', long)]
    pub all: bool,
}

/// A config's source for JSON: Kafka's name in snake_case (`dynamic_topic_config`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceName(pub ConfigSource);

impl Serialize for SourceName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.kafka_name().to_lowercase())
    }
}

/// A config's source in tables.
pub fn source_word(source: ConfigSource) -> &'static str {
    match source {
        ConfigSource::DynamicTopic => "topic",
        ConfigSource::DynamicBroker => "broker",
        ConfigSource::DynamicDefaultBroker => "broker-default",
        ConfigSource::StaticBroker => "broker-static",
        ConfigSource::Default => "default",
        ConfigSource::Group => "group",
        ConfigSource::Unknown => "unknown",
    }
}

/// One config as kctl prints it.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigRow {
    pub name: String,
    /// `null` for sensitive values (brokers never send them) and configs without a value.
    pub value: Option<String>,
    pub source: SourceName,
    pub sensitive: bool,
    pub read_only: bool,
}

/// The rows of a resource's configs, sorted by name: every config with `all`, else only those
/// set on the resource itself (source `own`), as kafka-configs --describe shows them.
pub fn rows(entries: Vec<ConfigEntry>, all: bool, own: ConfigSource) -> Vec<ConfigRow> {
    let mut rows: Vec<ConfigRow> = entries
        .into_iter()
        .filter(|e| all || e.source == own)
        .map(|e| ConfigRow {
            value: if e.sensitive { None } else { e.value },
            name: e.name,
            source: SourceName(e.source),
            sensitive: e.sensitive,
            read_only: e.read_only,
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    rows
}

/// A value as tables show it: `***` when sensitive, `-` when there is none.
pub fn shown_value(value: Option<&str>, sensitive: bool) -> String {
    match value {
        _ if sensitive => "***".to_string(),
        Some(v) => v.to_string(),
        None => "-".to_string(),
    }
}

/// The table of config rows: `CONFIG VALUE SOURCE FLAGS`.
pub fn table(rows: &[ConfigRow]) -> Table {
    let mut table = Table::new(["CONFIG", "VALUE", "SOURCE", "FLAGS"]);
    for r in rows {
        let mut flags = Vec::new();
        if r.sensitive {
            flags.push("sensitive");
        }
        if r.read_only {
            flags.push("read-only");
        }
        table.row([
            r.name.clone(),
            shown_value(r.value.as_deref(), r.sensitive),
            source_word(r.source.0).to_string(),
            if flags.is_empty() {
                "-".to_string()
            } else {
                flags.join(",")
            },
        ]);
    }
    table
}

/// Reads the configs of each topic (one request); a topic the broker cannot describe is an
/// error naming it.
pub async fn topic_configs(kafka: &Kafka, names: &[String]) -> Result<Vec<Vec<ConfigEntry>>> {
    let resources: Vec<ConfigResource> = names
        .iter()
        .map(|n| ConfigResource::Topic(n.clone()))
        .collect();
    kafka
        .describe_configs(&resources)
        .await?
        .into_iter()
        .map(|(r, result)| {
            result.map_err(|e| match e.code {
                Code::NotAuthorized => kafka.refusal(Operation::DescribeConfigs, r.acl_resource()),
                _ => Error::new(e.kind(), format!("cannot read the configs of {r}")).because(e),
            })
        })
        .collect()
}

#[derive(Debug, Serialize)]
pub struct TopicConfigs {
    pub topics: Vec<TopicConfigList>,
    /// Whether every config is listed, or only those set on the topics.
    #[serde(skip)]
    pub all: bool,
}

#[derive(Debug, Serialize)]
pub struct TopicConfigList {
    pub name: String,
    pub configs: Vec<ConfigRow>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let names = super::super::dedup(args.names);
    let kafka = ctx.kafka()?;
    let cluster = kafka.metadata().await?;
    super::require_topics(kafka, &cluster, &names, "").await?;
    let configs = topic_configs(kafka, &names).await?;
    let topics = names
        .into_iter()
        .zip(configs)
        .map(|(name, entries)| TopicConfigList {
            name,
            configs: rows(entries, args.all, ConfigSource::DynamicTopic),
        })
        .collect();
    ctx.printer.print(&TopicConfigs {
        topics,
        all: args.all,
    })
}

impl Render for TopicConfigs {
    fn blocks(&self) -> Vec<Block> {
        let mut blocks = Vec::new();
        for (i, t) in self.topics.iter().enumerate() {
            if i > 0 {
                blocks.push(Block::Line(String::new()));
            }
            let heading = if self.all {
                format!("All configs of topic {}:", t.name)
            } else {
                format!("Configs set on topic {}:", t.name)
            };
            blocks.push(Block::Line(heading));
            if t.configs.is_empty() {
                blocks.push(Block::Line(
                    "  none (every config has its default; --all shows them)".to_string(),
                ));
            } else {
                blocks.push(Block::Table(table(&t.configs)));
            }
        }
        blocks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_read_as_kafka_names_in_json() {
        let json = serde_json::to_string(&SourceName(ConfigSource::DynamicDefaultBroker)).unwrap();
        assert_eq!(json, "\"dynamic_default_broker_config\"");
    }

    #[test]
    fn without_all_only_the_resources_own_configs_show() {
        let entry = |name: &str, source| ConfigEntry {
            name: name.into(),
            value: Some("v".into()),
            source,
            read_only: false,
            sensitive: name == "secret",
            synonyms: Vec::new(),
        };
        let entries = vec![
            entry("b", ConfigSource::Default),
            entry("secret", ConfigSource::DynamicTopic),
            entry("a", ConfigSource::DynamicTopic),
        ];
        let own = rows(entries.clone(), false, ConfigSource::DynamicTopic);
        let names: Vec<&str> = own.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["a", "secret"]);
        assert_eq!(own[1].value, None);
        assert_eq!(rows(entries, true, ConfigSource::DynamicTopic).len(), 3);
    }
}
