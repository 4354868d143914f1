//! SASL login: SaslHandshake, then SaslAuthenticate rounds for PLAIN (one) or SCRAM (RFC 5802,
//! two, the server's signature checked). The SCRAM arithmetic is OpenSSL's PBKDF2 and HMAC.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use bytes::Bytes;
use kafka_protocol::messages::{ApiKey, SaslAuthenticateRequest, SaslHandshakeRequest};
use kafka_protocol::protocol::StrBytes;
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::sign::Signer;

use super::connection::Connection;
use super::settings::{Mechanism, SaslSettings};
use super::{WireError, WireResult};

/// Logs in on `conn` as `login` says.
pub(super) fn authenticate(conn: &mut Connection, login: &SaslSettings) -> WireResult<()> {
    handshake(conn, login.mechanism)?;
    let version = conn
        .versions
        .pick::<SaslAuthenticateRequest>(ApiKey::SaslAuthenticate as i16)
        .ok_or_else(|| WireError::UnsupportedApi("the broker has no SaslAuthenticate".into()))?;
    match login.mechanism {
        Mechanism::Plain => {
            let token = format!("\0{}\0{}", login.username, login.password.expose());
            round(conn, version, token.into_bytes())?;
            Ok(())
        }
        Mechanism::ScramSha256 | Mechanism::ScramSha512 => {
            let mut scram = Scram::new(login, &nonce()?);
            let server_first = round(conn, version, scram.client_first().into_bytes())?;
            let client_final = scram.client_final(&text(&server_first)?)?;
            let server_final = round(conn, version, client_final.into_bytes())?;
            scram.check_server_final(&text(&server_final)?)
        }
    }
}

fn handshake(conn: &mut Connection, mechanism: Mechanism) -> WireResult<()> {
    // v1 and later: the tokens go in SaslAuthenticate requests (v0's raw tokens kctl does not
    // speak).
    let version = conn
        .versions
        .pick::<SaslHandshakeRequest>(ApiKey::SaslHandshake as i16)
        .filter(|v| *v >= 1)
        .ok_or_else(|| WireError::UnsupportedApi("the broker has no SaslHandshake v1".into()))?;
    let request =
        SaslHandshakeRequest::default().with_mechanism(StrBytes::from_static_str(mechanism.name()));
    let answer = conn.call(&request, version)?;
    if answer.error_code != 0 {
        let enabled: Vec<&str> = answer.mechanisms.iter().map(|m| m.as_str()).collect();
        return Err(WireError::Auth(format!(
            "the broker does not take SASL {} (it takes {})",
            mechanism.name(),
            enabled.join(", ")
        )));
    }
    Ok(())
}

/// One SaslAuthenticate round: our token out, the server's back.
fn round(conn: &mut Connection, version: i16, token: Vec<u8>) -> WireResult<Bytes> {
    let request = SaslAuthenticateRequest::default().with_auth_bytes(Bytes::from(token));
    let answer = conn.call(&request, version)?;
    if answer.error_code != 0 {
        let why = answer
            .error_message
            .as_ref()
            .map(|m| m.as_str().to_string())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| WireError::refused(answer.error_code, None).to_string());
        return Err(WireError::Auth(crate::security::scrub(&why)));
    }
    Ok(answer.auth_bytes)
}

fn text(bytes: &[u8]) -> WireResult<String> {
    String::from_utf8(bytes.to_vec())
        .map_err(|_| WireError::Auth("the broker's SCRAM message is not UTF-8".into()))
}

fn nonce() -> WireResult<String> {
    let mut bytes = [0u8; 24];
    openssl::rand::rand_bytes(&mut bytes)
        .map_err(|e| WireError::Auth(format!("no random bytes for the nonce: {e}")))?;
    Ok(B64.encode(bytes))
}

/// The fewest PBKDF2 iterations Kafka takes (and the most kctl does, against a server that
/// would keep it busy).
const ITERATIONS: std::ops::RangeInclusive<usize> = 4096..=10_000_000;

/// A SCRAM exchange (RFC 5802), as the client.
struct Scram<'a> {
    login: &'a SaslSettings,
    client_first_bare: String,
    client_nonce: String,
    /// The AuthMessage and SaltedPassword once the server's first message came.
    auth_message: String,
    salted: Vec<u8>,
}

impl<'a> Scram<'a> {
    fn new(login: &'a SaslSettings, nonce: &str) -> Scram<'a> {
        let user = login.username.replace('=', "=3D").replace(',', "=2C");
        Scram {
            login,
            client_first_bare: format!("n={user},r={nonce}"),
            client_nonce: nonce.to_string(),
            auth_message: String::new(),
            salted: Vec::new(),
        }
    }

    fn digest(&self) -> MessageDigest {
        match self.login.mechanism {
            Mechanism::ScramSha512 => MessageDigest::sha512(),
            _ => MessageDigest::sha256(),
        }
    }

    fn client_first(&self) -> String {
        format!("n,,{}", self.client_first_bare)
    }

    /// The client's final message, answering the server's first.
    fn client_final(&mut self, server_first: &str) -> WireResult<String> {
        let field = |name: &str| {
            server_first
                .split(',')
                .find_map(|f| f.strip_prefix(name))
                .ok_or_else(|| bad(&format!("no {name} in the server's first message")))
        };
        let nonce = field("r=")?;
        if !nonce.starts_with(&self.client_nonce) || nonce.len() == self.client_nonce.len() {
            return Err(bad("the server's nonce does not extend kctl's"));
        }
        let salt = B64
            .decode(field("s=")?)
            .map_err(|_| bad("the salt is not base64"))?;
        let iterations: usize = field("i=")?
            .parse()
            .map_err(|_| bad("the iteration count is not a number"))?;
        if !ITERATIONS.contains(&iterations) {
            return Err(bad(&format!("an iteration count of {iterations}")));
        }
        let md = self.digest();
        self.salted = vec![0u8; md.size()];
        openssl::pkcs5::pbkdf2_hmac(
            self.login.password.expose().as_bytes(),
            &salt,
            iterations,
            md,
            &mut self.salted,
        )
        .map_err(crypto)?;
        let without_proof = format!("c={},r={nonce}", B64.encode("n,,"));
        self.auth_message = format!("{},{server_first},{without_proof}", self.client_first_bare);
        let client_key = hmac(md, &self.salted, b"Client Key")?;
        let stored_key = openssl::hash::hash(md, &client_key).map_err(crypto)?;
        let signature = hmac(md, &stored_key, self.auth_message.as_bytes())?;
        let proof: Vec<u8> = client_key
            .iter()
            .zip(&signature)
            .map(|(k, s)| k ^ s)
            .collect();
        Ok(format!("{without_proof},p={}", B64.encode(proof)))
    }

    /// Checks that the server knows the password too (its signature).
    fn check_server_final(&self, server_final: &str) -> WireResult<()> {
        if let Some(error) = server_final.strip_prefix("e=") {
            return Err(WireError::Auth(format!("the broker says {error}")));
        }
        let given = server_final
            .split(',')
            .find_map(|f| f.strip_prefix("v="))
            .ok_or_else(|| bad("no signature in the server's final message"))?;
        let md = self.digest();
        let server_key = hmac(md, &self.salted, b"Server Key")?;
        let expected = hmac(md, &server_key, self.auth_message.as_bytes())?;
        if B64.decode(given).ok().as_deref() != Some(&expected[..]) {
            return Err(bad(
                "the broker's signature is wrong (not the server it claims)",
            ));
        }
        Ok(())
    }
}

fn hmac(md: MessageDigest, key: &[u8], data: &[u8]) -> WireResult<Vec<u8>> {
    let key = PKey::hmac(key).map_err(crypto)?;
    let mut signer = Signer::new(md, &key).map_err(crypto)?;
    signer.sign_oneshot_to_vec(data).map_err(crypto)
}

fn bad(why: &str) -> WireError {
    WireError::Auth(format!("SCRAM: {why}"))
}

fn crypto(e: openssl::error::ErrorStack) -> WireError {
    WireError::Auth(format!("SCRAM: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::Secret;

    /// RFC 7677's SCRAM-SHA-256 example.
    #[test]
    fn scram_sha_256_follows_rfc_7677() {
        let login = SaslSettings {
            mechanism: Mechanism::ScramSha256,
            username: "user".into(),
            password: Secret::new("pencil"),
        };
        let mut scram = Scram::new(&login, "rOprNGfwEbeRWgbNEkqO");
        assert_eq!(scram.client_first(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        let server_first = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,\
                            s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
        assert_eq!(
            scram.client_final(server_first).unwrap(),
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,\
             p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        );
        scram
            .check_server_final("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
            .unwrap();
        assert!(scram
            .check_server_final("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
            .is_err());
        assert!(scram.check_server_final("e=invalid-proof").is_err());
    }

    #[test]
    fn scram_refuses_a_server_that_does_not_extend_the_nonce() {
        let login = SaslSettings {
            mechanism: Mechanism::ScramSha512,
            username: "a=b,c".into(),
            password: Secret::new("pw"),
        };
        let mut scram = Scram::new(&login, "abc");
        assert_eq!(scram.client_first(), "n,,n=a=3Db=2Cc,r=abc");
        assert!(scram.client_final("r=xyz,s=AAAA,i=4096").is_err());
        assert!(scram.client_final("r=abcd,s=AAAA,i=1").is_err());
    }
}
