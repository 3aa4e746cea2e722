//! Tenants and their projects.

use scmp_common::time::Time;
use scmp_common::{Country, Name, ProjectId, TenantId};
use serde::{Deserialize, Serialize};

use crate::quota::{QuotaBody, ResourcesBody};
use utoipa::ToSchema;

/// `tenant_create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantCreate {
    /// Name: lower-case letters, digits and hyphens, starting with a letter.
    pub name: Name,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Quota (none when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<ResourcesBody>,
    /// Countries (ISO 3166-1 alpha-2) the tenant's guests may run in; anywhere when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub countries: Option<Vec<Country>>,
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
    pub countries: Option<Vec<Country>>,
    /// Whether its users must have a second factor (a password login of one who has none may
    /// only set one up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_mfa: Option<bool>,
}

/// A tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TenantView {
    /// Id.
    pub id: TenantId,
    /// Name.
    pub name: Name,
    /// Description (absent when none was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Quota.
    pub quota: QuotaBody,
    /// Countries its guests may run in (empty: anywhere).
    pub countries: Vec<Country>,
    /// Its users must have a second factor.
    #[serde(default)]
    pub require_mfa: bool,
    /// Labels (key to value), which governance policies read.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub labels: std::collections::BTreeMap<String, String>,
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

/// `tenant_labels_update`, `project_labels_update`: the labels, all of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabelsBody {
    /// Key to value: keys of lower-case letters, digits and `. _ / -`, values of letters, digits
    /// and `. _ -`; at most 32.
    pub labels: std::collections::BTreeMap<String, String>,
}

/// `project_create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectCreate {
    /// Name, unique in the tenant.
    pub name: Name,
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
    pub id: ProjectId,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// Name.
    pub name: Name,
    /// Description (absent when none was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Quota.
    pub quota: QuotaBody,
    /// Labels (key to value), which governance policies read.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub labels: std::collections::BTreeMap<String, String>,
    /// Created.
    pub created_at: Time,
}
