//! The config file: named contexts (brokers, librdkafka properties, security, default output).
//!
//! TOML at `$KCTL_CONFIG`, or `kctl/config.toml` in the user's config directory
//! (`$XDG_CONFIG_HOME` or `~/.config` on Linux). A missing file is an empty config; a malformed
//! one is an error naming the file, line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::printer::OutputFormat;
use crate::security::{self, SaslMechanism, Secret, SecretSource};

/// Overrides where the config file is.
pub const CONFIG_ENV: &str = "KCTL_CONFIG";

/// Where the config file is: `$KCTL_CONFIG`, else the XDG config directory.
pub fn path() -> Option<PathBuf> {
    match std::env::var_os(CONFIG_ENV) {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => dirs::config_dir().map(|d| d.join("kctl").join("config.toml")),
    }
}

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ConfigFile {
    pub current_context: Option<String>,
    #[serde(default)]
    pub contexts: BTreeMap<String, ContextConfig>,
}

/// One named context.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ContextConfig {
    pub brokers: Option<String>,
    pub output: Option<OutputFormat>,
    pub timeout: Option<String>,
    /// Any librdkafka properties.
    #[serde(default)]
    pub properties: BTreeMap<String, toml::Value>,
    pub tls: Option<TlsConfig>,
    pub sasl: Option<SaslConfig>,
    /// The schema registry of this context.
    pub registry: Option<RegistryConfig>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct TlsConfig {
    /// TLS is on when the `[tls]` table is present, unless this is false.
    pub enabled: Option<bool>,
    pub ca_file: Option<PathBuf>,
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
    pub key_password: Option<String>,
    pub key_password_env: Option<String>,
    pub key_password_file: Option<PathBuf>,
    /// Check the certificate's host name (default true).
    pub verify_hostname: Option<bool>,
    /// Turn all certificate verification off (default false).
    pub insecure_skip_verify: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SaslConfig {
    pub mechanism: SaslMechanism,
    pub username: Option<String>,
    pub password: Option<String>,
    pub password_env: Option<String>,
    pub password_file: Option<PathBuf>,
    pub oauth_token_url: Option<String>,
}

/// A context's schema registry: its URL, HTTP basic auth or a bearer token, and TLS.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RegistryConfig {
    pub url: Option<String>,
    /// HTTP basic auth: the user name, with one of the password keys.
    pub username: Option<String>,
    pub password: Option<String>,
    pub password_env: Option<String>,
    pub password_file: Option<PathBuf>,
    /// A bearer token (OAuth), instead of basic auth.
    pub token_env: Option<String>,
    pub token_file: Option<PathBuf>,
    /// CA certificate(s) (PEM) to verify the registry with, instead of the system's.
    pub ca_file: Option<PathBuf>,
    /// Client certificate and key (PEM) for mutual TLS.
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
    /// Turn certificate verification off (default false).
    pub insecure_skip_verify: Option<bool>,
}

/// The loaded config file.
#[derive(Debug, Default)]
pub struct Config {
    /// Where it is (or would be).
    pub path: Option<PathBuf>,
    /// Whether the file exists.
    pub exists: bool,
    pub file: ConfigFile,
    /// What is wrong with it but no error (a secret others can read), for the caller to show.
    pub warnings: Vec<String>,
}

impl Config {
    /// Loads the config file; a missing one is empty. A file that holds a secret and others
    /// can read has a warning.
    pub fn load() -> Result<Config> {
        let Some(path) = path() else {
            return Ok(Config::default());
        };
        Config::load_from(&path)
    }

    pub fn load_from(path: &Path) -> Result<Config> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Config {
                    path: Some(path.to_path_buf()),
                    exists: false,
                    file: ConfigFile::default(),
                    warnings: Vec::new(),
                })
            }
            Err(e) => {
                return Err(Error::usage(format!(
                    "cannot read the config file {}: {e}",
                    path.display()
                )))
            }
        };
        let file = parse(&text, path)?;
        let mut config = Config {
            path: Some(path.to_path_buf()),
            exists: true,
            file,
            warnings: Vec::new(),
        };
        if config.register_literal_secrets() {
            config.warnings.extend(security::readable_warning(path));
        }
        Ok(config)
    }

    /// Registers every secret written in the file for scrubbing; true if there was any.
    fn register_literal_secrets(&self) -> bool {
        let mut any = false;
        for ctx in self.file.contexts.values() {
            let mut lits: Vec<&str> = Vec::new();
            if let Some(tls) = &ctx.tls {
                lits.extend(tls.key_password.as_deref());
            }
            if let Some(sasl) = &ctx.sasl {
                lits.extend(sasl.password.as_deref());
            }
            if let Some(registry) = &ctx.registry {
                lits.extend(registry.password.as_deref());
            }
            for (k, v) in &ctx.properties {
                if security::is_sensitive_key(k) {
                    any = true;
                    if let toml::Value::String(s) = v {
                        security::register_secret(s);
                    }
                }
            }
            for lit in lits {
                any = true;
                security::register_secret(lit);
            }
        }
        any
    }

    pub fn display_path(&self) -> String {
        self.path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(no config directory)".to_string())
    }

    pub fn context(&self, name: &str) -> Option<&ContextConfig> {
        self.file.contexts.get(name)
    }

    pub fn context_names(&self) -> Vec<String> {
        self.file.contexts.keys().cloned().collect()
    }

    /// The error for a context name that is not in the file.
    pub fn unknown_context(&self, name: &str) -> Error {
        let known = self.context_names();
        let known = if known.is_empty() {
            "it defines no contexts".to_string()
        } else {
            format!("known contexts: {}", known.join(", "))
        };
        Error::usage(format!(
            "no context named '{name}' in {} ({known})",
            self.display_path()
        ))
        .with_hint("list them with `kctl config contexts`")
    }

    /// Resolves a path written in the file: `~/` is the home directory, and a relative path is
    /// relative to the config file's directory.
    pub fn resolve_path(&self, p: &Path) -> PathBuf {
        if let Ok(rest) = p.strip_prefix("~") {
            if let Some(home) = dirs::home_dir() {
                return home.join(rest);
            }
        }
        if p.is_relative() {
            if let Some(dir) = self.path.as_ref().and_then(|p| p.parent()) {
                return dir.join(p);
            }
        }
        p.to_path_buf()
    }
}

/// Parses the file's text; errors name the file, line and column.
pub fn parse(text: &str, path: &Path) -> Result<ConfigFile> {
    toml::from_str::<ConfigFile>(text).map_err(|e| {
        let location = match e.span() {
            Some(span) => {
                let (line, col) = line_col(text, span.start);
                format!("{}:{line}:{col}", path.display())
            }
            None => path.display().to_string(),
        };
        Error::usage(format!(
            "invalid config file {location}: {}",
            e.message().trim()
        ))
    })
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

/// A property value from the file as librdkafka takes it (strings, numbers and booleans).
pub fn property_value(key: &str, value: &toml::Value) -> Result<String> {
    match value {
        toml::Value::String(s) => Ok(s.clone()),
        toml::Value::Integer(i) => Ok(i.to_string()),
        toml::Value::Float(f) => Ok(f.to_string()),
        toml::Value::Boolean(b) => Ok(b.to_string()),
        _ => Err(Error::usage(format!(
            "property '{key}': expected a string, number or boolean"
        ))),
    }
}

/// Where a secret comes from, given the literal, `-env` and `-file` keys of the file.
pub fn secret_source(
    config: &Config,
    what: &str,
    literal: Option<&String>,
    env: Option<&String>,
    file: Option<&PathBuf>,
) -> Result<Option<SecretSource>> {
    let given = [literal.is_some(), env.is_some(), file.is_some()]
        .iter()
        .filter(|b| **b)
        .count();
    if given > 1 {
        return Err(Error::usage(format!(
            "{}: give only one of {what}, {what}-env and {what}-file",
            config.display_path()
        )));
    }
    Ok(if let Some(l) = literal {
        Some(SecretSource::Literal(Secret::new(l.clone())))
    } else if let Some(e) = env {
        Some(SecretSource::Env(e.clone()))
    } else {
        file.map(|f| SecretSource::File(config.resolve_path(f)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
current-context = "local"

[contexts.local]
brokers = "localhost:9092"
output = "json"
timeout = "5s"

[contexts.local.properties]
"client.id" = "me"
"linger.ms" = 5

[contexts.prod]
brokers = "kafka-1:9093,kafka-2:9093"

[contexts.prod.tls]
ca-file = "ca.pem"
verify-hostname = true

[contexts.prod.sasl]
mechanism = "SCRAM-SHA-512"
username = "alice"
password-env = "PROD_PASSWORD"
"#;

    #[test]
    fn sample_parses() {
        let f = parse(SAMPLE, Path::new("/x/config.toml")).unwrap();
        assert_eq!(f.current_context.as_deref(), Some("local"));
        let local = &f.contexts["local"];
        assert_eq!(local.output, Some(OutputFormat::Json));
        assert_eq!(
            property_value("linger.ms", &local.properties["linger.ms"]).unwrap(),
            "5"
        );
        let prod = &f.contexts["prod"];
        assert_eq!(
            prod.sasl.as_ref().unwrap().mechanism,
            SaslMechanism::ScramSha512
        );
        assert_eq!(
            prod.tls.as_ref().unwrap().ca_file.as_deref(),
            Some(Path::new("ca.pem"))
        );
    }

    #[test]
    fn malformed_files_name_path_line_and_column() {
        let text = "current-context = \"a\"\n[contexts.a]\nbrokers = \n";
        let err = parse(text, Path::new("/cfg/kctl.toml")).unwrap_err();
        assert!(
            err.message()
                .starts_with("invalid config file /cfg/kctl.toml:3:"),
            "{}",
            err.message()
        );
        let text = "[contexts.a]\nbrokrs = \"x:1\"\n";
        let err = parse(text, Path::new("/c.toml")).unwrap_err();
        assert!(err.message().contains("/c.toml:2:1"), "{}", err.message());
        assert!(err.message().contains("brokrs"), "{}", err.message());
    }

    #[test]
    fn line_and_column_count_from_one() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }
}
