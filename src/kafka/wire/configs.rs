//! DescribeConfigs and IncrementalAlterConfigs of broker resources, for the one librdkafka
//! cannot address: the cluster-wide default of all brokers, the broker resource with the
//! empty name. A broker answers about the default and about itself (its id as the name).

use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::describe_configs_response::{
    DescribeConfigsResourceResult, DescribeConfigsResult,
};
use kafka_protocol::messages::incremental_alter_configs_request::{
    AlterConfigsResource, AlterableConfig,
};
use kafka_protocol::messages::{
    ApiKey, DescribeConfigsRequest, DescribeConfigsResponse, IncrementalAlterConfigsRequest,
    IncrementalAlterConfigsResponse,
};
use kafka_protocol::protocol::{Message, StrBytes};

use super::connection::Connection;
use super::settings::WireSettings;
use super::{WireError, WireResult};
use crate::kafka::configs::{ConfigEntry, ConfigOp, ConfigSource, Synonym};

/// Kafka's resource type of brokers (`ConfigResource.Type.BROKER`).
const BROKER: i8 = 4;

/// Kafka's ids of IncrementalAlterConfigs operations.
const OP_SET: i8 = 0;
const OP_DELETE: i8 = 1;

/// One resource's answer: its configs, or the broker's refusal ([`WireError::Refused`]).
pub(in crate::kafka) type Described = WireResult<Vec<ConfigEntry>>;

/// Asks the broker at `address` for every config (with synonyms) of the broker resources
/// `names` (`""`: the cluster-wide default; its own id: itself), in one request. The outer
/// error is the exchange's; each resource has its own answer, in the order asked.
pub(in crate::kafka) fn describe_broker_configs(
    address: &str,
    settings: &WireSettings,
    names: &[String],
) -> WireResult<Vec<Described>> {
    let mut conn = Connection::open(address, settings)?;
    let version =
        pick::<DescribeConfigsRequest>(&conn, ApiKey::DescribeConfigs, "DescribeConfigs")?;
    let answer = conn.call(&describe_request(names), version)?;
    Ok(read_described(answer, names))
}

/// Applies `ops` to the broker resource `name` (or, `validate_only`, has the broker check
/// them). The outer error is the exchange's, the inner one the broker's refusal.
pub(in crate::kafka) fn alter_broker_configs(
    address: &str,
    settings: &WireSettings,
    name: &str,
    ops: &[ConfigOp],
    validate_only: bool,
) -> WireResult<WireResult<()>> {
    let mut conn = Connection::open(address, settings)?;
    let version = pick::<IncrementalAlterConfigsRequest>(
        &conn,
        ApiKey::IncrementalAlterConfigs,
        "IncrementalAlterConfigs",
    )?;
    let answer = conn.call(&alter_request(name, ops, validate_only), version)?;
    read_altered(answer, name)
}

fn pick<R: Message>(conn: &Connection, key: ApiKey, what: &str) -> WireResult<i16> {
    conn.versions
        .pick::<R>(key as i16)
        .ok_or_else(|| WireError::UnsupportedApi(format!("the broker does not support {what}")))
}

fn describe_request(names: &[String]) -> DescribeConfigsRequest {
    DescribeConfigsRequest::default()
        .with_include_synonyms(true)
        .with_resources(
            names
                .iter()
                .map(|name| {
                    DescribeConfigsResource::default()
                        .with_resource_type(BROKER)
                        .with_resource_name(StrBytes::from_string(name.clone()))
                        .with_configuration_keys(None)
                })
                .collect(),
        )
}

fn alter_request(
    name: &str,
    ops: &[ConfigOp],
    validate_only: bool,
) -> IncrementalAlterConfigsRequest {
    let configs = ops
        .iter()
        .map(|op| {
            let (operation, value) = match op {
                ConfigOp::Set(_, value) => (OP_SET, Some(value.clone())),
                ConfigOp::Delete(_) => (OP_DELETE, None),
            };
            AlterableConfig::default()
                .with_name(StrBytes::from_string(op.name().to_string()))
                .with_config_operation(operation)
                .with_value(value.map(StrBytes::from_string))
        })
        .collect();
    IncrementalAlterConfigsRequest::default()
        .with_validate_only(validate_only)
        .with_resources(vec![AlterConfigsResource::default()
            .with_resource_type(BROKER)
            .with_resource_name(StrBytes::from_string(name.to_string()))
            .with_configs(configs)])
}

/// Kafka's config source ids (`DescribeConfigsResponse.ConfigSource`).
fn source(id: i8) -> ConfigSource {
    match id {
        1 => ConfigSource::DynamicTopic,
        2 => ConfigSource::DynamicBroker,
        3 => ConfigSource::DynamicDefaultBroker,
        4 => ConfigSource::StaticBroker,
        5 => ConfigSource::Default,
        8 => ConfigSource::Group,
        _ => ConfigSource::Unknown,
    }
}

fn text(s: &Option<StrBytes>) -> Option<String> {
    s.as_ref().map(|s| s.as_str().to_string())
}

fn entry(c: DescribeConfigsResourceResult) -> ConfigEntry {
    ConfigEntry {
        name: c.name.as_str().to_string(),
        value: if c.is_sensitive { None } else { text(&c.value) },
        source: source(c.config_source),
        read_only: c.read_only,
        sensitive: c.is_sensitive,
        synonyms: c
            .synonyms
            .iter()
            .map(|s| Synonym {
                name: s.name.as_str().to_string(),
                value: if c.is_sensitive { None } else { text(&s.value) },
                source: source(s.source),
            })
            .collect(),
    }
}

/// A resource's error, with the broker's message unless it only repeats the code's words
/// (`Cluster authorization failed.`).
pub(super) fn refusal(code: i16, message: &Option<StrBytes>) -> WireError {
    let words = |s: &str| s.trim().trim_end_matches('.').to_lowercase();
    let plain = WireError::refused(code, None).to_string();
    let detail = message
        .as_ref()
        .map(|m| m.as_str())
        .filter(|m| words(m) != words(&plain));
    WireError::refused(code, detail)
}

fn read_result(r: DescribeConfigsResult) -> Described {
    if r.error_code != 0 {
        return Err(refusal(r.error_code, &r.error_message));
    }
    Ok(r.configs.into_iter().map(entry).collect())
}

/// Each asked resource's answer, matched by name (one the broker left out is an error).
fn read_described(answer: DescribeConfigsResponse, names: &[String]) -> Vec<Described> {
    let mut results = answer.results;
    names
        .iter()
        .map(|name| {
            let at = results
                .iter()
                .position(|r| r.resource_type == BROKER && r.resource_name.as_str() == name);
            match at {
                Some(i) => read_result(results.swap_remove(i)),
                None => Err(WireError::Protocol(format!(
                    "the broker's DescribeConfigs answer has no result for broker '{name}'"
                ))),
            }
        })
        .collect()
}

fn read_altered(answer: IncrementalAlterConfigsResponse, name: &str) -> WireResult<WireResult<()>> {
    let result = answer
        .responses
        .iter()
        .find(|r| r.resource_type == BROKER && r.resource_name.as_str() == name)
        .ok_or_else(|| {
            WireError::Protocol(format!(
                "the broker's IncrementalAlterConfigs answer has no result for broker '{name}'"
            ))
        })?;
    Ok(if result.error_code == 0 {
        Ok(())
    } else {
        Err(refusal(result.error_code, &result.error_message))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::describe_configs_response::DescribeConfigsSynonym;
    use kafka_protocol::messages::incremental_alter_configs_response::AlterConfigsResourceResponse;

    fn s(text: &'static str) -> StrBytes {
        StrBytes::from_static_str(text)
    }

    #[test]
    fn asks_for_broker_resources_with_synonyms() {
        let r = describe_request(&[String::new(), "1".into()]);
        assert!(r.include_synonyms);
        assert_eq!(r.resources.len(), 2);
        assert_eq!(r.resources[0].resource_type, 4);
        assert_eq!(r.resources[0].resource_name.as_str(), "");
        assert!(r.resources[1].configuration_keys.is_none());
        let ops = [
            ConfigOp::Set("log.cleaner.threads".into(), "2".into()),
            ConfigOp::Delete("max.connections".into()),
        ];
        let a = alter_request("", &ops, true);
        assert!(a.validate_only);
        let configs = &a.resources[0].configs;
        assert_eq!(
            (configs[0].config_operation, configs[1].config_operation),
            (0, 1)
        );
        assert_eq!(configs[0].value.as_ref().unwrap().as_str(), "2");
        assert!(configs[1].value.is_none());
    }

    #[test]
    fn reads_entries_sources_and_refusals() {
        let config = DescribeConfigsResourceResult::default()
            .with_name(s("log.cleaner.threads"))
            .with_value(Some(s("2")))
            .with_config_source(3)
            .with_synonyms(vec![
                DescribeConfigsSynonym::default()
                    .with_name(s("log.cleaner.threads"))
                    .with_value(Some(s("2")))
                    .with_source(3),
                DescribeConfigsSynonym::default()
                    .with_name(s("log.cleaner.threads"))
                    .with_value(Some(s("1")))
                    .with_source(5),
            ]);
        let secret = DescribeConfigsResourceResult::default()
            .with_name(s("ssl.key.password"))
            .with_value(Some(s("leak")))
            .with_is_sensitive(true)
            .with_config_source(3);
        let answer = DescribeConfigsResponse::default().with_results(vec![
            DescribeConfigsResult::default()
                .with_resource_type(4)
                .with_resource_name(s("1"))
                .with_error_code(31),
            DescribeConfigsResult::default()
                .with_resource_type(4)
                .with_resource_name(s(""))
                .with_configs(vec![config, secret]),
        ]);
        let read = read_described(answer, &[String::new(), "1".into(), "2".into()]);
        let entries = read[0].as_ref().unwrap();
        assert_eq!(entries[0].source, ConfigSource::DynamicDefaultBroker);
        assert_eq!(entries[0].synonyms[1].source, ConfigSource::Default);
        assert_eq!(entries[1].value, None);
        assert_eq!(read[1], Err(WireError::refused(31, None)));
        assert!(matches!(read[2], Err(WireError::Protocol(_))));
    }

    #[test]
    fn reads_an_alter_answer() {
        let answer = |code| {
            IncrementalAlterConfigsResponse::default().with_responses(vec![
                AlterConfigsResourceResponse::default()
                    .with_resource_type(4)
                    .with_resource_name(s(""))
                    .with_error_code(code)
                    .with_error_message(Some(s("Invalid value x"))),
            ])
        };
        assert_eq!(read_altered(answer(0), ""), Ok(Ok(())));
        let refused = read_altered(answer(40), "").unwrap().unwrap_err();
        assert!(matches!(refused, WireError::Refused { code: 40, .. }));
        assert!(refused.to_string().contains("Invalid value x"), "{refused}");
        assert!(read_altered(answer(0), "1").is_err());
        let said_twice = Some(s("Cluster authorization failed."));
        assert_eq!(
            refusal(31, &said_twice).to_string(),
            "cluster authorization failed"
        );
    }
}
