//! SASL/SCRAM users: their credentials (mechanism and iterations, never a secret), and the
//! calls that describe, set and delete them. The librdkafka calls are in `native/scram.rs`;
//! every call is bounded by the timeout.

use std::fmt;
use std::str::FromStr;

use rdkafka::error::RDKafkaErrorCode;
use serde::{Serialize, Serializer};

use super::client::Kafka;
use super::errors::broker_error;
use super::native::scram::{self as native, Alteration, Mechanism};
use super::native::ClientRef;
use crate::error::{Error, ErrorKind, Result};
use crate::security::Secret;

/// A SCRAM mechanism Kafka stores credentials for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScramMechanism {
    Sha256,
    Sha512,
}

impl ScramMechanism {
    pub const ALL: [ScramMechanism; 2] = [ScramMechanism::Sha256, ScramMechanism::Sha512];

    /// The fewest iterations Kafka accepts for either mechanism.
    pub const MIN_ITERATIONS: u32 = 4096;
    /// The most iterations Kafka accepts for either mechanism.
    pub const MAX_ITERATIONS: u32 = 16384;

    pub fn as_str(self) -> &'static str {
        match self {
            ScramMechanism::Sha256 => "SCRAM-SHA-256",
            ScramMechanism::Sha512 => "SCRAM-SHA-512",
        }
    }

    fn to_native(self) -> Mechanism {
        match self {
            ScramMechanism::Sha256 => Mechanism::RD_KAFKA_SCRAM_MECHANISM_SHA_256,
            ScramMechanism::Sha512 => Mechanism::RD_KAFKA_SCRAM_MECHANISM_SHA_512,
        }
    }

    fn from_native(m: Mechanism) -> Option<ScramMechanism> {
        match m {
            Mechanism::RD_KAFKA_SCRAM_MECHANISM_SHA_256 => Some(ScramMechanism::Sha256),
            Mechanism::RD_KAFKA_SCRAM_MECHANISM_SHA_512 => Some(ScramMechanism::Sha512),
            _ => None,
        }
    }
}

impl FromStr for ScramMechanism {
    type Err = String;
    /// `SCRAM-SHA-256` or `SCRAM-SHA-512`, any case, `_` for `-` too.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let wanted = s.to_ascii_uppercase().replace('_', "-");
        ScramMechanism::ALL
            .into_iter()
            .find(|m| m.as_str() == wanted)
            .ok_or_else(|| {
                format!("unknown SCRAM mechanism '{s}' (one of: SCRAM-SHA-256, SCRAM-SHA-512)")
            })
    }
}

impl fmt::Display for ScramMechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ScramMechanism {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One SCRAM credential of a user: its mechanism and iteration count.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ScramCredential {
    pub user: String,
    pub mechanism: ScramMechanism,
    pub iterations: i32,
}

/// What to check when the cluster refuses a SCRAM call for lack of permission.
const SCRAM_PERMISSION_HINT: &str = "describing SCRAM users takes the Describe permission on \
     the cluster, creating and deleting them Alter on the cluster (a super user has both)";

fn scram_hint(err: Error) -> Error {
    match err.kind() {
        ErrorKind::Authorization => err.with_hint(SCRAM_PERMISSION_HINT),
        _ => err,
    }
}

impl Kafka {
    /// The SCRAM credentials of `users`, or of every user when empty (one request). The
    /// second list names the users asked for that have none (Kafka's RESOURCE_NOT_FOUND).
    pub async fn describe_scram_users(
        &self,
        users: &[String],
    ) -> Result<(Vec<ScramCredential>, Vec<String>)> {
        let what = "cannot describe SCRAM users";
        let request = users.to_vec();
        let described = self
            .blocking(what, move |admin, timeout| {
                native::describe_user_scram_credentials(
                    ClientRef::of(admin.inner()),
                    &request,
                    timeout,
                )
            })
            .await?
            .map_err(|e| scram_hint(self.call_error(what, e)))?;
        let mut credentials = Vec::new();
        let mut missing = Vec::new();
        for (user, result) in described {
            match result {
                Ok(infos) => credentials.extend(infos.into_iter().filter_map(|(m, iterations)| {
                    Some(ScramCredential {
                        user: user.clone(),
                        mechanism: ScramMechanism::from_native(m)?,
                        iterations,
                    })
                })),
                Err(e) if e.code == RDKafkaErrorCode::ResourceNotFound => missing.push(user),
                Err(e) => {
                    let cause = broker_error(e.code, Some(&e.message));
                    let err = Error::new(cause.kind(), format!("{what}: user '{user}'"));
                    return Err(scram_hint(err.because(cause)));
                }
            }
        }
        credentials.sort();
        Ok((credentials, missing))
    }

    /// Sets the `mechanisms` credentials of `user` to `password` with `iterations` (one
    /// request; a random salt each, and only the salted hash goes to the broker).
    pub async fn upsert_scram_user(
        &self,
        user: &str,
        mechanisms: &[ScramMechanism],
        iterations: i32,
        password: &Secret,
    ) -> Result<()> {
        let what = format!("cannot set the SCRAM credentials of user '{user}'");
        let name = user.to_string();
        let mechanisms = mechanisms.to_vec();
        let password = password.expose().as_bytes().to_vec();
        let results = self
            .blocking(&what, move |admin, timeout| {
                let changes: Vec<Alteration<'_>> = mechanisms
                    .iter()
                    .map(|m| Alteration::Upsert {
                        user: &name,
                        mechanism: m.to_native(),
                        iterations,
                        password: &password,
                    })
                    .collect();
                native::alter_user_scram_credentials(
                    ClientRef::of(admin.inner()),
                    &changes,
                    timeout,
                )
            })
            .await?;
        self.altered(&what, results)
    }

    /// Deletes the `mechanisms` credentials of `user` (one request).
    pub async fn delete_scram_user(&self, user: &str, mechanisms: &[ScramMechanism]) -> Result<()> {
        let what = format!("cannot delete the SCRAM credentials of user '{user}'");
        let name = user.to_string();
        let mechanisms = mechanisms.to_vec();
        let results = self
            .blocking(&what, move |admin, timeout| {
                let changes: Vec<Alteration<'_>> = mechanisms
                    .iter()
                    .map(|m| Alteration::Delete {
                        user: &name,
                        mechanism: m.to_native(),
                    })
                    .collect();
                native::alter_user_scram_credentials(
                    ClientRef::of(admin.inner()),
                    &changes,
                    timeout,
                )
            })
            .await?;
        self.altered(&what, results)
    }

    /// The outcome of an AlterUserScramCredentials call: every user's result must be a success.
    fn altered(
        &self,
        what: &str,
        results: std::result::Result<native::Altered, super::native::admin::AdminCallError>,
    ) -> Result<()> {
        let results = results.map_err(|e| scram_hint(self.call_error(what, e)))?;
        if results.is_empty() {
            return Err(Error::runtime(what).because("the broker sent no result"));
        }
        for (_, result) in results {
            if let Err(e) = result {
                let cause = broker_error(e.code, Some(&e.message));
                return Err(scram_hint(Error::new(cause.kind(), what).because(cause)));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mechanisms_parse_and_print_as_kafka_names_them() {
        assert_eq!("scram-sha-256".parse(), Ok(ScramMechanism::Sha256));
        assert_eq!("SCRAM_SHA_512".parse(), Ok(ScramMechanism::Sha512));
        assert!("PLAIN".parse::<ScramMechanism>().is_err());
        assert_eq!(ScramMechanism::Sha512.to_string(), "SCRAM-SHA-512");
        assert_eq!(
            serde_json::to_string(&ScramMechanism::Sha256).unwrap(),
            "\"SCRAM-SHA-256\""
        );
        for m in ScramMechanism::ALL {
            assert_eq!(ScramMechanism::from_native(m.to_native()), Some(m));
        }
    }
}
