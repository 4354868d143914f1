//! The KRaft metadata quorum (the active controller, its epoch and how far each voter and
//! observer is) and the cluster's feature levels (`metadata.version` and the others), which
//! librdkafka has no API for: kctl's own DescribeQuorum and ApiVersions requests
//! (`wire/quorum.rs`) to a broker of the metadata.

use super::authz::{Operation, Resource};
use super::client::Kafka;
use super::wire;
use crate::error::Result;

/// The metadata quorum (the `__cluster_metadata` log's replicas).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quorum {
    /// The active controller; `None` during an election.
    pub leader: Option<i32>,
    pub leader_epoch: i32,
    pub high_watermark: i64,
    pub voters: Vec<QuorumReplica>,
    pub observers: Vec<QuorumReplica>,
}

/// A replica of the metadata log: a voter (controller) or an observer (broker).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumReplica {
    pub id: i32,
    /// The replica's log directory id (base64, as Kafka prints it); `None` before
    /// `kraft.version` 1.
    pub directory_id: Option<String>,
    /// Its controller endpoints (`CONTROLLER://host:port`), when the quorum names them.
    pub endpoints: Vec<String>,
    pub log_end_offset: i64,
    /// ms since the epoch; `None` when unknown.
    pub last_fetch_timestamp_ms: Option<i64>,
    pub last_caught_up_timestamp_ms: Option<i64>,
}

/// The cluster's features, as a broker reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Features {
    /// The epoch of the finalized levels; `None` when the broker does not say.
    pub epoch: Option<i64>,
    /// Sorted by name.
    pub features: Vec<Feature>,
}

/// A feature: the levels the broker supports and the level the cluster finalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    pub name: String,
    pub supported_min: i16,
    pub supported_max: i16,
    /// `None`: not finalized (level 0).
    pub finalized: Option<i16>,
}

impl Kafka {
    /// The metadata quorum, from the first broker of the metadata that answers (brokers
    /// forward DescribeQuorum to the active controller). Needs DESCRIBE on the cluster.
    pub async fn describe_quorum(&self) -> Result<Quorum> {
        let what = "cannot describe the metadata quorum";
        self.ask_a_broker(what, |at, settings, _| wire::describe_quorum(at, settings))
            .await
            .map_err(|e| self.refused(e, Operation::Describe, Resource::Cluster))
    }

    /// The feature levels, from the first broker of the metadata that answers.
    pub async fn describe_features(&self) -> Result<Features> {
        let what = "cannot read the cluster's features";
        self.ask_a_broker(what, |at, settings, _| {
            wire::describe_features(at, settings)
        })
        .await
    }
}
