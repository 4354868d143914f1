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

/// What `call_admin` failed on.
#[derive(Debug)]
pub(crate) enum AdminCallError {
    /// No result within the timeout.
    TimedOut,
    /// librdkafka rejected the request or it failed as a whole.
    Failed(NativeError),
}

/// An owned, thread-safe handle to a client (`rd_kafka_t`). The client must outlive it: kctl
/// only makes one from a live rust-rdkafka client and uses it while that client is borrowed.
#[derive(Clone, Copy)]
pub(crate) struct ClientPtr(pub *mut rdsys::rd_kafka_t);
// librdkafka's client handle is thread safe.
unsafe impl Send for ClientPtr {}
unsafe impl Sync for ClientPtr {}

struct Event(*mut rdsys::rd_kafka_event_t);
impl Drop for Event {
    fn drop(&mut self) {
        unsafe { rdsys::rd_kafka_event_destroy(self.0) }
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
            millis(timeout),
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
