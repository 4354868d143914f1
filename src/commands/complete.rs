//! `kctl __complete`: the hidden half of shell completion (see `crate::complete`).

use crate::complete::Kind;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to complete
    #[arg(value_enum)]
    pub kind: Kind,
    /// Print only names starting with this
    pub prefix: Option<String>,
    /// Refresh the cache from the cluster instead (what the background process runs)
    #[arg(long)]
    pub refresh: bool,
}
