//! The HTTP client of a Confluent-compatible schema registry (Confluent Schema Registry,
//! Apicurio's `/apis/ccompat/v7`, Karapace, Redpanda...).
//!
//! It is blocking (ureq): the record codecs call it through [`SchemaSource`] from the blocking
//! threads consume and produce run their record loops on, and the async `schemas` commands
//! call it through [`Registry::call`], which runs it on tokio's blocking pool, never on the
//! runtime's worker threads. One client serves both without a second async runtime. TLS is
//! native-tls, that is the OpenSSL kctl links already. Every call is bounded by `--timeout`
//! (ureq's global timeout: name resolution, connecting, TLS, sending and reading).

use std::sync::Arc;
use std::time::Duration;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::cache::CachedSource;
use super::errors::{self, HttpFailure};
use super::settings::{RegistryAuth, RegistrySettings};
use super::{Schema, SchemaReference, SchemaSource, SchemaType, SubjectVersion, Version};
use crate::error::{Error, Result};
use crate::security::Secret;

/// What kctl accepts, as Confluent's clients say it.
const ACCEPT: &str = "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";
/// The largest answer kctl reads (a schema with its text is far smaller).
const MAX_BODY: u64 = 64 * 1024 * 1024;

/// A path segment's characters that go as they are (RFC 3986's unreserved); the rest are
/// percent-encoded (a subject may hold `/`, `:` or spaces).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A path segment, percent-encoded.
fn seg(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// A version as a path segment.
fn version_seg(v: Version) -> String {
    match v {
        Version::Latest => "latest".to_string(),
        Version::Number(n) => n.to_string(),
    }
}

/// How a version reads in messages: `latest version` or `version 3`.
pub fn version_text(v: Version) -> String {
    match v {
        Version::Latest => "the latest version".to_string(),
        Version::Number(n) => format!("version {n}"),
    }
}

#[derive(Debug, Clone, Copy)]
enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// A schema as the registry sends it (`schemaType` absent = Avro).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireSchema {
    schema: String,
    schema_type: Option<String>,
    #[serde(default)]
    references: Option<Vec<SchemaReference>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireSubjectVersion {
    subject: String,
    id: u32,
    version: i32,
    schema: String,
    schema_type: Option<String>,
    #[serde(default)]
    references: Option<Vec<SchemaReference>>,
}

/// A schema as kctl sends it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct WireNewSchema<'a> {
    schema: &'a str,
    schema_type: &'static str,
    #[serde(skip_serializing_if = "<[SchemaReference]>::is_empty")]
    references: &'a [SchemaReference],
}

impl<'a> WireNewSchema<'a> {
    fn of(schema: &'a Schema) -> Self {
        WireNewSchema {
            schema: &schema.schema,
            schema_type: schema.schema_type.registry_name(),
            references: &schema.references,
        }
    }
}

#[derive(Debug, Deserialize)]
struct WireId {
    id: u32,
}

#[derive(Debug, Deserialize)]
struct WireCompatibility {
    is_compatible: bool,
    #[serde(default)]
    messages: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireConfig {
    /// GET answers `compatibilityLevel`, PUT `compatibility`.
    #[serde(alias = "compatibility")]
    compatibility_level: String,
}

#[derive(Debug, Deserialize)]
struct WireMode {
    mode: String,
}

/// The registry's answer to a compatibility check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Compatibility {
    pub is_compatible: bool,
    /// Why not, as the registry says it (empty when it gives no reasons).
    pub messages: Vec<String>,
}

/// A schema's type from the registry's name of it.
fn schema_type(name: Option<&str>) -> std::result::Result<SchemaType, String> {
    match name {
        None | Some("AVRO") => Ok(SchemaType::Avro),
        Some("PROTOBUF") => Ok(SchemaType::Protobuf),
        Some("JSON") => Ok(SchemaType::Json),
        Some(other) => Err(format!("unknown schema type '{other}'")),
    }
}

/// The blocking registry client. Cheap to share (`Arc`); calls may run on many threads.
pub struct RegistryClient {
    agent: ureq::Agent,
    url: String,
    /// The `Authorization` header's value, when the registry wants one.
    authorization: Option<Secret>,
    timeout: Duration,
}

impl std::fmt::Debug for RegistryClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryClient")
            .field("url", &self.url)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl RegistryClient {
    /// A client of the registry these settings name; each call bounded by `timeout`.
    pub fn new(settings: &RegistrySettings, timeout: Duration) -> Result<RegistryClient> {
        let tls = tls_config(settings)?;
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .user_agent(concat!("kctl/", env!("CARGO_PKG_VERSION")))
            .accept(ACCEPT)
            .tls_config(tls)
            .build();
        let authorization = settings.auth.as_ref().map(|auth| match auth {
            RegistryAuth::Basic { username, password } => {
                use base64::Engine as _;
                let pair = format!("{username}:{}", password.expose());
                Secret::new(format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                ))
            }
            RegistryAuth::Bearer(token) => Secret::new(format!("Bearer {}", token.expose())),
        });
        Ok(RegistryClient {
            agent: ureq::Agent::new_with_config(config),
            url: settings.url.clone(),
            authorization,
            timeout,
        })
    }

    /// The registry's base URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sends one request; `Ok(Ok(text))` for a 2xx answer, `Ok(Err(failure))` for another
    /// HTTP answer, `Err` when no answer came.
    fn send(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<Vec<u8>>,
        what: &str,
    ) -> Result<std::result::Result<(u16, String), HttpFailure>> {
        let uri = format!("{}{path_and_query}", self.url);
        let mut headers: Vec<(&str, String)> = Vec::new();
        if let Some(auth) = &self.authorization {
            headers.push(("Authorization", auth.expose().to_string()));
        }
        let result = match (method, body) {
            (Method::Get | Method::Delete, _) => {
                let mut req = match method {
                    Method::Get => self.agent.get(&uri),
                    _ => self.agent.delete(&uri),
                };
                for (k, v) in &headers {
                    req = req.header(*k, v);
                }
                req.call()
            }
            (Method::Post | Method::Put, body) => {
                let mut req = match method {
                    Method::Post => self.agent.post(&uri),
                    _ => self.agent.put(&uri),
                };
                for (k, v) in &headers {
                    req = req.header(*k, v);
                }
                req.header("Content-Type", CONTENT_TYPE)
                    .send(body.unwrap_or_default())
            }
        };
        let mut response =
            result.map_err(|e| errors::transport_error(&self.url, what, self.timeout, &e))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_string()
            .map_err(|e| errors::transport_error(&self.url, what, self.timeout, &e))?;
        if (200..300).contains(&status) {
            Ok(Ok((status, text)))
        } else {
            Ok(Err(HttpFailure::from_response(status, &text)))
        }
    }

    /// One call whose 2xx answer is JSON of type `T`; a failure is an error saying `what`
    /// failed, not-founds naming `resource`.
    fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<Vec<u8>>,
        what: &str,
        resource: &str,
    ) -> Result<T> {
        match self.send(method, path_and_query, body, what)? {
            Ok((status, text)) => serde_json::from_str(&text).map_err(|e| {
                errors::unexpected_answer(
                    &self.url,
                    what,
                    status,
                    &format!("{} {path_and_query}: {e}", method.as_str()),
                )
            }),
            Err(failure) => Err(errors::http_error(&self.url, what, resource, &failure)),
        }
    }

    fn json_body<T: Serialize>(value: &T) -> Option<Vec<u8>> {
        Some(serde_json::to_vec(value).expect("plain data encodes"))
    }

    /// The subjects (with `deleted`, the soft-deleted ones too), sorted.
    pub fn subjects(&self, deleted: bool) -> Result<Vec<String>> {
        let path = if deleted {
            "/subjects?deleted=true"
        } else {
            "/subjects"
        };
        let mut subjects: Vec<String> =
            self.call(Method::Get, path, None, "cannot list subjects", "subjects")?;
        subjects.sort();
        Ok(subjects)
    }

    /// A subject's version numbers (with `deleted`, the soft-deleted ones too), ascending.
    pub fn versions(&self, subject: &str, deleted: bool) -> Result<Vec<i32>> {
        let query = if deleted { "?deleted=true" } else { "" };
        let mut versions: Vec<i32> = self.call(
            Method::Get,
            &format!("/subjects/{}/versions{query}", seg(subject)),
            None,
            &format!("cannot list the versions of subject '{subject}'"),
            &format!("subject '{subject}'"),
        )?;
        versions.sort_unstable();
        Ok(versions)
    }

    /// A version of a subject, with its schema.
    pub fn subject_version(&self, subject: &str, version: Version) -> Result<SubjectVersion> {
        let what = format!(
            "cannot get {} of subject '{subject}'",
            version_text(version)
        );
        let resource = match version {
            Version::Latest => format!("subject '{subject}'"),
            Version::Number(n) => format!("version {n} of subject '{subject}'"),
        };
        let wire: WireSubjectVersion = self.call(
            Method::Get,
            &format!(
                "/subjects/{}/versions/{}",
                seg(subject),
                version_seg(version)
            ),
            None,
            &what,
            &resource,
        )?;
        let schema_type = schema_type(wire.schema_type.as_deref())
            .map_err(|e| Error::runtime(what.clone()).because(e))?;
        Ok(SubjectVersion {
            subject: wire.subject,
            id: wire.id,
            version: wire.version,
            schema: Schema {
                schema_type,
                schema: wire.schema,
                references: wire.references.unwrap_or_default(),
            },
        })
    }

    /// The schema with this global id.
    pub fn schema_by_id(&self, id: u32) -> Result<Schema> {
        let what = format!("cannot get schema id {id}");
        let wire: WireSchema = self.call(
            Method::Get,
            &format!("/schemas/ids/{id}"),
            None,
            &what,
            &format!("schema id {id}"),
        )?;
        wire_schema(wire, &what)
    }

    /// The schema with this GUID (Confluent Platform 8's `/schemas/guids/`). A registry
    /// without that endpoint answers 404 without an error code: that says so.
    pub fn schema_by_guid(&self, guid: &str) -> Result<Schema> {
        let what = format!("cannot get schema GUID {guid}");
        let path = format!("/schemas/guids/{}", seg(guid));
        match self.send(Method::Get, &path, None, &what)? {
            Ok((status, text)) => {
                let wire: WireSchema = serde_json::from_str(&text).map_err(|e| {
                    errors::unexpected_answer(&self.url, &what, status, &format!("GET {path}: {e}"))
                })?;
                wire_schema(wire, &what)
            }
            Err(failure) if failure.status == 404 && failure.body.is_none() => {
                Err(Error::runtime(what).because(format!(
                    "the schema registry at {} does not look up schemas by GUID (HTTP 404 on \
                     /schemas/guids/; Confluent Platform 8 registries do)",
                    self.url
                )))
            }
            Err(failure) => Err(errors::http_error(
                &self.url,
                &what,
                &format!("schema GUID {guid}"),
                &failure,
            )),
        }
    }

    /// Registers `schema` under `subject` (or finds it registered already): its id and
    /// version.
    pub fn register(&self, subject: &str, schema: &Schema) -> Result<(u32, i32)> {
        let what = format!("cannot register the schema under subject '{subject}'");
        let body = Self::json_body(&WireNewSchema::of(schema));
        let registered: WireId = self.call(
            Method::Post,
            &format!("/subjects/{}/versions", seg(subject)),
            body.clone(),
            &what,
            &format!("subject '{subject}'"),
        )?;
        // The register answer has only the id: the version comes from a lookup.
        let found: WireSubjectVersion = self.call(
            Method::Post,
            &format!("/subjects/{}", seg(subject)),
            body,
            &format!(
                "registered schema id {} under subject '{subject}', but cannot look up its version",
                registered.id
            ),
            &format!("subject '{subject}'"),
        )?;
        Ok((registered.id, found.version))
    }

    /// Whether `schema` is compatible with a version of `subject` (by the subject's
    /// compatibility level), with the registry's reasons when not.
    pub fn check_compatibility(
        &self,
        subject: &str,
        version: Version,
        schema: &Schema,
    ) -> Result<Compatibility> {
        let what = format!(
            "cannot check the schema against {} of subject '{subject}'",
            version_text(version)
        );
        let resource = match version {
            Version::Latest => format!("subject '{subject}'"),
            Version::Number(n) => format!("version {n} of subject '{subject}'"),
        };
        let wire: WireCompatibility = self.call(
            Method::Post,
            &format!(
                "/compatibility/subjects/{}/versions/{}?verbose=true",
                seg(subject),
                version_seg(version)
            ),
            Self::json_body(&WireNewSchema::of(schema)),
            &what,
            &resource,
        )?;
        Ok(Compatibility {
            is_compatible: wire.is_compatible,
            messages: wire.messages.unwrap_or_default(),
        })
    }

    /// Deletes a subject (soft, or with `permanent` for good): the versions that went.
    pub fn delete_subject(&self, subject: &str, permanent: bool) -> Result<Vec<i32>> {
        let query = if permanent { "?permanent=true" } else { "" };
        self.call(
            Method::Delete,
            &format!("/subjects/{}{query}", seg(subject)),
            None,
            &format!("cannot delete subject '{subject}'"),
            &format!("subject '{subject}'"),
        )
    }

    /// Deletes one version of a subject: its number.
    pub fn delete_version(&self, subject: &str, version: i32, permanent: bool) -> Result<i32> {
        let query = if permanent { "?permanent=true" } else { "" };
        self.call(
            Method::Delete,
            &format!("/subjects/{}/versions/{version}{query}", seg(subject)),
            None,
            &format!("cannot delete version {version} of subject '{subject}'"),
            &format!("version {version} of subject '{subject}'"),
        )
    }

    /// The compatibility level of a subject (its own, else the global one), or the global
    /// one.
    pub fn compatibility(&self, subject: Option<&str>) -> Result<String> {
        let (path, what, resource) = match subject {
            Some(s) => (
                format!("/config/{}?defaultToGlobal=true", seg(s)),
                format!("cannot get the compatibility level of subject '{s}'"),
                format!("subject '{s}'"),
            ),
            None => (
                "/config".to_string(),
                "cannot get the global compatibility level".to_string(),
                "config".to_string(),
            ),
        };
        let wire: WireConfig = self.call(Method::Get, &path, None, &what, &resource)?;
        Ok(wire.compatibility_level)
    }

    /// Sets the compatibility level of a subject or the global one; the level now set.
    pub fn set_compatibility(&self, subject: Option<&str>, level: &str) -> Result<String> {
        let (path, what, resource) = match subject {
            Some(s) => (
                format!("/config/{}", seg(s)),
                format!("cannot set the compatibility level of subject '{s}'"),
                format!("subject '{s}'"),
            ),
            None => (
                "/config".to_string(),
                "cannot set the global compatibility level".to_string(),
                "config".to_string(),
            ),
        };
        let body = Self::json_body(&serde_json::json!({ "compatibility": level }));
        let wire: WireConfig = self.call(Method::Put, &path, body, &what, &resource)?;
        Ok(wire.compatibility_level)
    }

    /// The mode (READWRITE, READONLY, IMPORT...) of a subject (its own, else the global one),
    /// or the global one.
    pub fn mode(&self, subject: Option<&str>) -> Result<String> {
        let (path, what, resource) = match subject {
            Some(s) => (
                format!("/mode/{}?defaultToGlobal=true", seg(s)),
                format!("cannot get the mode of subject '{s}'"),
                format!("subject '{s}'"),
            ),
            None => (
                "/mode".to_string(),
                "cannot get the registry's mode".to_string(),
                "mode".to_string(),
            ),
        };
        let wire: WireMode = self.call(Method::Get, &path, None, &what, &resource)?;
        Ok(wire.mode)
    }

    /// Sets the mode of a subject or the global one; the mode now set.
    pub fn set_mode(&self, subject: Option<&str>, mode: &str) -> Result<String> {
        let (path, what, resource) = match subject {
            Some(s) => (
                format!("/mode/{}", seg(s)),
                format!("cannot set the mode of subject '{s}'"),
                format!("subject '{s}'"),
            ),
            None => (
                "/mode".to_string(),
                "cannot set the registry's mode".to_string(),
                "mode".to_string(),
            ),
        };
        let body = Self::json_body(&serde_json::json!({ "mode": mode }));
        let wire: WireMode = self.call(Method::Put, &path, body, &what, &resource)?;
        Ok(wire.mode)
    }
}

fn wire_schema(wire: WireSchema, what: &str) -> Result<Schema> {
    Ok(Schema {
        schema_type: schema_type(wire.schema_type.as_deref())
            .map_err(|e| Error::runtime(what).because(e))?,
        schema: wire.schema,
        references: wire.references.unwrap_or_default(),
    })
}

/// TLS towards the registry: its CA file (instead of the system's roots), a client
/// certificate, or no verification at all.
fn tls_config(settings: &RegistrySettings) -> Result<ureq::tls::TlsConfig> {
    use ureq::tls::{Certificate, ClientCert, PrivateKey, RootCerts, TlsConfig, TlsProvider};
    let tls = &settings.tls;
    let read = |path: &std::path::Path, what: &str| {
        std::fs::read(path).map_err(|e| {
            Error::usage(format!(
                "schema registry {what} {}: cannot read it: {e}",
                path.display()
            ))
        })
    };
    let certs = |path: &std::path::Path, what: &str| -> Result<Vec<Certificate<'static>>> {
        let pem = read(path, what)?;
        let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        if certs.is_empty() {
            return Err(Error::usage(format!(
                "schema registry {what} {}: no PEM certificate in it",
                path.display()
            )));
        }
        Ok(certs)
    };
    let mut builder = TlsConfig::builder()
        .provider(TlsProvider::NativeTls)
        .disable_verification(tls.insecure_skip_verify);
    builder = match &tls.ca_file {
        Some(ca) => builder.root_certs(RootCerts::new_with_certs(&certs(ca, "ca-file")?)),
        None => builder.root_certs(RootCerts::PlatformVerifier),
    };
    if let (Some(cert), Some(key)) = (&tls.cert_file, &tls.key_file) {
        let chain = certs(cert, "cert-file")?;
        // native-tls takes PKCS#8 keys only: convert whatever PEM key this is (PKCS#1, SEC1).
        let bad_key =
            |e: String| Error::usage(format!("schema registry key-file {}: {e}", key.display()));
        let pem = read(key, "key-file")?;
        let pkcs8 = openssl::pkey::PKey::private_key_from_pem(&pem)
            .and_then(|k| k.private_key_to_pem_pkcs8())
            .map_err(|e| bad_key(format!("not a PEM private key (or an encrypted one): {e}")))?;
        let key = PrivateKey::from_pem(&pkcs8).map_err(|e| bad_key(e.to_string()))?;
        builder = builder.client_cert(Some(ClientCert::new_with_certs(&chain, key)));
    }
    Ok(builder.build())
}

/// The registry of a command: the client, and the caching [`SchemaSource`] over it that the
/// codecs use (one lookup per id and per subject version per run).
#[derive(Clone)]
pub struct Registry {
    client: Arc<RegistryClient>,
    source: Arc<CachedSource>,
}

impl Registry {
    pub fn new(settings: &RegistrySettings, timeout: Duration) -> Result<Registry> {
        let client = Arc::new(RegistryClient::new(settings, timeout)?);
        Ok(Registry {
            source: Arc::new(CachedSource::new(client.clone())),
            client,
        })
    }

    pub fn url(&self) -> &str {
        self.client.url()
    }

    /// The blocking client, for code already on a blocking thread.
    pub fn client(&self) -> &Arc<RegistryClient> {
        &self.client
    }

    /// The caching schema source for the codecs (call it from blocking threads only).
    pub fn source(&self) -> Arc<dyn SchemaSource> {
        self.source.clone()
    }

    /// Runs blocking registry calls on tokio's blocking pool, for async code.
    pub async fn call<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&RegistryClient) -> Result<T> + Send + 'static,
    {
        let client = self.client.clone();
        tokio::task::spawn_blocking(move || f(&client))
            .await
            .map_err(|e| Error::runtime(format!("a schema registry call failed: {e}")))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_percent_encoded_as_path_segments() {
        assert_eq!(seg("orders-value"), "orders-value");
        assert_eq!(seg("a/b c:d"), "a%2Fb%20c%3Ad");
        assert_eq!(seg("ü.~_"), "%C3%BC.~_");
    }

    #[test]
    fn schema_types_default_to_avro() {
        assert_eq!(schema_type(None).unwrap(), SchemaType::Avro);
        assert_eq!(schema_type(Some("PROTOBUF")).unwrap(), SchemaType::Protobuf);
        assert_eq!(schema_type(Some("JSON")).unwrap(), SchemaType::Json);
        assert!(schema_type(Some("XML")).is_err());
    }

    #[test]
    fn new_schemas_encode_as_the_registry_expects() {
        let schema = Schema {
            schema_type: SchemaType::Protobuf,
            schema: "syntax = \"proto3\";".into(),
            references: vec![SchemaReference {
                name: "m.proto".into(),
                subject: "m".into(),
                version: 1,
            }],
        };
        let json = serde_json::to_value(WireNewSchema::of(&schema)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "schema": "syntax = \"proto3\";",
                "schemaType": "PROTOBUF",
                "references": [{"name": "m.proto", "subject": "m", "version": 1}]
            })
        );
    }
}
