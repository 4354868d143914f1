//! Consumer groups: listing, describing, their committed offsets, altering and deleting them.
//! The group calls rust-rdkafka lacks are in `native/groups.rs`. Every call is bounded by the
//! timeout.
//!
//! The committed-offset calls (OffsetFetch, OffsetCommit, OffsetDelete) go through a client of
//! their own, a consumer-type client with a group id that never joins its group: librdkafka
//! 2.12 crashes (SIGSEGV, its issue 5040) when an OffsetFetch made by a client without a
//! consumer group handle is answered NOT_COORDINATOR, as a coordinator does while the offsets
//! topic is being created or moved. Those answers are asked again within the timeout.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, Consumer as _};
use rdkafka::error::RDKafkaErrorCode;

use super::authz::{Operation, Resource};
use super::client::{drop_in_background, Kafka};
use super::errors::broker_error;
use super::native::admin::AdminCallError;
use super::native::events::MainQueuePump;
use super::native::{groups as native, ClientRef, SharedClient};
use super::rebalance::ConsumeCtx;
use super::types::{
    Broker, BrokerError, Code, CommittedOffset, GroupInfo, GroupListing, GroupMember, GroupState,
    GroupType, TopicPartition,
};
use crate::error::{Error, Result};

/// How long to wait before asking a coordinator that was not ready again.
const COORDINATOR_BACKOFF: Duration = Duration::from_millis(100);

/// The client of the committed-offset calls: a consumer-type client with a group id (so
/// librdkafka gives it a consumer group handle) that never subscribes, joins or commits.
pub(super) struct GroupClient {
    consumer: Option<Arc<BaseConsumer<ConsumeCtx>>>,
    pump: Option<MainQueuePump>,
}

impl Drop for GroupClient {
    fn drop(&mut self) {
        drop(self.pump.take());
        if let Some(consumer) = self.consumer.take() {
            drop_in_background(consumer);
        }
    }
}

/// A coordinator that is being elected or is loading its offsets: it answers in a moment.
fn coordinator_not_ready(code: RDKafkaErrorCode) -> bool {
    matches!(
        code,
        RDKafkaErrorCode::NotCoordinator
            | RDKafkaErrorCode::CoordinatorLoadInProgress
            | RDKafkaErrorCode::CoordinatorNotAvailable
    )
}

impl Kafka {
    /// The client of the committed-offset calls, made on first use.
    fn group_consumer(&self) -> Result<Arc<BaseConsumer<ConsumeCtx>>> {
        if let Some(client) = self.group_client.get() {
            return Ok(client.consumer.clone().expect("alive until dropped"));
        }
        // The time-lag reader's settings: a group id it never joins, nothing committed.
        let consumer =
            super::consumer::create(&self.config, &self.config.timestamps_consumer(), None)?;
        let pump = MainQueuePump::start(SharedClient::consumer(&consumer), self.state.clone());
        let mut made = Some(GroupClient {
            consumer: Some(consumer),
            pump: Some(pump),
        });
        // A concurrent call may have made one first: then ours goes (in the background).
        let client = self
            .group_client
            .get_or_init(|| made.take().expect("taken once"));
        drop(made);
        Ok(client.consumer.clone().expect("alive until dropped"))
    }

    /// Runs a committed-offset call on the group client, bounded like every call, and asks
    /// again while the coordinator is not ready (within the timeout).
    async fn group_call<T, F>(
        &self,
        what: &str,
        call: F,
    ) -> Result<std::result::Result<T, AdminCallError>>
    where
        T: Send + 'static,
        F: Fn(ClientRef<'_>, Duration) -> std::result::Result<T, AdminCallError>
            + Send
            + Sync
            + 'static,
    {
        let consumer = self.group_consumer()?;
        let call = Arc::new(call);
        let deadline = tokio::time::Instant::now() + self.timeout();
        loop {
            let (consumer, call) = (consumer.clone(), call.clone());
            let result = self
                .blocking(what, move |_, timeout| {
                    call(ClientRef::of(consumer.client()), timeout)
                })
                .await
                .map_err(Kafka::coordinator_timeout)?;
            match result {
                Err(AdminCallError::Failed(e))
                    if coordinator_not_ready(e.code)
                        && tokio::time::Instant::now() + COORDINATOR_BACKOFF < deadline =>
                {
                    tokio::time::sleep(COORDINATOR_BACKOFF).await;
                }
                Err(AdminCallError::Failed(e)) => {
                    // This client's own connection may fail before the log says why.
                    if let Some(err) = self.connection_failure(what, e.code).await {
                        return Err(err);
                    }
                    return Ok(Err(AdminCallError::Failed(e)));
                }
                other => return Ok(other),
            }
        }
    }

    /// Every consumer group the cluster knows. The strings are warnings: brokers that could not
    /// answer (the listing is then partial).
    pub async fn list_groups(&self) -> Result<(Vec<GroupListing>, Vec<String>)> {
        let what = "cannot list consumer groups";
        let (groups, errors) = self
            .blocking(what, move |admin, timeout| {
                native::list_consumer_groups(ClientRef::of(admin.inner()), timeout)
            })
            .await?
            .map_err(|e| self.call_error(what, e))?;
        // Errors and nothing listed: no broker answered, which is a failure, not a warning.
        if groups.is_empty() {
            if let Some(first) = errors.into_iter().next() {
                return Err(self.native_error(what, first));
            }
            return Ok((Vec::new(), Vec::new()));
        }
        let groups = groups
            .into_iter()
            .map(|g| GroupListing {
                group: g.group,
                state: g.state,
                simple: g.simple,
                group_type: g.group_type,
            })
            .collect();
        let warnings = errors
            .into_iter()
            .map(|e| format!("{what} fully: {}", broker_error(e.code, Some(&e.message))))
            .collect();
        Ok((groups, warnings))
    }

    /// Describes groups in one batched call (one request per coordinator); one result per
    /// name, in the order given.
    pub async fn describe_groups(
        &self,
        names: &[String],
    ) -> Result<Vec<(String, std::result::Result<GroupInfo, BrokerError>)>> {
        let what = "cannot describe consumer groups";
        let described = self.describe_until_ready(what, names).await?;
        let mut by_name: BTreeMap<String, std::result::Result<GroupInfo, BrokerError>> = described
            .into_iter()
            .map(|(name, result)| {
                let result = result
                    .map(|d| GroupInfo {
                        group: d.group,
                        state: d.state,
                        simple: d.simple,
                        group_type: d.group_type,
                        assignor: Some(d.assignor).filter(|a| !a.is_empty()),
                        coordinator: d.coordinator.map(|n| Broker {
                            id: n.id,
                            host: n.host,
                            port: i32::from(n.port),
                        }),
                        members: d
                            .members
                            .into_iter()
                            .map(|m| GroupMember {
                                consumer_id: m.consumer_id,
                                client_id: m.client_id,
                                host: m.host,
                                group_instance_id: m.group_instance_id,
                                assignment: m.assignment,
                                target_assignment: m.target_assignment,
                            })
                            .collect(),
                    })
                    .or_else(|e| {
                        if e.code == RDKafkaErrorCode::GroupIdNotFound {
                            // Newer brokers say "not found" where Kafka's classic protocol
                            // describes an unknown group as Dead: report both the same way.
                            Ok(GroupInfo {
                                group: name.clone(),
                                state: GroupState::Dead,
                                simple: false,
                                group_type: GroupType::Unknown,
                                assignor: None,
                                coordinator: None,
                                members: Vec::new(),
                            })
                        } else {
                            Err(self.reword(
                                broker_error(e.code, Some(&e.message)),
                                Operation::Describe,
                                Resource::Group(name.clone()),
                            ))
                        }
                    });
                (name, result)
            })
            .collect();
        names
            .iter()
            .map(|name| match by_name.remove(name) {
                Some(result) => Ok((name.clone(), result)),
                None => Err(Error::runtime(format!(
                    "{what}: the broker sent no result for group '{name}'"
                ))),
            })
            .collect()
    }

    /// DescribeConsumerGroups for `names`; groups whose coordinator is not ready yet (a
    /// broker just started) are described again within the timeout.
    async fn describe_until_ready(
        &self,
        what: &str,
        names: &[String],
    ) -> Result<Vec<native::DescribedGroup>> {
        let deadline = tokio::time::Instant::now() + self.timeout();
        let mut pending = names.to_vec();
        let mut out = Vec::with_capacity(names.len());
        while !pending.is_empty() {
            let request = std::mem::take(&mut pending);
            let described = self
                .blocking(what, move |admin, timeout| {
                    native::describe_consumer_groups(
                        ClientRef::of(admin.inner()),
                        &request,
                        timeout,
                    )
                })
                .await
                .map_err(Kafka::coordinator_timeout)?
                .map_err(|e| Kafka::coordinator_timeout(self.call_error(what, e)))?;
            let retry = tokio::time::Instant::now() + COORDINATOR_BACKOFF < deadline;
            for (name, result) in described {
                match result {
                    Err(e) if retry && coordinator_not_ready(e.code) => pending.push(name),
                    result => out.push((name, result)),
                }
            }
            if !pending.is_empty() {
                tokio::time::sleep(COORDINATOR_BACKOFF).await;
            }
        }
        Ok(out)
    }

    /// The committed offsets of one group (one OffsetFetch request): of `partitions`, or of every
    /// partition the group has committed offsets for when `None`.
    pub async fn group_offsets(
        &self,
        group: &str,
        partitions: Option<&[TopicPartition]>,
    ) -> Result<BTreeMap<TopicPartition, CommittedOffset>> {
        let what = format!("cannot read the committed offsets of group '{group}'");
        let name = group.to_string();
        let partitions = partitions.map(<[TopicPartition]>::to_vec);
        let offsets = self
            .group_call(&what, move |client, timeout| {
                native::list_group_offsets(client, &name, partitions.as_deref(), timeout)
            })
            .await?;
        let offsets = match offsets {
            // A group the broker does not know has no committed offsets.
            Err(AdminCallError::Failed(e)) if e.code == RDKafkaErrorCode::GroupIdNotFound => {
                Vec::new()
            }
            other => other.map_err(|e| {
                let err = self.call_error(&what, e);
                let err = self.refused(err, Operation::Describe, Resource::Group(group.into()));
                Kafka::coordinator_timeout(err)
            })?,
        };
        Ok(offsets
            .into_iter()
            .map(|o| {
                let result = o
                    .result
                    .map(|offset| (offset >= 0).then_some(offset))
                    .map_err(|e| broker_error(e.code, Some(&e.message)));
                ((o.topic, o.partition), result)
            })
            .collect())
    }

    /// Commits `offsets` for `group` (one OffsetCommit request); one result per partition.
    pub async fn alter_group_offsets(
        &self,
        group: &str,
        offsets: &[(TopicPartition, i64)],
    ) -> Result<Vec<(TopicPartition, std::result::Result<(), BrokerError>)>> {
        let what = format!("cannot commit offsets for group '{group}'");
        let name = group.to_string();
        let request: Vec<(String, i32, i64)> = offsets
            .iter()
            .map(|((t, p), o)| (t.clone(), *p, *o))
            .collect();
        let altered = self
            .group_call(&what, move |client, timeout| {
                native::alter_group_offsets(client, &name, &request, timeout)
            })
            .await?
            .map_err(|e| {
                let err = self.call_error(&what, e);
                let group = Resource::Group(group.into());
                Kafka::coordinator_timeout(self.refused(err, Operation::Read, group))
            })?;
        Ok(partition_results(altered))
    }

    /// Deletes the committed offsets of `group` on `partitions` (one OffsetDelete request);
    /// one result per partition. A partition of a topic that an active member of the group
    /// subscribes to is refused with [`GroupOffsetRefusal::Subscribed`].
    pub async fn delete_group_offsets(
        &self,
        group: &str,
        partitions: &[TopicPartition],
    ) -> Result<Vec<(TopicPartition, std::result::Result<(), GroupOffsetRefusal>)>> {
        let what = format!("cannot delete the committed offsets of group '{group}'");
        let name = group.to_string();
        let request = partitions.to_vec();
        let deleted = self
            .group_call(&what, move |client, timeout| {
                native::delete_group_offsets(client, &name, &request, timeout)
            })
            .await?;
        let deleted = match deleted {
            Err(AdminCallError::Failed(e)) if e.code == RDKafkaErrorCode::GroupIdNotFound => {
                return Err(Error::not_found(
                    format!("consumer group '{group}'"),
                    format!("{what}: consumer group '{group}' does not exist"),
                ))
            }
            other => other.map_err(|e| {
                let err = self.call_error(&what, e);
                let group = Resource::Group(group.into());
                Kafka::coordinator_timeout(self.refused(err, Operation::Delete, group))
            })?,
        };
        Ok(deleted
            .into_iter()
            .map(|o| {
                let result = o.result.map(|_| ()).map_err(|e| match e.code {
                    RDKafkaErrorCode::GroupSubscribedToTopic => GroupOffsetRefusal::Subscribed,
                    code => GroupOffsetRefusal::Broker(broker_error(code, Some(&e.message))),
                });
                ((o.topic, o.partition), result)
            })
            .collect())
    }

    /// Deletes groups; one result per name, in the order given.
    pub async fn delete_groups(
        &self,
        names: &[String],
    ) -> Result<Vec<(String, std::result::Result<(), BrokerError>)>> {
        let what = "cannot delete consumer groups";
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let opts = self.admin_options();
        let results = self
            .bounded(what, async {
                self.admin
                    .delete_groups(&refs, &opts)
                    .await
                    .map_err(|e| self.kafka_error(what, e))
            })
            .await
            .map_err(Kafka::coordinator_timeout)?;
        let mut by_name: BTreeMap<String, std::result::Result<(), BrokerError>> = results
            .into_iter()
            .map(|r| match r {
                Ok(name) => (name, Ok(())),
                Err((name, code)) => {
                    let err = broker_error(code, None);
                    let group = Resource::Group(name.clone());
                    (name, Err(self.reword(err, Operation::Delete, group)))
                }
            })
            .collect();
        Ok(names
            .iter()
            .map(|n| {
                let result = by_name.remove(n).unwrap_or_else(|| {
                    Err(BrokerError {
                        code: Code::Other,
                        message: "the broker sent no result".into(),
                    })
                });
                (n.clone(), result)
            })
            .collect())
    }

    /// The names of all groups, in no particular order: [`Kafka::list_groups`]'s, without its
    /// warnings (a partial listing still completes what it has), and the share and streams
    /// groups ListGroups v5 names, when kctl's own connections can ask.
    pub async fn group_names(&self) -> Result<Vec<String>> {
        let (listed, all) = tokio::join!(self.list_groups(), self.list_all_groups(&[]));
        let (groups, _partial) = listed?;
        let mut names: Vec<String> = groups.into_iter().map(|g| g.group).collect();
        names.extend(all.unwrap_or_default().into_iter().map(|g| g.group));
        names.sort();
        names.dedup();
        Ok(names)
    }
}

/// Why a committed offset could not be deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupOffsetRefusal {
    /// An active member of the group subscribes to the partition's topic.
    Subscribed,
    Broker(BrokerError),
}

/// One result per partition of an offsets call, its offset dropped.
fn partition_results(
    offsets: Vec<native::GroupOffset>,
) -> Vec<(TopicPartition, std::result::Result<(), BrokerError>)> {
    offsets
        .into_iter()
        .map(|o| {
            let result = o
                .result
                .map(|_| ())
                .map_err(|e| broker_error(e.code, Some(&e.message)));
            ((o.topic, o.partition), result)
        })
        .collect()
}
