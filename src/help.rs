//! Help text that can be copied: each command's examples (its `after_help`) are printed as
//! written, never wrapped.
//!
//! clap wraps the text after the options at the help width (at most 100 columns), which cut
//! long example commands in two, mid-argument, even on a wide terminal. So the parser is built
//! without those texts ([`command`]), and when clap prints a command's help, [`print_error`]
//! prints its text after it: lines indented by two spaces (commands, file contents) as they
//! are, prose wrapped at the help width. The man pages take the same texts ([`after_help`]).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;

use clap::error::ErrorKind;
use clap::CommandFactory;

/// Width that prose wraps at, as clap's `max_term_width`.
pub const MAX_WIDTH: usize = 100;

/// The parser, without the texts after the options, and those texts by command path ("kctl
/// topics create").
pub fn command() -> (clap::Command, BTreeMap<String, String>) {
    let mut texts = BTreeMap::new();
    let cmd = detach(crate::cli::Cli::command(), "", &mut texts);
    (cmd, texts)
}

/// Every command's text after the options, by command path.
pub fn after_help() -> BTreeMap<String, String> {
    command().1
}

fn detach(
    mut cmd: clap::Command,
    prefix: &str,
    texts: &mut BTreeMap<String, String>,
) -> clap::Command {
    let path = if prefix.is_empty() {
        cmd.get_name().to_string()
    } else {
        format!("{prefix} {}", cmd.get_name())
    };
    if let Some(text) = cmd.get_after_help() {
        texts.insert(path.clone(), text.to_string());
        cmd = cmd.after_help(None::<&str>);
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(&name, |sub| detach(sub, &path, texts));
    }
    cmd
}

/// Prints a parse error or help as clap would, then, for help, the command's examples.
pub fn print_error(
    err: &clap::Error,
    cmd: &clap::Command,
    texts: &BTreeMap<String, String>,
    args: &[OsString],
) {
    let _ = err.print();
    let help = matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    if !help {
        return;
    }
    let path = help_path(cmd, args);
    let Some(text) = texts.get(&path) else {
        return;
    };
    let out = format!("\n{}\n", layout(text, width()));
    let _ = match err.use_stderr() {
        false => std::io::stdout().lock().write_all(out.as_bytes()),
        true => std::io::stderr().lock().write_all(out.as_bytes()),
    };
}

/// clap's error, with the hidden commands left out of a "requires a subcommand" list.
pub fn without_hidden(mut err: clap::Error) -> clap::Error {
    use clap::error::{ContextKind, ContextValue};
    if err.kind() == ErrorKind::MissingSubcommand {
        if let Some(ContextValue::Strings(names)) = err.get(ContextKind::ValidSubcommand) {
            let names = names
                .iter()
                .filter(|n| !n.starts_with("__"))
                .cloned()
                .collect();
            err.insert(ContextKind::ValidSubcommand, ContextValue::Strings(names));
        }
    }
    err
}

/// The command whose help the arguments ask for: the subcommand names among them (after
/// `help`, for `kctl help topics create`), skipping options and their values.
fn help_path(root: &clap::Command, args: &[OsString]) -> String {
    let mut root = root.clone();
    root.build();
    let mut path = vec![root.get_name().to_string()];
    let mut cmd = &root;
    let mut words = args.iter().skip(1).filter_map(|a| a.to_str());
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        if let Some(option) = word.strip_prefix('-').filter(|o| !o.is_empty()) {
            if takes_value(cmd, option) {
                words.next();
            }
            continue;
        }
        if word == "help" {
            // `kctl help topics create`: clap's help command, followed by the path.
            continue;
        }
        if let Some(sub) = cmd.find_subcommand(word) {
            path.push(sub.get_name().to_string());
            cmd = sub;
        }
    }
    path.join(" ")
}

/// Whether `-X`/`--name` (given without its `-`) is an option whose value is the next word.
fn takes_value(cmd: &clap::Command, option: &str) -> bool {
    let arg = if let Some(long) = option.strip_prefix('-') {
        if long.contains('=') {
            return false;
        }
        cmd.get_arguments().find(|a| a.get_long() == Some(long))
    } else {
        let mut chars = option.chars();
        let (Some(short), None) = (chars.next(), chars.next()) else {
            return false;
        };
        cmd.get_arguments().find(|a| a.get_short() == Some(short))
    };
    arg.is_some_and(|a| a.get_action().takes_values())
}

/// Help's width: the terminal's (stdout's, else stderr's), at most [`MAX_WIDTH`].
fn width() -> usize {
    let size = rustix::termios::tcgetwinsize(std::io::stdout())
        .or_else(|_| rustix::termios::tcgetwinsize(std::io::stderr()));
    match size {
        Ok(size) if size.ws_col > 0 => usize::from(size.ws_col).min(MAX_WIDTH),
        _ => MAX_WIDTH,
    }
}

/// The text with its prose wrapped at `width` and its indented lines as they are.
pub fn layout(text: &str, width: usize) -> String {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with(' ') || line.chars().count() <= width {
            out.push(line.trim_end().to_string());
            continue;
        }
        let mut current = String::new();
        for word in line.split_whitespace() {
            if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
                out.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
        out.push(current);
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_are_never_wrapped_and_prose_is() {
        let text = "Some prose that is long enough to wrap at twenty columns.\n\nExamples:\n  \
                    kctl acls create --allow --principal User:alice --operation read";
        let laid = layout(text, 20);
        assert!(
            laid.contains("\n  kctl acls create --allow --principal User:alice --operation read")
        );
        assert!(laid.lines().take(4).all(|l| l.len() <= 20), "{laid}");
    }

    #[test]
    fn the_help_path_skips_options_and_their_values() {
        let (cmd, texts) = command();
        let args = |s: &str| s.split(' ').map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            help_path(&cmd, &args("kctl -b topics acls create --help")),
            "kctl acls create"
        );
        assert_eq!(
            help_path(&cmd, &args("kctl help topics delete-records")),
            "kctl topics delete-records"
        );
        assert_eq!(
            help_path(&cmd, &args("kctl --context=x consume -h")),
            "kctl consume"
        );
        assert!(texts.contains_key("kctl acls create"));
        assert!(texts.contains_key("kctl"));
        // The parser has none left to wrap.
        let mut built = cmd.clone();
        built.build();
        assert!(built.get_after_help().is_none());
    }
}
