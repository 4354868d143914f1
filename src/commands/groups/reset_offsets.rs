//! `kctl groups reset-offsets GROUP (--topic T[:P[,P...]]... | --all-topics) TARGET [--execute]`

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone};
use serde::Serialize;

use super::super::Ctx;
use super::{load_groups, Group};
use crate::commands::topics::validate_topic_name;
use crate::error::{Error, Result};
use crate::kafka::{BrokerError, OffsetSpec, TopicPartition};
use crate::render::{or_dash, to_text, Block, Render, Table};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl groups reset-offsets order-tracker --topic orders --to-earliest\n  \
    kctl groups reset-offsets order-tracker --all-topics --shift-by -100 --execute\n  \
    kctl groups reset-offsets order-tracker --topic orders:0,1 --by-duration 1h --execute --yes")]
pub struct Args {
    /// The consumer group
    #[arg(value_name = "GROUP", value_parser = super::group_name, add = crate::complete::group_completer())]
    pub group: String,

    #[command(flatten)]
    pub scope: Scope,

    #[command(flatten)]
    pub target: Target,

    /// Apply the plan (asks first); without it nothing changes
    #[arg(long)]
    pub execute: bool,

    /// Only print the plan (the default)
    #[arg(long, conflicts_with = "execute")]
    pub dry_run: bool,

    /// Apply without asking (required with --execute when there is no terminal to ask on)
    #[arg(short = 'y', long)]
    pub yes: bool,
}

#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct Scope {
    /// A topic, or some of its partitions (repeatable)
    #[arg(long = "topic", value_name = "TOPIC[:P[,P...]]", value_parser = parse_topic_spec)]
    pub topics: Vec<TopicSpec>,

    /// Every topic the group has committed offsets for
    #[arg(long)]
    pub all_topics: bool,
}

#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct Target {
    /// To each partition's earliest offset
    #[arg(long, help_heading = "Targets (exactly one)")]
    pub to_earliest: bool,

    /// To each partition's latest offset (the log end: skip everything)
    #[arg(long, help_heading = "Targets (exactly one)")]
    pub to_latest: bool,

    /// To the committed offset (the latest where the group has none)
    #[arg(long, help_heading = "Targets (exactly one)")]
    pub to_current: bool,

    /// To this offset
    #[arg(
        long,
        value_name = "N",
        allow_negative_numbers = true,
        value_parser = clap::value_parser!(i64).range(0..),
        help_heading = "Targets (exactly one)"
    )]
    pub to_offset: Option<i64>,

    /// Move the committed offset by N (negative: back)
    #[arg(
        long,
        value_name = "N",
        allow_negative_numbers = true,
        help_heading = "Targets (exactly one)"
    )]
    pub shift_by: Option<i64>,

    /// To the first offset at or after this time: RFC 3339 or ISO 8601, in UTC with Z or an
    /// offset, else local time (2024-05-01T12:00:00Z, 2024-05-01T14:00:00+02:00,
    /// 2024-05-01T12:00:00, 2024-05-01)
    #[arg(
        long,
        value_name = "TIME",
        value_parser = parse_datetime,
        help_heading = "Targets (exactly one)"
    )]
    pub to_datetime: Option<i64>,

    /// To the first offset at or after this long ago (1h, 30m, 2d 4h, or ISO 8601 P1DT2H)
    #[arg(
        long,
        value_name = "DURATION",
        value_parser = parse_ago,
        help_heading = "Targets (exactly one)"
    )]
    pub by_duration: Option<Duration>,
}

/// `--topic T[:P[,P...]]`: a topic and optionally some of its partitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSpec {
    pub topic: String,
    /// `None`: every partition.
    pub partitions: Option<Vec<i32>>,
}

fn parse_topic_spec(s: &str) -> std::result::Result<TopicSpec, String> {
    let (topic, partitions) = match s.split_once(':') {
        Some((t, ps)) => (t, Some(ps)),
        None => (s, None),
    };
    validate_topic_name(topic).map_err(|e| e.message().to_string())?;
    let partitions = partitions
        .map(|ps| {
            ps.split(',')
                .map(|p| {
                    p.trim()
                        .parse::<i32>()
                        .ok()
                        .filter(|p| *p >= 0)
                        .ok_or_else(|| format!("'{p}' is not a partition number (in '{s}')"))
                })
                .collect::<std::result::Result<Vec<i32>, String>>()
        })
        .transpose()?;
    Ok(TopicSpec {
        topic: topic.to_string(),
        partitions,
    })
}

/// A time as milliseconds since the epoch.
fn parse_datetime(s: &str) -> std::result::Result<i64, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(t) = DateTime::parse_from_str(s, format) {
            return Ok(t.timestamp_millis());
        }
    }
    let naive = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    });
    match naive {
        Some(naive) => Local
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.timestamp_millis())
            .ok_or_else(|| format!("'{s}' does not exist in the local time zone")),
        None => Err(format!(
            "'{s}' is not a time: use RFC 3339 / ISO 8601, e.g. 2024-05-01T12:00:00Z, \
             2024-05-01T14:00:00+02:00 or 2024-05-01T12:00:00 (local time)"
        )),
    }
}

/// A duration: humantime (`1h 30m`) or ISO 8601 (`PT1H30M`, `P1DT2H`).
fn parse_ago(s: &str) -> std::result::Result<Duration, String> {
    let s = s.trim();
    let bad =
        || format!("'{s}' is not a duration: use e.g. 1h, 30m, 2d 4h, or ISO 8601 such as PT1H30M");
    if let Some(iso) = s.strip_prefix('P').or_else(|| s.strip_prefix('p')) {
        return parse_iso_duration(iso).ok_or_else(bad);
    }
    humantime::parse_duration(s).map_err(|_| bad())
}

/// The part of an ISO 8601 duration after `P`: `nW`, or `nD` then `T` with `nH nM nS`.
fn parse_iso_duration(s: &str) -> Option<Duration> {
    let s = s.to_ascii_uppercase();
    let (date, time) = match s.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d.to_string(), Some(t.to_string())),
        Some(_) => return None,
        None => (s, None),
    };
    let mut secs = 0f64;
    let mut any = false;
    let mut take = |part: &str, units: &[(char, f64)]| -> Option<()> {
        let mut number = String::new();
        let mut last = 0;
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' || c == ',' {
                number.push(if c == ',' { '.' } else { c });
                continue;
            }
            let idx = units.iter().position(|(u, _)| *u == c)?;
            if idx < last || number.is_empty() {
                return None;
            }
            last = idx + 1;
            secs += number.parse::<f64>().ok()? * units[idx].1;
            number.clear();
            any = true;
        }
        number.is_empty().then_some(())
    };
    take(&date, &[('W', 604_800.0), ('D', 86_400.0)])?;
    if let Some(time) = time {
        take(&time, &[('H', 3_600.0), ('M', 60.0), ('S', 1.0)])?;
    }
    (any && secs.is_finite()).then(|| Duration::from_secs_f64(secs))
}

#[derive(Debug, Serialize)]
pub struct Plan {
    pub group: String,
    /// `false` for a dry run: nothing was changed.
    pub executed: bool,
    pub offsets: Vec<PlannedOffset>,
}

#[derive(Debug, Serialize)]
pub struct PlannedOffset {
    pub topic: String,
    pub partition: i32,
    /// The committed offset before the reset; `null` when there was none.
    pub current_offset: Option<i64>,
    pub new_offset: i64,
}

impl Render for Plan {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new([
            "GROUP",
            "TOPIC",
            "PARTITION",
            "CURRENT-OFFSET",
            "NEW-OFFSET",
        ])
        .numeric(&[2, 3, 4]);
        for o in &self.offsets {
            table.row([
                self.group.clone(),
                o.topic.clone(),
                o.partition.to_string(),
                or_dash(o.current_offset),
                o.new_offset.to_string(),
            ]);
        }
        vec![Block::Table(table)]
    }
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let kafka = ctx.kafka()?;
    let group_name = args.group.clone();
    let group = load_groups(kafka, std::slice::from_ref(&group_name))
        .await?
        .pop()
        .ok_or_else(|| Error::runtime("internal error: no group described"))?;
    refuse_active(&group)?;
    let committed = group.committed();

    // Which partitions.
    let partitions: Vec<TopicPartition> = if args.scope.all_topics {
        if committed.is_empty() {
            let why = if group.exists() {
                "has no committed offsets"
            } else {
                "does not exist"
            };
            let message =
                format!("consumer group '{group_name}' {why}, so --all-topics names no partition");
            let error = match group.exists() {
                true => Error::runtime(message),
                false => Error::not_found(format!("consumer group '{group_name}'"), message),
            };
            return Err(
                error.with_hint("name the topics with --topic to set the group's offsets on them")
            );
        }
        committed.keys().cloned().collect()
    } else {
        let cluster = kafka.metadata().await?;
        let mut chosen = BTreeSet::new();
        for spec in &args.scope.topics {
            let topic = cluster
                .topic(&spec.topic)
                .filter(|t| t.error.is_none())
                .ok_or_else(|| {
                    Error::not_found(
                        format!("topic '{}'", spec.topic),
                        format!("topic not found: {}", spec.topic),
                    )
                })?;
            match &spec.partitions {
                None => chosen.extend(topic.partitions.iter().map(|p| (spec.topic.clone(), p.id))),
                Some(ps) => {
                    if let Some(missing) = topic.missing_partition(ps) {
                        // (This command's own wording, which its tests pin.)
                        return Err(Error::not_found(
                            missing.resource(),
                            format!(
                                "topic '{}' has no partition {} (it has {})",
                                missing.topic, missing.partition, missing.count
                            ),
                        ));
                    }
                    chosen.extend(ps.iter().map(|p| (spec.topic.clone(), *p)));
                }
            }
        }
        chosen.into_iter().collect()
    };

    // The bounds for clamping and, for time targets, the offsets for the time.
    let time = args.target.to_datetime.or_else(|| {
        args.target.by_duration.map(|d| {
            chrono::Utc::now().timestamp_millis() - i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
        })
    });
    let (earliest, latest, at_time) = tokio::try_join!(
        kafka.list_offsets(&partitions, OffsetSpec::Earliest),
        kafka.list_offsets(&partitions, OffsetSpec::Latest),
        async {
            match time {
                Some(ts) => kafka
                    .list_offsets(&partitions, OffsetSpec::Timestamp(ts))
                    .await
                    .map(Some),
                None => Ok(None),
            }
        },
    )?;
    let get = |map: &BTreeMap<TopicPartition, std::result::Result<i64, BrokerError>>,
               tp: &TopicPartition,
               which: &str| {
        match map.get(tp) {
            Some(Ok(o)) => Ok(*o),
            Some(Err(e)) => Err(Error::runtime(format!(
                "cannot read the {which} offset of {}:{}: {e}; nothing was changed",
                tp.0, tp.1
            ))),
            None => Err(Error::runtime(format!(
                "cannot read the {which} offset of {}:{}: no answer; nothing was changed",
                tp.0, tp.1
            ))),
        }
    };

    let mut offsets = Vec::new();
    let mut uncommitted = Vec::new();
    for tp in &partitions {
        let lo = get(&earliest, tp, "earliest")?;
        let hi = get(&latest, tp, "latest")?;
        let current = committed.get(tp).copied();
        let t = &args.target;
        let wanted = if t.to_earliest {
            lo
        } else if t.to_latest {
            hi
        } else if t.to_current {
            current.unwrap_or(hi)
        } else if let Some(n) = t.to_offset {
            n
        } else if let Some(n) = t.shift_by {
            match current {
                Some(c) => c.saturating_add(n),
                None => {
                    uncommitted.push(format!("{}:{}", tp.0, tp.1));
                    continue;
                }
            }
        } else if let Some(at) = &at_time {
            // No message at or after the time: the log end, as Kafka does.
            match get(at, tp, "time's")? {
                o if o < 0 => hi,
                o => o,
            }
        } else {
            return Err(Error::usage("no reset target given"));
        };
        offsets.push(PlannedOffset {
            topic: tp.0.clone(),
            partition: tp.1,
            current_offset: current,
            new_offset: wanted.clamp(lo, hi.max(lo)),
        });
    }
    if !uncommitted.is_empty() {
        ctx.printer.warn(format!(
            "--shift-by skips partitions without a committed offset: {}",
            uncommitted.join(", ")
        ));
    }

    let mut plan = Plan {
        group: group_name.clone(),
        executed: false,
        offsets,
    };
    if !args.execute {
        ctx.printer.print(&plan)?;
        ctx.printer
            .note("Dry run: nothing was changed. Pass --execute to apply this plan.");
        return Ok(());
    }
    if plan.offsets.is_empty() {
        return Err(Error::runtime("nothing to reset"));
    }

    let action = format!(
        "reset the offsets of consumer group '{group_name}' on {} {}",
        plan.offsets.len(),
        if plan.offsets.len() == 1 {
            "partition"
        } else {
            "partitions"
        }
    );
    // What is about to be confirmed shows before the question (stdout stays for the result).
    let details = to_text(&plan.blocks());
    if !ctx
        .printer
        .confirm(&action, Some(details.trim_end()), args.yes)?
    {
        return Err(Error::runtime("aborted: nothing was changed"));
    }
    let request: Vec<(TopicPartition, i64)> = plan
        .offsets
        .iter()
        .map(|o| ((o.topic.clone(), o.partition), o.new_offset))
        .collect();
    let results = kafka.alter_group_offsets(&group_name, &request).await?;
    let failed: Vec<String> = results
        .iter()
        .filter_map(|((t, p), r)| r.as_ref().err().map(|e| format!("{t}:{p}: {e}")))
        .collect();
    if !failed.is_empty() {
        return Err(Error::runtime(format!(
            "cannot reset the offsets of consumer group '{group_name}' on {} of {} partitions: {}",
            failed.len(),
            results.len(),
            failed.join("; ")
        )));
    }
    plan.executed = true;
    ctx.printer.print(&plan)
}

fn refuse_active(group: &Group) -> Result<()> {
    if !group.is_active() {
        return Ok(());
    }
    let n = group.info.members.len();
    Err(Error::runtime(format!(
        "cannot reset the offsets of consumer group '{}': it has {n} active {} (state {}); \
         nothing was changed",
        group.info.group,
        if n == 1 { "member" } else { "members" },
        group.info.state.name()
    ))
    .with_hint("offsets can only be reset while the group is inactive: stop its consumers first"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_specs_parse() {
        assert_eq!(
            parse_topic_spec("orders").unwrap(),
            TopicSpec {
                topic: "orders".into(),
                partitions: None
            }
        );
        assert_eq!(
            parse_topic_spec("orders:0,2").unwrap().partitions,
            Some(vec![0, 2])
        );
        assert!(parse_topic_spec("orders:").is_err());
        assert!(parse_topic_spec("orders:x").is_err());
        assert!(parse_topic_spec("orders:-1").is_err());
        assert!(parse_topic_spec("bad topic").is_err());
    }

    #[test]
    fn datetimes_parse() {
        let utc = 1_714_564_800_000; // 2024-05-01T12:00:00Z
        assert_eq!(parse_datetime("2024-05-01T12:00:00Z"), Ok(utc));
        assert_eq!(parse_datetime("2024-05-01T12:00:00.000Z"), Ok(utc));
        assert_eq!(parse_datetime("2024-05-01T14:00:00+02:00"), Ok(utc));
        assert_eq!(parse_datetime("2024-05-01T14:00:00.000+0200"), Ok(utc));
        let local = Local
            .with_ymd_and_hms(2024, 5, 1, 12, 0, 0)
            .unwrap()
            .timestamp_millis();
        assert_eq!(parse_datetime("2024-05-01T12:00:00"), Ok(local));
        assert_eq!(parse_datetime("2024-05-01 12:00"), Ok(local));
        assert!(parse_datetime("2024-05-01").is_ok());
        assert!(parse_datetime("yesterday").is_err());
        assert!(parse_datetime("2024-13-01T00:00:00Z").is_err());
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_ago("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(
            parse_ago("2d 4h"),
            Ok(Duration::from_secs(2 * 86400 + 4 * 3600))
        );
        assert_eq!(parse_ago("PT1H30M"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_ago("P1DT2H"), Ok(Duration::from_secs(93600)));
        assert_eq!(parse_ago("P2W"), Ok(Duration::from_secs(2 * 604_800)));
        assert_eq!(parse_ago("PT0.5S"), Ok(Duration::from_millis(500)));
        for bad in ["", "P", "PT", "P1H", "PT1D", "PT1M1H", "soon", "-1h"] {
            assert!(parse_ago(bad).is_err(), "{bad}");
        }
    }
}
