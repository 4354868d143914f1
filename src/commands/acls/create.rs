//! `kctl acls create (--allow|--deny) --principal P... --operation OP... RESOURCE... [--dry-run]`
//! and `kctl acls create --from-file F`.

use std::path::PathBuf;

use serde::Serialize;

use super::super::Ctx;
use super::{acl_table, operation, principal, AclList, Resources};
use crate::error::{Error, ErrorKind, Result};
use crate::kafka::{Acl, AclOperation, AclPermission, PatternType, ResourceType, CLUSTER_NAME};
use crate::render::{plural, Block, Render};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl acls create --allow --principal User:alice --operation read --operation describe --topic orders\n  \
    kctl acls create --allow --principal User:app --operation write --topic orders- --pattern prefixed --dry-run\n  \
    kctl acls create --deny --principal User:* --host 10.0.0.9 --operation all --cluster\n  \
    kctl acls create --from-file acls.json   # the JSON of kctl acls list -o json")]
pub struct Args {
    /// Allow the operations
    #[arg(long, conflicts_with = "deny", required_unless_present_any = ["deny", "from_file"])]
    pub allow: bool,

    /// Deny the operations (a deny wins over any allow)
    #[arg(long)]
    pub deny: bool,

    /// Who: User:NAME, or User:* for every user (repeatable)
    #[arg(long = "principal", value_name = "User:NAME", value_parser = principal, required_unless_present = "from_file")]
    pub principals: Vec<String>,

    /// What: read, write, create, delete, alter, describe, cluster-action, describe-configs,
    /// alter-configs, idempotent-write or all (any case; repeatable or comma-separated)
    #[arg(long = "operation", value_name = "OPERATION", value_parser = operation, value_delimiter = ',', required_unless_present = "from_file")]
    pub operations: Vec<AclOperation>,

    #[command(flatten)]
    pub resources: Resources,

    /// From which host (repeatable; default *, every host)
    #[arg(long = "host", value_name = "HOST")]
    pub hosts: Vec<String>,

    /// literal: the resource names themselves (the default); prefixed: every name starting
    /// with them
    #[arg(long, value_name = "PATTERN", value_parser = binding_pattern)]
    pub pattern: Option<PatternType>,

    /// Create the ACLs of this file: the JSON that `kctl acls list -o json` prints
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "allow", "deny", "principals", "operations", "hosts", "pattern",
        "topics", "groups", "transactional_ids", "cluster",
    ])]
    pub from_file: Option<PathBuf>,

    /// Print the ACLs that would be created and change nothing
    #[arg(long)]
    pub dry_run: bool,
}

fn binding_pattern(s: &str) -> std::result::Result<PatternType, String> {
    match s.parse()? {
        p @ (PatternType::Literal | PatternType::Prefixed) => Ok(p),
        _ => Err(format!(
            "'{s}' is a filter pattern: ACLs are created literal or prefixed"
        )),
    }
}

/// What `acls create` created (or, in a dry run, would create).
#[derive(Debug, Serialize)]
pub struct Created {
    pub acls: Vec<Acl>,
    /// `true`: nothing was changed.
    pub dry_run: bool,
}

impl Render for Created {
    fn blocks(&self) -> Vec<Block> {
        let what = plural(self.acls.len(), "ACL", "ACLs");
        let line = if self.dry_run {
            format!("would create {} {what}:", self.acls.len())
        } else {
            format!("created {} {what}:", self.acls.len())
        };
        vec![Block::Line(line), Block::Table(acl_table(&self.acls))]
    }
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let acls = match &args.from_file {
        Some(path) => {
            let (acls, skipped) = from_file(path)?;
            if skipped > 0 {
                ctx.printer.warn(format!(
                    "skipped {skipped} {} of {} on a resource type or with an operation listed \
                     as `unknown`: kctl lists them (USER and DELEGATION_TOKEN ACLs, the \
                     CREATE_TOKENS and DESCRIBE_TOKENS operations) but librdkafka cannot create \
                     them; use kafka-acls for those",
                    plural(skipped, "ACL", "ACLs"),
                    path.display()
                ));
            }
            acls
        }
        None => from_flags(&args)?,
    };
    if args.dry_run {
        ctx.printer.print(&Created {
            acls,
            dry_run: true,
        })?;
        ctx.printer.note("Dry run: nothing was changed.");
        return Ok(());
    }
    let results = ctx.kafka()?.create_acls(&acls).await?;
    let mut created = Vec::new();
    let mut failed = Vec::new();
    let mut causes = Vec::new();
    let mut kind = ErrorKind::Runtime;
    for (acl, result) in results {
        match result {
            Ok(()) => created.push(acl),
            Err(e) => {
                if e.kind() == ErrorKind::Authorization {
                    kind = ErrorKind::Authorization;
                }
                failed.push(format!("{}: {e}", describe(&acl)));
                if !causes.contains(&e.message) {
                    causes.push(e.message);
                }
            }
        }
    }
    if !failed.is_empty() {
        let mut message = format!("cannot create ACLs: {}", failed.join("; "));
        if created.is_empty() && causes.len() == 1 {
            // Every one failed alike (a refusal, say): once is enough.
            message = format!("cannot create ACLs: {}", causes[0]);
        }
        if !created.is_empty() {
            let done: Vec<String> = created.iter().map(describe).collect();
            message.push_str(&format!(" (created: {})", done.join("; ")));
        }
        // (A refusal of the request is an error of its own, from `create_acls`.)
        return Err(Error::new(kind, message));
    }
    ctx.printer.print(&Created {
        acls: created,
        dry_run: false,
    })
}

/// An ACL in one line, for messages.
fn describe(acl: &Acl) -> String {
    format!(
        "{} {} {} from {} on {} {} ({})",
        acl.permission.json_name(),
        acl.principal,
        acl.operation.json_name(),
        acl.host,
        acl.resource_type.json_name(),
        acl.name,
        acl.pattern.json_name()
    )
}

/// Every (principal, host, operation, resource) of the flags.
fn from_flags(args: &Args) -> Result<Vec<Acl>> {
    let resources = args.resources.list();
    if resources.is_empty() {
        return Err(Error::usage(
            "name at least one resource: --topic, --group, --transactional-id or --cluster",
        ));
    }
    let permission = if args.deny {
        AclPermission::Deny
    } else {
        AclPermission::Allow
    };
    let hosts = if args.hosts.is_empty() {
        vec!["*".to_string()]
    } else {
        super::super::dedup(args.hosts.clone())
    };
    let mut acls = Vec::new();
    for (resource_type, name) in &resources {
        for principal in &super::super::dedup(args.principals.clone()) {
            for host in &hosts {
                for &operation in &args.operations {
                    acls.push(Acl {
                        principal: principal.clone(),
                        host: host.clone(),
                        operation,
                        permission,
                        resource_type: *resource_type,
                        name: name.clone(),
                        pattern: args.pattern.unwrap_or(PatternType::Literal),
                    });
                }
            }
        }
    }
    acls.sort();
    acls.dedup();
    for acl in &acls {
        check(acl).map_err(Error::usage)?;
    }
    Ok(acls)
}

/// The ACLs of a file `acls list -o json` wrote, and how many of them were left out: those
/// `acls list` shows as `unknown` (a resource type or operation librdkafka has no value for,
/// such as USER and DELEGATION_TOKEN ACLs), which kctl cannot create.
fn from_file(path: &std::path::Path) -> Result<(Vec<Acl>, usize)> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::usage(format!("cannot read {}: {e}", path.display())))?;
    let list: AclList = serde_json::from_str(&text).map_err(|e| {
        // serde_json's message ends with its position, which the message leads with.
        let position = format!(" at line {} column {}", e.line(), e.column());
        let message = e.to_string();
        let message = message.strip_suffix(&position).unwrap_or(&message);
        Error::invalid_input(
            Some((e.line() as u64, e.column() as u64)),
            format!("invalid ACL file {}{position}: {message}", path.display()),
        )
    })?;
    let listed = list.acls.len();
    let mut acls: Vec<Acl> = list
        .acls
        .into_iter()
        .filter(|a| {
            a.resource_type != ResourceType::Unknown && a.operation != AclOperation::Unknown
        })
        .collect();
    let skipped = listed - acls.len();
    for (i, acl) in acls.iter().enumerate() {
        check(acl).map_err(|why| {
            Error::invalid_input(
                None,
                format!("invalid ACL {} of {}: {why}", i + 1, path.display()),
            )
        })?;
    }
    if acls.is_empty() {
        let why = match skipped {
            0 => format!("{} holds no ACLs", path.display()),
            n => format!(
                "{} holds no ACLs kctl can create ({n} listed as `unknown`: use kafka-acls for \
                 those)",
                path.display()
            ),
        };
        return Err(Error::invalid_input(None, why));
    }
    acls.sort();
    acls.dedup();
    Ok((acls, skipped))
}

/// Why `acl` cannot be created, if it cannot.
fn check(acl: &Acl) -> std::result::Result<(), String> {
    principal(&acl.principal)?;
    if acl.host.is_empty() {
        return Err("the host is empty (use * for every host)".to_string());
    }
    match acl.operation {
        AclOperation::Any => return Err("operation any is a filter, not an operation".into()),
        op if !op.supported() => return Err(super::unsupported(op).message()),
        _ => {}
    }
    if !matches!(acl.permission, AclPermission::Allow | AclPermission::Deny) {
        return Err("the permission must be allow or deny".to_string());
    }
    if !matches!(acl.pattern, PatternType::Literal | PatternType::Prefixed) {
        return Err(format!(
            "pattern {} is a filter: ACLs are literal or prefixed",
            acl.pattern.json_name()
        ));
    }
    match acl.resource_type {
        ResourceType::Any => Err("resource type any is a filter, not a resource".to_string()),
        ResourceType::Cluster if acl.name != CLUSTER_NAME => Err(format!(
            "the cluster resource is named {CLUSTER_NAME}, not '{}'",
            acl.name
        )),
        _ if acl.name.is_empty() => Err("the resource name is empty".to_string()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `acls list -o json` of a cluster with a USER ACL reads back: that one is skipped.
    #[test]
    fn a_listing_with_acls_librdkafka_cannot_name_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("acls.json");
        std::fs::write(
            &path,
            r#"{"acls": [
              {"principal": "User:alice", "host": "*", "operation": "read", "permission": "allow",
               "resource_type": "topic", "resource_name": "orders", "pattern": "literal"},
              {"principal": "User:alice", "host": "*", "operation": "create_tokens",
               "permission": "allow", "resource_type": "unknown", "resource_name": "bob", "pattern": "literal"},
              {"principal": "User:alice", "host": "*", "operation": "unknown",
               "permission": "allow", "resource_type": "unknown", "resource_name": "bob", "pattern": "literal"}
            ]}"#,
        )
        .unwrap();
        let (acls, skipped) = from_file(&path).unwrap();
        assert_eq!((acls.len(), skipped), (1, 2));
        std::fs::write(&path, "{\"acls\": [}").unwrap();
        let err = from_file(&path).unwrap_err().to_string();
        assert_eq!(err.matches("line 1").count(), 1, "{err}");
    }

    fn acl() -> Acl {
        Acl {
            principal: "User:alice".into(),
            host: "*".into(),
            operation: AclOperation::Read,
            permission: AclPermission::Allow,
            resource_type: ResourceType::Topic,
            name: "orders".into(),
            pattern: PatternType::Literal,
        }
    }

    #[test]
    fn only_creatable_acls_pass() {
        assert_eq!(check(&acl()), Ok(()));
        let bad = [
            Acl {
                principal: "alice".into(),
                ..acl()
            },
            Acl {
                operation: AclOperation::CreateTokens,
                ..acl()
            },
            Acl {
                operation: AclOperation::Any,
                ..acl()
            },
            Acl {
                pattern: PatternType::Match,
                ..acl()
            },
            Acl {
                resource_type: ResourceType::Cluster,
                ..acl()
            },
            Acl {
                name: String::new(),
                ..acl()
            },
            Acl {
                permission: AclPermission::Unknown,
                ..acl()
            },
        ];
        for acl in bad {
            assert!(check(&acl).is_err(), "{acl:?}");
        }
    }
}
