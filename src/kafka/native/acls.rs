//! ACLs through librdkafka's C API: CreateAcls, DescribeAcls and DeleteAcls, with bindings
//! and filters as [`RawAcl`]s (librdkafka's own enums; `kafka/acls.rs` maps them to kctl's).

use std::ffi::CString;
use std::os::raw::c_char;
use std::ptr::{self, NonNull};
use std::time::Duration;

use rdkafka::error::RDKafkaErrorCode;
use rdkafka::types::RDKafkaRespErr;
use rdkafka_sys as rdsys;

use super::admin::{bad_reply, call_admin, read_error, AdminCallError};
use super::{cstr, ClientRef, NativeError};

pub(crate) use rdsys::rd_kafka_AclOperation_t as AclOperation;
pub(crate) use rdsys::rd_kafka_AclPermissionType_t as AclPermission;
pub(crate) use rdsys::rd_kafka_ResourcePatternType_t as PatternType;
pub(crate) use rdsys::rd_kafka_ResourceType_t as ResourceType;

/// An ACL binding, or a filter of them: `None` strings match anything (filters only), as do
/// the `ANY` values of the enums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawAcl {
    pub resource_type: ResourceType,
    pub name: Option<String>,
    pub pattern: PatternType,
    pub principal: Option<String>,
    pub host: Option<String>,
    pub operation: AclOperation,
    pub permission: AclPermission,
}

/// A binding or filter of our own, destroyed when dropped.
struct Binding(NonNull<rdsys::rd_kafka_AclBinding_t>);

impl Drop for Binding {
    fn drop(&mut self) {
        // SAFETY: made by rd_kafka_AclBinding_new or _AclBindingFilter_new, destroyed once, here.
        unsafe { rdsys::rd_kafka_AclBinding_destroy(self.0.as_ptr()) }
    }
}

fn c_string(s: &Option<String>) -> Result<Option<CString>, AdminCallError> {
    s.as_deref()
        .map(|s| CString::new(s).map_err(|_| invalid(format!("'{}' holds a NUL character", s))))
        .transpose()
}

fn invalid(message: String) -> AdminCallError {
    AdminCallError::Failed(NativeError::from_code(
        RDKafkaRespErr::RD_KAFKA_RESP_ERR__INVALID_ARG,
        Some(message),
    ))
}

fn c_ptr(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(ptr::null(), |s| s.as_ptr())
}

impl Binding {
    /// A binding (`filter` false: every field set) or a filter of `acl`; librdkafka checks it
    /// and says what is wrong.
    fn new(acl: &RawAcl, filter: bool) -> Result<Binding, AdminCallError> {
        let name = c_string(&acl.name)?;
        let principal = c_string(&acl.principal)?;
        let host = c_string(&acl.host)?;
        let mut errbuf = [0 as c_char; 512];
        let make = if filter {
            rdsys::rd_kafka_AclBindingFilter_new
        } else {
            rdsys::rd_kafka_AclBinding_new
        };
        // SAFETY: the strings are alive (or NULL) for the call, librdkafka copies them; it
        // writes at most the buffer's size into errbuf.
        let binding = unsafe {
            make(
                acl.resource_type,
                c_ptr(&name),
                acl.pattern,
                c_ptr(&principal),
                c_ptr(&host),
                acl.operation,
                acl.permission,
                errbuf.as_mut_ptr(),
                errbuf.len(),
            )
        };
        match NonNull::new(binding) {
            Some(b) => Ok(Binding(b)),
            // SAFETY: on failure errbuf holds a NUL-terminated message.
            None => Err(invalid(unsafe { cstr(errbuf.as_ptr()) })),
        }
    }
}

/// One binding of a result, read into a [`RawAcl`].
///
/// # Safety
/// `b` must be a valid binding that outlives the call.
unsafe fn read_binding(b: *const rdsys::rd_kafka_AclBinding_t) -> RawAcl {
    RawAcl {
        resource_type: rdsys::rd_kafka_AclBinding_restype(b),
        name: Some(cstr(rdsys::rd_kafka_AclBinding_name(b))),
        pattern: rdsys::rd_kafka_AclBinding_resource_pattern_type(b),
        principal: Some(cstr(rdsys::rd_kafka_AclBinding_principal(b))),
        host: Some(cstr(rdsys::rd_kafka_AclBinding_host(b))),
        operation: rdsys::rd_kafka_AclBinding_operation(b),
        permission: rdsys::rd_kafka_AclBinding_permission_type(b),
    }
}

/// CreateAcls for every binding at once; one result per binding, in order.
pub(crate) fn create_acls(
    client: ClientRef<'_>,
    acls: &[RawAcl],
    timeout: Duration,
) -> Result<Vec<Result<(), NativeError>>, AdminCallError> {
    if acls.is_empty() {
        return Ok(Vec::new());
    }
    let bindings = acls
        .iter()
        .map(|a| Binding::new(a, false))
        .collect::<Result<Vec<_>, _>>()?;
    let mut ptrs: Vec<*mut rdsys::rd_kafka_AclBinding_t> =
        bindings.iter().map(|b| b.0.as_ptr()).collect();
    let event = call_admin(
        client,
        rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_CREATEACLS,
        timeout,
        // SAFETY: client, options, queue and the bindings are alive for the call; librdkafka
        // copies the bindings.
        |r| unsafe {
            rdsys::rd_kafka_CreateAcls(r.rk(), ptrs.as_mut_ptr(), ptrs.len(), r.options, r.queue)
        },
    )?;
    // SAFETY: the result and its acl results belong to `event`, alive here; `results` has
    // `count` elements.
    unsafe {
        let result = rdsys::rd_kafka_event_CreateAcls_result(event.ptr());
        if result.is_null() {
            return Err(bad_reply("CreateAcls"));
        }
        let mut count = 0usize;
        let results = rdsys::rd_kafka_CreateAcls_result_acls(result, &mut count);
        if count != acls.len() {
            return Err(bad_reply("CreateAcls"));
        }
        Ok((0..count)
            .map(
                |i| match read_error(rdsys::rd_kafka_acl_result_error(*results.add(i))) {
                    Some(e) => Err(e),
                    None => Ok(()),
                },
            )
            .collect())
    }
}

/// DescribeAcls: the bindings matching one filter.
pub(crate) fn describe_acls(
    client: ClientRef<'_>,
    filter: &RawAcl,
    timeout: Duration,
) -> Result<Vec<RawAcl>, AdminCallError> {
    let filter = Binding::new(filter, true)?;
    let event = call_admin(
        client,
        rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBEACLS,
        timeout,
        // SAFETY: client, options, queue and the filter are alive for the call; librdkafka
        // copies the filter.
        |r| unsafe { rdsys::rd_kafka_DescribeAcls(r.rk(), filter.0.as_ptr(), r.options, r.queue) },
    )?;
    // SAFETY: the result and its bindings belong to `event`, alive here; `acls` has `count`
    // elements.
    unsafe {
        let result = rdsys::rd_kafka_event_DescribeAcls_result(event.ptr());
        if result.is_null() {
            return Err(bad_reply("DescribeAcls"));
        }
        let mut count = 0usize;
        let acls = rdsys::rd_kafka_DescribeAcls_result_acls(result, &mut count);
        Ok((0..count).map(|i| read_binding(*acls.add(i))).collect())
    }
}

/// DeleteAcls for several filters at once: per filter, the bindings it deleted or its error.
pub(crate) fn delete_acls(
    client: ClientRef<'_>,
    filters: &[RawAcl],
    timeout: Duration,
) -> Result<Vec<Result<Vec<RawAcl>, NativeError>>, AdminCallError> {
    if filters.is_empty() {
        return Ok(Vec::new());
    }
    let bindings = filters
        .iter()
        .map(|f| Binding::new(f, true))
        .collect::<Result<Vec<_>, _>>()?;
    let mut ptrs: Vec<*mut rdsys::rd_kafka_AclBinding_t> =
        bindings.iter().map(|b| b.0.as_ptr()).collect();
    let event = call_admin(
        client,
        rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DELETEACLS,
        timeout,
        // SAFETY: client, options, queue and the filters are alive for the call; librdkafka
        // copies the filters.
        |r| unsafe {
            rdsys::rd_kafka_DeleteAcls(r.rk(), ptrs.as_mut_ptr(), ptrs.len(), r.options, r.queue)
        },
    )?;
    // SAFETY: the result, its responses and their bindings belong to `event`, alive here;
    // each array has the count librdkafka wrote.
    unsafe {
        let result = rdsys::rd_kafka_event_DeleteAcls_result(event.ptr());
        if result.is_null() {
            return Err(bad_reply("DeleteAcls"));
        }
        let mut count = 0usize;
        let responses = rdsys::rd_kafka_DeleteAcls_result_responses(result, &mut count);
        if count != filters.len() {
            return Err(bad_reply("DeleteAcls"));
        }
        Ok((0..count)
            .map(|i| {
                let response = *responses.add(i);
                if let Some(e) =
                    read_error(rdsys::rd_kafka_DeleteAcls_result_response_error(response))
                {
                    return Err(e);
                }
                let mut n = 0usize;
                let acls =
                    rdsys::rd_kafka_DeleteAcls_result_response_matching_acls(response, &mut n);
                Ok((0..n).map(|j| read_binding(*acls.add(j))).collect())
            })
            .collect())
    }
}

/// What DescribeCluster says about the caller's rights: the operations it may do on the
/// cluster (`None` when the broker did not say) and the ids of the brokers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClusterRights {
    pub operations: Option<Vec<AclOperation>>,
    pub brokers: Vec<i32>,
}

impl ClusterRights {
    /// Whether the caller may describe the cluster (Describe, or Alter or All, which imply
    /// it); `true` when the broker did not say.
    pub fn may_describe(&self) -> bool {
        self.operations.as_ref().is_none_or(|ops| {
            ops.iter().any(|op| {
                matches!(
                    op,
                    AclOperation::RD_KAFKA_ACL_OPERATION_DESCRIBE
                        | AclOperation::RD_KAFKA_ACL_OPERATION_ALTER
                        | AclOperation::RD_KAFKA_ACL_OPERATION_ALL
                )
            })
        })
    }
}

/// DescribeCluster with the caller's authorized operations. librdkafka 2.12 drops
/// DescribeAcls' request-level error (a refusal, or no authorizer at all), so an empty list
/// needs this to tell those apart from no ACLs.
pub(crate) fn cluster_rights(
    client: ClientRef<'_>,
    timeout: Duration,
) -> Result<ClusterRights, AdminCallError> {
    match super::cluster::describe_cluster(client, true, timeout) {
        Ok(described) => Ok(ClusterRights {
            operations: described.authorized_operations,
            brokers: described.cluster.nodes.iter().map(|n| n.id).collect(),
        }),
        // A broker before Kafka 2.8 has no DescribeCluster: its rights are not known.
        Err(AdminCallError::Failed(e)) if e.code == RDKafkaErrorCode::UnsupportedFeature => {
            Ok(ClusterRights {
                operations: None,
                brokers: Vec::new(),
            })
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acl() -> RawAcl {
        RawAcl {
            resource_type: ResourceType::RD_KAFKA_RESOURCE_TOPIC,
            name: Some("orders".into()),
            pattern: PatternType::RD_KAFKA_RESOURCE_PATTERN_LITERAL,
            principal: Some("User:alice".into()),
            host: Some("*".into()),
            operation: AclOperation::RD_KAFKA_ACL_OPERATION_READ,
            permission: AclPermission::RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW,
        }
    }

    #[test]
    fn describe_is_implied_by_alter_and_all_and_unknown_rights_allow() {
        let rights = |ops: Option<Vec<AclOperation>>| ClusterRights {
            operations: ops,
            brokers: vec![],
        };
        assert!(rights(None).may_describe());
        assert!(!rights(Some(vec![])).may_describe());
        assert!(!rights(Some(vec![AclOperation::RD_KAFKA_ACL_OPERATION_CREATE])).may_describe());
        for op in [
            AclOperation::RD_KAFKA_ACL_OPERATION_DESCRIBE,
            AclOperation::RD_KAFKA_ACL_OPERATION_ALTER,
            AclOperation::RD_KAFKA_ACL_OPERATION_ALL,
        ] {
            assert!(rights(Some(vec![op])).may_describe(), "{op:?}");
        }
    }

    #[test]
    fn librdkafka_checks_bindings_and_filters() {
        assert!(Binding::new(&acl(), false).is_ok());
        let filter = RawAcl {
            name: None,
            principal: None,
            host: None,
            pattern: PatternType::RD_KAFKA_RESOURCE_PATTERN_MATCH,
            operation: AclOperation::RD_KAFKA_ACL_OPERATION_ANY,
            ..acl()
        };
        assert!(Binding::new(&filter, true).is_ok());
        // A binding names everything.
        let Err(AdminCallError::Failed(e)) = Binding::new(&filter, false) else {
            panic!("a binding without a name was accepted");
        };
        assert!(!e.message.is_empty(), "{e:?}");
        let nul = RawAcl {
            name: Some("a\0b".into()),
            ..acl()
        };
        assert!(Binding::new(&nul, false).is_err());
    }
}
