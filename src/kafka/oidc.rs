//! OAUTHBEARER tokens through OIDC, fetched by kctl itself: the client credentials grant, as
//! librdkafka's own OIDC support does it, over ureq (the schema registry's HTTP client). kctl
//! builds librdkafka without libcurl, which its OIDC support needs and which cost every command
//! the loading of libcurl and its 26 shared libraries; librdkafka asks kctl for a token instead
//! (its token refresh event) and kctl hands it over.
//!
//! The properties are librdkafka's (`sasl.oauthbearer.method=oidc`,
//! `sasl.oauthbearer.token.endpoint.url`, `sasl.oauthbearer.client.id`,
//! `sasl.oauthbearer.client.secret`, `sasl.oauthbearer.scope`, `sasl.oauthbearer.sub.claim.name`,
//! `https.ca.location`), from the flags, the context or `-X`: kctl takes them out of what it
//! hands librdkafka.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::security::Secret;

/// The properties kctl takes for itself when `sasl.oauthbearer.method` is `oidc`.
const OIDC_KEYS: &[&str] = &[
    "sasl.oauthbearer.method",
    "sasl.oauthbearer.token.endpoint.url",
    "sasl.oauthbearer.client.id",
    "sasl.oauthbearer.client.secret",
    "sasl.oauthbearer.scope",
    "sasl.oauthbearer.sub.claim.name",
    "sasl.oauthbearer.grant.type",
    "https.ca.location",
];

/// How kctl gets OAUTHBEARER tokens from an OIDC token endpoint.
#[derive(Clone)]
pub(crate) struct Oidc {
    url: String,
    client_id: String,
    client_secret: Secret,
    scope: Option<String>,
    /// The claim naming the principal.
    sub_claim: String,
    /// CA certificates to verify the endpoint with (a PEM file), else the system's.
    ca_file: Option<PathBuf>,
    timeout: Duration,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("url", &self.url)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// A token and what librdkafka needs with it.
pub(crate) struct Token {
    pub value: String,
    pub principal: String,
    /// When it expires, in milliseconds since the Unix epoch.
    pub lifetime_ms: i64,
}

/// Whether `key` is a property kctl handles itself with OIDC (so librdkafka, built without
/// libcurl, is not asked to check it).
pub(crate) fn is_oidc_key(key: &str) -> bool {
    OIDC_KEYS.contains(&key)
}

/// Takes the OIDC properties out of `properties` when they ask for OIDC (the last value of
/// each wins, as with librdkafka); `None` when they do not.
pub(crate) fn take(
    properties: &mut Vec<(String, String)>,
    timeout: Duration,
) -> Result<Option<Oidc>> {
    let last = |key: &str| {
        properties
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    if !last("sasl.oauthbearer.method").is_some_and(|m| m.eq_ignore_ascii_case("oidc")) {
        return Ok(None);
    }
    if let Some(grant) = last("sasl.oauthbearer.grant.type") {
        if grant != "client_credentials" {
            return Err(Error::usage(format!(
                "sasl.oauthbearer.grant.type={grant}: kctl gets OIDC tokens with the \
                 client_credentials grant only"
            )));
        }
    }
    let Some(url) = last("sasl.oauthbearer.token.endpoint.url") else {
        return Err(Error::usage(
            "OAUTHBEARER through OIDC needs the token endpoint: give --sasl-oauth-token-url URL",
        ));
    };
    let (Some(client_id), Some(client_secret)) = (
        last("sasl.oauthbearer.client.id"),
        last("sasl.oauthbearer.client.secret"),
    ) else {
        return Err(Error::usage(
            "OAUTHBEARER through OIDC needs the client id and secret: give --sasl-username ID \
             and --sasl-password-env VAR or --sasl-password-file FILE",
        ));
    };
    let oidc = Oidc {
        url,
        client_id,
        client_secret: Secret::new(client_secret),
        scope: last("sasl.oauthbearer.scope").filter(|s| !s.is_empty()),
        sub_claim: last("sasl.oauthbearer.sub.claim.name").unwrap_or_else(|| "sub".into()),
        ca_file: last("https.ca.location")
            .filter(|l| l != "probe")
            .map(PathBuf::from),
        timeout,
    };
    properties.retain(|(k, _)| !is_oidc_key(k));
    Ok(Some(oidc))
}

impl Oidc {
    /// A token from the endpoint (client credentials), or why there is none, in words that
    /// hold no secret.
    pub fn fetch(&self) -> std::result::Result<Token, String> {
        use base64::Engine as _;
        let agent = self.agent()?;
        let credentials = Secret::new(base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            self.client_id,
            self.client_secret.expose()
        )));
        let mut body = "grant_type=client_credentials".to_string();
        if let Some(scope) = &self.scope {
            body.push_str("&scope=");
            body.extend(percent_encoding::utf8_percent_encode(
                scope,
                percent_encoding::NON_ALPHANUMERIC,
            ));
        }
        let response = agent
            .post(&self.url)
            .header("Accept", "application/json")
            .header("Authorization", format!("Basic {}", credentials.expose()))
            .content_type("application/x-www-form-urlencoded")
            .send(body.as_bytes())
            .map_err(|e| format!("token endpoint {}: {e}", self.url))?;
        let status = response.status();
        let text = response
            .into_body()
            .with_config()
            .limit(1 << 20)
            .read_to_string()
            .map_err(|e| format!("token endpoint {}: {e}", self.url))?;
        if !status.is_success() {
            return Err(format!(
                "token endpoint {} answered HTTP {}{}",
                self.url,
                status.as_u16(),
                oauth_error(&text)
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            ));
        }
        let answer: serde_json::Value = serde_json::from_str(&text)
            .map_err(|_| format!("token endpoint {}: expected a JSON answer", self.url))?;
        let Some(token) = answer.get("access_token").and_then(|t| t.as_str()) else {
            return Err(format!(
                "token endpoint {}: expected a JSON answer with an \"access_token\" field",
                self.url
            ));
        };
        let token = Secret::new(token);
        let claims = jwt_claims(token.expose())?;
        let Some(exp) = claims.get("exp").and_then(|e| e.as_f64()) else {
            return Err("the access token (a JWT) has no valid \"exp\" claim".to_string());
        };
        let Some(principal) = claims.get(&self.sub_claim).and_then(|s| s.as_str()) else {
            return Err(format!(
                "the access token (a JWT) has no valid \"{}\" claim",
                self.sub_claim
            ));
        };
        Ok(Token {
            value: token.expose().to_string(),
            principal: principal.to_string(),
            lifetime_ms: (exp * 1000.0) as i64,
        })
    }

    fn agent(&self) -> std::result::Result<ureq::Agent, String> {
        use ureq::tls::{RootCerts, TlsConfig, TlsProvider};
        let roots = match &self.ca_file {
            Some(path) => {
                let pem = std::fs::read(path)
                    .map_err(|e| format!("https.ca.location {}: {e}", path.display()))?;
                let certs: Vec<_> = ureq::tls::parse_pem(&pem)
                    .filter_map(|item| match item {
                        Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                        _ => None,
                    })
                    .collect();
                if certs.is_empty() {
                    return Err(format!(
                        "https.ca.location {}: no PEM certificate in it",
                        path.display()
                    ));
                }
                RootCerts::new_with_certs(&certs)
            }
            None => RootCerts::PlatformVerifier,
        };
        let tls = TlsConfig::builder()
            .provider(TlsProvider::NativeTls)
            .root_certs(roots)
            .build();
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(self.timeout))
            .user_agent(concat!("kctl/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls)
            .build();
        Ok(ureq::Agent::new_with_config(config))
    }
}

/// An OAuth error answer's `error` and `error_description`, when it is one.
fn oauth_error(text: &str) -> Option<String> {
    let answer: serde_json::Value = serde_json::from_str(text).ok()?;
    let error = answer.get("error")?.as_str()?;
    Some(
        match answer.get("error_description").and_then(|d| d.as_str()) {
            Some(description) => format!("{error} ({description})"),
            None => error.to_string(),
        },
    )
}

/// The claims of a JWT (its payload, not checked: the broker checks the token).
fn jwt_claims(token: &str) -> std::result::Result<serde_json::Value, String> {
    use base64::Engine as _;
    let bad = || "the access token is not a JWT (header.payload.signature)".to_string();
    let mut parts = token.split('.');
    let (Some(_), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let payload = payload.trim_end_matches('=');
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| bad())?;
    serde_json::from_slice(&bytes).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn oidc_properties_are_taken_out() {
        let mut p = props(&[
            ("sasl.mechanisms", "OAUTHBEARER"),
            ("sasl.oauthbearer.method", "oidc"),
            ("sasl.oauthbearer.token.endpoint.url", "https://idp/token"),
            ("sasl.oauthbearer.client.id", "client-1"),
            ("sasl.oauthbearer.client.secret", "secret-1"),
            ("sasl.oauthbearer.scope", "kafka"),
        ]);
        let oidc = take(&mut p, Duration::from_secs(5)).unwrap().unwrap();
        assert_eq!(oidc.url, "https://idp/token");
        assert_eq!(oidc.client_id, "client-1");
        assert_eq!(oidc.scope.as_deref(), Some("kafka"));
        assert_eq!(p, props(&[("sasl.mechanisms", "OAUTHBEARER")]));
        assert!(!format!("{oidc:?}").contains("secret-1"));

        // Not OIDC: nothing taken.
        let mut p = props(&[("sasl.oauthbearer.config", "principal=a")]);
        assert!(take(&mut p, Duration::from_secs(5)).unwrap().is_none());
        assert_eq!(p.len(), 1);

        // OIDC without an endpoint, or with another grant: usage errors.
        let mut p = props(&[("sasl.oauthbearer.method", "OIDC")]);
        assert!(take(&mut p, Duration::from_secs(5)).is_err());
        let mut p = props(&[
            ("sasl.oauthbearer.method", "oidc"),
            (
                "sasl.oauthbearer.grant.type",
                "urn:ietf:params:oauth:grant-type:jwt-bearer",
            ),
        ]);
        assert!(take(&mut p, Duration::from_secs(5)).is_err());
    }

    #[test]
    fn jwt_claims_are_read_from_the_payload() {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let token = format!(
            "{}.{}.",
            b64.encode(r#"{"alg":"none"}"#),
            b64.encode(r#"{"sub":"alice","exp":1700000000}"#)
        );
        let claims = jwt_claims(&token).unwrap();
        assert_eq!(claims["sub"], "alice");
        assert_eq!(claims["exp"], 1700000000);
        assert!(jwt_claims("opaque-token").is_err());
        assert!(jwt_claims("a.%%%.c").is_err());
    }

    #[test]
    fn oauth_errors_are_read() {
        assert_eq!(
            oauth_error(r#"{"error":"invalid_client","error_description":"bad secret"}"#)
                .as_deref(),
            Some("invalid_client (bad secret)")
        );
        assert_eq!(oauth_error("<html>"), None);
    }
}
