//! How consumed records are written: the value per line, one JSON object per line, or a
//! kcat-style format string.

use std::io::{self, Write};

use crate::commands::codec::DecodedRecord;
use crate::commands::record::Record;
use crate::kafka::RecordRef;

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

    pub fn write<W: Write>(
        &self,
        out: &mut W,
        record: &RecordRef<'_>,
        decoded: &DecodedRecord<'_>,
    ) -> io::Result<()> {
        let mut num = itoa::Buffer::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(t) => out.write_all(t)?,
                Piece::Topic => out.write_all(record.topic().as_bytes())?,
                Piece::Partition => out.write_all(num.format(record.partition()).as_bytes())?,
                Piece::Offset => out.write_all(num.format(record.offset()).as_bytes())?,
                Piece::Key => match &decoded.key {
                    Some(key) => out.write_all(key.json)?,
                    None => out.write_all(record.key().unwrap_or_default())?,
                },
                Piece::KeyLength => {
                    let len = record.key().map_or(-1, |k| k.len() as i64);
                    out.write_all(num.format(len).as_bytes())?
                }
                Piece::Value => match &decoded.value {
                    Some(value) => out.write_all(value.json)?,
                    None => out.write_all(record.value().unwrap_or_default())?,
                },
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
    /// The topic, a tab, the value and a newline (reading several topics).
    TopicValue,
    /// One JSON object per line (see `commands/record.rs`).
    Json,
    Format(Format),
}

impl Output {
    /// Writes the record; its key and value as `decoded` when they were (as JSON).
    pub fn write<W: Write>(
        &self,
        out: &mut W,
        record: &RecordRef<'_>,
        decoded: &DecodedRecord<'_>,
    ) -> io::Result<()> {
        match self {
            Output::Value | Output::TopicValue => {
                if matches!(self, Output::TopicValue) {
                    out.write_all(record.topic().as_bytes())?;
                    out.write_all(b"\t")?;
                }
                match &decoded.value {
                    Some(value) => out.write_all(value.json)?,
                    None => out.write_all(record.value().unwrap_or_default())?,
                }
                out.write_all(b"\n")
            }
            Output::Json => {
                let json = Record::of(record);
                let json = match decoded.key.is_some() || decoded.value.is_some() {
                    true => json.with_decoded(decoded),
                    false => json,
                };
                serde_json::to_writer(&mut *out, &json).map_err(io::Error::from)?;
                out.write_all(b"\n")
            }
            Output::Format(f) => f.write(out, record, decoded),
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
}
