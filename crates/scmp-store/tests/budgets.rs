//! Escrowed offline budgets in the store, on SQLite and PostgreSQL: a grant is reserved in the
//! project's usage at once (central admission can never hand it out again), refused when the
//! quota has no room, never cut below what the site used of it; what a site reports it took or gave
//! back is taken once per key; expiry and withdrawal give the unused part back. And a property: for
//! any interleaving of grants, central admissions and releases, local admissions and give-backs
//! (duplicated and replayed), guests made at the sites taken in out of their budgets and deleted
//! there, expiry and withdrawal, states received by the sites and confirmed by them, the project's
//! usage is what its guests and its outstanding grants take, never more than its quota, and what a
//! site may still spend as it was last told is always reserved for it (a cut waits for the site).
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use proptest::prelude::*;
use scmp_common::{GuestId, GuestKind, Name, OperationKind, Resources};
use scmp_store::{
    DataStore, GuestNetwork, NewGuest, NewImage, NewOperation, NewProject, NewSite, NewTenant,
    Project,
};
use scmp_test_utils::on_both;

on_both!(a_budget_is_escrowed_out_of_the_project_quota);

fn res(vcpus: u64, guests: u64) -> Resources {
    Resources {
        public_addresses: 0,
        networks: 0,
        vcpus,
        memory_mib: vcpus * 1024,
        disk_gib: vcpus * 10,
        guests,
    }
}

fn name(s: &str) -> Name {
    Name::new(s).unwrap()
}

struct Fixture {
    project: Project,
    sites: Vec<scmp_common::SiteId>,
    image: scmp_common::ImageId,
}

async fn fixture(store: &DataStore, quota: Resources) -> Fixture {
    let t = store
        .tenant_create(&NewTenant {
            name: name("acme"),
            description: String::new(),
            quota,
        })
        .await
        .unwrap();
    let project = store
        .project_create(
            t.id,
            &NewProject {
                name: name("web"),
                description: String::new(),
                quota,
            },
        )
        .await
        .unwrap();
    let mut sites = Vec::new();
    for n in ["edge-a", "edge-b"] {
        let s = store
            .site_create(&NewSite {
                name: name(n),
                country: "DE".parse().unwrap(),
                region: String::new(),
                description: String::new(),
            })
            .await
            .unwrap();
        sites.push(s.id);
    }
    let image = store
        .image_create(&NewImage {
            name: name("debian-12"),
            kind: GuestKind::Vm,
            os: "debian".into(),
            version: "12".into(),
            template: "debian-12-tpl".into(),
            description: String::new(),
        })
        .await
        .unwrap()
        .id;
    Fixture {
        project,
        sites,
        image,
    }
}

/// A guest of the project taking `vcpus` (and one guest).
fn new_guest(f: &Fixture, guest: &str, vcpus: u64) -> NewGuest {
    let r = res(vcpus, 1);
    NewGuest {
        security_groups: Vec::new(),
        nics: Vec::new(),
        project_id: f.project.id,
        tenant_id: f.project.tenant_id,
        name: name(guest),
        kind: GuestKind::Vm,
        image_id: f.image,
        vcpus: r.vcpus,
        memory_mib: r.memory_mib,
        disk_gib: r.disk_gib,
        site: None,
        ha: false,
        tags: Vec::new(),
        cloud_init: Default::default(),
        network: GuestNetwork::default(),
        anti_affinity: String::new(),
        lease: None,
    }
}

/// A central admission of a guest taking `vcpus` (and one guest); its id when admitted.
async fn admit(store: &DataStore, f: &Fixture, n: usize, vcpus: u64) -> Option<GuestId> {
    let new = new_guest(f, &format!("g{n}"), vcpus);
    let op = NewOperation {
        kind: OperationKind::GuestCreate,
        target: format!("guest/g{n}"),
        params: serde_json::json!({}),
        request_id: format!("r{n}"),
        requested_by: None,
        creation: None,
        approval: None,
    };
    store
        .guest_admit(&new, &op)
        .await
        .ok()
        .and_then(|o| o.guest_id())
}

async fn used(store: &DataStore, f: &Fixture) -> Resources {
    store.project_get(f.project.id).await.unwrap().used
}

async fn a_budget_is_escrowed_out_of_the_project_quota(store: &DataStore, _url: &str) {
    let f = fixture(store, res(10, 10)).await;
    let (a, b) = (f.sites[0], f.sites[1]);
    let later = store.now_ms() + 86_400_000;
    let grant = store
        .site_budget_set(f.project.id, a, &res(6, 3), later)
        .await
        .unwrap();
    assert_eq!(
        (grant.granted, grant.used),
        (res(6, 3), Resources::default())
    );
    assert_eq!(
        used(store, &f).await,
        res(6, 3),
        "reserved in the project's usage at once"
    );
    // Central admission has only what is left.
    assert!(admit(store, &f, 1, 4).await.is_some());
    assert!(
        admit(store, &f, 2, 1).await.is_none(),
        "the grant is not handed out again"
    );
    // Another grant beyond the quota is refused, and changes nothing.
    let refused = store
        .site_budget_set(f.project.id, b, &res(1, 1), later)
        .await;
    assert!(refused.is_err());
    assert_eq!(used(store, &f).await, res(10, 4));
    // The site reports what it took: once per key, within the grant.
    assert!(store
        .site_budget_consume(f.project.id, a, &res(2, 1), "agent-1/5")
        .await
        .unwrap());
    assert!(store
        .site_budget_consume(f.project.id, a, &res(2, 1), "agent-1/5")
        .await
        .unwrap());
    assert!(!store
        .site_budget_consume(f.project.id, a, &res(5, 1), "agent-1/6")
        .await
        .unwrap());
    let now = store
        .site_budget_get(f.project.id, a)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        now.used,
        res(2, 1),
        "a replay is taken once; beyond the grant is refused"
    );
    assert_eq!(
        used(store, &f).await,
        res(10, 4),
        "local use is inside the reservation"
    );
    // Not cut below what the site used.
    let cut = store
        .site_budget_set(f.project.id, a, &res(1, 1), later)
        .await;
    assert!(
        matches!(cut, Err(scmp_common::Error::InvalidValue { .. })),
        "{cut:?}"
    );
    // A shorter validity is a cut: the site may still spend what it was told, so the grant
    // stays reserved until the site holds the cut.
    let cut = store
        .site_budget_set(f.project.id, a, &res(6, 3), store.now_ms() - 1)
        .await
        .unwrap();
    let until = cut.pending.map(|c| c.valid_until).unwrap();
    assert_eq!(cut.valid_until, later, "the longer validity stays");
    assert_eq!(store.site_budget_expire().await.unwrap(), 0);
    let held_old = [(f.project.id, res(6, 3), later)];
    assert_eq!(store.site_budget_held(a, &held_old).await.unwrap(), 0);
    assert_eq!(
        used(store, &f).await,
        res(10, 4),
        "the site holds the old one"
    );
    let held_cut = [(f.project.id, res(6, 3), until)];
    assert_eq!(store.site_budget_held(a, &held_cut).await.unwrap(), 1);
    // Expired: only what the site used stays reserved.
    assert_eq!(store.site_budget_expire().await.unwrap(), 1);
    assert_eq!(used(store, &f).await, res(4 + 2, 1 + 1));
    // Given back at the site, then withdrawn: nothing of the budget is left reserved.
    assert!(store
        .site_budget_give_back(f.project.id, a, &res(2, 1), "agent-1/7")
        .await
        .unwrap());
    store.site_budget_withdraw(f.project.id, a).await.unwrap();
    assert_eq!(store.site_budget_get(f.project.id, a).await.unwrap(), None);
    assert_eq!(used(store, &f).await, res(4, 1));
    // A site that goes gives its budgets' reservations back.
    store
        .site_budget_set(f.project.id, b, &res(3, 2), later)
        .await
        .unwrap();
    store.site_delete(b).await.unwrap();
    assert_eq!(used(store, &f).await, res(4, 1));
    assert!(store
        .site_budget_list(f.project.id)
        .await
        .unwrap()
        .is_empty());
}

/// One step of the property.
#[derive(Debug, Clone)]
enum Step {
    Grant {
        site: usize,
        vcpus: u64,
        guests: u64,
        expired: bool,
    },
    Admit {
        vcpus: u64,
    },
    Release {
        which: usize,
    },
    Consume {
        site: usize,
        vcpus: u64,
        key: u8,
    },
    GiveBack {
        site: usize,
        vcpus: u64,
        key: u8,
    },
    Expire,
    Withdraw {
        site: usize,
    },
    /// The site gets the state the centre offers it (its budgets).
    Receive {
        site: usize,
    },
    /// The site says which budgets it holds.
    Confirm {
        site: usize,
    },
    /// A guest made at the site, reported (again, with a key used before).
    Adopt {
        site: usize,
        vcpus: u64,
        key: u8,
    },
    /// A guest made at the site, deleted there.
    LocalDelete {
        which: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..2usize, 0..8u64, 0..4u64, any::<bool>()).prop_map(|(site, vcpus, guests, expired)| {
            Step::Grant {
                site,
                vcpus,
                guests,
                expired,
            }
        }),
        (1..5u64).prop_map(|vcpus| Step::Admit { vcpus }),
        (0..8usize).prop_map(|which| Step::Release { which }),
        // Few keys: the same report arrives again (a duplicate, a replay after a reconnect).
        (0..2usize, 1..4u64, 0..6u8).prop_map(|(site, vcpus, key)| Step::Consume {
            site,
            vcpus,
            key
        }),
        (0..2usize, 1..4u64, 0..6u8).prop_map(|(site, vcpus, key)| Step::GiveBack {
            site,
            vcpus,
            key
        }),
        Just(Step::Expire),
        (0..2usize).prop_map(|site| Step::Withdraw { site }),
        (0..2usize).prop_map(|site| Step::Receive { site }),
        (0..2usize).prop_map(|site| Step::Confirm { site }),
        (0..2usize, 1..4u64, 0..6u8).prop_map(|(site, vcpus, key)| Step::Adopt {
            site,
            vcpus,
            key
        }),
        (0..8usize).prop_map(|which| Step::LocalDelete { which }),
    ]
}

async fn run(steps: Vec<Step>) {
    let fresh = scmp_test_utils::store::sqlite().await;
    let store = &fresh.store;
    let quota = res(12, 6);
    let f = fixture(store, quota).await;
    let mut clusters = Vec::new();
    for (n, site) in f.sites.iter().enumerate() {
        let new = scmp_store::NewCluster {
            name: name(&format!("edge-{n}")),
            endpoint: format!("https://pve{n}.example:8006"),
            token_id: "root@pam!scmp".parse().unwrap(),
            token_secret_sealed: "v1:00:00".into(),
            tls_fingerprint: None,
            cpu_overcommit: 4.0,
            memory_overcommit: 1.5,
            agent_id: None,
        };
        clusters.push(store.cluster_create(*site, &new).await.unwrap().id);
    }
    let mut central: Vec<(GuestId, Resources)> = Vec::new();
    // Guests made at the sites and taken in: (guest, site, what it takes).
    let mut local: Vec<(GuestId, usize, Resources)> = Vec::new();
    let mut reported: std::collections::HashMap<String, (GuestId, u32)> = Default::default();
    // What each site was last told of the project's budget there (what it may spend).
    let mut belief: [Option<(Resources, i64)>; 2] = [None, None];
    for (n, s) in steps.into_iter().enumerate() {
        let later = store.now_ms() + 86_400_000;
        match s {
            Step::Grant {
                site,
                vcpus,
                guests,
                expired,
            } => {
                let until = if expired { store.now_ms() - 1 } else { later };
                let _ = store
                    .site_budget_set(f.project.id, f.sites[site], &res(vcpus, guests), until)
                    .await;
            }
            Step::Admit { vcpus } => {
                if let Some(id) = admit(store, &f, n, vcpus).await {
                    central.push((id, res(vcpus, 1)));
                }
            }
            Step::Release { which } => {
                if !central.is_empty() {
                    let (id, _) = central.remove(which % central.len());
                    store.guest_remove(id).await.unwrap();
                }
            }
            Step::Consume { site, vcpus, key } => {
                let key = format!("site{site}/take/{key}/{vcpus}");
                store
                    .site_budget_consume(f.project.id, f.sites[site], &res(vcpus, 1), &key)
                    .await
                    .unwrap();
            }
            Step::GiveBack { site, vcpus, key } => {
                let key = format!("site{site}/give/{key}/{vcpus}");
                store
                    .site_budget_give_back(f.project.id, f.sites[site], &res(vcpus, 1), &key)
                    .await
                    .unwrap();
            }
            Step::Expire => {
                store.site_budget_expire().await.unwrap();
            }
            Step::Withdraw { site } => {
                store
                    .site_budget_withdraw(f.project.id, f.sites[site])
                    .await
                    .unwrap();
            }
            Step::Receive { site } => {
                belief[site] = store
                    .site_budget_get(f.project.id, f.sites[site])
                    .await
                    .unwrap()
                    .map(|b| b.offered());
            }
            Step::Confirm { site } => {
                let held: Vec<_> = belief[site]
                    .iter()
                    .map(|(g, until)| (f.project.id, *g, *until))
                    .collect();
                store.site_budget_held(f.sites[site], &held).await.unwrap();
            }
            Step::Adopt { site, vcpus, key } => {
                let key = format!("site{site}/made/{key}/{vcpus}");
                let next = 1000 + reported.len() as u32;
                let (id, vmid) = *reported
                    .entry(key.clone())
                    .or_insert((GuestId::new(), next));
                let r = res(vcpus, 1);
                let g = scmp_store::SiteGuest {
                    id,
                    new: new_guest(&f, &format!("local-{vmid}"), vcpus),
                    cluster_id: clusters[site],
                    node: "pve1".into(),
                    vmid,
                    running: true,
                };
                let done = store
                    .site_guest_adopt(f.sites[site], &g, &key)
                    .await
                    .unwrap();
                if done == scmp_store::Adoption::Adopted {
                    local.push((id, site, r));
                    // The site counts the guest it made against what it was told.
                    if let Some((g, _)) = &mut belief[site] {
                        *g = Resources {
                            public_addresses: 0,
                            networks: 0,
                            vcpus: g.vcpus.saturating_sub(r.vcpus),
                            memory_mib: g.memory_mib.saturating_sub(r.memory_mib),
                            disk_gib: g.disk_gib.saturating_sub(r.disk_gib),
                            guests: g.guests.saturating_sub(r.guests),
                        };
                    }
                }
            }
            Step::LocalDelete { which } => {
                if !local.is_empty() {
                    let (id, site, _) = local.remove(which % local.len());
                    let key = format!("site{site}/gone/{id}");
                    assert!(store
                        .site_guest_release(f.sites[site], id, &key)
                        .await
                        .unwrap());
                    // Again: taken once.
                    store
                        .site_guest_release(f.sites[site], id, &key)
                        .await
                        .unwrap();
                }
            }
        }
        // The invariant, after every step.
        let usage = used(store, &f).await;
        let grants = store.site_budget_list(f.project.id).await.unwrap();
        let mut expected = Resources::default();
        for (_, r) in &central {
            expected = expected.checked_add(r).unwrap();
        }
        for (_, _, r) in &local {
            expected = expected.checked_add(r).unwrap();
        }
        for g in &grants {
            assert!(
                g.used.fits_in(&g.granted),
                "a site used more than its grant: {g:?}"
            );
            expected = expected.checked_add(&g.granted).unwrap();
        }
        assert_eq!(
            usage, expected,
            "usage is the guests' and the outstanding grants'"
        );
        assert!(usage.fits_in(&quota), "over the quota: {usage} of {quota}");
        // What a site may still spend, as it was told, is reserved for it.
        for (site, told) in belief.iter().enumerate() {
            let Some((g, until)) = told else { continue };
            if *until <= store.now_ms() {
                continue;
            }
            let reserved = grants
                .iter()
                .find(|b| b.site_id == f.sites[site])
                .map(|b| b.granted)
                .unwrap_or_default();
            assert!(
                g.fits_in(&reserved),
                "site {site} may spend {g} but only {reserved} is reserved for it"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn central_usage_and_grants_never_exceed_the_quota(steps in prop::collection::vec(step(), 1..40)) {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(run(steps));
    }
}
