//! Tenants and their projects.

use scmp_common::time::Time;
use serde::{Deserialize, Serialize};

use crate::quota::{QuotaBody, ResourcesBody};
use utoipa::ToSchema;

/// `tenant_create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantCreate {
    /// Name: lower-case letters, digits and hyphens, starting with a letter.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Quota (none when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<ResourcesBody>,
    /// Countries (ISO 3166-1 alpha-2) the tenant's guests may run in; anywhere when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub countries: Option<Vec<String>>,
}

/// `tenant_update`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantUpdate {
    /// The new description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Countries the tenant's guests may run in (platform administrators only); `[]` for anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub countries: Option<Vec<String>>,
}

/// A tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
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

/// `tenant_update` and `project_update`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DescriptionUpdate {
    /// The new description.
    pub description: String,
}

/// `project_create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectCreate {
    /// Name, unique in the tenant.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Quota, taken from the tenant's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<ResourcesBody>,
}

/// A project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
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
