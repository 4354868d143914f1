//! The schema registry's settings: `--registry URL` (`KCTL_REGISTRY`) and the basic-auth
//! flags over a context's `[registry]` table, resolved once with the other settings. Secrets
//! follow kctl's rules (see `crate::security`): read from an environment variable or a file
//! (a file others can read is a warning), or written in the config file; never printed.

use std::path::PathBuf;

use crate::cli::RegistryArgs;
use crate::config::{Config, RegistryConfig};
use crate::error::{Error, Result};
use crate::security::{Secret, SecretSource};

/// The schema registry as resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrySettings {
    /// The registry's base URL, without a trailing `/` (e.g. `http://localhost:8081`, or
    /// Apicurio's `http://host:8080/apis/ccompat/v7`).
    pub url: String,
    pub auth: Option<RegistryAuth>,
    pub tls: RegistryTls,
}

/// How kctl authenticates to the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryAuth {
    /// HTTP basic auth.
    Basic { username: String, password: Secret },
    /// `Authorization: Bearer TOKEN`.
    Bearer(Secret),
}

/// TLS towards an `https://` registry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegistryTls {
    /// CA certificate(s) (PEM) to verify the registry with, instead of the system's.
    pub ca_file: Option<PathBuf>,
    /// Client certificate and key (PEM) for mutual TLS.
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
    /// Do not verify the registry's certificate or host name.
    pub insecure_skip_verify: bool,
}

/// Resolves the registry from the flags (and `KCTL_REGISTRY`) over the context's `[registry]`
/// table; `None` when neither names a URL. The context's credentials and TLS files go only to
/// the context's own registry: a `--registry` naming another URL uses the flags alone, so a
/// password is never sent to a server the config file did not name for it.
pub fn resolve(
    args: &RegistryArgs,
    context: Option<&RegistryConfig>,
    config: &Config,
    in_context: &dyn Fn(&str) -> String,
    warnings: &mut Vec<String>,
) -> Result<Option<RegistrySettings>> {
    let flag_url = args.registry.as_deref().filter(|u| !u.trim().is_empty());
    let context = context.filter(|c| match (flag_url, c.url.as_deref()) {
        (Some(flag), Some(own)) => normalize(flag) == normalize(own),
        _ => true,
    });
    let (url, from_context) = match (flag_url, context.and_then(|c| c.url.as_deref())) {
        (Some(url), _) => (url, false),
        (None, Some(url)) => (url, true),
        (None, None) => {
            if args.registry_user.is_some()
                || args.registry_password_env.is_some()
                || args.registry_password_file.is_some()
            {
                return Err(Error::usage(
                    "--registry-user and --registry-password-* need a registry: give --registry URL \
                     (or KCTL_REGISTRY, or a context's [registry] url)",
                ));
            }
            return Ok(None);
        }
    };
    let url = validate_url(url).map_err(|e| {
        if from_context {
            Error::usage(in_context(&format!("[registry] url: {}", e.message())))
        } else {
            e
        }
    })?;
    let c = context.cloned().unwrap_or_default();
    let ctx_err = |e: Error| Error::usage(in_context(&e.message()));

    // Basic auth: the flags, else the context's; a bearer token only from the context.
    let username = args.registry_user.clone().or(c.username.clone());
    let password = match (&args.registry_password_env, &args.registry_password_file) {
        (Some(var), _) => Some(SecretSource::Env(var.clone()).read("--registry-password-env")?),
        (None, Some(f)) => {
            Some(SecretSource::File(f.clone()).read_checked("--registry-password-file", warnings)?)
        }
        (None, None) => crate::config::secret_source(
            config,
            "password",
            c.password.as_ref(),
            c.password_env.as_ref(),
            c.password_file.as_ref(),
        )?
        .map(|s| {
            s.read_checked("registry password", warnings)
                .map_err(ctx_err)
        })
        .transpose()?,
    };
    let token = crate::config::secret_source(
        config,
        "token",
        None,
        c.token_env.as_ref(),
        c.token_file.as_ref(),
    )?
    .map(|s| s.read_checked("registry token", warnings).map_err(ctx_err))
    .transpose()?;
    let auth = match (username, password, token) {
        (Some(_), Some(_), Some(_)) | (None, Some(_), Some(_)) | (Some(_), None, Some(_)) => {
            return Err(Error::usage(in_context(
                "[registry]: give either basic auth (username and a password) or a token, not both",
            )))
        }
        (None, None, Some(token)) => Some(RegistryAuth::Bearer(token)),
        (Some(username), Some(password), None) => Some(RegistryAuth::Basic { username, password }),
        (Some(_), None, None) => {
            return Err(Error::usage(
                "the schema registry user has no password: give --registry-password-env VAR or \
                 --registry-password-file FILE (or the context's [registry] password-env or \
                 password-file)",
            ))
        }
        (None, Some(_), None) => {
            return Err(Error::usage(
                "the schema registry password has no user: give --registry-user USER (or the \
                 context's [registry] username)",
            ))
        }
        (None, None, None) => None,
    };

    let file = |p: &Option<PathBuf>, what: &str| -> Result<Option<PathBuf>> {
        let Some(p) = p else { return Ok(None) };
        let path = config.resolve_path(p);
        if !path.is_file() {
            return Err(Error::usage(in_context(&format!(
                "[registry] {what} {}: no such file",
                path.display()
            ))));
        }
        Ok(Some(path))
    };
    let tls = RegistryTls {
        ca_file: file(&c.ca_file, "ca-file")?,
        cert_file: file(&c.cert_file, "cert-file")?,
        key_file: file(&c.key_file, "key-file")?,
        insecure_skip_verify: c.insecure_skip_verify == Some(true),
    };
    if tls.cert_file.is_some() != tls.key_file.is_some() {
        return Err(Error::usage(in_context(
            "[registry]: cert-file and key-file go together (mutual TLS needs both)",
        )));
    }
    Ok(Some(RegistrySettings { url, auth, tls }))
}

/// The URL without trailing slashes.
fn normalize(url: &str) -> &str {
    url.trim().trim_end_matches('/')
}

/// Checks a registry URL: `http://` or `https://`, a host, no credentials in it (they would
/// show wherever the URL does: use the user and password settings). Returns it normalized.
pub fn validate_url(url: &str) -> Result<String> {
    let url = normalize(url);
    let bad = |why: &str| {
        Error::usage(format!(
            "invalid schema registry URL '{url}': {why} (e.g. http://localhost:8081)"
        ))
    };
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| bad("it must start with http:// or https://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return Err(Error::usage(
            "the schema registry URL must not hold credentials: use --registry-user with \
             --registry-password-env or --registry-password-file, or the context's [registry] \
             username and password-env / password-file",
        ));
    }
    if authority.is_empty() {
        return Err(bad("it has no host"));
    }
    if rest.contains(['?', '#']) {
        return Err(bad("it must not have a query or fragment"));
    }
    if url.contains(char::is_whitespace) {
        return Err(bad("it contains white space"));
    }
    match ureq::http::Uri::try_from(url) {
        Ok(uri) if uri.host().is_some_and(|h| !h.is_empty()) => Ok(url.to_string()),
        Ok(_) => Err(bad("it has no host")),
        Err(e) => Err(bad(&e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn config(text: &str) -> Config {
        Config {
            path: Some("/c.toml".into()),
            exists: true,
            file: crate::config::parse(text, Path::new("/c.toml")).unwrap(),
            warnings: Vec::new(),
        }
    }

    fn resolve_with(flags: &[&str], text: &str) -> Result<Option<RegistrySettings>> {
        let args = crate::settings::test_args(flags);
        let config = config(text);
        let ctx = config
            .file
            .contexts
            .get("c")
            .and_then(|c| c.registry.as_ref());
        resolve(
            &args.registry,
            ctx,
            &config,
            &|w| format!("context 'c': {w}"),
            &mut Vec::new(),
        )
    }

    #[test]
    fn urls_are_checked_and_normalized() {
        assert_eq!(
            validate_url("http://localhost:8081/").unwrap(),
            "http://localhost:8081"
        );
        assert_eq!(
            validate_url("https://h/apis/ccompat/v7").unwrap(),
            "https://h/apis/ccompat/v7"
        );
        for bad in [
            "localhost:8081",
            "ftp://h",
            "http://",
            "http:///x",
            "http://u:p@h:1",
            "http://h?x=1",
            "http://h x",
        ] {
            let err = validate_url(bad).unwrap_err();
            assert_eq!(*err.kind(), crate::error::ErrorKind::Usage, "{bad}");
            assert!(!err.message().contains(":p@"), "{}", err.message());
        }
    }

    #[test]
    fn flags_beat_the_context_and_credentials_stay_with_their_url() {
        std::env::set_var("KCTL_TEST_REGISTRY_PW", "registry-secret-1");
        let text = r#"
current-context = "c"
[contexts.c.registry]
url = "http://ctx:8081"
username = "alice"
password-env = "KCTL_TEST_REGISTRY_PW"
"#;
        let s = resolve_with(&[], text).unwrap().unwrap();
        assert_eq!(s.url, "http://ctx:8081");
        assert!(
            matches!(&s.auth, Some(RegistryAuth::Basic { username, password })
            if username == "alice" && password.expose() == "registry-secret-1")
        );
        // The same registry by flag keeps the context's credentials.
        let s = resolve_with(&["--registry", "http://ctx:8081/"], text)
            .unwrap()
            .unwrap();
        assert!(s.auth.is_some());
        // Another registry does not get them.
        let s = resolve_with(&["--registry", "http://other:8081"], text)
            .unwrap()
            .unwrap();
        assert_eq!(s.url, "http://other:8081");
        assert_eq!(s.auth, None);
        assert_eq!(resolve_with(&[], "").unwrap(), None);
    }

    #[test]
    fn tokens_and_half_credentials() {
        std::env::set_var("KCTL_TEST_REGISTRY_TOKEN", "registry-token-1");
        let text = r#"
[contexts.c.registry]
url = "http://ctx:8081"
token-env = "KCTL_TEST_REGISTRY_TOKEN"
"#;
        let args = crate::settings::test_args(&[]);
        let config = config(text);
        let s = resolve(
            &args.registry,
            config.file.contexts["c"].registry.as_ref(),
            &config,
            &|w| w.to_string(),
            &mut Vec::new(),
        )
        .unwrap()
        .unwrap();
        assert!(
            matches!(&s.auth, Some(RegistryAuth::Bearer(t)) if t.expose() == "registry-token-1")
        );
        assert!(!format!("{s:?}").contains("registry-token-1"));

        let err =
            resolve_with(&["--registry", "http://h:1", "--registry-user", "u"], "").unwrap_err();
        assert!(
            err.message().contains("has no password"),
            "{}",
            err.message()
        );
        let err = resolve_with(&["--registry-user", "u"], "").unwrap_err();
        assert!(
            err.message().contains("need a registry"),
            "{}",
            err.message()
        );
    }
}
