//! Roles, their scopes, and the role-to-action table (the permission matrix; its whole outcome is a
//! golden file checked by `tests/matrix.rs`).

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

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

    /// What the role is for.
    pub fn description(self) -> &'static str {
        match self {
            Role::PlatformAdmin => "Everything, everywhere.",
            Role::PlatformOperator => {
                "Runs the infrastructure: sites, clusters, agents and hosts; sees tenants and their quotas."
            }
            Role::Auditor => "Reads everything, including the audit log; changes nothing.",
            Role::TenantAdmin => "Runs a tenant: its projects, quotas, users and role bindings.",
            Role::TenantAuditor => "Reads a tenant and its audit log.",
            Role::ProjectAdmin => "Runs a project and its guests.",
            Role::Member => "Works with a project's guests.",
            Role::Viewer => "Reads a project and its guests.",
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
                NetworkView,
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
                NetworkView,
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
                NetworkView,
                NetworkManage,
                PolicyManage,
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
                NetworkView,
            ],
            Role::ProjectAdmin => &[
                ProjectView,
                ProjectUpdate,
                ProjectQuotaView,
                GuestList,
                GuestCreate,
                GuestView,
                GuestOperate,
                NetworkView,
                NetworkManage,
            ],
            Role::Member => &[
                ProjectView,
                ProjectQuotaView,
                GuestList,
                GuestCreate,
                GuestView,
                GuestOperate,
                NetworkView,
            ],
            Role::Viewer => &[
                ProjectView,
                ProjectQuotaView,
                GuestList,
                GuestView,
                NetworkView,
            ],
        }
    }

    /// The scope level the role is bound at.
    pub fn level(self) -> Level {
        match self {
            Role::PlatformAdmin | Role::PlatformOperator | Role::Auditor => Level::Platform,
            Role::TenantAdmin | Role::TenantAuditor => Level::Tenant,
            Role::ProjectAdmin | Role::Member | Role::Viewer => Level::Project,
        }
    }
}

/// The kind of scope a role is bound on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// The platform.
    Platform,
    /// A tenant.
    Tenant,
    /// A project.
    Project,
}

impl Level {
    /// Every level.
    pub const ALL: [Level; 3] = [Level::Platform, Level::Tenant, Level::Project];

    /// As the API writes it.
    pub fn name(self) -> &'static str {
        match self {
            Level::Platform => "platform",
            Level::Tenant => "tenant",
            Level::Project => "project",
        }
    }

    /// Whether a scope is of this level.
    pub fn fits(self, scope: &Scope) -> bool {
        matches!(
            (self, scope),
            (Level::Platform, Scope::Platform)
                | (Level::Tenant, Scope::Tenant(_))
                | (Level::Project, Scope::Project(..))
        )
    }

    /// Whether a role of this level can grant the action: only actions on the scope's own kind
    /// of resource or on what lies inside it (a project role cannot reach its tenant).
    pub fn reaches(self, action: Action) -> bool {
        use crate::action::Target;
        match self {
            Level::Platform => true,
            Level::Tenant => matches!(action.target(), Target::Tenant | Target::Project),
            Level::Project => action.target() == Target::Project,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Level::ALL
            .into_iter()
            .find(|l| l.name() == s)
            .ok_or_else(|| format!("unknown level '{s}' (platform, tenant or project)"))
    }
}

/// A role defined by an administrator: a named set of actions, bound at one level.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CustomRole {
    /// Its name.
    pub name: String,
    /// Where it is bound.
    pub level: Level,
    /// What it grants there.
    pub actions: BTreeSet<Action>,
}

/// What a binding grants: a built-in role or a custom one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Grant {
    /// A built-in role.
    Builtin(Role),
    /// A custom role (shared: every binding of it holds the same definition).
    Custom(Arc<CustomRole>),
}

impl Grant {
    /// The role's name.
    pub fn name(&self) -> &str {
        match self {
            Grant::Builtin(r) => r.name(),
            Grant::Custom(c) => &c.name,
        }
    }

    /// Where the role is bound.
    pub fn level(&self) -> Level {
        match self {
            Grant::Builtin(r) => r.level(),
            Grant::Custom(c) => c.level,
        }
    }

    /// Whether the role grants the action (on its scope and everything inside it).
    pub fn grants(&self, action: Action) -> bool {
        match self {
            Grant::Builtin(r) => r.actions().contains(&action),
            Grant::Custom(c) => c.actions.contains(&action) && c.level.reaches(action),
        }
    }
}

impl From<Role> for Grant {
    fn from(r: Role) -> Self {
        Grant::Builtin(r)
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

impl Scope {
    /// The scope a binding's tenant and project name; `None` for a project without its tenant.
    pub fn of(tenant: Option<TenantId>, project: Option<ProjectId>) -> Option<Scope> {
        match (tenant, project) {
            (None, None) => Some(Scope::Platform),
            (Some(t), None) => Some(Scope::Tenant(t)),
            (Some(t), Some(p)) => Some(Scope::Project(t, p)),
            (None, Some(_)) => None,
        }
    }
}

/// A role on a scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoleBinding {
    /// The role.
    pub role: Grant,
    /// Its scope.
    pub scope: Scope,
}

impl RoleBinding {
    /// A built-in role on a scope.
    pub fn builtin(role: Role, scope: Scope) -> RoleBinding {
        RoleBinding {
            role: Grant::Builtin(role),
            scope,
        }
    }

    /// A binding as stored (a role's name, and the tenant and project of its scope), when the
    /// policy engine understands it: unknown or malformed bindings grant nothing. `custom` is
    /// the definition of a custom role of that name, when the name is one.
    pub fn from_stored(
        role: &str,
        custom: Option<Arc<CustomRole>>,
        tenant: Option<TenantId>,
        project: Option<ProjectId>,
    ) -> Option<RoleBinding> {
        let role = match custom {
            Some(c) if c.name == role => Grant::Custom(c),
            Some(_) => return None,
            None => Grant::Builtin(role.parse().ok()?),
        };
        let binding = RoleBinding {
            role,
            scope: Scope::of(tenant, project)?,
        };
        binding.is_well_formed().then_some(binding)
    }

    /// Whether the role may be bound at that scope (a project role on a project, ...).
    pub fn is_well_formed(&self) -> bool {
        self.role.level().fits(&self.scope)
    }
}
