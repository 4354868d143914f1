//! The small safe wrapper over librdkafka (rdkafka-sys) for what rust-rdkafka does not wrap.
//!
//! All `unsafe` code of kctl lives here. Each function owns every native object it creates and
//! destroys it before returning; nothing native escapes.

use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::ptr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rdkafka::error::RDKafkaErrorCode;
use rdkafka::types::RDKafkaRespErr;
use rdkafka_sys as rdsys;

use super::groups::{GroupState, GroupType};
use super::ConnState;

/// A librdkafka error code with its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NativeError {
    pub code: RDKafkaErrorCode,
    pub message: String,
}

impl NativeError {
    fn from_code(err: RDKafkaRespErr, message: Option<String>) -> NativeError {
        let code: RDKafkaErrorCode = err.into();
        NativeError {
            message: message.unwrap_or_else(|| code.to_string()),
            code,
        }
    }
}

/// librdkafka's description of an error code, e.g. "Broker: Topic already exists".
pub(crate) fn describe(code: RDKafkaErrorCode) -> String {
    match RDKafkaRespErr::try_from(code as i32) {
        Ok(err) => unsafe { cstr(rdsys::rd_kafka_err2str(err)) },
        Err(_) => format!("{code:?}"),
    }
}

/// The value of one of the client's configuration properties, as librdkafka has it.
pub(crate) fn config_value(client: ClientPtr, name: &str) -> Option<String> {
    let name = CString::new(name).ok()?;
    let mut buf = [0 as c_char; 256];
    let mut size = buf.len();
    // SAFETY: the client and its configuration are alive; librdkafka writes at most `size`
    // bytes, NUL-terminated, and sets `size`.
    let res = unsafe {
        let conf = rdsys::rd_kafka_conf(client.0);
        rdsys::rd_kafka_conf_get(conf, name.as_ptr(), buf.as_mut_ptr(), &mut size)
    };
    (res == rdsys::rd_kafka_conf_res_t::RD_KAFKA_CONF_OK).then(|| unsafe { cstr(buf.as_ptr()) })
}

/// The client's fatal error, if one was raised: its code and librdkafka's reason (an
/// idempotent producer's out-of-order sequence, say). After one the client does nothing more.
pub(crate) fn fatal_error(client: ClientPtr) -> Option<(RDKafkaErrorCode, String)> {
    let mut buf = [0 as c_char; 512];
    // SAFETY: the client is alive (see ClientPtr); librdkafka writes a NUL-terminated string
    // of at most the buffer's size.
    let err = unsafe { rdsys::rd_kafka_fatal_error(client.0, buf.as_mut_ptr(), buf.len()) };
    if err == RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR {
        return None;
    }
    Some((err.into(), unsafe { cstr(buf.as_ptr()) }))
}

/// Raises a fatal error on the client, as librdkafka would (its test hook).
#[cfg(test)]
pub(crate) fn test_fatal_error(client: ClientPtr, code: RDKafkaRespErr, reason: &str) {
    let reason = CString::new(reason).unwrap();
    // SAFETY: the client is alive; the reason is copied.
    unsafe { rdsys::rd_kafka_test_fatal_error(client.0, code, reason.as_ptr()) };
}

/// Whether a message whose delivery failed may have been written all the same: it was sent but
/// no acknowledgement came back (the connection dropped, or the request timed out).
pub(crate) fn possibly_persisted(msg: &rdkafka::message::BorrowedMessage<'_>) -> bool {
    // SAFETY: the message is alive for the borrow; the call only reads its status.
    let status = unsafe { rdsys::rd_kafka_message_status(msg.ptr()) };
    status != rdsys::rd_kafka_msg_status_t::RD_KAFKA_MSG_STATUS_NOT_PERSISTED
}

/// What `call_admin` failed on.
#[derive(Debug)]
pub(crate) enum AdminCallError {
    /// No result within the timeout.
    TimedOut,
    /// librdkafka rejected the request or it failed as a whole.
    Failed(NativeError),
}

extern "C" {
    // libcrypto, which librdkafka links for TLS.
    fn OPENSSL_init_crypto(opts: u64, settings: *const std::os::raw::c_void)
        -> std::os::raw::c_int;
}

/// OpenSSL's `OPENSSL_INIT_NO_ATEXIT`.
const OPENSSL_INIT_NO_ATEXIT: u64 = 0x0008_0000;

/// Call once, before any client exists. By default OpenSSL frees its global state from an
/// atexit handler, while librdkafka's broker threads may still be in a TLS handshake: the
/// process then crashed on exit after its work was done. The OS reclaims everything anyway.
pub(crate) fn init_process() {
    // SAFETY: plain initialization call with a NULL settings pointer, as documented.
    unsafe {
        OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, ptr::null());
    }
}

/// An owned, thread-safe handle to a client (`rd_kafka_t`). The client must outlive it: kctl
/// only makes one from a live rust-rdkafka client and uses it while that client is borrowed.
#[derive(Clone, Copy)]
pub(crate) struct ClientPtr(pub *mut rdsys::rd_kafka_t);
// librdkafka's client handle is thread safe.
unsafe impl Send for ClientPtr {}
unsafe impl Sync for ClientPtr {}

/// A producer's handle on one topic, made once: records sent through it need no lookup of the
/// topic by name (rust-rdkafka's `send` makes a C string and looks the topic up per record).
/// Drop it before the client.
pub(crate) struct TopicHandle(*mut rdsys::rd_kafka_topic_t);
// librdkafka's topic handles are thread safe.
unsafe impl Send for TopicHandle {}
unsafe impl Sync for TopicHandle {}

impl TopicHandle {
    /// `None` when librdkafka refuses the name (it cannot contain a NUL).
    pub fn new(client: ClientPtr, name: &str) -> Option<TopicHandle> {
        let name = CString::new(name).ok()?;
        // SAFETY: the client is alive (see ClientPtr); a NULL config takes the defaults.
        let rkt = unsafe { rdsys::rd_kafka_topic_new(client.0, name.as_ptr(), ptr::null_mut()) };
        (!rkt.is_null()).then_some(TopicHandle(rkt))
    }
}

impl Drop for TopicHandle {
    fn drop(&mut self) {
        // SAFETY: made by rd_kafka_topic_new, destroyed once.
        unsafe { rdsys::rd_kafka_topic_destroy(self.0) }
    }
}

/// Queues one record without headers on `topic` (librdkafka copies key and value). `partition`
/// -1 lets the partitioner choose; `timestamp` 0 is "now". The error when it was not queued.
pub(crate) fn produce(
    client: ClientPtr,
    topic: &TopicHandle,
    partition: i32,
    key: Option<&[u8]>,
    value: Option<&[u8]>,
    timestamp: i64,
) -> Result<(), RDKafkaErrorCode> {
    let (value_ptr, value_len) = value.map_or((ptr::null(), 0), |v| (v.as_ptr(), v.len()));
    let (key_ptr, key_len) = key.map_or((ptr::null(), 0), |k| (k.as_ptr(), k.len()));
    // SAFETY: client and topic handle are alive; the variadic arguments come in (type, value)
    // pairs of the types librdkafka reads for each, ended by END; key and value are copied
    // (MSG_F_COPY) before the call returns.
    let err = unsafe {
        rdsys::rd_kafka_producev(
            client.0,
            rdsys::rd_kafka_vtype_t::RD_KAFKA_VTYPE_RKT,
            topic.0,
            rdsys::rd_kafka_vtype_t::RD_KAFKA_VTYPE_PARTITION,
            partition as std::os::raw::c_int,
            rdsys::rd_kafka_vtype_t::RD_KAFKA_VTYPE_MSGFLAGS,
            rdsys::RD_KAFKA_MSG_F_COPY as std::os::raw::c_int,
            rdsys::rd_kafka_vtype_t::RD_KAFKA_VTYPE_VALUE,
            value_ptr as *mut std::os::raw::c_void,
            value_len,
            rdsys::rd_kafka_vtype_t::RD_KAFKA_VTYPE_KEY,
            key_ptr as *const std::os::raw::c_void,
            key_len,
            rdsys::rd_kafka_vtype_t::RD_KAFKA_VTYPE_TIMESTAMP,
            timestamp,
            rdsys::rd_kafka_vtype_t::RD_KAFKA_VTYPE_END,
        )
    };
    match RDKafkaErrorCode::from(err) {
        RDKafkaErrorCode::NoError => Ok(()),
        code => Err(code),
    }
}

struct Event(*mut rdsys::rd_kafka_event_t);
impl Drop for Event {
    fn drop(&mut self) {
        unsafe { rdsys::rd_kafka_event_destroy(self.0) }
    }
}

/// A read-only view of a message librdkafka handed out; it cannot outlive its owner (a batch
/// or a rust-rdkafka message).
#[derive(Clone, Copy)]
pub(crate) struct RawMessage<'a>(&'a rdsys::rd_kafka_message_t);

impl<'a> RawMessage<'a> {
    /// # Safety
    /// `ptr` points to a live message that outlives `'a`.
    pub unsafe fn from_ptr(ptr: *const rdsys::rd_kafka_message_t) -> RawMessage<'a> {
        RawMessage(&*ptr)
    }

    pub fn error(&self) -> RDKafkaErrorCode {
        self.0.err.into()
    }

    pub fn partition(&self) -> i32 {
        self.0.partition
    }

    pub fn offset(&self) -> i64 {
        self.0.offset
    }

    pub fn topic(&self) -> &'a str {
        if self.0.rkt.is_null() {
            return "";
        }
        // SAFETY: the topic handle lives as long as the message; its name is NUL-terminated.
        unsafe { CStr::from_ptr(rdsys::rd_kafka_topic_name(self.0.rkt)) }
            .to_str()
            .unwrap_or("")
    }

    pub fn key(&self) -> Option<&'a [u8]> {
        bytes(self.0.key as *const u8, self.0.key_len)
    }

    pub fn payload(&self) -> Option<&'a [u8]> {
        bytes(self.0.payload as *const u8, self.0.len)
    }

    /// Milliseconds since the epoch and whether it is the log-append time; `None` when not
    /// available, or when the record has none (Kafka's -1, which librdkafka reports as a
    /// create time).
    pub fn timestamp(&self) -> Option<(i64, bool)> {
        let mut kind = rdsys::rd_kafka_timestamp_type_t::RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
        // SAFETY: the message is alive; librdkafka only reads it.
        let ts = unsafe { rdsys::rd_kafka_message_timestamp(self.0, &mut kind) };
        if ts == NO_TIMESTAMP {
            return None;
        }
        match kind {
            rdsys::rd_kafka_timestamp_type_t::RD_KAFKA_TIMESTAMP_NOT_AVAILABLE => None,
            rdsys::rd_kafka_timestamp_type_t::RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME => {
                Some((ts, true))
            }
            _ => Some((ts, false)),
        }
    }

    /// The headers in order (name, value); empty when there are none.
    pub fn headers(&self) -> impl Iterator<Item = (&'a str, Option<&'a [u8]>)> + 'a {
        let mut hdrs: *mut rdsys::rd_kafka_headers_t = ptr::null_mut();
        // SAFETY: the message is alive; the headers belong to it (not to be destroyed here).
        let found = unsafe {
            rdsys::rd_kafka_message_headers(self.0, &mut hdrs)
                == RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR
        };
        let hdrs = if found { hdrs } else { ptr::null_mut() };
        (0..).map_while(move |i| {
            if hdrs.is_null() {
                return None;
            }
            let mut name: *const c_char = ptr::null();
            let mut value: *const std::os::raw::c_void = ptr::null();
            let mut size = 0usize;
            // SAFETY: as above; `i` past the end returns an error.
            let err = unsafe {
                rdsys::rd_kafka_header_get_all(hdrs, i, &mut name, &mut value, &mut size)
            };
            if err != RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR {
                return None;
            }
            // SAFETY: names are NUL-terminated and live as long as the message.
            let name = unsafe { CStr::from_ptr(name) }.to_str().unwrap_or("");
            Some((name, bytes(value as *const u8, size)))
        })
    }
}

/// Kafka's "no timestamp" (RecordBatch.NO_TIMESTAMP).
const NO_TIMESTAMP: i64 = -1;

/// A slice from librdkafka's (pointer, length); `None` for a NULL pointer.
fn bytes<'a>(ptr: *const u8, len: usize) -> Option<&'a [u8]> {
    if ptr.is_null() {
        None
    } else {
        // SAFETY: librdkafka's pointer and length describe one allocation that the caller's
        // lifetime keeps alive.
        Some(unsafe { std::slice::from_raw_parts(ptr, len) })
    }
}

/// A consumer's queue read many messages at a time (one queue lock and clock read per batch
/// instead of per message). The messages handed out stay alive until the next refill.
pub(crate) struct ConsumerQueue {
    queue: Queue,
    messages: Vec<*mut rdsys::rd_kafka_message_t>,
    next: usize,
}

// librdkafka's queues and messages may be used from any thread (one at a time here: the
// methods take `&mut self`).
unsafe impl Send for ConsumerQueue {}

impl ConsumerQueue {
    /// The consumer queue of `client` (a consumer with a group id). Drop it before the client.
    pub fn new(client: ClientPtr) -> Option<ConsumerQueue> {
        // SAFETY: the client is alive (see ClientPtr).
        let queue = unsafe { rdsys::rd_kafka_queue_get_consumer(client.0) };
        (!queue.is_null()).then(|| ConsumerQueue {
            queue: Queue(queue),
            messages: Vec::new(),
            next: 0,
        })
    }

    /// Whether the current batch has messages left.
    pub fn has_next(&self) -> bool {
        self.next < self.messages.len()
    }

    /// The next message of the current batch, if any is left.
    pub fn next(&mut self) -> Option<RawMessage<'_>> {
        let msg = *self.messages.get(self.next)?;
        self.next += 1;
        // SAFETY: the message lives until the next refill or drop, both of which need
        // `&mut self`, which the returned view borrows.
        Some(unsafe { RawMessage::from_ptr(msg) })
    }

    /// Frees the current batch and takes up to `max` messages, waiting up to `timeout` for
    /// them; returns how many came.
    pub fn refill(&mut self, timeout: Duration, max: usize) -> usize {
        self.clear();
        self.messages.reserve(max);
        // SAFETY: room for `max` pointers; librdkafka writes `n` of them and gives us
        // ownership of each.
        let n = unsafe {
            rdsys::rd_kafka_consume_batch_queue(
                self.queue.0,
                millis(timeout),
                self.messages.as_mut_ptr(),
                max,
            )
        };
        let n = usize::try_from(n).unwrap_or(0).min(max);
        // SAFETY: the first `n` elements were initialized by librdkafka.
        unsafe { self.messages.set_len(n) };
        n
    }

    fn clear(&mut self) {
        for msg in self.messages.drain(..) {
            // SAFETY: each message came from rd_kafka_consume_batch_queue, destroyed once.
            unsafe { rdsys::rd_kafka_message_destroy(msg) }
        }
        self.next = 0;
    }
}

impl Drop for ConsumerQueue {
    fn drop(&mut self) {
        self.clear();
    }
}

struct Queue(*mut rdsys::rd_kafka_queue_t);
impl Drop for Queue {
    fn drop(&mut self) {
        unsafe { rdsys::rd_kafka_queue_destroy(self.0) }
    }
}

struct Options(*mut rdsys::rd_kafka_AdminOptions_t);
impl Drop for Options {
    fn drop(&mut self) {
        unsafe { rdsys::rd_kafka_AdminOptions_destroy(self.0) }
    }
}

struct PartitionList(*mut rdsys::rd_kafka_topic_partition_list_t);
impl Drop for PartitionList {
    fn drop(&mut self) {
        unsafe { rdsys::rd_kafka_topic_partition_list_destroy(self.0) }
    }
}

unsafe fn cstr(p: *const c_char) -> String {
    if p.is_null() {
        String::new()
    } else {
        CStr::from_ptr(p).to_string_lossy().into_owned()
    }
}

fn millis(d: Duration) -> i32 {
    d.as_millis().min(i32::MAX as u128) as i32
}

impl PartitionList {
    /// A list of (topic, partition) with each element's offset field set to `offset`.
    fn new(partitions: &[(String, i32)], offset: i64) -> PartitionList {
        let list = PartitionList(unsafe {
            rdsys::rd_kafka_topic_partition_list_new(partitions.len() as i32)
        });
        for (topic, partition) in partitions {
            let topic = CString::new(topic.as_str()).unwrap_or_default();
            unsafe {
                let elem =
                    rdsys::rd_kafka_topic_partition_list_add(list.0, topic.as_ptr(), *partition);
                (*elem).offset = offset;
            }
        }
        list
    }
}

/// Runs one admin request on a private queue and waits (blocking) for its result event.
/// `start` is handed the client, the options and the queue, and must enqueue the request.
fn call_admin(
    client: ClientPtr,
    op: rdsys::rd_kafka_admin_op_t,
    timeout: Duration,
    start: impl FnOnce(
        *mut rdsys::rd_kafka_t,
        *mut rdsys::rd_kafka_AdminOptions_t,
        *mut rdsys::rd_kafka_queue_t,
    ),
) -> Result<Event, AdminCallError> {
    let rk = client.0;
    let options = Options(unsafe { rdsys::rd_kafka_AdminOptions_new(rk, op) });
    let mut errbuf = [0 as c_char; 512];
    let res = unsafe {
        rdsys::rd_kafka_AdminOptions_set_request_timeout(
            options.0,
            millis(super::admin_request_timeout(timeout)),
            errbuf.as_mut_ptr(),
            errbuf.len(),
        )
    };
    if res != RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR {
        let message = unsafe { cstr(errbuf.as_ptr()) };
        return Err(AdminCallError::Failed(NativeError::from_code(
            res,
            Some(message),
        )));
    }
    let queue = Queue(unsafe { rdsys::rd_kafka_queue_new(rk) });
    start(rk, options.0, queue.0);
    // A little slack over the request timeout so librdkafka's own timeout answers first.
    let ev = unsafe {
        rdsys::rd_kafka_queue_poll(queue.0, millis(timeout + Duration::from_millis(500)))
    };
    if ev.is_null() {
        return Err(AdminCallError::TimedOut);
    }
    let event = Event(ev);
    let err = unsafe { rdsys::rd_kafka_event_error(event.0) };
    if err != RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR {
        let message = unsafe { cstr(rdsys::rd_kafka_event_error_string(event.0)) };
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
    pub result: Result<i64, NativeError>,
}

/// ListOffsets for many partitions at once (librdkafka batches the requests per leader).
/// `spec` is a timestamp in milliseconds or one of -1 (latest), -2 (earliest), -3 (max timestamp).
pub(crate) fn list_offsets(
    client: ClientPtr,
    partitions: &[(String, i32)],
    spec: i64,
    timeout: Duration,
) -> Result<Vec<ListedOffset>, AdminCallError> {
    if partitions.is_empty() {
        return Ok(Vec::new());
    }
    let list = PartitionList::new(partitions, spec);
    let event = call_admin(
        client,
        rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_LISTOFFSETS,
        timeout,
        |rk, options, queue| unsafe { rdsys::rd_kafka_ListOffsets(rk, list.0, options, queue) },
    )?;
    let mut out = Vec::with_capacity(partitions.len());
    unsafe {
        let result = rdsys::rd_kafka_event_ListOffsets_result(event.0);
        if result.is_null() {
            return Err(AdminCallError::Failed(NativeError::from_code(
                RDKafkaRespErr::RD_KAFKA_RESP_ERR__BAD_MSG,
                Some("unexpected reply to ListOffsets".into()),
            )));
        }
        let mut count = 0usize;
        let infos = rdsys::rd_kafka_ListOffsets_result_infos(result, &mut count);
        for i in 0..count {
            let tp = rdsys::rd_kafka_ListOffsetsResultInfo_topic_partition(*infos.add(i));
            let tp = &*tp;
            let result = if tp.err == RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR {
                Ok(tp.offset)
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
pub(crate) struct GroupListing {
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

/// One partition of a group-offsets answer: its offset (-1 when none is committed) or error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GroupOffset {
    pub topic: String,
    pub partition: i32,
    pub result: Result<i64, NativeError>,
}

/// The elements of a partition list as (topic, partition, offset, error).
///
/// # Safety
/// `list` must be null or a valid list that outlives the call.
unsafe fn read_partitions(
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

/// A `rd_kafka_error_t` owned by a result object, read into a [`NativeError`].
///
/// # Safety
/// `err` must be null or valid.
unsafe fn read_error(err: *const rdsys::rd_kafka_error_t) -> Option<NativeError> {
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

fn bad_reply(what: &str) -> AdminCallError {
    AdminCallError::Failed(NativeError::from_code(
        RDKafkaRespErr::RD_KAFKA_RESP_ERR__BAD_MSG,
        Some(format!("unexpected reply to {what}")),
    ))
}

/// ListConsumerGroups: every group the brokers know, plus the errors of brokers that could
/// not answer (the listing is then partial).
pub(crate) fn list_consumer_groups(
    client: ClientPtr,
    timeout: Duration,
) -> Result<(Vec<GroupListing>, Vec<NativeError>), AdminCallError> {
    let event = call_admin(
        client,
        rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS,
        timeout,
        |rk, options, queue| unsafe { rdsys::rd_kafka_ListConsumerGroups(rk, options, queue) },
    )?;
    unsafe {
        let result = rdsys::rd_kafka_event_ListConsumerGroups_result(event.0);
        if result.is_null() {
            return Err(bad_reply("ListConsumerGroups"));
        }
        let mut count = 0usize;
        let valid = rdsys::rd_kafka_ListConsumerGroups_result_valid(result, &mut count);
        let mut groups = Vec::with_capacity(count);
        for i in 0..count {
            let listing = *valid.add(i);
            groups.push(GroupListing {
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

/// DescribeConsumerGroups for many groups at once (librdkafka batches per coordinator).
/// One result per group, in the order librdkafka returns them.
pub(crate) fn describe_consumer_groups(
    client: ClientPtr,
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
        |rk, options, queue| unsafe {
            rdsys::rd_kafka_DescribeConsumerGroups(
                rk,
                ptrs.as_mut_ptr(),
                ptrs.len(),
                options,
                queue,
            )
        },
    )?;
    let mut out = Vec::with_capacity(groups.len());
    unsafe {
        let result = rdsys::rd_kafka_event_DescribeConsumerGroups_result(event.0);
        if result.is_null() {
            return Err(bad_reply("DescribeConsumerGroups"));
        }
        let mut count = 0usize;
        let descs = rdsys::rd_kafka_DescribeConsumerGroups_result_groups(result, &mut count);
        for i in 0..count {
            let d = *descs.add(i);
            let group = cstr(rdsys::rd_kafka_ConsumerGroupDescription_group_id(d));
            if let Some(err) = read_error(rdsys::rd_kafka_ConsumerGroupDescription_error(d)) {
                out.push((group, Err(err)));
                continue;
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
                .map(|m| {
                    let assignment =
                        assignment_partitions(rdsys::rd_kafka_MemberDescription_assignment(m));
                    // Only consumer-protocol groups have a target assignment.
                    let target = rdsys::rd_kafka_MemberDescription_target_assignment(m);
                    let target_assignment =
                        (!target.is_null()).then(|| assignment_partitions(target));
                    let instance = rdsys::rd_kafka_MemberDescription_group_instance_id(m);
                    NativeMember {
                        consumer_id: cstr(rdsys::rd_kafka_MemberDescription_consumer_id(m)),
                        client_id: cstr(rdsys::rd_kafka_MemberDescription_client_id(m)),
                        host: cstr(rdsys::rd_kafka_MemberDescription_host(m)),
                        group_instance_id: (!instance.is_null()).then(|| cstr(instance)),
                        assignment,
                        target_assignment,
                    }
                })
                .collect();
            out.push((
                group.clone(),
                Ok(GroupDescription {
                    group,
                    state: rdsys::rd_kafka_ConsumerGroupDescription_state(d).into(),
                    simple: rdsys::rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(d)
                        != 0,
                    group_type: rdsys::rd_kafka_ConsumerGroupDescription_type(d).into(),
                    assignor: cstr(rdsys::rd_kafka_ConsumerGroupDescription_partition_assignor(
                        d,
                    )),
                    coordinator,
                    members,
                }),
            ));
        }
    }
    Ok(out)
}

struct ListGroupOffsetsReq(*mut rdsys::rd_kafka_ListConsumerGroupOffsets_t);
impl Drop for ListGroupOffsetsReq {
    fn drop(&mut self) {
        unsafe { rdsys::rd_kafka_ListConsumerGroupOffsets_destroy(self.0) }
    }
}

struct AlterGroupOffsetsReq(*mut rdsys::rd_kafka_AlterConsumerGroupOffsets_t);
impl Drop for AlterGroupOffsetsReq {
    fn drop(&mut self) {
        unsafe { rdsys::rd_kafka_AlterConsumerGroupOffsets_destroy(self.0) }
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

/// ListConsumerGroupOffsets (one OffsetFetch request) for one group: the committed offsets of
/// `partitions`, or of every partition the group has committed offsets for when `None`.
pub(crate) fn list_group_offsets(
    client: ClientPtr,
    group: &str,
    partitions: Option<&[(String, i32)]>,
    timeout: Duration,
) -> Result<Vec<GroupOffset>, AdminCallError> {
    let name = CString::new(group).unwrap_or_default();
    let list = partitions.map(|p| PartitionList::new(p, -1001));
    let request = ListGroupOffsetsReq(unsafe {
        rdsys::rd_kafka_ListConsumerGroupOffsets_new(
            name.as_ptr(),
            list.as_ref().map_or(ptr::null(), |l| l.0),
        )
    });
    let mut requests = [request.0];
    let event = call_admin(
        client,
        rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS,
        timeout,
        |rk, options, queue| unsafe {
            rdsys::rd_kafka_ListConsumerGroupOffsets(rk, requests.as_mut_ptr(), 1, options, queue)
        },
    )?;
    unsafe {
        let result = rdsys::rd_kafka_event_ListConsumerGroupOffsets_result(event.0);
        if result.is_null() {
            return Err(bad_reply("ListConsumerGroupOffsets"));
        }
        let mut count = 0usize;
        let groups = rdsys::rd_kafka_ListConsumerGroupOffsets_result_groups(result, &mut count);
        read_group_result(groups, count, "ListConsumerGroupOffsets")
    }
}

/// AlterConsumerGroupOffsets (one OffsetCommit request) for one group; one result per partition.
pub(crate) fn alter_group_offsets(
    client: ClientPtr,
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
        let topic = CString::new(topic.as_str()).unwrap_or_default();
        unsafe {
            let elem = rdsys::rd_kafka_topic_partition_list_add(list.0, topic.as_ptr(), *partition);
            (*elem).offset = *offset;
        }
    }
    let request = AlterGroupOffsetsReq(unsafe {
        rdsys::rd_kafka_AlterConsumerGroupOffsets_new(name.as_ptr(), list.0)
    });
    let mut requests = [request.0];
    let event = call_admin(
        client,
        rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS,
        timeout,
        |rk, options, queue| unsafe {
            rdsys::rd_kafka_AlterConsumerGroupOffsets(rk, requests.as_mut_ptr(), 1, options, queue)
        },
    )?;
    unsafe {
        let result = rdsys::rd_kafka_event_AlterConsumerGroupOffsets_result(event.0);
        if result.is_null() {
            return Err(bad_reply("AlterConsumerGroupOffsets"));
        }
        let mut count = 0usize;
        let groups = rdsys::rd_kafka_AlterConsumerGroupOffsets_result_groups(result, &mut count);
        read_group_result(groups, count, "AlterConsumerGroupOffsets")
    }
}

/// Serves a client's main queue on a thread of its own: librdkafka's logs and error events
/// (connection refused, all brokers down, ...) go to [`ConnState`]. rust-rdkafka's admin client
/// never polls that queue, so without this kctl would neither see nor explain connection errors.
pub(crate) struct MainQueuePump {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl MainQueuePump {
    /// Starts serving `client`'s main queue. The pump must be dropped before the client.
    pub fn start(client: ClientPtr, state: Arc<ConnState>) -> MainQueuePump {
        let stop = Arc::new(AtomicBool::new(false));
        let queue = Queue(unsafe { rdsys::rd_kafka_queue_get_main(client.0) });
        // A consumer with a group id has its main queue forwarded to its consumer queue (by
        // rust-rdkafka), where batch reads would hand logs and errors to librdkafka's default
        // printer on stderr: they are served here instead. Harmless for other clients.
        // SAFETY: the queue handle is valid (just taken from the live client); a NULL
        // destination only ends the forwarding.
        unsafe { rdsys::rd_kafka_queue_forward(queue.0, ptr::null_mut()) };
        struct SendQueue(Queue);
        unsafe impl Send for SendQueue {}
        let queue = SendQueue(queue);
        let stop_flag = stop.clone();
        let handle = std::thread::Builder::new()
            .name("kctl-main-queue".into())
            .spawn(move || {
                let queue = queue;
                while !stop_flag.load(Ordering::Relaxed) {
                    let ev = unsafe { rdsys::rd_kafka_queue_poll(queue.0 .0, 50) };
                    if ev.is_null() {
                        continue;
                    }
                    let event = Event(ev);
                    handle_event(&event, &state);
                }
            })
            .expect("cannot start a thread");
        MainQueuePump {
            stop,
            handle: Some(handle),
        }
    }
}

fn handle_event(event: &Event, state: &ConnState) {
    unsafe {
        match rdsys::rd_kafka_event_type(event.0) {
            rdsys::RD_KAFKA_EVENT_LOG => {
                let mut fac: *const c_char = ptr::null();
                let mut msg: *const c_char = ptr::null();
                let mut level = 0i32;
                if rdsys::rd_kafka_event_log(event.0, &mut fac, &mut msg, &mut level) == 0 {
                    state.on_log(level, cstr(fac).trim(), cstr(msg).trim());
                }
            }
            rdsys::RD_KAFKA_EVENT_ERROR => {
                let err: RDKafkaErrorCode = rdsys::rd_kafka_event_error(event.0).into();
                let reason = cstr(rdsys::rd_kafka_event_error_string(event.0));
                state.on_error(err, reason.trim());
            }
            _ => {}
        }
    }
}

impl Drop for MainQueuePump {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::admin::AdminClient;
    use rdkafka::client::DefaultClientContext;
    use rdkafka::config::ClientConfig;
    use rdkafka::mocking::MockCluster;

    fn admin(bootstrap: &str) -> AdminClient<DefaultClientContext> {
        ClientConfig::new()
            .set("bootstrap.servers", bootstrap)
            .create()
            .expect("admin client")
    }

    #[test]
    fn partition_lists_read_back() {
        let parts = vec![("orders".to_string(), 0), ("pay".to_string(), 3)];
        let list = PartitionList::new(&parts, 42);
        let read = unsafe { read_partitions(list.0) };
        assert_eq!(
            read,
            vec![
                (
                    "orders".into(),
                    0,
                    42,
                    RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR
                ),
                (
                    "pay".into(),
                    3,
                    42,
                    RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR
                ),
            ]
        );
        assert!(unsafe { read_partitions(ptr::null()) }.is_empty());
        assert_eq!(unsafe { read_error(ptr::null()) }, None);
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
        let client = ClientPtr(admin.inner().native_ptr());
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

    #[test]
    fn an_unreachable_cluster_times_out() {
        let admin = admin("127.0.0.1:1");
        let client = ClientPtr(admin.inner().native_ptr());
        let started = std::time::Instant::now();
        let result = list_group_offsets(client, "g", None, Duration::from_millis(300));
        assert!(result.is_err());
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
