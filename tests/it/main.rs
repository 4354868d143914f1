//! kctl's integration tests: one test binary, a module per area, all sharing one build, one
//! link of librdkafka and one Apache Kafka broker (`common::Broker::start`).
//!
//! Tests share that broker, so each uses names of its own (`common::unique`) and never
//! asserts on what the whole cluster holds; a test that owns its cluster's state uses a
//! broker of its own (`Broker::private`). kctl runs through `common::kctl()` (or
//! `common::kctl_command()` for a child process), which clears the developer's `KCTL_*`
//! variables and points `KCTL_CONFIG` at a file of the test process's own.
//!
//! `cargo test --test it` runs them all; `cargo test --test it topics::` one area.

mod common;

mod acls_users;
mod admin_configs;
mod admin_offsets;
mod apache_tools;
mod authz_admin;
mod bad_input;
mod broker_config;
mod broker_defaults;
mod cli;
mod cluster;
mod completion;
mod consume_filters;
mod consume_groups;
mod consume_limits;
mod contexts;
mod doctor;
mod elections;
mod endpoints;
mod envelope_times;
mod examples;
mod faults;
mod generated;
mod groups;
mod groups_watch;
mod newcomer;
mod noida;
mod oauth_errors;
mod produce_bom;
mod produce_consume;
mod produce_errors;
mod prompt;
mod quiet;
mod quorum;
mod quotas;
mod readme;
mod reassign;
mod registry_records;
mod schemas;
mod secrets;
mod secure_kafka;
mod security;
mod share_groups;
mod signals;
mod sizes;
mod timeouts;
mod topics;
mod topics_copy;
mod transactions;
