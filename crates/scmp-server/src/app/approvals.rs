//! Approvals: an operation a `require_approval` policy holds waits, its quota reserved, until the
//! approvers each holding policy names have approved it (as many as it asks), or is undone when
//! one rejects it, its deadline passes or its requester cancels it. Approvers are the holders of
//! a role at the request's project, tenant or the platform, or the members of a group; nobody
//! approves their own request. Whoever can see the project, and whoever may decide, sees the
//! approval with who must still approve.

use scmp_api::{
    ApprovalComment, ApprovalDecision, ApprovalDecisionView, ApprovalListQuery,
    ApprovalRequirementView, ApprovalView, Approver, ApproverScope, DeliveryAttemptView,
    ItsmDeliveryView, Page,
};
use scmp_authz::{Action, Resource, RoleBinding, Scope};
use scmp_common::time::{from_ms, from_ms_opt};
use scmp_common::{
    ApprovalState, AuditTarget, Error, OperationId, ProjectId, ResourceKind, TenantId,
};
use scmp_store::{ApprovalRow, Decision, DeliveryRow, NewApproval, Requirement};

use super::approval_rules::DEFAULT_DEADLINE_HOURS;
use super::governance::Hold;
use super::paging;
use crate::context::{AppState, OpContext};

pub use crate::outcomes::NOT_APPROVED;

fn not_found(key: &str) -> Error {
    Error::not_found(ResourceKind::Approval, key)
}

/// Whether a binding's scope covers where an approver's role must be held, for a request in
/// project `project` of tenant `tenant`.
fn covers(held: Scope, on: ApproverScope, tenant: TenantId, project: ProjectId) -> bool {
    match (held, on) {
        (Scope::Platform, _) => true,
        (Scope::Tenant(t), ApproverScope::Project | ApproverScope::Tenant) => t == tenant,
        (Scope::Project(t, p), ApproverScope::Project) => t == tenant && p == project,
        _ => false,
    }
}

/// What makes the caller an approver: their role bindings, and their groups with each group's
/// tenant (none: a platform group).
struct Eligibility<'a> {
    bindings: &'a [RoleBinding],
    groups: Vec<(String, Option<TenantId>)>,
    me: String,
}

impl Eligibility<'_> {
    /// The policies of an approval the caller's decision counts for: those whose approvers
    /// include them.
    fn counts_for(&self, a: &ApprovalRow) -> Result<Vec<String>, Error> {
        let mut mine = Vec::new();
        for r in &a.requirements {
            let eligible = rule_of(r)?.approvers.iter().any(|approver| match approver {
                Approver::Role { role, on } => self.bindings.iter().any(|b| {
                    b.role.name() == role && covers(b.scope, *on, a.tenant_id, a.project_id)
                }),
                // The group must be the request's tenant's or the platform's.
                Approver::Group { group } => self.groups.iter().any(|(name, tenant)| {
                    name == group && (tenant.is_none() || *tenant == Some(a.tenant_id))
                }),
            });
            if eligible {
                mine.push(r.policy.clone());
            }
        }
        Ok(mine)
    }

    /// Whether the caller may decide on `a` now.
    fn may_decide(&self, a: &ApprovalRow, mine: &[String]) -> bool {
        a.state == ApprovalState::Pending
            && !mine.is_empty()
            && a.requested_by != self.me
            && !a.decisions.iter().any(|d| d.decision.who == self.me)
    }
}

fn rule_of(r: &Requirement) -> Result<scmp_api::ApprovalRule, Error> {
    serde_json::from_value(r.rule.clone()).map_err(Error::internal)
}

fn decision_view(d: &scmp_store::DecisionRow) -> ApprovalDecisionView {
    ApprovalDecisionView {
        by: d.decision.name.clone(),
        decision: if d.decision.approve {
            ApprovalDecision::Approve
        } else {
            ApprovalDecision::Reject
        },
        comment: d.decision.comment.clone(),
        ticket: Some(d.decision.ticket.clone()).filter(|t| !t.is_empty()),
        at: from_ms(d.at),
    }
}

fn delivery_view(d: DeliveryRow) -> ItsmDeliveryView {
    ItsmDeliveryView {
        policy: d.policy,
        url: d.url,
        state: d.state.as_str().to_string(),
        attempts: d.attempts,
        log: d
            .log
            .into_iter()
            .map(|a| DeliveryAttemptView {
                at: from_ms(a.at),
                status: a.status,
                error: Some(a.error).filter(|e| !e.is_empty()),
            })
            .collect(),
    }
}

impl AppState {
    /// What the policies holding a request ask: its approval, recorded with its operation (its
    /// ITSM requests are added by `held_approval`, which needs the deadline set here).
    pub(crate) fn hold(
        &self,
        operation_id: OperationId,
        holds: &[Hold],
    ) -> Result<NewApproval, Error> {
        let hours = holds
            .iter()
            .map(|h| h.rule.deadline_hours.unwrap_or(DEFAULT_DEADLINE_HOURS))
            .min()
            .unwrap_or(DEFAULT_DEADLINE_HOURS);
        let requirements = holds
            .iter()
            .map(|h| {
                Ok(Requirement {
                    policy: h.policy.clone(),
                    message: h.message.clone(),
                    required: h.rule.required.unwrap_or(1),
                    rule: serde_json::to_value(&h.rule).map_err(Error::internal)?,
                })
            })
            .collect::<Result<_, Error>>()?;
        Ok(NewApproval {
            operation_id,
            requirements,
            deadline: self.clock.now_ms() + i64::from(hours) * 3_600_000,
            deliveries: Vec::new(),
        })
    }

    /// What makes the caller an approver.
    async fn eligibility<'a>(&self, ctx: &'a OpContext) -> Result<Eligibility<'a>, Error> {
        let mut groups = Vec::new();
        for name in self.store.group_names_of(ctx.actor.user.id).await? {
            match self.store.group_lookup(&name).await {
                Ok(g) => groups.push((name, g.tenant_id)),
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(Eligibility {
            bindings: &ctx.actor.principal.bindings,
            groups,
            me: ctx.actor.user.id.to_string(),
        })
    }

    /// An approval the caller may see (they see its project, or may decide on it), the
    /// policies their decision counts for, and whether they may decide now.
    async fn lookup_approval(
        &self,
        ctx: &OpContext,
        key: &str,
    ) -> Result<(ApprovalRow, Vec<String>, bool), Error> {
        let id: OperationId = key.parse().map_err(|_| not_found(key))?;
        let a = match self.store.approval_get(id).await {
            Ok(a) => a,
            Err(Error::NotFound { .. }) => return Err(not_found(key)),
            Err(e) => return Err(e),
        };
        let who = self.eligibility(ctx).await?;
        let mine = who.counts_for(&a)?;
        let may = who.may_decide(&a, &mine);
        let sees = self.authz.can_see(
            &ctx.actor.principal,
            Resource::Project(a.tenant_id, a.project_id),
        );
        if sees || !mine.is_empty() {
            Ok((a, mine, may))
        } else {
            Err(not_found(key))
        }
    }

    pub(crate) async fn approval_view(
        &self,
        a: ApprovalRow,
        may_decide: bool,
    ) -> Result<ApprovalView, Error> {
        let op = self.store.operation_get(a.operation_id).await?;
        let deliveries = self.store.itsm_deliveries_of(a.operation_id).await?;
        let requirements = a
            .requirements
            .iter()
            .map(|r| {
                Ok(ApprovalRequirementView {
                    policy: r.policy.clone(),
                    message: r.message.clone(),
                    approvers: rule_of(r)?.approvers,
                    required: r.required,
                    approvals: u32::try_from(
                        a.decisions
                            .iter()
                            .filter(|d| {
                                d.decision.approve && d.decision.counts_for.contains(&r.policy)
                            })
                            .count(),
                    )
                    .unwrap_or(u32::MAX),
                    satisfied: a.satisfied(r),
                })
            })
            .collect::<Result<_, Error>>()?;
        Ok(ApprovalView {
            operation_id: a.operation_id,
            operation: op.kind,
            target: op.target,
            tenant_id: a.tenant_id,
            project_id: a.project_id,
            requested_by: a.requester.clone(),
            state: a.state,
            deadline: from_ms(a.deadline),
            requirements,
            decisions: a.decisions.iter().map(decision_view).collect(),
            ticket: Some(a.ticket.clone()).filter(|t| !t.is_empty()),
            deliveries: deliveries.into_iter().map(delivery_view).collect(),
            may_decide,
            created_at: from_ms(a.created_at),
            decided_at: from_ms_opt(a.decided_at).filter(|_| a.decided_at > 0),
        })
    }

    /// Approvals the caller may see (or, with `mine`, those they may still decide on), newest
    /// first.
    pub async fn approval_list(
        &self,
        ctx: &OpContext,
        q: &ApprovalListQuery,
    ) -> Result<Page<ApprovalView>, Error> {
        self.authorize_platform(ctx, Action::MeView)?;
        let only_mine = q.mine == Some(true);
        let state = q.state;
        let who = self.eligibility(ctx).await?;
        let found = paging::fill(
            q.page_token.as_deref(),
            q.limit()?,
            |after: Option<(i64, String)>, n| {
                let store = self.store.clone();
                async move { store.approval_list(state, after, n).await }
            },
            |a: &ApprovalRow| (a.created_at, a.operation_id.to_string()),
            |batch: &[ApprovalRow]| {
                batch
                    .iter()
                    .map(|a| {
                        let mine = who.counts_for(a).unwrap_or_default();
                        if only_mine {
                            who.may_decide(a, &mine)
                        } else {
                            !mine.is_empty()
                                || self.authz.can_see(
                                    &ctx.actor.principal,
                                    Resource::Project(a.tenant_id, a.project_id),
                                )
                        }
                    })
                    .collect()
            },
        )
        .await?;
        let (rows, next_page_token) = found;
        let mut items = Vec::new();
        for a in rows {
            let mine = who.counts_for(&a)?;
            let may = who.may_decide(&a, &mine);
            items.push(self.approval_view(a, may).await?);
        }
        Ok(Page {
            items,
            next_page_token,
        })
    }

    /// One approval, with who must still approve.
    pub async fn approval_get(&self, ctx: &OpContext, key: &str) -> Result<ApprovalView, Error> {
        let (a, _, may) = self.lookup_approval(ctx, key).await?;
        self.approval_view(a, may).await
    }

    /// Approves or rejects (with a comment, which a rejection needs) as one of the approvers;
    /// nobody decides on their own request, or twice.
    pub async fn approval_decide(
        &self,
        ctx: &OpContext,
        key: &str,
        approve: bool,
        body: ApprovalComment,
    ) -> Result<ApprovalView, Error> {
        let (a, mine, _) = self.lookup_approval(ctx, key).await?;
        let comment = body.comment.unwrap_or_default().trim().to_string();
        if comment.len() > 1000 {
            return Err(Error::invalid("comment", "at most 1000 characters"));
        }
        if !approve && comment.is_empty() {
            return Err(Error::invalid("comment", "say why the request is rejected"));
        }
        if a.requested_by == ctx.actor.user.id.to_string() {
            return Err(Error::Forbidden {
                action: "decide on your own request (nobody approves their own)".into(),
            });
        }
        if mine.is_empty() {
            return Err(Error::Forbidden {
                action: "decide on this approval (you are none of its approvers)".into(),
            });
        }
        let name = ctx.actor.user.name.to_string();
        let decision = Decision {
            who: ctx.actor.user.id.to_string(),
            name: name.clone(),
            approve,
            counts_for: mine.clone(),
            comment: comment.clone(),
            ticket: String::new(),
        };
        let rejected = format!("{NOT_APPROVED}rejected by {name}: {comment}");
        let a = self
            .audited(
                ctx,
                if approve {
                    "approval_approve"
                } else {
                    "approval_reject"
                },
                AuditTarget::new(ResourceKind::Approval, a.operation_id),
                Some(a.tenant_id),
                self.store
                    .approval_decide(a.operation_id, &decision, &rejected),
            )
            .await?;
        if a.state != ApprovalState::Pending {
            self.work.announce();
        }
        self.approval_view(a, false).await
    }

    /// Expires the approvals whose deadline passed and delivers the ITSM webhooks due.
    pub(crate) async fn approvals_due(&self) -> Result<(), Error> {
        let expired = self
            .store
            .approval_expire(&format!(
                "{NOT_APPROVED}the deadline passed without the approvals it needs"
            ))
            .await?;
        if !expired.is_empty() {
            tracing::info!(
                count = expired.len(),
                "approvals expired; their operations are undone"
            );
            self.work.announce();
        }
        self.itsm_deliver_due().await
    }
}
