//! ApiVersions: the first request on every connection, which says what the broker supports,
//! and the version of each request both sides know.

use std::collections::BTreeMap;

use kafka_protocol::messages::{ApiVersionsRequest, ApiVersionsResponse};
use kafka_protocol::protocol::Message;

use super::connection::Connection;
use super::{WireError, WireResult};

/// The ApiVersions version kctl sends: v0 is what every broker answers (a broker answers a
/// version it does not know with UNSUPPORTED_VERSION in v0's shape anyway).
pub(in crate::kafka) const VERSION: i16 = 0;

/// UNSUPPORTED_VERSION: still a Kafka broker answering, with its list.
const UNSUPPORTED_VERSION: i16 = 35;

/// The version ranges a broker supports, per API key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(in crate::kafka) struct Versions {
    pub ranges: BTreeMap<i16, (i16, i16)>,
}

impl Versions {
    /// The versions of an ApiVersions answer, if it is one a broker gives (no error, or
    /// UNSUPPORTED_VERSION).
    pub fn of(answer: &ApiVersionsResponse) -> Option<Versions> {
        if answer.error_code != 0 && answer.error_code != UNSUPPORTED_VERSION {
            return None;
        }
        Some(Versions {
            ranges: answer
                .api_keys
                .iter()
                .map(|k| (k.api_key, (k.min_version, k.max_version)))
                .collect(),
        })
    }

    /// The highest version of request `R` that both the broker and kctl know.
    pub fn pick<R: Message>(&self, key: i16) -> Option<i16> {
        let (min, max) = *self.ranges.get(&key)?;
        let max = max.min(R::VERSIONS.max);
        (max >= min.max(R::VERSIONS.min)).then_some(max)
    }
}

/// The request, as kctl sends it.
pub(in crate::kafka) fn request() -> ApiVersionsRequest {
    ApiVersionsRequest::default()
}

/// Asks the broker of `conn` for its versions.
pub(super) fn exchange(conn: &mut Connection) -> WireResult<Versions> {
    let answer = conn.call(&request(), VERSION)?;
    Versions::of(&answer).ok_or_else(|| WireError::refused(answer.error_code, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::api_versions_response::ApiVersion;
    use kafka_protocol::messages::{ApiKey, DescribeLogDirsRequest};

    #[test]
    fn picks_the_highest_version_both_know() {
        let answer = ApiVersionsResponse::default().with_api_keys(vec![ApiVersion::default()
            .with_api_key(ApiKey::DescribeLogDirs as i16)
            .with_min_version(1)
            .with_max_version(9)]);
        let v = Versions::of(&answer).unwrap();
        let key = ApiKey::DescribeLogDirs as i16;
        assert_eq!(v.pick::<DescribeLogDirsRequest>(key), Some(4));
        assert_eq!(v.pick::<DescribeLogDirsRequest>(99), None);
        let v = Versions {
            ranges: [(key, (0, 0))].into(),
        };
        assert_eq!(v.pick::<DescribeLogDirsRequest>(key), None);
        assert!(Versions::of(&answer.clone().with_error_code(35)).is_some());
        assert!(Versions::of(&answer.with_error_code(1)).is_none());
    }
}
