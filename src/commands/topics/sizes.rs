//! Sizes on disk for `topics describe` and `topics list --size`, from the brokers' log
//! directories (DescribeLogDirs):
//!
//! - a replica's size is what its broker reports for it;
//! - a partition's size is its leader's replica (the partition's data, once);
//! - a topic's size is the sum of all its replicas (what it takes on the brokers' disks,
//!   replicas being moved between log directories included), and its leader size the sum of
//!   its partitions' sizes.
//!
//! A size is unknown (`null`, `-`) when the broker it needs did not answer; every broker that
//! did not is one warning on stderr.

use serde::Serialize;

use super::super::Ctx;
use crate::kafka::{Broker, LogDirSizes, PartitionInfo, ReplicaSize, SizesOf, TopicInfo};

/// The sizes of `of` (one DescribeLogDirs per broker, in parallel); a broker that did not
/// answer is warned about.
pub async fn fetch(
    ctx: &Ctx,
    brokers: &[Broker],
    of: SizesOf<'_>,
) -> crate::error::Result<LogDirSizes> {
    let sizes = ctx.kafka()?.log_dir_sizes(brokers, of).await;
    if let Some(warning) = sizes.warning() {
        ctx.printer.warn(warning);
    }
    Ok(sizes)
}

/// Why sizes that will show as unknown (`-`, `null`) are unknown, where no broker failure
/// (warned about by [`fetch`]) says so already: a partition without a leader, a broker holding
/// a replica that was not asked (the metadata does not name it), a broker that answered
/// without a log of the replica (a partition just created gets its log a moment after its
/// leader, so a fresh topic on a fresh broker shows this). `partitions`: whether partition
/// and replica sizes are shown (`describe`), or only topic sizes (`list --size`).
pub fn unexplained(sizes: &LogDirSizes, topics: &[&TopicInfo], partitions: bool) -> Option<String> {
    // No broker could be asked at all: `fetch` said why.
    if sizes.failures.iter().any(|f| f.broker.is_none()) {
        return None;
    }
    let failed: std::collections::BTreeSet<i32> =
        sizes.failures.iter().filter_map(|f| f.broker).collect();
    let mut causes: Vec<String> = Vec::new();
    for t in topics {
        for p in &t.partitions {
            let tp = format!("{}:{}", t.name, p.id);
            if partitions && p.leader.is_none() {
                causes.push(format!("{tp} has no leader"));
            }
            for &b in &p.replicas {
                if failed.contains(&b) {
                    continue;
                }
                if !sizes.answered.contains(&b) {
                    causes.push(format!(
                        "{tp}: broker {b} holds a replica but is not among the brokers the \
                         metadata names, so it was not asked"
                    ));
                } else if partitions
                    && !reported(sizes, &t.name, p.id).iter().any(|r| r.broker == b)
                {
                    causes.push(format!(
                        "{tp}: broker {b} reported no log of it (a partition just created gets \
                         its log a moment later)"
                    ));
                }
            }
        }
    }
    if causes.is_empty() {
        return None;
    }
    const SHOWN: usize = 5;
    let more = causes.len().saturating_sub(SHOWN);
    causes.truncate(SHOWN);
    let mut text = format!("some sizes are unknown (-): {}", causes.join("; "));
    if more > 0 {
        text.push_str(&format!(" (and {more} more)"));
    }
    Some(text)
}

/// Warns about the unknown sizes [`unexplained`] finds.
pub fn warn_unexplained(ctx: &Ctx, sizes: &LogDirSizes, topics: &[&TopicInfo], partitions: bool) {
    if let Some(warning) = unexplained(sizes, topics, partitions) {
        ctx.printer.warn(warning);
    }
}

/// A replica's size, as JSON shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReplicaSizeOut {
    pub broker: i32,
    /// `null` with the sizes when the broker did not answer (or has no log of it).
    pub log_dir: Option<String>,
    pub size_bytes: Option<i64>,
    pub offset_lag: Option<i64>,
    /// A replica being moved to another log directory of its broker.
    pub is_future: bool,
}

impl ReplicaSizeOut {
    fn of(r: &ReplicaSize) -> ReplicaSizeOut {
        ReplicaSizeOut {
            broker: r.broker,
            log_dir: Some(r.log_dir.clone()),
            size_bytes: Some(r.size_bytes),
            offset_lag: Some(r.offset_lag),
            is_future: r.is_future,
        }
    }

    fn unknown(broker: i32) -> ReplicaSizeOut {
        ReplicaSizeOut {
            broker,
            log_dir: None,
            size_bytes: None,
            offset_lag: None,
            is_future: false,
        }
    }
}

fn reported<'a>(sizes: &'a LogDirSizes, topic: &str, partition: i32) -> &'a [ReplicaSize] {
    sizes
        .replicas
        .get(&(topic.to_string(), partition))
        .map_or(&[], Vec::as_slice)
}

/// Every replica of the partition in the metadata's order, then any other the brokers
/// reported (replicas being moved).
pub fn replica_sizes(sizes: &LogDirSizes, topic: &str, p: &PartitionInfo) -> Vec<ReplicaSizeOut> {
    let found = reported(sizes, topic, p.id);
    let mut out: Vec<ReplicaSizeOut> = p
        .replicas
        .iter()
        .map(|&broker| {
            found
                .iter()
                .find(|r| r.broker == broker && !r.is_future)
                .map_or_else(|| ReplicaSizeOut::unknown(broker), ReplicaSizeOut::of)
        })
        .collect();
    out.extend(
        found
            .iter()
            .filter(|r| r.is_future || !p.replicas.contains(&r.broker))
            .map(ReplicaSizeOut::of),
    );
    out
}

/// The partition's size: its leader's replica.
pub fn partition_size(sizes: &LogDirSizes, topic: &str, p: &PartitionInfo) -> Option<i64> {
    let leader = p.leader?;
    reported(sizes, topic, p.id)
        .iter()
        .find(|r| r.broker == leader && !r.is_future)
        .map(|r| r.size_bytes)
}

/// The bytes of all the topic's replicas; unknown unless every broker holding one answered.
pub fn topic_size(sizes: &LogDirSizes, t: &TopicInfo) -> Option<i64> {
    let complete = t
        .partitions
        .iter()
        .flat_map(|p| &p.replicas)
        .all(|b| sizes.answered.contains(b));
    complete.then(|| {
        t.partitions
            .iter()
            .flat_map(|p| reported(sizes, &t.name, p.id))
            .map(|r| r.size_bytes)
            .sum()
    })
}

/// The sum of the topic's partition sizes (each once); unknown if any is.
pub fn leader_size(sizes: &LogDirSizes, t: &TopicInfo) -> Option<i64> {
    t.partitions
        .iter()
        .map(|p| partition_size(sizes, &t.name, p))
        .sum()
}

/// The topic's sizes in its header line: `Size: 172.5KiB (leaders 57.5KiB)`, all replicas
/// first.
pub fn topic_part(size: Option<i64>, leader_size: Option<i64>) -> String {
    format!("Size: {} (leaders {})", human(size), human(leader_size))
}

/// Bytes as people read them: `512B`, `1.2KiB`, `3.4GiB`; `-` when unknown. No space, so
/// that a table's columns still split on whitespace (`awk`, `kafka-topics`-style parsers).
pub fn human(bytes: Option<i64>) -> String {
    let Some(bytes) = bytes else {
        return "-".to_string();
    };
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes}B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1023.95 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1}{}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replica(broker: i32, size: i64, is_future: bool) -> ReplicaSize {
        ReplicaSize {
            broker,
            log_dir: "/d".into(),
            size_bytes: size,
            offset_lag: 0,
            is_future,
        }
    }

    fn topic() -> TopicInfo {
        TopicInfo {
            name: "t".into(),
            error: None,
            partitions: vec![
                PartitionInfo {
                    id: 0,
                    leader: Some(2),
                    replicas: vec![1, 2],
                    isr: vec![1, 2],
                    error: None,
                },
                PartitionInfo {
                    id: 1,
                    leader: None,
                    replicas: vec![1],
                    isr: vec![],
                    error: None,
                },
            ],
        }
    }

    /// Every unknown size is explained: a broker that failed is warned about by `fetch`;
    /// a partition without a leader, a broker not asked and one without the replica's log here.
    #[test]
    fn unknown_sizes_are_explained() {
        let t = topic();
        let mut sizes = LogDirSizes {
            answered: [1, 2].into(),
            ..LogDirSizes::default()
        };
        sizes.replicas.insert(
            ("t".into(), 0),
            vec![replica(1, 10, false), replica(2, 10, false)],
        );
        let why = unexplained(&sizes, &[&t], true).unwrap();
        assert!(why.starts_with("some sizes are unknown (-): "), "{why}");
        assert!(why.contains("t:1 has no leader"), "{why}");
        assert!(why.contains("t:1: broker 1 reported no log of it"), "{why}");
        assert!(!why.contains("t:0"), "{why}");
        // Only topic sizes shown: a missing log counts as 0 there, nothing to explain.
        assert_eq!(unexplained(&sizes, &[&t], false), None);
        // A broker not asked.
        sizes.answered = [2].into();
        let why = unexplained(&sizes, &[&t], false).unwrap();
        assert!(
            why.contains("broker 1 holds a replica but is not among"),
            "{why}"
        );
        // A broker that failed is fetch's warning.
        sizes.failures.push(crate::kafka::SizeFailure {
            broker: Some(1),
            reason: "down".into(),
        });
        assert_eq!(unexplained(&sizes, &[&t], false), None);
        // All there: nothing.
        let mut full = LogDirSizes {
            answered: [1, 2].into(),
            ..LogDirSizes::default()
        };
        full.replicas.insert(
            ("t".into(), 0),
            vec![replica(1, 1, false), replica(2, 1, false)],
        );
        full.replicas
            .insert(("t".into(), 1), vec![replica(1, 1, false)]);
        assert!(unexplained(&full, &[&t], true)
            .unwrap()
            .contains("no leader"));
    }

    #[test]
    fn sizes_of_replicas_partitions_and_topics() {
        let t = topic();
        let mut sizes = LogDirSizes {
            answered: [1, 2].into(),
            ..LogDirSizes::default()
        };
        sizes.replicas.insert(
            ("t".into(), 0),
            vec![
                replica(1, 10, false),
                replica(2, 12, false),
                replica(2, 5, true),
            ],
        );
        sizes
            .replicas
            .insert(("t".into(), 1), vec![replica(1, 7, false)]);
        assert_eq!(partition_size(&sizes, "t", &t.partitions[0]), Some(12));
        assert_eq!(partition_size(&sizes, "t", &t.partitions[1]), None);
        assert_eq!(topic_size(&sizes, &t), Some(34));
        assert_eq!(leader_size(&sizes, &t), None);
        let replicas = replica_sizes(&sizes, "t", &t.partitions[0]);
        let brokers: Vec<(i32, bool)> = replicas.iter().map(|r| (r.broker, r.is_future)).collect();
        assert_eq!(brokers, [(1, false), (2, false), (2, true)]);
        // Broker 2 did not answer: what needs it is unknown.
        sizes.answered = [1].into();
        sizes
            .replicas
            .insert(("t".into(), 0), vec![replica(1, 10, false)]);
        assert_eq!(topic_size(&sizes, &t), None);
        let replicas = replica_sizes(&sizes, "t", &t.partitions[0]);
        assert_eq!(replicas[1], ReplicaSizeOut::unknown(2));
    }

    #[test]
    fn sizes_read_as_people_read_them() {
        assert_eq!(human(None), "-");
        assert_eq!(human(Some(0)), "0B");
        assert_eq!(human(Some(1023)), "1023B");
        assert_eq!(human(Some(1024)), "1.0KiB");
        assert_eq!(human(Some(1_258_291)), "1.2MiB");
        assert_eq!(human(Some(1024 * 1024 - 1)), "1.0MiB");
        assert_eq!(human(Some(5 * (1 << 30))), "5.0GiB");
    }
}
