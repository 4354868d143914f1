//! The KRaft metadata quorum (DescribeQuorum of `__cluster_metadata`, which a broker forwards
//! to the active controller) and the cluster's feature levels (ApiVersions v3 and later,
//! whose answer carries the supported and finalized features).

use base64::Engine as _;
use kafka_protocol::messages::describe_quorum_request::{PartitionData, TopicData};
use kafka_protocol::messages::describe_quorum_response::ReplicaState;
use kafka_protocol::messages::{
    ApiVersionsRequest, ApiVersionsResponse, DescribeQuorumRequest, DescribeQuorumResponse,
    TopicName,
};
use kafka_protocol::protocol::StrBytes;

use super::configs::refusal;
use super::connection::{exchange, Connection};
use super::settings::WireSettings;
use super::{WireError, WireResult};
use crate::kafka::quorum::{Feature, Features, Quorum, QuorumReplica};

/// The metadata log's topic.
const METADATA_TOPIC: &str = "__cluster_metadata";

/// The metadata quorum as the broker at `address` (forwarding to the controller) describes it.
pub(in crate::kafka) fn describe_quorum(
    address: &str,
    settings: &WireSettings,
) -> WireResult<Quorum> {
    let (_, answer) = exchange(address, settings, "DescribeQuorum", |_| {
        DescribeQuorumRequest::default().with_topics(vec![TopicData::default()
            .with_topic_name(TopicName(StrBytes::from_static_str(METADATA_TOPIC)))
            .with_partitions(vec![PartitionData::default().with_partition_index(0)])])
    })?;
    read_quorum(answer)
}

fn read_quorum(answer: DescribeQuorumResponse) -> WireResult<Quorum> {
    if answer.error_code != 0 {
        return Err(refusal(answer.error_code, &answer.error_message));
    }
    let p = answer
        .topics
        .iter()
        .flat_map(|t| &t.partitions)
        .next()
        .ok_or_else(|| {
            WireError::Protocol("the broker's DescribeQuorum answer has no partition".to_string())
        })?;
    if p.error_code != 0 {
        return Err(refusal(p.error_code, &p.error_message));
    }
    let endpoints = |id: i32| -> Vec<String> {
        answer
            .nodes
            .iter()
            .filter(|n| n.node_id.0 == id)
            .flat_map(|n| &n.listeners)
            .map(|l| {
                let host = l.host.as_str();
                match host.contains(':') {
                    true => format!("{}://[{host}]:{}", l.name.as_str(), l.port),
                    false => format!("{}://{host}:{}", l.name.as_str(), l.port),
                }
            })
            .collect()
    };
    let replica = |r: &ReplicaState| QuorumReplica {
        id: r.replica_id.0,
        directory_id: (!r.replica_directory_id.is_nil()).then(|| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(r.replica_directory_id.as_bytes())
        }),
        endpoints: endpoints(r.replica_id.0),
        log_end_offset: r.log_end_offset,
        last_fetch_timestamp_ms: (r.last_fetch_timestamp >= 0).then_some(r.last_fetch_timestamp),
        last_caught_up_timestamp_ms: (r.last_caught_up_timestamp >= 0)
            .then_some(r.last_caught_up_timestamp),
    };
    Ok(Quorum {
        leader: (p.leader_id.0 >= 0).then_some(p.leader_id.0),
        leader_epoch: p.leader_epoch,
        high_watermark: p.high_watermark,
        voters: p.current_voters.iter().map(replica).collect(),
        observers: p.observers.iter().map(replica).collect(),
    })
}

/// The feature levels the broker at `address` supports and the cluster has finalized.
pub(in crate::kafka) fn describe_features(
    address: &str,
    settings: &WireSettings,
) -> WireResult<Features> {
    let mut conn = Connection::open(address, settings)?;
    // Features came with ApiVersions v3 (KIP-584), as tagged fields.
    let version = conn.version::<ApiVersionsRequest>("ApiVersions")?;
    if version < 3 {
        return Err(WireError::UnsupportedApi(
            "the broker does not report feature levels (ApiVersions v3, Kafka 2.7)".to_string(),
        ));
    }
    let request = ApiVersionsRequest::default()
        .with_client_software_name(StrBytes::from_static_str("kctl"))
        .with_client_software_version(StrBytes::from_static_str(env!("CARGO_PKG_VERSION")));
    let answer = conn.call(&request, version)?;
    read_features(answer)
}

fn read_features(answer: ApiVersionsResponse) -> WireResult<Features> {
    if answer.error_code != 0 {
        return Err(WireError::refused(answer.error_code, None));
    }
    let mut features: Vec<Feature> = answer
        .supported_features
        .iter()
        .map(|s| Feature {
            name: s.name.as_str().to_string(),
            supported_min: s.min_version,
            supported_max: s.max_version,
            finalized: answer
                .finalized_features
                .iter()
                .find(|f| f.name == s.name)
                .map(|f| f.max_version_level),
        })
        .collect();
    for f in &answer.finalized_features {
        if features.iter().all(|s| s.name != f.name.as_str()) {
            features.push(Feature {
                name: f.name.as_str().to_string(),
                supported_min: 0,
                supported_max: 0,
                finalized: Some(f.max_version_level),
            });
        }
    }
    features.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Features {
        epoch: (answer.finalized_features_epoch >= 0).then_some(answer.finalized_features_epoch),
        features,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::api_versions_response::{
        FinalizedFeatureKey, SupportedFeatureKey,
    };
    use kafka_protocol::messages::describe_quorum_response::{
        Listener, Node, PartitionData as Answered, TopicData as AnsweredTopic,
    };
    use kafka_protocol::messages::BrokerId;

    fn s(text: &'static str) -> StrBytes {
        StrBytes::from_static_str(text)
    }

    #[test]
    fn reads_the_quorum() {
        let voter = |id, leo| {
            ReplicaState::default()
                .with_replica_id(BrokerId(id))
                .with_log_end_offset(leo)
                .with_last_fetch_timestamp(-1)
                .with_last_caught_up_timestamp(5)
        };
        let answer = DescribeQuorumResponse::default()
            .with_topics(vec![AnsweredTopic::default().with_partitions(vec![
                Answered::default()
                    .with_leader_id(BrokerId(1))
                    .with_leader_epoch(3)
                    .with_high_watermark(100)
                    .with_current_voters(vec![voter(1, 100), voter(2, 90)])
                    .with_observers(vec![voter(4, 80)]),
            ])])
            .with_nodes(vec![Node::default()
                .with_node_id(BrokerId(1))
                .with_listeners(vec![Listener::default()
                    .with_name(s("CONTROLLER"))
                    .with_host(s("h"))
                    .with_port(9093)])]);
        let q = read_quorum(answer).unwrap();
        assert_eq!(q.leader, Some(1));
        assert_eq!(q.voters[0].endpoints, ["CONTROLLER://h:9093"]);
        assert_eq!(q.voters[0].directory_id, None);
        assert_eq!(q.voters[0].last_fetch_timestamp_ms, None);
        assert_eq!(q.observers[0].id, 4);
        let refused = DescribeQuorumResponse::default().with_error_code(31);
        assert!(matches!(
            read_quorum(refused),
            Err(WireError::Refused { code: 31, .. })
        ));
    }

    #[test]
    fn reads_features() {
        let answer = ApiVersionsResponse::default()
            .with_supported_features(vec![
                SupportedFeatureKey::default()
                    .with_name(s("metadata.version"))
                    .with_min_version(7)
                    .with_max_version(33),
                SupportedFeatureKey::default()
                    .with_name(s("kraft.version"))
                    .with_min_version(0)
                    .with_max_version(1),
            ])
            .with_finalized_features_epoch(12)
            .with_finalized_features(vec![FinalizedFeatureKey::default()
                .with_name(s("metadata.version"))
                .with_min_version_level(33)
                .with_max_version_level(33)]);
        let f = read_features(answer).unwrap();
        assert_eq!(f.epoch, Some(12));
        assert_eq!(f.features[0].name, "kraft.version");
        assert_eq!(f.features[0].finalized, None);
        assert_eq!(f.features[1].finalized, Some(33));
    }
}
