//! Apache Kafka's own pieces for the tests: its command-line tools (the classes behind
//! kafka-topics.sh, kafka-consumer-groups.sh, kafka-get-offsets.sh), run from the jars that
//! scripts/install-test-deps put in the cache, and ([`cluster`]) a cluster of several nodes
//! whose brokers a test may kill and restart.
//!
//! The jars are found as scripts/kafka-broker finds them: `$KCTL_KAFKA_LIBS`, else
//! `${KCTL_TEST_CACHE:-~/.cache/kctl-test}/kafka-VERSION/libs` (VERSION from
//! tests/kafka/pom.xml). Java is picked by the tests, see [`java`].

pub mod cluster;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use super::KAFKA_INSTALL_HINT;

/// kafka-topics.sh
pub const TOPIC_COMMAND: &str = "org.apache.kafka.tools.TopicCommand";
/// kafka-consumer-groups.sh
pub const CONSUMER_GROUP_COMMAND: &str =
    "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";
/// kafka-get-offsets.sh
pub const GET_OFFSET_SHELL: &str = "org.apache.kafka.tools.GetOffsetShell";

/// How long one tool may run (a JVM start takes seconds; more on a loaded machine).
const TOOL_LIMIT: Duration = Duration::from_secs(180);

/// The Kafka version the tests pin (tests/kafka/pom.xml).
pub fn kafka_version() -> String {
    let pom = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kafka/pom.xml");
    let text = std::fs::read_to_string(&pom)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", pom.display()));
    let start = text
        .find("<kafka.version>")
        .unwrap_or_else(|| panic!("{} has no <kafka.version>", pom.display()))
        + "<kafka.version>".len();
    let end = start + text[start..].find('<').expect("</kafka.version>");
    text[start..end].trim().to_string()
}

/// The directory of the Kafka jars.
pub fn libs() -> PathBuf {
    if let Some(libs) = std::env::var_os("KCTL_KAFKA_LIBS") {
        let libs = PathBuf::from(libs);
        assert!(
            libs.is_dir(),
            "KCTL_KAFKA_LIBS={} is not a directory",
            libs.display()
        );
        return libs;
    }
    let home = test_cache().join(format!("kafka-{}", kafka_version()));
    assert!(
        home.join("complete").is_file(),
        "the Apache Kafka jars are not in {}. {KAFKA_INSTALL_HINT}",
        home.join("libs").display()
    );
    home.join("libs")
}

/// The java binary the tests run the brokers (every scripts/kafka-broker they start gets it
/// as `KCTL_JAVA`, see [`super::kafka_launcher_command`]), Apache's tools and keytool on:
/// `$KCTL_TEST_JAVA`, else the one scripts/install-test-deps picked and recorded in
/// `${KCTL_TEST_CACHE:-~/.cache/kctl-test}/test-java` (the machine's default `java`). Never
/// `$JAVA_HOME` or `$KCTL_JAVA` from the shell that runs the tests: what the suite checks must
/// not change with them (a broker's JDK decides, for one, which TLS alert refuses a client
/// certificate). No recorded Java fails, saying what to run.
pub fn java() -> PathBuf {
    test_java().unwrap_or_else(|e| panic!("{e}"))
}

/// [`java`], or why there is none.
pub fn test_java() -> Result<PathBuf, String> {
    if let Some(java) = std::env::var_os("KCTL_TEST_JAVA").filter(|j| !j.is_empty()) {
        return Ok(PathBuf::from(java));
    }
    let record = test_cache().join("test-java");
    let java = std::fs::read_to_string(&record).map_err(|e| {
        format!(
            "no Java recorded for the tests in {} ({e}). {KAFKA_INSTALL_HINT}",
            record.display()
        )
    })?;
    let java = PathBuf::from(java.trim());
    if !java.is_file() {
        return Err(format!(
            "{} names {}, which is not there. {KAFKA_INSTALL_HINT}",
            record.display(),
            java.display()
        ));
    }
    Ok(java)
}

/// `${KCTL_TEST_CACHE:-~/.cache/kctl-test}`, where scripts/install-test-deps puts the jars
/// and records the test Java.
fn test_cache() -> PathBuf {
    std::env::var_os("KCTL_TEST_CACHE")
        .filter(|c| !c.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            dirs::home_dir()
                .expect("a home directory")
                .join(".cache/kctl-test")
        })
}

/// The command that runs one of Kafka's tool classes (its `main`) with `args`.
pub fn tool_command(class: &str, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(java());
    // A short-lived JVM: start fast, small heap (as kafka-run-class.sh does for the tools).
    cmd.args([
        "-Xmx256m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Xshare:auto",
        "-Djava.awt.headless=true",
        "-cp",
    ])
    .arg(format!("{}/*", libs().display()))
    .arg(class)
    .args(args)
    .timeout(TOOL_LIMIT);
    cmd
}

/// Runs a tool class and returns its output, whatever its exit status.
pub fn run_tool(class: &str, args: &[&str]) -> Output {
    tool_command(class, args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run {} ({class}): {e}. {KAFKA_INSTALL_HINT}",
            java().display()
        )
    })
}

/// Runs a tool class, asserts that it succeeded and returns its stdout.
pub fn tool(class: &str, args: &[&str]) -> String {
    let out = run_tool(class, args);
    check(class, args, out)
}

/// Runs several tools side by side (each JVM takes seconds to start: one wait for all of them)
/// and returns their stdout in order; every one must succeed.
pub fn tools(runs: &[(&str, Vec<String>)]) -> Vec<String> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .iter()
            .map(|(class, args)| {
                scope.spawn(move || {
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    let out = run_tool(class, &args);
                    check(class, &args, out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

fn check(class: &str, args: &[&str], out: Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{class} {args:?} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The rows of a whitespace-aligned table such as kafka-consumer-groups prints: the first
/// non-blank line is the header; each row maps the header's column names to its values, split
/// on whitespace (`-` stays `-`). Stops at the first blank line after the rows. Panics when a
/// row has another number of columns than the header.
pub fn table(text: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    parse_table(text, false)
}

/// As [`table`], for a table whose last column is free text (words separated by spaces): it
/// takes the rest of the row, its words joined by one space.
pub fn table_free_last(text: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    parse_table(text, true)
}

fn parse_table(text: &str, free_last: bool) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut lines = text.lines().skip_while(|l| l.trim().is_empty());
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let names: Vec<&str> = header.split_whitespace().collect();
    let mut rows = Vec::new();
    for line in lines {
        if line.trim().is_empty() {
            break;
        }
        let mut values: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        if free_last && values.len() > names.len() {
            let rest = values.split_off(names.len() - 1).join(" ");
            values.push(rest);
        }
        assert_eq!(
            values.len(),
            names.len(),
            "a row with another number of columns than the header {header:?}: {line:?}"
        );
        rows.push(
            names
                .iter()
                .zip(values)
                .map(|(n, v)| (n.to_string(), v))
                .collect(),
        );
    }
    rows
}
