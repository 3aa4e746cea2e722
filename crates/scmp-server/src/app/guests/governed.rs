//! The governance policies' input for a guest's admissions: a new guest as checked, or an existing
//! one as a resize or a migration would leave it; the warnings a governed operation carries, and
//! the approval it waits for when policies hold it.

use scmp_api::PlacementView;
use scmp_api::PolicyWarning;
use scmp_common::{Error, OperationId};
use scmp_governance::{GuestFacts, Operation, PolicyInput};
use scmp_store::{Guest, NewApproval, NewGuest, Project};

use crate::app::governance::Governed;
use crate::context::{AppState, OpContext};

pub(crate) use crate::policy_cache::WARNINGS;

/// The warnings as an operation's parameter.
pub(crate) fn warnings_param(w: &[PolicyWarning]) -> serde_json::Value {
    serde_json::to_value(w).unwrap_or_default()
}

fn size(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A new guest, where placement would put it.
pub(crate) fn new_guest_facts(g: &NewGuest, image: &str, placed: &PlacementView) -> GuestFacts {
    GuestFacts {
        name: g.name.to_string(),
        kind: g.kind.to_string(),
        image: image.to_string(),
        vcpus: size(g.vcpus),
        memory_mib: size(g.memory_mib),
        disk_gib: size(g.disk_gib),
        site: placed.site.to_string(),
        country: placed.country.to_string(),
        host: placed.host.clone(),
        bridge: g.network.bridge.clone().unwrap_or_else(|| "vmbr0".into()),
        vlan: g.network.vlan.map(i64::from).unwrap_or(0),
        tags: g.tags.clone(),
        ha: g.ha,
        backup_policy: String::new(),
    }
}

impl AppState {
    /// An existing guest as it is.
    pub(crate) async fn guest_facts(&self, g: &Guest) -> Result<GuestFacts, Error> {
        let image = self.store.image_get(g.image_id).await?;
        Ok(GuestFacts {
            name: g.name.to_string(),
            kind: g.kind.to_string(),
            image: image.name.to_string(),
            vcpus: size(g.vcpus),
            memory_mib: size(g.memory_mib),
            disk_gib: size(g.disk_gib),
            site: g
                .site_name
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_default(),
            country: g
                .site_country
                .as_ref()
                .map(|c| c.to_string())
                .unwrap_or_default(),
            host: g.node.clone().unwrap_or_default(),
            bridge: g.network.bridge.clone().unwrap_or_else(|| "vmbr0".into()),
            vlan: g.network.vlan.map(i64::from).unwrap_or(0),
            tags: g.tags.clone(),
            ha: g.ha,
            backup_policy: String::new(),
        })
    }

    /// The approval a governed request waits for, with its ITSM requests; none when no policy
    /// holds it.
    pub(crate) async fn held_approval(&self, g: &Governed) -> Result<Option<NewApproval>, Error> {
        if g.holds.is_empty() {
            return Ok(None);
        }
        let id = self.random.id::<OperationId>();
        let mut approval = self.hold(id, &g.holds)?;
        approval.deliveries = self
            .itsm_requests(id, &g.holds, approval.deadline, g.summary.clone())
            .await?;
        Ok(Some(approval))
    }

    /// The policies' verdict on `request` in project `p`: refused, or its warnings and what
    /// holds it.
    pub(crate) async fn govern_request(
        &self,
        ctx: &OpContext,
        p: &Project,
        operation: Operation,
        request: GuestFacts,
        preview: bool,
    ) -> Result<Governed, Error> {
        let (actor, project, tenant, time) = self.policy_facts(ctx, p).await?;
        let input = PolicyInput {
            operation,
            request,
            actor,
            project,
            tenant,
            time,
        };
        self.govern(p, &input, preview).await
    }

    /// The policies' verdict on a change of an existing guest.
    pub(crate) async fn govern_change(
        &self,
        ctx: &OpContext,
        g: &Guest,
        operation: Operation,
        change: impl FnOnce(&mut GuestFacts),
    ) -> Result<Governed, Error> {
        let p = self.store.project_get(g.project_id).await?;
        let mut facts = self.guest_facts(g).await?;
        change(&mut facts);
        self.govern_request(ctx, &p, operation, facts, false).await
    }
}
