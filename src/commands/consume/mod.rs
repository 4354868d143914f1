//! `kctl consume TOPIC`: records on stdout, as values, JSON lines or a format string.

pub mod filter;
pub mod format;
mod sink;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufWriter, StdoutLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::codec::{DecodeMode, DecodedRecord, Decoding, ProtoArgs};
use super::times::TimeArg;
use super::Ctx;
use crate::error::{Error, ErrorKind, Result};
use crate::interrupt::Interrupt;
use crate::kafka::ClientConfig;
use crate::kafka::{
    Broker, Consumer, GroupStatus, Kafka, OffsetQuery, OffsetSpec, Polled, ReadMode, Revocation,
    StartOffset, Subscription, TopicInfo, TopicPartition,
};
use crate::printer::OutputFormat;
use crate::printer::Printer;
use crate::stdio;
use filter::{Filter, Grep, WhereExpr};
use format::{Format, Output};
use indicatif::{ProgressBar, ProgressStyle};
use sink::Sink;

/// Stdout as the printer hands it for data (written through: the sink buffers).
type Stdout = BufWriter<StdoutLock<'static>>;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl consume orders --from-beginning -e\n  \
    kctl consume orders -g order-tracker --from-beginning\n  \
    kctl consume orders --offset -10 -e --format '%p:%o %k=%v\\n'\n  \
    kctl consume orders --offset @-1h -o json | jq .value\n  \
    kctl consume orders --offset @-1h -e --grep 'k:^customer-42$' --grep '!v:test'\n  \
    kctl consume orders --from-beginning -e --where '.value | fromjson | .amount > 100'\n  \
    kctl consume orders payments --from-beginning -e\n  \
    kctl consume --regex 'orders|pay.*' -g audit --from-beginning -e")]
pub struct Args {
    /// Topics to read (with several, the default output puts each record's topic first)
    #[arg(value_name = "TOPIC", required_unless_present = "regex",
          value_parser = super::topics::topic_name, add = crate::complete::topic_completer())]
    pub topics: Vec<String>,

    /// Read every topic whose whole name matches this regular expression (internal topics,
    /// `__*`, left out); with --group, also topics created later
    #[arg(long, value_name = "PATTERN", conflicts_with = "topics", value_parser = parse_pattern)]
    pub regex: Option<String>,

    /// Start at the beginning (with --group: where the group has no committed offset)
    #[arg(long, conflicts_with = "offset")]
    pub from_beginning: bool,

    /// Where to start: beginning, end, N (absolute), -N (the last N per partition),
    /// @TIMESTAMP (ms since the epoch or RFC 3339), @-DURATION (e.g. @-1h) [default: end]
    #[arg(long, value_name = "WHERE", allow_hyphen_values = true, value_parser = parse_offset)]
    pub offset: Option<OffsetArg>,

    /// Read only these partitions
    #[arg(short = 'p', long = "partition", value_name = "N[,N...]", value_delimiter = ',',
          allow_negative_numbers = true,
          value_parser = clap::value_parser!(i32).range(0..))]
    pub partitions: Vec<i32>,

    /// Stop after this many messages in total
    #[arg(short = 'c', long = "max-messages", value_name = "N", allow_negative_numbers = true,
          value_parser = parse_count)]
    pub max_messages: Option<u64>,

    /// Stop at the end offsets taken when the command started (otherwise follow the topic)
    #[arg(short = 'e', long = "exit")]
    pub exit: bool,

    /// Join this consumer group and commit what was printed (without it nothing is committed)
    #[arg(short = 'g', long, value_name = "GROUP", conflicts_with = "partitions",
          value_parser = super::groups::group_name, add = crate::complete::group_completer())]
    pub group: Option<String>,

    /// Print each record with kcat-style directives: %t topic, %p partition, %o offset, %k key,
    /// %v (or %s) value, %h headers, %T timestamp, %K/%S key/value length; \n \t \\ escapes
    #[arg(long, value_name = "FORMAT", value_parser = Format::parse)]
    pub format: Option<Format>,

    /// Decode keys and values framed for the schema registry (with a registry set) and plain
    /// Protobuf (with --proto-file) to JSON, or print them as they are
    #[arg(long, value_name = "MODE", value_enum, default_value_t = DecodeMode::Auto,
          help_heading = "Schemas")]
    pub decode: DecodeMode,

    #[command(flatten)]
    pub proto: ProtoArgs,

    /// Print only records where REGEX matches the value, the key (k:), the value of header
    /// NAME (h:NAME=) or the topic (t:); a leading ! prints those where it does not.
    /// Repeatable: all must hold
    #[arg(long, value_name = "[!][k:|v:|h:NAME=|t:]REGEX", value_parser = Grep::parse,
          help_heading = "Filters")]
    pub grep: Vec<Grep>,

    /// Print only records for which this jq expression, given the record as -o json prints
    /// it, outputs something other than false or null (e.g. '.value | fromjson | .amount > 100')
    #[arg(long = "where", value_name = "EXPR", value_parser = WhereExpr::parse,
          help_heading = "Filters")]
    pub where_: Option<WhereExpr>,
}

/// A `--regex` pattern: a valid regular expression.
fn parse_pattern(s: &str) -> std::result::Result<String, String> {
    if s.is_empty() {
        return Err("the pattern is empty".to_string());
    }
    regex::Regex::new(s).map_err(|e| filter::regex_error(s, e))?;
    regex::Regex::new(&format!("^(?:{s})$")).map_err(|e| filter::regex_error(s, e))?;
    Ok(s.to_string())
}

/// With --group, librdkafka matches the pattern itself, as a POSIX extended regular expression:
/// what only Rust's syntax has would never match (librdkafka says nothing), so it is refused.
fn check_group_pattern(pattern: &str) -> Result<()> {
    const RUST_ONLY: [(&str, &str); 9] = [
        ("\\d", "write [0-9] for \\d"),
        ("\\D", "write [^0-9] for \\D"),
        ("\\w", "write [A-Za-z0-9_] for \\w"),
        ("\\W", "write [^A-Za-z0-9_] for \\W"),
        ("\\s", "write [[:space:]] for \\s"),
        ("\\S", "write [^[:space:]] for \\S"),
        (
            "\\b",
            "POSIX has no word boundary: match the whole name instead",
        ),
        (
            "\\p",
            "write a bracket expression ([[:alpha:]], ...) for \\p",
        ),
        ("(?", "use plain ( ) groups, without flags"),
    ];
    match RUST_ONLY
        .iter()
        .find(|(syntax, _)| pattern.contains(syntax))
    {
        None => Ok(()),
        Some((syntax, hint)) => Err(Error::usage(format!(
            "--regex '{pattern}' cannot be used with --group: the group's subscription is matched \
             by librdkafka as a POSIX extended regular expression, which has no '{syntax}'"
        ))
        .with_hint(*hint)),
    }
}

/// A count of 1 or more.
fn parse_count(s: &str) -> std::result::Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "'{s}' is not a count: use a whole number of 1 or more"
        )),
    }
}

/// Where `--offset` says to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetArg {
    Beginning,
    End,
    At(i64),
    Last(i64),
    /// Milliseconds since the epoch.
    Timestamp(i64),
    /// How long ago.
    Ago(Duration),
}

impl OffsetArg {
    /// The time a `@TIMESTAMP` or `@-DURATION` names, in milliseconds since the epoch (one
    /// before the epoch as the epoch: ListOffsets reads -1 and -2 as end and start); `None`
    /// for an offset.
    pub fn time_ms(&self) -> Option<i64> {
        match self {
            OffsetArg::Timestamp(ms) => Some((*ms).max(0)),
            OffsetArg::Ago(d) => Some(
                SystemTime::now()
                    .checked_sub(*d)
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_millis() as i64),
            ),
            _ => None,
        }
    }
}

pub fn parse_offset(s: &str) -> std::result::Result<OffsetArg, String> {
    let s = s.trim();
    let bad = |why: &str| {
        format!("invalid offset '{s}': {why}; use beginning, end, N, -N, @TIMESTAMP or @-DURATION")
    };
    match s {
        "beginning" | "earliest" | "oldest" => return Ok(OffsetArg::Beginning),
        "end" | "latest" | "newest" => return Ok(OffsetArg::End),
        _ => {}
    }
    if s.starts_with('@') {
        // One reading of times for every command (see `commands::times`).
        return match super::times::parse_time(s) {
            Ok(TimeArg::At(ms)) => Ok(OffsetArg::Timestamp(ms)),
            Ok(TimeArg::Ago(ago)) => Ok(OffsetArg::Ago(ago)),
            Err(_) => Err(bad("not a time")),
        };
    }
    match s.parse::<i64>() {
        Ok(n) if s.starts_with('-') => {
            if n == 0 {
                Err(bad("-0 is not a count"))
            } else {
                Ok(OffsetArg::Last(-n))
            }
        }
        Ok(n) => Ok(OffsetArg::At(n)),
        Err(_) => Err(bad("not a number")),
    }
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let output = match (&args.format, ctx.settings.output) {
        (Some(_), OutputFormat::Json) => {
            return Err(Error::usage("--format and -o json cannot be used together"))
        }
        (Some(f), _) => Output::Format(f.clone()),
        (None, OutputFormat::Json) => Output::Json,
        (None, OutputFormat::Table) => Output::Value,
    };

    let source = match args.decode {
        DecodeMode::Auto => super::codec::schema_source(ctx)?,
        DecodeMode::None => None,
    };
    let decoding = Decoding::new(args.decode, source, &args.proto, ctx.printer.clone())?;
    let filter = Filter::new(&args.grep, args.where_.as_ref())
        .map_err(Error::usage)?
        .map(std::cell::RefCell::new);
    if let (Some(pattern), Some(_)) = (&args.regex, &args.group) {
        check_group_pattern(pattern)?;
    }

    let started = Instant::now();
    let kafka = ctx.kafka()?;
    let (topics, brokers) = resolve_topics(kafka, &args).await?;
    let mut selected: Vec<TopicPartition> = Vec::new();
    for topic in &topics {
        for p in selected_partitions(topic, &args.partitions)? {
            selected.push((topic.name.clone(), p));
        }
    }
    let names: Vec<String> = topics.iter().map(|t| t.name.clone()).collect();
    let subscription = match &args.regex {
        Some(pattern) => Subscription::Pattern(pattern.clone()),
        None => Subscription::Topics(names.clone()),
    };

    // Where to start, per partition. Without a group every start is resolved here to an
    // absolute offset from one batched ListOffsets per bound, so the consumer fetches at once
    // (librdkafka would otherwise look each logical offset up itself, one partition at a time).
    let wanted = match (args.offset, args.from_beginning) {
        (Some(o), _) => Some(o),
        (None, true) if args.group.is_none() => Some(OffsetArg::Beginning),
        (None, _) if args.group.is_none() => Some(OffsetArg::End),
        (None, _) => None,
    };
    // Under read_committed (the default) a partition ends at its last stable offset: records
    // of a transaction still open are not there yet, so "the end" (where -e stops, where
    // `--offset end` and `-N` count from) is before them.
    let read_committed = ctx.client()?.reads_committed();
    let several = names.len() > 1 || args.regex.is_some();
    // A group member of several topics with -e needs the earliest offsets too: see
    // `Job::check_starts`.
    let need_bounds =
        args.group.is_none() || matches!(wanted, Some(OffsetArg::At(_))) || (several && args.exit);
    let bounds = if need_bounds {
        let (low, high, stable) = tokio::try_join!(
            offsets(kafka, &selected, OffsetSpec::Earliest),
            offsets(kafka, &selected, OffsetSpec::Latest),
            last_stable(kafka, &selected, read_committed),
        )?;
        Some(Bounds { low, high, stable })
    } else {
        None
    };
    let starts = match wanted {
        Some(o) => Some(resolve_starts(kafka, &selected, o, bounds.as_ref()).await?),
        None => None,
    };
    let ends = match (&bounds, args.exit) {
        (_, false) => None,
        (Some(bounds), true) => Some(bounds.end().clone()),
        (None, true) => Some(match read_committed {
            true => last_stable(kafka, &selected, true)
                .await?
                .unwrap_or_default(),
            false => offsets(kafka, &selected, OffsetSpec::Latest).await?,
        }),
    };
    // Where each partition starts, where kctl knows it (an absolute start offset).
    let known_starts: BTreeMap<TopicPartition, i64> = starts
        .iter()
        .flatten()
        .filter_map(|(p, s)| match s {
            StartOffset::At(o) => Some((p.clone(), *o)),
            _ => None,
        })
        .collect();
    let mode = match &args.group {
        Some(group) => ReadMode::Group {
            group: group.clone(),
            from_beginning: args.from_beginning,
            starts,
        },
        None => ReadMode::Assign(starts.unwrap_or_default()),
    };
    let starts_at_end_of_records = args.exit
        && matches!(wanted, Some(OffsetArg::End))
        && bounds
            .as_ref()
            .is_some_and(|b| b.end().iter().any(|(p, e)| b.low.get(p) < Some(e)));
    let lows = match (&args.group, several, &bounds) {
        (Some(_), true, Some(bounds)) => Some(keyed(&names, bounds.low.clone())),
        _ => None,
    };
    let output = match output {
        // With several topics, the values say which topic they are from.
        Output::Value if several => Output::TopicValue,
        output => output,
    };
    let job = Job {
        client: ctx.client()?.clone(),
        printer: ctx.printer.clone(),
        leaders: keyed(&names, leaders(&topics, &brokers)),
        started,
        starts_at_end_of_records,
        label: match &args.regex {
            Some(pattern) => format!("topics matching '{pattern}'"),
            None => names
                .iter()
                .map(|n| format!("'{n}'"))
                .collect::<Vec<_>>()
                .join(", "),
        },
        again: match &args.regex {
            Some(pattern) => format!("--regex '{pattern}'"),
            None => names.join(" "),
        },
        subscription,
        group: args.group.clone(),
        mode,
        output,
        ends: ends.map(|ends| keyed(&names, ends)),
        known_starts: keyed(&names, known_starts),
        lows,
        from_beginning: args.from_beginning,
        names,
        max: args.max_messages,
        interrupt: ctx.interrupt.clone(),
        decoding,
        progress: filter.as_ref().map(|_| scan_progress(&ctx.printer)),
        filter,
    };
    tokio::task::spawn_blocking(move || job.run())
        .await
        .map_err(|e| Error::runtime(format!("internal error: {e}")))?
}

/// The partitions `-p` names, sorted (each must exist), or all of the topic's.
fn selected_partitions(topic: &TopicInfo, named: &[i32]) -> Result<Vec<i32>> {
    if named.is_empty() {
        return Ok(topic.partitions.iter().map(|p| p.id).collect());
    }
    let mut selected = named.to_vec();
    selected.sort_unstable();
    selected.dedup();
    match topic.missing_partition(&selected) {
        Some(missing) => Err(missing.error()),
        None => Ok(selected),
    }
}

/// The topics to read, as the metadata has them (in the order named, or by name for
/// `--regex`), and the brokers.
async fn resolve_topics(kafka: &Kafka, args: &Args) -> Result<(Vec<TopicInfo>, Vec<Broker>)> {
    if let Some(pattern) = &args.regex {
        let whole = regex::Regex::new(&format!("^(?:{pattern})$"))
            .map_err(|e| Error::usage(format!("invalid --regex '{pattern}': {e}")))?;
        let cluster = kafka.metadata().await?;
        let mut topics: Vec<TopicInfo> = cluster
            .topics
            .into_iter()
            .filter(|t| t.error.is_none() && !t.is_internal() && whole.is_match(&t.name))
            .collect();
        topics.sort_by(|a, b| a.name.cmp(&b.name));
        if topics.is_empty() {
            return Err(Error::not_found(
                format!("topics matching '{pattern}'"),
                format!("no topic matches --regex '{pattern}' (it must match whole names)"),
            )
            .with_hint("see which topics there are: kctl topics list"));
        }
        return Ok((topics, cluster.brokers));
    }
    let mut names: Vec<&String> = Vec::new();
    for name in &args.topics {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let found = futures::future::try_join_all(
        names
            .iter()
            .map(|name| kafka.topic_and_brokers_for(name, crate::kafka::Operation::Read)),
    )
    .await?;
    let brokers = found.first().map(|(_, b)| b.clone()).unwrap_or_default();
    Ok((found.into_iter().map(|(t, _)| t).collect(), brokers))
}

/// Who leads each partition (`broker 1 at host:port`), to name it when it stops answering.
fn leaders(topics: &[TopicInfo], brokers: &[Broker]) -> BTreeMap<TopicPartition, String> {
    topics
        .iter()
        .flat_map(|t| t.partitions.iter().map(move |p| (t, p)))
        .filter_map(|(t, p)| {
            let id = p.leader?;
            let broker = brokers.iter().find(|b| b.id == id);
            let tp = (t.name.clone(), p.id);
            Some(match broker {
                Some(b) => (tp, format!("broker {id} at {}:{}", b.host, b.port)),
                None => (tp, format!("broker {id}")),
            })
        })
        .collect()
}

/// A partition of one of the topics read: the topic's number in [`Topics`] and the partition.
/// (Copied for every record: no topic name to clone.)
type Tp = (u32, i32);

/// `map` keyed by [`Tp`]s, the topics numbered as in `names` (their first numbers in
/// [`Topics`]).
fn keyed<V>(names: &[String], map: BTreeMap<TopicPartition, V>) -> BTreeMap<Tp, V> {
    map.into_iter()
        .filter_map(|((topic, p), v)| {
            let id = names.iter().position(|n| *n == topic)?;
            Some(((id as u32, p), v))
        })
        .collect()
}

/// The names of the topics read, numbered: those named at the start first, in order, then
/// those a group subscribed by pattern is given later.
struct Topics {
    names: std::cell::RefCell<Vec<String>>,
    /// The number of the last topic looked up (records come in runs of one topic).
    last: std::cell::Cell<u32>,
}

impl Topics {
    fn new(names: Vec<String>) -> Topics {
        Topics {
            names: std::cell::RefCell::new(names),
            last: std::cell::Cell::new(0),
        }
    }

    fn id(&self, name: &str) -> u32 {
        let last = self.last.get();
        let mut names = self.names.borrow_mut();
        if names.get(last as usize).is_some_and(|n| n == name) {
            return last;
        }
        let id = match names.iter().position(|n| n == name) {
            Some(i) => i as u32,
            None => {
                names.push(name.to_string());
                (names.len() - 1) as u32
            }
        };
        self.last.set(id);
        id
    }

    fn tp(&self, (topic, p): &TopicPartition) -> Tp {
        (self.id(topic), *p)
    }

    fn tp_of(&self, topic: &str, p: i32) -> Tp {
        (self.id(topic), p)
    }

    fn name(&self, (id, p): Tp) -> TopicPartition {
        (self.names.borrow()[id as usize].clone(), p)
    }

    /// How to name partitions in messages: `0, 1` when one topic is read, else
    /// `orders/0, audit/1`.
    fn list(&self, tps: &[Tp]) -> String {
        let names = self.names.borrow();
        tps.iter()
            .map(|(id, p)| match names.len() {
                1 => p.to_string(),
                _ => format!("{}/{p}", names[*id as usize]),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One ListOffsets call for the selected partitions; any partition's failure is an error.
async fn offsets(
    kafka: &Kafka,
    partitions: &[TopicPartition],
    spec: OffsetSpec,
) -> Result<BTreeMap<TopicPartition, i64>> {
    let listed = kafka.list_offsets(partitions, spec).await?;
    let mut out = BTreeMap::new();
    for ((topic, p), result) in listed {
        let what = || format!("cannot list the offsets of partition {p} of '{topic}'");
        let offset = result.map_err(|e| Error::runtime(format!("{}: {e}", what())))?;
        // -1 is "no such record" for a time; for the earliest or latest offset it is a broker
        // that answered without one (going down, say).
        if offset < 0 && matches!(spec, OffsetSpec::Earliest | OffsetSpec::Latest) {
            return Err(Error::runtime(format!(
                "{}: its leader answered without an offset ({offset})",
                what()
            ))
            .with_hint("the broker may be restarting: try again, or check it with `kctl doctor`"));
        }
        out.insert((topic, p), offset);
    }
    Ok(out)
}

/// One ListOffsets call for the last stable offset of the selected partitions (`None` when
/// reading uncommitted: the end is then the high watermark); any partition's failure is an
/// error.
async fn last_stable(
    kafka: &Kafka,
    partitions: &[TopicPartition],
    read_committed: bool,
) -> Result<Option<BTreeMap<TopicPartition, i64>>> {
    if !read_committed {
        return Ok(None);
    }
    let listed = kafka
        .query_offsets(partitions, OffsetQuery::LastStable)
        .await?;
    let mut out = BTreeMap::new();
    for ((topic, p), result) in listed {
        let what = || format!("cannot list the offsets of partition {p} of '{topic}'");
        let offset = result.map_err(|e| Error::runtime(format!("{}: {e}", what())))?;
        match offset.offset {
            Some(o) if o >= 0 => out.insert((topic, p), o),
            o => {
                return Err(Error::runtime(format!(
                    "{}: its leader answered without an offset ({})",
                    what(),
                    o.unwrap_or(-1)
                ))
                .with_hint(
                    "the broker may be restarting: try again, or check it with `kctl doctor`",
                ))
            }
        };
    }
    Ok(Some(out))
}

/// The offsets that bound each partition.
struct Bounds {
    /// The earliest offset.
    low: BTreeMap<TopicPartition, i64>,
    /// The high watermark.
    high: BTreeMap<TopicPartition, i64>,
    /// The last stable offset, when reading committed records only.
    stable: Option<BTreeMap<TopicPartition, i64>>,
}

impl Bounds {
    /// The end as the consumer sees it: the last stable offset under read_committed, the high
    /// watermark under read_uncommitted.
    fn end(&self) -> &BTreeMap<TopicPartition, i64> {
        self.stable.as_ref().unwrap_or(&self.high)
    }
}

/// Turns `--offset` into a start offset per partition. With `bounds` (the earliest and latest
/// offset of each partition) every start is an absolute offset within them.
async fn resolve_starts(
    kafka: &Kafka,
    partitions: &[TopicPartition],
    offset: OffsetArg,
    bounds: Option<&Bounds>,
) -> Result<BTreeMap<TopicPartition, StartOffset>> {
    let found = match offset.time_ms() {
        Some(ms) => Some(offsets(kafka, partitions, OffsetSpec::Timestamp(ms)).await?),
        None => None,
    };
    let start = |p: &TopicPartition| -> StartOffset {
        let logical = match offset {
            OffsetArg::Beginning => StartOffset::Beginning,
            OffsetArg::End => StartOffset::End,
            OffsetArg::Last(n) => StartOffset::Tail(n),
            OffsetArg::At(n) => StartOffset::At(n),
            OffsetArg::Timestamp(_) | OffsetArg::Ago(_) => {
                match found.as_ref().and_then(|f| f.get(p)) {
                    Some(o) if *o >= 0 => StartOffset::At(*o),
                    // No record at or after that time: start at the end.
                    _ => StartOffset::End,
                }
            }
        };
        let Some(bounds) = bounds else {
            return logical;
        };
        let lo = bounds.low.get(p).copied().unwrap_or(0);
        let hi = bounds.high.get(p).copied().unwrap_or(lo).max(lo);
        // The end as the consumer sees it: records of an open transaction are after it.
        let end = bounds.end().get(p).copied().unwrap_or(hi).clamp(lo, hi);
        // Out-of-range offsets start at the nearest end rather than wherever
        // auto.offset.reset would.
        StartOffset::At(match logical {
            StartOffset::Beginning => lo,
            StartOffset::End => end,
            StartOffset::Tail(n) => end.saturating_sub(n).max(lo),
            StartOffset::At(n) => n.clamp(lo, hi),
        })
    };
    Ok(partitions.iter().map(|p| (p.clone(), start(p))).collect())
}

/// The consuming side: runs on a blocking thread, owns the consumer and stdout.
struct Job {
    client: ClientConfig,
    printer: Printer,
    /// The topics read at the start, numbered (see [`Topics`]).
    names: Vec<String>,
    /// What is read, for messages: `'orders'`, `'a', 'b'` or `topics matching 'x'`.
    label: String,
    /// ... and as consume's arguments: `a b` or `--regex 'x'`.
    again: String,
    subscription: Subscription,
    group: Option<String>,
    mode: ReadMode,
    output: Output,
    /// With -e: the end offset of each partition when the command started (its last stable
    /// offset under read_committed).
    ends: Option<BTreeMap<Tp, i64>>,
    /// The absolute start offsets kctl chose (reading by assignment, or `--offset N` with a
    /// group); other partitions start where the group committed.
    known_starts: BTreeMap<Tp, i64>,
    /// With -e, a group member of several topics: the earliest offset of each partition, where
    /// a partition without a committed offset starts with --from-beginning.
    lows: Option<BTreeMap<Tp, i64>>,
    from_beginning: bool,
    max: Option<u64>,
    interrupt: Interrupt,
    /// Who leads each partition (`broker 1 at host:port`), to name it when it stops answering.
    leaders: BTreeMap<Tp, String>,
    /// When the command started: joining the group is bounded from here.
    started: Instant,
    /// Why nothing may be read with -e: kctl starts at the end of a topic that has records.
    starts_at_end_of_records: bool,
    /// Keys and values to decode (with a registry or --proto-file).
    decoding: Option<std::cell::RefCell<Decoding>>,
    /// Which records to print (--grep, --where).
    filter: Option<std::cell::RefCell<Filter>>,
    /// With a filter: records scanned and matched, on stderr when it is a terminal.
    progress: Option<ProgressBar>,
}

/// The progress of a filtered scan: records scanned and matched (hidden unless stderr is a
/// terminal, and with -q).
fn scan_progress(printer: &Printer) -> ProgressBar {
    let bar = printer.progress(None, "records");
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} {human_pos} records scanned, {msg} matched {per_sec}",
    ) {
        bar.set_style(style);
    }
    bar.set_message("0");
    bar
}

/// How often printed offsets are committed (besides at the end and on a revocation).
const COMMIT_INTERVAL: Duration = Duration::from_secs(1);
/// The output buffer: written out whenever kctl has caught up, and a chunk at a time while
/// it holds this much (the reader is behind).
const BUFFER: usize = 256 * 1024;
/// How long a poll waits when nothing is buffered.
const IDLE_POLL: Duration = Duration::from_millis(100);

impl Job {
    fn run(self) -> Result<()> {
        // Records go out through the sink's buffer (stdout itself is written through).
        let stdout = self.printer.data_writer(0)?;
        // (It names what it reads in its messages as `'{name}'`.)
        let mut consumer = Consumer::new(
            &self.client,
            &self.names.join(", "),
            &self.subscription,
            self.mode.clone(),
        )?;
        let topics = Topics::new(self.names.clone());
        let mut state = State::new(Sink::new(stdout, BUFFER), topics);
        let mut result = self.consume(&mut consumer, &mut state);
        // What reached stdout is committed, never more: after a failed write nothing else is
        // written (the buffer is dropped unwritten), and on a signal only the rest of the
        // record being written.
        if state.output_failed {
            state.sink.discard();
        } else if let Err(e) = self.drain(&consumer, &mut state, true) {
            result = result.and(Err(e));
        }
        let committed = state.commit(&consumer);
        // A cluster that stopped answering would not answer the goodbye either.
        let within = if state.cluster_silent {
            Duration::ZERO
        } else {
            self.client.timeout
        };
        let closed = consumer.close(within);
        if let Some(bar) = &self.progress {
            bar.finish_and_clear();
        }
        if let Some(filter) = &self.filter {
            let filter = filter.borrow();
            if filter.failed > 0 {
                self.printer.warn(format!(
                    "the --where expression failed on {} {} (not printed): {}",
                    filter.failed,
                    crate::render::plural(filter.failed as usize, "record", "records"),
                    filter.first_failure.as_deref().unwrap_or("?"),
                ));
            }
            self.printer.note(format!(
                "{} of {} {} scanned matched",
                state.printed,
                state.scanned,
                crate::render::plural(state.scanned as usize, "record", "records"),
            ));
        }
        if result.is_ok() && state.scanned == 0 && self.starts_at_end_of_records {
            self.printer.note(
                "read nothing: kctl started at the end of each partition (the default), \
                 where -e stops at once",
            );
            self.printer.note(format!(
                "hint: add --from-beginning (or --offset) to read what the topic holds: \
                 kctl consume {} --from-beginning -e",
                self.again
            ));
        }
        let decoded = match &self.decoding {
            Some(decoding) => decoding.borrow().outcome(),
            None => Ok(()),
        };
        result.and(committed).and(closed).and(decoded)
    }

    fn consume(&self, consumer: &mut Consumer, state: &mut State) -> Result<()> {
        let mut wait = Duration::ZERO;
        let mut polls: u64 = 0;
        let mut done_before = usize::MAX;
        let mut watch = Progress::new(consumer);
        loop {
            // Checked when idle and now and then: cheap enough, and never per message.
            let idle = !wait.is_zero();
            polls += 1;
            let now_and_then = idle || polls % 256 == 0;
            if now_and_then && self.interrupt.is_cancelled() {
                return Err(self.interrupt.error());
            }
            if now_and_then {
                self.show_progress(state);
            }
            if self.max.is_some_and(|max| state.printed >= max) {
                return Ok(());
            }
            if let Some(revocation) = consumer.revocation() {
                self.give_up(consumer, state, &revocation)?;
            }
            if let Some(ends) = &self.ends {
                // Before any record of a newly assigned partition is polled (a rebalance
                // ends the poll that handled it).
                let generation = consumer.assignment_generation();
                if state.checked_generation != Some(generation) {
                    state.checked_generation = Some(generation);
                    self.check_starts(consumer, ends, state);
                }
            }
            if idle {
                if let Err(e) = self.check_idle(consumer, state, &mut watch) {
                    state.cluster_silent = *e.kind() != ErrorKind::BrokenPipe;
                    return Err(e);
                }
            }
            if let Some(ends) = &self.ends {
                if state.done.len() != done_before {
                    watch.advanced();
                }
                if idle || state.done.len() != done_before {
                    done_before = state.done.len();
                    if self.all_done(consumer, ends, state)? {
                        return Ok(());
                    }
                }
            }
            match consumer.poll(wait)? {
                Polled::Record(record) => {
                    wait = Duration::ZERO;
                    watch.advanced();
                    let p = state.topics.tp_of(record.topic(), record.partition());
                    let o = record.offset();
                    let end = ends_of(&self.ends, p);
                    if end.is_some_and(|end| o >= end) {
                        // Past the snapshot: not part of this run.
                        drop(record);
                        state.finish(consumer, p, end);
                        continue;
                    }
                    state.scanned += 1;
                    let mut decoding = self.decoding.as_ref().map(|d| d.borrow_mut());
                    let decoded = match decoding.as_mut() {
                        Some(decoding) => decoding.decode(&record),
                        None => DecodedRecord::default(),
                    };
                    // Filtered before anything is formatted.
                    let matched = match &self.filter {
                        Some(filter) => filter.borrow_mut().matches(&record, &decoded),
                        None => true,
                    };
                    let written = match matched {
                        true => Some(self.output.write(state.sink.push(), &record, &decoded)),
                        false => None,
                    };
                    // The record borrows the consumer: done with it before using the consumer.
                    drop(decoding);
                    drop(record);
                    match written {
                        Some(written) => state.wrote(written, p, o)?,
                        // Scanned: what a group commits, once what was printed before it is
                        // taken by the reader.
                        None => state.sink.mark(p, o + 1),
                    }
                    if end.is_some_and(|end| o + 1 >= end) {
                        state.finish(consumer, p, end);
                    }
                    if state.sink.is_full() {
                        // Behind the reader: hand it a chunk or more before reading on.
                        self.drain(consumer, state, false)?;
                    }
                }
                Polled::PartitionEnd { topic, partition } => {
                    // The fetcher reached the partition's end, which is at or past the end
                    // taken at the start: this partition is done (control records, compacted
                    // gaps and empty partitions included).
                    watch.advanced();
                    let p = match topic {
                        Some(topic) => Some(state.topics.tp_of(&topic, partition)),
                        // A group member of several topics is not told which topic: the one
                        // partition of that number still being read, if there is one (else
                        // their positions tell, when idle).
                        None => {
                            let open: Vec<Tp> = state
                                .assigned(consumer)
                                .into_iter()
                                .filter(|p| p.1 == partition && !state.done.contains(p))
                                .collect();
                            (open.len() == 1).then(|| open[0])
                        }
                    };
                    if let Some(p) = p {
                        if self.ends.as_ref().is_some_and(|e| e.contains_key(&p)) {
                            state.finish(consumer, p, ends_of(&self.ends, p));
                        }
                    }
                }
                Polled::Idle => {
                    if wait.is_zero() {
                        // Caught up: hand what we have to the reader, then wait longer.
                        self.drain(consumer, state, true)?;
                        wait = IDLE_POLL;
                    }
                    if let Some(ends) = &self.ends {
                        self.check_positions(consumer, ends, state);
                    }
                }
            }
            // Commit what the reader took now and then, also while behind.
            if self.group.is_some()
                && now_and_then
                && state.last_commit.elapsed() >= COMMIT_INTERVAL
            {
                state.commit(consumer)?;
            }
        }
    }

    fn show_progress(&self, state: &State) {
        if let Some(bar) = &self.progress {
            bar.set_position(state.scanned);
            bar.set_message(state.printed.to_string());
        }
    }

    /// Writes the buffer to stdout a chunk at a time: all of it (`all`), or until it has
    /// room again. Between chunks it commits what the reader took, about every second however
    /// slowly it reads, and on a signal it stops once the record being written is whole.
    fn drain(&self, consumer: &Consumer, state: &mut State, all: bool) -> Result<()> {
        loop {
            if self.interrupt.is_cancelled() {
                let ended = state.sink.end_record();
                ended.map_err(|e| state.failed(e))?;
                return Err(self.interrupt.error());
            }
            if state.sink.is_empty() || !(all || state.sink.is_full()) {
                return Ok(());
            }
            let written = match &self.progress {
                // The progress line is taken off the terminal while records are written.
                Some(bar) if !bar.is_hidden() => bar.suspend(|| state.sink.write_chunk(false)),
                _ => state.sink.write_chunk(false),
            };
            written.map_err(|e| state.failed(e))?;
            if self.group.is_some() && state.last_commit.elapsed() >= COMMIT_INTERVAL {
                state.commit(consumer)?;
            }
        }
    }

    /// What is checked while nothing arrives: a reader that went away, joining the group,
    /// and (with -e) a cluster that stopped answering.
    fn check_idle(&self, consumer: &Consumer, state: &State, watch: &mut Progress) -> Result<()> {
        if stdio::stdout_reader_gone() {
            return Err(io::Error::from(io::ErrorKind::BrokenPipe).into());
        }
        if self.group.is_some() {
            self.check_join(consumer)?;
        }
        let Some(ends) = &self.ends else {
            return Ok(());
        };
        let pending: Vec<Tp> = match self.group {
            Some(_) => state.assigned(consumer),
            None => ends.keys().copied().collect(),
        };
        let pending: Vec<Tp> = pending
            .into_iter()
            .filter(|p| !state.done.contains(p))
            .collect();
        watch.check(consumer, self.client.timeout, || {
            self.stalled(consumer, &pending, &state.topics)
        })
    }

    /// The error for partitions that brought neither records nor their end within --timeout.
    fn stalled(&self, consumer: &Consumer, pending: &[Tp], topics: &Topics) -> Error {
        let leaders: BTreeSet<&str> = pending
            .iter()
            .filter_map(|p| self.leaders.get(p).map(String::as_str))
            .collect();
        let what = format!(
            "no progress reading {} for {}",
            self.label,
            humantime::format_duration(self.client.timeout)
        );
        let mut why = format!(
            "no records and no end of {} {} from {}",
            crate::render::plural(pending.len(), "partition", "partitions"),
            topics.list(pending),
            leaders.into_iter().collect::<Vec<_>>().join(", "),
        );
        if let Some(reason) = consumer.last_error() {
            why.push_str(&format!(" (last error: {reason})"));
        }
        Error::new(ErrorKind::Timeout { what: what.clone() }, what)
            .because(why)
            .with_hint(crate::kafka::TIMEOUT_HINT)
    }

    /// The group takes partitions away: commit what was printed of them, then let them go.
    fn give_up(
        &self,
        consumer: &Consumer,
        state: &mut State,
        revocation: &Revocation,
    ) -> Result<()> {
        self.drain(consumer, state, true)?;
        state.absorb();
        let revoked: Vec<Tp> = revocation
            .partitions
            .iter()
            .map(|tp| state.topics.tp(tp))
            .collect();
        if !revocation.lost {
            let offsets = state.named(state.uncommitted(&revoked));
            if let Err(e) = consumer.commit(&offsets, true) {
                self.printer.warn(format!(
                    "{e}: the next owner of the partitions may print some records again"
                ));
            }
        }
        state.forget(&revoked);
        consumer.release(revocation);
        Ok(())
    }

    /// With -e: partitions that start at or past their end offset (the last stable offset
    /// under read_committed) are done at once, with nothing to commit. The consumer would
    /// otherwise wait for their end: librdkafka signals it only at the end itself, never past
    /// it (between the last stable offset and the high watermark, say). Where kctl did not
    /// choose the start, the group's committed offset is where the partition starts.
    fn check_starts(&self, consumer: &Consumer, ends: &BTreeMap<Tp, i64>, state: &mut State) {
        let assigned: Vec<Tp> = match self.group {
            Some(_) => state.assigned(consumer),
            None => ends.keys().copied().collect(),
        };
        let new: Vec<Tp> = assigned
            .into_iter()
            .filter(|p| !state.checked.contains(p))
            .collect();
        if new.is_empty() {
            return;
        }
        let mut starts: BTreeMap<Tp, i64> = new
            .iter()
            .filter_map(|p| Some((*p, *self.known_starts.get(p)?)))
            .collect();
        let unknown: Vec<Tp> = new
            .iter()
            .copied()
            .filter(|p| !starts.contains_key(p))
            .collect();
        if self.group.is_some() && !unknown.is_empty() {
            // Without an answer the partition is read to its end as usual.
            let unknown: Vec<TopicPartition> =
                unknown.iter().map(|p| state.topics.name(*p)).collect();
            if let Ok(committed) = consumer.committed(&unknown, self.client.timeout) {
                starts.extend(committed.iter().map(|(tp, o)| (state.topics.tp(tp), *o)));
                // Reading several topics, the end of a partition that brings no record (empty,
                // or started at its end) cannot be told apart from the same partition of
                // another topic: where the group has no offset, its start is known too.
                if let Some(lows) = &self.lows {
                    for p in &new {
                        if starts.contains_key(p) {
                            continue;
                        }
                        let start = match self.from_beginning {
                            true => lows.get(p).copied(),
                            false => ends.get(p).copied(),
                        };
                        if let Some(start) = start {
                            starts.insert(*p, start);
                        }
                    }
                }
            }
        }
        for p in new {
            state.checked.insert(p);
            match (starts.get(&p), ends.get(&p)) {
                (Some(start), Some(end)) if start >= end => state.skip(consumer, p),
                // A topic the group's pattern matched after the start: -e reads what was there
                // at the start, nothing of it.
                (_, None) => state.skip(consumer, p),
                _ => {}
            }
        }
    }

    /// Marks partitions whose fetch position reached their end offset as done.
    fn check_positions(&self, consumer: &Consumer, ends: &BTreeMap<Tp, i64>, state: &mut State) {
        for (tp, position) in consumer.positions() {
            let p = state.topics.tp(&tp);
            if !state.done.contains(&p) && ends.get(&p).is_some_and(|end| position >= *end) {
                state.finish(consumer, p, ends_of(&self.ends, p));
            }
        }
    }

    /// Group mode: a consumer with no reachable coordinator for its group after --timeout
    /// fails (librdkafka would look for one forever). One whose group is still rebalancing
    /// waits: the coordinator may be waiting for a member to rejoin or time out.
    fn check_join(&self, consumer: &Consumer) -> Result<()> {
        if self.started.elapsed() <= self.client.timeout {
            return Ok(());
        }
        match consumer.group_status() {
            GroupStatus::Joined | GroupStatus::Joining => Ok(()),
            status => Err(self.join_error(status)),
        }
    }

    fn join_error(&self, status: GroupStatus) -> Error {
        let group = self.group.as_deref().unwrap_or_default();
        let brokers = self.client.bootstrap_servers();
        let within = humantime::format_duration(self.client.timeout);
        let timeout = |why: String| {
            let what = format!("cannot join group '{group}'");
            Error::new(ErrorKind::Timeout { what: what.clone() }, what).because(why)
        };
        match status {
            GroupStatus::NoCoordinator => timeout(format!(
                "the cluster at {brokers} named no coordinator for the group within {within}"
            ))
            .with_hint(
                "the brokers answer but the group coordinator is not available: check the \
                 brokers' logs and that __consumer_offsets has a leader for every partition \
                 (`kctl topics describe __consumer_offsets`), or give a longer --timeout",
            ),
            GroupStatus::CoordinatorUnreachable => timeout(format!(
                "its coordinator, named by the cluster at {brokers}, could not be reached \
                 within {within}"
            ))
            .with_hint(
                "check that every broker's advertised address is reachable from here \
                 (`kctl doctor` checks each one), or give a longer --timeout",
            ),
            GroupStatus::Joining => Error::new(
                ErrorKind::Timeout {
                    what: format!("cannot join group '{group}'"),
                },
                format!("cannot join group '{group}' within {within}"),
            )
            .because(format!(
                "its coordinator (found through {brokers}) did not complete the join"
            ))
            .with_hint(
                "the coordinator may be overloaded or not answering: check the brokers \
                 (`kctl doctor`), or give a longer --timeout",
            ),
            GroupStatus::Joined => Error::runtime(format!(
                "no partition of {} was assigned to this member of group '{group}' within \
                 {within}: the group's other members hold every partition",
                self.label
            ))
            .with_hint(format!(
                "see who: kctl groups describe {group}; stop a member, or add partitions"
            )),
        }
    }

    /// With -e: every partition we read has reached its end offset.
    fn all_done(
        &self,
        consumer: &Consumer,
        ends: &BTreeMap<Tp, i64>,
        state: &State,
    ) -> Result<bool> {
        if self.group.is_none() {
            return Ok(ends.keys().all(|p| state.done.contains(p)));
        }
        let assigned = state.assigned(consumer);
        if assigned.is_empty() {
            if self.started.elapsed() > self.client.timeout {
                return Err(self.join_error(consumer.group_status()));
            }
            return Ok(false);
        }
        Ok(assigned.iter().all(|p| state.done.contains(p)))
    }
}

/// With -e: notices partitions that stopped moving. Any record, partition end or change of
/// assignment counts as progress; none for --timeout while partitions are left is a stall.
struct Progress {
    last: Instant,
    assigned: BTreeSet<TopicPartition>,
}

impl Progress {
    fn new(consumer: &Consumer) -> Progress {
        Progress {
            last: Instant::now(),
            assigned: consumer.assigned(),
        }
    }

    fn advanced(&mut self) {
        self.last = Instant::now();
    }

    fn check(
        &mut self,
        consumer: &Consumer,
        timeout: Duration,
        stalled: impl FnOnce() -> Error,
    ) -> Result<()> {
        let assigned = consumer.assigned();
        if assigned != self.assigned || assigned.is_empty() {
            // A new assignment starts afresh; none at all is the join's business.
            self.assigned = assigned;
            self.advanced();
            return Ok(());
        }
        if self.last.elapsed() > timeout {
            return Err(stalled());
        }
        Ok(())
    }
}

/// The end offset of partition `p` taken at the start (with -e).
fn ends_of(ends: &Option<BTreeMap<Tp, i64>>, p: Tp) -> Option<i64> {
    ends.as_ref().and_then(|e| e.get(&p).copied())
}

/// What was printed and committed, per partition (next offsets).
struct State {
    /// Stdout, and which records the reader took.
    sink: Sink<Stdout, Tp>,
    /// The topics' numbers.
    topics: Topics,
    /// Records printed (with a filter: that matched).
    printed: u64,
    /// Records read (with a filter, matched or not).
    scanned: u64,
    /// Next offset per partition of what the reader took: what may be committed.
    flushed: BTreeMap<Tp, i64>,
    /// ... and of what this consumer committed, which only ever moves forward.
    committed: BTreeMap<Tp, i64>,
    last_commit: Instant,
    /// With -e: partitions that reached their end offset.
    done: BTreeSet<Tp>,
    /// With -e: partitions whose start was checked against their end (see
    /// `Job::check_starts`), and the assignment they were checked for.
    checked: BTreeSet<Tp>,
    checked_generation: Option<u64>,
    /// A write to stdout failed: nothing more is written or committed.
    output_failed: bool,
    /// The cluster stopped answering (no progress, no group joined within --timeout).
    cluster_silent: bool,
}

impl State {
    fn new(sink: Sink<Stdout, Tp>, topics: Topics) -> State {
        State {
            sink,
            topics,
            printed: 0,
            scanned: 0,
            flushed: BTreeMap::new(),
            committed: BTreeMap::new(),
            last_commit: Instant::now(),
            done: BTreeSet::new(),
            checked: BTreeSet::new(),
            checked_generation: None,
            output_failed: false,
            cluster_silent: false,
        }
    }

    /// Records that the record at offset `o` of partition `p` was written to the buffer (or
    /// why not).
    fn wrote(&mut self, written: io::Result<()>, p: Tp, o: i64) -> Result<()> {
        written.map_err(|e| self.failed(e))?;
        self.printed += 1;
        self.sink.mark(p, o + 1);
        Ok(())
    }

    fn failed(&mut self, err: io::Error) -> Error {
        self.output_failed = true;
        stdio::stdout_error(err)
    }

    /// What the reader took may now be committed.
    fn absorb(&mut self) {
        for (p, next) in self.sink.taken() {
            let flushed = self.flushed.entry(p).or_insert(next);
            *flushed = (*flushed).max(next);
        }
    }

    /// The printed offsets of `partitions` beyond what was committed.
    fn uncommitted(&self, partitions: &[Tp]) -> BTreeMap<Tp, i64> {
        partitions
            .iter()
            .filter_map(|p| {
                let next = *self.flushed.get(p)?;
                let ahead = self.committed.get(p).is_none_or(|c| next > *c);
                ahead.then_some((*p, next))
            })
            .collect()
    }

    /// Commits what was printed of the partitions the consumer still owns (no-op without a
    /// group); never moves an offset back.
    fn commit(&mut self, consumer: &Consumer) -> Result<()> {
        self.absorb();
        let owned = self.assigned(consumer);
        let offsets = self.uncommitted(&owned);
        self.last_commit = Instant::now();
        if offsets.is_empty() {
            return Ok(());
        }
        consumer.commit(&self.named(offsets.clone()), false)?;
        self.committed.extend(offsets);
        Ok(())
    }

    /// The partitions went to another member: nothing more is committed for them.
    fn forget(&mut self, partitions: &[Tp]) {
        self.absorb();
        for p in partitions {
            self.flushed.remove(p);
            self.committed.remove(p);
            self.done.remove(p);
            self.checked.remove(p);
        }
    }

    /// With -e: partition `p` starts at or past its end: it is done, and nothing of it is
    /// committed (the consumer reached no position of it).
    fn skip(&mut self, consumer: &Consumer, p: Tp) {
        if self.done.insert(p) {
            consumer.pause(&self.topics.name(p));
        }
    }

    /// The partitions assigned to the consumer.
    fn assigned(&self, consumer: &Consumer) -> Vec<Tp> {
        consumer
            .assigned()
            .iter()
            .map(|tp| self.topics.tp(tp))
            .collect()
    }

    /// Offsets by topic name, for the consumer.
    fn named(&self, offsets: BTreeMap<Tp, i64>) -> BTreeMap<TopicPartition, i64> {
        offsets
            .into_iter()
            .map(|(p, o)| (self.topics.name(p), o))
            .collect()
    }

    /// With -e: partition `p` reached its end. Everything before the end was printed (what is
    /// left are control records or compacted gaps), so the end is what the group commits: the
    /// consumer went through it (it started before it, see `Job::check_starts`).
    fn finish(&mut self, consumer: &Consumer, p: Tp, end: Option<i64>) {
        if self.done.insert(p) {
            consumer.pause(&self.topics.name(p));
            if let Some(end) = end {
                // Taken once the reader took every record before it.
                self.sink.mark(p, end);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_parse() {
        assert_eq!(parse_offset("beginning").unwrap(), OffsetArg::Beginning);
        assert_eq!(parse_offset("end").unwrap(), OffsetArg::End);
        assert_eq!(parse_offset("42").unwrap(), OffsetArg::At(42));
        assert_eq!(parse_offset("-5").unwrap(), OffsetArg::Last(5));
        assert_eq!(
            parse_offset("@1700000000000").unwrap(),
            OffsetArg::Timestamp(1_700_000_000_000)
        );
        assert_eq!(
            parse_offset("@-1h").unwrap(),
            OffsetArg::Ago(Duration::from_secs(3600))
        );
        assert_eq!(
            parse_offset("@2023-11-14T22:13:20Z").unwrap(),
            OffsetArg::Timestamp(1_700_000_000_000)
        );
        assert_eq!(
            parse_offset("@1969-12-31T23:59:59.999Z").unwrap(),
            OffsetArg::Timestamp(-1)
        );
        for bad in ["", "x", "-0", "@", "@-soon", "@yesterday"] {
            assert!(parse_offset(bad).is_err(), "{bad}");
        }
    }
}
