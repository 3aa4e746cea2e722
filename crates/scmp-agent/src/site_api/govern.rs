//! Governance at the site: a guest made there is held to the same policies as at the centre (the
//! active policies of the platform, its tenant and its project, as the centre last sent them),
//! evaluated here by the same engine. A policy that cannot be evaluated refuses, and so does one
//! that requires approval (approvers decide at the centre).

use axum::http::StatusCode;
use scmp_api::GuestCreate;
use scmp_common::Resources;
use scmp_governance::{
    ActorFacts, Governance, GuestFacts, Operation, OwnerFacts, PolicyDef, PolicyInput, TimeFacts,
};

use super::auth::Caller;
use super::problem::{problem, Refusal};
use crate::link::{SiteProject, SiteState};

fn refusal(detail: String) -> Refusal {
    problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        "policy",
        "Refused by policy",
        &detail,
    )
}

fn labels(l: &std::collections::BTreeMap<String, String>) -> Vec<String> {
    l.iter().map(|(k, v)| format!("{k}={v}")).collect()
}

fn size(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The policies' verdict on a creation at the site: refused, or the warnings (policy: message).
pub(crate) fn check_create(
    st: &SiteState,
    sp: &SiteProject,
    caller: &Caller,
    body: &GuestCreate,
    image: &str,
    need: &Resources,
    now_ms: i64,
) -> Result<Vec<String>, Refusal> {
    let (tenant, project) = (sp.project.tenant_id, sp.project.id);
    let defs: Vec<PolicyDef> = st
        .governance
        .policies
        .iter()
        .filter(|p| match (p.tenant, p.project) {
            (None, _) => true,
            (Some(t), None) => t == tenant,
            (Some(t), Some(p)) => t == tenant && p == project,
        })
        .map(|p| p.policy.clone())
        .collect();
    if defs.is_empty() {
        return Ok(Vec::new());
    }
    let engine = Governance::new().map_err(|e| refusal(e.to_string()))?;
    let set = engine.compile(&defs).map_err(|(i, e)| {
        refusal(format!(
            "policy '{}' cannot be evaluated at the site ({e})",
            defs[i].key
        ))
    })?;
    let network = body.network.clone().unwrap_or_default();
    let input = PolicyInput {
        operation: Operation::GuestCreate,
        request: GuestFacts {
            name: body.name.to_string(),
            kind: body.kind.to_string(),
            image: image.to_string(),
            vcpus: size(need.vcpus),
            memory_mib: size(need.memory_mib),
            disk_gib: size(need.disk_gib),
            site: st.governance.site.clone(),
            country: st.governance.country.clone(),
            host: String::new(),
            bridge: network.bridge.unwrap_or_else(|| "vmbr0".into()),
            vlan: network.vlan.map(i64::from).unwrap_or(0),
            tags: body.tags.clone().unwrap_or_default(),
            ha: body.ha.unwrap_or(false),
            backup_policy: String::new(),
        },
        actor: ActorFacts {
            name: match caller {
                Caller::BreakGlass => "break-glass".into(),
                Caller::User { identity, .. } => identity.name.to_string(),
            },
            groups: Vec::new(),
            realm: String::new(),
        },
        project: OwnerFacts {
            name: sp.project.name.to_string(),
            labels: labels(&sp.project.labels),
        },
        tenant: OwnerFacts {
            name: sp.tenant.to_string(),
            labels: labels(&sp.tenant_labels),
        },
        time: TimeFacts::at(now_ms),
    };
    let verdict = engine
        .evaluate(&set, &input)
        .map_err(|e| refusal(e.to_string()))?;
    if let Some(d) = verdict.denial() {
        return Err(refusal(format!(
            "refused by policy '{}': {}",
            d.policy, d.message
        )));
    }
    // Approvers decide at the centre: what needs their consent waits until the site is linked.
    if let Some(h) = verdict.approvals().next() {
        return Err(refusal(format!(
            "policy '{}' requires approval, which is given at the centre: ask there ({})",
            h.policy, h.message
        )));
    }
    Ok(verdict
        .warnings()
        .map(|w| format!("{}: {}", w.policy, w.message))
        .collect())
}
