//! The small wrapper over librdkafka's C API (rdkafka-sys) for what rust-rdkafka does not wrap
//! or makes slow: the group and offset admin calls, producing through a topic handle,
//! consuming in batches, serving a client's main queue.
//!
//! Every `unsafe` block of kctl is in this directory, each with a SAFETY comment. The rules:
//!
//! - A call on a client takes a [`ClientRef`], a borrow of the rust-rdkafka client it came
//!   from, so it cannot outlive it.
//! - A handle that lives on between calls (a topic handle, a consumer queue, the main-queue
//!   pump) holds a [`SharedClient`]: a strong reference to the rust-rdkafka client, so the
//!   client is destroyed only after every such handle released what it took from it.
//! - Each function owns the native objects it creates and destroys them before returning;
//!   what outlives a call is one of the handles above, destroyed by its `Drop`.
//!
//! By API family: [`admin`] (admin requests, ListOffsets), [`groups`] (consumer groups and
//! their offsets), [`configs`] (describe and incrementally alter configs), [`cluster`]
//! (DescribeCluster), [`acls`], [`scram`] (SCRAM credentials), [`produce`], [`consume`],
//! [`events`] (logs and error events).

#![allow(unsafe_code)]

pub(crate) mod acls;
pub(crate) mod admin;
pub(crate) mod cluster;
pub(crate) mod configs;
pub(crate) mod consume;
pub(crate) mod events;
pub(crate) mod groups;
pub(crate) mod produce;
pub(crate) mod scram;

use std::ffi::{CStr, CString};
use std::marker::PhantomData;
use std::os::raw::c_char;
use std::ptr::{self, NonNull};
use std::sync::Arc;
use std::time::Duration;

use rdkafka::admin::AdminClient;
use rdkafka::client::{Client, ClientContext};
use rdkafka::consumer::{BaseConsumer, ConsumerContext};
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::producer::{BaseProducer, ProducerContext};
use rdkafka::types::RDKafkaRespErr;
use rdkafka_sys as rdsys;

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

/// A borrow of a live librdkafka client (`rd_kafka_t`), taken from the rust-rdkafka client
/// that owns it: it cannot outlive that client.
#[derive(Clone, Copy)]
pub(crate) struct ClientRef<'a> {
    ptr: NonNull<rdsys::rd_kafka_t>,
    _client: PhantomData<&'a rdsys::rd_kafka_t>,
}

// SAFETY: librdkafka's client handle may be used from any thread at once (its API is thread
// safe); the borrow keeps the client alive wherever the reference goes.
unsafe impl Send for ClientRef<'_> {}
// SAFETY: as above.
unsafe impl Sync for ClientRef<'_> {}

impl<'a> ClientRef<'a> {
    /// The librdkafka client of a rust-rdkafka client, borrowed for as long as that is.
    pub fn of<C: ClientContext>(client: &'a Client<C>) -> ClientRef<'a> {
        ClientRef {
            ptr: NonNull::new(client.native_ptr()).expect("a client has a native handle"),
            _client: PhantomData,
        }
    }

    fn ptr(self) -> *mut rdsys::rd_kafka_t {
        self.ptr.as_ptr()
    }
}

/// A strong reference to a rust-rdkafka client, for native handles that live on between
/// calls: the client is not destroyed while one of these exists.
#[derive(Clone)]
pub(crate) struct SharedClient {
    ptr: NonNull<rdsys::rd_kafka_t>,
    /// The rust-rdkafka client that owns `ptr`.
    _owner: Arc<dyn Send + Sync>,
}

// SAFETY: librdkafka's client handle is thread safe, and `_owner` (Send + Sync) keeps it alive.
unsafe impl Send for SharedClient {}
// SAFETY: as above.
unsafe impl Sync for SharedClient {}

impl SharedClient {
    fn new<T: Send + Sync + 'static, C: ClientContext>(
        owner: &Arc<T>,
        client: fn(&T) -> &Client<C>,
    ) -> SharedClient {
        SharedClient {
            // The client is a field of `owner` (rust-rdkafka's clients own theirs), so the
            // pointer stays valid as long as `owner` lives, which `_owner` sees to.
            ptr: NonNull::new(client(owner).native_ptr()).expect("a client has a native handle"),
            _owner: owner.clone(),
        }
    }

    pub fn admin<C: ClientContext + 'static>(admin: &Arc<AdminClient<C>>) -> SharedClient {
        SharedClient::new(admin, AdminClient::inner)
    }

    pub fn consumer<C: ConsumerContext + 'static>(consumer: &Arc<BaseConsumer<C>>) -> SharedClient {
        fn client<C: ConsumerContext>(consumer: &BaseConsumer<C>) -> &Client<C> {
            rdkafka::consumer::Consumer::client(consumer)
        }
        SharedClient::new(consumer, client)
    }

    pub fn producer<C: ProducerContext + 'static>(producer: &Arc<BaseProducer<C>>) -> SharedClient {
        fn client<C: ProducerContext>(producer: &BaseProducer<C>) -> &Client<C> {
            rdkafka::producer::Producer::client(producer)
        }
        SharedClient::new(producer, client)
    }

    pub fn get(&self) -> ClientRef<'_> {
        ClientRef {
            ptr: self.ptr,
            _client: PhantomData,
        }
    }
}

/// librdkafka's description of an error code, e.g. "Broker: Topic already exists".
pub(crate) fn describe(code: RDKafkaErrorCode) -> String {
    match RDKafkaRespErr::try_from(code as i32) {
        // SAFETY: rd_kafka_err2str returns a static string for any code.
        Ok(err) => unsafe { cstr(rdsys::rd_kafka_err2str(err)) },
        Err(_) => format!("{code:?}"),
    }
}

/// The value of one of the client's configuration properties, as librdkafka has it.
pub(crate) fn config_value(client: ClientRef<'_>, name: &str) -> Option<String> {
    let name = CString::new(name).ok()?;
    let mut buf = [0 as c_char; 256];
    let mut size = buf.len();
    // SAFETY: the client and its configuration are alive (borrowed); librdkafka writes at
    // most `size` bytes, NUL-terminated, and sets `size`.
    let res = unsafe {
        let conf = rdsys::rd_kafka_conf(client.ptr());
        rdsys::rd_kafka_conf_get(conf, name.as_ptr(), buf.as_mut_ptr(), &mut size)
    };
    // SAFETY: on success the buffer holds a NUL-terminated string.
    (res == rdsys::rd_kafka_conf_res_t::RD_KAFKA_CONF_OK).then(|| unsafe { cstr(buf.as_ptr()) })
}

/// The client's fatal error, if one was raised: its code and librdkafka's reason (an
/// idempotent producer's out-of-order sequence, say). After one the client does nothing more.
pub(crate) fn fatal_error(client: ClientRef<'_>) -> Option<(RDKafkaErrorCode, String)> {
    let mut buf = [0 as c_char; 512];
    // SAFETY: the client is alive (borrowed); librdkafka writes a NUL-terminated string of at
    // most the buffer's size.
    let err = unsafe { rdsys::rd_kafka_fatal_error(client.ptr(), buf.as_mut_ptr(), buf.len()) };
    if err == RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR {
        return None;
    }
    // SAFETY: the buffer holds the NUL-terminated reason.
    Some((err.into(), unsafe { cstr(buf.as_ptr()) }))
}

/// Raises a fatal error on the client, as librdkafka would (its test hook).
#[cfg(test)]
pub(crate) fn test_fatal_error(client: ClientRef<'_>, code: RDKafkaRespErr, reason: &str) {
    let reason = CString::new(reason).unwrap();
    // SAFETY: the client is alive (borrowed); the reason is copied.
    unsafe { rdsys::rd_kafka_test_fatal_error(client.ptr(), code, reason.as_ptr()) };
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
    // SAFETY: a plain initialization call with a NULL settings pointer, as documented.
    unsafe {
        OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, ptr::null());
    }
}

/// An event taken from a queue, destroyed when dropped.
struct Event(NonNull<rdsys::rd_kafka_event_t>);

impl Event {
    fn ptr(&self) -> *mut rdsys::rd_kafka_event_t {
        self.0.as_ptr()
    }
}

impl Drop for Event {
    fn drop(&mut self) {
        // SAFETY: the event came from rd_kafka_queue_poll, which handed it to us; destroyed
        // once, here.
        unsafe { rdsys::rd_kafka_event_destroy(self.ptr()) }
    }
}

/// A queue handle taken from a client, destroyed when dropped. Whoever holds one keeps the
/// client alive for longer (see [`SharedClient`], or the borrow of a [`ClientRef`]).
struct Queue(NonNull<rdsys::rd_kafka_queue_t>);

// SAFETY: librdkafka's queues are thread safe.
unsafe impl Send for Queue {}

impl Queue {
    fn ptr(&self) -> *mut rdsys::rd_kafka_queue_t {
        self.0.as_ptr()
    }

    /// Waits up to `timeout` for the next event.
    fn poll(&self, timeout: Duration) -> Option<Event> {
        // SAFETY: the queue is alive (owned by self).
        let ev = unsafe { rdsys::rd_kafka_queue_poll(self.ptr(), millis(timeout)) };
        NonNull::new(ev).map(Event)
    }
}

impl Drop for Queue {
    fn drop(&mut self) {
        // SAFETY: the handle came from rd_kafka_queue_new or rd_kafka_queue_get_*, which hand
        // out a reference of our own; released once, here, while its client is still alive.
        unsafe { rdsys::rd_kafka_queue_destroy(self.ptr()) }
    }
}

/// A string librdkafka handed out; empty for NULL.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that lives for the call.
unsafe fn cstr(p: *const c_char) -> String {
    if p.is_null() {
        String::new()
    } else {
        CStr::from_ptr(p).to_string_lossy().into_owned()
    }
}

/// A duration as librdkafka's `int` milliseconds (saturating).
fn millis(d: Duration) -> i32 {
    d.as_millis().min(i32::MAX as u128) as i32
}
