//! Group requests librdkafka has no admin API for: ListGroups naming every group type
//! (classic, consumer, share, streams), ShareGroupDescribe and DescribeShareGroupOffsets of
//! share groups (KIP-932), and ConsumerGroupDescribe of consumer-protocol groups (KIP-848:
//! their epochs and states). The describe requests go to the group's coordinator, found with
//! FindCoordinator.

use kafka_protocol::messages::alter_share_group_offsets_request::{
    AlterShareGroupOffsetsRequestPartition, AlterShareGroupOffsetsRequestTopic,
};
use kafka_protocol::messages::delete_share_group_offsets_request::DeleteShareGroupOffsetsRequestTopic;
use kafka_protocol::messages::describe_share_group_offsets_request::DescribeShareGroupOffsetsRequestGroup;
use kafka_protocol::messages::ApiKey;
use kafka_protocol::messages::{
    AlterShareGroupOffsetsRequest, DeleteShareGroupOffsetsRequest, TopicName,
};
use kafka_protocol::messages::{
    ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse, DescribeShareGroupOffsetsRequest,
    FindCoordinatorRequest, GroupId, ListGroupsRequest, ListGroupsResponse,
    ShareGroupDescribeRequest, ShareGroupDescribeResponse,
};
use kafka_protocol::protocol::buf::{ByteBuf, ByteBufMut};
use kafka_protocol::protocol::{
    Decodable, Encodable, HeaderVersion, Message, StrBytes, VersionRange,
};

use super::configs::refusal;
use super::connection::{exchange, Call, Connection};
use super::settings::WireSettings;
use super::{WireError, WireResult};

/// FindCoordinator's key type of groups.
const GROUP_KEY: i8 = 0;

/// A group as ListGroups lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::kafka) struct ListedGroup {
    pub group: String,
    /// `classic`, `consumer`, `share`, `streams`; empty before ListGroups v5.
    pub group_type: String,
    /// Kafka's name of its state (`Stable`, `Assigning`, ...); empty before v4.
    pub state: String,
    /// `consumer` for consumer groups, empty for groups that only commit offsets.
    pub protocol_type: String,
}

/// The groups the broker at `address` coordinates (`types`: only those; empty: all).
pub(in crate::kafka) fn list_groups(
    address: &str,
    settings: &WireSettings,
    types: &[String],
) -> WireResult<Vec<ListedGroup>> {
    let (_, answer) = exchange(address, settings, "ListGroups", |_| {
        ListGroupsRequest::default().with_types_filter(types.iter().map(|t| text(t)).collect())
    })?;
    read_listed(answer)
}

fn read_listed(answer: ListGroupsResponse) -> WireResult<Vec<ListedGroup>> {
    if answer.error_code != 0 {
        return Err(WireError::refused(answer.error_code, None));
    }
    Ok(answer
        .groups
        .into_iter()
        .map(|g| ListedGroup {
            group: g.group_id.0.as_str().to_string(),
            group_type: g.group_type.as_str().to_lowercase(),
            state: g.group_state.as_str().to_string(),
            protocol_type: g.protocol_type.as_str().to_string(),
        })
        .collect())
}

/// A member of a share group or a consumer-protocol group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::kafka) struct DescribedMember {
    pub member_id: String,
    pub client_id: String,
    pub host: String,
    pub instance_id: Option<String>,
    pub member_epoch: i32,
    pub subscribed: Vec<String>,
    pub assignment: Vec<(String, i32)>,
    /// Consumer groups: what the coordinator moves it to; share groups: `None`.
    pub target_assignment: Option<Vec<(String, i32)>>,
}

/// A share group or consumer-protocol group as its coordinator describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::kafka) struct DescribedGroup {
    pub group: String,
    pub coordinator: i32,
    pub state: String,
    pub group_epoch: i32,
    pub assignment_epoch: i32,
    pub assignor: String,
    pub members: Vec<DescribedMember>,
}

/// Opens a connection to `group`'s coordinator, found by asking the broker at `address`.
fn coordinator(
    address: &str,
    settings: &WireSettings,
    group: &str,
) -> WireResult<(Connection, i32)> {
    let mut conn = Connection::open(address, settings)?;
    let version = conn.version::<FindCoordinatorRequest>("FindCoordinator")?;
    let request = match version >= 4 {
        true => FindCoordinatorRequest::default()
            .with_key_type(GROUP_KEY)
            .with_coordinator_keys(vec![text(group)]),
        false => FindCoordinatorRequest::default()
            .with_key_type(GROUP_KEY)
            .with_key(text(group)),
    };
    let a = conn.call(&request, version)?;
    let (code, message, id, host, port) = match a.coordinators.first() {
        Some(c) if version >= 4 => (
            c.error_code,
            c.error_message.clone(),
            c.node_id.0,
            c.host.as_str().to_string(),
            c.port,
        ),
        _ => (
            a.error_code,
            a.error_message.clone(),
            a.node_id.0,
            a.host.as_str().to_string(),
            a.port,
        ),
    };
    if code != 0 {
        return Err(refusal(code, &message));
    }
    let at = match host.contains(':') {
        true => format!("[{host}]:{port}"),
        false => format!("{host}:{port}"),
    };
    if at == address {
        return Ok((conn, id));
    }
    Ok((Connection::open(&at, settings)?, id))
}

/// A share group as its coordinator describes it.
pub(in crate::kafka) fn share_group_describe(
    address: &str,
    settings: &WireSettings,
    group: &str,
) -> WireResult<DescribedGroup> {
    let (mut conn, id) = coordinator(address, settings, group)?;
    let version = conn.version::<ShareGroupDescribeRequest>("ShareGroupDescribe")?;
    let request = ShareGroupDescribeRequest::default().with_group_ids(vec![GroupId(text(group))]);
    read_share(conn.call(&request, version)?, id)
}

fn read_share(answer: ShareGroupDescribeResponse, coordinator: i32) -> WireResult<DescribedGroup> {
    let g = answer
        .groups
        .into_iter()
        .next()
        .ok_or_else(|| WireError::Protocol("the coordinator described no group".into()))?;
    if g.error_code != 0 {
        return Err(refusal(g.error_code, &g.error_message));
    }
    Ok(DescribedGroup {
        group: g.group_id.0.as_str().to_string(),
        coordinator,
        state: g.group_state.as_str().to_string(),
        group_epoch: g.group_epoch,
        assignment_epoch: g.assignment_epoch,
        assignor: g.assignor_name.as_str().to_string(),
        members: g
            .members
            .into_iter()
            .map(|m| DescribedMember {
                member_id: m.member_id.as_str().to_string(),
                client_id: m.client_id.as_str().to_string(),
                host: m.client_host.as_str().to_string(),
                instance_id: None,
                member_epoch: m.member_epoch,
                subscribed: m
                    .subscribed_topic_names
                    .iter()
                    .map(|t| t.0.as_str().to_string())
                    .collect(),
                assignment: m
                    .assignment
                    .topic_partitions
                    .iter()
                    .flat_map(|t| {
                        t.partitions
                            .iter()
                            .map(|p| (t.topic_name.0.as_str().to_string(), *p))
                    })
                    .collect(),
                target_assignment: None,
            })
            .collect(),
    })
}

/// A consumer-protocol group as its coordinator describes it (epochs, the states librdkafka
/// does not name).
pub(in crate::kafka) fn consumer_group_describe(
    address: &str,
    settings: &WireSettings,
    group: &str,
) -> WireResult<DescribedGroup> {
    let (mut conn, id) = coordinator(address, settings, group)?;
    let version = conn.version::<ConsumerGroupDescribeRequest>("ConsumerGroupDescribe")?;
    let request =
        ConsumerGroupDescribeRequest::default().with_group_ids(vec![GroupId(text(group))]);
    read_consumer(conn.call(&request, version)?, id)
}

fn read_consumer(
    answer: ConsumerGroupDescribeResponse,
    coordinator: i32,
) -> WireResult<DescribedGroup> {
    let g = answer
        .groups
        .into_iter()
        .next()
        .ok_or_else(|| WireError::Protocol("the coordinator described no group".into()))?;
    if g.error_code != 0 {
        return Err(refusal(g.error_code, &g.error_message));
    }
    let parts = |a: &kafka_protocol::messages::consumer_group_describe_response::Assignment| {
        a.topic_partitions
            .iter()
            .flat_map(|t| {
                t.partitions
                    .iter()
                    .map(|p| (t.topic_name.0.as_str().to_string(), *p))
            })
            .collect::<Vec<_>>()
    };
    Ok(DescribedGroup {
        group: g.group_id.0.as_str().to_string(),
        coordinator,
        state: g.group_state.as_str().to_string(),
        group_epoch: g.group_epoch,
        assignment_epoch: g.assignment_epoch,
        assignor: g.assignor_name.as_str().to_string(),
        members: g
            .members
            .iter()
            .map(|m| DescribedMember {
                member_id: m.member_id.as_str().to_string(),
                client_id: m.client_id.as_str().to_string(),
                host: m.client_host.as_str().to_string(),
                instance_id: m.instance_id.as_ref().map(|s| s.as_str().to_string()),
                member_epoch: m.member_epoch,
                subscribed: m
                    .subscribed_topic_names
                    .iter()
                    .map(|t| t.0.as_str().to_string())
                    .collect(),
                assignment: parts(&m.assignment),
                target_assignment: Some(parts(&m.target_assignment)),
            })
            .collect(),
    })
}

/// A share-partition's start offset as the share coordinator keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::kafka) struct SharePartitionOffset {
    pub topic: String,
    pub partition: i32,
    /// `None`: not initialized yet (-1).
    pub start_offset: Option<i64>,
    /// `None`: unknown (-1).
    pub leader_epoch: Option<i32>,
    /// The records not yet delivered and acknowledged, as the coordinator counts them
    /// (version 1, Kafka 4.2); `None`: not said.
    pub lag: Option<i64>,
    pub error: Option<WireError>,
}

/// The start offset (and, from Kafka 4.2, the lag) of every share-partition of `group`
/// (DescribeShareGroupOffsets, of all its topics), from its coordinator.
pub(in crate::kafka) fn describe_share_group_offsets(
    address: &str,
    settings: &WireSettings,
    group: &str,
) -> WireResult<Vec<SharePartitionOffset>> {
    let (mut conn, _) = coordinator(address, settings, group)?;
    let version = conn.version::<OffsetsRequest>("DescribeShareGroupOffsets")?;
    let request = OffsetsRequest(
        DescribeShareGroupOffsetsRequest::default().with_groups(vec![
            DescribeShareGroupOffsetsRequestGroup::default()
                .with_group_id(GroupId(text(group)))
                .with_topics(None),
        ]),
    );
    let OffsetsAnswer(groups) = conn.call(&request, version)?;
    let (code, message, mut out) = groups
        .into_iter()
        .next()
        .ok_or_else(|| WireError::Protocol("the coordinator described no group".into()))?;
    if code != 0 {
        return Err(refusal(code, &message));
    }
    out.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    Ok(out)
}

/// DescribeShareGroupOffsets up to version 1 (KIP-1226 added each partition's lag to the
/// answer; the request is the same), which the `kafka-protocol` crate knows only at version
/// 0: its request is sent as it is, its answer read here.
struct OffsetsRequest(DescribeShareGroupOffsetsRequest);

impl Encodable for OffsetsRequest {
    fn encode<B: ByteBufMut>(&self, buf: &mut B, _version: i16) -> anyhow::Result<()> {
        self.0.encode(buf, 0)
    }
    fn compute_size(&self, _version: i16) -> anyhow::Result<usize> {
        self.0.compute_size(0)
    }
}

impl Message for OffsetsRequest {
    const VERSIONS: VersionRange = VersionRange { min: 0, max: 1 };
    const DEPRECATED_VERSIONS: Option<VersionRange> = None;
}

impl Call for OffsetsRequest {
    const KEY: ApiKey = ApiKey::DescribeShareGroupOffsets;
    type Answer = OffsetsAnswer;
}

/// Each group's error code and message, and its share-partitions.
struct OffsetsAnswer(Vec<(i16, Option<StrBytes>, Vec<SharePartitionOffset>)>);

impl HeaderVersion for OffsetsAnswer {
    fn header_version(_version: i16) -> i16 {
        // Flexible at every version.
        1
    }
}

/// A share-partition's answer: `Ok(())`, or the coordinator's error.
pub(in crate::kafka) type PartitionAnswer = ((String, i32), WireResult<()>);

/// Sets the start offset of share-partitions of `group` (each topic with its partitions and
/// offsets; the group must have no members), each with the coordinator's answer.
pub(in crate::kafka) fn alter_share_group_offsets(
    address: &str,
    settings: &WireSettings,
    group: &str,
    offsets: &[(String, Vec<(i32, i64)>)],
) -> WireResult<Vec<PartitionAnswer>> {
    let (mut conn, _) = coordinator(address, settings, group)?;
    let version = conn.version::<AlterShareGroupOffsetsRequest>("AlterShareGroupOffsets")?;
    let request = AlterShareGroupOffsetsRequest::default()
        .with_group_id(GroupId(text(group)))
        .with_topics(
            offsets
                .iter()
                .map(|(t, ps)| {
                    AlterShareGroupOffsetsRequestTopic::default()
                        .with_topic_name(TopicName(text(t)))
                        .with_partitions(
                            ps.iter()
                                .map(|(p, o)| {
                                    AlterShareGroupOffsetsRequestPartition::default()
                                        .with_partition_index(*p)
                                        .with_start_offset(*o)
                                })
                                .collect(),
                        )
                })
                .collect(),
        );
    let answer = conn.call(&request, version)?;
    if answer.error_code != 0 {
        return Err(refusal(answer.error_code, &answer.error_message));
    }
    Ok(answer
        .responses
        .iter()
        .flat_map(|t| {
            t.partitions.iter().map(|p| {
                let r = match p.error_code {
                    0 => Ok(()),
                    code => Err(refusal(code, &p.error_message)),
                };
                ((t.topic_name.0.as_str().to_string(), p.partition_index), r)
            })
        })
        .collect())
}

/// Deletes the start offsets of `topics` from share group `group` (which must have no
/// members), each topic with the coordinator's answer.
pub(in crate::kafka) fn delete_share_group_offsets(
    address: &str,
    settings: &WireSettings,
    group: &str,
    topics: &[String],
) -> WireResult<Vec<(String, WireResult<()>)>> {
    let (mut conn, _) = coordinator(address, settings, group)?;
    let version = conn.version::<DeleteShareGroupOffsetsRequest>("DeleteShareGroupOffsets")?;
    let request = DeleteShareGroupOffsetsRequest::default()
        .with_group_id(GroupId(text(group)))
        .with_topics(
            topics
                .iter()
                .map(|t| {
                    DeleteShareGroupOffsetsRequestTopic::default()
                        .with_topic_name(TopicName(text(t)))
                })
                .collect(),
        );
    let answer = conn.call(&request, version)?;
    if answer.error_code != 0 {
        return Err(refusal(answer.error_code, &answer.error_message));
    }
    Ok(answer
        .responses
        .iter()
        .map(|t| {
            let r = match t.error_code {
                0 => Ok(()),
                code => Err(refusal(code, &t.error_message)),
            };
            (t.topic_name.0.as_str().to_string(), r)
        })
        .collect())
}

/// A bounds-checked reader of an answer's bytes.
struct Reader(bytes::Bytes);

impl Reader {
    fn take(&mut self, n: usize) -> anyhow::Result<bytes::Bytes> {
        if self.0.len() < n {
            anyhow::bail!("the answer ends early");
        }
        Ok(self.0.split_to(n))
    }
    fn i16(&mut self) -> anyhow::Result<i16> {
        Ok(i16::from_be_bytes(self.take(2)?[..].try_into()?))
    }
    fn i32(&mut self) -> anyhow::Result<i32> {
        Ok(i32::from_be_bytes(self.take(4)?[..].try_into()?))
    }
    fn i64(&mut self) -> anyhow::Result<i64> {
        Ok(i64::from_be_bytes(self.take(8)?[..].try_into()?))
    }
    fn uvarint(&mut self) -> anyhow::Result<u32> {
        let mut value = 0u32;
        for shift in (0..35).step_by(7) {
            let b = self.take(1)?[0];
            value |= u32::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        anyhow::bail!("a varint longer than 5 bytes")
    }
    /// A compact nullable string.
    fn string(&mut self) -> anyhow::Result<Option<String>> {
        match self.uvarint()? {
            0 => Ok(None),
            n => Ok(Some(String::from_utf8(
                self.take(n as usize - 1)?.to_vec(),
            )?)),
        }
    }
    /// A compact array's length (0 for null).
    fn len(&mut self) -> anyhow::Result<usize> {
        Ok(self.uvarint()?.saturating_sub(1) as usize)
    }
    fn skip_tags(&mut self) -> anyhow::Result<()> {
        for _ in 0..self.uvarint()? {
            let _tag = self.uvarint()?;
            let size = self.uvarint()?;
            self.take(size as usize)?;
        }
        Ok(())
    }
}

impl Decodable for OffsetsAnswer {
    fn decode<B: ByteBuf>(buf: &mut B, version: i16) -> anyhow::Result<Self> {
        let mut r = Reader(buf.copy_to_bytes(buf.remaining()));
        let _throttle = r.i32()?;
        let mut groups = Vec::new();
        for _ in 0..r.len()? {
            let _group = r.string()?;
            let mut partitions = Vec::new();
            for _ in 0..r.len()? {
                let topic = r.string()?.unwrap_or_default();
                r.take(16)?; // the topic id
                for _ in 0..r.len()? {
                    let partition = r.i32()?;
                    let start = r.i64()?;
                    let epoch = r.i32()?;
                    let lag = if version >= 1 { r.i64()? } else { -1 };
                    let code = r.i16()?;
                    let message = r.string()?.map(StrBytes::from_string);
                    r.skip_tags()?;
                    partitions.push(SharePartitionOffset {
                        topic: topic.clone(),
                        partition,
                        start_offset: (start >= 0).then_some(start),
                        leader_epoch: (epoch >= 0).then_some(epoch),
                        lag: (lag >= 0).then_some(lag),
                        error: (code != 0).then(|| refusal(code, &message)),
                    });
                }
                r.skip_tags()?;
            }
            let code = r.i16()?;
            let message = r.string()?.map(StrBytes::from_string);
            r.skip_tags()?;
            groups.push((code, message, partitions));
        }
        r.skip_tags()?;
        Ok(OffsetsAnswer(groups))
    }
}

fn text(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::list_groups_response::ListedGroup as Wire;
    use kafka_protocol::messages::share_group_describe_response::{
        Assignment, DescribedGroup as WireGroup, Member, TopicPartitions,
    };

    #[test]
    fn listed_groups_name_their_type() {
        let answer = ListGroupsResponse::default().with_groups(vec![Wire::default()
            .with_group_id(GroupId(StrBytes::from_static_str("g")))
            .with_group_type(StrBytes::from_static_str("Share"))
            .with_group_state(StrBytes::from_static_str("Stable"))]);
        let l = read_listed(answer).unwrap();
        assert_eq!(l[0].group_type, "share");
        assert_eq!(l[0].state, "Stable");
    }

    #[test]
    fn a_share_group_and_its_start_offsets() {
        let answer = ShareGroupDescribeResponse::default().with_groups(vec![WireGroup::default()
            .with_group_id(GroupId(StrBytes::from_static_str("g")))
            .with_group_state(StrBytes::from_static_str("Stable"))
            .with_group_epoch(3)
            .with_members(vec![Member::default()
                .with_member_id(StrBytes::from_static_str("m"))
                .with_member_epoch(3)
                .with_assignment(Assignment::default().with_topic_partitions(vec![
                    TopicPartitions::default()
                        .with_topic_name(TopicName(StrBytes::from_static_str("t")))
                        .with_partitions(vec![0, 1]),
                ]))])]);
        let g = read_share(answer, 1).unwrap();
        assert_eq!(
            g.members[0].assignment,
            vec![("t".into(), 0), ("t".into(), 1)]
        );
        assert_eq!(g.group_epoch, 3);
        let refused = ShareGroupDescribeResponse::default()
            .with_groups(vec![WireGroup::default().with_error_code(69)]);
        assert!(read_share(refused, 1).is_err());

        // A version 1 answer, byte by byte: one group, topic `t`, partitions 1 and 0.
        let mut b: Vec<u8> = vec![0, 0, 0, 0, 2, 2, b'g', 2, 2, b't'];
        b.extend([0u8; 16]);
        b.push(3);
        for (p, start, epoch, lag, code) in [(1i32, -1i64, -1i32, -1i64, 0i16), (0, 15, 0, 7, 3)] {
            b.extend(p.to_be_bytes());
            b.extend(start.to_be_bytes());
            b.extend(epoch.to_be_bytes());
            b.extend(lag.to_be_bytes());
            b.extend(code.to_be_bytes());
            b.extend([0, 0]);
        }
        b.extend([0, 0, 0, 0, 0, 0]);
        let mut bytes = bytes::Bytes::from(b);
        let OffsetsAnswer(groups) = OffsetsAnswer::decode(&mut bytes, 1).unwrap();
        let (code, _, o) = &groups[0];
        assert_eq!(*code, 0);
        assert_eq!(o[0].partition, 1);
        assert_eq!(o[0].start_offset, None);
        assert_eq!(o[1].start_offset, Some(15));
        assert_eq!(o[1].lag, Some(7));
        assert_eq!(o[0].lag, None);
        assert!(o[1].error.is_some());
    }
}
