//! librdkafka's error codes read into what commands act on: a [`BrokerError`] with its
//! [`Code`] and a readable message.

use rdkafka::error::RDKafkaErrorCode;

use super::native;
use super::types::{BrokerError, Code};

/// A librdkafka or broker error code, with librdkafka's detail when it has one, as kctl
/// reports it: `topic already exists`, `unknown topic or partition (detail)`.
pub(crate) fn broker_error(code: RDKafkaErrorCode, detail: Option<&str>) -> BrokerError {
    use RDKafkaErrorCode as E;
    let kind = match code {
        E::TopicAlreadyExists => Code::TopicAlreadyExists,
        E::UnknownTopicOrPartition | E::UnknownTopic | E::UnknownTopicId => Code::UnknownTopic,
        E::InvalidTopic => Code::InvalidTopic,
        E::InvalidPartitions => Code::InvalidPartitions,
        E::InvalidReplicationFactor => Code::InvalidReplicationFactor,
        E::InvalidConfig => Code::InvalidConfig,
        E::PolicyViolation => Code::PolicyViolation,
        E::TopicAuthorizationFailed
        | E::GroupAuthorizationFailed
        | E::ClusterAuthorizationFailed => Code::NotAuthorized,
        _ => Code::Other,
    };
    let described = native::describe(code);
    let mut message = described
        .strip_prefix("Broker: ")
        .or_else(|| described.strip_prefix("Local: "))
        .unwrap_or(&described)
        .to_string();
    if let Some(first) = message.get(..1) {
        message = first.to_lowercase() + &message[1..];
    }
    if let Some(detail) = detail.map(str::trim).filter(|d| !d.is_empty()) {
        if !described.contains(detail) && normalized(detail) != normalized(&message) {
            message = format!("{message} ({detail})");
        }
    }
    BrokerError {
        code: kind,
        message,
    }
}

/// Text as compared for sameness: trimmed, without a final '.', in lower case. (A broker's
/// detail that only repeats the code's description, "Topic authorization failed.", adds
/// nothing to it.)
fn normalized(text: &str) -> String {
    let text = text.trim();
    text.strip_suffix('.').unwrap_or(text).trim().to_lowercase()
}

/// Whether the code says a call got no answer in time (or could not be sent): what kctl
/// reports as a timeout, with what the connection state knows.
pub(crate) fn is_timeout(code: RDKafkaErrorCode) -> bool {
    matches!(
        code,
        RDKafkaErrorCode::OperationTimedOut | RDKafkaErrorCode::RequestTimedOut
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_errors_read_plainly() {
        let e = broker_error(RDKafkaErrorCode::TopicAlreadyExists, None);
        assert_eq!(e.code, Code::TopicAlreadyExists);
        assert_eq!(e.message, "topic already exists");
    }

    #[test]
    fn a_detail_that_repeats_the_description_is_left_out() {
        let code = RDKafkaErrorCode::TopicAuthorizationFailed;
        let e = broker_error(code, Some("Topic authorization failed."));
        assert_eq!(e.message, "topic authorization failed");
        let e = broker_error(code, Some(" TOPIC AUTHORIZATION FAILED "));
        assert_eq!(e.message, "topic authorization failed");
        let e = broker_error(code, Some("Denied by ACL."));
        assert_eq!(e.message, "topic authorization failed (Denied by ACL.)");
    }
}
