//! Where HA resources may run: HA groups (PVE 8; migrated to rules and refused on PVE 9) and HA
//! rules (PVE 9: node affinity, and resource affinity keeping resources together or apart).

use serde::{Deserialize, Serialize};

use crate::endpoint::{ApiRequest, Endpoint, HttpMethod::*, ParamsError};
use crate::perl;

/// `GET /cluster/ha/groups`.
pub const GROUPS_LIST: Endpoint = Endpoint::new(Get, "/cluster/ha/groups");
/// `POST /cluster/ha/groups`.
pub const GROUP_CREATE: Endpoint = Endpoint::new(Post, "/cluster/ha/groups");
/// `DELETE /cluster/ha/groups/{group}`.
pub const GROUP_DELETE: Endpoint = Endpoint::new(Delete, "/cluster/ha/groups/{group}");
/// `GET /cluster/ha/rules` (PVE 9).
pub const RULES_LIST: Endpoint = Endpoint::new(Get, "/cluster/ha/rules");
/// `POST /cluster/ha/rules` (PVE 9).
pub const RULE_CREATE: Endpoint = Endpoint::new(Post, "/cluster/ha/rules");
/// `PUT /cluster/ha/rules/{rule}` (PVE 9).
pub const RULE_UPDATE: Endpoint = Endpoint::new(Put, "/cluster/ha/rules/{rule}");
/// `DELETE /cluster/ha/rules/{rule}` (PVE 9).
pub const RULE_DELETE: Endpoint = Endpoint::new(Delete, "/cluster/ha/rules/{rule}");

/// An HA group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HaGroup {
    /// Its id.
    pub group: String,
    /// `node[:priority]` entries.
    #[serde(default)]
    pub nodes: String,
    /// Resources run on the group's nodes only.
    #[serde(default, deserialize_with = "perl::deserialize_opt_bool")]
    pub restricted: Option<bool>,
    /// Resources do not move back to a higher-priority node.
    #[serde(default, deserialize_with = "perl::deserialize_opt_bool")]
    pub nofailback: Option<bool>,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// Create an HA group.
#[derive(Debug, Clone, Serialize)]
pub struct HaGroupCreate {
    /// Its id.
    pub group: String,
    /// `node[:priority]` entries.
    pub nodes: String,
    /// Resources run on the group's nodes only.
    pub restricted: bool,
    /// Resources do not move back to a higher-priority node.
    pub nofailback: bool,
    /// Comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// The type of an HA rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HaRuleType {
    /// Which nodes resources prefer or are bound to.
    NodeAffinity,
    /// Resources kept together or apart.
    ResourceAffinity,
}

/// Whether resources of a resource affinity rule are kept together or apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HaAffinity {
    /// On the same node.
    Positive,
    /// On separate nodes.
    Negative,
}

/// An HA rule as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HaRule {
    /// Its id.
    pub rule: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: HaRuleType,
    /// `vm:100,ct:101`.
    #[serde(default)]
    pub resources: String,
    /// [node-affinity] `node[:priority]` entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes: Option<String>,
    /// [node-affinity] Bound to the nodes.
    #[serde(default, deserialize_with = "perl::deserialize_opt_bool")]
    pub strict: Option<bool>,
    /// [resource-affinity] Together or apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<HaAffinity>,
    /// Kept but not applied.
    #[serde(default, deserialize_with = "perl::deserialize_opt_bool")]
    pub disable: Option<bool>,
    /// The rules file's digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl HaRule {
    /// The resources it covers.
    pub fn resource_list(&self) -> Vec<&str> {
        self.resources
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// Create an HA rule.
#[derive(Debug, Clone, Serialize)]
pub struct HaRuleCreate {
    /// Its id.
    pub rule: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: HaRuleType,
    /// `vm:100,ct:101`.
    pub resources: String,
    /// [node-affinity] `node[:priority]` entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nodes: Option<String>,
    /// [node-affinity] Bound to the nodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
    /// [resource-affinity] Together or apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affinity: Option<HaAffinity>,
    /// Comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// Change an HA rule's resources (or nodes), guarded by the digest read with it.
#[derive(Debug, Clone, Serialize)]
pub struct HaRuleUpdate {
    /// Its type (PVE asks for it on every change).
    #[serde(rename = "type")]
    pub kind: HaRuleType,
    /// `vm:100,ct:101`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<String>,
    /// [node-affinity] `node[:priority]` entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nodes: Option<String>,
    /// The digest read with the rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// Builds `GET /cluster/ha/groups`.
pub fn groups() -> ApiRequest {
    ApiRequest::new(GROUPS_LIST, &[])
}

/// Builds `POST /cluster/ha/groups`.
pub fn group_create(p: &HaGroupCreate) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(GROUP_CREATE, &[]).with_params(p)
}

/// Builds `DELETE /cluster/ha/groups/{group}`.
pub fn group_delete(group: &str) -> ApiRequest {
    ApiRequest::new(GROUP_DELETE, &[&group])
}

/// Builds `GET /cluster/ha/rules`.
pub fn rules() -> ApiRequest {
    ApiRequest::new(RULES_LIST, &[])
}

/// Builds `POST /cluster/ha/rules`.
pub fn rule_create(p: &HaRuleCreate) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(RULE_CREATE, &[]).with_params(p)
}

/// Builds `PUT /cluster/ha/rules/{rule}`.
pub fn rule_update(rule: &str, p: &HaRuleUpdate) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(RULE_UPDATE, &[&rule]).with_params(p)
}

/// Builds `DELETE /cluster/ha/rules/{rule}`.
pub fn rule_delete(rule: &str) -> ApiRequest {
    ApiRequest::new(RULE_DELETE, &[&rule])
}
