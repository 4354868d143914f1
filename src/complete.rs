//! Shell completion: scripts and dynamic completion of topic and group names and broker ids.
//!
//! The scripts `kctl completions SHELL` prints register kctl itself as the completer (clap's
//! dynamic completion): the shell runs `KCTL_COMPLETE=SHELL kctl -- WORDS...` and kctl answers
//! from its CLI definition. Topic and group names come from a per-cluster cache file in the
//! user's cache directory, never from the cluster directly, so a completion always returns
//! within 300 ms:
//!
//! - a fresh cache entry (younger than [`FRESH`]) answers at once;
//! - a stale one answers at once and starts a refresh in a detached background process;
//! - on a miss the refresh starts and the completion waits for it at most [`MISS_WAIT`].
//!
//! A failed refresh (cluster down) is recorded too, so a down cluster is not retried on every
//! key press. To complete names for an argument, add the completer to it:
//!
//! ```text
//! #[arg(add = crate::complete::topic_completer())]
//! pub topics: Vec<String>,
//! ```

use std::ffi::{OsStr, OsString};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::{CommandFactory, FromArgMatches, ValueEnum};
use clap_complete::engine::{ArgValueCandidates, ArgValueCompleter, CompletionCandidate};
use serde::{Deserialize, Serialize};

use crate::cli::GlobalArgs;
use crate::kafka::ClientConfig;
use crate::printer::{OutputFormat, Printer};
use crate::settings::{Mode, Settings};

/// The environment variable that switches kctl into completion mode (set by the scripts).
pub const COMPLETE_ENV: &str = "KCTL_COMPLETE";
/// Carries the words of the command line being completed to the background refresh.
const WORDS_ENV: &str = "KCTL_COMPLETE_WORDS";

/// How long a completion waits for a refresh when nothing is cached yet.
pub const MISS_WAIT: Duration = Duration::from_millis(150);
/// How long a cached listing (or a failed refresh) is used without refreshing.
pub const FRESH: Duration = Duration::from_secs(15);
/// A refresh lock older than this is abandoned.
const LOCK_STALE: Duration = Duration::from_secs(30);
/// The longest a background refresh talks to the cluster.
const REFRESH_TIMEOUT: Duration = Duration::from_secs(10);

/// What is completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Topics,
    Groups,
    Brokers,
    /// Subjects of the schema registry.
    Subjects,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Topics => "topics",
            Kind::Groups => "groups",
            Kind::Brokers => "brokers",
            Kind::Subjects => "subjects",
        }
    }
}

/// Completes topic names from the cluster the command line points at.
pub fn topic_completer() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| complete(Kind::Topics, current))
}

/// Completes consumer group names from the cluster the command line points at.
pub fn group_completer() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| complete(Kind::Groups, current))
}

/// Completes broker ids from the cluster the command line points at.
pub fn broker_completer() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| complete(Kind::Brokers, current))
}

/// Completes subject names from the schema registry the command line points at.
pub fn subject_completer() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| complete(Kind::Subjects, current))
}

/// Completes context names from the config file.
pub fn context_completer() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        crate::config::Config::load()
            .map(|c| {
                c.context_names()
                    .into_iter()
                    .map(CompletionCandidate::new)
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// Runs shell completion when the shell asked for it (`KCTL_COMPLETE` is set); exits then.
pub fn complete_from_env() {
    clap_complete::CompleteEnv::with_factory(crate::cli::Cli::command)
        .var(COMPLETE_ENV)
        .complete();
}

/// The registration script for `shell`, as `kctl completions SHELL` prints it.
pub fn script(shell: clap_complete::Shell) -> Vec<u8> {
    use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Zsh};
    use clap_complete::Shell;
    let completer: &dyn EnvCompleter = match shell {
        Shell::Bash => &Bash,
        Shell::Zsh => &Zsh,
        Shell::Fish => &Fish,
        Shell::PowerShell => &Powershell,
        Shell::Elvish => &Elvish,
        _ => &Bash,
    };
    let mut buf = Vec::new();
    completer
        .write_registration(COMPLETE_ENV, "kctl", "kctl", "kctl", &mut buf)
        .expect("writing to memory cannot fail");
    buf
}

fn complete(kind: Kind, current: &OsStr) -> Vec<CompletionCandidate> {
    let started = Instant::now();
    let words = typed_words();
    let Some(cluster) = cluster_from_words(&words) else {
        return Vec::new();
    };
    let prefix = current.to_string_lossy();
    lookup(kind, &cluster, &prefix, &words, started)
        .into_iter()
        .map(CompletionCandidate::new)
        .collect()
}

/// The words of the command line being completed, up to (not including) the current one.
fn typed_words() -> Vec<OsString> {
    let args: Vec<OsString> = std::env::args_os().collect();
    let mut words: Vec<OsString> = match args.iter().position(|a| a == "--") {
        Some(i) => args[i + 1..].to_vec(),
        None => args,
    };
    let index = std::env::var("_CLAP_COMPLETE_INDEX")
        .ok()
        .and_then(|i| i.parse::<usize>().ok());
    match index {
        Some(i) if i <= words.len() => words.truncate(i),
        _ => {
            words.pop();
        }
    }
    words
}

/// The cluster a command line points at: how to connect, and as whom.
struct Cluster {
    client: ClientConfig,
    /// The SASL user, if any: another user may see other names.
    user: Option<String>,
    /// The schema registry, if one is set (for subjects).
    registry: Option<crate::registry::settings::RegistrySettings>,
}

/// The cluster the global options point at (flags, environment, config file), or none when
/// they do not resolve (then nothing is completed). Warnings are dropped: a completion prints
/// nothing but names.
fn cluster(global: &GlobalArgs) -> Option<Cluster> {
    let mut ignored = Vec::new();
    let settings = Settings::resolve(global, Mode::Full, &mut ignored).ok()?;
    // A completion prints nothing but names: no logs either.
    let logs = Printer::new(OutputFormat::Table, true).diagnostics();
    let client = ClientConfig::new(&settings, logs, &mut ignored).ok()?;
    let user = settings.security.sasl.and_then(|s| s.username);
    Some(Cluster {
        client,
        user,
        registry: settings.registry,
    })
}

/// The cluster the words of a command line point at.
fn cluster_from_words(words: &[OsString]) -> Option<Cluster> {
    if words.is_empty() {
        return None;
    }
    let cmd = crate::cli::Cli::command().ignore_errors(true);
    let matches = cmd.try_get_matches_from(words).ok()?;
    cluster(&GlobalArgs::from_arg_matches(&matches).ok()?)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct CacheEntry {
    /// When the listing was last attempted (ms since the epoch).
    updated_ms: u64,
    /// The names from the last successful listing.
    names: Vec<String>,
    /// Why the last attempt failed, if it did.
    error: Option<String>,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The user's cache directory for kctl: `$XDG_CACHE_HOME/kctl` or `~/.cache/kctl` on Linux.
pub fn cache_dir() -> Option<PathBuf> {
    dirs::cache_dir().map(|d| d.join("kctl"))
}

/// 64-bit FNV-1a: a hash that stays the same across builds (file names depend on it).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// The cache file for one cluster (bootstrap list and SASL identity) and kind.
fn cache_file(cluster: &Cluster, kind: Kind) -> Option<PathBuf> {
    let (bootstrap, user) = match kind {
        // Subjects are the registry's: one cache per registry URL and user.
        Kind::Subjects => {
            let registry = cluster.registry.as_ref()?;
            let user = match &registry.auth {
                Some(crate::registry::settings::RegistryAuth::Basic { username, .. }) => {
                    username.clone()
                }
                Some(crate::registry::settings::RegistryAuth::Bearer(_)) => "(token)".into(),
                None => String::new(),
            };
            (registry.url.clone(), user)
        }
        _ => (
            cluster.client.bootstrap_servers(),
            cluster.user.clone().unwrap_or_default(),
        ),
    };
    let readable: String = bootstrap
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    let hash = fnv1a(format!("{bootstrap}\n{user}").as_bytes());
    Some(cache_dir()?.join(format!("{readable}-{hash:016x}.{}.json", kind.as_str())))
}

fn read_entry(path: &Path) -> Option<CacheEntry> {
    let text = std::fs::read(path).ok()?;
    serde_json::from_slice(&text).ok()
}

fn write_entry(path: &Path, entry: &CacheEntry) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(&serde_json::to_vec(entry).map_err(std::io::Error::other)?)?;
    f.sync_all().ok();
    std::fs::rename(&tmp, path)
}

fn matching(names: &[String], prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = names
        .iter()
        .filter(|n| n.starts_with(prefix))
        .cloned()
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Names of `kind` starting with `prefix`, answered from the cache within the deadline.
fn lookup(
    kind: Kind,
    cluster: &Cluster,
    prefix: &str,
    words: &[OsString],
    started: Instant,
) -> Vec<String> {
    let Some(path) = cache_file(cluster, kind) else {
        return Vec::new();
    };
    match read_entry(&path) {
        Some(entry) => {
            let age = now_ms().saturating_sub(entry.updated_ms);
            if Duration::from_millis(age) >= FRESH {
                spawn_refresh(kind, &path, words);
            }
            matching(&entry.names, prefix)
        }
        None => {
            spawn_refresh(kind, &path, words);
            let wait_until = started + MISS_WAIT;
            while Instant::now() < wait_until {
                std::thread::sleep(Duration::from_millis(5));
                if let Some(entry) = read_entry(&path) {
                    return matching(&entry.names, prefix);
                }
            }
            Vec::new()
        }
    }
}

/// Takes the refresh lock for `path`; false when another refresh holds it.
fn take_lock(path: &Path) -> bool {
    let lock = path.with_extension("lock");
    if let Some(dir) = lock.parent() {
        if std::fs::create_dir_all(dir).is_err() {
            return false;
        }
    }
    for _ in 0..2 {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&lock)
        {
            Ok(_) => return true,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let stale = std::fs::metadata(&lock)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_none_or(|age| age > LOCK_STALE);
                if !stale {
                    return false;
                }
                let _ = std::fs::remove_file(&lock);
            }
            Err(_) => return false,
        }
    }
    false
}

fn release_lock(path: &Path) {
    let _ = std::fs::remove_file(path.with_extension("lock"));
}

/// Starts `kctl __complete --refresh KIND` detached: own process group, no terminal, and no
/// inherited stdout (the shell waits for the pipe it reads completions from to close).
fn spawn_refresh(kind: Kind, path: &Path, words: &[OsString]) {
    if !take_lock(path) {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        release_lock(path);
        return;
    };
    let words: Vec<String> = words
        .iter()
        .map(|w| w.to_string_lossy().into_owned())
        .collect();
    let Ok(words) = serde_json::to_string(&words) else {
        release_lock(path);
        return;
    };
    let mut cmd = StdCommand::new(exe);
    cmd.args(["__complete", "--refresh", kind.as_str()])
        .env(WORDS_ENV, words)
        .env_remove(COMPLETE_ENV)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    if cmd.spawn().is_err() {
        release_lock(path);
    }
}

/// `kctl __complete KIND [PREFIX]`: prints matching names, one a line, within the deadline.
/// `kctl __complete --refresh KIND`: refreshes the cache (the background half).
pub fn run_hidden(
    args: &crate::commands::complete::Args,
    global: &GlobalArgs,
    printer: &Printer,
) -> i32 {
    if args.refresh {
        refresh(args.kind);
        return 0;
    }
    let started = Instant::now();
    let words: Vec<OsString> = std::env::args_os().collect();
    let Some(cluster) = cluster(global) else {
        return 0;
    };
    let names = lookup(
        args.kind,
        &cluster,
        args.prefix.as_deref().unwrap_or(""),
        &words,
        started,
    );
    let mut text = String::new();
    for name in names {
        text.push_str(&name);
        text.push('\n');
    }
    // A reader that went away gets nothing more; the exit is 0 all the same.
    let _ = printer.write_data(text.as_bytes());
    0
}

/// Lists the names from the cluster and records them (or the failure) in the cache.
fn refresh(kind: Kind) {
    let words: Vec<String> = std::env::var(WORDS_ENV)
        .ok()
        .and_then(|w| serde_json::from_str(&w).ok())
        .unwrap_or_default();
    let words: Vec<OsString> = words.into_iter().map(OsString::from).collect();
    let Some(mut cluster) = cluster_from_words(&words) else {
        return;
    };
    cluster.client.timeout = cluster.client.timeout.min(REFRESH_TIMEOUT);
    cluster.client.verbose = 0;
    let Some(path) = cache_file(&cluster, kind) else {
        return;
    };
    if kind == Kind::Subjects {
        let timeout = cluster.client.timeout;
        let result = cluster
            .registry
            .as_ref()
            .ok_or_else(|| crate::error::Error::usage("no schema registry"))
            .and_then(|r| crate::registry::client::RegistryClient::new(r, timeout))
            .and_then(|client| client.subjects(false))
            .map_err(|e| e.message().to_string());
        record_refresh(&path, result);
        return;
    }
    let result = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
        .and_then(|rt| {
            let result = rt.block_on(async {
                let kafka = crate::kafka::Kafka::connect(&cluster.client)?;
                match kind {
                    Kind::Topics => kafka.topic_names().await,
                    Kind::Groups => kafka.group_names().await,
                    Kind::Brokers => kafka.broker_ids().await,
                    Kind::Subjects => Ok(Vec::new()),
                }
            });
            rt.shutdown_timeout(Duration::from_millis(0));
            result.map_err(|e| e.message().to_string())
        });
    record_refresh(&path, result);
}

/// Records a refresh's names (or its failure, keeping the names known before).
fn record_refresh(path: &Path, result: std::result::Result<Vec<String>, String>) {
    let path = path.to_path_buf();
    let previous = read_entry(&path).unwrap_or_default();
    let entry = match result {
        Ok(names) => CacheEntry {
            updated_ms: now_ms(),
            names,
            error: None,
        },
        Err(error) => CacheEntry {
            updated_ms: now_ms(),
            names: previous.names,
            error: Some(crate::security::scrub(&error)),
        },
    };
    let _ = write_entry(&path, &entry);
    release_lock(&path);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every argument that names a topic, a group or a broker completes from the cluster.
    #[test]
    fn every_argument_naming_a_cluster_object_completes() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let names: Vec<String> = arg
                    .get_value_names()
                    .map(|v| v.iter().map(|n| n.to_string()).collect())
                    .unwrap_or_default();
                let names_cluster_object = names
                    .iter()
                    .any(|n| n.starts_with("TOPIC") || n.starts_with("GROUP") || n == "BROKER")
                    || (path.starts_with("kctl topics")
                        && path != "kctl topics create"
                        && names.iter().any(|n| n == "NAME"));
                if names_cluster_object && arg.get::<ArgValueCompleter>().is_none() {
                    missing.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&crate::cli::Cli::command(), "kctl", &mut missing);
        assert!(missing.is_empty(), "no completer: {missing:?}");
    }

    #[test]
    fn names_match_by_prefix_sorted_and_unique() {
        let names = vec![
            "orders".to_string(),
            "audit".into(),
            "order-x".into(),
            "orders".into(),
        ];
        assert_eq!(matching(&names, "ord"), vec!["order-x", "orders"]);
        assert_eq!(matching(&names, ""), vec!["audit", "order-x", "orders"]);
    }

    #[test]
    fn hashes_are_stable() {
        assert_eq!(fnv1a(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a(b"a"), 0xaf63dc4c8601ec8c);
    }

    #[test]
    fn scripts_call_back_into_kctl() {
        let bash = String::from_utf8(script(clap_complete::Shell::Bash)).unwrap();
        assert!(bash.contains("KCTL_COMPLETE=\"bash\""), "{bash}");
    }
}
