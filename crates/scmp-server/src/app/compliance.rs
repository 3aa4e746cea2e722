//! Compliance scans: every existing guest of a tenant evaluated against the current active
//! policies as if it were asked for now (its sizes, image, site, network, tags; its project's and
//! tenant's labels; no actor's groups), periodically (hourly, one replica) and on demand. What a
//! `deny` or `warn` policy holds against a guest is a violation, kept since the scan that first
//! found it; a new one is an event on the guest, and so is one resolved. (`require_approval`
//! and `lease` policies govern requests, not what was approved or leased: they are not scanned.)

use scmp_api::{ComplianceReport, ViolationView};
use scmp_authz::{Action, Resource};
use scmp_common::time::{from_ms, from_ms_opt};
use scmp_common::{AuditTarget, Error, ResourceKind, TenantId};
use scmp_governance::{ActorFacts, Enforcement, Operation, OwnerFacts, PolicyInput, TimeFacts};
use scmp_store::Violation;

use super::governance::label_texts;
use crate::context::{AppState, OpContext};

/// How often every tenant is scanned.
pub const SCAN_EVERY_MS: i64 = 3_600_000;

/// Who the scan's input names as the actor.
const SCANNER: &str = "compliance-scan";

impl AppState {
    /// Scans one tenant's guests; answers the violations that are new.
    pub(crate) async fn compliance_scan_tenant(
        &self,
        tenant: TenantId,
    ) -> Result<Vec<Violation>, Error> {
        let t = self.store.tenant_get(tenant).await?;
        let set = self.active_policies().await?;
        let guests = self.store.guest_list_of_tenant(tenant).await?;
        let mut projects = std::collections::HashMap::new();
        let mut found = Vec::new();
        let now = self.clock.now_ms();
        for g in &guests {
            if let std::collections::hash_map::Entry::Vacant(e) = projects.entry(g.project_id) {
                e.insert(self.store.project_get(g.project_id).await?);
            }
            let p = &projects[&g.project_id];
            let input = PolicyInput {
                operation: Operation::GuestCreate,
                request: self.guest_facts(g).await?,
                actor: ActorFacts {
                    name: SCANNER.into(),
                    groups: Vec::new(),
                    realm: String::new(),
                },
                project: OwnerFacts {
                    name: p.name.to_string(),
                    labels: label_texts(&p.labels),
                },
                tenant: OwnerFacts {
                    name: t.name.to_string(),
                    labels: label_texts(&t.labels),
                },
                time: TimeFacts::at(now),
            };
            let verdict = match self.verdict_in(&set, p, &input) {
                Ok(v) => v,
                // A broken policy refuses requests; a scan reports it as violated by everything.
                Err(Error::PolicyDenied { policy, message }) => scmp_governance::Verdict {
                    hits: vec![scmp_governance::Hit {
                        policy,
                        enforcement: Enforcement::Deny,
                        message,
                    }],
                },
                Err(e) => return Err(e),
            };
            for h in verdict.hits {
                let enforcement = match h.enforcement {
                    Enforcement::Deny => "deny",
                    Enforcement::Warn => "warn",
                    Enforcement::RequireApproval | Enforcement::Lease => continue,
                };
                found.push(Violation {
                    guest_id: g.id,
                    guest: g.name.to_string(),
                    project_id: g.project_id,
                    policy: h.policy,
                    enforcement: enforcement.into(),
                    message: h.message,
                    since: 0,
                });
            }
        }
        let new = self
            .store
            .compliance_record(tenant, guests.len() as u64, &found)
            .await?;
        if !new.is_empty() {
            tracing::info!(tenant = %t.name, new = new.len(), "compliance scan: new violations");
        }
        Ok(new)
    }

    /// Scans the tenants whose last scan is an hour old (or that were never scanned); one
    /// replica at a time.
    pub(crate) async fn compliance_scan_due(&self) -> Result<(), Error> {
        if !self
            .store
            .lease_try("compliance-scan", &self.replica, 180_000)
            .await?
        {
            return Ok(());
        }
        let now = self.clock.now_ms();
        let mut after: Option<String> = None;
        loop {
            let page = self
                .store
                .tenant_list(&scmp_store::Visible::All, after.as_deref(), 100)
                .await?;
            for t in &page {
                let (last, _) = self.store.compliance_report(t.id).await?;
                if last.is_some_and(|s| now - s.scanned_at < SCAN_EVERY_MS) {
                    continue;
                }
                if let Err(e) = self.compliance_scan_tenant(t.id).await {
                    tracing::warn!(tenant = %t.name, error = %e.chain(), "compliance scan failed");
                }
            }
            match page.last() {
                Some(t) if page.len() == 100 => after = Some(t.name.to_string()),
                _ => return Ok(()),
            }
        }
    }

    /// A tenant's compliance report: what its guests violate, since when, of the projects the
    /// caller sees.
    pub async fn compliance_report(
        &self,
        ctx: &OpContext,
        tenant: &str,
    ) -> Result<ComplianceReport, Error> {
        let t = self.lookup_tenant(ctx, tenant, Action::TenantView).await?;
        let (scan, violations) = self.store.compliance_report(t.id).await?;
        Ok(ComplianceReport {
            tenant_id: t.id,
            tenant: t.name.clone(),
            scanned_at: scan.as_ref().and_then(|s| from_ms_opt(s.scanned_at)),
            guests: scan.map(|s| s.guests).unwrap_or_default(),
            violations: violations
                .into_iter()
                .filter(|v| {
                    self.authz
                        .can_see(&ctx.actor.principal, Resource::Project(t.id, v.project_id))
                })
                .map(|v| ViolationView {
                    guest_id: v.guest_id,
                    guest: v.guest,
                    project_id: v.project_id,
                    policy: v.policy,
                    enforcement: v.enforcement,
                    message: v.message,
                    since: from_ms(v.since),
                })
                .collect(),
        })
    }

    /// Scans a tenant now (its policy managers, or the platform's), audited; answers its report.
    pub async fn compliance_scan(
        &self,
        ctx: &OpContext,
        tenant: &str,
    ) -> Result<ComplianceReport, Error> {
        let t = self.lookup_tenant(ctx, tenant, Action::TenantView).await?;
        if !self.allows(ctx, Action::PolicyManage, Resource::Tenant(t.id)) {
            return Err(Error::Forbidden {
                action: "scan the tenant's compliance".into(),
            });
        }
        self.audited(
            ctx,
            "compliance_scan",
            AuditTarget::new(ResourceKind::Tenant, t.id),
            Some(t.id),
            self.compliance_scan_tenant(t.id),
        )
        .await?;
        self.compliance_report(ctx, &t.id.to_string()).await
    }
}

/// A report as CSV: a header, then one line per violation.
pub fn report_csv(r: &ComplianceReport) -> Result<String, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "tenant",
        "project_id",
        "guest_id",
        "guest",
        "policy",
        "enforcement",
        "message",
        "since",
    ];
    w.write_record(header).map_err(Error::internal)?;
    for v in &r.violations {
        w.write_record([
            r.tenant.as_str(),
            &v.project_id.to_string(),
            &v.guest_id.to_string(),
            &v.guest,
            &v.policy,
            &v.enforcement,
            &v.message,
            &v.since.to_string(),
        ])
        .map_err(Error::internal)?;
    }
    let bytes = w.into_inner().map_err(Error::internal)?;
    String::from_utf8(bytes).map_err(Error::internal)
}
