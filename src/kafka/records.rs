//! Deleting records: moving partitions' earliest offsets forward (DeleteRecords, one request
//! per partition leader).

use rdkafka::error::RDKafkaErrorCode;
use rdkafka::{Offset, TopicPartitionList};

use super::authz::{Operation, Resource};
use super::client::Kafka;
use super::errors::broker_error;
use super::types::{BrokerError, TopicPartition};
use crate::error::{Error, Result};

impl Kafka {
    /// Deletes every record before the given offset of each partition. One result per
    /// partition: its new earliest offset (the low watermark the leader reports) or the error.
    pub async fn delete_records(
        &self,
        before: &[(TopicPartition, i64)],
    ) -> Result<Vec<(TopicPartition, std::result::Result<i64, BrokerError>)>> {
        let what = "cannot delete records";
        let mut tpl = TopicPartitionList::with_capacity(before.len());
        for ((topic, partition), offset) in before {
            tpl.add_partition_offset(topic, *partition, Offset::Offset(*offset))
                .map_err(|e| Error::runtime(format!("{what}: invalid offset {offset}: {e}")))?;
        }
        let opts = self.admin_options();
        let deleted = self
            .bounded(what, async {
                self.admin
                    .delete_records(&tpl, &opts)
                    .await
                    .map_err(|e| self.kafka_error(what, e))
            })
            .await?;
        Ok(deleted
            .elements()
            .iter()
            .map(|e| {
                let tp = (e.topic().to_string(), e.partition());
                let result = match e.error() {
                    Ok(()) => Ok(e.offset().to_raw().unwrap_or(-1)),
                    Err(err) => {
                        let code = err.rdkafka_error_code();
                        let err = broker_error(code.unwrap_or(RDKafkaErrorCode::Unknown), None);
                        let topic = Resource::Topic(tp.0.clone());
                        Err(self.reword(err, Operation::Delete, topic))
                    }
                };
                (tp, result)
            })
            .collect())
    }
}
