//! Who may use the site's API, and for what: the users of the identity cache the centre sent
//! (their tokens, or a session opened with their password at the site), allowed what their role
//! bindings allow by the platform's own policy engine, while the cache is valid; and whoever holds
//! the site's break-glass credential (made by the agent at its first start, kept hashed), allowed
//! everything the site serves and audited as such.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use scmp_authz::{Action, Authorizer, CustomRole, Denial, Principal, Resource, RoleBinding};
use scmp_common::{AuthMethod, CredentialId, ProjectId, TenantId};
use sha2::{Digest, Sha256};

use super::problem::{problem, Refusal};
use super::SiteApi;
use crate::link::{SiteBinding, SiteIdentity};

/// How a break-glass credential begins (so it is told apart from a platform token).
pub const BREAK_GLASS_PREFIX: &str = "scmpbg_";

/// How a session opened at the site begins.
const SESSION_PREFIX: &str = "scmpss_";

/// How long a session opened at the site lasts (never past the cache's validity).
const SESSION_MS: i64 = 12 * 3_600_000;

/// The SHA-256 (hex) of a credential, as the agent keeps it.
pub fn break_glass_hash(secret: &str) -> String {
    sha256(secret)
}

fn sha256(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Who is asking.
#[derive(Debug, Clone)]
pub enum Caller {
    /// The site's break-glass credential.
    BreakGlass,
    /// A user of the identity cache.
    User {
        /// The user as the centre sent it.
        identity: Box<SiteIdentity>,
        /// The credential used (a token's id, or the session's).
        credential: CredentialId,
        /// Its name.
        credential_name: String,
        /// Token or password.
        method: AuthMethod,
        /// What the policy engine reads.
        principal: Principal,
    },
}

impl Caller {
    /// Who it is, for the site's audit entry (none: the break-glass credential).
    pub fn actor(&self) -> Option<crate::link::SiteActor> {
        match self {
            Caller::BreakGlass => None,
            Caller::User {
                identity,
                credential,
                credential_name,
                ..
            } => Some(crate::link::SiteActor {
                user: identity.user,
                name: identity.name.clone(),
                tenant: identity.tenant,
                credential: *credential,
                credential_name: credential_name.clone(),
            }),
        }
    }

    /// How the caller authenticated.
    pub fn method(&self) -> AuthMethod {
        match self {
            Caller::BreakGlass => AuthMethod::BreakGlass,
            Caller::User { method, .. } => *method,
        }
    }
}

/// Sessions opened at the site with a cached password: hashed secret to user and expiry.
#[derive(Debug, Default)]
pub struct Sessions(Mutex<HashMap<String, (scmp_common::UserId, CredentialId, i64)>>);

impl Sessions {
    /// Opens a session for a cached user; answers its secret (shown once) and its expiry.
    pub fn open(&self, user: scmp_common::UserId, until_ms: i64, now: i64) -> (String, i64) {
        use rand::Rng;
        let bytes: [u8; 24] = rand::thread_rng().gen();
        let secret = format!("{SESSION_PREFIX}{}", hex::encode(bytes));
        let until = until_ms.min(now + SESSION_MS);
        let mut open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        open.retain(|_, (_, _, u)| *u > now);
        open.insert(sha256(&secret), (user, CredentialId::new(), until));
        (secret, until)
    }

    fn find(&self, secret: &str, now: i64) -> Option<(scmp_common::UserId, CredentialId)> {
        let open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        open.get(&sha256(secret))
            .filter(|(_, _, until)| *until > now)
            .map(|(u, c, _)| (*u, *c))
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// A cached binding as the policy engine reads it; one it does not understand grants nothing.
fn binding(b: &SiteBinding) -> Option<RoleBinding> {
    let custom = match &b.custom {
        Some(def) => Some(Arc::new(CustomRole {
            name: b.role.clone(),
            level: def.level.parse().ok()?,
            actions: def
                .actions
                .iter()
                .filter_map(|a| Action::from_id(a))
                .collect(),
        })),
        None => None,
    };
    RoleBinding::from_stored(&b.role, custom, b.tenant, b.project)
}

fn user(
    identity: &SiteIdentity,
    credential: CredentialId,
    name: &str,
    method: AuthMethod,
) -> Caller {
    Caller::User {
        principal: Principal {
            id: identity.user.to_string(),
            bindings: identity.bindings.iter().filter_map(binding).collect(),
        },
        identity: Box::new(identity.clone()),
        credential,
        credential_name: name.to_string(),
        method,
    }
}

/// The caller a request's credential stands for; `None` for none, a wrong one, or one of the
/// identity cache after its validity.
pub fn authenticate(api: &SiteApi, headers: &HeaderMap) -> Option<Caller> {
    let text = bearer(headers)?;
    // Hashed first: comparisons see digests, never the secret.
    if text.starts_with(BREAK_GLASS_PREFIX) {
        return same(&sha256(text), &api.break_glass_sha256).then_some(Caller::BreakGlass);
    }
    let st = api.site.borrow();
    let st = st.as_ref()?;
    let now = api.clock.now_ms();
    if st.identities_valid_until_ms <= now {
        return None;
    }
    if text.starts_with(SESSION_PREFIX) {
        let (id, credential) = api.sessions.find(text, now)?;
        let identity = st.identities.iter().find(|i| i.user == id)?;
        return Some(user(identity, credential, "login", AuthMethod::Password));
    }
    let (id, secret) = text.strip_prefix("scmp_")?.split_once('_')?;
    let hash = sha256(secret);
    st.identities.iter().find_map(|i| {
        let t = i.tokens.iter().find(|t| t.id.to_string() == id)?;
        let live = t.expires_at_ms.is_none_or(|e| e > now);
        (live && same(&hash, &t.secret_sha256)).then(|| user(i, t.id, &t.name, AuthMethod::Token))
    })
}

/// The refusal of a request without a credential the site takes.
pub fn refused() -> Refusal {
    problem(
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "Authentication required",
        "the site's API takes the tokens and passwords of the users its identity cache holds \
         (while it is valid), or the site's break-glass credential",
    )
}

/// Whether the caller may do `action` on a project, by the platform's policy: 404 when it may
/// not even see it, 403 when it may see but not do this.
pub fn allow(
    authz: &Authorizer,
    caller: &Caller,
    action: Action,
    tenant: TenantId,
    project: ProjectId,
) -> Result<(), Refusal> {
    let Caller::User { principal, .. } = caller else {
        return Ok(());
    };
    match authz.check(principal, action, Resource::Project(tenant, project)) {
        Ok(()) => Ok(()),
        Err(Denial::NotFound) => Err(problem(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            "no such project here",
        )),
        Err(Denial::Forbidden) => Err(problem(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Forbidden",
            &format!("your roles do not allow {action} here"),
        )),
    }
}

/// Whether the caller may see a project at all.
pub fn sees(authz: &Authorizer, caller: &Caller, tenant: TenantId, project: ProjectId) -> bool {
    match caller {
        Caller::BreakGlass => true,
        Caller::User { principal, .. } => {
            authz.can_see(principal, Resource::Project(tenant, project))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::SiteRole;

    #[test]
    fn a_cached_custom_role_grants_what_its_definition_says() {
        let (t, p) = (TenantId::new(), ProjectId::new());
        let custom = SiteBinding {
            role: "web-watcher".into(),
            tenant: Some(t),
            project: Some(p),
            custom: Some(SiteRole {
                level: "project".into(),
                actions: vec!["guest_view".into(), "guest_list".into(), "guest_fly".into()],
            }),
        };
        let b = binding(&custom).unwrap();
        let a = Authorizer::new().unwrap();
        let who = Principal {
            id: "u".into(),
            bindings: vec![b],
        };
        assert!(a.authorize(&who, Action::GuestView, Resource::Project(t, p)));
        assert!(!a.authorize(&who, Action::GuestOperate, Resource::Project(t, p)));
        // A definition it cannot read, or a name of no role, grants nothing.
        let odd = SiteBinding {
            custom: Some(SiteRole {
                level: "galaxy".into(),
                actions: vec!["guest_view".into()],
            }),
            ..custom.clone()
        };
        assert!(binding(&odd).is_none());
        let unknown = SiteBinding {
            custom: None,
            ..custom
        };
        assert!(binding(&unknown).is_none());
    }
}
