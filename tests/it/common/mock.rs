//! librdkafka's in-process mock cluster, for tests that need several brokers or faults.
//!
//! rust-rdkafka's `MockCluster` wraps most of the mock API; this adds the few calls it lacks
//! (changing a broker's advertised address), through rdkafka-sys.

use rdkafka::config::ClientConfig;
use rdkafka::producer::{BaseProducer, Producer};

/// A mock cluster owned by a client of its own; dropped with it.
pub struct Cluster {
    client: BaseProducer,
    brokers: Vec<String>,
}

impl Cluster {
    pub fn new(brokers: i32) -> Cluster {
        let client: BaseProducer = ClientConfig::new()
            .set("test.mock.num.brokers", brokers.to_string())
            .create()
            .expect("mock cluster");
        let bootstrap = client
            .client()
            .mock_cluster()
            .expect("the client has a mock cluster")
            .bootstrap_servers();
        Cluster {
            brokers: bootstrap.split(',').map(str::to_string).collect(),
            client,
        }
    }

    /// The cluster as rust-rdkafka wraps it.
    pub fn mock(
        &self,
    ) -> rdkafka::mocking::MockCluster<'_, rdkafka::producer::DefaultProducerContext> {
        self.client.client().mock_cluster().expect("mock cluster")
    }

    pub fn bootstrap(&self) -> String {
        self.brokers.join(",")
    }

    /// The listening address of broker `id` (ids start at 1).
    pub fn broker_address(&self, id: i32) -> String {
        self.brokers[(id - 1) as usize].clone()
    }

    /// Makes broker `id` answer its next requests of `api` with these errors, each answer
    /// held back for its delay (on top of the broker's round-trip time). Unlike
    /// `mock().request_errors`, which any broker's next requests take.
    pub fn broker_request_errors(
        &self,
        id: i32,
        api: rdkafka::types::RDKafkaApiKey,
        errors: &[(rdkafka::types::RDKafkaRespErr, std::time::Duration)],
    ) {
        unsafe {
            let mc = rdkafka_sys::rd_kafka_handle_mock_cluster(self.client.client().native_ptr());
            assert!(!mc.is_null());
            // The C function is variadic (count, then error and delay pairs): one call per error
            // appends to the broker's error stack.
            for (err, rtt) in errors {
                let result = rdkafka_sys::rd_kafka_mock_broker_push_request_error_rtts(
                    mc,
                    id,
                    api as i16,
                    1,
                    *err as std::os::raw::c_int,
                    rtt.as_millis() as std::os::raw::c_int,
                );
                assert_eq!(
                    result,
                    rdkafka::types::RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR
                );
            }
        }
    }

    /// Makes broker `id` advertise `host:port` in metadata (it keeps listening where it was).
    pub fn advertise(&self, id: i32, host: &str, port: u16) {
        let host = std::ffi::CString::new(host).unwrap();
        unsafe {
            let mc = rdkafka_sys::rd_kafka_handle_mock_cluster(self.client.client().native_ptr());
            assert!(!mc.is_null());
            rdkafka_sys::rd_kafka_mock_broker_set_host_port(mc, id, host.as_ptr(), port as i32);
        }
    }
}
