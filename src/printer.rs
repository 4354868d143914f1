//! The printer handed to every command, the one owner of the standard streams: stdout for
//! data (results, records, scripts), stderr for diagnostics (notes, warnings, progress,
//! errors, librdkafka's logs with -v) and for asking.
//!
//! With `-q/--quiet` only data, warnings and errors are printed: no progress bars, summaries or
//! notes. Warnings stay: each says something may be wrong (a secret others can read, a partial
//! listing), which quiet scripts need to know as much as people do.

use std::io::{self, BufWriter, IsTerminal, StdoutLock, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
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
    pub fn confirm(&self, action: &str, details: Option<&str>, yes: bool) -> Result<bool> {
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
        dialoguer::Confirm::new()
            .with_prompt(prompt)
            .default(false)
            .interact()
            .map_err(|e| {
                // dialoguer hides the cursor while it waits for the key and shows it again only
                // when it got one: Ctrl-C (read as a key in raw mode) or a read error would
                // leave the terminal without a cursor. End the prompt's line too.
                let term = dialoguer::console::Term::stderr();
                let _ = term.show_cursor();
                let _ = term.write_line("");
                match e {
                    dialoguer::Error::IO(io) if io.kind() == io::ErrorKind::Interrupted => {
                        Error::interrupted()
                    }
                    e => Error::runtime(format!("cannot read the confirmation: {e}")),
                }
            })
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
