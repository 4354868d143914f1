//! A client's main queue served on a thread of its own: librdkafka's logs and error events
//! (connection refused, all brokers down, ...) go to an [`EventSink`]. rust-rdkafka's admin
//! client never polls that queue, and a consumer read in batches does not either, so without
//! this kctl would neither see nor explain connection errors.

use std::ffi::CString;
use std::os::raw::c_char;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rdkafka::error::RDKafkaErrorCode;
use rdkafka_sys as rdsys;

use super::{cstr, Event, Queue, SharedClient};

/// Where the events of a client's main queue go.
pub(crate) trait EventSink: Send + Sync + 'static {
    /// A log line: its syslog level, facility and message.
    fn log(&self, level: i32, facility: &str, message: &str);
    /// An error event: its code and librdkafka's reason.
    fn error(&self, code: RDKafkaErrorCode, reason: &str);
    /// A new OAUTHBEARER token, or why there is none, when kctl fetches them (OIDC); `None`
    /// leaves the token refresh event unanswered.
    fn oauth_token(&self) -> Option<Result<crate::kafka::oidc::Token, String>> {
        None
    }
}

/// Serves a client's main queue until dropped.
pub(crate) struct MainQueuePump {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl MainQueuePump {
    /// Starts serving `client`'s main queue; the thread keeps the client alive until it ends.
    pub fn start(client: SharedClient, sink: Arc<dyn EventSink>) -> MainQueuePump {
        let stop = Arc::new(AtomicBool::new(false));
        // SAFETY: the client is alive (held by `client`, which the thread keeps until after
        // the queue is destroyed).
        let queue = unsafe { rdsys::rd_kafka_queue_get_main(client.get().ptr()) };
        let queue = Queue(NonNull::new(queue).expect("a client has a main queue"));
        // A consumer with a group id has its main queue forwarded to its consumer queue (by
        // rust-rdkafka), where batch reads would hand logs and errors to librdkafka's default
        // printer on stderr: they are served here instead. Harmless for other clients.
        // SAFETY: the queue handle is valid (just taken from the live client); a NULL
        // destination only ends the forwarding.
        unsafe { rdsys::rd_kafka_queue_forward(queue.ptr(), ptr::null_mut()) };
        let stop_flag = stop.clone();
        let handle = std::thread::Builder::new()
            .name("kctl-main-queue".into())
            .spawn(move || {
                while !stop_flag.load(Ordering::Relaxed) {
                    if let Some(event) = queue.poll(Duration::from_millis(50)) {
                        handle_event(&event, sink.as_ref(), &client);
                    }
                }
                // The queue goes before the client it belongs to.
                drop(queue);
                drop(client);
            })
            .expect("cannot start a thread");
        MainQueuePump {
            stop,
            handle: Some(handle),
        }
    }
}

fn handle_event(event: &Event, sink: &dyn EventSink, client: &SharedClient) {
    // SAFETY: the event is alive (borrowed); the strings it hands out belong to it and are
    // copied before it goes.
    unsafe {
        match rdsys::rd_kafka_event_type(event.ptr()) {
            rdsys::RD_KAFKA_EVENT_LOG => {
                let mut fac: *const c_char = ptr::null();
                let mut msg: *const c_char = ptr::null();
                let mut level = 0i32;
                if rdsys::rd_kafka_event_log(event.ptr(), &mut fac, &mut msg, &mut level) == 0 {
                    sink.log(level, cstr(fac).trim(), cstr(msg).trim());
                }
            }
            rdsys::RD_KAFKA_EVENT_ERROR => {
                let err: RDKafkaErrorCode = rdsys::rd_kafka_event_error(event.ptr()).into();
                let reason = cstr(rdsys::rd_kafka_event_error_string(event.ptr()));
                sink.error(err, reason.trim());
            }
            rdsys::RD_KAFKA_EVENT_OAUTHBEARER_TOKEN_REFRESH => {
                if let Some(token) = sink.oauth_token() {
                    set_oauth_token(client, token);
                }
            }
            _ => {}
        }
    }
}

/// Hands librdkafka a new OAUTHBEARER token, or the reason there is none (which it reports as
/// "Failed to acquire SASL OAUTHBEARER token: REASON").
fn set_oauth_token(client: &SharedClient, token: Result<crate::kafka::oidc::Token, String>) {
    let c_string = |s: String| CString::new(s.replace('\0', " ")).unwrap_or_default();
    let rk = client.get().ptr();
    let failure = match token {
        Ok(token) => {
            let value = c_string(token.value);
            let principal = c_string(token.principal);
            let mut errstr = [0 as c_char; 512];
            // SAFETY: the client is alive (held by `client`); the strings are NUL-terminated
            // and live through the call, which copies them; no extensions (NULL, 0); errstr is
            // a buffer of the size given.
            let err = unsafe {
                rdsys::rd_kafka_oauthbearer_set_token(
                    rk,
                    value.as_ptr(),
                    token.lifetime_ms,
                    principal.as_ptr(),
                    ptr::null_mut(),
                    0,
                    errstr.as_mut_ptr(),
                    errstr.len(),
                )
            };
            if err == rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
                return;
            }
            // SAFETY: librdkafka wrote a NUL-terminated message into the buffer.
            unsafe { cstr(errstr.as_ptr()) }
        }
        Err(reason) => reason,
    };
    let reason = c_string(failure);
    // SAFETY: the client is alive (held by `client`); the string is NUL-terminated and
    // copied by the call.
    unsafe { rdsys::rd_kafka_oauthbearer_set_token_failure(rk, reason.as_ptr()) };
}

impl Drop for MainQueuePump {
    // No unsafe here: the thread destroys the queue, then lets the client go, before it ends.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}
