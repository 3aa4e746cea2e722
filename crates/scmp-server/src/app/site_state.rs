//! What a site needs to keep working on its own, sent down its agent's link: the scmp guests on
//! its cluster, the projects they belong to and those with an offline budget there (with their
//! tenants' names), the budgets, the catalog it may create guests from, and its identity cache
//! (the users its policy lets it hold, with hashes only, and until when).

use scmp_agent::link::{
    SiteBinding, SiteGrant, SiteIdentity, SiteImage, SiteInstanceType, SiteProject, SiteRole,
    SiteState, SiteToken,
};
use scmp_authz::{Grant, RoleBinding, Scope};
use scmp_common::{Error, ProjectId};
use scmp_store::Cluster;

use crate::context::AppState;

/// A binding as the site's policy engine reads it, a custom role's definition with it.
fn site_binding(b: &RoleBinding) -> SiteBinding {
    let (tenant, project) = match b.scope {
        Scope::Platform => (None, None),
        Scope::Tenant(t) => (Some(t), None),
        Scope::Project(t, p) => (Some(t), Some(p)),
    };
    SiteBinding {
        role: b.role.name().to_string(),
        tenant,
        project,
        custom: match &b.role {
            Grant::Builtin(_) => None,
            Grant::Custom(c) => Some(SiteRole {
                level: c.level.name().to_string(),
                actions: c.actions.iter().map(|a| a.id().to_string()).collect(),
            }),
        },
    }
}

impl AppState {
    /// The site's state for the agent of `cluster`.
    pub async fn site_state_of(&self, cluster: &Cluster) -> Result<SiteState, Error> {
        // Guests first, budgets after: a guest adopted in between then shows in neither (or in
        // both), so the site never counts a budget's share both as free and as its guest's.
        let guests = self.store.guest_list_on_cluster(cluster.id).await?;
        let budgets = self.store.site_budget_list_at(cluster.site_id).await?;
        let mut ids: Vec<ProjectId> = guests.iter().map(|g| g.project_id).collect();
        ids.extend(budgets.iter().map(|b| b.project_id));
        ids.sort_by_key(|p| p.to_string());
        ids.dedup();
        let mut projects = Vec::with_capacity(ids.len());
        for id in ids {
            let p = self.store.project_get(id).await?;
            let t = self.store.tenant_get(p.tenant_id).await?;
            projects.push(SiteProject {
                tenant: t.name,
                tenant_labels: t.labels,
                project: crate::views::project(p),
            });
        }
        let images = self
            .store
            .image_list_all()
            .await?
            .into_iter()
            .map(|i| SiteImage {
                id: i.id,
                name: i.name,
                kind: i.kind,
                template: i.template,
            })
            .collect();
        let instance_types = self
            .store
            .instance_type_list(None, 1_000)
            .await?
            .into_iter()
            .map(|t| SiteInstanceType {
                name: t.name,
                vcpus: t.vcpus,
                memory_mib: t.memory_mib,
                disk_gib: t.disk_gib,
            })
            .collect();
        let now = self.clock.now_ms();
        // A site cannot check a second factor: a user who has one, or whose tenant requires one,
        // logs in there with a token.
        let second_factor = self.store.totp_users().await?;
        let mut requiring = std::collections::HashMap::new();
        let mut cached = self
            .store
            .site_offline_identities(cluster.site_id, now)
            .await?;
        let staff_required = self.store.platform_settings().await?.require_mfa;
        for i in &mut cached {
            let Some(t) = i.tenant_id else {
                if staff_required {
                    i.password_hash = None;
                }
                continue;
            };
            let required = match requiring.get(&t) {
                Some(r) => *r,
                None => {
                    let r = self.store.tenant_get(t).await?.require_mfa;
                    requiring.insert(t, r);
                    r
                }
            };
            if required {
                i.password_hash = None;
            }
        }
        let definitions = self
            .custom_definitions(cached.iter().flat_map(|i| &i.bindings))
            .await?;
        let identities = cached
            .into_iter()
            .map(|i| SiteIdentity {
                user: i.id,
                name: i.name,
                tenant: i.tenant_id,
                password_hash: i.password_hash.filter(|_| !second_factor.contains(&i.id)),
                tokens: i
                    .tokens
                    .into_iter()
                    .map(|t| SiteToken {
                        id: t.id,
                        name: t.name,
                        secret_sha256: t.secret_sha256,
                        expires_at_ms: t.expires_at,
                    })
                    .collect(),
                bindings: definitions
                    .resolve(&i.bindings)
                    .iter()
                    .map(site_binding)
                    .collect(),
            })
            .collect();
        let validity = i64::try_from(
            self.connections
                .links
                .settings
                .identity_validity
                .as_millis(),
        )
        .unwrap_or(i64::MAX);
        let governance = self.site_governance(cluster, &projects).await?;
        Ok(SiteState {
            governance,
            at_ms: now,
            guests: guests.into_iter().map(crate::views::guest).collect(),
            projects,
            budgets: budgets
                .into_iter()
                .map(|b| {
                    // A cut waiting for the site is what the site is told.
                    let (granted, valid_until_ms) = b.offered();
                    SiteGrant {
                        project: b.project_id,
                        granted,
                        used: b.used,
                        valid_until_ms,
                    }
                })
                .collect(),
            images,
            instance_types,
            identities,
            identities_valid_until_ms: now.saturating_add(validity),
        })
    }
}
