//! Record codecs: keys and values framed for a Confluent-compatible schema registry (Avro,
//! Protobuf, JSON Schema) to JSON and back. No network here: schemas come through
//! [`SchemaSource`], and each is fetched and compiled once per id per run ([`Schemas`]).
//!
//! One concern per file: [`wire`] the framing, [`avro`], [`protobuf`] and [`json_schema`] the
//! formats, [`json`] the JSON helpers they share.

pub mod avro;
pub mod json;
pub mod json_schema;
pub mod protobuf;
pub mod wire;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use prost_reflect::MessageDescriptor;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::registry::{Schema, SchemaSource, SchemaType, Version};

pub use json::write_json_str;

/// What a key or value was encoded with (`value_encoding` in kctl's record JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Avro,
    Protobuf,
    JsonSchema,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Avro => "avro",
            Format::Protobuf => "protobuf",
            Format::JsonSchema => "json_schema",
        }
    }
}

/// A value that does not fit its schema: where (a path from the root, `$.a.b[2]`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    /// Innermost first (pushed while unwinding).
    path: Vec<Segment>,
    message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Field(String),
    Index(usize),
}

impl PathError {
    pub fn new(message: impl Into<String>) -> PathError {
        PathError {
            path: Vec::new(),
            message: message.into(),
        }
    }

    /// At a JSON pointer (`/a/0/b`).
    pub fn at_pointer(pointer: &str, message: impl Into<String>) -> PathError {
        let mut path: Vec<Segment> = pointer
            .split('/')
            .skip(1)
            .map(|s| {
                let s = s.replace("~1", "/").replace("~0", "~");
                match s.parse::<usize>() {
                    Ok(i) => Segment::Index(i),
                    Err(_) => Segment::Field(s),
                }
            })
            .collect();
        path.reverse();
        PathError {
            path,
            message: message.into(),
        }
    }

    pub fn at_field(mut self, name: &str) -> PathError {
        self.path.push(Segment::Field(name.to_string()));
        self
    }

    pub fn at_key(self, key: &str) -> PathError {
        self.at_field(key)
    }

    pub fn at_index(mut self, index: usize) -> PathError {
        self.path.push(Segment::Index(index));
        self
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The path, `$` for the root.
    pub fn path(&self) -> String {
        let mut text = String::from("$");
        for segment in self.path.iter().rev() {
            match segment {
                Segment::Field(name) => {
                    let plain =
                        !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_');
                    if plain {
                        text.push('.');
                        text.push_str(name);
                    } else {
                        text.push_str(&format!("[{name:?}]"));
                    }
                }
                Segment::Index(i) => text.push_str(&format!("[{i}]")),
            }
        }
        text
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "at {}: {}", self.path(), self.message)
        }
    }
}

/// A compiled schema.
#[derive(Debug)]
pub enum Compiled {
    Avro(avro::Schema),
    Protobuf(protobuf::Schema),
    Json(json_schema::Schema),
}

impl Compiled {
    pub fn format(&self) -> Format {
        match self {
            Compiled::Avro(_) => Format::Avro,
            Compiled::Protobuf(_) => Format::Protobuf,
            Compiled::Json(_) => Format::JsonSchema,
        }
    }

    /// Compiles `schema`, looking its references up through `source` (recursively).
    pub fn compile(schema: &Schema, source: &dyn SchemaSource) -> Result<Compiled> {
        let mut references = Vec::new();
        collect_references(schema, source, &mut references, 0)?;
        let compiled = match schema.schema_type {
            SchemaType::Avro => {
                let texts: Vec<String> = references.into_iter().map(|(_, text)| text).collect();
                avro::Schema::parse(&schema.schema, &texts).map(Compiled::Avro)
            }
            SchemaType::Protobuf => {
                protobuf::Schema::compile(&schema.schema, references.into_iter().collect())
                    .map(Compiled::Protobuf)
            }
            SchemaType::Json => {
                json_schema::Schema::compile(&schema.schema, references.into_iter().collect())
                    .map(Compiled::Json)
            }
        };
        compiled.map_err(|e| {
            Error::runtime(format!(
                "cannot read the {} schema",
                schema.schema_type.registry_name()
            ))
            .because(e)
        })
    }
}

/// The schemas `schema` refers to, deepest first (each once): (name, text).
fn collect_references(
    schema: &Schema,
    source: &dyn SchemaSource,
    into: &mut Vec<(String, String)>,
    depth: usize,
) -> Result<()> {
    if depth > 32 {
        return Err(Error::runtime("schema references nest more than 32 deep"));
    }
    for reference in &schema.references {
        if into.iter().any(|(name, _)| *name == reference.name) {
            continue;
        }
        let version = source
            .subject_version(&reference.subject, Version::Number(reference.version))
            .map_err(|e| {
                e.context(format!(
                    "cannot resolve the reference '{}' ({} version {})",
                    reference.name, reference.subject, reference.version
                ))
            })?;
        collect_references(&version.schema, source, into, depth + 1)?;
        if !into.iter().any(|(name, _)| *name == reference.name) {
            into.push((reference.name.clone(), version.schema.schema.clone()));
        }
    }
    Ok(())
}

/// How a decoded key or value named its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaRef {
    /// The 4-byte id of the framed form.
    Id(u32),
    /// The GUID of Confluent 8's header form.
    Guid(Arc<str>),
    /// Plain Protobuf with a message from `--proto-file`.
    File,
}

/// What a decoded key or value was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub format: Format,
    pub schema: SchemaRef,
    /// For Protobuf: the message's full name.
    pub message: Option<Arc<str>>,
}

/// Why a key or value could not be decoded: `cause` is the same for every record that fails
/// the same way (warned about once), `message` says it in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub cause: String,
    pub message: String,
}

/// The schemas of one run, each fetched and compiled once (by id and by GUID); failures are
/// remembered too, so an unknown id is asked about once.
pub struct Schemas {
    source: Option<Arc<dyn SchemaSource>>,
    by_id: HashMap<u32, std::result::Result<Arc<Compiled>, Error>>,
    by_guid: HashMap<String, std::result::Result<Arc<Compiled>, Error>>,
    /// Protobuf message descriptors by (id, index path), and their names.
    messages: HashMap<(u32, Vec<i32>), (MessageDescriptor, Arc<str>)>,
}

impl Schemas {
    pub fn new(source: Option<Arc<dyn SchemaSource>>) -> Schemas {
        Schemas {
            source,
            by_id: HashMap::new(),
            by_guid: HashMap::new(),
            messages: HashMap::new(),
        }
    }

    fn source(&self) -> Result<&dyn SchemaSource> {
        self.source.as_deref().ok_or_else(|| {
            Error::usage(
                "no schema registry is set: give --registry URL, set KCTL_REGISTRY, or add a \
                 [registry] table with a url to the context",
            )
        })
    }

    /// The schema with global id `id`.
    pub fn by_id(&mut self, id: u32) -> Result<Arc<Compiled>> {
        if let Some(found) = self.by_id.get(&id) {
            return found.clone();
        }
        let compiled = self.source().and_then(|source| {
            let schema = source.schema_by_id(id)?;
            Compiled::compile(&schema, source).map(Arc::new)
        });
        let compiled = compiled.map_err(|e| e.context(format!("schema id {id}")));
        self.by_id.insert(id, compiled.clone());
        compiled
    }

    /// The schema with this GUID.
    pub fn by_guid(&mut self, guid: &str) -> Result<Arc<Compiled>> {
        if let Some(found) = self.by_guid.get(guid) {
            return found.clone();
        }
        let compiled = self.source().and_then(|source| {
            let schema = source.schema_by_guid(guid)?;
            Compiled::compile(&schema, source).map(Arc::new)
        });
        let compiled = compiled.map_err(|e| e.context(format!("schema GUID {guid}")));
        self.by_guid.insert(guid.to_string(), compiled.clone());
        compiled
    }

    /// A subject's version: its id and schema.
    pub fn by_subject(&mut self, subject: &str, version: Version) -> Result<(u32, Arc<Compiled>)> {
        let found = self.source()?.subject_version(subject, version)?;
        let id = found.id;
        if let Some(Ok(compiled)) = self.by_id.get(&id) {
            return Ok((id, compiled.clone()));
        }
        let compiled = Arc::new(
            Compiled::compile(&found.schema, self.source()?)
                .map_err(|e| e.context(format!("subject '{subject}' (schema id {id})")))?,
        );
        self.by_id.insert(id, Ok(compiled.clone()));
        Ok((id, compiled))
    }

    /// Decodes a key or value written for the registry, as JSON into `out`. `header` is the
    /// value of its `__key_schema_id`/`__value_schema_id` header, if any. `Ok(None)`: the
    /// payload is not framed for a registry (printed as it is).
    pub fn decode(
        &mut self,
        payload: &[u8],
        header: Option<&[u8]>,
        out: &mut Vec<u8>,
    ) -> std::result::Result<Option<Decoded>, DecodeError> {
        let (schema, compiled, body) = match header.and_then(wire::header_guid) {
            Some(guid) => {
                let compiled = self.by_guid(&guid).map_err(|e| DecodeError {
                    cause: format!("schema GUID {guid}: {}", e.reason()),
                    message: e.message(),
                })?;
                (SchemaRef::Guid(guid.into()), compiled, payload)
            }
            None => {
                let Some((id, body)) = wire::split_framed(payload) else {
                    return Ok(None);
                };
                let compiled = self.by_id(id).map_err(|e| DecodeError {
                    cause: format!("schema id {id}: {}", e.reason()),
                    message: e.message(),
                })?;
                (SchemaRef::Id(id), compiled, body)
            }
        };
        let start = out.len();
        let named = |e: PathError| {
            let which = match &schema {
                SchemaRef::Id(id) => format!("schema id {id}"),
                SchemaRef::Guid(guid) => format!("schema GUID {guid}"),
                SchemaRef::File => "the proto file".to_string(),
            };
            DecodeError {
                cause: format!("does not match its {} {which}", compiled.format().name()),
                message: format!(
                    "does not match its {} {which}: {e}",
                    compiled.format().name()
                ),
            }
        };
        let mut message = None;
        let result = match &*compiled {
            Compiled::Avro(avro) => avro.decode(body, out),
            Compiled::Json(_) => decode_json(body, out),
            Compiled::Protobuf(proto) => {
                let (indexes, rest) = wire::read_message_indexes(body)
                    .ok_or_else(|| named(PathError::new("a bad message-index array")))?;
                let key = (
                    match &schema {
                        SchemaRef::Id(id) => *id,
                        _ => u32::MAX,
                    },
                    indexes,
                );
                let descriptor = match self.messages.get(&key) {
                    Some(found) if key.0 != u32::MAX => found.clone(),
                    _ => {
                        let found = proto.message_at(&key.1).ok_or_else(|| {
                            named(PathError::new(format!(
                                "no message at index {:?} of the schema",
                                key.1
                            )))
                        })?;
                        let entry = (found.clone(), Arc::from(found.full_name()));
                        self.messages.insert(key, entry.clone());
                        entry
                    }
                };
                message = Some(descriptor.1.clone());
                protobuf::decode(&descriptor.0, rest, out)
            }
        };
        if let Err(e) = result {
            out.truncate(start);
            return Err(named(e));
        }
        Ok(Some(Decoded {
            format: compiled.format(),
            schema,
            message,
        }))
    }
}

/// A JSON Schema payload as compact JSON (keys in their order).
fn decode_json(body: &[u8], out: &mut Vec<u8>) -> std::result::Result<(), PathError> {
    let text =
        std::str::from_utf8(body).map_err(|_| PathError::new("the payload is not UTF-8 text"))?;
    serde_json::from_str::<serde::de::IgnoredAny>(text)
        .map_err(|e| PathError::new(format!("the payload is not JSON: {e}")))?;
    json::write_compact(text, out).map_err(PathError::new)
}

/// Writes values for one schema: the framing (id prefix, Protobuf message indexes) and the
/// body.
#[derive(Clone)]
pub struct Encoder {
    /// `None` for plain Protobuf.
    compiled: Option<Arc<Compiled>>,
    /// The prefix written before each body (empty for plain Protobuf and the header form).
    prefix: Vec<u8>,
    message: Option<MessageDescriptor>,
}

impl fmt::Debug for Encoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Encoder")
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl Encoder {
    /// For the framed form with schema `id`; `proto_type` picks the Protobuf message (the
    /// file's first without it).
    pub fn framed(id: u32, compiled: Arc<Compiled>, proto_type: Option<&str>) -> Result<Encoder> {
        let mut prefix = Vec::new();
        wire::write_prefix(id, &mut prefix);
        Encoder::with_prefix(prefix, compiled, proto_type)
    }

    /// For the header form (the GUID in a header; the body unprefixed, but Protobuf's message
    /// indexes).
    pub fn unprefixed(compiled: Arc<Compiled>, proto_type: Option<&str>) -> Result<Encoder> {
        Encoder::with_prefix(Vec::new(), compiled, proto_type)
    }

    fn with_prefix(
        mut prefix: Vec<u8>,
        compiled: Arc<Compiled>,
        proto_type: Option<&str>,
    ) -> Result<Encoder> {
        let message = match &*compiled {
            Compiled::Protobuf(proto) => {
                let message = proto
                    .message(proto_type)
                    .map_err(|e| Error::usage(format!("cannot pick the Protobuf message: {e}")))?;
                wire::write_message_indexes(&protobuf::indexes_of(&message), &mut prefix);
                Some(message)
            }
            _ if proto_type.is_some() => {
                return Err(Error::usage(format!(
                    "a Protobuf message type was given, but the schema is {}",
                    compiled.format().name()
                )))
            }
            _ => None,
        };
        Ok(Encoder {
            compiled: Some(compiled),
            prefix,
            message,
        })
    }

    /// Plain Protobuf (no framing) with a message from `--proto-file`.
    pub fn plain_protobuf(message: MessageDescriptor) -> Encoder {
        Encoder {
            compiled: None,
            prefix: Vec::new(),
            message: Some(message),
        }
    }

    pub fn format(&self) -> Format {
        match &self.compiled {
            Some(compiled) => compiled.format(),
            None => Format::Protobuf,
        }
    }

    /// Appends the framed payload for the JSON `text`. `exact`: JSON Schema payloads are sent
    /// as written (a copy of a consumed record); otherwise compacted, as confluent-kafka sends
    /// them.
    pub fn encode(
        &self,
        text: &str,
        exact: bool,
        out: &mut Vec<u8>,
    ) -> std::result::Result<(), PathError> {
        out.extend_from_slice(&self.prefix);
        if let Some(message) = &self.message {
            return protobuf::encode(message, text, out);
        }
        match self.compiled.as_deref() {
            Some(Compiled::Avro(avro)) => {
                let value = json::Json::parse(text)
                    .map_err(|e| PathError::new(format!("not JSON: {e}")))?;
                avro.encode(&value, out)
            }
            Some(Compiled::Json(schema)) => {
                let value: serde_json::Value = serde_json::from_str(text)
                    .map_err(|e| PathError::new(format!("not JSON: {e}")))?;
                schema.validate(&value)?;
                if exact {
                    out.extend_from_slice(text.as_bytes());
                    Ok(())
                } else {
                    json::write_compact(text, out).map_err(PathError::new)
                }
            }
            Some(Compiled::Protobuf(_)) | None => {
                Err(PathError::new("internal error: no Protobuf message"))
            }
        }
    }
}

#[cfg(test)]
mod tests;
