//! `kctl groups list [--state STATE]...`

use serde::Serialize;

use super::super::Ctx;
use super::StateName;
use crate::error::Result;
use crate::kafka::{GroupState, GroupType};
use crate::render::{or_dash, Block, Render, Table};

/// A group state to filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StateFilter {
    Stable,
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Dead,
    Unknown,
}

impl StateFilter {
    fn matches(self, state: GroupState) -> bool {
        let wanted = match self {
            StateFilter::Stable => GroupState::Stable,
            StateFilter::Empty => GroupState::Empty,
            StateFilter::PreparingRebalance => GroupState::PreparingRebalance,
            StateFilter::CompletingRebalance => GroupState::CompletingRebalance,
            StateFilter::Dead => GroupState::Dead,
            StateFilter::Unknown => GroupState::Unknown,
        };
        wanted == state
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only groups in these states (repeatable or comma-separated; case-insensitive)
    #[arg(
        long,
        value_name = "STATE",
        value_enum,
        value_delimiter = ',',
        ignore_case = true
    )]
    pub state: Vec<StateFilter>,
}

#[derive(Debug, Serialize)]
pub struct GroupList {
    pub groups: Vec<GroupSummary>,
}

#[derive(Debug, Serialize)]
pub struct GroupSummary {
    pub group: String,
    /// `classic`, `consumer` (Kafka 4's consumer protocol, KIP-848) or `unknown`.
    #[serde(rename = "type")]
    pub group_type: &'static str,
    pub state: StateName,
    /// The partition assignor (e.g. `range`); `null` for groups without one.
    pub assignor: Option<String>,
    /// A group that only commits offsets, without the consumer group protocol.
    pub simple: bool,
    /// `null` when the group could not be described.
    pub members: Option<usize>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let kafka = ctx.kafka()?;
    let (listed, filtered) = tokio::join!(kafka.list_groups(), kafka.listing_filtered_for());
    let (listed, warnings) = listed?;
    for w in warnings {
        ctx.printer.warn(w);
    }
    if let Some(principal) = filtered {
        ctx.printer.warn(format!(
            "showing only the groups {principal} may describe (Kafka leaves out the others)"
        ));
    }
    let mut names: Vec<String> = listed.iter().map(|g| g.group.clone()).collect();
    names.sort();
    names.dedup();
    // Describing gives the members and assignor, and a state that every broker reports (the
    // listing's state needs a newer ListGroups); the --state filter applies to it here, so it
    // works the same against any broker.
    let described = kafka.describe_groups(&names).await?;
    let mut groups = Vec::new();
    for (name, result) in described {
        let listing = listed.iter().find(|g| g.group == name);
        // The listing names the type (ListGroups v5); older brokers' descriptions may.
        let listed_type = listing.map_or(GroupType::Unknown, |g| g.group_type);
        let summary = match result {
            Ok(info) => GroupSummary {
                group_type: match listed_type {
                    GroupType::Unknown => info.group_type.name(),
                    known => known.name(),
                },
                group: name,
                state: StateName(info.state),
                assignor: info.assignor,
                simple: info.simple,
                members: Some(info.members.len()),
            },
            Err(e) => {
                ctx.printer
                    .warn(format!("cannot describe consumer group '{name}': {e}"));
                GroupSummary {
                    group_type: listed_type.name(),
                    state: StateName(listing.map_or(GroupState::Unknown, |g| g.state)),
                    simple: listing.is_some_and(|g| g.simple),
                    group: name,
                    assignor: None,
                    members: None,
                }
            }
        };
        if args.state.is_empty() || args.state.iter().any(|s| s.matches(summary.state.0)) {
            groups.push(summary);
        }
    }
    ctx.printer.print(&GroupList { groups })
}

impl Render for GroupList {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new(["GROUP", "TYPE", "STATE", "ASSIGNOR", "MEMBERS"]).numeric(&[4]);
        for g in &self.groups {
            table.row([
                g.group.clone(),
                g.group_type.to_string(),
                g.state.0.name().to_string(),
                g.assignor.clone().unwrap_or_else(|| "-".into()),
                or_dash(g.members),
            ]);
        }
        vec![Block::Table(table)]
    }
}
