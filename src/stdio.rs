//! The process's standard streams as kctl relies on them: stdout closed before kctl started
//! (`>&-`) is noticed instead of written to in vain, a stdout that cannot take what kctl
//! would write is noticed before a command changes anything, and a reader that went away is
//! noticed even while kctl has nothing to write.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

use rustix::event::{poll, PollFd, PollFlags};

/// Descriptor 1 was not open when the process started (set before `main`, see
/// [`note_stdout_closed_at_start`]).
static CLOSED_AT_START: AtomicBool = AtomicBool::new(false);
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Records that descriptor 1 was not open when the process started. kctl's `main.rs` calls it
/// from a function the C runtime runs before Rust's own start-up code, which puts /dev/null
/// (read-write) on every closed standard descriptor, so that no file or socket opened later
/// can become descriptor 1. Afterwards nothing tells that /dev/null from one the caller gave
/// on purpose: Python's `subprocess.DEVNULL`, Node's `stdio: 'ignore'` and `1<>/dev/null` all
/// open it read-write too. So the check has to come first, and only there is it sound.
pub fn note_stdout_closed_at_start() {
    CLOSED_AT_START.store(true, Ordering::Relaxed);
}

/// Call first thing in `main`: takes on what was found before it ([`stdout_closed`]).
pub fn guard_standard_fds() {
    if CLOSED_AT_START.load(Ordering::Relaxed) {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Whether stdout was closed when kctl started.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// Checks, without writing, that stdout can take what a command prints: it was not closed
/// when kctl started (`>&-`), it was opened for writing (not `1</dev/null`), and it is not
/// /dev/full (`> /dev/full`), which takes nothing. A command that changes something checks
/// this first, so that it never makes its change and then fails to say so. (A disk that
/// fills up, or a reader that goes away, is only found out by writing.)
pub fn check_stdout() -> crate::error::Result<()> {
    if stdout_closed() {
        return Err(closed_stdout_error());
    }
    let stdout = io::stdout();
    let read_only = rustix::fs::fcntl_getfl(&stdout)
        .is_ok_and(|flags| flags & rustix::fs::OFlags::ACCMODE == rustix::fs::OFlags::RDONLY);
    if read_only {
        return Err(stdout_error(io::Error::from_raw_os_error(libc::EBADF)));
    }
    let is_full = rustix::fs::fstat(&stdout).is_ok_and(|st| {
        rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::CharacterDevice
            && rustix::fs::stat("/dev/full").is_ok_and(|full| st.st_rdev == full.st_rdev)
    });
    if is_full {
        return Err(stdout_error(io::Error::from_raw_os_error(libc::ENOSPC)));
    }
    Ok(())
}

/// Whether stdout is a pipe or socket whose reader has gone (`| head` that exited), asked
/// without writing: a consumer with nothing to print would not notice otherwise.
pub fn stdout_reader_gone() -> bool {
    let stdout = io::stdout();
    let mut fds = [PollFd::new(&stdout, PollFlags::empty())];
    let zero = rustix::event::Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    match poll(&mut fds, Some(&zero)) {
        Ok(n) if n > 0 => fds[0].revents().intersects(PollFlags::ERR | PollFlags::HUP),
        _ => false,
    }
}

/// The error of a failed write to stdout, naming it (a closed pipe stays a quiet exit).
pub fn stdout_error(err: io::Error) -> crate::error::Error {
    if err.kind() == io::ErrorKind::BrokenPipe {
        return err.into();
    }
    crate::error::Error::runtime(format!("cannot write to stdout: {err}"))
}

/// The error for a stdout that was closed before kctl started.
pub fn closed_stdout_error() -> crate::error::Error {
    crate::error::Error::runtime(
        "cannot write to stdout: it is closed (>&-); redirect it to a file or /dev/null instead",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_error_names_stdout() {
        let err = stdout_error(io::Error::from_raw_os_error(libc::ENOSPC));
        assert!(
            err.to_string().starts_with("cannot write to stdout: "),
            "{err}"
        );
        let err = stdout_error(io::ErrorKind::BrokenPipe.into());
        assert_eq!(*err.kind(), crate::error::ErrorKind::BrokenPipe);
    }
}
