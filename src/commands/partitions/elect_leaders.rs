//! `kctl partitions elect-leaders [--topic T[:P,...]]... [--unclean [--yes]]`: a leader
//! election (ElectLeaders), as Apache's `kafka-leader-election` runs it: the preferred replica
//! (the first of each partition's replicas) by default; with `--unclean` any live replica,
//! even one that is not in sync (asks first: the records it lacks are lost).

use serde::Serialize;

use super::super::groups::reset_offsets::{parse_topic_spec, TopicSpec};
use super::super::Ctx;
use crate::error::{Error, Result};
use crate::kafka::{ClusterInfo, ElectionOutcome, TopicPartition};
use crate::render::{or_dash, plural, Block, Render, Table};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl partitions elect-leaders                    # every partition, preferred leaders\n  \
    kctl partitions elect-leaders --topic orders:0,1\n  \
    kctl partitions elect-leaders --topic orders --unclean --yes")]
pub struct Args {
    /// Only these topics, or some of their partitions (repeatable); without it every partition
    #[arg(long = "topic", value_name = "TOPIC[:P[,P...]]", value_parser = parse_topic_spec,
          add = crate::complete::topic_completer())]
    pub topics: Vec<TopicSpec>,

    /// Elect any live replica, in sync or not, where no in-sync replica can lead (asks first:
    /// the records the new leader lacks are lost)
    #[arg(long)]
    pub unclean: bool,

    /// Elect without asking (required with --unclean when there is no terminal to ask on)
    #[arg(short = 'y', long)]
    pub yes: bool,
}

#[derive(Debug, Serialize)]
pub struct Election {
    /// `preferred` or `unclean`.
    pub election: &'static str,
    pub partitions: Vec<ElectedPartition>,
}

#[derive(Debug, Serialize)]
pub struct ElectedPartition {
    pub topic: String,
    pub partition: i32,
    /// `elected` (its leader may have moved), `not_needed` (the leader already was the one
    /// the election would choose) or `failed`.
    pub result: &'static str,
    /// The leader before and after; `null`: none.
    pub leader_before: Option<i32>,
    pub leader_after: Option<i32>,
    /// The preferred replica (the first of its replicas).
    pub preferred: Option<i32>,
    /// Why it failed; `null` otherwise.
    pub error: Option<String>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let kafka = ctx.kafka()?;
    let before = kafka.metadata().await?;
    // Every partition named to the controller, so that each one's outcome comes back
    // (asked for "all", it answers only about the partitions it elected).
    let asked = match args.topics.is_empty() {
        true => before
            .topics
            .iter()
            .filter(|t| t.error.is_none())
            .flat_map(|t| t.partitions.iter().map(|p| (t.name.clone(), p.id)))
            .collect(),
        false => super::super::transactions::resolve(kafka, &before, &args.topics).await?,
    };
    if args.unclean {
        let scope = match args.topics.is_empty() {
            false => format!(
                "{} {}",
                asked.len(),
                plural(asked.len(), "partition", "partitions")
            ),
            true => "every partition".to_string(),
        };
        let action = format!("run an unclean leader election on {scope}");
        let details = "Where no in-sync replica is alive, a replica that is not in sync becomes \
                       the leader: the records it lacks are lost for good, and consumers may \
                       see offsets go back.";
        if !ctx
            .printer
            .confirm(&action, Some(details), args.yes)
            .await?
        {
            return Err(Error::runtime("aborted: no election was run"));
        }
    }
    let results = match asked.is_empty() {
        true => Vec::new(),
        false => kafka.elect_leaders(Some(asked), args.unclean).await?,
    };
    let after = settled(ctx, &results, &before, args.unclean).await?;
    let view = view(args.unclean, results, &before, &after);
    let failed: Vec<String> = view
        .partitions
        .iter()
        .filter(|p| p.result == "failed")
        .map(|p| {
            format!(
                "{}:{}: {}",
                p.topic,
                p.partition,
                p.error.as_deref().unwrap_or("failed")
            )
        })
        .collect();
    ctx.printer.print(&view)?;
    if !failed.is_empty() {
        return Err(Error::runtime(format!(
            "the election failed for {} {}",
            failed.len(),
            plural(failed.len(), "partition", "partitions")
        ))
        .because(failed.join("; ")));
    }
    Ok(())
}

/// The metadata once it shows the elections (the controller answers when it has decided;
/// the brokers learn of it just after), waiting at most the timeout (then as it is).
async fn settled(
    ctx: &Ctx,
    results: &[(TopicPartition, ElectionOutcome)],
    before: &ClusterInfo,
    unclean: bool,
) -> Result<ClusterInfo> {
    let kafka = ctx.kafka()?;
    let deadline = tokio::time::Instant::now() + ctx.settings.timeout;
    loop {
        let after = kafka.metadata().await?;
        let shown = results
            .iter()
            .filter(|(_, o)| *o == ElectionOutcome::Elected)
            .all(|(tp, _)| {
                let (was, preferred) = leader(before, tp);
                let (now, _) = leader(&after, tp);
                match unclean {
                    true => now.is_some() && now != was,
                    false => now == preferred,
                }
            });
        if shown || tokio::time::Instant::now() >= deadline {
            return Ok(after);
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

fn leader(cluster: &ClusterInfo, tp: &TopicPartition) -> (Option<i32>, Option<i32>) {
    cluster
        .topic(&tp.0)
        .and_then(|t| t.partitions.iter().find(|p| p.id == tp.1))
        .map_or((None, None), |p| (p.leader, p.replicas.first().copied()))
}

pub fn view(
    unclean: bool,
    results: Vec<(TopicPartition, ElectionOutcome)>,
    before: &ClusterInfo,
    after: &ClusterInfo,
) -> Election {
    Election {
        election: if unclean { "unclean" } else { "preferred" },
        partitions: results
            .into_iter()
            .map(|(tp, outcome)| {
                let (leader_before, preferred) = leader(before, &tp);
                let (leader_after, _) = leader(after, &tp);
                let (result, error) = match outcome {
                    ElectionOutcome::Elected => ("elected", None),
                    ElectionOutcome::NotNeeded => ("not_needed", None),
                    ElectionOutcome::Failed(why) => ("failed", Some(why)),
                };
                ElectedPartition {
                    topic: tp.0,
                    partition: tp.1,
                    result,
                    leader_before,
                    leader_after,
                    preferred,
                    error,
                }
            })
            .collect(),
    }
}

impl Render for Election {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new([
            "TOPIC",
            "PARTITION",
            "RESULT",
            "LEADER-BEFORE",
            "LEADER-AFTER",
            "PREFERRED",
            "ERROR",
        ])
        .numeric(&[1, 3, 4, 5]);
        for p in &self.partitions {
            table.row([
                p.topic.clone(),
                p.partition.to_string(),
                p.result.replace('_', " "),
                or_dash(p.leader_before),
                or_dash(p.leader_after),
                or_dash(p.preferred),
                or_dash(p.error.as_deref()),
            ]);
        }
        let moved = self
            .partitions
            .iter()
            .filter(|p| p.result == "elected" && p.leader_before != p.leader_after)
            .count();
        vec![
            Block::Table(table),
            Block::Line(format!(
                "{} election: {moved} {} moved",
                self.election,
                plural(moved, "leader", "leaders")
            )),
        ]
    }
}
