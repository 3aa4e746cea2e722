//! Directories behind realms of type `ldap` and `ad`: a user's password is checked by binding as
//! that user (scmp never sees a hash), the user's entry found first by a search under the
//! service account; filters are built from escaped values only (RFC 4515), searches are paged,
//! and group memberships followed through nested groups. Active Directory's own rules: the
//! login is `sAMAccountName` or `userPrincipalName`, disabled accounts are refused, nesting is
//! read from `memberOf` chains.

mod connect;
mod search;

use std::time::Duration;

use scmp_api::{DirectorySettings, LdapMode, RealmTestView};

pub use search::DirectoryGroup;

/// How long one connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one operation may take.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(15);
/// How deep nested groups are followed.
const MAX_NESTING: usize = 8;
/// Entries asked for per page.
const PAGE_SIZE: i32 = 100;

/// The directory flavours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// A plain LDAP directory.
    Ldap,
    /// Active Directory.
    Ad,
}

/// A directory, as a realm's settings describe it.
#[derive(Clone)]
pub struct Directory {
    flavor: Flavor,
    settings: DirectorySettings,
    bind_password: Option<String>,
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directory")
            .field("flavor", &self.flavor)
            .field("server1", &self.settings.server1)
            .field("bind_password", &"<redacted>")
            .finish()
    }
}

/// A user as the directory has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryUser {
    /// The entry's DN.
    pub dn: String,
    /// The login name (the user attribute's value), case-folded.
    pub login: String,
    /// E-mail address (empty when the entry has none).
    pub email: String,
    /// Names of the groups the user is in, directly or through nesting.
    pub groups: Vec<String>,
}

/// How a login attempt against a directory ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// The password is the user's.
    Ok(DirectoryUser),
    /// No such user, or not this password.
    Wrong,
    /// The account is disabled in the directory.
    Disabled,
}

/// Why the directory could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    /// No server could be reached (name, connection or TLS).
    #[error("the directory cannot be reached: {0}")]
    Unreachable(String),
    /// The service account's bind was refused.
    #[error("the directory refused the service account: {0}")]
    ServiceBind(String),
    /// A search failed.
    #[error("the directory's search failed: {0}")]
    Search(String),
}

impl From<DirectoryError> for scmp_common::Error {
    fn from(e: DirectoryError) -> Self {
        scmp_common::Error::Unavailable(e.to_string())
    }
}

impl Directory {
    /// A directory of this flavour and settings, binding with this service password.
    pub fn new(flavor: Flavor, settings: DirectorySettings, bind_password: Option<String>) -> Self {
        Self {
            flavor,
            settings,
            bind_password,
        }
    }

    /// The attribute holding the login name.
    fn user_attr(&self) -> &str {
        match (&self.settings.user_attr, self.flavor) {
            (Some(a), _) => a,
            (None, Flavor::Ldap) => "uid",
            (None, Flavor::Ad) => "sAMAccountName",
        }
    }

    fn email_attr(&self) -> &str {
        self.settings.email_attr.as_deref().unwrap_or("mail")
    }

    fn group_name_attr(&self) -> &str {
        self.settings.group_name_attr.as_deref().unwrap_or("cn")
    }

    fn group_base(&self) -> &str {
        self.settings
            .group_dn
            .as_deref()
            .unwrap_or(&self.settings.base_dn)
    }

    fn user_classes(&self) -> Vec<String> {
        self.settings.user_classes.clone().unwrap_or_else(|| {
            ["inetorgperson", "posixaccount", "person", "user"]
                .map(String::from)
                .to_vec()
        })
    }

    fn group_classes(&self) -> Vec<String> {
        self.settings.group_classes.clone().unwrap_or_else(|| {
            [
                "groupOfNames",
                "group",
                "groupOfUniqueNames",
                "univentionGroup",
                "ipausergroup",
            ]
            .map(String::from)
            .to_vec()
        })
    }

    /// The servers to try, in order, as LDAP URLs.
    fn urls(&self) -> Vec<String> {
        let (scheme, port) = match self.settings.mode {
            LdapMode::Ldaps => ("ldaps", 636),
            LdapMode::Ldap | LdapMode::StartTls => ("ldap", 389),
        };
        let port = self.settings.port.unwrap_or(port);
        std::iter::once(&self.settings.server1)
            .chain(self.settings.server2.as_ref())
            .map(|host| {
                let host = if host.contains(':') {
                    format!("[{host}]")
                } else {
                    host.clone()
                };
                format!("{scheme}://{host}:{port}")
            })
            .collect()
    }

    /// Checks a login name and password: the user's entry found under the service account,
    /// then a bind as that entry with the password.
    pub async fn login(&self, login: &str, password: &str) -> Result<Login, DirectoryError> {
        // An empty password would be an anonymous bind, which "succeeds".
        if password.is_empty() || login.is_empty() {
            return Ok(Login::Wrong);
        }
        let mut service = self.service().await?;
        let Some(found) = self.find_user(&mut service, login).await? else {
            let _ = service.unbind().await;
            return Ok(Login::Wrong);
        };
        if found.disabled {
            let _ = service.unbind().await;
            return Ok(Login::Disabled);
        }
        let mut as_user = self.connect().await?;
        let bound = tokio::time::timeout(
            OPERATION_TIMEOUT,
            as_user.simple_bind(&found.user.dn, password),
        )
        .await;
        let _ = as_user.unbind().await;
        match bound {
            Ok(Ok(r)) if r.rc == 0 => {}
            // 49: invalid credentials (AD adds why: 52e wrong password, 533 disabled, 775 locked).
            Ok(Ok(r)) if r.rc == 49 && r.text.contains("data 533") => {
                let _ = service.unbind().await;
                return Ok(Login::Disabled);
            }
            Ok(Ok(_)) => {
                let _ = service.unbind().await;
                return Ok(Login::Wrong);
            }
            Ok(Err(e)) => return Err(DirectoryError::Unreachable(e.to_string())),
            Err(_) => return Err(DirectoryError::Unreachable("the bind timed out".into())),
        }
        let groups = self.groups_of(&mut service, &found).await?;
        let _ = service.unbind().await;
        Ok(Login::Ok(DirectoryUser {
            groups,
            ..found.user
        }))
    }

    /// Every user the realm covers, with their groups (paged searches).
    pub async fn users(&self) -> Result<Vec<DirectoryUser>, DirectoryError> {
        let mut service = self.service().await?;
        let users = self.all_users(&mut service).await;
        let groups = match &users {
            Ok(_) => self.all_groups(&mut service).await,
            Err(_) => Ok(Vec::new()),
        };
        let _ = service.unbind().await;
        let mut users = users?;
        let groups = groups?;
        for u in &mut users {
            u.groups = search::closure(&groups, &u.dn);
        }
        Ok(users)
    }

    /// Every group the realm covers (paged searches).
    pub async fn groups(&self) -> Result<Vec<DirectoryGroup>, DirectoryError> {
        let mut service = self.service().await?;
        let groups = self.all_groups(&mut service).await;
        let _ = service.unbind().await;
        groups
    }

    /// Tries each step of a login's way: the name, the connection, TLS, the service account's
    /// bind and a search for users, and says which failed and how.
    pub async fn test(&self) -> RealmTestView {
        connect::test(self).await
    }
}

/// A directory's name for a group or user as an scmp name: `<name>-<realm>` in lower case, other
/// characters turned into hyphens (as Proxmox VE names synced groups); `None` when nothing of
/// it is left or the result would be too long.
pub fn scmp_name(name: &str, realm: &str) -> Option<scmp_common::Name> {
    let mut out = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let base = out.trim_end_matches('-');
    if base.is_empty() {
        return None;
    }
    let prefix = if base.starts_with(|c: char| c.is_ascii_lowercase()) {
        ""
    } else {
        "x-"
    };
    scmp_common::Name::new(format!("{prefix}{base}-{realm}")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_names_become_scmp_names_with_the_realm() {
        let n = |s: &str| scmp_name(s, "corp").map(|n| n.to_string());
        assert_eq!(n("devs").as_deref(), Some("devs-corp"));
        assert_eq!(n("Domain Admins").as_deref(), Some("domain-admins-corp"));
        assert_eq!(n("john.smith").as_deref(), Some("john-smith-corp"));
        assert_eq!(n("2nd line").as_deref(), Some("x-2nd-line-corp"));
        assert_eq!(n("..."), None);
        assert_eq!(n(&"a".repeat(70)), None);
    }
}
