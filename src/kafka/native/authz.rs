//! What the principal may see, through librdkafka's C API where rust-rdkafka hides it: topic
//! configs with each resource's own error (rust-rdkafka drops a refused resource's error and
//! hands out no entries), and the operations DescribeCluster says the principal may use on
//! the cluster.

use std::ffi::CString;
use std::ptr::NonNull;
use std::time::Duration;

use rdkafka::types::RDKafkaRespErr;
use rdkafka_sys as rdsys;

use super::admin::{bad_reply, call_admin, read_error, AdminCallError};
use super::{cstr, ClientRef, NativeError};

/// One config entry of a topic.
#[derive(Debug, Clone)]
pub(crate) struct RawConfigEntry {
    pub name: String,
    pub value: Option<String>,
    /// Set on the topic itself (a dynamic topic config), not a default.
    pub topic_override: bool,
    pub sensitive: bool,
}

/// A topic's configs, or the broker's refusal to show them.
#[derive(Debug, Clone)]
pub(crate) struct TopicConfigs {
    pub topic: String,
    pub result: Result<Vec<RawConfigEntry>, NativeError>,
}

/// A config resource of our own, destroyed when dropped.
struct Resource(NonNull<rdsys::rd_kafka_ConfigResource_t>);

impl Drop for Resource {
    fn drop(&mut self) {
        // SAFETY: made by rd_kafka_ConfigResource_new, destroyed once, here.
        unsafe { rdsys::rd_kafka_ConfigResource_destroy(self.0.as_ptr()) }
    }
}

/// DescribeConfigs for topics (one request), each topic with its own result.
pub(crate) fn describe_topic_configs(
    client: ClientRef<'_>,
    topics: &[String],
    timeout: Duration,
) -> Result<Vec<TopicConfigs>, AdminCallError> {
    if topics.is_empty() {
        return Ok(Vec::new());
    }
    let mut resources = Vec::with_capacity(topics.len());
    for topic in topics {
        let name = CString::new(topic.as_str()).map_err(|_| bad_reply("a topic name"))?;
        // SAFETY: a plain constructor; librdkafka copies the name.
        let raw = unsafe {
            rdsys::rd_kafka_ConfigResource_new(
                rdsys::rd_kafka_ResourceType_t::RD_KAFKA_RESOURCE_TOPIC,
                name.as_ptr(),
            )
        };
        resources.push(Resource(
            NonNull::new(raw).ok_or_else(|| bad_reply("ConfigResource"))?,
        ));
    }
    let mut ptrs: Vec<*mut rdsys::rd_kafka_ConfigResource_t> =
        resources.iter().map(|r| r.0.as_ptr()).collect();
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
    let mut out = Vec::with_capacity(topics.len());
    // SAFETY: the result and all read from it belong to `event`, alive here; the arrays have
    // the counts librdkafka gives.
    unsafe {
        let result = rdsys::rd_kafka_event_DescribeConfigs_result(event.ptr());
        if result.is_null() {
            return Err(bad_reply("DescribeConfigs"));
        }
        let mut count = 0usize;
        let items = rdsys::rd_kafka_DescribeConfigs_result_resources(result, &mut count);
        for i in 0..count {
            let resource = *items.add(i);
            let topic = cstr(rdsys::rd_kafka_ConfigResource_name(resource));
            let code = rdsys::rd_kafka_ConfigResource_error(resource);
            let result = if code == RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR {
                Ok(read_entries(resource))
            } else {
                let message = rdsys::rd_kafka_ConfigResource_error_string(resource);
                let message = (!message.is_null()).then(|| cstr(message));
                Err(NativeError::from_code(code, message))
            };
            out.push(TopicConfigs { topic, result });
        }
    }
    Ok(out)
}

/// The entries of a described config resource.
///
/// # Safety
/// `resource` must be valid (it belongs to a result event that outlives the call).
unsafe fn read_entries(resource: *const rdsys::rd_kafka_ConfigResource_t) -> Vec<RawConfigEntry> {
    let mut count = 0usize;
    let entries = rdsys::rd_kafka_ConfigResource_configs(resource, &mut count);
    (0..count)
        .map(|j| {
            let entry = *entries.add(j);
            let value = rdsys::rd_kafka_ConfigEntry_value(entry);
            RawConfigEntry {
                name: cstr(rdsys::rd_kafka_ConfigEntry_name(entry)),
                value: (!value.is_null()).then(|| cstr(value)),
                topic_override: rdsys::rd_kafka_ConfigEntry_source(entry)
                    == rdsys::rd_kafka_ConfigSource_t::RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG,
                sensitive: rdsys::rd_kafka_ConfigEntry_is_sensitive(entry) != 0,
            }
        })
        .collect()
}

/// Whether the principal may use every operation on the cluster, as DescribeCluster (with
/// its authorized operations) says: a super user may. `None` when the broker did not say.
pub(crate) fn may_do_everything_on_cluster(
    client: ClientRef<'_>,
    timeout: Duration,
) -> Result<Option<bool>, AdminCallError> {
    let mut refused: Option<NativeError> = None;
    let event = call_admin(
        client,
        rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBECLUSTER,
        timeout,
        // SAFETY: client, options and queue are alive for the call; the error the option
        // setter returns is ours to read and destroy.
        |r| unsafe {
            let err = rdsys::rd_kafka_AdminOptions_set_include_authorized_operations(r.options, 1);
            if !err.is_null() {
                refused = read_error(err);
                rdsys::rd_kafka_error_destroy(err);
            }
            rdsys::rd_kafka_DescribeCluster(r.rk(), r.options, r.queue)
        },
    )?;
    if let Some(e) = refused {
        return Err(AdminCallError::Failed(e));
    }
    use rdsys::rd_kafka_AclOperation_t as Op;
    // Kafka's operations on the cluster resource that librdkafka names.
    const CLUSTER_OPERATIONS: [Op; 7] = [
        Op::RD_KAFKA_ACL_OPERATION_ALTER,
        Op::RD_KAFKA_ACL_OPERATION_ALTER_CONFIGS,
        Op::RD_KAFKA_ACL_OPERATION_CLUSTER_ACTION,
        Op::RD_KAFKA_ACL_OPERATION_CREATE,
        Op::RD_KAFKA_ACL_OPERATION_DESCRIBE,
        Op::RD_KAFKA_ACL_OPERATION_DESCRIBE_CONFIGS,
        Op::RD_KAFKA_ACL_OPERATION_IDEMPOTENT_WRITE,
    ];
    // SAFETY: the result belongs to `event`, alive here; the array has `count` elements.
    unsafe {
        let result = rdsys::rd_kafka_event_DescribeCluster_result(event.ptr());
        if result.is_null() {
            return Err(bad_reply("DescribeCluster"));
        }
        let mut count = 0usize;
        let ops = rdsys::rd_kafka_DescribeCluster_result_authorized_operations(result, &mut count);
        if ops.is_null() {
            return Ok(None);
        }
        let ops = std::slice::from_raw_parts(ops, count);
        Ok(Some(
            ops.contains(&Op::RD_KAFKA_ACL_OPERATION_ALL)
                || CLUSTER_OPERATIONS.iter().all(|op| ops.contains(op)),
        ))
    }
}
