//! The whole permission matrix, decided by the policy engine, against the checked-in golden file: each
//! role, bound at its own scope, for every action, on the platform, its own tenant and project, and
//! another tenant's. `UPDATE_GOLDEN=1 cargo test -p scmp-authz` rewrites the file after a deliberate
//! change; review the diff.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::sync::Arc;

use scmp_authz::{
    Action, Authorizer, CustomRole, Denial, Grant, Level, Principal, Resource, Role, RoleBinding,
    Scope,
};
use scmp_common::{ProjectId, TenantId};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/matrix.txt");

struct World {
    t1: TenantId,
    p1: ProjectId,
    t2: TenantId,
    p2: ProjectId,
}

fn world() -> World {
    // Fixed ids: the golden file must not change between runs.
    World {
        t1: "00000000-0000-4000-8000-000000000001".parse().unwrap(),
        p1: "00000000-0000-4000-8000-000000000011".parse().unwrap(),
        t2: "00000000-0000-4000-8000-000000000002".parse().unwrap(),
        p2: "00000000-0000-4000-8000-000000000022".parse().unwrap(),
    }
}

fn scope_at(level: Level, w: &World) -> Scope {
    match level {
        Level::Platform => Scope::Platform,
        Level::Tenant => Scope::Tenant(w.t1),
        Level::Project => Scope::Project(w.t1, w.p1),
    }
}

fn bound(role: impl Into<Grant>, w: &World) -> Principal {
    let role = role.into();
    Principal {
        id: format!("user-{}", role.name()),
        bindings: vec![RoleBinding {
            scope: scope_at(role.level(), w),
            role,
        }],
    }
}

fn custom(name: &str, level: Level, actions: &[Action]) -> Grant {
    Grant::Custom(Arc::new(CustomRole {
        name: name.into(),
        level,
        actions: actions.iter().copied().collect(),
    }))
}

/// Custom roles of each level, as administrators would define them; one names actions beyond its
/// level, which it cannot grant.
fn custom_roles() -> Vec<Grant> {
    vec![
        custom(
            "custom-site-reader",
            Level::Platform,
            &[
                Action::SiteList,
                Action::SiteView,
                Action::HostList,
                Action::TenantList,
            ],
        ),
        custom(
            "custom-quota-keeper",
            Level::Tenant,
            &[
                Action::TenantView,
                Action::TenantQuotaView,
                Action::ProjectList,
                Action::ProjectQuotaView,
                Action::ProjectQuotaUpdate,
            ],
        ),
        custom(
            "custom-operator",
            Level::Project,
            &[
                Action::GuestList,
                Action::GuestView,
                Action::GuestOperate,
                Action::TenantQuotaUpdate,
                Action::SiteCreate,
            ],
        ),
    ]
}

fn render(a: &Authorizer) -> String {
    let w = world();
    let resources = [
        ("platform", Resource::Platform),
        ("own-tenant", Resource::Tenant(w.t1)),
        ("own-project", Resource::Project(w.t1, w.p1)),
        ("other-tenant", Resource::Tenant(w.t2)),
        ("other-project", Resource::Project(w.t2, w.p2)),
    ];
    let mut out = String::from(
        "# role action resource -> allow | 403 | 404 (generated; see tests/matrix.rs)\n",
    );
    let mut principals: Vec<(String, Principal)> = Role::ALL
        .iter()
        .map(|r| (*r).into())
        .chain(custom_roles())
        .map(|r: Grant| (r.name().to_string(), bound(r, &w)))
        .collect();
    principals.push((
        "no-role".into(),
        Principal {
            id: "user-none".into(),
            bindings: vec![],
        },
    ));
    for (name, p) in &principals {
        for action in Action::ALL {
            for (rname, r) in &resources {
                let verdict = match a.check(p, *action, *r) {
                    Ok(()) => "allow",
                    Err(Denial::Forbidden) => "403",
                    Err(Denial::NotFound) => "404",
                };
                // Only pairs where the action applies to that kind of resource are listed.
                if a.authorize(&super_admin(), *action, *r) {
                    out.push_str(&format!("{name} {} {rname} -> {verdict}\n", action.id()));
                }
            }
        }
    }
    out
}

fn super_admin() -> Principal {
    Principal {
        id: "root".into(),
        bindings: vec![RoleBinding::builtin(Role::PlatformAdmin, Scope::Platform)],
    }
}

#[test]
fn the_matrix_matches_the_golden_file() {
    let a = Authorizer::new().unwrap();
    let now = render(&a);
    if std::env::var("UPDATE_GOLDEN").is_ok() {
        std::fs::write(GOLDEN, &now).unwrap();
        return;
    }
    let golden =
        std::fs::read_to_string(GOLDEN).expect("golden file (UPDATE_GOLDEN=1 to create it)");
    if golden != now {
        let diff: Vec<String> = golden
            .lines()
            .zip(now.lines())
            .filter(|(g, n)| g != n)
            .take(20)
            .map(|(g, n)| format!("golden: {g}\n   now: {n}"))
            .collect();
        panic!(
            "the permission matrix changed ({} vs {} lines):\n{}",
            golden.lines().count(),
            now.lines().count(),
            diff.join("\n")
        );
    }
}

#[test]
fn key_decisions() {
    let a = Authorizer::new().unwrap();
    let w = world();
    let tenant_admin = bound(Role::TenantAdmin, &w);
    assert!(a.authorize(&tenant_admin, Action::ProjectCreate, Resource::Tenant(w.t1)));
    assert!(
        a.authorize(
            &tenant_admin,
            Action::ProjectDelete,
            Resource::Project(w.t1, w.p1)
        ),
        "a tenant role covers its projects"
    );
    assert_eq!(
        a.check(&tenant_admin, Action::ProjectCreate, Resource::Tenant(w.t2)),
        Err(Denial::NotFound),
        "another tenant is invisible"
    );
    assert_eq!(
        a.check(&tenant_admin, Action::TenantDelete, Resource::Tenant(w.t1)),
        Err(Denial::Forbidden),
        "visible, not allowed"
    );
    assert_eq!(
        a.check(&tenant_admin, Action::TenantCreate, Resource::Platform),
        Err(Denial::Forbidden)
    );
    let viewer = bound(Role::Viewer, &w);
    assert!(a.authorize(&viewer, Action::GuestList, Resource::Project(w.t1, w.p1)));
    assert_eq!(
        a.check(&viewer, Action::GuestCreate, Resource::Project(w.t1, w.p1)),
        Err(Denial::Forbidden)
    );
    let nobody = Principal {
        id: "nobody".into(),
        bindings: vec![],
    };
    assert!(
        a.authorize(&nobody, Action::MeView, Resource::Platform),
        "everyone may see who they are"
    );
    assert_eq!(
        a.check(&nobody, Action::TenantView, Resource::Tenant(w.t1)),
        Err(Denial::NotFound)
    );
    assert!(!a.authorize(&nobody, Action::TenantList, Resource::Platform));
    // A binding at the wrong level grants nothing.
    let odd = Principal {
        id: "odd".into(),
        bindings: vec![
            RoleBinding::builtin(Role::Viewer, Scope::Tenant(w.t1)),
            RoleBinding {
                role: custom("odd", Level::Project, &[Action::ProjectView]),
                scope: Scope::Tenant(w.t1),
            },
        ],
    };
    assert!(!a.authorize(&odd, Action::ProjectView, Resource::Project(w.t1, w.p1)));
    // Ids that would break a naive policy text are just ids.
    let sneaky = Principal {
        id: "\" || true || \"".into(),
        bindings: vec![],
    };
    assert!(!a.authorize(&sneaky, Action::TenantList, Resource::Platform));
}

#[test]
fn a_page_decided_at_once_is_decided_as_each_item_alone() {
    let a = Authorizer::new().unwrap();
    let w = world();
    // Every kind of resource, in an order that mixes them, some twice.
    let resources = [
        Resource::Project(w.t2, w.p2),
        Resource::Tenant(w.t1),
        Resource::Platform,
        Resource::Project(w.t1, w.p1),
        Resource::Tenant(w.t2),
        Resource::Tenant(w.t1),
    ];
    let roles = Role::ALL
        .iter()
        .map(|r| Grant::from(*r))
        .chain(custom_roles());
    for role in roles {
        let p = bound(role.clone(), &w);
        for action in Action::ALL {
            let each: Vec<bool> = resources
                .iter()
                .map(|r| a.authorize(&p, *action, *r))
                .collect();
            assert_eq!(
                a.authorize_each(&p, *action, &resources),
                each,
                "{} {}",
                role.name(),
                action.id()
            );
        }
    }
    assert!(a
        .authorize_each(&bound(Role::Viewer, &w), Action::GuestView, &[])
        .is_empty());
}

#[test]
fn a_custom_role_grants_its_actions_on_its_scope_only() {
    let a = Authorizer::new().unwrap();
    let w = world();
    let keeper = bound(custom_roles()[1].clone(), &w);
    let own = Resource::Project(w.t1, w.p1);
    let inside = Resource::Project(w.t1, ProjectId::new());
    assert!(a.authorize(&keeper, Action::ProjectQuotaUpdate, own));
    assert!(
        a.authorize(&keeper, Action::ProjectQuotaUpdate, inside),
        "the tenant's projects"
    );
    assert_eq!(
        a.check(
            &keeper,
            Action::ProjectQuotaUpdate,
            Resource::Project(w.t2, w.p2)
        ),
        Err(Denial::NotFound)
    );
    assert_eq!(
        a.check(&keeper, Action::TenantUpdate, Resource::Tenant(w.t1)),
        Err(Denial::Forbidden),
        "only what the role names"
    );
    // What a principal holds on a scope, as a creator of roles must.
    assert!(a.holds(&keeper, Action::ProjectQuotaUpdate, Scope::Tenant(w.t1)));
    assert!(!a.holds(&keeper, Action::ProjectQuotaUpdate, Scope::Tenant(w.t2)));
    assert!(!a.holds(&keeper, Action::ProjectQuotaUpdate, Scope::Platform));
    let operator = bound(custom_roles()[2].clone(), &w);
    assert!(a.holds(&operator, Action::GuestOperate, Scope::Project(w.t1, w.p1)));
    assert!(
        !a.holds(&operator, Action::GuestOperate, Scope::Tenant(w.t1)),
        "one project is not the whole tenant"
    );
    assert!(
        !a.authorize(&operator, Action::TenantQuotaUpdate, Resource::Tenant(w.t1)),
        "a project role cannot reach its tenant"
    );
    let admin = super_admin();
    for action in Action::ALL {
        assert!(a.holds(&admin, *action, Scope::Platform), "{action}");
    }
}
