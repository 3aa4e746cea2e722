//! Authentication realms: directories (LDAP, Active Directory) and OpenID providers whose users log
//! in to scmp, of the platform or of one tenant. Settings are named as Proxmox VE names its realms'
//! settings, so that operators recognise them; secrets are written, never shown.

use scmp_common::time::Time;
use scmp_common::{Name, RealmId, TenantId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a realm is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RealmType {
    /// An LDAP directory (OpenLDAP, 389 DS, FreeIPA, ...).
    Ldap,
    /// Microsoft Active Directory, or Samba's.
    Ad,
    /// An OpenID Connect provider (single sign-on in the browser).
    Openid,
}

/// How a directory is spoken to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub enum LdapMode {
    /// Plain LDAP (port 389): the password crosses the network in clear; for tests and
    /// trusted networks only.
    #[serde(rename = "ldap")]
    Ldap,
    /// LDAP over TLS (port 636).
    #[default]
    #[serde(rename = "ldaps")]
    Ldaps,
    /// LDAP upgraded with StartTLS (port 389).
    #[serde(rename = "ldap+starttls")]
    StartTls,
}

/// A directory's settings (realms of type `ldap` and `ad`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectorySettings {
    /// The server (host name or address).
    pub server1: String,
    /// A fallback server, tried when the first cannot be reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server2: Option<String>,
    /// The port (the mode's usual one when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// `ldap`, `ldaps` (the default) or `ldap+starttls`.
    #[serde(default)]
    pub mode: LdapMode,
    /// The CA (PEM) the server's certificate must chain to; the system's roots when left out.
    /// Certificates are always verified: a self-signed one is trusted by its fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_pem: Option<String>,
    /// The server certificate's SHA-256 fingerprint (`AA:BB:...`): when set, exactly that
    /// certificate is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Where users are searched (`ou=people,dc=example,dc=org`).
    pub base_dn: String,
    /// The attribute holding the login name (`uid`; for `ad`, `sAMAccountName`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_attr: Option<String>,
    /// The service account searches bind as (anonymous when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind_dn: Option<String>,
    /// A further LDAP filter users must match (`(memberOf=cn=scmp,...)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// Object classes of users (default `inetorgperson`, `posixaccount`, `person`, `user`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_classes: Option<Vec<String>>,
    /// Where groups are searched (the base DN when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_dn: Option<String>,
    /// A further LDAP filter groups must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_filter: Option<String>,
    /// Object classes of groups (default `groupOfNames`, `group`, `groupOfUniqueNames`,
    /// `univentionGroup`, `ipausergroup`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_classes: Option<Vec<String>>,
    /// The attribute holding a group's name (default `cn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_name_attr: Option<String>,
    /// The attribute holding a user's e-mail address (default `mail`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_attr: Option<String>,
}

fn yes() -> bool {
    true
}

/// An OpenID provider's settings (realms of type `openid`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenIdSettings {
    /// The issuer (`https://login.example.org/realms/corp`); its discovery document is read
    /// from `/.well-known/openid-configuration` below it.
    pub issuer_url: String,
    /// The client id scmp is registered with.
    pub client_id: String,
    /// Scopes asked for (default `openid email profile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// The claim naming the user (default `sub`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_claim: Option<String>,
    /// The claim listing the user's groups (none: groups do not come from the provider).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups_claim: Option<String>,
    /// `acr_values` asked for at login (space-separated); when set, the ID token's `acr` must be
    /// one of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr_values: Option<String>,
    /// Whether the provider's `amr` claim saying it checked a second factor (`mfa`, `otp`,
    /// `hwk`, ...) counts as one where the platform or the tenant requires it.
    #[serde(default)]
    pub trust_amr: bool,
}

/// `realm_create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RealmCreate {
    /// Name: users log in as `user@name`.
    pub name: Name,
    /// `ldap`, `ad` or `openid`.
    #[serde(rename = "type")]
    pub kind: RealmType,
    /// The tenant whose users log in through it (id or name); a platform realm when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// A note for operators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The directory's settings (`ldap`, `ad`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<DirectorySettings>,
    /// The provider's settings (`openid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openid: Option<OpenIdSettings>,
    /// The bind password (`ldap`, `ad`) or the client secret (`openid`); sealed at rest and
    /// never shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// A scheduled sync (`ldap`, `ad`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync: Option<ScheduledSync>,
}

/// `realm_update`: what is given replaces what was there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RealmUpdate {
    /// A new note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// New directory settings (all of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<DirectorySettings>,
    /// New provider settings (all of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openid: Option<OpenIdSettings>,
    /// A new secret; an empty one removes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// A new scheduled sync; `every_minutes: 0` turns it off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync: Option<ScheduledSync>,
}

/// A realm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RealmView {
    /// Id.
    pub id: RealmId,
    /// Name.
    pub name: Name,
    /// The type.
    #[serde(rename = "type")]
    pub kind: RealmType,
    /// Its tenant; absent for a platform realm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<TenantId>,
    /// The note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The directory's settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub directory: Option<DirectorySettings>,
    /// The provider's settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub openid: Option<OpenIdSettings>,
    /// Whether a secret is set (it is never shown).
    pub secret_set: bool,
    /// The scheduled sync, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync: Option<ScheduledSync>,
    /// Created.
    pub created_at: Time,
    /// Last changed.
    pub updated_at: Time,
}

/// One step of `realm_test`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RealmTestStep {
    /// `dns`, `tcp`, `tls`, `bind`, `search` (directories) or `discovery`, `jwks`
    /// (OpenID providers).
    pub step: String,
    /// Whether it worked.
    pub ok: bool,
    /// What was tried and what came back.
    pub detail: String,
}

/// `realm_test`: each step until the first that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RealmTestView {
    /// Every step worked.
    pub ok: bool,
    /// The steps, in order.
    pub steps: Vec<RealmTestStep>,
}

/// What `realm_sync` brings over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SyncScope {
    /// Users and their group memberships.
    Users,
    /// Groups only (so that roles can be bound to them before anyone logs in).
    Groups,
    /// Both.
    #[default]
    Both,
}

/// `realm_sync`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RealmSyncRequest {
    /// What to bring over (default `both`).
    #[serde(default)]
    pub scope: SyncScope,
    /// Make scmp users for directory users it has not seen yet (default true).
    #[serde(default = "yes")]
    pub enable_new: bool,
    /// Delete scmp's users and groups of the realm the directory no longer has (default false).
    #[serde(default)]
    pub remove_vanished: bool,
    /// Only answer what would change.
    #[serde(default)]
    pub dry_run: bool,
}

/// A user joining or leaving a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MembershipView {
    /// The user's scmp name.
    pub user: String,
    /// The group's scmp name.
    pub group: String,
}

/// What a sync changed, or (dry run) would change.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct RealmSyncReport {
    /// Nothing was changed: this is what would be.
    pub dry_run: bool,
    /// Users made (scmp names).
    pub users_added: Vec<String>,
    /// Users deleted.
    pub users_removed: Vec<String>,
    /// Groups made.
    pub groups_added: Vec<String>,
    /// Groups deleted.
    pub groups_removed: Vec<String>,
    /// Memberships added.
    pub memberships_added: Vec<MembershipView>,
    /// Memberships removed.
    pub memberships_removed: Vec<MembershipView>,
}

/// `sso_begin`: where the provider sends the browser back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoBegin {
    /// The redirect URI registered with the provider: an https URL (the portal's
    /// `/portal/sso-callback`), or http to a loopback address (the CLI's own listener).
    pub redirect_uri: String,
}

/// A sign-on begun.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SsoBegun {
    /// Send the browser here.
    pub authorization_url: String,
    /// The `state` the provider sends back.
    pub state: String,
    /// Keep this and send it with `sso_complete`: the sign-on completes only with it (it binds
    /// the state to whoever began it).
    pub binding: String,
}

/// `sso_complete`: what the provider sent back, and the binding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoComplete {
    /// The `state` the provider sent back.
    pub state: String,
    /// The `code` the provider sent back.
    pub code: String,
    /// The binding `sso_begin` answered.
    pub binding: String,
    /// The current code of the user's authenticator, when a second factor is asked for (401
    /// `mfa-required`: send the same state, code and binding again with it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp: Option<String>,
    /// Or one of the user's recovery codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<String>,
}

/// `sso_logout_url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SsoLogoutView {
    /// The provider's end-session URL for this session (absent when the session is not a single
    /// sign-on one, or the provider has none): send the browser there after `session_delete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A realm's scheduled sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduledSync {
    /// Every so many minutes (1 to 10080, a week; 0 in an update turns it off).
    pub every_minutes: u32,
    /// What to bring over (default `both`).
    #[serde(default)]
    pub scope: SyncScope,
    /// Make scmp users for directory users it has not seen yet (default true).
    #[serde(default = "yes")]
    pub enable_new: bool,
    /// Delete the realm's users and groups the directory no longer has (default false).
    #[serde(default)]
    pub remove_vanished: bool,
}
