//! Errors and exit codes.
//!
//! An [`Error`] has a [`ErrorKind`], where it came from (what code acts on, never its words),
//! a chain of causes read as one line (`what failed: why`), and an optional hint. The kind
//! alone decides the process exit code: [`ErrorKind::exit_code`] is the one place where that
//! mapping lives.

use std::fmt;
use std::io;

/// Process exit codes, in one place.
pub mod exit {
    /// Success.
    pub const OK: i32 = 0;
    /// A runtime failure: the broker said no, a call timed out, input data was invalid.
    pub const RUNTIME: i32 = 1;
    /// The command line itself was wrong (clap uses the same code).
    pub const USAGE: i32 = 2;
    /// Ended by a signal: 128 + its number (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).
    pub fn signalled(signal: i32) -> i32 {
        128 + signal
    }
}

/// Where a failure came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad arguments, flags or settings (a malformed -X, a confirmation that cannot be asked).
    Usage,
    /// The data kctl was given to work on is invalid (a record produce cannot send), at this
    /// (line, column) when known.
    InvalidInput { position: Option<(u64, u64)> },
    /// No answer in time to `what` (e.g. "cannot list offsets").
    Timeout { what: String },
    /// No broker answered at all at these bootstrap addresses.
    Unreachable { addresses: String },
    /// A TLS handshake or SASL login failed, or no OAUTHBEARER token could be had.
    Authentication,
    /// The broker refused for lack of permission.
    Authorization,
    /// A topic, partition or consumer group that does not exist (`resource` names it).
    NotFound { resource: String },
    /// Ended by this signal (SIGINT, SIGTERM or SIGHUP).
    Interrupted(i32),
    /// Stdout was closed by the reader (`| head`): a quiet, successful exit.
    BrokenPipe,
    /// Anything else that failed while doing the work.
    Runtime,
}

impl ErrorKind {
    pub fn exit_code(&self) -> i32 {
        match self {
            ErrorKind::Usage => exit::USAGE,
            ErrorKind::Interrupted(signal) => exit::signalled(*signal),
            ErrorKind::BrokenPipe => exit::OK,
            ErrorKind::InvalidInput { .. }
            | ErrorKind::Timeout { .. }
            | ErrorKind::Unreachable { .. }
            | ErrorKind::Authentication
            | ErrorKind::Authorization
            | ErrorKind::NotFound { .. }
            | ErrorKind::Runtime => exit::RUNTIME,
        }
    }
}

/// An error: its kind, what failed and why (outermost first), and an optional hint for the
/// user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    causes: Vec<String>,
    hint: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            causes: vec![message.into()],
            hint: None,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Usage, message)
    }

    pub fn runtime(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Runtime, message)
    }

    /// `resource` (e.g. "topic 'orders'") does not exist; `message` says so.
    pub fn not_found(resource: impl Into<String>, message: impl Into<String>) -> Self {
        Error::new(
            ErrorKind::NotFound {
                resource: resource.into(),
            },
            message,
        )
    }

    /// Invalid input at (line, column), when known.
    pub fn invalid_input(position: Option<(u64, u64)>, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidInput { position }, message)
    }

    /// Ctrl-C.
    pub fn interrupted() -> Self {
        Error::interrupted_by(libc::SIGINT)
    }

    /// Ended by `signal` (one of SIGINT, SIGTERM, SIGHUP).
    pub fn interrupted_by(signal: i32) -> Self {
        Error::new(ErrorKind::Interrupted(signal), "interrupted")
    }

    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The whole chain as one line: `what failed: why`.
    pub fn message(&self) -> String {
        self.causes.join(": ")
    }

    /// Why it failed, without what failed: the causes after the first (the whole message
    /// when there is only one).
    pub fn reason(&self) -> String {
        match self.causes.len() {
            0 | 1 => self.message(),
            _ => self.causes[1..].join(": "),
        }
    }

    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// Adds a hint, printed on its own line after the error.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The same error, of another kind.
    pub fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// Puts what was being done in front: `context: message`.
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.causes.insert(0, context.to_string());
        self
    }

    /// Adds why, after what failed: `message: cause`.
    pub fn because(mut self, cause: impl fmt::Display) -> Self {
        self.causes.push(cause.to_string());
        self
    }

    pub fn exit_code(&self) -> i32 {
        self.kind.exit_code()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for Error {}

impl From<io::Error> for Error {
    fn from(err: io::Error) -> Self {
        if err.kind() == io::ErrorKind::BrokenPipe {
            Error::new(ErrorKind::BrokenPipe, "broken pipe")
        } else {
            Error::runtime(err.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_fixed() {
        assert_eq!(ErrorKind::Usage.exit_code(), 2);
        assert_eq!(ErrorKind::Runtime.exit_code(), 1);
        assert_eq!(ErrorKind::Interrupted(libc::SIGINT).exit_code(), 130);
        assert_eq!(ErrorKind::Interrupted(libc::SIGTERM).exit_code(), 143);
        assert_eq!(ErrorKind::Interrupted(libc::SIGHUP).exit_code(), 129);
        assert_eq!(ErrorKind::BrokenPipe.exit_code(), 0);
        for runtime in [
            ErrorKind::InvalidInput { position: None },
            ErrorKind::Timeout { what: "x".into() },
            ErrorKind::Unreachable {
                addresses: "h:1".into(),
            },
            ErrorKind::Authentication,
            ErrorKind::Authorization,
            ErrorKind::NotFound {
                resource: "topic 'x'".into(),
            },
        ] {
            assert_eq!(runtime.exit_code(), 1, "{runtime:?}");
        }
    }

    #[test]
    fn broken_pipe_is_its_own_kind() {
        let err: Error = io::Error::from(io::ErrorKind::BrokenPipe).into();
        assert_eq!(err.kind(), &ErrorKind::BrokenPipe);
        let err: Error = io::Error::from(io::ErrorKind::NotFound).into();
        assert_eq!(err.kind(), &ErrorKind::Runtime);
    }

    #[test]
    fn causes_read_as_one_chain() {
        let err = Error::runtime("topic already exists").context("cannot create topic 'orders'");
        assert_eq!(
            err.to_string(),
            "cannot create topic 'orders': topic already exists"
        );
        let err = Error::new(
            ErrorKind::Timeout {
                what: "cannot list offsets".into(),
            },
            "cannot list offsets",
        )
        .because("no answer from the cluster at h:1 within 1s");
        assert_eq!(
            err.causes,
            [
                "cannot list offsets",
                "no answer from the cluster at h:1 within 1s"
            ]
        );
        assert_eq!(
            err.message(),
            "cannot list offsets: no answer from the cluster at h:1 within 1s"
        );
    }
}
