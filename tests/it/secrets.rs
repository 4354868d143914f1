//! Secrets from files, the environment and -X: empty ones name their source, and ones others
//! can read (a file's mode, the process list) get a warning.

use crate::common;

use common::kctl;
use predicates::prelude::*;

fn chmod(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn an_empty_password_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("password");
    std::fs::write(&file, "\n").unwrap();
    chmod(&file, 0o600);
    kctl()
        .args(["-b", "127.0.0.1:1", "topics", "list"])
        .args(["--sasl-mechanism", "PLAIN", "--sasl-username", "alice"])
        .arg("--sasl-password-file")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "error: --sasl-password-file: {} is empty",
            file.display()
        )))
        .stderr(predicate::str::contains("must be set").not());
}

/// A password file group or others can read gets the config file's warning (chmod 600); one
/// only its owner reads gets none.
#[test]
fn a_readable_password_file_warns() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("password");
    std::fs::write(&file, "s3cret-Pw71\n").unwrap();
    let run = || {
        let mut cmd = kctl();
        cmd.args(["-b", "127.0.0.1:1", "--timeout", "1s", "topics", "list"])
            .args(["--sasl-mechanism", "PLAIN", "--sasl-username", "alice"])
            .arg("--sasl-password-file")
            .arg(&file);
        cmd
    };
    let warning = format!(
        "warning: {} holds a secret and can be read by group or others (mode 0644); run `chmod 600 {}`",
        file.display(),
        file.display()
    );
    chmod(&file, 0o644);
    run()
        .assert()
        .code(1)
        .stderr(predicate::str::contains(warning.as_str()))
        .stderr(predicate::str::contains("s3cret-Pw71").not());
    chmod(&file, 0o600);
    run()
        .assert()
        .code(1)
        .stderr(predicate::str::contains("warning").not());
}

/// A secret given with -X is in the process list for anyone to see: kctl warns, pointing at
/// the flags that read it from a variable or a file, and never prints it.
#[test]
fn a_secret_given_with_x_warns() {
    for (key, instead) in [
        (
            "sasl.password",
            "--sasl-password-env VAR or --sasl-password-file FILE",
        ),
        (
            "ssl.key.password",
            "--tls-key-password-env VAR or --tls-key-password-file FILE",
        ),
    ] {
        kctl()
            .args(["-b", "127.0.0.1:1", "--timeout", "1s", "topics", "list"])
            .args(["-X", &format!("{key}=hunter2-Xq8")])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!(
                "warning: -X {key}=... puts a secret on the command line, where other users can see it in the process list"
            )))
            .stderr(predicate::str::contains(instead))
            .stderr(predicate::str::contains("hunter2-Xq8").not());
    }
    // Not a secret: no warning.
    kctl()
        .args(["-b", "127.0.0.1:1", "--timeout", "1s", "topics", "list"])
        .args(["-X", "client.id=me"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("warning").not());
}
