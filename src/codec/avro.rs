//! Avro binary datums to JSON and back.
//!
//! The schema is parsed by `apache-avro` (named types, references, logical types), then
//! compiled into a flat tree this file walks: decoding writes JSON text straight from the
//! binary datum (no intermediate values), encoding reads a `serde_json::Value`.
//!
//! The JSON is the natural one, the shape confluent-kafka's `AvroDeserializer` gives in
//! Python, written as JSON:
//!
//! - a union is its branch's value, without Avro's `{"type": value}` wrapper (encoding takes
//!   the first branch the value fits, in the schema's order, and also accepts the wrapper);
//! - `bytes` and `fixed` are base64 text (standard alphabet, padded);
//! - an enum is its symbol;
//! - `decimal` is a string holding the exact number (`"12.30"`, as many decimals as the
//!   scale); encoding also takes a JSON number;
//! - `timestamp-millis`/`-micros`/`-nanos` are RFC 3339 UTC times with 3, 6 or 9 decimals
//!   (`"2024-05-01T12:00:00.000Z"`), `local-timestamp-*` the same without the `Z`, `date` is
//!   `"2024-05-01"`, `time-millis`/`-micros` `"12:00:00.000"`; encoding also takes the number;
//! - `uuid` is its text; `float`/`double` NaN and infinities are the strings `"NaN"`,
//!   `"Infinity"` and `"-Infinity"` (as proto3 JSON writes them).
//!
//! Every value reads back to the same bytes, so a decoded record re-encodes exactly.

use std::collections::HashMap;

use apache_avro::schema::{Name, RecordField, Schema as AvroSchema};
use base64::Engine as _;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use super::json::{write_json_str, Json as Value};

use super::wire::{read_zigzag, write_zigzag};
use super::PathError;

type Node = usize;

#[derive(Debug)]
enum Kind {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Array(Node),
    Map(Node),
    Union(Vec<Node>),
    Record(Record),
    Enum {
        name: String,
        /// Each symbol as JSON text (quoted).
        quoted: Vec<Vec<u8>>,
        symbols: Vec<String>,
    },
    Fixed {
        name: String,
        size: usize,
    },
    Decimal {
        precision: usize,
        scale: usize,
        /// The fixed size, for a decimal on `fixed`; `None` on `bytes`.
        fixed: Option<usize>,
    },
    Uuid,
    Date,
    TimeMillis,
    TimeMicros,
    Timestamp {
        unit: Unit,
        local: bool,
    },
    /// A record still being compiled (only seen while compiling recursive types).
    Pending,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Millis,
    Micros,
    Nanos,
}

#[derive(Debug, Default)]
struct Record {
    name: String,
    fields: Vec<Field>,
}

#[derive(Debug)]
struct Field {
    name: String,
    /// `"name":` as JSON text.
    key: Vec<u8>,
    node: Node,
    default: Option<Value>,
}

/// A compiled Avro schema.
#[derive(Debug)]
pub struct Schema {
    nodes: Vec<Kind>,
    root: Node,
}

impl Schema {
    /// Parses `text`, whose references (named types of other subjects) are `references`.
    pub fn parse(text: &str, references: &[String]) -> Result<Schema, String> {
        let (root, others) = if references.is_empty() {
            (
                AvroSchema::parse_str(text).map_err(|e| e.to_string())?,
                Vec::new(),
            )
        } else {
            AvroSchema::parse_str_with_list(text, references).map_err(|e| e.to_string())?
        };
        let mut compiler = Compiler::default();
        // Named types of the references first, so the main schema's references find them.
        for other in &others {
            compiler.collect(other);
        }
        compiler.collect(&root);
        let root = compiler.compile(&root, &None)?;
        Ok(Schema {
            nodes: compiler.nodes,
            root,
        })
    }

    /// Writes the datum at the start of `input` as JSON; it must use all of `input`.
    pub fn decode(&self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), PathError> {
        self.decode_node(self.root, &mut input, out)?;
        if !input.is_empty() {
            return Err(PathError::new(format!(
                "{} bytes left after the datum",
                input.len()
            )));
        }
        Ok(())
    }

    /// Appends the binary datum for `value`.
    pub fn encode(&self, value: &Value, out: &mut Vec<u8>) -> Result<(), PathError> {
        self.encode_node(self.root, value, out, false)
    }

    fn decode_node(
        &self,
        node: Node,
        input: &mut &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), PathError> {
        match &self.nodes[node] {
            Kind::Null => out.extend_from_slice(b"null"),
            Kind::Boolean => match take(input, 1)? {
                [0] => out.extend_from_slice(b"false"),
                [1] => out.extend_from_slice(b"true"),
                _ => return Err(PathError::new("a boolean that is neither 0 nor 1")),
            },
            Kind::Int => write_int(out, read_int(input)?),
            Kind::Long => write_int(out, read_long(input)?),
            Kind::Float => {
                let b = take(input, 4)?;
                write_float(
                    out,
                    f32::from_le_bytes([b[0], b[1], b[2], b[3]]).into(),
                    true,
                )
            }
            Kind::Double => {
                let b = take(input, 8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                write_float(out, f64::from_le_bytes(a), false)
            }
            Kind::Bytes => {
                let b = read_bytes(input)?;
                write_base64(out, b);
            }
            Kind::String | Kind::Uuid => {
                let b = read_bytes(input)?;
                let s = std::str::from_utf8(b)
                    .map_err(|_| PathError::new("a string that is not UTF-8"))?;
                write_json_str(out, s);
            }
            Kind::Array(items) => {
                out.push(b'[');
                let mut first = true;
                let mut i = 0usize;
                loop {
                    let count = read_block_count(input)?;
                    if count == 0 {
                        break;
                    }
                    for _ in 0..count {
                        if !first {
                            out.push(b',');
                        }
                        first = false;
                        self.decode_node(*items, input, out)
                            .map_err(|e| e.at_index(i))?;
                        i += 1;
                    }
                }
                out.push(b']');
            }
            Kind::Map(values) => {
                out.push(b'{');
                let mut first = true;
                loop {
                    let count = read_block_count(input)?;
                    if count == 0 {
                        break;
                    }
                    for _ in 0..count {
                        if !first {
                            out.push(b',');
                        }
                        first = false;
                        let key = std::str::from_utf8(read_bytes(input)?)
                            .map_err(|_| PathError::new("a map key that is not UTF-8"))?;
                        write_json_str(out, key);
                        out.push(b':');
                        self.decode_node(*values, input, out)
                            .map_err(|e| e.at_key(key))?;
                    }
                }
                out.push(b'}');
            }
            Kind::Union(branches) => {
                let index = read_long(input)?;
                let branch = usize::try_from(index)
                    .ok()
                    .and_then(|i| branches.get(i))
                    .ok_or_else(|| {
                        PathError::new(format!(
                            "union branch {index} does not exist (the union has {})",
                            branches.len()
                        ))
                    })?;
                self.decode_node(*branch, input, out)?;
            }
            Kind::Record(record) => {
                out.push(b'{');
                for (i, field) in record.fields.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(&field.key);
                    self.decode_node(field.node, input, out)
                        .map_err(|e| e.at_field(&field.name))?;
                }
                out.push(b'}');
            }
            Kind::Enum {
                quoted, symbols, ..
            } => {
                let index = read_int(input)?;
                let symbol = usize::try_from(index)
                    .ok()
                    .and_then(|i| quoted.get(i))
                    .ok_or_else(|| {
                        PathError::new(format!(
                            "enum symbol {index} does not exist (the enum has {})",
                            symbols.len()
                        ))
                    })?;
                out.extend_from_slice(symbol);
            }
            Kind::Fixed { size, .. } => write_base64(out, take(input, *size)?),
            Kind::Decimal { scale, fixed, .. } => {
                let b = match fixed {
                    Some(size) => take(input, *size)?,
                    None => read_bytes(input)?,
                };
                write_decimal(out, b, *scale)?;
            }
            Kind::Date => {
                let days = read_int(input)?;
                match NaiveDate::from_ymd_opt(1970, 1, 1)
                    .and_then(|epoch| epoch.checked_add_signed(chrono::Duration::days(days)))
                {
                    Some(date) => write_display(out, date.format("%Y-%m-%d")),
                    None => write_int(out, days),
                }
            }
            Kind::TimeMillis => {
                let ms = read_int(input)?;
                match time_of_day(ms, 1_000_000) {
                    Some(t) => write_display(out, t.format("%H:%M:%S%.3f")),
                    None => write_int(out, ms),
                }
            }
            Kind::TimeMicros => {
                let us = read_long(input)?;
                match time_of_day(us, 1_000) {
                    Some(t) => write_display(out, t.format("%H:%M:%S%.6f")),
                    None => write_int(out, us),
                }
            }
            Kind::Timestamp { unit, local } => {
                let n = read_long(input)?;
                let time = match unit {
                    Unit::Millis => DateTime::from_timestamp_millis(n),
                    Unit::Micros => DateTime::from_timestamp_micros(n),
                    Unit::Nanos => Some(DateTime::from_timestamp_nanos(n)),
                };
                let format = match (unit, local) {
                    (Unit::Millis, false) => "%Y-%m-%dT%H:%M:%S%.3fZ",
                    (Unit::Micros, false) => "%Y-%m-%dT%H:%M:%S%.6fZ",
                    (Unit::Nanos, false) => "%Y-%m-%dT%H:%M:%S%.9fZ",
                    (Unit::Millis, true) => "%Y-%m-%dT%H:%M:%S%.3f",
                    (Unit::Micros, true) => "%Y-%m-%dT%H:%M:%S%.6f",
                    (Unit::Nanos, true) => "%Y-%m-%dT%H:%M:%S%.9f",
                };
                match time {
                    // Four-digit years only: RFC 3339 has no others.
                    Some(t) if (0..=9999).contains(&chrono::Datelike::year(&t)) => {
                        write_display(out, t.format(format))
                    }
                    _ => write_int(out, n),
                }
            }
            Kind::Pending => return Err(PathError::new("internal error: an uncompiled type")),
        }
        Ok(())
    }

    fn encode_node(
        &self,
        node: Node,
        value: &Value,
        out: &mut Vec<u8>,
        default: bool,
    ) -> Result<(), PathError> {
        let expected =
            |what: &str| PathError::new(format!("expected {what}, got {}", describe(value)));
        match &self.nodes[node] {
            Kind::Null => match value {
                Value::Null => {}
                _ => return Err(expected("null")),
            },
            Kind::Boolean => match value {
                Value::Bool(b) => out.push(u8::from(*b)),
                _ => return Err(expected("a boolean")),
            },
            Kind::Int => {
                let n = value
                    .as_i64()
                    .and_then(|n| i32::try_from(n).ok())
                    .ok_or_else(|| expected("an int (a whole number of 32 bits)"))?;
                write_zigzag(n.into(), out);
            }
            Kind::Long => {
                let n = value
                    .as_i64()
                    .ok_or_else(|| expected("a long (a whole number of 64 bits)"))?;
                write_zigzag(n, out);
            }
            Kind::Float => {
                let f = float_of(value).ok_or_else(|| expected("a number"))?;
                out.extend_from_slice(&(f as f32).to_le_bytes());
            }
            Kind::Double => {
                let f = float_of(value).ok_or_else(|| expected("a number"))?;
                out.extend_from_slice(&f.to_le_bytes());
            }
            Kind::Bytes => {
                let b = bytes_of(value, default, None).map_err(expected)?;
                write_zigzag(b.len() as i64, out);
                out.extend_from_slice(&b);
            }
            Kind::String => {
                let s = value.as_str().ok_or_else(|| expected("a string"))?;
                write_zigzag(s.len() as i64, out);
                out.extend_from_slice(s.as_bytes());
            }
            Kind::Uuid => {
                let s = value
                    .as_str()
                    .filter(|s| is_uuid(s))
                    .ok_or_else(|| expected("a UUID string"))?;
                write_zigzag(s.len() as i64, out);
                out.extend_from_slice(s.as_bytes());
            }
            Kind::Array(items) => {
                let items_json = value.as_array().ok_or_else(|| expected("an array"))?;
                if !items_json.is_empty() {
                    write_zigzag(items_json.len() as i64, out);
                    for (i, item) in items_json.iter().enumerate() {
                        self.encode_node(*items, item, out, default)
                            .map_err(|e| e.at_index(i))?;
                    }
                }
                out.push(0);
            }
            Kind::Map(values) => {
                let map = value
                    .as_object()
                    .ok_or_else(|| expected("an object (a map)"))?;
                if !map.is_empty() {
                    write_zigzag(map.len() as i64, out);
                    for (key, item) in map {
                        write_zigzag(key.len() as i64, out);
                        out.extend_from_slice(key.as_bytes());
                        self.encode_node(*values, item, out, default)
                            .map_err(|e| e.at_key(key))?;
                    }
                }
                out.push(0);
            }
            Kind::Union(branches) => self.encode_union(branches, value, out, default)?,
            Kind::Record(record) => {
                let object = value
                    .as_object()
                    .ok_or_else(|| expected(&format!("an object (record {})", record.name)))?;
                if let Some((unknown, _)) = object
                    .iter()
                    .find(|(k, _)| !record.fields.iter().any(|f| f.name == *k))
                {
                    return Err(PathError::new(format!(
                        "record {} has no field '{unknown}'",
                        record.name
                    )));
                }
                for field in &record.fields {
                    let result = match (
                        object
                            .iter()
                            .find(|(k, _)| *k == field.name)
                            .map(|(_, v)| v),
                        &field.default,
                    ) {
                        (Some(v), _) => self.encode_node(field.node, v, out, default),
                        (None, Some(d)) => self.encode_node(field.node, d, out, true),
                        (None, None) => self
                            .encode_node(field.node, &Value::Null, out, default)
                            .map_err(|_| PathError::new("missing (the field has no default)")),
                    };
                    result.map_err(|e| e.at_field(&field.name))?;
                }
            }
            Kind::Enum { name, symbols, .. } => {
                let s = value
                    .as_str()
                    .ok_or_else(|| expected(&format!("a symbol of enum {name}")))?;
                let index = symbols.iter().position(|x| x == s).ok_or_else(|| {
                    PathError::new(format!(
                        "'{s}' is not a symbol of enum {name} ({})",
                        symbols.join(", ")
                    ))
                })?;
                write_zigzag(index as i64, out);
            }
            Kind::Fixed { name, size } => {
                let b = bytes_of(value, default, Some(*size))
                    .map_err(|what| expected(&format!("{what} for fixed {name}")))?;
                out.extend_from_slice(&b);
            }
            Kind::Decimal {
                precision,
                scale,
                fixed,
            } => {
                let unscaled = decimal_of(value, *precision, *scale)?;
                let bytes = decimal_bytes(unscaled, *fixed)?;
                if fixed.is_none() {
                    write_zigzag(bytes.len() as i64, out);
                }
                out.extend_from_slice(&bytes);
            }
            Kind::Date => {
                let days = match value {
                    Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                        .ok()
                        .map(|d| (d - NaiveDate::default()).num_days()),
                    _ => value.as_i64(),
                }
                .and_then(|d| i32::try_from(d).ok())
                .ok_or_else(|| expected("a date (\"2024-05-01\" or days since 1970-01-01)"))?;
                write_zigzag(days.into(), out);
            }
            Kind::TimeMillis | Kind::TimeMicros => {
                let micros = matches!(self.nodes[node], Kind::TimeMicros);
                let n = match value {
                    Value::String(s) => NaiveTime::parse_from_str(s, "%H:%M:%S%.f").ok().map(|t| {
                        let secs = i64::from(t.num_seconds_from_midnight());
                        let nanos = i64::from(t.nanosecond());
                        match micros {
                            true => secs * 1_000_000 + nanos / 1_000,
                            false => secs * 1_000 + nanos / 1_000_000,
                        }
                    }),
                    _ => value.as_i64(),
                }
                .ok_or_else(|| expected("a time of day (\"12:00:00.000\" or a number)"))?;
                if !micros && i32::try_from(n).is_err() {
                    return Err(expected("a time of day"));
                }
                write_zigzag(n, out);
            }
            Kind::Timestamp { unit, local } => {
                let n = match value {
                    Value::String(s) => timestamp_of(s, *unit, *local),
                    _ => value.as_i64(),
                }
                .ok_or_else(|| {
                    expected(if *local {
                        "a local time (\"2024-05-01T12:00:00.000\" or a number)"
                    } else {
                        "an RFC 3339 time (\"2024-05-01T12:00:00.000Z\" or a number)"
                    })
                })?;
                write_zigzag(n, out);
            }
            Kind::Pending => return Err(PathError::new("internal error: an uncompiled type")),
        }
        Ok(())
    }

    /// The first branch `value` fits, in the schema's order; else a `{"branch": value}`
    /// wrapper naming one.
    fn encode_union(
        &self,
        branches: &[Node],
        value: &Value,
        out: &mut Vec<u8>,
        default: bool,
    ) -> Result<(), PathError> {
        let start = out.len();
        let mut first_error = None;
        for (i, branch) in branches.iter().enumerate() {
            write_zigzag(i as i64, out);
            match self.encode_node(*branch, value, out, default) {
                Ok(()) => return Ok(()),
                Err(e) => {
                    out.truncate(start);
                    // A record's own complaint says more than "expected a string".
                    if first_error.is_none()
                        && matches!(self.nodes[*branch], Kind::Record(_))
                        && value.is_object()
                    {
                        first_error = Some(e);
                    }
                }
            }
        }
        if let Some((name, inner)) = value
            .as_object()
            .filter(|o| o.len() == 1)
            .and_then(|o| o.iter().next())
        {
            if let Some(i) = branches
                .iter()
                .position(|b| self.branch_name(*b) == name.as_str())
            {
                write_zigzag(i as i64, out);
                return self
                    .encode_node(branches[i], inner, out, default)
                    .map_err(|e| e.at_key(name));
            }
        }
        let names: Vec<&str> = branches.iter().map(|b| self.branch_name(*b)).collect();
        Err(first_error.unwrap_or_else(|| {
            PathError::new(format!(
                "{} fits no branch of the union [{}]",
                describe(value),
                names.join(", ")
            ))
        }))
    }

    /// How Avro's JSON encoding names a union branch.
    fn branch_name(&self, node: Node) -> &str {
        match &self.nodes[node] {
            Kind::Null => "null",
            Kind::Boolean => "boolean",
            Kind::Int | Kind::Date | Kind::TimeMillis => "int",
            Kind::Long | Kind::TimeMicros | Kind::Timestamp { .. } => "long",
            Kind::Float => "float",
            Kind::Double => "double",
            Kind::Bytes | Kind::Decimal { fixed: None, .. } => "bytes",
            Kind::String | Kind::Uuid => "string",
            Kind::Array(_) => "array",
            Kind::Map(_) => "map",
            Kind::Union(_) => "union",
            Kind::Record(r) => &r.name,
            Kind::Enum { name, .. } | Kind::Fixed { name, .. } => name,
            Kind::Decimal { fixed: Some(_), .. } => "fixed",
            Kind::Pending => "",
        }
    }
}

/// Turns apache-avro's schema into [`Kind`] nodes, named types once each.
#[derive(Default)]
struct Compiler<'s> {
    nodes: Vec<Kind>,
    /// Named types by full name, as defined (to resolve references).
    defined: HashMap<String, &'s AvroSchema>,
    /// ... and as compiled.
    compiled: HashMap<String, Node>,
}

impl<'s> Compiler<'s> {
    fn collect(&mut self, schema: &'s AvroSchema) {
        match schema {
            AvroSchema::Record(r) => {
                self.defined.insert(r.name.fullname(None), schema);
                for field in &r.fields {
                    self.collect(&field.schema);
                }
            }
            AvroSchema::Enum(e) => {
                self.defined.insert(e.name.fullname(None), schema);
            }
            AvroSchema::Fixed(f) => {
                self.defined.insert(f.name.fullname(None), schema);
            }
            AvroSchema::Decimal(d) => self.collect(&d.inner),
            AvroSchema::Array(a) => self.collect(&a.items),
            AvroSchema::Map(m) => self.collect(&m.types),
            AvroSchema::Union(u) => {
                for v in u.variants() {
                    self.collect(v);
                }
            }
            _ => {}
        }
    }

    fn push(&mut self, kind: Kind) -> Node {
        self.nodes.push(kind);
        self.nodes.len() - 1
    }

    fn compile(
        &mut self,
        schema: &'s AvroSchema,
        namespace: &Option<String>,
    ) -> Result<Node, String> {
        let kind = match schema {
            AvroSchema::Null => Kind::Null,
            AvroSchema::Boolean => Kind::Boolean,
            AvroSchema::Int => Kind::Int,
            AvroSchema::Long => Kind::Long,
            AvroSchema::Float => Kind::Float,
            AvroSchema::Double => Kind::Double,
            AvroSchema::Bytes | AvroSchema::BigDecimal => Kind::Bytes,
            AvroSchema::String => Kind::String,
            AvroSchema::Uuid => Kind::Uuid,
            AvroSchema::Date => Kind::Date,
            AvroSchema::TimeMillis => Kind::TimeMillis,
            AvroSchema::TimeMicros => Kind::TimeMicros,
            AvroSchema::TimestampMillis => timestamp(Unit::Millis, false),
            AvroSchema::TimestampMicros => timestamp(Unit::Micros, false),
            AvroSchema::TimestampNanos => timestamp(Unit::Nanos, false),
            AvroSchema::LocalTimestampMillis => timestamp(Unit::Millis, true),
            AvroSchema::LocalTimestampMicros => timestamp(Unit::Micros, true),
            AvroSchema::LocalTimestampNanos => timestamp(Unit::Nanos, true),
            AvroSchema::Duration => Kind::Fixed {
                name: "duration".into(),
                size: 12,
            },
            AvroSchema::Array(a) => {
                let items = self.compile(&a.items, namespace)?;
                Kind::Array(items)
            }
            AvroSchema::Map(m) => {
                let values = self.compile(&m.types, namespace)?;
                Kind::Map(values)
            }
            AvroSchema::Union(u) => {
                let mut branches = Vec::new();
                for v in u.variants() {
                    branches.push(self.compile(v, namespace)?);
                }
                Kind::Union(branches)
            }
            AvroSchema::Record(r) => {
                let name = r.name.fullname(None);
                if let Some(node) = self.compiled.get(&name) {
                    return Ok(*node);
                }
                // Reserved first: the record's fields may refer to it.
                let node = self.push(Kind::Pending);
                self.compiled.insert(name.clone(), node);
                let mut fields = Vec::with_capacity(r.fields.len());
                for field in &r.fields {
                    fields.push(self.field(field, &r.name.namespace)?);
                }
                self.nodes[node] = Kind::Record(Record { name, fields });
                return Ok(node);
            }
            AvroSchema::Enum(e) => {
                let name = e.name.fullname(None);
                if let Some(node) = self.compiled.get(&name) {
                    return Ok(*node);
                }
                let kind = Kind::Enum {
                    name: name.clone(),
                    quoted: e
                        .symbols
                        .iter()
                        .map(|s| {
                            let mut q = Vec::new();
                            write_json_str(&mut q, s);
                            q
                        })
                        .collect(),
                    symbols: e.symbols.clone(),
                };
                let node = self.push(kind);
                self.compiled.insert(name, node);
                return Ok(node);
            }
            AvroSchema::Fixed(f) => {
                let name = f.name.fullname(None);
                if let Some(node) = self.compiled.get(&name) {
                    return Ok(*node);
                }
                let node = self.push(Kind::Fixed {
                    name: name.clone(),
                    size: f.size,
                });
                self.compiled.insert(name, node);
                return Ok(node);
            }
            AvroSchema::Decimal(d) => Kind::Decimal {
                precision: d.precision,
                scale: d.scale,
                fixed: match &*d.inner {
                    AvroSchema::Fixed(f) => Some(f.size),
                    _ => None,
                },
            },
            AvroSchema::Ref { name } => return self.reference(name, namespace),
        };
        Ok(self.push(kind))
    }

    fn field(
        &mut self,
        field: &'s RecordField,
        namespace: &Option<String>,
    ) -> Result<Field, String> {
        let node = self.compile(&field.schema, namespace)?;
        let mut key = Vec::with_capacity(field.name.len() + 3);
        write_json_str(&mut key, &field.name);
        key.push(b':');
        Ok(Field {
            name: field.name.clone(),
            key,
            node,
            default: field.default.as_ref().map(Value::from),
        })
    }

    fn reference(&mut self, name: &Name, namespace: &Option<String>) -> Result<Node, String> {
        let full = match (&name.namespace, namespace) {
            (None, Some(ns)) if !self.defined.contains_key(&name.name) => {
                format!("{ns}.{}", name.name)
            }
            _ => name.fullname(None),
        };
        if let Some(node) = self.compiled.get(&full) {
            return Ok(*node);
        }
        let schema = *self
            .defined
            .get(&full)
            .ok_or_else(|| format!("the schema refers to '{full}', which no schema defines"))?;
        self.compile(schema, namespace)
    }
}

fn timestamp(unit: Unit, local: bool) -> Kind {
    Kind::Timestamp { unit, local }
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> Result<&'a [u8], PathError> {
    if input.len() < n {
        return Err(PathError::new("the datum ends too early"));
    }
    let (head, tail) = input.split_at(n);
    *input = tail;
    Ok(head)
}

fn read_long(input: &mut &[u8]) -> Result<i64, PathError> {
    read_zigzag(input).ok_or_else(|| PathError::new("the datum ends too early (in a number)"))
}

fn read_int(input: &mut &[u8]) -> Result<i64, PathError> {
    let n = read_long(input)?;
    if i32::try_from(n).is_err() {
        return Err(PathError::new(format!("{n} does not fit an int")));
    }
    Ok(n)
}

fn read_bytes<'a>(input: &mut &'a [u8]) -> Result<&'a [u8], PathError> {
    let len = read_long(input)?;
    let len =
        usize::try_from(len).map_err(|_| PathError::new(format!("a negative length ({len})")))?;
    take(input, len)
}

/// An array or map block's item count (a negative count is followed by the block's size).
fn read_block_count(input: &mut &[u8]) -> Result<u64, PathError> {
    let count = read_long(input)?;
    if count < 0 {
        read_long(input)?;
    }
    Ok(count.unsigned_abs())
}

fn write_int(out: &mut Vec<u8>, n: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// A number as JSON; NaN and the infinities as strings. A float is written in the shortest
/// form that reads back to the same float.
pub(super) fn write_float(out: &mut Vec<u8>, f: f64, single: bool) {
    if f.is_nan() {
        out.extend_from_slice(b"\"NaN\"");
    } else if f.is_infinite() {
        out.extend_from_slice(if f > 0.0 {
            b"\"Infinity\""
        } else {
            b"\"-Infinity\""
        });
    } else if single {
        let _ = serde_json::to_writer(&mut *out, &(f as f32));
    } else {
        let _ = serde_json::to_writer(&mut *out, &f);
    }
}

fn write_base64(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'"');
    let start = out.len();
    out.resize(start + bytes.len().div_ceil(3) * 4, 0);
    let written = base64::engine::general_purpose::STANDARD
        .encode_slice(bytes, &mut out[start..])
        .unwrap_or(0);
    out.truncate(start + written);
    out.push(b'"');
}

fn write_display(out: &mut Vec<u8>, value: impl std::fmt::Display) {
    use std::io::Write as _;
    out.push(b'"');
    let _ = write!(out, "{value}");
    out.push(b'"');
}

/// A time of day from a count of `unit`-nanosecond units since midnight.
fn time_of_day(n: i64, unit: i64) -> Option<NaiveTime> {
    let nanos = n.checked_mul(unit)?;
    let secs = u32::try_from(nanos / 1_000_000_000).ok()?;
    NaiveTime::from_num_seconds_from_midnight_opt(secs, (nanos % 1_000_000_000) as u32)
}

fn timestamp_of(s: &str, unit: Unit, local: bool) -> Option<i64> {
    let utc = if local {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
            .ok()?
            .and_utc()
    } else {
        DateTime::parse_from_rfc3339(s).ok()?.to_utc()
    };
    match unit {
        Unit::Millis => Some(utc.timestamp_millis()),
        Unit::Micros => Some(utc.timestamp_micros()),
        Unit::Nanos => utc.timestamp_nanos_opt(),
    }
}

fn float_of(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

/// Bytes from base64 text; a default value (Avro's JSON encoding) holds them as one
/// character per byte instead.
fn bytes_of(value: &Value, default: bool, size: Option<usize>) -> Result<Vec<u8>, &'static str> {
    let text = value.as_str().ok_or("base64 text")?;
    let bytes = if default {
        text.chars()
            .map(|c| u8::try_from(u32::from(c)).map_err(|_| "bytes"))
            .collect::<Result<Vec<u8>, _>>()?
    } else {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| "base64 text")?
    };
    match size {
        Some(size) if bytes.len() != size => Err(match size {
            16 => "base64 text of 16 bytes",
            12 => "base64 text of 12 bytes",
            _ => "base64 text of the fixed size",
        }),
        _ => Ok(bytes),
    }
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn describe(value: &Value) -> String {
    value.describe()
}

/// A decimal's two's-complement big-endian unscaled value, written with `scale` decimals.
fn write_decimal(out: &mut Vec<u8>, bytes: &[u8], scale: usize) -> Result<(), PathError> {
    if bytes.len() > 16 {
        // Larger than any i128: only when the leading bytes are sign extension.
        let (head, tail) = bytes.split_at(bytes.len() - 16);
        let fill = if tail[0] & 0x80 != 0 { 0xff } else { 0 };
        if head.iter().any(|b| *b != fill) {
            return Err(PathError::new("a decimal wider than 128 bits"));
        }
        return write_decimal(out, tail, scale);
    }
    let mut unscaled: i128 = if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        -1
    } else {
        0
    };
    for b in bytes {
        unscaled = (unscaled << 8) | i128::from(*b);
    }
    let digits = unscaled.unsigned_abs().to_string();
    out.push(b'"');
    if unscaled < 0 {
        out.push(b'-');
    }
    if scale == 0 {
        out.extend_from_slice(digits.as_bytes());
    } else if digits.len() > scale {
        let (int, frac) = digits.split_at(digits.len() - scale);
        out.extend_from_slice(int.as_bytes());
        out.push(b'.');
        out.extend_from_slice(frac.as_bytes());
    } else {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', scale - digits.len()));
        out.extend_from_slice(digits.as_bytes());
    }
    out.push(b'"');
    Ok(())
}

/// The unscaled value of a decimal given as a string or a number.
fn decimal_of(value: &Value, precision: usize, scale: usize) -> Result<i128, PathError> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => {
            return Err(PathError::new(format!(
                "expected a decimal (\"12.34\" or a number), got {}",
                describe(value)
            )))
        }
    };
    let bad =
        |why: &str| PathError::new(format!("'{text}' is not a decimal of scale {scale}: {why}"));
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(&text)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad("write it as digits with an optional '.' (no exponent)"));
    }
    let frac_trimmed = frac.trim_end_matches('0');
    if frac_trimmed.len() > scale {
        return Err(bad(&format!("it has more than {scale} decimals")));
    }
    let mut all = String::with_capacity(int.len() + scale);
    all.push_str(int);
    all.push_str(frac_trimmed);
    all.extend(std::iter::repeat_n('0', scale - frac_trimmed.len()));
    let all = all.trim_start_matches('0');
    if all.len() > precision {
        return Err(bad(&format!("it has more than {precision} digits")));
    }
    let unscaled: i128 = if all.is_empty() {
        0
    } else {
        all.parse().map_err(|_| bad("too many digits"))?
    };
    Ok(if negative { -unscaled } else { unscaled })
}

/// A decimal's unscaled value as bytes: `size` bytes for a fixed, else as few as Python's
/// fastavro writes (the bit length of its magnitude plus a sign bit, rounded up to bytes), so
/// the bytes equal confluent-kafka's.
fn decimal_bytes(unscaled: i128, fixed: Option<usize>) -> Result<Vec<u8>, PathError> {
    let full = unscaled.to_be_bytes();
    let bits = 128 - unscaled.unsigned_abs().leading_zeros() as usize + 1;
    let needed = bits.div_ceil(8);
    let size = fixed.unwrap_or(needed);
    if needed > size {
        return Err(PathError::new(format!(
            "the decimal does not fit the fixed size of {size} bytes"
        )));
    }
    if size <= 16 {
        return Ok(full[16 - size..].to_vec());
    }
    let fill = if unscaled < 0 { 0xff } else { 0 };
    let mut out = vec![fill; size - 16];
    out.extend_from_slice(&full);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(schema: &Schema, bytes: &[u8]) -> String {
        let mut out = Vec::new();
        schema.decode(bytes, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn encode(schema: &Schema, json: &str) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        schema
            .encode(&serde_json::from_str(json).unwrap(), &mut out)
            .map_err(|e| e.to_string())?;
        Ok(out)
    }

    #[test]
    fn decimals_print_exactly() {
        let mut out = Vec::new();
        write_decimal(&mut out, &[0x04, 0xd2], 2).unwrap();
        assert_eq!(out, b"\"12.34\"");
        out.clear();
        write_decimal(&mut out, &[0xff], 3).unwrap();
        assert_eq!(out, b"\"-0.001\"");
        assert_eq!(
            decimal_of(&Value::String("12.34".into()), 5, 2).unwrap(),
            1234
        );
        assert_eq!(
            decimal_of(&Value::parse("-1.5").unwrap(), 5, 2).unwrap(),
            -150
        );
        assert!(decimal_of(&Value::String("1.234".into()), 5, 2).is_err());
        assert!(decimal_of(&Value::String("1234.5".into()), 5, 2).is_err());
        assert_eq!(decimal_bytes(1234, None).unwrap(), [0x04, 0xd2]);
        assert_eq!(decimal_bytes(-128, None).unwrap(), [0xff, 0x80]);
        assert_eq!(decimal_bytes(0, None).unwrap(), [0]);
        assert_eq!(decimal_bytes(-1, Some(4)).unwrap(), [0xff; 4]);
    }

    #[test]
    fn unions_take_plain_values_and_wrappers() {
        let schema = Schema::parse(r#"["null", "string", "long"]"#, &[]).unwrap();
        assert_eq!(encode(&schema, "null").unwrap(), [0]);
        assert_eq!(encode(&schema, r#""a""#).unwrap(), [2, 2, b'a']);
        assert_eq!(encode(&schema, "1").unwrap(), [4, 2]);
        assert_eq!(encode(&schema, r#"{"long": 1}"#).unwrap(), [4, 2]);
        assert_eq!(decode(&schema, &[2, 2, b'a']), r#""a""#);
        let err = encode(&schema, "true").unwrap_err();
        assert!(
            err.contains("true fits no branch of the union [null, string, long]"),
            "{err}"
        );
    }

    #[test]
    fn records_name_the_field_that_does_not_fit() {
        let schema = Schema::parse(
            r#"{"type":"record","name":"R","namespace":"n","fields":[
                {"name":"a","type":"int"},
                {"name":"b","type":{"type":"array","items":{"type":"record","name":"I","fields":[{"name":"x","type":"string"}]}}},
                {"name":"c","type":["null","R"],"default":null}]}"#,
            &[],
        )
        .unwrap();
        let bytes = encode(&schema, r#"{"a":1,"b":[{"x":"y"}]}"#).unwrap();
        assert_eq!(bytes, [2, 2, 2, b'y', 0, 0]);
        assert_eq!(
            decode(&schema, &bytes),
            r#"{"a":1,"b":[{"x":"y"}],"c":null}"#
        );
        let err = encode(&schema, r#"{"a":1,"b":[{"x":"y"},{"x":5}]}"#).unwrap_err();
        assert_eq!(err, "at $.b[1].x: expected a string, got 5");
        let err = encode(&schema, r#"{"b":[]}"#).unwrap_err();
        assert_eq!(err, "at $.a: missing (the field has no default)");
        let err = encode(&schema, r#"{"a":1,"b":[],"d":1}"#).unwrap_err();
        assert_eq!(err, "record n.R has no field 'd'");
        // Recursive: c is an R.
        let bytes = encode(&schema, r#"{"a":1,"b":[],"c":{"a":2,"b":[]}}"#).unwrap();
        assert_eq!(
            decode(&schema, &bytes),
            r#"{"a":1,"b":[],"c":{"a":2,"b":[],"c":null}}"#
        );
    }

    #[test]
    fn logical_types_print_as_text() {
        let schema = Schema::parse(
            r#"{"type":"record","name":"R","fields":[
                {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
                {"name":"d","type":{"type":"int","logicalType":"date"}},
                {"name":"u","type":{"type":"string","logicalType":"uuid"}},
                {"name":"m","type":{"type":"bytes","logicalType":"decimal","precision":6,"scale":2}},
                {"name":"f","type":{"type":"fixed","name":"F","size":2}},
                {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}},
                {"name":"x","type":"float"}]}"#,
            &[],
        )
        .unwrap();
        let json = r#"{"ts":"2023-11-14T22:13:20.123Z","d":"2023-11-14","u":"123e4567-e89b-12d3-a456-426614174000","m":"-12.30","f":"AAE=","e":"B","x":1.1}"#;
        let bytes = encode(&schema, json).unwrap();
        assert_eq!(decode(&schema, &bytes), json);
        let numbers = r#"{"ts":1700000000123,"d":19675,"u":"123e4567-e89b-12d3-a456-426614174000","m":-12.3,"f":"AAE=","e":"B","x":1.1}"#;
        assert_eq!(encode(&schema, numbers).unwrap(), bytes);
    }
}
