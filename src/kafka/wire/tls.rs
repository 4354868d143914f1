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
