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
