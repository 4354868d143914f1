//! The process's standard streams as kctl relies on them: stdout closed before kctl started
//! (`>&-`) is noticed instead of written to in vain, and a reader that went away is noticed
//! even while kctl has nothing to write.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

use rustix::event::{poll, PollFd, PollFlags};

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Call first thing. A stdout closed when kctl started (`>&-`) would take any output silently:
/// Rust's runtime opens /dev/null on closed standard descriptors before `main` (so no file or
/// socket can become descriptor 1), read-write, which no shell redirection does. That is how
/// such a stdout is told from `> /dev/null`, and remembered for [`stdout_closed`].
pub fn guard_standard_fds() {
    let stdout = io::stdout();
    let is_null = |st: &rustix::fs::Stat| {
        rustix::fs::stat("/dev/null").is_ok_and(|null| {
            rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::CharacterDevice
                && st.st_rdev == null.st_rdev
        })
    };
    let filled_in = rustix::fs::fstat(&stdout).is_ok_and(|st| is_null(&st))
        && rustix::fs::fcntl_getfl(&stdout)
            .is_ok_and(|flags| flags & rustix::fs::OFlags::ACCMODE == rustix::fs::OFlags::RDWR);
    if filled_in {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Whether stdout was closed when kctl started.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
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
