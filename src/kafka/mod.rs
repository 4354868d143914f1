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
//! - `client.rs`: the admin client and its bounded calls;
//! - `topics.rs`, `groups.rs`: topic and group operations on it; `offsets.rs` partition
//!   offsets of every kind, `records.rs` deleting records;
//! - `consumer.rs` (with `rebalance.rs`, its context, and `timestamps.rs`), `producer.rs`;
//! - `probe.rs`: `kctl doctor`'s own probes (plain TCP, no librdkafka).

mod client;
mod config;
mod conn;
mod consumer;
mod errors;
mod groups;
mod native;
mod offsets;
pub mod probe;
mod producer;
mod rebalance;
mod records;
mod timestamps;
mod topics;
mod types;

pub use client::{init_process, Kafka};
pub use config::{ClientConfig, MAX_PARTITIONS, MAX_REPLICATION_FACTOR, MAX_TIMEOUT};
pub use conn::TIMEOUT_HINT;
pub use consumer::{Consumer, Polled, RecordRef};
pub use groups::GroupOffsetRefusal;
pub use offsets::{ListedOffset, OffsetQuery};
pub use producer::Producer;
pub use rebalance::Revocation;
pub use timestamps::record_timestamps;
pub use types::*;
