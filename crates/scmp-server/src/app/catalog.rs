//! The catalog: images (templates the clusters carry, by name) and instance types (named sizes).
//! Every signed-in user may read it; platform administrators add to it.

use std::collections::{HashMap, HashSet};

use scmp_api::{ImageCreate, ImageView, InstanceTypeCreate, InstanceTypeView, Page, PageQuery};
use scmp_authz::Action;
use scmp_common::{AuditTarget, ClusterId, Error, Name, ResourceKind};
use scmp_store::{Image, NewImage, NewInstanceType};

use super::guests::admission::check_sizes;
use super::paging;
use crate::context::{AppState, OpContext};

/// A short label (an OS, a version, a template name): 1 to 64 printable characters.
fn short_text(field: &str, v: String) -> Result<String, Error> {
    if v.is_empty() || v.len() > 64 || v.contains(char::is_control) {
        Err(Error::InvalidValue {
            field: field.into(),
            message: "must be 1 to 64 printable characters".into(),
        })
    } else {
        Ok(v)
    }
}

impl AppState {
    /// The names of the clusters that carry each image's template, in one read of the inventory.
    async fn carriers(&self, images: &[Image]) -> Result<Vec<Vec<Name>>, Error> {
        let templates = self.store.cluster_templates(None).await?;
        let names: HashMap<ClusterId, Name> = self
            .store
            .cluster_list_all()
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        Ok(images
            .iter()
            .map(|i| {
                let carrying: HashSet<ClusterId> = templates
                    .iter()
                    .filter(|(_, t)| t.name == i.template && t.kind == i.kind)
                    .map(|(c, _)| *c)
                    .collect();
                let mut clusters: Vec<Name> = carrying
                    .iter()
                    .filter_map(|c| names.get(c).cloned())
                    .collect();
                clusters.sort();
                clusters
            })
            .collect())
    }

    /// Every image, with the clusters that have it.
    pub async fn image_list(
        &self,
        ctx: &OpContext,
        q: &PageQuery,
    ) -> Result<Page<ImageView>, Error> {
        self.authorize_platform(ctx, Action::CatalogView)?;
        let (images, next) = paging::fill(
            q.page_token.as_deref(),
            q.limit()?,
            |after: Option<String>, n| {
                let store = self.store.clone();
                async move { store.image_list(after.as_deref(), n).await }
            },
            |i| i.name.to_string(),
            paging::everything,
        )
        .await?;
        let carriers = self.carriers(&images).await?;
        Ok(Page {
            items: images
                .into_iter()
                .zip(carriers)
                .map(|(i, c)| crate::views::image(i, c))
                .collect(),
            next_page_token: next,
        })
    }

    /// Adds an image.
    pub async fn image_create(
        &self,
        ctx: &OpContext,
        body: ImageCreate,
    ) -> Result<ImageView, Error> {
        self.authorize_platform(ctx, Action::CatalogManage)?;
        let new = NewImage {
            kind: body.kind,
            os: short_text("os", body.os)?,
            version: short_text("version", body.version)?,
            template: short_text("template", body.template)?,
            description: body.description.unwrap_or_default(),
            name: body.name,
        };
        let i = self
            .audited(
                ctx,
                "image_create",
                AuditTarget::new(ResourceKind::Image, &new.name),
                None,
                self.store.image_create(&new),
            )
            .await?;
        let carriers = self.carriers(std::slice::from_ref(&i)).await?;
        Ok(crate::views::image(
            i,
            carriers.into_iter().next().unwrap_or_default(),
        ))
    }

    /// One image, with the clusters that have it.
    pub async fn image_view(&self, ctx: &OpContext, key: &str) -> Result<ImageView, Error> {
        let i = self
            .lookup_image(ctx, key, Action::CatalogView)
            .await?
            .into_inner();
        let carriers = self.carriers(std::slice::from_ref(&i)).await?;
        Ok(crate::views::image(
            i,
            carriers.into_iter().next().unwrap_or_default(),
        ))
    }

    /// Removes an image from the catalog; refused while guests were made from it.
    pub async fn image_delete(&self, ctx: &OpContext, key: &str) -> Result<(), Error> {
        let i = self.lookup_image(ctx, key, Action::CatalogManage).await?;
        self.audited(
            ctx,
            "image_delete",
            AuditTarget::new(ResourceKind::Image, i.id),
            None,
            self.store.image_delete(i.id),
        )
        .await
    }

    /// Every instance type, smallest first.
    pub async fn instance_type_list(
        &self,
        ctx: &OpContext,
        q: &PageQuery,
    ) -> Result<Page<InstanceTypeView>, Error> {
        self.authorize_platform(ctx, Action::CatalogView)?;
        let found = paging::fill(
            q.page_token.as_deref(),
            q.limit()?,
            |after, n| {
                let store = self.store.clone();
                async move { store.instance_type_list(after, n).await }
            },
            |t| (t.vcpus, t.memory_mib, t.name.to_string()),
            paging::everything,
        )
        .await?;
        Ok(paging::page(found, crate::views::instance_type))
    }

    /// Adds an instance type.
    pub async fn instance_type_create(
        &self,
        ctx: &OpContext,
        body: InstanceTypeCreate,
    ) -> Result<InstanceTypeView, Error> {
        self.authorize_platform(ctx, Action::CatalogManage)?;
        let (vcpus, memory_mib, disk_gib) =
            check_sizes(body.vcpus, body.memory_mib, body.disk_gib)?;
        let new = NewInstanceType {
            name: body.name,
            vcpus,
            memory_mib,
            disk_gib,
        };
        let t = self
            .audited(
                ctx,
                "instance_type_create",
                AuditTarget::new(ResourceKind::InstanceType, &new.name),
                None,
                self.store.instance_type_create(&new),
            )
            .await?;
        Ok(crate::views::instance_type(t))
    }

    /// One instance type.
    pub async fn instance_type_view(
        &self,
        ctx: &OpContext,
        key: &str,
    ) -> Result<InstanceTypeView, Error> {
        let t = self
            .lookup_instance_type(ctx, key, Action::CatalogView)
            .await?;
        Ok(crate::views::instance_type(t.into_inner()))
    }

    /// Removes an instance type from the catalog (guests keep the sizes they were given).
    pub async fn instance_type_delete(&self, ctx: &OpContext, key: &str) -> Result<(), Error> {
        let t = self
            .lookup_instance_type(ctx, key, Action::CatalogManage)
            .await?;
        self.audited(
            ctx,
            "instance_type_delete",
            AuditTarget::new(ResourceKind::InstanceType, t.id),
            None,
            self.store.instance_type_delete(t.id),
        )
        .await
    }
}
