//! Security groups: a project's firewall group at a site (a Proxmox VE cluster firewall group
//! on each of the site's clusters), its rules, and which guests are in it. A guest in groups
//! takes inbound traffic only from the guests of its groups and what their rules allow, and
//! sends anything out.

use scmp_common::time::Time;
use scmp_common::{Direction, Name, ProjectId, Protocol, SecurityGroupId, SiteId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One rule: traffic it lets through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityRule {
    /// `in` (to the group's guests) or `out` (from them).
    pub direction: Direction,
    /// `any`, `tcp`, `udp`, `icmp` or `icmpv6`.
    pub protocol: Protocol,
    /// Destination ports, TCP and UDP only: `22`, `80,443`, `8000-8100` (none: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<String>,
    /// The other side as networks or addresses, all IPv4 or all IPv6 (with neither this nor
    /// `group`: any address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidrs: Option<Vec<String>>,
    /// The other side as the guests of another security group of the project at the site, by
    /// name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// What it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `security_group_create`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroupCreate {
    /// Name, unique in the project (guests name it).
    pub name: Name,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The site it is at (by name).
    pub site: String,
    /// Its rules (up to 100); inbound traffic from the group's own guests is always let in.
    #[serde(default)]
    pub rules: Vec<SecurityRule>,
}

/// `security_group_update`: the group's rules (all of them) and description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroupUpdate {
    /// Description (none: unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The rules that replace the group's.
    pub rules: Vec<SecurityRule>,
}

/// A security group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SecurityGroupView {
    /// Id.
    pub id: SecurityGroupId,
    /// Name.
    pub name: Name,
    /// Description.
    pub description: String,
    /// Its project.
    pub project_id: ProjectId,
    /// Its site.
    pub site_id: SiteId,
    /// Its name on Proxmox (the tenant's prefix first).
    pub pve_name: String,
    /// Its rules.
    pub rules: Vec<SecurityRule>,
    /// The guests in it, by name.
    pub guests: Vec<String>,
    /// `creating`, `ready`, `updating`, `deleting` or `failed`.
    pub state: String,
    /// Why its last change failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What the last look at the site's clusters found different on Proxmox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift: Option<String>,
    /// Made at.
    pub created_at: Time,
    /// Last changed at.
    pub updated_at: Time,
}

/// `guest_security_groups_set`: the groups a guest is in (all of them; empty: none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuestSecurityGroups {
    /// The groups, by name, at the guest's site.
    pub security_groups: Vec<String>,
}
