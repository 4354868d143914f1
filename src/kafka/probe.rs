//! Low-level connection probes for `kctl doctor`: name resolution, TCP connect and a Kafka
//! ApiVersions handshake spoken directly, so each step of a connection can be checked and
//! explained on its own (librdkafka only reports the sum of them). The ApiVersions messages are
//! the `kafka-protocol` crate's, framed as kctl's own connections frame them (`wire/`).

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::messages::{ApiKey, ApiVersionsResponse};
use kafka_protocol::protocol::StrBytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::wire::api_versions::{self, Versions};
use super::wire::{encode_frame, read_answer};

/// Resolves `host:port` to socket addresses.
pub async fn resolve(address: &str, limit: Duration) -> Result<Vec<SocketAddr>, String> {
    match timeout(limit, tokio::net::lookup_host(address)).await {
        Err(_) => Err(format!(
            "name resolution did not answer within {}",
            crate::settings::format_duration(limit)
        )),
        Ok(Err(e)) => Err(e.to_string()),
        Ok(Ok(addrs)) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if addrs.is_empty() {
                Err("the name resolved to no address".into())
            } else {
                Ok(addrs)
            }
        }
    }
}

/// Opens a TCP connection.
pub async fn connect(addr: SocketAddr, limit: Duration) -> Result<TcpStream, String> {
    match timeout(limit, TcpStream::connect(addr)).await {
        Err(_) => Err(format!(
            "no answer within {} (a firewall, or nothing routes there)",
            crate::settings::format_duration(limit)
        )),
        Ok(Err(e)) => Err(e.to_string()),
        Ok(Ok(stream)) => Ok(stream),
    }
}

/// What an ApiVersions handshake found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// How many APIs the broker supports.
    pub api_count: usize,
    /// The highest Metadata request version it supports, if listed.
    pub metadata_max_version: Option<i16>,
}

const METADATA: i16 = ApiKey::Metadata as i16;
const CORRELATION_ID: i32 = 0x6b63_746c; // "kctl"

/// Sends an ApiVersions v0 request and reads the answer. Anything that is not a well-formed
/// Kafka answer (an HTTP server, a TLS listener, silence) is an error saying what came back.
pub async fn api_versions(stream: &mut TcpStream, limit: Duration) -> Result<Handshake, String> {
    let request = encode_frame(
        &api_versions::request(),
        api_versions::VERSION,
        CORRELATION_ID,
        &StrBytes::from_static_str("kctl-doctor"),
    )
    .map_err(|e| e.to_string())?;

    let exchange = async {
        stream
            .write_all(&request)
            .await
            .map_err(|e| format!("cannot send: {e}"))?;
        let mut len = [0u8; 4];
        read_exact_or_describe(stream, &mut len).await?;
        let size = i32::from_be_bytes(len);
        if !(6..=1 << 20).contains(&size) {
            return Err(not_kafka(&len));
        }
        let mut body = vec![0u8; size as usize];
        read_exact_or_describe(stream, &mut body).await?;
        parse_api_versions(&body).ok_or_else(|| not_kafka(&len))
    };
    match timeout(limit, exchange).await {
        Err(_) => Err(format!(
            "no Kafka answer within {} (is this a Kafka port? a TLS listener?)",
            crate::settings::format_duration(limit)
        )),
        Ok(result) => result,
    }
}

async fn read_exact_or_describe(stream: &mut TcpStream, buf: &mut [u8]) -> Result<(), String> {
    match stream.read_exact(buf).await {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(
            "the server closed the connection without a Kafka answer (not Kafka, or it expects TLS/SASL)"
                .to_string(),
        ),
        Err(e) => Err(format!("cannot read the answer: {e}")),
    }
}

fn not_kafka(first_bytes: &[u8]) -> String {
    let text: String = first_bytes
        .iter()
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        })
        .collect();
    if first_bytes.starts_with(b"HTTP") {
        "this is an HTTP server, not a Kafka broker".to_string()
    } else if first_bytes.first() == Some(&0x15) || first_bytes.first() == Some(&0x16) {
        "this port speaks TLS: connect with TLS settings".to_string()
    } else {
        format!("the answer is not Kafka (it starts with \"{text}\")")
    }
}

/// The handshake an answer tells of, if it is a Kafka broker's answer to our request (an
/// UNSUPPORTED_VERSION answer is one too).
fn parse_api_versions(body: &[u8]) -> Option<Handshake> {
    let mut body = Bytes::copy_from_slice(body);
    let answer: ApiVersionsResponse =
        read_answer(&mut body, CORRELATION_ID, api_versions::VERSION).ok()?;
    let versions = Versions::of(&answer)?;
    Some(Handshake {
        api_count: answer.api_keys.len(),
        metadata_max_version: versions.ranges.get(&METADATA).map(|(_, max)| *max),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_api_versions_answer() {
        let mut body = Vec::new();
        body.extend_from_slice(&CORRELATION_ID.to_be_bytes());
        body.extend_from_slice(&0i16.to_be_bytes());
        body.extend_from_slice(&2i32.to_be_bytes());
        for (key, min, max) in [(0i16, 0i16, 9i16), (3, 0, 12)] {
            body.extend_from_slice(&key.to_be_bytes());
            body.extend_from_slice(&min.to_be_bytes());
            body.extend_from_slice(&max.to_be_bytes());
        }
        assert_eq!(
            parse_api_versions(&body),
            Some(Handshake {
                api_count: 2,
                metadata_max_version: Some(12)
            })
        );
        assert_eq!(parse_api_versions(b"HTTP/1.1 400 Bad"), None);
    }

    /// The crate's request is the bytes the hand-written probe sent: ApiVersions v0, header v1.
    #[test]
    fn sends_api_versions_v0() {
        let frame = encode_frame(
            &api_versions::request(),
            api_versions::VERSION,
            CORRELATION_ID,
            &StrBytes::from_static_str("kctl-doctor"),
        )
        .unwrap();
        let mut expected = Vec::new();
        expected.extend_from_slice(&21i32.to_be_bytes());
        expected.extend_from_slice(&18i16.to_be_bytes());
        expected.extend_from_slice(&0i16.to_be_bytes());
        expected.extend_from_slice(&CORRELATION_ID.to_be_bytes());
        expected.extend_from_slice(&11i16.to_be_bytes());
        expected.extend_from_slice(b"kctl-doctor");
        assert_eq!(&frame[..], &expected[..]);
    }

    #[test]
    fn explains_what_answered_instead() {
        assert!(not_kafka(b"HTTP").contains("HTTP server"));
        assert!(not_kafka(&[0x15, 3, 3, 0]).contains("TLS"));
    }
}
