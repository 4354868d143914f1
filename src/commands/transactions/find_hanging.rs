//! `kctl transactions find-hanging (--topic T[:P,...] | --broker ID)
//! [--max-transaction-timeout DURATION]`: Apache's algorithm (`kafka-transactions
//! find-hanging`). The candidates are the producers with a transaction open on a partition for
//! longer than the longest transaction timeout (since their last record); a candidate hangs
//! when no coordinator lists a transactional id for its producer, when its coordinator no
//! longer knows that id, or when the coordinator's transaction does not hold the partition:
//! then no coordinator will ever write its marker, and read_committed consumers of the
//! partition are stuck at its start offset until it is aborted (`kctl transactions abort`).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use super::super::groups::reset_offsets::{parse_topic_spec, TopicSpec};
use super::super::offsets::format_ms;
use super::super::Ctx;
use super::now_ms;
use crate::error::{Error, ErrorKind, Result};
use crate::kafka::{PartitionProducers, TopicPartition, TransactionDescription, TransactionFilter};
use crate::render::{or_dash, Block, Render, Table};

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("scope").required(true).multiple(true))]
#[command(after_help = "Examples:\n  \
    kctl transactions find-hanging --topic orders\n  \
    kctl transactions find-hanging --broker 1 --max-transaction-timeout 5m -o json")]
pub struct Args {
    /// Search these topics, or some of their partitions (repeatable)
    #[arg(long = "topic", value_name = "TOPIC[:P[,P...]]", value_parser = parse_topic_spec,
          group = "scope", add = crate::complete::topic_completer())]
    pub topics: Vec<TopicSpec>,

    /// Search every partition with a replica on this broker, as this broker holds them
    #[arg(long, value_name = "ID", value_parser = clap::value_parser!(i32).range(0..),
          group = "scope")]
    pub broker: Option<i32>,

    /// The longest transaction timeout of the cluster's producers: younger transactions are
    /// not candidates (the broker's transaction.max.timeout.ms is 15m by default)
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = super::duration)]
    pub max_transaction_timeout: Duration,
}

#[derive(Debug, Serialize)]
pub struct Hanging {
    pub max_transaction_timeout_ms: u64,
    /// How many open transactions were older than that (the candidates).
    pub candidates: usize,
    pub hanging: Vec<HangingTransaction>,
}

#[derive(Debug, Serialize)]
pub struct HangingTransaction {
    pub topic: String,
    pub partition: i32,
    pub producer_id: i64,
    pub producer_epoch: i32,
    pub coordinator_epoch: Option<i32>,
    /// The transaction's first offset on the partition (what `abort --start-offset` takes).
    pub start_offset: i64,
    pub last_timestamp_ms: i64,
    /// How long since the producer's last record on the partition (ms).
    pub duration_ms: i64,
    /// The transactional id its coordinator lists for the producer; `null` when none does.
    pub transactional_id: Option<String>,
    /// Why it hangs: `no_transactional_id` (no coordinator lists the producer),
    /// `unknown_to_coordinator` (its coordinator does not know the id), or
    /// `partition_not_in_transaction`.
    pub reason: &'static str,
}

/// An open transaction on a partition, older than the timeout.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub topic: String,
    pub partition: i32,
    pub producer: crate::kafka::ProducerState,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let kafka = ctx.kafka()?;
    let cluster = kafka.metadata().await?;
    let partitions: Vec<TopicPartition> = if args.topics.is_empty() {
        let broker = args.broker.expect("clap requires a scope");
        if cluster.brokers.iter().all(|b| b.id != broker) {
            return Err(Error::not_found(
                format!("broker {broker}"),
                format!("broker {broker} is not in the cluster's metadata"),
            ));
        }
        cluster
            .topics
            .iter()
            .filter(|t| t.error.is_none())
            .flat_map(|t| {
                t.partitions
                    .iter()
                    .filter(|p| p.replicas.contains(&broker))
                    .map(|p| (t.name.clone(), p.id))
            })
            .collect()
    } else {
        let all = super::resolve(kafka, &cluster, &args.topics).await?;
        match args.broker {
            Some(broker) => all
                .into_iter()
                .filter(|(t, p)| {
                    cluster
                        .topic(t)
                        .and_then(|t| t.partitions.iter().find(|q| q.id == *p))
                        .is_some_and(|q| q.replicas.contains(&broker))
                })
                .collect(),
            None => all,
        }
    };
    let timeout_ms = args.max_transaction_timeout.as_millis() as i64;
    let now = now_ms();
    let found = match partitions.is_empty() {
        true => Vec::new(),
        false => {
            kafka
                .describe_producers(&cluster, &partitions, args.broker)
                .await?
        }
    };
    let candidates = candidates(found, now, timeout_ms);
    let mut ids: BTreeMap<i64, String> = BTreeMap::new();
    let mut described: BTreeMap<String, Option<TransactionDescription>> = BTreeMap::new();
    if !candidates.is_empty() {
        let mut producer_ids: Vec<i64> =
            candidates.iter().map(|c| c.producer.producer_id).collect();
        producer_ids.sort_unstable();
        producer_ids.dedup();
        let filter = TransactionFilter {
            producer_ids: producer_ids.clone(),
            ..TransactionFilter::default()
        };
        for l in kafka.list_transactions(&filter).await? {
            if producer_ids.contains(&l.producer_id) {
                ids.insert(l.producer_id, l.transactional_id);
            }
        }
        let names: Vec<String> = ids.values().cloned().collect();
        if !names.is_empty() {
            for (name, d) in names.iter().zip(kafka.describe_transactions(&names).await?) {
                match d {
                    Ok(d) => {
                        described.insert(name.clone(), Some(d));
                    }
                    Err(e) if matches!(e.kind(), ErrorKind::NotFound { .. }) => {
                        described.insert(name.clone(), None);
                    }
                    Err(e) => return Err(e),
                }
            }
        }
    }
    let count = candidates.len();
    let hanging = hanging(candidates, &ids, &described, now);
    ctx.printer.print(&Hanging {
        max_transaction_timeout_ms: args.max_transaction_timeout.as_millis() as u64,
        candidates: count,
        hanging,
    })
}

/// The open transactions whose producer's last record is older than `timeout_ms`.
pub fn candidates(found: Vec<PartitionProducers>, now: i64, timeout_ms: i64) -> Vec<Candidate> {
    found
        .into_iter()
        .flat_map(|p| {
            let (topic, partition) = (p.topic, p.partition);
            p.producers.into_iter().filter_map(move |s| {
                (s.transaction_start_offset.is_some() && now - s.last_timestamp > timeout_ms).then(
                    || Candidate {
                        topic: topic.clone(),
                        partition,
                        producer: s,
                    },
                )
            })
        })
        .collect()
}

/// Which candidates hang, as Apache's tool decides (see the module's doc).
pub fn hanging(
    candidates: Vec<Candidate>,
    ids: &BTreeMap<i64, String>,
    described: &BTreeMap<String, Option<TransactionDescription>>,
    now: i64,
) -> Vec<HangingTransaction> {
    candidates
        .into_iter()
        .filter_map(|c| {
            let id = ids.get(&c.producer.producer_id);
            let reason = match id.map(|id| described.get(id).and_then(Option::as_ref)) {
                None => "no_transactional_id",
                Some(None) => "unknown_to_coordinator",
                Some(Some(d)) => {
                    let tp = (c.topic.clone(), c.partition);
                    if d.partitions.contains(&tp) {
                        return None;
                    }
                    "partition_not_in_transaction"
                }
            };
            Some(HangingTransaction {
                topic: c.topic,
                partition: c.partition,
                producer_id: c.producer.producer_id,
                producer_epoch: c.producer.producer_epoch,
                coordinator_epoch: c.producer.coordinator_epoch,
                start_offset: c.producer.transaction_start_offset.unwrap_or(-1),
                last_timestamp_ms: c.producer.last_timestamp,
                duration_ms: now - c.producer.last_timestamp,
                transactional_id: id.cloned(),
                reason,
            })
        })
        .collect()
}

impl Render for Hanging {
    fn blocks(&self) -> Vec<Block> {
        if self.hanging.is_empty() {
            return vec![Block::Line(format!(
                "No hanging transaction ({} open {} older than {})",
                self.candidates,
                crate::render::plural(self.candidates, "transaction", "transactions"),
                crate::settings::format_duration(Duration::from_millis(
                    self.max_transaction_timeout_ms
                ))
            ))];
        }
        let mut table = Table::new([
            "TOPIC",
            "PARTITION",
            "PRODUCER-ID",
            "EPOCH",
            "COORDINATOR-EPOCH",
            "START-OFFSET",
            "LAST-TIMESTAMP",
            "DURATION",
            "TRANSACTIONAL-ID",
            "REASON",
        ])
        .numeric(&[1, 2, 3, 4, 5]);
        for h in &self.hanging {
            table.row([
                h.topic.clone(),
                h.partition.to_string(),
                h.producer_id.to_string(),
                h.producer_epoch.to_string(),
                or_dash(h.coordinator_epoch),
                h.start_offset.to_string(),
                format_ms(h.last_timestamp_ms),
                crate::settings::format_duration(
                    Duration::from_millis(h.duration_ms.max(0) as u64),
                ),
                or_dash(h.transactional_id.as_deref()),
                h.reason.to_string(),
            ]);
        }
        vec![Block::Table(table)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::ProducerState;

    fn producer(id: i64, last: i64, start: Option<i64>) -> ProducerState {
        ProducerState {
            producer_id: id,
            producer_epoch: 0,
            last_sequence: 0,
            last_timestamp: last,
            coordinator_epoch: None,
            transaction_start_offset: start,
        }
    }

    fn description(id: &str, partitions: &[(&str, i32)]) -> TransactionDescription {
        TransactionDescription {
            transactional_id: id.into(),
            coordinator: 1,
            state: "Ongoing".into(),
            producer_id: 1,
            producer_epoch: 0,
            timeout_ms: 60000,
            start_time_ms: Some(0),
            partitions: partitions
                .iter()
                .map(|(t, p)| (t.to_string(), *p))
                .collect(),
        }
    }

    #[test]
    fn apache_s_algorithm() {
        let found = vec![PartitionProducers {
            topic: "t".into(),
            partition: 0,
            broker: 1,
            producers: vec![
                producer(1, 0, Some(5)),     // known, partition in the transaction
                producer(2, 0, Some(6)),     // no transactional id
                producer(3, 0, Some(7)),     // id unknown to its coordinator
                producer(4, 0, Some(8)),     // partition not in the transaction
                producer(5, 0, None),        // nothing open
                producer(6, 9_000, Some(9)), // too young
            ],
        }];
        let c = candidates(found, 10_000, 5_000);
        assert_eq!(c.len(), 4);
        let ids: BTreeMap<i64, String> = [(1, "a".into()), (3, "c".into()), (4, "d".into())].into();
        let described: BTreeMap<String, Option<TransactionDescription>> = [
            ("a".to_string(), Some(description("a", &[("t", 0)]))),
            ("c".to_string(), None),
            ("d".to_string(), Some(description("d", &[("t", 1)]))),
        ]
        .into();
        let h = hanging(c, &ids, &described, 10_000);
        let got: Vec<(i64, &str, i64)> = h
            .iter()
            .map(|h| (h.producer_id, h.reason, h.start_offset))
            .collect();
        assert_eq!(
            got,
            [
                (2, "no_transactional_id", 6),
                (3, "unknown_to_coordinator", 7),
                (4, "partition_not_in_transaction", 8)
            ]
        );
        assert_eq!(h[0].duration_ms, 10_000);
    }
}
