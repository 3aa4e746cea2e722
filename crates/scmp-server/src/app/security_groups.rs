//! Security groups: a project's firewall group at a site, its rules checked at the edge (as
//! Proxmox VE's firewall would take them), made, changed and removed on the site's clusters by
//! operations. A group with guests in it, or named by another group's rules, is not deleted.

use std::collections::HashMap;

use scmp_api::{
    OperationView, Page, PageQuery, SecurityGroupCreate, SecurityGroupUpdate, SecurityGroupView,
    SecurityRule,
};
use scmp_authz::Action;
use scmp_common::time::from_ms;
use scmp_common::{AuditTarget, Error, OperationKind, ProjectId, ResourceKind, SecurityGroupId};
use scmp_store::{NewOperation, NewSecurityGroup, Remote, SecurityGroup, SgRule};

use super::paging;
use crate::context::{AppState, OpContext};

impl AppState {
    /// The API's rules as the store keeps them: other groups named by name in the project,
    /// (`itself` names the group being changed).
    async fn rules_in(
        &self,
        project: ProjectId,
        rules: Vec<SecurityRule>,
        itself: Option<(&str, SecurityGroupId)>,
    ) -> Result<Vec<SgRule>, Error> {
        let mut out = Vec::with_capacity(rules.len());
        for (i, r) in rules.into_iter().enumerate() {
            let remote = match (r.cidrs, r.group) {
                (Some(_), Some(_)) => {
                    return Err(Error::invalid(
                        format!("rules[{i}].group"),
                        "give cidrs or group, not both",
                    ))
                }
                (Some(c), None) => Remote::Cidrs(c),
                (None, Some(name)) => match itself {
                    Some((own, id)) if own == name => Remote::Group(id),
                    _ => match self.store.security_group_by_name(project, &name).await {
                        Ok(g) => Remote::Group(g.id),
                        Err(Error::NotFound { .. }) => {
                            return Err(Error::invalid(
                                format!("rules[{i}].group"),
                                "no such security group in the project",
                            ))
                        }
                        Err(e) => return Err(e),
                    },
                },
                (None, None) => Remote::Any,
            };
            out.push(SgRule {
                direction: r.direction,
                protocol: r.protocol,
                ports: r.ports,
                remote,
                description: r.description.unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// A group as the API shows it (other groups by name, its guests by name).
    async fn security_group_view_of(&self, g: SecurityGroup) -> Result<SecurityGroupView, Error> {
        let names: HashMap<SecurityGroupId, String> = self
            .store
            .security_groups_at(g.project_id, g.site_id)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name.to_string()))
            .collect();
        let rules = g
            .rules
            .iter()
            .map(|r| {
                let (cidrs, group) = match &r.remote {
                    Remote::Any => (None, None),
                    Remote::Cidrs(c) => (Some(c.clone()), None),
                    Remote::Group(id) => (None, names.get(id).cloned()),
                };
                SecurityRule {
                    direction: r.direction,
                    protocol: r.protocol,
                    ports: r.ports.clone(),
                    cidrs,
                    group,
                    description: (!r.description.is_empty()).then(|| r.description.clone()),
                }
            })
            .collect();
        let guests = self.store.security_group_guests(g.id).await?;
        let text = |t: String| (!t.is_empty()).then_some(t);
        Ok(SecurityGroupView {
            id: g.id,
            name: g.name,
            description: g.description,
            project_id: g.project_id,
            site_id: g.site_id,
            pve_name: g.pve_name,
            rules,
            guests,
            state: g.state.as_str().into(),
            error: text(g.error),
            drift: text(g.drift),
            created_at: from_ms(g.created_at),
            updated_at: from_ms(g.updated_at),
        })
    }

    fn group_operation(&self, ctx: &OpContext, kind: OperationKind, name: &str) -> NewOperation {
        NewOperation {
            kind,
            target: format!("security_group/{name}"),
            params: serde_json::json!({}),
            request_id: ctx.request_id.clone(),
            requested_by: Some((ctx.actor.user.id.to_string(), ctx.actor.user.identity())),
            creation: None,
            approval: None,
        }
    }

    /// A project's security groups, by name.
    pub async fn security_group_list(
        &self,
        ctx: &OpContext,
        project: &str,
        q: &PageQuery,
    ) -> Result<Page<SecurityGroupView>, Error> {
        let project = self
            .lookup_project(ctx, project, Action::NetworkView)
            .await?
            .id;
        let found = paging::fill(
            q.page_token.as_deref(),
            q.limit()?,
            |after: Option<String>, n| {
                let store = self.store.clone();
                async move {
                    store
                        .security_group_list(project, after.as_deref(), n)
                        .await
                }
            },
            |g| g.name.to_string(),
            paging::everything,
        )
        .await?;
        let (groups, next) = found;
        let mut items = Vec::with_capacity(groups.len());
        for g in groups {
            items.push(self.security_group_view_of(g).await?);
        }
        Ok(Page {
            items,
            next_page_token: next,
        })
    }

    /// Creates a security group at a site, made on the site's clusters by an operation.
    pub async fn security_group_create(
        &self,
        ctx: &OpContext,
        project: &str,
        body: SecurityGroupCreate,
        wait: Option<u64>,
    ) -> Result<OperationView, Error> {
        let p = self
            .lookup_project(ctx, project, Action::NetworkManage)
            .await?;
        let site = match self.store.site_lookup(&body.site).await {
            Ok(site) => site,
            Err(Error::NotFound { .. }) => return Err(Error::invalid("site", "no such site")),
            Err(e) => return Err(e),
        };
        // Groups the rules name must be of the project at the same site (the store checks).
        let id = self.random.id::<SecurityGroupId>();
        let rules = self
            .rules_in(p.id, body.rules, Some((body.name.as_str(), id)))
            .await?;
        let new = NewSecurityGroup {
            id,
            tenant_id: p.tenant_id,
            project_id: p.id,
            site_id: site.id,
            name: body.name,
            description: body.description.unwrap_or_default(),
            rules,
        };
        let op = self.group_operation(ctx, OperationKind::SecurityGroupApply, new.name.as_str());
        let target = AuditTarget::new(ResourceKind::Project, p.id)
            .child(ResourceKind::SecurityGroup, &new.name);
        let (_, op) = self
            .audited(
                ctx,
                "security_group_create",
                target,
                Some(p.tenant_id),
                self.store.security_group_create(&new, &op),
            )
            .await?;
        self.work.announce();
        let op = self.operation_wait(op, wait).await?;
        Ok(crate::views::operation(op))
    }

    /// One security group.
    pub async fn security_group_view(
        &self,
        ctx: &OpContext,
        key: &str,
    ) -> Result<SecurityGroupView, Error> {
        let g = self
            .lookup_security_group(ctx, key, Action::NetworkView)
            .await?;
        self.security_group_view_of(g.into_inner()).await
    }

    /// Replaces a group's rules, made so on its site's clusters by an operation.
    pub async fn security_group_update(
        &self,
        ctx: &OpContext,
        key: &str,
        body: SecurityGroupUpdate,
        wait: Option<u64>,
    ) -> Result<OperationView, Error> {
        let g = self
            .lookup_security_group(ctx, key, Action::NetworkManage)
            .await?
            .into_inner();
        let rules = self
            .rules_in(g.project_id, body.rules, Some((g.name.as_str(), g.id)))
            .await?;
        let description = body.description.unwrap_or(g.description.clone());
        let op = self.group_operation(ctx, OperationKind::SecurityGroupApply, g.name.as_str());
        let target = AuditTarget::new(ResourceKind::Project, g.project_id)
            .child(ResourceKind::SecurityGroup, &g.name);
        let (_, op) = self
            .audited(
                ctx,
                "security_group_update",
                target,
                Some(g.tenant_id),
                self.store
                    .security_group_update(g.id, &description, &rules, &op),
            )
            .await?;
        self.work.announce();
        let op = self.operation_wait(op, wait).await?;
        Ok(crate::views::operation(op))
    }

    /// Removes a group from its site's clusters and forgets it; refused (409, naming them)
    /// while guests are in it or other groups' rules name it.
    pub async fn security_group_delete(
        &self,
        ctx: &OpContext,
        key: &str,
        wait: Option<u64>,
    ) -> Result<OperationView, Error> {
        let g = self
            .lookup_security_group(ctx, key, Action::NetworkManage)
            .await?
            .into_inner();
        let op = self.group_operation(ctx, OperationKind::SecurityGroupDelete, g.name.as_str());
        let target = AuditTarget::new(ResourceKind::Project, g.project_id)
            .child(ResourceKind::SecurityGroup, &g.name);
        let op = self
            .audited(
                ctx,
                "security_group_delete",
                target,
                Some(g.tenant_id),
                self.store.security_group_begin_delete(g.id, &op),
            )
            .await?;
        self.work.announce();
        let op = self.operation_wait(op, wait).await?;
        Ok(crate::views::operation(op))
    }
}
