//! Kafka's wire protocol spoken by kctl itself, for what librdkafka has no API for: the
//! DescribeLogDirs request (bytes on disk per replica), DescribeConfigs and
//! IncrementalAlterConfigs of the cluster-wide broker default (which librdkafka cannot
//! address), and the ApiVersions handshake of `kctl doctor`'s probe. The messages are the `kafka-protocol` crate's, generated from
//! Apache Kafka's schemas; this module frames them, negotiates versions and authenticates.
//!
//! A connection takes the same TLS and SASL settings as librdkafka's clients (read from the
//! [`ClientConfig`](super::ClientConfig)'s properties): PLAINTEXT, SSL (CA, client
//! certificate and key, certificate and host name verification), SASL PLAIN and
//! SCRAM-SHA-256/512, over PLAINTEXT or SSL. Other mechanisms (GSSAPI, OAUTHBEARER) are
//! [`WireError::Unsupported`].
//!
//! One job per file: `settings.rs` (what a connection is made from), `connection.rs`
//! (framing, correlation, a blocking connection bounded by a deadline), `tls.rs`, `sasl.rs`,
//! `api_versions.rs` (the handshake and version negotiation), `log_dirs.rs`, `configs.rs`.

pub(super) mod api_versions;
mod configs;
mod connection;
mod elect;
mod log_dirs;
mod metadata;
mod quorum;
mod quotas;
mod reassign;
mod sasl;
mod settings;
mod share_groups;
mod tls;
mod transactions;

use std::fmt;

use rdkafka::error::RDKafkaErrorCode;
use rdkafka::types::RDKafkaRespErr;

use super::errors::broker_error;

pub(super) use configs::{alter_broker_configs, describe_broker_configs};
pub(super) use connection::{encode_frame, read_answer};
pub(super) use elect::elect_leaders;
#[cfg(test)]
pub(super) use log_dirs::LogDirReplica;
pub(super) use log_dirs::{describe_log_dirs, LogDir};
pub(super) use metadata::cluster_metadata;
pub(super) use quorum::{describe_features, describe_quorum};
pub(super) use quotas::{alter_client_quotas, describe_client_quotas};
pub(super) use reassign::{alter_partition_reassignments, list_partition_reassignments};
pub(super) use settings::WireSettings;
pub(super) use share_groups::{
    alter_share_group_offsets, consumer_group_describe, delete_share_group_offsets,
    describe_share_group_offsets, list_groups, share_group_describe, DescribedGroup,
};
pub(super) use transactions::{
    describe_producers, describe_transactions, find_coordinators, list_transactions,
    write_abort_marker, AbortMarker,
};

/// Why a wire exchange with a broker failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::kafka) enum WireError {
    /// kctl cannot speak the protocol with these settings (a SASL mechanism, a property).
    Unsupported(String),
    /// No connection: refused, unresolved, timed out.
    Connect(String),
    /// The TLS handshake failed.
    Tls(String),
    /// The SASL login failed.
    Auth(String),
    /// The broker does not support the request (or no version both sides know).
    UnsupportedApi(String),
    /// The broker answered with an error code.
    Refused { code: i16, message: String },
    /// No answer within the bound.
    Timeout(String),
    /// The connection broke, or the answer was not what the protocol says.
    Protocol(String),
}

impl WireError {
    /// A Kafka error code read as kctl reports every broker error (librdkafka's words for
    /// the code): "cluster authorization failed".
    pub(super) fn refused(code: i16, detail: Option<&str>) -> WireError {
        let message = match RDKafkaRespErr::try_from(i32::from(code)) {
            Ok(err) => broker_error(RDKafkaErrorCode::from(err), detail).message,
            Err(_) => {
                let name = kafka_protocol::ResponseError::try_from_code(code)
                    .map_or_else(|| "no error".to_string(), |e| e.to_string());
                match detail.map(str::trim).filter(|d| !d.is_empty()) {
                    Some(detail) => format!("Kafka error {code} {name} ({detail})"),
                    None => format!("Kafka error {code} {name}"),
                }
            }
        };
        WireError::Refused { code, message }
    }
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::Unsupported(why)
            | WireError::Connect(why)
            | WireError::UnsupportedApi(why)
            | WireError::Timeout(why)
            | WireError::Protocol(why) => f.write_str(why),
            WireError::Tls(why) => write!(f, "TLS handshake failed: {why}"),
            WireError::Auth(why) => write!(f, "SASL authentication failed: {why}"),
            WireError::Refused { message, .. } => f.write_str(message),
        }
    }
}

/// A [`WireError`] result.
pub(super) type WireResult<T> = std::result::Result<T, WireError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_read_plainly() {
        assert_eq!(
            WireError::refused(31, None).to_string(),
            "cluster authorization failed"
        );
        assert_eq!(
            WireError::refused(3, Some("t-0")).to_string(),
            "unknown topic or partition (t-0)"
        );
        assert!(WireError::refused(9999, None).to_string().contains("9999"));
    }
}
