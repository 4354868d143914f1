//! `kctl produce TOPIC`: messages from stdin or a file, every delivery accounted for.

pub mod encode;
pub mod input;

use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clap::ValueEnum;
use indicatif::ProgressBar;

use super::record::Record;
use super::Ctx;
use crate::cli::parse_key_value;
use crate::error::{Error, Result};
use crate::kafka::{Compression, DeliveryStats, OutRecord, Producer, ProducerOptions, TopicInfo};
use crate::printer::Printer;
use crate::render::plural;
use input::{Chunked, InputError};

/// How the input is split into messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputMode {
    /// One message per line (or per --delimiter)
    Lines,
    /// A stream of JSON values, each one message sent as its exact text (NDJSON or pretty)
    Json,
    /// The records `kctl consume -o json` prints: key, value, headers, partition, timestamp
    Envelope,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompressionArg {
    None,
    Gzip,
    Snappy,
    Lz4,
    Zstd,
}

impl From<CompressionArg> for Compression {
    fn from(c: CompressionArg) -> Compression {
        match c {
            CompressionArg::None => Compression::None,
            CompressionArg::Gzip => Compression::Gzip,
            CompressionArg::Snappy => Compression::Snappy,
            CompressionArg::Lz4 => Compression::Lz4,
            CompressionArg::Zstd => Compression::Zstd,
        }
    }
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    echo '{\"id\": 1}' | kctl produce orders\n  \
    kctl produce orders --file orders.ndjson\n  \
    kctl produce orders --key-separator : <<< 'user-1:hello'\n  \
    kctl consume a --from-beginning -o json -e | kctl produce b --input envelope")]
pub struct Args {
    /// Topic to write to (it must exist)
    #[arg(value_parser = super::topics::topic_name, add = crate::complete::topic_completer())]
    pub topic: String,

    /// Read messages from this file instead of stdin
    #[arg(short = 'f', long, value_name = "PATH")]
    pub file: Option<PathBuf>,

    /// How to split the input into messages [default: json when the input starts with '{' or
    /// '[', else lines]
    #[arg(long, value_enum, value_name = "MODE")]
    pub input: Option<InputMode>,

    /// Message separator in lines mode; escapes \n \t \r \0 \\ and \xHH work [default: \n]
    #[arg(short = 'D', long, value_name = "SEP", value_parser = parse_separator)]
    pub delimiter: Option<Separator>,

    /// The key of every message
    #[arg(
        short = 'k',
        long,
        value_name = "KEY",
        conflicts_with = "key_separator"
    )]
    pub key: Option<String>,

    /// Split each line into key and value at the first SEP (a line without it has a null key)
    #[arg(short = 'K', long, value_name = "SEP", value_parser = parse_separator)]
    pub key_separator: Option<Separator>,

    /// Add a header to every message (repeatable)
    #[arg(short = 'H', long = "header", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub headers: Vec<(String, String)>,

    /// Write every message to this partition (default: by key hash, spread when no key)
    #[arg(short = 'p', long, value_name = "N", allow_negative_numbers = true,
          value_parser = clap::value_parser!(i32).range(0..))]
    pub partition: Option<i32>,

    /// Compress batches with this codec
    #[arg(short = 'z', long, value_enum, value_name = "CODEC")]
    pub compression: Option<CompressionArg>,

    #[command(flatten)]
    pub schemas: encode::SchemaArgs,
}

/// A separator as bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Separator(pub Vec<u8>);

/// Parses a separator with backslash escapes.
pub fn parse_separator(s: &str) -> std::result::Result<Separator, String> {
    let sep = unescape(s)?;
    if sep.is_empty() {
        return Err("the separator is empty".to_string());
    }
    Ok(Separator(sep))
}

/// Backslash escapes: \n \t \r \0 \\ and \xHH.
pub fn unescape(s: &str) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(s.len());
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let esc = bytes.get(i + 1).copied();
        i += 2;
        match esc {
            Some(b'n') => out.push(b'\n'),
            Some(b't') => out.push(b'\t'),
            Some(b'r') => out.push(b'\r'),
            Some(b'0') => out.push(0),
            Some(b'\\') => out.push(b'\\'),
            Some(b'x') => {
                let hex = s
                    .get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("invalid escape in '{s}': \\x needs two hex digits"))?;
                out.push(hex);
                i += 2;
            }
            Some(c) => return Err(format!("unknown escape '\\{}' in '{s}'", c as char)),
            None => return Err(format!("'{s}' ends with a lone backslash")),
        }
    }
    Ok(out)
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let mode = input_mode(&args)?;
    // Schemas are resolved before anything is produced: a bad subject sends nothing.
    let encoding = encode::prepare(&args.schemas, &args.topic, ctx).await?;
    let key = match (&encoding, args.key.clone()) {
        (Some(encoding), Some(key)) if encoding.key.is_some() => Some(
            encoding
                .key(key.as_bytes())
                .map_err(|e| Error::usage(format!("--key: {e}")))?
                .unwrap_or_default(),
        ),
        (_, key) => key.map(String::into_bytes),
    };
    let (reader, size) = open_input(&args)?;
    // The topic's limits, to keep records the broker would refuse (and the valid records
    // batched with them) from being sent.
    let kafka = ctx.kafka()?;
    let checked = tokio::try_join!(
        kafka.topic_for(&args.topic, crate::kafka::Operation::Write),
        async { Ok(topic_limits(kafka, &args.topic).await) },
    );
    let (topic, limits) = match checked {
        Ok(checked) => checked,
        Err(e) => return Err(colliding(kafka, &args.topic, e).await),
    };
    let compressed = args.compression.is_some_and(|c| c != CompressionArg::None)
        || ctx
            .client()?
            .user_property("compression.type")
            .is_some_and(|c| c != "none");
    let producer = Arc::new(Producer::new(
        ctx.client()?,
        ProducerOptions {
            topic: args.topic.clone(),
            compression: args.compression.map(Into::into),
            headers: args
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), Some(v.clone().into_bytes())))
                .collect(),
        },
        limits.max_message_bytes,
    )?);
    // The producer connects (and gets its producer id) while the input starts being read.
    let warming = producer.clone();
    let timeout = ctx.settings.timeout;
    tokio::task::spawn_blocking(move || warming.warm_up(timeout));

    producer.spread_over(topic.partitions.len() as i32);
    let acks_all = ctx
        .client()?
        .user_property("acks")
        .is_none_or(|a| a == "all" || a == "-1");
    let short = short_of_replicas(&topic, &limits).filter(|_| acks_all);
    if let Some(missing) = args.partition.and_then(|p| topic.missing_partition(&[p])) {
        return Err(missing.error());
    }

    let stop = Arc::new(AtomicBool::new(false));
    let bar = args
        .file
        .as_ref()
        .map(|_| ctx.printer.progress(size, "bytes"));
    let job = Job {
        producer: producer.clone(),
        stop: stop.clone(),
        mode,
        delimiter: args.delimiter.map_or_else(|| b"\n".to_vec(), |d| d.0),
        key,
        encoding,
        key_separator: args.key_separator.map(|s| s.0),
        partition: args.partition,
        topic,
        limits: Limits {
            // Compressed, a record larger than the limit may still fit.
            max_message_bytes: limits.max_message_bytes.filter(|_| !compressed),
            ..limits
        },
        refused: AtomicU64::new(0),
        printer: ctx.printer.clone(),
        bar: bar.clone(),
        source: args
            .file
            .as_ref()
            .map_or_else(|| "stdin".to_string(), |p| format!("'{}'", p.display())),
    };
    let (outcome, interrupted) = read_all(job, reader, stop, ctx).await;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }

    // Wait for every delivery report: on Ctrl-C bounded by --timeout, otherwise by the
    // delivery timeout each message has anyway, plus a margin: librdkafka checks for timed-out
    // messages once a second, later still on a starved machine.
    let wait = if interrupted {
        ctx.settings.timeout
    } else {
        producer.delivery_timeout() + REPORT_MARGIN
    };
    let flushing = producer.clone();
    let pending = tokio::task::spawn_blocking(move || flushing.flush(wait))
        .await
        .map_err(|e| Error::runtime(format!("internal error: {e}")))?;
    let delivery = Delivery {
        stats: producer.stats(),
        sent: producer.sent(),
        pending,
        wait,
    };
    producer.close_in_background();
    ctx.printer.note(delivery.summary());

    outcome?;
    if interrupted {
        return Err(ctx.interrupt.error());
    }
    delivery.check(&args.topic).map_err(|e| match short {
        Some(why) => e.because(why),
        None => e,
    })
}

/// How the input is split: `--delimiter` and `--key-separator` only make sense for lines, so
/// they choose lines mode; `None` decides by the input's first character.
fn input_mode(args: &Args) -> Result<Option<InputMode>> {
    let lines_only = args.delimiter.is_some() || args.key_separator.is_some();
    match args.input {
        Some(m) if m != InputMode::Lines && lines_only => Err(Error::usage(
            "--delimiter and --key-separator apply to --input lines only",
        )),
        Some(InputMode::Envelope) if args.key.is_some() => Err(Error::usage(
            "--key cannot be used with --input envelope (each record has its own key)",
        )),
        Some(m) => Ok(Some(m)),
        None if lines_only => Ok(Some(InputMode::Lines)),
        None => Ok(None),
    }
}

/// The input: `--file` (with its size, for the progress bar), or stdin.
fn open_input(args: &Args) -> Result<(Box<dyn Read + Send>, Option<u64>)> {
    let Some(path) = &args.file else {
        return Ok((Box::new(std::io::stdin()), None));
    };
    let file = File::open(path)
        .map_err(|e| Error::runtime(format!("cannot open '{}': {e}", path.display())))?;
    let meta = file.metadata().ok();
    if meta.as_ref().is_some_and(|m| m.is_dir()) {
        return Err(Error::runtime(format!(
            "cannot read '{}': it is a directory",
            path.display()
        )));
    }
    Ok((Box::new(file), meta.map(|m| m.len())))
}

/// Reads and sends the whole input on a blocking thread, until its end or Ctrl-C (then the
/// reader stops at its next message). The reading's outcome, and whether it was interrupted.
async fn read_all(
    job: Job,
    reader: Box<dyn Read + Send>,
    stop: Arc<AtomicBool>,
    ctx: &Ctx,
) -> (Result<()>, bool) {
    let mut reading = tokio::task::spawn_blocking(move || job.run(reader));
    tokio::select! {
        r = &mut reading => {
            (r.unwrap_or_else(|e| Err(Error::runtime(format!("internal error: {e}")))), false)
        }
        _ = ctx.interrupt.cancelled() => {
            stop.store(true, Ordering::Relaxed);
            // The reader stops at its next message; one blocked reading a terminal does not.
            let _ = tokio::time::timeout(Duration::from_millis(200), &mut reading).await;
            (Ok(()), true)
        }
    }
}

/// How the deliveries went, once kctl stopped waiting for their reports.
struct Delivery {
    stats: DeliveryStats,
    /// How many messages were queued.
    sent: u64,
    /// Messages whose report had not come when kctl stopped waiting.
    pending: u64,
    /// How long kctl waited for reports.
    wait: Duration,
}

impl Delivery {
    /// `delivered N, failed M[, possibly delivered P][, unconfirmed U]`.
    fn summary(&self) -> String {
        let mut summary = format!(
            "delivered {}, failed {}",
            self.stats.delivered, self.stats.failed
        );
        if self.stats.uncertain > 0 {
            summary.push_str(&format!(", possibly delivered {}", self.stats.uncertain));
        }
        if self.pending > 0 {
            summary.push_str(&format!(", unconfirmed {}", self.pending));
        }
        summary
    }

    /// An error unless every message was delivered: how many were not, and why.
    fn check(&self, topic: &str) -> Result<()> {
        // A message without a report may have been sent: it counts with those never
        // acknowledged.
        let (sent, pending) = (self.sent, self.pending);
        let undelivered = self.stats.failed;
        let uncertain = self.stats.uncertain + pending;
        if undelivered + uncertain == 0 {
            return Ok(());
        }
        let mut reasons: Vec<String> = self
            .stats
            .errors
            .iter()
            .map(|(m, n)| format!("{m} ({n})"))
            .collect();
        if pending > 0 {
            reasons.push(format!(
                "no delivery report within {} ({pending})",
                humantime::format_duration(self.wait)
            ));
        }
        let reasons = reasons.join("; ");
        if uncertain == 0 {
            return Err(Error::runtime(format!(
                "{undelivered} of {sent} messages were not delivered to '{topic}': {reasons}"
            )));
        }
        // Sent but never acknowledged: the broker may have written them, and sending them
        // again would duplicate those it did.
        let message = if undelivered == 0 {
            format!(
                "{uncertain} of {sent} messages may not have been delivered to '{topic}' \
                 (sent, but never acknowledged): {reasons}"
            )
        } else {
            format!(
                "{undelivered} of {sent} messages were not delivered to '{topic}', and \
                 {uncertain} more may not have been (sent, but never acknowledged): {reasons}"
            )
        };
        Err(Error::runtime(message).with_hint(
            "messages sent but never acknowledged may be in the topic all the same: check before \
             sending them again",
        ))
    }
}

/// How long after the delivery timeout kctl still waits for delivery reports.
const REPORT_MARGIN: Duration = Duration::from_secs(5);

/// What the topic accepts, as far as kctl could read its configs (a producer may not be
/// allowed to: then the broker alone decides).
#[derive(Debug, Clone, Copy, Default)]
struct Limits {
    /// max.message.bytes: the largest record batch.
    max_message_bytes: Option<u64>,
    /// cleanup.policy includes compact: records need a key.
    compacted: bool,
    /// min.insync.replicas: with acks=all, a partition with fewer in-sync replicas takes no
    /// writes.
    min_insync_replicas: Option<usize>,
}

async fn topic_limits(kafka: &crate::kafka::Kafka, topic: &str) -> Limits {
    let resource = crate::kafka::ConfigResource::Topic(topic.to_string());
    let Ok(configs) = kafka.resource_configs(&resource).await else {
        return Limits::default();
    };
    let value = |name: &str| {
        configs
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.value.clone())
    };
    Limits {
        max_message_bytes: value("max.message.bytes").and_then(|v| v.parse().ok()),
        compacted: value("cleanup.policy")
            .is_some_and(|v| v.split(',').any(|p| p.trim() == "compact")),
        min_insync_replicas: value("min.insync.replicas").and_then(|v| v.parse().ok()),
    }
}

/// A missing topic whose name collides with an existing one's ('.' and '_' are the same in
/// Kafka's metric names, so Kafka creates only one of `a.b` and `a_b`): says which, since
/// creating it would be refused as an invalid topic.
async fn colliding(kafka: &crate::kafka::Kafka, name: &str, err: Error) -> Error {
    if !matches!(err.kind(), crate::error::ErrorKind::NotFound { .. }) {
        return err;
    }
    let same = |n: &str| n.replace('.', "_");
    let Ok(names) = kafka.topic_names().await else {
        return err;
    };
    match names.iter().find(|n| *n != name && same(n) == same(name)) {
        Some(other) => err
            .because(format!(
                "it collides with the existing topic '{other}': Kafka takes '.' and '_' as \
                 the same in topic names, and refuses to create '{name}' (invalid topic)"
            ))
            .with_hint(format!("did you mean '{other}'?")),
        None => err,
    }
}

/// Why Kafka refuses writes to the topic with acks=all, when it does: a partition with fewer
/// in-sync replicas than min.insync.replicas (Kafka answers NOT_ENOUGH_REPLICAS, which
/// librdkafka retries until the messages time out).
fn short_of_replicas(topic: &TopicInfo, limits: &Limits) -> Option<String> {
    let min = limits.min_insync_replicas?;
    let short: Vec<String> = topic
        .partitions
        .iter()
        // Kafka 4 takes at most the replication factor (KIP-966).
        .filter(|p| p.isr.len() < min.min(p.replicas.len()))
        .map(|p| format!("{} ({} in sync)", p.id, p.isr.len()))
        .collect();
    if short.is_empty() {
        return None;
    }
    let shown: Vec<&str> = short.iter().take(5).map(String::as_str).collect();
    Some(format!(
        "when kctl started, {} {}{} had fewer in-sync replicas than the topic's \
         min.insync.replicas ({min}): Kafka refuses writes with acks=all to such a partition \
         (not enough replicas) until enough replicas are back in sync",
        plural(short.len(), "partition", "partitions"),
        shown.join(", "),
        if short.len() > shown.len() {
            ", ..."
        } else {
            ""
        },
    ))
}

/// Messages queued in one batch, at most.
const BATCH: usize = 1024;

/// A message read ahead, not queued yet: ranges of the input's buffer (its key: `None` is the
/// producer's `--key`, or no key with `--key-separator`).
struct Pending {
    key: Option<std::ops::Range<usize>>,
    value: std::ops::Range<usize>,
}

/// Refused records named on stderr, one warning each, up to this many.
const REFUSALS_SHOWN: u64 = 10;

/// The reading side of a produce: runs on a blocking thread.
struct Job {
    producer: Arc<Producer>,
    stop: Arc<AtomicBool>,
    mode: Option<InputMode>,
    delimiter: Vec<u8>,
    key: Option<Vec<u8>>,
    key_separator: Option<Vec<u8>>,
    partition: Option<i32>,
    /// The topic written to, as the metadata describes it.
    topic: TopicInfo,
    limits: Limits,
    /// Records not sent because the topic would refuse them.
    refused: AtomicU64,
    printer: Printer,
    bar: Option<ProgressBar>,
    /// What is read, for messages: `stdin` or the quoted path.
    source: String,
    /// Keys and values to encode by a schema.
    encoding: Option<encode::Encoding>,
}

impl Job {
    fn run(self, reader: Box<dyn Read + Send>) -> Result<()> {
        let mut input = Chunked::new(reader);
        let mode = match self.mode {
            Some(m) => m,
            None => match input.first_non_blank().map_err(|e| self.io_error(e))? {
                Some(b'{') | Some(b'[') => InputMode::Json,
                _ => InputMode::Lines,
            },
        };
        if self.encoding.is_none() && mode != InputMode::Envelope {
            return self.run_batched(&mut input, mode);
        }
        let mut count: u64 = 0;
        while !self.stop.load(Ordering::Relaxed) {
            let more = match mode {
                InputMode::Lines => self.next_line(&mut input)?,
                InputMode::Json => self.next_json(&mut input)?,
                InputMode::Envelope => self.next_envelope(&mut input)?,
            };
            if !more {
                break;
            }
            count += 1;
            if count % 4096 == 0 {
                if let Some(bar) = &self.bar {
                    bar.set_position(input.consumed());
                }
            }
        }
        Ok(())
    }

    /// Lines and JSON values without schemas: the messages the buffer holds are queued in
    /// batches ([`Producer::send_batch`]), each batch sent before the buffer is refilled (its
    /// records are slices of it); a message the buffer does not hold whole is read, or found
    /// invalid, the usual way.
    fn run_batched<R: Read>(&self, input: &mut Chunked<R>, mode: InputMode) -> Result<()> {
        let mut pending: Vec<Pending> = Vec::with_capacity(BATCH);
        let mut count: u64 = 0;
        while !self.stop.load(Ordering::Relaxed) {
            let next = match mode {
                InputMode::Json => input.buffered_json(),
                _ => input.buffered_delimited(&self.delimiter),
            };
            let Some(range) = next else {
                self.flush(input, &mut pending)?;
                let more = match mode {
                    InputMode::Json => self.next_json(input)?,
                    _ => self.next_line(input)?,
                };
                if !more {
                    break;
                }
                count += 1;
                continue;
            };
            let record = match (mode, &self.key_separator) {
                (InputMode::Lines, Some(sep)) => {
                    let message = input.slice(range.clone());
                    match memchr::memmem::find(message, sep) {
                        Some(i) => Pending {
                            key: Some(range.start..range.start + i),
                            value: range.start + i + sep.len()..range.end,
                        },
                        None => Pending {
                            key: None,
                            value: range,
                        },
                    }
                }
                _ => Pending {
                    key: None,
                    value: range,
                },
            };
            // One the topic would refuse is counted and named in its place, in order.
            if self.refusal(&self.out_record(input, &record)).is_some() {
                self.flush(input, &mut pending)?;
                let at = || input.position_at(record.value.start);
                self.send(&self.out_record(input, &record), at)?;
            } else {
                pending.push(record);
                if pending.len() == BATCH {
                    self.flush(input, &mut pending)?;
                }
            }
            count += 1;
            if count % 4096 == 0 {
                if let Some(bar) = &self.bar {
                    bar.set_position(input.consumed());
                }
            }
        }
        self.flush(input, &mut pending)
    }

    /// A message read ahead as the record it is.
    fn out_record<'a, R: Read>(&'a self, input: &'a Chunked<R>, p: &Pending) -> OutRecord<'a> {
        let key = match &p.key {
            Some(range) => Some(input.slice(range.clone())),
            None if self.key_separator.is_some() => None,
            None => self.key.as_deref(),
        };
        OutRecord {
            key,
            value: Some(input.slice(p.value.clone())),
            partition: self.partition,
            ..OutRecord::default()
        }
    }

    /// Queues the messages read ahead, in one batch.
    fn flush<R: Read>(&self, input: &Chunked<R>, pending: &mut Vec<Pending>) -> Result<()> {
        if pending.is_empty() {
            return Ok(());
        }
        let records: Vec<OutRecord<'_>> =
            pending.iter().map(|p| self.out_record(input, p)).collect();
        let sent = self.producer.send_batch(&records);
        let result = sent.map_err(|(i, e)| self.queue_error(&records[i], e));
        pending.clear();
        result
    }

    fn next_line<R: Read>(&self, input: &mut Chunked<R>) -> Result<bool> {
        let Some(range) = input
            .next_delimited(&self.delimiter)
            .map_err(|e| self.io_error(e))?
        else {
            return Ok(false);
        };
        let at = || input.position_at(range.start);
        let message = input.slice(range.clone());
        let (key, value) = match &self.key_separator {
            Some(sep) => match memchr::memmem::find(message, sep) {
                Some(i) => (Some(&message[..i]), &message[i + sep.len()..]),
                None => (None, message),
            },
            None => (self.key.as_deref(), message),
        };
        if let Some(encoding) = &self.encoding {
            let invalid = |message: String| {
                let at = input.position_at(range.start);
                self.input_error("record", InputError::Invalid { at, message })
            };
            let encoded_key = match self.key_separator {
                Some(_) => key
                    .map(|k| encoding.key(k))
                    .transpose()
                    .map_err(invalid)?
                    .flatten(),
                None => None,
            };
            let encoded_value = encoding.value(value).map_err(invalid)?;
            self.send(
                &OutRecord {
                    key: encoded_key.as_deref().or(key),
                    value: Some(encoded_value.as_deref().unwrap_or(value)),
                    partition: self.partition,
                    ..OutRecord::default()
                },
                at,
            )?;
            return Ok(true);
        }
        self.send(
            &OutRecord {
                key,
                value: Some(value),
                partition: self.partition,
                ..OutRecord::default()
            },
            at,
        )?;
        Ok(true)
    }

    fn next_json<R: Read>(&self, input: &mut Chunked<R>) -> Result<bool> {
        let Some(range) = input.next_json().map_err(|e| self.input_error("JSON", e))? else {
            return Ok(false);
        };
        let at = || input.position_at(range.start);
        let encoded = match &self.encoding {
            Some(encoding) => encoding
                .value(input.slice(range.clone()))
                .map_err(|message| {
                    let at = input.position_at(range.start);
                    self.input_error("record", InputError::Invalid { at, message })
                })?,
            None => None,
        };
        self.send(
            &OutRecord {
                key: self.key.as_deref(),
                value: Some(encoded.as_deref().unwrap_or(input.slice(range.clone()))),
                partition: self.partition,
                ..OutRecord::default()
            },
            at,
        )?;
        Ok(true)
    }

    fn next_envelope<R: Read>(&self, input: &mut Chunked<R>) -> Result<bool> {
        let Some(range) = input.next_json().map_err(|e| self.input_error("JSON", e))? else {
            return Ok(false);
        };
        let at = || input.position_at(range.start);
        if input.slice(range.clone()).first() != Some(&b'{') {
            // serde would read an array as the struct's fields in order.
            return Err(self.input_error(
                "record",
                InputError::Invalid {
                    at: at(),
                    message: "expected a JSON object such as {\"key\": \"k\", \"value\": \"v\"}"
                        .to_string(),
                },
            ));
        }
        let record: Record<'_> =
            serde_json::from_slice(input.slice(range.clone())).map_err(|e| {
                self.input_error(
                    "record",
                    InputError::Invalid {
                        at: input::relative(at(), e.line() as u64, e.column() as u64),
                        message: input::json_message(&e),
                    },
                )
            })?;
        let invalid =
            |message: String| self.input_error("record", InputError::Invalid { at: at(), message });
        let (encoded_key, encoded_value) = match &self.encoding {
            Some(encoding) => encoding.envelope(&record).map_err(invalid)?,
            None => (None, None),
        };
        let key = match encoded_key {
            Some(k) => Some(std::borrow::Cow::Owned(k)),
            None => record.key_bytes().map_err(invalid)?,
        };
        let value = match encoded_value {
            Some(v) => Some(std::borrow::Cow::Owned(v)),
            None => record.value_bytes().map_err(invalid)?,
        };
        let mut headers = Vec::with_capacity(record.headers.as_ref().map_or(0, Vec::len));
        for h in record.headers.iter().flatten() {
            let value = h
                .value_bytes()
                .map_err(|m| invalid(format!("{m} (header '{}')", h.key)))?;
            headers.push((h.key.as_ref(), value));
        }
        let partition = match (self.partition, record.partition) {
            (Some(p), _) => Some(p),
            (None, Some(p)) => match self.topic.missing_partition(&[p]) {
                // (This input's own wording, which its tests pin.)
                Some(missing) => {
                    return Err(invalid(format!(
                        "partition {p} does not exist (the topic has {} {})",
                        missing.count,
                        plural(missing.count, "partition", "partitions")
                    )))
                }
                None => Some(p),
            },
            (None, p) => p,
        };
        let header_refs: Vec<(&str, Option<&[u8]>)> =
            headers.iter().map(|(k, v)| (*k, v.as_deref())).collect();
        self.send(
            &OutRecord {
                key: key.as_deref(),
                value: value.as_deref(),
                partition,
                timestamp: record.timestamp.0,
                headers: &header_refs,
            },
            at,
        )?;
        Ok(true)
    }

    /// Sends a record read at `at`, unless the topic would refuse it: then it is counted as
    /// failed and named on stderr, and the records around it are sent.
    fn send(&self, record: &OutRecord<'_>, at: impl FnOnce() -> input::Position) -> Result<()> {
        if let Some((reason, detail)) = self.refusal(record) {
            self.producer.refuse(&reason);
            let refused = self.refused.fetch_add(1, Ordering::Relaxed) + 1;
            if refused <= REFUSALS_SHOWN {
                let at = at();
                self.printer.warn(format!(
                    "message {} (line {}) not sent: {detail}",
                    self.producer.sent(),
                    at.line
                ));
            } else if refused == REFUSALS_SHOWN + 1 {
                self.printer
                    .warn("more messages not sent: they are counted in the summary");
            }
            return Ok(());
        }
        self.producer
            .send(record)
            .map_err(|e| self.queue_error(record, e))
    }

    /// `record` could not be queued, for reason `e`.
    fn queue_error(&self, record: &OutRecord<'_>, e: Error) -> Error {
        let bytes = record.key.map_or(0, <[u8]>::len) + record.value.map_or(0, <[u8]>::len);
        let sent = self.producer.sent();
        let message = format!(
            "cannot queue message {} ({bytes} bytes): {} ({})",
            sent + 1,
            e.message(),
            self.sent_before()
        );
        match e.hint() {
            Some(hint) => Error::runtime(message).with_hint(hint),
            None => Error::runtime(message),
        }
    }

    /// Why the topic would refuse `record`, if it would: the reason (the same for every such
    /// record) and what it is about this one.
    fn refusal(&self, record: &OutRecord<'_>) -> Option<(String, String)> {
        if self.limits.compacted && record.key.is_none() {
            let reason = "no key, which a compacted topic (cleanup.policy=compact) requires";
            return Some((reason.to_string(), format!("it has {reason}")));
        }
        let max = self.limits.max_message_bytes?;
        let size = self.producer.batch_bytes(record);
        (size > max).then(|| {
            let reason = format!("larger than the topic's max.message.bytes ({max} bytes)");
            let detail = format!("{size} bytes with its batch header, {reason}");
            (reason, detail)
        })
    }

    fn sent_before(&self) -> String {
        let n = self.producer.sent();
        let (messages, were) = match n {
            1 => ("message", "was"),
            _ => ("messages", "were"),
        };
        format!("{n} {messages} {were} sent before it")
    }

    fn io_error(&self, e: std::io::Error) -> Error {
        Error::runtime(format!(
            "cannot read {}: {e} ({})",
            self.source,
            self.sent_before()
        ))
    }

    fn input_error(&self, what: &str, e: InputError) -> Error {
        match e {
            InputError::Io(e) => self.io_error(e),
            InputError::Invalid { at, message } => Error::invalid_input(
                Some((at.line, at.column)),
                format!("invalid {what} at {at}: {message} ({})", self.sent_before()),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_short_of_in_sync_replicas_are_named() {
        let partition = |id, replicas: &[i32], isr: &[i32]| crate::kafka::PartitionInfo {
            id,
            leader: isr.first().copied(),
            replicas: replicas.to_vec(),
            isr: isr.to_vec(),
            error: None,
        };
        let topic = TopicInfo {
            name: "t".into(),
            partitions: vec![partition(0, &[1, 2], &[1, 2]), partition(1, &[1, 2], &[1])],
            error: None,
        };
        let limits = |min| Limits {
            min_insync_replicas: Some(min),
            ..Limits::default()
        };
        let why = short_of_replicas(&topic, &limits(2)).unwrap();
        assert!(why.contains("partition 1 (1 in sync)"), "{why}");
        assert!(why.contains("min.insync.replicas (2)"), "{why}");
        assert_eq!(short_of_replicas(&topic, &limits(1)), None);
        // Kafka 4 takes at most the replication factor.
        let single = TopicInfo {
            partitions: vec![partition(0, &[1], &[1])],
            ..topic
        };
        assert_eq!(short_of_replicas(&single, &limits(2)), None);
    }

    #[test]
    fn separators_unescape() {
        assert_eq!(parse_separator("\\n").unwrap().0, b"\n");
        assert_eq!(parse_separator("\\t|\\x00\\\\").unwrap().0, b"\t|\0\\");
        assert_eq!(parse_separator("::").unwrap().0, b"::");
        assert!(parse_separator("").is_err());
        assert!(parse_separator("\\q").is_err());
        assert!(parse_separator("\\x4").is_err());
        assert!(parse_separator("a\\").is_err());
    }
}
