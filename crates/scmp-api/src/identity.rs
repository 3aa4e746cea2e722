//! Users, groups, role bindings, login sessions, API tokens and the caller (`me`).

use scmp_common::time::Time;
use scmp_common::{CredentialId, GroupId, Name, RealmId, RoleBindingId, TenantId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `user_create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserCreate {
    /// Login name.
    pub name: Name,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Password for `session_create` (at least 12 characters); none for token-only users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// The user's tenant (id or name); none for platform staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The realm the user logs in through (id or name), instead of a password of scmp's: the
    /// realm's own users are made at their first login, this makes one beforehand (a tenant's
    /// user of a platform realm, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// The user's login name in that realm (the name when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
}

/// `user_update`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    /// New e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// New password (at least 12 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// A user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UserView {
    /// Id.
    pub id: UserId,
    /// Name.
    pub name: Name,
    /// E-mail address (absent when none was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Where the user is defined: a realm's name, or `local`.
    pub realm: String,
    /// Its tenant (absent for platform staff).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<TenantId>,
    /// That tenant's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
}

/// Who a role is bound to: `{"user": U}` or `{"group": G}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    /// The user (id or name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The group (id or name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// Where a role applies: `"platform"`, `{"tenant": T}` or `{"project": P}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ScopeBody {
    /// `"platform"`.
    Platform(String),
    /// `{"tenant": "<id or name>"}`.
    Tenant {
        /// The tenant.
        tenant: String,
    },
    /// `{"project": "<id>"}`.
    Project {
        /// The project.
        project: String,
    },
}

/// `role_binding_create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleBindingCreate {
    /// Who.
    pub subject: Subject,
    /// The role (`tenant-admin`, `viewer`, ...).
    pub role: String,
    /// Where.
    pub scope: ScopeBody,
}

/// A role binding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoleBindingView {
    /// Id.
    pub id: RoleBindingId,
    /// The user, for a binding to a user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// The group, for a binding to a group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<GroupId>,
    /// The role.
    pub role: String,
    /// `platform`, `tenant/<id>` or `project/<id>`.
    pub scope: String,
    /// Created.
    pub created_at: Time,
}

/// `session_create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionCreate {
    /// Login name: scmp's own, or `user@realm` for a directory's user.
    pub username: String,
    /// Password.
    pub password: String,
    /// The realm to log in through (id or name), when the user name does not say it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// The current code of the user's authenticator, when they have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp: Option<String>,
    /// Or one of their recovery codes (each works once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<String>,
}

/// The caller's second factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MfaView {
    /// An authenticator (TOTP) is confirmed: logins ask for its code.
    pub totp: bool,
    /// An enrolment waits for its first code.
    pub enrolling: bool,
    /// Recovery codes not used yet.
    pub recovery_codes_left: u64,
}

/// A new authenticator secret, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TotpEnrollment {
    /// The secret (base32), for typing in.
    pub secret: String,
    /// The `otpauth://totp/...` URI authenticator apps read.
    pub otpauth_uri: String,
    /// The URI as a QR code (SVG).
    pub qr_svg: String,
}

/// `mfa_totp_confirm`: the authenticator's first code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpConfirm {
    /// The current code (6 digits).
    pub code: String,
}

/// `mfa_totp_disable`: proof that the caller holds the factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpDisable {
    /// A current code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Or a recovery code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<String>,
}

/// Single-use recovery codes, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RecoveryCodes {
    /// The codes.
    pub codes: Vec<String>,
}

/// A session: a short-lived bearer token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    /// The bearer token.
    pub token: String,
    /// The session may only set up the second factor the user's tenant requires (15 minutes;
    /// confirming it ends the session, and the next login has the user's rights).
    #[serde(default)]
    pub mfa_setup: bool,
    /// When it expires.
    pub expires_at: Time,
}

/// `token_create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenCreate {
    /// A label to recognise it by (1 to 100 characters).
    pub name: String,
    /// When it expires (RFC 3339); never when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Time>,
}

/// A token (its secret only in the answer to `token_create`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TokenView {
    /// Id.
    pub id: CredentialId,
    /// Name.
    pub name: String,
    /// When it expires (absent: never).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Time>,
    /// Created.
    pub created_at: Time,
    /// The bearer token: shown once, when created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// Who am I.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MeView {
    /// User id.
    pub id: UserId,
    /// User name.
    pub name: Name,
    /// The user's tenant (absent for platform staff).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<TenantId>,
    /// The credential in use.
    pub credential: CredentialId,
    /// Roles and their scopes (`platform`, `tenant/<id>`, `project/<id>`).
    pub roles: Vec<RoleView>,
}

/// A role on a scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoleView {
    /// Role name.
    pub role: String,
    /// Scope.
    pub scope: String,
}

/// `group_create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupCreate {
    /// Name, unique on the platform.
    pub name: Name,
    /// Its tenant (id or name); a platform group when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Members (user ids or names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

/// `group_update`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupUpdate {
    /// The new description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The new member list (user ids or names), replacing the old one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
}

/// A group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GroupView {
    /// Id.
    pub id: GroupId,
    /// Name.
    pub name: Name,
    /// Its tenant; absent for a platform group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<TenantId>,
    /// Description (absent when none was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Members (user ids).
    pub members: Vec<UserId>,
    /// The realm whose directory decides the members (absent for scmp's own groups).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realm_id: Option<RealmId>,
    /// Created.
    pub created_at: Time,
}
