//! The cluster's metadata (every topic) over one connection of kctl's own, for a cold
//! `topics list`: one connection, and one round trip after the handshake for the metadata and
//! the principal's operations on the cluster together (both requests sent before either answer
//! is read). librdkafka (2.10 and later) asks the bootstrap address for metadata, drops that
//! connection for the broker the answer names, connects again and asks again: twice the
//! connections and four Metadata requests for one listing.

use kafka_protocol::messages::{
    DescribeClusterRequest, DescribeClusterResponse, MetadataRequest, MetadataResponse,
};

use super::configs::refusal;
use super::connection::Connection;
use super::settings::WireSettings;
use super::{WireError, WireResult};
use crate::kafka::errors::broker_error;
use crate::kafka::types::{Broker, ClusterInfo, PartitionInfo, TopicInfo};

/// Kafka's cluster operations (AclOperation codes) that a principal allowed everything has:
/// ALTER, ALTER_CONFIGS, CLUSTER_ACTION, CREATE, DESCRIBE, DESCRIBE_CONFIGS, IDEMPOTENT_WRITE.
const CLUSTER_OPERATIONS: [u32; 7] = [7, 11, 9, 5, 8, 10, 12];
/// AclOperation ALL.
const ALL: u32 = 2;

/// Every topic's metadata from the broker at `address`, and with `authorized`, whether the
/// principal may use every operation on the cluster (DescribeCluster's authorized operations;
/// `None` when the broker does not say).
pub(in crate::kafka) fn cluster_metadata(
    address: &str,
    settings: &WireSettings,
    authorized: bool,
) -> WireResult<(ClusterInfo, Option<bool>)> {
    let mut conn = Connection::open(address, settings)?;
    let version = conn.version::<MetadataRequest>("Metadata")?;
    let request = MetadataRequest::default()
        .with_topics(if version == 0 { Some(Vec::new()) } else { None })
        .with_allow_auto_topic_creation(false);
    let metadata = conn.send(&request, version)?;
    let cluster = match authorized {
        true => match conn.version::<DescribeClusterRequest>("DescribeCluster") {
            Ok(v) => {
                let request = DescribeClusterRequest::default()
                    .with_include_cluster_authorized_operations(true);
                Some((conn.send(&request, v)?, v))
            }
            Err(_) => None,
        },
        false => None,
    };
    let answer = conn.receive::<MetadataRequest>(metadata, version)?;
    let everything = match cluster {
        Some((correlation, v)) => {
            let answer = conn.receive::<DescribeClusterRequest>(correlation, v)?;
            may_do_everything(&answer)?
        }
        None => None,
    };
    Ok((cluster_info(answer), everything))
}

fn may_do_everything(answer: &DescribeClusterResponse) -> WireResult<Option<bool>> {
    if answer.error_code != 0 {
        return Err(refusal(answer.error_code, &answer.error_message));
    }
    let ops = answer.cluster_authorized_operations;
    // i32::MIN: the broker did not say.
    if ops == i32::MIN {
        return Ok(None);
    }
    let has = |op: u32| (ops as u32) & (1 << op) != 0;
    Ok(Some(
        has(ALL) || CLUSTER_OPERATIONS.iter().all(|op| has(*op)),
    ))
}

fn cluster_info(answer: MetadataResponse) -> ClusterInfo {
    let code = |c: i16| {
        (c != 0).then(|| match WireError::refused(c, None) {
            WireError::Refused { message, .. } => message,
            other => other.to_string(),
        })
    };
    ClusterInfo {
        brokers: answer
            .brokers
            .iter()
            .map(|b| Broker {
                id: b.node_id.0,
                host: b.host.to_string(),
                port: b.port,
            })
            .collect(),
        topics: answer
            .topics
            .iter()
            .map(|t| TopicInfo {
                name: t
                    .name
                    .as_ref()
                    .map_or_else(String::new, |n| n.0.to_string()),
                error: (t.error_code != 0).then(|| {
                    let err = rdkafka::types::RDKafkaRespErr::try_from(i32::from(t.error_code))
                        .map(rdkafka::error::RDKafkaErrorCode::from)
                        .unwrap_or(rdkafka::error::RDKafkaErrorCode::Unknown);
                    broker_error(err, None)
                }),
                partitions: t
                    .partitions
                    .iter()
                    .map(|p| PartitionInfo {
                        id: p.partition_index,
                        leader: (p.leader_id.0 >= 0).then_some(p.leader_id.0),
                        replicas: p.replica_nodes.iter().map(|r| r.0).collect(),
                        isr: p.isr_nodes.iter().map(|r| r.0).collect(),
                        error: code(p.error_code),
                    })
                    .collect(),
            })
            .collect(),
    }
}
