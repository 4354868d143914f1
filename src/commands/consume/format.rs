//! How consumed records are written: the value per line, one JSON object per line, or a
//! kcat-style format string.

use std::borrow::Cow;
use std::io::{self, Write};

use base64::Engine as _;
use serde::Serialize;

use crate::kafka::{RecordRef, TimestampType};

/// One piece of a format string.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(Vec<u8>),
    Topic,
    Partition,
    Offset,
    Key,
    KeyLength,
    Value,
    ValueLength,
    Headers,
    Timestamp,
}

/// A parsed `--format` string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Format(Vec<Piece>);

impl Format {
    /// Parses kcat's directives: %t topic, %p partition, %o offset, %k key, %K key length,
    /// %v or %s value, %S value length, %h headers, %T timestamp, %% a percent sign; and the
    /// escapes \n \r \t \0 \\.
    pub fn parse(s: &str) -> Result<Format, String> {
        let mut pieces = Vec::new();
        let mut text = Vec::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            match c {
                '%' => {
                    let piece = match chars.next() {
                        Some('t') => Piece::Topic,
                        Some('p') => Piece::Partition,
                        Some('o') => Piece::Offset,
                        Some('k') => Piece::Key,
                        Some('K') => Piece::KeyLength,
                        Some('v') | Some('s') => Piece::Value,
                        Some('S') => Piece::ValueLength,
                        Some('h') => Piece::Headers,
                        Some('T') => Piece::Timestamp,
                        Some('%') => {
                            text.push(b'%');
                            continue;
                        }
                        Some(other) => {
                            return Err(format!(
                                "unknown directive '%{other}' (use %t %p %o %k %K %v %s %S %h %T or %%)"
                            ))
                        }
                        None => return Err("the format ends with a lone '%' (use %% for '%')".into()),
                    };
                    if !text.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut text)));
                    }
                    pieces.push(piece);
                }
                '\\' => match chars.next() {
                    Some('n') => text.push(b'\n'),
                    Some('r') => text.push(b'\r'),
                    Some('t') => text.push(b'\t'),
                    Some('0') => text.push(0),
                    Some('\\') => text.push(b'\\'),
                    Some(other) => {
                        return Err(format!(
                            "unknown escape '\\{other}' (use \\n \\r \\t \\0 or \\\\)"
                        ))
                    }
                    None => {
                        return Err("the format ends with a lone '\\' (use \\\\ for '\\')".into())
                    }
                },
                c => {
                    let mut buf = [0u8; 4];
                    text.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(Format(pieces))
    }

    pub fn write<W: Write>(&self, out: &mut W, record: &RecordRef<'_>) -> io::Result<()> {
        let mut num = itoa::Buffer::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(t) => out.write_all(t)?,
                Piece::Topic => out.write_all(record.topic().as_bytes())?,
                Piece::Partition => out.write_all(num.format(record.partition()).as_bytes())?,
                Piece::Offset => out.write_all(num.format(record.offset()).as_bytes())?,
                Piece::Key => out.write_all(record.key().unwrap_or_default())?,
                Piece::KeyLength => {
                    let len = record.key().map_or(-1, |k| k.len() as i64);
                    out.write_all(num.format(len).as_bytes())?
                }
                Piece::Value => out.write_all(record.value().unwrap_or_default())?,
                Piece::ValueLength => {
                    let len = record.value().map_or(-1, |v| v.len() as i64);
                    out.write_all(num.format(len).as_bytes())?
                }
                Piece::Headers => {
                    for (i, (key, value)) in record.headers().enumerate() {
                        if i > 0 {
                            out.write_all(b",")?;
                        }
                        out.write_all(key.as_bytes())?;
                        out.write_all(b"=")?;
                        out.write_all(value.unwrap_or_default())?;
                    }
                }
                Piece::Timestamp => {
                    let ts = record.timestamp().map_or(-1, |(ts, _)| ts);
                    out.write_all(num.format(ts).as_bytes())?
                }
            }
        }
        Ok(())
    }
}

/// How records are written on stdout.
#[derive(Debug, Clone)]
pub enum Output {
    /// The value and a newline.
    Value,
    /// One JSON object per line.
    Json,
    Format(Format),
}

impl Output {
    pub fn write<W: Write>(&self, out: &mut W, record: &RecordRef<'_>) -> io::Result<()> {
        match self {
            Output::Value => {
                out.write_all(record.value().unwrap_or_default())?;
                out.write_all(b"\n")
            }
            Output::Json => {
                serde_json::to_writer(&mut *out, &JsonRecord::new(record))
                    .map_err(io::Error::from)?;
                out.write_all(b"\n")
            }
            Output::Format(f) => f.write(out, record),
        }
    }
}

/// A record in `-o json` output (the envelope `produce --input envelope` reads back).
#[derive(Debug, Serialize)]
pub struct JsonRecord<'a> {
    pub topic: &'a str,
    pub partition: i32,
    pub offset: i64,
    pub timestamp: Option<i64>,
    pub timestamp_type: Option<&'static str>,
    pub key: Option<Cow<'a, str>>,
    pub key_encoding: Option<&'static str>,
    pub value: Option<Cow<'a, str>>,
    pub value_encoding: Option<&'static str>,
    pub headers: Vec<JsonHeader<'a>>,
}

#[derive(Debug, Serialize)]
pub struct JsonHeader<'a> {
    pub key: &'a str,
    pub value: Option<Cow<'a, str>>,
    pub value_encoding: Option<&'static str>,
}

/// Bytes as text when they are UTF-8, else base64; with the encoding's name.
fn encode(bytes: Option<&[u8]>) -> (Option<Cow<'_, str>>, Option<&'static str>) {
    match bytes {
        None => (None, None),
        Some(b) => match std::str::from_utf8(b) {
            Ok(s) => (Some(Cow::Borrowed(s)), Some("utf8")),
            Err(_) => (
                Some(Cow::Owned(
                    base64::engine::general_purpose::STANDARD.encode(b),
                )),
                Some("base64"),
            ),
        },
    }
}

impl<'a> JsonRecord<'a> {
    pub fn new(record: &'a RecordRef<'_>) -> JsonRecord<'a> {
        let (key, key_encoding) = encode(record.key());
        let (value, value_encoding) = encode(record.value());
        let headers = if record.has_headers() {
            record
                .headers()
                .map(|(key, value)| {
                    let (value, value_encoding) = encode(value);
                    JsonHeader {
                        key,
                        value,
                        value_encoding,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let (timestamp, timestamp_type) = match record.timestamp() {
            Some((ts, TimestampType::CreateTime)) => (Some(ts), Some("create_time")),
            Some((ts, TimestampType::LogAppendTime)) => (Some(ts), Some("log_append_time")),
            None => (None, None),
        };
        JsonRecord {
            topic: record.topic(),
            partition: record.partition(),
            offset: record.offset(),
            timestamp,
            timestamp_type,
            key,
            key_encoding,
            value,
            value_encoding,
            headers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse() {
        let f = Format::parse("%t/%p@%o %k=%s\\t%%\\n").unwrap();
        assert_eq!(
            f.0,
            vec![
                Piece::Topic,
                Piece::Text(b"/".to_vec()),
                Piece::Partition,
                Piece::Text(b"@".to_vec()),
                Piece::Offset,
                Piece::Text(b" ".to_vec()),
                Piece::Key,
                Piece::Text(b"=".to_vec()),
                Piece::Value,
                Piece::Text(b"\t%\n".to_vec()),
            ]
        );
        assert!(Format::parse("%x").unwrap_err().contains("%x"));
        assert!(Format::parse("abc%").is_err());
        assert!(Format::parse("\\q").is_err());
    }

    #[test]
    fn bytes_encode_as_text_or_base64() {
        assert_eq!(encode(None), (None, None));
        assert_eq!(
            encode(Some(b"hi")),
            (Some(Cow::Borrowed("hi")), Some("utf8"))
        );
        assert_eq!(
            encode(Some(&[0xff, 0x00])),
            (Some(Cow::Owned("/wA=".to_string())), Some("base64"))
        );
    }
}
