//! The registry's failures as kctl errors: a transport failure (refused, timed out, TLS) or
//! an HTTP status with the registry's own `error_code` and `message`. Routing is by the HTTP
//! status and the numeric code, never by the message's words.

use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, ErrorKind};

/// The registry's numeric error codes (Confluent's, which Apicurio's ccompat API follows).
pub mod code {
    pub const SUBJECT_NOT_FOUND: i64 = 40401;
    pub const VERSION_NOT_FOUND: i64 = 40402;
    pub const SCHEMA_NOT_FOUND: i64 = 40403;
    pub const SUBJECT_SOFT_DELETED: i64 = 40404;
    pub const SUBJECT_NOT_SOFT_DELETED: i64 = 40405;
    pub const VERSION_SOFT_DELETED: i64 = 40406;
    pub const VERSION_NOT_SOFT_DELETED: i64 = 40407;
    pub const SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED: i64 = 40408;
    pub const SUBJECT_LEVEL_MODE_NOT_CONFIGURED: i64 = 40409;
    pub const INCOMPATIBLE: i64 = 409;
    pub const INVALID_SCHEMA: i64 = 42201;
    pub const INVALID_VERSION: i64 = 42202;
    pub const INVALID_COMPATIBILITY_LEVEL: i64 = 42203;
    pub const INVALID_MODE: i64 = 42204;
    pub const OPERATION_NOT_PERMITTED: i64 = 42205;
    pub const REFERENCE_EXISTS: i64 = 42206;
}

/// The body of a registry's error answer.
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorBody {
    pub error_code: i64,
    #[serde(default)]
    pub message: Option<String>,
}

/// An HTTP answer that was not a success: its status and, when the server is a registry, its
/// error body.
#[derive(Debug, Clone)]
pub struct HttpFailure {
    pub status: u16,
    pub body: Option<ErrorBody>,
}

impl HttpFailure {
    pub fn from_response(status: u16, text: &str) -> HttpFailure {
        HttpFailure {
            status,
            body: serde_json::from_str::<ErrorBody>(text).ok(),
        }
    }

    /// The registry's error code, if it gave one.
    pub fn code(&self) -> Option<i64> {
        self.body.as_ref().map(|b| b.error_code)
    }
}

/// `404 Not Found`, `401 Unauthorized`...
fn status_text(status: u16) -> String {
    match ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("HTTP {status} {reason}"),
        None => format!("HTTP {status}"),
    }
}

/// What the registry said: `HTTP 404 Not Found: Subject 'x' not found. (error code 40401)`.
fn said(failure: &HttpFailure) -> String {
    let mut text = status_text(failure.status);
    if let Some(body) = &failure.body {
        if let Some(message) = body
            .message
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
        {
            text.push_str(&format!(": {message}"));
        }
        text.push_str(&format!(" (error code {})", body.error_code));
    }
    text
}

/// The error for a failed HTTP answer. `what` is what kctl was doing ("cannot get subject
/// 'x'"), `url` the registry, `resource` names the thing a not-found is about.
pub fn http_error(url: &str, what: &str, resource: &str, failure: &HttpFailure) -> Error {
    let cause = format!("the schema registry at {url} answered {}", said(failure));
    let error = |kind: ErrorKind| Error::new(kind, what).because(&cause);
    match (failure.status, failure.code()) {
        (401, _) => error(ErrorKind::Authentication).with_hint(
            "check the registry user and password (--registry-user, --registry-password-env or \
             the context's [registry] table) or its token",
        ),
        (403, _) => error(ErrorKind::Authorization),
        (
            _,
            Some(
                code::SUBJECT_NOT_FOUND
                | code::VERSION_NOT_FOUND
                | code::SCHEMA_NOT_FOUND
                | code::SUBJECT_SOFT_DELETED
                | code::VERSION_SOFT_DELETED,
            ),
        ) => error(ErrorKind::NotFound {
            resource: resource.to_string(),
        }),
        (
            _,
            Some(
                code::INVALID_SCHEMA
                | code::INVALID_VERSION
                | code::INVALID_COMPATIBILITY_LEVEL
                | code::INVALID_MODE,
            ),
        ) => error(ErrorKind::InvalidInput { position: None }),
        (_, Some(code::SUBJECT_NOT_SOFT_DELETED | code::VERSION_NOT_SOFT_DELETED)) => {
            error(ErrorKind::Runtime).with_hint(
                "a permanent delete removes what was deleted before: delete it without \
                 --permanent first",
            )
        }
        // A 404 without a registry's error body: the URL is not a registry's (a wrong path or
        // port), or the registry lacks this endpoint.
        (404, None) => Error::runtime(what)
            .because(format!(
                "{url} does not look like a schema registry ({} without a registry's error)",
                status_text(404)
            ))
            .with_hint(
                "the URL is the registry's base, e.g. http://localhost:8081 (Apicurio: \
                 http://HOST:8080/apis/ccompat/v7)",
            ),
        _ => error(ErrorKind::Runtime),
    }
}

/// The error for a request that got no HTTP answer.
pub fn transport_error(url: &str, what: &str, timeout: Duration, err: &ureq::Error) -> Error {
    use std::io::ErrorKind as Io;
    let cannot = |why: String| format!("cannot reach the schema registry at {url}: {why}");
    let unreachable = |why: String| {
        Error::new(
            ErrorKind::Unreachable {
                addresses: url.to_string(),
            },
            what,
        )
        .because(cannot(why))
    };
    match err {
        ureq::Error::Timeout(_) => Error::new(
            ErrorKind::Timeout {
                what: what.to_string(),
            },
            what,
        )
        .because(format!(
            "no answer from the schema registry at {url} within {}",
            crate::settings::format_duration(timeout)
        )),
        ureq::Error::HostNotFound => unreachable("host not found".to_string()),
        ureq::Error::ConnectionFailed => unreachable("connection failed".to_string()),
        ureq::Error::Io(io) => match io.kind() {
            Io::ConnectionRefused => unreachable("connection refused".to_string()),
            Io::TimedOut | Io::WouldBlock => Error::new(
                ErrorKind::Timeout {
                    what: what.to_string(),
                },
                what,
            )
            .because(format!(
                "no answer from the schema registry at {url} within {}",
                crate::settings::format_duration(timeout)
            )),
            Io::ConnectionReset | Io::ConnectionAborted | Io::UnexpectedEof => Error::runtime(what)
                .because(format!(
                    "the schema registry at {url} closed the connection ({io}): is it an \
                     HTTP{} server?",
                    if url.starts_with("https:") { "S" } else { "" }
                )),
            _ => unreachable(io.to_string()),
        },
        ureq::Error::Tls(_)
        | ureq::Error::NativeTls(_)
        | ureq::Error::Der(_)
        | ureq::Error::Pem(_) => Error::new(ErrorKind::Authentication, what).because(format!(
            "TLS with the schema registry at {url} failed: {err}"
        )),
        ureq::Error::Protocol(_) | ureq::Error::LargeResponseHeader(..) => Error::runtime(what)
            .because(format!(
                "{url} does not speak HTTP as a schema registry does: {err}"
            )),
        other => Error::runtime(what).because(format!("schema registry at {url}: {other}")),
    }
}

/// The error for a success answer that is not what a registry sends.
pub fn unexpected_answer(url: &str, what: &str, status: u16, detail: &str) -> Error {
    Error::runtime(what)
        .because(format!(
            "{url} does not look like a schema registry (its {} answer is not a registry's: {detail})",
            status_text(status)
        ))
        .with_hint(
            "the URL is the registry's base, e.g. http://localhost:8081 (Apicurio: \
             http://HOST:8080/apis/ccompat/v7)",
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_status_and_code() {
        let url = "http://r:1";
        let f = HttpFailure::from_response(
            404,
            r#"{"error_code":40401,"message":"Subject 'x' not found."}"#,
        );
        let e = http_error(url, "cannot get subject 'x'", "subject 'x'", &f);
        assert_eq!(
            e.kind(),
            &ErrorKind::NotFound {
                resource: "subject 'x'".into()
            }
        );
        assert_eq!(
            e.message(),
            "cannot get subject 'x': the schema registry at http://r:1 answered HTTP 404 Not \
             Found: Subject 'x' not found. (error code 40401)"
        );
        let f = HttpFailure::from_response(401, "");
        assert_eq!(
            http_error(url, "w", "r", &f).kind(),
            &ErrorKind::Authentication
        );
        let f = HttpFailure::from_response(403, r#"{"error_code":40301,"message":"no"}"#);
        assert_eq!(
            http_error(url, "w", "r", &f).kind(),
            &ErrorKind::Authorization
        );
        let f = HttpFailure::from_response(422, r#"{"error_code":42201,"message":"bad"}"#);
        assert_eq!(
            http_error(url, "w", "r", &f).kind(),
            &ErrorKind::InvalidInput { position: None }
        );
        let f = HttpFailure::from_response(404, "<html>nope</html>");
        let e = http_error(url, "w", "r", &f);
        assert_eq!(e.kind(), &ErrorKind::Runtime);
        assert!(e.message().contains("does not look like a schema registry"));
        let f = HttpFailure::from_response(409, r#"{"error_code":409,"message":"Incompatible"}"#);
        assert_eq!(http_error(url, "w", "r", &f).kind(), &ErrorKind::Runtime);
    }
}
