//! The codecs against an in-memory schema source, with vectors written by confluent-kafka's
//! own serializers (tests/data/codec/vectors.json, made by tests/data/codec/gen.py).

use std::sync::Arc;

use serde::Deserialize;

use super::*;
use crate::registry::{SchemaReference, SubjectVersion};

#[derive(Deserialize)]
struct Vectors {
    schemas: Vec<Registered>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Registered {
    subject: String,
    version: i32,
    id: u32,
    guid: String,
    schema_type: SchemaType,
    schema: String,
    references: Vec<SchemaReference>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    format: Format,
    json: String,
    bytes: String,
    #[serde(default)]
    proto_type: Option<String>,
    #[serde(default)]
    header: Option<Header>,
}

#[derive(Deserialize)]
struct Header {
    key: String,
    value: String,
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// A registry in memory.
pub(crate) struct Memory(Vec<SubjectVersion>, Vec<String>);

impl Memory {
    fn schema(&self, i: usize) -> Arc<Schema> {
        Arc::new(self.0[i].schema.clone())
    }
}

impl SchemaSource for Memory {
    fn schema_by_id(&self, id: u32) -> Result<Arc<Schema>> {
        match self.0.iter().position(|v| v.id == id) {
            Some(i) => Ok(self.schema(i)),
            None => Err(Error::not_found(
                format!("schema id {id}"),
                format!("no schema with id {id}"),
            )),
        }
    }

    fn subject_version(&self, subject: &str, version: Version) -> Result<Arc<SubjectVersion>> {
        self.0
            .iter()
            .filter(|v| v.subject == subject)
            .filter(|v| match version {
                Version::Latest => true,
                Version::Number(n) => v.version == n,
            })
            .max_by_key(|v| v.version)
            .map(|v| Arc::new(v.clone()))
            .ok_or_else(|| Error::not_found(format!("subject '{subject}'"), "no such subject"))
    }

    fn schema_by_guid(&self, guid: &str) -> Result<Arc<Schema>> {
        match self.1.iter().position(|g| g == guid) {
            Some(i) => Ok(self.schema(i)),
            None => Err(Error::not_found(format!("schema {guid}"), "no such GUID")),
        }
    }
}

fn vectors() -> (Arc<Memory>, Vec<Case>) {
    let vectors: Vectors =
        serde_json::from_str(include_str!("../../tests/data/codec/vectors.json")).unwrap();
    let mut versions = Vec::new();
    let mut guids = Vec::new();
    for r in vectors.schemas {
        guids.push(r.guid);
        versions.push(SubjectVersion {
            subject: r.subject,
            id: r.id,
            version: r.version,
            schema: Schema {
                schema_type: r.schema_type,
                schema: r.schema,
                references: r.references,
            },
        });
    }
    (Arc::new(Memory(versions, guids)), vectors.cases)
}

fn same_json(a: &str, b: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(a).unwrap()
        == serde_json::from_str::<serde_json::Value>(b).unwrap()
}

#[test]
fn confluent_records_decode() {
    let (source, cases) = vectors();
    let mut schemas = Schemas::new(Some(source));
    for case in &cases {
        let payload = hex(&case.bytes);
        let header = case.header.as_ref().map(|h| hex(&h.value));
        let mut out = Vec::new();
        let decoded = schemas
            .decode(&payload, header.as_deref(), &mut out)
            .unwrap_or_else(|e| panic!("{}: {}", case.name, e.message))
            .unwrap_or_else(|| panic!("{}: not framed", case.name));
        assert_eq!(decoded.format, case.format, "{}", case.name);
        assert_eq!(
            decoded.message.as_deref(),
            case.proto_type.as_deref(),
            "{}",
            case.name
        );
        let text = String::from_utf8(out).unwrap();
        match case.format {
            // Proto3 JSON has no one key order.
            Format::Protobuf => assert!(same_json(&text, &case.json), "{}: {text}", case.name),
            _ => assert_eq!(text, case.json, "{}", case.name),
        }
    }
}

#[test]
fn kctl_writes_the_bytes_confluent_writes() {
    let (source, cases) = vectors();
    let mut schemas = Schemas::new(Some(source.clone()));
    for case in &cases {
        let expected = hex(&case.bytes);
        let encoder = match &case.header {
            Some(h) => {
                assert_eq!(h.key, wire::VALUE_SCHEMA_HEADER);
                let guid = wire::header_guid(&hex(&h.value)).unwrap();
                Encoder::unprefixed(schemas.by_guid(&guid).unwrap(), None).unwrap()
            }
            None => {
                let (id, _) = wire::split_framed(&expected).unwrap();
                let compiled = schemas.by_id(id).unwrap();
                Encoder::framed(id, compiled, case.proto_type.as_deref()).unwrap()
            }
        };
        let mut out = Vec::new();
        encoder
            .encode(&case.json, false, &mut out)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert_eq!(out, expected, "{}", case.name);
    }
}

#[test]
fn schemas_are_fetched_once_and_failures_remembered() {
    struct Counting(Arc<Memory>, std::sync::atomic::AtomicUsize);
    impl SchemaSource for Counting {
        fn schema_by_id(&self, id: u32) -> Result<Arc<Schema>> {
            self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.0.schema_by_id(id)
        }
        fn subject_version(&self, s: &str, v: Version) -> Result<Arc<SubjectVersion>> {
            self.0.subject_version(s, v)
        }
        fn schema_by_guid(&self, g: &str) -> Result<Arc<Schema>> {
            self.0.schema_by_guid(g)
        }
    }
    let (memory, cases) = vectors();
    let counting = Arc::new(Counting(memory, Default::default()));
    let mut schemas = Schemas::new(Some(counting.clone()));
    let payload = hex(&cases[0].bytes);
    for _ in 0..3 {
        schemas.decode(&payload, None, &mut Vec::new()).unwrap();
    }
    for _ in 0..3 {
        let err = schemas
            .decode(&[0, 0, 0, 0, 99, 1], None, &mut Vec::new())
            .unwrap_err();
        assert_eq!(err.cause, "schema id 99: no schema with id 99");
    }
    assert_eq!(counting.1.load(std::sync::atomic::Ordering::SeqCst), 2);
    // Not framed: printed as it is.
    assert_eq!(schemas.decode(b"plain", None, &mut Vec::new()), Ok(None));
}

#[test]
fn bodies_that_do_not_match_say_where() {
    let (source, cases) = vectors();
    let mut schemas = Schemas::new(Some(source));
    let mut payload = hex(&cases[0].bytes);
    payload.truncate(payload.len() - 3);
    let mut out = b"kept".to_vec();
    let err = schemas.decode(&payload, None, &mut out).unwrap_err();
    assert_eq!(err.cause, "does not match its avro schema id 2");
    assert!(err.message.contains("at $.ref"), "{}", err.message);
    assert_eq!(out, b"kept", "nothing half-written is left");
    let (id, _) = wire::split_framed(&hex(&cases[0].bytes)).unwrap();
    let encoder = Encoder::framed(id, schemas.by_id(id).unwrap(), None).unwrap();
    let err = encoder
        .encode(
            &cases[0].json.replace("\"GREEN\"", "\"BLUE\""),
            false,
            &mut Vec::new(),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "at $.color: 'BLUE' is not a symbol of enum com.acme.Color (RED, GREEN)"
    );
}
