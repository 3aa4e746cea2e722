//! Guests: created from a catalog image and an instance type (or explicit sizes) inside their
//! project's quota, then started, stopped, resized, moved, snapshotted and deleted. Every change is
//! admitted in one transaction (quota, record, operation) and carried out by a saga; the answer is
//! the operation.

pub mod actions;
pub mod admission;
pub mod backups;
pub mod changes;
pub mod firewall;
pub mod governed;
pub mod live;
pub mod snapshots;

use scmp_api::{
    CreateQuery, GuestCreate, GuestEventView, GuestListQuery, GuestUpdate, GuestView,
    OperationView, Page, PlacementView,
};
use scmp_authz::Action;
use scmp_common::time::from_ms;
use scmp_common::{AuditTarget, Error, OperationKind, ResourceKind};
use scmp_store::NewOperation;

use super::paging;
use crate::context::{AppState, OpContext};
use changes::Change;

/// What `guest_create` answers.
#[derive(Debug)]
pub enum Created {
    /// The operation that builds the guest.
    Operation(OperationView),
    /// With `dry_run`: where placement would put it now (nothing created).
    Preview(PlacementView),
}

impl AppState {
    /// A project's guests, by name.
    pub async fn guest_list(
        &self,
        ctx: &OpContext,
        project: &str,
        q: &GuestListQuery,
    ) -> Result<Page<GuestView>, Error> {
        let project = self
            .lookup_project(ctx, project, Action::GuestList)
            .await?
            .id;
        let found = paging::fill(
            q.page_token.as_deref(),
            q.limit()?,
            |after: Option<String>, n| {
                let store = self.store.clone();
                async move { store.guest_list(project, after.as_deref(), n).await }
            },
            |g| g.name.to_string(),
            |batch| {
                batch
                    .iter()
                    .map(|g| {
                        q.site.as_ref().is_none_or(|site| {
                            g.site_name.as_ref().map(|n| n.as_str()) == Some(site)
                        }) && q.state.is_none_or(|state| g.state == state)
                    })
                    .collect()
            },
        )
        .await?;
        Ok(paging::page(found, crate::views::guest))
    }

    /// Creates a guest: admitted within the project's quota at once, built by an operation.
    pub async fn guest_create(
        &self,
        ctx: &OpContext,
        project: &str,
        q: &CreateQuery,
        body: GuestCreate,
    ) -> Result<Created, Error> {
        let p = self
            .lookup_project(ctx, project, Action::GuestCreate)
            .await?;
        let checked = self.check_create(&p, body).await?;
        let preview = q.dry_run == Some(true);
        let facts = governed::new_guest_facts(
            &checked.guest,
            &checked.creation.image_name,
            &checked.placed,
        );
        let governed = self
            .govern_request(
                ctx,
                &p,
                scmp_governance::Operation::GuestCreate,
                facts,
                preview,
            )
            .await?;
        if preview {
            let mut placed = checked.placed;
            placed.policy_approvals = governed.held_policies();
            placed.policy_warnings = governed.warnings;
            return Ok(Created::Preview(placed));
        }
        let mut new = checked.guest;
        new.lease = governed.lease.clone();
        let op = NewOperation {
            kind: OperationKind::GuestCreate,
            target: format!("guest/{}", new.name),
            params: serde_json::json!({ governed::WARNINGS: governed::warnings_param(&governed.warnings) }),
            request_id: ctx.request_id.clone(),
            requested_by: Some((ctx.actor.user.id.to_string(), ctx.actor.user.identity())),
            creation: Some(checked.creation),
            approval: self.held_approval(&governed).await?,
        };
        let target =
            AuditTarget::new(ResourceKind::Project, p.id).child(ResourceKind::Guest, &new.name);
        let op = self
            .audited(
                ctx,
                "guest_create",
                target,
                Some(p.tenant_id),
                self.store.guest_admit(&new, &op),
            )
            .await?;
        self.work.announce();
        let op = self.operation_wait(op, q.wait).await?;
        Ok(Created::Operation(crate::views::operation(op)))
    }

    /// One guest, with its recent events and (while it runs) the addresses it reports.
    pub async fn guest_view(&self, ctx: &OpContext, key: &str) -> Result<GuestView, Error> {
        let g = self
            .lookup_guest(ctx, key, Action::GuestView)
            .await?
            .into_inner();
        let events = self.store.guest_events(g.id, 20).await?;
        let addresses = self.guest_addresses(&g).await;
        let lease = self.store.lease_get(g.id).await?;
        let nics = self.store.guest_nics(g.id).await?;
        let public = self.store.guest_public_addresses(g.id).await?;
        let groups = self.store.guest_security_groups(g.id).await?;
        let mut v = crate::views::guest(g);
        v.security_groups = groups.into_iter().map(|s| s.name.to_string()).collect();
        v.public_addresses = public
            .into_iter()
            .map(crate::views::public_address)
            .collect();
        v.nics = nics
            .into_iter()
            .map(|n| scmp_api::NicView {
                network: n.network,
                network_id: n.network_id,
                address: format!("{}/{}", n.address, n.prefix_len),
                gateway: (!n.gateway.is_empty()).then_some(n.gateway),
                mac: n.mac,
                bridge: n.vnet,
            })
            .collect();
        v.addresses = addresses;
        v.lease = lease.as_ref().map(super::lease_terms::lease_view);
        v.events = events
            .into_iter()
            .map(|e| GuestEventView {
                at: from_ms(e.at),
                kind: e.kind,
                detail: e.detail,
            })
            .collect();
        Ok(v)
    }

    /// Decommissions a guest: stopped, out of HA, destroyed with its disks, quota released.
    pub async fn guest_delete(
        &self,
        ctx: &OpContext,
        key: &str,
        wait: Option<u64>,
    ) -> Result<OperationView, Error> {
        let g = self.lookup_guest(ctx, key, Action::GuestOperate).await?;
        let change = Change::delete();
        self.guest_begin(ctx, &g, change, wait).await
    }

    /// Resizes a guest within its project's quota (vCPUs and memory both ways, the disk grows
    /// only). What grows is taken from the quota when the resize begins.
    pub async fn guest_update(
        &self,
        ctx: &OpContext,
        key: &str,
        body: GuestUpdate,
        wait: Option<u64>,
    ) -> Result<OperationView, Error> {
        let g = self.lookup_guest(ctx, key, Action::GuestOperate).await?;
        let sizes = admission::check_sizes(
            body.vcpus.unwrap_or(g.vcpus),
            body.memory_mib.unwrap_or(g.memory_mib),
            body.disk_gib.unwrap_or(g.disk_gib),
        )?;
        admission::check_disk_grows(&g, sizes.2)?;
        let (vcpus, memory_mib, disk_gib) = sizes;
        let governed = self
            .govern_change(ctx, &g, scmp_governance::Operation::GuestResize, |f| {
                let size = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
                (f.vcpus, f.memory_mib, f.disk_gib) =
                    (size(vcpus), size(memory_mib), size(disk_gib));
            })
            .await?;
        let mut change = Change::update(
            OperationKind::GuestResize,
            serde_json::json!({"vcpus": vcpus, "memory_mib": memory_mib, "disk_gib": disk_gib,
                governed::WARNINGS: governed::warnings_param(&governed.warnings)}),
        );
        change.approval = self.held_approval(&governed).await?;
        change.quota = Some(g.growth_to(sizes)?);
        self.guest_begin(ctx, &g, change, wait).await
    }
}
