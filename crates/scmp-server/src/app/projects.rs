//! Projects and their quota, reserved from their tenant's.

use scmp_api::{Page, PageQuery, ProjectCreate, ProjectView, QuotaBody, ResourcesBody};
use scmp_authz::{Action, Resource};
use scmp_common::{AuditTarget, Error, ResourceKind, Resources};
use scmp_store::NewProject;

use super::paging;
use crate::context::{AppState, OpContext};

fn target(id: scmp_common::ProjectId) -> AuditTarget {
    AuditTarget::new(ResourceKind::Project, id)
}

impl AppState {
    /// A tenant's projects the caller may see, by name.
    pub async fn project_list(
        &self,
        ctx: &OpContext,
        tenant: &str,
        q: &PageQuery,
    ) -> Result<Page<ProjectView>, Error> {
        let limit = q.limit()?;
        let tenant = self
            .lookup_tenant(ctx, tenant, Action::ProjectList)
            .await?
            .id;
        let seen = self.visible_projects(ctx, Action::ProjectView);
        let found = paging::fill(
            q.page_token.as_deref(),
            limit,
            |after, n| {
                let (store, seen) = (self.store.clone(), seen.clone());
                async move { store.project_list(tenant, &seen, after.as_deref(), n).await }
            },
            |p| p.name.to_string(),
            |batch| {
                self.allows_each(ctx, Action::ProjectView, batch, |p| {
                    Resource::Project(p.tenant_id, p.id)
                })
            },
        )
        .await?;
        Ok(paging::page(found, crate::views::project))
    }

    /// Creates a project; its quota is reserved from the tenant's in the same transaction.
    pub async fn project_create(
        &self,
        ctx: &OpContext,
        tenant: &str,
        body: ProjectCreate,
    ) -> Result<ProjectView, Error> {
        let t = self
            .lookup_tenant(ctx, tenant, Action::ProjectCreate)
            .await?;
        let new = NewProject {
            name: body.name,
            description: body.description.unwrap_or_default(),
            quota: body.quota.map(Resources::from).unwrap_or_default(),
        };
        let target =
            AuditTarget::new(ResourceKind::Tenant, t.id).child(ResourceKind::Project, &new.name);
        let p = self
            .audited(
                ctx,
                "project_create",
                target,
                Some(t.id),
                self.store.project_create(t.id, &new),
            )
            .await?;
        Ok(crate::views::project(p))
    }

    /// One project.
    pub async fn project_view(&self, ctx: &OpContext, key: &str) -> Result<ProjectView, Error> {
        let p = self.lookup_project(ctx, key, Action::ProjectView).await?;
        Ok(crate::views::project(p.into_inner()))
    }

    /// Changes a project's description.
    pub async fn project_update(
        &self,
        ctx: &OpContext,
        key: &str,
        description: &str,
    ) -> Result<ProjectView, Error> {
        let p = self.lookup_project(ctx, key, Action::ProjectUpdate).await?;
        let p = self
            .audited(
                ctx,
                "project_update",
                target(p.id),
                Some(p.tenant_id),
                self.store.project_update(p.id, description),
            )
            .await?;
        Ok(crate::views::project(p))
    }

    /// Replaces a project's labels (policies read them).
    pub async fn project_labels_update(
        &self,
        ctx: &OpContext,
        key: &str,
        labels: scmp_store::Labels,
    ) -> Result<ProjectView, Error> {
        let p = self.lookup_project(ctx, key, Action::ProjectUpdate).await?;
        let id = p.id;
        let p = self
            .audited(
                ctx,
                "project_labels_update",
                target(id),
                Some(p.tenant_id),
                async {
                    self.store.project_labels_set(id, &labels).await?;
                    self.store.project_get(id).await
                },
            )
            .await?;
        Ok(crate::views::project(p))
    }

    /// Deletes a project with the roles bound on it, returning its quota to the tenant; refused
    /// while it has guests in any state.
    pub async fn project_delete(&self, ctx: &OpContext, key: &str) -> Result<(), Error> {
        let p = self.lookup_project(ctx, key, Action::ProjectDelete).await?;
        self.audited(
            ctx,
            "project_delete",
            target(p.id),
            Some(p.tenant_id),
            self.store.project_delete(p.id),
        )
        .await
    }

    /// A project's quota.
    pub async fn project_quota_view(&self, ctx: &OpContext, key: &str) -> Result<QuotaBody, Error> {
        let p = self
            .lookup_project(ctx, key, Action::ProjectQuotaView)
            .await?;
        Ok(crate::views::quota(p.quota()))
    }

    /// Sets a project's quota; it must fit in the tenant's and not fall below what guests use.
    pub async fn project_quota_update(
        &self,
        ctx: &OpContext,
        key: &str,
        body: ResourcesBody,
    ) -> Result<QuotaBody, Error> {
        let p = self
            .lookup_project(ctx, key, Action::ProjectQuotaUpdate)
            .await?;
        let limits = Resources::from(body);
        let updated = self
            .audited(
                ctx,
                "project_quota_update",
                target(p.id),
                Some(p.tenant_id),
                self.store.project_quota_update(p.id, &limits),
            )
            .await?;
        Ok(crate::views::quota(updated.quota()))
    }
}
