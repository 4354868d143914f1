//! Every shell example of the README and of every command's `--help` runs as written.
//!
//! The examples are read from where people read them: the README's ```sh blocks and the `$ `
//! lines of its transcripts, and the indented command lines of each command's help (the
//! texts [`kctl::help::after_help`] prints after the options). Two tests:
//!
//! - [`every_example_is_valid_shell_and_parses`]: each example is valid shell, and each kctl
//!   command in it (with its pipes, redirections and variables, as bash expands them) is
//!   accepted by kctl's parser. This covers the examples that cannot run here too, each marked
//!   with its reason: in the README by `<!-- test: syntax-only: REASON -->` before its block
//!   (Docker, a secure cluster, installing, the suite itself), in the help by [`SYNTAX_ONLY`].
//! - [`every_example_runs_against_kafka`]: every other example runs, in bash, against a Kafka
//!   4.4 broker of the test's own (with ACLs on), in the order it is written, each group (a
//!   README block or a command's help) after a set-up that gives it the data it describes:
//!   the topics `orders` (1,200 records on partition 0), `payments`, `a` and `b`, the group
//!   `order-tracker`, the files the examples name (`orders.ndjson`, `offsets.json`, `pw.txt`,
//!   `acls.json`), transactions, and where a group needs more, [`README_SETUPS`] and [`HELP_SETUPS`]. Each example must
//!   exit 0; one that consumes without an end (`kctl consume` without `-e` or `-c`) must print
//!   records and is then stopped with Ctrl-C (exit 130); one that asks on a terminal
//!   ([`ON_TERMINAL`]) runs on one (`script`) and is answered.
//!
//! The README's quick start and order demo (`<!-- test: with-broker -->`) run in
//! `readme::the_quick_start_and_the_order_demo_run_as_written_without_docker`, from a fresh
//! broker as a newcomer runs them.

use std::io::Write;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use crate::common;

/// One example: its command line, where it is written, the group it runs in, and why it is
/// only checked for syntax (when it is).
#[derive(Debug, Clone)]
struct Example {
    line: String,
    source: String,
    group: String,
    syntax_only: Option<String>,
}

/// Help examples that cannot run against one broker, with the reason.
const SYNTAX_ONLY: &[(&str, &str)] = &[
    (
        "kctl transactions producers orders:0 --broker 2",
        "needs a second broker holding a replica of orders:0",
    ),
    (
        "kctl partitions reassign",
        "needs a cluster of three brokers (tests/it/reassign.rs moves partitions on one)",
    ),
    (
        "kctl topics copy orders orders --to-context prod --create --dry-run",
        "needs a second cluster",
    ),
    (
        "kctl topics copy orders orders --to-brokers dr-kafka:9092 --resume",
        "needs a second cluster",
    ),
];

/// Examples that ask on a terminal, with what is typed.
const ON_TERMINAL: &[(&str, &str)] = &[
    (
        "kctl users create alice --mechanism SCRAM-SHA-512",
        "alice-password\nalice-password\n",
    ),
    (
        "kctl groups reset-offsets order-tracker --from-file plan.json --execute",
        "y\n",
    ),
    (
        "kctl acls delete --principal User:alice --topic orders",
        "y\n",
    ),
    (
        "kctl groups reset-offsets order-tracker --all-topics --shift-by -100 --execute",
        "y\n",
    ),
    (
        "kctl topics delete-records orders --before-time @-7d -p 0 --execute",
        "y\n",
    ),
    (
        "kctl topics delete-records --offsets-file offsets.json --execute",
        "y\n",
    ),
];

/// What a README block needs beyond the common data, by the start of its first example.
/// Shell, run in the work directory with the functions of [`PRELUDE`].
const README_SETUPS: &[(&str, &str)] = &[
    // The transactions transcript: an open transaction at offset 1200 of payments:0.
    (
        "kctl txn list --state Ongoing",
        "recreate payments 2; fill payments 0 1200; transaction payments-tx-1 payments 0 open",
    ),
    (
        "kctl topics alter orders --set retention.ms=3600000 --delete cleanup.policy",
        "kctl topics alter orders --set cleanup.policy=compact",
    ),
];

/// What a command's help examples need beyond the common data, by the command.
const HELP_SETUPS: &[(&str, &str)] = &[
    (
        "kctl transactions abort",
        "recreate orders 3; fill orders 0 1200; transaction orders-tx-1 orders 0 open",
    ),
    (
        "kctl topics alter",
        "kctl topics alter orders payments --set retention.ms=86400000",
    ),
    (
        "kctl acls delete",
        "kctl acls create --allow --principal User:alice --operation read --topic orders
         kctl acls create --allow --principal User:app --operation write --topic orders- --pattern prefixed",
    ),
    (
        "kctl groups delete-offsets",
        "kctl groups reset-offsets order-tracker --topic orders --topic payments --to-earliest --execute --yes",
    ),
    (
        "kctl quotas delete",
        "kctl quotas alter --user alice --set producer_byte_rate=1048576
         kctl quotas alter --default-client-id --set consumer_byte_rate=2097152",
    ),
    // The top-level help creates orders, then deletes it.
    ("kctl", "gone orders"),
];

/// Shell functions for the set-ups.
const PRELUDE: &str = r#"
set -euo pipefail
# gone TOPIC: TOPIC is deleted and no longer in the metadata.
gone() {
  kctl topics delete "$1" --yes >/dev/null 2>&1 || true
  for _ in $(seq 150); do kctl topics describe "$1" >/dev/null 2>&1 || return 0; sleep 0.2; done
  echo "topic $1 is still there" >&2; return 1
}
# recreate TOPIC PARTITIONS: an empty TOPIC.
recreate() {
  gone "$1"
  for _ in $(seq 150); do kctl topics create "$1" -p "$2" >/dev/null 2>&1 && return 0; sleep 0.2; done
  kctl topics create "$1" -p "$2"
}
# fill TOPIC PARTITION COUNT: COUNT orders appended to the partition.
fill() {
  seq "$3" | awk '{ printf "{\"order_id\": %d, \"item\": \"book\", \"qty\": 1}\n", $1 }' \
    | kctl produce "$1" -p "$2" >/dev/null
}
# transaction ID TOPIC PARTITION commit|open: a record in a transaction, committed or left open
# by a producer that exits without ending it.
transaction() { python3 txn.py "$KCTL_BROKERS" "$@"; }
# The topics every group expects, as the common data left them.
baseline() {
  for t in orders:3 payments:2 a:1 b:1; do
    kctl topics create "${t%:*}" -p "${t#*:}" --if-not-exists >/dev/null 2>&1
  done
  kctl topics alter orders payments --set cleanup.policy=delete >/dev/null
}
"#;

/// The common data, made once.
const FIXTURE: &str = r#"
baseline
fill orders 0 1200; fill orders 1 150; fill orders 2 150
fill payments 0 1200; fill payments 1 10
fill a 0 10
printf '{"order_id": 9, "item": "pen", "qty": 1}\n{"order_id": 10, "item": "ink", "qty": 2}\n' > orders.ndjson
printf '{"version": 1, "partitions": [{"topic": "orders", "partition": 0, "offset": 100}]}\n' > offsets.json
printf 'reports-password\n' > pw.txt && chmod 600 pw.txt
kctl acls create --allow --principal User:alice --operation read --operation describe --topic orders >/dev/null
kctl acls create --allow --principal User:app --operation write --topic orders- --pattern prefixed >/dev/null
kctl acls list -o json > acls.json
kctl groups reset-offsets order-tracker --topic orders --to-earliest --execute --yes >/dev/null
transaction payments-tx-1 payments 1 commit
transaction payments-tx-2 payments 1 commit
"#;

/// The transactional producer of the set-ups (confluent-kafka).
const TXN_PY: &str = r#"
import os, sys
from confluent_kafka import Producer
bootstrap, txid, topic, partition, end = sys.argv[1:6]
p = Producer({"bootstrap.servers": bootstrap, "transactional.id": txid,
              "transaction.timeout.ms": 900000})
p.init_transactions(60)
p.begin_transaction()
p.produce(topic, value=b'{"order_id": 0, "item": "in a transaction"}', partition=int(partition))
if p.flush(60) != 0:
    sys.exit("the record was not delivered")
if end == "commit":
    p.commit_transaction(60)
else:
    os._exit(0)  # the transaction stays open until the coordinator's timeout (15 minutes)
"#;

const MARKER_PREFIX: &str = "<!-- test: ";

/// The README's examples: each line of its ```sh blocks (continuation lines joined) and each
/// `$ ` line of its other blocks, grouped by block.
fn readme_examples(text: &str) -> Vec<Example> {
    let mut examples = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    let mut marker: Option<String> = None;
    while i < lines.len() {
        let trimmed = lines[i].trim();
        if let Some(rest) = trimmed.strip_prefix(MARKER_PREFIX) {
            marker = Some(rest.trim_end_matches("-->").trim().to_string());
            i += 1;
            continue;
        }
        let Some(lang) = trimmed.strip_prefix("```") else {
            if !trimmed.is_empty() {
                marker = None;
            }
            i += 1;
            continue;
        };
        let start = i + 1;
        let mut end = start;
        while end < lines.len() && lines[end].trim() != "```" {
            end += 1;
        }
        let block = &lines[start..end];
        let group = format!("README.md:{}", start);
        let syntax_only = match marker.take() {
            None => None,
            Some(m) if m == "with-broker" => {
                Some("run by the readme test, from a fresh broker".into())
            }
            Some(m) => Some(
                m.strip_prefix("syntax-only:")
                    .unwrap_or_else(|| panic!("README.md:{i}: unknown test marker {m:?}"))
                    .trim()
                    .to_string(),
            ),
        };
        let mut add = |line: String, at: usize| {
            examples.push(Example {
                line,
                source: format!("README.md:{}", at + 1),
                group: group.clone(),
                syntax_only: syntax_only.clone(),
            })
        };
        match lang.trim() {
            "sh" => {
                let mut j = 0;
                while j < block.len() {
                    let at = start + j;
                    let mut line = block[j].to_string();
                    while line.trim_end().ends_with('\\') && j + 1 < block.len() {
                        j += 1;
                        line = format!("{}\n{}", line.trim_end(), block[j]);
                    }
                    j += 1;
                    if !line.trim().is_empty() && !line.trim_start().starts_with('#') {
                        add(line.trim().to_string(), at);
                    }
                }
            }
            "" | "text" | "console" => {
                for (j, l) in block.iter().enumerate() {
                    if let Some(cmd) = l.trim_start().strip_prefix("$ ") {
                        add(cmd.to_string(), start + j);
                    }
                }
            }
            _ => {}
        }
        i = end + 1;
    }
    examples
}

/// The help's examples: the lines indented by two spaces that run kctl, by command.
fn help_examples() -> Vec<Example> {
    let mut examples = Vec::new();
    for (path, text) in kctl::help::after_help() {
        for line in text.lines() {
            let Some(cmd) = line.strip_prefix("  ") else {
                continue;
            };
            if !cmd.split_whitespace().any(|w| w == "kctl") {
                continue;
            }
            let cmd = cmd.trim().to_string();
            let syntax_only = SYNTAX_ONLY
                .iter()
                .find(|(prefix, _)| cmd.starts_with(prefix))
                .map(|(_, why)| why.to_string());
            examples.push(Example {
                line: cmd,
                source: format!("`{path} --help`"),
                group: path.clone(),
                syntax_only,
            });
        }
    }
    examples
}

fn all_examples() -> Vec<Example> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut all = readme_examples(&readme);
    all.extend(help_examples());
    all
}

/// Runs `line` in bash with `kctl` a function that records its arguments (NUL-separated, a
/// file per call) and every other command a no-op (an empty PATH and a
/// command_not_found_handle), in `dir`; returns each kctl call's arguments.
fn kctl_calls(line: &str, dir: &Path) -> Vec<Vec<String>> {
    let calls = dir.join("calls");
    let _ = std::fs::remove_dir_all(&calls);
    std::fs::create_dir_all(&calls).unwrap();
    let script = format!(
        "kctl() {{ printf '%s\\0' \"$@\" > \"$KCTL_CALLS/$BASHPID.$RANDOM\"; }}\n\
         command_not_found_handle() {{ return 0; }}\n\
         PATH=/nonexistent\n\
         {line}\n"
    );
    // Only the recorded calls matter: the line's own status is the syntax check's business.
    StdCommand::new("bash")
        .args(["--noprofile", "--norc", "-c", &script])
        .current_dir(dir)
        .env_clear()
        .env("HOME", dir)
        .env("KCTL_CALLS", &calls)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let mut result = Vec::new();
    for entry in std::fs::read_dir(&calls).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        // printf's format ends each argument with a NUL.
        let args = bytes
            .strip_suffix(&[0])
            .unwrap_or(&bytes)
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        result.push(args);
    }
    result
}

#[test]
fn every_example_is_valid_shell_and_parses() {
    let examples = all_examples();
    let readme = examples
        .iter()
        .filter(|e| e.source.starts_with("README"))
        .count();
    let help = examples.len() - readme;
    // The extraction found them (about 40 in the README, 60 in the help when this was written).
    assert!(
        readme >= 30 && help >= 50,
        "{readme} README, {help} help examples"
    );

    let (parser, _) = kctl::help::command();
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut parsed = 0;
    for e in &examples {
        let syntax = StdCommand::new("bash")
            .args(["-n", "-c", &e.line])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        if !syntax.status.success() {
            failures.push(format!(
                "{}: not valid shell: {}\n  {}",
                e.source,
                String::from_utf8_lossy(&syntax.stderr).trim(),
                e.line
            ));
            continue;
        }
        for args in kctl_calls(&e.line, dir.path()) {
            parsed += 1;
            let argv = std::iter::once("kctl".to_string()).chain(args.iter().cloned());
            if let Err(err) = parser.clone().try_get_matches_from(argv) {
                use clap::error::ErrorKind;
                if !matches!(
                    err.kind(),
                    ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
                ) {
                    failures.push(format!(
                        "{}: kctl does not accept {args:?}:\n{}\n  {}",
                        e.source,
                        err.render(),
                        e.line
                    ));
                }
            }
        }
    }
    assert!(parsed >= 80, "only {parsed} kctl commands found");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Whether an example consumes without an end: it runs until Ctrl-C.
fn follows(line: &str) -> bool {
    line.split('|').any(|command| {
        command.contains("kctl consume")
            && !command
                .split_whitespace()
                .any(|w| matches!(w, "-e" | "--exit" | "-c" | "--count"))
    })
}

/// `bash -c SCRIPT` in the work directory, with kctl on PATH and the broker in KCTL_BROKERS.
fn shell(script: &str, dir: &Path, broker: &str) -> StdCommand {
    let kctl_dir = Path::new(env!("CARGO_BIN_EXE_kctl")).parent().unwrap();
    let path = format!(
        "{}:{}",
        kctl_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = StdCommand::new("bash");
    common::clean_env(&mut cmd);
    cmd.args(["--noprofile", "--norc", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .env("HOME", dir)
        // `$EDITOR plan.json` leaves the plan as it is.
        .env("EDITOR", "true")
        .env("KCTL_BROKERS", broker)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Runs a set-up script (with [`PRELUDE`]); panics with its output if it fails.
fn set_up(what: &str, script: &str, dir: &Path, broker: &str) {
    let out = shell(&format!("{PRELUDE}\n{script}"), dir, broker)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "set-up of {what} failed:\n{script}\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What running one example gave: its exit code (128+N for a signal), stdout and stderr.
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs one example: in its own process group; a following one is sent SIGINT after a few
/// seconds; one on a terminal runs under `script` with `input` typed. Bounded at 60 s.
fn run_example(line: &str, dir: &Path, broker: &str, input: Option<&str>) -> Ran {
    let script = format!("set -euo pipefail\n{line}");
    let mut cmd = match input {
        None => shell(&script, dir, broker),
        Some(_) => {
            let mut cmd = shell(
                "script -qec 'bash --noprofile --norc -c \"$KCTL_EXAMPLE\"' /dev/null",
                dir,
                broker,
            );
            cmd.env("KCTL_EXAMPLE", &script);
            cmd
        }
    };
    cmd.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.process_group(0);
    common::kill_with_parent(&mut cmd);
    let mut child = cmd.spawn().unwrap();
    // The input stays open until the example ends (script(1) ends the terminal's input at
    // the end of its own).
    let mut stdin = child.stdin.take();
    if let (Some(w), Some(text)) = (stdin.as_mut(), input) {
        w.write_all(text.as_bytes()).unwrap();
        w.flush().unwrap();
    }
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out, &mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err, &mut s);
        s
    });
    let started = Instant::now();
    let pgid = child.id() as i32;
    let mut interrupted = false;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        let elapsed = started.elapsed();
        if follows(line) && !interrupted && elapsed > Duration::from_secs(4) {
            // SAFETY: signalling a process group this test started.
            unsafe { libc::kill(-pgid, libc::SIGINT) };
            interrupted = true;
        }
        if elapsed > Duration::from_secs(60) {
            // SAFETY: as above.
            unsafe { libc::kill(-pgid, libc::SIGKILL) };
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    drop(stdin);
    let code = status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
    Ran {
        code,
        stdout: String::from_utf8_lossy(&out_reader.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned(),
    }
}

#[test]
fn every_example_runs_against_kafka() {
    // confluent-kafka makes the transactions of the set-ups: fail early, saying how to
    // install it, when it is missing.
    drop(common::registry::python());
    let broker = common::Broker::private_with(&[
        "--override",
        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "--override",
        "super.users=User:ANONYMOUS",
    ]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("txn.py"), TXN_PY).unwrap();
    set_up("the common data", FIXTURE, dir.path(), &broker.addr);

    // README groups in their order, then the help's by command, the top-level one (which
    // deletes orders) last.
    let mut examples: Vec<Example> = all_examples()
        .into_iter()
        .filter(|e| e.syntax_only.is_none())
        .collect();
    examples.sort_by_key(|e| (e.group == "kctl", !e.source.starts_with("README")));
    let mut groups: Vec<(String, Vec<Example>)> = Vec::new();
    for e in examples {
        match groups.last_mut() {
            Some((g, list)) if *g == e.group => list.push(e),
            _ => groups.push((e.group.clone(), vec![e])),
        }
    }

    let mut ran = 0;
    for (group, list) in &groups {
        let first = &list[0].line;
        let extra = match group.starts_with("README") {
            true => README_SETUPS.iter().find(|(key, _)| first.starts_with(key)),
            false => HELP_SETUPS.iter().find(|(key, _)| group == key),
        }
        .map_or("", |(_, s)| *s);
        set_up(
            &format!("{group} ({first})"),
            &format!("baseline\n{extra}"),
            dir.path(),
            &broker.addr,
        );
        for e in list {
            let input = ON_TERMINAL
                .iter()
                .find(|(l, _)| e.line == *l)
                .map(|(_, i)| *i);
            let r = run_example(&e.line, dir.path(), &broker.addr, input);
            let ok = if follows(&e.line) {
                matches!(r.code, 0 | 130) && !r.stdout.trim().is_empty()
            } else {
                r.code == 0
            };
            assert!(
                ok,
                "{} (group {group}): exit {}\n  {}\nstdout:\n{}\nstderr:\n{}",
                e.source, r.code, e.line, r.stdout, r.stderr
            );
            ran += 1;
        }
    }
    assert!(ran >= 70, "only {ran} examples ran");
}
