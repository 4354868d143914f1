//! `kctl consume TOPIC`: records on stdout, as values, JSON lines or a format string.

pub mod format;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::codec::{DecodeMode, DecodedRecord, Decoding, ProtoArgs};
use super::times::TimeArg;
use super::Ctx;
use crate::error::{Error, ErrorKind, Result};
use crate::interrupt::Interrupt;
use crate::kafka::ClientConfig;
use crate::kafka::{
    Broker, Consumer, GroupStatus, Kafka, OffsetSpec, Polled, ReadMode, Revocation, StartOffset,
    TopicInfo,
};
use crate::printer::OutputFormat;
use crate::printer::Printer;
use crate::stdio;
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

    /// Decode keys and values framed for the schema registry (with a registry set) and plain
    /// Protobuf (with --proto-file) to JSON, or print them as they are
    #[arg(long, value_name = "MODE", value_enum, default_value_t = DecodeMode::Auto,
          help_heading = "Schemas")]
    pub decode: DecodeMode,

    #[command(flatten)]
    pub proto: ProtoArgs,
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

    let started = Instant::now();
    let kafka = ctx.kafka()?;
    let (topic, brokers) = kafka
        .topic_and_brokers_for(&args.topic, crate::kafka::Operation::Read)
        .await?;
    let selected = selected_partitions(&topic, &args.partitions)?;

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
    let starts_at_end_of_records = args.exit
        && matches!(wanted, Some(OffsetArg::End))
        && bounds
            .as_ref()
            .is_some_and(|(low, high)| high.iter().any(|(p, h)| low.get(p) < Some(h)));
    let job = Job {
        client: ctx.client()?.clone(),
        printer: ctx.printer.clone(),
        leaders: leaders(&topic, &brokers),
        started,
        starts_at_end_of_records,
        topic: args.topic.clone(),
        group: args.group.clone(),
        mode,
        output,
        ends,
        max: args.max_messages,
        interrupt: ctx.interrupt.clone(),
        decoding,
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

/// Who leads each partition (`broker 1 at host:port`), to name it when it stops answering.
fn leaders(topic: &TopicInfo, brokers: &[Broker]) -> BTreeMap<i32, String> {
    topic
        .partitions
        .iter()
        .filter_map(|p| {
            let id = p.leader?;
            let broker = brokers.iter().find(|b| b.id == id);
            Some(match broker {
                Some(b) => (p.id, format!("broker {id} at {}:{}", b.host, b.port)),
                None => (p.id, format!("broker {id}")),
            })
        })
        .collect()
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
    let time = match offset {
        // Before the epoch: from the first record (ListOffsets reads -1 and -2 as end and start).
        OffsetArg::Timestamp(ms) => Some(ms.max(0)),
        OffsetArg::Ago(d) => Some(
            SystemTime::now()
                .checked_sub(d)
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_millis() as i64),
        ),
        _ => None,
    };
    let found = match time {
        Some(ms) => Some(offsets(kafka, topic, partitions, OffsetSpec::Timestamp(ms)).await?),
        None => None,
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
    client: ClientConfig,
    printer: Printer,
    topic: String,
    group: Option<String>,
    mode: ReadMode,
    output: Output,
    /// With -e: the end offset of each partition when the command started.
    ends: Option<BTreeMap<i32, i64>>,
    max: Option<u64>,
    interrupt: Interrupt,
    /// Who leads each partition (`broker 1 at host:port`), to name it when it stops answering.
    leaders: BTreeMap<i32, String>,
    /// When the command started: joining the group is bounded from here.
    started: Instant,
    /// Why nothing may be read with -e: kctl starts at the end of a topic that has records.
    starts_at_end_of_records: bool,
    /// Keys and values to decode (with a registry or --proto-file).
    decoding: Option<std::cell::RefCell<Decoding>>,
}

/// How often printed offsets are committed (besides at the end and on a revocation).
const COMMIT_INTERVAL: Duration = Duration::from_secs(1);
/// How long a poll waits when nothing is buffered.
const IDLE_POLL: Duration = Duration::from_millis(100);

impl Job {
    fn run(self) -> Result<()> {
        // Records go out through one buffer, flushed whenever kctl has caught up.
        let mut out = self.printer.data_writer(256 * 1024)?;
        let mut consumer = Consumer::new(&self.client, &self.topic, self.mode.clone())?;
        let mut state = State::new();
        let mut result = self.consume(&mut consumer, &mut out, &mut state);
        // What reached stdout is committed, never more: after a failed write nothing else is
        // written (the buffer is dropped unwritten).
        if state.output_failed {
            let _ = out.into_parts();
        } else if let Err(e) = state.flush(&mut out) {
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
        if result.is_ok() && state.printed == 0 && self.starts_at_end_of_records {
            self.printer.note(
                "read nothing: kctl started at the end of each partition (the default), \
                 where -e stops at once",
            );
            self.printer.note(
                "hint: add --from-beginning (or --offset) to read what the topic holds, e.g. \
                 kctl consume a --from-beginning -o json -e | kctl produce b --input envelope",
            );
        }
        let decoded = match &self.decoding {
            Some(decoding) => decoding.borrow().outcome(),
            None => Ok(()),
        };
        result.and(committed).and(closed).and(decoded)
    }

    fn consume<W: Write>(
        &self,
        consumer: &mut Consumer,
        out: &mut W,
        state: &mut State,
    ) -> Result<()> {
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
            if self.max.is_some_and(|max| state.printed >= max) {
                return Ok(());
            }
            if let Some(revocation) = consumer.revocation() {
                self.give_up(consumer, out, state, &revocation)?;
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
                    let (p, o) = (record.partition(), record.offset());
                    let end = ends_of(&self.ends, p);
                    if end.is_some_and(|end| o >= end) {
                        // Past the snapshot: not part of this run.
                        drop(record);
                        state.finish(consumer, p, end);
                        continue;
                    }
                    let written = match &self.decoding {
                        Some(decoding) => {
                            let mut decoding = decoding.borrow_mut();
                            let decoded = decoding.decode(&record);
                            self.output.write(out, &record, &decoded)
                        }
                        None => self.output.write(out, &record, &DecodedRecord::default()),
                    };
                    // The record borrows the consumer: done with it before using the consumer.
                    drop(record);
                    state.wrote(written, p, o)?;
                    if end.is_some_and(|end| o + 1 >= end) {
                        state.finish(consumer, p, end);
                    }
                }
                Polled::PartitionEnd(p) => {
                    // The fetcher reached the partition's end, which is at or past the end
                    // taken at the start: this partition is done (control records, compacted
                    // gaps and empty partitions included).
                    watch.advanced();
                    if self.ends.as_ref().is_some_and(|e| e.contains_key(&p)) {
                        state.finish(consumer, p, ends_of(&self.ends, p));
                    }
                }
                Polled::Idle => {
                    if wait.is_zero() {
                        // Caught up: hand what we have to the reader, then wait longer.
                        state.flush(out)?;
                        wait = IDLE_POLL;
                    }
                    if let Some(ends) = &self.ends {
                        self.check_positions(consumer, ends, state);
                    }
                }
            }
            // Commit what was printed now and then, also while behind.
            if self.group.is_some()
                && now_and_then
                && state.last_commit.elapsed() >= COMMIT_INTERVAL
            {
                state.flush(out)?;
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
        let pending: Vec<i32> = match self.group {
            Some(_) => consumer.assigned().into_iter().collect(),
            None => ends.keys().copied().collect(),
        };
        let pending: Vec<i32> = pending
            .into_iter()
            .filter(|p| !state.done.contains(p))
            .collect();
        watch.check(consumer, self.client.timeout, || {
            self.stalled(consumer, &pending)
        })
    }

    /// The error for partitions that brought neither records nor their end within --timeout.
    fn stalled(&self, consumer: &Consumer, pending: &[i32]) -> Error {
        let leaders: BTreeSet<&str> = pending
            .iter()
            .filter_map(|p| self.leaders.get(p).map(String::as_str))
            .collect();
        let list = |ps: &[i32]| {
            ps.iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let what = format!(
            "no progress reading '{}' for {}",
            self.topic,
            humantime::format_duration(self.client.timeout)
        );
        let mut why = format!(
            "no records and no end of {} {} from {}",
            crate::render::plural(pending.len(), "partition", "partitions"),
            list(pending),
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
    fn give_up<W: Write>(
        &self,
        consumer: &Consumer,
        out: &mut W,
        state: &mut State,
        revocation: &Revocation,
    ) -> Result<()> {
        state.flush(out)?;
        if !revocation.lost {
            let offsets = state.uncommitted(&revocation.partitions);
            if let Err(e) = consumer.commit(&offsets, true) {
                self.printer.warn(format!(
                    "{e}: the next owner of the partitions may print some records again"
                ));
            }
        }
        state.forget(&revocation.partitions);
        consumer.release(revocation);
        Ok(())
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
                "no partition of '{}' was assigned to this member of group '{group}' within \
                 {within}: the group's other members hold every partition",
                self.topic
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
        ends: &BTreeMap<i32, i64>,
        state: &State,
    ) -> Result<bool> {
        if self.group.is_none() {
            return Ok(ends.keys().all(|p| state.done.contains(p)));
        }
        let assigned = consumer.assigned();
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
    assigned: BTreeSet<i32>,
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
fn ends_of(ends: &Option<BTreeMap<i32, i64>>, p: i32) -> Option<i64> {
    ends.as_ref().and_then(|e| e.get(&p).copied())
}

/// What was printed and committed, per partition (next offsets).
struct State {
    printed: u64,
    /// Next offset per partition of what was written to the buffer.
    written: BTreeMap<i32, i64>,
    /// ... and of what was flushed to stdout: what may be committed.
    flushed: BTreeMap<i32, i64>,
    /// ... and of what this consumer committed, which only ever moves forward.
    committed: BTreeMap<i32, i64>,
    last_commit: Instant,
    /// With -e: partitions that reached their end offset.
    done: BTreeSet<i32>,
    /// A write to stdout failed: nothing more is written or committed.
    output_failed: bool,
    /// The cluster stopped answering (no progress, no group joined within --timeout).
    cluster_silent: bool,
}

impl State {
    fn new() -> State {
        State {
            printed: 0,
            written: BTreeMap::new(),
            flushed: BTreeMap::new(),
            committed: BTreeMap::new(),
            last_commit: Instant::now(),
            done: BTreeSet::new(),
            output_failed: false,
            cluster_silent: false,
        }
    }

    /// Records that the record at offset `o` of partition `p` was written (or why not).
    fn wrote(&mut self, written: io::Result<()>, p: i32, o: i64) -> Result<()> {
        written.map_err(|e| self.failed(e))?;
        self.printed += 1;
        self.written.insert(p, o + 1);
        Ok(())
    }

    fn failed(&mut self, err: io::Error) -> Error {
        self.output_failed = true;
        stdio::stdout_error(err)
    }

    /// Hands what was written to stdout; it may then be committed.
    fn flush<W: Write>(&mut self, out: &mut W) -> Result<()> {
        out.flush().map_err(|e| self.failed(e))?;
        self.flushed.append(&mut self.written);
        Ok(())
    }

    /// The printed offsets of `partitions` beyond what was committed.
    fn uncommitted(&self, partitions: &[i32]) -> BTreeMap<i32, i64> {
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
        let owned: Vec<i32> = consumer.assigned().into_iter().collect();
        let offsets = self.uncommitted(&owned);
        self.last_commit = Instant::now();
        if offsets.is_empty() {
            return Ok(());
        }
        consumer.commit(&offsets, false)?;
        self.committed.extend(offsets);
        Ok(())
    }

    /// The partitions went to another member: nothing more is committed for them.
    fn forget(&mut self, partitions: &[i32]) {
        for p in partitions {
            self.written.remove(p);
            self.flushed.remove(p);
            self.committed.remove(p);
            self.done.remove(p);
        }
    }

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
