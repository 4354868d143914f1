//! The process's standard streams as kctl relies on them: stdout closed before kctl started
//! (`>&-`) is noticed instead of written to in vain, and a reader that went away is noticed
//! even while kctl has nothing to write.

use std::io;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};

use rustix::event::{poll, PollFd, PollFlags};

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Call first thing. Rust's stdout swallows the errors of a closed descriptor (EBADF), so a
/// closed stdout would take any output silently; worse, the next file or socket opened would
/// become descriptor 1. Closed standard descriptors are opened on /dev/null instead, and a
/// closed stdout is remembered for [`stdout_closed`].
pub fn guard_standard_fds() {
    if rustix::io::fcntl_getfd(io::stdout()).is_err() {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
    // Each open takes the lowest free descriptor: fill 0, 1 and 2 while any is closed.
    loop {
        let Ok(file) = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/null")
        else {
            return;
        };
        if file.as_raw_fd() > 2 {
            return;
        }
        // It stands in for a standard stream for the life of the process.
        std::mem::forget(file);
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
        Ok(n) if n > 0 => fds[0]
            .revents()
            .intersects(PollFlags::ERR | PollFlags::HUP),
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
        assert!(err.to_string().starts_with("cannot write to stdout: "), "{err}");
        let err = stdout_error(io::ErrorKind::BrokenPipe.into());
        assert_eq!(err.kind(), crate::error::ErrorKind::BrokenPipe);
    }
}
