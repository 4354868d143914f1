//! The cluster through librdkafka's C API: DescribeCluster (cluster id, controller, brokers
//! with their racks), which rust-rdkafka does not wrap.

use std::time::Duration;

use rdkafka_sys as rdsys;

use super::admin::{bad_reply, call_admin, AdminCallError};
use super::{cstr, ClientRef};
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

/// DescribeCluster: the cluster's id, the controller it names and its brokers.
pub(crate) fn describe_cluster(
    client: ClientRef<'_>,
    timeout: Duration,
) -> Result<ClusterDescription, AdminCallError> {
    let event = call_admin(
        client,
        rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBECLUSTER,
        timeout,
        // SAFETY: client, options and queue are alive for the call.
        |r| unsafe { rdsys::rd_kafka_DescribeCluster(r.rk(), r.options, r.queue) },
    )?;
    // SAFETY: the result, its nodes and strings belong to `event`, alive here; `nodes` has
    // `count` elements.
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
        Ok(ClusterDescription {
            cluster_id: (!id.is_null()).then(|| cstr(id)).filter(|s| !s.is_empty()),
            controller: (!controller.is_null())
                .then(|| rdsys::rd_kafka_Node_id(controller))
                .filter(|id| *id >= 0),
            nodes,
        })
    }
}
