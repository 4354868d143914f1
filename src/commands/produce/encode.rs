//! Produce's encoding step: JSON input written by a schema (the registry's, or a
//! `--proto-file` message), and envelope records decoded by consume written back with the
//! schema they name, byte for byte.

use std::cell::RefCell;
use std::sync::Arc;

use super::super::codec::{schema_source, ProtoArgs};
use super::super::record::{Data, Encoding as DataEncoding, Record};
use super::super::Ctx;
use crate::codec::{Encoder, Schemas};
use crate::error::{Error, Result};
use crate::registry::{SchemaSource, Version};

/// `--value-schema`, `--value-schema-id`, `--key-schema`, `--key-schema-id` and the Protobuf
/// flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SchemaArgs {
    /// Encode each value (JSON) by this subject's schema, framed for the registry: SUBJECT or
    /// SUBJECT:VERSION (latest by default); `topic` is the subject <topic>-value
    #[arg(
        long,
        value_name = "SUBJECT[:VERSION]",
        conflicts_with = "value_schema_id",
        help_heading = "Schemas"
    )]
    pub value_schema: Option<String>,

    /// Encode each value (JSON) by the schema with this id, framed for the registry
    #[arg(long, value_name = "ID", help_heading = "Schemas")]
    pub value_schema_id: Option<u32>,

    /// Encode each key by this subject's schema (as --value-schema; `topic` is <topic>-key)
    #[arg(
        long,
        value_name = "SUBJECT[:VERSION]",
        conflicts_with = "key_schema_id",
        help_heading = "Schemas"
    )]
    pub key_schema: Option<String>,

    /// Encode each key by the schema with this id
    #[arg(long, value_name = "ID", help_heading = "Schemas")]
    pub key_schema_id: Option<u32>,

    #[command(flatten)]
    pub proto: ProtoArgs,
}

impl SchemaArgs {
    fn any(&self) -> bool {
        self.value_schema.is_some()
            || self.value_schema_id.is_some()
            || self.key_schema.is_some()
            || self.key_schema_id.is_some()
    }
}

/// A `SUBJECT[:VERSION]`.
fn parse_subject(text: &str, topic: &str, suffix: &str) -> Result<(String, Version)> {
    let (subject, version) = match text.rsplit_once(':') {
        Some((subject, version)) if !subject.is_empty() => {
            let version = match version {
                "latest" => Version::Latest,
                v => Version::Number(v.parse().ok().filter(|n: &i32| *n > 0).ok_or_else(|| {
                    Error::usage(format!(
                        "'{text}': the version must be a number of 1 or more, or latest"
                    ))
                })?),
            };
            (subject, version)
        }
        _ => (text, Version::Latest),
    };
    let subject = match subject {
        "topic" => format!("{topic}-{suffix}"),
        s => s.to_string(),
    };
    Ok((subject, version))
}

/// The encoders of a run.
pub struct Encoding {
    pub key: Option<Encoder>,
    pub value: Option<Encoder>,
    /// For envelope records that name their schema (consume's decoded records).
    schemas: RefCell<Schemas>,
    key_proto_type: Option<String>,
    value_proto_type: Option<String>,
}

impl Encoding {
    /// Resolves the schemas the flags name (before anything is produced): a bad subject or id
    /// is an error here. Blocks: call on a blocking thread.
    pub fn resolve(
        args: &SchemaArgs,
        topic: &str,
        source: Option<Arc<dyn SchemaSource>>,
    ) -> Result<Encoding> {
        let (key_message, value_message) = args.proto.plain_messages()?;
        if args.any() && source.is_none() {
            return Err(Error::usage(
                "--key-schema/--value-schema need a schema registry: give --registry URL, set \
                 KCTL_REGISTRY, or add a [registry] table with a url to the context",
            ));
        }
        let mut schemas = Schemas::new(source);
        let mut resolve = |subject: &Option<String>,
                           id: Option<u32>,
                           suffix: &str,
                           proto_type: Option<&str>|
         -> Result<Option<Encoder>> {
            let (id, compiled) = match (subject, id) {
                (Some(text), _) => {
                    let (subject, version) = parse_subject(text, topic, suffix)?;
                    schemas.by_subject(&subject, version).map_err(|e| {
                        e.context(format!("cannot use the schema of subject '{subject}'"))
                    })?
                }
                (None, Some(id)) => (
                    id,
                    schemas
                        .by_id(id)
                        .map_err(|e| e.context("cannot use the schema"))?,
                ),
                (None, None) => return Ok(None),
            };
            Encoder::framed(id, compiled, proto_type).map(Some)
        };
        let key = match key_message {
            Some(message) => Some(Encoder::plain_protobuf(message)),
            None => resolve(
                &args.key_schema,
                args.key_schema_id,
                "key",
                args.proto.key_proto_type.as_deref(),
            )?,
        };
        let value = match value_message {
            Some(message) => Some(Encoder::plain_protobuf(message)),
            None => resolve(
                &args.value_schema,
                args.value_schema_id,
                "value",
                args.proto.value_proto_type.as_deref(),
            )?,
        };
        Ok(Encoding {
            key,
            value,
            schemas: RefCell::new(schemas),
            key_proto_type: args.proto.key_proto_type.clone(),
            value_proto_type: args.proto.value_proto_type.clone(),
        })
    }

    /// `key` (JSON text) as the key encoder writes it.
    pub fn key(&self, text: &[u8]) -> std::result::Result<Option<Vec<u8>>, String> {
        encode_with(self.key.as_ref(), text, false, "key")
    }

    /// `value` (JSON text) as the value encoder writes it.
    pub fn value(&self, text: &[u8]) -> std::result::Result<Option<Vec<u8>>, String> {
        encode_with(self.value.as_ref(), text, false, "value")
    }

    /// An envelope record's key and value: by the schema they name (decoded by consume,
    /// re-encoded exactly), else by --key-schema/--value-schema for text, else as they are
    /// (`None`: the record's own bytes).
    #[allow(clippy::type_complexity)]
    pub fn envelope(
        &self,
        record: &Record<'_>,
    ) -> std::result::Result<(Option<Vec<u8>>, Option<Vec<u8>>), String> {
        let key = self.envelope_part(
            record.key.as_ref(),
            record.key_encoding,
            record.key_schema_id,
            record.key_schema_guid.as_deref(),
            record.key_proto_type.as_deref(),
            self.key.as_ref(),
            self.key_proto_type.as_deref(),
            "key",
        )?;
        let value = self.envelope_part(
            record.value.as_ref(),
            record.value_encoding,
            record.value_schema_id,
            record.value_schema_guid.as_deref(),
            record.value_proto_type.as_deref(),
            self.value.as_ref(),
            self.value_proto_type.as_deref(),
            "value",
        )?;
        Ok((key, value))
    }

    #[allow(clippy::too_many_arguments)]
    fn envelope_part(
        &self,
        data: Option<&Data<'_>>,
        encoding: Option<DataEncoding>,
        id: Option<u32>,
        guid: Option<&str>,
        proto_type: Option<&str>,
        flag_encoder: Option<&Encoder>,
        flag_proto_type: Option<&str>,
        what: &str,
    ) -> std::result::Result<Option<Vec<u8>>, String> {
        let Some(data) = data else {
            return Ok(None);
        };
        let Some(format) = encoding.and_then(DataEncoding::format) else {
            // Text: encoded by the flags' schema, if any.
            return match (data, flag_encoder) {
                (Data::Text(text), Some(_)) if encoding != Some(DataEncoding::Base64) => {
                    encode_with(flag_encoder, text.as_bytes(), false, what)
                }
                _ => Ok(None),
            };
        };
        let proto_type = proto_type.or(flag_proto_type);
        let mut schemas = self.schemas.borrow_mut();
        let encoder = match (id, guid) {
            (Some(id), _) => schemas
                .by_id(id)
                .and_then(|compiled| Encoder::framed(id, compiled, proto_type)),
            (None, Some(guid)) => schemas
                .by_guid(guid)
                .and_then(|compiled| Encoder::unprefixed(compiled, proto_type)),
            (None, None) => match flag_encoder {
                Some(encoder) => Ok(encoder.clone()),
                None => {
                    return Err(format!(
                        "the {what} is {} data without a {what}_schema_id (give \
                         --{what}-schema or --{what}-schema-id)",
                        format.name()
                    ))
                }
            },
        }
        .map_err(|e| format!("cannot encode the {what}: {}", e.message()))?;
        drop(schemas);
        if encoder.format() != format {
            return Err(format!(
                "the {what} is {} data, but its schema is {}",
                format.name(),
                encoder.format().name()
            ));
        }
        encode_with(Some(&encoder), data.as_str().as_bytes(), true, what)
    }
}

fn encode_with(
    encoder: Option<&Encoder>,
    text: &[u8],
    exact: bool,
    what: &str,
) -> std::result::Result<Option<Vec<u8>>, String> {
    let Some(encoder) = encoder else {
        return Ok(None);
    };
    let text = std::str::from_utf8(text)
        .map_err(|_| format!("the {what} is not UTF-8 text (JSON was expected)"))?;
    let mut out = Vec::with_capacity(text.len() + 8);
    encoder.encode(text, exact, &mut out).map_err(|e| {
        format!(
            "the {what} does not fit its {} schema: {e}",
            encoder.format().name()
        )
    })?;
    Ok(Some(out))
}

/// The encoding step for these flags, resolved on a blocking thread (registry calls block);
/// `None` when nothing is to be encoded.
pub async fn prepare(args: &SchemaArgs, topic: &str, ctx: &Ctx) -> Result<Option<Encoding>> {
    let envelope_may_need = ctx.settings.registry.is_some();
    if !args.any() && args.proto.proto_files.is_empty() && !envelope_may_need {
        if args.proto.key_proto_type.is_some() || args.proto.value_proto_type.is_some() {
            return Err(Error::usage(
                "--key-proto-type/--value-proto-type need --proto-file or a schema (--key-schema, \
                 --value-schema)",
            ));
        }
        return Ok(None);
    }
    let source = schema_source(ctx)?;
    let args = args.clone();
    let topic = topic.to_string();
    let encoding = tokio::task::spawn_blocking(move || Encoding::resolve(&args, &topic, source))
        .await
        .map_err(|e| Error::runtime(format!("internal error: {e}")))??;
    Ok(Some(encoding))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_parse() {
        assert_eq!(
            parse_subject("topic", "orders", "value").unwrap(),
            ("orders-value".to_string(), Version::Latest)
        );
        assert_eq!(
            parse_subject("a.b:3", "orders", "value").unwrap(),
            ("a.b".to_string(), Version::Number(3))
        );
        assert_eq!(
            parse_subject("topic:latest", "orders", "key").unwrap(),
            ("orders-key".to_string(), Version::Latest)
        );
        assert!(parse_subject("s:0", "t", "value").is_err());
        assert!(parse_subject("s:x", "t", "value").is_err());
    }
}
