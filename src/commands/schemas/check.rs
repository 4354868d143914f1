//! `kctl schemas check SUBJECT --file F [--version V]`: exit 0 when compatible, 1 when not.

use serde::Serialize;

use super::super::Ctx;
use crate::error::{Error, Result};
use crate::registry::client::version_text;
use crate::registry::Version;
use crate::render::{Block, Render};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The subject to check against
    #[arg(value_name = "SUBJECT", value_parser = super::subject_name, add = crate::complete::subject_completer())]
    pub subject: String,

    #[command(flatten)]
    pub schema: super::SchemaFileArgs,

    /// The version to check against (a number or latest) [default: latest]
    #[arg(long = "version", id = "against", value_name = "VERSION", value_parser = parse_version)]
    pub version: Option<Version>,
}

fn parse_version(s: &str) -> std::result::Result<Version, String> {
    match s {
        "latest" => Ok(Version::Latest),
        n => match n.parse::<i32>() {
            Ok(n) if n >= 1 => Ok(Version::Number(n)),
            _ => Err(format!("invalid version '{s}': a number from 1, or latest")),
        },
    }
}

/// `{"subject": "orders-value", "version": "latest", "compatible": false, "messages": [...]}`;
/// `version` is a number or `"latest"`, `messages` the registry's reasons (it may give none).
#[derive(Debug, Serialize)]
pub struct CheckResult {
    pub subject: String,
    pub version: serde_json::Value,
    pub compatible: bool,
    pub messages: Vec<String>,
    #[serde(skip)]
    against: String,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let schema = args.schema.schema()?;
    let version = args.version.unwrap_or(Version::Latest);
    let registry = ctx.registry()?;
    let subject = args.subject.clone();
    let answer = registry
        .call(move |client| client.check_compatibility(&subject, version, &schema))
        .await?;
    let result = CheckResult {
        against: format!("{} of subject \"{}\"", version_text(version), args.subject),
        subject: args.subject,
        version: super::version_json(version),
        compatible: answer.is_compatible,
        messages: answer.messages,
    };
    ctx.printer.print(&result)?;
    if result.compatible {
        Ok(())
    } else {
        Err(Error::runtime(format!(
            "the schema is not compatible with {}",
            result.against
        )))
    }
}

impl Render for CheckResult {
    fn blocks(&self) -> Vec<Block> {
        let mut blocks = vec![Block::Line(if self.compatible {
            format!("compatible with {}", self.against)
        } else if self.messages.is_empty() {
            format!(
                "not compatible with {} (the registry gave no reasons)",
                self.against
            )
        } else {
            format!("not compatible with {}:", self.against)
        })];
        blocks.extend(self.messages.iter().map(|m| Block::Line(format!("  {m}"))));
        blocks
    }
}
