//! Client quotas of users, client ids and IP addresses (`kafka-configs --entity-type
//! users|clients|ips`), which librdkafka has no API for: kctl's own DescribeClientQuotas and
//! AlterClientQuotas (`wire/quotas.rs`) to a broker of the metadata.

use std::collections::BTreeMap;

use super::authz::{Operation, Resource};
use super::client::Kafka;
use super::wire;
use crate::error::Result;

/// Kafka's entity types of quotas.
pub const USER: &str = "user";
pub const CLIENT_ID: &str = "client-id";
pub const IP: &str = "ip";

/// The entity a quota applies to: its parts (type, name; `None` the type's default), in
/// Kafka's order: user, client-id, ip.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct QuotaEntity {
    pub parts: Vec<(String, Option<String>)>,
}

impl QuotaEntity {
    /// The entity of these parts, in Kafka's order.
    pub fn new(mut parts: Vec<(String, Option<String>)>) -> QuotaEntity {
        let rank = |t: &str| match t {
            USER => 0,
            CLIENT_ID => 1,
            IP => 2,
            _ => 3,
        };
        parts.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then(a.0.cmp(&b.0)));
        QuotaEntity { parts }
    }

    /// `user 'alice', client-id 'c1'`, `the default user`.
    pub fn describe(&self) -> String {
        self.parts
            .iter()
            .map(|(t, n)| match n {
                Some(n) => format!("{t} '{n}'"),
                None => format!("the default {t}"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// How a filter matches an entity type's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuotaMatch {
    Exact(String),
    /// The type's default entity.
    Default,
    /// Any name, the default included.
    Any,
}

/// The quotas of one entity.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaEntry {
    pub entity: QuotaEntity,
    pub values: BTreeMap<String, f64>,
}

/// A change to an entity's quotas.
#[derive(Debug, Clone, PartialEq)]
pub enum QuotaOp {
    Set(String, f64),
    Delete(String),
}

impl Kafka {
    /// The quotas of the entities `filter` matches (all when it is empty); `strict`: only the
    /// entities of exactly the filter's types. Needs DESCRIBE_CONFIGS on the cluster.
    pub async fn describe_quotas(
        &self,
        filter: &[(String, QuotaMatch)],
        strict: bool,
    ) -> Result<Vec<QuotaEntry>> {
        let what = "cannot describe client quotas";
        let filter = filter.to_vec();
        let mut entries = self
            .ask_a_broker(what, move |at, settings, _| {
                wire::describe_client_quotas(at, settings, &filter, strict)
            })
            .await
            .map_err(|e| self.refused(e, Operation::DescribeConfigs, Resource::Cluster))?;
        entries.sort_by(|a, b| a.entity.cmp(&b.entity));
        Ok(entries)
    }

    /// Applies `ops` to `entity`'s quotas (or, `validate_only`, has a broker check them).
    /// Needs ALTER_CONFIGS on the cluster.
    pub async fn alter_quotas(
        &self,
        entity: &QuotaEntity,
        ops: &[QuotaOp],
        validate_only: bool,
    ) -> Result<()> {
        let what = format!("cannot alter the quotas of {}", entity.describe());
        let (entity, ops) = (entity.clone(), ops.to_vec());
        let answer = self
            .ask_a_broker(&what, move |at, settings, _| {
                wire::alter_client_quotas(at, settings, &entity, &ops, validate_only)
            })
            .await
            .map_err(|e| self.refused(e, Operation::AlterConfigs, Resource::Cluster))?;
        answer.map_err(|e| {
            let err = super::ask::wire_error(&what, None, e);
            self.refused(err, Operation::AlterConfigs, Resource::Cluster)
        })
    }
}
