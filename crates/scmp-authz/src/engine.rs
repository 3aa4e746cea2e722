//! The decision: the principal's role bindings and the resource's place in the scope tree become Cedar
//! entities, and Cedar evaluates the checked-in policy.

use std::str::FromStr;

use cedar_policy::{Context, Decision, Entities, EntityUid, PolicySet, Request};
use scmp_common::{ProjectId, TenantId};
use serde_json::{json, Value};

use crate::action::{Action, Target};
use crate::roles::{Role, RoleBinding, Scope, SELF_ACTIONS};

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

/// Decides requests. Build once; cheap to share.
pub struct Authorizer {
    policies: PolicySet,
    /// The role groups of actions, as entities.
    groups: Vec<Value>,
    /// Each action as an entity, its role groups its parents.
    actions: std::collections::HashMap<Action, Value>,
    engine: cedar_policy::Authorizer,
}

impl std::fmt::Debug for Authorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Authorizer")
    }
}

fn uid(kind: &str, id: &str) -> Value {
    json!({"type": format!("Scmp::{kind}"), "id": id})
}

fn entity_ref(kind: &str, id: &str) -> Value {
    json!({"__entity": uid(kind, id)})
}

fn scope_ref(scope: &Scope) -> Value {
    match scope {
        Scope::Platform => entity_ref("Platform", "scmp"),
        Scope::Tenant(t) => entity_ref("Tenant", &t.to_string()),
        Scope::Project(_, p) => entity_ref("Project", &p.to_string()),
    }
}

fn parse_uid(kind: &str, id: &str) -> Option<EntityUid> {
    let escaped = id.replace('\\', "\\\\").replace('"', "\\\"");
    EntityUid::from_str(&format!("Scmp::{kind}::\"{escaped}\"")).ok()
}

impl Authorizer {
    /// Loads the policy and the role table.
    pub fn new() -> Result<Self, String> {
        let policies =
            PolicySet::from_str(POLICY).map_err(|e| format!("the policy does not parse: {e}"))?;
        let mut names: Vec<String> = Role::ALL
            .iter()
            .map(|r| format!("role:{}", r.name()))
            .collect();
        names.push("role:self".into());
        let groups = names
            .iter()
            .map(|g| json!({"uid": uid("Action", g), "attrs": {}, "parents": []}))
            .collect();
        let mut actions = std::collections::HashMap::new();
        for a in Action::ALL {
            let mut parents: Vec<Value> = Role::ALL
                .iter()
                .filter(|r| r.actions().contains(a))
                .map(|r| uid("Action", &format!("role:{}", r.name())))
                .collect();
            if SELF_ACTIONS.contains(a) {
                parents.push(uid("Action", "role:self"));
            }
            actions.insert(
                *a,
                json!({"uid": uid("Action", a.id()), "attrs": {}, "parents": parents}),
            );
        }
        Ok(Self {
            policies,
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
        let mut attrs = serde_json::Map::new();
        for role in Role::ALL {
            let scopes: Vec<Value> = principal
                .bindings
                .iter()
                .filter(|b| b.role == role && b.is_well_formed())
                .map(|b| scope_ref(&b.scope))
                .collect();
            attrs.insert(role.attribute().to_string(), Value::Array(scopes));
        }
        // Only the action asked about and its groups: a decision's cost does not grow with the
        // number of actions there are.
        let mut entities = self.groups.clone();
        entities.push(self.actions.get(&action)?.clone());
        entities.push(json!({"uid": uid("User", &principal.id), "attrs": attrs, "parents": []}));
        entities.push(json!({"uid": uid("Platform", "scmp"), "attrs": {}, "parents": []}));
        // The resources' places in the scope tree, and every scope the principal's bindings name.
        let mut tenants = principal.tenants();
        let mut projects = principal.projects();
        let mut uids = Vec::with_capacity(resources.len());
        for resource in resources {
            uids.push(match *resource {
                Resource::Platform => parse_uid("Platform", "scmp")?,
                Resource::Tenant(t) => {
                    tenants.push(t);
                    parse_uid("Tenant", &t.to_string())?
                }
                Resource::Project(t, p) => {
                    tenants.push(t);
                    projects.push((t, p));
                    parse_uid("Project", &p.to_string())?
                }
            });
        }
        tenants.sort();
        tenants.dedup();
        projects.sort();
        projects.dedup();
        for t in tenants {
            entities.push(json!({"uid": uid("Tenant", &t.to_string()), "attrs": {}, "parents": [uid("Platform", "scmp")]}));
        }
        for (t, p) in projects {
            entities.push(json!({"uid": uid("Project", &p.to_string()), "attrs": {}, "parents": [uid("Tenant", &t.to_string())]}));
        }
        let entities = Entities::from_json_value(Value::Array(entities), None).ok()?;
        let user = parse_uid("User", &principal.id)?;
        let action = parse_uid("Action", action.id())?;
        let mut answers = Vec::with_capacity(uids.len());
        for resource in uids {
            let request = Request::new(
                user.clone(),
                action.clone(),
                resource,
                Context::empty(),
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
