//! The cluster through librdkafka's C API: DescribeCluster (cluster id, controller, brokers
//! with their racks, what the caller may do on the cluster), which rust-rdkafka does not wrap, and CreatePartitions (rust-rdkafka's
//! drops the broker's reason for a refusal).

use std::ffi::CString;
use std::os::raw::c_char;
use std::ptr::NonNull;
use std::time::Duration;

use rdkafka::types::RDKafkaRespErr;
use rdkafka_sys as rdsys;

use super::admin::{bad_reply, call_admin, read_error, AdminCallError};
use super::configs::set_validate_only;
use super::{cstr, ClientRef, NativeError};
use crate::kafka::cluster::{ClusterDescription, Node};

/// A node of a DescribeCluster answer.
///
/// # Safety
/// `node` must be a valid node that outlives the call.
unsafe fn read_node(node: *const rdsys::rd_kafka_Node_t) -> Node {
    let rack = rdsys::rd_kafka_Node_rack(node);
    Node {
        id: rdsys::rd_kafka_Node_id(node),
        host: cstr(rdsys::rd_kafka_Node_host(node)),
        port: rdsys::rd_kafka_Node_port(node),
        rack: (!rack.is_null())
            .then(|| cstr(rack))
            .filter(|r| !r.is_empty()),
    }
}

/// What DescribeCluster answers.
pub(crate) struct DescribedCluster {
    pub cluster: ClusterDescription,
    /// The caller's operations on the cluster: only when asked for, and `None` when the broker
    /// did not say.
    pub authorized_operations: Option<Vec<rdsys::rd_kafka_AclOperation_t>>,
}

/// DescribeCluster: the cluster's id, the controller it names and its brokers, and with
/// `with_operations` what the caller may do on the cluster.
pub(crate) fn describe_cluster(
    client: ClientRef<'_>,
    with_operations: bool,
    timeout: Duration,
) -> Result<DescribedCluster, AdminCallError> {
    let mut refused = None;
    let event = call_admin(
        client,
        rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBECLUSTER,
        timeout,
        // SAFETY: client, options and queue are alive for the call; the error the option
        // setter returns is ours to read and destroy.
        |r| unsafe {
            if with_operations {
                let err =
                    rdsys::rd_kafka_AdminOptions_set_include_authorized_operations(r.options, 1);
                if !err.is_null() {
                    refused = read_error(err);
                    rdsys::rd_kafka_error_destroy(err);
                }
            }
            rdsys::rd_kafka_DescribeCluster(r.rk(), r.options, r.queue)
        },
    )?;
    if let Some(e) = refused {
        return Err(AdminCallError::Failed(e));
    }
    // SAFETY: the result, its nodes, operations and strings belong to `event`, alive here;
    // each array has the count librdkafka wrote.
    unsafe {
        let result = rdsys::rd_kafka_event_DescribeCluster_result(event.ptr());
        if result.is_null() {
            return Err(bad_reply("DescribeCluster"));
        }
        let id = rdsys::rd_kafka_DescribeCluster_result_cluster_id(result);
        let controller = rdsys::rd_kafka_DescribeCluster_result_controller(result);
        let mut count = 0usize;
        let nodes = rdsys::rd_kafka_DescribeCluster_result_nodes(result, &mut count);
        let nodes = if nodes.is_null() {
            Vec::new()
        } else {
            (0..count).map(|i| read_node(*nodes.add(i))).collect()
        };
        let mut count = 0usize;
        let ops = rdsys::rd_kafka_DescribeCluster_result_authorized_operations(result, &mut count);
        let authorized_operations = (with_operations && !ops.is_null()).then(|| {
            if count == 0 {
                Vec::new()
            } else {
                std::slice::from_raw_parts(ops, count).to_vec()
            }
        });
        let cluster = ClusterDescription {
            cluster_id: (!id.is_null()).then(|| cstr(id)).filter(|s| !s.is_empty()),
            controller: (!controller.is_null())
                .then(|| rdsys::rd_kafka_Node_id(controller))
                .filter(|id| *id >= 0),
            nodes,
        };
        Ok(DescribedCluster {
            cluster,
            authorized_operations,
        })
    }
}

/// Whether the principal may use every operation on the cluster, as DescribeCluster (with
/// its authorized operations) says: a super user may. `None` when the broker did not say.
pub(crate) fn may_do_everything_on_cluster(
    client: ClientRef<'_>,
    timeout: Duration,
) -> Result<Option<bool>, AdminCallError> {
    let described = describe_cluster(client, true, timeout)?;
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
    Ok(described.authorized_operations.map(|ops| {
        ops.contains(&Op::RD_KAFKA_ACL_OPERATION_ALL)
            || CLUSTER_OPERATIONS.iter().all(|op| ops.contains(op))
    }))
}

/// A CreatePartitions request's topic, destroyed when dropped.
struct NewPartitions(NonNull<rdsys::rd_kafka_NewPartitions_t>);

impl Drop for NewPartitions {
    fn drop(&mut self) {
        // SAFETY: made by rd_kafka_NewPartitions_new, destroyed once, here.
        unsafe { rdsys::rd_kafka_NewPartitions_destroy(self.0.as_ptr()) }
    }
}

/// CreatePartitions: grows `topic` to `count` partitions (`validate_only`: the broker only
/// checks that it could). `Ok(Err(..))` is the broker's refusal, with its reason.
pub(crate) fn create_partitions(
    client: ClientRef<'_>,
    topic: &str,
    count: usize,
    validate_only: bool,
    timeout: Duration,
) -> Result<Result<(), NativeError>, AdminCallError> {
    let name = CString::new(topic).map_err(|_| bad_reply("a topic name with NUL"))?;
    let mut errbuf = [0 as c_char; 256];
    // SAFETY: a plain constructor; librdkafka copies the name and writes at most the
    // buffer's size.
    let parts = unsafe {
        rdsys::rd_kafka_NewPartitions_new(name.as_ptr(), count, errbuf.as_mut_ptr(), errbuf.len())
    };
    let Some(parts) = NonNull::new(parts).map(NewPartitions) else {
        // SAFETY: on failure the buffer holds a NUL-terminated message.
        let message = unsafe { cstr(errbuf.as_ptr()) };
        return Err(AdminCallError::Failed(NativeError::from_code(
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__INVALID_ARG,
            Some(message),
        )));
    };
    let mut ptrs = [parts.0.as_ptr()];
    let mut setup_error = None;
    let event = call_admin(
        client,
        rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_CREATEPARTITIONS,
        timeout,
        |r| {
            setup_error = set_validate_only(r.options, validate_only).err();
            // SAFETY: client, request, options and queue are alive for the call; librdkafka
            // copies the request.
            unsafe {
                rdsys::rd_kafka_CreatePartitions(r.rk(), ptrs.as_mut_ptr(), 1, r.options, r.queue)
            }
        },
    )?;
    if let Some(err) = setup_error {
        return Err(AdminCallError::Failed(err));
    }
    // SAFETY: the result and its topics belong to `event`, alive here; `topics` has `count`
    // elements.
    unsafe {
        let result = rdsys::rd_kafka_event_CreatePartitions_result(event.ptr());
        if result.is_null() {
            return Err(bad_reply("CreatePartitions"));
        }
        let mut count = 0usize;
        let topics = rdsys::rd_kafka_CreatePartitions_result_topics(result, &mut count);
        if topics.is_null() || count == 0 {
            return Err(bad_reply("CreatePartitions"));
        }
        let t = *topics;
        let code = rdsys::rd_kafka_topic_result_error(t);
        if code == RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR {
            return Ok(Ok(()));
        }
        let message = cstr(rdsys::rd_kafka_topic_result_error_string(t));
        Ok(Err(NativeError::from_code(
            code,
            (!message.is_empty()).then_some(message),
        )))
    }
}
