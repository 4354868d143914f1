//! Topics: metadata, creating, deleting, their configs and their partitions' offsets.

use std::collections::BTreeMap;
use std::time::Duration;

use rdkafka::admin::{NewTopic, TopicReplication};

use super::authz::{Operation, Resource};
use super::client::{topic_info, Kafka};
use super::configs::{ConfigResource, ConfigSource};
use super::errors::{broker_error, is_timeout};
use super::native::{self, ClientRef};
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

    /// [`Kafka::topic`] for `operation` (read, write): a refusal names it.
    pub async fn topic_for(&self, name: &str, operation: Operation) -> Result<TopicInfo> {
        Ok(self.topic_and_brokers_for(name, operation).await?.0)
    }

    /// [`Kafka::topic_and_brokers`] for `operation` (read, write): a refusal names it. (Kafka
    /// refuses the metadata of a topic one may not describe; whoever may not describe it may
    /// not read or write it either.)
    pub async fn topic_and_brokers_for(
        &self,
        name: &str,
        operation: Operation,
    ) -> Result<(TopicInfo, Vec<Broker>)> {
        self.topic_and_brokers(name)
            .await
            .map_err(|e| self.refused(e, operation, Resource::Topic(name.to_string())))
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
                Some(e) if e.code == Code::NotAuthorized => Err(self.refused(
                    Error::new(e.kind(), what),
                    Operation::Describe,
                    Resource::Topic(name.to_string()),
                )),
                Some(e) => Err(Error::new(e.kind(), what).because(e)),
                None if t.partitions.is_empty() => Err(missing()),
                None => Ok((t, brokers)),
            },
        }
    }

    /// Fails with a refusal for the first of `names` (topics a listing of all did not show)
    /// the principal may not describe: Kafka leaves those out of a listing of all topics, but
    /// refuses the metadata of each. The others are missing indeed.
    pub async fn check_refused(&self, names: &[String]) -> Result<()> {
        for name in names {
            if let Err(e) = self.topic(name).await {
                if *e.kind() == crate::error::ErrorKind::Authorization {
                    return Err(e);
                }
            }
        }
        Ok(())
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
            Some(Err((_, code))) => Ok(Err(self.reword(
                broker_error(code, None),
                Operation::Create,
                Resource::Topic(spec.name.clone()),
            ))),
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
                Err((name, code)) => {
                    let err = broker_error(code, None);
                    let topic = Resource::Topic(name.clone());
                    (name, Err(self.reword(err, Operation::Delete, topic)))
                }
            })
            .collect())
    }

    /// The configs of each named topic (one request), each with its own result: a topic
    /// whose configs the principal may not describe is a refusal of its own
    /// ("not authorized to describe configs of topic 'T' as User:alice"), the others still
    /// come.
    pub async fn topic_configs(
        &self,
        names: &[String],
    ) -> Result<BTreeMap<String, std::result::Result<Vec<ConfigValue>, BrokerError>>> {
        let what = "cannot read topic configs";
        if names.is_empty() {
            return Ok(BTreeMap::new());
        }
        let request: Vec<ConfigResource> =
            names.iter().cloned().map(ConfigResource::Topic).collect();
        let described = self
            .blocking(what, move |admin, timeout| {
                native::configs::describe_configs(ClientRef::of(admin.inner()), &request, timeout)
            })
            .await?
            .map_err(|e| self.call_error(what, e))?;
        let mut out = BTreeMap::new();
        for (resource, result) in described {
            let ConfigResource::Topic(topic) = resource else {
                continue;
            };
            let result = match result {
                Ok(entries) => Ok(entries
                    .into_iter()
                    .map(|e| ConfigValue {
                        is_default: e.source == ConfigSource::Default,
                        value: if e.sensitive { None } else { e.value },
                        name: e.name,
                    })
                    .collect()),
                Err(e) => Err(self.reword(
                    broker_error(e.code, Some(&e.message)),
                    Operation::DescribeConfigs,
                    Resource::Topic(topic.clone()),
                )),
            };
            out.insert(topic, result);
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
