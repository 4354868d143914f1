//! What a wire connection is made from: the TLS and SASL settings as librdkafka reads them
//! (`security.protocol`, `ssl.*`, `sasl.*`, whether they came from flags, the context or
//! `-X`), so that kctl's own connections go where and as librdkafka's do.

use std::path::PathBuf;
use std::time::Duration;

use super::{WireError, WireResult};
use crate::kafka::ClientConfig;
use crate::security::Secret;

/// How to connect and log in.
#[derive(Debug, Clone)]
pub(in crate::kafka) struct WireSettings {
    /// The request header's client id (librdkafka's `client.id`).
    pub client_id: String,
    pub tls: Option<TlsSettings>,
    pub sasl: Option<SaslSettings>,
    /// The bound on one broker's whole exchange, connecting included.
    pub timeout: Duration,
}

/// TLS as librdkafka's `ssl.*` properties say.
#[derive(Debug, Clone, Default)]
pub(in crate::kafka) struct TlsSettings {
    /// `ssl.ca.location`: a file or a directory of CA certificates (`None`, or `probe`: the
    /// system's).
    pub ca_location: Option<PathBuf>,
    /// `ssl.ca.pem`.
    pub ca_pem: Option<String>,
    /// `ssl.certificate.location` / `ssl.certificate.pem`.
    pub cert_location: Option<PathBuf>,
    pub cert_pem: Option<String>,
    /// `ssl.key.location` / `ssl.key.pem`, and `ssl.key.password`.
    pub key_location: Option<PathBuf>,
    pub key_pem: Option<Secret>,
    pub key_password: Option<Secret>,
    /// `enable.ssl.certificate.verification`.
    pub verify_certificate: bool,
    /// `ssl.endpoint.identification.algorithm=https` (librdkafka's default).
    pub verify_hostname: bool,
}

/// The SASL mechanisms kctl speaks itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::kafka) enum Mechanism {
    Plain,
    ScramSha256,
    ScramSha512,
}

impl Mechanism {
    /// The name SaslHandshake takes.
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::ScramSha256 => "SCRAM-SHA-256",
            Mechanism::ScramSha512 => "SCRAM-SHA-512",
        }
    }
}

/// A SASL login.
#[derive(Debug, Clone)]
pub(in crate::kafka) struct SaslSettings {
    pub mechanism: Mechanism,
    pub username: String,
    pub password: Secret,
}

impl WireSettings {
    /// The settings of `config`'s clients; [`WireError::Unsupported`] for what kctl cannot
    /// speak itself (GSSAPI, OAUTHBEARER, key stores).
    pub fn of(config: &ClientConfig) -> WireResult<WireSettings> {
        let get = |key: &str| config.user_property(key).map(str::to_string);
        let protocol = get("security.protocol")
            .unwrap_or_else(|| "plaintext".to_string())
            .to_ascii_lowercase();
        let (tls, sasl) = match protocol.as_str() {
            "plaintext" => (false, false),
            "ssl" => (true, false),
            "sasl_plaintext" => (false, true),
            "sasl_ssl" => (true, true),
            other => {
                return Err(WireError::Unsupported(format!(
                    "security.protocol {other} is not one kctl knows"
                )))
            }
        };
        Ok(WireSettings {
            client_id: get("client.id").unwrap_or_else(|| "kctl".to_string()),
            tls: if tls { Some(tls_settings(&get)?) } else { None },
            sasl: if sasl {
                Some(sasl_settings(&get)?)
            } else {
                None
            },
            timeout: config.timeout,
        })
    }
}

fn tls_settings(get: &dyn Fn(&str) -> Option<String>) -> WireResult<TlsSettings> {
    for key in [
        "ssl.keystore.location",
        "ssl.engine.location",
        "ssl.providers",
    ] {
        if get(key).is_some() {
            return Err(WireError::Unsupported(format!(
                "kctl's own connections do not take {key} (give the certificate and key as PEM)"
            )));
        }
    }
    let on = |key: &str, default: bool| {
        get(key).map_or(default, |v| {
            matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes")
        })
    };
    let algorithm = get("ssl.endpoint.identification.algorithm")
        .unwrap_or_else(|| "https".to_string())
        .to_ascii_lowercase();
    Ok(TlsSettings {
        ca_location: get("ssl.ca.location")
            .filter(|l| l != "probe")
            .map(PathBuf::from),
        ca_pem: get("ssl.ca.pem"),
        cert_location: get("ssl.certificate.location").map(PathBuf::from),
        cert_pem: get("ssl.certificate.pem"),
        key_location: get("ssl.key.location").map(PathBuf::from),
        key_pem: get("ssl.key.pem").map(Secret::new),
        key_password: get("ssl.key.password").map(Secret::new),
        verify_certificate: on("enable.ssl.certificate.verification", true),
        verify_hostname: algorithm == "https",
    })
}

fn sasl_settings(get: &dyn Fn(&str) -> Option<String>) -> WireResult<SaslSettings> {
    let name = get("sasl.mechanisms")
        .or_else(|| get("sasl.mechanism"))
        .unwrap_or_else(|| "GSSAPI".to_string());
    let mechanism = match name.to_ascii_uppercase().as_str() {
        "PLAIN" => Mechanism::Plain,
        "SCRAM-SHA-256" => Mechanism::ScramSha256,
        "SCRAM-SHA-512" => Mechanism::ScramSha512,
        _ => {
            return Err(WireError::Unsupported(format!(
                "kctl's own connections do not speak SASL {name} (they speak PLAIN, \
                 SCRAM-SHA-256 and SCRAM-SHA-512)"
            )))
        }
    };
    let missing =
        |what: &str| WireError::Unsupported(format!("SASL {name} needs {what} (sasl.{what})"));
    Ok(SaslSettings {
        mechanism,
        username: get("sasl.username").ok_or_else(|| missing("username"))?,
        password: Secret::new(get("sasl.password").ok_or_else(|| missing("password"))?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(flags: &[&str]) -> WireResult<WireSettings> {
        WireSettings::of(&ClientConfig::for_test(flags))
    }

    #[test]
    fn reads_the_same_settings_as_librdkafka() {
        let s = of(&[]).unwrap();
        assert!(s.tls.is_none() && s.sasl.is_none());
        assert_eq!(s.client_id, "kctl");
        let s = of(&[
            "-X",
            "security.protocol=ssl",
            "-X",
            "ssl.ca.location=/ca.pem",
        ])
        .unwrap();
        let tls = s.tls.unwrap();
        assert_eq!(tls.ca_location, Some(PathBuf::from("/ca.pem")));
        assert!(tls.verify_certificate && tls.verify_hostname);
        let s = of(&["--tls", "--tls-insecure-skip-verify"]).unwrap();
        let tls = s.tls.unwrap();
        assert!(!tls.verify_certificate && !tls.verify_hostname);
        let s = of(&[
            "-X",
            "security.protocol=SASL_SSL",
            "-X",
            "sasl.mechanism=SCRAM-SHA-512",
        ]);
        // No user: said, not guessed.
        assert!(matches!(s, Err(WireError::Unsupported(_))));
        let s = of(&[
            "-X",
            "security.protocol=sasl_ssl",
            "-X",
            "sasl.mechanisms=scram-sha-512",
            "-X",
            "sasl.username=u",
            "-X",
            "sasl.password=pw-Xy12",
        ])
        .unwrap();
        let sasl = s.sasl.unwrap();
        assert_eq!(sasl.mechanism, Mechanism::ScramSha512);
        assert_eq!(sasl.username, "u");
        assert_eq!(sasl.password.expose(), "pw-Xy12");
        let tls = s.tls.unwrap();
        assert!(tls.verify_certificate && tls.verify_hostname);
    }

    #[test]
    fn says_what_it_cannot_speak() {
        let s = of(&["-X", "security.protocol=sasl_plaintext"]);
        assert!(
            matches!(&s, Err(WireError::Unsupported(w)) if w.contains("GSSAPI")),
            "{s:?}"
        );
        let s = of(&[
            "-X",
            "security.protocol=sasl_plaintext",
            "-X",
            "sasl.mechanism=OAUTHBEARER",
        ]);
        assert!(matches!(&s, Err(WireError::Unsupported(w)) if w.contains("OAUTHBEARER")));
    }
}
