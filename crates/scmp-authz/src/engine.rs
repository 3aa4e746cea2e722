//! The decision: the principal's role bindings and the resource's place in the scope tree become Cedar
//! entities, and Cedar evaluates the checked-in policy.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use cedar_policy::{
    Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid, PolicySet, Request,
    RestrictedExpression,
};
use scmp_common::{ProjectId, TenantId};

use crate::action::{Action, Target};
use crate::roles::{Grant, Role, RoleBinding, Scope, SELF_ACTIONS};

/// The checked-in policy.
const POLICY: &str = include_str!("../policy/scmp.cedar");

/// Who asks: a user (or the user behind a token or session) with its role bindings, its groups'
/// included.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The user's id.
    pub id: String,
    /// Every role binding that applies to the user.
    pub bindings: Vec<RoleBinding>,
}

impl Principal {
    /// Every tenant the bindings name (on the tenant or on one of its projects), once, in order.
    pub fn tenants(&self) -> Vec<TenantId> {
        let mut tenants: Vec<TenantId> = self
            .bindings
            .iter()
            .filter_map(|b| match b.scope {
                Scope::Tenant(t) | Scope::Project(t, _) => Some(t),
                Scope::Platform => None,
            })
            .collect();
        tenants.sort();
        tenants.dedup();
        tenants
    }

    /// Every project the bindings name, with its tenant, once, in order.
    pub fn projects(&self) -> Vec<(TenantId, ProjectId)> {
        let mut projects: Vec<(TenantId, ProjectId)> = self
            .bindings
            .iter()
            .filter_map(|b| match b.scope {
                Scope::Project(t, p) => Some((t, p)),
                _ => None,
            })
            .collect();
        projects.sort();
        projects.dedup();
        projects
    }
}

/// What an action is done to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// The platform.
    Platform,
    /// A tenant.
    Tenant(TenantId),
    /// A project of a tenant.
    Project(TenantId, ProjectId),
}

impl Resource {
    fn target(&self) -> Target {
        match self {
            Resource::Platform => Target::Platform,
            Resource::Tenant(_) => Target::Tenant,
            Resource::Project(..) => Target::Project,
        }
    }
}

/// Why an action is refused, as the API must answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// The caller may not even know the resource exists: 404.
    NotFound,
    /// The caller may see the resource but not do this: 403.
    Forbidden,
}

/// The entity types of the policy, parsed once.
struct Types {
    user: EntityTypeName,
    action: EntityTypeName,
    platform: EntityTypeName,
    tenant: EntityTypeName,
    project: EntityTypeName,
}

impl Types {
    fn new() -> Result<Self, String> {
        let parse = |kind: &str| {
            EntityTypeName::from_str(&format!("Scmp::{kind}"))
                .map_err(|e| format!("entity type {kind}: {e}"))
        };
        Ok(Self {
            user: parse("User")?,
            action: parse("Action")?,
            platform: parse("Platform")?,
            tenant: parse("Tenant")?,
            project: parse("Project")?,
        })
    }
}

fn uid(kind: &EntityTypeName, id: &str) -> EntityUid {
    EntityUid::from_type_name_and_id(kind.clone(), EntityId::new(id))
}

/// Decides requests. Build once; cheap to share.
pub struct Authorizer {
    policies: PolicySet,
    types: Types,
    /// The platform, the root of the scope tree.
    platform: EntityUid,
    /// The role groups of actions, as entities.
    groups: Vec<Entity>,
    /// Each action as an entity, its role groups its parents.
    actions: HashMap<Action, Entity>,
    engine: cedar_policy::Authorizer,
}

impl std::fmt::Debug for Authorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Authorizer")
    }
}

impl Authorizer {
    /// Loads the policy and the role table.
    pub fn new() -> Result<Self, String> {
        let policies =
            PolicySet::from_str(POLICY).map_err(|e| format!("the policy does not parse: {e}"))?;
        let types = Types::new()?;
        let mut names: Vec<String> = Role::ALL
            .iter()
            .map(|r| format!("role:{}", r.name()))
            .collect();
        names.push("role:self".into());
        let groups = names
            .iter()
            .map(|g| Entity::new_no_attrs(uid(&types.action, g), HashSet::new()))
            .collect();
        let mut actions = HashMap::new();
        for a in Action::ALL {
            let mut parents: HashSet<EntityUid> = Role::ALL
                .iter()
                .filter(|r| r.actions().contains(a))
                .map(|r| uid(&types.action, &format!("role:{}", r.name())))
                .collect();
            if SELF_ACTIONS.contains(a) {
                parents.insert(uid(&types.action, "role:self"));
            }
            actions.insert(
                *a,
                Entity::new_no_attrs(uid(&types.action, a.id()), parents),
            );
        }
        Ok(Self {
            policies,
            platform: uid(&types.platform, "scmp"),
            types,
            groups,
            actions,
            engine: cedar_policy::Authorizer::new(),
        })
    }

    /// Whether the principal may do `action` to `resource`.
    pub fn authorize(&self, principal: &Principal, action: Action, resource: Resource) -> bool {
        if action.target() != resource.target() {
            return false;
        }
        self.decide(principal, action, resource).unwrap_or(false)
    }

    /// `Ok` when allowed; otherwise whether to answer 404 (the caller may not see the resource) or 403.
    pub fn check(
        &self,
        principal: &Principal,
        action: Action,
        resource: Resource,
    ) -> Result<(), Denial> {
        if self.authorize(principal, action, resource) {
            return Ok(());
        }
        if self.can_see(principal, resource) {
            Err(Denial::Forbidden)
        } else {
            Err(Denial::NotFound)
        }
    }

    /// Whether the principal may know the resource exists: it may view it, or holds a role inside it.
    pub fn can_see(&self, principal: &Principal, resource: Resource) -> bool {
        match resource {
            Resource::Platform => true,
            Resource::Tenant(t) => {
                self.authorize(principal, Action::TenantView, resource)
                    || principal
                        .bindings
                        .iter()
                        .any(|b| matches!(b.scope, Scope::Project(bt, _) if bt == t))
            }
            Resource::Project(..) => self.authorize(principal, Action::ProjectView, resource),
        }
    }

    /// Whether the principal holds `action` on all of `scope`: on the scope itself, or on
    /// everything of the action's kind inside it, through bindings on the scope or above it (a
    /// binding on one project inside a tenant does not hold an action on the tenant's projects).
    /// What someone may give away in a role or a role binding on that scope.
    pub fn holds(&self, principal: &Principal, action: Action, scope: Scope) -> bool {
        let resource = match (action.target(), scope) {
            (Target::Platform, Scope::Platform) => Resource::Platform,
            (Target::Tenant, Scope::Platform) => Resource::Tenant(TenantId::new()),
            (Target::Tenant, Scope::Tenant(t)) => Resource::Tenant(t),
            (Target::Project, Scope::Platform) => {
                Resource::Project(TenantId::new(), ProjectId::new())
            }
            (Target::Project, Scope::Tenant(t)) => Resource::Project(t, ProjectId::new()),
            (Target::Project, Scope::Project(t, p)) => Resource::Project(t, p),
            _ => return false,
        };
        self.authorize(principal, action, resource)
    }

    /// Whether the principal may do `action` to each of `resources` (a page of a list): the
    /// entities are built once for all of them, so a page of twenty costs little more than one.
    pub fn authorize_each(
        &self,
        principal: &Principal,
        action: Action,
        resources: &[Resource],
    ) -> Vec<bool> {
        let fits: Vec<bool> = resources
            .iter()
            .map(|r| action.target() == r.target())
            .collect();
        let asked: Vec<Resource> = resources
            .iter()
            .zip(&fits)
            .filter(|(_, fits)| **fits)
            .map(|(r, _)| *r)
            .collect();
        let mut answers = self
            .decide_each(principal, action, &asked)
            .unwrap_or_else(|| vec![false; asked.len()])
            .into_iter();
        fits.into_iter()
            .map(|fits| fits && answers.next().unwrap_or(false))
            .collect()
    }

    fn decide(&self, principal: &Principal, action: Action, resource: Resource) -> Option<bool> {
        self.decide_each(principal, action, &[resource])?
            .first()
            .copied()
    }

    fn decide_each(
        &self,
        principal: &Principal,
        action: Action,
        resources: &[Resource],
    ) -> Option<Vec<bool>> {
        let t = &self.types;
        let scope_uid = |scope: &Scope| match scope {
            Scope::Platform => self.platform.clone(),
            Scope::Tenant(id) => uid(&t.tenant, &id.to_string()),
            Scope::Project(_, id) => uid(&t.project, &id.to_string()),
        };
        let mut attrs = HashMap::new();
        for role in Role::ALL {
            let scopes = principal
                .bindings
                .iter()
                .filter(|b| matches!(b.role, Grant::Builtin(r) if r == role) && b.is_well_formed())
                .map(|b| RestrictedExpression::new_entity_uid(scope_uid(&b.scope)));
            attrs.insert(
                role.attribute().to_string(),
                RestrictedExpression::new_set(scopes),
            );
        }
        // The scopes of the custom roles that grant this very action.
        let custom = principal
            .bindings
            .iter()
            .filter(|b| {
                matches!(b.role, Grant::Custom(_)) && b.is_well_formed() && b.role.grants(action)
            })
            .map(|b| RestrictedExpression::new_entity_uid(scope_uid(&b.scope)));
        let context = Context::from_pairs([(
            "custom_scopes".to_string(),
            RestrictedExpression::new_set(custom),
        )])
        .ok()?;
        let user = uid(&t.user, &principal.id);
        // Only the action asked about and its groups: a decision's cost does not grow with the
        // number of actions there are.
        let mut entities = self.groups.clone();
        entities.push(self.actions.get(&action)?.clone());
        entities.push(Entity::new(user.clone(), attrs, HashSet::new()).ok()?);
        entities.push(Entity::new_no_attrs(self.platform.clone(), HashSet::new()));
        // The resources' places in the scope tree, and every scope the principal's bindings name.
        let mut tenants = principal.tenants();
        let mut projects = principal.projects();
        let mut uids = Vec::with_capacity(resources.len());
        for resource in resources {
            uids.push(match *resource {
                Resource::Platform => self.platform.clone(),
                Resource::Tenant(id) => {
                    tenants.push(id);
                    uid(&t.tenant, &id.to_string())
                }
                Resource::Project(tenant, id) => {
                    tenants.push(tenant);
                    projects.push((tenant, id));
                    uid(&t.project, &id.to_string())
                }
            });
        }
        tenants.sort();
        tenants.dedup();
        projects.sort();
        projects.dedup();
        for tenant in tenants {
            let parents = HashSet::from([self.platform.clone()]);
            entities.push(Entity::new_no_attrs(
                uid(&t.tenant, &tenant.to_string()),
                parents,
            ));
        }
        for (tenant, project) in projects {
            let parents = HashSet::from([uid(&t.tenant, &tenant.to_string())]);
            entities.push(Entity::new_no_attrs(
                uid(&t.project, &project.to_string()),
                parents,
            ));
        }
        let entities = Entities::from_entities(entities, None).ok()?;
        let action = self.actions.get(&action)?.uid();
        let mut answers = Vec::with_capacity(uids.len());
        for resource in uids {
            let request = Request::new(
                user.clone(),
                action.clone(),
                resource,
                context.clone(),
                None,
            )
            .ok()?;
            let answer = self
                .engine
                .is_authorized(&request, &self.policies, &entities);
            answers.push(answer.decision() == Decision::Allow);
        }
        Some(answers)
    }
}
