//! SASL/SCRAM credentials through librdkafka's C API: DescribeUserScramCredentials and
//! AlterUserScramCredentials (upsertions and deletions).
//!
//! An upsertion is given the password and no salt: librdkafka then draws a 64-byte salt with
//! OpenSSL's `RAND_priv_bytes` and sends only the salted hash (never the password) to the
//! broker.

use std::ffi::CString;
use std::os::raw::c_char;
use std::ptr::NonNull;
use std::time::Duration;

use rdkafka::types::RDKafkaRespErr;
use rdkafka_sys as rdsys;

use super::admin::{bad_reply, call_admin, read_error, AdminCallError};
use super::{cstr, ClientRef, NativeError};

pub(crate) use rdsys::rd_kafka_ScramMechanism_t as Mechanism;

/// A user's credentials as described: (mechanism, iterations) each, or the error describing
/// the user (RESOURCE_NOT_FOUND for a user without any).
pub(crate) type DescribedUser = (String, Result<Vec<(Mechanism, i32)>, NativeError>);

/// Each user's result of an alteration.
pub(crate) type Altered = Vec<(String, Result<(), NativeError>)>;

/// One change to a user's credentials.
pub(crate) enum Alteration<'a> {
    /// Sets (or replaces) the credential of `mechanism`.
    Upsert {
        user: &'a str,
        mechanism: Mechanism,
        iterations: i32,
        password: &'a [u8],
    },
    /// Deletes the credential of `mechanism`.
    Delete { user: &'a str, mechanism: Mechanism },
}

/// An alteration of our own, destroyed when dropped.
struct Owned(NonNull<rdsys::rd_kafka_UserScramCredentialAlteration_t>);

impl Drop for Owned {
    fn drop(&mut self) {
        // SAFETY: made by rd_kafka_UserScramCredential{Upsertion,Deletion}_new, destroyed
        // once, here.
        unsafe { rdsys::rd_kafka_UserScramCredentialAlteration_destroy(self.0.as_ptr()) }
    }
}

fn invalid(message: &str) -> AdminCallError {
    AdminCallError::Failed(NativeError::from_code(
        RDKafkaRespErr::RD_KAFKA_RESP_ERR__INVALID_ARG,
        Some(message.to_string()),
    ))
}

impl Alteration<'_> {
    fn user(&self) -> &str {
        match self {
            Alteration::Upsert { user, .. } | Alteration::Delete { user, .. } => user,
        }
    }

    fn make(&self) -> Result<Owned, AdminCallError> {
        let user = CString::new(self.user()).map_err(|_| invalid("the user name holds a NUL"))?;
        let made = match self {
            Alteration::Upsert {
                mechanism,
                iterations,
                password,
                ..
            } => {
                if password.is_empty() {
                    return Err(invalid("the password is empty"));
                }
                // SAFETY: name and password are alive for the call and copied by librdkafka;
                // no salt (NULL, 0): librdkafka draws a random one.
                unsafe {
                    rdsys::rd_kafka_UserScramCredentialUpsertion_new(
                        user.as_ptr(),
                        *mechanism,
                        *iterations,
                        password.as_ptr(),
                        password.len(),
                        std::ptr::null(),
                        0,
                    )
                }
            }
            // SAFETY: the name is alive for the call and copied by librdkafka.
            Alteration::Delete { mechanism, .. } => unsafe {
                rdsys::rd_kafka_UserScramCredentialDeletion_new(user.as_ptr(), *mechanism)
            },
        };
        NonNull::new(made)
            .map(Owned)
            .ok_or_else(|| bad_reply("a SCRAM credential alteration"))
    }
}

/// DescribeUserScramCredentials for `users`, or for every user when empty.
pub(crate) fn describe_user_scram_credentials(
    client: ClientRef<'_>,
    users: &[String],
    timeout: Duration,
) -> Result<Vec<DescribedUser>, AdminCallError> {
    let names = users
        .iter()
        .map(|u| CString::new(u.as_str()).map_err(|_| invalid("a user name holds a NUL")))
        .collect::<Result<Vec<_>, _>>()?;
    let mut ptrs: Vec<*const c_char> = names.iter().map(|n| n.as_ptr()).collect();
    let event = call_admin(
        client,
        rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBEUSERSCRAMCREDENTIALS,
        timeout,
        // SAFETY: client, options and queue are alive for the call; the names are alive and
        // copied by librdkafka (none: every user).
        |r| unsafe {
            rdsys::rd_kafka_DescribeUserScramCredentials(
                r.rk(),
                ptrs.as_mut_ptr(),
                ptrs.len(),
                r.options,
                r.queue,
            )
        },
    )?;
    // SAFETY: the result, its descriptions and their infos belong to `event`, alive here;
    // each array has the count librdkafka says.
    unsafe {
        let result = rdsys::rd_kafka_event_DescribeUserScramCredentials_result(event.ptr());
        if result.is_null() {
            return Err(bad_reply("DescribeUserScramCredentials"));
        }
        let mut count = 0usize;
        let descs =
            rdsys::rd_kafka_DescribeUserScramCredentials_result_descriptions(result, &mut count);
        Ok((0..count)
            .map(|i| {
                let d = *descs.add(i);
                let user = cstr(rdsys::rd_kafka_UserScramCredentialsDescription_user(d));
                if let Some(e) =
                    read_error(rdsys::rd_kafka_UserScramCredentialsDescription_error(d))
                {
                    return (user, Err(e));
                }
                let n =
                    rdsys::rd_kafka_UserScramCredentialsDescription_scramcredentialinfo_count(d);
                let infos = (0..n)
                    .map(|j| {
                        let info =
                            rdsys::rd_kafka_UserScramCredentialsDescription_scramcredentialinfo(
                                d, j,
                            );
                        (
                            rdsys::rd_kafka_ScramCredentialInfo_mechanism(info),
                            rdsys::rd_kafka_ScramCredentialInfo_iterations(info),
                        )
                    })
                    .collect();
                (user, Ok(infos))
            })
            .collect())
    }
}

/// AlterUserScramCredentials: the alterations in one request; one result per user.
pub(crate) fn alter_user_scram_credentials(
    client: ClientRef<'_>,
    alterations: &[Alteration<'_>],
    timeout: Duration,
) -> Result<Altered, AdminCallError> {
    if alterations.is_empty() {
        return Ok(Vec::new());
    }
    let owned = alterations
        .iter()
        .map(Alteration::make)
        .collect::<Result<Vec<_>, _>>()?;
    let mut ptrs: Vec<*mut rdsys::rd_kafka_UserScramCredentialAlteration_t> =
        owned.iter().map(|a| a.0.as_ptr()).collect();
    let event = call_admin(
        client,
        rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_ALTERUSERSCRAMCREDENTIALS,
        timeout,
        // SAFETY: client, options, queue and the alterations are alive for the call;
        // librdkafka copies the alterations.
        |r| unsafe {
            rdsys::rd_kafka_AlterUserScramCredentials(
                r.rk(),
                ptrs.as_mut_ptr(),
                ptrs.len(),
                r.options,
                r.queue,
            )
        },
    )?;
    // SAFETY: the result and its responses belong to `event`, alive here; `responses` has
    // `count` elements.
    unsafe {
        let result = rdsys::rd_kafka_event_AlterUserScramCredentials_result(event.ptr());
        if result.is_null() {
            return Err(bad_reply("AlterUserScramCredentials"));
        }
        let mut count = 0usize;
        let responses =
            rdsys::rd_kafka_AlterUserScramCredentials_result_responses(result, &mut count);
        Ok((0..count)
            .map(|i| {
                let r = *responses.add(i);
                let user = cstr(rdsys::rd_kafka_AlterUserScramCredentials_result_response_user(r));
                match read_error(rdsys::rd_kafka_AlterUserScramCredentials_result_response_error(r))
                {
                    Some(e) => (user, Err(e)),
                    None => (user, Ok(())),
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alterations_are_made_and_an_empty_password_is_refused() {
        let upsert = Alteration::Upsert {
            user: "dave",
            mechanism: Mechanism::RD_KAFKA_SCRAM_MECHANISM_SHA_256,
            iterations: 4096,
            password: b"pw",
        };
        assert!(upsert.make().is_ok());
        let delete = Alteration::Delete {
            user: "dave",
            mechanism: Mechanism::RD_KAFKA_SCRAM_MECHANISM_SHA_512,
        };
        assert!(delete.make().is_ok());
        let empty = Alteration::Upsert {
            user: "dave",
            mechanism: Mechanism::RD_KAFKA_SCRAM_MECHANISM_SHA_256,
            iterations: 4096,
            password: b"",
        };
        assert!(empty.make().is_err());
        let nul = Alteration::Delete {
            user: "a\0b",
            mechanism: Mechanism::RD_KAFKA_SCRAM_MECHANISM_SHA_256,
        };
        assert!(nul.make().is_err());
    }
}
