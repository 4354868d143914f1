//! DescribeLogDirs: a broker's own log directories, and the size of each replica in them.

use kafka_protocol::messages::describe_log_dirs_request::DescribableLogDirTopic;
use kafka_protocol::messages::{
    ApiKey, DescribeLogDirsRequest, DescribeLogDirsResponse, TopicName,
};
use kafka_protocol::protocol::StrBytes;

use super::connection::Connection;
use super::settings::WireSettings;
use super::{WireError, WireResult};

/// A log directory of a broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::kafka) struct LogDir {
    pub path: String,
    /// The directory's own error (e.g. KAFKA_STORAGE_ERROR: offline).
    pub error: Option<WireError>,
    pub replicas: Vec<LogDirReplica>,
}

/// A replica in a log directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::kafka) struct LogDirReplica {
    pub topic: String,
    pub partition: i32,
    /// Bytes of the replica's log segments.
    pub size: i64,
    /// How far the replica is behind the end of the log (for a future replica: behind the
    /// current one).
    pub offset_lag: i64,
    /// A replica being moved into this directory (`kafka-reassign-partitions` across dirs).
    pub is_future: bool,
}

/// Asks the broker at `address` about its log directories: the replicas of `topics` (each
/// with its partitions), or of every topic when `None`.
pub(in crate::kafka) fn describe_log_dirs(
    address: &str,
    settings: &WireSettings,
    topics: Option<&[(String, Vec<i32>)]>,
) -> WireResult<Vec<LogDir>> {
    let mut conn = Connection::open(address, settings)?;
    let version = conn
        .versions
        .pick::<DescribeLogDirsRequest>(ApiKey::DescribeLogDirs as i16)
        .ok_or_else(|| {
            WireError::UnsupportedApi("the broker does not support DescribeLogDirs".to_string())
        })?;
    let answer = conn.call(&request(topics), version)?;
    read(answer)
}

fn request(topics: Option<&[(String, Vec<i32>)]>) -> DescribeLogDirsRequest {
    DescribeLogDirsRequest::default().with_topics(topics.map(|topics| {
        topics
            .iter()
            .map(|(name, partitions)| {
                DescribableLogDirTopic::default()
                    .with_topic(TopicName(StrBytes::from_string(name.clone())))
                    .with_partitions(partitions.clone())
            })
            .collect()
    }))
}

fn read(answer: DescribeLogDirsResponse) -> WireResult<Vec<LogDir>> {
    if answer.error_code != 0 {
        return Err(WireError::refused(answer.error_code, None));
    }
    Ok(answer
        .results
        .into_iter()
        .map(|dir| LogDir {
            path: dir.log_dir.as_str().to_string(),
            error: (dir.error_code != 0).then(|| WireError::refused(dir.error_code, None)),
            replicas: dir
                .topics
                .iter()
                .flat_map(|t| {
                    t.partitions.iter().map(|p| LogDirReplica {
                        topic: t.name.as_str().to_string(),
                        partition: p.partition_index,
                        size: p.partition_size,
                        offset_lag: p.offset_lag,
                        is_future: p.is_future_key,
                    })
                })
                .collect(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::describe_log_dirs_response::{
        DescribeLogDirsPartition, DescribeLogDirsResult, DescribeLogDirsTopic,
    };

    #[test]
    fn reads_replicas_and_errors() {
        let answer = DescribeLogDirsResponse::default().with_results(vec![
            DescribeLogDirsResult::default()
                .with_log_dir(StrBytes::from_static_str("/data/a"))
                .with_topics(vec![DescribeLogDirsTopic::default()
                    .with_name(TopicName(StrBytes::from_static_str("t")))
                    .with_partitions(vec![DescribeLogDirsPartition::default()
                        .with_partition_index(2)
                        .with_partition_size(123)
                        .with_offset_lag(1)])]),
            DescribeLogDirsResult::default()
                .with_log_dir(StrBytes::from_static_str("/data/b"))
                .with_error_code(56),
        ]);
        let dirs = read(answer).unwrap();
        assert_eq!(dirs[0].replicas[0].size, 123);
        assert_eq!(dirs[0].replicas[0].partition, 2);
        assert!(!dirs[0].replicas[0].is_future);
        assert!(dirs[1].error.is_some());
        let refused = DescribeLogDirsResponse::default().with_error_code(31);
        assert_eq!(read(refused).unwrap_err(), WireError::refused(31, None));
        let all = request(None);
        assert!(all.topics.is_none());
    }
}
