//! One blocking connection to one broker: TCP (and TLS), Kafka's size-prefixed frames,
//! request headers and correlation ids, and the deadline every read and write is bounded by.
//! It runs on tokio's blocking pool, never on the runtime's threads.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::{
    AlterClientQuotasRequest, AlterClientQuotasResponse, AlterPartitionReassignmentsRequest,
    AlterPartitionReassignmentsResponse, ApiKey, ApiVersionsRequest, ApiVersionsResponse,
    DescribeClientQuotasRequest, DescribeClientQuotasResponse, DescribeClusterRequest,
    DescribeClusterResponse, DescribeConfigsRequest, DescribeConfigsResponse,
    DescribeLogDirsRequest, DescribeLogDirsResponse, DescribeProducersRequest,
    DescribeProducersResponse, DescribeQuorumRequest, DescribeQuorumResponse,
    DescribeTransactionsRequest, DescribeTransactionsResponse, ElectLeadersRequest,
    ElectLeadersResponse, FindCoordinatorRequest, FindCoordinatorResponse,
    IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse,
    ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse, ListTransactionsRequest,
    ListTransactionsResponse, MetadataRequest, MetadataResponse, RequestHeader, ResponseHeader,
    SaslAuthenticateRequest, SaslAuthenticateResponse, SaslHandshakeRequest, SaslHandshakeResponse,
    WriteTxnMarkersRequest, WriteTxnMarkersResponse,
};
use kafka_protocol::messages::{
    AlterShareGroupOffsetsRequest, AlterShareGroupOffsetsResponse, ConsumerGroupDescribeRequest,
    ConsumerGroupDescribeResponse, DeleteShareGroupOffsetsRequest, DeleteShareGroupOffsetsResponse,
    ListGroupsRequest, ListGroupsResponse, ShareGroupDescribeRequest, ShareGroupDescribeResponse,
};
use kafka_protocol::protocol::{
    encode_request_header_into_buffer, Decodable, Encodable, HeaderVersion, Message, StrBytes,
};

use super::api_versions::{self, Versions};
use super::settings::WireSettings;
use super::{sasl, tls, WireError, WireResult};
use crate::settings::format_duration;

/// The largest answer kctl reads (a DescribeLogDirs answer of a broker with many partitions
/// is some MB; librdkafka's `receive.message.max.bytes` is 100 MB).
const MAX_FRAME: usize = 100 * 1024 * 1024;

/// A request kctl sends, its API key and its answer's type (the crate's own `Request` trait
/// also wants requests decodable, which only its broker side is).
pub(in crate::kafka) trait Call: Encodable {
    const KEY: ApiKey;
    type Answer: Decodable + HeaderVersion;
}

macro_rules! calls {
    ($($request:ty => $key:ident, $answer:ty;)*) => {$(
        impl Call for $request {
            const KEY: ApiKey = ApiKey::$key;
            type Answer = $answer;
        }
    )*};
}

calls! {
    ApiVersionsRequest => ApiVersions, ApiVersionsResponse;
    SaslHandshakeRequest => SaslHandshake, SaslHandshakeResponse;
    SaslAuthenticateRequest => SaslAuthenticate, SaslAuthenticateResponse;
    DescribeLogDirsRequest => DescribeLogDirs, DescribeLogDirsResponse;
    DescribeConfigsRequest => DescribeConfigs, DescribeConfigsResponse;
    IncrementalAlterConfigsRequest => IncrementalAlterConfigs, IncrementalAlterConfigsResponse;
    FindCoordinatorRequest => FindCoordinator, FindCoordinatorResponse;
    MetadataRequest => Metadata, MetadataResponse;
    DescribeClusterRequest => DescribeCluster, DescribeClusterResponse;
    ListTransactionsRequest => ListTransactions, ListTransactionsResponse;
    DescribeTransactionsRequest => DescribeTransactions, DescribeTransactionsResponse;
    DescribeProducersRequest => DescribeProducers, DescribeProducersResponse;
    WriteTxnMarkersRequest => WriteTxnMarkers, WriteTxnMarkersResponse;
    DescribeQuorumRequest => DescribeQuorum, DescribeQuorumResponse;
    DescribeClientQuotasRequest => DescribeClientQuotas, DescribeClientQuotasResponse;
    AlterClientQuotasRequest => AlterClientQuotas, AlterClientQuotasResponse;
    ElectLeadersRequest => ElectLeaders, ElectLeadersResponse;
    AlterPartitionReassignmentsRequest => AlterPartitionReassignments, AlterPartitionReassignmentsResponse;
    ListPartitionReassignmentsRequest => ListPartitionReassignments, ListPartitionReassignmentsResponse;
    ListGroupsRequest => ListGroups, ListGroupsResponse;
    ShareGroupDescribeRequest => ShareGroupDescribe, ShareGroupDescribeResponse;
    ConsumerGroupDescribeRequest => ConsumerGroupDescribe, ConsumerGroupDescribeResponse;
    AlterShareGroupOffsetsRequest => AlterShareGroupOffsets, AlterShareGroupOffsetsResponse;
    DeleteShareGroupOffsetsRequest => DeleteShareGroupOffsets, DeleteShareGroupOffsetsResponse;
}

/// A byte stream to a broker: TCP, or TLS over TCP.
pub(super) trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

/// A connection, ready for requests: TLS done, versions known, logged in.
pub(super) struct Connection {
    stream: Box<dyn Stream>,
    /// The TCP socket under `stream`, to bound each read and write by what is left.
    tcp: TcpStream,
    client_id: StrBytes,
    next_correlation: i32,
    deadline: Instant,
    limit: Duration,
    /// What the broker supports, from its ApiVersions answer.
    pub versions: Versions,
}

impl Connection {
    /// Connects to `address` (`host:port`) as `settings` say, all within the settings' timeout.
    pub fn open(address: &str, settings: &WireSettings) -> WireResult<Connection> {
        let limit = settings.timeout;
        let deadline = Instant::now() + limit;
        let tcp = connect_tcp(address, deadline, limit)?;
        let socket = tcp
            .try_clone()
            .map_err(|e| WireError::Connect(e.to_string()))?;
        let host = address.rsplit_once(':').map_or(address, |(h, _)| h);
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let stream: Box<dyn Stream> = match &settings.tls {
            Some(t) => Box::new(tls::wrap(tcp, host, t)?),
            None => Box::new(tcp),
        };
        let mut conn = Connection {
            stream,
            tcp: socket,
            client_id: StrBytes::from_string(settings.client_id.clone()),
            next_correlation: 1,
            deadline,
            limit,
            versions: Versions::default(),
        };
        conn.versions = api_versions::exchange(&mut conn)?;
        if let Some(login) = &settings.sasl {
            sasl::authenticate(&mut conn, login)?;
        }
        Ok(conn)
    }

    /// The highest version of `R` both sides know, or why there is none (`name`: the
    /// request's name, "DescribeProducers").
    pub fn version<R: Call + Message>(&self, name: &str) -> WireResult<i16> {
        self.versions
            .pick::<R>(R::KEY as i16)
            .ok_or_else(|| WireError::UnsupportedApi(format!("the broker does not support {name}")))
    }

    /// Sends `request` at `version` and reads its answer.
    pub fn call<R: Call>(&mut self, request: &R, version: i16) -> WireResult<R::Answer> {
        let correlation = self.send(request, version)?;
        self.receive::<R>(correlation, version)
    }

    /// Sends `request` at `version` without waiting for its answer: its correlation id, for
    /// [`Connection::receive`]. A broker answers a connection's requests in the order sent.
    pub fn send<R: Call>(&mut self, request: &R, version: i16) -> WireResult<i32> {
        let correlation = self.next_correlation;
        self.next_correlation += 1;
        let frame = encode_frame(request, version, correlation, &self.client_id)?;
        self.bound_socket()?;
        self.write(&frame)?;
        Ok(correlation)
    }

    /// Reads the answer to the request sent as `correlation` (the next one due).
    pub fn receive<R: Call>(&mut self, correlation: i32, version: i16) -> WireResult<R::Answer> {
        self.bound_socket()?;
        let mut body = self.read_frame()?;
        read_answer::<R::Answer>(&mut body, correlation, version)
    }

    /// Bounds the socket's reads and writes by what is left of the deadline.
    fn bound_socket(&self) -> WireResult<()> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(WireError::Timeout(format!(
                "no answer within {}",
                format_duration(self.limit)
            )));
        }
        self.tcp
            .set_read_timeout(Some(left))
            .and_then(|()| self.tcp.set_write_timeout(Some(left)))
            .map_err(|e| WireError::Protocol(e.to_string()))
    }

    fn write(&mut self, bytes: &[u8]) -> WireResult<()> {
        self.stream
            .write_all(bytes)
            .and_then(|()| self.stream.flush())
            .map_err(|e| self.io_error("cannot send the request", e))
    }

    fn read_frame(&mut self) -> WireResult<Bytes> {
        let mut len = [0u8; 4];
        self.read_exact(&mut len)?;
        let size = i32::from_be_bytes(len);
        if size < 4 || size as usize > MAX_FRAME {
            return Err(WireError::Protocol(format!(
                "the broker's answer is not a Kafka frame (size {size})"
            )));
        }
        let mut body = vec![0u8; size as usize];
        self.read_exact(&mut body)?;
        Ok(Bytes::from(body))
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> WireResult<()> {
        self.stream
            .read_exact(buf)
            .map_err(|e| self.io_error("cannot read the answer", e))
    }

    fn io_error(&self, what: &str, e: std::io::Error) -> WireError {
        use std::io::ErrorKind as K;
        match e.kind() {
            K::WouldBlock | K::TimedOut => {
                WireError::Timeout(format!("no answer within {}", format_duration(self.limit)))
            }
            K::UnexpectedEof | K::ConnectionReset | K::BrokenPipe => WireError::Protocol(
                "the broker closed the connection (it refuses kctl's login or request)".to_string(),
            ),
            _ => WireError::Protocol(format!("{what}: {e}")),
        }
    }
}

/// Connects to `address` and sends the request `make` builds for the highest version both
/// sides know (`name`: the request's name, for the error when there is none).
pub(super) fn exchange<R: Call + Message>(
    address: &str,
    settings: &WireSettings,
    name: &str,
    make: impl FnOnce(i16) -> R,
) -> WireResult<(i16, R::Answer)> {
    let mut conn = Connection::open(address, settings)?;
    let version = conn.version::<R>(name)?;
    let answer = conn.call(&make(version), version)?;
    Ok((version, answer))
}

/// A request as it goes on the wire: size, header, body.
pub(in crate::kafka) fn encode_frame<R: Call>(
    request: &R,
    version: i16,
    correlation: i32,
    client_id: &StrBytes,
) -> WireResult<BytesMut> {
    let header = RequestHeader::default()
        .with_request_api_key(R::KEY as i16)
        .with_request_api_version(version)
        .with_correlation_id(correlation)
        .with_client_id(Some(client_id.clone()));
    let mut frame = BytesMut::new();
    frame.extend_from_slice(&[0; 4]);
    encode_request_header_into_buffer(&mut frame, &header).map_err(encode_error)?;
    request.encode(&mut frame, version).map_err(encode_error)?;
    let size = (frame.len() - 4) as i32;
    frame[..4].copy_from_slice(&size.to_be_bytes());
    Ok(frame)
}

/// Reads a response: its header (the correlation id must be ours), then its body.
pub(in crate::kafka) fn read_answer<T: Decodable + HeaderVersion>(
    body: &mut Bytes,
    correlation: i32,
    version: i16,
) -> WireResult<T> {
    let header = ResponseHeader::decode(body, T::header_version(version)).map_err(decode_error)?;
    if header.correlation_id != correlation {
        return Err(WireError::Protocol(format!(
            "the broker answered request {} to request {correlation}",
            header.correlation_id
        )));
    }
    T::decode(body, version).map_err(decode_error)
}

fn connect_tcp(address: &str, deadline: Instant, limit: Duration) -> WireResult<TcpStream> {
    let addrs: Vec<_> = address
        .to_socket_addrs()
        .map_err(|e| WireError::Connect(format!("cannot resolve {address}: {e}")))?
        .collect();
    let mut last = None;
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(stream) => {
                // The deadline bounds every read and write after this too.
                let _ = stream.set_nodelay(true);
                stream
                    .set_read_timeout(Some(left))
                    .and_then(|()| stream.set_write_timeout(Some(left)))
                    .map_err(|e| WireError::Connect(e.to_string()))?;
                return Ok(stream);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) if e.kind() == std::io::ErrorKind::TimedOut => WireError::Timeout(format!(
            "cannot connect to {address} within {}",
            format_duration(limit)
        )),
        Some(e) => WireError::Connect(format!("cannot connect to {address}: {e}")),
        None => WireError::Connect(format!("{address} resolved to no address")),
    })
}

fn encode_error(e: impl std::fmt::Display) -> WireError {
    WireError::Protocol(format!("cannot encode the request: {e}"))
}

fn decode_error(e: impl std::fmt::Display) -> WireError {
    WireError::Protocol(format!("the broker's answer cannot be read: {e}"))
}
