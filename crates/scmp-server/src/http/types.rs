//! The API's request and response bodies (what the OpenAPI document describes).

use scmp_common::time::{from_ms, Time};
use scmp_common::Resources;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Amounts of each counted resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourcesBody {
    /// Virtual CPUs.
    pub vcpus: u64,
    /// Memory in MiB.
    pub memory_mib: u64,
    /// Disk in GiB.
    pub disk_gib: u64,
    /// Guests.
    pub guests: u64,
}

impl From<Resources> for ResourcesBody {
    fn from(r: Resources) -> Self {
        Self {
            vcpus: r.vcpus,
            memory_mib: r.memory_mib,
            disk_gib: r.disk_gib,
            guests: r.guests,
        }
    }
}

impl From<ResourcesBody> for Resources {
    fn from(r: ResourcesBody) -> Self {
        Resources {
            vcpus: r.vcpus,
            memory_mib: r.memory_mib,
            disk_gib: r.disk_gib,
            guests: r.guests,
        }
    }
}

/// A quota: the limits, what is allocated (handed to projects, or reserved by guests) and what is used.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuotaBody {
    /// The quota.
    pub limits: ResourcesBody,
    /// Allocated from it.
    pub allocated: ResourcesBody,
    /// Used.
    pub used: ResourcesBody,
}

impl From<scmp_store::QuotaView> for QuotaBody {
    fn from(q: scmp_store::QuotaView) -> Self {
        Self {
            limits: q.limits.into(),
            allocated: q.allocated.into(),
            used: q.used.into(),
        }
    }
}

/// `tenant_create`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantCreate {
    /// Name: lower-case letters, digits and hyphens, starting with a letter.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Quota (none when left out).
    #[serde(default)]
    pub quota: Option<ResourcesBody>,
    /// Countries (ISO 3166-1 alpha-2) the tenant's guests may run in; anywhere when left out.
    #[serde(default)]
    pub countries: Option<Vec<String>>,
}

/// `tenant_update`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantUpdate {
    /// The new description.
    #[serde(default)]
    pub description: Option<String>,
    /// Countries the tenant's guests may run in (platform administrators only); `[]` for anywhere.
    #[serde(default)]
    pub countries: Option<Vec<String>>,
}

/// A tenant.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TenantView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description (absent when none was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Quota.
    pub quota: QuotaBody,
    /// Countries its guests may run in (empty: anywhere).
    pub countries: Vec<String>,
    /// Created.
    pub created_at: Time,
}

/// A free text as the API shows it: absent when empty.
pub fn text(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// `project_create`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectCreate {
    /// Name, unique in the tenant.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Quota, taken from the tenant's.
    #[serde(default)]
    pub quota: Option<ResourcesBody>,
}

/// A project.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectView {
    /// Id.
    pub id: String,
    /// Its tenant.
    pub tenant_id: String,
    /// Name.
    pub name: String,
    /// Description (absent when none was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Quota.
    pub quota: QuotaBody,
    /// Created.
    pub created_at: Time,
}

impl From<scmp_store::Project> for ProjectView {
    fn from(p: scmp_store::Project) -> Self {
        Self {
            id: p.id.to_string(),
            tenant_id: p.tenant_id.to_string(),
            name: p.name.to_string(),
            quota: p.quota().into(),
            description: text(p.description),
            created_at: from_ms(p.created_at),
        }
    }
}

/// `tenant_update` and `project_update`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DescriptionUpdate {
    /// The new description.
    pub description: String,
}

/// A page of a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Pass as `page_token` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

super::paging::list_query! {
    /// `?limit=&page_token=`.
    PageQuery {}
}

/// Who am I.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeView {
    /// User id.
    pub id: String,
    /// User name.
    pub name: String,
    /// The user's tenant (absent for platform staff).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// The credential in use.
    pub credential: String,
    /// Roles and their scopes (`platform`, `tenant/<id>`, `project/<id>`).
    pub roles: Vec<RoleView>,
}

/// A role on a scope.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoleView {
    /// Role name.
    pub role: String,
    /// Scope.
    pub scope: String,
}

/// `token_create`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenCreate {
    /// A name to recognise it by.
    pub name: String,
    /// When it expires (RFC 3339); never when left out.
    #[serde(default)]
    pub expires_at: Option<Time>,
}

/// A token (its secret only in the answer to `token_create`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// When it expires (absent: never).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Time>,
    /// Created.
    pub created_at: Time,
    /// The bearer token: shown once, when created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// Who acted, as they were when the entry was written.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditActorView {
    /// The user's id (`anonymous` before a login is checked).
    pub id: String,
    /// The user's name then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where the user was defined (`local`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// The user's tenant then (absent for platform staff).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
}

/// The credential an entry's request was made with (never its secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditCredentialView {
    /// `token`, `session`, `password` (a login) or `workflow` (what the platform did for the
    /// request; `id` is then the operation).
    pub kind: String,
    /// The credential's (or operation's) id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its name: a token's name, `login` for a session, the operation's kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// An audit entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntryView {
    /// Position in the hash chain.
    pub seq: i64,
    /// When it was written.
    pub time: Time,
    /// Request id.
    pub request_id: String,
    /// `begin` (before acting) or `end` (after).
    pub phase: String,
    /// The real end user.
    pub actor: AuditActorView,
    /// How they authenticated.
    pub credential: AuditCredentialView,
    /// Source address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Operation id.
    pub operation: String,
    /// Target.
    pub target: String,
    /// The tenant concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// `pending`, `ok` or `error`.
    pub result: String,
    /// The error, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// This entry's hash.
    pub hash: String,
}

impl From<scmp_store::AuditEntry> for AuditEntryView {
    fn from(e: scmp_store::AuditEntry) -> Self {
        let r = e.record;
        Self {
            seq: e.seq,
            time: from_ms(e.time_ms),
            request_id: r.request_id,
            phase: r.phase.to_string(),
            actor: AuditActorView {
                id: r.actor,
                name: text(r.identity.name),
                realm: text(r.identity.realm),
                tenant: text(r.identity.tenant),
            },
            credential: AuditCredentialView {
                kind: r.auth_method,
                id: text(r.credential),
                name: text(r.credential_name),
            },
            source: text(r.source),
            operation: r.operation,
            target: r.target,
            tenant_id: r.tenant_id.map(|t| t.to_string()),
            result: r.result,
            error: text(r.error),
            hash: e.hash,
        }
    }
}
