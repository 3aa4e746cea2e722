//! Governance at admission: the active policies compiled once per change of any of them (the
//! store's generation says when), evaluated over the request's typed input; the policies of the
//! platform, the project's tenant and the project apply. A `deny` refuses with the policy's name
//! and message, `warn`s go ahead and are answered and kept on the operation, and a
//! `require_approval` policy holds the operation for its approvers (`app::approvals`). Every
//! admission's input is kept (the newest few thousand) for the dry runs of policy changes.

use std::collections::HashMap;
use std::sync::Arc;

use scmp_api::PolicyWarning;
use scmp_common::{Error, ProjectId, TenantId};
use scmp_governance::{
    ActorFacts, Enforcement, Hit, OwnerFacts, PolicyDef, PolicyInput, Source, TimeFacts, Verdict,
};
use scmp_store::{AdmissionRow, PolicyLevel, PolicyRow, Project};

use crate::context::{AppState, OpContext};

use crate::policy_cache::ActiveSet;
pub(crate) use crate::policy_cache::PolicyScope;

/// Whether a policy of `scope` applies to a request in project `p`.
pub(crate) fn applies(scope: PolicyScope, tenant: TenantId, project: ProjectId) -> bool {
    match scope {
        (None, _) => true,
        (Some(t), None) => t == tenant,
        (Some(t), Some(p)) => t == tenant && p == project,
    }
}

/// Labels as policies read them: `key=value`.
pub(crate) fn label_texts(labels: &scmp_store::Labels) -> Vec<String> {
    labels.iter().map(|(k, v)| format!("{k}={v}")).collect()
}

/// A stored policy as the engine reads it.
pub(crate) fn definition(row: &PolicyRow) -> Result<PolicyDef, Error> {
    let source: Source = serde_json::from_str(&row.source).map_err(Error::internal)?;
    Ok(PolicyDef {
        key: row.name.to_string(),
        enforcement: match row.level {
            PolicyLevel::Deny => Enforcement::Deny,
            PolicyLevel::Warn => Enforcement::Warn,
            PolicyLevel::RequireApproval => Enforcement::RequireApproval,
            PolicyLevel::Lease => Enforcement::Lease,
        },
        message: row.message.clone(),
        source,
    })
}

/// A stored policy's approval rule (without its ITSM secret, which is sealed apart).
pub(crate) fn approval_rule(row: &PolicyRow) -> Result<Option<scmp_api::ApprovalRule>, Error> {
    row.approval
        .as_deref()
        .map(|a| serde_json::from_str(a).map_err(Error::internal))
        .transpose()
}

/// A stored policy's lease rule.
pub(crate) fn lease_rule(row: &PolicyRow) -> Result<Option<scmp_api::LeaseRule>, Error> {
    row.lease
        .as_deref()
        .map(|a| serde_json::from_str(a).map_err(Error::internal))
        .transpose()
}

/// A policy that holds a request for its approvers.
#[derive(Debug, Clone)]
pub(crate) struct Hold {
    /// The policy.
    pub policy: String,
    /// What it says.
    pub message: String,
    /// Who approves, how many, by when.
    pub rule: scmp_api::ApprovalRule,
}

/// What admission's governance answers for a request it does not refuse.
#[derive(Debug, Clone, Default)]
pub(crate) struct Governed {
    /// The warnings.
    pub warnings: Vec<PolicyWarning>,
    /// The policies that hold it for approval (none: it runs at once).
    pub holds: Vec<Hold>,
    /// What was asked, for approvers and ticketing systems.
    pub summary: serde_json::Value,
    /// The lease the guest gets (the shortest of the policies that give one).
    pub lease: Option<scmp_store::NewLease>,
}

impl Governed {
    /// The policies that hold the request, as the wizard shows them.
    pub(crate) fn held_policies(&self) -> Vec<PolicyWarning> {
        self.holds
            .iter()
            .map(|h| PolicyWarning {
                policy: h.policy.clone(),
                message: h.message.clone(),
            })
            .collect()
    }
}

impl AppState {
    /// The active set of the store's current generation, compiled when it changed.
    pub(crate) async fn active_policies(&self) -> Result<Arc<ActiveSet>, Error> {
        let generation = self.store.policy_generation().await?;
        let mut cached = self.governance.set.lock().await;
        if let Some((g, set)) = cached.as_ref() {
            if *g == generation {
                return Ok(set.clone());
            }
        }
        let rows: Vec<PolicyRow> = self
            .store
            .policy_all()
            .await?
            .into_iter()
            .filter(|r| r.active)
            .collect();
        let mut defs = Vec::new();
        let mut scopes = HashMap::new();
        let mut rules = HashMap::new();
        let mut leases = HashMap::new();
        let mut broken = Vec::new();
        for r in &rows {
            let scope = (r.tenant_id, r.project_id);
            // Checked when saved; one that no longer checks refuses what it would govern.
            match definition(r).and_then(|d| {
                self.governance
                    .engine
                    .rules(&d)
                    .map(|_| d)
                    .map_err(|e| Error::internal(e.to_string()))
            }) {
                Ok(d) => {
                    scopes.insert(d.key.clone(), scope);
                    if let Some(rule) = approval_rule(r)? {
                        rules.insert(d.key.clone(), rule);
                    }
                    if let Some(rule) = lease_rule(r)? {
                        leases.insert(d.key.clone(), rule);
                    }
                    defs.push(d);
                }
                Err(e) => {
                    tracing::error!(policy = %r.name, error = %e.chain(), "a policy does not compile");
                    broken.push((r.name.to_string(), scope, e.to_string()));
                }
            }
        }
        let compiled = self
            .governance
            .engine
            .compile(&defs)
            .map_err(|(_, e)| Error::internal(e.to_string()))?;
        let set = Arc::new(ActiveSet {
            compiled,
            scopes,
            rules,
            leases,
            broken,
        });
        *cached = Some((generation, set.clone()));
        Ok(set)
    }

    /// The facts of the caller, the project and its tenant, and the time, for a request.
    pub(crate) async fn policy_facts(
        &self,
        ctx: &OpContext,
        p: &Project,
    ) -> Result<(ActorFacts, OwnerFacts, OwnerFacts, TimeFacts), Error> {
        let tenant = self.store.tenant_get(p.tenant_id).await?;
        let user = &ctx.actor.user;
        Ok((
            ActorFacts {
                name: user.name.to_string(),
                groups: self.store.group_names_of(user.id).await?,
                realm: user
                    .realm
                    .as_ref()
                    .map(|r| r.to_string())
                    .unwrap_or_default(),
            },
            OwnerFacts {
                name: p.name.to_string(),
                labels: label_texts(&p.labels),
            },
            OwnerFacts {
                name: tenant.name.to_string(),
                labels: label_texts(&tenant.labels),
            },
            TimeFacts::at(self.clock.now_ms()),
        ))
    }

    /// The verdict of the policies of `set` that apply in project `p` on `input`.
    pub(crate) fn verdict_in(
        &self,
        set: &ActiveSet,
        p: &Project,
        input: &PolicyInput,
    ) -> Result<Verdict, Error> {
        if let Some((policy, _, why)) = set
            .broken
            .iter()
            .find(|(_, scope, _)| applies(*scope, p.tenant_id, p.id))
        {
            return Err(Error::PolicyDenied {
                policy: policy.clone(),
                message: format!("the policy cannot be evaluated ({why}); ask its owner to fix it"),
            });
        }
        let verdict = self
            .governance
            .engine
            .evaluate(&set.compiled, input)
            .map_err(|e| Error::InvalidValue {
                field: "request".into(),
                message: e.to_string(),
            })?;
        let hits: Vec<Hit> = verdict
            .hits
            .into_iter()
            .filter(|h| {
                set.scopes
                    .get(&h.policy)
                    .is_some_and(|s| applies(*s, p.tenant_id, p.id))
            })
            .collect();
        Ok(Verdict { hits })
    }

    /// Admission's governance: refused by the first `deny` policy that holds, otherwise the
    /// warnings and the policies that hold it for approval; the input kept for dry runs (not for
    /// a preview).
    pub(crate) async fn govern(
        &self,
        p: &Project,
        input: &PolicyInput,
        preview: bool,
    ) -> Result<Governed, Error> {
        let set = self.active_policies().await?;
        let verdict = self.verdict_in(&set, p, input)?;
        if !preview {
            self.store
                .admission_record(&AdmissionRow {
                    at: input.time.epoch_ms,
                    tenant_id: p.tenant_id,
                    project_id: p.id,
                    operation: input.operation.name().to_string(),
                    input: serde_json::to_string(input).map_err(Error::internal)?,
                })
                .await?;
        }
        if let Some(d) = verdict.denial() {
            return Err(Error::PolicyDenied {
                policy: d.policy.clone(),
                message: d.message.clone(),
            });
        }
        let holds = verdict
            .approvals()
            .map(|h| {
                let rule = set.rules.get(&h.policy).cloned().ok_or_else(|| {
                    Error::internal(format!("policy {} holds without a rule", h.policy))
                })?;
                Ok(Hold {
                    policy: h.policy.clone(),
                    message: h.message.clone(),
                    rule,
                })
            })
            .collect::<Result<_, Error>>()?;
        let lease = verdict
            .leases()
            .filter_map(|h| {
                set.leases
                    .get(&h.policy)
                    .map(|r| super::lease_terms::terms(&h.policy, r, input.time.epoch_ms))
            })
            .min_by_key(|l| l.expires_at);
        Ok(Governed {
            lease,
            warnings: verdict
                .warnings()
                .map(|w| PolicyWarning {
                    policy: w.policy.clone(),
                    message: w.message.clone(),
                })
                .collect(),
            holds,
            summary: serde_json::json!({
                "operation": input.operation,
                "request": input.request,
                "requested_by": input.actor.name,
                "project": input.project.name,
                "tenant": input.tenant.name,
            }),
        })
    }
}
