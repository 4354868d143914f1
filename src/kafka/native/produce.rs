//! Producing through librdkafka's C API: records sent through one topic handle (rust-rdkafka's
//! `send` makes a C string and looks the topic up by name per record), and what a failed
//! delivery report says about the message.

use std::ffi::CString;
use std::marker::PhantomData;
use std::os::raw::c_int;
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

/// Records without headers queued in one call: one clock read, one timestamp and one topic
/// lock for the batch instead of one each per record (librdkafka's `rd_kafka_produce_batch`).
/// Built from borrowed keys and values, which librdkafka copies while queuing them.
pub(crate) struct Batch<'a> {
    messages: Vec<rdsys::rd_kafka_message_t>,
    _data: PhantomData<&'a [u8]>,
}

// SAFETY: the raw pointers in the messages point into data borrowed for 'a (shared slices,
// which are Sync), read only while the batch is queued.
unsafe impl Send for Batch<'_> {}

impl<'a> Batch<'a> {
    pub fn with_capacity(n: usize) -> Batch<'a> {
        Batch {
            messages: Vec::with_capacity(n),
            _data: PhantomData,
        }
    }

    /// Adds a record; `partition` as in [`produce`].
    pub fn push(&mut self, partition: i32, key: Option<&'a [u8]>, value: Option<&'a [u8]>) {
        let (payload, len) = value.map_or((ptr::null_mut(), 0), |v| {
            (v.as_ptr() as *mut std::os::raw::c_void, v.len())
        });
        let (key, key_len) = key.map_or((ptr::null_mut(), 0), |k| {
            (k.as_ptr() as *mut std::os::raw::c_void, k.len())
        });
        self.messages.push(rdsys::rd_kafka_message_t {
            err: rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR,
            rkt: ptr::null_mut(),
            partition,
            payload,
            len,
            key,
            key_len,
            offset: 0,
            _private: ptr::null_mut(),
        });
    }

    /// Queues the records from `from` on; the error of each record not queued, by index.
    /// librdkafka goes on past a record it refuses, except that once its queue is full it
    /// refuses every record after (`QueueFull`): the caller serves reports and queues again
    /// from the first refused one.
    pub fn produce(&mut self, topic: &TopicHandle, from: usize) -> Vec<(usize, RDKafkaErrorCode)> {
        let rest = &mut self.messages[from..];
        if rest.is_empty() {
            return Vec::new();
        }
        let flags = (rdsys::RD_KAFKA_MSG_F_COPY | rdsys::RD_KAFKA_MSG_F_PARTITION) as c_int;
        // SAFETY: client and topic handle are alive (held by `topic`); every message's key
        // and payload point to `len`/`key_len` readable bytes borrowed for 'a (or are NULL
        // with length 0), copied by librdkafka (MSG_F_COPY) before the call returns; the
        // array holds `rest.len()` initialised messages, whose `err` librdkafka sets.
        let queued = unsafe {
            rdsys::rd_kafka_produce_batch(
                topic.rkt.as_ptr(),
                -1, // RD_KAFKA_PARTITION_UA: each message says its own (MSG_F_PARTITION)
                flags,
                rest.as_mut_ptr(),
                rest.len() as c_int,
            )
        };
        if queued as usize == rest.len() {
            return Vec::new();
        }
        rest.iter()
            .enumerate()
            .filter(|(_, m)| m.err != rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR)
            .map(|(i, m)| (from + i, RDKafkaErrorCode::from(m.err)))
            .collect()
    }
}

/// Whether a message whose delivery failed may have been written all the same: it was sent but
/// no acknowledgement came back (the connection dropped, or the request timed out).
pub(crate) fn possibly_persisted(msg: &BorrowedMessage<'_>) -> bool {
    // SAFETY: the message is alive for the borrow; the call only reads its status.
    let status = unsafe { rdsys::rd_kafka_message_status(msg.ptr()) };
    status != rdsys::rd_kafka_msg_status_t::RD_KAFKA_MSG_STATUS_NOT_PERSISTED
}
