//! `kctl groups list [--state STATE]... [--type TYPE]...`

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
    Assigning,
    Reconciling,
    NotReady,
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
            StateFilter::Assigning => GroupState::Assigning,
            StateFilter::Reconciling => GroupState::Reconciling,
            StateFilter::NotReady => GroupState::NotReady,
            StateFilter::Unknown => GroupState::Unknown,
        };
        wanted == state
    }
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl groups list\n  \
    kctl groups list --state stable,empty\n  \
    kctl groups list --type share            # share groups (KIP-932) only")]
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

    /// Only groups of these types (repeatable or comma-separated): classic, consumer (KIP-848),
    /// share (KIP-932), streams (KIP-1071)
    #[arg(
        long = "type",
        value_name = "TYPE",
        value_enum,
        value_delimiter = ',',
        ignore_case = true
    )]
    pub types: Vec<super::share::TypeFilter>,
}

#[derive(Debug, Serialize)]
pub struct GroupList {
    pub groups: Vec<GroupSummary>,
}

#[derive(Debug, Serialize)]
pub struct GroupSummary {
    pub group: String,
    /// `classic`, `consumer` (Kafka 4's consumer protocol, KIP-848), `share` (KIP-932),
    /// `streams` (KIP-1071) or `unknown`.
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
    let (listed, filtered, all) = tokio::join!(
        kafka.list_groups(),
        kafka.listing_filtered_for(),
        super::share::listing(kafka)
    );
    let (listed, warnings) = listed?;
    // Every type, as ListGroups v5 names them (librdkafka lists classic and consumer groups).
    let (all, all_warning) = all;
    if let Some(w) = all_warning {
        ctx.printer.warn(w);
    }
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
        let listed_type = match listing.map_or(GroupType::Unknown, |g| g.group_type) {
            GroupType::Unknown => all
                .get(&name)
                .map_or(GroupType::Unknown, |g| GroupType::from_name(&g.group_type)),
            known => known,
        };
        // librdkafka does not name the consumer protocol's Assigning and Reconciling.
        let listed_state = all
            .get(&name)
            .map(|g| GroupState::from_name(&g.state))
            .filter(|s| *s != GroupState::Unknown);
        let summary = match result {
            Ok(info) => GroupSummary {
                group_type: match listed_type {
                    GroupType::Unknown => info.group_type.name(),
                    known => known.name(),
                },
                group: name,
                state: StateName(match info.state {
                    GroupState::Unknown => listed_state.unwrap_or(GroupState::Unknown),
                    known => known,
                }),
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
        groups.push(summary);
    }
    // Share and streams groups, which librdkafka does not list.
    groups.extend(super::share::other_summaries(kafka, &all, &names, &ctx.printer).await);
    groups.sort_by(|a, b| a.group.cmp(&b.group));
    groups.retain(|g| {
        (args.state.is_empty() || args.state.iter().any(|s| s.matches(g.state.0)))
            && (args.types.is_empty() || args.types.iter().any(|t| t.name() == g.group_type))
    });
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
