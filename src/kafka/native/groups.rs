//! Consumer groups through librdkafka's C API: ListConsumerGroups, DescribeConsumerGroups,
//! ListConsumerGroupOffsets, AlterConsumerGroupOffsets and DeleteConsumerGroupOffsets, read
//! into plain types.

use std::ffi::CString;
use std::os::raw::c_char;
use std::ptr::{self, NonNull};
use std::time::Duration;

use rdkafka::types::RDKafkaRespErr;
use rdkafka_sys as rdsys;

use super::admin::{
    bad_reply, call_admin, read_error, read_partitions, AdminCallError, PartitionList,
};
use super::{cstr, ClientRef, NativeError};
use crate::kafka::types::{GroupState, GroupType};

impl From<rdsys::rd_kafka_consumer_group_state_t> for GroupState {
    fn from(state: rdsys::rd_kafka_consumer_group_state_t) -> Self {
        use rdsys::rd_kafka_consumer_group_state_t as S;
        match state {
            S::RD_KAFKA_CONSUMER_GROUP_STATE_PREPARING_REBALANCE => Self::PreparingRebalance,
            S::RD_KAFKA_CONSUMER_GROUP_STATE_COMPLETING_REBALANCE => Self::CompletingRebalance,
            S::RD_KAFKA_CONSUMER_GROUP_STATE_STABLE => Self::Stable,
            S::RD_KAFKA_CONSUMER_GROUP_STATE_DEAD => Self::Dead,
            S::RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY => Self::Empty,
            _ => Self::Unknown,
        }
    }
}

impl From<rdsys::rd_kafka_consumer_group_type_t> for GroupType {
    fn from(kind: rdsys::rd_kafka_consumer_group_type_t) -> Self {
        use rdsys::rd_kafka_consumer_group_type_t as T;
        match kind {
            T::RD_KAFKA_CONSUMER_GROUP_TYPE_CLASSIC => Self::Classic,
            T::RD_KAFKA_CONSUMER_GROUP_TYPE_CONSUMER => Self::Consumer,
            _ => Self::Unknown,
        }
    }
}

/// One group of a ListConsumerGroups answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListedGroup {
    pub group: String,
    pub state: GroupState,
    pub simple: bool,
    pub group_type: GroupType,
}

/// A member of a described group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NativeMember {
    pub consumer_id: String,
    pub client_id: String,
    pub host: String,
    pub group_instance_id: Option<String>,
    pub assignment: Vec<(String, i32)>,
    pub target_assignment: Option<Vec<(String, i32)>>,
}

/// The coordinator of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NativeNode {
    pub id: i32,
    pub host: String,
    pub port: u16,
}

/// One group of a DescribeConsumerGroups answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GroupDescription {
    pub group: String,
    pub state: GroupState,
    pub simple: bool,
    pub group_type: GroupType,
    pub assignor: String,
    pub coordinator: Option<NativeNode>,
    pub members: Vec<NativeMember>,
}

/// A group's name with its description or the error describing it.
pub(crate) type DescribedGroup = (String, Result<GroupDescription, NativeError>);

/// One partition of a group-offsets answer: its offset (negative when none is committed) or
/// error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GroupOffset {
    pub topic: String,
    pub partition: i32,
    pub result: Result<i64, NativeError>,
}

/// ListConsumerGroups: every group the brokers know, plus the errors of brokers that could
/// not answer (the listing is then partial).
pub(crate) fn list_consumer_groups(
    client: ClientRef<'_>,
    timeout: Duration,
) -> Result<(Vec<ListedGroup>, Vec<NativeError>), AdminCallError> {
    let event = call_admin(
        client,
        rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS,
        timeout,
        // SAFETY: client, options and queue are alive for the call.
        |r| unsafe { rdsys::rd_kafka_ListConsumerGroups(r.rk(), r.options, r.queue) },
    )?;
    // SAFETY: the result and everything read from it belong to `event`, alive here; `valid`
    // and `errs` have `count` elements each.
    unsafe {
        let result = rdsys::rd_kafka_event_ListConsumerGroups_result(event.ptr());
        if result.is_null() {
            return Err(bad_reply("ListConsumerGroups"));
        }
        let mut count = 0usize;
        let valid = rdsys::rd_kafka_ListConsumerGroups_result_valid(result, &mut count);
        let mut groups = Vec::with_capacity(count);
        for i in 0..count {
            let listing = *valid.add(i);
            groups.push(ListedGroup {
                group: cstr(rdsys::rd_kafka_ConsumerGroupListing_group_id(listing)),
                state: rdsys::rd_kafka_ConsumerGroupListing_state(listing).into(),
                simple: rdsys::rd_kafka_ConsumerGroupListing_is_simple_consumer_group(listing) != 0,
                group_type: rdsys::rd_kafka_ConsumerGroupListing_type(listing).into(),
            });
        }
        let mut count = 0usize;
        let errs = rdsys::rd_kafka_ListConsumerGroups_result_errors(result, &mut count);
        let errors = (0..count)
            .filter_map(|i| read_error(*errs.add(i)))
            .collect();
        Ok((groups, errors))
    }
}

/// The (topic, partition) pairs of a member assignment.
///
/// # Safety
/// `assignment` must be null or valid for the duration of the call.
unsafe fn assignment_partitions(
    assignment: *const rdsys::rd_kafka_MemberAssignment_t,
) -> Vec<(String, i32)> {
    if assignment.is_null() {
        return Vec::new();
    }
    read_partitions(rdsys::rd_kafka_MemberAssignment_partitions(assignment))
        .into_iter()
        .map(|(t, p, _, _)| (t, p))
        .collect()
}

/// One member of a group description.
///
/// # Safety
/// `m` must be a valid member description that outlives the call.
unsafe fn read_member(m: *const rdsys::rd_kafka_MemberDescription_t) -> NativeMember {
    let assignment = assignment_partitions(rdsys::rd_kafka_MemberDescription_assignment(m));
    // Only consumer-protocol groups have a target assignment.
    let target = rdsys::rd_kafka_MemberDescription_target_assignment(m);
    let target_assignment = (!target.is_null()).then(|| assignment_partitions(target));
    let instance = rdsys::rd_kafka_MemberDescription_group_instance_id(m);
    NativeMember {
        consumer_id: cstr(rdsys::rd_kafka_MemberDescription_consumer_id(m)),
        client_id: cstr(rdsys::rd_kafka_MemberDescription_client_id(m)),
        host: cstr(rdsys::rd_kafka_MemberDescription_host(m)),
        group_instance_id: (!instance.is_null()).then(|| cstr(instance)),
        assignment,
        target_assignment,
    }
}

/// One group description: the group's name with its description or error.
///
/// # Safety
/// `d` must be a valid group description that outlives the call.
unsafe fn read_description(d: *const rdsys::rd_kafka_ConsumerGroupDescription_t) -> DescribedGroup {
    let group = cstr(rdsys::rd_kafka_ConsumerGroupDescription_group_id(d));
    if let Some(err) = read_error(rdsys::rd_kafka_ConsumerGroupDescription_error(d)) {
        return (group, Err(err));
    }
    let node = rdsys::rd_kafka_ConsumerGroupDescription_coordinator(d);
    let coordinator = (!node.is_null()).then(|| NativeNode {
        id: rdsys::rd_kafka_Node_id(node),
        host: cstr(rdsys::rd_kafka_Node_host(node)),
        port: rdsys::rd_kafka_Node_port(node),
    });
    let members = (0..rdsys::rd_kafka_ConsumerGroupDescription_member_count(d))
        .map(|m| rdsys::rd_kafka_ConsumerGroupDescription_member(d, m))
        .filter(|m| !m.is_null())
        .map(|m| read_member(m))
        .collect();
    let description = GroupDescription {
        group: group.clone(),
        state: rdsys::rd_kafka_ConsumerGroupDescription_state(d).into(),
        simple: rdsys::rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(d) != 0,
        group_type: rdsys::rd_kafka_ConsumerGroupDescription_type(d).into(),
        assignor: cstr(rdsys::rd_kafka_ConsumerGroupDescription_partition_assignor(
            d,
        )),
        coordinator,
        members,
    };
    (group, Ok(description))
}

/// DescribeConsumerGroups for many groups at once (librdkafka batches per coordinator).
/// One result per group, in the order librdkafka returns them.
pub(crate) fn describe_consumer_groups(
    client: ClientRef<'_>,
    groups: &[String],
    timeout: Duration,
) -> Result<Vec<DescribedGroup>, AdminCallError> {
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<CString> = groups
        .iter()
        .map(|g| CString::new(g.as_str()).unwrap_or_default())
        .collect();
    let mut ptrs: Vec<*const c_char> = names.iter().map(|n| n.as_ptr()).collect();
    let event = call_admin(
        client,
        rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS,
        timeout,
        // SAFETY: client, options and queue are alive for the call; the names are alive and
        // copied by librdkafka.
        |r| unsafe {
            rdsys::rd_kafka_DescribeConsumerGroups(
                r.rk(),
                ptrs.as_mut_ptr(),
                ptrs.len(),
                r.options,
                r.queue,
            )
        },
    )?;
    // SAFETY: the result and its descriptions belong to `event`, alive here; `descs` has
    // `count` elements.
    unsafe {
        let result = rdsys::rd_kafka_event_DescribeConsumerGroups_result(event.ptr());
        if result.is_null() {
            return Err(bad_reply("DescribeConsumerGroups"));
        }
        let mut count = 0usize;
        let descs = rdsys::rd_kafka_DescribeConsumerGroups_result_groups(result, &mut count);
        Ok((0..count)
            .map(|i| read_description(*descs.add(i)))
            .collect())
    }
}

/// A ListConsumerGroupOffsets request, destroyed when dropped.
struct ListGroupOffsetsReq(NonNull<rdsys::rd_kafka_ListConsumerGroupOffsets_t>);

impl Drop for ListGroupOffsetsReq {
    fn drop(&mut self) {
        // SAFETY: made by rd_kafka_ListConsumerGroupOffsets_new, destroyed once, here.
        unsafe { rdsys::rd_kafka_ListConsumerGroupOffsets_destroy(self.0.as_ptr()) }
    }
}

/// An AlterConsumerGroupOffsets request, destroyed when dropped.
struct AlterGroupOffsetsReq(NonNull<rdsys::rd_kafka_AlterConsumerGroupOffsets_t>);

impl Drop for AlterGroupOffsetsReq {
    fn drop(&mut self) {
        // SAFETY: made by rd_kafka_AlterConsumerGroupOffsets_new, destroyed once, here.
        unsafe { rdsys::rd_kafka_AlterConsumerGroupOffsets_destroy(self.0.as_ptr()) }
    }
}

/// Reads the single group result of a ListConsumerGroupOffsets or AlterConsumerGroupOffsets
/// answer.
///
/// # Safety
/// `groups` must point to `count` valid group results.
unsafe fn read_group_result(
    groups: *mut *const rdsys::rd_kafka_group_result_t,
    count: usize,
    what: &str,
) -> Result<Vec<GroupOffset>, AdminCallError> {
    if groups.is_null() || count == 0 {
        return Err(bad_reply(what));
    }
    let group = *groups;
    if let Some(err) = read_error(rdsys::rd_kafka_group_result_error(group)) {
        return Err(AdminCallError::Failed(err));
    }
    Ok(
        read_partitions(rdsys::rd_kafka_group_result_partitions(group))
            .into_iter()
            .map(|(topic, partition, offset, err)| GroupOffset {
                topic,
                partition,
                result: if err == RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR {
                    Ok(offset)
                } else {
                    Err(NativeError::from_code(err, None))
                },
            })
            .collect(),
    )
}

/// The librdkafka functions of one of the committed-offset requests (List, Alter, Delete),
/// each sent for one group and answered with that group's result.
struct GroupOffsetsCall<Req> {
    name: &'static str,
    op: rdsys::rd_kafka_admin_op_t,
    send: unsafe extern "C" fn(
        *mut rdsys::rd_kafka_t,
        *mut *mut Req,
        usize,
        *const rdsys::rd_kafka_AdminOptions_t,
        *mut rdsys::rd_kafka_queue_t,
    ),
    result: unsafe extern "C" fn(*mut rdsys::rd_kafka_event_t) -> *const rdsys::rd_kafka_event_t,
    groups: unsafe extern "C" fn(
        *const rdsys::rd_kafka_event_t,
        *mut usize,
    ) -> *mut *const rdsys::rd_kafka_group_result_t,
}

/// Sends one group's committed-offset `request` (alive, and owned by the caller, for the
/// call) and reads the group's result: one result per partition.
fn send_group_offsets<Req>(
    client: ClientRef<'_>,
    call: &GroupOffsetsCall<Req>,
    request: *mut Req,
    timeout: Duration,
) -> Result<Vec<GroupOffset>, AdminCallError> {
    let mut requests = [request];
    let event = call_admin(
        client,
        call.op,
        timeout,
        // SAFETY: client, options, queue and the request are alive for the call; `send` is
        // the librdkafka function of the request's type.
        |r| unsafe { (call.send)(r.rk(), requests.as_mut_ptr(), 1, r.options, r.queue) },
    )?;
    // SAFETY: the result belongs to `event`, alive here; `groups` has `count` elements;
    // `result` and `groups` are the functions of the request's result type.
    unsafe {
        let result = (call.result)(event.ptr());
        if result.is_null() {
            return Err(bad_reply(call.name));
        }
        let mut count = 0usize;
        let groups = (call.groups)(result, &mut count);
        read_group_result(groups, count, call.name)
    }
}

/// ListConsumerGroupOffsets (one OffsetFetch request) for one group: the committed offsets of
/// `partitions`, or of every partition the group has committed offsets for when `None`.
pub(crate) fn list_group_offsets(
    client: ClientRef<'_>,
    group: &str,
    partitions: Option<&[(String, i32)]>,
    timeout: Duration,
) -> Result<Vec<GroupOffset>, AdminCallError> {
    let name = CString::new(group).unwrap_or_default();
    let list = partitions.map(|p| PartitionList::new(p, i64::from(rdsys::RD_KAFKA_OFFSET_INVALID)));
    // SAFETY: name and list are alive; librdkafka copies both.
    let request = unsafe {
        rdsys::rd_kafka_ListConsumerGroupOffsets_new(
            name.as_ptr(),
            list.as_ref().map_or(ptr::null(), |l| l.ptr()),
        )
    };
    let request = ListGroupOffsetsReq(
        NonNull::new(request).ok_or_else(|| bad_reply("ListConsumerGroupOffsets"))?,
    );
    let call = GroupOffsetsCall {
        name: "ListConsumerGroupOffsets",
        op: rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS,
        send: rdsys::rd_kafka_ListConsumerGroupOffsets,
        result: rdsys::rd_kafka_event_ListConsumerGroupOffsets_result,
        groups: rdsys::rd_kafka_ListConsumerGroupOffsets_result_groups,
    };
    send_group_offsets(client, &call, request.0.as_ptr(), timeout)
}

/// AlterConsumerGroupOffsets (one OffsetCommit request) for one group; one result per partition.
pub(crate) fn alter_group_offsets(
    client: ClientRef<'_>,
    group: &str,
    offsets: &[(String, i32, i64)],
    timeout: Duration,
) -> Result<Vec<GroupOffset>, AdminCallError> {
    if offsets.is_empty() {
        return Ok(Vec::new());
    }
    let name = CString::new(group).unwrap_or_default();
    let list = PartitionList::new(&[], 0);
    for (topic, partition, offset) in offsets {
        list.add(topic, *partition, *offset);
    }
    // SAFETY: name and list are alive; librdkafka copies both.
    let request =
        unsafe { rdsys::rd_kafka_AlterConsumerGroupOffsets_new(name.as_ptr(), list.ptr()) };
    let request = AlterGroupOffsetsReq(
        NonNull::new(request).ok_or_else(|| bad_reply("AlterConsumerGroupOffsets"))?,
    );
    let call = GroupOffsetsCall {
        name: "AlterConsumerGroupOffsets",
        op: rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS,
        send: rdsys::rd_kafka_AlterConsumerGroupOffsets,
        result: rdsys::rd_kafka_event_AlterConsumerGroupOffsets_result,
        groups: rdsys::rd_kafka_AlterConsumerGroupOffsets_result_groups,
    };
    send_group_offsets(client, &call, request.0.as_ptr(), timeout)
}

/// A DeleteConsumerGroupOffsets request, destroyed when dropped.
struct DeleteGroupOffsetsReq(NonNull<rdsys::rd_kafka_DeleteConsumerGroupOffsets_t>);

impl Drop for DeleteGroupOffsetsReq {
    fn drop(&mut self) {
        // SAFETY: made by rd_kafka_DeleteConsumerGroupOffsets_new, destroyed once, here.
        unsafe { rdsys::rd_kafka_DeleteConsumerGroupOffsets_destroy(self.0.as_ptr()) }
    }
}

/// DeleteConsumerGroupOffsets (one OffsetDelete request) for one group; one result per
/// partition (its offset field means nothing).
pub(crate) fn delete_group_offsets(
    client: ClientRef<'_>,
    group: &str,
    partitions: &[(String, i32)],
    timeout: Duration,
) -> Result<Vec<GroupOffset>, AdminCallError> {
    if partitions.is_empty() {
        return Ok(Vec::new());
    }
    let name = CString::new(group).unwrap_or_default();
    let list = PartitionList::new(partitions, i64::from(rdsys::RD_KAFKA_OFFSET_INVALID));
    // SAFETY: name and list are alive; librdkafka copies both.
    let request =
        unsafe { rdsys::rd_kafka_DeleteConsumerGroupOffsets_new(name.as_ptr(), list.ptr()) };
    let request = DeleteGroupOffsetsReq(
        NonNull::new(request).ok_or_else(|| bad_reply("DeleteConsumerGroupOffsets"))?,
    );
    let call = GroupOffsetsCall {
        name: "DeleteConsumerGroupOffsets",
        op: rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DELETECONSUMERGROUPOFFSETS,
        send: rdsys::rd_kafka_DeleteConsumerGroupOffsets,
        result: rdsys::rd_kafka_event_DeleteConsumerGroupOffsets_result,
        groups: rdsys::rd_kafka_DeleteConsumerGroupOffsets_result_groups,
    };
    send_group_offsets(client, &call, request.0.as_ptr(), timeout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::admin::AdminClient;
    use rdkafka::client::DefaultClientContext;
    use rdkafka::config::ClientConfig;
    use rdkafka::error::RDKafkaErrorCode;
    use rdkafka::mocking::MockCluster;

    fn admin(bootstrap: &str) -> AdminClient<DefaultClientContext> {
        ClientConfig::new()
            .set("bootstrap.servers", bootstrap)
            .create()
            .expect("admin client")
    }

    #[test]
    fn group_states_convert() {
        use rdsys::rd_kafka_consumer_group_state_t as S;
        assert_eq!(
            GroupState::from(S::RD_KAFKA_CONSUMER_GROUP_STATE_STABLE),
            GroupState::Stable
        );
        assert_eq!(
            GroupState::from(S::RD_KAFKA_CONSUMER_GROUP_STATE__CNT),
            GroupState::Unknown
        );
        assert_eq!(
            GroupState::from(S::RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY),
            GroupState::Empty
        );
    }

    /// librdkafka's mock cluster answers OffsetCommit and OffsetFetch (not the group listing
    /// and describing calls, which the broker tests cover).
    #[test]
    fn group_offsets_round_trip_on_a_mock_cluster() {
        let mock = MockCluster::new(3).expect("mock cluster");
        mock.create_topic("orders", 4, 1).expect("topic");
        let admin = admin(&mock.bootstrap_servers());
        let client = ClientRef::of(admin.inner());
        let timeout = Duration::from_secs(10);

        let none = list_group_offsets(client, "g", Some(&[("orders".into(), 1)]), timeout)
            .expect("offsets of a new group");
        assert_eq!(none.len(), 1);
        assert!(matches!(none[0].result, Ok(o) if o < 0), "{none:?}");

        let altered = alter_group_offsets(
            client,
            "g",
            &[("orders".into(), 0, 5), ("orders".into(), 2, 7)],
            timeout,
        )
        .expect("alter");
        assert_eq!(altered.len(), 2);
        assert!(altered.iter().all(|o| o.result.is_ok()), "{altered:?}");

        // (The mock answers only for named partitions: "all of the group's" is a broker test.)
        let asked: Vec<(String, i32)> = (0..3).map(|p| ("orders".to_string(), p)).collect();
        let mut listed = list_group_offsets(client, "g", Some(&asked), timeout).expect("list");
        listed.sort_by_key(|o| o.partition);
        let got: Vec<(String, i32, i64)> = listed
            .into_iter()
            .map(|o| (o.topic, o.partition, o.result.unwrap().max(-1)))
            .collect();
        assert_eq!(
            got,
            vec![
                ("orders".into(), 0, 5),
                ("orders".into(), 1, -1),
                ("orders".into(), 2, 7)
            ]
        );
        assert!(alter_group_offsets(client, "g", &[], timeout)
            .unwrap()
            .is_empty());
        assert!(describe_consumer_groups(client, &[], timeout)
            .unwrap()
            .is_empty());
    }

    /// librdkafka issue 5040: an OffsetFetch answered NOT_COORDINATOR crashes a client
    /// without a consumer group handle (an admin client). On a consumer-type client with a
    /// group id, as kctl makes its group calls, the answer is an error to retry.
    #[test]
    fn not_coordinator_is_an_error_on_a_client_with_a_group_handle() {
        use rdkafka::consumer::{BaseConsumer, Consumer};
        use rdkafka_sys::types::RDKafkaApiKey;
        let mock = MockCluster::new(1).expect("mock cluster");
        mock.create_topic("orders", 1, 1).expect("topic");
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", mock.bootstrap_servers())
            .set("group.id", "kctl-test-group-handle")
            .set("enable.auto.commit", "false")
            .create()
            .expect("consumer");
        let client = ClientRef::of(consumer.client());
        let timeout = Duration::from_secs(10);
        let asked = [("orders".to_string(), 0)];
        // Known first, so the request goes to the coordinator and gets the injected answer.
        list_group_offsets(client, "g", Some(&asked), timeout).expect("a first answer");
        let not_coordinator = RDKafkaRespErr::RD_KAFKA_RESP_ERR_NOT_COORDINATOR;
        mock.request_errors(RDKafkaApiKey::OffsetFetch, &[not_coordinator; 4]);
        let answered = list_group_offsets(client, "g", Some(&asked), timeout);
        let refused = match &answered {
            Err(AdminCallError::Failed(e)) => e.code == RDKafkaErrorCode::NotCoordinator,
            Ok(offsets) => offsets
                .iter()
                .all(|o| matches!(&o.result, Err(e) if e.code == RDKafkaErrorCode::NotCoordinator)),
            Err(AdminCallError::TimedOut) => false,
        };
        assert!(refused, "{answered:?}");
        mock.clear_request_errors(RDKafkaApiKey::OffsetFetch);
        let again = list_group_offsets(client, "g", Some(&asked), timeout).expect("answered");
        assert!(again.iter().all(|o| o.result.is_ok()), "{again:?}");
    }

    #[test]
    fn an_unreachable_cluster_times_out() {
        let admin = admin("127.0.0.1:1");
        let client = ClientRef::of(admin.inner());
        let started = std::time::Instant::now();
        let result = list_group_offsets(client, "g", None, Duration::from_millis(300));
        assert!(result.is_err());
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
