//! The command-line definition: the top-level parser, the global options every command takes,
//! and the value parsers they share. Each command's own arguments are beside its handler in
//! `commands/<noun>/<verb>.rs`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, ValueHint};

use crate::commands::Command;
use crate::kafka::MAX_TIMEOUT;
use crate::printer::OutputFormat;
use crate::security::SaslMechanism;

/// kctl: a fast, scriptable Kafka admin and debugging tool.
///
/// Results print as tables for people and, with -o json, as JSON for scripts. Exit codes:
/// 0 ok, 1 runtime failure, 2 usage error, 130 interrupted (143 on SIGTERM, 129 on SIGHUP).
#[derive(Debug, Parser)]
#[command(
    name = "kctl",
    version,
    propagate_version = true,
    max_term_width = crate::help::MAX_WIDTH,
    arg_required_else_help = true,
    after_help = "Examples:\n  kctl topics create orders --partitions 3\n  kctl topics list\n  kctl -o json topics describe orders\n  kctl topics delete orders --yes"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Options accepted by every command.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Bootstrap brokers, as HOST:PORT[,HOST:PORT...] [env: KCTL_BROKERS] [default:
    /// localhost:9092]
    #[arg(
        short = 'b',
        long = "brokers",
        value_name = "HOST:PORT[,...]",
        global = true,
        help_heading = "Connection"
    )]
    pub brokers: Option<String>,

    /// Use this context of the config file instead of its current-context [env: KCTL_CONTEXT]
    #[arg(
        long = "context",
        value_name = "NAME",
        global = true,
        help_heading = "Connection",
        add = crate::complete::context_completer()
    )]
    pub context: Option<String>,

    /// Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)
    #[arg(
        short = 'X',
        value_name = "KEY=VALUE",
        value_parser = parse_key_value,
        global = true,
        help_heading = "Connection"
    )]
    pub properties: Vec<(String, String)>,

    /// Bound on every broker and registry call, connecting included (e.g. 500ms, 10s, 1m) [default: 10s]
    #[arg(
        long,
        value_name = "DURATION",
        value_parser = parse_timeout,
        global = true,
        help_heading = "Connection"
    )]
    pub timeout: Option<Duration>,

    /// Output format: tables for people, JSON for scripts [default: table]
    #[arg(short = 'o', long = "output", value_name = "FORMAT", global = true)]
    pub output: Option<OutputFormat>,

    /// Show librdkafka's logs on stderr (-vv adds protocol debugging)
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Print only data, warnings and errors: no progress, summaries or notes
    #[arg(short = 'q', long = "quiet", global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    #[command(flatten)]
    pub security: SecurityArgs,

    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// The schema registry: its URL and basic-auth credentials (a context's `[registry]` table
/// holds the rest: bearer tokens, TLS files). The password comes from an environment variable
/// or a file, never the command line.
#[derive(Debug, Clone, Default, Args)]
pub struct RegistryArgs {
    /// Schema registry URL, e.g. http://localhost:8081 (Confluent-compatible REST API) [env:
    /// KCTL_REGISTRY]
    #[arg(
        long = "registry",
        value_name = "URL",
        value_hint = ValueHint::Url,
        global = true,
        help_heading = "Schema registry"
    )]
    pub registry: Option<String>,

    /// Schema registry user name (HTTP basic auth)
    #[arg(
        long = "registry-user",
        value_name = "USER",
        global = true,
        help_heading = "Schema registry"
    )]
    pub registry_user: Option<String>,

    /// Read the schema registry password from this environment variable
    #[arg(
        long = "registry-password-env",
        value_name = "VAR",
        global = true,
        help_heading = "Schema registry",
        conflicts_with = "registry_password_file"
    )]
    pub registry_password_env: Option<String>,

    /// Read the schema registry password from this file
    #[arg(long = "registry-password-file", value_name = "FILE", value_hint = ValueHint::FilePath, global = true, help_heading = "Schema registry")]
    pub registry_password_file: Option<PathBuf>,
}

impl GlobalArgs {
    /// The options with `KCTL_BROKERS`, `KCTL_CONTEXT` and `KCTL_REGISTRY` filled in where no
    /// flag gave them.
    /// They are read here rather than by clap, so that usage errors do not show an option the
    /// environment set as if the command line needed it, and an empty variable counts as unset
    /// (`KCTL_BROKERS= kctl ...` means the default, as in a shell script that clears it).
    pub fn with_environment(mut self) -> GlobalArgs {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if self.brokers.is_none() {
            self.brokers = var("KCTL_BROKERS");
        }
        if self.context.is_none() {
            self.context = var("KCTL_CONTEXT");
        }
        if self.registry.registry.is_none() {
            self.registry.registry = var("KCTL_REGISTRY");
        }
        self
    }
}

/// TLS and SASL options. Secrets come from an environment variable or a file, never the
/// command line.
#[derive(Debug, Clone, Default, Args)]
pub struct SecurityArgs {
    /// Connect with TLS (implied by any other --tls-* option)
    #[arg(long = "tls", global = true, help_heading = "Security")]
    pub tls: bool,

    /// CA certificate(s) (PEM) to verify the brokers with, instead of the system's
    #[arg(long = "tls-ca", value_name = "FILE", value_hint = ValueHint::FilePath, global = true, help_heading = "Security")]
    pub tls_ca: Option<PathBuf>,

    /// Client certificate (PEM) for mutual TLS
    #[arg(long = "tls-cert", value_name = "FILE", value_hint = ValueHint::FilePath, global = true, help_heading = "Security")]
    pub tls_cert: Option<PathBuf>,

    /// Client private key (PEM) for mutual TLS
    #[arg(long = "tls-key", value_name = "FILE", value_hint = ValueHint::FilePath, global = true, help_heading = "Security")]
    pub tls_key: Option<PathBuf>,

    /// Read the client key's password from this environment variable
    #[arg(
        long = "tls-key-password-env",
        value_name = "VAR",
        global = true,
        help_heading = "Security",
        conflicts_with = "tls_key_password_file"
    )]
    pub tls_key_password_env: Option<String>,

    /// Read the client key's password from this file
    #[arg(long = "tls-key-password-file", value_name = "FILE", value_hint = ValueHint::FilePath, global = true, help_heading = "Security")]
    pub tls_key_password_file: Option<PathBuf>,

    /// Do not verify the brokers' certificates or host names (insecure; for testing only)
    #[arg(
        long = "tls-insecure-skip-verify",
        global = true,
        help_heading = "Security"
    )]
    pub tls_insecure_skip_verify: bool,

    /// SASL mechanism
    #[arg(
        long = "sasl-mechanism",
        value_name = "MECHANISM",
        global = true,
        help_heading = "Security"
    )]
    pub sasl_mechanism: Option<SaslMechanism>,

    /// SASL user name (OAUTHBEARER with --sasl-oauth-token-url: the OIDC client id)
    #[arg(
        long = "sasl-username",
        value_name = "USER",
        global = true,
        help_heading = "Security"
    )]
    pub sasl_username: Option<String>,

    /// Read the SASL password (OIDC: the client secret) from this environment variable
    #[arg(
        long = "sasl-password-env",
        value_name = "VAR",
        global = true,
        help_heading = "Security",
        conflicts_with = "sasl_password_file"
    )]
    pub sasl_password_env: Option<String>,

    /// Read the SASL password (OIDC: the client secret) from this file
    #[arg(long = "sasl-password-file", value_name = "FILE", value_hint = ValueHint::FilePath, global = true, help_heading = "Security")]
    pub sasl_password_file: Option<PathBuf>,

    /// OAUTHBEARER: the OIDC token endpoint; librdkafka fetches and refreshes tokens itself
    #[arg(
        long = "sasl-oauth-token-url",
        value_name = "URL",
        global = true,
        help_heading = "Security"
    )]
    pub sasl_oauth_token_url: Option<String>,
}

/// Parses `KEY=VALUE` (the value may be empty and may contain `=`).
pub fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("expected KEY=VALUE, got '{s}'")),
    }
}

/// Parses a duration such as `500ms`, `10s`, `2m`; a bare number is seconds (saturating at
/// `Duration::MAX`).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            // Saturating: a number of seconds too large for a Duration is longer than any
            // bound anyway.
            return Ok(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX));
        }
    }
    humantime::parse_duration(s)
        .map_err(|e| format!("invalid duration '{s}' ({e}): use e.g. 500ms, 10s, 1m"))
}

/// Parses `--timeout`: a duration librdkafka's calls can wait (at most about 24.8 days, their
/// `int` milliseconds).
pub fn parse_timeout(s: &str) -> Result<Duration, String> {
    let timeout = parse_duration(s)?;
    if timeout > MAX_TIMEOUT {
        return Err(format!(
            "the timeout '{}' is too long: at most {} (librdkafka waits at most 2147483647 ms)",
            s.trim(),
            humantime::format_duration(MAX_TIMEOUT)
        ));
    }
    Ok(timeout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn key_values_parse() {
        assert_eq!(
            parse_key_value("a.b=c=d").unwrap(),
            ("a.b".to_string(), "c=d".to_string())
        );
        assert_eq!(
            parse_key_value("k=").unwrap(),
            ("k".to_string(), String::new())
        );
        assert!(parse_key_value("novalue").is_err());
        assert!(parse_key_value("=v").is_err());
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2").unwrap(), Duration::from_secs(2));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-1").is_err());
    }

    /// Any duration librdkafka's calls can wait is a timeout; longer ones are usage errors,
    /// never a panic or a wrapped 32-bit value.
    #[test]
    fn timeouts_are_bounded_by_what_librdkafka_takes() {
        assert_eq!(parse_timeout("2h").unwrap(), Duration::from_secs(7200));
        assert_eq!(
            parse_timeout("24d").unwrap(),
            Duration::from_secs(24 * 86_400)
        );
        assert_eq!(parse_timeout("2147483647ms").unwrap(), MAX_TIMEOUT);
        for bad in [
            "25d",
            "2147483648ms",
            "99999999999999999999",
            "1e300",
            "99999999999999999999s",
        ] {
            let err = parse_timeout(bad).unwrap_err();
            assert!(
                err.contains("too long") || err.contains("invalid"),
                "{bad}: {err}"
            );
        }
        assert!(parse_timeout("25d")
            .unwrap_err()
            .contains("at most 24days 20h 31m 23s 647ms"));
    }
}
