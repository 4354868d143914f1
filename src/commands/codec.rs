//! What consume and produce share to read and write records framed for a schema registry
//! (the codecs themselves are in [`crate::codec`]): the Protobuf-file flags, where schemas
//! come from, and consume's decoding step.

use std::cell::RefCell;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use prost_reflect::MessageDescriptor;

use super::Ctx;
use crate::codec::{protobuf, wire, Decoded, Format, SchemaRef, Schemas};
use crate::error::{Error, Result};
use crate::kafka::RecordRef;
use crate::printer::Printer;
use crate::registry::SchemaSource;

/// `--proto-file`, `--proto-include`, `--key-proto-type`, `--value-proto-type`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ProtoArgs {
    /// A .proto file, or a descriptor set (.protoset, .desc), for Protobuf without a registry
    /// (repeatable)
    #[arg(long = "proto-file", value_name = "FILE", help_heading = "Schemas")]
    pub proto_files: Vec<PathBuf>,

    /// A directory where the imports of --proto-file are found (repeatable)
    #[arg(long = "proto-include", value_name = "DIR", help_heading = "Schemas")]
    pub proto_includes: Vec<PathBuf>,

    /// The Protobuf message of keys (pkg.Message): in the --proto-file files, or which message
    /// of a registry schema that has several
    #[arg(long, value_name = "MESSAGE", help_heading = "Schemas")]
    pub key_proto_type: Option<String>,

    /// The Protobuf message of values, as --key-proto-type
    #[arg(long, value_name = "MESSAGE", help_heading = "Schemas")]
    pub value_proto_type: Option<String>,
}

impl ProtoArgs {
    /// The messages keys and values hold as plain Protobuf (with --proto-file), else none.
    pub fn plain_messages(&self) -> Result<(Option<MessageDescriptor>, Option<MessageDescriptor>)> {
        if self.proto_files.is_empty() {
            if !self.proto_includes.is_empty() {
                return Err(Error::usage("--proto-include needs --proto-file"));
            }
            return Ok((None, None));
        }
        if self.key_proto_type.is_none() && self.value_proto_type.is_none() {
            return Err(Error::usage(
                "--proto-file needs --value-proto-type (or --key-proto-type): which message \
                 the records hold",
            ));
        }
        let pool = protobuf::load_files(&self.proto_files, &self.proto_includes)
            .map_err(|e| Error::usage(format!("cannot read --proto-file: {e}")))?;
        let find = |name: &Option<String>, flag: &str| -> Result<Option<MessageDescriptor>> {
            name.as_deref()
                .map(|n| {
                    protobuf::message_in(&pool, n).map_err(|e| Error::usage(format!("{flag}: {e}")))
                })
                .transpose()
        };
        Ok((
            find(&self.key_proto_type, "--key-proto-type")?,
            find(&self.value_proto_type, "--value-proto-type")?,
        ))
    }
}

/// The schema registry as the codecs' schema source, when one is set.
pub fn schema_source(ctx: &Ctx) -> Result<Option<Arc<dyn SchemaSource>>> {
    if ctx.settings.registry.is_none() {
        return Ok(None);
    }
    Ok(Some(ctx.registry()?.source()))
}

/// `--decode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DecodeMode {
    /// Decode keys and values framed for the schema registry when one is set (and plain
    /// Protobuf with --proto-file)
    Auto,
    /// Print keys and values as they are
    None,
}

/// A decoded key or value: its JSON (in the decoder's buffer) and what it was.
pub struct Part<'a> {
    pub json: &'a [u8],
    pub decoded: &'a Decoded,
}

/// A record's decoded key and value (`None`: printed as it is).
#[derive(Default)]
pub struct DecodedRecord<'a> {
    pub key: Option<Part<'a>>,
    pub value: Option<Part<'a>>,
}

/// Consume's decoding step: keys and values to JSON, schemas cached for the run; records that
/// cannot be decoded are counted and warned about once per cause.
pub struct Decoding {
    schemas: Schemas,
    registry: bool,
    key_message: Option<MessageDescriptor>,
    value_message: Option<MessageDescriptor>,
    key: Vec<u8>,
    value: Vec<u8>,
    key_decoded: Option<Decoded>,
    value_decoded: Option<Decoded>,
    printer: Printer,
    warned: HashSet<String>,
    /// Records printed as they are because a key or value could not be decoded.
    pub failed: u64,
}

impl Decoding {
    /// The decoding step for these settings; `None` when nothing is to be decoded.
    pub fn new(
        mode: DecodeMode,
        source: Option<Arc<dyn SchemaSource>>,
        proto: &ProtoArgs,
        printer: Printer,
    ) -> Result<Option<RefCell<Decoding>>> {
        let (key_message, value_message) = proto.plain_messages()?;
        if mode == DecodeMode::None {
            return Ok(None);
        }
        if source.is_none() && key_message.is_none() && value_message.is_none() {
            return Ok(None);
        }
        Ok(Some(RefCell::new(Decoding {
            registry: source.is_some(),
            schemas: Schemas::new(source),
            key_message,
            value_message,
            key: Vec::new(),
            value: Vec::new(),
            key_decoded: None,
            value_decoded: None,
            printer,
            warned: HashSet::new(),
            failed: 0,
        })))
    }

    /// Decodes the record's key and value.
    pub fn decode(&mut self, record: &RecordRef<'_>) -> DecodedRecord<'_> {
        self.key.clear();
        self.value.clear();
        let (mut key_header, mut value_header) = (None, None);
        if self.registry && record.has_headers() {
            for (name, value) in record.headers() {
                match name {
                    wire::KEY_SCHEMA_HEADER => key_header = value,
                    wire::VALUE_SCHEMA_HEADER => value_header = value,
                    _ => {}
                }
            }
        }
        let mut failed = false;
        self.key_decoded = self.part(record, true, record.key(), key_header, &mut failed);
        self.value_decoded = self.part(record, false, record.value(), value_header, &mut failed);
        if failed {
            self.failed += 1;
        }
        DecodedRecord {
            key: self.key_decoded.as_ref().map(|decoded| Part {
                json: &self.key,
                decoded,
            }),
            value: self.value_decoded.as_ref().map(|decoded| Part {
                json: &self.value,
                decoded,
            }),
        }
    }

    fn part(
        &mut self,
        record: &RecordRef<'_>,
        is_key: bool,
        payload: Option<&[u8]>,
        header: Option<&[u8]>,
        failed: &mut bool,
    ) -> Option<Decoded> {
        let payload = payload?;
        let which = if is_key { "key" } else { "value" };
        let (message, out) = match is_key {
            true => (&self.key_message, &mut self.key),
            false => (&self.value_message, &mut self.value),
        };
        let result = match message {
            Some(message) => protobuf::decode(message, payload, out)
                .map(|()| {
                    Some(Decoded {
                        format: Format::Protobuf,
                        schema: SchemaRef::File,
                        message: Some(message.full_name().into()),
                    })
                })
                .map_err(|e| crate::codec::DecodeError {
                    cause: format!(
                        "does not match --{which}-proto-type {}",
                        message.full_name()
                    ),
                    message: e.to_string(),
                }),
            None if self.registry => self.schemas.decode(payload, header, out),
            None => Ok(None),
        };
        match result {
            Ok(decoded) => decoded,
            Err(e) => {
                out.clear();
                *failed = true;
                if self.warned.insert(format!("{which} {}", e.cause)) {
                    self.printer.warn(format!(
                        "cannot decode the {which} of the record at partition {} offset {}: {} \
                         (such records are printed as they are; kctl ends with exit code 1)",
                        record.partition(),
                        record.offset(),
                        e.message
                    ));
                }
                None
            }
        }
    }

    /// The error that ends a run where some records could not be decoded.
    pub fn outcome(&self) -> Result<()> {
        match self.failed {
            0 => Ok(()),
            n => Err(Error::runtime(format!(
                "{n} {} could not be decoded and {} printed as {} (see the warnings above)",
                crate::render::plural(n as usize, "record", "records"),
                if n == 1 { "was" } else { "were" },
                if n == 1 { "it is" } else { "they are" },
            ))),
        }
    }
}
