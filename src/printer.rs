//! The printer handed to every command: stdout for data, stderr for progress and diagnostics.

use std::io::{self, IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::render::{self, Render};

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
    stdin_tty: bool,
    stderr_tty: bool,
}

impl Printer {
    pub fn new(format: OutputFormat) -> Printer {
        Printer {
            format,
            stdin_tty: io::stdin().is_terminal(),
            stderr_tty: io::stderr().is_terminal(),
        }
    }

    pub fn format(&self) -> OutputFormat {
        self.format
    }

    /// Prints a result: a table for people, or a pretty JSON document.
    pub fn print<T: Serialize + Render>(&self, value: &T) -> Result<()> {
        if crate::stdio::stdout_closed() {
            return Err(crate::stdio::closed_stdout_error());
        }
        let text = match self.format {
            OutputFormat::Table => render::to_text(&value.blocks()),
            OutputFormat::Json => {
                let mut s = serde_json::to_string_pretty(value)
                    .map_err(|e| Error::runtime(format!("cannot encode JSON: {e}")))?;
                s.push('\n');
                s
            }
        };
        let mut out = io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(crate::stdio::stdout_error)
    }

    /// A diagnostic line on stderr (never on stdout, which is for data).
    pub fn note(&self, message: impl AsRef<str>) {
        let _ = writeln!(io::stderr().lock(), "{}", message.as_ref());
    }

    pub fn warn(&self, message: impl AsRef<str>) {
        let _ = writeln!(io::stderr().lock(), "warning: {}", message.as_ref());
    }

    /// A progress bar on stderr, hidden unless stderr is a terminal.
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
        if self.stderr_tty {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        }
    }

    /// Asks whether to go ahead with `action` (e.g. "delete topic orders"); the answer defaults
    /// to No. Without a terminal to ask on it refuses, unless `yes` was given.
    pub fn confirm(&self, action: &str, yes: bool) -> Result<bool> {
        if yes {
            return Ok(true);
        }
        if !(self.stdin_tty && self.stderr_tty) {
            return Err(Error::usage(format!(
                "refusing to {action} without confirmation: there is no terminal to ask on; pass --yes to proceed"
            )));
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
