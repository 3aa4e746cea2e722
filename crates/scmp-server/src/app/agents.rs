//! Site agents: a platform administrator makes a single-use, expiring join token for a site; the
//! site's agent redeems it with a certificate request for the key it made and gets a short-lived
//! client certificate from the platform's agent CA, naming its site; staff revoke an agent for good.

use scmp_api::{
    AgentEnroll, AgentEnrolled, AgentLinkView, AgentRenew, AgentView, Connectivity,
    JoinTokenCreate, JoinTokenCreated, JoinTokenText, JoinTokenView, Page, PageQuery,
};
use scmp_authz::Action;
use scmp_common::time::{from_ms, from_ms_opt};
use scmp_common::{
    AgentId, AuditPhase, AuditResult, AuditTarget, AuthMethod, Error, ResourceKind, SiteId,
};
use scmp_store::{ActorIdentity, AuditRecord, NewJoinToken, Unredeemable};
use sha2::{Digest, Sha256};

use crate::agent_ca::AgentCa;
use crate::context::{AppState, OpContext, RequestMeta};

/// A join token's life when none is asked for, and the bounds of what may be asked.
const TOKEN_DEFAULT_S: u64 = 3600;
const TOKEN_MIN_S: u64 = 60;
const TOKEN_MAX_S: u64 = 7 * 86_400;

/// How long an agent's certificate is good for; it renews at two thirds of that.
pub const AGENT_CERT_MS: i64 = 24 * 3600 * 1000;

fn token_view(t: scmp_store::JoinToken) -> JoinTokenView {
    JoinTokenView {
        id: t.id,
        site: t.site_id,
        created_by: t.created_by,
        created_at: from_ms(t.created_at),
        expires_at: from_ms(t.expires_at),
        used_at: t.used_at.and_then(from_ms_opt),
        agent: t.agent_id,
    }
}

/// An agent's link as the API shows it, from what this replica knows of it at `now_ms`.
pub(super) fn link_view(
    status: Option<crate::agent_link::LinkStatus>,
    settings: &crate::agent_link::LinkSettings,
    now_ms: i64,
) -> AgentLinkView {
    let Some(st) = status else {
        return AgentLinkView {
            state: Connectivity::Disconnected,
            since: None,
            last_heard_at: None,
            lag_ms: None,
            last_error: None,
            waiting_commands: 0,
            journaled_waiting: 0,
        };
    };
    let ms = |d: std::time::Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    let lag = (st.heard_ms > 0).then(|| now_ms.saturating_sub(st.heard_ms).max(0));
    let state = if st.connected {
        if lag.unwrap_or(0) <= 2 * ms(settings.ping_interval) {
            Connectivity::Connected
        } else {
            Connectivity::Degraded
        }
    } else if st.since_ms > 0 && now_ms - st.since_ms < ms(settings.disconnected_after) {
        Connectivity::Degraded
    } else {
        Connectivity::Disconnected
    };
    AgentLinkView {
        state,
        since: from_ms_opt(st.since_ms),
        last_heard_at: from_ms_opt(st.heard_ms),
        lag_ms: lag.map(|l| l as u64),
        last_error: (!st.last_error.is_empty()).then_some(st.last_error),
        waiting_commands: st.waiting_commands as u64,
        journaled_waiting: st.journaled,
    }
}

/// Who an agent's own request is from, for its audit entries.
pub(super) struct AgentRequest {
    pub(super) agent: AgentId,
    pub(super) method: AuthMethod,
    pub(super) credential: String,
    pub(super) credential_name: &'static str,
    pub(super) operation: &'static str,
    pub(super) target: AuditTarget,
}

fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

impl AppState {
    /// An agent's link as the API shows it.
    pub(super) fn agent_link(&self, agent: AgentId) -> AgentLinkView {
        let links = &self.connections.links;
        link_view(links.status(agent), &links.settings, self.clock.now_ms())
    }

    /// An agent as the API shows it, with its link as this replica knows it.
    pub fn agent_view(&self, a: scmp_store::Agent) -> AgentView {
        AgentView {
            id: a.id,
            site: a.site_id,
            enrolled_at: from_ms(a.enrolled_at),
            renewed_at: from_ms(a.renewed_at),
            certificate_expires_at: from_ms(a.cert_not_after),
            revoked_at: a.revoked_at.and_then(from_ms_opt),
            link: self.agent_link(a.id),
        }
    }

    /// The platform's agent CA (made by the first replica that needs it).
    pub async fn agent_ca(&self) -> Result<&AgentCa, Error> {
        self.agent_ca
            .get_or_try_init(|| {
                AgentCa::load_or_create(&self.store, &self.sealer, self.clock.now_ms())
            })
            .await
    }

    /// Makes a join token for a site's agent; its text is answered once and never kept.
    pub async fn join_token_create(
        &self,
        ctx: &OpContext,
        site_key: &str,
        body: JoinTokenCreate,
    ) -> Result<JoinTokenCreated, Error> {
        let site = self.lookup_site(ctx, site_key, Action::AgentEnroll).await?;
        let life = body.expires_in_s.unwrap_or(TOKEN_DEFAULT_S);
        if !(TOKEN_MIN_S..=TOKEN_MAX_S).contains(&life) {
            return Err(Error::InvalidValue {
                field: "expires_in_s".into(),
                message: format!("must be from {TOKEN_MIN_S} to {TOKEN_MAX_S} seconds"),
            });
        }
        let ca_sha256 = self.agent_ca().await?.sha256().to_string();
        let secret = self.sealer.random_hex::<32>()?;
        let new = NewJoinToken {
            site_id: site.id,
            secret_hash: secret_hash(&secret),
            created_by: ctx.actor.user.name.to_string(),
            expires_at: self.clock.now_ms() + i64::try_from(life).map_err(Error::internal)? * 1000,
        };
        let made = self
            .audited(
                ctx,
                "join_token_create",
                AuditTarget::new(ResourceKind::Site, site.id),
                None,
                self.store.join_token_create(&new),
            )
            .await?;
        let text = JoinTokenText {
            id: made.id,
            secret,
            ca_sha256,
        };
        Ok(JoinTokenCreated {
            token: text.to_string(),
            join_token: token_view(made),
        })
    }

    /// A site's join tokens, by id (never their secrets).
    pub async fn join_token_list(
        &self,
        ctx: &OpContext,
        site_key: &str,
        q: &PageQuery,
    ) -> Result<Page<JoinTokenView>, Error> {
        let site = self.lookup_site(ctx, site_key, Action::AgentList).await?.id;
        let found = super::paging::fill(
            q.page_token.as_deref(),
            q.limit()?,
            |after: Option<String>, n| {
                let store = self.store.clone();
                async move { store.join_token_list(site, after.as_deref(), n).await }
            },
            |t| t.id.to_string(),
            super::paging::everything,
        )
        .await?;
        Ok(super::paging::page(found, token_view))
    }

    /// Withdraws a join token that was not used.
    pub async fn join_token_delete(&self, ctx: &OpContext, key: &str) -> Result<(), Error> {
        self.authorize_platform(ctx, Action::AgentEnroll)?;
        let id: scmp_common::JoinTokenId = id_of(ResourceKind::JoinToken, key)?;
        let token = self
            .store
            .join_token_get(id)
            .await?
            .ok_or_else(|| Error::NotFound {
                kind: ResourceKind::JoinToken,
                name: key.to_string(),
            })?;
        self.audited(
            ctx,
            "join_token_delete",
            AuditTarget::new(ResourceKind::Site, token.site_id).child(ResourceKind::JoinToken, id),
            None,
            self.store.join_token_delete(id),
        )
        .await
    }

    /// An agent's enrollment: the join token redeemed once, the agent recorded for the token's
    /// site, and a client certificate for the key of its request. Audited in the agent's name.
    pub async fn agent_enroll(
        &self,
        meta: &RequestMeta,
        body: AgentEnroll,
    ) -> Result<AgentEnrolled, Error> {
        let token: JoinTokenText = body.join_token.parse().map_err(|e| Error::InvalidValue {
            field: "join_token".into(),
            message: e,
        })?;
        let agent_id = AgentId::new();
        let rec = AgentRequest {
            agent: agent_id,
            method: AuthMethod::JoinToken,
            credential: token.id.to_string(),
            credential_name: "join token",
            operation: "agent_enroll",
            target: AuditTarget::new(ResourceKind::JoinToken, token.id),
        };
        self.agent_audited(meta, rec, self.enroll(&token, agent_id, &body.csr))
            .await
    }

    /// Runs an agent's own request between its two audit entries, in the agent's name.
    pub(super) async fn agent_audited<T>(
        &self,
        meta: &RequestMeta,
        request: AgentRequest,
        change: impl std::future::Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        let mut rec = AuditRecord {
            request_id: meta.request_id.clone(),
            phase: AuditPhase::Begin,
            actor: format!("agent:{}", request.agent),
            identity: ActorIdentity::default(),
            auth_method: request.method,
            credential: request.credential,
            credential_name: request.credential_name.into(),
            source: meta.source.ip().to_string(),
            operation: request.operation.into(),
            target: request.target,
            tenant_id: None,
            result: AuditResult::Pending,
            error: String::new(),
        };
        self.store.audit_append(&rec).await?;
        let outcome = change.await;
        rec.phase = AuditPhase::End;
        match &outcome {
            Ok(_) => rec.result = AuditResult::Ok,
            Err(e) => {
                rec.result = AuditResult::Error;
                rec.error = e.to_string();
            }
        }
        self.append_end(&rec).await;
        outcome
    }

    async fn enroll(
        &self,
        token: &JoinTokenText,
        agent_id: AgentId,
        csr: &str,
    ) -> Result<AgentEnrolled, Error> {
        let ca = self.agent_ca().await?;
        if token.ca_sha256 != ca.sha256() {
            return Err(Error::Unauthenticated {
                message: "the join token was made for another platform (its CA does not match)"
                    .into(),
            });
        }
        let Some(site) = self
            .store
            .join_token_get(token.id)
            .await?
            .map(|t| t.site_id)
        else {
            return Err(refused(Unredeemable::Unknown));
        };
        let now = self.clock.now_ms();
        let serial = self.sealer.random_bytes::<16>()?;
        let issued = ca.issue(csr, agent_id, site, now, AGENT_CERT_MS, serial)?;
        let agent = self
            .store
            .join_token_redeem(
                token.id,
                &secret_hash(&token.secret),
                &issued.public_key,
                agent_id,
                &issued.cert,
            )
            .await?
            .map_err(refused)?;
        tracing::info!(agent = %agent.id, site = %agent.site_id, "agent enrolled");
        Ok(AgentEnrolled {
            agent: self.agent_view(agent),
            certificate: issued.cert_pem,
            ca_certificate: ca.cert_pem().to_string(),
        })
    }

    /// A new certificate for an enrolled agent that is not revoked, for the key it enrolled with.
    /// Audited in the agent's name.
    pub async fn agent_renew(
        &self,
        meta: &RequestMeta,
        body: AgentRenew,
    ) -> Result<AgentEnrolled, Error> {
        let rec = AgentRequest {
            agent: body.agent,
            method: AuthMethod::AgentKey,
            credential: body.agent.to_string(),
            credential_name: "enrolled key",
            operation: "agent_renew",
            target: AuditTarget::new(ResourceKind::Agent, body.agent),
        };
        self.agent_audited(meta, rec, self.renew(&body)).await
    }

    async fn renew(&self, body: &AgentRenew) -> Result<AgentEnrolled, Error> {
        let unknown = || Error::Unauthenticated {
            message: "no such agent, or not its enrolled key".into(),
        };
        let agent = match self.store.agent_get(body.agent).await {
            Ok(a) => a,
            Err(Error::NotFound { .. }) => return Err(unknown()),
            Err(e) => return Err(e),
        };
        if agent.revoked_at.is_some() {
            return Err(Error::Unauthenticated {
                message: "the agent was revoked: enroll a new one with a new join token".into(),
            });
        }
        let ca = self.agent_ca().await?;
        let serial = self.sealer.random_bytes::<16>()?;
        let now = self.clock.now_ms();
        let issued = ca.issue(
            &body.csr,
            agent.id,
            agent.site_id,
            now,
            AGENT_CERT_MS,
            serial,
        )?;
        if issued.public_key != agent.public_key {
            return Err(unknown());
        }
        if !self.store.agent_renewed(agent.id, &issued.cert).await? {
            return Err(Error::Unauthenticated {
                message: "the agent was revoked: enroll a new one with a new join token".into(),
            });
        }
        let renewed = self.store.agent_get(agent.id).await?;
        Ok(AgentEnrolled {
            agent: self.agent_view(renewed),
            certificate: issued.cert_pem,
            ca_certificate: ca.cert_pem().to_string(),
        })
    }

    /// The agent a connection's client certificate names, if it may still speak for its site:
    /// enrolled, not revoked, and of the site its certificate names.
    pub async fn agent_of_peer(&self, peer: Option<(SiteId, AgentId)>) -> Result<AgentView, Error> {
        let refused = |message: &str| Error::Unauthenticated {
            message: message.into(),
        };
        let Some((site, id)) = peer else {
            return Err(refused(
                "a client certificate from the platform's agent CA is required",
            ));
        };
        let agent = match self.store.agent_get(id).await {
            Ok(a) => a,
            Err(Error::NotFound { .. }) => return Err(refused("no such agent")),
            Err(e) => return Err(e),
        };
        if agent.revoked_at.is_some() {
            return Err(refused("the agent was revoked"));
        }
        if agent.site_id != site {
            return Err(refused(
                "the certificate names another site than the agent's",
            ));
        }
        Ok(self.agent_view(agent))
    }

    /// A site's agents, by id.
    pub async fn agent_list(
        &self,
        ctx: &OpContext,
        site_key: &str,
        q: &PageQuery,
    ) -> Result<Page<AgentView>, Error> {
        let site = self.lookup_site(ctx, site_key, Action::AgentList).await?.id;
        let found = super::paging::fill(
            q.page_token.as_deref(),
            q.limit()?,
            |after: Option<String>, n| {
                let store = self.store.clone();
                async move { store.agent_list(site, after.as_deref(), n).await }
            },
            |a| a.id.to_string(),
            super::paging::everything,
        )
        .await?;
        Ok(super::paging::page(found, |a| self.agent_view(a)))
    }

    /// One agent.
    pub async fn agent_get(&self, ctx: &OpContext, key: &str) -> Result<AgentView, Error> {
        self.authorize_platform(ctx, Action::AgentList)?;
        Ok(self.agent_view(self.store.agent_get(agent_id(key)?).await?))
    }

    /// Revokes an agent for good: it may not connect or renew again.
    pub async fn agent_revoke(&self, ctx: &OpContext, key: &str) -> Result<AgentView, Error> {
        self.authorize_platform(ctx, Action::AgentRevoke)?;
        let id = agent_id(key)?;
        let agent = self.store.agent_get(id).await?;
        let revoked = self
            .audited(
                ctx,
                "agent_revoke",
                AuditTarget::new(ResourceKind::Site, agent.site_id)
                    .child(ResourceKind::Agent, agent.id),
                None,
                self.store.agent_revoke(id),
            )
            .await?;
        // Its open link ends now, not at its next handshake.
        self.connections.links.refuse(
            id,
            "the agent was revoked: enroll a new one with a new join token",
        );
        Ok(self.agent_view(revoked))
    }
}

/// The id a path names; one that is not an id names nothing there is.
fn id_of<T: std::str::FromStr>(kind: ResourceKind, key: &str) -> Result<T, Error> {
    key.parse().map_err(|_| Error::NotFound {
        kind,
        name: key.to_string(),
    })
}

fn agent_id(key: &str) -> Result<AgentId, Error> {
    id_of(ResourceKind::Agent, key)
}

fn refused(why: Unredeemable) -> Error {
    Error::Unauthenticated {
        message: match why {
            Unredeemable::Unknown => "the join token is not known (or its secret is wrong)",
            Unredeemable::Used => "the join token was used already: ask for a new one",
            Unredeemable::Expired => "the join token has expired: ask for a new one",
        }
        .into(),
    }
}
