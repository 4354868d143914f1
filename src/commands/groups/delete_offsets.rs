//! `kctl groups delete-offsets GROUP --topic T[:P[,P...]]... [--dry-run] [--yes]`: deletes a
//! group's committed offsets on some partitions (OffsetDelete), after a confirmation. Like
//! Kafka, it refuses topics that an active member of the group consumes.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::super::Ctx;
use super::reset_offsets::{named_partitions, parse_topic_spec, TopicSpec};
use super::{check_exist, load_groups, Group};
use crate::error::{Error, Result};
use crate::kafka::{GroupOffsetRefusal, Kafka, TopicPartition};
use crate::render::{plural, to_text, Block, Render, Table};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl groups delete-offsets order-tracker --topic orders --dry-run\n  \
    kctl groups delete-offsets order-tracker --topic orders:0,1 --topic payments --yes")]
pub struct Args {
    /// The consumer group
    #[arg(value_name = "GROUP", value_parser = super::group_name, add = crate::complete::group_completer())]
    pub group: String,

    /// A topic (every partition the group has an offset for), or some of its partitions
    /// (repeatable)
    #[arg(long = "topic", required = true, value_name = "TOPIC[:P[,P...]]",
          value_parser = parse_topic_spec, add = crate::complete::topic_completer())]
    pub topics: Vec<TopicSpec>,

    /// Only show what would be deleted
    #[arg(long)]
    pub dry_run: bool,

    /// Delete without asking (required when there is no terminal to ask on)
    #[arg(short = 'y', long)]
    pub yes: bool,
}

/// What `delete-offsets` deleted (or, for a dry run, would delete).
#[derive(Debug, Serialize)]
pub struct DeletedOffsets {
    pub group: String,
    /// `false` for a dry run: nothing was deleted.
    pub executed: bool,
    pub offsets: Vec<DeletedOffset>,
}

#[derive(Debug, Serialize)]
pub struct DeletedOffset {
    pub topic: String,
    pub partition: i32,
    /// The committed offset that is (or would be) deleted.
    pub committed_offset: i64,
}

impl Render for DeletedOffsets {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new(["GROUP", "TOPIC", "PARTITION", "COMMITTED-OFFSET", "STATUS"])
            .numeric(&[2, 3]);
        let status = if self.executed { "deleted" } else { "dry run" };
        for o in &self.offsets {
            table.row([
                self.group.clone(),
                o.topic.clone(),
                o.partition.to_string(),
                o.committed_offset.to_string(),
                status.to_string(),
            ]);
        }
        vec![Block::Table(table)]
    }
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let kafka = ctx.kafka()?;
    let groups = load_groups(kafka, std::slice::from_ref(&args.group)).await?;
    check_exist(&groups, "; nothing was deleted")?;
    let group = &groups[0];
    let chosen = chosen_offsets(kafka, group, &args.topics).await?;
    refuse_consumed(group, &chosen)?;
    let mut result = DeletedOffsets {
        group: args.group.clone(),
        executed: false,
        offsets: chosen
            .iter()
            .map(|((topic, partition), offset)| DeletedOffset {
                topic: topic.clone(),
                partition: *partition,
                committed_offset: *offset,
            })
            .collect(),
    };
    if args.dry_run {
        ctx.printer.print(&result)?;
        ctx.printer.note("Dry run: nothing was deleted.");
        return Ok(());
    }
    let action = format!(
        "delete the committed offsets of consumer group '{}' on {} {}",
        args.group,
        chosen.len(),
        plural(chosen.len(), "partition", "partitions")
    );
    let details = to_text(&result.blocks());
    if !ctx
        .printer
        .confirm(&action, Some(details.trim_end()), args.yes)
        .await?
    {
        return Err(Error::runtime("aborted: nothing was deleted"));
    }
    apply(kafka, &args.group, &chosen).await?;
    result.executed = true;
    ctx.printer.print(&result)
}

/// The committed offsets the `--topic` specs name: of a whole topic, every partition the group
/// has an offset for; of named partitions, each (it must have one).
async fn chosen_offsets(
    kafka: &Kafka,
    group: &Group,
    specs: &[TopicSpec],
) -> Result<BTreeMap<TopicPartition, i64>> {
    // Checks that the topics and the partitions named exist.
    named_partitions(kafka, specs).await?;
    let committed = group.committed();
    let name = &group.info.group;
    let mut chosen = BTreeMap::new();
    for spec in specs {
        match &spec.partitions {
            None => {
                let before = chosen.len();
                chosen.extend(
                    committed
                        .iter()
                        .filter(|((t, _), _)| *t == spec.topic)
                        .map(|(tp, o)| (tp.clone(), *o)),
                );
                if chosen.len() == before {
                    return Err(Error::runtime(format!(
                        "consumer group '{name}' has no committed offsets on topic '{}'; \
                         nothing was deleted",
                        spec.topic
                    )));
                }
            }
            Some(ps) => {
                for p in ps {
                    let tp = (spec.topic.clone(), *p);
                    let offset = committed.get(&tp).ok_or_else(|| {
                        Error::runtime(format!(
                            "consumer group '{name}' has no committed offset on {}:{p}; \
                             nothing was deleted",
                            spec.topic
                        ))
                    })?;
                    chosen.insert(tp, *offset);
                }
            }
        }
    }
    Ok(chosen)
}

/// Kafka refuses to delete the offsets of a topic an active member subscribes to: say so
/// before anything is sent, naming the topics.
fn refuse_consumed(group: &Group, chosen: &BTreeMap<TopicPartition, i64>) -> Result<()> {
    let consumed: BTreeSet<&str> = group
        .info
        .members
        .iter()
        .flat_map(|m| {
            m.assignment
                .iter()
                .chain(m.target_assignment.iter().flatten())
        })
        .map(|(t, _)| t.as_str())
        .collect();
    let refused: BTreeSet<&str> = chosen
        .keys()
        .map(|(t, _)| t.as_str())
        .filter(|t| consumed.contains(t))
        .collect();
    if refused.is_empty() {
        return Ok(());
    }
    Err(subscribed_error(
        &group.info.group,
        refused,
        "nothing was deleted",
    ))
}

/// Kafka's GROUP_SUBSCRIBED_TO_TOPIC, naming the group and the topics; `outcome` says what
/// was deleted.
fn subscribed_error<'a>(
    group: &str,
    topics: impl IntoIterator<Item = &'a str>,
    outcome: &str,
) -> Error {
    let topics: Vec<&str> = topics.into_iter().collect();
    Error::runtime(format!(
        "cannot delete the committed offsets of consumer group '{group}' on {} {}: active \
         members of the group consume {}; {outcome}",
        plural(topics.len(), "topic", "topics"),
        topics.join(", "),
        plural(topics.len(), "it", "them")
    ))
    .with_hint("stop the group's consumers first (or have them unsubscribe from the topic)")
}

/// Deletes the offsets; a partition the broker refused is an error naming it (and what was
/// deleted).
async fn apply(kafka: &Kafka, group: &str, chosen: &BTreeMap<TopicPartition, i64>) -> Result<()> {
    let partitions: Vec<TopicPartition> = chosen.keys().cloned().collect();
    let results = kafka.delete_group_offsets(group, &partitions).await?;
    let mut subscribed = BTreeSet::new();
    let mut failed = Vec::new();
    let mut deleted = Vec::new();
    for ((topic, partition), result) in &results {
        match result {
            Ok(()) => deleted.push(format!("{topic}:{partition}")),
            Err(GroupOffsetRefusal::Subscribed) => {
                subscribed.insert(topic.as_str());
            }
            Err(GroupOffsetRefusal::Broker(e)) => failed.push(format!("{topic}:{partition}: {e}")),
        }
    }
    if subscribed.is_empty() && failed.is_empty() {
        return Ok(());
    }
    let outcome = match deleted.is_empty() {
        true => "nothing was deleted".to_string(),
        false => format!("deleted: {}", deleted.join(", ")),
    };
    Err(match subscribed.is_empty() {
        false => subscribed_error(group, subscribed, &outcome),
        true => Error::runtime(format!(
            "cannot delete the committed offsets of consumer group '{group}' on {}; {outcome}",
            failed.join("; ")
        )),
    })
}
