//! `kctl consume TOPIC`: records on stdout, as values, JSON lines or a format string.

pub mod format;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufWriter, Write};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio_util::sync::CancellationToken;

use super::Ctx;
use crate::error::{Error, Result};
use crate::kafka::{Consumer, GroupStatus, Kafka, OffsetSpec, Polled, ReadMode, StartOffset};
use crate::settings::{OutputFormat, Settings};
use format::{Format, Output};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl consume orders --from-beginning -e\n  \
    kctl consume orders -g order-tracker --from-beginning\n  \
    kctl consume orders --offset -10 -e --format '%p:%o %k=%v\\n'\n  \
    kctl consume orders --offset @-1h -o json | jq .value")]
pub struct Args {
    /// Topic to read
    #[arg(value_parser = super::topics::topic_name, add = crate::complete::topic_completer())]
    pub topic: String,

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
          value_parser = super::groups::group_name)]
    pub group: Option<String>,

    /// Print each record with kcat-style directives: %t topic, %p partition, %o offset, %k key,
    /// %v (or %s) value, %h headers, %T timestamp, %K/%S key/value length; \n \t \\ escapes
    #[arg(long, value_name = "FORMAT", value_parser = Format::parse)]
    pub format: Option<Format>,
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
    if let Some(t) = s.strip_prefix('@') {
        if let Some(ago) = t.strip_prefix('-') {
            let d = humantime::parse_duration(ago).map_err(|e| bad(&e.to_string()))?;
            return Ok(OffsetArg::Ago(d));
        }
        if let Ok(ms) = t.parse::<i64>() {
            return Ok(OffsetArg::Timestamp(ms));
        }
        let time = humantime::parse_rfc3339_weak(t).map_err(|e| bad(&e.to_string()))?;
        let ms = time
            .duration_since(UNIX_EPOCH)
            .map_err(|_| bad("before 1970"))?
            .as_millis() as i64;
        return Ok(OffsetArg::Timestamp(ms));
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

    let kafka = ctx.kafka()?;
    let topic = kafka.topic(&args.topic).await?;
    let all: Vec<i32> = topic.partitions.iter().map(|p| p.id).collect();
    let selected: Vec<i32> = if args.partitions.is_empty() {
        all.clone()
    } else {
        let mut selected = args.partitions.clone();
        selected.sort_unstable();
        selected.dedup();
        if let Some(p) = selected.iter().find(|p| !all.contains(p)) {
            return Err(Error::runtime(format!(
                "partition {p} of topic '{}' does not exist: it has {} partition{}",
                args.topic,
                all.len(),
                if all.len() == 1 { "" } else { "s" }
            )));
        }
        selected
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
    let need_bounds = args.group.is_none() || matches!(wanted, Some(OffsetArg::At(_)));
    let bounds = if need_bounds {
        let (low, high) = tokio::try_join!(
            offsets(kafka, &args.topic, &selected, OffsetSpec::Earliest),
            offsets(kafka, &args.topic, &selected, OffsetSpec::Latest),
        )?;
        Some((low, high))
    } else {
        None
    };
    let starts = match wanted {
        Some(o) => Some(resolve_starts(kafka, &args.topic, &selected, o, bounds.as_ref()).await?),
        None => None,
    };
    let ends = match (&bounds, args.exit) {
        (_, false) => None,
        (Some((_, high)), true) => Some(high.clone()),
        (None, true) => Some(offsets(kafka, &args.topic, &selected, OffsetSpec::Latest).await?),
    };
    let mode = match &args.group {
        Some(group) => ReadMode::Group {
            group: group.clone(),
            from_beginning: args.from_beginning,
            starts,
        },
        None => ReadMode::Assign(starts.unwrap_or_default()),
    };
    let job = Job {
        settings: ctx.settings.clone(),
        topic: args.topic.clone(),
        group: args.group.clone(),
        mode,
        output,
        ends,
        max: args.max_messages,
        interrupt: ctx.interrupt.clone(),
    };
    tokio::task::spawn_blocking(move || job.run())
        .await
        .map_err(|e| Error::runtime(format!("internal error: {e}")))?
}

/// One ListOffsets call for the selected partitions; any partition's failure is an error.
async fn offsets(
    kafka: &Kafka,
    topic: &str,
    partitions: &[i32],
    spec: OffsetSpec,
) -> Result<BTreeMap<i32, i64>> {
    let tps: Vec<(String, i32)> = partitions.iter().map(|p| (topic.to_string(), *p)).collect();
    let listed = kafka.list_offsets(&tps, spec).await?;
    let mut out = BTreeMap::new();
    for ((_, p), result) in listed {
        let offset = result.map_err(|e| {
            Error::runtime(format!(
                "cannot list the offsets of partition {p} of '{topic}': {e}"
            ))
        })?;
        out.insert(p, offset);
    }
    Ok(out)
}

/// The earliest and the latest offset of each partition.
type Bounds = (BTreeMap<i32, i64>, BTreeMap<i32, i64>);

/// Turns `--offset` into a start offset per partition. With `bounds` (the earliest and latest
/// offset of each partition) every start is an absolute offset within them.
async fn resolve_starts(
    kafka: &Kafka,
    topic: &str,
    partitions: &[i32],
    offset: OffsetArg,
    bounds: Option<&Bounds>,
) -> Result<BTreeMap<i32, StartOffset>> {
    let found = match offset {
        OffsetArg::Timestamp(_) | OffsetArg::Ago(_) => {
            let ms = match offset {
                OffsetArg::Timestamp(ms) => ms,
                OffsetArg::Ago(d) => SystemTime::now()
                    .checked_sub(d)
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_millis() as i64),
                _ => unreachable!(),
            };
            Some(offsets(kafka, topic, partitions, OffsetSpec::Timestamp(ms)).await?)
        }
        _ => None,
    };
    let start = |p: i32| -> StartOffset {
        let logical = match offset {
            OffsetArg::Beginning => StartOffset::Beginning,
            OffsetArg::End => StartOffset::End,
            OffsetArg::Last(n) => StartOffset::Tail(n),
            OffsetArg::At(n) => StartOffset::At(n),
            OffsetArg::Timestamp(_) | OffsetArg::Ago(_) => {
                match found.as_ref().and_then(|f| f.get(&p)) {
                    Some(o) if *o >= 0 => StartOffset::At(*o),
                    // No record at or after that time: start at the end.
                    _ => StartOffset::End,
                }
            }
        };
        let Some((low, high)) = bounds else {
            return logical;
        };
        let lo = low.get(&p).copied().unwrap_or(0);
        let hi = high.get(&p).copied().unwrap_or(lo).max(lo);
        // Out-of-range offsets start at the nearest end rather than wherever
        // auto.offset.reset would.
        StartOffset::At(match logical {
            StartOffset::Beginning => lo,
            StartOffset::End => hi,
            StartOffset::Tail(n) => hi.saturating_sub(n).max(lo),
            StartOffset::At(n) => n.clamp(lo, hi),
        })
    };
    Ok(partitions.iter().map(|p| (*p, start(*p))).collect())
}

/// The consuming side: runs on a blocking thread, owns the consumer and stdout.
struct Job {
    settings: Settings,
    topic: String,
    group: Option<String>,
    mode: ReadMode,
    output: Output,
    /// With -e: the end offset of each partition when the command started.
    ends: Option<BTreeMap<i32, i64>>,
    max: Option<u64>,
    interrupt: CancellationToken,
}

/// How often printed offsets are committed (besides at the end).
const COMMIT_INTERVAL: Duration = Duration::from_secs(1);
/// How long a poll waits when nothing is buffered.
const IDLE_POLL: Duration = Duration::from_millis(100);

impl Job {
    fn run(self) -> Result<()> {
        let mut consumer = Consumer::new(&self.settings, &self.topic, self.mode.clone())?;
        let stdout = io::stdout();
        let mut out = BufWriter::with_capacity(256 * 1024, stdout.lock());
        let mut state = State {
            printed: 0,
            written: BTreeMap::new(),
            flushed: BTreeMap::new(),
            committed: BTreeMap::new(),
            last_commit: Instant::now(),
            done: BTreeSet::new(),
        };
        let result = self.consume(&mut consumer, &mut out, &mut state);
        // Whatever happened, what reached stdout is committed (never more).
        let flushed = match &result {
            Err(e) if e.kind() == crate::error::ErrorKind::BrokenPipe => false,
            _ => out.flush().is_ok(),
        };
        if flushed {
            state.flushed.append(&mut state.written);
        }
        let committed = if state.flushed != state.committed {
            consumer.commit(&state.flushed, true)
        } else {
            Ok(())
        };
        consumer.close();
        result?;
        if !flushed {
            out.flush()?;
        }
        committed
    }

    fn consume<W: Write>(
        &self,
        consumer: &mut Consumer,
        out: &mut W,
        state: &mut State,
    ) -> Result<()> {
        let started = Instant::now();
        let mut wait = Duration::ZERO;
        let mut polls: u64 = 0;
        let mut done_before = usize::MAX;
        loop {
            // Checked when idle and now and then: cheap enough, and never per message.
            let idle = !wait.is_zero();
            polls += 1;
            if (idle || polls % 256 == 0) && self.interrupt.is_cancelled() {
                return Err(Error::interrupted());
            }
            if self.max.is_some_and(|max| state.printed >= max) {
                return Ok(());
            }
            if idle && self.group.is_some() {
                self.check_join(consumer, started)?;
            }
            if let Some(ends) = &self.ends {
                if idle || state.done.len() != done_before {
                    done_before = state.done.len();
                    if self.all_done(consumer, ends, state, started)? {
                        return Ok(());
                    }
                }
            }
            match consumer.poll(wait)? {
                Polled::Record(record) => {
                    wait = Duration::ZERO;
                    let (p, o) = (record.partition(), record.offset());
                    let end = self.ends.as_ref().and_then(|e| e.get(&p).copied());
                    if end.is_some_and(|end| o >= end) {
                        // Past the snapshot: not part of this run.
                        drop(record);
                        state.finish(consumer, p, ends_of(&self.ends, p));
                        continue;
                    }
                    self.output.write(out, &record)?;
                    // The record borrows the consumer: done with it before using the consumer.
                    drop(record);
                    state.printed += 1;
                    state.written.insert(p, o + 1);
                    if end.is_some_and(|end| o + 1 >= end) {
                        state.finish(consumer, p, ends_of(&self.ends, p));
                    }
                }
                Polled::PartitionEnd(p) => {
                    // The fetcher reached the partition's end, which is at or past the end
                    // taken at the start: this partition is done (control records, compacted
                    // gaps and empty partitions included).
                    if self.ends.as_ref().is_some_and(|e| e.contains_key(&p)) {
                        state.finish(consumer, p, ends_of(&self.ends, p));
                    }
                }
                Polled::Idle => {
                    if wait.is_zero() {
                        // Caught up: hand what we have to the reader, then wait longer.
                        out.flush()?;
                        state.flushed.append(&mut state.written);
                        wait = IDLE_POLL;
                    }
                    if let Some(ends) = &self.ends {
                        self.check_positions(consumer, ends, state);
                    }
                }
            }
            if self.group.is_some()
                && state.flushed != state.committed
                && state.last_commit.elapsed() >= COMMIT_INTERVAL
            {
                consumer.commit(&state.flushed, false)?;
                state.committed = state.flushed.clone();
                state.last_commit = Instant::now();
            }
        }
    }

    /// Marks partitions whose fetch position reached their end offset as done.
    fn check_positions(&self, consumer: &Consumer, ends: &BTreeMap<i32, i64>, state: &mut State) {
        for (p, position) in consumer.positions() {
            if !state.done.contains(&p) && ends.get(&p).is_some_and(|end| position >= *end) {
                state.finish(consumer, p, ends_of(&self.ends, p));
            }
        }
    }

    /// Group mode: a consumer with no reachable coordinator for its group after --timeout
    /// fails (librdkafka would look for one forever). One whose group is still rebalancing
    /// waits: the coordinator may be waiting for a member to rejoin or time out.
    fn check_join(&self, consumer: &Consumer, started: Instant) -> Result<()> {
        let timeout = self.settings.timeout;
        if started.elapsed() <= timeout {
            return Ok(());
        }
        let group = self.group.as_deref().unwrap_or_default();
        let brokers = self.settings.bootstrap_servers();
        let within = humantime::format_duration(timeout);
        match consumer.group_status() {
            GroupStatus::Joined | GroupStatus::Joining => Ok(()),
            GroupStatus::NoCoordinator => Err(Error::runtime(format!(
                "cannot join group '{group}': the cluster at {brokers} named no coordinator \
                 for the group within {within}"
            ))
            .with_hint(
                "the brokers answer but the group coordinator is not available: check the \
                 brokers' logs and that __consumer_offsets has a leader for every partition \
                 (`kctl topics describe __consumer_offsets`), or give a longer --timeout",
            )),
            GroupStatus::CoordinatorUnreachable => Err(Error::runtime(format!(
                "cannot join group '{group}': its coordinator, named by the cluster at \
                 {brokers}, could not be reached within {within}"
            ))
            .with_hint(
                "check that every broker's advertised address is reachable from here \
                 (`kctl doctor` checks each one), or give a longer --timeout",
            )),
        }
    }

    /// With -e: every partition we read has reached its end offset.
    fn all_done(
        &self,
        consumer: &Consumer,
        ends: &BTreeMap<i32, i64>,
        state: &State,
        started: Instant,
    ) -> Result<bool> {
        if self.group.is_none() {
            return Ok(ends.keys().all(|p| state.done.contains(p)));
        }
        let assigned = consumer.assigned();
        if assigned.is_empty() {
            if started.elapsed() > self.settings.timeout {
                self.check_join(consumer, started)?;
                return Err(Error::runtime(format!(
                    "no partition of '{}' was assigned to group '{}' within {}",
                    self.topic,
                    self.group.as_deref().unwrap_or_default(),
                    humantime::format_duration(self.settings.timeout)
                ))
                .with_hint("other members of the group may hold every partition"));
            }
            return Ok(false);
        }
        Ok(assigned.iter().all(|p| state.done.contains(p)))
    }
}

/// The end offset of partition `p` taken at the start (with -e).
fn ends_of(ends: &Option<BTreeMap<i32, i64>>, p: i32) -> Option<i64> {
    ends.as_ref().and_then(|e| e.get(&p).copied())
}

impl State {
    /// With -e: partition `p` reached its end. Everything before the end was printed (what is
    /// left are control records or compacted gaps), so the end is what the group commits.
    fn finish(&mut self, consumer: &Consumer, p: i32, end: Option<i64>) {
        if self.done.insert(p) {
            consumer.pause(p);
            if let Some(end) = end {
                let next = self.written.entry(p).or_insert(end);
                *next = (*next).max(end);
            }
        }
    }
}

struct State {
    printed: u64,
    /// Next offset per partition of what was written to the buffer.
    written: BTreeMap<i32, i64>,
    /// ... and of what was flushed to stdout: what may be committed.
    flushed: BTreeMap<i32, i64>,
    committed: BTreeMap<i32, i64>,
    last_commit: Instant,
    /// With -e: partitions that reached their end offset.
    done: BTreeSet<i32>,
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
        for bad in ["", "x", "-0", "@", "@-soon", "@yesterday"] {
            assert!(parse_offset(bad).is_err(), "{bad}");
        }
    }
}
