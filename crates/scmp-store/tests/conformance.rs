//! The store's conformance suite, run against SQLite and against a real PostgreSQL (started on
//! loopback by `scripts/test.sh`, which sets `SCMP_TEST_DATABASE_URL`). Every case runs on both.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use scmp_common::{Error, GuestKind, Name, OperationKind, ProjectId, Resources, TenantId};
use scmp_store::{
    ActorIdentity, BindingSubject, CreationInput, CredentialKind, DataStore, GuestNetwork,
    NewCluster, NewGuest, NewOperation, NewProject, NewSite, NewTenant, Visible,
};

use scmp_test_utils::on_both;

on_both!(
    tenants,
    projects_within_quota,
    quota_changes,
    guest_usage,
    concurrent_creations_never_over_allocate,
    hostile_input_is_stored_verbatim,
    identity,
    sites_and_clusters,
    leases_have_one_holder,
    lists_page_by_their_keys,
    lists_read_only_what_is_visible,
    operations_keep_who_asked_and_what_was_admitted,
);

/// Keyset pages: every item once, in order, also when keys tie on their first part (role bindings
/// and tokens made in the same millisecond).
async fn lists_page_by_their_keys(store: &DataStore, _url: &str) {
    let t = tenant(store, "alpha", res(1, 1, 1, 1)).await;
    let mut users = Vec::new();
    for i in 0..7 {
        users.push(
            store
                .user_create(&name(&format!("user-{i}")), "", Some(t.id), None)
                .await
                .unwrap(),
        );
    }
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .user_list(Some(t.id), after.as_deref(), 3)
            .await
            .unwrap();
        seen.extend(page.iter().map(|u| u.name.to_string()));
        match page.last() {
            Some(u) if page.len() == 3 => after = Some(u.name.to_string()),
            _ => break,
        }
    }
    let want: Vec<String> = (0..7).map(|i| format!("user-{i}")).collect();
    assert_eq!(seen, want);
    // Bindings made together share their millisecond: the id breaks the tie.
    let made = futures::future::join_all(users.iter().map(|u| async move {
        let subject = BindingSubject::User(u.id);
        store
            .binding_create(&subject, "tenant-auditor", Some(t.id), None)
            .await
    }))
    .await;
    let mut want: Vec<String> = made
        .into_iter()
        .map(|b| b.unwrap().id.to_string())
        .collect();
    want.sort();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store.binding_list(Some(t.id), after, 2).await.unwrap();
        seen.extend(page.iter().map(|b| b.id.to_string()));
        match page.last() {
            Some(b) if page.len() == 2 => after = Some((b.created_at, b.id.to_string())),
            _ => break,
        }
    }
    seen.sort();
    assert_eq!(seen, want, "every binding once");
}

async fn leases_have_one_holder(store: &DataStore, _url: &str) {
    assert!(store.lease_try("inventory", "a", 60_000).await.unwrap());
    assert!(
        !store.lease_try("inventory", "b", 60_000).await.unwrap(),
        "held by a"
    );
    assert!(
        store.lease_try("inventory", "a", 60_000).await.unwrap(),
        "a renews"
    );
    assert!(
        store.lease_try("checkpoint", "b", 60_000).await.unwrap(),
        "another lease"
    );
    // Run out (a lease of no time), then b takes it over.
    assert!(store.lease_try("inventory", "a", -1).await.unwrap());
    assert!(store.lease_try("inventory", "b", 60_000).await.unwrap());
    assert!(!store.lease_try("inventory", "a", 60_000).await.unwrap());
    // Concurrent takers of a free lease: exactly one wins.
    let tries = (0..10).map(|i| {
        let store = store.clone();
        async move {
            store
                .lease_try("race", &format!("r{i}"), 60_000)
                .await
                .unwrap()
        }
    });
    let won = futures::future::join_all(tries).await;
    assert_eq!(won.iter().filter(|w| **w).count(), 1);
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

fn name(s: &str) -> Name {
    Name::new(s).unwrap()
}

async fn tenant(store: &DataStore, n: &str, quota: Resources) -> scmp_store::Tenant {
    store
        .tenant_create(&NewTenant {
            name: name(n),
            description: format!("{n} unit"),
            quota,
        })
        .await
        .unwrap()
}

fn project(n: &str, quota: Resources) -> NewProject {
    NewProject {
        name: name(n),
        description: String::new(),
        quota,
    }
}

/// An operation keeps who asked for it and, for a creation, what admission read (the saga reads
/// neither again); one recorded without them answers none.
async fn operations_keep_who_asked_and_what_was_admitted(store: &DataStore, _url: &str) {
    let t = tenant(store, "alpha", res(10, 10_000, 100, 10)).await;
    let p = store
        .project_create(t.id, &project("web", res(10, 10_000, 100, 10)))
        .await
        .unwrap();
    let image = store
        .image_create(&scmp_store::NewImage {
            name: name("debian-12"),
            kind: GuestKind::Vm,
            os: "debian".into(),
            version: "12".into(),
            template: "debian-12-tpl".into(),
            description: String::new(),
        })
        .await
        .unwrap();
    let guest = |n: &str| NewGuest {
        security_groups: Vec::new(),
        nics: Vec::new(),
        project_id: p.id,
        tenant_id: t.id,
        name: name(n),
        kind: GuestKind::Vm,
        image_id: image.id,
        vcpus: 1,
        memory_mib: 256,
        disk_gib: 3,
        site: None,
        ha: false,
        tags: Vec::new(),
        cloud_init: Default::default(),
        network: GuestNetwork::default(),
        anti_affinity: String::new(),
        lease: None,
    };
    let who = (
        "u1".to_string(),
        ActorIdentity {
            name: "ann".into(),
            realm: "local".into(),
            tenant: "alpha".into(),
        },
    );
    let creation = CreationInput {
        tenant_name: "alpha".into(),
        countries: vec!["DE".parse().unwrap(), "FR".parse().unwrap()],
        image_name: "debian-12".into(),
        template: "debian-12-tpl".into(),
        template_kind: GuestKind::Vm,
    };
    let new_op = |requested_by, creation| NewOperation {
        kind: OperationKind::GuestCreate,
        target: "guest/web1".into(),
        params: serde_json::json!({}),
        request_id: "r1".into(),
        requested_by,
        creation,
        approval: None,
    };
    let op = store
        .guest_admit(
            &guest("web1"),
            &new_op(Some(who.clone()), Some(creation.clone())),
        )
        .await
        .unwrap();
    let stored = store.operation_get(op.id).await.unwrap();
    assert_eq!(stored.requested_by(), Some(who));
    assert_eq!(stored.creation(), Some(creation));
    let bare = store
        .guest_admit(&guest("web2"), &new_op(None, None))
        .await
        .unwrap();
    let stored = store.operation_get(bare.id).await.unwrap();
    assert_eq!((stored.requested_by(), stored.creation()), (None, None));
}

/// A list given what its caller may see reads only that: whole tenants, single projects, or nothing.
async fn lists_read_only_what_is_visible(store: &DataStore, _url: &str) {
    let a = tenant(store, "alpha", res(100, 1000, 100, 10)).await;
    let b = tenant(store, "beta", res(100, 1000, 100, 10)).await;
    tenant(store, "gamma", res(1, 1, 1, 1)).await;
    let web = store
        .project_create(a.id, &project("web", res(1, 1, 1, 1)))
        .await
        .unwrap();
    store
        .project_create(a.id, &project("db", res(1, 1, 1, 1)))
        .await
        .unwrap();
    let within =
        |tenants: Vec<TenantId>, projects: Vec<ProjectId>| Visible::Within { tenants, projects };
    let names = |ts: Vec<scmp_store::Tenant>| -> Vec<String> {
        ts.iter().map(|t| t.name.to_string()).collect()
    };
    let seen = store
        .tenant_list(&within(vec![b.id, a.id], vec![]), None, 10)
        .await
        .unwrap();
    assert_eq!(names(seen), ["alpha", "beta"]);
    let none = store
        .tenant_list(&within(vec![], vec![web.id]), None, 10)
        .await
        .unwrap();
    assert!(
        none.is_empty(),
        "a project binding shows no tenant by itself"
    );
    let projects = |v: Visible| async move {
        store
            .project_list(a.id, &v, None, 10)
            .await
            .unwrap()
            .iter()
            .map(|p| p.name.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(projects(within(vec![a.id], vec![])).await, ["db", "web"]);
    assert_eq!(projects(within(vec![b.id], vec![web.id])).await, ["web"]);
    assert!(projects(within(vec![], vec![])).await.is_empty());
    assert_eq!(projects(Visible::All).await, ["db", "web"]);
}

async fn tenants(store: &DataStore, _url: &str) {
    let a = tenant(store, "alpha", res(100, 1000, 100, 10)).await;
    let b = tenant(store, "beta", res(1, 1, 1, 1)).await;
    assert_eq!(store.tenant_lookup("alpha").await.unwrap(), a);
    assert_eq!(store.tenant_lookup(&a.id.to_string()).await.unwrap(), a);
    let dup = store
        .tenant_create(&NewTenant {
            name: name("alpha"),
            description: String::new(),
            quota: Resources::ZERO,
        })
        .await
        .unwrap_err();
    assert!(matches!(dup, Error::AlreadyExists { .. }), "{dup}");
    assert!(matches!(
        store.tenant_lookup("gamma").await.unwrap_err(),
        Error::NotFound { .. }
    ));
    let page = store.tenant_list(&Visible::All, None, 1).await.unwrap();
    assert_eq!(page, vec![a.clone()]);
    let page = store
        .tenant_list(&Visible::All, Some("alpha"), 10)
        .await
        .unwrap();
    assert_eq!(page, vec![b.clone()]);
    store
        .project_create(a.id, &project("web", res(1, 1, 1, 1)))
        .await
        .unwrap();
    let busy = store.tenant_delete(a.id).await.unwrap_err();
    assert!(matches!(busy, Error::InUse { .. }), "{busy}");
    store.tenant_delete(b.id).await.unwrap();
    assert!(matches!(
        store.tenant_get(b.id).await.unwrap_err(),
        Error::NotFound { .. }
    ));
}

async fn projects_within_quota(store: &DataStore, _url: &str) {
    let t = tenant(store, "alpha", res(100, 4096, 500, 20)).await;
    let web = store
        .project_create(t.id, &project("web", res(60, 2048, 100, 10)))
        .await
        .unwrap();
    assert_eq!(web.limits, res(60, 2048, 100, 10));
    let err = store
        .project_create(t.id, &project("db", res(50, 1024, 100, 5)))
        .await
        .unwrap_err();
    match err {
        Error::QuotaExceeded {
            resource,
            limit,
            allocated,
            requested,
            ..
        } => {
            assert_eq!(
                (resource, limit, allocated, requested),
                ("vcpus", 100, 60, 50)
            );
        }
        other => panic!("expected a quota refusal, got {other}"),
    }
    let dup = store
        .project_create(t.id, &project("web", res(1, 1, 1, 1)))
        .await
        .unwrap_err();
    assert!(matches!(dup, Error::AlreadyExists { .. }), "{dup}");
    let view = store.tenant_quota_view(t.id).await.unwrap();
    assert_eq!(
        view.allocated,
        res(60, 2048, 100, 10),
        "a refused or duplicate project reserves nothing"
    );
    let db = store
        .project_create(t.id, &project("db", res(40, 2048, 400, 10)))
        .await
        .unwrap();
    assert_eq!(store.project_lookup(Some(t.id), "db").await.unwrap(), db);
    let names: Vec<String> = store
        .project_list(t.id, &Visible::All, None, 10)
        .await
        .unwrap()
        .iter()
        .map(|p| p.name.to_string())
        .collect();
    assert_eq!(names, ["db", "web"]);
    store.project_delete(db.id).await.unwrap();
    let view = store.tenant_quota_view(t.id).await.unwrap();
    assert_eq!(
        view.allocated,
        res(60, 2048, 100, 10),
        "deleting releases the reservation"
    );
}

async fn quota_changes(store: &DataStore, _url: &str) {
    let t = tenant(store, "alpha", res(100, 4096, 500, 20)).await;
    let p = store
        .project_create(t.id, &project("web", res(60, 2048, 100, 10)))
        .await
        .unwrap();
    let err = store
        .tenant_quota_update(t.id, &res(50, 4096, 500, 20))
        .await
        .unwrap_err();
    match err {
        Error::QuotaBelowUse {
            resource,
            requested,
            in_use,
            ..
        } => {
            assert_eq!((resource, requested, in_use), ("vcpus", 50, 60));
        }
        other => panic!("expected a refusal with the numbers, got {other}"),
    }
    let t2 = store
        .tenant_quota_update(t.id, &res(60, 2048, 100, 10))
        .await
        .unwrap();
    assert_eq!(t2.limits, res(60, 2048, 100, 10));
    let err = store
        .project_quota_update(p.id, &res(61, 2048, 100, 10))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::QuotaExceeded {
                resource: "vcpus",
                ..
            }
        ),
        "{err}"
    );
    let smaller = store
        .project_quota_update(p.id, &res(30, 1024, 50, 5))
        .await
        .unwrap();
    assert_eq!(smaller.limits, res(30, 1024, 50, 5));
    assert_eq!(
        store.tenant_quota_view(t.id).await.unwrap().allocated,
        res(30, 1024, 50, 5)
    );
    store
        .project_usage_reserve(p.id, &res(20, 512, 10, 1))
        .await
        .unwrap();
    let err = store
        .project_quota_update(p.id, &res(10, 1024, 50, 5))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::QuotaBelowUse {
                resource: "vcpus",
                in_use: 20,
                ..
            }
        ),
        "{err}"
    );
}

async fn guest_usage(store: &DataStore, _url: &str) {
    let t = tenant(store, "alpha", res(100, 4096, 500, 20)).await;
    let p = store
        .project_create(t.id, &project("web", res(8, 4096, 100, 2)))
        .await
        .unwrap();
    store
        .project_usage_reserve(p.id, &res(4, 2048, 50, 1))
        .await
        .unwrap();
    store
        .project_usage_reserve(p.id, &res(4, 2048, 50, 1))
        .await
        .unwrap();
    let err = store
        .project_usage_reserve(p.id, &res(1, 1, 1, 1))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::QuotaExceeded {
                resource: "vcpus",
                limit: 8,
                allocated: 8,
                requested: 1,
                ..
            }
        ),
        "{err}"
    );
    let busy = store.project_delete(p.id).await.unwrap_err();
    assert!(matches!(busy, Error::Conflict(_)));
    let view = store.tenant_quota_view(t.id).await.unwrap();
    assert_eq!(view.used, res(8, 4096, 100, 2));
    // A page of tenants gets each one's usage in one query: the same as one by one, and
    // nothing for a tenant without projects.
    let idle = tenant(store, "idle", res(1, 1, 1, 1)).await;
    let page = store
        .tenant_quota_views(vec![idle.clone(), store.tenant_get(t.id).await.unwrap()])
        .await
        .unwrap();
    assert_eq!(page.len(), 2);
    assert_eq!(page[0].0.id, idle.id);
    assert_eq!(page[0].1.used, res(0, 0, 0, 0));
    assert_eq!(page[1].1, view);
    assert!(store
        .tenant_quota_views(Vec::new())
        .await
        .unwrap()
        .is_empty());
    store
        .project_usage_release(p.id, &res(4, 2048, 50, 1))
        .await
        .unwrap();
    store
        .project_usage_release(p.id, &res(4, 2048, 50, 1))
        .await
        .unwrap();
    assert!(
        store
            .project_usage_release(p.id, &res(1, 0, 0, 0))
            .await
            .is_err(),
        "cannot release more"
    );
    store.project_delete(p.id).await.unwrap();
}

/// 50 concurrent creations asking 10 vCPUs each from a tenant with 100: exactly 10 succeed.
async fn concurrent_creations_never_over_allocate(store: &DataStore, _url: &str) {
    let t = tenant(store, "alpha", res(100, 1_000_000, 1_000_000, 1_000)).await;
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .project_create(t.id, &project(&format!("p{i}"), res(10, 1, 1, 1)))
                    .await
            })
        })
        .collect();
    let mut ok = 0;
    let mut refused = 0;
    for r in futures::future::join_all(tasks).await {
        match r.unwrap() {
            Ok(_) => ok += 1,
            Err(Error::QuotaExceeded {
                resource: "vcpus", ..
            }) => refused += 1,
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
    assert_eq!((ok, refused), (10, 40));
    let view = store.tenant_quota_view(t.id).await.unwrap();
    assert_eq!(view.allocated.vcpus, 100);
    assert_eq!(
        store
            .project_list(t.id, &Visible::All, None, 100)
            .await
            .unwrap()
            .len(),
        10
    );
}

async fn hostile_input_is_stored_verbatim(store: &DataStore, _url: &str) {
    let nasty = "'; DROP TABLE tenants; -- \"quoted\" ünïcødé \\ %_ \u{1F600}";
    let t = store
        .tenant_create(&NewTenant {
            name: name("alpha"),
            description: nasty.into(),
            quota: res(1, 1, 1, 1),
        })
        .await
        .unwrap();
    assert_eq!(store.tenant_get(t.id).await.unwrap().description, nasty);
    assert!(matches!(
        store.tenant_lookup("' OR '1'='1").await.unwrap_err(),
        Error::NotFound { .. }
    ));
    let nul = store
        .tenant_create(&NewTenant {
            name: name("gamma"),
            description: "a\u{0}b".into(),
            quota: res(1, 1, 1, 1),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(nul, Error::InvalidValue { ref field, .. } if field == "description"),
        "{nul}"
    );
    let huge = store
        .tenant_create(&NewTenant {
            name: name("beta"),
            description: String::new(),
            quota: res(u64::MAX, 1, 1, 1),
        })
        .await
        .unwrap_err();
    assert!(matches!(huge, Error::InvalidValue { .. }), "{huge}");
}

async fn identity(store: &DataStore, _url: &str) {
    let t = tenant(store, "alpha", res(10, 10, 10, 10)).await;
    let alice = store
        .user_create(&name("alice"), "alice@example.com", Some(t.id), None)
        .await
        .unwrap();
    assert!(
        store
            .user_create(&name("alice"), "", None, None)
            .await
            .is_err(),
        "names are unique"
    );
    assert_eq!(store.user_count().await.unwrap(), 1);
    let issued = store
        .credential_issue(alice.id, CredentialKind::Token, "ci", None)
        .await
        .unwrap();
    assert!(
        !format!("{issued:?}").contains(&issued.text),
        "the secret never shows in Debug"
    );
    let (who, cred) = store
        .credential_verify(&issued.text, 0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((who.id, cred.name.as_str()), (alice.id, "ci"));
    let mut wrong = issued.text.clone();
    wrong.pop();
    wrong.push('x');
    assert!(store.credential_verify(&wrong, 0).await.unwrap().is_none());
    assert!(store
        .credential_verify("scmp_nonsense", 0)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .credential_verify("' OR 1=1 --", 0)
        .await
        .unwrap()
        .is_none());
    let session = store
        .credential_issue(alice.id, CredentialKind::Session, "login", Some(1_000))
        .await
        .unwrap();
    assert!(store
        .credential_verify(&session.text, 999)
        .await
        .unwrap()
        .is_some());
    assert!(
        store
            .credential_verify(&session.text, 1_000)
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert_eq!(
        store
            .credential_list(alice.id, CredentialKind::Token, None, 100)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(store
        .credential_revoke(alice.id, issued.credential.id)
        .await
        .unwrap());
    assert!(
        store
            .credential_verify(&issued.text, 0)
            .await
            .unwrap()
            .is_none(),
        "revoked"
    );
    assert!(!store
        .credential_revoke(alice.id, issued.credential.id)
        .await
        .unwrap());
    store
        .binding_create(
            &BindingSubject::User(alice.id),
            "tenant-admin",
            Some(t.id),
            None,
        )
        .await
        .unwrap();
    let b = store.bindings_of(alice.id).await.unwrap();
    assert_eq!(
        (b[0].role.as_str(), b[0].tenant_id),
        ("tenant-admin", Some(t.id))
    );
}

async fn sites_and_clusters(store: &DataStore, _url: &str) {
    let site = store
        .site_create(&NewSite {
            name: name("berlin"),
            country: "DE".parse().unwrap(),
            region: "BE".into(),
            description: String::new(),
        })
        .await
        .unwrap();
    assert_eq!(store.site_lookup("berlin").await.unwrap(), site);
    assert!(matches!(
        store.site_lookup("paris").await.unwrap_err(),
        Error::NotFound { .. }
    ));
    let new = NewCluster {
        name: name("ber-1"),
        endpoint: "https://pve1.example:8006".into(),
        token_id: "root@pam!scmp".parse().unwrap(),
        token_secret_sealed: "v1:00:00".into(),
        tls_fingerprint: None,
        cpu_overcommit: 4.0,
        memory_overcommit: 1.5,
        agent_id: None,
    };
    let c = store.cluster_create(site.id, &new).await.unwrap();
    assert_eq!((c.cpu_overcommit, c.memory_overcommit), (4.0, 1.5));
    assert!(matches!(
        store.cluster_create(site.id, &new).await.unwrap_err(),
        Error::AlreadyExists { .. }
    ));
    assert_eq!(
        store.cluster_list(site.id, None, 100).await.unwrap(),
        vec![c.clone()]
    );
    assert!(matches!(
        store.site_delete(site.id).await.unwrap_err(),
        Error::InUse { .. }
    ));
    store.cluster_delete(c.id).await.unwrap();
    store.site_delete(site.id).await.unwrap();
    assert_eq!(store.site_list(None, 100).await.unwrap(), vec![]);
}
