//! Consuming through librdkafka's C API: a consumer queue read many messages at a time, and
//! read-only views of the messages it hands out.

use std::ffi::CStr;
use std::os::raw::c_char;
use std::ptr::{self, NonNull};
use std::time::Duration;

use rdkafka::error::RDKafkaErrorCode;
use rdkafka::message::BorrowedMessage;
use rdkafka::types::RDKafkaRespErr;
use rdkafka_sys as rdsys;

use super::{millis, Queue, SharedClient};

/// Kafka's "no timestamp" (RecordBatch.NO_TIMESTAMP).
const NO_TIMESTAMP: i64 = -1;

/// A read-only view of a message librdkafka handed out; it cannot outlive its owner (a batch
/// of a [`ConsumerQueue`] or a rust-rdkafka message).
#[derive(Clone, Copy)]
pub(crate) struct RawMessage<'a>(&'a rdsys::rd_kafka_message_t);

impl<'a> RawMessage<'a> {
    /// A view of a message rust-rdkafka handed out, for as long as it is borrowed.
    pub fn of(message: &'a BorrowedMessage<'_>) -> RawMessage<'a> {
        // SAFETY: a BorrowedMessage owns a live message until it is dropped, which the borrow
        // prevents for 'a.
        RawMessage(unsafe { &*message.ptr() })
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
        // SAFETY: the message holds a reference on its topic handle, so the handle and its
        // NUL-terminated name live as long as the message.
        unsafe { CStr::from_ptr(rdsys::rd_kafka_topic_name(self.0.rkt)) }
            .to_str()
            .unwrap_or("")
    }

    pub fn key(&self) -> Option<&'a [u8]> {
        // SAFETY: key and key_len describe the message's key, which lives as long as it.
        unsafe { bytes(self.0.key as *const u8, self.0.key_len) }
    }

    pub fn payload(&self) -> Option<&'a [u8]> {
        // SAFETY: payload and len describe the message's value, which lives as long as it.
        unsafe { bytes(self.0.payload as *const u8, self.0.len) }
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
            // SAFETY: value and size describe the header's value, which lives as long as the
            // message.
            Some((name, unsafe { bytes(value as *const u8, size) }))
        })
    }
}

/// A slice from librdkafka's (pointer, length); `None` for a NULL pointer.
///
/// # Safety
/// A non-NULL `ptr` points to `len` bytes that live for `'a`.
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Option<&'a [u8]> {
    if ptr.is_null() {
        None
    } else {
        Some(std::slice::from_raw_parts(ptr, len))
    }
}

/// A consumer's queue read many messages at a time (one queue lock and clock read per batch
/// instead of per message). The messages handed out stay alive until the next refill.
pub(crate) struct ConsumerQueue {
    queue: Queue,
    /// The current batch: messages librdkafka handed over, ours to destroy.
    messages: Vec<*mut rdsys::rd_kafka_message_t>,
    next: usize,
    /// Keeps the consumer alive until the queue and the messages are destroyed (after `Drop`).
    _client: SharedClient,
}

// SAFETY: librdkafka's queues and messages may be used from any thread (one at a time here:
// the methods take `&mut self`).
unsafe impl Send for ConsumerQueue {}

impl ConsumerQueue {
    /// The consumer queue of `client` (a consumer with a group id).
    pub fn new(client: SharedClient) -> Option<ConsumerQueue> {
        // SAFETY: the client is alive (held by `client`, kept with the queue).
        let queue = unsafe { rdsys::rd_kafka_queue_get_consumer(client.get().ptr()) };
        NonNull::new(queue).map(|queue| ConsumerQueue {
            queue: Queue(queue),
            messages: Vec::new(),
            next: 0,
            _client: client,
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
        // SAFETY: librdkafka handed over a valid message, which lives until the next refill or
        // drop, both of which need `&mut self`, which the returned view borrows.
        Some(RawMessage(unsafe { &*msg }))
    }

    /// Frees the current batch and takes up to `max` messages, waiting up to `timeout` for
    /// them; returns how many came.
    pub fn refill(&mut self, timeout: Duration, max: usize) -> usize {
        self.clear();
        self.messages.reserve(max);
        // SAFETY: the queue is alive; room for `max` pointers; librdkafka writes `n` of them
        // (each a valid message) and gives us ownership of each.
        let n = unsafe {
            rdsys::rd_kafka_consume_batch_queue(
                self.queue.ptr(),
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
        // The messages go first (`clear` destroys them), then the fields: the queue, and last
        // the client it belongs to.
        self.clear();
    }
}
