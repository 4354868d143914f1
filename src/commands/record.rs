//! One record as JSON: what `kctl consume -o json` prints, one object per line, and what
//! `kctl produce --input envelope` reads back. One type for both directions, so the two cannot
//! drift apart (see the README's "JSON output").

use std::borrow::Cow;

use base64::Engine as _;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use serde_json::value::RawValue;

use crate::codec::{Format, SchemaRef};
use crate::commands::codec::{DecodedRecord, Part};
use crate::kafka::{check_timestamp, RecordRef, RecordTime, TimestampType};

/// A record: every field may be left out when it is read.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record<'a> {
    #[serde(default)]
    pub topic: Written<&'a str>,
    /// Read: the partition to write to (`-p` overrides it).
    #[serde(default)]
    pub partition: Option<i32>,
    #[serde(default)]
    pub offset: Written<i64>,
    #[serde(default)]
    pub timestamp: Timestamp,
    #[serde(default)]
    pub timestamp_type: Written<&'static str>,
    #[serde(default, borrow)]
    pub key: Option<Data<'a>>,
    #[serde(default)]
    pub key_encoding: Option<Encoding>,
    /// A key decoded by a schema: the schema's id, GUID (the header form) or Protobuf message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_schema_id: Option<u32>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub key_schema_guid: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub key_proto_type: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub value: Option<Data<'a>>,
    #[serde(default)]
    pub value_encoding: Option<Encoding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_schema_id: Option<u32>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub value_schema_guid: Option<Cow<'a, str>>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    pub value_proto_type: Option<Cow<'a, str>>,
    /// In record order (names may repeat); consume always writes the array.
    #[serde(default, borrow)]
    pub headers: Option<Vec<Header<'a>>>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header<'a> {
    #[serde(borrow)]
    pub key: Cow<'a, str>,
    #[serde(default, borrow)]
    pub value: Option<Cow<'a, str>>,
    #[serde(default)]
    pub value_encoding: Option<Encoding>,
}

/// How bytes are written: as text when they are UTF-8, otherwise in base64 (standard
/// alphabet, padded); or decoded by a schema, as JSON (`avro`, `protobuf`, `json_schema`).
/// Read, a missing encoding is `utf8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    Utf8,
    Base64,
    Avro,
    Protobuf,
    JsonSchema,
}

impl Encoding {
    /// The schema format, for a decoded key or value.
    pub fn format(self) -> Option<Format> {
        match self {
            Encoding::Utf8 | Encoding::Base64 => None,
            Encoding::Avro => Some(Format::Avro),
            Encoding::Protobuf => Some(Format::Protobuf),
            Encoding::JsonSchema => Some(Format::JsonSchema),
        }
    }
}

impl From<Format> for Encoding {
    fn from(format: Format) -> Encoding {
        match format {
            Format::Avro => Encoding::Avro,
            Format::Protobuf => Encoding::Protobuf,
            Format::JsonSchema => Encoding::JsonSchema,
        }
    }
}

/// A key or value: text (UTF-8 or base64), or the JSON a schema decoded it to (kept as the
/// JSON text it is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Data<'a> {
    Text(Cow<'a, str>),
    Json(Cow<'a, str>),
}

impl Data<'_> {
    /// The text, or the JSON's source text.
    pub fn as_str(&self) -> &str {
        match self {
            Data::Text(t) | Data::Json(t) => t,
        }
    }
}

impl Serialize for Data<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Data::Text(t) => s.serialize_str(t),
            Data::Json(json) => {
                let raw: &RawValue =
                    serde_json::from_str(json).map_err(serde::ser::Error::custom)?;
                raw.serialize(s)
            }
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Data<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw: &'de RawValue = Deserialize::deserialize(d)?;
        let text = raw.get();
        if text.starts_with('"') {
            let s: Cow<'de, str> = serde_json::from_str(text).map_err(serde::de::Error::custom)?;
            Ok(Data::Text(match s {
                Cow::Borrowed(b) => Cow::Borrowed(b),
                Cow::Owned(o) => Cow::Owned(o),
            }))
        } else {
            Ok(Data::Json(Cow::Borrowed(text)))
        }
    }
}

/// A field consume writes and produce accepts (any JSON value) and ignores: where the record
/// was read from says nothing about where its copy goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written<T>(pub Option<T>);

impl<T: Serialize> Serialize for Written<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de, T> Deserialize<'de> for Written<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(d)?;
        Ok(Written(None))
    }
}

/// A record's `timestamp`. Left out, the record gets the time it is sent; `null` is no
/// timestamp (what consume writes for a record without one, so the copy is exact); a number
/// must be one a record can carry, else the record is invalid at its line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timestamp(pub RecordTime);

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            RecordTime::At(ts) => s.serialize_i64(ts),
            // (Consume never has "now": a record read has a time or none.)
            RecordTime::Unset | RecordTime::Now => s.serialize_none(),
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Option::<i64>::deserialize(d)? {
            None => Ok(Timestamp(RecordTime::Unset)),
            Some(ts) => check_timestamp(ts)
                .map(|()| Timestamp(RecordTime::At(ts)))
                .map_err(serde::de::Error::custom),
        }
    }
}

/// Bytes as text when they are UTF-8, else base64; with the encoding.
fn encode(bytes: Option<&[u8]>) -> (Option<Cow<'_, str>>, Option<Encoding>) {
    match bytes {
        None => (None, None),
        Some(b) => match std::str::from_utf8(b) {
            Ok(s) => (Some(Cow::Borrowed(s)), Some(Encoding::Utf8)),
            Err(_) => (
                Some(Cow::Owned(
                    base64::engine::general_purpose::STANDARD.encode(b),
                )),
                Some(Encoding::Base64),
            ),
        },
    }
}

/// A key, value or header value as bytes; `what` names it in the error.
fn decode<'t>(
    text: Option<&'t str>,
    encoding: Option<Encoding>,
    what: &str,
) -> Result<Option<Cow<'t, [u8]>>, String> {
    let Some(text) = text else {
        return Ok(None);
    };
    match encoding.unwrap_or(Encoding::Utf8) {
        Encoding::Utf8 => Ok(Some(Cow::Borrowed(text.as_bytes()))),
        Encoding::Base64 => base64::engine::general_purpose::STANDARD
            .decode(text)
            .map(|b| Some(Cow::Owned(b)))
            .map_err(|e| format!("the {what} is not valid base64: {e}")),
        format => Err(format!(
            "the {what} cannot have encoding {}",
            format.format().map_or("", Format::name)
        )),
    }
}

impl<'a> Record<'a> {
    /// A consumed record, as consume writes it.
    pub fn of(record: &'a RecordRef<'_>) -> Record<'a> {
        let (key, key_encoding) = encode(record.key());
        let (value, value_encoding) = encode(record.value());
        let (key, value) = (key.map(Data::Text), value.map(Data::Text));
        let headers = if record.has_headers() {
            record
                .headers()
                .map(|(key, value)| {
                    let (value, value_encoding) = encode(value);
                    Header {
                        key: Cow::Borrowed(key),
                        value,
                        value_encoding,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let (timestamp, timestamp_type) = match record.timestamp() {
            Some((ts, TimestampType::CreateTime)) => (RecordTime::At(ts), Some("create_time")),
            Some((ts, TimestampType::LogAppendTime)) => {
                (RecordTime::At(ts), Some("log_append_time"))
            }
            None => (RecordTime::Unset, None),
        };
        Record {
            topic: Written(Some(record.topic())),
            partition: Some(record.partition()),
            offset: Written(Some(record.offset())),
            timestamp: Timestamp(timestamp),
            timestamp_type: Written(timestamp_type),
            key,
            key_encoding,
            key_schema_id: None,
            key_schema_guid: None,
            key_proto_type: None,
            value,
            value_encoding,
            value_schema_id: None,
            value_schema_guid: None,
            value_proto_type: None,
            headers: Some(headers),
        }
    }

    /// The record with its key and value as decoded (those that were).
    pub fn with_decoded(mut self, decoded: &DecodedRecord<'a>) -> Record<'a> {
        #[allow(clippy::type_complexity)]
        fn parts<'a>(
            part: &Part<'a>,
        ) -> (
            Data<'a>,
            Encoding,
            Option<u32>,
            Option<Cow<'a, str>>,
            Option<Cow<'a, str>>,
        ) {
            // (The codecs write UTF-8 JSON.)
            let json = std::str::from_utf8(part.json).unwrap_or("null");
            let (id, guid) = match &part.decoded.schema {
                SchemaRef::Id(id) => (Some(*id), None),
                SchemaRef::Guid(guid) => (None, Some(Cow::Owned(guid.to_string()))),
                SchemaRef::File => (None, None),
            };
            let message = part
                .decoded
                .message
                .as_deref()
                .map(|m| Cow::Owned(m.to_string()));
            (
                Data::Json(Cow::Borrowed(json)),
                part.decoded.format.into(),
                id,
                guid,
                message,
            )
        }
        if let Some(part) = &decoded.key {
            let (data, encoding, id, guid, message) = parts(part);
            self.key = Some(data);
            self.key_encoding = Some(encoding);
            (
                self.key_schema_id,
                self.key_schema_guid,
                self.key_proto_type,
            ) = (id, guid, message);
        }
        if let Some(part) = &decoded.value {
            let (data, encoding, id, guid, message) = parts(part);
            self.value = Some(data);
            self.value_encoding = Some(encoding);
            (
                self.value_schema_id,
                self.value_schema_guid,
                self.value_proto_type,
            ) = (id, guid, message);
        }
        self
    }

    /// The key's bytes, decoded (a key decoded by a schema is encoded by the caller).
    pub fn key_bytes(&self) -> Result<Option<Cow<'_, [u8]>>, String> {
        data_bytes(self.key.as_ref(), self.key_encoding, "key")
    }

    /// The value's bytes, decoded (as for the key).
    pub fn value_bytes(&self) -> Result<Option<Cow<'_, [u8]>>, String> {
        data_bytes(self.value.as_ref(), self.value_encoding, "value")
    }
}

/// Text data as bytes; JSON data only with a schema encoding (encoded by the caller).
fn data_bytes<'t>(
    data: Option<&'t Data<'_>>,
    encoding: Option<Encoding>,
    what: &str,
) -> Result<Option<Cow<'t, [u8]>>, String> {
    match (data, encoding.and_then(Encoding::format)) {
        (Some(Data::Text(t)), None) => decode(Some(t.as_ref()), encoding, what),
        (None, _) => Ok(None),
        (Some(_), Some(format)) => Err(format!(
            "the {what} is {} data: it needs its schema (internal error)",
            format.name()
        )),
        (Some(Data::Json(_)), None) => Err(format!(
            "the {what} must be a string (with {what}_encoding utf8 or base64), or JSON with \
             {what}_encoding avro, protobuf or json_schema and its {what}_schema_id"
        )),
    }
}

impl Header<'_> {
    /// The value's bytes, decoded.
    pub fn value_bytes(&self) -> Result<Option<Cow<'_, [u8]>>, String> {
        decode(self.value.as_deref(), self.value_encoding, "header value")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_encode_as_text_or_base64() {
        assert_eq!(encode(None), (None, None));
        assert_eq!(
            encode(Some(b"hi")),
            (Some(Cow::Borrowed("hi")), Some(Encoding::Utf8))
        );
        assert_eq!(
            encode(Some(&[0xff, 0x00])),
            (Some(Cow::Owned("/wA=".to_string())), Some(Encoding::Base64))
        );
        assert_eq!(
            decode(Some("/wA="), Some(Encoding::Base64), "value").unwrap(),
            Some(Cow::Owned(vec![0xff, 0x00]))
        );
        assert!(decode(Some("%%"), Some(Encoding::Base64), "value")
            .unwrap_err()
            .starts_with("the value is not valid base64"));
    }

    #[derive(Deserialize)]
    struct Rec {
        #[serde(default)]
        timestamp: Timestamp,
    }

    fn timestamp(json: &str) -> Result<RecordTime, String> {
        serde_json::from_str::<Rec>(json)
            .map(|r| r.timestamp.0)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn timestamps_say_what_they_cannot_carry() {
        assert_eq!(timestamp("{}"), Ok(RecordTime::Now));
        assert_eq!(timestamp(r#"{"timestamp": null}"#), Ok(RecordTime::Unset));
        assert_eq!(timestamp(r#"{"timestamp": 1}"#), Ok(RecordTime::At(1)));
        let zero = timestamp(r#"{"timestamp": 0}"#).unwrap_err();
        assert!(zero.contains("librdkafka reads 0 as \"now\""), "{zero}");
        let negative = timestamp(r#"{"timestamp": -5}"#).unwrap_err();
        assert!(
            negative.starts_with("timestamp -5 is negative"),
            "{negative}"
        );
        assert!(timestamp(r#"{"timestamp": -1}"#).is_err());
    }

    /// What consume writes, produce reads: the informational fields are accepted whatever
    /// they hold, the rest round-trips.
    #[test]
    fn what_is_written_reads_back() {
        let text = r#"{"topic":"orders","partition":0,"offset":5,"timestamp":1700000000000,"timestamp_type":"create_time","key":"k1","key_encoding":"utf8","value":"/wA=","value_encoding":"base64","headers":[{"key":"h","value":"v","value_encoding":"utf8"}]}"#;
        let record: Record<'_> = serde_json::from_str(text).unwrap();
        assert_eq!(record.partition, Some(0));
        assert_eq!(record.timestamp.0, RecordTime::At(1_700_000_000_000));
        assert_eq!(record.key_bytes().unwrap().as_deref(), Some(&b"k1"[..]));
        assert_eq!(
            record.value_bytes().unwrap().as_deref(),
            Some(&[0xff, 0][..])
        );
        let headers = record.headers.as_ref().unwrap();
        assert_eq!(
            headers[0].value_bytes().unwrap().as_deref(),
            Some(&b"v"[..])
        );
        let odd: Record<'_> =
            serde_json::from_str(r#"{"topic":5,"offset":"x","timestamp_type":[1]}"#).unwrap();
        assert_eq!(odd.topic, Written(None));
        let unknown = serde_json::from_str::<Record<'_>>(r#"{"nope":1}"#).unwrap_err();
        assert!(
            unknown.to_string().starts_with("unknown field `nope`"),
            "{unknown}"
        );
    }
}
