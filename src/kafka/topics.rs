//! Topics: metadata, creating, deleting, their configs and their partitions' offsets.

use std::collections::BTreeMap;
use std::time::Duration;

use rdkafka::admin::{ConfigSource, NewTopic, ResourceSpecifier, TopicReplication};

use super::client::{topic_info, Kafka};
use super::errors::{broker_error, is_timeout};
use super::native;
use super::types::{
    Broker, BrokerError, Code, ConfigValue, NewTopicSpec, OffsetSpec, TopicInfo, TopicPartition,
};
use crate::error::{Error, Result};

/// NewTopic's partitions or replication factor for "the broker's default".
const BROKER_DEFAULT: i32 = -1;

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
            Error::not_found(
                format!("topic '{name}'"),
                format!("topic '{name}' does not exist"),
            )
            .with_hint(format!("create it first: kctl topics create {name}"))
        };
        match info {
            None => Err(missing()),
            Some(t) => match &t.error {
                Some(e) if e.code == Code::UnknownTopic => Err(missing()),
                Some(e) => Err(Error::new(e.kind(), what).because(e)),
                None if t.partitions.is_empty() => Err(missing()),
                None => Ok((t, brokers)),
            },
        }
    }

    /// The names of all topics (internal ones included), in no particular order.
    pub async fn topic_names(&self) -> Result<Vec<String>> {
        let cluster = self.metadata().await?;
        Ok(cluster
            .topics
            .into_iter()
            .filter(|t| t.error.is_none())
            .map(|t| t.name)
            .collect())
    }

    /// Creates one topic; `Ok(Err(..))` is the broker's refusal.
    pub async fn create_topic(
        &self,
        spec: &NewTopicSpec,
        validate_only: bool,
    ) -> Result<std::result::Result<(), BrokerError>> {
        let what = format!("cannot create topic '{}'", spec.name);
        let mut topic = NewTopic::new(
            &spec.name,
            spec.partitions.unwrap_or(BROKER_DEFAULT),
            TopicReplication::Fixed(spec.replication_factor.unwrap_or(BROKER_DEFAULT)),
        );
        for (k, v) in &spec.configs {
            topic = topic.set(k, v);
        }
        let opts = self.admin_options().validate_only(validate_only);
        let results = self
            .bounded(&what, async {
                self.admin
                    .create_topics([&topic], &opts)
                    .await
                    .map_err(|e| self.kafka_error(&what, e))
            })
            .await?;
        match results.into_iter().next() {
            Some(Ok(_)) => Ok(Ok(())),
            Some(Err((_, code))) if is_timeout(code) => Err(self.timeout_error(&what)),
            Some(Err((_, code))) => Ok(Err(broker_error(code, None))),
            None => Err(Error::runtime(format!("{what}: the broker sent no result"))),
        }
    }

    /// Waits until the metadata shows topic `name` with a leader for every partition, for at
    /// most `limit`; false if it still does not. A broker answers CreateTopics once the
    /// controller has the topic, and the brokers' metadata may lag a moment behind: a produce
    /// or describe right after would not find the topic yet.
    pub async fn wait_for_topic(&self, name: &str, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let topic = name.to_string();
            let ready = self
                .blocking("cannot read the topic's metadata", move |admin, timeout| {
                    admin
                        .inner()
                        .fetch_metadata(Some(&topic), timeout)
                        .map(|md| {
                            md.topics().iter().map(topic_info).any(|t| {
                                t.name == topic
                                    && t.error.is_none()
                                    && !t.partitions.is_empty()
                                    && t.partitions.iter().all(|p| p.leader.is_some())
                            })
                        })
                })
                .await;
            if matches!(ready, Ok(Ok(true))) {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Deletes topics; one result per name, in order.
    pub async fn delete_topics(
        &self,
        names: &[String],
    ) -> Result<Vec<(String, std::result::Result<(), BrokerError>)>> {
        let what = "cannot delete topics";
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let opts = self.admin_options();
        let results = self
            .bounded(what, async {
                self.admin
                    .delete_topics(&refs, &opts)
                    .await
                    .map_err(|e| self.kafka_error(what, e))
            })
            .await?;
        Ok(results
            .into_iter()
            .map(|r| match r {
                Ok(name) => (name, Ok(())),
                Err((name, code)) => (name, Err(broker_error(code, None))),
            })
            .collect())
    }

    /// The configs of each named topic.
    pub async fn topic_configs(
        &self,
        names: &[String],
    ) -> Result<BTreeMap<String, Vec<ConfigValue>>> {
        let what = "cannot read topic configs";
        if names.is_empty() {
            return Ok(BTreeMap::new());
        }
        let specs: Vec<ResourceSpecifier> =
            names.iter().map(|n| ResourceSpecifier::Topic(n)).collect();
        let opts = self.admin_options();
        let results = self
            .bounded(what, async {
                self.admin
                    .describe_configs(&specs, &opts)
                    .await
                    .map_err(|e| self.kafka_error(what, e))
            })
            .await?;
        let mut out = BTreeMap::new();
        for (name, result) in names.iter().zip(results) {
            let resource = result.map_err(|code| {
                let cause = broker_error(code, None);
                Error::new(
                    cause.kind(),
                    format!("cannot read the configs of topic '{name}'"),
                )
                .because(cause)
            })?;
            let entries = resource
                .entries
                .into_iter()
                .map(|e| ConfigValue {
                    is_topic_override: e.source == ConfigSource::DynamicTopic,
                    name: e.name,
                    value: if e.is_sensitive { None } else { e.value },
                })
                .collect();
            out.insert(name.clone(), entries);
        }
        Ok(out)
    }

    /// Offsets for many partitions in one batched ListOffsets call (librdkafka sends one
    /// request per leader). Each partition has its own result; retriable errors (a leader
    /// not known yet, as right after a topic is created) are asked again within the timeout.
    pub async fn list_offsets(
        &self,
        partitions: &[TopicPartition],
        spec: OffsetSpec,
    ) -> Result<BTreeMap<TopicPartition, std::result::Result<i64, BrokerError>>> {
        let query = native::admin::ListOffsetsQuery::of(spec);
        let listed = self.list_offsets_as(partitions, query).await?;
        Ok(listed
            .into_iter()
            .map(|(tp, r)| (tp, r.map(|o| o.offset)))
            .collect())
    }
}
