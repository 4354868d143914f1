//! Client configuration: everything kctl knows about librdkafka's properties. The settings
//! (flags, environment, context) become one [`ClientConfig`], checked once: the context's
//! properties, the TLS/SASL settings mapped to properties, then `-X` (the last one wins); the
//! bootstrap list a `bootstrap.servers` property overrides; and kctl's defaults for every
//! client, consumer and producer, each yielding to a property the user set.

mod security;

use std::time::Duration;

use rdkafka::config::{ClientConfig as RdConfig, RDKafkaLogLevel};
use rdkafka::error::KafkaError;

use super::types::{Compression, ReadMode, SecurityMode};
use crate::error::{Error, Result};
use crate::printer::Diagnostics;
use crate::settings::Settings;
use security::{check_sasl, security_properties};

/// The longest wait a librdkafka call takes: its timeouts are `int` milliseconds (about 24.8
/// days). `--timeout` accepts up to this.
pub const MAX_TIMEOUT: Duration = Duration::from_millis(i32::MAX as u64);

/// The longest request timeout librdkafka's admin calls take (AdminOptions: 0..3600000 ms).
/// A longer `--timeout` bounds each admin request by this.
const MAX_ADMIN_REQUEST: Duration = Duration::from_secs(3600);

/// `timeout` as an admin call's request timeout: at most librdkafka's limit.
pub(crate) fn admin_request_timeout(timeout: Duration) -> Duration {
    timeout.min(MAX_ADMIN_REQUEST)
}

/// The most partitions librdkafka lets a topic be created with (RD_KAFKAP_PARTITIONS_MAX).
pub const MAX_PARTITIONS: i64 = 100_000;
/// The largest replication factor librdkafka lets a topic be created with
/// (RD_KAFKAP_BROKERS_MAX).
pub const MAX_REPLICATION_FACTOR: i64 = 10_000;

/// Property names librdkafka takes as the same property.
const ALIASES: &[&[&str]] = &[
    &["acks", "request.required.acks"],
    &["message.timeout.ms", "delivery.timeout.ms"],
    &["linger.ms", "queue.buffering.max.ms"],
    &["compression.type", "compression.codec"],
    &["bootstrap.servers", "metadata.broker.list"],
];

/// The group id of a consumer that reads by assignment. It is never joined and nothing is ever
/// committed under it, so no group appears on the broker.
const ASSIGN_ONLY_GROUP: &str = "kctl-assign-only";

/// How kctl's clients connect: the bootstrap list, librdkafka's properties, the bound on every
/// call and how much librdkafka logs. Made once per command from the settings.
#[derive(Clone)]
pub struct ClientConfig {
    /// The bootstrap addresses kctl connects to: the settings' brokers, unless a
    /// `bootstrap.servers` property overrides them.
    pub brokers: Vec<String>,
    /// librdkafka properties in the order they apply: the context's, then the security
    /// settings', then -X.
    properties: Vec<(String, String)>,
    /// The bound on every broker call, connecting included.
    pub timeout: Duration,
    /// 0: errors only; 1: librdkafka's informational logs; 2 and more: protocol debugging.
    pub verbose: u8,
    /// Where librdkafka's logs go with -v.
    pub(super) logs: Diagnostics,
    /// OAUTHBEARER tokens through OIDC, which kctl fetches itself (librdkafka is built
    /// without libcurl): its properties are not among `properties`.
    pub(crate) oidc: Option<super::oidc::Oidc>,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("brokers", &self.brokers)
            .field("properties", &crate::security::redacted(&self.properties))
            .field("timeout", &self.timeout)
            .field("verbose", &self.verbose)
            .finish()
    }
}

impl ClientConfig {
    /// The client configuration of `settings`; a property librdkafka refuses is a usage error.
    /// Warnings (TLS verification off, a `-b` that a property overrides) are added to
    /// `warnings`.
    pub fn new(
        settings: &Settings,
        logs: Diagnostics,
        warnings: &mut Vec<String>,
    ) -> Result<ClientConfig> {
        validate_properties(&settings.context_properties)
            .map_err(|e| Error::usage(settings.in_context(&e.to_string())))?;
        validate_properties(&settings.x_properties)?;
        check_sasl(settings)?;
        if let Some(tls) = &settings.security.tls {
            if !tls.verify_certificate {
                warnings.push(
                    "TLS certificate verification is off: the brokers' identity is not checked"
                        .to_string(),
                );
            }
        }
        let mut properties = settings.context_properties.clone();
        properties.extend(
            security_properties(&settings.security)
                .into_iter()
                .map(|(k, v)| (k.to_string(), v)),
        );
        properties.extend(settings.x_properties.iter().cloned());
        let oidc = super::oidc::take(&mut properties, settings.timeout)?;
        // librdkafka applies the properties after kctl's bootstrap list, so a
        // bootstrap.servers among them (-X, or the context's) is where it connects: the
        // brokers every message names, and what doctor checks, are those.
        let brokers = match bootstrap_property(&properties) {
            Some(list) if !list.is_empty() => {
                if list != settings.brokers && settings.brokers_given {
                    warnings.push(format!(
                        "bootstrap.servers={} (a librdkafka property) overrides \
                         -b/KCTL_BROKERS {}: kctl connects to {}",
                        list.join(","),
                        settings.brokers.join(","),
                        list.join(",")
                    ));
                }
                list
            }
            _ => settings.brokers.clone(),
        };
        Ok(ClientConfig {
            brokers,
            properties,
            timeout: settings.timeout,
            verbose: settings.verbose,
            logs,
            oidc,
        })
    }

    /// The bootstrap list as librdkafka takes it.
    pub fn bootstrap_servers(&self) -> String {
        self.brokers.join(",")
    }

    /// The value the user gave `key` (or one of its aliases), the last one winning.
    pub(crate) fn user_property(&self, key: &str) -> Option<&str> {
        let names = ALIASES
            .iter()
            .find(|names| names.contains(&key))
            .copied()
            .unwrap_or(std::slice::from_ref(&key));
        self.properties
            .iter()
            .rev()
            .find(|(k, _)| names.contains(&k.as_str()))
            .map(|(_, v)| v.as_str())
    }

    /// Sets `key` to `value` unless the user gave it (kctl's defaults yield to the user).
    fn set_default(&self, config: &mut RdConfig, key: &str, value: &str) {
        if self.user_property(key).is_none() {
            config.set(key, value);
        }
    }

    /// The TLS and SASL mode of the configuration (flags, context and -X applied).
    pub fn security_mode(&self) -> SecurityMode {
        let config = self.base();
        let protocol = config
            .get("security.protocol")
            .unwrap_or("plaintext")
            .to_ascii_lowercase();
        let sasl = protocol.starts_with("sasl").then(|| {
            config
                .get("sasl.mechanisms")
                .or_else(|| config.get("sasl.mechanism"))
                .unwrap_or("GSSAPI")
                .to_string()
        });
        SecurityMode {
            tls: protocol == "ssl" || protocol == "sasl_ssl",
            sasl,
        }
    }

    /// What every kctl client starts from, before the user's properties, with them applied.
    pub(super) fn base(&self) -> RdConfig {
        let mut config = RdConfig::new();
        let timeout_ms = self.timeout.as_millis().clamp(1000, i32::MAX as u128);
        config
            .set("bootstrap.servers", self.bootstrap_servers())
            .set("client.id", "kctl")
            .set("socket.connection.setup.timeout.ms", timeout_ms.to_string())
            .set("reconnect.backoff.ms", "50")
            .set("reconnect.backoff.max.ms", "1000")
            // Connect to each broker as soon as the metadata names it, not when a request first
            // waits for it: kctl's commands need the leaders or the coordinator anyway, and on
            // demand each costs a wait (measured: producing 1,000 records took 40 ms, 18 ms eager).
            .set("enable.sparse.connections", "false")
            // Never create a topic as a side effect of asking about it.
            .set("allow.auto.create.topics", "false");
        // Info even without -v: a connection failure (TLS, SASL, a closed connection) is a
        // FAIL line at Info level, and the connection state needs it to fail fast with its
        // cause; the logs are printed only with -v (see `conn.rs`).
        match self.verbose {
            0 | 1 => config.set_log_level(RDKafkaLogLevel::Info),
            _ => config
                .set("debug", "broker,topic,metadata,protocol,security")
                .set_log_level(RDKafkaLogLevel::Debug),
        };
        for (key, value) in &self.properties {
            config.set(key, value);
        }
        config
    }

    /// Settings every kctl consumer shares: nothing committed by itself, partition ends
    /// reported, queues sized for a command line tool.
    fn consumer_base(&self) -> RdConfig {
        let mut config = self.base();
        config
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("enable.partition.eof", "true");
        // Queue and fetch sizes for a command line tool, not a service (`-X` overrides each).
        // librdkafka's defaults let the queue of fetched records grow to 100,000 records or
        // 64 MiB and a fetch bring 50 MiB, and when the queue is full they wait 1 s before the
        // next fetch. Measured on Apache Kafka 4.4, 1M records of 65 bytes to /dev/null: values
        // 0.51 s, 64 MB peak RSS; JSON 6.6 s (idle between those 1 s waits), 66 MB; on 1,000
        // partitions 250 MB. With these: values 0.50 s, 33 MB; JSON 1.1 s, 39 MB; 1,000
        // partitions 52 MB. (4 MiB of queue also caps a fetch at 4 MiB, or message.max.bytes.)
        self.set_default(&mut config, "queued.min.messages", "25000");
        self.set_default(&mut config, "queued.max.messages.kbytes", "4096");
        self.set_default(&mut config, "fetch.queue.backoff.ms", "10");
        config
    }

    /// A consumer that reads by assignment: a group id it never joins or commits under.
    fn assign_only(&self, config: &mut RdConfig) {
        config.set("group.id", ASSIGN_ONLY_GROUP);
        // An offset out of range (records deleted meanwhile) restarts at the earliest one there.
        self.set_default(config, "auto.offset.reset", "earliest");
    }

    /// A consumer reading as `mode` says.
    pub(super) fn consumer(&self, mode: &ReadMode) -> RdConfig {
        let mut config = self.consumer_base();
        match mode {
            ReadMode::Assign(_) => self.assign_only(&mut config),
            ReadMode::Group {
                group,
                from_beginning,
                ..
            } => {
                config.set("group.id", group);
                let reset = if *from_beginning {
                    "earliest"
                } else {
                    "latest"
                };
                self.set_default(&mut config, "auto.offset.reset", reset);
                // The statistics say whether the group's coordinator was found, which tells a
                // coordinator that is unavailable from a group that is slow to rebalance.
                self.set_default(&mut config, "statistics.interval.ms", "1000");
            }
        }
        config
    }

    /// A consumer that reads one record per partition by assignment (time lags).
    pub(super) fn timestamps_consumer(&self) -> RdConfig {
        // Records deleted since the commit: the oldest one still there is the oldest unconsumed.
        let mut config = self.consumer_base();
        self.assign_only(&mut config);
        // One record per partition is all that is needed.
        self.set_default(&mut config, "max.partition.fetch.bytes", "4096");
        config
    }

    /// A producer: acks=all and idempotence unless the user's properties say otherwise, each
    /// message bounded by `--timeout` from when it is queued to its delivery report.
    pub(super) fn producer(&self, compression: Option<Compression>) -> ProducerConfig {
        let mut config = self.base();
        let user_acks = self.user_property("acks");
        // Idempotence needs acks=all: a user who asks for weaker acks gets no idempotence.
        let idempotent = matches!(user_acks, None | Some("all") | Some("-1"));
        self.set_default(&mut config, "acks", "all");
        self.set_default(
            &mut config,
            "enable.idempotence",
            if idempotent { "true" } else { "false" },
        );
        self.set_default(&mut config, "linger.ms", "5");
        // Every message gets its delivery report, served on the thread that sends (see the
        // producer): librdkafka then frees each message on the thread that allocated it. With
        // reports of failures only it frees them on its broker thread, and the two threads
        // contend for the allocator's lock (measured: 10x the context switches, 1.5x the CPU).
        let timeout_ms = self.timeout.as_millis().clamp(1000, i32::MAX as u128) as u64;
        self.set_default(&mut config, "message.timeout.ms", &timeout_ms.to_string());
        let delivery_timeout = Duration::from_millis(
            self.user_property("message.timeout.ms")
                .and_then(|v| v.parse().ok())
                // 0 is "no limit" to librdkafka.
                .map(|ms: u64| if ms == 0 { u64::from(u32::MAX) } else { ms })
                .unwrap_or(timeout_ms),
        );
        if let Some(c) = compression {
            config.set("compression.type", compression_name(c));
        }
        ProducerConfig {
            config,
            delivery_timeout,
            reports_deliveries: self
                .user_property("delivery.report.only.error")
                .is_none_or(|v| v != "true"),
            // The user chose how to partition: every choice is librdkafka's then.
            kctl_spreads: self.user_property("partitioner").is_none()
                && self
                    .user_property("sticky.partitioning.linger.ms")
                    .is_none(),
        }
    }
}

/// What a producer is made from.
pub(super) struct ProducerConfig {
    pub config: RdConfig,
    /// How long librdkafka tries to deliver a message before it reports it failed.
    pub delivery_timeout: Duration,
    /// Whether librdkafka reports every delivery (not only failures).
    pub reports_deliveries: bool,
    /// Whether kctl spreads records without key or partition itself (no partitioner chosen).
    pub kctl_spreads: bool,
}

/// librdkafka's name of a codec (`compression.type`).
fn compression_name(c: Compression) -> &'static str {
    match c {
        Compression::None => "none",
        Compression::Gzip => "gzip",
        Compression::Snappy => "snappy",
        Compression::Lz4 => "lz4",
        Compression::Zstd => "zstd",
    }
}

/// Checks properties against librdkafka without connecting anywhere: `invalid -X KEY: why`.
fn validate_properties(properties: &[(String, String)]) -> Result<()> {
    // The OIDC properties are kctl's to check (see oidc.rs): librdkafka without libcurl
    // refuses them.
    for (key, value) in properties
        .iter()
        .filter(|(k, _)| !super::oidc::is_oidc_key(k))
    {
        let mut config = RdConfig::new();
        config.set(key, value);
        if let Err(err) = config.create_native_config() {
            let reason = match err {
                KafkaError::ClientConfig(_, desc, _, _) => desc,
                other => other.to_string(),
            };
            return Err(Error::usage(format!("invalid -X {key}: {reason}")));
        }
    }
    Ok(())
}

/// The addresses of the last `bootstrap.servers` (or its alias `metadata.broker.list`) among
/// librdkafka properties, without the `proto://` prefix librdkafka also takes.
fn bootstrap_property(properties: &[(String, String)]) -> Option<Vec<String>> {
    let (_, list) = properties
        .iter()
        .rev()
        .find(|(k, _)| k == "bootstrap.servers" || k == "metadata.broker.list")?;
    Some(
        list.split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| a.split_once("://").map_or(a, |(_, rest)| rest).to_string())
            .collect(),
    )
}

#[cfg(test)]
impl ClientConfig {
    /// The configuration of global flags alone (no config file, no environment).
    pub(crate) fn for_test(flags: &[&str]) -> ClientConfig {
        let logs =
            crate::printer::Printer::new(crate::printer::OutputFormat::Table, false).diagnostics();
        ClientConfig::new(&Settings::for_test(flags), logs, &mut Vec::new()).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::settings::Mode;

    #[test]
    fn properties_apply_context_then_security_then_x() {
        let text = r#"
current-context = "c"
[contexts.c]
brokers = "h:1"
timeout = "3s"
[contexts.c.properties]
"client.id" = "from-context"
"security.protocol" = "plaintext"
[contexts.c.sasl]
mechanism = "PLAIN"
username = "ctx-user"
password = "ctx-password-1"
"#;
        let config = Config {
            path: Some("/c.toml".into()),
            exists: true,
            file: crate::config::parse(text, std::path::Path::new("/c.toml")).unwrap(),
            warnings: Vec::new(),
        };
        let settings = Settings::resolve_from(
            &crate::settings::test_args(&[
                "-X",
                "client.id=from-x",
                "--sasl-username",
                "flag-user",
            ]),
            &config,
            Mode::Full,
            &mut Vec::new(),
        )
        .unwrap();
        let logs =
            crate::printer::Printer::new(crate::printer::OutputFormat::Table, false).diagnostics();
        let c = ClientConfig::new(&settings, logs, &mut Vec::new()).unwrap();
        assert_eq!(c.brokers, ["h:1"]);
        assert_eq!(c.timeout, Duration::from_secs(3));
        assert_eq!(c.user_property("client.id").unwrap(), "from-x");
        assert_eq!(
            c.user_property("security.protocol").unwrap(),
            "sasl_plaintext"
        );
        assert_eq!(c.user_property("sasl.username").unwrap(), "flag-user");
        assert_eq!(c.user_property("sasl.password").unwrap(), "ctx-password-1");
        let debug = format!("{c:?}");
        assert!(!debug.contains("ctx-password-1"), "{debug}");
        let c = ClientConfig::for_test(&[]);
        assert_eq!(c.brokers, [crate::settings::DEFAULT_BROKERS]);
        assert!(c.properties.is_empty());
    }

    /// -X bootstrap.servers is where librdkafka connects (properties apply last), so it is
    /// the broker list everything names.
    #[test]
    fn a_bootstrap_property_is_the_broker_list() {
        let c =
            ClientConfig::for_test(&["-b", "a:1", "-X", "bootstrap.servers=PLAINTEXT://b:2, c:3"]);
        assert_eq!(c.brokers, ["b:2", "c:3"]);
        let c = ClientConfig::for_test(&["-X", "metadata.broker.list=d:4"]);
        assert_eq!(c.brokers, ["d:4"]);
        let c = ClientConfig::for_test(&["-b", "a:1"]);
        assert_eq!(c.brokers, ["a:1"]);
    }
}
