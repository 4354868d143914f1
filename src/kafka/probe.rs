//! Low-level connection probes for `kctl doctor`: name resolution, TCP connect and a Kafka
//! ApiVersions handshake spoken directly, so each step of a connection can be checked and
//! explained on its own (librdkafka only reports the sum of them).

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

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

const API_VERSIONS: i16 = 18;
const METADATA: i16 = 3;
const CORRELATION_ID: i32 = 0x6b63_746c; // "kctl"

/// Sends an ApiVersions v0 request and reads the answer. Anything that is not a well-formed
/// Kafka answer (an HTTP server, a TLS listener, silence) is an error saying what came back.
pub async fn api_versions(stream: &mut TcpStream, limit: Duration) -> Result<Handshake, String> {
    let client_id = b"kctl-doctor";
    let mut request = Vec::with_capacity(32);
    let body_len = 2 + 2 + 4 + 2 + client_id.len();
    request.extend_from_slice(&(body_len as i32).to_be_bytes());
    request.extend_from_slice(&API_VERSIONS.to_be_bytes());
    request.extend_from_slice(&0i16.to_be_bytes());
    request.extend_from_slice(&CORRELATION_ID.to_be_bytes());
    request.extend_from_slice(&(client_id.len() as i16).to_be_bytes());
    request.extend_from_slice(client_id);

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

fn parse_api_versions(body: &[u8]) -> Option<Handshake> {
    let i32_at = |at: usize| Some(i32::from_be_bytes(body.get(at..at + 4)?.try_into().ok()?));
    let i16_at = |at: usize| Some(i16::from_be_bytes(body.get(at..at + 2)?.try_into().ok()?));
    if i32_at(0)? != CORRELATION_ID {
        return None;
    }
    let error = i16_at(4)?;
    if error != 0 && error != 35 {
        // 35 = UNSUPPORTED_VERSION: still a Kafka broker answering.
        return None;
    }
    let count = i32_at(6)?;
    if !(0..=10_000).contains(&count) {
        return None;
    }
    let mut metadata_max_version = None;
    for i in 0..count as usize {
        let at = 10 + i * 6;
        let key = i16_at(at)?;
        let max = i16_at(at + 4)?;
        if key == METADATA {
            metadata_max_version = Some(max);
        }
    }
    Some(Handshake {
        api_count: count as usize,
        metadata_max_version,
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

    #[test]
    fn explains_what_answered_instead() {
        assert!(not_kafka(b"HTTP").contains("HTTP server"));
        assert!(not_kafka(&[0x15, 3, 3, 0]).contains("TLS"));
    }
}
