//! Governance policies: the platform's (managed by platform administrators) and each tenant's and
//! project's (managed by the tenant's administrators). Everyone sees the policies that govern
//! what they may ask for: the platform's, and those of the tenants and projects they can see.
//! Every policy is validated against the input's schema before it is kept; every change is a new
//! version, audited; a dry run tries a policy on the recent admissions of its scope.

use scmp_api::{
    Page, PolicyCreate, PolicyDryRun, PolicyDryRunHit, PolicyDryRunReport, PolicyUpdate,
    PolicyVersionView, PolicyView, TenantFilter,
};
use scmp_authz::{Action, Resource};
use scmp_common::{AuditTarget, Error, ResourceKind};
use scmp_governance::{Builtin, Enforcement, PolicyDef, PolicyError, PolicyInput, Source};
use scmp_store::{PolicyContent, PolicyLevel, PolicyRow};

use super::governance::{applies, approval_rule, definition, lease_rule, PolicyScope};
use super::paging;
use crate::context::{AppState, OpContext};

fn invalid(field: &str, message: impl Into<String>) -> Error {
    Error::invalid(field, message)
}

fn not_found(key: &str) -> Error {
    Error::not_found(ResourceKind::Policy, key)
}

fn level(e: Enforcement) -> PolicyLevel {
    match e {
        Enforcement::Deny => PolicyLevel::Deny,
        Enforcement::Warn => PolicyLevel::Warn,
        Enforcement::RequireApproval => PolicyLevel::RequireApproval,
        Enforcement::Lease => PolicyLevel::Lease,
    }
}

fn enforcement(l: PolicyLevel) -> Enforcement {
    match l {
        PolicyLevel::Deny => Enforcement::Deny,
        PolicyLevel::Warn => Enforcement::Warn,
        PolicyLevel::RequireApproval => Enforcement::RequireApproval,
        PolicyLevel::Lease => Enforcement::Lease,
    }
}

/// Exactly one way of writing the rules.
fn source_of(builtin: Option<Builtin>, cedar: Option<String>) -> Result<Source, Error> {
    match (builtin, cedar) {
        (Some(b), None) => Ok(Source::Builtin(b)),
        (None, Some(c)) => Ok(Source::Cedar(c)),
        _ => Err(invalid("builtin", "give either builtin or cedar")),
    }
}

/// A policy error at the field of the request that holds what is wrong.
fn policy_error(e: PolicyError) -> Error {
    match e {
        PolicyError::Parameter { field, message } => invalid(&format!("builtin.{field}"), message),
        PolicyError::Source(m) => invalid("cedar", m),
        PolicyError::Input(m) => invalid("request", m),
    }
}

fn view(r: PolicyRow, cedar: String, def: &PolicyDef) -> Result<PolicyView, Error> {
    Ok(PolicyView {
        approval: approval_rule(&r)?,
        lease: lease_rule(&r)?,
        id: r.id,
        name: r.name,
        description: r.description,
        tenant_id: r.tenant_id,
        project_id: r.project_id,
        enforcement: enforcement(r.level),
        message: def.message_or_default(),
        builtin: match &def.source {
            Source::Builtin(b) => Some(b.clone()),
            Source::Cedar(_) => None,
        },
        cedar,
        active: r.active,
        version: r.version,
        created_at: scmp_common::time::from_ms(r.created_at),
        updated_at: scmp_common::time::from_ms(r.updated_at),
    })
}

impl AppState {
    fn policy_view(&self, r: PolicyRow) -> Result<PolicyView, Error> {
        let def = definition(&r)?;
        let cedar = def.cedar().map_err(|e| Error::internal(e.to_string()))?;
        view(r, cedar, &def)
    }

    /// Whether the caller may see a policy of this scope: the platform's are everyone's to see.
    fn may_see_policy(&self, ctx: &OpContext, scope: PolicyScope) -> bool {
        let p = &ctx.actor.principal;
        match scope {
            (None, _) => true,
            (Some(t), None) => self.authz.can_see(p, Resource::Tenant(t)),
            (Some(t), Some(project)) => self.authz.can_see(p, Resource::Project(t, project)),
        }
    }

    fn may_manage_policy(&self, ctx: &OpContext, scope: PolicyScope) -> bool {
        match scope {
            (None, _) => self.allows(ctx, Action::PlatformPolicyManage, Resource::Platform),
            (Some(t), _) => self.allows(ctx, Action::PolicyManage, Resource::Tenant(t)),
        }
    }

    async fn lookup_policy(&self, ctx: &OpContext, key: &str) -> Result<PolicyRow, Error> {
        match self.store.policy_lookup(key).await {
            Ok(r) if self.may_see_policy(ctx, (r.tenant_id, r.project_id)) => Ok(r),
            Ok(_) | Err(Error::NotFound { .. }) => Err(not_found(key)),
            Err(e) => Err(e),
        }
    }

    async fn lookup_policy_to_manage(
        &self,
        ctx: &OpContext,
        key: &str,
    ) -> Result<PolicyRow, Error> {
        let r = self.lookup_policy(ctx, key).await?;
        if self.may_manage_policy(ctx, (r.tenant_id, r.project_id)) {
            Ok(r)
        } else {
            Err(Error::Forbidden {
                action: "manage this policy".into(),
            })
        }
    }

    /// The scope a request names, checked: the caller must be able to see it.
    async fn policy_scope(
        &self,
        ctx: &OpContext,
        body: &PolicyCreate,
    ) -> Result<PolicyScope, Error> {
        match (&body.tenant, &body.project) {
            (_, Some(project)) => {
                let p = self
                    .lookup_project(ctx, project, Action::ProjectView)
                    .await?;
                Ok((Some(p.tenant_id), Some(p.id)))
            }
            (Some(tenant), None) => {
                let t = self.lookup_tenant(ctx, tenant, Action::TenantView).await?;
                Ok((Some(t.id), None))
            }
            (None, None) => Ok((None, None)),
        }
    }

    /// A candidate policy, checked against the schema, with its approval rule (for a policy of
    /// `scope` that has an ITSM secret already or not) and the sealed secret to keep, if one
    /// was given.
    async fn checked_policy(
        &self,
        body: &PolicyCreate,
        scope: PolicyScope,
        had_secret: bool,
    ) -> Result<(PolicyDef, PolicyContent, Option<String>), Error> {
        let source = source_of(body.builtin.clone(), body.cedar.clone())?;
        let message = body.message.clone().filter(|m| !m.is_empty());
        let def = PolicyDef {
            key: body.name.to_string(),
            enforcement: body.enforcement,
            message: message.clone(),
            source,
        };
        self.governance.engine.rules(&def).map_err(policy_error)?;
        let (approval, secret) = match (body.enforcement, &body.approval) {
            (Enforcement::RequireApproval, Some(rule)) => {
                let checked = self.check_approval_rule(scope, rule, had_secret).await?;
                let sealed = checked.secret.map(|s| self.sealer.seal(&s)).transpose()?;
                (Some(checked.stored), sealed)
            }
            (Enforcement::RequireApproval, None) => {
                return Err(invalid(
                    "approval",
                    "say who approves what the policy holds",
                ))
            }
            (_, Some(_)) => {
                return Err(invalid(
                    "approval",
                    "only a require_approval policy has approvers",
                ))
            }
            (_, None) => (None, None),
        };
        let lease = match (body.enforcement, &body.lease) {
            (Enforcement::Lease, Some(rule)) => {
                super::lease_terms::check_lease_rule(rule)?;
                Some(serde_json::to_string(rule).map_err(Error::internal)?)
            }
            (Enforcement::Lease, None) => {
                return Err(invalid("lease", "say how long the guests it holds live"))
            }
            (_, Some(_)) => return Err(invalid("lease", "only a lease policy has a lease")),
            (_, None) => None,
        };
        let content = PolicyContent {
            level: level(body.enforcement),
            message,
            source: serde_json::to_string(&def.source).map_err(Error::internal)?,
            active: body.active.unwrap_or(true),
            approval,
            lease,
        };
        Ok((def, content, secret))
    }

    /// Policies the caller may see, by name: the platform's, and one tenant's (with its
    /// projects'), or every tenant's the caller can see.
    pub async fn policy_list(
        &self,
        ctx: &OpContext,
        q: &TenantFilter,
    ) -> Result<Page<PolicyView>, Error> {
        self.authorize_platform(ctx, Action::MeView)?;
        let tenant = match q.tenant.as_deref() {
            Some(key) => Some(self.lookup_tenant(ctx, key, Action::TenantView).await?.id),
            None => None,
        };
        let all = self.store.policy_all().await?;
        let found = paging::slice(
            all.into_iter()
                .filter(|r| tenant.is_none() || r.tenant_id.is_none() || r.tenant_id == tenant)
                .filter(|r| self.may_see_policy(ctx, (r.tenant_id, r.project_id)))
                .collect(),
            q.page_token.as_deref(),
            q.limit()?,
            |r: &PolicyRow| r.name.to_string(),
        )?;
        let (rows, next_page_token) = found;
        Ok(Page {
            items: rows
                .into_iter()
                .map(|r| self.policy_view(r))
                .collect::<Result<_, _>>()?,
            next_page_token,
        })
    }

    /// A policy.
    pub async fn policy_view_of(&self, ctx: &OpContext, key: &str) -> Result<PolicyView, Error> {
        let r = self.lookup_policy(ctx, key).await?;
        self.policy_view(r)
    }

    /// Creates a policy (version 1), validated against the input's schema.
    pub async fn policy_create(
        &self,
        ctx: &OpContext,
        body: PolicyCreate,
    ) -> Result<PolicyView, Error> {
        let scope = self.policy_scope(ctx, &body).await?;
        if !self.may_manage_policy(ctx, scope) {
            return Err(Error::Forbidden {
                action: "create policies here".into(),
            });
        }
        if ["schema", "dry-run"].contains(&body.name.as_str()) {
            return Err(invalid("name", "that name is a path of the policies' API"));
        }
        let (_, content, secret) = self.checked_policy(&body, scope, false).await?;
        let description = body.description.clone().unwrap_or_default();
        let who = ctx.actor.user.name.to_string();
        let r = self
            .audited(
                ctx,
                "policy_create",
                AuditTarget::new(ResourceKind::Policy, &body.name),
                scope.0,
                self.store.policy_create(
                    &body.name,
                    scope,
                    &description,
                    &content,
                    secret.as_deref(),
                    &who,
                ),
            )
            .await?;
        self.policy_view(r)
    }

    /// A new version of a policy: what is given replaces what was there.
    pub async fn policy_update(
        &self,
        ctx: &OpContext,
        key: &str,
        body: PolicyUpdate,
    ) -> Result<PolicyView, Error> {
        let r = self.lookup_policy_to_manage(ctx, key).await?;
        let old = definition(&r)?;
        let (builtin, cedar) = match (body.builtin, body.cedar, &old.source) {
            (None, None, Source::Builtin(b)) => (Some(b.clone()), None),
            (None, None, Source::Cedar(c)) => (None, Some(c.clone())),
            (b, c, _) => (b, c),
        };
        let candidate = PolicyCreate {
            name: r.name.clone(),
            description: None,
            tenant: None,
            project: None,
            enforcement: body.enforcement.unwrap_or(old.enforcement),
            message: body.message.or(old.message),
            builtin,
            cedar,
            approval: match (body.approval, body.enforcement) {
                (Some(a), _) => Some(a),
                // Another level drops the rule; keeping the level keeps it.
                (None, Some(e)) if e != Enforcement::RequireApproval => None,
                (None, _) => approval_rule(&r)?,
            },
            lease: match (body.lease, body.enforcement) {
                (Some(l), _) => Some(l),
                (None, Some(e)) if e != Enforcement::Lease => None,
                (None, _) => lease_rule(&r)?,
            },
            active: Some(body.active.unwrap_or(r.active)),
        };
        let scope = (r.tenant_id, r.project_id);
        let (_, content, secret) = self
            .checked_policy(&candidate, scope, r.itsm_secret.is_some())
            .await?;
        // A new secret replaces the old; a rule without a webhook keeps none.
        let has_hook = candidate
            .approval
            .as_ref()
            .is_some_and(|a| a.itsm.is_some());
        let secret = match (secret, has_hook) {
            (Some(s), _) => Some(Some(s)),
            (None, true) => None,
            (None, false) => Some(None),
        };
        let who = ctx.actor.user.name.to_string();
        let r = self
            .audited(
                ctx,
                "policy_update",
                AuditTarget::new(ResourceKind::Policy, r.id),
                r.tenant_id,
                self.store.policy_update(
                    r.id,
                    body.version,
                    body.description.as_deref(),
                    &content,
                    secret.as_ref().map(|s| s.as_deref()),
                    &who,
                ),
            )
            .await?;
        self.policy_view(r)
    }

    /// Deletes a policy.
    pub async fn policy_delete(&self, ctx: &OpContext, key: &str) -> Result<(), Error> {
        let r = self.lookup_policy_to_manage(ctx, key).await?;
        self.audited(
            ctx,
            "policy_delete",
            AuditTarget::new(ResourceKind::Policy, r.id),
            r.tenant_id,
            self.store.policy_delete(r.id),
        )
        .await
    }

    /// A policy's versions, newest first.
    pub async fn policy_versions(
        &self,
        ctx: &OpContext,
        key: &str,
    ) -> Result<Vec<PolicyVersionView>, Error> {
        let r = self.lookup_policy(ctx, key).await?;
        self.store
            .policy_versions(r.id)
            .await?
            .into_iter()
            .map(|v| {
                let source: Source =
                    serde_json::from_str(&v.content.source).map_err(Error::internal)?;
                let (builtin, cedar) = match source {
                    Source::Builtin(b) => (Some(b), None),
                    Source::Cedar(c) => (None, Some(c)),
                };
                Ok(PolicyVersionView {
                    lease: v
                        .content
                        .lease
                        .as_deref()
                        .map(serde_json::from_str)
                        .transpose()
                        .map_err(Error::internal)?,
                    approval: v
                        .content
                        .approval
                        .as_deref()
                        .map(serde_json::from_str)
                        .transpose()
                        .map_err(Error::internal)?,
                    version: v.version,
                    enforcement: enforcement(v.content.level),
                    message: v.content.message,
                    builtin,
                    cedar,
                    active: v.content.active,
                    changed_by: v.changed_by,
                    created_at: scmp_common::time::from_ms(v.created_at),
                })
            })
            .collect()
    }

    /// What a policy would have done to the newest admissions of its scope.
    pub async fn policy_dry_run(
        &self,
        ctx: &OpContext,
        body: PolicyDryRun,
    ) -> Result<PolicyDryRunReport, Error> {
        let scope = self.policy_scope(ctx, &body.policy).await?;
        if !self.may_manage_policy(ctx, scope) {
            return Err(Error::Forbidden {
                action: "try policies here".into(),
            });
        }
        let last = body.last.unwrap_or(100);
        if !(1..=1000).contains(&last) {
            return Err(invalid("last", "between 1 and 1000"));
        }
        let (def, _, _) = self.checked_policy(&body.policy, scope, true).await?;
        let set = self
            .governance
            .engine
            .compile(std::slice::from_ref(&def))
            .map_err(|(_, e)| policy_error(e))?;
        let recent = self.store.admissions_recent(scope.0, scope.1, last).await?;
        let mut hits = Vec::new();
        for a in &recent {
            if !applies(scope, a.tenant_id, a.project_id) {
                continue;
            }
            let Ok(input) = serde_json::from_str::<PolicyInput>(&a.input) else {
                continue;
            };
            let verdict = self.governance.engine.evaluate(&set, &input);
            if verdict.is_ok_and(|v| !v.hits.is_empty()) {
                hits.push(PolicyDryRunHit {
                    at: scmp_common::time::from_ms(a.at),
                    operation: input.operation,
                    project_id: a.project_id,
                    guest: input.request.name,
                    actor: input.actor.name,
                });
            }
        }
        Ok(PolicyDryRunReport {
            examined: u32::try_from(recent.len()).unwrap_or(u32::MAX),
            hits,
        })
    }
}
