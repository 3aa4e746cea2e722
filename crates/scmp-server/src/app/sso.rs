//! Single sign-on through a realm's OpenID provider. `sso_begin` answers the provider's
//! authorization URL and a binding only the caller gets (the portal keeps it in the tab's session
//! storage, the CLI in memory); `sso_complete` takes the code and state back with that binding,
//! verifies the provider's ID token and brings the user over (made at the first login, its
//! groups from the groups claim as `<group>-<realm>` groups), asks for the user's second factor
//! unless the realm trusts the provider's `amr` and it names one, and issues a session. Every
//! completion, good or bad, is audited (`session_create`, method `openid`) and throttled as
//! password logins are; the provider's logout is answered for the session.

use scmp_api::{SsoBegin, SsoBegun, SsoComplete, SsoLogoutView};
use scmp_common::{AuditPhase, AuditResult, AuditTarget, AuthMethod, Error, ResourceKind};
use scmp_store::{
    ActorIdentity, AuditRecord, CredentialKind, IssuedSecret, Realm, RealmKind, SsoLogin,
};
use sha2::{Digest, Sha256};

use super::mfa::{Factor, SecondFactor};
use super::realm_login::RealmActor;
use super::sessions::{throttled, THROTTLE_WINDOW_MS};
use crate::context::{AppState, OpContext, RequestMeta};
use crate::directory::DirectoryUser;
use crate::sso::{amr_is_strong, redirect_allowed, Provider, LOGIN_MS};

fn binding_hash(binding: &str) -> String {
    hex::encode(Sha256::digest(binding.as_bytes()))
}

fn expired() -> Error {
    Error::Unauthenticated {
        message:
            "this sign-on has expired, was used already, or was begun elsewhere; sign on again"
                .into(),
    }
}

impl AppState {
    /// An `openid` realm by id or name (any caller may know where to sign on).
    async fn sso_realm(&self, key: &str) -> Result<(Realm, scmp_api::OpenIdSettings), Error> {
        let r = self.store.realm_lookup(key).await?;
        if r.kind != RealmKind::OpenId {
            return Err(Error::NotFound {
                kind: ResourceKind::Realm,
                name: key.to_string(),
            });
        }
        let s = self.openid_settings(&r)?;
        Ok((r, s))
    }

    /// The provider of a realm, its client secret unsealed.
    fn provider<'a>(
        &self,
        r: &Realm,
        s: &'a scmp_api::OpenIdSettings,
    ) -> Result<Provider<'a>, Error> {
        Ok(Provider {
            realm: r.id,
            settings: s,
            secret: r
                .secret_sealed
                .as_deref()
                .map(|x| self.sealer.open(x))
                .transpose()?,
        })
    }

    /// Begins a sign-on: the provider's authorization URL, and the binding that completing it
    /// needs.
    pub async fn sso_begin(&self, realm: &str, body: SsoBegin) -> Result<SsoBegun, Error> {
        if !redirect_allowed(&body.redirect_uri) {
            return Err(Error::InvalidValue {
                field: "redirect_uri".into(),
                message: "must be an https URL, or http to a loopback address".into(),
            });
        }
        let (r, s) = self.sso_realm(realm).await?;
        let begun = self
            .sso
            .begin(&self.provider(&r, &s)?, &body.redirect_uri)
            .await?;
        let binding = self.sealer.random_hex::<16>()?;
        let login = SsoLogin {
            state: begun.state.clone(),
            realm_id: r.id,
            nonce: begun.nonce,
            verifier_sealed: self.sealer.seal(&begun.verifier)?,
            redirect_uri: body.redirect_uri,
            user_id: None,
            id_token: None,
        };
        let until = self.clock.now_ms() + LOGIN_MS;
        self.store
            .sso_login_begin(&login, &binding_hash(&binding), until)
            .await?;
        Ok(SsoBegun {
            authorization_url: begun.url,
            state: begun.state,
            binding,
        })
    }

    /// Completes a sign-on and issues its session (throttled, audited).
    pub async fn sso_complete(
        &self,
        meta: &RequestMeta,
        realm: &str,
        body: SsoComplete,
    ) -> Result<IssuedSecret, Error> {
        let (r, s) = self.sso_realm(realm).await?;
        let mut rec = AuditRecord {
            request_id: meta.request_id.clone(),
            phase: AuditPhase::Begin,
            actor: "anonymous".into(),
            identity: ActorIdentity {
                name: String::new(),
                realm: r.name.to_string(),
                tenant: String::new(),
            },
            auth_method: AuthMethod::Openid,
            credential: String::new(),
            credential_name: String::new(),
            source: meta.source.ip().to_string(),
            operation: "session_create".into(),
            target: AuditTarget::new(ResourceKind::User, format!("@{}", r.name)),
            tenant_id: r.tenant_id,
            result: AuditResult::Pending,
            error: String::new(),
        };
        self.store.audit_append(&rec).await?;
        let result = self.sso_session(meta, &r, &s, &body, &mut rec).await;
        rec.phase = AuditPhase::End;
        match &result {
            Ok((u, issued)) => {
                rec.actor = u.id.to_string();
                rec.identity = u.identity();
                rec.credential = issued.credential.id.to_string();
                rec.credential_name = issued.credential.name.clone();
                rec.tenant_id = u.tenant_id;
                rec.result = AuditResult::Ok;
            }
            Err(e) => {
                rec.result = AuditResult::Error;
                rec.error = e.to_string();
            }
        }
        self.append_end(&rec).await;
        result.map(|(_, issued)| issued)
    }

    async fn sso_session(
        &self,
        meta: &RequestMeta,
        r: &Realm,
        s: &scmp_api::OpenIdSettings,
        body: &SsoComplete,
        rec: &mut AuditRecord,
    ) -> Result<(scmp_store::User, IssuedSecret), Error> {
        let hash = binding_hash(&body.binding);
        let Some(login) = self.store.sso_login_get(r.id, &body.state, &hash).await? else {
            return Err(expired());
        };
        let provider = self.provider(r, s)?;
        let (user, amr) = match login.user_id {
            // Verified before; a second factor was asked for.
            Some(u) => (self.store.user_get(u).await?, Vec::new()),
            None => {
                let verifier = self.sealer.open(&login.verifier_sealed)?;
                let now = chrono::DateTime::from_timestamp_millis(self.clock.now_ms())
                    .ok_or_else(|| Error::internal("the clock is out of range"))?;
                let found = self
                    .sso
                    .complete(
                        &provider,
                        &login.redirect_uri,
                        (&body.code, &login.nonce, &verifier),
                        now,
                    )
                    .await?;
                let user = self.sso_user_bring(meta, r, &found).await?;
                if !self
                    .store
                    .sso_login_verified(&login.state, user.id, &found.id_token)
                    .await?
                {
                    return Err(expired());
                }
                let amr = if s.trust_amr { found.amr } else { Vec::new() };
                (user, amr)
            }
        };
        let name = format!("{}@{}", user.name, r.name);
        rec.target = AuditTarget::new(ResourceKind::User, &name);
        let since = self.clock.now_ms() - THROTTLE_WINDOW_MS;
        if throttled(self.store.failed_logins_since(&name, since).await?) {
            return Err(Error::Throttled(
                "too many failed logins for this user; try again in a few minutes".into(),
            ));
        }
        let factor = if amr_is_strong(&amr) {
            Factor::Passed
        } else {
            let second = SecondFactor {
                totp: body.totp.clone(),
                recovery_code: body.recovery_code.clone(),
            };
            match self.second_factor(&user, &second).await? {
                Factor::Missing => return Err(Error::MfaRequired),
                Factor::Wrong => {
                    return Err(Error::Unauthenticated {
                        message: "wrong or used second factor".into(),
                    })
                }
                f => f,
            }
        };
        let (kind, lasts) = self.session_kind(&user, factor).await?;
        let issued = self
            .store
            .credential_issue(
                user.id,
                CredentialKind::Session,
                if kind == "login" { "sso" } else { kind },
                Some(self.clock.now_ms() + lasts),
            )
            .await?;
        if !self
            .store
            .sso_login_finish(&login.state, issued.credential.id)
            .await?
        {
            self.store
                .credential_revoke(user.id, issued.credential.id)
                .await?;
            return Err(expired());
        }
        Ok((user, issued))
    }

    /// The scmp user of the provider's user, made at the first sign-on; its memberships among
    /// the realm's groups follow the groups claim when the realm names one.
    async fn sso_user_bring(
        &self,
        meta: &RequestMeta,
        r: &Realm,
        found: &crate::sso::SsoIdentity,
    ) -> Result<scmp_store::User, Error> {
        let as_directory = DirectoryUser {
            dn: String::new(),
            login: found.username.clone(),
            email: found.email.clone(),
            groups: found.groups.clone(),
        };
        let user = self
            .realm_user_bring(meta, r, &as_directory, AuthMethod::Openid)
            .await?;
        if self.openid_settings(r)?.groups_claim.is_some() {
            let who = RealmActor {
                meta,
                actor: user.id.to_string(),
                identity: user.identity(),
                method: AuthMethod::Openid,
                credential: String::new(),
            };
            self.realm_memberships_bring(&who, r, &user, &found.groups)
                .await?;
        }
        Ok(user)
    }

    /// Where to send the browser to end the provider's session too (none for sessions that are
    /// not single sign-on ones, or providers without an end-session endpoint).
    pub async fn sso_logout_url(
        &self,
        ctx: &OpContext,
        post_logout_redirect_uri: Option<&str>,
    ) -> Result<SsoLogoutView, Error> {
        if let Some(uri) = post_logout_redirect_uri {
            if !redirect_allowed(uri) {
                return Err(Error::InvalidValue {
                    field: "post_logout_redirect_uri".into(),
                    message: "must be an https URL, or http to a loopback address".into(),
                });
            }
        }
        let Some((realm, id_token)) = self.store.sso_session(ctx.actor.credential.id).await? else {
            return Ok(SsoLogoutView { url: None });
        };
        let r = self.store.realm_lookup(&realm.to_string()).await?;
        let s = self.openid_settings(&r)?;
        let url = self
            .sso
            .logout_url(&self.provider(&r, &s)?, &id_token, post_logout_redirect_uri)
            .await?;
        Ok(SsoLogoutView { url })
    }
}
