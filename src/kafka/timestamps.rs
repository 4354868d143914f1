//! The timestamps of the records at given offsets: how `groups describe --time-lag` learns
//! the age of each partition's oldest unconsumed record, read by assignment in one pass.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use rdkafka::consumer::Consumer as _;
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};

use super::client::drop_in_background;
use super::config::ClientConfig;
use super::consumer::{create, BATCH};
use super::native::consume::ConsumerQueue;
use super::native::events::MainQueuePump;
use super::native::SharedClient;
use super::types::TopicPartition;
use crate::error::{Error, Result};

/// The timestamp (ms since the epoch) of the record at each given (partition, offset): for a
/// group, of the oldest record it has not consumed yet. Blocks up to `timeout`; a position
/// whose record cannot be read in time (or that has none at that offset) is left out. Reads by
/// assignment: no group is joined, nothing is committed.
pub fn record_timestamps(
    client: &ClientConfig,
    positions: &[(TopicPartition, i64)],
    timeout: Duration,
) -> Result<BTreeMap<(TopicPartition, i64), i64>> {
    let deadline = std::time::Instant::now() + timeout;
    // An assignment holds one offset per partition: a partition asked at several offsets
    // (groups at different places) is read again in a further pass.
    let mut passes: Vec<BTreeMap<TopicPartition, i64>> = Vec::new();
    for (tp, offset) in positions {
        if passes.iter().any(|pass| pass.get(tp) == Some(offset)) {
            continue;
        }
        match passes.iter_mut().find(|pass| !pass.contains_key(tp)) {
            Some(pass) => {
                pass.insert(tp.clone(), *offset);
            }
            None => passes.push(BTreeMap::from([(tp.clone(), *offset)])),
        }
    }
    let mut out = BTreeMap::new();
    for pass in passes {
        for (tp, ts) in read_timestamps(client, &pass, deadline)? {
            let offset = pass[&tp];
            out.insert((tp, offset), ts);
        }
    }
    Ok(out)
}

/// One pass of [`record_timestamps`]: one consumer assigned to every partition at its offset.
fn read_timestamps(
    client: &ClientConfig,
    positions: &BTreeMap<TopicPartition, i64>,
    deadline: std::time::Instant,
) -> Result<BTreeMap<TopicPartition, i64>> {
    let mut out = BTreeMap::new();
    let consumer = create(client, &client.timestamps_consumer(), None)?;
    let mut tpl = TopicPartitionList::with_capacity(positions.len());
    for ((topic, partition), offset) in positions {
        tpl.add_partition_offset(topic, *partition, Offset::Offset(*offset))
            .map_err(|e| Error::runtime(format!("invalid offset: {e}")))?;
    }
    consumer
        .assign(&tpl)
        .map_err(|e| Error::runtime(format!("cannot assign partitions: {e}")))?;
    let mut pending: BTreeSet<&TopicPartition> = positions.keys().collect();
    let shared = SharedClient::consumer(&consumer);
    // Logs and errors go to kctl's handlers, not librdkafka's printer.
    let pump = MainQueuePump::start(shared.clone(), consumer.context().state.clone());
    if let Some(mut queue) = ConsumerQueue::new(shared) {
        while !pending.is_empty() {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            queue.refill(left.min(Duration::from_millis(100)), BATCH);
            while let Some(msg) = queue.next() {
                let tp = (msg.topic().to_string(), msg.partition());
                if !pending.remove(&tp) {
                    continue;
                }
                // An error here is mostly the partition's end: no record at or after the
                // offset (transaction markers only, say).
                if msg.error() == RDKafkaErrorCode::NoError {
                    if let Some((ts, _)) = msg.timestamp() {
                        out.insert(tp.clone(), ts);
                    }
                }
                let mut one = TopicPartitionList::with_capacity(1);
                one.add_partition(&tp.0, tp.1);
                let _ = consumer.pause(&one);
            }
        }
        // The batch's messages go before the consumer does.
        drop(queue);
    }
    drop(pump);
    drop_in_background(consumer);
    Ok(out)
}
