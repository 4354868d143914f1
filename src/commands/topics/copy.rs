//! `kctl topics copy SRC DST`: the records of one topic written to another, on the same
//! cluster or another one, as they are: keys, values, headers and timestamps, each record to
//! the partition of the same number, in order.
//!
//! How it stays exact:
//! - The ends are the source's end offsets taken at the start (its last stable offsets under
//!   read_committed), unless `--follow`.
//! - The destination is written by an idempotent producer with acks=all and librdkafka's
//!   gapless guarantee: whatever stops the copy (a failure, a signal, a kill), each destination
//!   partition holds a prefix of what was sent to it, never a gap nor a duplicate. The first
//!   failed delivery stops the copy.
//! - `--resume` counts what each destination partition holds (its end offset; it must start at
//!   0 and have been empty when the first copy began), skips that many records of the source
//!   partition from the same start, and checks the last record skipped against the
//!   destination's last record before it writes anything: a copy that cannot continue
//!   exactly is refused, nothing written.
//!
//! `--grep` and `--where` (consume's filters, on the record as `consume -o json --decode
//! none` prints it) pass records through a [`RecordFilter`]: those left out count neither as
//! copied nor as skipped, so a filtered copy resumes with the same filters (and `--resume`
//! checks the destination's last record against the last matching record skipped).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::super::codec::DecodedRecord;
use super::super::consume::filter::{Filter, Grep, WhereExpr};
use super::super::consume::{parse_offset, OffsetArg};
use super::super::Ctx;
use crate::error::{Error, ErrorKind, Result};
use crate::interrupt::Interrupt;
use crate::kafka::{
    ClientConfig, Code, ConfigResource, ConfigSource, Consumer, Kafka, NewTopicSpec, OffsetQuery,
    OutRecord, Polled, Producer, ProducerOptions, ReadMode, RecordRef, RecordTime, StartOffset,
    Subscription, TimestampType, TopicInfo,
};
use crate::printer::Printer;
use crate::render::{or_dash, Block, Render, Table};
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl topics copy orders orders-backup --create\n  \
    kctl topics copy orders orders --to-context prod --create --dry-run\n  \
    kctl topics copy orders orders --to-brokers dr-kafka:9092 --resume\n  \
    kctl topics copy orders orders-v2 --create --partitioner murmur2 --offset @-1h\n  \
    kctl topics copy orders orders-big --create --where '.value | fromjson | .qty > 1'")]
pub struct Args {
    /// Topic to read
    #[arg(value_name = "SRC", value_parser = super::topic_name, add = crate::complete::topic_completer())]
    pub source: String,

    /// Topic to write: on the same cluster, or on the one --to-context or --to-brokers names
    #[arg(value_name = "DST", value_parser = super::topic_name, add = crate::complete::topic_completer())]
    pub destination: String,

    /// Write to the cluster of this context of the config file (its brokers and security)
    #[arg(long, value_name = "CONTEXT", conflicts_with = "to_brokers",
          add = crate::complete::context_completer())]
    pub to_context: Option<String>,

    /// Write to the cluster at these brokers (with this command's security settings)
    #[arg(long, value_name = "HOST:PORT[,...]")]
    pub to_brokers: Option<String>,

    /// Where to start in each source partition: beginning, end, N (absolute), -N (the last N),
    /// @TIMESTAMP (ms since the epoch or RFC 3339), @-DURATION (e.g. @-1h) [default: beginning]
    #[arg(long, value_name = "WHERE", allow_hyphen_values = true, value_parser = parse_offset)]
    pub offset: Option<OffsetArg>,

    /// Copy only these source partitions
    #[arg(short = 'p', long = "partition", value_name = "N[,N...]", value_delimiter = ',',
          allow_negative_numbers = true,
          value_parser = clap::value_parser!(i32).range(0..))]
    pub partitions: Vec<i32>,

    /// Create DST when it does not exist, with the source's partition count and configs (the
    /// replication factor is the destination cluster's default)
    #[arg(long)]
    pub create: bool,

    /// Choose each record's destination partition by its key's hash instead of keeping its
    /// partition number (needed when DST has another partition count): murmur2 (Java's
    /// clients) or crc32 (librdkafka's); records without a key are spread
    #[arg(long, value_name = "HASH", value_enum)]
    pub partitioner: Option<Partitioner>,

    /// Continue a copy that stopped: skip, per partition, the records DST holds already (DST
    /// must have been empty when the copy first began; give the same --offset and -p)
    #[arg(long, conflicts_with = "partitioner")]
    pub resume: bool,

    /// Keep copying new records after the end offsets taken at the start (until Ctrl-C)
    #[arg(long)]
    pub follow: bool,

    /// Show what would be copied (and checked) without writing or creating anything
    #[arg(long)]
    pub dry_run: bool,

    /// Copy only records where REGEX matches the value, the key (k:), the value of header NAME
    /// (h:NAME=) or the topic (t:); a leading ! copies those where it does not. Repeatable: all
    /// must hold (as consume --grep)
    #[arg(long, value_name = "[!][k:|v:|h:NAME=|t:]REGEX", value_parser = Grep::parse,
          help_heading = "Filters")]
    pub grep: Vec<Grep>,

    /// Copy only records for which this jq expression, given the record as consume -o json
    /// --decode none prints it, outputs something other than false or null (as consume --where)
    #[arg(long = "where", value_name = "EXPR", value_parser = WhereExpr::parse,
          help_heading = "Filters")]
    pub where_: Option<WhereExpr>,
}

/// How destination partitions are chosen with `--partitioner`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Partitioner {
    /// Java's clients' default: murmur2 of the key
    Murmur2,
    /// librdkafka's default: CRC32 of the key
    Crc32,
}

impl Partitioner {
    /// librdkafka's `partitioner` value (keyless records: spread at random).
    fn property(self) -> &'static str {
        match self {
            Partitioner::Murmur2 => "murmur2_random",
            Partitioner::Crc32 => "consistent_random",
        }
    }
}

/// A predicate on source records: those it refuses are not copied. The hook for record
/// filters (`--where`, `--grep`); it runs on the copying thread.
pub type RecordFilter = Box<dyn FnMut(&RecordRef<'_>) -> bool + Send>;

/// What a copy did (or, with --dry-run, would do).
#[derive(Debug, Serialize)]
pub struct Copied {
    pub source: String,
    pub destination: String,
    /// The destination cluster when it is not the source's: `context NAME` or its brokers.
    pub destination_cluster: Option<String>,
    pub dry_run: bool,
    /// DST was created by this copy (or, with --dry-run, would be).
    pub created: bool,
    pub resumed: bool,
    pub follow: bool,
    /// One entry per source partition copied, by partition.
    pub partitions: Vec<PartitionCopy>,
    /// Records written and acknowledged by the destination (`null` with --dry-run).
    pub copied: Option<u64>,
    /// Records that could not be written.
    pub failed: u64,
    /// Records whose writing was not acknowledged either way (they may be in DST).
    pub uncertain: u64,
    /// The distinct reasons of failures, with how many records each.
    pub errors: Vec<CopyError>,
    /// Stopped by a signal before the end.
    pub interrupted: bool,
}

#[derive(Debug, Serialize)]
pub struct PartitionCopy {
    pub partition: i32,
    /// Where copying (or, resuming, skipping) starts.
    pub start_offset: i64,
    /// The source's end offset taken at the start; `null` with --follow.
    pub end_offset: Option<i64>,
    /// Records DST held already (resuming): skipped, not written again.
    pub skipped: u64,
    /// Records sent to DST from this partition (`null` with --dry-run).
    pub sent: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct CopyError {
    pub message: String,
    pub records: u64,
}

impl Render for Copied {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new(["PARTITION", "START-OFFSET", "END-OFFSET", "SKIPPED", "SENT"])
            .numeric(&[0, 1, 2, 3, 4]);
        for p in &self.partitions {
            table.row([
                p.partition.to_string(),
                p.start_offset.to_string(),
                or_dash(p.end_offset),
                p.skipped.to_string(),
                or_dash(p.sent),
            ]);
        }
        let to = match &self.destination_cluster {
            Some(cluster) => format!("'{}' ({cluster})", self.destination),
            None => format!("'{}'", self.destination),
        };
        let line = match self.copied {
            None => {
                let created = if self.created { " (created)" } else { "" };
                format!(
                    "Dry run: would copy '{}' to {to}{created}; nothing was written",
                    self.source
                )
            }
            Some(copied) => format!(
                "Copied {copied} {} from '{}' to {to}; failed: {}, uncertain: {}{}",
                crate::render::plural(copied as usize, "record", "records"),
                self.source,
                self.failed,
                self.uncertain,
                if self.interrupted {
                    " (interrupted)"
                } else {
                    ""
                }
            ),
        };
        let mut blocks = vec![Block::Table(table), Block::Line(line)];
        for e in &self.errors {
            blocks.push(Block::Line(format!(
                "  {} records: {}",
                e.records, e.message
            )));
        }
        blocks
    }
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    // Bad input, found before connecting.
    let filter = Filter::new(&args.grep, args.where_.as_ref()).map_err(Error::usage)?;
    if args.to_context.is_none() && args.to_brokers.is_none() && args.source == args.destination {
        return Err(Error::usage(format!(
            "cannot copy topic '{}' onto itself: name another DST, or another cluster with \
             --to-context or --to-brokers",
            args.source
        )));
    }
    let Destination {
        admin: dst_admin,
        producer: dst_client,
        cluster,
    } = destination(&args, ctx)?;
    check_producer_settings(&dst_admin)?;

    let kafka = ctx.kafka()?;
    let dst_owned = ClosedInBackground(match cluster {
        Some(_) => Some(Kafka::connect(&dst_admin)?),
        None => None,
    });
    let dst_kafka = dst_owned.0.as_ref().unwrap_or(kafka);
    if cluster.is_some() && args.source == args.destination {
        // Another cluster by name, the same one in fact: a copy onto itself.
        if let (Ok(a), Ok(b)) = tokio::join!(kafka.describe_cluster(), dst_kafka.describe_cluster())
        {
            if a.cluster_id.is_some() && a.cluster_id == b.cluster_id {
                return Err(Error::usage(format!(
                    "cannot copy topic '{}' onto itself: {} is the source's own cluster (id {})",
                    args.source,
                    cluster.as_deref().unwrap_or_default(),
                    a.cluster_id.unwrap_or_default()
                )));
            }
        }
    }

    let source = kafka
        .topic_for(&args.source, crate::kafka::Operation::Read)
        .await?;
    let selected = selected_partitions(&source, &args.partitions)?;

    // The destination: it exists with as many partitions, or is created like the source.
    let (dst_topic, created) = match dst_kafka.topic(&args.destination).await {
        Ok(topic) => (Some(topic), false),
        Err(e) if matches!(e.kind(), ErrorKind::NotFound { .. }) => {
            if !args.create {
                return Err(Error::not_found(
                    format!("topic '{}'", args.destination),
                    format!(
                        "destination topic '{}' does not exist{}",
                        args.destination,
                        cluster
                            .as_ref()
                            .map_or(String::new(), |c| format!(" on {c}"))
                    ),
                )
                .with_hint(
                    "add --create to create it with the source's partition count and configs",
                ));
            }
            (None, true)
        }
        Err(e) => return Err(e),
    };
    if let Some(dst) = &dst_topic {
        if args.partitioner.is_none() && dst.partitions.len() != source.partitions.len() {
            return Err(Error::runtime(format!(
                "topic '{}' has {} partitions and '{}' has {}: records keep their partition \
                 number, so both need as many; nothing was copied",
                args.source,
                source.partitions.len(),
                args.destination,
                dst.partitions.len()
            ))
            .with_hint(
                "add --partitioner murmur2 to choose destination partitions by key instead",
            ));
        }
    }

    // Where each source partition starts and ends.
    let read_committed = ctx.client()?.reads_committed();
    let tps = |topic: &str, ps: &[i32]| -> Vec<(String, i32)> {
        ps.iter().map(|p| (topic.to_string(), *p)).collect()
    };
    let src_tps = tps(&args.source, &selected);
    let (low, high, stable) = tokio::try_join!(
        offsets(kafka, &src_tps, OffsetQuery::Earliest),
        offsets(kafka, &src_tps, OffsetQuery::Latest),
        async {
            match read_committed {
                true => offsets(kafka, &src_tps, OffsetQuery::LastStable)
                    .await
                    .map(Some),
                false => Ok(None),
            }
        },
    )?;
    let end = stable.unwrap_or_else(|| high.clone());
    let starts = starts(kafka, &src_tps, args.offset, &low, &end).await?;
    let ends: BTreeMap<i32, i64> = end.iter().map(|((_, p), o)| (*p, *o)).collect();

    // What DST holds already, per partition.
    let mut skip: BTreeMap<i32, u64> = BTreeMap::new();
    let mut held: BTreeMap<i32, i64> = BTreeMap::new();
    if !created && args.partitioner.is_none() {
        let dst_tps = tps(&args.destination, &selected);
        let (dst_low, dst_high) = tokio::try_join!(
            offsets(dst_kafka, &dst_tps, OffsetQuery::Earliest),
            offsets(dst_kafka, &dst_tps, OffsetQuery::Latest),
        )?;
        for ((_, p), hw) in &dst_high {
            let lo = dst_low.get(&(args.destination.clone(), *p)).copied();
            if args.resume && *hw > 0 && lo != Some(0) {
                return Err(Error::runtime(format!(
                    "cannot resume: partition {p} of '{}' starts at offset {} (records were \
                     deleted), so what it holds cannot be counted; nothing was copied",
                    args.destination,
                    lo.unwrap_or(-1)
                )));
            }
            if *hw > 0 {
                held.insert(*p, *hw);
            }
        }
        if args.resume {
            skip = held.iter().map(|(p, n)| (*p, *n as u64)).collect();
        } else if !held.is_empty() {
            ctx.printer.warn(format!(
                "'{}' holds records already ({} in {} of its partitions): the copies are \
                 appended after them (--resume continues an earlier copy instead)",
                args.destination,
                held.values().sum::<i64>(),
                held.len()
            ));
        }
    }
    if args.resume && created {
        ctx.printer
            .note("nothing to resume: the destination does not exist yet; copying all");
    }
    // Resuming: a partition whose start is at its end cannot have given what DST holds.
    for (p, n) in &skip {
        let (s, e) = (starts[p], ends[p]);
        if !args.follow && *n as i64 > e - s {
            return Err(resume_error(&args, *p, *n, s, e));
        }
    }

    let mut copied = Copied {
        source: args.source.clone(),
        destination: args.destination.clone(),
        destination_cluster: cluster.clone(),
        dry_run: args.dry_run,
        created,
        resumed: args.resume && !skip.is_empty(),
        follow: args.follow,
        partitions: selected
            .iter()
            .map(|p| PartitionCopy {
                partition: *p,
                start_offset: starts[p],
                end_offset: (!args.follow).then(|| ends[p]),
                skipped: skip.get(p).copied().unwrap_or(0),
                sent: None,
            })
            .collect(),
        copied: None,
        failed: 0,
        uncertain: 0,
        errors: Vec::new(),
        interrupted: false,
    };

    if created {
        create_like(kafka, dst_kafka, &source, &args, ctx, args.dry_run).await?;
    }
    if args.dry_run {
        return ctx.printer.print(&copied);
    }

    // The destination's last records, to check a resumed copy against.
    let last = if skip.is_empty() {
        BTreeMap::new()
    } else {
        let client = dst_admin.clone();
        let topic = args.destination.clone();
        let at: BTreeMap<i32, i64> = skip.iter().map(|(p, n)| (*p, *n as i64 - 1)).collect();
        tokio::task::spawn_blocking(move || last_records(&client, &topic, &at))
            .await
            .map_err(|e| Error::runtime(format!("internal error: {e}")))??
    };

    // The largest batch DST takes: a larger record is refused before it is sent (the copy
    // stops there, what was sent before it is delivered), and batches are kept within it.
    let max_message_bytes = dst_kafka
        .resource_configs(&ConfigResource::Topic(args.destination.clone()))
        .await
        .ok()
        .and_then(|configs| {
            configs
                .into_iter()
                .find(|c| c.name == "max.message.bytes")
                .and_then(|c| c.value?.parse::<u64>().ok())
        });
    let total: u64 = selected
        .iter()
        .map(|p| (ends[p] - starts[p]).max(0) as u64)
        .sum();
    let job = Job {
        src: ctx.client()?.clone(),
        dst: dst_client,
        source: args.source.clone(),
        destination: args.destination.clone(),
        starts: starts.clone(),
        ends: (!args.follow).then_some(ends),
        skip,
        last,
        keep_partitions: args.partitioner.is_none(),
        max_message_bytes,
        printer: ctx.printer.clone(),
        interrupt: ctx.interrupt.clone(),
        total: (!args.follow).then_some(total),
        filter: filter.map(|mut filter| -> RecordFilter {
            let undecoded = DecodedRecord {
                key: None,
                value: None,
            };
            Box::new(move |record| filter.matches(record, &undecoded))
        }),
        resume_hint: resume_command(&args),
    };
    let outcome = tokio::task::spawn_blocking(move || job.run())
        .await
        .map_err(|e| Error::runtime(format!("internal error: {e}")))?;
    let failure = outcome.error;
    for p in &mut copied.partitions {
        p.sent = Some(outcome.sent.get(&p.partition).copied().unwrap_or(0));
    }
    copied.copied = Some(outcome.delivered);
    copied.failed = outcome.failed;
    copied.uncertain = outcome.uncertain;
    copied.errors = outcome
        .errors
        .into_iter()
        .map(|(message, records)| CopyError { message, records })
        .collect();
    copied.interrupted = outcome.interrupted;
    // The summary is printed however the copy ended: what was written is worth knowing.
    if outcome.started {
        ctx.printer.print(&copied)?;
    }
    if let Some(e) = failure {
        return Err(e);
    }
    if copied.interrupted {
        return Err(ctx.interrupt.error());
    }
    if copied.failed > 0 || copied.uncertain > 0 {
        let mut err = Error::runtime(format!(
            "{} of the records could not be copied to '{}' (failed: {}, uncertain: {})",
            copied.failed + copied.uncertain,
            args.destination,
            copied.failed,
            copied.uncertain
        ));
        if let Some(first) = copied.errors.first() {
            err = err.because(&first.message);
        }
        return Err(err.with_hint(format!(
            "the copy stopped at the first failure; once fixed, continue it with: {}",
            resume_command(&args)
        )));
    }
    Ok(())
}

/// The destination cluster's client, torn down on a thread of its own when the command is
/// done (librdkafka's teardown blocks a moment; not on the runtime's threads).
struct ClosedInBackground(Option<Kafka>);

impl Drop for ClosedInBackground {
    fn drop(&mut self) {
        if let Some(kafka) = self.0.take() {
            let _ = std::thread::Builder::new()
                .name("kctl-close".into())
                .spawn(move || drop(kafka));
        }
    }
}

/// The command that continues this copy.
fn resume_command(args: &Args) -> String {
    let mut cmd = format!("kctl topics copy {} {}", args.source, args.destination);
    if let Some(c) = &args.to_context {
        cmd.push_str(&format!(" --to-context {c}"));
    }
    if let Some(b) = &args.to_brokers {
        cmd.push_str(&format!(" --to-brokers {b}"));
    }
    if !args.partitions.is_empty() {
        let ps: Vec<String> = args.partitions.iter().map(|p| p.to_string()).collect();
        cmd.push_str(&format!(" -p {}", ps.join(",")));
    }
    if args.offset.is_some() {
        cmd.push_str(" --offset ...");
    }
    cmd.push_str(" --resume");
    cmd
}

fn resume_error(args: &Args, p: i32, held: u64, start: i64, end: i64) -> Error {
    Error::runtime(format!(
        "cannot resume: partition {p} of '{}' holds {held} records, more than partition {p} \
         of '{}' has from offset {start} to its end ({end}); nothing was copied",
        args.destination, args.source
    ))
    .with_hint(
        "--resume continues a copy into a destination that was empty when it began, with the \
         same --offset and -p",
    )
}

/// The destination's client configuration, and how to name its cluster when it is not the
/// source's. Bad settings are usage errors, found before connecting.
fn destination(args: &Args, ctx: &Ctx) -> Result<Destination> {
    let mut warnings = Vec::new();
    let (mut settings, cluster): (Settings, Option<String>) =
        match (&args.to_context, &args.to_brokers) {
            (Some(name), _) => {
                let config = crate::config::Config::load()?;
                let global = crate::cli::GlobalArgs {
                    brokers: None,
                    context: Some(name.clone()),
                    properties: Vec::new(),
                    timeout: Some(ctx.settings.timeout),
                    output: None,
                    verbose: ctx.settings.verbose,
                    quiet: false,
                    security: Default::default(),
                    registry: Default::default(),
                };
                let settings = Settings::resolve_from(
                    &global,
                    &config,
                    crate::settings::Mode::Full,
                    &mut warnings,
                )?;
                (settings, Some(format!("context {name}")))
            }
            (None, Some(list)) => {
                let mut settings = ctx.settings.clone();
                settings.brokers = crate::settings::parse_brokers(list)
                    .map_err(|e| Error::usage(format!("--to-brokers: {}", e.message())))?;
                settings.brokers_given = true;
                (settings, Some(settings_brokers(list)))
            }
            (None, None) => (ctx.settings.clone(), None),
        };
    let admin = ClientConfig::new(&settings, ctx.printer.diagnostics(), &mut warnings)?;
    // The producer's: a failed delivery is fatal (no gap can follow it), so each destination
    // partition holds a prefix of the source's, which --resume relies on.
    settings
        .x_properties
        .push(("enable.idempotence".into(), "true".into()));
    settings
        .x_properties
        .push(("enable.gapless.guarantee".into(), "true".into()));
    if let Some(p) = args.partitioner {
        settings
            .x_properties
            .push(("partitioner".into(), p.property().into()));
    }
    let mut ignored = Vec::new();
    let producer = ClientConfig::new(&settings, ctx.printer.diagnostics(), &mut ignored)?;
    for w in warnings {
        ctx.printer.warn(w);
    }
    Ok(Destination {
        admin,
        producer,
        cluster,
    })
}

/// Where a copy writes.
struct Destination {
    /// For the admin calls and reading the destination.
    admin: ClientConfig,
    /// For the producer.
    producer: ClientConfig,
    /// How to name its cluster when it is not the source's.
    cluster: Option<String>,
}

fn settings_brokers(list: &str) -> String {
    format!("brokers {list}")
}

/// The copy writes with acks=all and an idempotent producer: settings that weaken either are
/// refused.
fn check_producer_settings(client: &ClientConfig) -> Result<()> {
    if let Some(acks) = client.user_property("acks") {
        if !matches!(acks, "all" | "-1") {
            return Err(Error::usage(format!(
                "topics copy writes with acks=all (and an idempotent producer): acks={acks} \
                 is not allowed"
            )));
        }
    }
    if client.user_property("enable.idempotence") == Some("false") {
        return Err(Error::usage(
            "topics copy writes with an idempotent producer: enable.idempotence=false is not \
             allowed",
        ));
    }
    Ok(())
}

/// The partitions `-p` names, sorted (each must exist), or all of the topic's.
fn selected_partitions(topic: &TopicInfo, named: &[i32]) -> Result<Vec<i32>> {
    if named.is_empty() {
        let mut all: Vec<i32> = topic.partitions.iter().map(|p| p.id).collect();
        all.sort_unstable();
        return Ok(all);
    }
    let mut selected = named.to_vec();
    selected.sort_unstable();
    selected.dedup();
    match topic.missing_partition(&selected) {
        Some(missing) => Err(missing.error()),
        None => Ok(selected),
    }
}

/// One batched ListOffsets call; any partition's failure is an error.
async fn offsets(
    kafka: &Kafka,
    tps: &[(String, i32)],
    query: OffsetQuery,
) -> Result<BTreeMap<(String, i32), i64>> {
    let listed = kafka.query_offsets(tps, query).await?;
    let mut out = BTreeMap::new();
    for ((topic, p), result) in listed {
        let what = || format!("cannot list the offsets of partition {p} of '{topic}'");
        let offset = result.map_err(|e| Error::runtime(format!("{}: {e}", what())))?;
        match offset.offset {
            Some(o) if o >= 0 => {
                out.insert((topic, p), o);
            }
            _ if matches!(query, OffsetQuery::Time(_)) => {
                // No record at or after that time.
                out.insert((topic, p), -1);
            }
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
        }
    }
    Ok(out)
}

/// The absolute start offset of each partition, within its earliest offset and its end.
async fn starts(
    kafka: &Kafka,
    tps: &[(String, i32)],
    offset: Option<OffsetArg>,
    low: &BTreeMap<(String, i32), i64>,
    end: &BTreeMap<(String, i32), i64>,
) -> Result<BTreeMap<i32, i64>> {
    let found = match offset.as_ref().and_then(OffsetArg::time_ms) {
        Some(ms) => Some(offsets(kafka, tps, OffsetQuery::Time(ms)).await?),
        None => None,
    };
    let mut out = BTreeMap::new();
    for tp in tps {
        let lo = low[tp];
        let end = end[tp].max(lo);
        let start = match offset.unwrap_or(OffsetArg::Beginning) {
            OffsetArg::Beginning => lo,
            OffsetArg::End => end,
            OffsetArg::At(n) => n.clamp(lo, end),
            OffsetArg::Last(n) => end.saturating_sub(n).max(lo),
            OffsetArg::Timestamp(_) | OffsetArg::Ago(_) => {
                match found.as_ref().and_then(|f| f.get(tp)) {
                    Some(o) if *o >= 0 => (*o).clamp(lo, end),
                    _ => end,
                }
            }
        };
        out.insert(tp.1, start);
    }
    Ok(out)
}

/// Creates DST like the source: its partition count and the configs set on it (with
/// `dry_run`, the destination only validates the request).
async fn create_like(
    kafka: &Kafka,
    dst_kafka: &Kafka,
    source: &TopicInfo,
    args: &Args,
    ctx: &Ctx,
    dry_run: bool,
) -> Result<()> {
    let entries = kafka
        .resource_configs(&ConfigResource::Topic(args.source.clone()))
        .await?;
    let configs: Vec<(String, String)> = entries
        .into_iter()
        .filter(|e| e.source == ConfigSource::DynamicTopic && !e.sensitive)
        .filter_map(|e| Some((e.name, e.value?)))
        .collect();
    let spec = NewTopicSpec {
        name: args.destination.clone(),
        partitions: Some(source.partitions.len() as i32),
        replication_factor: None,
        configs,
    };
    match dst_kafka.create_topic(&spec, dry_run).await? {
        Ok(()) => {}
        // Created meanwhile (by a copy running beside this one, say): fine if alike.
        Err(e) if e.code == Code::TopicAlreadyExists && !dry_run => {}
        Err(e) => {
            return Err(Error::new(
                e.kind(),
                format!("cannot create topic '{}'", args.destination),
            )
            .because(e))
        }
    }
    if !dry_run
        && !dst_kafka
            .wait_for_topic(&args.destination, ctx.settings.timeout)
            .await
    {
        return Err(Error::runtime(format!(
            "topic '{}' was created, but the cluster metadata does not show it with a leader \
             for every partition within --timeout; nothing was copied",
            args.destination
        )));
    }
    Ok(())
}

/// A record as compared: the destination's last record against the source's.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stored {
    key: Option<Vec<u8>>,
    value: Option<Vec<u8>>,
    headers: Vec<(String, Option<Vec<u8>>)>,
    /// The timestamp, when it was set by the writer (create time).
    timestamp: Option<i64>,
}

impl Stored {
    fn of(record: &RecordRef<'_>) -> Stored {
        Stored {
            key: record.key().map(<[u8]>::to_vec),
            value: record.value().map(<[u8]>::to_vec),
            headers: record
                .headers()
                .map(|(k, v)| (k.to_string(), v.map(<[u8]>::to_vec)))
                .collect(),
            timestamp: match record.timestamp() {
                Some((ts, TimestampType::CreateTime)) => Some(ts),
                _ => None,
            },
        }
    }

    /// Whether `source` is the record this one is a copy of (a timestamp the destination set
    /// itself, log-append time, is not compared).
    fn copies(&self, source: &RecordRef<'_>) -> bool {
        let mut theirs = Stored::of(source);
        if self.timestamp.is_none() {
            theirs.timestamp = None;
        } else if theirs.timestamp.is_none() {
            theirs.timestamp = source.timestamp().map(|(ts, _)| ts);
        }
        *self == theirs
    }
}

/// The record at `at[p]` of each partition of `topic` (bounded by --timeout).
fn last_records(
    client: &ClientConfig,
    topic: &str,
    at: &BTreeMap<i32, i64>,
) -> Result<BTreeMap<i32, Stored>> {
    let starts = at
        .iter()
        .map(|(p, o)| ((topic.to_string(), *p), StartOffset::At(*o)))
        .collect();
    let subscription = Subscription::Topics(vec![topic.to_string()]);
    let mut consumer = Consumer::new(client, topic, &subscription, ReadMode::Assign(starts))?;
    let deadline = Instant::now() + client.timeout;
    let mut out = BTreeMap::new();
    let mut result = Ok(());
    while out.len() < at.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            let missing: Vec<String> = at
                .keys()
                .filter(|p| !out.contains_key(*p))
                .map(|p| p.to_string())
                .collect();
            result = Err(Error::new(
                ErrorKind::Timeout {
                    what: format!("cannot read the last records of '{topic}'"),
                },
                format!(
                    "cannot resume: the last record of partitions {} of '{topic}' could not \
                     be read within --timeout",
                    missing.join(", ")
                ),
            ));
            break;
        }
        match consumer.poll(left.min(Duration::from_millis(100))) {
            Ok(Polled::Record(r)) => {
                let p = r.partition();
                if at.get(&p) == Some(&r.offset()) {
                    out.entry(p).or_insert_with(|| Stored::of(&r));
                    drop(r);
                    consumer.pause(&(topic.to_string(), p));
                }
            }
            Ok(_) => {}
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    let _ = consumer.close(Duration::ZERO);
    result.map(|()| out)
}

/// What the copying thread hands back.
struct Outcome {
    /// Whether anything was read or sent (else only the error is worth printing).
    started: bool,
    /// Records sent to DST, by source partition.
    sent: BTreeMap<i32, u64>,
    delivered: u64,
    failed: u64,
    uncertain: u64,
    errors: Vec<(String, u64)>,
    interrupted: bool,
    error: Option<Error>,
}

/// The copying side: runs on a blocking thread, owns the consumer and the producer.
struct Job {
    src: ClientConfig,
    dst: ClientConfig,
    source: String,
    destination: String,
    starts: BTreeMap<i32, i64>,
    /// The source's end offsets taken at the start; `None` with --follow.
    ends: Option<BTreeMap<i32, i64>>,
    /// Resuming: records of each partition DST holds already.
    skip: BTreeMap<i32, u64>,
    /// Resuming: DST's last record of each partition.
    last: BTreeMap<i32, Stored>,
    keep_partitions: bool,
    /// DST's max.message.bytes, when it could be read.
    max_message_bytes: Option<u64>,
    printer: Printer,
    interrupt: Interrupt,
    total: Option<u64>,
    filter: Option<RecordFilter>,
    resume_hint: String,
}

/// How often (in records) the delivery reports are checked for a failure.
const CHECK_EVERY: u64 = 1024;
/// How long a poll waits when nothing is buffered.
const IDLE_POLL: Duration = Duration::from_millis(100);

impl Job {
    fn run(mut self) -> Outcome {
        let mut outcome = Outcome {
            started: false,
            sent: BTreeMap::new(),
            delivered: 0,
            failed: 0,
            uncertain: 0,
            errors: Vec::new(),
            interrupted: false,
            error: None,
        };
        let producer = match Producer::new(
            &self.dst,
            ProducerOptions {
                topic: self.destination.clone(),
                compression: None,
                headers: Vec::new(),
            },
            self.max_message_bytes,
        ) {
            Ok(p) => Arc::new(p),
            Err(e) => {
                outcome.error = Some(e);
                return outcome;
            }
        };
        producer.warm_up(self.dst.timeout);
        let starts = self
            .starts
            .iter()
            .map(|(p, o)| ((self.source.clone(), *p), StartOffset::At(*o)))
            .collect();
        let subscription = Subscription::Topics(vec![self.source.clone()]);
        let mode = ReadMode::Assign(starts);
        let mut consumer = match Consumer::new(&self.src, &self.source, &subscription, mode) {
            Ok(c) => c,
            Err(e) => {
                outcome.error = Some(e);
                return outcome;
            }
        };
        outcome.started = true;
        let bar = self.printer.progress(self.total, "records");
        let result = self.copy(&mut consumer, &producer, &mut outcome, &bar);
        bar.finish_and_clear();
        let _ = consumer.close(Duration::ZERO);
        // Whatever stopped the copy, what was sent is delivered (or reported failed) before
        // the counts are taken.
        let left = producer.flush(producer.delivery_timeout() + self.dst.timeout);
        let stats = producer.stats();
        outcome.delivered = stats.delivered;
        outcome.failed = stats.failed;
        outcome.uncertain = stats.uncertain + left;
        outcome.errors = stats.errors;
        producer.close_in_background();
        match result {
            Err(e) if matches!(e.kind(), ErrorKind::Interrupted(_)) => outcome.interrupted = true,
            Err(e) => outcome.error = Some(e),
            Ok(()) => {}
        }
        outcome
    }

    fn copy(
        &mut self,
        consumer: &mut Consumer,
        producer: &Producer,
        outcome: &mut Outcome,
        bar: &indicatif::ProgressBar,
    ) -> Result<()> {
        let mut pending: BTreeSet<i32> = self.starts.keys().copied().collect();
        if let Some(ends) = &self.ends {
            for (p, start) in &self.starts {
                if *start >= ends[p] {
                    self.finish(consumer, &mut pending, *p)?;
                }
            }
        }
        let mut wait = Duration::ZERO;
        let mut polls: u64 = 0;
        let mut sent: u64 = 0;
        let mut last_progress = Instant::now();
        let mut unreported: u64 = 0;
        loop {
            polls += 1;
            if (!wait.is_zero() || polls % 256 == 0) && self.interrupt.is_cancelled() {
                return Err(self.interrupt.error());
            }
            if self.ends.is_some() && pending.is_empty() {
                return Ok(());
            }
            match consumer.poll(wait)? {
                Polled::Record(record) => {
                    wait = Duration::ZERO;
                    last_progress = Instant::now();
                    let (p, o) = (record.partition(), record.offset());
                    let end = self.ends.as_ref().and_then(|e| e.get(&p).copied());
                    if end.is_some_and(|end| o >= end) {
                        drop(record);
                        self.finish(consumer, &mut pending, p)?;
                        continue;
                    }
                    unreported += 1;
                    if unreported >= 256 {
                        bar.inc(unreported);
                        unreported = 0;
                    }
                    let wanted = match self.filter.as_mut() {
                        Some(filter) => filter(&record),
                        None => true,
                    };
                    if wanted {
                        let skip = self.skip.get(&p).copied().unwrap_or(0);
                        if skip > 0 {
                            self.skip.insert(p, skip - 1);
                            if skip == 1 {
                                self.check_last(p, o, &record)?;
                            }
                        } else {
                            let headers: Vec<(&str, Option<&[u8]>)> = if record.has_headers() {
                                record.headers().collect()
                            } else {
                                Vec::new()
                            };
                            let timestamp = match record.timestamp() {
                                Some((ts, _)) => RecordTime::At(ts),
                                None => RecordTime::Unset,
                            };
                            let out = OutRecord {
                                key: record.key(),
                                value: record.value(),
                                partition: self.keep_partitions.then_some(p),
                                timestamp,
                                headers: &headers,
                            };
                            let too_large = self
                                .max_message_bytes
                                .filter(|max| producer.batch_bytes(&out) > *max);
                            let queued = match (timestamp, too_large) {
                                (RecordTime::At(ts), _) if ts <= 0 => Err(Error::runtime(format!(
                                    "a record has timestamp {ts}, which a producer cannot \
                                         set (librdkafka reads 0 as \"now\")"
                                ))),
                                (_, Some(max)) => Err(Error::runtime(format!(
                                    "a record is larger than the destination's \
                                     max.message.bytes ({max} bytes)"
                                ))),
                                _ => producer.send(&out),
                            };
                            drop(headers);
                            *outcome.sent.entry(p).or_default() += 1;
                            sent += 1;
                            if let Err(e) = queued {
                                // Not queued: counted failed; nothing after it may be sent.
                                producer.refuse(&format!(
                                    "record {o} of partition {p}: {}",
                                    e.message()
                                ));
                                return Ok(());
                            }
                            if sent % CHECK_EVERY == 0 {
                                let stats = producer.stats();
                                if stats.failed + stats.uncertain > 0 {
                                    return Ok(());
                                }
                            }
                        }
                    }
                    drop(record);
                    if end.is_some_and(|end| o + 1 >= end) {
                        self.finish(consumer, &mut pending, p)?;
                    }
                }
                Polled::PartitionEnd { partition: p, .. } => {
                    last_progress = Instant::now();
                    // At (or past) the end taken at the start: control records, compacted
                    // gaps and aborted transactions end here too.
                    if self.ends.is_some() && pending.contains(&p) {
                        self.finish(consumer, &mut pending, p)?;
                    }
                }
                Polled::Idle => {
                    bar.inc(unreported);
                    unreported = 0;
                    wait = IDLE_POLL;
                    let Some(ends) = &self.ends else {
                        continue;
                    };
                    let positions = consumer.positions();
                    let at_end: Vec<i32> = pending
                        .iter()
                        .copied()
                        .filter(|p| {
                            positions
                                .get(&(self.source.clone(), *p))
                                .is_some_and(|o| *o >= ends[p])
                        })
                        .collect();
                    for p in at_end {
                        self.finish(consumer, &mut pending, p)?;
                    }
                    if !pending.is_empty() && last_progress.elapsed() > self.src.timeout {
                        return Err(self.stalled(consumer, &pending));
                    }
                    let stats = producer.stats();
                    if stats.failed + stats.uncertain > 0 {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// Partition `p` is done: its end was reached.
    fn finish(&self, consumer: &Consumer, pending: &mut BTreeSet<i32>, p: i32) -> Result<()> {
        if !pending.remove(&p) {
            return Ok(());
        }
        consumer.pause(&(self.source.clone(), p));
        match self.skip.get(&p) {
            Some(left) if *left > 0 => Err(Error::runtime(format!(
                "cannot resume: partition {p} of '{}' holds more records than partition {p} of \
                 '{}' has from offset {} to its end; nothing was copied to it",
                self.destination, self.source, self.starts[&p]
            ))
            .with_hint(
                "--resume continues a copy into a destination that was empty when it began, \
                 with the same --offset and -p",
            )),
            _ => Ok(()),
        }
    }

    /// Resuming: the last record skipped must be the destination's last record.
    fn check_last(&self, p: i32, o: i64, record: &RecordRef<'_>) -> Result<()> {
        match self.last.get(&p) {
            Some(last) if last.copies(record) => Ok(()),
            _ => Err(Error::runtime(format!(
                "cannot resume: the last record of partition {p} of '{}' is not a copy of \
                 record {o} of partition {p} of '{}', the one it would be if it held what an \
                 earlier copy wrote; nothing was copied to it",
                self.destination, self.source
            ))
            .with_hint(format!(
                "--resume continues a copy into a destination that was empty when it began, \
                 with the same --offset and -p: {}",
                self.resume_hint
            ))),
        }
    }

    /// The error for partitions that brought neither records nor their end within --timeout.
    fn stalled(&self, consumer: &Consumer, pending: &BTreeSet<i32>) -> Error {
        let list: Vec<String> = pending.iter().map(|p| p.to_string()).collect();
        let what = format!(
            "no progress reading '{}' for {}",
            self.source,
            humantime::format_duration(self.src.timeout)
        );
        let mut why = format!(
            "no records and no end of partitions {} within --timeout",
            list.join(", ")
        );
        if let Some(reason) = consumer.last_error() {
            why.push_str(&format!(" (last error: {reason})"));
        }
        Error::new(ErrorKind::Timeout { what: what.clone() }, what)
            .because(why)
            .with_hint(crate::kafka::TIMEOUT_HINT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitioners_map_to_librdkafkas() {
        assert_eq!(Partitioner::Murmur2.property(), "murmur2_random");
        assert_eq!(Partitioner::Crc32.property(), "consistent_random");
    }

    #[test]
    fn the_summary_reads_as_a_table_and_a_line() {
        let copied = Copied {
            source: "a".into(),
            destination: "b".into(),
            destination_cluster: Some("context dr".into()),
            dry_run: false,
            created: false,
            resumed: true,
            follow: false,
            partitions: vec![PartitionCopy {
                partition: 0,
                start_offset: 0,
                end_offset: Some(10),
                skipped: 4,
                sent: Some(6),
            }],
            copied: Some(6),
            failed: 0,
            uncertain: 0,
            errors: Vec::new(),
            interrupted: false,
        };
        let text = crate::render::to_text(&copied.blocks());
        assert!(
            text.contains("Copied 6 records from 'a' to 'b' (context dr); failed: 0"),
            "{text}"
        );
        let row: Vec<&str> = text.lines().nth(1).unwrap().split_whitespace().collect();
        assert_eq!(row, ["0", "0", "10", "4", "6"]);
        let json = serde_json::to_value(&copied).unwrap();
        assert_eq!(json["partitions"][0]["skipped"], 4);
        assert_eq!(json["destination_cluster"], "context dr");
    }
}
