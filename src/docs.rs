//! Generated documentation: shell completion scripts and man pages, both from the CLI definition.
//! The generated files are committed in `completions/` and `man/`; a test keeps them current.

use std::collections::BTreeMap;
use std::path::Path;

use clap_complete::Shell;

/// Shells kctl ships completion scripts for, with the file name of each.
pub const COMPLETIONS: &[(Shell, &str)] = &[
    (Shell::Bash, "kctl.bash"),
    (Shell::Zsh, "_kctl"),
    (Shell::Fish, "kctl.fish"),
    (Shell::PowerShell, "_kctl.ps1"),
    (Shell::Elvish, "kctl.elv"),
];

/// Every generated file: (path relative to the repo root, contents).
pub fn generated_files() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for (shell, name) in COMPLETIONS {
        files.push((
            format!("completions/{name}"),
            crate::commands::completions::script(*shell),
        ));
    }
    let (cmd, after_help) = crate::help::command();
    man_pages(&cmd, &after_help, &mut files);
    files
}

/// The date the man pages carry (their `.TH` line): the date of the last change to their
/// layout or content worth noting. A fixed date keeps the generated pages reproducible.
const MAN_DATE: &str = "2026-12-07";

/// One page per command, as git's and ripgrep's read: NAME, SYNOPSIS with every option and its
/// placeholder, DESCRIPTION, OPTIONS, the global options, COMMANDS (with the page of each),
/// EXAMPLES as written, EXIT STATUS, ENVIRONMENT and SEE ALSO naming only pages that exist.
fn man_pages(
    cmd: &clap::Command,
    after_help: &BTreeMap<String, String>,
    files: &mut Vec<(String, Vec<u8>)>,
) {
    let mut root = cmd.clone();
    root.build();
    let globals: Vec<clap::Arg> = root
        .get_arguments()
        .filter(|a| a.is_global_set() && !a.is_hide_set())
        .cloned()
        .collect();
    let mut pages = Vec::new();
    collect(&root, &[], &mut pages);
    for path in &pages {
        let page = man_page(&root, path, &globals, after_help, &pages);
        files.push((format!("man/{}.1", path.join("-")), page.into_bytes()));
    }
}

/// The command paths that get a page: every visible command but clap's `help`.
fn collect(cmd: &clap::Command, prefix: &[String], pages: &mut Vec<Vec<String>>) {
    let mut path = prefix.to_vec();
    path.push(cmd.get_name().to_string());
    pages.push(path.clone());
    for sub in visible_subcommands(cmd) {
        collect(sub, &path, pages);
    }
}

fn visible_subcommands(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
}

fn find<'a>(root: &'a clap::Command, path: &[String]) -> &'a clap::Command {
    path[1..].iter().fold(root, |cmd, name| {
        cmd.find_subcommand(name).expect("a collected path exists")
    })
}

fn man_page(
    root: &clap::Command,
    path: &[String],
    globals: &[clap::Arg],
    after_help: &BTreeMap<String, String>,
    pages: &[Vec<String>],
) -> String {
    let cmd = find(root, path);
    let name = path.join("-");
    let words = path.join(" ");
    let about = cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
    let mut out = String::new();
    out.push_str(&format!(
        ".TH {} 1 {MAN_DATE} \"kctl {}\" \"kctl Manual\"\n",
        roff_text(&name.to_uppercase()),
        env!("CARGO_PKG_VERSION")
    ));
    // No hyphenation or justification: options and commands read as typed.
    out.push_str(".nh\n.ad l\n");
    out.push_str(".SH NAME\n");
    out.push_str(&format!("{} \\- {}\n", roff_text(&name), roff_text(&about)));

    // SYNOPSIS: the command's own options and arguments, then the global options.
    let own: Vec<&clap::Arg> = cmd
        .get_arguments()
        .filter(|a| !a.is_global_set() && !a.is_hide_set() && !is_builtin(a))
        .collect();
    out.push_str(".SH SYNOPSIS\n");
    let mut synopsis = format!("\\fB{}\\fR", roff_text(&words));
    for arg in own.iter().filter(|a| !a.is_positional()) {
        synopsis.push(' ');
        synopsis.push_str(&synopsis_option(arg));
    }
    if path.len() > 1 || !globals.is_empty() {
        synopsis.push_str(" [\\fIGLOBAL OPTIONS\\fR]");
    }
    for arg in own.iter().filter(|a| a.is_positional()) {
        synopsis.push(' ');
        synopsis.push_str(&synopsis_positional(arg));
    }
    if cmd.has_subcommands() {
        synopsis.push_str(" \\fICOMMAND\\fR");
    }
    out.push_str(&synopsis);
    out.push('\n');

    out.push_str(".SH DESCRIPTION\n");
    let long = cmd
        .get_long_about()
        .map(|a| a.to_string())
        .unwrap_or(about.clone());
    paragraphs(&mut out, &long);
    // Prose before the examples belongs to the description.
    let (notes, example_text) = match after_help.get(&words) {
        Some(text) if text.starts_with("Examples:") => (None, Some(text.as_str())),
        Some(text) => match text.split_once("\nExamples:\n") {
            Some((notes, examples)) => (Some(notes), Some(examples)),
            None => (Some(text.as_str()), None),
        },
        None => (None, None),
    };
    if let Some(notes) = notes {
        out.push_str(".PP\n");
        paragraphs(&mut out, notes);
    }

    if !own.is_empty() {
        out.push_str(".SH OPTIONS\n");
        for arg in &own {
            option_item(&mut out, arg);
        }
    }
    if !globals.is_empty() {
        out.push_str(".SH GLOBAL OPTIONS\n");
        if path.len() > 1 {
            out.push_str("Every kctl command takes these; see \\fBkctl\\fR(1).\n");
        }
        for arg in globals {
            option_item(&mut out, arg);
        }
    }
    let subs: Vec<&clap::Command> = visible_subcommands(cmd).collect();
    if !subs.is_empty() {
        out.push_str(".SH COMMANDS\n");
        for sub in &subs {
            let sub_name = format!("{name}-{}", sub.get_name());
            out.push_str(&format!(".TP\n\\fB{}\\fR(1)\n", roff_text(&sub_name)));
            let text = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
            out.push_str(&format!("{}\n", roff_line(&text)));
        }
    }
    if let Some(text) = example_text {
        out.push_str(".SH EXAMPLES\n");
        examples(&mut out, text);
    }
    out.push_str(EXIT_STATUS);
    out.push_str(ENVIRONMENT);

    // SEE ALSO: the parent, the subcommands, and kctl(1); every one a page that exists.
    let mut see: Vec<String> = Vec::new();
    if path.len() > 1 {
        see.push(path[..path.len() - 1].join("-"));
    }
    see.extend(subs.iter().map(|s| format!("{name}-{}", s.get_name())));
    if path.len() > 2 {
        see.insert(0, "kctl".to_string());
    }
    see.retain(|p| pages.iter().any(|page| &page.join("-") == p));
    if !see.is_empty() {
        out.push_str(".SH SEE ALSO\n");
        let refs: Vec<String> = see
            .iter()
            .map(|p| format!("\\fB{}\\fR(1)", roff_text(p)))
            .collect();
        out.push_str(&refs.join(",\n"));
        out.push('\n');
    }
    out
}

const EXIT_STATUS: &str = ".SH EXIT STATUS
.TP
0
Success.
.TP
1
A runtime failure: the broker refused, a call timed out, input data was invalid.
.TP
2
A usage error: bad arguments, flags or settings.
.TP
130, 143, 129
Interrupted by SIGINT, SIGTERM or SIGHUP (128 plus the signal number).
";

const ENVIRONMENT: &str = ".SH ENVIRONMENT
.TP
\\fBKCTL_BROKERS\\fR
Bootstrap brokers when \\fB\\-b\\fR is not given (empty means unset).
.TP
\\fBKCTL_CONTEXT\\fR
The context of the config file to use when \\fB\\-\\-context\\fR is not given.
.TP
\\fBKCTL_REGISTRY\\fR
The schema registry's URL when \\fB\\-\\-registry\\fR is not given.
.TP
\\fBKCTL_CONFIG\\fR
The config file (default \\fI~/.config/kctl/config.toml\\fR).
";

/// clap's own --help and --version.
fn is_builtin(arg: &clap::Arg) -> bool {
    matches!(arg.get_id().as_str(), "help" | "version")
}

fn value_names(arg: &clap::Arg) -> String {
    let names = arg
        .get_value_names()
        .map(|v| v.iter().map(|n| n.to_string()).collect::<Vec<_>>())
        .unwrap_or_else(|| vec![arg.get_id().as_str().to_uppercase()]);
    names
        .iter()
        .map(|n| format!("\\fI{}\\fR", roff_text(n)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn flag_names(arg: &clap::Arg) -> Vec<String> {
    let mut names = Vec::new();
    if let Some(short) = arg.get_short() {
        names.push(format!("\\fB\\-{}\\fR", roff_text(&short.to_string())));
    }
    if let Some(long) = arg.get_long() {
        names.push(format!("\\fB\\-\\-{}\\fR", roff_text(long)));
    }
    names
}

fn synopsis_option(arg: &clap::Arg) -> String {
    let mut text = flag_names(arg).into_iter().next().unwrap_or_default();
    if arg.get_action().takes_values() {
        text.push(' ');
        text.push_str(&value_names(arg));
    }
    let repeated = matches!(
        arg.get_action(),
        clap::ArgAction::Append | clap::ArgAction::Count
    );
    if repeated {
        text.push_str("...");
    }
    match arg.is_required_set() {
        true => text,
        false => format!("[{text}]"),
    }
}

fn synopsis_positional(arg: &clap::Arg) -> String {
    let mut text = value_names(arg);
    if matches!(arg.get_action(), clap::ArgAction::Append)
        || arg.get_num_args().is_some_and(|n| n.max_values() > 1)
    {
        text.push_str("...");
    }
    match arg.is_required_set() {
        true => text,
        false => format!("[{text}]"),
    }
}

fn option_item(out: &mut String, arg: &clap::Arg) {
    let mut head = if arg.is_positional() {
        synopsis_positional(arg)
    } else {
        flag_names(arg).join(", ")
    };
    if !arg.is_positional() && arg.get_action().takes_values() {
        head.push(' ');
        head.push_str(&value_names(arg));
    }
    out.push_str(&format!(".TP\n{head}\n"));
    let help = arg
        .get_long_help()
        .or(arg.get_help())
        .map(|h| h.to_string())
        .unwrap_or_default();
    let mut text = help.trim().to_string();
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    if !values.is_empty() && !text.contains("possible values") {
        text.push_str(&format!(" [possible values: {}]", values.join(", ")));
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && arg.get_action().takes_values() {
        text.push_str(&format!(" [default: {}]", defaults.join(", ")));
    }
    paragraphs(out, &text);
}

/// Text as roff paragraphs (a blank line starts a new one).
fn paragraphs(out: &mut String, text: &str) {
    let mut first = true;
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        if !first {
            out.push_str(".IP\n");
        }
        first = false;
        for line in para.lines() {
            out.push_str(&roff_line(line.trim()));
            out.push('\n');
        }
    }
}

/// Examples as written: indented lines (commands, file contents) unfilled, prose as prose.
fn examples(out: &mut String, text: &str) {
    let mut in_code = false;
    // A paragraph macro right after the section heading is one too many for mandoc.
    let mut first = true;
    // The section heading says it already.
    let text = text.strip_prefix("Examples:\n").unwrap_or(text);
    for line in text.lines() {
        let code = line.starts_with(' ');
        if code && !in_code {
            out.push_str(if first {
                ".RS 4\n.nf\n"
            } else {
                ".PP\n.RS 4\n.nf\n"
            });
        } else if !code && in_code {
            out.push_str(".fi\n.RE\n");
        }
        in_code = code;
        if line.trim().is_empty() {
            continue;
        }
        if !code && !first {
            out.push_str(".PP\n");
        }
        first = false;
        out.push_str(&roff_line(line.trim()));
        out.push('\n');
    }
    if in_code {
        out.push_str(".fi\n.RE\n");
    }
}

/// Text escaped for roff: backslashes and hyphens (so `--all` renders as typed).
fn roff_text(text: &str) -> String {
    text.replace('\\', "\\e").replace('-', "\\-")
}

/// A text line for roff: escaped, and kept from being read as a request.
fn roff_line(text: &str) -> String {
    let escaped = roff_text(text);
    if escaped.starts_with('.') || escaped.starts_with('\'') {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

/// Man pages in `root/man/` that kctl no longer generates.
pub fn stale_man_pages(root: &Path) -> std::io::Result<Vec<String>> {
    let generated: Vec<String> = generated_files().into_iter().map(|(p, _)| p).collect();
    let mut stale = Vec::new();
    for entry in std::fs::read_dir(root.join("man"))? {
        let name = format!("man/{}", entry?.file_name().to_string_lossy());
        if name.ends_with(".1") && !generated.contains(&name) {
            stale.push(name);
        }
    }
    stale.sort();
    Ok(stale)
}

/// Writes every generated file under `root`, and removes man pages no longer generated.
pub fn write_all(root: &Path) -> std::io::Result<()> {
    for stale in stale_man_pages(root)? {
        std::fs::remove_file(root.join(stale))?;
    }
    for (path, contents) in generated_files() {
        let path = root.join(path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, contents)?;
    }
    Ok(())
}
