//! `kctl cluster describe`

use std::collections::BTreeMap;

use serde::Serialize;

use super::super::Ctx;
use crate::error::Result;
use crate::kafka::{ClusterDescription, ClusterInfo};
use crate::render::{or_dash, Block, Render, Table};

#[derive(Debug, clap::Args)]
pub struct Args {}

#[derive(Debug, Serialize)]
pub struct ClusterView {
    /// `null` when the cluster does not say.
    pub cluster_id: Option<String>,
    /// The controller's broker id as the cluster names it to clients; `null` when it names none.
    pub controller: Option<i32>,
    /// The active controller: the KRaft metadata quorum's leader (DescribeQuorum); `null`
    /// when it cannot be asked (no DESCRIBE on the cluster, a login kctl's own connections
    /// cannot do) or has none.
    pub active_controller: Option<i32>,
    pub brokers: Vec<BrokerView>,
}

#[derive(Debug, Serialize)]
pub struct BrokerView {
    pub id: i32,
    pub host: String,
    pub port: u16,
    /// `null` when the broker has no broker.rack.
    pub rack: Option<String>,
    /// Partitions (internal topics included) this broker leads.
    pub leader_partitions: usize,
    /// Partitions (internal topics included) with a replica on this broker, led ones included.
    pub replica_partitions: usize,
}

pub async fn run(_args: Args, ctx: &Ctx) -> Result<()> {
    let kafka = ctx.kafka()?;
    let (described, metadata, quorum) = tokio::join!(
        kafka.describe_cluster(),
        kafka.metadata(),
        kafka.describe_quorum()
    );
    let mut view = view(described?, &metadata?);
    // The active controller is an extra fact: the rest stands without it.
    view.active_controller = quorum.ok().and_then(|q| q.leader);
    ctx.printer.print(&view)
}

/// The cluster with each broker's leader and replica counts from the metadata.
pub fn view(described: ClusterDescription, metadata: &ClusterInfo) -> ClusterView {
    let mut leaders: BTreeMap<i32, usize> = BTreeMap::new();
    let mut replicas: BTreeMap<i32, usize> = BTreeMap::new();
    for p in metadata
        .topics
        .iter()
        .filter(|t| t.error.is_none())
        .flat_map(|t| &t.partitions)
    {
        if let Some(leader) = p.leader {
            *leaders.entry(leader).or_default() += 1;
        }
        for r in &p.replicas {
            *replicas.entry(*r).or_default() += 1;
        }
    }
    ClusterView {
        cluster_id: described.cluster_id,
        controller: described.controller,
        active_controller: None,
        brokers: described
            .nodes
            .into_iter()
            .map(|n| BrokerView {
                leader_partitions: leaders.get(&n.id).copied().unwrap_or(0),
                replica_partitions: replicas.get(&n.id).copied().unwrap_or(0),
                id: n.id,
                host: n.host,
                port: n.port,
                rack: n.rack,
            })
            .collect(),
    }
}

impl Render for ClusterView {
    fn blocks(&self) -> Vec<Block> {
        let mut table =
            Table::new(["ID", "HOST:PORT", "RACK", "LEADERS", "REPLICAS"]).numeric(&[0, 3, 4]);
        for b in &self.brokers {
            table.row([
                b.id.to_string(),
                format!("{}:{}", b.host, b.port),
                or_dash(b.rack.as_deref()),
                b.leader_partitions.to_string(),
                b.replica_partitions.to_string(),
            ]);
        }
        vec![
            Block::Line(format!(
                "Cluster: {}  Controller: {}  Active controller: {}  Brokers: {}",
                or_dash(self.cluster_id.as_deref()),
                or_dash(self.controller),
                or_dash(self.active_controller),
                self.brokers.len()
            )),
            Block::Line(String::new()),
            Block::Table(table),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::{Node, PartitionInfo, TopicInfo};

    #[test]
    fn brokers_count_the_partitions_they_lead_and_replicate() {
        let part = |id, leader, replicas: &[i32]| PartitionInfo {
            id,
            leader,
            replicas: replicas.to_vec(),
            isr: replicas.to_vec(),
            error: None,
        };
        let metadata = ClusterInfo {
            brokers: Vec::new(),
            topics: vec![TopicInfo {
                name: "orders".into(),
                partitions: vec![
                    part(0, Some(1), &[1, 2]),
                    part(1, Some(2), &[2, 1]),
                    part(2, None, &[2]),
                ],
                error: None,
            }],
        };
        let node = |id| Node {
            id,
            host: "h".into(),
            port: 9092,
            rack: None,
        };
        let described = ClusterDescription {
            cluster_id: Some("c".into()),
            controller: Some(1),
            nodes: vec![node(1), node(2), node(3)],
        };
        let v = view(described, &metadata);
        let counts: Vec<(usize, usize)> = v
            .brokers
            .iter()
            .map(|b| (b.leader_partitions, b.replica_partitions))
            .collect();
        assert_eq!(counts, [(1, 2), (1, 3), (0, 0)]);
    }
}
