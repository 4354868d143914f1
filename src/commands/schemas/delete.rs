//! `kctl schemas delete SUBJECT[:VERSION] [--permanent]`: says what goes and asks first.
//!
//! A soft delete hides a subject or version (`list --deleted` still shows it, ids keep
//! resolving); `--permanent` removes it for good, soft-deleting it first when it is not yet
//! (registries take permanent deletes of soft-deleted things only).

use serde::Serialize;

use super::super::Ctx;
use crate::error::{Error, ErrorKind, Result};
use crate::registry::client::RegistryClient;
use crate::registry::Version;
use crate::render::{Block, Render};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The subject, or one of its versions (a number or latest): SUBJECT[:VERSION]
    #[arg(
        value_name = "SUBJECT[:VERSION]",
        value_parser = super::parse_subject_maybe_version,
        add = crate::complete::subject_completer()
    )]
    pub target: (String, Option<Version>),

    /// Delete for good (a soft delete only hides it)
    #[arg(long)]
    pub permanent: bool,

    /// Delete without asking (required when there is no terminal to ask on)
    #[arg(short = 'y', long)]
    pub yes: bool,
}

/// `{"subject": "orders-value", "versions": [1, 2], "permanent": false}`: what was deleted.
#[derive(Debug, Serialize)]
pub struct DeletedSchemas {
    pub subject: String,
    pub versions: Vec<i32>,
    pub permanent: bool,
    /// The whole subject, or only these versions of it.
    #[serde(skip)]
    whole: bool,
}

/// What a delete would remove, found before asking.
struct Plan {
    /// The versions that go.
    versions: Vec<i32>,
    /// Of those, the ones not soft-deleted yet (a permanent delete soft-deletes them first).
    active: Vec<i32>,
}

/// The versions of `subject`, active and all; a subject with no active version (all
/// soft-deleted) has an empty active list.
fn versions(client: &RegistryClient, subject: &str) -> Result<(Vec<i32>, Vec<i32>)> {
    let all = client.versions(subject, true)?;
    let active = match client.versions(subject, false) {
        Ok(active) => active,
        Err(e) if matches!(e.kind(), ErrorKind::NotFound { .. }) => Vec::new(),
        Err(e) => return Err(e),
    };
    Ok((active, all))
}

fn plan(
    client: &RegistryClient,
    subject: &str,
    version: Option<Version>,
    permanent: bool,
) -> Result<Plan> {
    let (active, all) = versions(client, subject)?;
    let gone = |what: String| {
        Error::not_found(
            what.clone(),
            format!("{what} is soft-deleted already: --permanent removes it for good; nothing was deleted"),
        )
    };
    match version {
        None => {
            if !permanent && active.is_empty() {
                return Err(gone(format!("subject '{subject}'")));
            }
            Ok(Plan {
                versions: if permanent { all } else { active.clone() },
                active,
            })
        }
        Some(v) => {
            let n = match v {
                Version::Number(n) => n,
                Version::Latest => *active.last().ok_or_else(|| {
                    Error::not_found(
                        format!("subject '{subject}'"),
                        format!("subject '{subject}' has no version that is not deleted; nothing was deleted"),
                    )
                })?,
            };
            if !all.contains(&n) {
                let what = format!("version {n} of subject '{subject}'");
                return Err(Error::not_found(
                    what.clone(),
                    format!("{what} not found; nothing was deleted"),
                ));
            }
            let is_active = active.contains(&n);
            if !permanent && !is_active {
                return Err(gone(format!("version {n} of subject '{subject}'")));
            }
            Ok(Plan {
                versions: vec![n],
                active: if is_active { vec![n] } else { Vec::new() },
            })
        }
    }
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let (subject, version) = args.target;
    let permanent = args.permanent;
    let registry = ctx.registry()?;
    let plan = {
        let subject = subject.clone();
        registry
            .call(move |client| plan(client, &subject, version, permanent))
            .await?
    };
    let how = if permanent {
        "permanently delete"
    } else {
        "delete"
    };
    let list = plan
        .versions
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let action = match version {
        None => format!(
            "{how} subject {subject} ({} {list})",
            crate::render::plural(plan.versions.len(), "version", "versions")
        ),
        Some(_) => format!("{how} version {list} of subject {subject}"),
    };
    if !ctx.printer.confirm(&action, None, args.yes).await? {
        return Err(Error::runtime("aborted: nothing was deleted"));
    }
    let whole = version.is_none();
    let deleted = {
        let subject = subject.clone();
        let versions = plan.versions.clone();
        registry
            .call(move |client| {
                if whole {
                    if permanent && !plan.active.is_empty() {
                        client.delete_subject(&subject, false)?;
                    }
                    client.delete_subject(&subject, permanent)
                } else {
                    for &n in &versions {
                        if permanent && plan.active.contains(&n) {
                            client.delete_version(&subject, n, false)?;
                        }
                        client.delete_version(&subject, n, permanent)?;
                    }
                    Ok(versions)
                }
            })
            .await?
    };
    let mut versions = deleted;
    versions.sort_unstable();
    ctx.printer.print(&DeletedSchemas {
        subject,
        versions,
        permanent,
        whole,
    })
}

impl Render for DeletedSchemas {
    fn blocks(&self) -> Vec<Block> {
        let how = if self.permanent {
            "permanently deleted"
        } else {
            "deleted"
        };
        let list = self
            .versions
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let plural = crate::render::plural(self.versions.len(), "version", "versions");
        vec![Block::Line(if self.whole {
            format!("{how} subject \"{}\" ({plural} {list})", self.subject)
        } else {
            format!("{how} {plural} {list} of subject \"{}\"", self.subject)
        })]
    }
}
