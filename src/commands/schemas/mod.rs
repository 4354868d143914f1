//! `kctl schemas ...`: the schema registry's subjects, versions, schemas, compatibility and
//! mode (see `crate::registry`).

pub mod check;
pub mod config;
pub mod delete;
pub mod get;
pub mod list;
pub mod mode;
pub mod register;
pub mod versions;

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::Ctx;
use crate::error::{Error, Result};
use crate::registry::{Schema, SchemaReference, SchemaType, Version};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the registry's subjects (--deleted: the soft-deleted ones too)
    #[command(visible_alias = "ls")]
    List(list::Args),
    /// List a subject's versions
    Versions(versions::Args),
    /// Show a schema: a subject's version (the latest by default) or a schema id (--id)
    Get(get::Args),
    /// Register a schema under a subject from a file (.avsc, .proto or .json)
    Register(register::Args),
    /// Check whether a schema is compatible with a subject's version (exit 1 when not)
    #[command(disable_version_flag = true)]
    Check(check::Args),
    /// Delete a subject or one of its versions (asks first; --permanent for good)
    #[command(visible_alias = "rm")]
    Delete(delete::Args),
    /// Show or set the compatibility level, of a subject or the global one
    Config(config::Args),
    /// Show or set the mode (READWRITE, READONLY, IMPORT), of a subject or the global one
    Mode(mode::Args),
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::List(args) => list::run(args, ctx).await,
        Command::Versions(args) => versions::run(args, ctx).await,
        Command::Get(args) => get::run(args, ctx).await,
        Command::Register(args) => register::run(args, ctx).await,
        Command::Check(args) => check::run(args, ctx).await,
        Command::Delete(args) => delete::run(args, ctx).await,
        Command::Config(args) => config::run(args, ctx).await,
        Command::Mode(args) => mode::run(args, ctx).await,
    }
}

/// A schema's type as given on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TypeArg {
    Avro,
    Protobuf,
    Json,
}

impl From<TypeArg> for SchemaType {
    fn from(t: TypeArg) -> SchemaType {
        match t {
            TypeArg::Avro => SchemaType::Avro,
            TypeArg::Protobuf => SchemaType::Protobuf,
            TypeArg::Json => SchemaType::Json,
        }
    }
}

/// `SUBJECT` or `SUBJECT:VERSION` (a number or `latest`; default latest). A subject may hold
/// `:` itself: only a last part that is a version is taken as one.
pub fn parse_subject_version(s: &str) -> std::result::Result<(String, Version), String> {
    parse_subject_maybe_version(s).map(|(subject, v)| (subject, v.unwrap_or(Version::Latest)))
}

/// `SUBJECT` (no version) or `SUBJECT:VERSION`.
pub fn parse_subject_maybe_version(
    s: &str,
) -> std::result::Result<(String, Option<Version>), String> {
    let (subject, version) = match s.rsplit_once(':') {
        Some((subject, "latest")) => (subject, Some(Version::Latest)),
        Some((subject, v)) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => {
            let n: i32 = v
                .parse()
                .map_err(|_| format!("invalid version '{v}' in '{s}'"))?;
            if n < 1 {
                return Err(format!(
                    "invalid version '{v}' in '{s}': versions start at 1"
                ));
            }
            (subject, Some(Version::Number(n)))
        }
        _ => (s, None),
    };
    if subject.trim().is_empty() {
        return Err(format!("'{s}' names no subject"));
    }
    Ok((subject.to_string(), version))
}

/// A subject name: not empty.
pub fn subject_name(s: &str) -> std::result::Result<String, String> {
    if s.trim().is_empty() {
        Err("the subject name is empty".to_string())
    } else {
        Ok(s.to_string())
    }
}

/// `--reference NAME=SUBJECT:VERSION`.
pub fn parse_reference(s: &str) -> std::result::Result<SchemaReference, String> {
    let bad = || {
        format!(
            "invalid reference '{s}': expected NAME=SUBJECT:VERSION, e.g. \
             common.proto=common-value:1"
        )
    };
    let (name, target) = s.split_once('=').ok_or_else(bad)?;
    let (subject, version) = target.rsplit_once(':').ok_or_else(bad)?;
    let version: i32 = version.parse().map_err(|_| bad())?;
    if name.is_empty() || subject.is_empty() || version < 1 {
        return Err(bad());
    }
    Ok(SchemaReference {
        name: name.to_string(),
        subject: subject.to_string(),
        version,
    })
}

/// The schema type of a file by its extension: .avsc Avro, .proto Protobuf, .json JSON Schema.
fn type_of_file(path: &Path) -> Option<SchemaType> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "avsc" => Some(SchemaType::Avro),
        "proto" => Some(SchemaType::Protobuf),
        "json" => Some(SchemaType::Json),
        _ => None,
    }
}

/// The schema given by `--file` (`-`: stdin), `--type` (else by the file's extension) and
/// `--reference`s. Checked before any registry call.
pub fn read_schema(
    file: &Path,
    kind: Option<TypeArg>,
    references: Vec<SchemaReference>,
) -> Result<Schema> {
    let schema_type = match kind {
        Some(t) => t.into(),
        None => type_of_file(file).ok_or_else(|| {
            Error::usage(format!(
                "cannot tell the schema type of {}: give --type avro, protobuf or json (or name \
                 the file .avsc, .proto or .json)",
                file.display()
            ))
        })?,
    };
    let text = if file == Path::new("-") {
        std::io::read_to_string(std::io::stdin())
            .map_err(|e| Error::usage(format!("cannot read the schema from stdin: {e}")))?
    } else {
        std::fs::read_to_string(file)
            .map_err(|e| Error::usage(format!("cannot read the schema {}: {e}", file.display())))?
    };
    if text.trim().is_empty() {
        return Err(Error::invalid_input(
            None,
            format!("the schema {} is empty", file.display()),
        ));
    }
    // Avro and JSON Schema are JSON: say where it is malformed before asking the registry.
    if matches!(schema_type, SchemaType::Avro | SchemaType::Json) {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(&text) {
            return Err(Error::invalid_input(
                Some((e.line() as u64, e.column() as u64)),
                format!(
                    "the schema {} is not valid JSON (line {}, column {}): {e}",
                    file.display(),
                    e.line(),
                    e.column()
                ),
            ));
        }
    }
    Ok(Schema {
        schema_type,
        schema: text,
        references,
    })
}

/// The file arguments shared by `register` and `check`.
#[derive(Debug, clap::Args)]
pub struct SchemaFileArgs {
    /// The schema file (`-`: stdin)
    #[arg(short = 'f', long = "file", value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub file: PathBuf,

    /// The schema's type [default: by the file's extension: .avsc, .proto, .json]
    #[arg(short = 't', long = "type", value_name = "TYPE")]
    pub kind: Option<TypeArg>,

    /// A schema it references, as NAME=SUBJECT:VERSION (NAME: the Avro full name, Protobuf
    /// import path or JSON Schema $ref it is known by; repeatable)
    #[arg(long = "reference", value_name = "NAME=SUBJECT:VERSION", value_parser = parse_reference)]
    pub references: Vec<SchemaReference>,
}

impl SchemaFileArgs {
    pub fn schema(self) -> Result<Schema> {
        read_schema(&self.file, self.kind, self.references)
    }
}

/// A version as JSON shows it: a number, or `"latest"`.
/// The line `config` and `mode` print: `compatibility (subject "orders-value") is BACKWARD`,
/// `mode (global) set to READONLY`.
pub fn setting_line(setting: &str, subject: Option<&str>, set: bool, value: &str) -> String {
    let of = match subject {
        Some(s) => format!("subject \"{s}\""),
        None => "global".to_string(),
    };
    let verb = if set { "set to" } else { "is" };
    format!("{setting} ({of}) {verb} {value}")
}

pub fn version_json(v: Version) -> serde_json::Value {
    match v {
        Version::Latest => serde_json::Value::from("latest"),
        Version::Number(n) => serde_json::Value::from(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_with_versions_parse() {
        assert_eq!(
            parse_subject_version("orders-value").unwrap(),
            ("orders-value".to_string(), Version::Latest)
        );
        assert_eq!(
            parse_subject_version("orders-value:3").unwrap(),
            ("orders-value".to_string(), Version::Number(3))
        );
        assert_eq!(
            parse_subject_version("a:b:latest").unwrap(),
            ("a:b".to_string(), Version::Latest)
        );
        assert_eq!(
            parse_subject_version("urn:x").unwrap(),
            ("urn:x".to_string(), Version::Latest)
        );
        assert!(parse_subject_version(":3").is_err());
        assert!(parse_subject_version("s:0").is_err());
    }

    #[test]
    fn references_parse() {
        let r = parse_reference("common.proto=common-value:2").unwrap();
        assert_eq!(
            (r.name.as_str(), r.subject.as_str(), r.version),
            ("common.proto", "common-value", 2)
        );
        for bad in ["x", "x=y", "x=y:z", "=y:1", "x=:1", "x=y:0"] {
            assert!(parse_reference(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn types_follow_extensions() {
        assert_eq!(type_of_file(Path::new("a.avsc")), Some(SchemaType::Avro));
        assert_eq!(
            type_of_file(Path::new("a.PROTO")),
            Some(SchemaType::Protobuf)
        );
        assert_eq!(type_of_file(Path::new("a.json")), Some(SchemaType::Json));
        assert_eq!(type_of_file(Path::new("a.txt")), None);
    }
}
