//! The plain types the Kafka facade hands out and takes: no librdkafka in them, so commands,
//! renderers and tests use them freely.

use std::collections::BTreeMap;

/// A (topic, partition) pair.
pub type TopicPartition = (String, i32);

/// The kind of a broker-side failure that commands act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    TopicAlreadyExists,
    UnknownTopic,
    InvalidTopic,
    InvalidPartitions,
    InvalidReplicationFactor,
    InvalidConfig,
    PolicyViolation,
    NotAuthorized,
    Other,
}

/// A failure the broker reported for one item of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerError {
    pub code: Code,
    pub message: String,
}

impl BrokerError {
    /// Where the failure came from, for an error made of it.
    pub fn kind(&self) -> crate::error::ErrorKind {
        match self.code {
            Code::NotAuthorized => crate::error::ErrorKind::Authorization,
            _ => crate::error::ErrorKind::Runtime,
        }
    }
}

impl std::fmt::Display for BrokerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A broker as the cluster advertises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broker {
    pub id: i32,
    pub host: String,
    pub port: i32,
}

/// A partition as the metadata describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionInfo {
    pub id: i32,
    /// The leader's broker id, `None` when the partition has no leader.
    pub leader: Option<i32>,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    pub error: Option<String>,
}

/// A topic as the metadata describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicInfo {
    pub name: String,
    pub partitions: Vec<PartitionInfo>,
    pub error: Option<BrokerError>,
}

impl TopicInfo {
    /// Kafka's internal topics (`__consumer_offsets`, `__transaction_state`) start with `__`.
    pub fn is_internal(&self) -> bool {
        self.name.starts_with("__")
    }

    pub fn replication_factor(&self) -> usize {
        self.partitions
            .iter()
            .map(|p| p.replicas.len())
            .max()
            .unwrap_or(0)
    }

    /// The first of `partitions` the topic does not have, if any: the one check every command
    /// that names partitions makes before it reads or writes.
    pub fn missing_partition(&self, partitions: &[i32]) -> Option<MissingPartition> {
        partitions
            .iter()
            .find(|p| !self.partitions.iter().any(|q| q.id == **p))
            .map(|p| MissingPartition {
                topic: self.name.clone(),
                partition: *p,
                count: self.partitions.len(),
            })
    }
}

/// A partition a command named that its topic does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingPartition {
    pub topic: String,
    pub partition: i32,
    /// How many partitions the topic has.
    pub count: usize,
}

impl MissingPartition {
    /// `partition P of topic 'T'`.
    pub fn resource(&self) -> String {
        format!("partition {} of topic '{}'", self.partition, self.topic)
    }

    /// The error a command fails with: `partition P of topic 'T' does not exist: it has N
    /// partitions`.
    pub fn error(&self) -> crate::error::Error {
        crate::error::Error::not_found(self.resource(), self.to_string())
    }
}

impl std::fmt::Display for MissingPartition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "partition {} of topic '{}' does not exist: it has {} {}",
            self.partition,
            self.topic,
            self.count,
            crate::render::plural(self.count, "partition", "partitions")
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterInfo {
    pub brokers: Vec<Broker>,
    pub topics: Vec<TopicInfo>,
}

impl ClusterInfo {
    pub fn topic(&self, name: &str) -> Option<&TopicInfo> {
        self.topics.iter().find(|t| t.name == name)
    }
}

/// A topic to create. `None` leaves the value to the broker's default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTopicSpec {
    pub name: String,
    pub partitions: Option<i32>,
    pub replication_factor: Option<i32>,
    pub configs: Vec<(String, String)>,
}

/// One config entry of a topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigValue {
    pub name: String,
    /// `None` for sensitive values, which brokers never return.
    pub value: Option<String>,
    /// At Kafka's built-in default (not set on the topic nor by the brokers' configs).
    pub is_default: bool,
}

/// Which offset ListOffsets asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetSpec {
    Earliest,
    Latest,
    /// The first offset whose timestamp is at or after this time (ms since the epoch). A time
    /// before the epoch is before every record: the earliest offset.
    Timestamp(i64),
}

/// A consumer group's state, as Kafka names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupState {
    Unknown,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
    Empty,
    /// Consumer-protocol and streams groups: the coordinator is computing a new target
    /// assignment.
    Assigning,
    /// Consumer-protocol and streams groups: members are moving to the target assignment.
    Reconciling,
    /// Streams groups: its topics are not ready yet.
    NotReady,
}

impl GroupState {
    /// The state Kafka names `name` (as ListGroups and the describe requests do).
    pub fn from_name(name: &str) -> GroupState {
        match name.to_ascii_lowercase().replace('_', "").as_str() {
            "preparingrebalance" => GroupState::PreparingRebalance,
            "completingrebalance" => GroupState::CompletingRebalance,
            "stable" => GroupState::Stable,
            "dead" => GroupState::Dead,
            "empty" => GroupState::Empty,
            "assigning" => GroupState::Assigning,
            "reconciling" => GroupState::Reconciling,
            "notready" => GroupState::NotReady,
            _ => GroupState::Unknown,
        }
    }

    /// Kafka's own name, as `kafka-consumer-groups` prints it.
    pub fn name(self) -> &'static str {
        match self {
            GroupState::Unknown => "Unknown",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
            GroupState::Empty => "Empty",
            GroupState::Assigning => "Assigning",
            GroupState::Reconciling => "Reconciling",
            GroupState::NotReady => "NotReady",
        }
    }

    /// The snake_case name used in JSON.
    pub fn snake_name(self) -> &'static str {
        match self {
            GroupState::Unknown => "unknown",
            GroupState::PreparingRebalance => "preparing_rebalance",
            GroupState::CompletingRebalance => "completing_rebalance",
            GroupState::Stable => "stable",
            GroupState::Dead => "dead",
            GroupState::Empty => "empty",
            GroupState::Assigning => "assigning",
            GroupState::Reconciling => "reconciling",
            GroupState::NotReady => "not_ready",
        }
    }
}

/// Which group protocol a group runs: Kafka 4's consumer protocol (KIP-848) or the classic one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupType {
    Classic,
    Consumer,
    /// A share group (KIP-932): records shared among its members, acknowledged one by one.
    Share,
    /// A Kafka Streams group (KIP-1071).
    Streams,
    /// Not said (an older broker), or a kind kctl does not know.
    Unknown,
}

impl GroupType {
    /// The type Kafka names `name` (ListGroups v5's group_type).
    pub fn from_name(name: &str) -> GroupType {
        match name.to_ascii_lowercase().as_str() {
            "classic" => GroupType::Classic,
            "consumer" => GroupType::Consumer,
            "share" => GroupType::Share,
            "streams" => GroupType::Streams,
            _ => GroupType::Unknown,
        }
    }

    /// The name Kafka uses (`kafka-consumer-groups --list --type`), also the JSON value.
    pub fn name(self) -> &'static str {
        match self {
            GroupType::Classic => "classic",
            GroupType::Consumer => "consumer",
            GroupType::Share => "share",
            GroupType::Streams => "streams",
            GroupType::Unknown => "unknown",
        }
    }
}

/// A group as ListConsumerGroups lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupListing {
    pub group: String,
    /// `Unknown` when the broker does not report states in its listing.
    pub state: GroupState,
    /// A group that only commits offsets (no group protocol, no members).
    pub simple: bool,
    pub group_type: GroupType,
}

/// A member of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMember {
    pub consumer_id: String,
    pub client_id: String,
    pub host: String,
    pub group_instance_id: Option<String>,
    pub assignment: Vec<TopicPartition>,
    /// Consumer-protocol groups: the partitions the coordinator is moving this member to
    /// (equal to `assignment` once it has caught up); `None` for classic groups.
    pub target_assignment: Option<Vec<TopicPartition>>,
}

/// A group as DescribeConsumerGroups describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupInfo {
    pub group: String,
    pub state: GroupState,
    pub simple: bool,
    pub group_type: GroupType,
    /// The partition assignor (e.g. `range`); `None` when the group has none.
    pub assignor: Option<String>,
    pub coordinator: Option<Broker>,
    pub members: Vec<GroupMember>,
}

/// A committed offset: `None` when the group has none for the partition.
pub type CommittedOffset = std::result::Result<Option<i64>, BrokerError>;

/// Where to start reading a partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartOffset {
    Beginning,
    End,
    /// An absolute offset.
    At(i64),
    /// The last N records.
    Tail(i64),
}

/// How to read a topic.
#[derive(Debug, Clone)]
pub enum ReadMode {
    /// Read these partitions from these offsets; no group is joined, nothing is committed.
    Assign(BTreeMap<TopicPartition, StartOffset>),
    /// Join `group` (subscribe). Where a partition has no committed offset, start at the
    /// beginning when `from_beginning`, else at the end. `starts`, when given, overrides the
    /// committed offsets of the partitions assigned.
    Group {
        group: String,
        from_beginning: bool,
        starts: Option<BTreeMap<TopicPartition, StartOffset>>,
    },
}

/// What a group member subscribes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subscription {
    /// These topics.
    Topics(Vec<String>),
    /// Every topic whose whole name matches this regular expression, now and as topics come
    /// and go.
    Pattern(String),
}

/// How a record's timestamp was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampType {
    CreateTime,
    LogAppendTime,
}

/// How far a group consumer got with joining its group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupStatus {
    /// A rebalance assigned partitions (possibly none) to this consumer.
    Joined,
    /// The group's coordinator is known and connected; the group is still (re)balancing.
    Joining,
    /// The cluster named the group's coordinator but it cannot be reached (yet).
    CoordinatorUnreachable,
    /// No coordinator for the group has been found (yet).
    NoCoordinator,
}

/// Compression codecs a producer can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Snappy,
    Lz4,
    Zstd,
}

/// How a producer is set up.
#[derive(Debug, Clone)]
pub struct ProducerOptions {
    pub topic: String,
    pub compression: Option<Compression>,
    /// Headers added to every record (after the record's own).
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

/// A record's timestamp as it is sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RecordTime {
    /// The time it is sent (librdkafka stamps it).
    #[default]
    Now,
    /// No timestamp: Kafka's -1, what a record without one reads back as.
    Unset,
    /// Milliseconds since the epoch; 1 or more (see [`check_timestamp`]).
    At(i64),
}

/// Whether a record can carry this timestamp (ms since the epoch); why not, if it cannot.
/// librdkafka reads 0 as "now" (the record would silently get the time it is sent), and
/// Kafka's timestamps are never negative (Java's producer refuses them; -1 is "none").
pub fn check_timestamp(ts: i64) -> std::result::Result<(), String> {
    match ts {
        0 => Err(
            "timestamp 0 cannot be sent: librdkafka reads 0 as \"now\" and would stamp \
             the record with the time it is sent (leave the timestamp out for that, or use 1, \
             the earliest time it can carry)"
                .to_string(),
        ),
        ts if ts < 0 => Err(format!(
            "timestamp {ts} is negative: Kafka timestamps are milliseconds since the epoch, \
             0 or more (a record without a timestamp is written \"timestamp\": null)"
        )),
        _ => Ok(()),
    }
}

/// One record to send. Bytes are borrowed: librdkafka copies them when the record is queued.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutRecord<'a> {
    pub key: Option<&'a [u8]>,
    pub value: Option<&'a [u8]>,
    /// `None` lets the partitioner choose (by key hash, or spread when there is no key).
    pub partition: Option<i32>,
    pub timestamp: RecordTime,
    pub headers: &'a [(&'a str, Option<&'a [u8]>)],
}

/// Delivery counts so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryStats {
    pub delivered: u64,
    /// Messages that failed and were not written.
    pub failed: u64,
    /// Messages that failed after they were sent, with no acknowledgement: the broker may have
    /// written them (librdkafka's "possibly persisted").
    pub uncertain: u64,
    /// The distinct delivery errors seen (at most a few), each with how often it happened.
    pub errors: Vec<(String, u64)>,
}

/// How the resolved configuration secures its connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityMode {
    pub tls: bool,
    /// The SASL mechanism, when the connection authenticates with SASL.
    pub sasl: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_have_kafka_and_json_names() {
        assert_eq!(GroupState::Stable.name(), "Stable");
        assert_eq!(
            GroupState::PreparingRebalance.snake_name(),
            "preparing_rebalance"
        );
    }

    #[test]
    fn kafka_names_read_back_as_states_and_types() {
        assert_eq!(
            GroupState::from_name("Reconciling"),
            GroupState::Reconciling
        );
        assert_eq!(GroupState::from_name("Assigning"), GroupState::Assigning);
        assert_eq!(GroupState::from_name("NotReady"), GroupState::NotReady);
        assert_eq!(
            GroupState::from_name("PreparingRebalance"),
            GroupState::PreparingRebalance
        );
        assert_eq!(GroupState::from_name("Whatever"), GroupState::Unknown);
        assert_eq!(GroupState::NotReady.snake_name(), "not_ready");
        assert_eq!(GroupType::from_name("Share"), GroupType::Share);
        assert_eq!(GroupType::from_name("streams").name(), "streams");
        assert_eq!(GroupType::from_name(""), GroupType::Unknown);
    }

    #[test]
    fn a_missing_partition_is_found() {
        let topic = TopicInfo {
            name: "orders".into(),
            partitions: (0..2)
                .map(|id| PartitionInfo {
                    id,
                    leader: Some(1),
                    replicas: vec![1],
                    isr: vec![1],
                    error: None,
                })
                .collect(),
            error: None,
        };
        assert_eq!(topic.missing_partition(&[0, 1]), None);
        assert_eq!(
            topic.missing_partition(&[1, 5, 7]),
            Some(MissingPartition {
                topic: "orders".into(),
                partition: 5,
                count: 2
            })
        );
    }
}
