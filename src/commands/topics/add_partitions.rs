//! `kctl topics add-partitions NAME --to N [--dry-run]`

use serde::Serialize;

use super::super::Ctx;
use crate::error::{Error, Result};
use crate::kafka::Operation;
use crate::render::{plural, Block, Render};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The topic
    #[arg(value_name = "NAME", value_parser = super::topic_name, add = crate::complete::topic_completer())]
    pub name: String,

    /// The partition count to grow the topic to (more than it has; Kafka cannot remove
    /// partitions)
    #[arg(long = "to", value_name = "N", allow_negative_numbers = true,
          value_parser = clap::value_parser!(i32).range(1..=crate::kafka::MAX_PARTITIONS))]
    pub to: i32,

    /// Have the broker validate the request without adding anything
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The partitions were added.
    Added,
    /// The broker accepted the request in a dry run; nothing was added.
    Validated,
}

#[derive(Debug, Serialize)]
pub struct Added {
    pub name: String,
    pub status: Status,
    /// The partition count before.
    pub previous_partitions: usize,
    /// The partition count asked for (and, once added, the topic's).
    pub partitions: usize,
}

/// The warning every added partition deserves: keys hash to other partitions from now on.
pub const KEYS_WARNING: &str = "records with keys will map to other partitions from now on: \
     consumers that rely on a key staying in one partition (ordering per key, compacted topics, \
     joins) will see a key's new records in another partition than its old ones";

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let kafka = ctx.kafka()?;
    // Alter implies Describe: one who may not describe the topic may not alter it either.
    let topic = kafka.topic_for(&args.name, Operation::Alter).await?;
    let current = topic.partitions.len();
    let wanted = args.to as usize;
    if wanted <= current {
        return Err(Error::runtime(format!(
            "cannot add partitions to topic '{}': it has {current} {}, and --to {wanted} is not \
             more; nothing was changed",
            args.name,
            plural(current, "partition", "partitions"),
        ))
        .with_hint("Kafka can only add partitions: give --to a count above the current one"));
    }
    if let Err(e) = kafka
        .create_partitions(&args.name, wanted, args.dry_run)
        .await?
    {
        return Err(Error::new(
            e.kind(),
            format!(
                "cannot add partitions to topic '{}': {e}; nothing was changed",
                args.name
            ),
        ));
    }
    ctx.printer.warn(KEYS_WARNING);
    let status = if args.dry_run {
        Status::Validated
    } else {
        if !kafka
            .wait_for_partitions(&args.name, wanted, ctx.settings.timeout)
            .await
        {
            ctx.printer.warn(format!(
                "the partitions were added, but the cluster metadata does not show topic '{}' \
                 with {wanted} partitions, each with a leader, yet",
                args.name
            ));
        }
        Status::Added
    };
    ctx.printer.print(&Added {
        name: args.name,
        status,
        previous_partitions: current,
        partitions: wanted,
    })
}

impl Render for Added {
    fn blocks(&self) -> Vec<Block> {
        let line = match self.status {
            Status::Added => format!(
                "topic \"{}\" now has {} partitions (was {})",
                self.name, self.partitions, self.previous_partitions
            ),
            Status::Validated => format!(
                "topic \"{}\" can grow from {} to {} partitions; nothing changed (dry run)",
                self.name, self.previous_partitions, self.partitions
            ),
        };
        vec![Block::Line(line)]
    }
}
