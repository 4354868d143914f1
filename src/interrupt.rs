//! Ending gracefully on a signal: Ctrl-C (SIGINT), SIGTERM and SIGHUP are all treated the same
//! way (commands that stop by themselves get to finish their summary, leave their group and
//! commit what they printed), and the process then exits with 128 + the signal's number.
//!
//! One request to stop often comes as several signals at once: GNU `timeout` sends its signal
//! to kctl and then to kctl's process group, a shell's `kill -- -PGID` or a supervisor reaches
//! every process of the group, a terminal's Ctrl-C reaches the whole pipeline. Signals within
//! [`FOLD_WINDOW`] of the first are that same request and change nothing (the clean exit goes
//! on). A signal after it is someone asking again, who wants out now: the process exits at
//! once, without the clean exit.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::error::Error;

/// The signals kctl ends on gracefully.
pub const SIGNALS: [i32; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// Signals this soon after the first are part of the same request to stop.
pub const FOLD_WINDOW: Duration = Duration::from_secs(1);

/// What a signal means, given those before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// The first: end cleanly.
    First,
    /// Within [`FOLD_WINDOW`] of the first: the same request, already under way.
    Folded,
    /// Later: asked again, end at once.
    Again,
}

/// Cancelled when one of [`SIGNALS`] arrives; remembers which one.
#[derive(Debug, Clone, Default)]
pub struct Interrupt {
    token: CancellationToken,
    signal: Arc<AtomicI32>,
    /// When the first signal arrived.
    first: Arc<OnceLock<Instant>>,
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

    /// Records that `signal` arrived now and says what it means: the first raises the
    /// interrupt, those within `window` of it are folded into it, later ones are asked again.
    pub fn arrived(&self, signal: i32, window: Duration) -> Arrival {
        let now = Instant::now();
        let first = *self.first.get_or_init(|| now);
        if first == now {
            self.raise(signal);
            Arrival::First
        } else if now.duration_since(first) < window {
            Arrival::Folded
        } else {
            Arrival::Again
        }
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

    #[test]
    fn signals_soon_after_the_first_are_folded_into_it() {
        let interrupt = Interrupt::new();
        let window = Duration::from_millis(200);
        assert_eq!(interrupt.arrived(libc::SIGTERM, window), Arrival::First);
        assert_eq!(interrupt.arrived(libc::SIGTERM, window), Arrival::Folded);
        assert_eq!(interrupt.arrived(libc::SIGINT, window), Arrival::Folded);
        assert_eq!(interrupt.error().exit_code(), 143);
        std::thread::sleep(window);
        assert_eq!(interrupt.arrived(libc::SIGINT, window), Arrival::Again);
        assert_eq!(interrupt.error().exit_code(), 143);
    }
}
