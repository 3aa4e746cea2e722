//! Login sessions: a user name and password (scmp's own, or checked by a realm's directory for
//! `user@realm`), and the user's second factor when they have one, become a short-lived bearer
//! token. Logins are throttled per user name by the failures the
//! audit log holds, so every replica counts the same (a wrong second factor counts, one not sent
//! yet does not); every attempt is audited, failed ones in the name asked for.

use scmp_common::{AuditPhase, AuditResult, AuditTarget, AuthMethod, Error, ResourceKind};
use scmp_store::{ActorIdentity, AuditRecord, CredentialKind, IssuedSecret, User};

use super::mfa::{Factor, SecondFactor};
use super::realm_login::RealmLogin;
use crate::context::{AppState, OpContext, RequestMeta};

/// How long a login session lasts.
pub const SESSION_MS: i64 = 8 * 3600 * 1000;
/// Failed logins allowed per user name in [`THROTTLE_WINDOW_MS`].
pub const MAX_FAILURES: i64 = 5;
/// The throttling window.
pub const THROTTLE_WINDOW_MS: i64 = 5 * 60 * 1000;

/// The one answer to a wrong name or password (the same for both, so it does not tell who exists).
const WRONG: &str = "wrong user name or password";
/// The answer to a wrong, reused or stale second factor.
const WRONG_FACTOR: &str = "wrong or used second factor";

/// How a login attempt ended.
#[derive(Debug)]
enum Outcome {
    /// In: the session issued.
    Issued(Box<User>, IssuedSecret),
    /// Refused: too many failures for this name lately.
    Throttled,
    /// Refused: the name or the password is wrong.
    Wrong,
    /// Refused: the directory says the account is disabled.
    Disabled,
    /// Refused for now: the user has a second factor and sent none.
    MfaRequired,
    /// Refused: the second factor is wrong or used already.
    WrongFactor,
}

impl Outcome {
    /// The audit log's words for a refusal (the log counts these to throttle).
    fn refusal(&self) -> Option<&'static str> {
        match self {
            Outcome::Issued(..) => None,
            Outcome::Throttled => Some("too many failed logins"),
            Outcome::Wrong => Some(WRONG),
            Outcome::Disabled => Some("the account is disabled in the directory"),
            // The words the throttle does not count.
            Outcome::MfaRequired => Some("a second factor is required"),
            Outcome::WrongFactor => Some(WRONG_FACTOR),
        }
    }
}

/// Whether a login may be tried after `failures` failures in the window.
pub(crate) fn throttled(failures: i64) -> bool {
    failures >= MAX_FAILURES
}

impl AppState {
    /// Checks a user name and password, and the user's second factor (throttled, audited), and
    /// issues a session: for `session_create` and the portal's login.
    pub async fn session_create(
        &self,
        meta: &RequestMeta,
        (username, password): (&str, &str),
        realm: Option<&str>,
        second: &SecondFactor,
    ) -> Result<IssuedSecret, Error> {
        let wrong = || Error::Unauthenticated {
            message: WRONG.into(),
        };
        if username.len() > 320 || password.len() > 1024 {
            return Err(wrong());
        }
        let (realm, login) = self.login_realm(username, realm).await?;
        let realm_name = realm.as_ref().map_or("local", |r| r.name.as_str());
        // The name the throttle counts failures by: one per user of each realm.
        let username = match &realm {
            Some(r) => format!("{login}@{}", r.name),
            None => login.clone(),
        };
        let username = username.as_str();
        let mut rec = AuditRecord {
            request_id: meta.request_id.clone(),
            phase: AuditPhase::Begin,
            actor: "anonymous".into(),
            // Nobody yet: the name asked for is the target; who it was is known once checked.
            identity: ActorIdentity {
                name: login.clone(),
                realm: realm_name.to_string(),
                tenant: String::new(),
            },
            auth_method: if realm.is_some() {
                AuthMethod::Directory
            } else {
                AuthMethod::Password
            },
            credential: String::new(),
            credential_name: String::new(),
            source: meta.source.ip().to_string(),
            operation: "session_create".into(),
            target: AuditTarget::new(ResourceKind::User, username),
            tenant_id: None,
            result: AuditResult::Pending,
            error: String::new(),
        };
        self.store.audit_append(&rec).await?;
        let now = self.clock.now_ms();
        let failures = self
            .store
            .failed_logins_since(username, now - THROTTLE_WINDOW_MS)
            .await?;
        let checked = match &realm {
            _ if throttled(failures) => None,
            None => Some(match self.authn.authenticate(&login, password).await? {
                Some(u) => RealmLogin::Ok(Box::new(u)),
                None => RealmLogin::Wrong,
            }),
            Some(r) => Some(self.realm_password_login(meta, r, &login, password).await?),
        };
        let outcome = match checked {
            None => Outcome::Throttled,
            Some(RealmLogin::Wrong) => Outcome::Wrong,
            Some(RealmLogin::Disabled) => Outcome::Disabled,
            Some(RealmLogin::Ok(u)) => {
                let u = *u;
                match self.second_factor(&u, second).await? {
                    Factor::Missing => Outcome::MfaRequired,
                    Factor::Wrong => Outcome::WrongFactor,
                    factor => {
                        let (name, lasts) = self.session_kind(&u, factor).await?;
                        let issued = self
                            .store
                            .credential_issue(
                                u.id,
                                CredentialKind::Session,
                                name,
                                Some(now + lasts),
                            )
                            .await?;
                        Outcome::Issued(Box::new(u), issued)
                    }
                }
            }
        };
        rec.phase = AuditPhase::End;
        match &outcome {
            Outcome::Issued(u, issued) => {
                rec.actor = u.id.to_string();
                rec.identity = u.identity();
                rec.credential = issued.credential.id.to_string();
                rec.credential_name = issued.credential.name.clone();
                rec.tenant_id = u.tenant_id;
                rec.result = AuditResult::Ok;
            }
            refused => {
                rec.result = AuditResult::Error;
                rec.error = refused.refusal().unwrap_or_default().to_string();
            }
        }
        self.append_end(&rec).await;
        match outcome {
            Outcome::Issued(_, issued) => Ok(issued),
            Outcome::Throttled => Err(Error::Throttled(
                "too many failed logins for this user; try again in a few minutes".into(),
            )),
            Outcome::Wrong | Outcome::Disabled => Err(wrong()),
            Outcome::MfaRequired => Err(Error::MfaRequired),
            Outcome::WrongFactor => Err(Error::Unauthenticated {
                message: WRONG_FACTOR.into(),
            }),
        }
    }

    /// The session a login gets: a user whose tenant (or, for platform staff, the platform)
    /// requires a second factor and who has none
    /// gets a short one that may only set one up; anyone else an ordinary one.
    pub(crate) async fn session_kind(
        &self,
        u: &scmp_store::User,
        factor: Factor,
    ) -> Result<(&'static str, i64), Error> {
        let required = match (factor, u.tenant_id) {
            (Factor::NoneSet, Some(t)) => self.store.tenant_get(t).await?.require_mfa,
            (Factor::NoneSet, None) => self.store.platform_settings().await?.require_mfa,
            _ => false,
        };
        Ok(if required {
            (super::mfa::SETUP_SESSION, super::mfa::SETUP_SESSION_MS)
        } else {
            ("login", SESSION_MS)
        })
    }

    /// Logs out: revokes the session the request came with (audited as `session_delete`).
    pub async fn session_delete(&self, ctx: &OpContext) -> Result<(), Error> {
        if ctx.actor.credential.kind != CredentialKind::Session {
            return Err(Error::InvalidValue {
                field: "authorization".into(),
                message: "not a session; delete API tokens with token_delete".into(),
            });
        }
        let (user, id) = (ctx.actor.user.id, ctx.actor.credential.id);
        self.audited(
            ctx,
            "session_delete",
            AuditTarget::new(ResourceKind::Token, id),
            ctx.actor.user.tenant_id,
            async { self.store.credential_revoke(user, id).await.map(|_| ()) },
        )
        .await
    }

    /// When a token presented at the portal's login stops being valid (it must be valid now).
    pub async fn token_expiry(&self, token: &str) -> Result<Option<i64>, Error> {
        let found = self
            .store
            .credential_verify(token, self.clock.now_ms())
            .await?;
        let Some((_, credential)) = found else {
            return Err(Error::Unauthenticated {
                message: "this token is not valid (expired, revoked or mistyped)".into(),
            });
        };
        Ok(credential.expires_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_starts_at_the_fifth_failure() {
        assert!(!throttled(0));
        assert!(!throttled(MAX_FAILURES - 1));
        assert!(throttled(MAX_FAILURES));
    }

    #[test]
    fn refusals_are_logged_in_the_words_the_throttle_counts() {
        assert_eq!(Outcome::Wrong.refusal(), Some(WRONG));
        assert_eq!(Outcome::Throttled.refusal(), Some("too many failed logins"));
    }
}
