//! The cluster and its brokers (DescribeCluster: id, controller, racks), and adding partitions
//! to a topic (CreatePartitions).

use std::time::Duration;

use super::authz::{Operation, Resource};
use super::client::{topic_info, Kafka};
use super::errors::{broker_error, is_timeout};
use super::native::{self, ClientRef};
use super::types::BrokerError;
use crate::error::Result;

/// A broker as DescribeCluster describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: i32,
    pub host: String,
    pub port: u16,
    /// `None` when the broker has no `broker.rack`.
    pub rack: Option<String>,
}

/// The cluster as DescribeCluster describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterDescription {
    pub cluster_id: Option<String>,
    /// The controller's id as the cluster names it to clients (a KRaft cluster names one of
    /// its brokers); `None` when it names none.
    pub controller: Option<i32>,
    pub nodes: Vec<Node>,
}

impl Kafka {
    /// The cluster's id, controller and brokers (one DescribeCluster request).
    pub async fn describe_cluster(&self) -> Result<ClusterDescription> {
        let what = "cannot describe the cluster";
        let mut cluster = self
            .blocking(what, move |admin, timeout| {
                native::cluster::describe_cluster(ClientRef::of(admin.inner()), false, timeout)
            })
            .await?
            .map_err(|e| {
                let err = self.call_error(what, e);
                self.refused(err, Operation::Describe, Resource::Cluster)
            })?
            .cluster;
        cluster.nodes.sort_by_key(|n| n.id);
        Ok(cluster)
    }

    /// The ids of the cluster's brokers, as text (for completion).
    pub async fn broker_ids(&self) -> Result<Vec<String>> {
        let cluster = self.metadata().await?;
        Ok(cluster.brokers.iter().map(|b| b.id.to_string()).collect())
    }

    /// Grows topic `name` to `count` partitions (or, `validate_only`, has the broker check
    /// that it could); `Ok(Err(..))` is the broker's refusal, an error one for lack of
    /// permission ("not authorized to alter topic 'T' as User:alice").
    pub async fn create_partitions(
        &self,
        name: &str,
        count: usize,
        validate_only: bool,
    ) -> Result<std::result::Result<(), BrokerError>> {
        let what = format!("cannot add partitions to topic '{name}'");
        let topic = name.to_string();
        let result = self
            .blocking(&what, move |admin, timeout| {
                native::cluster::create_partitions(
                    ClientRef::of(admin.inner()),
                    &topic,
                    count,
                    validate_only,
                    timeout,
                )
            })
            .await?
            .map_err(|e| self.call_error(&what, e))?;
        match result {
            Ok(()) => Ok(Ok(())),
            Err(e) if is_timeout(e.code) => Err(self.timeout_error(&what)),
            Err(e) => match self.refusal_of(e.code, Operation::Alter, Resource::Topic(name.into()))
            {
                Some(refusal) => Err(refusal),
                None => Ok(Err(broker_error(e.code, Some(&e.message)))),
            },
        }
    }

    /// Waits until the metadata shows topic `name` with `count` partitions, each with a leader,
    /// for at most `limit`; false if it still does not.
    pub async fn wait_for_partitions(&self, name: &str, count: usize, limit: Duration) -> bool {
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
                                    && t.partitions.len() == count
                                    && t.partitions.iter().all(|p| p.leader.is_some())
                            })
                        })
                })
                .await;
            if matches!(ready, Ok(Ok(true))) || tokio::time::Instant::now() >= deadline {
                return matches!(ready, Ok(Ok(true)));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
