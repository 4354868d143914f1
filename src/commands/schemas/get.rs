//! `kctl schemas get SUBJECT[:VERSION]` and `kctl schemas get --id N`

use serde::Serialize;

use super::super::Ctx;
use crate::error::Result;
use crate::registry::{SchemaReference, SchemaType, Version};
use crate::render::{Block, Render, Table};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The subject, with a version (a number or latest; default latest): SUBJECT[:VERSION]
    #[arg(
        value_name = "SUBJECT[:VERSION]",
        value_parser = super::parse_subject_version,
        required_unless_present = "id",
        conflicts_with = "id",
        add = crate::complete::subject_completer()
    )]
    pub subject: Option<(String, Version)>,

    /// The schema with this global id instead
    #[arg(long, value_name = "ID")]
    pub id: Option<u32>,
}

/// A schema as `get` shows it. `subject` and `version` are `null` for `--id`.
#[derive(Debug, Serialize)]
pub struct SchemaView {
    pub subject: Option<String>,
    pub version: Option<i32>,
    pub id: u32,
    pub schema_type: SchemaType,
    pub schema: String,
    pub references: Vec<SchemaReference>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let registry = ctx.registry()?;
    let view = match (args.subject, args.id) {
        (_, Some(id)) => {
            let schema = registry.call(move |client| client.schema_by_id(id)).await?;
            SchemaView {
                subject: None,
                version: None,
                id,
                schema_type: schema.schema_type,
                schema: schema.schema,
                references: schema.references,
            }
        }
        (Some((subject, version)), None) => {
            let found = registry
                .call(move |client| client.subject_version(&subject, version))
                .await?;
            SchemaView {
                subject: Some(found.subject),
                version: Some(found.version),
                id: found.id,
                schema_type: found.schema.schema_type,
                schema: found.schema.schema,
                references: found.schema.references,
            }
        }
        (None, None) => unreachable!("clap requires SUBJECT or --id"),
    };
    ctx.printer.print(&view)
}

impl Render for SchemaView {
    fn blocks(&self) -> Vec<Block> {
        let mut about = Table::new(["SUBJECT", "VERSION", "ID", "TYPE"]);
        about.row([
            self.subject.clone().unwrap_or_else(|| "-".into()),
            crate::render::or_dash(self.version),
            self.id.to_string(),
            self.schema_type.registry_name().to_string(),
        ]);
        let mut blocks = vec![Block::Table(about)];
        if !self.references.is_empty() {
            let mut refs = Table::new(["REFERENCE", "SUBJECT", "VERSION"]).numeric(&[2]);
            for r in &self.references {
                refs.row([r.name.clone(), r.subject.clone(), r.version.to_string()]);
            }
            blocks.push(Block::Line(String::new()));
            blocks.push(Block::Table(refs));
        }
        blocks.push(Block::Line(String::new()));
        blocks.push(Block::Line(self.schema.trim_end().to_string()));
        blocks
    }
}
