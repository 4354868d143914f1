//! AlterPartitionReassignments and ListPartitionReassignments: moving partitions' replicas
//! between brokers (`kafka-reassign-partitions`), which a broker forwards to the active
//! controller.

use kafka_protocol::messages::alter_partition_reassignments_request::{
    ReassignablePartition, ReassignableTopic,
};
use kafka_protocol::messages::list_partition_reassignments_request::ListPartitionReassignmentsTopics;
use kafka_protocol::messages::{
    AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse, BrokerId,
    ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse, TopicName,
};
use kafka_protocol::protocol::StrBytes;

use super::configs::refusal;
use super::connection::exchange;
use super::settings::WireSettings;
use super::WireResult;

/// A partition's answer to a reassignment (or its cancellation): `Ok(())` accepted, or the
/// controller's error.
pub(in crate::kafka) type Reassigned = ((String, i32), WireResult<()>);

/// One topic's changes: each partition with its new replicas (`None`: cancel its ongoing
/// reassignment).
pub(in crate::kafka) type TopicChanges = (String, Vec<(i32, Option<Vec<i32>>)>);

/// A reassignment in progress, as the controller lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::kafka) struct Ongoing {
    pub topic: String,
    pub partition: i32,
    /// Every replica during the move: the old ones and the new ones.
    pub replicas: Vec<i32>,
    pub adding: Vec<i32>,
    pub removing: Vec<i32>,
}

/// Starts (or cancels) reassignments, bounded by `timeout_ms` on the controller's side.
pub(in crate::kafka) fn alter_partition_reassignments(
    address: &str,
    settings: &WireSettings,
    changes: &[TopicChanges],
    timeout_ms: i32,
) -> WireResult<Vec<Reassigned>> {
    let (_, answer) = exchange(address, settings, "AlterPartitionReassignments", |_| {
        alter_request(changes, timeout_ms)
    })?;
    read_altered(answer)
}

fn alter_request(changes: &[TopicChanges], timeout_ms: i32) -> AlterPartitionReassignmentsRequest {
    AlterPartitionReassignmentsRequest::default()
        .with_timeout_ms(timeout_ms)
        .with_allow_replication_factor_change(true)
        .with_topics(
            changes
                .iter()
                .map(|(topic, partitions)| {
                    ReassignableTopic::default()
                        .with_name(TopicName(StrBytes::from_string(topic.clone())))
                        .with_partitions(
                            partitions
                                .iter()
                                .map(|(p, replicas)| {
                                    ReassignablePartition::default()
                                        .with_partition_index(*p)
                                        .with_replicas(
                                            replicas
                                                .as_ref()
                                                .map(|r| r.iter().copied().map(BrokerId).collect()),
                                        )
                                })
                                .collect(),
                        )
                })
                .collect(),
        )
}

fn read_altered(answer: AlterPartitionReassignmentsResponse) -> WireResult<Vec<Reassigned>> {
    if answer.error_code != 0 {
        return Err(refusal(answer.error_code, &answer.error_message));
    }
    Ok(answer
        .responses
        .iter()
        .flat_map(|t| {
            t.partitions.iter().map(|p| {
                let result = match p.error_code {
                    0 => Ok(()),
                    code => Err(refusal(code, &p.error_message)),
                };
                ((t.name.0.as_str().to_string(), p.partition_index), result)
            })
        })
        .collect())
}

/// The reassignments in progress: of `topics` (each with its partitions), or all (`None`).
pub(in crate::kafka) fn list_partition_reassignments(
    address: &str,
    settings: &WireSettings,
    topics: Option<&[(String, Vec<i32>)]>,
    timeout_ms: i32,
) -> WireResult<Vec<Ongoing>> {
    let (_, answer) = exchange(address, settings, "ListPartitionReassignments", |_| {
        ListPartitionReassignmentsRequest::default()
            .with_timeout_ms(timeout_ms)
            .with_topics(topics.map(|ts| {
                ts.iter()
                    .map(|(t, ps)| {
                        ListPartitionReassignmentsTopics::default()
                            .with_name(TopicName(StrBytes::from_string(t.clone())))
                            .with_partition_indexes(ps.clone())
                    })
                    .collect()
            }))
    })?;
    read_listed(answer)
}

fn read_listed(answer: ListPartitionReassignmentsResponse) -> WireResult<Vec<Ongoing>> {
    if answer.error_code != 0 {
        return Err(refusal(answer.error_code, &answer.error_message));
    }
    let ids = |v: &[BrokerId]| v.iter().map(|b| b.0).collect::<Vec<i32>>();
    Ok(answer
        .topics
        .iter()
        .flat_map(|t| {
            t.partitions.iter().map(|p| Ongoing {
                topic: t.name.0.as_str().to_string(),
                partition: p.partition_index,
                replicas: ids(&p.replicas),
                adding: ids(&p.adding_replicas),
                removing: ids(&p.removing_replicas),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::super::WireError;
    use super::*;
    use kafka_protocol::messages::alter_partition_reassignments_response::{
        ReassignablePartitionResponse, ReassignableTopicResponse,
    };
    use kafka_protocol::messages::list_partition_reassignments_response::{
        OngoingPartitionReassignment, OngoingTopicReassignment,
    };

    #[test]
    fn a_reassignment_names_replicas_or_cancels() {
        let r = alter_request(
            &[("t".to_string(), vec![(0, Some(vec![2, 3])), (1, None)])],
            500,
        );
        assert_eq!(r.timeout_ms, 500);
        let ps = &r.topics[0].partitions;
        assert_eq!(ps[0].replicas.as_ref().unwrap()[1].0, 3);
        assert!(ps[1].replicas.is_none());
    }

    #[test]
    fn reads_each_partition_and_the_ongoing_moves() {
        let answer = AlterPartitionReassignmentsResponse::default().with_responses(vec![
            ReassignableTopicResponse::default()
                .with_name(TopicName(StrBytes::from_static_str("t")))
                .with_partitions(vec![
                    ReassignablePartitionResponse::default().with_partition_index(0),
                    ReassignablePartitionResponse::default()
                        .with_partition_index(1)
                        .with_error_code(85),
                ]),
        ]);
        let r = read_altered(answer).unwrap();
        assert_eq!(r[0], (("t".to_string(), 0), Ok(())));
        assert!(matches!(r[1].1, Err(WireError::Refused { code: 85, .. })));
        assert!(
            read_altered(AlterPartitionReassignmentsResponse::default().with_error_code(31))
                .is_err()
        );

        let listed = ListPartitionReassignmentsResponse::default().with_topics(vec![
            OngoingTopicReassignment::default()
                .with_name(TopicName(StrBytes::from_static_str("t")))
                .with_partitions(vec![OngoingPartitionReassignment::default()
                    .with_partition_index(2)
                    .with_replicas(vec![BrokerId(1), BrokerId(2), BrokerId(3)])
                    .with_adding_replicas(vec![BrokerId(3)])
                    .with_removing_replicas(vec![BrokerId(1)])]),
        ]);
        let l = read_listed(listed).unwrap();
        assert_eq!(l[0].partition, 2);
        assert_eq!(l[0].replicas, vec![1, 2, 3]);
        assert_eq!(l[0].adding, vec![3]);
        assert_eq!(l[0].removing, vec![1]);
    }
}
