//! Configs of topics and brokers: reading every entry with its source and flags
//! (DescribeConfigs), and changing single entries (IncrementalAlterConfigs), both through
//! librdkafka's C API; the cluster-wide broker default, which librdkafka cannot address,
//! through kctl's own connection (`default_configs.rs`).

use super::authz::{Operation, Resource};
use super::client::Kafka;
use super::errors::broker_error;
use super::native::{self, ClientRef, NativeError};
use super::types::{BrokerError, Code};
use crate::error::{Error, Result};

/// What has configs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConfigResource {
    Topic(String),
    /// One broker, by id.
    Broker(i32),
    /// The cluster-wide default of all brokers (Kafka's broker resource with the empty name,
    /// `kafka-configs --entity-default`). librdkafka refuses a config resource without a
    /// name, so kctl asks a broker itself (`default_configs.rs`).
    BrokerDefault,
}

impl std::fmt::Display for ConfigResource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigResource::Topic(name) => write!(f, "topic '{name}'"),
            ConfigResource::Broker(id) => write!(f, "broker {id}"),
            ConfigResource::BrokerDefault => f.write_str("the cluster-wide broker default"),
        }
    }
}

impl ConfigResource {
    /// What Kafka's ACLs guard its configs with: a topic's are the topic's, every other's
    /// (brokers) the cluster's.
    pub fn acl_resource(&self) -> Resource {
        match self {
            ConfigResource::Topic(name) => Resource::Topic(name.clone()),
            _ => Resource::Cluster,
        }
    }
}

/// Where a config's value comes from, as Kafka names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConfigSource {
    /// Set on the topic (`DYNAMIC_TOPIC_CONFIG`).
    DynamicTopic,
    /// Set on this broker at run time (`DYNAMIC_BROKER_CONFIG`).
    DynamicBroker,
    /// Set for all brokers at run time (`DYNAMIC_DEFAULT_BROKER_CONFIG`).
    DynamicDefaultBroker,
    /// The broker's properties file (`STATIC_BROKER_CONFIG`).
    StaticBroker,
    /// Kafka's built-in default (`DEFAULT_CONFIG`).
    Default,
    /// Set on a consumer group (`GROUP_CONFIG`).
    Group,
    /// Anything else (`UNKNOWN`).
    Unknown,
}

impl ConfigSource {
    /// Kafka's name, as kafka-configs prints it (`DYNAMIC_TOPIC_CONFIG`).
    pub fn kafka_name(self) -> &'static str {
        match self {
            ConfigSource::DynamicTopic => "DYNAMIC_TOPIC_CONFIG",
            ConfigSource::DynamicBroker => "DYNAMIC_BROKER_CONFIG",
            ConfigSource::DynamicDefaultBroker => "DYNAMIC_DEFAULT_BROKER_CONFIG",
            ConfigSource::StaticBroker => "STATIC_BROKER_CONFIG",
            ConfigSource::Default => "DEFAULT_CONFIG",
            ConfigSource::Group => "GROUP_CONFIG",
            ConfigSource::Unknown => "UNKNOWN",
        }
    }

    /// The source a resource's own dynamic configs have: what `--set` writes and `--delete`
    /// removes.
    pub fn of(resource: &ConfigResource) -> ConfigSource {
        match resource {
            ConfigResource::Topic(_) => ConfigSource::DynamicTopic,
            ConfigResource::Broker(_) => ConfigSource::DynamicBroker,
            ConfigResource::BrokerDefault => ConfigSource::DynamicDefaultBroker,
        }
    }
}

/// Another place a config's value is set, in the order Kafka applies them (first wins).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synonym {
    pub name: String,
    pub value: Option<String>,
    pub source: ConfigSource,
}

/// One config of a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigEntry {
    pub name: String,
    /// `None` for sensitive values (brokers never return them) and configs without a value.
    pub value: Option<String>,
    pub source: ConfigSource,
    pub read_only: bool,
    pub sensitive: bool,
    /// Where else it is set, the effective one first (the broker's answer, when it sends them).
    pub synonyms: Vec<Synonym>,
}

impl ConfigEntry {
    /// The value and source the config would have without the resource's own setting
    /// (`own`): the first synonym from elsewhere, when the broker named one.
    pub fn inherited(&self, own: ConfigSource) -> Option<(Option<String>, ConfigSource)> {
        if self.source != own {
            return Some((self.value.clone(), self.source));
        }
        self.synonyms
            .iter()
            .find(|s| s.source != own)
            .map(|s| (s.value.clone(), s.source))
    }
}

/// One change of an IncrementalAlterConfigs request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigOp {
    /// Set the config (name, value) on the resource.
    Set(String, String),
    /// Remove the resource's own setting: the config reverts to what it inherits.
    Delete(String),
}

impl ConfigOp {
    pub fn name(&self) -> &str {
        match self {
            ConfigOp::Set(name, _) | ConfigOp::Delete(name) => name,
        }
    }
}

fn refusal(err: NativeError) -> BrokerError {
    broker_error(err.code, Some(&err.message))
}

/// A resource's answer: its configs, or the broker's refusal.
type Described = (
    ConfigResource,
    std::result::Result<Vec<ConfigEntry>, BrokerError>,
);

/// The items about other resources than the cluster-wide default (which is asked over
/// kctl's own connection).
fn not_default<T: Clone>(items: &[T], resource: impl Fn(&T) -> &ConfigResource) -> Vec<T> {
    items
        .iter()
        .filter(|i| *resource(i) != ConfigResource::BrokerDefault)
        .cloned()
        .collect()
}

fn sort_as_asked<T>(results: &mut [(ConfigResource, T)], asked: &[ConfigResource]) {
    results.sort_by_key(|(r, _)| asked.iter().position(|a| a == r));
}

impl Kafka {
    /// Every config of each resource (one request; librdkafka sends a broker's to that broker;
    /// the cluster-wide default goes over kctl's own connection). Each resource has its own
    /// result, in the order asked.
    pub async fn describe_configs(&self, resources: &[ConfigResource]) -> Result<Vec<Described>> {
        let rest = not_default(resources, |r| r);
        let mut described = if rest.is_empty() {
            Vec::new()
        } else {
            self.describe_native(rest).await?
        };
        if resources.contains(&ConfigResource::BrokerDefault) {
            let entries = self.broker_default_configs().await?;
            described.push((ConfigResource::BrokerDefault, entries));
        }
        sort_as_asked(&mut described, resources);
        Ok(described)
    }

    async fn describe_native(&self, asked: Vec<ConfigResource>) -> Result<Vec<Described>> {
        let what = "cannot read configs";
        let described = self
            .blocking(what, move |admin, timeout| {
                native::configs::describe_configs(ClientRef::of(admin.inner()), &asked, timeout)
            })
            .await?
            .map_err(|e| self.call_error(what, e))?;
        Ok(described
            .into_iter()
            .map(|(r, result)| (r, result.map_err(refusal)))
            .collect())
    }

    /// The configs of one resource; a refusal is an error naming the resource.
    pub async fn resource_configs(&self, resource: &ConfigResource) -> Result<Vec<ConfigEntry>> {
        let described = self
            .describe_configs(std::slice::from_ref(resource))
            .await?;
        match described.into_iter().next() {
            Some((_, Ok(entries))) => Ok(entries),
            Some((r, Err(e))) if e.code == Code::NotAuthorized => {
                Err(self.refusal(Operation::DescribeConfigs, r.acl_resource()))
            }
            Some((r, Err(e))) => {
                Err(Error::new(e.kind(), format!("cannot read the configs of {r}")).because(e))
            }
            None => Err(Error::runtime(format!(
                "cannot read the configs of {resource}: the broker sent no result"
            ))),
        }
    }

    /// Applies (or, `validate_only`, has the broker validate) each resource's changes; the
    /// configs not named stay as they are. `Ok(Err(..))` is the broker's refusal of a resource.
    pub async fn alter_configs(
        &self,
        changes: &[(ConfigResource, Vec<ConfigOp>)],
        validate_only: bool,
    ) -> Result<Vec<(ConfigResource, std::result::Result<(), BrokerError>)>> {
        let rest = not_default(changes, |(r, _)| r);
        let mut altered = if rest.is_empty() {
            Vec::new()
        } else {
            self.alter_native(rest, validate_only).await?
        };
        if let Some((_, ops)) = changes
            .iter()
            .find(|(r, _)| *r == ConfigResource::BrokerDefault)
        {
            let result = self.alter_broker_default(ops, validate_only).await?;
            altered.push((ConfigResource::BrokerDefault, result));
        }
        let asked: Vec<ConfigResource> = changes.iter().map(|(r, _)| r.clone()).collect();
        sort_as_asked(&mut altered, &asked);
        Ok(altered)
    }

    async fn alter_native(
        &self,
        changes: Vec<(ConfigResource, Vec<ConfigOp>)>,
        validate_only: bool,
    ) -> Result<Vec<(ConfigResource, std::result::Result<(), BrokerError>)>> {
        let what = "cannot alter configs";
        let altered = self
            .blocking(what, move |admin, timeout| {
                native::configs::incremental_alter_configs(
                    ClientRef::of(admin.inner()),
                    &changes,
                    validate_only,
                    timeout,
                )
            })
            .await?
            .map_err(|e| self.call_error(what, e))?;
        Ok(altered
            .into_iter()
            .map(|(r, result)| (r, result.map_err(refusal)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(source: ConfigSource, synonyms: &[(ConfigSource, &str)]) -> ConfigEntry {
        ConfigEntry {
            name: "retention.ms".into(),
            value: Some("1".into()),
            source,
            read_only: false,
            sensitive: false,
            synonyms: synonyms
                .iter()
                .map(|(s, v)| Synonym {
                    name: "log.retention.ms".into(),
                    value: Some(v.to_string()),
                    source: *s,
                })
                .collect(),
        }
    }

    #[test]
    fn a_deleted_config_inherits_the_next_synonym() {
        use ConfigSource::*;
        let e = entry(
            DynamicTopic,
            &[(DynamicTopic, "1"), (StaticBroker, "7"), (Default, "9")],
        );
        assert_eq!(
            e.inherited(DynamicTopic),
            Some((Some("7".into()), StaticBroker))
        );
        let e = entry(Default, &[(Default, "1")]);
        assert_eq!(e.inherited(DynamicTopic), Some((Some("1".into()), Default)));
        assert_eq!(entry(DynamicTopic, &[]).inherited(DynamicTopic), None);
    }
}
