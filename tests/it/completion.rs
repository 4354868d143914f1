//! Dynamic completion of topic and group names: always within 300 ms, from a per-cluster cache.

use crate::common;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use common::{kctl, Broker};

/// The hard bound on one completion, as the issue sets it.
const DEADLINE: Duration = Duration::from_millis(300);

/// Completes like the shell does: `KCTL_COMPLETE=SHELL kctl -- WORDS...` (the last word is the
/// one being completed). Returns the candidates and the wall time of the process.
fn complete(cache: &Path, shell: &str, words: &[&str]) -> (Vec<String>, Duration) {
    let mut cmd = kctl();
    cmd.env("XDG_CACHE_HOME", cache)
        .env("KCTL_COMPLETE", shell)
        .arg("--")
        .args(words);
    if shell == "bash" {
        cmd.env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
            .env("_CLAP_IFS", "\n");
    }
    let started = Instant::now();
    let out: Output = cmd.output().unwrap();
    let took = started.elapsed();
    assert!(out.status.success(), "{out:?}");
    // Options are offered beside values when the word is empty; keep the values.
    let names = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('-'))
        .map(str::to_string)
        .collect();
    (names, took)
}

#[test]
fn topic_completion_against_a_stopped_broker_returns_within_the_deadline() {
    let cache = tempfile::tempdir().unwrap();
    // Nothing listens on port 1. First a miss (a refresh starts), then the recorded failure.
    for round in 0..3 {
        let (names, took) = complete(
            cache.path(),
            "bash",
            &["kctl", "-b", "127.0.0.1:1", "topics", "describe", "or"],
        );
        assert!(names.is_empty(), "{names:?}");
        assert!(took < DEADLINE, "round {round}: completion took {took:?}");
    }
    // A broker that accepts connections but never answers: a listener nobody accepts from.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap().to_string();
    let (names, took) = complete(
        cache.path(),
        "fish",
        &["kctl", "-b", &addr, "topics", "delete", ""],
    );
    assert!(names.is_empty(), "{names:?}");
    assert!(took < DEADLINE, "silent broker: completion took {took:?}");
    // The hidden command answers within the deadline too.
    let started = Instant::now();
    let out = kctl()
        .env("XDG_CACHE_HOME", cache.path())
        .args(["-b", "127.0.0.1:1", "__complete", "topics", "x"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    assert!(started.elapsed() < DEADLINE, "{:?}", started.elapsed());
}

#[test]
fn names_come_from_the_cache_even_when_the_broker_is_gone() {
    let cache = tempfile::tempdir().unwrap();
    // A broker of this test's own (noida-db: quick to start and to stop), gone before completing.
    let broker = common::Noida::start();
    let addr = broker.addr.clone();
    for t in ["orders", "order-events", "audit"] {
        broker
            .kctl()
            .args(["topics", "create", t])
            .assert()
            .success();
    }
    // Fill the cache the way the background refresh does.
    kctl()
        .env("XDG_CACHE_HOME", cache.path())
        .env(
            "KCTL_COMPLETE_WORDS",
            serde_json::to_string(&["kctl", "-b", &addr]).unwrap(),
        )
        .args(["__complete", "--refresh", "topics"])
        .assert()
        .success();
    drop(broker);

    let (names, took) = complete(
        cache.path(),
        "bash",
        &["kctl", "-b", &addr, "topics", "describe", "ord"],
    );
    assert_eq!(names, ["order-events", "orders"]);
    assert!(took < DEADLINE, "{took:?}");
    // Other spellings of the flag and other shells resolve to the same cluster.
    let (names, _) = complete(
        cache.path(),
        "fish",
        &["kctl", &format!("--brokers={addr}"), "topics", "rm", "a"],
    );
    assert_eq!(names, ["audit"]);
    let out = kctl()
        .env("XDG_CACHE_HOME", cache.path())
        .env("KCTL_BROKERS", &addr)
        .args(["__complete", "topics", "o"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "order-events\norders\n"
    );
    // Another cluster has its own cache.
    let (names, _) = complete(
        cache.path(),
        "bash",
        &["kctl", "-b", "127.0.0.1:1", "topics", "describe", "ord"],
    );
    assert!(names.is_empty());
}

#[test]
fn a_live_cluster_completes_on_the_first_tab_and_through_the_bash_script() {
    let cache = tempfile::tempdir().unwrap();
    let broker = Broker::start();
    // On the shared broker, a prefix that only this test's topic has.
    let prefix = format!("{}-", common::unique("payments"));
    let topic = format!("{prefix}t");
    broker
        .kctl()
        .args(["topics", "create", &topic])
        .assert()
        .success();
    // The first completion waits briefly for the refresh it started.
    let started = Instant::now();
    let mut names = Vec::new();
    while started.elapsed() < Duration::from_secs(10) {
        names = complete(
            cache.path(),
            "bash",
            &["kctl", "-b", &broker.addr, "topics", "describe", &prefix],
        )
        .0;
        if !names.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(names, [topic.as_str()]);

    // The committed bash script, sourced in bash, completes through the kctl on PATH.
    let bin = Path::new(env!("CARGO_BIN_EXE_kctl")).parent().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/kctl.bash");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = common::clean_env(&mut std::process::Command::new("bash"))
        .env("PATH", path)
        .env("XDG_CACHE_HOME", cache.path())
        .env("BROKER", &broker.addr)
        .env("PREFIX", &prefix)
        .arg("-c")
        .arg(format!(
            r#"source {}
COMP_WORDS=(kctl -b "$BROKER" topics describe "$PREFIX"); COMP_CWORD=5; COMP_TYPE=9
_clap_complete_kctl kctl "$PREFIX" describe
printf '%s\n' "${{COMPREPLY[@]}}"
COMP_WORDS=(kctl top); COMP_CWORD=1
_clap_complete_kctl kctl top kctl
printf '%s\n' "${{COMPREPLY[@]}}""#,
            script.display()
        ))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    let lines: Vec<&str> = stdout.lines().map(str::trim).collect();
    assert_eq!(lines, [topic.as_str(), "topics"], "{stdout}");
}

#[test]
fn group_names_complete_from_the_cluster() {
    let cache = tempfile::tempdir().unwrap();
    let broker = Broker::start();
    let topic = common::unique("g-topic");
    // On the shared broker, a prefix that only this test's group has.
    let prefix = format!("{}-", common::unique("billing"));
    let group = format!("{prefix}workers");
    broker
        .kctl()
        .args(["topics", "create", &topic])
        .assert()
        .success();
    // Make a consumer group exist: commit an offset for it.
    common::commit_offsets(&broker, &group, &topic, &[0]);
    kctl()
        .env("XDG_CACHE_HOME", cache.path())
        .env(
            "KCTL_COMPLETE_WORDS",
            serde_json::to_string(&["kctl", "-b", &broker.addr]).unwrap(),
        )
        .args(["__complete", "--refresh", "groups"])
        .assert()
        .success();
    let out = kctl()
        .env("XDG_CACHE_HOME", cache.path())
        .args(["-b", &broker.addr, "__complete", "groups", &prefix])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), format!("{group}\n"));
}

#[test]
fn the_completion_command_is_hidden() {
    let out = kctl().arg("--help").output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("__complete"));
    // Not offered among the subcommands (clap shows hidden ones only when nothing else matches).
    let (names, _) = complete(tempfile::tempdir().unwrap().path(), "bash", &["kctl", ""]);
    assert!(names.iter().any(|n| n == "topics"), "{names:?}");
    assert!(!names.iter().any(|n| n.contains("__complete")), "{names:?}");
}

/// Runs `shell` with the committed completion script loaded as a user's shell loads it, and
/// asks it to complete `line` (its last word is the one being completed). Returns the
/// candidates' values.
fn complete_in_shell(shell: &str, cache: &Path, line: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = Path::new(env!("CARGO_BIN_EXE_kctl")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let quoted: Vec<String> = line.iter().map(|w| format!("'{w}'")).collect();
    let last = line.len() - 1;
    let (program, script) = match shell {
        "bash" => (
            "bash",
            format!(
                "source {}\nCOMP_WORDS=({}); COMP_CWORD={last}; COMP_TYPE=9\n\
                 _clap_complete_kctl kctl {} {}\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"",
                root.join("completions/kctl.bash").display(),
                quoted.join(" "),
                quoted[last],
                quoted[last - 1],
            ),
        ),
        // zsh's completion system needs a terminal; its two entry points are stood in for:
        // compdef (registering) and _describe (offering), which prints what it is offered.
        "zsh" => (
            "zsh",
            format!(
                "compdef() {{ : }}\n_describe() {{ local name=${{@[-1]}}; print -l -- ${{(@P)name}} }}\n\
                 source {}\nwords=({}); CURRENT={}\n_clap_dynamic_completer_kctl",
                root.join("completions/_kctl").display(),
                quoted.join(" "),
                line.len(),
            ),
        ),
        "fish" => (
            "fish",
            format!(
                "source {}\ncomplete --do-complete \"{}\"",
                root.join("completions/kctl.fish").display(),
                line.join(" "),
            ),
        ),
        _ => unreachable!(),
    };
    let out = common::clean_env(&mut std::process::Command::new(program))
        .env("PATH", path)
        .env("XDG_CACHE_HOME", cache)
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {program} ({e}): scripts/install-test-deps installs bash, zsh and fish"
            )
        });
    assert!(out.status.success(), "{shell}: {out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        // fish prints "value<TAB>description", zsh "value:description".
        .map(|l| l.split(['\t', ':']).next().unwrap_or("").trim().to_string())
        .filter(|l| !l.is_empty() && !l.starts_with('-'))
        .collect()
}

/// `consume -g <TAB>` completes groups and `groups reset-offsets G --topic <TAB>` topics, in
/// bash, zsh and fish, through the committed scripts.
#[test]
fn groups_and_topics_complete_in_bash_zsh_and_fish() {
    let broker = Broker::start();
    let prefix = format!("{}-", common::unique("shells"));
    let topic = format!("{prefix}orders");
    let group = format!("{prefix}tracker");
    broker
        .kctl()
        .args(["topics", "create", &topic])
        .assert()
        .success();
    common::commit_offsets(&broker, &group, &topic, &[0]);
    for shell in ["bash", "zsh", "fish"] {
        let cache = tempfile::tempdir().unwrap();
        let cases: [(Vec<&str>, &str); 2] = [
            (
                vec!["kctl", "-b", &broker.addr, "consume", &topic, "-g", &prefix],
                &group,
            ),
            (
                vec![
                    "kctl",
                    "-b",
                    &broker.addr,
                    "groups",
                    "reset-offsets",
                    &group,
                    "--topic",
                    &prefix,
                ],
                &topic,
            ),
        ];
        for (line, want) in cases {
            // The first completion for a cluster may come before its listing: ask again.
            let started = Instant::now();
            let mut got = Vec::new();
            while started.elapsed() < Duration::from_secs(15) {
                got = complete_in_shell(shell, cache.path(), &line);
                if !got.is_empty() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            assert_eq!(got, [want], "{shell}: {line:?}");
        }
    }
}
