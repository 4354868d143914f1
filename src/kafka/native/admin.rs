//! Admin requests through librdkafka's C API: one request on a private queue, waited for
//! with a bound; ListOffsets for many partitions at once; reading partition lists and errors
//! out of results.

use std::ffi::CString;
use std::os::raw::c_char;
use std::ptr::NonNull;
use std::time::Duration;

use rdkafka::types::RDKafkaRespErr;
use rdkafka_sys as rdsys;

use super::{cstr, millis, ClientRef, Event, NativeError, Queue};
use crate::kafka::config::admin_request_timeout;
use crate::kafka::types::OffsetSpec;

/// What [`call_admin`] failed on.
#[derive(Debug)]
pub(crate) enum AdminCallError {
    /// No result within the timeout.
    TimedOut,
    /// librdkafka rejected the request or it failed as a whole.
    Failed(NativeError),
}

pub(super) fn bad_reply(what: &str) -> AdminCallError {
    AdminCallError::Failed(NativeError::from_code(
        RDKafkaRespErr::RD_KAFKA_RESP_ERR__BAD_MSG,
        Some(format!("unexpected reply to {what}")),
    ))
}

/// An admin request's options, destroyed when dropped.
struct Options(NonNull<rdsys::rd_kafka_AdminOptions_t>);

impl Drop for Options {
    fn drop(&mut self) {
        // SAFETY: made by rd_kafka_AdminOptions_new, destroyed once, here.
        unsafe { rdsys::rd_kafka_AdminOptions_destroy(self.0.as_ptr()) }
    }
}

/// A topic partition list of our own, destroyed when dropped.
pub(super) struct PartitionList(NonNull<rdsys::rd_kafka_topic_partition_list_t>);

impl PartitionList {
    /// A list of (topic, partition) with each element's offset field set to `offset`.
    pub fn new(partitions: &[(String, i32)], offset: i64) -> PartitionList {
        // SAFETY: a plain constructor; the size is a capacity hint.
        let list = unsafe { rdsys::rd_kafka_topic_partition_list_new(partitions.len() as i32) };
        let list = PartitionList(NonNull::new(list).expect("librdkafka allocates the list"));
        for (topic, partition) in partitions {
            list.add(topic, *partition, offset);
        }
        list
    }

    /// Adds (topic, partition) with its offset field set to `offset`.
    pub fn add(&self, topic: &str, partition: i32, offset: i64) {
        let topic = CString::new(topic).unwrap_or_default();
        // SAFETY: the list is ours and alive; librdkafka copies the topic name and returns the
        // new element, which lives in the list.
        unsafe {
            let elem =
                rdsys::rd_kafka_topic_partition_list_add(self.ptr(), topic.as_ptr(), partition);
            (*elem).offset = offset;
        }
    }

    pub fn ptr(&self) -> *mut rdsys::rd_kafka_topic_partition_list_t {
        self.0.as_ptr()
    }
}

impl Drop for PartitionList {
    fn drop(&mut self) {
        // SAFETY: made by rd_kafka_topic_partition_list_new, destroyed once, here.
        unsafe { rdsys::rd_kafka_topic_partition_list_destroy(self.ptr()) }
    }
}

/// The elements of a partition list as (topic, partition, offset, error).
///
/// # Safety
/// `list` must be null or a valid list that outlives the call.
pub(super) unsafe fn read_partitions(
    list: *const rdsys::rd_kafka_topic_partition_list_t,
) -> Vec<(String, i32, i64, RDKafkaRespErr)> {
    if list.is_null() {
        return Vec::new();
    }
    let list = &*list;
    if list.elems.is_null() || list.cnt <= 0 {
        return Vec::new();
    }
    std::slice::from_raw_parts(list.elems, list.cnt as usize)
        .iter()
        .map(|e| (cstr(e.topic), e.partition, e.offset, e.err))
        .collect()
}

/// A `rd_kafka_error_t` owned by a result object, read into a [`NativeError`].
///
/// # Safety
/// `err` must be null or valid.
pub(super) unsafe fn read_error(err: *const rdsys::rd_kafka_error_t) -> Option<NativeError> {
    if err.is_null() {
        return None;
    }
    let code = rdsys::rd_kafka_error_code(err);
    if code == RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR {
        return None;
    }
    Some(NativeError::from_code(
        code,
        Some(cstr(rdsys::rd_kafka_error_string(err))),
    ))
}

/// What an admin request is handed to enqueue itself: the client, the options and the
/// private queue its result goes to.
pub(super) struct Request<'a> {
    pub client: ClientRef<'a>,
    pub options: *mut rdsys::rd_kafka_AdminOptions_t,
    pub queue: *mut rdsys::rd_kafka_queue_t,
}

impl Request<'_> {
    pub fn rk(&self) -> *mut rdsys::rd_kafka_t {
        self.client.ptr()
    }
}

/// Runs one admin request on a private queue and waits (blocking) for its result event.
/// `start` must enqueue the request with the client, options and queue it is handed.
pub(super) fn call_admin(
    client: ClientRef<'_>,
    op: rdsys::rd_kafka_admin_op_t,
    timeout: Duration,
    start: impl FnOnce(&Request<'_>),
) -> Result<Event, AdminCallError> {
    call_admin_with(client, op, timeout, AdminOption::None, start)
}

/// An admin option beyond the request timeout that [`call_admin_with`] sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AdminOption {
    None,
    /// ListOffsets with isolation level read_committed: "latest" is the last stable offset.
    ReadCommitted,
}

/// Sets `option` on the request's options.
fn set_option(options: &Options, option: AdminOption) -> Result<(), AdminCallError> {
    if option == AdminOption::None {
        return Ok(());
    }
    // SAFETY: the options are alive; the error returned (if any) is ours and destroyed here.
    unsafe {
        let err = rdsys::rd_kafka_AdminOptions_set_isolation_level(
            options.0.as_ptr(),
            rdsys::rd_kafka_IsolationLevel_t::RD_KAFKA_ISOLATION_LEVEL_READ_COMMITTED,
        );
        let failed = read_error(err);
        if !err.is_null() {
            rdsys::rd_kafka_error_destroy(err);
        }
        failed.map_or(Ok(()), |e| Err(AdminCallError::Failed(e)))
    }
}

/// [`call_admin`] with one more admin option set.
pub(super) fn call_admin_with(
    client: ClientRef<'_>,
    op: rdsys::rd_kafka_admin_op_t,
    timeout: Duration,
    option: AdminOption,
    start: impl FnOnce(&Request<'_>),
) -> Result<Event, AdminCallError> {
    // SAFETY: the client is alive (borrowed); the options are ours, destroyed by `Options`.
    let options = unsafe { rdsys::rd_kafka_AdminOptions_new(client.ptr(), op) };
    let options = Options(NonNull::new(options).ok_or_else(|| bad_reply("AdminOptions"))?);
    set_option(&options, option)?;
    let mut errbuf = [0 as c_char; 512];
    // SAFETY: the options are alive; librdkafka writes at most the buffer's size.
    let res = unsafe {
        rdsys::rd_kafka_AdminOptions_set_request_timeout(
            options.0.as_ptr(),
            millis(admin_request_timeout(timeout)),
            errbuf.as_mut_ptr(),
            errbuf.len(),
        )
    };
    if res != RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR {
        // SAFETY: on error the buffer holds a NUL-terminated message.
        let message = unsafe { cstr(errbuf.as_ptr()) };
        return Err(AdminCallError::Failed(NativeError::from_code(
            res,
            Some(message),
        )));
    }
    // SAFETY: the client is alive; the queue is ours, destroyed by `Queue` (before this
    // function returns, so before the borrow of the client ends).
    let queue = unsafe { rdsys::rd_kafka_queue_new(client.ptr()) };
    let queue = Queue(NonNull::new(queue).ok_or_else(|| bad_reply("a new queue"))?);
    start(&Request {
        client,
        options: options.0.as_ptr(),
        queue: queue.ptr(),
    });
    // A little slack over the request timeout so librdkafka's own timeout answers first.
    let event = queue
        .poll(timeout + Duration::from_millis(500))
        .ok_or(AdminCallError::TimedOut)?;
    // SAFETY: the event is alive (owned by `event`).
    let err = unsafe { rdsys::rd_kafka_event_error(event.ptr()) };
    if err != RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR {
        // SAFETY: as above; the string belongs to the event.
        let message = unsafe { cstr(rdsys::rd_kafka_event_error_string(event.ptr())) };
        return Err(AdminCallError::Failed(NativeError::from_code(
            err,
            Some(message),
        )));
    }
    Ok(event)
}

/// One partition's answer to a ListOffsets request.
#[derive(Debug, Clone)]
pub(crate) struct ListedOffset {
    pub topic: String,
    pub partition: i32,
    /// The offset, and the timestamp of its record (-1 where the answer has none).
    pub result: Result<(i64, i64), NativeError>,
}

/// What a ListOffsets request asks of each partition: the spec librdkafka sends (a timestamp
/// or one of its negative specs) and whether "latest" means the last stable offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ListOffsetsQuery {
    pub spec: i64,
    pub read_committed: bool,
}

impl ListOffsetsQuery {
    /// The record with the largest timestamp (KIP-734).
    pub const MAX_TIMESTAMP: ListOffsetsQuery = ListOffsetsQuery {
        spec: rdsys::rd_kafka_OffsetSpec_t::RD_KAFKA_OFFSET_SPEC_MAX_TIMESTAMP as i64,
        read_committed: false,
    };
    /// The last stable offset: the latest offset as a read_committed consumer sees it.
    pub const LAST_STABLE: ListOffsetsQuery = ListOffsetsQuery {
        spec: rdsys::rd_kafka_OffsetSpec_t::RD_KAFKA_OFFSET_SPEC_LATEST as i64,
        read_committed: true,
    };

    /// The query for an [`OffsetSpec`], read uncommitted.
    pub fn of(spec: OffsetSpec) -> ListOffsetsQuery {
        ListOffsetsQuery {
            spec: offset_spec(spec),
            read_committed: false,
        }
    }
}

/// ListOffsets' value for `spec`: a timestamp, or librdkafka's "latest" or "earliest". A
/// negative time must not read as one of those (nor as its "max timestamp"), nor be refused
/// as an invalid offset: nothing is before it, so it is the earliest.
fn offset_spec(spec: OffsetSpec) -> i64 {
    use rdsys::rd_kafka_OffsetSpec_t as S;
    match spec {
        OffsetSpec::Earliest => S::RD_KAFKA_OFFSET_SPEC_EARLIEST as i64,
        OffsetSpec::Latest => S::RD_KAFKA_OFFSET_SPEC_LATEST as i64,
        OffsetSpec::Timestamp(ts) if ts < 0 => S::RD_KAFKA_OFFSET_SPEC_EARLIEST as i64,
        OffsetSpec::Timestamp(ts) => ts,
    }
}

/// ListOffsets for many partitions at once (librdkafka batches the requests per leader).
pub(crate) fn list_offsets(
    client: ClientRef<'_>,
    partitions: &[(String, i32)],
    query: ListOffsetsQuery,
    timeout: Duration,
) -> Result<Vec<ListedOffset>, AdminCallError> {
    if partitions.is_empty() {
        return Ok(Vec::new());
    }
    let list = PartitionList::new(partitions, query.spec);
    let option = match query.read_committed {
        true => AdminOption::ReadCommitted,
        false => AdminOption::None,
    };
    let event = call_admin_with(
        client,
        rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_LISTOFFSETS,
        timeout,
        option,
        // SAFETY: client, list, options and queue are alive for the call; librdkafka copies
        // the list.
        |r| unsafe { rdsys::rd_kafka_ListOffsets(r.rk(), list.ptr(), r.options, r.queue) },
    )?;
    let mut out = Vec::with_capacity(partitions.len());
    // SAFETY: the result and everything read from it belong to `event`, alive here; `infos`
    // has `count` elements.
    unsafe {
        let result = rdsys::rd_kafka_event_ListOffsets_result(event.ptr());
        if result.is_null() {
            return Err(bad_reply("ListOffsets"));
        }
        let mut count = 0usize;
        let infos = rdsys::rd_kafka_ListOffsets_result_infos(result, &mut count);
        for i in 0..count {
            let info = *infos.add(i);
            let tp = &*rdsys::rd_kafka_ListOffsetsResultInfo_topic_partition(info);
            let result = if tp.err == RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR {
                Ok((
                    tp.offset,
                    rdsys::rd_kafka_ListOffsetsResultInfo_timestamp(info),
                ))
            } else {
                Err(NativeError::from_code(tp.err, None))
            };
            out.push(ListedOffset {
                topic: cstr(tp.topic),
                partition: tp.partition,
                result,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr;

    #[test]
    fn partition_lists_read_back() {
        let parts = vec![("orders".to_string(), 0), ("pay".to_string(), 3)];
        let list = PartitionList::new(&parts, 42);
        // SAFETY: the list is alive.
        let read = unsafe { read_partitions(list.ptr()) };
        let ok = RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR;
        assert_eq!(
            read,
            vec![("orders".into(), 0, 42, ok), ("pay".into(), 3, 42, ok)]
        );
        // SAFETY: NULL is allowed.
        assert!(unsafe { read_partitions(ptr::null()) }.is_empty());
        // SAFETY: NULL is allowed.
        assert_eq!(unsafe { read_error(ptr::null()) }, None);
    }

    #[test]
    fn times_before_the_epoch_are_the_earliest_offset() {
        assert_eq!(offset_spec(OffsetSpec::Timestamp(-2_208_988_800_000)), -2);
        assert_eq!(offset_spec(OffsetSpec::Timestamp(-1)), -2);
        assert_eq!(offset_spec(OffsetSpec::Timestamp(-3)), -2);
        assert_eq!(offset_spec(OffsetSpec::Timestamp(0)), 0);
        assert_eq!(
            offset_spec(OffsetSpec::Timestamp(1_700_000_000_000)),
            1_700_000_000_000
        );
        assert_eq!(offset_spec(OffsetSpec::Latest), -1);
    }
}
