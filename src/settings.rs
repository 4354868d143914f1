//! Global settings: the command line's global options, the environment and the config file's
//! context, resolved once before any work, with precedence flags > environment > context >
//! kctl's defaults. Nothing here knows librdkafka's properties: `kafka::ClientConfig` makes the
//! client configuration of these settings. Warnings are handed back, not printed.

use std::path::PathBuf;
use std::time::Duration;

use crate::cli::{parse_timeout, GlobalArgs, SecurityArgs};
use crate::config::{Config, ContextConfig};
use crate::error::{Error, Result};
use crate::printer::OutputFormat;
use crate::registry::settings::RegistrySettings;
use crate::security::{Sasl, SecretSource, Security, Tls};

/// The default bootstrap address, as in Kafka's own quick start.
pub const DEFAULT_BROKERS: &str = "localhost:9092";
/// The default bound on every broker call.
pub const DEFAULT_TIMEOUT: &str = "10s";

/// Settings every command works from.
#[derive(Clone)]
pub struct Settings {
    /// The bootstrap addresses given (-b, KCTL_BROKERS, the context's, or the default),
    /// validated. A `bootstrap.servers` property overrides them: `kafka::ClientConfig::brokers`
    /// is where kctl connects.
    pub brokers: Vec<String>,
    /// Whether `brokers` came from -b or KCTL_BROKERS.
    pub brokers_given: bool,
    /// The context's librdkafka properties. Sensitive values are redacted by `Debug`.
    pub context_properties: Vec<(String, String)>,
    /// The -X properties, in the order given. Sensitive values are redacted by `Debug`.
    pub x_properties: Vec<(String, String)>,
    pub timeout: Duration,
    pub output: OutputFormat,
    pub verbose: u8,
    /// The context in use, if any. Resolved for a command that connects, it is defined in the
    /// config file; offline (the `config` commands) it is the name asked for, defined or not.
    pub context: Option<String>,
    /// The config file, as messages name it.
    pub config_file: String,
    /// TLS and SASL as resolved.
    pub security: Security,
    /// The schema registry, when one is set (--registry, KCTL_REGISTRY, the context's).
    pub registry: Option<RegistrySettings>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("brokers", &self.brokers)
            .field(
                "context_properties",
                &crate::security::redacted(&self.context_properties),
            )
            .field(
                "x_properties",
                &crate::security::redacted(&self.x_properties),
            )
            .field("timeout", &self.timeout)
            .field("output", &self.output)
            .field("verbose", &self.verbose)
            .field("context", &self.context)
            .field("security", &self.security)
            .field("registry", &self.registry)
            .finish()
    }
}

/// How much of the settings a command needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Everything, for commands that connect: errors for missing secrets, unknown contexts.
    Full,
    /// Only what a command without a cluster needs (output format): a broken context or a
    /// missing secret is no error (so `kctl config use` can fix it).
    Offline,
}

impl Settings {
    /// Loads the config file and resolves the settings. Warnings go to `warnings`, also those
    /// found before an error.
    pub fn resolve(args: &GlobalArgs, mode: Mode, warnings: &mut Vec<String>) -> Result<Settings> {
        let config = Config::load()?;
        warnings.extend(config.warnings.iter().cloned());
        Settings::resolve_from(&args.clone().with_environment(), &config, mode, warnings)
    }

    /// Resolves with precedence flags > environment > context > defaults.
    pub fn resolve_from(
        args: &GlobalArgs,
        config: &Config,
        mode: Mode,
        warnings: &mut Vec<String>,
    ) -> Result<Settings> {
        let offline = mode == Mode::Offline;
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
        let in_context = |what: &str| in_context(context_name.as_deref(), config, what);

        let output = args
            .output
            .or_else(|| context.and_then(|c| c.output))
            .unwrap_or_default();

        let brokers = if let Some(list) = &args.brokers {
            parse_brokers(list)?
        } else if let Some(list) = context.and_then(|c| c.brokers.as_ref()) {
            parse_brokers(list).map_err(|e| Error::usage(in_context(&e.to_string())))?
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

        let mut context_properties = Vec::new();
        for (k, v) in context.iter().flat_map(|c| &c.properties) {
            let v = crate::config::property_value(k, v)
                .map_err(|e| Error::usage(in_context(&e.to_string())))?;
            context_properties.push((k.clone(), v));
        }
        for (k, v) in &args.properties {
            if crate::security::is_sensitive_key(k) {
                crate::security::register_secret(v);
                warnings.push(x_secret_warning(k));
            }
        }

        let security = match context {
            _ if offline => Security::default(),
            context => resolve_security(&args.security, context, config, &in_context, warnings)?,
        };

        let registry = match context {
            _ if offline => None,
            context => crate::registry::settings::resolve(
                &args.registry,
                context.and_then(|c| c.registry.as_ref()),
                config,
                &in_context,
                warnings,
            )?,
        };

        Ok(Settings {
            brokers,
            brokers_given: args.brokers.is_some(),
            context_properties,
            x_properties: args.properties.clone(),
            timeout,
            output,
            verbose: args.verbose,
            context: if offline {
                context_name
            } else {
                context.and(context_name)
            },
            config_file: config.display_path(),
            security,
            registry,
        })
    }

    /// `what` as said of the context in use: `context 'NAME' in FILE: what`.
    pub fn in_context(&self, what: &str) -> String {
        format!(
            "context '{}' in {}: {what}",
            self.context.as_deref().unwrap_or(""),
            self.config_file
        )
    }
}

fn in_context(name: Option<&str>, config: &Config, what: &str) -> String {
    format!(
        "context '{}' in {}: {what}",
        name.unwrap_or(""),
        config.display_path()
    )
}

/// Merges the security flags over the context's `[tls]` and `[sasl]` tables. What is wrong
/// with the context's is said of the context (`in_context`).
fn resolve_security(
    args: &SecurityArgs,
    context: Option<&ContextConfig>,
    config: &Config,
    in_context: &dyn Fn(&str) -> String,
    warnings: &mut Vec<String>,
) -> Result<Security> {
    Ok(Security {
        tls: resolve_tls(args, context, config, in_context, warnings)?,
        sasl: resolve_sasl(args, context, config, in_context, warnings)?,
    })
}

/// TLS from the flags and the context's `[tls]` table; `None` when neither turns it on.
fn resolve_tls(
    args: &SecurityArgs,
    context: Option<&ContextConfig>,
    config: &Config,
    in_context: &dyn Fn(&str) -> String,
    warnings: &mut Vec<String>,
) -> Result<Option<Tls>> {
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
    if !flag_tls && ctx_tls.is_none() {
        return Ok(None);
    }
    let c = ctx_tls.cloned().unwrap_or_default();
    // A file from its flag, else from the context (relative to the config file); it must exist.
    let file =
        |flag: &Option<PathBuf>, ctx: &Option<PathBuf>, what: &str| -> Result<Option<PathBuf>> {
            let (path, from_ctx) = match (flag, ctx) {
                (Some(p), _) => (p.clone(), false),
                (None, Some(p)) => (config.resolve_path(p), true),
                (None, None) => return Ok(None),
            };
            if !path.is_file() {
                let msg = format!("{what} {}: no such file", path.display());
                return Err(Error::usage(if from_ctx { in_context(&msg) } else { msg }));
            }
            Ok(Some(path))
        };
    let key_password = match (&args.tls_key_password_env, &args.tls_key_password_file) {
        (Some(var), _) => Some(SecretSource::Env(var.clone()).read("--tls-key-password-env")?),
        (None, Some(f)) => {
            Some(SecretSource::File(f.clone()).read_checked("--tls-key-password-file", warnings)?)
        }
        (None, None) => crate::config::secret_source(
            config,
            "key-password",
            c.key_password.as_ref(),
            c.key_password_env.as_ref(),
            c.key_password_file.as_ref(),
        )?
        .map(|s| {
            s.read_checked("tls key-password", warnings)
                .map_err(|e| Error::usage(in_context(&e.to_string())))
        })
        .transpose()?,
    };
    let insecure = args.tls_insecure_skip_verify || c.insecure_skip_verify == Some(true);
    Ok(Some(Tls {
        ca_file: file(&args.tls_ca, &c.ca_file, "--tls-ca / ca-file")?,
        cert_file: file(&args.tls_cert, &c.cert_file, "--tls-cert / cert-file")?,
        key_file: file(&args.tls_key, &c.key_file, "--tls-key / key-file")?,
        key_password,
        verify_certificate: !insecure,
        verify_hostname: !insecure && c.verify_hostname != Some(false),
    }))
}

/// SASL from the flags and the context's `[sasl]` table; `None` without a mechanism.
fn resolve_sasl(
    args: &SecurityArgs,
    context: Option<&ContextConfig>,
    config: &Config,
    in_context: &dyn Fn(&str) -> String,
    warnings: &mut Vec<String>,
) -> Result<Option<Sasl>> {
    let ctx_sasl = context.and_then(|c| c.sasl.as_ref());
    let Some(mechanism) = args.sasl_mechanism.or(ctx_sasl.map(|s| s.mechanism)) else {
        if args.sasl_username.is_some()
            || args.sasl_password_env.is_some()
            || args.sasl_password_file.is_some()
            || args.sasl_oauth_token_url.is_some()
        {
            return Err(Error::usage(
                "SASL options need --sasl-mechanism (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER)",
            ));
        }
        return Ok(None);
    };
    let username = args
        .sasl_username
        .clone()
        .or_else(|| ctx_sasl.and_then(|s| s.username.clone()));
    let password = match (&args.sasl_password_env, &args.sasl_password_file) {
        (Some(var), _) => Some(SecretSource::Env(var.clone()).read("--sasl-password-env")?),
        (None, Some(f)) => {
            Some(SecretSource::File(f.clone()).read_checked("--sasl-password-file", warnings)?)
        }
        (None, None) => match ctx_sasl {
            Some(s) => crate::config::secret_source(
                config,
                "password",
                s.password.as_ref(),
                s.password_env.as_ref(),
                s.password_file.as_ref(),
            )?
            .map(|src| {
                src.read_checked("sasl password", warnings)
                    .map_err(|e| Error::usage(in_context(&e.to_string())))
            })
            .transpose()?,
            None => None,
        },
    };
    let oauth_token_url = args
        .sasl_oauth_token_url
        .clone()
        .or_else(|| ctx_sasl.and_then(|s| s.oauth_token_url.clone()));
    Ok(Some(Sasl {
        mechanism,
        username,
        password,
        oauth_token_url,
    }))
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

/// A duration for people, to the millisecond: `2s`, `1s 998ms`, `1h 30m`.
pub fn format_duration(d: Duration) -> String {
    let ms = Duration::from_millis(u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    humantime::format_duration(ms).to_string()
}

#[cfg(test)]
pub(crate) fn test_args(flags: &[&str]) -> GlobalArgs {
    use clap::{Args, FromArgMatches};
    let cmd = GlobalArgs::augment_args(clap::Command::new("kctl"));
    let matches = cmd
        .try_get_matches_from([&["kctl"], flags].concat())
        .unwrap();
    GlobalArgs::from_arg_matches(&matches).unwrap()
}

#[cfg(test)]
impl Settings {
    /// Settings from global flags alone (no config file, no environment).
    pub(crate) fn for_test(flags: &[&str]) -> Settings {
        Settings::resolve_from(
            &test_args(flags),
            &Config::default(),
            Mode::Full,
            &mut Vec::new(),
        )
        .unwrap()
    }
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
            assert_eq!(*err.kind(), crate::error::ErrorKind::Usage, "{bad}");
        }
    }

    #[test]
    fn flags_beat_the_context_and_defaults_fill_in() {
        let text = r#"
current-context = "c"
[contexts.c]
brokers = "h:1"
timeout = "3s"
"#;
        let config = Config {
            path: Some("/c.toml".into()),
            exists: true,
            file: crate::config::parse(text, std::path::Path::new("/c.toml")).unwrap(),
            warnings: Vec::new(),
        };
        let resolve = |flags: &[&str]| {
            Settings::resolve_from(&test_args(flags), &config, Mode::Full, &mut Vec::new()).unwrap()
        };
        let s = resolve(&[]);
        assert_eq!(s.brokers, ["h:1"]);
        assert_eq!(s.timeout, Duration::from_secs(3));
        assert_eq!(s.context.as_deref(), Some("c"));
        let s = resolve(&["-b", "x:2", "--timeout", "1s"]);
        assert_eq!(s.brokers, ["x:2"]);
        assert_eq!(s.timeout, Duration::from_secs(1));
        let s = Settings::for_test(&[]);
        assert_eq!(s.brokers, [DEFAULT_BROKERS]);
        assert_eq!(s.timeout, Duration::from_secs(10));
        assert_eq!(s.output, OutputFormat::Table);
        assert!(s.context_properties.is_empty() && s.x_properties.is_empty());
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
    fn durations_format_to_the_millisecond() {
        assert_eq!(
            format_duration(Duration::from_nanos(1_998_152_675)),
            "1s 998ms"
        );
        assert_eq!(format_duration(Duration::from_secs(2)), "2s");
        assert_eq!(format_duration(Duration::from_micros(300)), "0s");
    }
}
