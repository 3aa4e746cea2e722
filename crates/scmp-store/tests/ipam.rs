//! scmp's IPAM under concurrency, on SQLite and PostgreSQL: many guests admitted at once in a
//! small subnet get distinct addresses, as many as the subnet holds outside its gateway and DHCP
//! range and no more, and the rest are refused with a clear conflict; a released address is
//! handed out again. And network tags: concurrent network admissions at one site never share one.
//! And security groups: their members' addresses are what the IPAM gave them, and a group in use
//! is not deleted.
#![allow(clippy::unwrap_used)] // A test may unwrap: a panic fails it.

use std::collections::BTreeSet;

use scmp_common::{Error, GuestKind, Name, OperationKind, Resources};
use scmp_store::{
    DataStore, GuestNetwork, NetworkState, NewGuest, NewImage, NewNetwork, NewNic, NewOperation,
    NewProject, NewSite, NewSubnet, NewTenant,
};
use scmp_test_utils::on_both;

on_both!(
    concurrent_admissions_never_share_an_address,
    concurrent_networks_never_share_a_tag,
    security_group_members_are_their_guests_addresses
);

fn name(s: &str) -> Name {
    Name::new(s).unwrap()
}

fn op(kind: OperationKind, n: usize) -> NewOperation {
    NewOperation {
        kind,
        target: format!("x/{n}"),
        params: serde_json::json!({}),
        request_id: format!("r{n}"),
        requested_by: None,
        creation: None,
        approval: None,
    }
}

#[derive(Clone)]
struct Fixture {
    tenant: scmp_common::TenantId,
    project: scmp_common::ProjectId,
    site: scmp_common::SiteId,
    image: scmp_common::ImageId,
}

async fn fixture(store: &DataStore) -> Fixture {
    let quota = Resources {
        public_addresses: 0,
        vcpus: 1000,
        memory_mib: 1_000_000,
        disk_gib: 100_000,
        guests: 100,
        networks: 100,
    };
    let t = store
        .tenant_create(&NewTenant {
            name: name("acme"),
            description: String::new(),
            quota,
        })
        .await
        .unwrap();
    let p = store
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
    let site = store
        .site_create(&NewSite {
            name: name("edge"),
            country: "DE".parse().unwrap(),
            region: String::new(),
            description: String::new(),
        })
        .await
        .unwrap()
        .id;
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
        tenant: t.id,
        project: p.id,
        site,
        image,
    }
}

/// A small VM of the fixture's project with one NIC on `network`, in `groups`.
fn guest_on(
    f: &Fixture,
    guest: &str,
    network: scmp_common::NetworkId,
    groups: Vec<scmp_common::SecurityGroupId>,
) -> NewGuest {
    NewGuest {
        security_groups: groups,
        project_id: f.project,
        tenant_id: f.tenant,
        name: name(guest),
        kind: GuestKind::Vm,
        image_id: f.image,
        vcpus: 1,
        memory_mib: 512,
        disk_gib: 10,
        site: None,
        ha: false,
        tags: Vec::new(),
        cloud_init: Default::default(),
        network: GuestNetwork::default(),
        anti_affinity: String::new(),
        lease: None,
        nics: vec![NewNic {
            network_id: network,
            address: None,
        }],
    }
}

fn new_network(f: &Fixture, n: &str, subnets: Vec<NewSubnet>) -> NewNetwork {
    NewNetwork {
        tenant_id: f.tenant,
        project_id: f.project,
        site_id: f.site,
        name: name(n),
        description: String::new(),
        subnets,
    }
}

async fn concurrent_admissions_never_share_an_address(store: &DataStore, _url: &str) {
    let f = fixture(store).await;
    // A /28: 14 hosts, less the gateway and a DHCP range of 3: 10 addresses to hand out.
    let subnet = NewSubnet {
        cidr: "10.9.0.0/28".into(),
        gateway: "10.9.0.1".into(),
        dhcp: Some(("10.9.0.12".into(), "10.9.0.14".into())),
        snat: false,
    };
    let (net, _) = store
        .network_admit(
            &new_network(&f, "small", vec![subnet]),
            &op(OperationKind::NetworkCreate, 0),
        )
        .await
        .unwrap();
    store
        .network_set_state(net.id, NetworkState::Ready, "")
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (store, f, network) = (store.clone(), f.clone(), net.id);
        tasks.push(tokio::spawn(async move {
            let new = guest_on(&f, &format!("g{i}"), network, Vec::new());
            store
                .guest_admit(&new, &op(OperationKind::GuestCreate, i + 1))
                .await
                .map(|o| o.guest_id().unwrap())
        }));
    }
    let mut admitted = Vec::new();
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(g) => admitted.push(g),
            Err(Error::Conflict(m)) => {
                assert!(m.contains("no free address"), "{m}");
                refused += 1;
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!((admitted.len(), refused), (10, 6));
    let mut addresses = BTreeSet::new();
    for g in &admitted {
        let nics = store.guest_nics(*g).await.unwrap();
        assert_eq!(nics.len(), 1);
        assert!(
            addresses.insert(nics[0].address),
            "{} twice",
            nics[0].address
        );
    }
    let want: BTreeSet<std::net::IpAddr> = (2..=11)
        .map(|h| format!("10.9.0.{h}").parse().unwrap())
        .collect();
    assert_eq!(
        addresses, want,
        "every address outside the gateway and DHCP"
    );
    // A released address is handed out again.
    let freed = store.guest_nics(admitted[0]).await.unwrap()[0].address;
    store.guest_remove(admitted[0]).await.unwrap();
    let new = guest_on(&f, "late", net.id, Vec::new());
    let o = store
        .guest_admit(&new, &op(OperationKind::GuestCreate, 99))
        .await
        .unwrap();
    let late = store.guest_nics(o.guest_id().unwrap()).await.unwrap();
    assert_eq!(late[0].address, freed);
}

async fn concurrent_networks_never_share_a_tag(store: &DataStore, _url: &str) {
    let f = fixture(store).await;
    store
        .site_networking_set(
            f.site,
            &scmp_store::SiteNetworking {
                tag_min: 100,
                tag_max: 107,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..12 {
        let (store, new) = (
            store.clone(),
            new_network(
                &f,
                &format!("n{i}"),
                vec![NewSubnet {
                    cidr: format!("10.{i}.0.0/24"),
                    gateway: String::new(),
                    dhcp: None,
                    snat: false,
                }],
            ),
        );
        tasks.push(tokio::spawn(async move {
            store
                .network_admit(&new, &op(OperationKind::NetworkCreate, i))
                .await
                .map(|(n, _)| n.tag)
        }));
    }
    let mut tags = BTreeSet::new();
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(tag) => assert!(tags.insert(tag), "tag {tag} twice"),
            Err(Error::Conflict(m)) => {
                assert!(m.contains("used up") || m.contains("try again"), "{m}");
                refused += 1;
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(tags, (100..=107).collect::<BTreeSet<u64>>());
    assert_eq!(refused, 4);
}

async fn security_group_members_are_their_guests_addresses(store: &DataStore, _url: &str) {
    use scmp_store::{Direction, NewSecurityGroup, Protocol, Remote, SgRule};
    let f = fixture(store).await;
    let subnet = NewSubnet {
        cidr: "10.8.0.0/24".into(),
        gateway: "10.8.0.1".into(),
        dhcp: None,
        snat: false,
    };
    let (net, _) = store
        .network_admit(
            &new_network(&f, "front", vec![subnet]),
            &op(OperationKind::NetworkCreate, 0),
        )
        .await
        .unwrap();
    store
        .network_set_state(net.id, NetworkState::Ready, "")
        .await
        .unwrap();
    let id = scmp_common::SecurityGroupId::new();
    let new = NewSecurityGroup {
        id,
        tenant_id: f.tenant,
        project_id: f.project,
        site_id: f.site,
        name: name("web"),
        description: String::new(),
        rules: vec![SgRule {
            direction: Direction::In,
            protocol: Protocol::Tcp,
            ports: Some("5432".into()),
            remote: Remote::Group(id),
            description: String::new(),
        }],
    };
    let (g, _) = store
        .security_group_create(&new, &op(OperationKind::SecurityGroupApply, 1))
        .await
        .unwrap();
    assert!(
        g.pve_name.starts_with('t') && g.pve_name.len() <= 18,
        "{}",
        g.pve_name
    );
    let again = store
        .security_group_create(
            &NewSecurityGroup {
                id: scmp_common::SecurityGroupId::new(),
                ..new.clone()
            },
            &op(OperationKind::SecurityGroupApply, 2),
        )
        .await;
    assert!(
        matches!(again, Err(Error::AlreadyExists { .. })),
        "{again:?}"
    );
    let guest = guest_on(&f, "web1", net.id, vec![g.id]);
    let gid = store
        .guest_admit(&guest, &op(OperationKind::GuestCreate, 3))
        .await
        .unwrap()
        .guest_id()
        .unwrap();
    assert_eq!(
        store.security_group_member_addresses(g.id).await.unwrap(),
        vec!["10.8.0.2".to_string()]
    );
    store
        .security_group_set_state(g.id, scmp_store::SecurityGroupState::Ready, "")
        .await
        .unwrap();
    let busy = store
        .security_group_begin_delete(g.id, &op(OperationKind::SecurityGroupDelete, 4))
        .await;
    match busy {
        Err(Error::Conflict(m)) => assert!(m.contains("web1"), "{m}"),
        other => panic!("{other:?}"),
    }
    store.guest_set_security_groups(gid, &[]).await.unwrap();
    assert!(store
        .security_group_member_addresses(g.id)
        .await
        .unwrap()
        .is_empty());
    store
        .security_group_begin_delete(g.id, &op(OperationKind::SecurityGroupDelete, 5))
        .await
        .unwrap();
    store.security_group_remove(g.id).await.unwrap();
    assert!(matches!(
        store.security_group_get(g.id).await,
        Err(Error::NotFound { .. })
    ));
}
