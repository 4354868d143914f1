//! Client quotas (DescribeClientQuotas, AlterClientQuotas), which librdkafka has no API for:
//! the byte-rate, request and connection quotas of users, client ids and IP addresses, as
//! `kafka-configs --entity-type users|clients|ips` reads and changes them.

use kafka_protocol::messages::alter_client_quotas_request::{
    EntityData as AlterEntity, EntryData as AlterEntry, OpData,
};
use kafka_protocol::messages::describe_client_quotas_request::ComponentData;
use kafka_protocol::messages::{
    AlterClientQuotasRequest, AlterClientQuotasResponse, DescribeClientQuotasRequest,
    DescribeClientQuotasResponse,
};
use kafka_protocol::protocol::StrBytes;

use super::configs::refusal;
use super::connection::exchange;
use super::settings::WireSettings;
use super::WireResult;
use crate::kafka::quotas::{QuotaEntity, QuotaEntry, QuotaMatch, QuotaOp};

/// DescribeClientQuotas' match types.
const MATCH_EXACT: i8 = 0;
const MATCH_DEFAULT: i8 = 1;
const MATCH_ANY: i8 = 2;

/// The quotas of the entities `filter` matches (each entity type with how its name must
/// match); `strict`: only entities of exactly those types.
pub(in crate::kafka) fn describe_client_quotas(
    address: &str,
    settings: &WireSettings,
    filter: &[(String, QuotaMatch)],
    strict: bool,
) -> WireResult<Vec<QuotaEntry>> {
    let (_, answer) = exchange(address, settings, "DescribeClientQuotas", |_| {
        DescribeClientQuotasRequest::default()
            .with_strict(strict)
            .with_components(
                filter
                    .iter()
                    .map(|(kind, m)| {
                        let (match_type, name) = match m {
                            QuotaMatch::Exact(name) => (MATCH_EXACT, Some(text(name))),
                            QuotaMatch::Default => (MATCH_DEFAULT, None),
                            QuotaMatch::Any => (MATCH_ANY, None),
                        };
                        ComponentData::default()
                            .with_entity_type(text(kind))
                            .with_match_type(match_type)
                            .with_match(name)
                    })
                    .collect(),
            )
    })?;
    read_described(answer)
}

fn read_described(answer: DescribeClientQuotasResponse) -> WireResult<Vec<QuotaEntry>> {
    if answer.error_code != 0 {
        return Err(refusal(answer.error_code, &answer.error_message));
    }
    Ok(answer
        .entries
        .unwrap_or_default()
        .into_iter()
        .map(|e| QuotaEntry {
            entity: QuotaEntity::new(
                e.entity
                    .iter()
                    .map(|p| {
                        let name = p.entity_name.as_ref().map(|n| n.as_str().to_string());
                        (p.entity_type.as_str().to_string(), name)
                    })
                    .collect(),
            ),
            values: e
                .values
                .iter()
                .map(|v| (v.key.as_str().to_string(), v.value))
                .collect(),
        })
        .collect())
}

/// Applies `ops` to `entity`'s quotas (or, `validate_only`, has the broker check them). The
/// outer error is the exchange's, the inner one the broker's refusal.
pub(in crate::kafka) fn alter_client_quotas(
    address: &str,
    settings: &WireSettings,
    entity: &QuotaEntity,
    ops: &[QuotaOp],
    validate_only: bool,
) -> WireResult<WireResult<()>> {
    let (_, answer) = exchange(address, settings, "AlterClientQuotas", |_| {
        AlterClientQuotasRequest::default()
            .with_validate_only(validate_only)
            .with_entries(vec![AlterEntry::default()
                .with_entity(
                    entity
                        .parts
                        .iter()
                        .map(|(kind, name)| {
                            AlterEntity::default()
                                .with_entity_type(text(kind))
                                .with_entity_name(name.as_deref().map(text))
                        })
                        .collect(),
                )
                .with_ops(
                    ops.iter()
                        .map(|op| match op {
                            QuotaOp::Set(key, value) => {
                                OpData::default().with_key(text(key)).with_value(*value)
                            }
                            QuotaOp::Delete(key) => {
                                OpData::default().with_key(text(key)).with_remove(true)
                            }
                        })
                        .collect(),
                )])
    })?;
    Ok(read_altered(answer))
}

fn read_altered(answer: AlterClientQuotasResponse) -> WireResult<()> {
    match answer.entries.iter().find(|e| e.error_code != 0) {
        Some(e) => Err(refusal(e.error_code, &e.error_message)),
        None => Ok(()),
    }
}

fn text(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::alter_client_quotas_response::EntryData as Altered;
    use kafka_protocol::messages::describe_client_quotas_response::{
        EntityData, EntryData, ValueData,
    };

    #[test]
    fn reads_entries_and_refusals() {
        let answer =
            DescribeClientQuotasResponse::default().with_entries(Some(vec![EntryData::default()
                .with_entity(vec![
                    EntityData::default()
                        .with_entity_type(text("user"))
                        .with_entity_name(Some(text("alice"))),
                    EntityData::default()
                        .with_entity_type(text("client-id"))
                        .with_entity_name(None),
                ])
                .with_values(vec![ValueData::default()
                    .with_key(text("producer_byte_rate"))
                    .with_value(1024.0)])]));
        let e = &read_described(answer).unwrap()[0];
        assert_eq!(
            e.entity.parts,
            [
                ("user".to_string(), Some("alice".to_string())),
                ("client-id".to_string(), None)
            ]
        );
        assert_eq!(e.values["producer_byte_rate"], 1024.0);
        let refused = DescribeClientQuotasResponse::default().with_error_code(31);
        assert!(read_described(refused).is_err());
        let altered = AlterClientQuotasResponse::default().with_entries(vec![Altered::default()
            .with_error_code(42)
            .with_error_message(Some(text("Invalid configuration key nope")))]);
        let e = read_altered(altered).unwrap_err();
        assert!(
            e.to_string().contains("Invalid configuration key nope"),
            "{e}"
        );
    }
}
