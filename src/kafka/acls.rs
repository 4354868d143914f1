//! ACLs: their plain types (as Kafka names them) and the calls that list, create and delete
//! them. The librdkafka calls are in `native/acls.rs`; every call is bounded by the timeout.

use std::fmt;
use std::str::FromStr;

use rdkafka::error::RDKafkaErrorCode;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::authz::{Operation, Resource};
use super::client::Kafka;
use super::errors::broker_error;
use super::native::acls::{self as native, RawAcl};
use super::native::admin::AdminCallError;
use super::native::{ClientRef, NativeError};
use super::types::BrokerError;
use crate::error::{Error, Result};

/// Letters and digits only, lowercased: how names are compared (`IdempotentWrite`,
/// `idempotent-write` and `IDEMPOTENT_WRITE` are one name).
fn squash(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The plain enums of this module: each variant's Kafka name (as `kafka-acls --list` prints
/// it), its JSON name (snake_case) and its native value.
macro_rules! kafka_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal, $native:ty, [$(($variant:ident, $kafka:literal, $json:literal, $raw:ident)),+ $(,)?]) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($variant,)+
        }

        impl $name {
            /// Every value, in Kafka's order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The name `kafka-acls --list` prints (`IDEMPOTENT_WRITE`).
            pub fn kafka_name(self) -> &'static str {
                match self { $($name::$variant => $kafka,)+ }
            }

            /// The JSON name (`idempotent_write`).
            pub fn json_name(self) -> &'static str {
                match self { $($name::$variant => $json,)+ }
            }

            fn to_native(self) -> $native {
                match self { $($name::$variant => <$native>::$raw,)+ }
            }

            /// Every accepted name, for messages.
            pub fn names() -> String {
                Self::ALL
                    .iter()
                    .filter(|v| v.json_name() != "unknown" && v.json_name() != "any")
                    .map(|v| v.json_name().replace('_', "-"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        }

        impl From<$native> for $name {
            fn from(raw: $native) -> Self {
                #[allow(unreachable_patterns)]
                match raw {
                    $(<$native>::$raw => $name::$variant,)+
                    _ => $name::Unknown,
                }
            }
        }

        impl FromStr for $name {
            type Err = String;
            /// Any case, with `-`, `_` or nothing between words.
            fn from_str(s: &str) -> std::result::Result<Self, String> {
                let wanted = squash(s);
                Self::ALL
                    .iter()
                    .copied()
                    .filter(|v| v.json_name() != "unknown")
                    .find(|v| squash(v.json_name()) == wanted)
                    .ok_or_else(|| format!("unknown {} '{s}' (one of: {})", $what, Self::names()))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.kafka_name())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.json_name())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                // What kctl's own JSON says of a value librdkafka has no name for; never
                // accepted on the command line.
                if s == "unknown" {
                    return Ok($name::Unknown);
                }
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

kafka_enum!(
    /// What an ACL is on.
    ResourceType, "resource type", native::ResourceType, [
    (Topic, "TOPIC", "topic", RD_KAFKA_RESOURCE_TOPIC),
    (Group, "GROUP", "group", RD_KAFKA_RESOURCE_GROUP),
    (Cluster, "CLUSTER", "cluster", RD_KAFKA_RESOURCE_BROKER),
    (TransactionalId, "TRANSACTIONAL_ID", "transactional_id", RD_KAFKA_RESOURCE_TRANSACTIONAL_ID),
    (Any, "ANY", "any", RD_KAFKA_RESOURCE_ANY),
    (Unknown, "UNKNOWN", "unknown", RD_KAFKA_RESOURCE_UNKNOWN),
]);

kafka_enum!(
    /// How an ACL's resource name is matched: the name itself (`literal`), names starting with
    /// it (`prefixed`); in filters also `match` (every ACL that applies to the name: literal,
    /// prefixed and `*`) and `any` (the name, of either pattern).
    PatternType, "pattern type", native::PatternType, [
    (Literal, "LITERAL", "literal", RD_KAFKA_RESOURCE_PATTERN_LITERAL),
    (Prefixed, "PREFIXED", "prefixed", RD_KAFKA_RESOURCE_PATTERN_PREFIXED),
    (Match, "MATCH", "match", RD_KAFKA_RESOURCE_PATTERN_MATCH),
    (Any, "ANY", "any", RD_KAFKA_RESOURCE_PATTERN_ANY),
    (Unknown, "UNKNOWN", "unknown", RD_KAFKA_RESOURCE_PATTERN_UNKNOWN),
]);

kafka_enum!(
    /// What an ACL allows or denies. `CreateTokens` and `DescribeTokens` are Kafka's, but
    /// librdkafka 2.12 has no value for them: ACLs with them cannot be made here, and list as
    /// `unknown`.
    AclOperation, "operation", native::AclOperation, [
    (All, "ALL", "all", RD_KAFKA_ACL_OPERATION_ALL),
    (Read, "READ", "read", RD_KAFKA_ACL_OPERATION_READ),
    (Write, "WRITE", "write", RD_KAFKA_ACL_OPERATION_WRITE),
    (Create, "CREATE", "create", RD_KAFKA_ACL_OPERATION_CREATE),
    (Delete, "DELETE", "delete", RD_KAFKA_ACL_OPERATION_DELETE),
    (Alter, "ALTER", "alter", RD_KAFKA_ACL_OPERATION_ALTER),
    (Describe, "DESCRIBE", "describe", RD_KAFKA_ACL_OPERATION_DESCRIBE),
    (ClusterAction, "CLUSTER_ACTION", "cluster_action", RD_KAFKA_ACL_OPERATION_CLUSTER_ACTION),
    (DescribeConfigs, "DESCRIBE_CONFIGS", "describe_configs", RD_KAFKA_ACL_OPERATION_DESCRIBE_CONFIGS),
    (AlterConfigs, "ALTER_CONFIGS", "alter_configs", RD_KAFKA_ACL_OPERATION_ALTER_CONFIGS),
    (IdempotentWrite, "IDEMPOTENT_WRITE", "idempotent_write", RD_KAFKA_ACL_OPERATION_IDEMPOTENT_WRITE),
    // Before the token operations: librdkafka's UNKNOWN reads back as Unknown.
    (Unknown, "UNKNOWN", "unknown", RD_KAFKA_ACL_OPERATION_UNKNOWN),
    (CreateTokens, "CREATE_TOKENS", "create_tokens", RD_KAFKA_ACL_OPERATION_UNKNOWN),
    (DescribeTokens, "DESCRIBE_TOKENS", "describe_tokens", RD_KAFKA_ACL_OPERATION_UNKNOWN),
    (Any, "ANY", "any", RD_KAFKA_ACL_OPERATION_ANY),
]);

kafka_enum!(
    /// Whether an ACL allows or denies.
    AclPermission, "permission", native::AclPermission, [
    (Allow, "ALLOW", "allow", RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW),
    (Deny, "DENY", "deny", RD_KAFKA_ACL_PERMISSION_TYPE_DENY),
    (Any, "ANY", "any", RD_KAFKA_ACL_PERMISSION_TYPE_ANY),
    (Unknown, "UNKNOWN", "unknown", RD_KAFKA_ACL_PERMISSION_TYPE_UNKNOWN),
]);

impl AclOperation {
    /// Whether kctl's Kafka client can send this operation (librdkafka 2.12 knows no token
    /// operations).
    pub fn supported(self) -> bool {
        !matches!(
            self,
            AclOperation::CreateTokens | AclOperation::DescribeTokens
        )
    }
}

/// The name Kafka gives the one cluster resource.
pub const CLUSTER_NAME: &str = "kafka-cluster";

/// One ACL binding, as `kafka-acls --list` shows it. ACLs sort by resource (type, name,
/// pattern), then principal, host, operation and permission.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acl {
    pub principal: String,
    pub host: String,
    pub operation: AclOperation,
    pub permission: AclPermission,
    pub resource_type: ResourceType,
    #[serde(rename = "resource_name")]
    pub name: String,
    pub pattern: PatternType,
}

impl Acl {
    fn sort_key(&self) -> impl Ord + '_ {
        (
            self.resource_type,
            &self.name,
            self.pattern,
            &self.principal,
            &self.host,
            self.operation,
            self.permission,
        )
    }
}

impl PartialOrd for Acl {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Acl {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

/// Which ACLs to list or delete: `None` (and the `Any` values) match everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclFilter {
    pub resource_type: ResourceType,
    pub name: Option<String>,
    pub pattern: PatternType,
    pub principal: Option<String>,
    pub host: Option<String>,
    pub operation: AclOperation,
    pub permission: AclPermission,
}

impl AclFilter {
    /// The filter that matches exactly this binding (and nothing else). A part librdkafka
    /// could not name (`Unknown`: a token operation, say) matches any value there, so the
    /// filter also matches the binding's siblings that list the same way.
    pub fn exact(acl: &Acl) -> AclFilter {
        AclFilter {
            resource_type: match acl.resource_type {
                ResourceType::Unknown => ResourceType::Any,
                known => known,
            },
            name: Some(acl.name.clone()),
            pattern: match acl.pattern {
                PatternType::Unknown => PatternType::Any,
                known => known,
            },
            principal: Some(acl.principal.clone()),
            host: Some(acl.host.clone()),
            operation: match acl.operation {
                AclOperation::Unknown => AclOperation::Any,
                known => known,
            },
            permission: match acl.permission {
                AclPermission::Unknown => AclPermission::Any,
                known => known,
            },
        }
    }

    fn to_native(&self) -> RawAcl {
        RawAcl {
            resource_type: self.resource_type.to_native(),
            name: self.name.clone(),
            pattern: self.pattern.to_native(),
            principal: self.principal.clone(),
            host: self.host.clone(),
            operation: self.operation.to_native(),
            permission: self.permission.to_native(),
        }
    }
}

impl Acl {
    fn to_native(&self) -> RawAcl {
        RawAcl {
            resource_type: self.resource_type.to_native(),
            name: Some(self.name.clone()),
            pattern: self.pattern.to_native(),
            principal: Some(self.principal.clone()),
            host: Some(self.host.clone()),
            operation: self.operation.to_native(),
            permission: self.permission.to_native(),
        }
    }

    fn from_native(raw: RawAcl) -> Acl {
        Acl {
            principal: raw.principal.unwrap_or_default(),
            host: raw.host.unwrap_or_default(),
            operation: raw.operation.into(),
            permission: raw.permission.into(),
            resource_type: raw.resource_type.into(),
            name: raw.name.unwrap_or_default(),
            pattern: raw.pattern.into(),
        }
    }
}

/// The error of one ACL or filter.
fn item_error(e: NativeError) -> BrokerError {
    broker_error(e.code, Some(&e.message))
}

/// What to do about a cluster without an authorizer.
const NO_AUTHORIZER_HINT: &str = "the brokers have no authorizer, so there are no ACLs: set \
     authorizer.class.name (org.apache.kafka.metadata.authorizer.StandardAuthorizer in KRaft)";

impl Kafka {
    /// A failed ACL call (for `operation` on the cluster: Describe lists ACLs, Alter creates
    /// and deletes them) as an error: a refusal names it, a cluster without an authorizer
    /// says what to set.
    fn acl_error(&self, what: &str, err: AdminCallError, operation: Operation) -> Error {
        if let AdminCallError::Failed(e) = &err {
            if let Some(refusal) = self.refusal_of(e.code, operation, Resource::Cluster) {
                return refusal;
            }
        }
        let disabled = matches!(&err, AdminCallError::Failed(e) if e.code == RDKafkaErrorCode::SecurityDisabled);
        let err = self.call_error(what, err);
        if disabled {
            err.with_hint(NO_AUTHORIZER_HINT)
        } else {
            err
        }
    }

    /// The refusal among the results of one ACL request, if one was refused: Kafka authorizes
    /// CreateAcls and DeleteAcls once (Alter on the cluster), so every item is refused alike.
    /// A refusal or a missing authorizer as one error for the whole request: both hold for
    /// every item alike (the authorizer answers each with the same error).
    fn refused_items<T>(
        &self,
        what: &str,
        results: &[std::result::Result<T, NativeError>],
    ) -> Result<()> {
        let refusal = results.iter().find_map(|r| {
            let e = r.as_ref().err()?;
            self.refusal_of(e.code, Operation::Alter, Resource::Cluster)
        });
        if let Some(refusal) = refusal {
            return Err(refusal);
        }
        let disabled = results.iter().find_map(|r| {
            r.as_ref()
                .err()
                .filter(|e| e.code == RDKafkaErrorCode::SecurityDisabled)
        });
        match disabled {
            Some(e) => Err(Error::new(
                crate::error::ErrorKind::Runtime,
                format!("{what}: {}", item_error(e.clone()).message),
            )
            .with_hint(NO_AUTHORIZER_HINT)),
            None => Ok(()),
        }
    }
}

impl Kafka {
    /// The ACLs matching `filter` (one DescribeAcls request; when it lists none, a
    /// DescribeCluster and maybe a DescribeConfigs, see [`Kafka::empty_acl_answer`]).
    pub async fn describe_acls(&self, filter: &AclFilter) -> Result<Vec<Acl>> {
        let what = "cannot list ACLs";
        let raw = filter.to_native();
        let (acls, rights) = self
            .blocking(what, move |admin, timeout| {
                let client = ClientRef::of(admin.inner());
                let acls = native::describe_acls(client, &raw, timeout)?;
                let rights = match acls.is_empty() {
                    true => Some(native::cluster_rights(client, timeout)?),
                    false => None,
                };
                Ok((acls, rights))
            })
            .await?
            .map_err(|e| self.acl_error(what, e, Operation::Describe))?;
        if let Some(rights) = rights {
            self.empty_acl_answer(what, rights).await?;
        }
        Ok(acls.into_iter().map(Acl::from_native).collect())
    }

    /// librdkafka 2.12 reads DescribeAcls' request-level error and drops it: a refusal and
    /// a cluster without an authorizer both list no ACLs. The caller's rights on the cluster
    /// (listing ACLs takes Describe, which Alter and All imply) tell a refusal; the brokers'
    /// `authorizer.class.name` a cluster without ACLs. Either is an error.
    async fn empty_acl_answer(&self, what: &str, rights: native::ClusterRights) -> Result<()> {
        if !rights.may_describe() {
            return Err(self.refusal(Operation::Describe, Resource::Cluster));
        }
        let Some(&broker) = rights.brokers.first() else {
            return Ok(());
        };
        // Not knowing (the caller may not read broker configs) is no error.
        if let Ok(Some(authorizer)) = self.broker_config(broker, "authorizer.class.name").await {
            if authorizer.trim().is_empty() {
                let cause = broker_error(RDKafkaErrorCode::SecurityDisabled, None);
                return Err(Error::new(cause.kind(), what)
                    .because(cause)
                    .with_hint(NO_AUTHORIZER_HINT));
            }
        }
        Ok(())
    }

    /// One config of one broker (empty where it has no value), `None` when the broker has
    /// no such config.
    async fn broker_config(&self, broker: i32, name: &str) -> Result<Option<String>> {
        let what = "cannot read the broker's configs";
        let specs = [rdkafka::admin::ResourceSpecifier::Broker(broker)];
        let opts = self.admin_options();
        let results = self
            .bounded(what, async {
                self.admin
                    .describe_configs(&specs, &opts)
                    .await
                    .map_err(|e| self.kafka_error(what, e))
            })
            .await?;
        let resource = results
            .into_iter()
            .next()
            .ok_or_else(|| Error::runtime(what))?
            .map_err(|code| Error::runtime(what).because(broker_error(code, None)))?;
        Ok(resource
            .entries
            .into_iter()
            .find(|e| e.name == name)
            .map(|e| e.value.unwrap_or_default()))
    }

    /// Creates the ACLs in one CreateAcls request; one result per ACL, in order.
    pub async fn create_acls(
        &self,
        acls: &[Acl],
    ) -> Result<Vec<(Acl, std::result::Result<(), BrokerError>)>> {
        let what = "cannot create ACLs";
        let raw: Vec<RawAcl> = acls.iter().map(Acl::to_native).collect();
        let results = self
            .blocking(what, move |admin, timeout| {
                native::create_acls(ClientRef::of(admin.inner()), &raw, timeout)
            })
            .await?
            .map_err(|e| self.acl_error(what, e, Operation::Alter))?;
        self.refused_items(what, &results)?;
        Ok(acls
            .iter()
            .cloned()
            .zip(results.into_iter().map(|r| r.map_err(item_error)))
            .collect())
    }

    /// Deletes the ACLs matching each filter (one DeleteAcls request); per filter, the ACLs it
    /// deleted or why it failed.
    pub async fn delete_acls(
        &self,
        filters: &[AclFilter],
    ) -> Result<Vec<std::result::Result<Vec<Acl>, BrokerError>>> {
        let what = "cannot delete ACLs";
        let raw: Vec<RawAcl> = filters.iter().map(AclFilter::to_native).collect();
        let results = self
            .blocking(what, move |admin, timeout| {
                native::delete_acls(ClientRef::of(admin.inner()), &raw, timeout)
            })
            .await?
            .map_err(|e| self.acl_error(what, e, Operation::Alter))?;
        self.refused_items(what, &results)?;
        Ok(results
            .into_iter()
            .map(|r| {
                r.map(|acls| acls.into_iter().map(Acl::from_native).collect())
                    .map_err(item_error)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_in_any_case_and_separator() {
        for name in [
            "IdempotentWrite",
            "idempotent-write",
            "IDEMPOTENT_WRITE",
            "idempotentwrite",
        ] {
            assert_eq!(name.parse(), Ok(AclOperation::IdempotentWrite), "{name}");
        }
        assert_eq!("describe".parse(), Ok(AclOperation::Describe));
        assert_eq!("CreateTokens".parse(), Ok(AclOperation::CreateTokens));
        assert_eq!(
            "transactional-id".parse(),
            Ok(ResourceType::TransactionalId)
        );
        assert_eq!("Prefixed".parse(), Ok(PatternType::Prefixed));
        let err = "Fly".parse::<AclOperation>().unwrap_err();
        assert!(
            err.starts_with("unknown operation 'Fly' (one of: all, read,"),
            "{err}"
        );
        assert!("unknown".parse::<AclOperation>().is_err());
        assert!(!AclOperation::CreateTokens.supported());
    }

    #[test]
    fn unknown_native_values_read_as_unknown() {
        use native::AclOperation as Op;
        assert_eq!(
            AclOperation::from(Op::RD_KAFKA_ACL_OPERATION_UNKNOWN),
            AclOperation::Unknown
        );
        assert_eq!(
            AclOperation::from(Op::RD_KAFKA_ACL_OPERATION_IDEMPOTENT_WRITE),
            AclOperation::IdempotentWrite
        );
        assert_eq!(
            ResourceType::from(native::ResourceType::RD_KAFKA_RESOURCE_BROKER),
            ResourceType::Cluster
        );
    }

    #[test]
    fn acls_read_back_from_their_json() {
        let acl = Acl {
            principal: "User:alice".into(),
            host: "*".into(),
            operation: AclOperation::IdempotentWrite,
            permission: AclPermission::Allow,
            resource_type: ResourceType::TransactionalId,
            name: "tx-".into(),
            pattern: PatternType::Prefixed,
        };
        let json = serde_json::to_value(&acl).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"principal": "User:alice", "host": "*",
                "operation": "idempotent_write", "permission": "allow",
                "resource_type": "transactional_id", "resource_name": "tx-",
                "pattern": "prefixed"})
        );
        assert_eq!(serde_json::from_value::<Acl>(json).unwrap(), acl);
        assert_eq!(Acl::from_native(acl.to_native()), acl);
        let unknown = Acl {
            operation: AclOperation::Unknown,
            ..acl.clone()
        };
        let filter = AclFilter::exact(&unknown);
        assert_eq!(filter.operation, AclOperation::Any);
        assert_eq!(filter.pattern, PatternType::Prefixed);
    }
}
