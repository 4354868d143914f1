//! Secure connections: TLS and SASL settings as resolved, and secrets that never show up in
//! output, error messages or logs. (Their mapping to librdkafka's properties is in
//! `kafka/config.rs`.)
//!
//! A [`Secret`] prints as `***` (Debug and Display). Every secret kctl reads (from an environment
//! variable, a file, the config file or a sensitive `-X` property) is also registered here, and
//! [`scrub`] replaces any registered value in a text with `***`; error reports and librdkafka's
//! log lines go through it as a safety net.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use clap::ValueEnum;

use crate::error::{Error, Result};

/// What a redacted value prints as.
pub const REDACTED: &str = "***";

/// Secrets shorter than this are not scrubbed from free text (they would mangle it); they are
/// still never printed by kctl itself.
const MIN_SCRUB_LEN: usize = 4;

fn registry() -> &'static Mutex<Vec<String>> {
    static SECRETS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    SECRETS.get_or_init(|| Mutex::new(Vec::new()))
}

/// Remembers `value` so that [`scrub`] removes it from any text.
pub fn register_secret(value: &str) {
    if value.len() < MIN_SCRUB_LEN {
        return;
    }
    if let Ok(mut secrets) = registry().lock() {
        if !secrets.iter().any(|s| s == value) {
            secrets.push(value.to_string());
            // Longest first, so a secret containing another is replaced whole.
            secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }
}

/// `text` with every registered secret replaced by `***`.
pub fn scrub(text: &str) -> String {
    let Ok(secrets) = registry().lock() else {
        return text.to_string();
    };
    let mut out = text.to_string();
    for secret in secrets.iter() {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), REDACTED);
        }
    }
    out
}

/// Whether a librdkafka property (or config key) holds a secret.
pub fn is_sensitive_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.contains("password")
        || k.contains("secret")
        || k == "sasl.oauthbearer.config"
        || k == "ssl.key.pem"
        || k == "ssl_key"
        || (k.contains("token") && !k.contains("url") && !k.contains("endpoint"))
}

/// `properties` with the values of sensitive keys shown as `***` (for `Debug`).
pub fn redacted(properties: &[(String, String)]) -> Vec<(&str, &str)> {
    properties
        .iter()
        .map(|(k, v)| {
            let v = if is_sensitive_key(k) {
                REDACTED
            } else {
                v.as_str()
            };
            (k.as_str(), v)
        })
        .collect()
}

/// A secret value: printed as `***`, registered for scrubbing when created.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        let value = value.into();
        register_secret(&value);
        Secret(value)
    }

    /// The real value, for handing to librdkafka only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// The warning for a file holding a secret that group or others can read, if it is one.
#[cfg(unix)]
pub fn readable_warning(path: &std::path::Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "{} holds a secret and can be read by group or others (mode {mode:04o}); \
             run `chmod 600 {}`",
            path.display(),
            path.display()
        )
    })
}

#[cfg(not(unix))]
pub fn readable_warning(_path: &std::path::Path) -> Option<String> {
    None
}

/// Where a secret comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// Written in the config file itself.
    Literal(Secret),
    /// The named environment variable.
    Env(String),
    /// The contents of a file (one trailing newline is dropped).
    File(PathBuf),
}

impl SecretSource {
    /// Reads the secret. `what` names it in errors (e.g. "--sasl-password-env"); errors never
    /// include the value. An empty secret is an error naming where it came from (librdkafka
    /// would only say that sasl.password must be set).
    pub fn read(&self, what: &str) -> Result<Secret> {
        match self {
            SecretSource::Literal(s) if s.expose().is_empty() => {
                Err(Error::usage(format!("{what} is empty")))
            }
            SecretSource::Literal(s) => Ok(s.clone()),
            SecretSource::Env(var) => match std::env::var(var) {
                Ok(v) if v.is_empty() => Err(Error::usage(format!(
                    "{what}: the environment variable {var} is empty"
                ))),
                Ok(v) => Ok(Secret::new(v)),
                Err(std::env::VarError::NotPresent) => Err(Error::usage(format!(
                    "{what}: the environment variable {var} is not set"
                ))),
                Err(std::env::VarError::NotUnicode(_)) => Err(Error::usage(format!(
                    "{what}: the environment variable {var} is not valid UTF-8"
                ))),
            },
            SecretSource::File(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    Error::usage(format!("{what}: cannot read {}: {e}", path.display()))
                })?;
                let value = text
                    .strip_suffix('\n')
                    .map(|t| t.strip_suffix('\r').unwrap_or(t))
                    .unwrap_or(&text);
                if value.is_empty() {
                    return Err(Error::usage(format!("{what}: {} is empty", path.display())));
                }
                Ok(Secret::new(value))
            }
        }
    }

    /// Reads the secret like [`SecretSource::read`]; a file others can read adds a warning
    /// (as the config file does when it holds one).
    pub fn read_checked(&self, what: &str, warnings: &mut Vec<String>) -> Result<Secret> {
        let secret = self.read(what)?;
        if let SecretSource::File(path) = self {
            warnings.extend(readable_warning(path));
        }
        Ok(secret)
    }
}

/// SASL mechanisms kctl configures (anything else can be set with `-X sasl.mechanisms=...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
pub enum SaslMechanism {
    #[value(name = "PLAIN")]
    #[serde(rename = "PLAIN")]
    Plain,
    #[value(name = "SCRAM-SHA-256")]
    #[serde(rename = "SCRAM-SHA-256")]
    ScramSha256,
    #[value(name = "SCRAM-SHA-512")]
    #[serde(rename = "SCRAM-SHA-512")]
    ScramSha512,
    #[value(name = "OAUTHBEARER")]
    #[serde(rename = "OAUTHBEARER")]
    OAuthBearer,
}

impl SaslMechanism {
    pub fn as_str(self) -> &'static str {
        match self {
            SaslMechanism::Plain => "PLAIN",
            SaslMechanism::ScramSha256 => "SCRAM-SHA-256",
            SaslMechanism::ScramSha512 => "SCRAM-SHA-512",
            SaslMechanism::OAuthBearer => "OAUTHBEARER",
        }
    }
}

/// TLS settings, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tls {
    pub ca_file: Option<PathBuf>,
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
    pub key_password: Option<Secret>,
    /// Verify the broker's certificate chain (on unless explicitly turned off).
    pub verify_certificate: bool,
    /// Check that the certificate matches the broker's host name (on unless turned off).
    pub verify_hostname: bool,
}

/// SASL settings, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sasl {
    pub mechanism: SaslMechanism,
    /// The user name; for OAUTHBEARER with a token endpoint, the OIDC client id.
    pub username: Option<String>,
    /// The password; for OAUTHBEARER with a token endpoint, the OIDC client secret.
    pub password: Option<Secret>,
    /// OAUTHBEARER: the OIDC token endpoint (librdkafka fetches and refreshes tokens itself).
    pub oauth_token_url: Option<String>,
}

/// Connection security, resolved from flags and the context.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Security {
    pub tls: Option<Tls>,
    pub sasl: Option<Sasl>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{s:?}"), "***");
        let sasl = Sasl {
            mechanism: SaslMechanism::Plain,
            username: Some("u".into()),
            password: Some(s),
            oauth_token_url: None,
        };
        assert!(!format!("{sasl:?}").contains("hunter2"));
        assert_eq!(
            scrub("login failed for hunter2-very-secret!"),
            "login failed for ***!"
        );
    }

    #[test]
    fn sensitive_keys_are_recognised() {
        for k in [
            "sasl.password",
            "ssl.key.password",
            "sasl.oauthbearer.client.secret",
            "ssl.keystore.password",
            "sasl.oauthbearer.config",
            "ssl.key.pem",
        ] {
            assert!(is_sensitive_key(k), "{k}");
        }
        for k in [
            "sasl.username",
            "ssl.ca.location",
            "sasl.oauthbearer.token.endpoint.url",
            "client.id",
        ] {
            assert!(!is_sensitive_key(k), "{k}");
        }
    }

    #[test]
    fn secrets_read_from_env_and_file() {
        std::env::set_var("KCTL_TEST_SECRET_SRC", "from-env-value");
        let s = SecretSource::Env("KCTL_TEST_SECRET_SRC".into())
            .read("--x")
            .unwrap();
        assert_eq!(s.expose(), "from-env-value");
        let err = SecretSource::Env("KCTL_TEST_SECRET_MISSING".into())
            .read("--sasl-password-env")
            .unwrap_err();
        assert!(err
            .message()
            .contains("KCTL_TEST_SECRET_MISSING is not set"));
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pw");
        std::fs::write(&f, "from-file-value\n").unwrap();
        let s = SecretSource::File(f).read("--x").unwrap();
        assert_eq!(s.expose(), "from-file-value");
    }

    /// An empty secret says where it came from, not librdkafka's "must be set".
    #[test]
    fn empty_secrets_are_errors_naming_their_source() {
        let dir = tempfile::tempdir().unwrap();
        for text in ["", "\n", "\r\n"] {
            let f = dir.path().join("empty-pw");
            std::fs::write(&f, text).unwrap();
            let err = SecretSource::File(f.clone())
                .read("--sasl-password-file")
                .unwrap_err();
            assert_eq!(
                err.message(),
                format!("--sasl-password-file: {} is empty", f.display())
            );
            assert_eq!(*err.kind(), crate::error::ErrorKind::Usage);
        }
        std::env::set_var("KCTL_TEST_SECRET_EMPTY", "");
        let err = SecretSource::Env("KCTL_TEST_SECRET_EMPTY".into())
            .read("--sasl-password-env")
            .unwrap_err();
        assert!(err.message().ends_with("KCTL_TEST_SECRET_EMPTY is empty"));
        let err = SecretSource::Literal(Secret::new(""))
            .read("config: sasl password")
            .unwrap_err();
        assert_eq!(err.message(), "config: sasl password is empty");
    }
}
