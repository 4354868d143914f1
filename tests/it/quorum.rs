//! `kctl cluster quorum` and `kctl cluster features` side by side with Apache's
//! kafka-metadata-quorum (MetadataQuorumCommand describe --status and --replication) and
//! kafka-features (FeatureCommand describe) on the same broker. The metadata log grows all the
//! time (the controller appends a record every 500 ms), so its offsets are compared as
//! bounds: Apache's, read between two reads of kctl's, lie between them (the features' epoch
//! too: a KRaft broker gives the offset of the metadata it answers from).

use crate::common;

use std::collections::BTreeMap;

use common::apache::{table, tools};
use common::Broker;
use serde_json::Value;

const METADATA_QUORUM_COMMAND: &str = "org.apache.kafka.tools.MetadataQuorumCommand";
const FEATURE_COMMAND: &str = "org.apache.kafka.tools.FeatureCommand";

/// `Key:   value` lines (kafka-metadata-quorum describe --status).
fn status_fields(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// kafka-features describe: per feature, its `Key: value` fields.
fn feature_lines(text: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    text.lines()
        .filter(|l| l.starts_with("Feature:"))
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            let fields: BTreeMap<String, String> = words
                .chunks(2)
                .map(|kv| (kv[0].trim_end_matches(':').to_string(), kv[1].to_string()))
                .collect();
            (fields["Feature"].clone(), fields)
        })
        .collect()
}

#[test]
fn quorum_and_features_are_what_apaches_tools_say() {
    let broker = Broker::start();
    let before = broker.json(&["cluster", "quorum"]);
    let features_before = broker.json(&["cluster", "features"]);
    let b = broker.addr.clone();
    let out = tools(&[
        (
            METADATA_QUORUM_COMMAND,
            vec![
                "--bootstrap-server".into(),
                b.clone(),
                "describe".into(),
                "--status".into(),
            ],
        ),
        (
            METADATA_QUORUM_COMMAND,
            vec![
                "--bootstrap-server".into(),
                b.clone(),
                "describe".into(),
                "--replication".into(),
            ],
        ),
        (
            FEATURE_COMMAND,
            vec!["--bootstrap-server".into(), b.clone(), "describe".into()],
        ),
    ]);
    let after = broker.json(&["cluster", "quorum"]);
    let features = broker.json(&["cluster", "features"]);

    // --status
    let status = status_fields(&out[0]);
    assert_eq!(before["cluster_id"], status["ClusterId"].as_str());
    assert_eq!(before["leader"].to_string(), status["LeaderId"]);
    assert_eq!(before["leader_epoch"].to_string(), status["LeaderEpoch"]);
    assert_eq!(after["leader"], before["leader"]);
    let hw: i64 = status["HighWatermark"].parse().unwrap();
    assert!(
        before["high_watermark"].as_i64().unwrap() <= hw,
        "{before} {hw}"
    );
    assert!(
        hw <= after["high_watermark"].as_i64().unwrap(),
        "{after} {hw}"
    );
    // One node, the leader: no follower lags.
    assert_eq!(
        before["max_follower_lag"].to_string(),
        status["MaxFollowerLag"]
    );
    assert_eq!(
        before["max_follower_lag_time_ms"].to_string(),
        status["MaxFollowerLagTimeMs"]
    );
    // CurrentVoters: [{"id": 1, "endpoints": ["CONTROLLER://127.0.0.1:PORT"]}]
    let voters: Value = serde_json::from_str(&status["CurrentVoters"]).unwrap();
    let voters = voters.as_array().unwrap();
    assert_eq!(voters.len(), before["voters"].as_array().unwrap().len());
    for (a, k) in voters.iter().zip(before["voters"].as_array().unwrap()) {
        assert_eq!(a["id"], k["id"]);
        assert_eq!(
            a.get("directoryId").unwrap_or(&Value::Null),
            &k["directory_id"]
        );
        assert_eq!(a["endpoints"], k["endpoints"]);
    }
    let observers: Value = serde_json::from_str(&status["CurrentObservers"]).unwrap();
    assert_eq!(
        observers.as_array().unwrap().len(),
        before["observers"].as_array().unwrap().len()
    );

    // --replication: the same nodes, statuses and directory ids; offsets within the bounds.
    for row in table(&out[1]) {
        let id: i64 = row["NodeId"].parse().unwrap();
        let all = |v: &Value| -> Vec<Value> {
            let mut r = v["voters"].as_array().unwrap().clone();
            r.extend(v["observers"].as_array().unwrap().iter().cloned());
            r
        };
        let k = all(&before)
            .into_iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("kctl has no node {id}: {before}"));
        let k_after = all(&after).into_iter().find(|r| r["id"] == id).unwrap();
        assert_eq!(k["status"], row["Status"].to_lowercase().as_str());
        let dir = match &k["directory_id"] {
            Value::Null => "AAAAAAAAAAAAAAAAAAAAAA".to_string(),
            v => v.as_str().unwrap().to_string(),
        };
        assert_eq!(dir, row["DirectoryId"]);
        let leo: i64 = row["LogEndOffset"].parse().unwrap();
        assert!(k["log_end_offset"].as_i64().unwrap() <= leo);
        assert!(leo <= k_after["log_end_offset"].as_i64().unwrap());
        assert_eq!(k["lag"].to_string(), row["Lag"]);
        let fetched: i64 = row["LastFetchTimestamp"].parse().unwrap();
        assert!(k["last_fetch_timestamp_ms"].as_i64().unwrap() <= fetched);
        assert!(fetched <= k_after["last_fetch_timestamp_ms"].as_i64().unwrap());
    }

    // kafka-features describe
    let apache = feature_lines(&out[2]);
    let kctl: Vec<&Value> = features["features"].as_array().unwrap().iter().collect();
    assert_eq!(kctl.len(), apache.len(), "{features}\n{}", out[2]);
    let text = String::from_utf8(
        broker
            .kctl()
            .args(["cluster", "features"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let rows = table(text.split_once("\n\n").unwrap().1);
    for (f, row) in kctl.iter().zip(&rows) {
        let name = f["name"].as_str().unwrap();
        let a = &apache[name];
        assert_eq!(row["FEATURE"], name);
        // The table names metadata.version's levels as Apache's tool does (4.4-IV2).
        assert_eq!(row["SUPPORTED-MIN"], a["SupportedMinVersion"], "{name}");
        assert_eq!(row["SUPPORTED-MAX"], a["SupportedMaxVersion"], "{name}");
        assert_eq!(row["FINALIZED"], a["FinalizedVersionLevel"], "{name}");
        // The epoch is the offset of the metadata the broker answers from: it moves too.
        let epoch: i64 = a["Epoch"].parse().unwrap();
        assert!(features_before["epoch"].as_i64().unwrap() <= epoch);
        assert!(epoch <= features["epoch"].as_i64().unwrap());
        if name != "metadata.version" {
            assert_eq!(
                f["supported_min_level"].to_string(),
                a["SupportedMinVersion"]
            );
            assert_eq!(f["finalized_level"].to_string(), a["FinalizedVersionLevel"]);
        }
    }
    assert_eq!(
        features["metadata_version"],
        apache["metadata.version"]["FinalizedVersionLevel"].as_str()
    );

    // cluster describe names the active controller: the quorum's leader.
    let cluster = broker.json(&["cluster", "describe"]);
    assert_eq!(cluster["active_controller"], before["leader"]);
}
