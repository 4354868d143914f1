//! The printer handed to every command, the one owner of the standard streams: stdout for
//! data (results, records, scripts), stderr for diagnostics (notes, warnings, progress,
//! errors, librdkafka's logs with -v) and for asking.
//!
//! With `-q/--quiet` only data, warnings and errors are printed: no progress bars, summaries or
//! notes. Warnings stay: each says something may be wrong (a secret others can read, a partial
//! listing), which quiet scripts need to know as much as people do.

use std::io::{self, BufWriter, IsTerminal, StdoutLock, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rustix::termios::{LocalModes, OptionalActions, SpecialCodeIndex, Termios};
use serde::Serialize;

use crate::error::{Error, ErrorKind, Result};
use crate::render::{self, Render};
use crate::security;
use crate::stdio;

/// How results are printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// Aligned tables for people.
    #[default]
    Table,
    /// JSON documents for scripts (one JSON object per line for streams).
    Json,
}

#[derive(Debug, Clone)]
pub struct Printer {
    format: OutputFormat,
    quiet: bool,
    stdin_tty: bool,
    stderr_tty: bool,
}

impl Printer {
    pub fn new(format: OutputFormat, quiet: bool) -> Printer {
        Printer {
            format,
            quiet,
            stdin_tty: io::stdin().is_terminal(),
            stderr_tty: io::stderr().is_terminal(),
        }
    }

    /// The same printer, printing results in `format`.
    pub fn with_format(self, format: OutputFormat) -> Printer {
        Printer { format, ..self }
    }

    /// Prints a result: a table for people, or a pretty JSON document.
    pub fn print<T: Serialize + Render>(&self, value: &T) -> Result<()> {
        let text = match self.format {
            OutputFormat::Table => render::to_text(&value.blocks()),
            OutputFormat::Json => {
                let mut s = serde_json::to_string_pretty(value)
                    .map_err(|e| Error::runtime(format!("cannot encode JSON: {e}")))?;
                s.push('\n');
                s
            }
        };
        self.write_data(text.as_bytes())
    }

    /// Writes data on stdout as it is (a script, a list of names).
    pub fn write_data(&self, data: &[u8]) -> Result<()> {
        let mut out = self.data_writer(0)?;
        out.write_all(data)
            .and_then(|()| out.flush())
            .map_err(stdio::stdout_error)
    }

    /// Whether stdout is a terminal (where `groups describe --watch` redraws in place).
    pub fn stdout_is_terminal(&self) -> bool {
        io::stdout().is_terminal()
    }

    /// Replaces what the terminal shows with `text`: the cursor home, the screen cleared.
    pub fn redraw(&self, text: &str) -> Result<()> {
        self.write_data(format!("\x1b[H\x1b[2J{text}").as_bytes())
    }

    /// Stdout for a stream of data, locked and buffered with `capacity` bytes: what the
    /// caller writes goes out when it flushes (or the buffer fills). A stdout that was closed
    /// before kctl started is an error, before anything is written.
    pub fn data_writer(&self, capacity: usize) -> Result<BufWriter<StdoutLock<'static>>> {
        if stdio::stdout_closed() {
            return Err(stdio::closed_stdout_error());
        }
        Ok(BufWriter::with_capacity(capacity, io::stdout().lock()))
    }

    /// Checks that stdout can take the result, before a command changes anything (see
    /// [`stdio::check_stdout`]).
    pub fn check_output(&self) -> Result<()> {
        stdio::check_stdout()
    }

    /// A note for people on stderr (a summary, what a result means); none with -q.
    pub fn note(&self, message: impl AsRef<str>) {
        if !self.quiet {
            self.diagnostics().line(message.as_ref());
        }
    }

    /// A warning on stderr, also with -q.
    pub fn warn(&self, message: impl AsRef<str>) {
        self.diagnostics()
            .line(&format!("warning: {}", message.as_ref()));
    }

    /// Prints an error as one readable chain (and its hint) on stderr, secrets scrubbed.
    pub fn report(&self, err: &Error) {
        match err.kind() {
            ErrorKind::BrokenPipe => {}
            ErrorKind::Interrupted(_) => self.diagnostics().line("interrupted"),
            _ => {
                let mut text = format!("error: {}", security::scrub(&err.message()));
                if let Some(hint) = err.hint() {
                    text.push_str(&format!("\nhint: {}", security::scrub(hint)));
                }
                self.diagnostics().line(&text);
            }
        }
    }

    /// Where diagnostics go, for code that runs apart from the printer (librdkafka's log
    /// callbacks, on its threads).
    pub fn diagnostics(&self) -> Diagnostics {
        Diagnostics(())
    }

    /// A progress bar on stderr, hidden unless stderr is a terminal (and with -q).
    pub fn progress(&self, len: Option<u64>, unit: &str) -> ProgressBar {
        let bar = match len {
            Some(n) => ProgressBar::with_draw_target(Some(n), self.draw_target()),
            None => ProgressBar::with_draw_target(None, self.draw_target()),
        };
        let template = if len.is_some() {
            format!(
                "{{spinner}} {{bar:30}} {{percent:>3}}% {{human_pos}} {unit} {{per_sec}} {{eta}}"
            )
        } else {
            format!("{{spinner}} {{human_pos}} {unit} {{per_sec}}")
        };
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        bar
    }

    fn draw_target(&self) -> ProgressDrawTarget {
        if self.stderr_tty && !self.quiet {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        }
    }

    /// Whether there is a terminal to ask on (stdin and stderr).
    pub fn can_prompt(&self) -> bool {
        self.stdin_tty && self.stderr_tty
    }

    /// Asks whether to go ahead with `action` (e.g. "delete topic orders"), after showing
    /// `details` (what it would change); the answer defaults to No. Without a terminal to ask
    /// on it refuses, unless `yes` was given. The details are part of the question, so they
    /// show with -q too.
    ///
    /// One key answers: `y` is yes; `n`, Enter and end of input (Ctrl-D) are No; Ctrl-C is an
    /// interrupt (exit 130). The key is read on the blocking pool, so a signal (SIGTERM,
    /// SIGHUP) ends the command while the question waits, with its own exit code; the
    /// terminal gets its settings back however the question ends.
    pub async fn confirm(&self, action: &str, details: Option<&str>, yes: bool) -> Result<bool> {
        if yes {
            return Ok(true);
        }
        if !self.can_prompt() {
            return Err(Error::usage(format!(
                "refusing to {action} without confirmation: there is no terminal to ask on; pass --yes to proceed"
            )));
        }
        if let Some(details) = details {
            self.diagnostics().line(details);
        }
        let mut chars = action.chars();
        let prompt = match chars.next() {
            Some(first) => format!(
                "{}{}? This cannot be undone",
                first.to_uppercase(),
                chars.as_str()
            ),
            None => String::new(),
        };
        let _ = write!(io::stderr().lock(), "{prompt} [y/N] ");
        // Keys as they are typed, not echoed, and Ctrl-C read as a key: a terminal that is not
        // the process's controlling one (a pseudo-terminal kctl was handed) sends no SIGINT.
        let mut guard = TerminalGuard::set(|t| {
            t.local_modes &= !(LocalModes::ICANON | LocalModes::ECHO | LocalModes::ISIG);
            t.special_codes[SpecialCodeIndex::VMIN] = 1;
            t.special_codes[SpecialCodeIndex::VTIME] = 0;
        });
        let answer = loop {
            let key = tokio::task::spawn_blocking(|| {
                let mut byte = [0u8; 1];
                loop {
                    match rustix::io::read(io::stdin(), &mut byte) {
                        Ok(0) => return None,
                        Ok(_) => return Some(byte[0]),
                        Err(rustix::io::Errno::INTR) => continue,
                        Err(_) => return None,
                    }
                }
            })
            .await
            .map_err(|e| Error::runtime(format!("internal error: {e}")))?;
            match key {
                Some(b'y' | b'Y') => break Ok(true),
                // End of input (Ctrl-D, or a terminal that went away) is No.
                Some(b'n' | b'N' | b'\r' | b'\n' | CTRL_D) | None => break Ok(false),
                Some(CTRL_C) => break Err(Error::interrupted()),
                Some(_) => continue,
            }
        };
        guard.restore();
        let said = match answer {
            Ok(true) => "yes",
            Ok(false) => "no",
            Err(_) => "",
        };
        self.diagnostics().line(said);
        answer
    }

    /// Asks for a secret on the terminal (a password), not echoed; `None` at end of input
    /// (Ctrl-D). Read on the blocking pool, in the terminal's line mode: Ctrl-C there is a
    /// SIGINT, which ends the command (exit 130) while the read still waits, and the terminal
    /// gets its echo back however the question ends.
    pub async fn ask_secret(&self, prompt: &str) -> Result<Option<String>> {
        let _ = write!(io::stderr().lock(), "{prompt}: ");
        let mut guard = TerminalGuard::set(|t| t.local_modes &= !LocalModes::ECHO);
        let line = tokio::task::spawn_blocking(|| {
            let mut line = Vec::new();
            let mut byte = [0u8; 1];
            loop {
                match rustix::io::read(io::stdin(), &mut byte) {
                    // In line mode Ctrl-D ends the read: at the start of the line that is the
                    // end of input.
                    Ok(0) if line.is_empty() => return Ok(None),
                    Ok(0) => continue,
                    Ok(_) if byte[0] == b'\n' => return Ok(Some(line)),
                    Ok(_) => line.push(byte[0]),
                    Err(rustix::io::Errno::INTR) => continue,
                    Err(e) => return Err(io::Error::from(e)),
                }
            }
        })
        .await
        .map_err(|e| Error::runtime(format!("internal error: {e}")))?;
        guard.restore();
        // The Enter that ended the line was not echoed.
        self.diagnostics().line("");
        let line = line.map_err(|e| Error::runtime(format!("cannot read the terminal: {e}")))?;
        line.map(|bytes| {
            String::from_utf8(bytes)
                .map(|s| s.trim_end_matches('\r').to_string())
                .map_err(|_| Error::runtime("the password is not UTF-8"))
        })
        .transpose()
    }
}

const CTRL_C: u8 = 0x03;
const CTRL_D: u8 = 0x04;

/// The terminal's (stdin's) settings from before a question, put back when dropped while
/// still held: the question was given up (a signal ended the command), and the line it was
/// on is ended too.
struct TerminalGuard {
    saved: Option<Termios>,
}

impl TerminalGuard {
    /// Changes the terminal's settings with `change`, keeping the old ones.
    fn set(change: impl FnOnce(&mut Termios)) -> TerminalGuard {
        let saved = rustix::termios::tcgetattr(io::stdin()).ok();
        if let Some(saved) = &saved {
            let mut asking = saved.clone();
            change(&mut asking);
            let _ = rustix::termios::tcsetattr(io::stdin(), OptionalActions::Now, &asking);
        }
        TerminalGuard { saved }
    }

    /// Puts the old settings back (the question was answered).
    fn restore(&mut self) {
        if let Some(saved) = self.saved.take() {
            let _ = rustix::termios::tcsetattr(io::stdin(), OptionalActions::Now, &saved);
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        if self.saved.is_some() {
            self.restore();
            let _ = writeln!(io::stderr().lock());
        }
    }
}

/// The printer's diagnostics stream (stderr), for code that cannot hold the printer: a line at
/// a time, each written whole.
#[derive(Debug, Clone, Copy)]
pub struct Diagnostics(());

impl Diagnostics {
    /// Writes `text` and a newline on stderr.
    pub fn line(&self, text: &str) {
        let _ = writeln!(io::stderr().lock(), "{text}");
    }
}
