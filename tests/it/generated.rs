//! The committed completion scripts and man pages match what the CLI generates.
//! Regenerate them with `KCTL_BLESS=1 cargo test --test it generated`.

use std::path::Path;

#[test]
fn completions_and_man_pages_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("KCTL_BLESS").is_some() {
        kctl::docs::write_all(root).unwrap();
    }
    let mut stale = Vec::new();
    for (path, contents) in kctl::docs::generated_files() {
        match std::fs::read(root.join(&path)) {
            Ok(existing) if existing == contents => {}
            _ => stale.push(path),
        }
    }
    stale.extend(kctl::docs::stale_man_pages(root).unwrap());
    assert!(
        stale.is_empty(),
        "generated files are stale: {stale:?}; run `KCTL_BLESS=1 cargo test --test it generated` and commit them"
    );
}

#[test]
fn bash_completion_parses() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/kctl.bash");
    let status = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .status()
        .expect("bash is installed");
    assert!(status.success());
}

/// Every man page passes `mandoc -T lint` at warning level, and names only pages that exist.
#[test]
fn man_pages_lint_clean_and_link_only_to_pages_that_exist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pages: Vec<String> = kctl::docs::generated_files()
        .into_iter()
        .map(|(path, _)| path)
        .filter(|p| p.starts_with("man/"))
        .collect();
    assert!(pages.len() > 30, "{pages:?}");
    let out = std::process::Command::new("mandoc")
        .args(["-T", "lint", "-W", "warning"])
        .args(pages.iter().map(|p| root.join(p)))
        .output()
        .expect(
            "mandoc is installed (Debian package mandoc; scripts/install-test-deps installs it)",
        );
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(said.trim().is_empty(), "mandoc -T lint -W warning:\n{said}");

    let names: Vec<String> = pages
        .iter()
        .map(|p| {
            p.trim_start_matches("man/")
                .trim_end_matches(".1")
                .to_string()
        })
        .collect();
    for page in &pages {
        let text = std::fs::read_to_string(root.join(page)).unwrap();
        // References read \fBkctl\-topics\fR(1).
        for (at, _) in text.match_indices("\\fR(1)") {
            let start = text[..at].rfind("\\fB").expect("a bold name before (1)") + 3;
            let name = text[start..at].replace("\\-", "-");
            assert!(
                names.contains(&name),
                "{page} names {name}(1), which does not exist"
            );
        }
        assert!(text.contains(".SH EXIT STATUS"), "{page}");
        assert!(
            !text.contains("kctl-help") && !text.contains("kctl\\-help"),
            "{page}"
        );
    }
    // Subcommand pages show the command as typed and the global options.
    let describe = std::fs::read_to_string(root.join("man/kctl-topics-describe.1")).unwrap();
    assert!(
        describe.contains("\\fBkctl topics describe\\fR"),
        "{describe}"
    );
    assert!(describe.contains(".SH GLOBAL OPTIONS"), "{describe}");
    assert!(
        describe.contains("\\fB\\-b\\fR, \\fB\\-\\-brokers\\fR \\fIHOST:PORT[,...]\\fR"),
        "{describe}"
    );
}
