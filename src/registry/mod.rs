//! The schema registry: a Confluent-compatible schema registry over HTTP (its own outside
//! service, on the same terms as [`crate::kafka`]: bounded by `--timeout`, errors with kinds).
//!
//! This file holds the registry's data model and [`SchemaSource`], the narrow interface the
//! record codecs ([`crate::codec`]) look schemas up through. The HTTP client implements it;
//! tests implement it in memory.

pub mod cache;
pub mod client;
pub mod errors;
pub mod settings;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::Result;

/// The kind of a registered schema, as the registry names it (`schemaType`; absent = Avro).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchemaType {
    Avro,
    Protobuf,
    Json,
}

impl SchemaType {
    /// The registry's own name (`AVRO`, `PROTOBUF`, `JSON`).
    pub fn registry_name(self) -> &'static str {
        match self {
            SchemaType::Avro => "AVRO",
            SchemaType::Protobuf => "PROTOBUF",
            SchemaType::Json => "JSON",
        }
    }
}

/// A reference from one schema to another subject's version: `name` is how the referring
/// schema names it (an Avro full name, a Protobuf import path, a JSON Schema `$ref` URL).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SchemaReference {
    pub name: String,
    pub subject: String,
    pub version: i32,
}

/// A schema's text with its type and references, as the registry stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    pub schema_type: SchemaType,
    pub schema: String,
    pub references: Vec<SchemaReference>,
}

/// One version of a subject: its global id, its version number and its schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectVersion {
    pub subject: String,
    pub id: u32,
    pub version: i32,
    pub schema: Schema,
}

/// Which version of a subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Latest,
    Number(i32),
}

/// Where the codecs find schemas. Calls block (they may go to the network): call them only
/// from blocking threads (consume and produce run their record loops on such threads), never
/// on the async runtime's threads. Implementations cache: one lookup per id (and per subject
/// version) per run.
pub trait SchemaSource: Send + Sync {
    /// The schema with this global id (the Confluent wire format's 4-byte id).
    fn schema_by_id(&self, id: u32) -> Result<Arc<Schema>>;
    /// A subject's version (for encoding by subject, and for resolving references).
    fn subject_version(&self, subject: &str, version: Version) -> Result<Arc<SubjectVersion>>;
    /// The schema with this GUID (Confluent 8's header form), where the registry supports it.
    fn schema_by_guid(&self, guid: &str) -> Result<Arc<Schema>>;
}
