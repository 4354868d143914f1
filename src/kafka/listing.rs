//! A cold `topics list` over a connection of kctl's own (see `wire/metadata.rs`): no
//! librdkafka client is made, so none connects twice, asks for metadata four times or has
//! threads to start and stop. When kctl cannot speak to the cluster itself with the settings
//! (GSSAPI, OAUTHBEARER, key stores), with `-v` (librdkafka's logs are what `-v` shows), or when
//! the connection fails for any reason but a timeout, the admin client does it instead, and
//! explains a failure as every command does.

use super::authz;
use super::config::ClientConfig;
use super::types::ClusterInfo;
use super::wire::{self, WireError, WireSettings};
use crate::error::{Error, ErrorKind, Result};
use crate::settings::format_duration;

/// The cluster's metadata, and the principal when the listing may leave out what it may not
/// describe (as [`super::Kafka::listing_filtered_for`] says); `None` when the admin client
/// must do it (see above).
pub async fn quick_metadata(
    config: &ClientConfig,
) -> Option<Result<(ClusterInfo, Option<String>)>> {
    if config.verbose > 0 {
        return None;
    }
    let settings = WireSettings::of(config).ok()?;
    let address = config.brokers.first()?.clone();
    let principal = authz::principal(config);
    let authorized = principal != authz::ANONYMOUS;
    let brokers = config.bootstrap_servers();
    let timeout = config.timeout;
    let answer = tokio::task::spawn_blocking(move || {
        wire::cluster_metadata(&address, &settings, authorized)
    })
    .await
    .ok()?;
    match answer {
        Ok((cluster, everything)) => {
            let filtered = (everything == Some(false)).then_some(principal);
            Some(Ok((cluster, filtered)))
        }
        Err(WireError::Timeout(_)) => {
            let what = "cannot read the cluster metadata";
            Some(Err(Error::new(
                ErrorKind::Timeout {
                    what: what.to_string(),
                },
                what,
            )
            .because(format!(
                "no answer from the cluster at {brokers} within {}",
                format_duration(timeout)
            ))
            .with_hint(super::conn::TIMEOUT_HINT)))
        }
        Err(_) => None,
    }
}
