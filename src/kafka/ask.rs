//! kctl's own requests to brokers (`wire/`), for what librdkafka has no API for: to the
//! first broker of the metadata that answers, to one given broker, or to several side by
//! side. Each runs on the blocking pool, bounded by the timeout; a failure becomes an
//! [`Error`] of the kind its cause is (a refusal an authorization error, no answer a
//! timeout, a login kctl cannot do a usage error).

use std::time::{Duration, Instant};

use rdkafka::error::RDKafkaErrorCode;
use rdkafka::types::RDKafkaRespErr;

use super::client::Kafka;
use super::conn::TIMEOUT_HINT;
use super::errors::broker_error;
use super::types::{Broker, BrokerError, Code};
use super::wire::{WireError, WireResult, WireSettings};
use crate::error::{Error, ErrorKind, Result};
use crate::settings::format_duration;

/// What to say when kctl's own connections cannot log in as the settings say.
const UNSUPPORTED_HINT: &str = "librdkafka has no API for this, so kctl asks the brokers over \
     its own connections, which speak PLAINTEXT, TLS with PEM files, and SASL PLAIN and SCRAM; \
     use one of those, or Apache's own tools";

impl Kafka {
    /// Runs `call` (address, settings, the broker's id) on the blocking pool against the
    /// first broker of the metadata that can be connected to, all bounded by the timeout.
    pub(super) async fn ask_a_broker<T, F>(&self, what: &str, call: F) -> Result<T>
    where
        T: Send + 'static,
        F: Fn(&str, &WireSettings, i32) -> WireResult<T> + Send + 'static,
    {
        let settings = match &self.wire {
            Ok(settings) => settings.clone(),
            Err(e) => return Err(wire_error(what, None, e.clone())),
        };
        let mut brokers = self.metadata().await?.brokers;
        brokers.sort_by_key(|b| b.id);
        let limit = settings.timeout;
        let job = tokio::task::spawn_blocking(move || first_answer(&brokers, settings, call));
        // The sockets are bounded by the same deadline; this is the net under it.
        match tokio::time::timeout(limit + Duration::from_millis(100), job).await {
            Ok(Ok(Ok(answer))) => Ok(answer),
            Ok(Ok(Err((at, e)))) => Err(wire_error(what, at.as_deref(), e)),
            Ok(Err(e)) => Err(Error::runtime(what).because(format!("internal error: {e}"))),
            Err(_) => Err(wire_error(
                what,
                None,
                WireError::Timeout(format!("no answer within {}", format_duration(limit))),
            )),
        }
    }

    /// The settings of kctl's own connections, or why there are none (as the error of `what`).
    pub(super) fn wire_settings(&self, what: &str) -> Result<WireSettings> {
        self.wire.clone().map_err(|e| wire_error(what, None, e))
    }

    /// Runs `call` (address, settings) on the blocking pool against `broker`, bounded by the
    /// timeout. The error is the exchange's, as it is (the caller words it).
    pub(super) async fn ask_broker<T, F>(
        &self,
        broker: &Broker,
        call: F,
    ) -> std::result::Result<T, WireError>
    where
        T: Send + 'static,
        F: FnOnce(&str, &WireSettings) -> WireResult<T> + Send + 'static,
    {
        let settings = self.wire.clone()?;
        let at = address(broker);
        bounded(settings.timeout, move || call(&at, &settings)).await
    }

    /// [`Kafka::ask_broker`] of each of `brokers` side by side, the answers in their order.
    pub(super) async fn ask_brokers<T, F>(
        &self,
        brokers: &[Broker],
        call: F,
    ) -> Vec<std::result::Result<T, WireError>>
    where
        T: Send + 'static,
        F: Fn(&str, &WireSettings, i32) -> WireResult<T> + Send + Sync + Clone + 'static,
    {
        let asks = brokers.iter().map(|b| {
            let call = call.clone();
            let id = b.id;
            self.ask_broker(b, move |at, settings| call(at, settings, id))
        });
        futures::future::join_all(asks).await
    }
}

/// Runs `job` on the blocking pool; the sockets are bounded by the same `limit`, this is the
/// net under it.
async fn bounded<T: Send + 'static>(
    limit: Duration,
    job: impl FnOnce() -> WireResult<T> + Send + 'static,
) -> WireResult<T> {
    let job = tokio::task::spawn_blocking(job);
    match tokio::time::timeout(limit + Duration::from_millis(100), job).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(e)) => Err(WireError::Protocol(format!("internal error: {e}"))),
        Err(_) => Err(WireError::Timeout(format!(
            "no answer within {}",
            format_duration(limit)
        ))),
    }
}

/// `host:port` of a broker (an IPv6 host in brackets).
pub(super) fn address(b: &Broker) -> String {
    if b.host.contains(':') {
        format!("[{}]:{}", b.host, b.port)
    } else {
        format!("{}:{}", b.host, b.port)
    }
}

/// The answer of the first broker that can be connected to (the others are tried while the
/// timeout lasts), or the last failure with the address it came from.
fn first_answer<T>(
    brokers: &[Broker],
    mut settings: WireSettings,
    call: impl Fn(&str, &WireSettings, i32) -> WireResult<T>,
) -> std::result::Result<T, (Option<String>, WireError)> {
    let deadline = Instant::now() + settings.timeout;
    let mut last = (
        None,
        WireError::Connect("the cluster's metadata names no broker".to_string()),
    );
    for broker in brokers {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        settings.timeout = left;
        let at = address(broker);
        match call(&at, &settings, broker.id) {
            Ok(answer) => return Ok(answer),
            Err(e @ WireError::Connect(_)) => last = (Some(at), e),
            Err(e) => return Err((Some(at), e)),
        }
    }
    Err(last)
}

/// A broker's refusal, read as kctl reads librdkafka's: its code decides what it is.
pub(super) fn refused(code: i16, message: String) -> BrokerError {
    let code = RDKafkaRespErr::try_from(i32::from(code)).map_or(Code::Other, |e| {
        broker_error(RDKafkaErrorCode::from(e), None).code
    });
    BrokerError { code, message }
}

/// The error of an exchange that failed (at a broker's address, when one was asked).
pub(super) fn wire_error(what: &str, at: Option<&str>, e: WireError) -> Error {
    let why = crate::security::scrub(&match at {
        Some(at) => format!("{at}: {e}"),
        None => e.to_string(),
    });
    match e {
        WireError::Unsupported(_) => Error::usage(what).because(why).with_hint(UNSUPPORTED_HINT),
        WireError::Timeout(_) => Error::new(
            ErrorKind::Timeout {
                what: what.to_string(),
            },
            what,
        )
        .because(why)
        .with_hint(TIMEOUT_HINT),
        WireError::Tls(_) | WireError::Auth(_) => {
            Error::new(ErrorKind::Authentication, what).because(why)
        }
        WireError::Refused { code, message } => {
            let cause = refused(code, message);
            Error::new(cause.kind(), what).because(cause)
        }
        WireError::Connect(_) | WireError::UnsupportedApi(_) | WireError::Protocol(_) => {
            Error::runtime(what).because(why)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_read_by_their_code() {
        assert_eq!(refused(31, "no".into()).code, Code::NotAuthorized);
        assert_eq!(refused(40, "no".into()).code, Code::InvalidConfig);
        assert_eq!(refused(44, "no".into()).code, Code::PolicyViolation);
        assert_eq!(refused(9999, "no".into()).code, Code::Other);
        let e = wire_error(
            "cannot read",
            None,
            WireError::Unsupported("kctl's own connections do not speak SASL GSSAPI".into()),
        );
        assert_eq!(e.exit_code(), 2);
        assert!(e.message().contains("GSSAPI"), "{}", e.message());
    }

    #[test]
    fn the_first_broker_that_connects_answers() {
        let broker = |id| Broker {
            id,
            host: "127.0.0.1".into(),
            port: 1,
        };
        let settings = WireSettings::of(&crate::kafka::ClientConfig::for_test(&[])).unwrap();
        let answer = first_answer(
            &[broker(1), broker(2), broker(3)],
            settings.clone(),
            |_, _, id| match id {
                1 => Err(WireError::Connect("refused".into())),
                _ => Ok(id),
            },
        );
        assert_eq!(answer, Ok(2));
        let answer = first_answer(&[broker(1), broker(2)], settings.clone(), |_, _, id| {
            Err::<i32, _>(if id == 1 {
                WireError::refused(31, None)
            } else {
                WireError::Connect("refused".into())
            })
        });
        assert_eq!(answer.unwrap_err().1, WireError::refused(31, None));
        let none = first_answer(&[], settings, |_, _, id| Ok(id));
        assert!(matches!(none, Err((None, WireError::Connect(_)))));
    }
}
