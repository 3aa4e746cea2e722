//! Version, login tickets and permissions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::endpoint::{ApiRequest, Endpoint, HttpMethod::*};

/// `GET /version`.
pub const VERSION: Endpoint = Endpoint::new(Get, "/version");
/// `POST /access/ticket`.
pub const TICKET: Endpoint = Endpoint::new(Post, "/access/ticket");
/// `GET /access/permissions`.
pub const PERMISSIONS: Endpoint = Endpoint::new(Get, "/access/permissions");

/// The answer of `/version`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionInfo {
    /// The pve-manager package version (`8.4.14`).
    pub version: String,
    /// The point release (`8.4`).
    pub release: String,
    /// The short git revision.
    pub repoid: String,
    /// The default console viewer, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub console: Option<String>,
}

/// Login with user and password.
#[derive(Debug, Clone, Serialize)]
pub struct TicketRequest {
    /// `USER@REALM`.
    pub username: String,
    /// The password.
    pub password: String,
}

/// A login ticket and its CSRF token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    /// The ticket, sent as the `PVEAuthCookie` cookie.
    #[serde(default)]
    pub ticket: Option<String>,
    /// Sent as the `CSRFPreventionToken` header on every non-GET.
    #[serde(rename = "CSRFPreventionToken", default)]
    pub csrf_token: Option<String>,
    /// Who logged in.
    pub username: String,
    /// The cluster's name, when clustered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clustername: Option<String>,
}

/// Privileges by ACL path: `{"/vms": {"VM.Allocate": 1, ...}, ...}`.
pub type Permissions = BTreeMap<String, BTreeMap<String, PermissionFlag>>;

/// A privilege flag: PVE sends `1` (granted, propagating) or `0` (granted, not propagating).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionFlag(#[serde(deserialize_with = "crate::perl::deserialize_bool")] pub bool);

/// Builds the `/version` request.
pub fn version() -> ApiRequest {
    ApiRequest::new(VERSION, &[])
}

/// Builds the `/access/permissions` request, for the caller or one path.
pub fn permissions(path: Option<&str>) -> ApiRequest {
    let r = ApiRequest::new(PERMISSIONS, &[]);
    match path {
        Some(p) => r.param("path", p),
        None => r,
    }
}

/// One API token of a user (`GET /access/users/{userid}/token`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// Token name.
    pub tokenid: String,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Expiry (Unix time, 0 = never).
    #[serde(
        default,
        deserialize_with = "crate::perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub expire: Option<u64>,
    /// Privilege separation: the token has only its own ACLs.
    #[serde(
        default,
        deserialize_with = "crate::perl::deserialize_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub privsep: Option<bool>,
}
