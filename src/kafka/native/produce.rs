//! Producing through librdkafka's C API: records sent through one topic handle (rust-rdkafka's
//! `send` makes a C string and looks the topic up by name per record), and what a failed
//! delivery report says about the message.

use std::ffi::CString;
use std::ptr::{self, NonNull};

use rdkafka::error::RDKafkaErrorCode;
use rdkafka::message::BorrowedMessage;
use rdkafka_sys as rdsys;

use super::SharedClient;

/// A producer's handle on one topic, made once.
pub(crate) struct TopicHandle {
    rkt: NonNull<rdsys::rd_kafka_topic_t>,
    /// Keeps the producer alive until the handle is destroyed (after `Drop`).
    client: SharedClient,
}

// SAFETY: librdkafka's topic handles are thread safe.
unsafe impl Send for TopicHandle {}
// SAFETY: as above.
unsafe impl Sync for TopicHandle {}

impl TopicHandle {
    /// `None` when librdkafka refuses the name (it cannot contain a NUL).
    pub fn new(client: SharedClient, name: &str) -> Option<TopicHandle> {
        let name = CString::new(name).ok()?;
        // SAFETY: the client is alive (held by `client`, kept with the handle); a NULL config
        // takes the defaults.
        let rkt = unsafe {
            rdsys::rd_kafka_topic_new(client.get().ptr(), name.as_ptr(), ptr::null_mut())
        };
        NonNull::new(rkt).map(|rkt| TopicHandle { rkt, client })
    }
}

impl Drop for TopicHandle {
    fn drop(&mut self) {
        // SAFETY: made by rd_kafka_topic_new, destroyed once, here, before `client` lets the
        // producer go.
        unsafe { rdsys::rd_kafka_topic_destroy(self.rkt.as_ptr()) }
    }
}

/// Queues one record without headers on `topic` (librdkafka copies key and value).
/// `partition` is a partition or rust-rdkafka's `PARTITION_UA` (the partitioner chooses);
/// `timestamp` as librdkafka takes it (0 is "now"). The error when it was not queued.
pub(crate) fn produce(
    topic: &TopicHandle,
    partition: i32,
    key: Option<&[u8]>,
    value: Option<&[u8]>,
    timestamp: i64,
) -> Result<(), RDKafkaErrorCode> {
    let (value_ptr, value_len) = value.map_or((ptr::null(), 0), |v| (v.as_ptr(), v.len()));
    let (key_ptr, key_len) = key.map_or((ptr::null(), 0), |k| (k.as_ptr(), k.len()));
    // SAFETY: client and topic handle are alive (held by `topic`); the variadic arguments come
    // in (type, value) pairs of the types librdkafka reads for each, ended by END; key and
    // value are copied (MSG_F_COPY) before the call returns.
    let err = unsafe {
        rdsys::rd_kafka_producev(
            topic.client.get().ptr(),
            rdsys::rd_kafka_vtype_t::RD_KAFKA_VTYPE_RKT,
            topic.rkt.as_ptr(),
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

/// Whether a message whose delivery failed may have been written all the same: it was sent but
/// no acknowledgement came back (the connection dropped, or the request timed out).
pub(crate) fn possibly_persisted(msg: &BorrowedMessage<'_>) -> bool {
    // SAFETY: the message is alive for the borrow; the call only reads its status.
    let status = unsafe { rdsys::rd_kafka_message_status(msg.ptr()) };
    status != rdsys::rd_kafka_msg_status_t::RD_KAFKA_MSG_STATUS_NOT_PERSISTED
}
