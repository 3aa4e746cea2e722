//! The API's request and response bodies (what the OpenAPI document describes).

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
    /// Description.
    pub description: String,
    /// Quota.
    pub quota: QuotaBody,
    /// Countries its guests may run in (empty: anywhere).
    pub countries: Vec<String>,
    /// Created (milliseconds since the Unix epoch).
    pub created_at: i64,
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
    /// Description.
    pub description: String,
    /// Quota.
    pub quota: QuotaBody,
    /// Created (milliseconds since the Unix epoch).
    pub created_at: i64,
}

impl From<scmp_store::Project> for ProjectView {
    fn from(p: scmp_store::Project) -> Self {
        Self {
            id: p.id.to_string(),
            tenant_id: p.tenant_id.to_string(),
            name: p.name.to_string(),
            description: p.description.clone(),
            quota: p.quota().into(),
            created_at: p.created_at,
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

/// `?limit=&page_token=`.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// At most this many items (1..1000, default 100).
    pub limit: Option<u32>,
    /// From a previous page's `next_page_token`.
    pub page_token: Option<String>,
}

impl PageQuery {
    /// The limit, checked.
    pub fn limit(&self) -> Result<u32, crate::error::Problem> {
        match self.limit {
            None => Ok(100),
            Some(n) if (1..=1000).contains(&n) => Ok(n),
            Some(_) => Err(crate::error::Problem::invalid(
                "limit",
                "must be between 1 and 1000",
            )),
        }
    }
}

/// Who am I.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeView {
    /// User id.
    pub id: String,
    /// User name.
    pub name: String,
    /// The user's tenant, if any.
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
    /// Expiry (milliseconds since the Unix epoch); none for no expiry.
    #[serde(default)]
    pub expires_at: Option<i64>,
}

/// A token (its secret only in the answer to `token_create`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Expiry.
    pub expires_at: Option<i64>,
    /// Created.
    pub created_at: i64,
    /// The bearer token: shown once, when created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// An audit entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntryView {
    /// Position in the hash chain.
    pub seq: i64,
    /// Time (milliseconds since the Unix epoch).
    pub time_ms: i64,
    /// Request id.
    pub request_id: String,
    /// `begin` (before acting) or `end` (after).
    pub phase: String,
    /// The real end user.
    pub actor: String,
    /// How they authenticated.
    pub auth_method: String,
    /// The credential used.
    pub credential: String,
    /// Source address.
    pub source: String,
    /// Operation id.
    pub operation: String,
    /// Target.
    pub target: String,
    /// `pending`, `ok` or `error`.
    pub result: String,
    /// The error, if any.
    pub error: String,
    /// This entry's hash.
    pub hash: String,
}

impl From<scmp_store::AuditEntry> for AuditEntryView {
    fn from(e: scmp_store::AuditEntry) -> Self {
        Self {
            seq: e.seq,
            time_ms: e.time_ms,
            request_id: e.record.request_id,
            phase: e.record.phase.to_string(),
            actor: e.record.actor,
            auth_method: e.record.auth_method,
            credential: e.record.credential,
            source: e.record.source,
            operation: e.record.operation,
            target: e.record.target,
            result: e.record.result,
            error: e.record.error,
            hash: e.hash,
        }
    }
}
