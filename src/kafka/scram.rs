//! SASL/SCRAM users: their credentials (mechanism and iterations, never a secret), and the
//! calls that describe, set and delete them. The librdkafka calls are in `native/scram.rs`;
//! every call is bounded by the timeout.

use std::fmt;
use std::str::FromStr;

use rdkafka::error::RDKafkaErrorCode;
use serde::{Serialize, Serializer};

use super::authz::{Operation, Resource};
use super::client::Kafka;
use super::errors::broker_error;
use super::native::acls::cluster_rights;
use super::native::admin::AdminCallError;
use super::native::scram::{self as native, Alteration, Mechanism};
use super::native::ClientRef;
use crate::error::{Error, Result};
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

impl Kafka {
    /// A failed SCRAM call (for `operation` on the cluster: Describe describes users, Alter
    /// sets and deletes credentials) as an error; a refusal names it.
    fn scram_error(&self, what: &str, err: AdminCallError, operation: Operation) -> Error {
        if let AdminCallError::Failed(e) = &err {
            if let Some(refusal) = self.refusal_of(e.code, operation, Resource::Cluster) {
                return refusal;
            }
        }
        self.call_error(what, err)
    }

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
                let client = ClientRef::of(admin.inner());
                // librdkafka 2.12 crashes (a bad free) on this request's request-level error,
                // which a caller without Describe on the cluster gets: ask first.
                if !cluster_rights(client, timeout)?.may_describe() {
                    return Ok(None);
                }
                native::describe_user_scram_credentials(client, &request, timeout).map(Some)
            })
            .await?
            .map_err(|e| self.scram_error(what, e, Operation::Describe))?;
        let Some(described) = described else {
            return Err(self.refusal(Operation::Describe, Resource::Cluster));
        };
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
                    let refused = self.refusal_of(e.code, Operation::Describe, Resource::Cluster);
                    return Err(refused.unwrap_or_else(|| {
                        let cause = broker_error(e.code, Some(&e.message));
                        Error::new(cause.kind(), format!("{what}: user '{user}'")).because(cause)
                    }));
                }
            }
        }
        credentials.sort();
        Ok((credentials, missing))
    }

    /// Sets the `mechanisms` credentials of `user` to `password` with `iterations` (a random
    /// salt each; only the salted hash goes to the broker). One request per mechanism: Kafka
    /// refuses a request that alters one user twice.
    pub async fn upsert_scram_user(
        &self,
        user: &str,
        mechanisms: &[ScramMechanism],
        iterations: i32,
        password: &Secret,
    ) -> Result<()> {
        let mut done = Vec::new();
        for &mechanism in mechanisms {
            let what = format!("cannot set the {mechanism} credential of user '{user}'");
            let name = user.to_string();
            let password = password.expose().as_bytes().to_vec();
            let results = self
                .blocking(&what, move |admin, timeout| {
                    let change = [Alteration::Upsert {
                        user: &name,
                        mechanism: mechanism.to_native(),
                        iterations,
                        password: &password,
                    }];
                    let client = ClientRef::of(admin.inner());
                    native::alter_user_scram_credentials(client, &change, timeout)
                })
                .await;
            self.altered(&what, results, &done, "set")?;
            done.push(mechanism);
        }
        Ok(())
    }

    /// Deletes the `mechanisms` credentials of `user` (one request each, as above).
    pub async fn delete_scram_user(&self, user: &str, mechanisms: &[ScramMechanism]) -> Result<()> {
        let mut done = Vec::new();
        for &mechanism in mechanisms {
            let what = format!("cannot delete the {mechanism} credential of user '{user}'");
            let name = user.to_string();
            let results = self
                .blocking(&what, move |admin, timeout| {
                    let change = [Alteration::Delete {
                        user: &name,
                        mechanism: mechanism.to_native(),
                    }];
                    let client = ClientRef::of(admin.inner());
                    native::alter_user_scram_credentials(client, &change, timeout)
                })
                .await;
            self.altered(&what, results, &done, "deleted")?;
            done.push(mechanism);
        }
        Ok(())
    }

    /// The outcome of one AlterUserScramCredentials call: its one result must be a success.
    /// An error names the mechanisms already `verb` (`done`) before it.
    fn altered(
        &self,
        what: &str,
        results: Result<std::result::Result<native::Altered, AdminCallError>>,
        done: &[ScramMechanism],
        verb: &str,
    ) -> Result<()> {
        let failure = match results {
            Err(e) => Some(e),
            Ok(Err(e)) => Some(self.scram_error(what, e, Operation::Alter)),
            Ok(Ok(results)) if results.is_empty() => {
                Some(Error::runtime(what).because("the broker sent no result"))
            }
            Ok(Ok(results)) => results.into_iter().find_map(|(_, r)| {
                r.err().map(|e| {
                    let refused = self.refusal_of(e.code, Operation::Alter, Resource::Cluster);
                    refused.unwrap_or_else(|| {
                        let cause = broker_error(e.code, Some(&e.message));
                        Error::new(cause.kind(), what).because(cause)
                    })
                })
            }),
        };
        match failure {
            None => Ok(()),
            Some(e) if done.is_empty() => Err(e),
            Some(e) => {
                let done: Vec<&str> = done.iter().map(|m| m.as_str()).collect();
                Err(e.because(format!("({} was {verb})", done.join(" and "))))
            }
        }
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
