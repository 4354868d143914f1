//! `kctl quotas ...`: client quotas of users, client ids and IP addresses (byte rates,
//! request percentage, connection and controller mutation rates), as `kafka-configs
//! --entity-type users|clients|ips` shows and changes them.

pub mod alter;
pub mod delete;
pub mod describe;

use clap::Subcommand;
use serde::Serialize;

use super::Ctx;
use crate::error::{Error, Result};
use crate::kafka::{QuotaEntity, QuotaMatch, CLIENT_ID, IP, USER};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show client quotas: all, or those of one entity or entity type
    Describe(describe::Args),
    /// Set or delete quotas of a user, client id or IP address, printing each change as
    /// old -> new (--dry-run)
    Alter(alter::Args),
    /// Delete every quota of a user, client id or IP address (asks first)
    #[command(visible_alias = "rm")]
    Delete(delete::Args),
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::Describe(args) => describe::run(args, ctx).await,
        Command::Alter(args) => alter::run(args, ctx).await,
        Command::Delete(args) => delete::run(args, ctx).await,
    }
}

/// The entity flags, shared by every quotas command.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct EntityArgs {
    /// A user principal's name (`alice` for User:alice)
    #[arg(long, value_name = "USER", conflicts_with = "default_user",
          value_parser = non_empty, help_heading = "Entity")]
    pub user: Option<String>,

    /// The default of all users
    #[arg(long, help_heading = "Entity")]
    pub default_user: bool,

    /// A client id
    #[arg(long, value_name = "ID", conflicts_with = "default_client_id",
          value_parser = non_empty, help_heading = "Entity")]
    pub client_id: Option<String>,

    /// The default of all client ids
    #[arg(long, help_heading = "Entity")]
    pub default_client_id: bool,

    /// An IP address (its connection creation rate; not combined with a user or client id)
    #[arg(long, value_name = "IP", value_parser = ip_address, help_heading = "Entity",
          conflicts_with_all = ["default_ip", "user", "default_user", "client_id", "default_client_id"])]
    pub ip: Option<String>,

    /// The default of all IP addresses
    #[arg(long, help_heading = "Entity",
          conflicts_with_all = ["user", "default_user", "client_id", "default_client_id"])]
    pub default_ip: bool,
}

impl EntityArgs {
    /// The entity's parts as flags name them (type, name or `None` for the default).
    pub fn parts(&self) -> Vec<(String, Option<String>)> {
        let mut parts = Vec::new();
        let mut add = |kind: &str, name: &Option<String>, default: bool| {
            if name.is_some() || default {
                parts.push((kind.to_string(), name.clone()));
            }
        };
        add(USER, &self.user, self.default_user);
        add(CLIENT_ID, &self.client_id, self.default_client_id);
        add(IP, &self.ip, self.default_ip);
        parts
    }

    /// The entity the flags name; none named is a usage error.
    pub fn entity(&self) -> Result<QuotaEntity> {
        let parts = self.parts();
        if parts.is_empty() {
            return Err(Error::usage(
                "name the entity: --user, --client-id or --ip (or --default-user, \
                 --default-client-id, --default-ip)",
            ));
        }
        Ok(QuotaEntity::new(parts))
    }

    /// The describe filter matching exactly this entity.
    pub fn filter(&self) -> Vec<(String, QuotaMatch)> {
        self.parts()
            .into_iter()
            .map(|(kind, name)| match name {
                Some(n) => (kind, QuotaMatch::Exact(n)),
                None => (kind, QuotaMatch::Default),
            })
            .collect()
    }
}

fn non_empty(s: &str) -> std::result::Result<String, String> {
    if s.is_empty() {
        return Err(
            "the name cannot be empty (the default is --default-user, --default-client-id)".into(),
        );
    }
    Ok(s.to_string())
}

/// clap value parser for an IP address (v4 or v6), as Kafka takes it.
fn ip_address(s: &str) -> std::result::Result<String, String> {
    s.parse::<std::net::IpAddr>()
        .map(|_| s.to_string())
        .map_err(|_| format!("'{s}' is not an IP address"))
}

/// An entity part in JSON: `{"type": "user", "name": "alice"}` (`null`: the default).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct EntityPart {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: Option<String>,
}

pub fn entity_view(e: &QuotaEntity) -> Vec<EntityPart> {
    e.parts
        .iter()
        .map(|(kind, name)| EntityPart {
            kind: kind.clone(),
            name: name.clone(),
        })
        .collect()
}

/// `user=alice,client-id=<default>`.
pub fn entity_text(parts: &[EntityPart]) -> String {
    parts
        .iter()
        .map(|p| format!("{}={}", p.kind, p.name.as_deref().unwrap_or("<default>")))
        .collect::<Vec<_>>()
        .join(",")
}

/// A quota value as people read it: `1048576`, `12.5`.
pub fn value_text(v: f64) -> String {
    format!("{v}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_make_entities_in_kafkas_order() {
        let args = EntityArgs {
            client_id: Some("c1".into()),
            default_user: true,
            ..EntityArgs::default()
        };
        let e = args.entity().unwrap();
        assert_eq!(e.describe(), "the default user, client-id 'c1'");
        assert_eq!(entity_text(&entity_view(&e)), "user=<default>,client-id=c1");
        assert_eq!(args.filter()[0].1, QuotaMatch::Default);
        assert!(EntityArgs::default().entity().is_err());
        assert!(ip_address("10.0.0.1").is_ok() && ip_address("::1").is_ok());
        assert!(ip_address("10.0.0").is_err());
        assert_eq!(value_text(1024.0), "1024");
        assert_eq!(value_text(12.5), "12.5");
    }
}
