//! `kctl cluster quorum`: the KRaft metadata quorum as `kafka-metadata-quorum describe
//! --status` and `--replication` show it.

use serde::Serialize;

use super::super::offsets::format_ms;
use super::super::Ctx;
use crate::error::Result;
use crate::kafka::{Quorum, QuorumReplica};
use crate::render::{or_dash, Block, Render, Table};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl cluster quorum\n  \
    kctl cluster quorum -o json")]
pub struct Args {}

#[derive(Debug, Serialize)]
pub struct QuorumView {
    /// `null` when the cluster does not say.
    pub cluster_id: Option<String>,
    /// The active controller (the quorum's leader); `null` during an election.
    pub leader: Option<i32>,
    pub leader_epoch: i32,
    pub high_watermark: i64,
    /// How many offsets the furthest voter is behind the leader.
    pub max_follower_lag: Option<i64>,
    /// How long ago (ms, by the leader's clock) the furthest voter last caught up; `-1`
    /// when unknown, as Apache's tool says.
    pub max_follower_lag_time_ms: Option<i64>,
    pub voters: Vec<ReplicaView>,
    pub observers: Vec<ReplicaView>,
}

#[derive(Debug, Serialize)]
pub struct ReplicaView {
    pub id: i32,
    /// `leader`, `follower` (voters) or `observer`.
    pub status: &'static str,
    /// `null` before kraft.version 1.
    pub directory_id: Option<String>,
    pub endpoints: Vec<String>,
    pub log_end_offset: i64,
    /// Offsets behind the leader's log end; `null` with no leader.
    pub lag: Option<i64>,
    pub last_fetch_timestamp_ms: Option<i64>,
    pub last_caught_up_timestamp_ms: Option<i64>,
}

pub async fn run(_args: Args, ctx: &Ctx) -> Result<()> {
    let kafka = ctx.kafka()?;
    let (described, quorum) = tokio::try_join!(kafka.describe_cluster(), kafka.describe_quorum())?;
    ctx.printer.print(&view(described.cluster_id, quorum))
}

pub fn view(cluster_id: Option<String>, q: Quorum) -> QuorumView {
    let leader = q
        .leader
        .and_then(|id| q.voters.iter().find(|v| v.id == id))
        .cloned();
    let furthest = q.voters.iter().min_by_key(|v| v.log_end_offset).cloned();
    let (max_lag, max_lag_time) = match (&leader, &furthest) {
        (Some(l), Some(f)) if l.id == f.id => (Some(0), Some(0)),
        (Some(l), Some(f)) => (
            Some(l.log_end_offset - f.log_end_offset),
            Some(
                match (l.last_caught_up_timestamp_ms, f.last_caught_up_timestamp_ms) {
                    (Some(a), Some(b)) => a - b,
                    _ => -1,
                },
            ),
        ),
        _ => (None, None),
    };
    let replica = |r: QuorumReplica, status: &'static str| ReplicaView {
        id: r.id,
        status,
        directory_id: r.directory_id,
        endpoints: r.endpoints,
        log_end_offset: r.log_end_offset,
        lag: leader.as_ref().map(|l| l.log_end_offset - r.log_end_offset),
        last_fetch_timestamp_ms: r.last_fetch_timestamp_ms,
        last_caught_up_timestamp_ms: r.last_caught_up_timestamp_ms,
    };
    QuorumView {
        cluster_id,
        leader: q.leader,
        leader_epoch: q.leader_epoch,
        high_watermark: q.high_watermark,
        max_follower_lag: max_lag,
        max_follower_lag_time_ms: max_lag_time,
        voters: q
            .voters
            .into_iter()
            .map(|v| {
                let status = match Some(v.id) == q.leader {
                    true => "leader",
                    false => "follower",
                };
                replica(v, status)
            })
            .collect(),
        observers: q
            .observers
            .into_iter()
            .map(|o| replica(o, "observer"))
            .collect(),
    }
}

impl Render for QuorumView {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new([
            "NODE",
            "STATUS",
            "LOG-END-OFFSET",
            "LAG",
            "LAST-FETCH",
            "LAST-CAUGHT-UP",
            "DIRECTORY-ID",
            "ENDPOINTS",
        ])
        .numeric(&[0, 2, 3]);
        let mut rows: Vec<&ReplicaView> = self.voters.iter().collect();
        rows.sort_by_key(|r| (r.status != "leader", r.id));
        rows.extend(&self.observers);
        for r in rows {
            table.row([
                r.id.to_string(),
                r.status.to_string(),
                r.log_end_offset.to_string(),
                or_dash(r.lag),
                or_dash(r.last_fetch_timestamp_ms.map(format_ms)),
                or_dash(r.last_caught_up_timestamp_ms.map(format_ms)),
                or_dash(r.directory_id.as_deref()),
                match r.endpoints.join(",") {
                    e if e.is_empty() => "-".to_string(),
                    e => e,
                },
            ]);
        }
        vec![
            Block::Line(format!(
                "Cluster: {}  Active controller: {}  Epoch: {}  High watermark: {}",
                or_dash(self.cluster_id.as_deref()),
                or_dash(self.leader),
                self.leader_epoch,
                self.high_watermark
            )),
            Block::Line(format!(
                "Max follower lag: {} offsets, {} ms",
                or_dash(self.max_follower_lag),
                or_dash(self.max_follower_lag_time_ms)
            )),
            Block::Line(String::new()),
            Block::Table(table),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replica(id: i32, leo: i64, caught_up: Option<i64>) -> QuorumReplica {
        QuorumReplica {
            id,
            directory_id: None,
            endpoints: Vec::new(),
            log_end_offset: leo,
            last_fetch_timestamp_ms: None,
            last_caught_up_timestamp_ms: caught_up,
        }
    }

    #[test]
    fn lag_is_measured_from_the_leader_as_apache_does() {
        let q = Quorum {
            leader: Some(2),
            leader_epoch: 4,
            high_watermark: 95,
            voters: vec![
                replica(1, 90, Some(1000)),
                replica(2, 100, Some(1500)),
                replica(3, 97, None),
            ],
            observers: vec![replica(7, 80, None)],
        };
        let v = view(None, q);
        assert_eq!(v.max_follower_lag, Some(10));
        assert_eq!(v.max_follower_lag_time_ms, Some(500));
        let statuses: Vec<&str> = v.voters.iter().map(|r| r.status).collect();
        assert_eq!(statuses, ["follower", "leader", "follower"]);
        assert_eq!(v.observers[0].lag, Some(20));
        let alone = Quorum {
            leader: Some(1),
            leader_epoch: 1,
            high_watermark: 5,
            voters: vec![replica(1, 5, None)],
            observers: Vec::new(),
        };
        let v = view(None, alone);
        assert_eq!(
            (v.max_follower_lag, v.max_follower_lag_time_ms),
            (Some(0), Some(0))
        );
    }
}
