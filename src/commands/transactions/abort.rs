//! `kctl transactions abort --topic T --partition P --start-offset O [--dry-run] [--yes]`:
//! aborts the open transaction that starts at offset O of a partition, as Apache's
//! `kafka-transactions abort` does: its producer found with DescribeProducers on the leader,
//! an abort marker written there (WriteTxnMarkers; ClusterAction on the cluster). Its records
//! on that partition are then never read by read_committed consumers, which move past them.

use serde::Serialize;

use super::super::topics::topic_name;
use super::super::Ctx;
use crate::error::{Error, Result};
use crate::kafka::AbortPlan;
use crate::render::{or_dash, Block, Render, Table};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl transactions find-hanging --topic orders     # finds the start offset\n  \
    kctl transactions abort --topic orders --partition 0 --start-offset 1200 --dry-run\n  \
    kctl transactions abort --topic orders --partition 0 --start-offset 1200 --yes")]
pub struct Args {
    /// The topic
    #[arg(long, value_name = "TOPIC", value_parser = topic_name,
          add = crate::complete::topic_completer())]
    pub topic: String,

    /// The partition
    #[arg(long, value_name = "P", value_parser = clap::value_parser!(i32).range(0..))]
    pub partition: i32,

    /// The first offset of the open transaction on the partition (`kctl transactions
    /// producers` and `find-hanging` show it)
    #[arg(long, value_name = "OFFSET", value_parser = clap::value_parser!(i64).range(0..))]
    pub start_offset: i64,

    /// Only show what would be aborted
    #[arg(long)]
    pub dry_run: bool,

    /// Abort without asking (required when there is no terminal to ask on)
    #[arg(short = 'y', long)]
    pub yes: bool,
}

#[derive(Debug, Serialize)]
pub struct Aborted {
    /// `false` for a dry run: nothing was changed.
    pub executed: bool,
    pub topic: String,
    pub partition: i32,
    /// The partition's leader, which wrote the marker.
    pub leader: i32,
    pub start_offset: i64,
    pub producer_id: i64,
    pub producer_epoch: i32,
    /// The coordinator epoch the marker carries (the producer's last one, 0 before any).
    pub coordinator_epoch: i32,
    pub last_timestamp_ms: i64,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let kafka = ctx.kafka()?;
    let cluster = kafka.metadata().await?;
    let topic = std::slice::from_ref(&args.topic);
    super::super::offsets::select_partitions(kafka, &cluster, topic, &[args.partition]).await?;
    let plan = kafka
        .plan_abort(&cluster, &args.topic, args.partition, args.start_offset)
        .await?;
    let mut view = view(&plan, args.start_offset);
    if args.dry_run {
        ctx.printer.print(&view)?;
        ctx.printer
            .note("Dry run: nothing was aborted. Run without --dry-run to abort it.");
        return Ok(());
    }
    let action = format!(
        "abort the open transaction of producer {} on partition {} of topic '{}' from offset {}",
        plan.producer.producer_id, plan.partition, plan.topic, args.start_offset
    );
    let details = format!(
        "Its records on this partition will never be read by read_committed consumers, which \
         then move past them; the producer, if it is alive, fails its transaction (last record \
         {}).",
        super::super::offsets::format_ms(plan.producer.last_timestamp)
    );
    if !ctx
        .printer
        .confirm(&action, Some(&details), args.yes)
        .await?
    {
        return Err(Error::runtime("aborted: nothing was changed"));
    }
    kafka.abort_transaction(&cluster, &plan).await?;
    view.executed = true;
    ctx.printer.print(&view)
}

fn view(plan: &AbortPlan, start_offset: i64) -> Aborted {
    Aborted {
        executed: false,
        topic: plan.topic.clone(),
        partition: plan.partition,
        leader: plan.leader,
        start_offset,
        producer_id: plan.producer.producer_id,
        producer_epoch: plan.producer.producer_epoch,
        coordinator_epoch: plan.producer.coordinator_epoch.unwrap_or(0),
        last_timestamp_ms: plan.producer.last_timestamp,
    }
}

impl Render for Aborted {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new([
            "TOPIC",
            "PARTITION",
            "LEADER",
            "START-OFFSET",
            "PRODUCER-ID",
            "EPOCH",
            "COORDINATOR-EPOCH",
            "LAST-TIMESTAMP",
        ])
        .numeric(&[1, 2, 3, 4, 5, 6]);
        table.row([
            self.topic.clone(),
            self.partition.to_string(),
            self.leader.to_string(),
            self.start_offset.to_string(),
            self.producer_id.to_string(),
            self.producer_epoch.to_string(),
            self.coordinator_epoch.to_string(),
            or_dash(Some(super::super::offsets::format_ms(
                self.last_timestamp_ms,
            ))),
        ]);
        let verb = match self.executed {
            true => "Aborted",
            false => "Would abort",
        };
        vec![
            Block::Line(format!("{verb} the open transaction:")),
            Block::Table(table),
        ]
    }
}
