//! JSON helpers for the codecs: a JSON value that keeps its keys in the order written (so an
//! Avro map is encoded in the input's order, as confluent-kafka encodes a dict), and JSON text
//! rewritten compactly (what confluent-kafka's JSON Schema serializer sends).

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Number;

/// A JSON value; objects keep their keys in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    pub fn parse(text: &str) -> Result<Json, serde_json::Error> {
        serde_json::from_str(text)
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }

    /// A kind of value, for errors.
    pub fn describe(&self) -> String {
        match self {
            Json::Null => "null".into(),
            Json::Bool(b) => b.to_string(),
            Json::Number(n) => n.to_string(),
            Json::String(s) if s.chars().count() <= 40 => format!("{s:?}"),
            Json::String(_) => "a string".into(),
            Json::Array(_) => "an array".into(),
            Json::Object(_) => "an object".into(),
        }
    }
}

impl From<&serde_json::Value> for Json {
    fn from(value: &serde_json::Value) -> Json {
        match value {
            serde_json::Value::Null => Json::Null,
            serde_json::Value::Bool(b) => Json::Bool(*b),
            serde_json::Value::Number(n) => Json::Number(n.clone()),
            serde_json::Value::String(s) => Json::String(s.clone()),
            serde_json::Value::Array(a) => Json::Array(a.iter().map(Json::from).collect()),
            serde_json::Value::Object(o) => {
                Json::Object(o.iter().map(|(k, v)| (k.clone(), Json::from(v))).collect())
            }
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Json, E> {
        Ok(Json::Number(n.into()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Json, E> {
        Ok(Json::Number(n.into()))
    }
    fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Json, E> {
        Number::from_f64(n)
            .map(Json::Number)
            .ok_or_else(|| E::custom("a number JSON cannot hold"))
    }
    fn visit_str<E>(self, s: &str) -> Result<Json, E> {
        Ok(Json::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Json, E> {
        Ok(Json::String(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries: Vec<(String, Json)> = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            // A repeated key: the last one counts (as in Python and serde_json).
            match entries.iter_mut().find(|(k, _)| *k == key) {
                Some(entry) => entry.1 = value,
                None => entries.push((key, value)),
            }
        }
        Ok(Json::Object(entries))
    }
}

/// Appends `s` as a JSON string (quoted and escaped).
pub fn write_json_str(out: &mut Vec<u8>, s: &str) {
    // Writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Rewrites valid JSON `text` compactly, as confluent-kafka's JSON Schema serializer sends a
/// value (orjson, or `json.dumps` with `separators=(",", ":")` and `ensure_ascii=False`): no
/// whitespace, strings with only the escapes JSON needs, floats in their shortest form. Keys
/// keep their order. The text must be valid JSON (it was parsed before).
pub fn write_compact(text: &str, out: &mut Vec<u8>) -> Result<(), String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b',' | b':' | b'{' | b'}' | b'[' | b']' => {
                out.push(bytes[i]);
                i += 1;
            }
            b'"' => {
                let end = string_end(bytes, i).ok_or("an unterminated string")?;
                let s: std::borrow::Cow<'_, str> =
                    serde_json::from_str(&text[i..end]).map_err(|e| e.to_string())?;
                write_json_str(out, &s);
                i = end;
            }
            b't' | b'f' | b'n' => {
                let end = i + bytes[i..]
                    .iter()
                    .position(|b| !b.is_ascii_alphabetic())
                    .unwrap_or(bytes.len() - i);
                out.extend_from_slice(&bytes[i..end]);
                i = end;
            }
            _ => {
                let end = i + bytes[i..]
                    .iter()
                    .position(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                    .unwrap_or(bytes.len() - i);
                let number = &text[i..end];
                if number.is_empty() {
                    return Err(format!("unexpected character at byte {i}"));
                }
                if number.contains(['.', 'e', 'E']) {
                    let f: f64 = number.parse().map_err(|_| format!("bad number {number}"))?;
                    // Shortest digits, exponents as orjson writes them (`1e16`, `1e-7`).
                    let text = serde_json::to_string(&f).map_err(|e| e.to_string())?;
                    out.extend_from_slice(text.replace("e+", "e").as_bytes());
                } else {
                    out.extend_from_slice(number.as_bytes());
                }
                i = end;
            }
        }
    }
    Ok(())
}

/// Where the JSON string starting at `start` (its opening quote) ends (past its closing quote).
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_rewritten_compactly() {
        let compact = |text: &str| {
            let mut out = Vec::new();
            write_compact(text, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            compact("{\"b\" : 1,\n \"a\":[true, null, \"x\\u00e9\\n\\/\", 1.0, -0.5e0, 1E16]}"),
            "{\"b\":1,\"a\":[true,null,\"xé\\n/\",1.0,-0.5,1e16]}"
        );
    }

    #[test]
    fn objects_keep_their_order() {
        let json = Json::parse(r#"{"z":1,"a":{"y":2,"b":3},"z":4}"#).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["z", "a"]);
        assert_eq!(json.as_object().unwrap()[0].1.as_i64(), Some(4));
    }
}
