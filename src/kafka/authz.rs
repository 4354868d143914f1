//! Authorization refusals as kctl words them: "not authorized to OPERATION RESOURCE as
//! PRINCIPAL", with the principal kctl authenticates as (read from its own settings, never
//! from the broker) and a hint naming the ACL that would allow it.
//!
//! Kafka names principals `User:NAME`: the SASL user name (PLAIN, SCRAM), the token's subject
//! (OAUTHBEARER), the certificate's distinguished name (mutual TLS, unless the broker's
//! `ssl.principal.mapping.rules` say otherwise), and `User:ANONYMOUS` for a connection that
//! does not authenticate.

use rdkafka::error::RDKafkaErrorCode;

use super::config::ClientConfig;
use super::types::{BrokerError, Code};
use crate::error::{Error, ErrorKind};

/// An operation of Kafka's ACLs, as kctl names it in a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Read,
    Write,
    Create,
    Delete,
    Describe,
    Alter,
    DescribeConfigs,
    AlterConfigs,
    /// What brokers do among themselves (writing transaction markers).
    ClusterAction,
}

impl Operation {
    /// The word of a refusal: "not authorized to WORD ...".
    pub fn word(self) -> &'static str {
        match self {
            Operation::Read => "read",
            Operation::Write => "write",
            Operation::Create => "create",
            Operation::Delete => "delete",
            Operation::Describe => "describe",
            Operation::Alter => "alter",
            Operation::DescribeConfigs => "describe configs of",
            Operation::AlterConfigs => "alter configs of",
            Operation::ClusterAction => "take cluster actions on",
        }
    }

    /// The operation's name in `kafka-acls --operation`.
    fn acl_name(self) -> &'static str {
        match self {
            Operation::Read => "Read",
            Operation::Write => "Write",
            Operation::Create => "Create",
            Operation::Delete => "Delete",
            Operation::Describe => "Describe",
            Operation::Alter => "Alter",
            Operation::DescribeConfigs => "DescribeConfigs",
            Operation::AlterConfigs => "AlterConfigs",
            Operation::ClusterAction => "ClusterAction",
        }
    }
}

/// What a refusal is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    Topic(String),
    Group(String),
    TransactionalId(String),
    /// The cluster itself: its brokers' configs, log directories, ACLs and SCRAM users.
    Cluster,
}

impl Resource {
    /// `topic 'orders'`, `group 'g'`, `the cluster`.
    pub fn describe(&self) -> String {
        match self {
            Resource::Topic(name) => format!("topic '{name}'"),
            Resource::Group(name) => format!("group '{name}'"),
            Resource::TransactionalId(id) => format!("transactional id '{id}'"),
            Resource::Cluster => "the cluster".to_string(),
        }
    }

    /// The `kafka-acls` arguments naming the resource.
    fn acl_args(&self) -> String {
        match self {
            Resource::Topic(name) => format!("--topic '{name}'"),
            Resource::Group(name) => format!("--group '{name}'"),
            Resource::TransactionalId(id) => format!("--transactional-id '{id}'"),
            Resource::Cluster => "--cluster".to_string(),
        }
    }
}

/// The resource a refusal with this error code names, for a call about `asked`; `None` when
/// the code is no refusal. Kafka says which kind of resource it refused in the code: a
/// CLUSTER_AUTHORIZATION_FAILED is about the cluster whatever the call was about,
/// TOPIC_AUTHORIZATION_FAILED and GROUP_AUTHORIZATION_FAILED about the topic or group asked.
pub(crate) fn refused_resource(code: RDKafkaErrorCode, asked: Resource) -> Option<Resource> {
    match code {
        RDKafkaErrorCode::ClusterAuthorizationFailed => Some(Resource::Cluster),
        RDKafkaErrorCode::TopicAuthorizationFailed | RDKafkaErrorCode::GroupAuthorizationFailed => {
            Some(asked)
        }
        _ => None,
    }
}

/// The principal of a connection that does not authenticate.
pub(crate) const ANONYMOUS: &str = "User:ANONYMOUS";

/// The principal kctl authenticates as, as far as its own settings tell (`User:alice`), or a
/// description of it when only the broker knows its name.
pub(crate) fn principal(config: &ClientConfig) -> String {
    let protocol = config
        .user_property("security.protocol")
        .unwrap_or("plaintext")
        .to_ascii_lowercase();
    if protocol.starts_with("sasl") {
        let mechanism = config
            .user_property("sasl.mechanisms")
            .or_else(|| config.user_property("sasl.mechanism"))
            .unwrap_or("GSSAPI")
            .to_ascii_uppercase();
        return match mechanism.as_str() {
            "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512" => {
                match config.user_property("sasl.username") {
                    Some(user) => format!("User:{user}"),
                    None => "the authenticated principal".to_string(),
                }
            }
            // librdkafka's unsecured tokens name their subject in sasl.oauthbearer.config.
            "OAUTHBEARER" => config
                .user_property("sasl.oauthbearer.config")
                .and_then(|c| {
                    c.split_whitespace()
                        .find_map(|kv| kv.strip_prefix("principal="))
                        .map(|p| format!("User:{p}"))
                })
                .unwrap_or_else(|| "the token's principal".to_string()),
            _ => "the authenticated principal".to_string(),
        };
    }
    if protocol == "ssl" {
        let pem = config
            .user_property("ssl.certificate.pem")
            .map(str::to_string)
            .or_else(|| {
                let path = config.user_property("ssl.certificate.location")?;
                std::fs::read_to_string(path).ok()
            });
        if let Some(cn) = pem.as_deref().and_then(certificate_cn) {
            return format!("the certificate's principal (CN={cn})");
        }
        if pem.is_some() || config.user_property("ssl.keystore.location").is_some() {
            return "the client certificate's principal".to_string();
        }
    }
    ANONYMOUS.to_string()
}

/// The common name (CN) of the subject of the first certificate in `pem`. Kafka's principal
/// for a client certificate is its subject (`User:CN=carol,...`), or what the brokers'
/// `ssl.principal.mapping.rules` make of it, which only the brokers know.
fn certificate_cn(pem: &str) -> Option<String> {
    use base64::Engine as _;
    let body = pem
        .split("-----BEGIN CERTIFICATE-----")
        .nth(1)?
        .split("-----END CERTIFICATE-----")
        .next()?;
    let text: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    let (_, certificate, _) = der_item(&der)?;
    let (_, mut tbs, _) = der_item(certificate)?;
    // version [0] (optional), serial, signature algorithm, issuer, validity, subject.
    let mut fields = Vec::new();
    while let Some((tag, content, rest)) = der_item(tbs) {
        fields.push((tag, content));
        tbs = rest;
    }
    let skip = usize::from(fields.first()?.0 == 0xa0);
    let (_, subject) = *fields.get(skip + 4)?;
    // Name: SEQUENCE OF SET OF SEQUENCE { type OID, value }; CN is OID 2.5.4.3.
    let mut sets = subject;
    while let Some((_, set, rest)) = der_item(sets) {
        let (_, attribute, _) = der_item(set)?;
        let (_, oid, value) = der_item(attribute)?;
        if oid == [0x55, 0x04, 0x03] {
            let (_, name, _) = der_item(value)?;
            return String::from_utf8(name.to_vec()).ok();
        }
        sets = rest;
    }
    None
}

/// One DER item of `data`: its tag, its content and what follows it.
fn der_item(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = data.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// `not authorized to OPERATION RESOURCE as PRINCIPAL`.
pub(crate) fn refusal(operation: Operation, resource: &Resource, principal: &str) -> String {
    format!(
        "not authorized to {} {} as {principal}",
        operation.word(),
        resource.describe()
    )
}

/// How to be allowed: the `kafka-acls` command an administrator runs.
pub(crate) fn refusal_hint(operation: Operation, resource: &Resource, principal: &str) -> String {
    let principal = if principal.starts_with("User:") {
        principal.to_string()
    } else {
        "User:NAME".to_string()
    };
    let mut hint = format!(
        "an administrator can allow it: kafka-acls --bootstrap-server ... --add \
         --allow-principal {principal} --operation {} {}",
        operation.acl_name(),
        resource.acl_args()
    );
    if matches!(
        (operation, resource),
        (Operation::Create, Resource::Topic(_))
    ) {
        hint.push_str(" (or Create on --cluster)");
    }
    hint
}

/// The refusal as an error (exit 1), with its hint.
pub(crate) fn refusal_error(operation: Operation, resource: &Resource, principal: &str) -> Error {
    Error::new(
        ErrorKind::Authorization,
        refusal(operation, resource, principal),
    )
    .with_hint(refusal_hint(operation, resource, principal))
}

/// `error` reworded as a refusal of `operation` on `resource` when it is one; else as it is.
pub(crate) fn reword(
    error: BrokerError,
    operation: Operation,
    resource: &Resource,
    principal: &str,
) -> BrokerError {
    if error.code != Code::NotAuthorized {
        return error;
    }
    BrokerError {
        code: Code::NotAuthorized,
        message: refusal(operation, resource, principal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A certificate for CN=carol (made with `openssl req -x509 -subj /O=kctl/CN=carol`).
    const CAROL: &str = "-----BEGIN CERTIFICATE-----
MIIBlDCCATmgAwIBAgIUQMWGYZzv0SncMr4EVwN6Iu0UnhswCgYIKoZIzj0EAwIw
HzENMAsGA1UECgwEa2N0bDEOMAwGA1UEAwwFY2Fyb2wwHhcNMjYxMjAyMDAzODQ1
WhcNMjYxMjAzMDAzODQ1WjAfMQ0wCwYDVQQKDARrY3RsMQ4wDAYDVQQDDAVjYXJv
bDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABGrJeEDKkwDN+qfSRHU65480Z8YA
w+AKYUHn6aY4RKACjxj2cyeoUIlje5KmjttRzPoV81F7baGV7NCTZLFlMKijUzBR
MB0GA1UdDgQWBBSLfERGnZWZaSqIB6IsiDYXG93eGzAfBgNVHSMEGDAWgBSLfERG
nZWZaSqIB6IsiDYXG93eGzAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kA
MEYCIQCVknAYPiikOxy7H795KITnqzeWLlX7ow1OyMWsqn9CgAIhAJV1SHAInfKw
RAmOIcJNWBvVUFZotT3WzVvHs/ekY/Fq
-----END CERTIFICATE-----";

    #[test]
    fn principals_come_from_the_settings() {
        let p = |flags: &[&str]| principal(&ClientConfig::for_test(flags));
        assert_eq!(p(&[]), "User:ANONYMOUS");
        assert_eq!(
            p(&[
                "-X",
                "security.protocol=sasl_plaintext",
                "-X",
                "sasl.mechanism=SCRAM-SHA-512",
                "-X",
                "sasl.username=alice",
                "-X",
                "sasl.password=x-1"
            ]),
            "User:alice"
        );
        assert_eq!(
            p(&[
                "-X",
                "security.protocol=SASL_SSL",
                "-X",
                "sasl.mechanisms=OAUTHBEARER",
                "-X",
                "enable.sasl.oauthbearer.unsecure.jwt=true",
                "-X",
                "sasl.oauthbearer.config=principal=bob"
            ]),
            "User:bob"
        );
        assert_eq!(
            p(&["-X", "security.protocol=ssl"]),
            "User:ANONYMOUS",
            "TLS without a client certificate"
        );
        assert_eq!(
            p(&[
                "-X",
                "security.protocol=ssl",
                "-X",
                "ssl.keystore.location=/c.p12"
            ]),
            "the client certificate's principal"
        );
        assert_eq!(
            p(&[
                "-X",
                "security.protocol=ssl",
                "-X",
                &format!("ssl.certificate.pem={CAROL}")
            ]),
            "the certificate's principal (CN=carol)"
        );
    }

    #[test]
    fn a_certificate_that_cannot_be_read_has_no_cn() {
        assert_eq!(certificate_cn(CAROL).as_deref(), Some("carol"));
        assert_eq!(certificate_cn("not a certificate"), None);
        assert_eq!(
            certificate_cn("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"),
            None
        );
        assert_eq!(
            der_item(&[0x30, 0x85, 1, 2, 3, 4, 5]),
            None,
            "a length too long"
        );
        assert_eq!(der_item(&[0x30, 0x03, 1]), None, "a length past the end");
    }

    #[test]
    fn refusals_name_the_operation_the_resource_and_the_principal() {
        let topic = Resource::Topic("orders".into());
        assert_eq!(
            refusal(Operation::Write, &topic, "User:alice"),
            "not authorized to write topic 'orders' as User:alice"
        );
        let hint = refusal_hint(Operation::Create, &topic, "User:alice");
        assert!(
            hint.contains("--allow-principal User:alice --operation Create --topic 'orders'"),
            "{hint}"
        );
        assert!(hint.contains("--cluster"), "{hint}");
        let hint = refusal_hint(
            Operation::Read,
            &Resource::Group("g".into()),
            "the token's principal",
        );
        assert!(
            hint.contains("User:NAME --operation Read --group 'g'"),
            "{hint}"
        );
    }

    #[test]
    fn refusals_on_the_cluster_name_it_and_its_acl() {
        let cluster = Resource::Cluster;
        assert_eq!(
            refusal(Operation::AlterConfigs, &cluster, "User:alice"),
            "not authorized to alter configs of the cluster as User:alice"
        );
        assert_eq!(
            refusal(Operation::Describe, &cluster, "User:bob"),
            "not authorized to describe the cluster as User:bob"
        );
        let hint = refusal_hint(Operation::Alter, &cluster, "User:alice");
        assert!(
            hint.ends_with("--allow-principal User:alice --operation Alter --cluster"),
            "{hint}"
        );
        let topic = Resource::Topic("t".into());
        assert_eq!(
            refusal(Operation::DescribeConfigs, &topic, "User:alice"),
            "not authorized to describe configs of topic 't' as User:alice"
        );
    }

    #[test]
    fn the_error_code_says_which_resource_was_refused() {
        use RDKafkaErrorCode as E;
        let topic = || Resource::Topic("t".into());
        assert_eq!(
            refused_resource(E::TopicAuthorizationFailed, topic()),
            Some(topic())
        );
        assert_eq!(
            refused_resource(E::ClusterAuthorizationFailed, topic()),
            Some(Resource::Cluster)
        );
        let group = Resource::Group("g".into());
        assert_eq!(
            refused_resource(E::GroupAuthorizationFailed, group.clone()),
            Some(group)
        );
        assert_eq!(refused_resource(E::UnknownTopicOrPartition, topic()), None);
    }
}
