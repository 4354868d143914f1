//! Ending gracefully on a signal: Ctrl-C (SIGINT), SIGTERM and SIGHUP are all treated the same
//! way (commands that stop by themselves get to finish their summary, leave their group and
//! commit what they printed), and the process then exits with 128 + the signal's number.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::error::Error;

/// The signals kctl ends on gracefully.
pub const SIGNALS: [i32; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// Cancelled when one of [`SIGNALS`] arrives; remembers which one.
#[derive(Debug, Clone, Default)]
pub struct Interrupt {
    token: CancellationToken,
    signal: Arc<AtomicI32>,
}

impl Interrupt {
    pub fn new() -> Interrupt {
        Interrupt::default()
    }

    /// Records that `signal` arrived and wakes everything waiting on [`Interrupt::cancelled`].
    pub fn raise(&self, signal: i32) {
        let _ = self
            .signal
            .compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
        self.token.cancel();
    }

    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }

    pub async fn cancelled(&self) {
        self.token.cancelled().await
    }

    /// The signal that arrived first (SIGINT when none did).
    pub fn signal(&self) -> i32 {
        match self.signal.load(Ordering::SeqCst) {
            0 => libc::SIGINT,
            s => s,
        }
    }

    /// The error a command interrupted by this signal ends with.
    pub fn error(&self) -> Error {
        Error::interrupted_by(self.signal())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_signal_decides() {
        let interrupt = Interrupt::new();
        assert!(!interrupt.is_cancelled());
        assert_eq!(interrupt.error().exit_code(), 130);
        interrupt.raise(libc::SIGTERM);
        interrupt.raise(libc::SIGHUP);
        assert!(interrupt.is_cancelled());
        assert_eq!(interrupt.error().exit_code(), 143);
    }
}
