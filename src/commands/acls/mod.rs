//! `kctl acls ...`: list, create and delete ACLs, as `kafka-acls` does.

pub mod create;
pub mod delete;
pub mod list;

use clap::Subcommand;
use serde::Serialize;

use super::Ctx;
use crate::error::{Error, Result};
use crate::kafka::{
    Acl, AclFilter, AclOperation, AclPermission, Kafka, PatternType, ResourceType, CLUSTER_NAME,
};
use crate::render::{Block, Render, Table};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List ACLs (all, or those matching the filters)
    #[command(visible_alias = "ls")]
    List(list::Args),
    /// Create ACLs: principals allowed or denied operations on resources
    Create(create::Args),
    /// Delete the ACLs matching the filters (shows them and asks first)
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

/// The resources of an ACL command line: `--topic`, `--group`, `--transactional-id`
/// (repeatable) and `--cluster`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Resources {
    /// A topic (repeatable)
    #[arg(long = "topic", value_name = "TOPIC", value_parser = resource_name, add = crate::complete::topic_completer())]
    pub topics: Vec<String>,

    /// A consumer group (repeatable)
    #[arg(long = "group", value_name = "GROUP", value_parser = resource_name, add = crate::complete::group_completer())]
    pub groups: Vec<String>,

    /// A transactional id (repeatable)
    #[arg(long = "transactional-id", value_name = "ID", value_parser = resource_name)]
    pub transactional_ids: Vec<String>,

    /// The cluster itself (kafka-cluster)
    #[arg(long)]
    pub cluster: bool,
}

impl Resources {
    /// Every resource named, as (type, name), in the order topics, groups, transactional
    /// ids, cluster.
    pub fn list(&self) -> Vec<(ResourceType, String)> {
        let mut out: Vec<(ResourceType, String)> = Vec::new();
        let typed = [
            (ResourceType::Topic, &self.topics),
            (ResourceType::Group, &self.groups),
            (ResourceType::TransactionalId, &self.transactional_ids),
        ];
        for (kind, names) in typed {
            for name in names {
                if !out.iter().any(|(k, n)| *k == kind && n == name) {
                    out.push((kind, name.clone()));
                }
            }
        }
        if self.cluster {
            out.push((ResourceType::Cluster, CLUSTER_NAME.to_string()));
        }
        out
    }
}

/// clap value parser for a resource name: not empty.
fn resource_name(s: &str) -> std::result::Result<String, String> {
    if s.is_empty() {
        Err("a resource name cannot be empty".to_string())
    } else {
        Ok(s.to_string())
    }
}

/// clap value parser for a principal: `User:NAME` (`User:*` is every user).
pub fn principal(s: &str) -> std::result::Result<String, String> {
    match s.split_once(':') {
        Some(("User", name)) if !name.is_empty() => Ok(s.to_string()),
        _ => Err(format!(
            "invalid principal '{s}': expected User:NAME (e.g. User:alice, or User:* for every user)"
        )),
    }
}

/// clap value parser for an operation, as `kafka-acls --operation` names them (any case,
/// `-` or `_` between words).
pub fn operation(s: &str) -> std::result::Result<AclOperation, String> {
    s.parse()
}

/// The filters of `acls list` and `acls delete`.
#[derive(Debug, Clone, clap::Args)]
pub struct FilterArgs {
    /// Only ACLs of this principal (User:NAME)
    #[arg(long, value_name = "User:NAME", value_parser = principal)]
    pub principal: Option<String>,

    /// Only ACLs for this host
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,

    /// Only ACLs of this operation
    #[arg(long, value_name = "OPERATION", value_parser = operation)]
    pub operation: Option<AclOperation>,

    /// Only ACLs that allow
    #[arg(long, conflicts_with = "deny")]
    pub allow: bool,

    /// Only ACLs that deny
    #[arg(long)]
    pub deny: bool,

    #[command(flatten)]
    pub resources: Resources,

    /// How resource names match: literal (the name itself, the default with a resource),
    /// prefixed (ACLs on a prefix), match (every ACL that applies to the name: literal,
    /// prefixed and wildcard), any (literal or prefixed, the default without a resource)
    #[arg(long, value_name = "PATTERN", value_parser = filter_pattern)]
    pub pattern: Option<PatternType>,
}

fn filter_pattern(s: &str) -> std::result::Result<PatternType, String> {
    match s.parse()? {
        PatternType::Unknown => Err(format!("unknown pattern type '{s}'")),
        p => Ok(p),
    }
}

impl FilterArgs {
    /// Whether any filter was given at all.
    pub fn is_empty(&self) -> bool {
        self.principal.is_none()
            && self.host.is_none()
            && self.operation.is_none()
            && !self.allow
            && !self.deny
            && self.resources.list().is_empty()
            && self.pattern.is_none()
    }

    /// The filters to send: one per resource named, or one for every resource.
    pub fn filters(&self) -> Result<Vec<AclFilter>> {
        if let Some(op) = self.operation.filter(|op| !op.supported()) {
            return Err(unsupported(op));
        }
        let permission = match (self.allow, self.deny) {
            (true, _) => AclPermission::Allow,
            (_, true) => AclPermission::Deny,
            _ => AclPermission::Any,
        };
        let filter = |resource_type, name, pattern| AclFilter {
            resource_type,
            name,
            pattern,
            principal: self.principal.clone(),
            host: self.host.clone(),
            operation: self.operation.unwrap_or(AclOperation::Any),
            permission,
        };
        let resources = self.resources.list();
        if resources.is_empty() {
            let pattern = self.pattern.unwrap_or(PatternType::Any);
            return Ok(vec![filter(ResourceType::Any, None, pattern)]);
        }
        let pattern = self.pattern.unwrap_or(PatternType::Literal);
        Ok(resources
            .into_iter()
            .map(|(kind, name)| filter(kind, Some(name), pattern))
            .collect())
    }
}

/// An operation librdkafka cannot send.
pub fn unsupported(op: AclOperation) -> Error {
    Error::usage(format!(
        "operation {} is not supported: librdkafka 2.12, kctl's Kafka client, has no value for it \
         (use kafka-acls for delegation token ACLs)",
        op.json_name().replace('_', "-")
    ))
}

/// The ACLs matching any of `filters`, each once, sorted.
pub async fn matching(kafka: &Kafka, filters: &[AclFilter]) -> Result<Vec<Acl>> {
    let mut acls = Vec::new();
    for filter in filters {
        acls.extend(kafka.describe_acls(filter).await?);
    }
    acls.sort();
    acls.dedup();
    Ok(acls)
}

/// A list of ACLs: `{"acls": [...]}`, the document `acls create --from-file` reads.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AclList {
    pub acls: Vec<Acl>,
}

/// The ACL table, with the columns of `kafka-acls --list`.
pub fn acl_table(acls: &[Acl]) -> Table {
    let mut table = Table::new([
        "PRINCIPAL",
        "HOST",
        "OPERATION",
        "PERMISSION",
        "RESOURCE-TYPE",
        "RESOURCE-NAME",
        "PATTERN",
    ]);
    for a in acls {
        table.row([
            a.principal.clone(),
            a.host.clone(),
            a.operation.to_string(),
            a.permission.to_string(),
            a.resource_type.to_string(),
            a.name.clone(),
            a.pattern.to_string(),
        ]);
    }
    table
}

impl Render for AclList {
    fn blocks(&self) -> Vec<Block> {
        vec![Block::Table(acl_table(&self.acls))]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_are_user_name() {
        assert!(principal("User:alice").is_ok());
        assert!(principal("User:*").is_ok());
        for bad in ["alice", "User:", "user:alice", "Group:x", ""] {
            assert!(principal(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn filters_default_to_literal_names_and_any_resource() {
        let args = FilterArgs {
            principal: None,
            host: None,
            operation: None,
            allow: false,
            deny: false,
            resources: Resources::default(),
            pattern: None,
        };
        assert!(args.is_empty());
        let all = args.filters().unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].resource_type, ResourceType::Any);
        assert_eq!(all[0].pattern, PatternType::Any);
        let named = FilterArgs {
            resources: Resources {
                topics: vec!["a".into(), "a".into()],
                cluster: true,
                ..Resources::default()
            },
            allow: true,
            ..args
        };
        let filters = named.filters().unwrap();
        assert_eq!(filters.len(), 2);
        assert_eq!(filters[0].pattern, PatternType::Literal);
        assert_eq!(filters[0].permission, AclPermission::Allow);
        assert_eq!(filters[1].name.as_deref(), Some("kafka-cluster"));
    }
}
