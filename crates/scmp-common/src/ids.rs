//! Typed UUIDs, one type per resource, so a project id can never be passed where a tenant id belongs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident;)*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
            #[serde(transparent)]
            pub struct $name(Uuid);

            impl utoipa::PartialSchema for $name {
                fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                    utoipa::openapi::ObjectBuilder::new()
                        .schema_type(utoipa::openapi::schema::Type::String)
                        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                            utoipa::openapi::KnownFormat::Uuid,
                        )))
                        .into()
                }
            }

            impl utoipa::ToSchema for $name {}

            impl $name {
                /// A new random id.
                pub fn new() -> Self {
                    Self(Uuid::new_v4())
                }

                /// The UUID.
                pub fn uuid(&self) -> Uuid {
                    self.0
                }
            }

            impl Default for $name {
                fn default() -> Self {
                    Self::new()
                }
            }

            impl fmt::Display for $name {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    self.0.hyphenated().fmt(f)
                }
            }

            impl FromStr for $name {
                type Err = uuid::Error;
                fn from_str(s: &str) -> Result<Self, Self::Err> {
                    Uuid::parse_str(s).map(Self)
                }
            }

            impl From<Uuid> for $name {
                fn from(u: Uuid) -> Self {
                    Self(u)
                }
            }
        )*
    };
}

typed_id! {
    /// A tenant (business unit).
    TenantId;
    /// A project within a tenant.
    ProjectId;
    /// A guest (VM or container).
    GuestId;
    /// An operation (the user-visible record of a workflow).
    OperationId;
    /// An edge site.
    SiteId;
    /// A Proxmox VE cluster registered at a site.
    ClusterId;
    /// A user.
    UserId;
    /// A group of users.
    GroupId;
    /// A catalog image.
    ImageId;
    /// A catalog instance type.
    InstanceTypeId;
    /// A role binding (to a user or a group).
    RoleBindingId;
    /// A site agent, enrolled with a join token.
    AgentId;
    /// A single-use join token for a site's agent.
    JoinTokenId;
    /// An authentication realm (a directory or an OpenID provider).
    RealmId;
    /// A custom role.
    RoleId;
    /// A governance policy.
    PolicyId;
    /// A tenant network.
    NetworkId;
    /// A subnet of a tenant network.
    SubnetId;
    /// A site's pool of public addresses.
    PublicPoolId;
    /// A public address held by a project.
    PublicAddressId;
    /// A project's security group.
    SecurityGroupId;
}

/// An API token or login session: its id is the first part of the bearer text
/// (`scmp_<id>_<secret>`), 32 lower-case hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CredentialId(Uuid);

impl CredentialId {
    /// A new random id.
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }
}

impl From<Uuid> for CredentialId {
    fn from(u: Uuid) -> Self {
        Self(u)
    }
}

impl Default for CredentialId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for CredentialId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.simple().fmt(f)
    }
}

impl FromStr for CredentialId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 32 {
            // The simple form only: 32 hex digits, no hyphens.
            return Uuid::parse_str("-").map(Self);
        }
        Uuid::try_parse(s).map(Self)
    }
}

impl Serialize for CredentialId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CredentialId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for CredentialId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[0-9a-f]{32}$"))
            .description(Some("A token or session id: 32 hex digits"))
            .into()
    }
}

impl utoipa::ToSchema for CredentialId {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_ids_are_simple_hex() {
        let id = CredentialId::new();
        let text = id.to_string();
        assert_eq!(text.len(), 32);
        assert_eq!(text.parse::<CredentialId>().unwrap(), id);
        assert!("0123".parse::<CredentialId>().is_err());
        assert!(uuid::Uuid::new_v4()
            .to_string()
            .parse::<CredentialId>()
            .is_err());
    }

    #[test]
    fn round_trip() {
        let id = TenantId::new();
        assert_eq!(id.to_string().parse::<TenantId>().unwrap(), id);
        assert!("not-a-uuid".parse::<ProjectId>().is_err());
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<TenantId>(&json).unwrap(), id);
    }
}
