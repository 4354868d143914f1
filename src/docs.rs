//! Generated documentation: shell completion scripts and man pages, both from the CLI definition.
//! The generated files are committed in `completions/` and `man/`; a test keeps them current.

use std::path::Path;

use clap::CommandFactory;
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
    let cmd = crate::cli::Cli::command();
    man_pages(&cmd, "", &mut files);
    files
}

fn man_pages(cmd: &clap::Command, prefix: &str, files: &mut Vec<(String, Vec<u8>)>) {
    let name = if prefix.is_empty() {
        cmd.get_name().to_string()
    } else {
        format!("{prefix}-{}", cmd.get_name())
    };
    let cmd = cmd.clone().name(name.clone());
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut buf)
        .expect("rendering a man page to memory cannot fail");
    files.push((format!("man/{name}.1"), buf));
    for sub in cmd.get_subcommands() {
        if sub.is_hide_set() {
            continue;
        }
        man_pages(sub, &name, files);
    }
}

/// Writes every generated file under `root`.
pub fn write_all(root: &Path) -> std::io::Result<()> {
    for (path, contents) in generated_files() {
        let path = root.join(path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, contents)?;
    }
    Ok(())
}
