//! `kctl schemas register SUBJECT --file F [--type T] [--reference NAME=SUBJECT:VERSION]...`

use serde::Serialize;

use super::super::Ctx;
use crate::error::Result;
use crate::render::{Block, Render};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The subject to register the schema under (e.g. orders-value)
    #[arg(value_name = "SUBJECT", value_parser = super::subject_name, add = crate::complete::subject_completer())]
    pub subject: String,

    #[command(flatten)]
    pub schema: super::SchemaFileArgs,
}

/// `{"subject": "orders-value", "version": 2, "id": 7}`. Registering a schema the subject
/// has already gives its existing version and id.
#[derive(Debug, Serialize)]
pub struct Registered {
    pub subject: String,
    pub version: i32,
    pub id: u32,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    // The file is read and checked before the registry is asked anything.
    let schema = args.schema.schema()?;
    let registry = ctx.registry()?;
    let subject = args.subject.clone();
    let (id, version) = registry
        .call(move |client| client.register(&subject, &schema))
        .await?;
    ctx.printer.print(&Registered {
        subject: args.subject,
        version,
        id,
    })
}

impl Render for Registered {
    fn blocks(&self) -> Vec<Block> {
        vec![Block::Line(format!(
            "registered subject \"{}\" version {} (schema id {})",
            self.subject, self.version, self.id
        ))]
    }
}
