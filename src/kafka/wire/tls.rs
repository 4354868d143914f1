//! TLS with OpenSSL (the library librdkafka links too), configured as librdkafka configures
//! it: the CA file or directory (else the system's), a client certificate and key for mutual
//! TLS, certificate verification and host name verification each on unless turned off.

use std::net::TcpStream;

use openssl::pkey::PKey;
use openssl::ssl::{HandshakeError, SslConnector, SslMethod, SslStream, SslVerifyMode};
use openssl::x509::X509;

use super::settings::TlsSettings;
use super::{WireError, WireResult};

/// `tcp` with a TLS session to `host` on it.
pub(super) fn wrap(
    tcp: TcpStream,
    host: &str,
    settings: &TlsSettings,
) -> WireResult<SslStream<TcpStream>> {
    let connector = connector(settings)?;
    let config = connector
        .configure()
        .map_err(|e| setup_error("cannot set up TLS", e))?
        .verify_hostname(settings.verify_certificate && settings.verify_hostname);
    match config.connect(host, tcp) {
        Ok(stream) => Ok(stream),
        Err(HandshakeError::Failure(mid)) => {
            let verify = mid.ssl().verify_result();
            let why = if verify.as_raw() != 0 {
                format!("certificate verify failed: {}", verify.error_string())
            } else {
                mid.error().to_string()
            };
            Err(WireError::Tls(why))
        }
        Err(HandshakeError::WouldBlock(_)) => Err(WireError::Timeout(
            "the TLS handshake got no answer in time".to_string(),
        )),
        Err(HandshakeError::SetupFailure(e)) => Err(setup_error("cannot set up TLS", e)),
    }
}

fn connector(settings: &TlsSettings) -> WireResult<SslConnector> {
    let mut builder = SslConnector::builder(SslMethod::tls_client())
        .map_err(|e| setup_error("cannot set up TLS", e))?;
    if let Some(ca) = &settings.ca_location {
        let result = if ca.is_dir() {
            builder.load_verify_locations(None, Some(ca))
        } else {
            builder.set_ca_file(ca)
        };
        result.map_err(|e| setup_error(&format!("cannot read the CA {}", ca.display()), e))?;
    }
    if let Some(pem) = &settings.ca_pem {
        let certs = X509::stack_from_pem(pem.as_bytes())
            .map_err(|e| setup_error("cannot read ssl.ca.pem", e))?;
        for cert in certs {
            builder
                .cert_store_mut()
                .add_cert(cert)
                .map_err(|e| setup_error("cannot use ssl.ca.pem", e))?;
        }
    }
    client_certificate(&mut builder, settings)?;
    if !settings.verify_certificate {
        builder.set_verify(SslVerifyMode::NONE);
    }
    Ok(builder.build())
}

/// The client certificate and key, for mutual TLS.
fn client_certificate(
    builder: &mut openssl::ssl::SslConnectorBuilder,
    settings: &TlsSettings,
) -> WireResult<()> {
    if let Some(cert) = &settings.cert_location {
        builder.set_certificate_chain_file(cert).map_err(|e| {
            setup_error(
                &format!("cannot read the certificate {}", cert.display()),
                e,
            )
        })?;
    }
    if let Some(pem) = &settings.cert_pem {
        let cert = X509::from_pem(pem.as_bytes())
            .map_err(|e| setup_error("cannot read ssl.certificate.pem", e))?;
        builder
            .set_certificate(&cert)
            .map_err(|e| setup_error("cannot use ssl.certificate.pem", e))?;
    }
    let key_pem = match (&settings.key_location, &settings.key_pem) {
        (Some(path), _) => std::fs::read(path)
            .map_err(|e| WireError::Tls(format!("cannot read the key {}: {e}", path.display())))?,
        (None, Some(pem)) => pem.expose().as_bytes().to_vec(),
        (None, None) => return Ok(()),
    };
    let key = match &settings.key_password {
        Some(pw) => PKey::private_key_from_pem_passphrase(&key_pem, pw.expose().as_bytes()),
        None => PKey::private_key_from_pem(&key_pem),
    }
    .map_err(|e| setup_error("cannot read the private key (a wrong key password?)", e))?;
    builder
        .set_private_key(&key)
        .and_then(|()| builder.check_private_key())
        .map_err(|e| setup_error("the private key does not fit the certificate", e))
}

fn setup_error(what: &str, e: impl std::fmt::Display) -> WireError {
    WireError::Tls(format!("{what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::asn1::Asn1Time;
    use openssl::ec::{EcGroup, EcKey};
    use openssl::hash::MessageDigest;
    use openssl::nid::Nid;
    use openssl::ssl::SslAcceptor;
    use openssl::x509::extension::SubjectAlternativeName;
    use openssl::x509::X509NameBuilder;
    use std::net::TcpListener;

    /// A self-signed certificate for `kafka.example` only, and its key.
    fn certificate() -> (X509, PKey<openssl::pkey::Private>) {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        let key = PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap();
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", "kafka.example").unwrap();
        let name = name.build();
        let mut cert = X509::builder().unwrap();
        cert.set_version(2).unwrap();
        cert.set_subject_name(&name).unwrap();
        cert.set_issuer_name(&name).unwrap();
        cert.set_pubkey(&key).unwrap();
        cert.set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        cert.set_not_after(&Asn1Time::days_from_now(1).unwrap())
            .unwrap();
        let san = SubjectAlternativeName::new()
            .dns("kafka.example")
            .build(&cert.x509v3_context(None, None))
            .unwrap();
        cert.append_extension(san).unwrap();
        cert.sign(&key, MessageDigest::sha256()).unwrap();
        (cert.build(), key)
    }

    /// A TLS server on 127.0.0.1 that completes handshakes with `cert`.
    fn server(cert: &X509, key: &PKey<openssl::pkey::Private>) -> std::net::SocketAddr {
        let mut acceptor = SslAcceptor::mozilla_intermediate(SslMethod::tls()).unwrap();
        acceptor.set_certificate(cert).unwrap();
        acceptor.set_private_key(key).unwrap();
        let acceptor = acceptor.build();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for tcp in listener.incoming().flatten() {
                let _ = acceptor.accept(tcp);
            }
        });
        addr
    }

    fn handshake(addr: std::net::SocketAddr, host: &str, tls: &TlsSettings) -> WireResult<()> {
        let tcp = TcpStream::connect(addr).unwrap();
        tcp.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        wrap(tcp, host, tls).map(drop)
    }

    /// Certificate and host name verification, each as librdkafka does them.
    #[test]
    fn verifies_the_certificate_and_the_host_name() {
        let (cert, key) = certificate();
        let addr = server(&cert, &key);
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, cert.to_pem().unwrap()).unwrap();
        let trusted = TlsSettings {
            ca_location: Some(ca),
            verify_certificate: true,
            verify_hostname: true,
            ..TlsSettings::default()
        };
        // Trusted CA, the certificate's name.
        handshake(addr, "kafka.example", &trusted).unwrap();
        // Trusted CA, but the name the broker is reached by is not the certificate's.
        let err = handshake(addr, "127.0.0.1", &trusted).unwrap_err();
        assert!(
            err.to_string().contains("certificate verify failed"),
            "{err}"
        );
        // Host name verification off (ssl.endpoint.identification.algorithm=none).
        let no_name = TlsSettings {
            verify_hostname: false,
            ..trusted.clone()
        };
        handshake(addr, "127.0.0.1", &no_name).unwrap();
        // No CA that signed it: the system's do not know it.
        let system = TlsSettings {
            ca_location: None,
            ..no_name.clone()
        };
        let err = handshake(addr, "127.0.0.1", &system).unwrap_err();
        assert!(
            err.to_string().contains("certificate verify failed"),
            "{err}"
        );
        // The same CA given as PEM (ssl.ca.pem).
        let pem = TlsSettings {
            ca_pem: Some(String::from_utf8(cert.to_pem().unwrap()).unwrap()),
            ..system.clone()
        };
        handshake(addr, "127.0.0.1", &pem).unwrap();
        // Verification off altogether (--tls-insecure-skip-verify).
        let off = TlsSettings {
            verify_certificate: false,
            ..system
        };
        handshake(addr, "127.0.0.1", &off).unwrap();
    }
}
