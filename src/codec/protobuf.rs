//! Protobuf messages to canonical proto3 JSON and back (`prost-reflect`), with `.proto` text
//! compiled in-process (`protox`, no `protoc`).
//!
//! The JSON is proto3's canonical mapping, what `MessageToJson` writes: lowerCamelCase field
//! names, fields at their default value left out, 64-bit integers as strings, bytes in
//! base64, enums by name. Encoding also takes the proto field names.
//!
//! Imports resolve, in order, through the schema's references (other subjects), the files
//! confluent-kafka's serializer refers to without registering them (`confluent/meta.proto`,
//! `confluent/types/decimal.proto`, `google/type/*`, embedded here from their published
//! descriptors: see `scripts/codec-wellknown-protos.py`), and `google/protobuf/*`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use prost::Message as _;
use prost_reflect::{
    DescriptorPool, DynamicMessage, FileDescriptor, MessageDescriptor, SerializeOptions,
};
use protox::file::{
    ChainFileResolver, DescriptorSetFileResolver, File, FileResolver, GoogleFileResolver,
    IncludeFileResolver,
};

use super::PathError;

/// `confluent/*` and `google/type/*` as a descriptor set.
const WELL_KNOWN: &[u8] = include_bytes!("wellknown.desc");

/// Files given by name (a schema and its references): `.proto` text, or a serialized
/// `FileDescriptorProto` in base64 (how confluent-kafka's Python serializer registers them).
struct InMemory(HashMap<String, String>);

impl FileResolver for InMemory {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        match self.0.get(name) {
            Some(text) => match descriptor_of(text) {
                Some(mut descriptor) => {
                    descriptor.name = Some(name.to_string());
                    Ok(File::from_file_descriptor_proto(descriptor))
                }
                None => File::from_source(name, text),
            },
            None => Err(protox::Error::file_not_found(name)),
        }
    }
}

/// The file descriptor a schema's text holds in base64, if it is one.
fn descriptor_of(text: &str) -> Option<prost_types::FileDescriptorProto> {
    use base64::Engine as _;
    let text = text.trim();
    if text.is_empty() || text.contains(|c: char| c.is_whitespace() || c == ';' || c == '{') {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    prost_types::FileDescriptorProto::decode(bytes.as_slice()).ok()
}

fn well_known() -> DescriptorSetFileResolver {
    // The embedded set is checked by a test.
    DescriptorSetFileResolver::decode(WELL_KNOWN).unwrap_or_else(|_| {
        DescriptorSetFileResolver::new(prost_types::FileDescriptorSet::default())
    })
}

/// A compiled `.proto` file: its messages, by the message-index path or by name.
#[derive(Debug, Clone)]
pub struct Schema {
    file: FileDescriptor,
}

/// The name the registry's schema text is compiled under (its references have their own).
const MAIN: &str = "kctl-registry-schema.proto";

impl Schema {
    /// Compiles `text`, whose imports name `references` (file name to text).
    pub fn compile(text: &str, references: HashMap<String, String>) -> Result<Schema, String> {
        let mut files = references;
        files.insert(MAIN.to_string(), text.to_string());
        let mut resolver = ChainFileResolver::new();
        resolver.add(InMemory(files));
        resolver.add(well_known());
        resolver.add(GoogleFileResolver::new());
        let mut compiler = protox::Compiler::with_file_resolver(resolver);
        compiler.open_file(MAIN).map_err(|e| e.to_string())?;
        let pool = compiler.descriptor_pool();
        let file = pool
            .get_file_by_name(MAIN)
            .ok_or_else(|| "internal error: the compiled file is missing".to_string())?;
        Ok(Schema { file })
    }

    /// The message at this message-index path (top-level index, then nested ones).
    pub fn message_at(&self, indexes: &[i32]) -> Option<MessageDescriptor> {
        let (first, rest) = indexes.split_first()?;
        let mut message = self.file.messages().nth(usize::try_from(*first).ok()?)?;
        for index in rest {
            let child = message
                .child_messages()
                .nth(usize::try_from(*index).ok()?)?;
            message = child;
        }
        Some(message)
    }

    /// The message named `name` (full name, or a name unique in the file); without a name,
    /// the file's first message.
    pub fn message(&self, name: Option<&str>) -> Result<MessageDescriptor, String> {
        let Some(name) = name else {
            return self
                .file
                .messages()
                .next()
                .ok_or_else(|| "the schema defines no message".to_string());
        };
        message_named(self.file.parent_pool(), name, Some(&self.file))
    }
}

/// A message by full name (a leading '.' allowed) or, within `file`, by unique short name.
fn message_named(
    pool: &DescriptorPool,
    name: &str,
    file: Option<&FileDescriptor>,
) -> Result<MessageDescriptor, String> {
    let name = name.trim_start_matches('.');
    if let Some(m) = pool.get_message_by_name(name) {
        return Ok(m);
    }
    let candidates: Vec<MessageDescriptor> = pool
        .all_messages()
        .filter(|m| file.is_none_or(|f| m.parent_file() == *f))
        .filter(|m| m.full_name().rsplit('.').next() == Some(name))
        .collect();
    match candidates.as_slice() {
        [one] => Ok(one.clone()),
        [] => {
            let known: Vec<String> = pool
                .all_messages()
                .filter(|m| file.is_none_or(|f| m.parent_file() == *f))
                .filter(|m| !m.is_map_entry())
                .map(|m| m.full_name().to_string())
                .take(20)
                .collect();
            Err(format!(
                "no message '{name}' (there are: {})",
                known.join(", ")
            ))
        }
        several => Err(format!(
            "'{name}' names several messages ({}): use the full name",
            several
                .iter()
                .map(|m| m.full_name())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The message-index path of a message in its file.
pub fn indexes_of(message: &MessageDescriptor) -> Vec<i32> {
    let mut path = Vec::new();
    let mut current = message.clone();
    loop {
        match current.parent_message() {
            Some(parent) => {
                let index = parent
                    .child_messages()
                    .position(|m| m == current)
                    .unwrap_or(0);
                path.push(index as i32);
                current = parent;
            }
            None => {
                let index = current
                    .parent_file()
                    .messages()
                    .position(|m| m == current)
                    .unwrap_or(0);
                path.push(index as i32);
                break;
            }
        }
    }
    path.reverse();
    path
}

/// Writes the message in `body` as canonical proto3 JSON.
pub fn decode(
    message: &MessageDescriptor,
    body: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), PathError> {
    let decoded = DynamicMessage::decode(message.clone(), body)
        .map_err(|e| PathError::new(format!("not a {} message: {e}", message.full_name())))?;
    let mut serializer = serde_json::Serializer::new(out);
    decoded
        .serialize_with_options(&mut serializer, &SerializeOptions::new())
        .map_err(|e| PathError::new(format!("cannot write {} as JSON: {e}", message.full_name())))
}

/// Appends the binary message for proto3 JSON `json`.
pub fn encode(message: &MessageDescriptor, json: &str, out: &mut Vec<u8>) -> Result<(), PathError> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let decoded = DynamicMessage::deserialize(message.clone(), &mut deserializer)
        .and_then(|m| deserializer.end().map(|()| m))
        .map_err(|e| {
            PathError::new(format!(
                "does not fit {}: {}",
                message.full_name(),
                strip_position(&e)
            ))
        })?;
    decoded
        .encode(out)
        .map_err(|e| PathError::new(format!("cannot encode {}: {e}", message.full_name())))
}

/// serde_json's message without its " at line 1 column N" (the input line is named apart).
fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Messages from `--proto-file`s: `.proto` text (imports found beside the file, in the
/// `--proto-include` directories, among the embedded well-known files) or descriptor sets.
pub fn load_files(files: &[PathBuf], includes: &[PathBuf]) -> Result<DescriptorPool, String> {
    let mut pool = DescriptorPool::new();
    let mut sources = Vec::new();
    for file in files {
        let is_set = matches!(
            file.extension().and_then(|e| e.to_str()),
            Some("protoset" | "desc" | "pb" | "bin")
        );
        if is_set {
            let bytes =
                std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let set = prost_types::FileDescriptorSet::decode(bytes.as_slice())
                .map_err(|e| format!("{} is not a descriptor set: {e}", file.display()))?;
            pool.add_file_descriptor_set(set)
                .map_err(|e| format!("{}: {e}", file.display()))?;
        } else {
            sources.push(file.clone());
        }
    }
    if !sources.is_empty() {
        let mut resolver = ChainFileResolver::new();
        let mut dirs: Vec<PathBuf> = includes.to_vec();
        for source in &sources {
            let dir = source
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            if !dirs.iter().any(|d| d == dir) {
                dirs.push(dir.to_path_buf());
            }
        }
        for dir in &dirs {
            resolver.add(IncludeFileResolver::new(dir.clone()));
        }
        resolver.add(well_known());
        resolver.add(GoogleFileResolver::new());
        let mut compiler = protox::Compiler::with_file_resolver(resolver);
        compiler.include_imports(true);
        for source in &sources {
            compiler.open_file(source).map_err(|e| e.to_string())?;
        }
        pool.add_file_descriptor_set(compiler.file_descriptor_set())
            .map_err(|e| e.to_string())?;
    }
    Ok(pool)
}

/// A message of `pool` by full name (or unique short name).
pub fn message_in(pool: &DescriptorPool, name: &str) -> Result<MessageDescriptor, String> {
    message_named(pool, name, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORDERS: &str = r#"
        syntax = "proto3";
        package shop;
        import "google/type/money.proto";
        import "confluent/meta.proto";
        import "google/protobuf/timestamp.proto";
        message Header { string id = 1; }
        message Order {
            message Line { string sku = 1; int64 qty = 2; }
            string id = 1 [(confluent.field_meta).doc = "the id"];
            repeated Line lines = 2;
            google.type.Money total = 3;
            google.protobuf.Timestamp at = 4;
        }
    "#;

    #[test]
    fn well_known_files_are_embedded() {
        let set = prost_types::FileDescriptorSet::decode(WELL_KNOWN).unwrap();
        let names: Vec<&str> = set.file.iter().map(|f| f.name()).collect();
        for name in [
            "confluent/meta.proto",
            "confluent/types/decimal.proto",
            "google/type/money.proto",
            "google/type/date.proto",
        ] {
            assert!(names.contains(&name), "{name} in {names:?}");
        }
    }

    #[test]
    fn messages_are_found_by_index_and_name() {
        let schema = Schema::compile(ORDERS, HashMap::new()).unwrap();
        assert_eq!(schema.message_at(&[0]).unwrap().full_name(), "shop.Header");
        assert_eq!(
            schema.message_at(&[1, 0]).unwrap().full_name(),
            "shop.Order.Line"
        );
        assert!(schema.message_at(&[2]).is_none());
        let order = schema.message(Some("Order")).unwrap();
        assert_eq!(indexes_of(&order), [1]);
        let line = schema.message(Some("shop.Order.Line")).unwrap();
        assert_eq!(indexes_of(&line), [1, 0]);
        assert_eq!(schema.message(None).unwrap().full_name(), "shop.Header");
        assert!(schema
            .message(Some("Nope"))
            .unwrap_err()
            .contains("no message 'Nope'"));
    }

    #[test]
    fn json_round_trips() {
        let schema = Schema::compile(ORDERS, HashMap::new()).unwrap();
        let order = schema.message(Some("shop.Order")).unwrap();
        let json = r#"{"id":"o1","lines":[{"sku":"a","qty":"2"}],"total":{"currencyCode":"EUR","units":"3"},"at":"2024-05-01T12:00:00Z"}"#;
        let mut bytes = Vec::new();
        encode(&order, json, &mut bytes).unwrap();
        let mut out = Vec::new();
        decode(&order, &bytes, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), json);
        let err = encode(&order, r#"{"idd":"x"}"#, &mut Vec::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("does not fit shop.Order"), "{err}");
    }

    #[test]
    fn references_resolve_by_import_name() {
        let other = "syntax = \"proto3\"; package common; message Money { int64 cents = 1; }";
        let main = "syntax = \"proto3\"; import \"common/money.proto\"; message Pay { common.Money m = 1; }";
        let schema = Schema::compile(
            main,
            HashMap::from([("common/money.proto".to_string(), other.to_string())]),
        )
        .unwrap();
        assert_eq!(schema.message(None).unwrap().full_name(), "Pay");
        assert!(Schema::compile(main, HashMap::new())
            .unwrap_err()
            .contains("common/money.proto"));
    }
}
