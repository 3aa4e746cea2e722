//! Deleting resources that others depend on, in every order, on SQLite and PostgreSQL.
//!
//! One of every kind of resource is made under a tenant (a project, a user with a token, a group
//! with that member, role bindings on the tenant and the project, a site with a cluster, an image,
//! an instance type, a running guest and a failed one). Whether a delete succeeds depends only on
//! what still exists, so walking every state that deletes can reach, and trying every delete in
//! each, covers every order. Each delete must either succeed and remove exactly the resource and
//! what it owns, or be refused as `InUse` naming every kind still in its way, changing nothing.
//! Never any other error.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::collections::{BTreeSet, VecDeque};
use std::sync::atomic::{AtomicU32, Ordering};

use scmp_common::{
    ClusterId, Error, GroupId, GuestId, GuestKind, ImageId, InstanceTypeId, Name, OperationKind,
    ResourceKind, Resources, SiteId, UserId,
};
use scmp_store::{
    BindingSubject, CredentialKind, DataStore, GuestNetwork, NewCluster, NewGuest, NewOperation,
    NewProject, NewSite, NewTenant,
};

use scmp_test_utils::on_both;

on_both!(deletes_in_every_order);

/// The resources of the fixture that can be deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum R {
    Tenant,
    Project,
    User,
    Group,
    Site,
    Cluster,
    Image,
    InstanceType,
    Guest,
    FailedGuest,
}

const ALL: [R; 10] = [
    R::Tenant,
    R::Project,
    R::User,
    R::Group,
    R::Site,
    R::Cluster,
    R::Image,
    R::InstanceType,
    R::Guest,
    R::FailedGuest,
];

/// What keeps a resource from being deleted while it exists.
fn blockers(r: R) -> &'static [R] {
    match r {
        R::Tenant => &[R::Project, R::User, R::Group],
        R::Project | R::Cluster | R::Image => &[R::Guest, R::FailedGuest],
        R::Site => &[R::Cluster],
        R::User | R::Group | R::InstanceType | R::Guest | R::FailedGuest => &[],
    }
}

/// The kind an `InUse` refusal names for a blocker.
fn kind_of(r: R) -> ResourceKind {
    match r {
        R::Tenant => ResourceKind::Tenant,
        R::Project => ResourceKind::Project,
        R::User => ResourceKind::User,
        R::Group => ResourceKind::Group,
        R::Site => ResourceKind::Site,
        R::Cluster => ResourceKind::Cluster,
        R::Image => ResourceKind::Image,
        R::InstanceType => ResourceKind::InstanceType,
        R::Guest | R::FailedGuest => ResourceKind::Guest,
    }
}

type State = BTreeSet<R>;

/// The ids of one fixture.
struct Fixture {
    tenant: scmp_common::TenantId,
    project: scmp_common::ProjectId,
    user: UserId,
    staff: UserId,
    group: GroupId,
    site: SiteId,
    cluster: ClusterId,
    image: ImageId,
    instance_type: InstanceTypeId,
    guest: GuestId,
    failed_guest: GuestId,
}

fn name(s: String) -> Name {
    Name::new(s).unwrap()
}

fn res(vcpus: u64, memory_mib: u64, disk_gib: u64, guests: u64) -> Resources {
    Resources {
        public_addresses: 0,
        networks: 0,
        vcpus,
        memory_mib,
        disk_gib,
        guests,
    }
}

async fn build(store: &DataStore) -> Fixture {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let tenant = store
        .tenant_create(&NewTenant {
            name: name(format!("t{n}")),
            description: String::new(),
            quota: res(64, 65536, 1000, 10),
        })
        .await
        .unwrap();
    let project = store
        .project_create(
            tenant.id,
            &NewProject {
                name: name(format!("p{n}")),
                description: String::new(),
                quota: res(32, 32768, 500, 5),
            },
        )
        .await
        .unwrap();
    let user = store
        .user_create(&name(format!("u{n}")), "", Some(tenant.id), None)
        .await
        .unwrap();
    store
        .credential_issue(user.id, CredentialKind::Token, "ci", None)
        .await
        .unwrap();
    let staff = store
        .user_create(&name(format!("staff{n}")), "", None, None)
        .await
        .unwrap();
    let group = store
        .group_create(
            &name(format!("g{n}")),
            Some(tenant.id),
            "",
            std::slice::from_ref(&user.id),
        )
        .await
        .unwrap();
    let user_subject = BindingSubject::User(user.id);
    store
        .binding_create(&user_subject, "member", Some(tenant.id), Some(project.id))
        .await
        .unwrap();
    store
        .binding_create(
            &BindingSubject::Group(group.id),
            "viewer",
            Some(tenant.id),
            None,
        )
        .await
        .unwrap();
    store
        .binding_create(
            &BindingSubject::Group(group.id),
            "project-admin",
            Some(tenant.id),
            Some(project.id),
        )
        .await
        .unwrap();
    store
        .binding_create(
            &BindingSubject::User(staff.id),
            "tenant-admin",
            Some(tenant.id),
            None,
        )
        .await
        .unwrap();
    let site = store
        .site_create(&NewSite {
            name: name(format!("s{n}")),
            country: "DE".parse().unwrap(),
            region: String::new(),
            description: String::new(),
        })
        .await
        .unwrap();
    let cluster = store
        .cluster_create(
            site.id,
            &NewCluster {
                name: name(format!("c{n}")),
                endpoint: "https://pve.example:8006".into(),
                token_id: "scmp@pve!scmp".parse().unwrap(),
                token_secret_sealed: "v1:00:00".into(),
                tls_fingerprint: None,
                cpu_overcommit: 4.0,
                memory_overcommit: 1.0,
                agent_id: None,
            },
        )
        .await
        .unwrap();
    let image = store
        .image_create(&scmp_store::NewImage {
            name: name(format!("i{n}")),
            kind: GuestKind::Vm,
            os: "debian".into(),
            version: "12".into(),
            template: "debian-12".into(),
            description: String::new(),
        })
        .await
        .unwrap();
    let instance_type = store
        .instance_type_create(&scmp_store::NewInstanceType {
            name: name(format!("it{n}")),
            vcpus: 1,
            memory_mib: 1024,
            disk_gib: 10,
        })
        .await
        .unwrap();
    let mut guests = Vec::new();
    for g in ["web", "broken"] {
        let new = NewGuest {
            security_groups: Vec::new(),
            nics: Vec::new(),
            project_id: project.id,
            tenant_id: tenant.id,
            name: name(g.to_string()),
            kind: GuestKind::Vm,
            image_id: image.id,
            vcpus: 1,
            memory_mib: 1024,
            disk_gib: 10,
            site: None,
            ha: false,
            tags: Vec::new(),
            cloud_init: Default::default(),
            network: GuestNetwork::default(),
            anti_affinity: String::new(),
            lease: None,
        };
        let op = NewOperation {
            kind: OperationKind::GuestCreate,
            target: format!("guest/{g}"),
            params: serde_json::json!({}),
            request_id: "test".into(),
            requested_by: None,
            creation: None,
            approval: None,
        };
        let guest = store.guest_admit(&new, &op).await.unwrap();
        let guest = store.guest_get(guest.guest_id().unwrap()).await.unwrap();
        store
            .guest_place(guest.id, cluster.id, "pve1", "test")
            .await
            .unwrap();
        guests.push(guest.id);
    }
    store.guest_fail(guests[1], "clone failed").await.unwrap();
    Fixture {
        tenant: tenant.id,
        project: project.id,
        user: user.id,
        staff: staff.id,
        group: group.id,
        site: site.id,
        cluster: cluster.id,
        image: image.id,
        instance_type: instance_type.id,
        guest: guests[0],
        failed_guest: guests[1],
    }
}

async fn delete(store: &DataStore, f: &Fixture, r: R) -> Result<(), Error> {
    match r {
        R::Tenant => store.tenant_delete(f.tenant).await,
        R::Project => store.project_delete(f.project).await,
        R::User => store.user_delete(f.user).await,
        R::Group => store.group_delete(f.group).await,
        R::Site => store.site_delete(f.site).await,
        R::Cluster => store.cluster_delete(f.cluster).await,
        R::Image => store.image_delete(f.image).await,
        R::InstanceType => store.instance_type_delete(f.instance_type).await,
        R::Guest => store.guest_remove(f.guest).await,
        R::FailedGuest => store.guest_remove(f.failed_guest).await,
    }
}

fn found<T>(r: Result<T, Error>) -> bool {
    match r {
        Ok(_) => true,
        Err(Error::NotFound { .. }) => false,
        Err(e) => panic!("lookup failed: {e}"),
    }
}

/// What of the fixture exists now; checks on the way that what a resource owns went with it.
async fn observe(store: &DataStore, f: &Fixture) -> State {
    let mut s = State::new();
    let t = f.tenant.to_string();
    let p = f.project.to_string();
    let checks = [
        (R::Tenant, found(store.tenant_get(f.tenant).await)),
        (R::Project, found(store.project_get(f.project).await)),
        (R::User, found(store.user_get(f.user).await)),
        (
            R::Group,
            found(store.group_lookup(&f.group.to_string()).await),
        ),
        (R::Site, found(store.site_lookup(&f.site.to_string()).await)),
        (
            R::Cluster,
            found(store.cluster_lookup(&f.cluster.to_string()).await),
        ),
        (
            R::Image,
            found(store.image_lookup(&f.image.to_string()).await),
        ),
        (
            R::InstanceType,
            found(
                store
                    .instance_type_lookup(&f.instance_type.to_string())
                    .await,
            ),
        ),
        (R::Guest, found(store.guest_get(f.guest).await)),
        (R::FailedGuest, found(store.guest_get(f.failed_guest).await)),
    ];
    for (r, present) in checks {
        if present {
            s.insert(r);
        }
    }
    // Owned things: bindings on a scope go with the scope, a subject's with the subject.
    let bindings = store.binding_list(None, None, 10_000).await.unwrap();
    let has = |subject: &BindingSubject, project: bool| {
        bindings.iter().any(|b| {
            &b.subject == subject
                && b.tenant_id.map(|x| x.to_string()).as_deref() == Some(t.as_str())
                && b.project_id.map(|x| x.to_string()).as_deref()
                    == if project { Some(p.as_str()) } else { None }
        })
    };
    let user_on_project = s.contains(&R::User) && s.contains(&R::Project);
    assert_eq!(
        has(&BindingSubject::User(f.user), true),
        user_on_project,
        "user binding, {s:?}"
    );
    let group_on_tenant = s.contains(&R::Group) && s.contains(&R::Tenant);
    assert_eq!(
        has(&BindingSubject::Group(f.group), false),
        group_on_tenant,
        "group binding, {s:?}"
    );
    let group_on_project = s.contains(&R::Group) && s.contains(&R::Project);
    assert_eq!(
        has(&BindingSubject::Group(f.group), true),
        group_on_project,
        "group project binding, {s:?}"
    );
    assert_eq!(
        has(&BindingSubject::User(f.staff), false),
        s.contains(&R::Tenant),
        "staff binding, {s:?}"
    );
    if s.contains(&R::Group) {
        let members = store
            .group_lookup(&f.group.to_string())
            .await
            .unwrap()
            .members;
        assert_eq!(members.contains(&f.user), s.contains(&R::User), "{s:?}");
    }
    let tokens = store
        .credential_list(f.user, CredentialKind::Token, None, 100)
        .await
        .unwrap();
    assert_eq!(tokens.is_empty(), !s.contains(&R::User), "{s:?}");
    s
}

/// Builds a fixture and deletes along `path` to reach a state.
async fn reach(store: &DataStore, path: &[R]) -> Fixture {
    let f = build(store).await;
    for r in path {
        delete(store, &f, *r)
            .await
            .unwrap_or_else(|e| panic!("on the way {path:?}, {r:?}: {e}"));
    }
    f
}

async fn deletes_in_every_order(store: &DataStore, _url: &str) {
    let full: State = ALL.into_iter().collect();
    let mut seen = BTreeSet::from([full.clone()]);
    let mut queue = VecDeque::from([(full, Vec::<R>::new())]);
    let mut tried = 0;
    while let Some((state, path)) = queue.pop_front() {
        let mut f = reach(store, &path).await;
        assert_eq!(observe(store, &f).await, state, "after {path:?}");
        for r in state.iter().copied() {
            tried += 1;
            let in_way: BTreeSet<ResourceKind> = blockers(r)
                .iter()
                .filter(|b| state.contains(b))
                .map(|b| kind_of(*b))
                .collect();
            let result = delete(store, &f, r).await;
            if in_way.is_empty() {
                result.unwrap_or_else(|e| panic!("delete {r:?} after {path:?}: {e}"));
                let mut next = state.clone();
                next.remove(&r);
                assert_eq!(observe(store, &f).await, next, "{r:?} after {path:?}");
                if seen.insert(next.clone()) {
                    let mut p = path.clone();
                    p.push(r);
                    queue.push_back((next, p));
                }
                // This fixture has moved on: the next delete starts from the state again.
                f = reach(store, &path).await;
            } else {
                match result {
                    Err(Error::InUse {
                        kind, dependents, ..
                    }) => {
                        assert_eq!(kind, kind_of(r));
                        let named: BTreeSet<ResourceKind> =
                            dependents.iter().map(|d| d.kind).collect();
                        assert_eq!(named, in_way, "{r:?} after {path:?}");
                        assert!(dependents.iter().all(|d| !d.names.is_empty()));
                    }
                    other => panic!("delete {r:?} after {path:?}: expected in use, got {other:?}"),
                }
                assert_eq!(
                    observe(store, &f).await,
                    state,
                    "refused {r:?} changed nothing"
                );
            }
        }
    }
    // Every state where the fixture is gone completely was reached.
    assert!(seen.contains(&State::new()));
    eprintln!("{} states, {tried} deletes tried", seen.len());
}
