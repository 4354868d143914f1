//! ElectLeaders: a preferred or unclean leader election for partitions, which a broker
//! forwards to the active controller (`kafka-leader-election`).

use kafka_protocol::messages::elect_leaders_request::TopicPartitions;
use kafka_protocol::messages::{ElectLeadersRequest, ElectLeadersResponse, TopicName};
use kafka_protocol::protocol::StrBytes;

use super::configs::refusal;
use super::connection::exchange;
use super::settings::WireSettings;
use super::{WireError, WireResult};

/// A partition's election result: `Ok(())` elected, or the controller's error (ELECTION_NOT_NEEDED
/// among them).
pub(in crate::kafka) type Elected = ((String, i32), WireResult<()>);

/// Asks for an election (`unclean`: any replica, else the preferred one) of `partitions`
/// (each topic with its partitions; `None`: every partition), bounded by `timeout_ms` on the
/// controller's side.
pub(in crate::kafka) fn elect_leaders(
    address: &str,
    settings: &WireSettings,
    partitions: Option<&[(String, Vec<i32>)]>,
    unclean: bool,
    timeout_ms: i32,
) -> WireResult<Vec<Elected>> {
    // Before v1 (Kafka 2.4) a broker elects only preferred leaders: an unclean election
    // then fails to encode, saying so.
    let (_, answer) = exchange(address, settings, "ElectLeaders", |_| {
        ElectLeadersRequest::default()
            .with_election_type(i8::from(unclean))
            .with_timeout_ms(timeout_ms)
            .with_topic_partitions(partitions.map(|ps| {
                ps.iter()
                    .map(|(t, p)| {
                        TopicPartitions::default()
                            .with_topic(TopicName(StrBytes::from_string(t.clone())))
                            .with_partitions(p.clone())
                    })
                    .collect()
            }))
    })?;
    read(answer)
}

fn read(answer: ElectLeadersResponse) -> WireResult<Vec<Elected>> {
    if answer.error_code != 0 {
        return Err(WireError::refused(answer.error_code, None));
    }
    Ok(answer
        .replica_election_results
        .iter()
        .flat_map(|t| {
            t.partition_result.iter().map(|p| {
                let result = match p.error_code {
                    0 => Ok(()),
                    code => Err(refusal(code, &p.error_message)),
                };
                ((t.topic.0.as_str().to_string(), p.partition_id), result)
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::elect_leaders_response::{
        PartitionResult, ReplicaElectionResult,
    };

    #[test]
    fn reads_each_partition() {
        let answer = ElectLeadersResponse::default().with_replica_election_results(vec![
            ReplicaElectionResult::default()
                .with_topic(TopicName(StrBytes::from_static_str("t")))
                .with_partition_result(vec![
                    PartitionResult::default().with_partition_id(0),
                    PartitionResult::default()
                        .with_partition_id(1)
                        .with_error_code(84),
                ]),
        ]);
        let r = read(answer).unwrap();
        assert_eq!(r[0], (("t".to_string(), 0), Ok(())));
        assert!(matches!(r[1].1, Err(WireError::Refused { code: 84, .. })));
        let refused = ElectLeadersResponse::default().with_error_code(31);
        assert!(read(refused).is_err());
    }
}
