//! Placement: each filter, the refusal's counts, spreading, determinism.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use scmp_placement::{place, ClusterCap, Filter, HostCap, NetworkNeed, Request, Snapshot};

const OC: (f64, f64) = (4.0, 1.0);

fn unit(id: &str, site: &str, country: &str) -> ClusterCap {
    let hosts = (1..=3)
        .map(|i| HostCap::new(format!("pve{i}"), 48, 512 * 1024, 0, 0, OC))
        .collect();
    ClusterCap::new(id, site, country, true, vec!["debian-12".into()], hosts)
}

fn req(vcpus: u64, memory_mib: u64) -> Request {
    Request {
        vcpus,
        memory_mib,
        ..Request::default()
    }
}

#[test]
fn spreads_over_hosts_and_clusters() {
    let mut s = Snapshot {
        clusters: vec![unit("a", "fra", "DE"), unit("b", "par", "FR")],
    };
    let r = req(4, 8192);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..6 {
        let d = place(&s, &r).unwrap();
        seen.insert((d.cluster, d.host));
        s.apply(&d, &r);
    }
    assert_eq!(seen.len(), 6, "six guests land on six different hosts");
}

#[test]
fn same_inputs_same_answer() {
    let s = Snapshot {
        clusters: vec![unit("a", "fra", "DE"), unit("b", "par", "FR")],
    };
    let a = place(&s, &req(2, 2048)).unwrap();
    let b = place(&s, &req(2, 2048)).unwrap();
    assert_eq!(a, b);
    assert_eq!((a.cluster, a.host), (0, 0), "ties go to the first host");
}

#[test]
fn residency_site_and_country() {
    let s = Snapshot {
        clusters: vec![unit("a", "fra", "DE"), unit("b", "par", "FR")],
    };
    let mut r = req(1, 512);
    r.countries = vec!["FR".into()];
    assert_eq!(place(&s, &r).unwrap().cluster, 1);
    r.countries = vec!["IT".into()];
    let refusal = place(&s, &r).unwrap_err();
    assert_eq!(refusal.removed, vec![(Filter::Residency, 6)]);
    let mut r = req(1, 512);
    r.site = Some("fra".into());
    assert_eq!(place(&s, &r).unwrap().cluster, 0);
}

#[test]
fn image_health_offline_and_maintenance() {
    let mut a = unit("a", "fra", "DE");
    a.images.clear();
    let mut b = unit("b", "par", "FR");
    b.healthy = false;
    let mut c = unit("c", "ams", "NL");
    c.hosts[0].online = false;
    c.hosts[1].maintenance = true;
    let s = Snapshot {
        clusters: vec![a, b, c],
    };
    let mut r = req(1, 512);
    r.image = Some("debian-12".into());
    let d = place(&s, &r).unwrap();
    assert_eq!((d.cluster, d.host), (2, 2));
    assert_eq!(d.eligible, 1);
    let mut s2 = s.clone();
    s2.clusters[2].hosts[2].maintenance = true;
    let refusal = place(&s2, &r).unwrap_err();
    assert_eq!(
        refusal.removed,
        vec![
            (Filter::Image, 3),
            (Filter::ClusterHealth, 3),
            (Filter::HostOffline, 1),
            (Filter::Maintenance, 2)
        ]
    );
    assert_eq!(refusal.considered, 9);
    let text = refusal.to_string();
    assert!(
        text.contains("image: 3") && text.contains("maintenance: 2"),
        "{text}"
    );
}

#[test]
fn a_network_needs_its_bridge_and_vlan_awareness_on_the_host() {
    let mut c = unit("a", "fra", "DE");
    c.hosts[0].bridges = vec![("vmbr0".into(), false)];
    c.hosts[1].bridges = vec![("vmbr0".into(), true), ("vmbr1".into(), false)];
    let s = Snapshot { clusters: vec![c] };
    let mut r = req(1, 512);
    r.network = Some(NetworkNeed {
        bridge: "vmbr0".into(),
        vlan: true,
    });
    let d = place(&s, &r).unwrap();
    assert_eq!(d.host, 1, "the only host with a VLAN-aware vmbr0");
    assert_eq!(d.eligible, 1);
    r.network = Some(NetworkNeed {
        bridge: "vmbr1".into(),
        vlan: true,
    });
    let refusal = place(&s, &r).unwrap_err();
    assert_eq!(refusal.removed, vec![(Filter::Network, 3)]);
    assert!(refusal.to_string().contains("network: 3"));
    r.network = None;
    assert_eq!(
        place(&s, &r).unwrap().eligible,
        3,
        "no network asked, every host"
    );
}

#[test]
fn capacity_counts_overcommit() {
    // 48 cores at 4:1 = 192 vCPUs per host; memory 1:1.
    let s = Snapshot {
        clusters: vec![ClusterCap::new(
            "solo",
            "fra",
            "DE",
            true,
            vec![],
            vec![HostCap::new("pve1", 48, 1024, 190, 0, OC)],
        )],
    };
    assert!(place(&s, &req(2, 1024)).is_ok());
    assert_eq!(
        place(&s, &req(3, 512)).unwrap_err().removed,
        vec![(Filter::Capacity, 1)]
    );
    assert_eq!(
        place(&s, &req(1, 1025)).unwrap_err().removed,
        vec![(Filter::Capacity, 1)]
    );
}

#[test]
fn ha_reserve_keeps_one_host_free() {
    // Three hosts of 100 GiB: at most 200 GiB may be allocated in the cluster.
    let hosts = (1..=3)
        .map(|i| HostCap::new(format!("pve{i}"), 48, 100 * 1024, 0, 0, OC))
        .collect();
    let mut s = Snapshot {
        clusters: vec![ClusterCap::new("a", "fra", "DE", true, vec![], hosts)],
    };
    let r = req(1, 50 * 1024);
    for _ in 0..4 {
        let d = place(&s, &r).unwrap();
        s.apply(&d, &r);
    }
    // The full host fails on capacity; the two half-full ones would eat the reserve.
    let refusal = place(&s, &r).unwrap_err();
    assert_eq!(
        refusal.removed,
        vec![(Filter::Capacity, 1), (Filter::HaReserve, 2)]
    );
}

#[test]
fn anti_affinity_one_per_host() {
    let mut s = Snapshot {
        clusters: vec![unit("a", "fra", "DE")],
    };
    let mut r = req(1, 512);
    r.anti_affinity = Some("db".into());
    let mut hosts = std::collections::BTreeSet::new();
    for _ in 0..3 {
        let d = place(&s, &r).unwrap();
        hosts.insert(d.host);
        s.apply(&d, &r);
    }
    assert_eq!(hosts.len(), 3);
    assert_eq!(
        place(&s, &r).unwrap_err().removed,
        vec![(Filter::AntiAffinity, 3)]
    );
}

proptest::proptest! {
    /// Whatever the load, a decision never exceeds a host's capacity or the cluster's reserve, and a
    /// refusal accounts for every host.
    #[test]
    fn never_overcommits(loads in proptest::collection::vec((0u64..200, 0u64..110_000), 3), need in (1u64..64, 1u64..65_536)) {
        let hosts = loads.iter().enumerate()
            .map(|(i, (c, m))| HostCap::new(format!("pve{i}"), 48, 100_000, *c, *m, OC))
            .collect();
        let s = Snapshot { clusters: vec![ClusterCap::new("a", "fra", "DE", true, vec![], hosts)] };
        let r = req(need.0, need.1);
        match place(&s, &r) {
            Ok(d) => {
                let (c, m) = loads[d.host];
                proptest::prop_assert!(c + need.0 <= 192 && m + need.1 <= 100_000);
                let total_m: u64 = loads.iter().map(|l| l.1).sum();
                proptest::prop_assert!(total_m + need.1 + 100_000 <= 300_000);
            }
            Err(refusal) => {
                let n: usize = refusal.removed.iter().map(|(_, n)| n).sum();
                proptest::prop_assert_eq!(n, 3);
            }
        }
    }
}
