//! Roles: the built-in ones and custom roles, named sets of the platform's actions (operation ids
//! such as `guest_operate`) that administrators define for the platform or for one tenant.

use scmp_common::time::Time;
use scmp_common::{Name, RoleId, TenantId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a role is bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RoleLevel {
    /// On the platform: its actions apply everywhere.
    Platform,
    /// On a tenant: to the tenant and its projects.
    Tenant,
    /// On a project.
    Project,
}

/// `role_create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleCreate {
    /// Name, unique on the platform; not a built-in role's.
    pub name: Name,
    /// Where the role is bound.
    pub level: RoleLevel,
    /// The tenant whose role this is (id or name); absent for a platform role. A tenant's role
    /// is bound only inside it, at the tenant or project level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// What the role is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The actions it grants (operation ids, e.g. `guest_operate`); only ones the creator holds
    /// where the role can be bound, and only ones on the role's level or inside it.
    pub actions: Vec<String>,
}

/// `role_update`: what is given replaces what was there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleUpdate {
    /// A new description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The new actions (all of them); every binding of the role grants them from then on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<String>>,
}

/// A role: built-in, or custom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoleDefinition {
    /// Name (what role bindings name).
    pub name: String,
    /// Whether the role is built in (it cannot be changed).
    pub builtin: bool,
    /// A custom role's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<RoleId>,
    /// Where it is bound.
    pub level: RoleLevel,
    /// The tenant of a tenant's custom role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<TenantId>,
    /// What it is for.
    pub description: String,
    /// The actions it grants, sorted.
    pub actions: Vec<String>,
    /// When a custom role was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Time>,
    /// When a custom role last changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Time>,
}
