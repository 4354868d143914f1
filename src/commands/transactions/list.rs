//! `kctl transactions list [--state S]... [--producer-id N]... [--older-than DURATION]`

use std::time::Duration;

use serde::Serialize;

use super::super::Ctx;
use crate::error::Result;
use crate::kafka::{TransactionFilter, TransactionListing, TRANSACTION_STATES};
use crate::render::{Block, Render, Table};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl transactions list\n  \
    kctl transactions list --state Ongoing --older-than 15m\n  \
    kctl txn ls --producer-id 4001 -o json")]
pub struct Args {
    /// Only transactional ids in this state (repeatable)
    #[arg(long = "state", value_name = "STATE",
          value_parser = clap::builder::PossibleValuesParser::new(TRANSACTION_STATES))]
    pub states: Vec<String>,

    /// Only the transactional ids of this producer (repeatable)
    #[arg(long = "producer-id", value_name = "N", value_parser = clap::value_parser!(i64).range(0..))]
    pub producer_ids: Vec<i64>,

    /// Only the transactions running for longer than this (1h, 15m, PT15M)
    #[arg(long, value_name = "DURATION", value_parser = super::duration)]
    pub older_than: Option<Duration>,
}

#[derive(Debug, Serialize)]
pub struct Listed {
    pub transactions: Vec<ListedTransaction>,
}

#[derive(Debug, Serialize)]
pub struct ListedTransaction {
    pub transactional_id: String,
    /// The broker coordinating it.
    pub coordinator: i32,
    pub producer_id: i64,
    /// Kafka's name of its state: `Ongoing`, `CompleteCommit`, `Empty`, ...
    pub state: String,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<()> {
    let filter = TransactionFilter {
        states: args.states,
        producer_ids: args.producer_ids,
        older_than: args.older_than,
    };
    let listings = ctx.kafka()?.list_transactions(&filter).await?;
    ctx.printer.print(&view(listings))
}

pub fn view(listings: Vec<TransactionListing>) -> Listed {
    Listed {
        transactions: listings
            .into_iter()
            .map(|l| ListedTransaction {
                transactional_id: l.transactional_id,
                coordinator: l.coordinator,
                producer_id: l.producer_id,
                state: l.state,
            })
            .collect(),
    }
}

impl Render for Listed {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new(["TRANSACTIONAL-ID", "COORDINATOR", "PRODUCER-ID", "STATE"])
            .numeric(&[1, 2]);
        for t in &self.transactions {
            table.row([
                t.transactional_id.clone(),
                t.coordinator.to_string(),
                t.producer_id.to_string(),
                t.state.clone(),
            ]);
        }
        vec![Block::Table(table)]
    }
}
