//! The TLS and SASL settings as librdkafka properties, and what SASL needs that a property
//! may give instead of a flag.

use crate::error::{Error, Result};
use crate::security::{SaslMechanism, Security};
use crate::settings::Settings;

/// What SASL needs besides the settings, which a property may give instead: a way to get
/// OAUTHBEARER tokens, a user name and a password.
pub(super) fn check_sasl(settings: &Settings) -> Result<()> {
    let Some(sasl) = &settings.security.sasl else {
        return Ok(());
    };
    let has_x = |key: &str| settings.x_properties.iter().any(|(k, _)| k == key);
    let has_property =
        |key: &str| has_x(key) || settings.context_properties.iter().any(|(k, _)| k == key);
    // Without a token endpoint or librdkafka's unsecured tokens, librdkafka waits for the
    // application to hand it a token, which kctl never does: say so now.
    if sasl.mechanism == SaslMechanism::OAuthBearer
        && sasl.oauth_token_url.is_none()
        && !has_property("sasl.oauthbearer.method")
        && !has_property("enable.sasl.oauthbearer.unsecure.jwt")
    {
        return Err(Error::usage(
            "SASL OAUTHBEARER needs a way to get tokens: give --sasl-oauth-token-url URL \
             (OIDC), or for a development broker -X enable.sasl.oauthbearer.unsecure.jwt=true \
             -X sasl.oauthbearer.config=principal=NAME",
        ));
    }
    if sasl.mechanism != SaslMechanism::OAuthBearer {
        if sasl.username.is_none() && !has_x("sasl.username") {
            return Err(Error::usage(format!(
                "SASL {} needs a user name: give --sasl-username",
                sasl.mechanism.as_str()
            )));
        }
        if sasl.password.is_none() && !has_x("sasl.password") {
            return Err(Error::usage(format!(
                "SASL {} needs a password: give --sasl-password-env VAR or --sasl-password-file FILE",
                sasl.mechanism.as_str()
            )));
        }
    }
    Ok(())
}

/// The librdkafka properties for TLS and SASL settings, in one place.
pub(super) fn security_properties(security: &Security) -> Vec<(&'static str, String)> {
    let mut props = Vec::new();
    let path = |p: &std::path::PathBuf| p.display().to_string();
    let protocol = match (&security.tls, &security.sasl) {
        (None, None) => return props,
        (Some(_), None) => "ssl",
        (None, Some(_)) => "sasl_plaintext",
        (Some(_), Some(_)) => "sasl_ssl",
    };
    props.push(("security.protocol", protocol.to_string()));
    if let Some(tls) = &security.tls {
        if let Some(ca) = &tls.ca_file {
            props.push(("ssl.ca.location", path(ca)));
        }
        if let Some(cert) = &tls.cert_file {
            props.push(("ssl.certificate.location", path(cert)));
        }
        if let Some(key) = &tls.key_file {
            props.push(("ssl.key.location", path(key)));
        }
        if let Some(pw) = &tls.key_password {
            props.push(("ssl.key.password", pw.expose().to_string()));
        }
        let verify = if tls.verify_certificate {
            "true"
        } else {
            "false"
        };
        props.push(("enable.ssl.certificate.verification", verify.to_string()));
        let check_name = tls.verify_hostname && tls.verify_certificate;
        let algorithm = if check_name { "https" } else { "none" };
        props.push((
            "ssl.endpoint.identification.algorithm",
            algorithm.to_string(),
        ));
    }
    if let Some(sasl) = &security.sasl {
        props.push(("sasl.mechanisms", sasl.mechanism.as_str().to_string()));
        match (sasl.mechanism, &sasl.oauth_token_url) {
            (SaslMechanism::OAuthBearer, Some(url)) => {
                props.push(("sasl.oauthbearer.method", "oidc".to_string()));
                props.push(("sasl.oauthbearer.token.endpoint.url", url.clone()));
                if let Some(id) = &sasl.username {
                    props.push(("sasl.oauthbearer.client.id", id.clone()));
                }
                if let Some(pw) = &sasl.password {
                    props.push(("sasl.oauthbearer.client.secret", pw.expose().to_string()));
                }
            }
            (SaslMechanism::OAuthBearer, None) => {}
            _ => {
                if let Some(user) = &sasl.username {
                    props.push(("sasl.username", user.clone()));
                }
                if let Some(pw) = &sasl.password {
                    props.push(("sasl.password", pw.expose().to_string()));
                }
            }
        }
    }
    props
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::{Sasl, Secret, Tls};

    fn props(sec: &Security) -> Vec<(String, String)> {
        security_properties(sec)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect()
    }

    fn get(props: &[(String, String)], key: &str) -> Option<String> {
        props.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    #[test]
    fn nothing_configured_sets_nothing() {
        assert!(props(&Security::default()).is_empty());
    }

    #[test]
    fn tls_maps_to_ssl_properties() {
        let sec = Security {
            tls: Some(Tls {
                ca_file: Some("/ca.pem".into()),
                cert_file: Some("/c.pem".into()),
                key_file: Some("/k.pem".into()),
                key_password: Some(Secret::new("keypass-1")),
                verify_certificate: true,
                verify_hostname: true,
            }),
            sasl: None,
        };
        let p = props(&sec);
        assert_eq!(get(&p, "security.protocol").unwrap(), "ssl");
        assert_eq!(get(&p, "ssl.ca.location").unwrap(), "/ca.pem");
        assert_eq!(get(&p, "ssl.certificate.location").unwrap(), "/c.pem");
        assert_eq!(get(&p, "ssl.key.location").unwrap(), "/k.pem");
        assert_eq!(get(&p, "ssl.key.password").unwrap(), "keypass-1");
        assert_eq!(
            get(&p, "enable.ssl.certificate.verification").unwrap(),
            "true"
        );
        assert_eq!(
            get(&p, "ssl.endpoint.identification.algorithm").unwrap(),
            "https"
        );
    }

    #[test]
    fn insecure_tls_turns_verification_off() {
        let sec = Security {
            tls: Some(Tls {
                verify_certificate: false,
                verify_hostname: true,
                ..Tls::default()
            }),
            sasl: None,
        };
        let p = props(&sec);
        assert_eq!(
            get(&p, "enable.ssl.certificate.verification").unwrap(),
            "false"
        );
        assert_eq!(
            get(&p, "ssl.endpoint.identification.algorithm").unwrap(),
            "none"
        );
        // Hostname only.
        let sec = Security {
            tls: Some(Tls {
                verify_certificate: true,
                verify_hostname: false,
                ..Tls::default()
            }),
            sasl: None,
        };
        let p = props(&sec);
        assert_eq!(
            get(&p, "enable.ssl.certificate.verification").unwrap(),
            "true"
        );
        assert_eq!(
            get(&p, "ssl.endpoint.identification.algorithm").unwrap(),
            "none"
        );
    }

    #[test]
    fn sasl_maps_with_and_without_tls() {
        for (mech, name) in [
            (SaslMechanism::Plain, "PLAIN"),
            (SaslMechanism::ScramSha256, "SCRAM-SHA-256"),
            (SaslMechanism::ScramSha512, "SCRAM-SHA-512"),
        ] {
            let mut sec = Security {
                tls: None,
                sasl: Some(Sasl {
                    mechanism: mech,
                    username: Some("alice".into()),
                    password: Some(Secret::new("pw-alice")),
                    oauth_token_url: None,
                }),
            };
            let p = props(&sec);
            assert_eq!(get(&p, "security.protocol").unwrap(), "sasl_plaintext");
            assert_eq!(get(&p, "sasl.mechanisms").unwrap(), name);
            assert_eq!(get(&p, "sasl.username").unwrap(), "alice");
            assert_eq!(get(&p, "sasl.password").unwrap(), "pw-alice");
            sec.tls = Some(Tls {
                verify_certificate: true,
                verify_hostname: true,
                ..Tls::default()
            });
            assert_eq!(get(&props(&sec), "security.protocol").unwrap(), "sasl_ssl");
        }
    }

    #[test]
    fn oauthbearer_uses_oidc_when_given_an_endpoint() {
        let sec = Security {
            tls: None,
            sasl: Some(Sasl {
                mechanism: SaslMechanism::OAuthBearer,
                username: Some("client-1".into()),
                password: Some(Secret::new("client-secret-1")),
                oauth_token_url: Some("https://idp/token".into()),
            }),
        };
        let p = props(&sec);
        assert_eq!(get(&p, "sasl.mechanisms").unwrap(), "OAUTHBEARER");
        assert_eq!(get(&p, "sasl.oauthbearer.method").unwrap(), "oidc");
        assert_eq!(
            get(&p, "sasl.oauthbearer.token.endpoint.url").unwrap(),
            "https://idp/token"
        );
        assert_eq!(get(&p, "sasl.oauthbearer.client.id").unwrap(), "client-1");
        assert_eq!(
            get(&p, "sasl.oauthbearer.client.secret").unwrap(),
            "client-secret-1"
        );
        assert!(get(&p, "sasl.password").is_none());
    }
}
