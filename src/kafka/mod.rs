//! Kafka access: the one module that talks to librdkafka.
//!
//! The rest of kctl sees [`Kafka`] (admin and metadata calls), [`Consumer`], [`Producer`], the
//! [`ClientConfig`] they are made from, and plain types; nothing from `rdkafka::` leaks out.
//! Every call is bounded by the timeout, and a cluster that cannot be reached at all fails
//! fast with the reason librdkafka gave (connection refused, name not resolved, ...).
//!
//! One job per file, the lower ones never importing the higher ones:
//!
//! - `types.rs`: the plain types handed out and taken;
//! - `native/`: librdkafka's C API, per API family (all of kctl's `unsafe` code);
//! - `config/`: client configuration, all of kctl's librdkafka property knowledge (the
//!   TLS/SASL mapping in `config/security.rs`);
//! - `conn.rs`: connection state read from librdkafka's logs and errors, and the hints for it;
//! - `errors.rs`: librdkafka's error codes read into [`BrokerError`]s;
//! - `authz.rs`: authorization refusals as kctl words them, and the principal it is;
//! - `client.rs`: the admin client and its bounded calls;
//! - `topics.rs`, `groups.rs`: topic and group operations on it; `offsets.rs` partition
//!   offsets of every kind, `records.rs` deleting records;
//! - `configs.rs`, `cluster.rs`: configs of topics and brokers, the cluster and its brokers,
//!   adding partitions; `default_configs.rs`: the cluster-wide broker default through `wire/`;
//! - `acls.rs`, `scram.rs`: ACLs and SCRAM users, their types and operations;
//! - `consumer.rs` (with `rebalance.rs`, its context, and `timestamps.rs`), `producer.rs`;
//! - `probe.rs`: `kctl doctor`'s own probes (plain TCP, no librdkafka);
//! - `wire/`: Kafka's protocol spoken by kctl itself (the `kafka-protocol` crate's messages)
//!   for what librdkafka has no API for, sent by `ask.rs`; `sizes.rs`: replica sizes on disk
//!   through it, `transactions.rs`: transactions and producer states, `reassign.rs`:
//!   partition reassignments, `share_groups.rs`: groups of every type, share groups and
//!   consumer-protocol epochs.

mod acls;
mod ask;
mod authz;
mod client;
mod cluster;
mod config;
mod configs;
mod conn;
mod consumer;
mod default_configs;
mod elections;
mod errors;
mod groups;
mod listing;
mod native;
mod offsets;
pub(crate) mod oidc;
pub mod probe;
mod producer;
mod quorum;
mod quotas;
mod reassign;
mod rebalance;
mod records;
mod scram;
mod share_groups;
mod sizes;
mod timestamps;
mod topics;
mod transactions;
mod types;
mod wire;

pub use acls::{
    Acl, AclFilter, AclOperation, AclPermission, PatternType, ResourceType, CLUSTER_NAME,
};
pub use authz::{Operation, Resource};
pub use client::{init_process, Kafka};
pub use cluster::{ClusterDescription, Node};
pub use config::{ClientConfig, MAX_PARTITIONS, MAX_REPLICATION_FACTOR, MAX_TIMEOUT};
pub use configs::{ConfigEntry, ConfigOp, ConfigResource, ConfigSource, Synonym};
pub use conn::{FailedStage, TIMEOUT_HINT};
pub use consumer::{Consumer, Polled, RecordRef};
pub use elections::ElectionOutcome;
pub use groups::GroupOffsetRefusal;
pub use listing::quick_metadata;
pub use offsets::{ListedOffset, OffsetQuery};
pub use producer::Producer;
pub use quorum::{Feature, Features, Quorum, QuorumReplica};
pub use quotas::{QuotaEntity, QuotaEntry, QuotaMatch, QuotaOp, CLIENT_ID, IP, USER};
pub use reassign::Reassignment;
pub use rebalance::Revocation;
pub use scram::{ScramCredential, ScramMechanism};
pub use share_groups::{AnyGroup, CoordinatedGroup, CoordinatedMember, ShareStart};
pub use sizes::{LogDirSizes, ReplicaSize, SizeFailure, SizesOf};
pub use timestamps::record_timestamps;
pub use transactions::{
    AbortPlan, PartitionProducers, ProducerState, TransactionDescription, TransactionFilter,
    TransactionListing, TRANSACTION_STATES,
};
pub use types::*;
