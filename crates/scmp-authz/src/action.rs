//! The actions of the API: one per operation id, and the kind of resource each is checked against.

use std::fmt;

/// What a resource must be for an action to apply to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The platform (list and create tenants, sites, users).
    Platform,
    /// A tenant (view it, list and create its projects).
    Tenant,
    /// A project (view it, its guests).
    Project,
}

macro_rules! actions {
    ($($variant:ident => $id:literal, $target:ident;)*) => {
        /// An operation of the API, named by its operation id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $(
                #[doc = concat!("`", $id, "`")]
                $variant,
            )*
        }

        impl Action {
            /// Every action.
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            /// The operation id.
            pub fn id(self) -> &'static str {
                match self {
                    $(Action::$variant => $id,)*
                }
            }

            /// The action of an operation id.
            pub fn from_id(id: &str) -> Option<Action> {
                match id {
                    $($id => Some(Action::$variant),)*
                    _ => None,
                }
            }

            /// The kind of resource the action is checked against.
            pub fn target(self) -> Target {
                match self {
                    $(Action::$variant => Target::$target,)*
                }
            }
        }
    };
}

actions! {
    TenantList => "tenant_list", Platform;
    TenantCreate => "tenant_create", Platform;
    TenantView => "tenant_view", Tenant;
    TenantUpdate => "tenant_update", Tenant;
    TenantDelete => "tenant_delete", Tenant;
    TenantQuotaView => "tenant_quota_view", Tenant;
    TenantQuotaUpdate => "tenant_quota_update", Tenant;
    ProjectList => "project_list", Tenant;
    ProjectCreate => "project_create", Tenant;
    ProjectView => "project_view", Project;
    ProjectUpdate => "project_update", Project;
    ProjectDelete => "project_delete", Project;
    ProjectQuotaView => "project_quota_view", Project;
    ProjectQuotaUpdate => "project_quota_update", Project;
    UserList => "user_list", Tenant;
    UserCreate => "user_create", Tenant;
    RoleBindingList => "role_binding_list", Tenant;
    RoleBindingCreate => "role_binding_create", Tenant;
    SiteList => "site_list", Platform;
    SiteCreate => "site_create", Platform;
    SiteView => "site_view", Platform;
    SiteDelete => "site_delete", Platform;
    ClusterList => "cluster_list", Platform;
    ClusterCreate => "cluster_create", Platform;
    ClusterView => "cluster_view", Platform;
    ClusterDelete => "cluster_delete", Platform;
    ClusterUpdate => "cluster_update", Platform;
    AgentList => "agent_list", Platform;
    AgentEnroll => "agent_enroll", Platform;
    AgentRevoke => "agent_revoke", Platform;
    HostList => "host_list", Platform;
    HostView => "host_view", Platform;
    HostMaintenance => "host_maintenance", Platform;
    CatalogView => "catalog_view", Platform;
    CatalogManage => "catalog_manage", Platform;
    AuditList => "audit_list", Tenant;
    AuditPlatformList => "audit_platform_list", Platform;
    GuestList => "guest_list", Project;
    GuestCreate => "guest_create", Project;
    GuestView => "guest_view", Project;
    GuestOperate => "guest_operate", Project;
    NetworkView => "network_view", Project;
    NetworkManage => "network_manage", Project;
    SiteNetworkManage => "site_network_manage", Platform;
    PlatformUserManage => "platform_user_manage", Platform;
    MeView => "me_view", Platform;
    TokenManageOwn => "token_manage_own", Platform;
    MfaManageOwn => "mfa_manage_own", Platform;
    PlatformSettingsView => "platform_settings_view", Platform;
    PlatformSettingsUpdate => "platform_settings_update", Platform;
    PolicyManage => "policy_manage", Tenant;
    PlatformPolicyManage => "platform_policy_manage", Platform;
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}
