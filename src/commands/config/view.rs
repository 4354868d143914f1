//! `kctl config view`: the config file as kctl reads it, secrets shown as `***`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::super::Ctx;
use crate::config::{property_value, ContextConfig};
use crate::error::Result;
use crate::render::{Block, Render, Table};
use crate::security::{is_sensitive_key, REDACTED};

#[derive(Debug, clap::Args)]
pub struct Args {}

#[derive(Debug, Serialize)]
pub struct ConfigView {
    pub config_file: Option<String>,
    pub exists: bool,
    /// The file's current-context.
    pub current_context: Option<String>,
    pub contexts: BTreeMap<String, ContextView>,
}

#[derive(Debug, Serialize)]
pub struct ContextView {
    pub brokers: Option<String>,
    pub output: Option<String>,
    pub timeout: Option<String>,
    /// librdkafka properties; values of sensitive keys are `***`.
    pub properties: BTreeMap<String, String>,
    pub tls: Option<TlsView>,
    pub sasl: Option<SaslView>,
    pub registry: Option<RegistryView>,
}

#[derive(Debug, Serialize)]
pub struct RegistryView {
    pub url: Option<String>,
    pub username: Option<String>,
    /// `***` when the file holds the password itself.
    pub password: Option<String>,
    pub password_env: Option<String>,
    pub password_file: Option<String>,
    pub token_env: Option<String>,
    pub token_file: Option<String>,
    pub ca_file: Option<String>,
    pub cert_file: Option<String>,
    pub key_file: Option<String>,
    pub insecure_skip_verify: bool,
}

#[derive(Debug, Serialize)]
pub struct TlsView {
    pub enabled: bool,
    pub ca_file: Option<String>,
    pub cert_file: Option<String>,
    pub key_file: Option<String>,
    /// `***` when the file holds the password itself.
    pub key_password: Option<String>,
    pub key_password_env: Option<String>,
    pub key_password_file: Option<String>,
    pub verify_hostname: bool,
    pub insecure_skip_verify: bool,
}

#[derive(Debug, Serialize)]
pub struct SaslView {
    pub mechanism: String,
    pub username: Option<String>,
    /// `***` when the file holds the password itself.
    pub password: Option<String>,
    pub password_env: Option<String>,
    pub password_file: Option<String>,
    pub oauth_token_url: Option<String>,
}

fn hidden(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|_| REDACTED.to_string())
}

fn path(p: &Option<std::path::PathBuf>) -> Option<String> {
    p.as_ref().map(|p| p.display().to_string())
}

pub fn view_context(c: &ContextConfig) -> ContextView {
    ContextView {
        brokers: c.brokers.clone(),
        output: c.output.map(|o| match o {
            crate::printer::OutputFormat::Table => "table".to_string(),
            crate::printer::OutputFormat::Json => "json".to_string(),
        }),
        timeout: c.timeout.clone(),
        properties: c
            .properties
            .iter()
            .map(|(k, v)| {
                let v = if is_sensitive_key(k) {
                    REDACTED.to_string()
                } else {
                    property_value(k, v).unwrap_or_else(|_| v.to_string())
                };
                (k.clone(), v)
            })
            .collect(),
        tls: c.tls.as_ref().map(|t| TlsView {
            enabled: t.enabled != Some(false),
            ca_file: path(&t.ca_file),
            cert_file: path(&t.cert_file),
            key_file: path(&t.key_file),
            key_password: hidden(&t.key_password),
            key_password_env: t.key_password_env.clone(),
            key_password_file: path(&t.key_password_file),
            verify_hostname: t.verify_hostname != Some(false),
            insecure_skip_verify: t.insecure_skip_verify == Some(true),
        }),
        sasl: c.sasl.as_ref().map(|s| SaslView {
            mechanism: s.mechanism.as_str().to_string(),
            username: s.username.clone(),
            password: hidden(&s.password),
            password_env: s.password_env.clone(),
            password_file: path(&s.password_file),
            oauth_token_url: s.oauth_token_url.clone(),
        }),
        registry: c.registry.as_ref().map(|r| RegistryView {
            url: r.url.clone(),
            username: r.username.clone(),
            password: hidden(&r.password),
            password_env: r.password_env.clone(),
            password_file: path(&r.password_file),
            token_env: r.token_env.clone(),
            token_file: path(&r.token_file),
            ca_file: path(&r.ca_file),
            cert_file: path(&r.cert_file),
            key_file: path(&r.key_file),
            insecure_skip_verify: r.insecure_skip_verify == Some(true),
        }),
    }
}

pub fn run(_args: Args, ctx: &Ctx) -> Result<()> {
    let config = super::load()?;
    let view = ConfigView {
        config_file: config.path.as_ref().map(|p| p.display().to_string()),
        exists: config.exists,
        current_context: config.file.current_context.clone(),
        contexts: config
            .file
            .contexts
            .iter()
            .map(|(n, c)| (n.clone(), view_context(c)))
            .collect(),
    };
    if !view.exists {
        ctx.printer.note(format!(
            "no config file at {}: the defaults apply",
            config.display_path()
        ));
    }
    ctx.printer.print(&view)
}

impl Render for ConfigView {
    fn blocks(&self) -> Vec<Block> {
        let mut blocks = vec![Block::Line(format!(
            "config file: {}",
            self.config_file.as_deref().unwrap_or("-")
        ))];
        blocks.push(Block::Line(format!(
            "current-context: {}",
            self.current_context.as_deref().unwrap_or("-")
        )));
        for (name, c) in &self.contexts {
            blocks.push(Block::Line(String::new()));
            blocks.push(Block::Line(format!("context {name}")));
            let mut t = Table::new(["KEY", "VALUE"]);
            let mut row = |k: &str, v: Option<String>| {
                if let Some(v) = v {
                    t.row([k.to_string(), v]);
                }
            };
            row("brokers", c.brokers.clone());
            row("output", c.output.clone());
            row("timeout", c.timeout.clone());
            if let Some(tls) = &c.tls {
                row("tls.enabled", Some(tls.enabled.to_string()));
                row("tls.ca-file", tls.ca_file.clone());
                row("tls.cert-file", tls.cert_file.clone());
                row("tls.key-file", tls.key_file.clone());
                row("tls.key-password", tls.key_password.clone());
                row("tls.key-password-env", tls.key_password_env.clone());
                row("tls.key-password-file", tls.key_password_file.clone());
                row("tls.verify-hostname", Some(tls.verify_hostname.to_string()));
                row(
                    "tls.insecure-skip-verify",
                    Some(tls.insecure_skip_verify.to_string()),
                );
            }
            if let Some(sasl) = &c.sasl {
                row("sasl.mechanism", Some(sasl.mechanism.clone()));
                row("sasl.username", sasl.username.clone());
                row("sasl.password", sasl.password.clone());
                row("sasl.password-env", sasl.password_env.clone());
                row("sasl.password-file", sasl.password_file.clone());
                row("sasl.oauth-token-url", sasl.oauth_token_url.clone());
            }
            if let Some(r) = &c.registry {
                row("registry.url", r.url.clone());
                row("registry.username", r.username.clone());
                row("registry.password", r.password.clone());
                row("registry.password-env", r.password_env.clone());
                row("registry.password-file", r.password_file.clone());
                row("registry.token-env", r.token_env.clone());
                row("registry.token-file", r.token_file.clone());
                row("registry.ca-file", r.ca_file.clone());
                row("registry.cert-file", r.cert_file.clone());
                row("registry.key-file", r.key_file.clone());
                row(
                    "registry.insecure-skip-verify",
                    Some(r.insecure_skip_verify.to_string()),
                );
            }
            for (k, v) in &c.properties {
                row(&format!("properties.{k}"), Some(v.clone()));
            }
            blocks.push(Block::Table(t));
        }
        blocks
    }
}
