//! The transaction requests librdkafka has no admin API for: ListTransactions (what one
//! broker coordinates), FindCoordinator of transactional ids, DescribeTransactions (asked of
//! their coordinator), DescribeProducers (a partition's producer states, asked of a replica)
//! and WriteTxnMarkers (an abort marker written by the partition's leader, as Apache's
//! `kafka-transactions abort` does).

use kafka_protocol::messages::describe_producers_request::TopicRequest;
use kafka_protocol::messages::write_txn_markers_request::{
    WritableTxnMarker, WritableTxnMarkerTopic,
};
use kafka_protocol::messages::{
    DescribeProducersRequest, DescribeProducersResponse, DescribeTransactionsRequest,
    DescribeTransactionsResponse, FindCoordinatorRequest, FindCoordinatorResponse,
    ListTransactionsRequest, ListTransactionsResponse, ProducerId, TopicName, TransactionalId,
    WriteTxnMarkersRequest, WriteTxnMarkersResponse,
};
use kafka_protocol::protocol::StrBytes;

use super::configs::refusal;
use super::connection::{exchange, Connection};
use super::settings::WireSettings;
use super::{WireError, WireResult};
use crate::kafka::transactions::{ProducerState, TransactionDescription, TransactionFilter};
use crate::kafka::types::Broker;

/// FindCoordinator's key type of transactional ids.
const TRANSACTION_KEY: i8 = 1;

/// One transaction as ListTransactions lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::kafka) struct Listed {
    pub transactional_id: String,
    pub producer_id: i64,
    pub state: String,
}

/// The transactions the broker at `address` coordinates, as `filter` selects them, and the
/// states of the filter the broker does not know.
pub(in crate::kafka) fn list_transactions(
    address: &str,
    settings: &WireSettings,
    filter: &TransactionFilter,
) -> WireResult<(Vec<Listed>, Vec<String>)> {
    let older_than = filter.older_than.map(|d| d.as_millis() as i64);
    // A broker before ListTransactions v1 (Kafka 3.8) cannot filter by duration: the
    // request then fails to encode, saying so.
    let (_, answer) = exchange(address, settings, "ListTransactions", |_| {
        ListTransactionsRequest::default()
            .with_state_filters(filter.states.iter().map(|s| text(s)).collect())
            .with_producer_id_filters(filter.producer_ids.iter().map(|p| ProducerId(*p)).collect())
            .with_duration_filter(older_than.unwrap_or(-1))
    })?;
    read_listed(answer)
}

fn read_listed(answer: ListTransactionsResponse) -> WireResult<(Vec<Listed>, Vec<String>)> {
    if answer.error_code != 0 {
        return Err(WireError::refused(answer.error_code, None));
    }
    let listed = answer
        .transaction_states
        .into_iter()
        .map(|t| Listed {
            transactional_id: t.transactional_id.0.as_str().to_string(),
            producer_id: t.producer_id.0,
            state: t.transaction_state.as_str().to_string(),
        })
        .collect();
    let unknown = answer
        .unknown_state_filters
        .iter()
        .map(|s| s.as_str().to_string())
        .collect();
    Ok((listed, unknown))
}

/// The coordinator of each of `ids`, in their order, as the broker at `address` knows it.
pub(in crate::kafka) fn find_coordinators(
    address: &str,
    settings: &WireSettings,
    ids: &[String],
) -> WireResult<Vec<WireResult<Broker>>> {
    let mut conn = Connection::open(address, settings)?;
    let version = conn.version::<FindCoordinatorRequest>("FindCoordinator")?;
    if version >= 4 {
        let request = FindCoordinatorRequest::default()
            .with_key_type(TRANSACTION_KEY)
            .with_coordinator_keys(ids.iter().map(|id| text(id)).collect());
        let answer = conn.call(&request, version)?;
        return Ok(read_coordinators(answer, ids));
    }
    // Before v4 a request names one key.
    ids.iter()
        .map(|id| {
            let request = FindCoordinatorRequest::default()
                .with_key_type(TRANSACTION_KEY)
                .with_key(text(id));
            let a = conn.call(&request, version)?;
            Ok(if a.error_code != 0 {
                Err(refusal(a.error_code, &a.error_message))
            } else {
                Ok(broker(a.node_id.0, &a.host, a.port))
            })
        })
        .collect()
}

fn read_coordinators(answer: FindCoordinatorResponse, ids: &[String]) -> Vec<WireResult<Broker>> {
    ids.iter()
        .map(|id| {
            let c = answer
                .coordinators
                .iter()
                .find(|c| c.key.as_str() == id)
                .ok_or_else(|| {
                    WireError::Protocol(format!(
                        "the broker's FindCoordinator answer has no coordinator for '{id}'"
                    ))
                })?;
            if c.error_code != 0 {
                return Err(refusal(c.error_code, &c.error_message));
            }
            Ok(broker(c.node_id.0, &c.host, c.port))
        })
        .collect()
}

fn broker(id: i32, host: &StrBytes, port: i32) -> Broker {
    Broker {
        id,
        host: host.as_str().to_string(),
        port,
    }
}

/// The transactions of `ids` as their coordinator (`address`, broker `coordinator`)
/// describes them, in their order.
pub(in crate::kafka) fn describe_transactions(
    address: &str,
    settings: &WireSettings,
    coordinator: i32,
    ids: &[String],
) -> WireResult<Vec<WireResult<TransactionDescription>>> {
    let (_, answer) = exchange(address, settings, "DescribeTransactions", |_| {
        DescribeTransactionsRequest::default()
            .with_transactional_ids(ids.iter().map(|id| TransactionalId(text(id))).collect())
    })?;
    Ok(read_described(answer, coordinator, ids))
}

fn read_described(
    answer: DescribeTransactionsResponse,
    coordinator: i32,
    ids: &[String],
) -> Vec<WireResult<TransactionDescription>> {
    ids.iter()
        .map(|id| {
            let t = answer
                .transaction_states
                .iter()
                .find(|t| t.transactional_id.0.as_str() == id)
                .ok_or_else(|| {
                    WireError::Protocol(format!(
                        "the broker's DescribeTransactions answer has no result for '{id}'"
                    ))
                })?;
            if t.error_code != 0 {
                return Err(WireError::refused(t.error_code, None));
            }
            let mut partitions: Vec<(String, i32)> = t
                .topics
                .iter()
                .flat_map(|topic| {
                    let name = topic.topic.0.as_str();
                    topic.partitions.iter().map(|p| (name.to_string(), *p))
                })
                .collect();
            partitions.sort();
            Ok(TransactionDescription {
                transactional_id: id.clone(),
                coordinator,
                state: t.transaction_state.as_str().to_string(),
                producer_id: t.producer_id.0,
                producer_epoch: t.producer_epoch,
                timeout_ms: t.transaction_timeout_ms,
                start_time_ms: (t.transaction_start_time_ms >= 0)
                    .then_some(t.transaction_start_time_ms),
                partitions,
            })
        })
        .collect()
}

/// A partition's producers, or why the broker gave none.
pub(in crate::kafka) type Producers = ((String, i32), WireResult<Vec<ProducerState>>);

/// The producer states of `partitions` (each topic with its partitions) held by the broker
/// at `address`.
pub(in crate::kafka) fn describe_producers(
    address: &str,
    settings: &WireSettings,
    partitions: &[(String, Vec<i32>)],
) -> WireResult<Vec<Producers>> {
    let (_, answer) = exchange(address, settings, "DescribeProducers", |_| {
        DescribeProducersRequest::default().with_topics(
            partitions
                .iter()
                .map(|(name, ps)| {
                    TopicRequest::default()
                        .with_name(TopicName(text(name)))
                        .with_partition_indexes(ps.clone())
                })
                .collect(),
        )
    })?;
    Ok(read_producers(answer, partitions))
}

fn read_producers(
    answer: DescribeProducersResponse,
    partitions: &[(String, Vec<i32>)],
) -> Vec<Producers> {
    partitions
        .iter()
        .flat_map(|(name, ps)| ps.iter().map(move |p| (name.clone(), *p)))
        .map(|(name, p)| {
            let found = answer
                .topics
                .iter()
                .filter(|t| t.name.0.as_str() == name)
                .flat_map(|t| &t.partitions)
                .find(|r| r.partition_index == p);
            let result = match found {
                None => Err(WireError::Protocol(format!(
                    "the broker's DescribeProducers answer has no result for {name}-{p}"
                ))),
                Some(r) if r.error_code != 0 => Err(refusal(r.error_code, &r.error_message)),
                Some(r) => Ok(r
                    .active_producers
                    .iter()
                    .map(|s| ProducerState {
                        producer_id: s.producer_id.0,
                        producer_epoch: s.producer_epoch,
                        last_sequence: s.last_sequence,
                        last_timestamp: s.last_timestamp,
                        coordinator_epoch: (s.coordinator_epoch >= 0)
                            .then_some(s.coordinator_epoch),
                        transaction_start_offset: (s.current_txn_start_offset >= 0)
                            .then_some(s.current_txn_start_offset),
                    })
                    .collect()),
            };
            ((name, p), result)
        })
        .collect()
}

/// What an abort marker is written for: the open transaction of `producer_id` on a partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::kafka) struct AbortMarker {
    pub topic: String,
    pub partition: i32,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub coordinator_epoch: i32,
}

/// Has the partition's leader (`address`) write an abort marker for `marker`'s transaction.
/// The outer error is the exchange's, the inner one the broker's refusal.
pub(in crate::kafka) fn write_abort_marker(
    address: &str,
    settings: &WireSettings,
    marker: &AbortMarker,
) -> WireResult<WireResult<()>> {
    let (_, answer) = exchange(address, settings, "WriteTxnMarkers", |_| {
        WriteTxnMarkersRequest::default().with_markers(vec![WritableTxnMarker::default()
            .with_producer_id(ProducerId(marker.producer_id))
            .with_producer_epoch(marker.producer_epoch)
            .with_transaction_result(false)
            .with_coordinator_epoch(marker.coordinator_epoch)
            .with_topics(vec![WritableTxnMarkerTopic::default()
                .with_name(TopicName(text(&marker.topic)))
                .with_partition_indexes(vec![marker.partition])])])
    })?;
    read_marker(answer, marker)
}

fn read_marker(
    answer: WriteTxnMarkersResponse,
    marker: &AbortMarker,
) -> WireResult<WireResult<()>> {
    let code = answer
        .markers
        .iter()
        .filter(|m| m.producer_id.0 == marker.producer_id)
        .flat_map(|m| &m.topics)
        .filter(|t| t.name.0.as_str() == marker.topic)
        .flat_map(|t| &t.partitions)
        .find(|p| p.partition_index == marker.partition)
        .map(|p| p.error_code)
        .ok_or_else(|| {
            WireError::Protocol(format!(
                "the broker's WriteTxnMarkers answer has no result for {}-{}",
                marker.topic, marker.partition
            ))
        })?;
    Ok(match code {
        0 => Ok(()),
        code => Err(WireError::refused(code, None)),
    })
}

fn text(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::describe_producers_response::{
        PartitionResponse, ProducerState as Wire, TopicResponse,
    };
    use kafka_protocol::messages::describe_transactions_response::{
        TopicData, TransactionState as Described,
    };
    use kafka_protocol::messages::find_coordinator_response::Coordinator;
    use kafka_protocol::messages::list_transactions_response::TransactionState as ListedState;
    use kafka_protocol::messages::write_txn_markers_response::{
        WritableTxnMarkerPartitionResult, WritableTxnMarkerResult, WritableTxnMarkerTopicResult,
    };
    use kafka_protocol::messages::BrokerId;

    fn s(text: &'static str) -> StrBytes {
        StrBytes::from_static_str(text)
    }

    #[test]
    fn reads_listings_and_unknown_states() {
        let answer = ListTransactionsResponse::default()
            .with_transaction_states(vec![ListedState::default()
                .with_transactional_id(TransactionalId(s("t1")))
                .with_producer_id(ProducerId(7))
                .with_transaction_state(s("Ongoing"))])
            .with_unknown_state_filters(vec![s("Bogus")]);
        let (listed, unknown) = read_listed(answer).unwrap();
        assert_eq!(listed[0].producer_id, 7);
        assert_eq!(listed[0].state, "Ongoing");
        assert_eq!(unknown, ["Bogus"]);
        let refused = ListTransactionsResponse::default().with_error_code(31);
        assert!(read_listed(refused).is_err());
    }

    #[test]
    fn reads_coordinators_and_descriptions() {
        let answer = FindCoordinatorResponse::default().with_coordinators(vec![
            Coordinator::default()
                .with_key(s("a"))
                .with_node_id(BrokerId(2))
                .with_host(s("h"))
                .with_port(9093),
            Coordinator::default().with_key(s("b")).with_error_code(53),
        ]);
        let found = read_coordinators(answer, &["a".into(), "b".into(), "c".into()]);
        assert_eq!(found[0].as_ref().unwrap().id, 2);
        assert!(matches!(found[1], Err(WireError::Refused { code: 53, .. })));
        assert!(matches!(found[2], Err(WireError::Protocol(_))));

        let answer = DescribeTransactionsResponse::default().with_transaction_states(vec![
            Described::default()
                .with_transactional_id(TransactionalId(s("a")))
                .with_transaction_state(s("Ongoing"))
                .with_producer_id(ProducerId(5))
                .with_producer_epoch(1)
                .with_transaction_timeout_ms(60000)
                .with_transaction_start_time_ms(-1)
                .with_topics(vec![TopicData::default()
                    .with_topic(TopicName(s("t")))
                    .with_partitions(vec![1, 0])]),
            Described::default()
                .with_transactional_id(TransactionalId(s("b")))
                .with_error_code(105),
        ]);
        let read = read_described(answer, 2, &["a".into(), "b".into()]);
        let a = read[0].as_ref().unwrap();
        assert_eq!(a.start_time_ms, None);
        assert_eq!(a.partitions, [("t".to_string(), 0), ("t".to_string(), 1)]);
        assert_eq!(a.coordinator, 2);
        assert!(matches!(read[1], Err(WireError::Refused { code: 105, .. })));
    }

    #[test]
    fn reads_producer_states_and_markers() {
        let answer =
            DescribeProducersResponse::default().with_topics(vec![TopicResponse::default()
                .with_name(TopicName(s("t")))
                .with_partitions(vec![
                    PartitionResponse::default()
                        .with_partition_index(0)
                        .with_active_producers(vec![Wire::default()
                            .with_producer_id(ProducerId(9))
                            .with_coordinator_epoch(-1)
                            .with_current_txn_start_offset(12)]),
                    PartitionResponse::default()
                        .with_partition_index(1)
                        .with_error_code(6),
                ])]);
        let read = read_producers(answer, &[("t".into(), vec![0, 1, 2])]);
        let p0 = read[0].1.as_ref().unwrap();
        assert_eq!(p0[0].coordinator_epoch, None);
        assert_eq!(p0[0].transaction_start_offset, Some(12));
        assert!(matches!(read[1].1, Err(WireError::Refused { code: 6, .. })));
        assert!(matches!(read[2].1, Err(WireError::Protocol(_))));

        let marker = AbortMarker {
            topic: "t".into(),
            partition: 0,
            producer_id: 9,
            producer_epoch: 0,
            coordinator_epoch: 0,
        };
        let answer = |code| {
            WriteTxnMarkersResponse::default().with_markers(vec![WritableTxnMarkerResult::default(
            )
            .with_producer_id(ProducerId(9))
            .with_topics(vec![WritableTxnMarkerTopicResult::default()
                .with_name(TopicName(s("t")))
                .with_partitions(vec![WritableTxnMarkerPartitionResult::default()
                    .with_partition_index(0)
                    .with_error_code(code)])])])
        };
        assert_eq!(read_marker(answer(0), &marker), Ok(Ok(())));
        assert!(matches!(
            read_marker(answer(31), &marker),
            Ok(Err(WireError::Refused { code: 31, .. }))
        ));
    }
}
