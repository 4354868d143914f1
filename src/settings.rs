//! Global settings: the command line's global options resolved once, before any work.

use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::error::{Error, Result};

/// The default bootstrap address, as in Kafka's own quick start.
pub const DEFAULT_BROKERS: &str = "localhost:9092";
/// The default bound on every broker call.
pub const DEFAULT_TIMEOUT: &str = "10s";

/// How results are printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    /// Aligned tables for people.
    #[default]
    Table,
    /// JSON documents for scripts (one JSON object per line for streams).
    Json,
}

/// Options accepted by every command.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Bootstrap brokers, as HOST:PORT[,HOST:PORT...]
    #[arg(
        short = 'b',
        long = "brokers",
        env = "KCTL_BROKERS",
        value_name = "HOST:PORT[,...]",
        global = true,
        help_heading = "Connection"
    )]
    pub brokers: Option<String>,

    /// Set any librdkafka property, e.g. -X security.protocol=ssl (repeatable)
    #[arg(
        short = 'X',
        value_name = "KEY=VALUE",
        value_parser = parse_key_value,
        global = true,
        help_heading = "Connection"
    )]
    pub properties: Vec<(String, String)>,

    /// Bound on every broker call, connecting included (e.g. 500ms, 10s, 1m)
    #[arg(
        long,
        value_name = "DURATION",
        default_value = DEFAULT_TIMEOUT,
        value_parser = parse_duration,
        global = true,
        help_heading = "Connection"
    )]
    pub timeout: Duration,

    /// Output format: tables for people, JSON for scripts
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FORMAT",
        default_value = "table",
        global = true
    )]
    pub output: OutputFormat,

    /// Show librdkafka's logs on stderr (-vv adds protocol debugging)
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

/// Settings every command works from, resolved once from the global options.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Validated bootstrap addresses.
    pub brokers: Vec<String>,
    /// librdkafka properties given with -X, in order.
    pub properties: Vec<(String, String)>,
    pub timeout: Duration,
    pub output: OutputFormat,
    pub verbose: u8,
}

impl Settings {
    pub fn resolve(args: &GlobalArgs) -> Result<Settings> {
        let brokers = parse_brokers(args.brokers.as_deref().unwrap_or(DEFAULT_BROKERS))?;
        if args.timeout.is_zero() {
            return Err(Error::usage("--timeout must be greater than zero"));
        }
        crate::kafka::validate_properties(&args.properties)?;
        Ok(Settings {
            brokers,
            properties: args.properties.clone(),
            timeout: args.timeout,
            output: args.output,
            verbose: args.verbose,
        })
    }

    /// The bootstrap list as librdkafka takes it.
    pub fn bootstrap_servers(&self) -> String {
        self.brokers.join(",")
    }
}

/// Parses `HOST:PORT[,HOST:PORT...]`; IPv6 hosts go in brackets: `[::1]:9092`.
pub fn parse_brokers(list: &str) -> Result<Vec<String>> {
    let brokers: Vec<String> = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.to_string())
        .collect();
    if brokers.is_empty() {
        return Err(Error::usage(
            "the broker list is empty: expected HOST:PORT[,...]",
        ));
    }
    for broker in &brokers {
        let bad = || {
            Error::usage(format!(
                "invalid broker address '{broker}': expected HOST:PORT, e.g. localhost:9092"
            ))
        };
        let (host, port) = broker.rsplit_once(':').ok_or_else(bad)?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || host.contains(['/', ' ']) {
            return Err(bad());
        }
        match port.parse::<u16>() {
            Ok(p) if p > 0 => {}
            _ => return Err(bad()),
        }
    }
    Ok(brokers)
}

/// Parses `KEY=VALUE` (the value may be empty and may contain `=`).
pub fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("expected KEY=VALUE, got '{s}'")),
    }
}

/// Parses a duration such as `500ms`, `10s`, `2m`; a bare number is seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Ok(Duration::from_secs_f64(secs));
        }
    }
    humantime::parse_duration(s)
        .map_err(|e| format!("invalid duration '{s}' ({e}): use e.g. 500ms, 10s, 1m"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brokers_parse_and_validate() {
        assert_eq!(
            parse_brokers("a:1, b:2").unwrap(),
            vec!["a:1".to_string(), "b:2".to_string()]
        );
        assert_eq!(parse_brokers("[::1]:9092").unwrap(), vec!["[::1]:9092"]);
        for bad in [
            "",
            ",",
            "localhost",
            "localhost:",
            ":9092",
            "h:0",
            "h:99999",
            "h:x",
        ] {
            let err = parse_brokers(bad).unwrap_err();
            assert_eq!(err.kind(), crate::error::ErrorKind::Usage, "{bad}");
        }
    }

    #[test]
    fn key_values_parse() {
        assert_eq!(
            parse_key_value("a.b=c=d").unwrap(),
            ("a.b".to_string(), "c=d".to_string())
        );
        assert_eq!(
            parse_key_value("k=").unwrap(),
            ("k".to_string(), String::new())
        );
        assert!(parse_key_value("novalue").is_err());
        assert!(parse_key_value("=v").is_err());
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2").unwrap(), Duration::from_secs(2));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-1").is_err());
    }
}
