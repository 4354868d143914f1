//! The cluster-wide default of all brokers' dynamic configs (`kafka-configs --entity-type
//! brokers --entity-default`): Kafka's broker config resource with the empty name, which
//! librdkafka refuses, so kctl sends DescribeConfigs and IncrementalAlterConfigs itself
//! (`wire/`, with the connection's TLS and SASL settings) to one broker of the metadata, on
//! the blocking pool, bounded by the timeout.
//!
//! Kafka lists only the configs set at the default; kctl reads them with the asking broker's
//! own configs in the same request and hands out every config the broker lists as it stands
//! at the default level: set there (`DYNAMIC_DEFAULT_BROKER_CONFIG`), else what it inherits
//! (the broker's properties file, Kafka's default), as Kafka itself computes it for the
//! default (the broker's own settings left out). So the names are known (a typo is refused)
//! and a change reads as old -> new.

use super::ask::{refused, wire_error};
use super::client::Kafka;
use super::configs::{ConfigEntry, ConfigOp, ConfigSource};
use super::types::BrokerError;
use super::wire::{self, WireError};
use crate::error::{Error, Result};

impl Kafka {
    /// Every config as it stands at the cluster-wide default (see the module's doc), from one
    /// broker. `Ok(Err(..))` is the broker's refusal.
    pub(super) async fn broker_default_configs(
        &self,
    ) -> Result<std::result::Result<Vec<ConfigEntry>, BrokerError>> {
        let what = "cannot read the configs of the cluster-wide broker default";
        let answer = self
            .ask_a_broker(what, |address, settings, broker| {
                let names = [String::new(), broker.to_string()];
                wire::describe_broker_configs(address, settings, &names)
            })
            .await?;
        let mut answer = answer.into_iter();
        let (Some(set), Some(listed)) = (answer.next(), answer.next()) else {
            return Err(Error::runtime(what).because("the broker sent no result"));
        };
        match (set, listed) {
            (Ok(set), Ok(listed)) => Ok(Ok(default_view(set, listed))),
            (Err(e), _) | (_, Err(e)) => self.refusal_or_error(what, e),
        }
    }

    /// Applies `ops` to the cluster-wide default (or, `validate_only`, has a broker check
    /// them). `Ok(Err(..))` is the broker's refusal.
    pub(super) async fn alter_broker_default(
        &self,
        ops: &[ConfigOp],
        validate_only: bool,
    ) -> Result<std::result::Result<(), BrokerError>> {
        let what = "cannot alter the configs of the cluster-wide broker default";
        let ops = ops.to_vec();
        let answer = self
            .ask_a_broker(what, move |address, settings, _| {
                wire::alter_broker_configs(address, settings, "", &ops, validate_only)
            })
            .await?;
        match answer {
            Ok(()) => Ok(Ok(())),
            Err(e) => self.refusal_or_error(what, e),
        }
    }

    /// A resource's refusal as a [`BrokerError`]; anything else as the error of `what`.
    fn refusal_or_error<T>(
        &self,
        what: &str,
        e: WireError,
    ) -> Result<std::result::Result<T, BrokerError>> {
        match e {
            WireError::Refused { code, message } => Ok(Err(refused(code, message))),
            other => Err(wire_error(what, None, other)),
        }
    }
}

/// Every config the broker lists (`listed`, with synonyms) as it stands at the default level,
/// with those set there (`set`): the broker's own settings (`DYNAMIC_BROKER_CONFIG`) left
/// out. Configs set at the default that the broker does not list come last, as they are.
fn default_view(set: Vec<ConfigEntry>, listed: Vec<ConfigEntry>) -> Vec<ConfigEntry> {
    let mut view: Vec<ConfigEntry> = listed.into_iter().map(|e| at_default(e, &set)).collect();
    for s in set {
        if view.iter().all(|e| e.name != s.name) {
            view.push(s);
        }
    }
    view
}

fn at_default(mut e: ConfigEntry, set: &[ConfigEntry]) -> ConfigEntry {
    use ConfigSource::{DynamicBroker, DynamicDefaultBroker};
    let own = set.iter().find(|s| s.name == e.name);
    let own_value = own.map(|s| s.value.clone());
    let fallback = (e.source != DynamicBroker && e.source != DynamicDefaultBroker)
        .then(|| (e.value.clone(), e.source));
    // Only the answer about the default says what is set there.
    e.synonyms
        .retain(|s| s.source != DynamicBroker && s.source != DynamicDefaultBroker);
    if let Some(value) = own_value {
        e.synonyms.insert(
            0,
            super::configs::Synonym {
                name: e.name.clone(),
                value: value.clone(),
                source: DynamicDefaultBroker,
            },
        );
        e.sensitive |= own.is_some_and(|s| s.sensitive);
        e.value = if e.sensitive { None } else { value };
        e.source = DynamicDefaultBroker;
        return e;
    }
    let (value, source) = e
        .synonyms
        .first()
        .map(|s| (s.value.clone(), s.source))
        .or(fallback)
        .unwrap_or((None, ConfigSource::Default));
    e.value = value;
    e.source = source;
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::Synonym;
    use ConfigSource::*;

    fn entry(
        name: &str,
        value: &str,
        source: ConfigSource,
        synonyms: &[(ConfigSource, &str)],
    ) -> ConfigEntry {
        ConfigEntry {
            name: name.into(),
            value: Some(value.into()),
            source,
            read_only: false,
            sensitive: false,
            synonyms: synonyms
                .iter()
                .map(|(source, value)| Synonym {
                    name: name.into(),
                    value: Some(value.to_string()),
                    source: *source,
                })
                .collect(),
        }
    }

    #[test]
    fn configs_stand_as_at_the_default_level() {
        let listed = vec![
            // Set on the broker and at the default: the default's value.
            entry(
                "log.cleaner.threads",
                "4",
                DynamicBroker,
                &[
                    (DynamicBroker, "4"),
                    (DynamicDefaultBroker, "2"),
                    (Default, "1"),
                ],
            ),
            // Set on the broker only: what it inherits.
            entry(
                "max.connections",
                "9",
                DynamicBroker,
                &[(DynamicBroker, "9"), (StaticBroker, "7"), (Default, "5")],
            ),
            entry("broker.id", "1", StaticBroker, &[(StaticBroker, "1")]),
            entry("num.io.threads", "8", Default, &[]),
        ];
        let set = vec![
            entry("log.cleaner.threads", "2", DynamicDefaultBroker, &[]),
            entry("listener.name.x.y", "z", DynamicDefaultBroker, &[]),
        ];
        let view = default_view(set, listed);
        let at = |name: &str| view.iter().find(|e| e.name == name).unwrap();
        let cleaner = at("log.cleaner.threads");
        assert_eq!(
            (cleaner.value.as_deref(), cleaner.source),
            (Some("2"), DynamicDefaultBroker)
        );
        assert_eq!(
            cleaner.inherited(DynamicDefaultBroker),
            Some((Some("1".into()), Default))
        );
        let max = at("max.connections");
        assert_eq!(
            (max.value.as_deref(), max.source),
            (Some("7"), StaticBroker)
        );
        assert_eq!(at("broker.id").source, StaticBroker);
        assert_eq!(at("num.io.threads").value.as_deref(), Some("8"));
        assert_eq!(view.last().unwrap().name, "listener.name.x.y");
        assert_eq!(view.len(), 5);
    }
}
