//! `kctl groups describe GROUP... --watch`: lag you can watch. Every `--interval` one sample
//! of each group's committed offsets and its partitions' log-end offsets (the same constant
//! number of requests however many partitions: one DescribeConsumerGroups, one OffsetFetch
//! per group, one batched ListOffsets), and from the samples so far:
//!
//! - consume rate: committed offsets' growth per second, produce rate: log-end offsets'
//!   growth per second, both over the last [`RATE_SAMPLES`] samples;
//! - time lag: how long ago the log end was where the group's committed offset is now,
//!   interpolated in the samples' history of log-end offsets (extrapolated at the produce
//!   rate before the first sample; unknown when nothing is produced);
//! - trend of the lag (growing, shrinking, steady) over the same samples, and the time to catch
//!   up: lag / (consume rate - produce rate), or "falling behind" when that is not positive.
//!
//! On a terminal the table is redrawn in place; otherwise (or with -o json) each sample is one
//! JSON object on a line. A sample that fails (a broker restarting) is reported and the watch
//! goes on; Ctrl-C ends it.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use serde::Serialize;

use super::super::{dedup, Ctx};
use super::describe::Args;
use super::{check_exist, load_groups, Group, StateName};
use crate::error::{Error, Result};
use crate::kafka::{OffsetSpec, TopicPartition};
use crate::printer::OutputFormat;
use crate::render::{or_dash, Block, Render, Table};

/// Rates and trends are measured over this many samples (the last one included).
pub const RATE_SAMPLES: usize = 6;
/// Samples of log-end offsets kept to tell time lags by.
const HISTORY: usize = 1800;

/// clap value parser for `--interval`: a duration of 100ms or more.
pub fn parse_interval(s: &str) -> std::result::Result<Duration, String> {
    let d = humantime::parse_duration(s.trim())
        .map_err(|e| format!("invalid interval '{s}': {e} (e.g. 500ms, 2s, 1m)"))?;
    if d < Duration::from_millis(100) {
        return Err(format!("invalid interval '{s}': 100ms is the shortest"));
    }
    Ok(d)
}

/// One line of `--watch -o json`: a sample of every group watched.
#[derive(Debug, Serialize)]
pub struct Sample {
    /// When the sample was taken, in ms since the epoch.
    pub time: i64,
    /// The sample's number, from 1.
    pub sample: u64,
    /// The sample could not be taken (`error` says why); `groups` is then empty.
    pub missed: bool,
    pub error: Option<String>,
    pub groups: Vec<GroupSample>,
}

#[derive(Debug, Serialize)]
pub struct GroupSample {
    pub group: String,
    pub state: StateName,
    pub members: usize,
    /// The sum of the partitions' known lags (negative ones count as 0); `null` when none is
    /// known.
    pub lag: Option<i64>,
    /// Records per second, summed over the partitions that have a rate.
    pub consume_rate: Option<f64>,
    pub produce_rate: Option<f64>,
    /// The largest time lag of its partitions.
    pub time_lag_ms: Option<i64>,
    pub trend: Option<Trend>,
    /// Time to catch up at the current rates; `null` when unknown or falling behind.
    pub eta_ms: Option<i64>,
    pub status: Status,
    /// How long the rates were measured over (ms); `null` before the second sample.
    pub window_ms: Option<i64>,
    pub partitions: Vec<PartitionSample>,
}

#[derive(Debug, Serialize)]
pub struct PartitionSample {
    pub topic: String,
    pub partition: i32,
    pub current_offset: Option<i64>,
    pub log_end_offset: Option<i64>,
    pub lag: Option<i64>,
    pub consume_rate: Option<f64>,
    pub produce_rate: Option<f64>,
    pub time_lag_ms: Option<i64>,
    pub trend: Option<Trend>,
    pub eta_ms: Option<i64>,
    pub status: Status,
    pub consumer_id: Option<String>,
}

/// Where the lag is going, over the rate window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Growing,
    Shrinking,
    Steady,
}

/// Whether the group catches up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// No lag.
    CaughtUp,
    /// Consuming faster than producing: `eta_ms` says when it catches up.
    CatchingUp,
    /// Lag, and not consuming faster than producing.
    FallingBehind,
    /// Not known yet (one sample, or offsets unknown).
    Unknown,
}

/// One partition's offsets at one sample.
#[derive(Debug, Clone, Copy)]
struct Point {
    /// ms since the epoch.
    time: i64,
    committed: Option<i64>,
    end: Option<i64>,
}

/// What was seen of the groups' partitions so far.
#[derive(Default)]
struct History {
    points: BTreeMap<(String, TopicPartition), VecDeque<Point>>,
}

impl History {
    fn add(&mut self, group: &str, tp: &TopicPartition, point: Point) -> &VecDeque<Point> {
        let points = self
            .points
            .entry((group.to_string(), tp.clone()))
            .or_default();
        points.push_back(point);
        while points.len() > HISTORY {
            points.pop_front();
        }
        points
    }
}

/// Growth per second of `value` between the first and last of `points` that have one.
fn rate(points: &[Point], value: impl Fn(&Point) -> Option<i64>) -> Option<(f64, i64)> {
    let first = points.iter().find(|p| value(p).is_some())?;
    let last = points.iter().rev().find(|p| value(p).is_some())?;
    let dt = last.time - first.time;
    if dt <= 0 {
        return None;
    }
    let dv = value(last)? - value(first)?;
    Some((dv as f64 * 1000.0 / dt as f64, dt))
}

/// How long before `now` the log end was at `committed`, from the log-end history.
fn time_lag(points: &VecDeque<Point>, committed: i64, end: i64, now: i64) -> Option<i64> {
    if committed >= end {
        return Some(0);
    }
    let ends: Vec<(i64, i64)> = points
        .iter()
        .filter_map(|p| Some((p.time, p.end?)))
        .collect();
    // The last sample at or before the committed offset, and the one after it.
    match ends.iter().rposition(|(_, e)| *e <= committed) {
        Some(i) if i + 1 < ends.len() => {
            let (t0, e0) = ends[i];
            let (t1, e1) = ends[i + 1];
            let at = t0 as f64 + (committed - e0) as f64 / (e1 - e0) as f64 * (t1 - t0) as f64;
            Some((now - at.round() as i64).max(0))
        }
        Some(_) => None,
        None => {
            // Written before the first sample: at the rate the history shows.
            let (t0, e0) = *ends.first()?;
            let (t1, e1) = *ends.last()?;
            if t1 <= t0 || e1 <= e0 {
                return None;
            }
            let per_ms = (e1 - e0) as f64 / (t1 - t0) as f64;
            let at = t0 as f64 - (e0 - committed) as f64 / per_ms;
            Some((now - at.round() as i64).max(0))
        }
    }
}

/// Status and time to catch up of a lag at these rates.
fn outlook(lag: Option<i64>, consume: Option<f64>, produce: Option<f64>) -> (Status, Option<i64>) {
    match lag {
        None => (Status::Unknown, None),
        Some(lag) if lag <= 0 => (Status::CaughtUp, Some(0)),
        Some(lag) => match (consume, produce) {
            (Some(c), Some(p)) if c - p > 0.0 => (
                Status::CatchingUp,
                Some((lag as f64 / (c - p) * 1000.0).round() as i64),
            ),
            (Some(_), Some(_)) => (Status::FallingBehind, None),
            _ => (Status::Unknown, None),
        },
    }
}

fn trend_of(points: &[Point]) -> Option<Trend> {
    let lag = |p: &Point| Some(p.end? - p.committed?);
    let first = points.iter().find_map(lag)?;
    let last = points.iter().rev().find_map(lag)?;
    if points.iter().filter(|p| lag(p).is_some()).count() < 2 {
        return None;
    }
    Some(match last.cmp(&first) {
        std::cmp::Ordering::Greater => Trend::Growing,
        std::cmp::Ordering::Less => Trend::Shrinking,
        std::cmp::Ordering::Equal => Trend::Steady,
    })
}

/// One round of requests: the groups and their partitions' log-end offsets. A client of the
/// sample's own: a long-lived one that went through a broker restart was seen to abort in
/// librdkafka (an assertion on an admin request waiting for the broker); it is dropped on a
/// thread of its own.
async fn fetch(ctx: &Ctx, names: &[String]) -> Result<Fetched> {
    let kafka = crate::kafka::Kafka::connect(ctx.client()?)?;
    let fetched = fetch_with(&kafka, names).await;
    let _ = std::thread::Builder::new()
        .name("kctl-close".into())
        .spawn(move || drop(kafka));
    fetched
}

/// The groups, their partitions' log-end offsets, and when the offsets were read (ms since
/// the epoch: between the committed offsets' answer and the log-end offsets' request).
type Fetched = (Vec<Group>, BTreeMap<TopicPartition, i64>, i64);

async fn fetch_with(kafka: &crate::kafka::Kafka, names: &[String]) -> Result<Fetched> {
    let groups = load_groups(kafka, names).await?;
    let at = chrono::Utc::now().timestamp_millis();
    let partitions: Vec<TopicPartition> = groups.iter().flat_map(Group::partitions).collect();
    let ends = kafka.list_offsets(&partitions, OffsetSpec::Latest).await?;
    let ends = ends
        .into_iter()
        .filter_map(|(tp, r)| Some((tp, r.ok().filter(|o| *o >= 0)?)))
        .collect();
    Ok((groups, ends, at))
}

/// Turns one round of answers into a sample, adding it to the history.
fn sample(
    history: &mut History,
    groups: &[Group],
    ends: &BTreeMap<TopicPartition, i64>,
    now: i64,
) -> Vec<GroupSample> {
    groups
        .iter()
        .map(|g| {
            let mut owner = BTreeMap::new();
            for m in &g.info.members {
                for tp in &m.assignment {
                    owner.insert(tp.clone(), m.consumer_id.clone());
                }
            }
            let mut window = None;
            let partitions: Vec<PartitionSample> = g
                .partitions()
                .into_iter()
                .map(|tp| {
                    let committed = g.offsets.get(&tp).and_then(|o| o.clone().ok().flatten());
                    let end = ends.get(&tp).copied();
                    let point = Point {
                        time: now,
                        committed,
                        end,
                    };
                    let points = history.add(&g.info.group, &tp, point);
                    let recent: Vec<Point> = points
                        .iter()
                        .skip(points.len().saturating_sub(RATE_SAMPLES))
                        .copied()
                        .collect();
                    let consume = rate(&recent, |p| p.committed);
                    let produce = rate(&recent, |p| p.end);
                    if let Some((_, dt)) = produce.or(consume) {
                        window = window.max(Some(dt));
                    }
                    let (consume, produce) = (consume.map(|r| r.0), produce.map(|r| r.0));
                    let lag = committed.zip(end).map(|(c, e)| e - c);
                    let (status, eta_ms) = outlook(lag.map(|l| l.max(0)), consume, produce);
                    PartitionSample {
                        current_offset: committed,
                        log_end_offset: end,
                        lag,
                        consume_rate: consume,
                        produce_rate: produce,
                        time_lag_ms: committed
                            .zip(end)
                            .and_then(|(c, e)| time_lag(points, c, e, now)),
                        trend: trend_of(&recent),
                        eta_ms,
                        status,
                        consumer_id: owner.get(&tp).cloned(),
                        topic: tp.0,
                        partition: tp.1,
                    }
                })
                .collect();
            let sum = |f: &dyn Fn(&PartitionSample) -> Option<f64>| {
                partitions.iter().filter_map(f).reduce(|a, b| a + b)
            };
            let consume_rate = sum(&|p| p.consume_rate);
            let produce_rate = sum(&|p| p.produce_rate);
            let lag = partitions
                .iter()
                .filter_map(|p| p.lag)
                .map(|l| l.max(0))
                .reduce(|a, b| a + b);
            let (status, eta_ms) = outlook(lag, consume_rate, produce_rate);
            let trends: Vec<Trend> = partitions.iter().filter_map(|p| p.trend).collect();
            let trend = if trends.is_empty() {
                None
            } else {
                // The group's lag is the sum of its partitions': its trend is the sum's.
                let delta: i64 = history_lag_delta(history, &g.info.group, &partitions);
                Some(match delta.cmp(&0) {
                    std::cmp::Ordering::Greater => Trend::Growing,
                    std::cmp::Ordering::Less => Trend::Shrinking,
                    std::cmp::Ordering::Equal => Trend::Steady,
                })
            };
            GroupSample {
                group: g.info.group.clone(),
                state: StateName(g.info.state),
                members: g.info.members.len(),
                lag,
                consume_rate,
                produce_rate,
                time_lag_ms: partitions.iter().filter_map(|p| p.time_lag_ms).max(),
                trend,
                eta_ms,
                status,
                window_ms: window,
                partitions,
            }
        })
        .collect()
}

/// How the group's summed lag changed over the rate window.
fn history_lag_delta(history: &History, group: &str, partitions: &[PartitionSample]) -> i64 {
    partitions
        .iter()
        .filter_map(|p| {
            let points = history
                .points
                .get(&(group.to_string(), (p.topic.clone(), p.partition)))?;
            let recent: Vec<&Point> = points
                .iter()
                .skip(points.len().saturating_sub(RATE_SAMPLES))
                .collect();
            let lag = |p: &&Point| Some(p.end? - p.committed?);
            let first = recent.iter().find_map(lag)?;
            let last = recent.iter().rev().find_map(lag)?;
            Some(last - first)
        })
        .sum()
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let names = dedup(args.groups);
    let json = ctx.settings.output == OutputFormat::Json || !ctx.printer.stdout_is_terminal();
    let mut history = History::default();
    let mut ticker = tokio::time::interval(args.interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut number: u64 = 0;
    let mut last_shown: Option<String> = None;
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = ctx.interrupt.cancelled() => return Err(ctx.interrupt.error()),
        }
        number += 1;
        // Every call of a sample is bounded by --timeout (one that does not answer in time
        // makes a missed sample). Not cut short from outside: librdkafka's admin calls must
        // end by themselves.
        let fetched = tokio::select! {
            r = fetch(ctx, &names) => r,
            _ = ctx.interrupt.cancelled() => return Err(ctx.interrupt.error()),
        };
        let mut now = chrono::Utc::now().timestamp_millis();
        let sample = match fetched {
            Ok((groups, ends, at)) => {
                now = at;
                // The groups must exist: checked on the first sample only (a group can be
                // emptied while watched).
                if number == 1 {
                    check_exist(&groups, "")?;
                }
                Sample {
                    time: now,
                    sample: number,
                    missed: false,
                    error: None,
                    groups: sample(&mut history, &groups, &ends, now),
                }
            }
            // Nothing to watch: a usage error or groups that cannot be read at all.
            Err(e) if number == 1 => return Err(e),
            Err(e) => Sample {
                time: now,
                sample: number,
                missed: true,
                error: Some(e.message()),
                groups: Vec::new(),
            },
        };
        if json {
            let mut line = serde_json::to_string(&sample)
                .map_err(|e| Error::runtime(format!("cannot encode JSON: {e}")))?;
            line.push('\n');
            ctx.printer.write_data(line.as_bytes())?;
        } else {
            let head = format!(
                "Every {}: kctl groups describe {} --watch ({}; Ctrl-C to stop)",
                crate::settings::format_duration(args.interval),
                names.join(" "),
                chrono::DateTime::from_timestamp_millis(now)
                    .map(|t| t
                        .with_timezone(&chrono::Local)
                        .format("%H:%M:%S")
                        .to_string())
                    .unwrap_or_default()
            );
            let body = if sample.missed {
                let missed = format!(
                    "sample {number} missed: {}\n",
                    sample.error.as_deref().unwrap_or("")
                );
                match &last_shown {
                    Some(last) => format!("{missed}the last sample:\n{last}"),
                    None => missed,
                }
            } else {
                let text = crate::render::to_text(&sample.blocks());
                last_shown = Some(text.clone());
                text
            };
            ctx.printer.redraw(&format!("{head}\n\n{body}"))?;
        }
    }
}

/// A rate for people: `12.5/s`, `-` when unknown.
fn rate_text(rate: Option<f64>) -> String {
    match rate {
        Some(r) if r.abs() >= 100.0 => format!("{r:.0}/s"),
        Some(r) => format!("{r:.1}/s"),
        None => "-".into(),
    }
}

/// A duration for people: `0s`, `42s`, `5m3s`, `2h10m`, `3d4h` (two units at most).
fn duration_text(ms: i64) -> String {
    let secs = ms / 1000;
    let (d, h, m, s) = (secs / 86_400, secs / 3_600 % 24, secs / 60 % 60, secs % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m{s}s"),
        (0, _, _) => format!("{h}h{m}m"),
        _ => format!("{d}d{h}h"),
    }
}

fn trend_text(trend: Option<Trend>) -> &'static str {
    match trend {
        Some(Trend::Growing) => "growing",
        Some(Trend::Shrinking) => "shrinking",
        Some(Trend::Steady) => "steady",
        None => "-",
    }
}

fn eta_text(status: Status, eta: Option<i64>) -> String {
    match status {
        Status::CaughtUp => "caught-up".into(),
        Status::CatchingUp => eta.map_or("-".into(), duration_text),
        Status::FallingBehind => "falling-behind".into(),
        Status::Unknown => "-".into(),
    }
}

impl Render for Sample {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new([
            "GROUP",
            "TOPIC",
            "PARTITION",
            "CURRENT-OFFSET",
            "LOG-END-OFFSET",
            "LAG",
            "CONSUME-RATE",
            "PRODUCE-RATE",
            "TIME-LAG",
            "TREND",
            "ETA",
        ])
        .numeric(&[2, 3, 4, 5, 6, 7, 8]);
        for g in &self.groups {
            for p in &g.partitions {
                table.row([
                    g.group.clone(),
                    p.topic.clone(),
                    p.partition.to_string(),
                    or_dash(p.current_offset),
                    or_dash(p.log_end_offset),
                    or_dash(p.lag),
                    rate_text(p.consume_rate),
                    rate_text(p.produce_rate),
                    p.time_lag_ms.map_or("-".into(), duration_text),
                    trend_text(p.trend).to_string(),
                    eta_text(p.status, p.eta_ms),
                ]);
            }
        }
        let mut blocks = vec![Block::Table(table), Block::Line(String::new())];
        for g in &self.groups {
            blocks.push(Block::Line(format!(
                "{} ({}, {} {}): lag {}, consuming {}, producing {}, time lag {}, {}, ETA {}",
                g.group,
                g.state.0.name(),
                g.members,
                crate::render::plural(g.members, "member", "members"),
                or_dash(g.lag),
                rate_text(g.consume_rate),
                rate_text(g.produce_rate),
                g.time_lag_ms.map_or("-".into(), duration_text),
                trend_text(g.trend),
                eta_text(g.status, g.eta_ms),
            )));
        }
        blocks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(time: i64, committed: i64, end: i64) -> Point {
        Point {
            time,
            committed: Some(committed),
            end: Some(end),
        }
    }

    #[test]
    fn rates_are_growth_per_second_over_the_window() {
        let points = [
            point(0, 0, 100),
            point(1000, 50, 120),
            point(2000, 100, 140),
        ];
        assert_eq!(rate(&points, |p| p.committed), Some((50.0, 2000)));
        assert_eq!(rate(&points, |p| p.end), Some((20.0, 2000)));
        assert_eq!(rate(&points[..1], |p| p.end), None);
        assert_eq!(trend_of(&points), Some(Trend::Shrinking));
    }

    #[test]
    fn catching_up_or_falling_behind() {
        assert_eq!(outlook(Some(0), None, None), (Status::CaughtUp, Some(0)));
        assert_eq!(
            outlook(Some(300), Some(50.0), Some(20.0)),
            (Status::CatchingUp, Some(10_000))
        );
        assert_eq!(
            outlook(Some(300), Some(20.0), Some(20.0)),
            (Status::FallingBehind, None)
        );
        assert_eq!(outlook(Some(300), None, None), (Status::Unknown, None));
        assert_eq!(outlook(None, Some(1.0), Some(0.0)), (Status::Unknown, None));
    }

    #[test]
    fn time_lag_is_interpolated_in_the_log_end_history() {
        let points: VecDeque<Point> = [point(0, 0, 100), point(1000, 0, 200), point(2000, 0, 300)]
            .into_iter()
            .collect();
        // The log end was at 150 half-way between the first two samples.
        assert_eq!(time_lag(&points, 150, 300, 2000), Some(1500));
        assert_eq!(time_lag(&points, 300, 300, 2000), Some(0));
        // Before the first sample: at 100 records a second, 50 records are half a second.
        assert_eq!(time_lag(&points, 50, 300, 2000), Some(2500));
        // Nothing produced since: unknown.
        let still: VecDeque<Point> = [point(0, 0, 100), point(1000, 0, 100)]
            .into_iter()
            .collect();
        assert_eq!(time_lag(&still, 50, 100, 1000), None);
    }

    #[test]
    fn intervals_parse() {
        assert_eq!(parse_interval("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_interval("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_interval("10ms").is_err());
        assert!(parse_interval("soon").is_err());
    }
}
