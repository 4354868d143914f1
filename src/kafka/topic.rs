//! Looking up one topic before producing to it or consuming from it.

use crate::error::{Error, Result};

use super::{topic_info, Broker, Code, Kafka, TopicInfo};

/// Property names librdkafka takes as the same property.
const ALIASES: &[&[&str]] = &[
    &["acks", "request.required.acks"],
    &["message.timeout.ms", "delivery.timeout.ms"],
    &["linger.ms", "queue.buffering.max.ms"],
    &["compression.type", "compression.codec"],
    &["bootstrap.servers", "metadata.broker.list"],
];

/// The value the user gave `key` (or one of its aliases) with `-X`, the last one winning.
pub(crate) fn user_property<'s>(
    settings: &'s crate::settings::Settings,
    key: &str,
) -> Option<&'s str> {
    let names = ALIASES
        .iter()
        .find(|names| names.contains(&key))
        .copied()
        .unwrap_or(std::slice::from_ref(&key));
    settings
        .properties
        .iter()
        .rev()
        .find(|(k, _)| names.contains(&k.as_str()))
        .map(|(_, v)| v.as_str())
}

/// Sets `key` to `value` unless the user gave it with `-X` (kctl's defaults yield to the user).
pub(crate) fn set_default(
    config: &mut rdkafka::config::ClientConfig,
    settings: &crate::settings::Settings,
    key: &str,
    value: &str,
) {
    if user_property(settings, key).is_none() {
        config.set(key, value);
    }
}

impl Kafka {
    /// The metadata of one topic (one bounded request). A topic that does not exist is an
    /// error that says so: kctl never relies on the broker creating topics on first use.
    pub async fn topic(&self, name: &str) -> Result<TopicInfo> {
        Ok(self.topic_and_brokers(name).await?.0)
    }

    /// [`Kafka::topic`], with the brokers the same metadata named (to say which one leads what).
    pub async fn topic_and_brokers(&self, name: &str) -> Result<(TopicInfo, Vec<Broker>)> {
        let what = format!("cannot read the metadata of topic '{name}'");
        let topic = name.to_string();
        let (info, brokers) = self
            .blocking(&what, move |admin, timeout| {
                admin
                    .inner()
                    .fetch_metadata(Some(&topic), timeout)
                    .map(|md| {
                        let brokers = md
                            .brokers()
                            .iter()
                            .map(|b| Broker {
                                id: b.id(),
                                host: b.host().to_string(),
                                port: b.port(),
                            })
                            .collect::<Vec<_>>();
                        (md.topics().first().map(topic_info), brokers)
                    })
            })
            .await?
            .map_err(|e| self.kafka_error(&what, e))?;
        let missing = || {
            Error::runtime(format!("topic '{name}' does not exist"))
                .with_hint(format!("create it first: kctl topics create {name}"))
        };
        match info {
            None => Err(missing()),
            Some(t) => match &t.error {
                Some(e) if e.code == Code::UnknownTopic => Err(missing()),
                Some(e) => Err(Error::runtime(format!("{what}: {e}"))),
                None if t.partitions.is_empty() => Err(missing()),
                None => Ok((t, brokers)),
            },
        }
    }
}
