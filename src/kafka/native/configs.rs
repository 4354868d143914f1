//! Configs through librdkafka's C API: DescribeConfigs (with each entry's source, flags and
//! synonyms, for topics and brokers) and
//! IncrementalAlterConfigs (set or delete single configs, leaving the others as they are;
//! rust-rdkafka has only the non-incremental AlterConfigs, which resets every config not
//! named).

use std::ffi::CString;
use std::os::raw::c_char;
use std::ptr::NonNull;
use std::time::Duration;

use rdkafka::types::RDKafkaRespErr;
use rdkafka_sys as rdsys;

use super::admin::{bad_reply, call_admin, read_error, AdminCallError};
use super::{cstr, ClientRef, NativeError};
use crate::kafka::configs::{ConfigEntry, ConfigOp, ConfigResource, ConfigSource, Synonym};

impl From<rdsys::rd_kafka_ConfigSource_t> for ConfigSource {
    fn from(source: rdsys::rd_kafka_ConfigSource_t) -> Self {
        use rdsys::rd_kafka_ConfigSource_t as S;
        match source {
            S::RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG => Self::DynamicTopic,
            S::RD_KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG => Self::DynamicBroker,
            S::RD_KAFKA_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG => Self::DynamicDefaultBroker,
            S::RD_KAFKA_CONFIG_SOURCE_STATIC_BROKER_CONFIG => Self::StaticBroker,
            S::RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG => Self::Default,
            S::RD_KAFKA_CONFIG_SOURCE_GROUP_CONFIG => Self::Group,
            _ => Self::Unknown,
        }
    }
}

/// A resource's answer: its configs, or why it has none.
pub(crate) type ResourceResult<T> = (ConfigResource, Result<T, NativeError>);

/// librdkafka's type and name of a resource: a broker by its id.
fn resource_type_and_name(resource: &ConfigResource) -> (rdsys::rd_kafka_ResourceType_t, String) {
    use rdsys::rd_kafka_ResourceType_t as T;
    match resource {
        ConfigResource::Topic(name) => (T::RD_KAFKA_RESOURCE_TOPIC, name.clone()),
        ConfigResource::Broker(id) => (T::RD_KAFKA_RESOURCE_BROKER, id.to_string()),
        // librdkafka refuses the empty name: `Kafka::describe_configs` sends it over kctl's
        // own connection instead, never here.
        ConfigResource::BrokerDefault => (T::RD_KAFKA_RESOURCE_BROKER, String::new()),
    }
}

/// Config resources of our own, destroyed when dropped (librdkafka copies what it is given).
struct Resources(Vec<NonNull<rdsys::rd_kafka_ConfigResource_t>>);

impl Resources {
    fn new(resources: &[ConfigResource]) -> Result<Resources, AdminCallError> {
        let mut out = Resources(Vec::with_capacity(resources.len()));
        for resource in resources {
            let (kind, name) = resource_type_and_name(resource);
            let name = CString::new(name).map_err(|_| bad_reply("a resource name with NUL"))?;
            // SAFETY: a plain constructor; librdkafka copies the name.
            let ptr = unsafe { rdsys::rd_kafka_ConfigResource_new(kind, name.as_ptr()) };
            out.0
                .push(NonNull::new(ptr).ok_or_else(|| bad_reply("a new config resource"))?);
        }
        Ok(out)
    }

    /// Adds an incremental operation to the `i`th resource.
    fn add_op(&self, i: usize, op: &ConfigOp) -> Result<(), AdminCallError> {
        use rdsys::rd_kafka_AlterConfigOpType_t as Op;
        let (name, op_type, value) = match op {
            ConfigOp::Set(name, value) => {
                (name, Op::RD_KAFKA_ALTER_CONFIG_OP_TYPE_SET, Some(value))
            }
            ConfigOp::Delete(name) => (name, Op::RD_KAFKA_ALTER_CONFIG_OP_TYPE_DELETE, None),
        };
        let nul = || bad_reply("a config with NUL");
        let name = CString::new(name.as_str()).map_err(|_| nul())?;
        let value = value
            .map(|v| CString::new(v.as_str()).map_err(|_| nul()))
            .transpose()?;
        let value_ptr = value.as_ref().map_or(std::ptr::null(), |v| v.as_ptr());
        // SAFETY: the resource is ours and alive; librdkafka copies name and value (a NULL
        // value is allowed for DELETE). A returned error is ours to destroy.
        unsafe {
            let err = rdsys::rd_kafka_ConfigResource_add_incremental_config(
                self.0[i].as_ptr(),
                name.as_ptr(),
                op_type,
                value_ptr,
            );
            if err.is_null() {
                return Ok(());
            }
            let read = read_error(err);
            rdsys::rd_kafka_error_destroy(err);
            match read {
                Some(e) => Err(AdminCallError::Failed(e)),
                None => Ok(()),
            }
        }
    }

    fn as_mut_ptrs(&self) -> Vec<*mut rdsys::rd_kafka_ConfigResource_t> {
        self.0.iter().map(|p| p.as_ptr()).collect()
    }
}

impl Drop for Resources {
    fn drop(&mut self) {
        for p in &self.0 {
            // SAFETY: made by rd_kafka_ConfigResource_new, destroyed once, here.
            unsafe { rdsys::rd_kafka_ConfigResource_destroy(p.as_ptr()) }
        }
    }
}

/// A result resource's error, if it has one.
///
/// # Safety
/// `res` must be a valid result resource that outlives the call.
unsafe fn resource_error(res: *const rdsys::rd_kafka_ConfigResource_t) -> Option<NativeError> {
    let code = rdsys::rd_kafka_ConfigResource_error(res);
    if code == RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR {
        return None;
    }
    let message = cstr(rdsys::rd_kafka_ConfigResource_error_string(res));
    Some(NativeError::from_code(
        code,
        (!message.is_empty()).then_some(message),
    ))
}

/// A string that may be NULL.
///
/// # Safety
/// As [`cstr`].
unsafe fn opt_cstr(p: *const c_char) -> Option<String> {
    (!p.is_null()).then(|| cstr(p))
}

/// One config entry with its synonyms.
///
/// # Safety
/// `e` must be a valid entry that outlives the call.
unsafe fn read_entry(e: *const rdsys::rd_kafka_ConfigEntry_t) -> ConfigEntry {
    let mut count = 0usize;
    let synonyms = rdsys::rd_kafka_ConfigEntry_synonyms(e, &mut count);
    let synonyms = if synonyms.is_null() {
        Vec::new()
    } else {
        (0..count)
            .map(|i| {
                let s = *synonyms.add(i);
                Synonym {
                    name: cstr(rdsys::rd_kafka_ConfigEntry_name(s)),
                    value: opt_cstr(rdsys::rd_kafka_ConfigEntry_value(s)),
                    source: rdsys::rd_kafka_ConfigEntry_source(s).into(),
                }
            })
            .collect()
    };
    ConfigEntry {
        name: cstr(rdsys::rd_kafka_ConfigEntry_name(e)),
        value: opt_cstr(rdsys::rd_kafka_ConfigEntry_value(e)),
        source: rdsys::rd_kafka_ConfigEntry_source(e).into(),
        read_only: rdsys::rd_kafka_ConfigEntry_is_read_only(e) != 0,
        sensitive: rdsys::rd_kafka_ConfigEntry_is_sensitive(e) != 0,
        synonyms,
    }
}

/// The resource a result resource is about, matched back to what was asked.
///
/// # Safety
/// `res` must be a valid result resource that outlives the call.
unsafe fn which(
    res: *const rdsys::rd_kafka_ConfigResource_t,
    asked: &[ConfigResource],
) -> Option<ConfigResource> {
    let kind = rdsys::rd_kafka_ConfigResource_type(res);
    let name = cstr(rdsys::rd_kafka_ConfigResource_name(res));
    asked
        .iter()
        .find(|r| resource_type_and_name(r) == (kind, name.clone()))
        .cloned()
}

/// DescribeConfigs for many resources at once; one result per resource, in the order asked.
pub(crate) fn describe_configs(
    client: ClientRef<'_>,
    resources: &[ConfigResource],
    timeout: Duration,
) -> Result<Vec<ResourceResult<Vec<ConfigEntry>>>, AdminCallError> {
    if resources.is_empty() {
        return Ok(Vec::new());
    }
    let owned = Resources::new(resources)?;
    let mut ptrs = owned.as_mut_ptrs();
    let event = call_admin(
        client,
        rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS,
        timeout,
        // SAFETY: client, resources, options and queue are alive for the call; librdkafka
        // copies the resources.
        |r| unsafe {
            rdsys::rd_kafka_DescribeConfigs(
                r.rk(),
                ptrs.as_mut_ptr(),
                ptrs.len(),
                r.options,
                r.queue,
            )
        },
    )?;
    let mut out = Vec::with_capacity(resources.len());
    // SAFETY: the result, its resources and their entries belong to `event`, alive here;
    // `list` has `count` elements, and each resource's `entries` `n`.
    unsafe {
        let result = rdsys::rd_kafka_event_DescribeConfigs_result(event.ptr());
        if result.is_null() {
            return Err(bad_reply("DescribeConfigs"));
        }
        let mut count = 0usize;
        let list = rdsys::rd_kafka_DescribeConfigs_result_resources(result, &mut count);
        for i in 0..count {
            let res = *list.add(i);
            let Some(resource) = which(res, resources) else {
                continue;
            };
            if let Some(err) = resource_error(res) {
                out.push((resource, Err(err)));
                continue;
            }
            let mut n = 0usize;
            let entries = rdsys::rd_kafka_ConfigResource_configs(res, &mut n);
            let entries = if entries.is_null() {
                Vec::new()
            } else {
                (0..n).map(|j| read_entry(*entries.add(j))).collect()
            };
            out.push((resource, Ok(entries)));
        }
    }
    sort_as_asked(&mut out, resources);
    Ok(out)
}

fn sort_as_asked<T>(results: &mut [ResourceResult<T>], asked: &[ConfigResource]) {
    results.sort_by_key(|(r, _)| asked.iter().position(|a| a == r));
}

/// Sets an admin request's validate-only option.
pub(super) fn set_validate_only(
    options: *mut rdsys::rd_kafka_AdminOptions_t,
    validate_only: bool,
) -> Result<(), NativeError> {
    let mut errbuf = [0 as c_char; 256];
    // SAFETY: the caller hands live options (those of a request being made); librdkafka
    // writes at most the buffer's size, NUL-terminated.
    let res = unsafe {
        rdsys::rd_kafka_AdminOptions_set_validate_only(
            options,
            i32::from(validate_only),
            errbuf.as_mut_ptr(),
            errbuf.len(),
        )
    };
    if res == RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR {
        Ok(())
    } else {
        // SAFETY: on error the buffer holds a NUL-terminated message.
        Err(NativeError::from_code(
            res,
            Some(unsafe { cstr(errbuf.as_ptr()) }),
        ))
    }
}

/// IncrementalAlterConfigs: applies each resource's operations (or, `validate_only`, has the
/// broker check them and change nothing). One result per resource, in the order given.
/// librdkafka sends a broker's resource to that broker, so give one broker per call.
pub(crate) fn incremental_alter_configs(
    client: ClientRef<'_>,
    changes: &[(ConfigResource, Vec<ConfigOp>)],
    validate_only: bool,
    timeout: Duration,
) -> Result<Vec<ResourceResult<()>>, AdminCallError> {
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    let resources: Vec<ConfigResource> = changes.iter().map(|(r, _)| r.clone()).collect();
    let owned = Resources::new(&resources)?;
    for (i, (_, ops)) in changes.iter().enumerate() {
        for op in ops {
            owned.add_op(i, op)?;
        }
    }
    let mut ptrs = owned.as_mut_ptrs();
    let mut setup_error = None;
    let event = call_admin(
        client,
        rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_INCREMENTALALTERCONFIGS,
        timeout,
        |r| {
            setup_error = set_validate_only(r.options, validate_only).err();
            // SAFETY: client, resources, options and queue are alive for the call, and
            // librdkafka copies the resources.
            unsafe {
                rdsys::rd_kafka_IncrementalAlterConfigs(
                    r.rk(),
                    ptrs.as_mut_ptr(),
                    ptrs.len(),
                    r.options,
                    r.queue,
                )
            }
        },
    )?;
    if let Some(err) = setup_error {
        return Err(AdminCallError::Failed(err));
    }
    let mut out = Vec::with_capacity(resources.len());
    // SAFETY: the result and its resources belong to `event`, alive here; `list` has
    // `count` elements.
    unsafe {
        let result = rdsys::rd_kafka_event_IncrementalAlterConfigs_result(event.ptr());
        if result.is_null() {
            return Err(bad_reply("IncrementalAlterConfigs"));
        }
        let mut count = 0usize;
        let list = rdsys::rd_kafka_IncrementalAlterConfigs_result_resources(result, &mut count);
        for i in 0..count {
            let res = *list.add(i);
            let Some(resource) = which(res, &resources) else {
                continue;
            };
            out.push((resource, resource_error(res).map_or(Ok(()), Err)));
        }
    }
    sort_as_asked(&mut out, &resources);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brokers_are_named_by_their_id() {
        use rdsys::rd_kafka_ResourceType_t as T;
        assert_eq!(
            resource_type_and_name(&ConfigResource::Broker(3)),
            (T::RD_KAFKA_RESOURCE_BROKER, "3".into())
        );
    }

    #[test]
    fn operations_are_added_to_resources() {
        let owned = Resources::new(&[ConfigResource::Topic("orders".into())]).unwrap();
        owned
            .add_op(0, &ConfigOp::Set("retention.ms".into(), "1000".into()))
            .unwrap();
        owned
            .add_op(0, &ConfigOp::Delete("cleanup.policy".into()))
            .unwrap();
        // SAFETY: the resource is alive; `configs` has `n` entries owned by it.
        let names: Vec<String> = unsafe {
            let mut n = 0usize;
            let configs = rdsys::rd_kafka_ConfigResource_configs(owned.0[0].as_ptr(), &mut n);
            (0..n)
                .map(|i| cstr(rdsys::rd_kafka_ConfigEntry_name(*configs.add(i))))
                .collect()
        };
        assert_eq!(names, ["retention.ms", "cleanup.policy"]);
    }
}
