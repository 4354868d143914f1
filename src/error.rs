//! Errors and exit codes.
//!
//! Every failure carries an [`ErrorKind`]; the kind alone decides the process exit code, and
//! [`ErrorKind::exit_code`] is the one place where that mapping lives.

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

/// What went wrong, as far as the exit code is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad arguments or flags: exit 2.
    Usage,
    /// Anything that failed while doing the work: exit 1.
    Runtime,
    /// The user pressed Ctrl-C (or a SIGTERM or SIGHUP came): exit 128 + the signal.
    Interrupted(i32),
    /// Stdout was closed by the reader (`| head`): a quiet, successful exit.
    BrokenPipe,
}

impl ErrorKind {
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::Usage => exit::USAGE,
            ErrorKind::Runtime => exit::RUNTIME,
            ErrorKind::Interrupted(signal) => exit::signalled(signal),
            ErrorKind::BrokenPipe => exit::OK,
        }
    }
}

/// An error with a kind, a readable message chain and an optional hint for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    hint: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            hint: None,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Usage, message)
    }

    pub fn runtime(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Runtime, message)
    }

    /// Ctrl-C.
    pub fn interrupted() -> Self {
        Error::interrupted_by(libc::SIGINT)
    }

    /// Ended by `signal` (one of SIGINT, SIGTERM, SIGHUP).
    pub fn interrupted_by(signal: i32) -> Self {
        Error::new(ErrorKind::Interrupted(signal), "interrupted")
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// Adds a hint, printed on its own line after the error.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Prefixes the message with what was being done: `context: message`.
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    pub fn exit_code(&self) -> i32 {
        self.kind.exit_code()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
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

/// Adds context to the error of a `Result`.
pub trait ResultExt<T> {
    fn context(self, context: impl fmt::Display) -> Result<T>;
}

impl<T, E: Into<Error>> ResultExt<T> for std::result::Result<T, E> {
    fn context(self, context: impl fmt::Display) -> Result<T> {
        self.map_err(|e| e.into().context(context))
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
    }

    #[test]
    fn broken_pipe_is_its_own_kind() {
        let err: Error = io::Error::from(io::ErrorKind::BrokenPipe).into();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
        let err: Error = io::Error::from(io::ErrorKind::NotFound).into();
        assert_eq!(err.kind(), ErrorKind::Runtime);
    }

    #[test]
    fn context_reads_as_one_chain() {
        let err = Error::runtime("topic already exists").context("cannot create topic 'orders'");
        assert_eq!(
            err.to_string(),
            "cannot create topic 'orders': topic already exists"
        );
    }
}
