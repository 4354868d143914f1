//! `consume --grep` and `--where`: which records are printed. Both are parsed (and checked)
//! when the command line is read, before any connection; a record is matched after it is
//! decoded and before it is formatted.
//!
//! - `--grep [!][k:|v:|h:NAME=|t:]REGEX`: a regular expression (the `regex` crate's syntax, on
//!   bytes) searched in the value (the default), the key, the values of the headers named NAME,
//!   or the topic name; a leading `!` negates it. Several `--grep`s must all hold. A null key or
//!   value, and a record without the header, match no regex. A decoded key or value (schema
//!   registry, --proto-file) is matched as the JSON it is printed as.
//! - `--where EXPR`: a jq expression (jaq's implementation) evaluated on the record as `-o json`
//!   prints it; the record matches when an output of the expression is neither `false` nor
//!   `null`. A record the expression fails on (`.value.x` of a string value, say) does not
//!   match; how many did is said at the end.

use std::fmt;

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{data, Compiler, Ctx, Vars};
use jaq_json::Val;
use regex::bytes::{Regex, RegexBuilder};

use crate::commands::codec::DecodedRecord;
use crate::commands::record::{Data, Encoding, Record};
use crate::kafka::RecordRef;
use crate::kafka::RecordTime;

/// What part of a record a `--grep` searches.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Key,
    Value,
    /// The values of the headers with this name.
    Header(String),
    Topic,
}

/// One `--grep`.
#[derive(Debug, Clone)]
pub struct Grep {
    target: Target,
    regex: Regex,
    negate: bool,
}

/// The largest compiled regex (the `regex` crate's default is 10 MB; a grep runs on every
/// record, so a pathological pattern is refused rather than slow).
const REGEX_SIZE_LIMIT: usize = 10 * 1024 * 1024;

impl Grep {
    /// Parses `[!][k:|v:|h:NAME=|t:]REGEX` (clap's value parser for `--grep`).
    pub fn parse(s: &str) -> Result<Grep, String> {
        let (negate, rest) = match s.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (target, pattern) = if let Some(p) = rest.strip_prefix("k:") {
            (Target::Key, p)
        } else if let Some(p) = rest.strip_prefix("v:") {
            (Target::Value, p)
        } else if let Some(p) = rest.strip_prefix("t:") {
            (Target::Topic, p)
        } else if let Some(h) = rest.strip_prefix("h:") {
            match h.split_once('=') {
                Some((name, p)) if !name.is_empty() => (Target::Header(name.to_string()), p),
                _ => {
                    return Err(format!(
                        "'{s}' names no header: use h:NAME=REGEX (e.g. h:trace-id=^abc)"
                    ))
                }
            }
        } else {
            (Target::Value, rest)
        };
        let regex = RegexBuilder::new(pattern)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|e| regex_error(pattern, e))?;
        Ok(Grep {
            target,
            regex,
            negate,
        })
    }

    fn matches(&self, record: &RecordRef<'_>, decoded: &DecodedRecord<'_>) -> bool {
        let found = match &self.target {
            Target::Key => match &decoded.key {
                Some(key) => self.regex.is_match(key.json),
                None => record.key().is_some_and(|k| self.regex.is_match(k)),
            },
            Target::Value => match &decoded.value {
                Some(value) => self.regex.is_match(value.json),
                None => record.value().is_some_and(|v| self.regex.is_match(v)),
            },
            Target::Header(name) => record
                .headers()
                .any(|(n, v)| n == name && v.is_some_and(|v| self.regex.is_match(v))),
            Target::Topic => self.regex.is_match(record.topic().as_bytes()),
        };
        found != self.negate
    }
}

/// A regular expression's error on one line: `'a(' is not a valid regular expression: unclosed
/// group (at character 2)`.
pub fn regex_error(pattern: &str, e: regex::Error) -> String {
    let regex::Error::Syntax(text) = e else {
        return format!("'{pattern}' is not a usable regular expression: {e}");
    };
    // The regex crate's text: "regex parse error:", the pattern indented by 4, a line with a
    // caret under the place, "error: why".
    let lines: Vec<&str> = text.lines().collect();
    let why = lines
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or("invalid syntax");
    let at = lines
        .iter()
        .find(|l| l.trim_start().starts_with('^') && l.trim().chars().all(|c| c == '^' || c == '~'))
        .and_then(|l| l.find('^'))
        .filter(|_| lines.len() == 4)
        .and_then(|col| col.checked_sub(4))
        .and_then(|col| Some(pattern.get(..col)?.chars().count() + 1));
    match at {
        Some(at) => {
            format!("'{pattern}' is not a valid regular expression: {why} (at character {at})")
        }
        None => format!("'{pattern}' is not a valid regular expression: {why}"),
    }
}

/// A checked `--where` expression (compiled again where records are read: a compiled jq
/// filter is tied to the thread that runs it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhereExpr(String);

impl WhereExpr {
    /// Checks a jq expression (clap's value parser for `--where`).
    pub fn parse(s: &str) -> Result<WhereExpr, String> {
        compile(s)?;
        Ok(WhereExpr(s.to_string()))
    }
}

type JqFilter = jaq_core::compile::Filter<jaq_core::Native<data::JustLut<Val>>>;

/// Compiles a jq expression with jq's standard library (as jaq has it).
fn compile(code: &str) -> Result<JqFilter, String> {
    let defs = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs());
    let funs = jaq_core::funs()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs());
    let loader = Loader::new(defs);
    let arena = Arena::default();
    let modules = loader
        .load(&arena, File { code, path: () })
        .map_err(|errs| {
            let why: Vec<String> = errs
                .into_iter()
                .flat_map(|(_, e)| load_errors(code, e))
                .collect();
            format!("'{code}' is not a valid jq expression: {}", why.join("; "))
        })?;
    Compiler::default()
        .with_funs(funs)
        .compile(modules)
        .map_err(|errs| {
            let why: Vec<String> = errs
                .into_iter()
                .flat_map(|(_, es)| es)
                .map(|(name, undefined)| {
                    format!(
                        "undefined {} '{name}' at {}",
                        undefined.as_str(),
                        position(code, name)
                    )
                })
                .collect();
            format!("'{code}' is not a valid jq expression: {}", why.join("; "))
        })
}

/// Where `part` (a slice of `code`) starts, for a person: "character N" (from 1), or "the end".
fn position(code: &str, part: &str) -> String {
    let start = (part.as_ptr() as usize).wrapping_sub(code.as_ptr() as usize);
    if start >= code.len() {
        "the end".to_string()
    } else {
        format!("character {}", code[..start].chars().count() + 1)
    }
}

fn load_errors(code: &str, e: jaq_core::load::Error<&str>) -> Vec<String> {
    use jaq_core::load::Error;
    match e {
        Error::Io(errs) => errs.into_iter().map(|(_, why)| why).collect(),
        Error::Lex(errs) => errs
            .into_iter()
            .map(|(expected, got)| {
                format!("expected {} at {}", expected.as_str(), position(code, got))
            })
            .collect(),
        Error::Parse(errs) => errs
            .into_iter()
            .map(|(expected, got)| {
                format!("expected {} at {}", expected.as_str(), position(code, got))
            })
            .collect(),
    }
}

/// The filters of a run, compiled, with what they saw.
pub struct Filter {
    greps: Vec<Grep>,
    jq: Option<JqFilter>,
    /// The names of a record's fields, made once.
    keys: Keys,
    /// Records the jq expression failed on, and the first failure.
    pub failed: u64,
    pub first_failure: Option<String>,
}

impl fmt::Debug for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Filter")
            .field("greps", &self.greps)
            .field("jq", &self.jq.is_some())
            .finish()
    }
}

impl Filter {
    /// The filter of these `--grep`s and `--where`; `None` when there is nothing to filter.
    pub fn new(greps: &[Grep], jq: Option<&WhereExpr>) -> Result<Option<Filter>, String> {
        if greps.is_empty() && jq.is_none() {
            return Ok(None);
        }
        let jq = jq.map(|w| compile(&w.0)).transpose()?;
        Ok(Some(Filter {
            greps: greps.to_vec(),
            jq,
            keys: Keys::new(),
            failed: 0,
            first_failure: None,
        }))
    }

    /// Whether the record is to be printed: every grep holds (the cheap test first), then the
    /// jq expression.
    pub fn matches(&mut self, record: &RecordRef<'_>, decoded: &DecodedRecord<'_>) -> bool {
        if !self.greps.iter().all(|g| g.matches(record, decoded)) {
            return false;
        }
        let Some(jq) = &self.jq else {
            return true;
        };
        // The record exactly as `-o json` prints it.
        let json = Record::of(record);
        let json = match decoded.key.is_some() || decoded.value.is_some() {
            true => json.with_decoded(decoded),
            false => json,
        };
        let input = match self.keys.value_of(&json) {
            Ok(v) => v,
            Err(e) => {
                self.fail(format!("cannot read the record's decoded JSON: {e}"));
                return false;
            }
        };
        let ctx = Ctx::<data::JustLut<Val>>::new(&jq.lut, Vars::new([]));
        let mut failure = None;
        let mut truthy = false;
        for out in jq.id.run((ctx, input)).map(jaq_core::unwrap_valr) {
            match out {
                Ok(v) if jaq_core::ValT::as_bool(&v) => {
                    truthy = true;
                    break;
                }
                Ok(_) => {}
                Err(e) => {
                    failure = Some(e.to_string());
                    break;
                }
            }
        }
        if let Some(why) = failure {
            self.fail(why);
            return false;
        }
        truthy
    }

    fn fail(&mut self, why: String) {
        self.failed += 1;
        if self.first_failure.is_none() {
            self.first_failure = Some(why);
        }
    }
}

/// The field names of a record as jq values (made once: each record's object shares them).
struct Keys {
    names: Vec<Val>,
    encodings: [Val; 5],
    /// A header's `key`, `value` and `value_encoding`.
    header: [Val; 3],
}

/// The fields of [`Record`], in its order (as `-o json` writes them).
const FIELDS: [&str; 16] = [
    "topic",
    "partition",
    "offset",
    "timestamp",
    "timestamp_type",
    "key",
    "key_encoding",
    "key_schema_id",
    "key_schema_guid",
    "key_proto_type",
    "value",
    "value_encoding",
    "value_schema_id",
    "value_schema_guid",
    "value_proto_type",
    "headers",
];

impl Keys {
    fn new() -> Keys {
        let text = |s: &str| Val::utf8_str(s.as_bytes().to_vec());
        Keys {
            names: FIELDS.iter().map(|f| text(f)).collect(),
            encodings: ["utf8", "base64", "avro", "protobuf", "json_schema"].map(text),
            header: ["key", "value", "value_encoding"].map(text),
        }
    }

    fn encoding(&self, e: Option<Encoding>) -> Val {
        match e {
            None => Val::Null,
            Some(e) => self.encodings[match e {
                Encoding::Utf8 => 0,
                Encoding::Base64 => 1,
                Encoding::Avro => 2,
                Encoding::Protobuf => 3,
                Encoding::JsonSchema => 4,
            }]
            .clone(),
        }
    }

    /// The record as the jq value of the JSON `-o json` prints (built directly: no JSON text
    /// written and read again).
    fn value_of(&self, r: &Record<'_>) -> Result<Val, String> {
        fn text(s: &str) -> Val {
            Val::utf8_str(s.as_bytes().to_vec())
        }
        fn num(n: i64) -> Val {
            Val::Num(jaq_json::Num::from_integral(n))
        }
        fn data(d: &Option<Data<'_>>) -> Result<Val, String> {
            match d {
                None => Ok(Val::Null),
                Some(Data::Text(t)) => Ok(text(t)),
                Some(Data::Json(json)) => {
                    jaq_json::read::parse_single(json.as_bytes()).map_err(|e| e.to_string())
                }
            }
        }
        let opt_text = |t: &Option<std::borrow::Cow<'_, str>>| t.as_deref().map(text);
        // Sized once: no rehashing as fields are added.
        let mut map = jaq_json::Map::with_capacity_and_hasher(FIELDS.len(), Default::default());
        let mut put = |field: usize, v: Val| {
            map.insert(self.names[field].clone(), v);
        };
        put(0, r.topic.0.map_or(Val::Null, text));
        put(1, r.partition.map_or(Val::Null, |p| num(p.into())));
        put(2, r.offset.0.map_or(Val::Null, num));
        put(
            3,
            match r.timestamp.0 {
                RecordTime::At(ts) => num(ts),
                RecordTime::Unset | RecordTime::Now => Val::Null,
            },
        );
        put(4, r.timestamp_type.0.map_or(Val::Null, text));
        put(5, data(&r.key)?);
        put(6, self.encoding(r.key_encoding));
        if let Some(id) = r.key_schema_id {
            put(7, num(id.into()));
        }
        if let Some(v) = opt_text(&r.key_schema_guid) {
            put(8, v);
        }
        if let Some(v) = opt_text(&r.key_proto_type) {
            put(9, v);
        }
        put(10, data(&r.value)?);
        put(11, self.encoding(r.value_encoding));
        if let Some(id) = r.value_schema_id {
            put(12, num(id.into()));
        }
        if let Some(v) = opt_text(&r.value_schema_guid) {
            put(13, v);
        }
        if let Some(v) = opt_text(&r.value_proto_type) {
            put(14, v);
        }
        let headers = match &r.headers {
            None => Val::Null,
            Some(headers) => {
                let [key, value, encoding] = &self.header;
                let items: Vec<Val> = headers
                    .iter()
                    .map(|h| {
                        let mut m = jaq_json::Map::with_capacity_and_hasher(3, Default::default());
                        m.insert(key.clone(), text(&h.key));
                        m.insert(value.clone(), h.value.as_deref().map_or(Val::Null, text));
                        m.insert(encoding.clone(), self.encoding(h.value_encoding));
                        Val::obj(m)
                    })
                    .collect();
                Val::Arr(items.into())
            }
        };
        put(15, headers);
        Ok(Val::obj(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greps_parse() {
        let g = Grep::parse("k:^user-1$").unwrap();
        assert_eq!(g.target, Target::Key);
        assert!(!g.negate);
        let g = Grep::parse("!h:trace=ab=c").unwrap();
        assert_eq!(g.target, Target::Header("trace".into()));
        assert!(g.negate);
        assert_eq!(g.regex.as_str(), "ab=c");
        let g = Grep::parse("t:^orders").unwrap();
        assert_eq!(g.target, Target::Topic);
        let g = Grep::parse("error").unwrap();
        assert_eq!(g.target, Target::Value);
        let g = Grep::parse("v:k:x").unwrap();
        assert_eq!((g.target, g.regex.as_str()), (Target::Value, "k:x"));
        assert_eq!(
            Grep::parse("a(").unwrap_err(),
            "'a(' is not a valid regular expression: unclosed group (at character 2)"
        );
        let e = Grep::parse("k:ab[z-a]").unwrap_err();
        assert!(
            e.starts_with("'ab[z-a]' is not a valid regular expression: "),
            "{e}"
        );
        assert!(e.ends_with(" (at character 4)"), "{e}");
        assert!(Grep::parse("h:=x").unwrap_err().contains("h:NAME=REGEX"));
        assert!(Grep::parse("h:name").unwrap_err().contains("h:NAME=REGEX"));
    }

    #[test]
    fn where_parses() {
        assert!(WhereExpr::parse(".value | fromjson | .id == 7").is_ok());
        assert!(WhereExpr::parse(r#".key | test("^a")"#).is_ok());
        let e = WhereExpr::parse(".value ==").unwrap_err();
        assert!(e.contains("not a valid jq expression"), "{e}");
        let e = WhereExpr::parse("nosuchfn(1)").unwrap_err();
        assert!(e.contains("undefined filter 'nosuchfn'"), "{e}");
        let e = WhereExpr::parse("$x").unwrap_err();
        assert!(e.contains("undefined variable"), "{e}");
    }

    /// The value --where evaluates is the JSON `-o json` writes, read.
    #[test]
    fn the_record_value_is_what_json_output_prints() {
        use crate::commands::record::{Header, Timestamp, Written};
        use std::borrow::Cow;
        let records = [
            Record {
                topic: Written(Some("orders")),
                partition: Some(2),
                offset: Written(Some(41)),
                timestamp: Timestamp(RecordTime::At(1_700_000_000_000)),
                timestamp_type: Written(Some("create_time")),
                key: Some(Data::Text(Cow::Borrowed("k\"1"))),
                key_encoding: Some(Encoding::Utf8),
                key_schema_id: None,
                key_schema_guid: None,
                key_proto_type: None,
                value: Some(Data::Json(Cow::Borrowed(r#"{"id":1,"n":[1.5,null,true]}"#))),
                value_encoding: Some(Encoding::Avro),
                value_schema_id: Some(7),
                value_schema_guid: Some(Cow::Borrowed("a-b")),
                value_proto_type: Some(Cow::Borrowed("pkg.M")),
                headers: Some(vec![
                    Header {
                        key: Cow::Borrowed("h"),
                        value: Some(Cow::Borrowed("AAE=")),
                        value_encoding: Some(Encoding::Base64),
                    },
                    Header {
                        key: Cow::Borrowed("h"),
                        value: None,
                        value_encoding: None,
                    },
                ]),
            },
            Record {
                topic: Written(Some("t")),
                partition: Some(0),
                offset: Written(Some(0)),
                timestamp: Timestamp(RecordTime::Unset),
                timestamp_type: Written(None),
                key: None,
                key_encoding: None,
                key_schema_id: Some(3),
                key_schema_guid: None,
                key_proto_type: None,
                value: None,
                value_encoding: None,
                value_schema_id: None,
                value_schema_guid: None,
                value_proto_type: None,
                headers: Some(vec![]),
            },
        ];
        let keys = Keys::new();
        for r in &records {
            let json = serde_json::to_vec(r).unwrap();
            let read = jaq_json::read::parse_single(&json).unwrap();
            let built = keys.value_of(r).unwrap();
            // Compared as text: the same fields, in the same order, with the same values.
            assert_eq!(built.to_string(), read.to_string());
        }
    }

    #[test]
    fn jq_truthiness() {
        let run = |code: &str, json: &str| {
            let jq = compile(code).unwrap();
            let input = jaq_json::read::parse_single(json.as_bytes()).unwrap();
            let ctx = Ctx::<data::JustLut<Val>>::new(&jq.lut, Vars::new([]));
            let outs: Vec<bool> = jq
                .id
                .run((ctx, input))
                .map(jaq_core::unwrap_valr)
                .map(|v| v.map(|v| jaq_core::ValT::as_bool(&v)).unwrap_or(false))
                .collect();
            outs
        };
        assert_eq!(run(".offset == 3", r#"{"offset":3}"#), vec![true]);
        assert_eq!(run(".value", r#"{"value":null}"#), vec![false]);
        assert_eq!(
            run(".value | fromjson | .n > 1", r#"{"value":"{\"n\":2}"}"#),
            vec![true]
        );
    }
}
