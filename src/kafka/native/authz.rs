//! What the principal may do, through librdkafka's C API where rust-rdkafka hides it: the
//! operations DescribeCluster says the principal may use on the cluster. (Topic configs with
//! each resource's own error are read by [`super::configs`].)

use std::time::Duration;

use rdkafka_sys as rdsys;

use super::admin::{bad_reply, call_admin, read_error, AdminCallError};
use super::{ClientRef, NativeError};

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
