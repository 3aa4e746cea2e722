//! Roles, their scopes, and the role-to-action table (the permission matrix; its whole outcome is a
//! golden file checked by `tests/matrix.rs`).

use std::fmt;
use std::str::FromStr;

use scmp_common::{ProjectId, TenantId};

use crate::action::Action::{self, *};

/// A role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Everything, everywhere.
    PlatformAdmin,
    /// Runs the infrastructure: sites and clusters; sees tenants and their quotas.
    PlatformOperator,
    /// Reads everything, including the audit log; changes nothing.
    Auditor,
    /// Runs a tenant: its projects, quotas, users and role bindings.
    TenantAdmin,
    /// Reads a tenant and its audit log.
    TenantAuditor,
    /// Runs a project and its guests.
    ProjectAdmin,
    /// Works with a project's guests.
    Member,
    /// Reads a project and its guests.
    Viewer,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 8] = [
        Role::PlatformAdmin,
        Role::PlatformOperator,
        Role::Auditor,
        Role::TenantAdmin,
        Role::TenantAuditor,
        Role::ProjectAdmin,
        Role::Member,
        Role::Viewer,
    ];

    /// The role's name in the API.
    pub fn name(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "platform-admin",
            Role::PlatformOperator => "platform-operator",
            Role::Auditor => "auditor",
            Role::TenantAdmin => "tenant-admin",
            Role::TenantAuditor => "tenant-auditor",
            Role::ProjectAdmin => "project-admin",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    /// The principal attribute holding the scopes of this role.
    pub(crate) fn attribute(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "platform_admin",
            Role::PlatformOperator => "platform_operator",
            Role::Auditor => "auditor",
            Role::TenantAdmin => "tenant_admin",
            Role::TenantAuditor => "tenant_auditor",
            Role::ProjectAdmin => "project_admin",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    /// The actions the role grants on its scope and everything inside it.
    pub fn actions(self) -> &'static [Action] {
        match self {
            Role::PlatformAdmin => Action::ALL,
            Role::PlatformOperator => &[
                TenantList,
                TenantView,
                TenantQuotaView,
                ProjectList,
                ProjectView,
                ProjectQuotaView,
                SiteList,
                SiteCreate,
                SiteView,
                SiteDelete,
                ClusterList,
                ClusterCreate,
                ClusterView,
                ClusterDelete,
                ClusterUpdate,
                AgentList,
                AgentRevoke,
                HostList,
                HostView,
                HostMaintenance,
                GuestList,
                GuestView,
                PlatformSettingsView,
            ],
            Role::Auditor => &[
                TenantList,
                TenantView,
                TenantQuotaView,
                ProjectList,
                ProjectView,
                ProjectQuotaView,
                UserList,
                RoleBindingList,
                SiteList,
                SiteView,
                ClusterList,
                ClusterView,
                AgentList,
                HostList,
                HostView,
                AuditList,
                AuditPlatformList,
                GuestList,
                GuestView,
                PlatformSettingsView,
            ],
            Role::TenantAdmin => &[
                TenantView,
                TenantQuotaView,
                ProjectList,
                ProjectCreate,
                ProjectView,
                ProjectUpdate,
                ProjectDelete,
                ProjectQuotaView,
                ProjectQuotaUpdate,
                UserList,
                UserCreate,
                RoleBindingList,
                RoleBindingCreate,
                AuditList,
                GuestList,
                GuestCreate,
                GuestView,
                GuestOperate,
            ],
            Role::TenantAuditor => &[
                TenantView,
                TenantQuotaView,
                ProjectList,
                ProjectView,
                ProjectQuotaView,
                AuditList,
                GuestList,
                GuestView,
            ],
            Role::ProjectAdmin => &[
                ProjectView,
                ProjectUpdate,
                ProjectQuotaView,
                GuestList,
                GuestCreate,
                GuestView,
                GuestOperate,
            ],
            Role::Member => &[
                ProjectView,
                ProjectQuotaView,
                GuestList,
                GuestCreate,
                GuestView,
                GuestOperate,
            ],
            Role::Viewer => &[ProjectView, ProjectQuotaView, GuestList, GuestView],
        }
    }

    /// The scope level the role is bound at.
    pub fn level(self) -> &'static str {
        match self {
            Role::PlatformAdmin | Role::PlatformOperator | Role::Auditor => "platform",
            Role::TenantAdmin | Role::TenantAuditor => "tenant",
            Role::ProjectAdmin | Role::Member | Role::Viewer => "project",
        }
    }
}

/// Actions every signed-in user holds on the platform. Sites are listed to everyone: they are where a
/// guest may be asked to run, and their names and countries are no secret.
pub(crate) const SELF_ACTIONS: &[Action] =
    &[MeView, TokenManageOwn, MfaManageOwn, CatalogView, SiteList];

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A role name that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role '{0}'")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.name() == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

/// Where a role applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The whole platform.
    Platform,
    /// One tenant and its projects.
    Tenant(TenantId),
    /// One project.
    Project(TenantId, ProjectId),
}

/// A role on a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RoleBinding {
    /// The role.
    pub role: Role,
    /// Its scope.
    pub scope: Scope,
}

impl RoleBinding {
    /// A binding as stored (a role's name, and the tenant and project of its scope), when the
    /// policy engine understands it: unknown or malformed bindings grant nothing.
    pub fn from_stored(
        role: &str,
        tenant: Option<TenantId>,
        project: Option<ProjectId>,
    ) -> Option<RoleBinding> {
        let role: Role = role.parse().ok()?;
        let scope = match (tenant, project) {
            (None, None) => Scope::Platform,
            (Some(t), None) => Scope::Tenant(t),
            (Some(t), Some(p)) => Scope::Project(t, p),
            (None, Some(_)) => return None,
        };
        let binding = RoleBinding { role, scope };
        binding.is_well_formed().then_some(binding)
    }

    /// Whether the role may be bound at that scope (a project role on a project, ...).
    pub fn is_well_formed(&self) -> bool {
        matches!(
            (self.role.level(), self.scope),
            ("platform", Scope::Platform)
                | ("tenant", Scope::Tenant(_))
                | ("project", Scope::Project(..))
        )
    }
}
