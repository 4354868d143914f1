//! `kctl cluster features`: the feature levels each broker supports and the cluster has
//! finalized, `metadata.version` among them, as `kafka-features describe` shows them.

use serde::Serialize;

use super::super::Ctx;
use crate::error::Result;
use crate::kafka::Features;
use crate::render::{or_dash, Block, Render, Table};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    kctl cluster features\n  \
    kctl cluster features -o json")]
pub struct Args {}

/// The feature whose levels have release names.
const METADATA_VERSION: &str = "metadata.version";

/// `metadata.version` levels and their names (Kafka's `MetadataVersion`).
const METADATA_VERSIONS: &[(i16, &str)] = &[
    (7, "3.3-IV3"),
    (8, "3.4-IV0"),
    (9, "3.5-IV0"),
    (10, "3.5-IV1"),
    (11, "3.5-IV2"),
    (12, "3.6-IV0"),
    (13, "3.6-IV1"),
    (14, "3.6-IV2"),
    (15, "3.7-IV0"),
    (16, "3.7-IV1"),
    (17, "3.7-IV2"),
    (18, "3.7-IV3"),
    (19, "3.7-IV4"),
    (20, "3.8-IV0"),
    (21, "3.9-IV0"),
    (22, "4.0-IV0"),
    (23, "4.0-IV1"),
    (24, "4.0-IV2"),
    (25, "4.0-IV3"),
    (26, "4.1-IV0"),
    (27, "4.1-IV1"),
    (28, "4.2-IV0"),
    (29, "4.2-IV1"),
    (30, "4.3-IV0"),
    (31, "4.4-IV0"),
    (32, "4.4-IV1"),
    (33, "4.4-IV2"),
    (34, "4.5-IV0"),
];

/// The release name of a `metadata.version` level (`4.4-IV2`); `None` for one kctl does not
/// know (newer than it).
pub fn metadata_version_name(level: i16) -> Option<&'static str> {
    METADATA_VERSIONS
        .iter()
        .find(|(l, _)| *l == level)
        .map(|(_, name)| *name)
}

#[derive(Debug, Serialize)]
pub struct FeaturesView {
    /// The finalized `metadata.version` by its release name (`4.4-IV2`); `null` when the
    /// cluster has none or kctl does not know its name (its level is in `features`).
    pub metadata_version: Option<String>,
    /// The epoch of the finalized levels; `null` when the broker does not say.
    pub epoch: Option<i64>,
    pub features: Vec<FeatureView>,
}

#[derive(Debug, Serialize)]
pub struct FeatureView {
    pub name: String,
    pub supported_min_level: i16,
    pub supported_max_level: i16,
    /// The cluster's level (0: not enabled).
    pub finalized_level: i16,
}

pub async fn run(_args: Args, ctx: &Ctx) -> Result<()> {
    let features = ctx.kafka()?.describe_features().await?;
    ctx.printer.print(&view(features))
}

pub fn view(f: Features) -> FeaturesView {
    let metadata_version = f
        .features
        .iter()
        .find(|x| x.name == METADATA_VERSION)
        .and_then(|x| x.finalized)
        .and_then(metadata_version_name)
        .map(str::to_string);
    FeaturesView {
        metadata_version,
        epoch: f.epoch,
        features: f
            .features
            .into_iter()
            .map(|x| FeatureView {
                name: x.name,
                supported_min_level: x.supported_min,
                supported_max_level: x.supported_max,
                finalized_level: x.finalized.unwrap_or(0),
            })
            .collect(),
    }
}

/// A level as Apache's tool prints it: `metadata.version` by its release name.
fn level(feature: &str, level: i16) -> String {
    match feature {
        METADATA_VERSION => {
            metadata_version_name(level).map_or_else(|| level.to_string(), str::to_string)
        }
        _ => level.to_string(),
    }
}

impl Render for FeaturesView {
    fn blocks(&self) -> Vec<Block> {
        let mut table = Table::new(["FEATURE", "SUPPORTED-MIN", "SUPPORTED-MAX", "FINALIZED"]);
        for f in &self.features {
            table.row([
                f.name.clone(),
                level(&f.name, f.supported_min_level),
                level(&f.name, f.supported_max_level),
                level(&f.name, f.finalized_level),
            ]);
        }
        vec![
            Block::Line(format!(
                "metadata.version: {}  Epoch: {}",
                or_dash(self.metadata_version.as_deref()),
                or_dash(self.epoch)
            )),
            Block::Line(String::new()),
            Block::Table(table),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::Feature;

    #[test]
    fn metadata_version_reads_by_name() {
        assert_eq!(metadata_version_name(33), Some("4.4-IV2"));
        assert_eq!(metadata_version_name(7), Some("3.3-IV3"));
        assert_eq!(metadata_version_name(99), None);
        let v = view(Features {
            epoch: Some(3),
            features: vec![
                Feature {
                    name: "kraft.version".into(),
                    supported_min: 0,
                    supported_max: 1,
                    finalized: None,
                },
                Feature {
                    name: "metadata.version".into(),
                    supported_min: 7,
                    supported_max: 33,
                    finalized: Some(31),
                },
            ],
        });
        assert_eq!(v.metadata_version.as_deref(), Some("4.4-IV0"));
        assert_eq!(v.features[0].finalized_level, 0);
        assert_eq!(level("metadata.version", 99), "99");
    }
}
