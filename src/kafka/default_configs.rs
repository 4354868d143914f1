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

use std::time::{Duration, Instant};

use rdkafka::error::RDKafkaErrorCode;
use rdkafka::types::RDKafkaRespErr;

use super::client::Kafka;
use super::configs::{ConfigEntry, ConfigOp, ConfigSource};
use super::conn::TIMEOUT_HINT;
use super::errors::broker_error;
use super::types::{Broker, BrokerError, Code};
use super::wire::{self, WireError, WireResult, WireSettings};
use crate::error::{Error, ErrorKind, Result};
use crate::settings::format_duration;

/// What to say when kctl's own connections cannot log in as the settings say.
const UNSUPPORTED_HINT: &str = "librdkafka cannot address the cluster-wide default, so kctl \
     asks a broker over its own connection, which speaks PLAINTEXT, TLS with PEM files, and \
     SASL PLAIN and SCRAM; use one of those, or Apache's kafka-configs --entity-type brokers \
     --entity-default";

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

    /// Runs `call` (address, settings, the broker's id) on the blocking pool against the
    /// first broker of the metadata that can be connected to, all bounded by the timeout.
    async fn ask_a_broker<T, F>(&self, what: &str, call: F) -> Result<T>
    where
        T: Send + 'static,
        F: Fn(&str, &WireSettings, i32) -> WireResult<T> + Send + 'static,
    {
        let settings = match &self.wire {
            Ok(settings) => settings.clone(),
            Err(e) => return Err(wire_error(what, None, e.clone())),
        };
        let mut brokers = self.metadata().await?.brokers;
        brokers.sort_by_key(|b| b.id);
        let limit = settings.timeout;
        let job = tokio::task::spawn_blocking(move || first_answer(&brokers, settings, call));
        // The sockets are bounded by the same deadline; this is the net under it.
        match tokio::time::timeout(limit + Duration::from_millis(100), job).await {
            Ok(Ok(Ok(answer))) => Ok(answer),
            Ok(Ok(Err((at, e)))) => Err(wire_error(what, at.as_deref(), e)),
            Ok(Err(e)) => Err(Error::runtime(what).because(format!("internal error: {e}"))),
            Err(_) => Err(wire_error(
                what,
                None,
                WireError::Timeout(format!("no answer within {}", format_duration(limit))),
            )),
        }
    }
}

/// `host:port` of a broker (an IPv6 host in brackets).
fn address(b: &Broker) -> String {
    if b.host.contains(':') {
        format!("[{}]:{}", b.host, b.port)
    } else {
        format!("{}:{}", b.host, b.port)
    }
}

/// The answer of the first broker that can be connected to (the others are tried while the
/// timeout lasts), or the last failure with the address it came from.
fn first_answer<T>(
    brokers: &[Broker],
    mut settings: WireSettings,
    call: impl Fn(&str, &WireSettings, i32) -> WireResult<T>,
) -> std::result::Result<T, (Option<String>, WireError)> {
    let deadline = Instant::now() + settings.timeout;
    let mut last = (
        None,
        WireError::Connect("the cluster's metadata names no broker".to_string()),
    );
    for broker in brokers {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        settings.timeout = left;
        let at = address(broker);
        match call(&at, &settings, broker.id) {
            Ok(answer) => return Ok(answer),
            Err(e @ WireError::Connect(_)) => last = (Some(at), e),
            Err(e) => return Err((Some(at), e)),
        }
    }
    Err(last)
}

/// A broker's refusal, read as kctl reads librdkafka's: its code decides what it is.
fn refused(code: i16, message: String) -> BrokerError {
    let code = RDKafkaRespErr::try_from(i32::from(code)).map_or(Code::Other, |e| {
        broker_error(RDKafkaErrorCode::from(e), None).code
    });
    BrokerError { code, message }
}

/// The error of an exchange that failed (at a broker's address, when one was asked).
fn wire_error(what: &str, at: Option<&str>, e: WireError) -> Error {
    let why = crate::security::scrub(&match at {
        Some(at) => format!("{at}: {e}"),
        None => e.to_string(),
    });
    match e {
        WireError::Unsupported(_) => Error::usage(what).because(why).with_hint(UNSUPPORTED_HINT),
        WireError::Timeout(_) => Error::new(
            ErrorKind::Timeout {
                what: what.to_string(),
            },
            what,
        )
        .because(why)
        .with_hint(TIMEOUT_HINT),
        WireError::Tls(_) | WireError::Auth(_) => {
            Error::new(ErrorKind::Authentication, what).because(why)
        }
        WireError::Refused { code, message } => {
            let cause = refused(code, message);
            Error::new(cause.kind(), what).because(cause)
        }
        WireError::Connect(_) | WireError::UnsupportedApi(_) | WireError::Protocol(_) => {
            Error::runtime(what).because(why)
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

    #[test]
    fn refusals_are_read_by_their_code() {
        assert_eq!(refused(31, "no".into()).code, Code::NotAuthorized);
        assert_eq!(refused(40, "no".into()).code, Code::InvalidConfig);
        assert_eq!(refused(44, "no".into()).code, Code::PolicyViolation);
        assert_eq!(refused(9999, "no".into()).code, Code::Other);
        let e = wire_error(
            "cannot read",
            None,
            WireError::Unsupported("kctl's own connections do not speak SASL GSSAPI".into()),
        );
        assert_eq!(e.exit_code(), 2);
        assert!(e.message().contains("GSSAPI"), "{}", e.message());
    }

    #[test]
    fn the_first_broker_that_connects_answers() {
        let broker = |id| Broker {
            id,
            host: "127.0.0.1".into(),
            port: 1,
        };
        let settings = WireSettings::of(&crate::kafka::ClientConfig::for_test(&[])).unwrap();
        let answer = first_answer(
            &[broker(1), broker(2), broker(3)],
            settings.clone(),
            |_, _, id| match id {
                1 => Err(WireError::Connect("refused".into())),
                _ => Ok(id),
            },
        );
        assert_eq!(answer, Ok(2));
        let answer = first_answer(&[broker(1), broker(2)], settings.clone(), |_, _, id| {
            Err::<i32, _>(if id == 1 {
                WireError::refused(31, None)
            } else {
                WireError::Connect("refused".into())
            })
        });
        assert_eq!(answer.unwrap_err().1, WireError::refused(31, None));
        let none = first_answer(&[], settings, |_, _, id| Ok(id));
        assert!(matches!(none, Err((None, WireError::Connect(_)))));
    }
}
