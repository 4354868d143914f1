//! Plain name listings for shell completion: topic names and consumer group names.

use super::Kafka;
use crate::error::Result;

impl Kafka {
    /// The names of all topics (internal ones included), in no particular order.
    pub async fn topic_names(&self) -> Result<Vec<String>> {
        let cluster = self.metadata().await?;
        Ok(cluster
            .topics
            .into_iter()
            .filter(|t| t.error.is_none())
            .map(|t| t.name)
            .collect())
    }

    /// The names of all consumer groups, in no particular order (one ListGroups call; blocking,
    /// so it runs on the blocking pool).
    pub async fn group_names(&self) -> Result<Vec<String>> {
        let what = "cannot list consumer groups";
        self.blocking(what, move |admin, timeout| {
            admin.inner().fetch_group_list(None, timeout).map(|list| {
                list.groups()
                    .iter()
                    .map(|g| g.name().to_string())
                    .collect::<Vec<_>>()
            })
        })
        .await?
        .map_err(|e| self.kafka_error(what, e))
    }
}
