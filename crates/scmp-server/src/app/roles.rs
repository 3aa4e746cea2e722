//! Roles: the built-in ones (fixed, shown to everyone signed in) and custom roles, named sets of
//! actions defined for the platform (by whoever manages the platform's users) or for one tenant
//! (by whoever manages its users). Nobody puts into a role an action they do not hold themselves
//! on all of the role's reach, and a role grants nothing beyond its level: a tenant's role reaches
//! only inside that tenant.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use scmp_api::{Page, RoleCreate, RoleDefinition, RoleLevel, RoleUpdate, TenantFilter};
use scmp_authz::{Action, CustomRole, Level, Role, RoleBinding, Scope};
use scmp_common::{AuditTarget, Error, ResourceKind, TenantId};
use scmp_store::{CustomRoleRow, StoredBinding};

use super::paging;
use crate::context::{AppState, OpContext};

fn invalid(field: &str, message: impl Into<String>) -> Error {
    Error::InvalidValue {
        field: field.into(),
        message: message.into(),
    }
}

fn not_found(key: &str) -> Error {
    Error::NotFound {
        kind: ResourceKind::Role,
        name: key.to_string(),
    }
}

fn level_of(l: RoleLevel) -> Level {
    match l {
        RoleLevel::Platform => Level::Platform,
        RoleLevel::Tenant => Level::Tenant,
        RoleLevel::Project => Level::Project,
    }
}

fn api_level(l: Level) -> RoleLevel {
    match l {
        Level::Platform => RoleLevel::Platform,
        Level::Tenant => RoleLevel::Tenant,
        Level::Project => RoleLevel::Project,
    }
}

fn stored_level(l: Level) -> scmp_store::RoleLevel {
    match l {
        Level::Platform => scmp_store::RoleLevel::Platform,
        Level::Tenant => scmp_store::RoleLevel::Tenant,
        Level::Project => scmp_store::RoleLevel::Project,
    }
}

fn from_stored_level(l: scmp_store::RoleLevel) -> Level {
    match l {
        scmp_store::RoleLevel::Platform => Level::Platform,
        scmp_store::RoleLevel::Tenant => Level::Tenant,
        scmp_store::RoleLevel::Project => Level::Project,
    }
}

/// A custom role as the policy engine reads it (actions it no longer knows grant nothing).
pub(crate) fn grant_of(row: &CustomRoleRow) -> Arc<CustomRole> {
    Arc::new(CustomRole {
        name: row.name.to_string(),
        level: from_stored_level(row.level),
        actions: row
            .actions
            .iter()
            .filter_map(|a| Action::from_id(a))
            .collect(),
    })
}

fn builtin_view(r: Role) -> RoleDefinition {
    let mut actions: Vec<String> = r.actions().iter().map(|a| a.id().to_string()).collect();
    actions.sort();
    RoleDefinition {
        name: r.name().to_string(),
        builtin: true,
        id: None,
        level: api_level(r.level()),
        tenant_id: None,
        description: r.description().to_string(),
        actions,
        created_at: None,
        updated_at: None,
    }
}

fn custom_view(row: CustomRoleRow) -> RoleDefinition {
    let mut actions = row.actions;
    actions.sort();
    RoleDefinition {
        name: row.name.to_string(),
        builtin: false,
        id: Some(row.id),
        level: api_level(from_stored_level(row.level)),
        tenant_id: row.tenant_id,
        description: row.description,
        actions,
        created_at: Some(scmp_common::time::from_ms(row.created_at)),
        updated_at: Some(scmp_common::time::from_ms(row.updated_at)),
    }
}

/// The actions named, checked: known, and within what a role of `level` can grant.
fn parse_actions(level: Level, names: &[String]) -> Result<BTreeSet<Action>, Error> {
    if names.is_empty() {
        return Err(invalid("actions", "a role grants at least one action"));
    }
    let mut actions = BTreeSet::new();
    for (i, name) in names.iter().enumerate() {
        let field = format!("actions[{i}]");
        let a = Action::from_id(name)
            .ok_or_else(|| invalid(&field, format!("'{name}' is no action of the platform")))?;
        if !level.reaches(a) {
            return Err(invalid(
                &field,
                format!("a {level} role cannot grant '{name}': it acts beyond a {level}"),
            ));
        }
        actions.insert(a);
    }
    Ok(actions)
}

/// A role a binding can name.
pub(crate) enum Bindable {
    /// A built-in role.
    Builtin(Role),
    /// A custom role.
    Custom(CustomRoleRow),
}

impl Bindable {
    /// What the role grants, as the policy engine reads it.
    pub(crate) fn grant(&self) -> scmp_authz::Grant {
        match self {
            Bindable::Builtin(r) => scmp_authz::Grant::Builtin(*r),
            Bindable::Custom(row) => scmp_authz::Grant::Custom(grant_of(row)),
        }
    }
}

/// Custom roles' definitions by name, with their tenants (see [`AppState::custom_definitions`]).
pub(crate) struct Definitions(HashMap<String, (Option<TenantId>, Arc<CustomRole>)>);

impl Definitions {
    /// The bindings as the policy engine reads them: unknown or malformed ones, and a tenant's
    /// role outside its tenant, grant nothing.
    pub(crate) fn resolve(&self, stored: &[StoredBinding]) -> Vec<RoleBinding> {
        stored
            .iter()
            .filter_map(|b| {
                let def = match self.0.get(&b.role) {
                    Some((Some(t), _)) if b.tenant_id != Some(*t) => return None,
                    Some((_, def)) => Some(def.clone()),
                    None => None,
                };
                RoleBinding::from_stored(&b.role, def, b.tenant_id, b.project_id)
            })
            .collect()
    }
}

impl AppState {
    /// Refused, naming them, unless the caller holds every one of `actions` on all of `scope`.
    pub(crate) fn check_held(
        &self,
        ctx: &OpContext,
        actions: impl IntoIterator<Item = Action>,
        scope: Scope,
        doing: &str,
    ) -> Result<(), Error> {
        let missing: Vec<&str> = actions
            .into_iter()
            .filter(|a| !self.authz.holds(&ctx.actor.principal, *a, scope))
            .map(|a| a.id())
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(Error::Forbidden {
            action: format!(
                "{doing} with rights you do not hold there yourself ({})",
                missing.join(", ")
            ),
        })
    }

    /// The definitions of the custom roles the bindings name, by name, with their tenants.
    pub(crate) async fn custom_definitions<'a>(
        &self,
        stored: impl IntoIterator<Item = &'a StoredBinding>,
    ) -> Result<Definitions, Error> {
        let mut names: Vec<&str> = stored
            .into_iter()
            .map(|b| b.role.as_str())
            .filter(|r| r.parse::<Role>().is_err())
            .collect();
        names.sort_unstable();
        names.dedup();
        Ok(Definitions(
            self.store
                .custom_roles_named(&names)
                .await?
                .iter()
                .map(|r| (r.name.to_string(), (r.tenant_id, grant_of(r))))
                .collect(),
        ))
    }

    /// The role bindings the policy engine understands, custom roles' definitions read.
    pub(crate) async fn resolve_bindings(
        &self,
        stored: &[StoredBinding],
    ) -> Result<Vec<RoleBinding>, Error> {
        Ok(self.custom_definitions(stored).await?.resolve(stored))
    }

    /// A role by name (or a custom role by id) the caller may see: a built-in one, a platform
    /// role, or a role of a tenant whose users the caller may see.
    pub(crate) async fn lookup_role(&self, ctx: &OpContext, key: &str) -> Result<Bindable, Error> {
        if let Ok(r) = key.parse::<Role>() {
            return Ok(Bindable::Builtin(r));
        }
        match self.store.custom_role_lookup(key).await {
            Ok(r) if r.tenant_id.is_none() || self.may_see_users(ctx, r.tenant_id) => {
                Ok(Bindable::Custom(r))
            }
            Ok(_) | Err(Error::NotFound { .. }) => Err(not_found(key)),
            Err(e) => Err(e),
        }
    }

    async fn lookup_role_to_manage(
        &self,
        ctx: &OpContext,
        key: &str,
    ) -> Result<CustomRoleRow, Error> {
        match self.lookup_role(ctx, key).await? {
            Bindable::Builtin(r) => Err(Error::Conflict(format!(
                "{r} is a built-in role; it cannot be changed"
            ))),
            Bindable::Custom(r) if self.may_manage_users(ctx, r.tenant_id) => Ok(r),
            Bindable::Custom(_) => Err(Error::Forbidden {
                action: "manage this role".into(),
            }),
        }
    }

    /// Roles the caller may see, by name: the built-in ones, the platform's and those of one
    /// tenant (or of every tenant whose users the caller may see).
    pub async fn role_list(
        &self,
        ctx: &OpContext,
        q: &TenantFilter,
    ) -> Result<Page<RoleDefinition>, Error> {
        self.authorize_platform(ctx, Action::MeView)?;
        let tenants: Option<Vec<TenantId>> = match q.tenant.as_deref() {
            Some(key) => Some(vec![
                self.lookup_tenant(ctx, key, Action::UserList).await?.id,
            ]),
            None if self.may_see_users(ctx, None) => None,
            None => Some(ctx.actor.principal.tenants()),
        };
        let found = paging::fill(
            q.page_token.as_deref(),
            q.limit()?,
            |after: Option<String>, n| {
                let store = self.store.clone();
                let tenants = tenants.clone();
                async move {
                    let after = after.unwrap_or_default();
                    let custom = store
                        .custom_role_list(tenants.as_deref(), Some(&after), n)
                        .await?;
                    let mut all: Vec<RoleDefinition> = Role::ALL
                        .into_iter()
                        .filter(|r| r.name() > after.as_str())
                        .map(builtin_view)
                        .chain(custom.into_iter().map(custom_view))
                        .collect();
                    all.sort_by(|a, b| a.name.cmp(&b.name));
                    all.truncate(n as usize);
                    Ok(all)
                }
            },
            |r| r.name.clone(),
            |batch: &[RoleDefinition]| {
                batch
                    .iter()
                    .map(|r| r.tenant_id.is_none() || self.may_see_users(ctx, r.tenant_id))
                    .collect()
            },
        )
        .await?;
        Ok(paging::page(found, |r| r))
    }

    /// A role.
    pub async fn role_view(&self, ctx: &OpContext, key: &str) -> Result<RoleDefinition, Error> {
        Ok(match self.lookup_role(ctx, key).await? {
            Bindable::Builtin(r) => builtin_view(r),
            Bindable::Custom(r) => custom_view(r),
        })
    }

    /// Defines a custom role.
    pub async fn role_create(
        &self,
        ctx: &OpContext,
        body: RoleCreate,
    ) -> Result<RoleDefinition, Error> {
        let tenant = match &body.tenant {
            Some(key) => Some(self.lookup_tenant(ctx, key, Action::UserList).await?.id),
            None => None,
        };
        if !self.may_manage_users(ctx, tenant) {
            return Err(Error::Forbidden {
                action: match tenant {
                    Some(_) => "define roles for this tenant".into(),
                    None => "define platform roles".into(),
                },
            });
        }
        if body.name.as_str().parse::<Role>().is_ok() {
            return Err(invalid("name", "that is the name of a built-in role"));
        }
        let level = level_of(body.level);
        if tenant.is_some() && level == Level::Platform {
            return Err(invalid(
                "level",
                "a tenant's role is bound inside the tenant: level tenant or project",
            ));
        }
        let actions = parse_actions(level, &body.actions)?;
        let reach = tenant.map_or(Scope::Platform, Scope::Tenant);
        self.check_held(ctx, actions.iter().copied(), reach, "define a role")?;
        let ids: Vec<String> = actions.iter().map(|a| a.id().to_string()).collect();
        let description = body.description.unwrap_or_default();
        let row = self
            .audited(
                ctx,
                "role_create",
                AuditTarget::new(ResourceKind::Role, &body.name),
                tenant,
                self.store.custom_role_create(
                    &body.name,
                    tenant,
                    stored_level(level),
                    &description,
                    &ids,
                ),
            )
            .await?;
        Ok(custom_view(row))
    }

    /// Changes a custom role's description or actions.
    pub async fn role_update(
        &self,
        ctx: &OpContext,
        key: &str,
        body: RoleUpdate,
    ) -> Result<RoleDefinition, Error> {
        let row = self.lookup_role_to_manage(ctx, key).await?;
        let ids = match &body.actions {
            Some(names) => {
                let actions = parse_actions(from_stored_level(row.level), names)?;
                let reach = row.tenant_id.map_or(Scope::Platform, Scope::Tenant);
                self.check_held(ctx, actions.iter().copied(), reach, "change a role")?;
                Some(
                    actions
                        .iter()
                        .map(|a| a.id().to_string())
                        .collect::<Vec<_>>(),
                )
            }
            None => None,
        };
        let row = self
            .audited(
                ctx,
                "role_update",
                AuditTarget::new(ResourceKind::Role, row.id),
                row.tenant_id,
                self.store
                    .custom_role_update(row.id, body.description.as_deref(), ids.as_deref()),
            )
            .await?;
        Ok(custom_view(row))
    }

    /// Deletes a custom role that no binding gives.
    pub async fn role_delete(&self, ctx: &OpContext, key: &str) -> Result<(), Error> {
        let row = self.lookup_role_to_manage(ctx, key).await?;
        self.audited(
            ctx,
            "role_delete",
            AuditTarget::new(ResourceKind::Role, row.id),
            row.tenant_id,
            self.store.custom_role_delete(row.id),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_known_and_within_the_level() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let ok = parse_actions(
            Level::Project,
            &names(&["guest_view", "guest_operate", "guest_view"]),
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        let e =
            parse_actions(Level::Project, &names(&["guest_view", "tenant_update"])).unwrap_err();
        assert!(matches!(e, Error::InvalidValue { ref field, .. } if field == "actions[1]"));
        let e = parse_actions(Level::Tenant, &names(&["site_create"])).unwrap_err();
        assert!(matches!(e, Error::InvalidValue { ref field, .. } if field == "actions[0]"));
        let e = parse_actions(Level::Platform, &names(&["guest_fly"])).unwrap_err();
        assert!(matches!(e, Error::InvalidValue { ref field, .. } if field == "actions[0]"));
        assert!(parse_actions(Level::Platform, &[]).is_err());
        assert!(parse_actions(Level::Platform, &names(&["site_create", "guest_view"])).is_ok());
    }
}
