//! The README's examples run as written. A shell block after `<!-- test: with-broker -->` runs,
//! all such blocks in order in one `scripts/with-broker` session (Apache Kafka, as a newcomer
//! without Docker gets it), with the kctl under test first on PATH; every command must succeed.

use std::path::Path;
use std::process::{Command as StdCommand, Stdio};

use crate::common;

const MARKER: &str = "<!-- test: with-broker -->";

/// The shell blocks of `text` that follow the marker.
fn marked_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(MARKER) {
        rest = &rest[at + MARKER.len()..];
        let start = rest
            .find("```sh\n")
            .expect("a ```sh block follows the marker")
            + 6;
        let end = rest[start..].find("```").expect("the block ends") + start;
        blocks.push(rest[start..end].to_string());
        rest = &rest[end..];
    }
    blocks
}

#[test]
fn the_quick_start_and_the_order_demo_run_as_written_without_docker() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let blocks = marked_blocks(&readme);
    assert!(blocks.len() >= 2, "{blocks:?}");
    assert!(blocks[0].contains("kctl topics create orders"));

    // The set-up line of the no-Docker quick start is at least valid shell.
    let quick = &readme[readme.find("### Without Docker").unwrap()..];
    let setup = &marked_or_first_block(quick);
    let syntax = StdCommand::new("bash")
        .args(["-n", "-c", setup])
        .status()
        .unwrap();
    assert!(syntax.success(), "{setup}");
    assert!(setup.contains("scripts/install-test-deps") && setup.contains("scripts/with-broker"));

    let kctl_dir = Path::new(env!("CARGO_BIN_EXE_kctl"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        kctl_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // Each command echoed, so a failure shows which one.
    let script = format!("set -euo pipefail -x\n{}", blocks.join("\n"));
    let mut cmd = StdCommand::new(root.join("scripts/with-broker"));
    common::clean_env(&mut cmd);
    let out = cmd
        .args(["bash", "-c", &script])
        .env("PATH", path)
        .env("KCTL_WITH_BROKER", "kafka")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    // The tracker read the six orders, then the two new ones.
    assert!(
        stdout.contains(r#"{"order_id": 6, "item": "book", "qty": 6}"#),
        "{stdout}"
    );
    assert!(
        stdout.contains(r#"{"order_id": 8, "item": "pen", "qty": 1}"#),
        "{stdout}"
    );
    assert!(stdout.contains(r#"{"id": 1, "item": "book"}"#), "{stdout}");
}

/// The first ```sh block of `text`.
fn marked_or_first_block(text: &str) -> String {
    let start = text.find("```sh\n").unwrap() + 6;
    let end = text[start..].find("```").unwrap() + start;
    text[start..end].to_string()
}
