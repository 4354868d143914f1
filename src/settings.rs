//! Global settings: the command line's global options resolved once, before any work.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum, ValueHint};

use crate::config::{Config, ContextConfig};
use crate::error::{Error, Result};
use crate::security::{Sasl, SaslMechanism, SecretSource, Security, Tls};

/// The default bootstrap address, as in Kafka's own quick start.
pub const DEFAULT_BROKERS: &str = "localhost:9092";
/// The default bound on every broker call.
pub const DEFAULT_TIMEOUT: &str = "10s";

/// How results are printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// Aligned tables for people.
    #[default]
    Table,
    /// JSON documents for scripts (one JSON object per line for streams).
    Json,
}

/// Options accepted by every command.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Bootstrap brokers, as HOST:PORT[,HOST:PORT...] [default: localhost:9092]
    #[arg(
        short = 'b',
        long = "brokers",
        env = "KCTL_BROKERS",
        value_name = "HOST:PORT[,...]",
        global = true,
        help_heading = "Connection"
    )]
    pub brokers: Option<String>,

    /// Use this context of the config file instead of its current-context
    #[arg(
        long = "context",
        env = "KCTL_CONTEXT",
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

    /// Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m) [default: 10s]
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

    #[command(flatten)]
    pub security: SecurityArgs,
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

/// Settings every command works from, resolved once from the global options, the environment
/// and the config file's context.
#[derive(Clone)]
pub struct Settings {
    /// Validated bootstrap addresses.
    pub brokers: Vec<String>,
    /// librdkafka properties in the order they apply: the context's properties, then the
    /// security settings, then -X. Sensitive values are redacted by `Debug`.
    pub properties: Vec<(String, String)>,
    pub timeout: Duration,
    pub output: OutputFormat,
    pub verbose: u8,
    /// The context in use, if any. Resolved for a command that connects, it is defined in the
    /// config file; offline (the `config` commands) it is the name asked for, defined or not.
    pub context: Option<String>,
    /// TLS and SASL as resolved (already part of `properties`).
    pub security: Security,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let properties: Vec<(&str, &str)> = self
            .properties
            .iter()
            .map(|(k, v)| {
                let v = if crate::security::is_sensitive_key(k) {
                    crate::security::REDACTED
                } else {
                    v.as_str()
                };
                (k.as_str(), v)
            })
            .collect();
        f.debug_struct("Settings")
            .field("brokers", &self.brokers)
            .field("properties", &properties)
            .field("timeout", &self.timeout)
            .field("output", &self.output)
            .field("verbose", &self.verbose)
            .field("context", &self.context)
            .field("security", &self.security)
            .finish()
    }
}

/// How much of the settings a command needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolve {
    /// Everything, for commands that connect: errors for missing secrets, unknown contexts.
    Full,
    /// Only what a command without a cluster needs (output format): a broken context or a
    /// missing secret is no error (so `kctl config use` can fix it).
    Offline,
    /// Like `Full`, but prints no warnings (shell completion).
    Quiet,
}

impl Settings {
    pub fn resolve(args: &GlobalArgs) -> Result<Settings> {
        Settings::resolve_with(args, Resolve::Full)
    }

    pub fn resolve_with(args: &GlobalArgs, mode: Resolve) -> Result<Settings> {
        // The readable-secret warning goes with every command that reads the file, the config
        // commands included; not with shell completion.
        let config = Config::load(mode != Resolve::Quiet)?;
        Settings::resolve_from(args, &config, mode)
    }

    /// Resolves with precedence flags > environment > context > defaults.
    pub fn resolve_from(args: &GlobalArgs, config: &Config, mode: Resolve) -> Result<Settings> {
        let offline = mode == Resolve::Offline;
        // The context: --context / KCTL_CONTEXT, else the file's current-context.
        let context_name = args
            .context
            .clone()
            .filter(|c| !c.is_empty())
            .or_else(|| config.file.current_context.clone());
        let context = match &context_name {
            Some(name) => match config.context(name) {
                Some(c) => Some(c),
                None if offline => None,
                None => return Err(config.unknown_context(name)),
            },
            None => None,
        };
        let in_context = |what: &str| {
            format!(
                "context '{}' in {}: {what}",
                context_name.as_deref().unwrap_or(""),
                config.display_path()
            )
        };

        let output = args
            .output
            .or_else(|| context.and_then(|c| c.output))
            .unwrap_or_default();

        let brokers = if let Some(list) = &args.brokers {
            parse_brokers(list)?
        } else if let Some(list) = context.and_then(|c| c.brokers.as_ref()) {
            parse_brokers(list).map_err(|e| Error::usage(in_context(e.message())))?
        } else {
            parse_brokers(DEFAULT_BROKERS)?
        };

        let timeout = match (args.timeout, context.and_then(|c| c.timeout.as_deref())) {
            (Some(t), _) => t,
            (None, Some(text)) => parse_timeout(text)
                .map_err(|e| Error::usage(in_context(&format!("timeout: {e}"))))?,
            (None, None) => parse_timeout(DEFAULT_TIMEOUT).expect("the default parses"),
        };
        if timeout.is_zero() {
            return Err(Error::usage("--timeout must be greater than zero"));
        }

        let mut properties: Vec<(String, String)> = Vec::new();
        if let Some(ctx) = context {
            for (k, v) in &ctx.properties {
                let v = crate::config::property_value(k, v)
                    .map_err(|e| Error::usage(in_context(e.message())))?;
                properties.push((k.clone(), v));
            }
            if !offline {
                crate::kafka::validate_properties(&properties)
                    .map_err(|e| Error::usage(in_context(e.message())))?;
            }
        }
        for (k, v) in &args.properties {
            if crate::security::is_sensitive_key(k) {
                crate::security::register_secret(v);
                if mode != Resolve::Quiet {
                    eprintln!("warning: {}", x_secret_warning(k));
                }
            }
        }
        crate::kafka::validate_properties(&args.properties)?;

        let security = if offline {
            Security::default()
        } else {
            let warn = mode == Resolve::Full;
            let security =
                resolve_security(&args.security, context, config, &args.properties, warn).map_err(
                    |e| match &context_name {
                        Some(_) if e.message().starts_with("config:") => {
                            Error::usage(in_context(e.message().trim_start_matches("config: ")))
                        }
                        _ => e,
                    },
                )?;
            if mode == Resolve::Full {
                if let Some(tls) = &security.tls {
                    if !tls.verify_certificate {
                        eprintln!("warning: TLS certificate verification is off: the brokers' identity is not checked");
                    }
                }
            }
            security
        };
        for (k, v) in security.librdkafka_properties() {
            properties.push((k.to_string(), v.expose().to_string()));
        }
        properties.extend(args.properties.iter().cloned());

        // librdkafka applies the properties after kctl's bootstrap list, so a
        // bootstrap.servers among them (-X, or the context's) is where it connects: the
        // brokers every message names, and what doctor checks, are those.
        let brokers = match bootstrap_property(&properties) {
            Some(list) if !list.is_empty() => {
                if list != brokers && args.brokers.is_some() && mode == Resolve::Full {
                    eprintln!(
                        "warning: bootstrap.servers={} (a librdkafka property) overrides \
                         -b/KCTL_BROKERS {}: kctl connects to {}",
                        list.join(","),
                        brokers.join(","),
                        list.join(",")
                    );
                }
                list
            }
            _ => brokers,
        };

        Ok(Settings {
            brokers,
            properties,
            timeout,
            output,
            verbose: args.verbose,
            context: if offline {
                context_name
            } else {
                context.and(context_name)
            },
            security,
        })
    }

    /// The bootstrap list as librdkafka takes it.
    pub fn bootstrap_servers(&self) -> String {
        self.brokers.join(",")
    }
}

/// Merges the security flags over the context's `[tls]` and `[sasl]` tables. Errors about the
/// context start with `config: `.
fn resolve_security(
    args: &SecurityArgs,
    context: Option<&ContextConfig>,
    config: &Config,
    x_props: &[(String, String)],
    warn: bool,
) -> Result<Security> {
    let ctx_tls = context
        .and_then(|c| c.tls.as_ref())
        .filter(|t| t.enabled != Some(false));
    let flag_tls = args.tls
        || args.tls_ca.is_some()
        || args.tls_cert.is_some()
        || args.tls_key.is_some()
        || args.tls_key_password_env.is_some()
        || args.tls_key_password_file.is_some()
        || args.tls_insecure_skip_verify;
    let tls = if flag_tls || ctx_tls.is_some() {
        let c = ctx_tls.cloned().unwrap_or_default();
        let file = |flag: &Option<PathBuf>,
                    ctx: &Option<PathBuf>,
                    what: &str|
         -> Result<Option<PathBuf>> {
            let (path, from_ctx) = match (flag, ctx) {
                (Some(p), _) => (p.clone(), false),
                (None, Some(p)) => (config.resolve_path(p), true),
                (None, None) => return Ok(None),
            };
            if !path.is_file() {
                let msg = format!("{what} {}: no such file", path.display());
                return Err(Error::usage(if from_ctx {
                    format!("config: {msg}")
                } else {
                    msg
                }));
            }
            Ok(Some(path))
        };
        let key_password = match (&args.tls_key_password_env, &args.tls_key_password_file) {
            (Some(var), _) => Some(SecretSource::Env(var.clone()).read("--tls-key-password-env")?),
            (None, Some(f)) => {
                Some(SecretSource::File(f.clone()).read_checked("--tls-key-password-file", warn)?)
            }
            (None, None) => crate::config::secret_source(
                config,
                "key-password",
                c.key_password.as_ref(),
                c.key_password_env.as_ref(),
                c.key_password_file.as_ref(),
            )?
            .map(|s| s.read_checked("config: tls key-password", warn))
            .transpose()?,
        };
        let insecure = args.tls_insecure_skip_verify || c.insecure_skip_verify == Some(true);
        Some(Tls {
            ca_file: file(&args.tls_ca, &c.ca_file, "--tls-ca / ca-file")?,
            cert_file: file(&args.tls_cert, &c.cert_file, "--tls-cert / cert-file")?,
            key_file: file(&args.tls_key, &c.key_file, "--tls-key / key-file")?,
            key_password,
            verify_certificate: !insecure,
            verify_hostname: !insecure && c.verify_hostname != Some(false),
        })
    } else {
        None
    };

    let ctx_sasl = context.and_then(|c| c.sasl.as_ref());
    let mechanism = args.sasl_mechanism.or(ctx_sasl.map(|s| s.mechanism));
    let sasl = match mechanism {
        None => {
            if args.sasl_username.is_some()
                || args.sasl_password_env.is_some()
                || args.sasl_password_file.is_some()
                || args.sasl_oauth_token_url.is_some()
            {
                return Err(Error::usage(
                    "SASL options need --sasl-mechanism (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER)",
                ));
            }
            None
        }
        Some(mechanism) => {
            let username = args
                .sasl_username
                .clone()
                .or_else(|| ctx_sasl.and_then(|s| s.username.clone()));
            let password = match (&args.sasl_password_env, &args.sasl_password_file) {
                (Some(var), _) => Some(SecretSource::Env(var.clone()).read("--sasl-password-env")?),
                (None, Some(f)) => {
                    Some(SecretSource::File(f.clone()).read_checked("--sasl-password-file", warn)?)
                }
                (None, None) => match ctx_sasl {
                    Some(s) => crate::config::secret_source(
                        config,
                        "password",
                        s.password.as_ref(),
                        s.password_env.as_ref(),
                        s.password_file.as_ref(),
                    )?
                    .map(|src| src.read_checked("config: sasl password", warn))
                    .transpose()?,
                    None => None,
                },
            };
            let oauth_token_url = args
                .sasl_oauth_token_url
                .clone()
                .or_else(|| ctx_sasl.and_then(|s| s.oauth_token_url.clone()));
            let has_x = |key: &str| x_props.iter().any(|(k, _)| k == key);
            let has_property =
                |key: &str| has_x(key) || context.is_some_and(|c| c.properties.contains_key(key));
            // Without a token endpoint or librdkafka's unsecured tokens, librdkafka waits for
            // the application to hand it a token, which kctl never does: say so now.
            if mechanism == SaslMechanism::OAuthBearer
                && oauth_token_url.is_none()
                && !has_property("sasl.oauthbearer.method")
                && !has_property("enable.sasl.oauthbearer.unsecure.jwt")
            {
                return Err(Error::usage(
                    "SASL OAUTHBEARER needs a way to get tokens: give --sasl-oauth-token-url URL \
                     (OIDC), or for a development broker -X enable.sasl.oauthbearer.unsecure.jwt=true \
                     -X sasl.oauthbearer.config=principal=NAME",
                ));
            }
            if mechanism != SaslMechanism::OAuthBearer {
                if username.is_none() && !has_x("sasl.username") {
                    return Err(Error::usage(format!(
                        "SASL {} needs a user name: give --sasl-username",
                        mechanism.as_str()
                    )));
                }
                if password.is_none() && !has_x("sasl.password") {
                    return Err(Error::usage(format!(
                        "SASL {} needs a password: give --sasl-password-env VAR or --sasl-password-file FILE",
                        mechanism.as_str()
                    )));
                }
            }
            Some(Sasl {
                mechanism,
                username,
                password,
                oauth_token_url,
            })
        }
    };
    Ok(Security { tls, sasl })
}

/// Why a secret given with `-X KEY=...` is exposed, and what to use instead.
fn x_secret_warning(key: &str) -> String {
    let instead = match key.to_ascii_lowercase().as_str() {
        "sasl.password" | "sasl.oauthbearer.client.secret" => {
            "--sasl-password-env VAR or --sasl-password-file FILE"
        }
        "ssl.key.password" => "--tls-key-password-env VAR or --tls-key-password-file FILE",
        _ => "a context's properties in the config file (chmod 600)",
    };
    format!(
        "-X {key}=... puts a secret on the command line, where other users can see it in the \
         process list (and it stays in the shell history): use {instead} instead"
    )
}

/// The addresses of the last `bootstrap.servers` (or its alias `metadata.broker.list`) among
/// librdkafka properties, without the `proto://` prefix librdkafka also takes.
fn bootstrap_property(properties: &[(String, String)]) -> Option<Vec<String>> {
    let (_, list) = properties
        .iter()
        .rev()
        .find(|(k, _)| k == "bootstrap.servers" || k == "metadata.broker.list")?;
    Some(
        list.split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| a.split_once("://").map_or(a, |(_, rest)| rest).to_string())
            .collect(),
    )
}

/// Parses `HOST:PORT[,HOST:PORT...]`; IPv6 hosts go in brackets: `[::1]:9092`.
pub fn parse_brokers(list: &str) -> Result<Vec<String>> {
    let brokers: Vec<String> = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.to_string())
        .collect();
    if brokers.is_empty() {
        return Err(Error::usage(
            "the broker list is empty: expected HOST:PORT[,...]",
        ));
    }
    for broker in &brokers {
        let bad = || {
            Error::usage(format!(
                "invalid broker address '{broker}': expected HOST:PORT, e.g. localhost:9092 or [::1]:9092"
            ))
        };
        let (host, port) = broker.rsplit_once(':').ok_or_else(bad)?;
        let host_ok = match host.strip_prefix('[') {
            // An IPv6 address in brackets, optionally with a zone: [fe80::1%eth0].
            Some(rest) => rest.strip_suffix(']').is_some_and(|ip| {
                let ip = ip.split_once('%').map_or(ip, |(ip, _)| ip);
                ip.parse::<std::net::Ipv6Addr>().is_ok()
            }),
            None => {
                !host.is_empty()
                    && !host
                        .contains(|c: char| matches!(c, ':' | '[' | ']' | '/') || c.is_whitespace())
            }
        };
        if !host_ok {
            return Err(bad());
        }
        match port.parse::<u16>() {
            Ok(p) if p > 0 => {}
            _ => return Err(bad()),
        }
    }
    Ok(brokers)
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
    if timeout > crate::kafka::MAX_TIMEOUT {
        return Err(format!(
            "the timeout '{}' is too long: at most {} (librdkafka waits at most 2147483647 ms)",
            s.trim(),
            format_duration(crate::kafka::MAX_TIMEOUT)
        ));
    }
    Ok(timeout)
}

/// A duration for people, to the millisecond: `2s`, `1s 998ms`, `1h 30m`.
pub fn format_duration(d: Duration) -> String {
    let ms = Duration::from_millis(u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    humantime::format_duration(ms).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brokers_parse_and_validate() {
        assert_eq!(
            parse_brokers("a:1, b:2").unwrap(),
            vec!["a:1".to_string(), "b:2".to_string()]
        );
        assert_eq!(parse_brokers("[::1]:9092").unwrap(), vec!["[::1]:9092"]);
        assert!(parse_brokers("[fe80::1%eth0]:9092").is_ok());
        for bad in [
            "",
            ",",
            "localhost",
            "localhost:",
            ":9092",
            "h:0",
            "h:99999",
            "h:x",
            "[::1",
            "[::1:9092",
            "[nope]:9092",
            "::1:9092",
            "h/x:9092",
            "PLAINTEXT://h:9092",
        ] {
            let err = parse_brokers(bad).unwrap_err();
            assert_eq!(err.kind(), crate::error::ErrorKind::Usage, "{bad}");
        }
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

    fn args(extra: &[&str]) -> GlobalArgs {
        use clap::FromArgMatches;
        let mut argv = vec!["kctl"];
        argv.extend_from_slice(extra);
        let cmd = GlobalArgs::augment_args(clap::Command::new("kctl"));
        GlobalArgs::from_arg_matches(&cmd.try_get_matches_from(argv).unwrap()).unwrap()
    }

    #[test]
    fn properties_apply_context_then_security_then_x() {
        let text = r#"
current-context = "c"
[contexts.c]
brokers = "h:1"
timeout = "3s"
[contexts.c.properties]
"client.id" = "from-context"
"security.protocol" = "plaintext"
[contexts.c.sasl]
mechanism = "PLAIN"
username = "ctx-user"
password = "ctx-password-1"
"#;
        let config = Config {
            path: Some("/c.toml".into()),
            exists: true,
            file: crate::config::parse(text, std::path::Path::new("/c.toml")).unwrap(),
        };
        let s = Settings::resolve_from(
            &args(&["-X", "client.id=from-x", "--sasl-username", "flag-user"]),
            &config,
            Resolve::Quiet,
        )
        .unwrap();
        let last = |key: &str| {
            s.properties
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(s.brokers, ["h:1"]);
        assert_eq!(s.timeout, Duration::from_secs(3));
        assert_eq!(s.context.as_deref(), Some("c"));
        assert_eq!(last("client.id").unwrap(), "from-x");
        assert_eq!(last("security.protocol").unwrap(), "sasl_plaintext");
        assert_eq!(last("sasl.username").unwrap(), "flag-user");
        assert_eq!(last("sasl.password").unwrap(), "ctx-password-1");
        let debug = format!("{s:?}");
        assert!(!debug.contains("ctx-password-1"), "{debug}");
        // Flags beat the context; defaults fill in without one.
        let s = Settings::resolve_from(
            &args(&["-b", "x:2", "--timeout", "1s"]),
            &config,
            Resolve::Quiet,
        )
        .unwrap();
        assert_eq!(s.brokers, ["x:2"]);
        assert_eq!(s.timeout, Duration::from_secs(1));
        let s = Settings::resolve_from(&args(&[]), &Config::default(), Resolve::Full).unwrap();
        assert_eq!(s.brokers, [DEFAULT_BROKERS]);
        assert_eq!(s.timeout, Duration::from_secs(10));
        assert_eq!(s.output, OutputFormat::Table);
        assert!(s.properties.is_empty());
    }

    /// -X bootstrap.servers is where librdkafka connects (properties apply last), so it is
    /// the broker list everything names.
    #[test]
    fn a_bootstrap_property_is_the_broker_list() {
        let s = Settings::resolve_from(
            &args(&["-b", "a:1", "-X", "bootstrap.servers=PLAINTEXT://b:2, c:3"]),
            &Config::default(),
            Resolve::Quiet,
        )
        .unwrap();
        assert_eq!(s.brokers, ["b:2", "c:3"]);
        let s = Settings::resolve_from(
            &args(&["-X", "metadata.broker.list=d:4"]),
            &Config::default(),
            Resolve::Quiet,
        )
        .unwrap();
        assert_eq!(s.brokers, ["d:4"]);
        let s = Settings::resolve_from(&args(&["-b", "a:1"]), &Config::default(), Resolve::Quiet)
            .unwrap();
        assert_eq!(s.brokers, ["a:1"]);
    }

    #[test]
    fn x_secrets_point_at_the_right_place() {
        for (key, instead) in [
            ("sasl.password", "--sasl-password-file"),
            ("sasl.oauthbearer.client.secret", "--sasl-password-file"),
            ("ssl.key.password", "--tls-key-password-file"),
            ("sasl.oauthbearer.config", "config file (chmod 600)"),
            ("ssl.keystore.password", "config file (chmod 600)"),
        ] {
            let w = x_secret_warning(key);
            assert!(w.starts_with(&format!("-X {key}=... puts a secret")), "{w}");
            assert!(w.contains(instead), "{key}: {w}");
        }
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
        assert_eq!(
            parse_timeout("2147483647ms").unwrap(),
            crate::kafka::MAX_TIMEOUT
        );
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

    #[test]
    fn durations_format_to_the_millisecond() {
        assert_eq!(
            format_duration(Duration::from_nanos(1_998_152_675)),
            "1s 998ms"
        );
        assert_eq!(format_duration(Duration::from_secs(2)), "2s");
        assert_eq!(format_duration(Duration::from_micros(300)), "0s");
    }
}
