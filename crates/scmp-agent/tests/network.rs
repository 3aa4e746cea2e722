//! Tenant networks through the agent against a simulated cluster's SDN: made and applied once,
//! idempotent, refused as PVE refuses, rolled back when the apply fails, and removed.
#![allow(clippy::unwrap_used)] // A test may unwrap: a panic fails it.

mod common;

use std::sync::atomic::Ordering;

use common::cluster;
use pve_types::api::sdn::ZoneType;
use scmp_agent::network::{SdnNetwork, SdnSubnet};
use scmp_agent::{Agent, AgentErrorKind, Command, LocalAgent};

fn vlan(id: &str, tag: u32, cidr: &str, gateway: &str) -> SdnNetwork {
    SdnNetwork {
        zone: format!("z{id}"),
        vnet: format!("v{id}"),
        kind: ZoneType::Vlan,
        bridge: Some("vmbr0".into()),
        peers: None,
        controller: None,
        vrf_vxlan: None,
        tag: Some(tag),
        mtu: None,
        alias: format!("net {id}"),
        subnets: vec![SdnSubnet {
            cidr: cidr.into(),
            gateway: Some(gateway.into()),
            snat: false,
            dhcp_range: None,
        }],
    }
}

#[tokio::test]
async fn a_network_is_made_applied_once_and_then_left_alone() {
    let c = cluster();
    let agent = LocalAgent::new(c.clone());
    let net = vlan("a1", 100, "10.20.0.0/24", "10.20.0.1");
    let reply = agent
        .ask(Command::EnsureNetwork {
            network: net.clone(),
        })
        .await
        .unwrap();
    assert_eq!(reply.upids.len(), 1, "one apply: {:?}", reply.upids);
    assert!(reply.upids[0].contains(":reloadnetworkall:"));
    {
        let sim = c.sim.cluster();
        assert!(sim.sdn.running.vnets.contains_key("va1"));
        assert!(sim.sdn.active.zones.contains_key("za1"));
        assert!(sim.sdn.active.subnets.contains_key("za1-10.20.0.0-24"));
        assert_eq!(sim.sdn.running.vnets["va1"]["tag"], "100");
    }
    // Again: nothing staged, nothing applied.
    let before = c.changes.load(Ordering::SeqCst);
    let reply = agent
        .ask(Command::EnsureNetwork {
            network: net.clone(),
        })
        .await
        .unwrap();
    assert!(reply.upids.is_empty());
    assert_eq!(c.changes.load(Ordering::SeqCst), before);

    // A changed gateway is staged against the digest and applied.
    let mut changed = net.clone();
    changed.subnets[0].gateway = Some("10.20.0.254".into());
    changed.subnets[0].dhcp_range = Some(("10.20.0.100".into(), "10.20.0.200".into()));
    agent
        .ask(Command::EnsureNetwork {
            network: changed.clone(),
        })
        .await
        .unwrap();
    assert_eq!(
        c.sim.cluster().sdn.active.subnets["za1-10.20.0.0-24"]["gateway"],
        "10.20.0.254"
    );

    // Addresses are mapped in the IPAM, once.
    for _ in 0..2 {
        agent
            .ask(Command::MapAddress {
                zone: "za1".into(),
                vnet: "va1".into(),
                ip: "10.20.0.10".into(),
                mac: Some("BC:24:11:00:00:01".into()),
            })
            .await
            .unwrap();
    }
    assert_eq!(c.sim.cluster().sdn.ipam["za1-10.20.0.0-24"].len(), 1);
    // An address outside every subnet is refused.
    let e = agent
        .ask(Command::MapAddress {
            zone: "za1".into(),
            vnet: "va1".into(),
            ip: "10.99.0.10".into(),
            mac: None,
        })
        .await
        .unwrap_err();
    assert!(e.message.contains("not in any subnet"), "{e}");

    // A subnet with addresses cannot go; unmapped, the network is removed and applied.
    let e = agent
        .ask(Command::RemoveNetwork {
            network: changed.clone(),
        })
        .await
        .unwrap_err();
    assert!(e.message.contains("not empty"), "{e}");
    for _ in 0..2 {
        agent
            .ask(Command::UnmapAddress {
                zone: "za1".into(),
                vnet: "va1".into(),
                ip: "10.20.0.10".into(),
            })
            .await
            .unwrap();
    }
    agent
        .ask(Command::RemoveNetwork {
            network: changed.clone(),
        })
        .await
        .unwrap();
    {
        let sim = c.sim.cluster();
        assert!(sim.sdn.config.zones.is_empty() && sim.sdn.running.zones.is_empty());
        assert!(sim.sdn.active.vnets.is_empty() && sim.sdn.active.subnets.is_empty());
    }
    let reply = agent
        .ask(Command::RemoveNetwork { network: changed })
        .await
        .unwrap();
    assert!(reply.upids.is_empty(), "gone is done");
}

#[tokio::test]
async fn a_failed_apply_is_rolled_back() {
    let c = cluster();
    let agent = LocalAgent::new(c.clone());
    let kept = vlan("k1", 10, "10.1.0.0/24", "10.1.0.1");
    agent
        .ask(Command::EnsureNetwork {
            network: kept.clone(),
        })
        .await
        .unwrap();
    let active_before = c.sim.cluster().sdn.active.clone();
    c.sim.cluster().sdn.failing_reloads = 1;
    let e = agent
        .ask(Command::EnsureNetwork {
            network: vlan("n1", 11, "10.2.0.0/24", "10.2.0.1"),
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind, AgentErrorKind::TaskFailed);
    assert!(e.message.contains("rolled back"), "{e}");
    assert_eq!(e.upids.len(), 2, "the failed apply and the rollback's");
    let sim = c.sim.cluster();
    assert!(!sim.sdn.config.zones.contains_key("zn1"), "unstaged");
    assert!(!sim.sdn.running.vnets.contains_key("vn1"), "not running");
    assert_eq!(sim.sdn.active, active_before, "the nodes run what they ran");
    assert_eq!(sim.sdn.config, sim.sdn.running, "nothing left pending");
}

#[tokio::test]
async fn pve_refusals_reach_the_caller() {
    let c = cluster();
    let agent = LocalAgent::new(c.clone());
    // A VLAN zone needs its bridge on every node: the apply fails and is rolled back.
    let mut no_bridge = vlan("b1", 20, "10.3.0.0/24", "10.3.0.1");
    no_bridge.bridge = Some("vmbr9".into());
    let e = agent
        .ask(Command::EnsureNetwork { network: no_bridge })
        .await
        .unwrap_err();
    assert!(e.message.contains("bridge vmbr9 does not exist"), "{e}");
    assert!(c.sim.cluster().sdn.config.zones.is_empty());

    // VNIs are unique over every VXLAN zone.
    let vx = |id: &str, cidr: &str| SdnNetwork {
        kind: ZoneType::Vxlan,
        bridge: None,
        peers: Some("192.0.2.1,192.0.2.2".into()),
        tag: Some(5000),
        mtu: Some(1450),
        ..vlan(id, 0, cidr, &cidr.replace("0/24", "1"))
    };
    agent
        .ask(Command::EnsureNetwork {
            network: vx("x1", "10.4.0.0/24"),
        })
        .await
        .unwrap();
    let e = agent
        .ask(Command::EnsureNetwork {
            network: vx("x2", "10.5.0.0/24"),
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind, AgentErrorKind::Parameter, "{e}");
    assert!(
        e.message.contains("tag 5000 already exist in vnet vx1"),
        "{e}"
    );

    // A gateway outside its subnet, and an id PVE would not take.
    let e = agent
        .ask(Command::EnsureNetwork {
            network: vlan("g1", 30, "10.6.0.0/24", "10.7.0.1"),
        })
        .await
        .unwrap_err();
    assert!(e.message.contains("not in subnet"), "{e}");
    let e = agent
        .ask(Command::EnsureNetwork {
            network: vlan("toolong1", 31, "10.8.0.0/24", "10.8.0.1"),
        })
        .await
        .unwrap_err();
    assert!(e.message.contains("more length than 8"), "{e}");
}

#[tokio::test]
async fn updates_carry_the_digest_they_read() {
    let c = cluster();
    let sim = &c.sim;
    sim.call(
        "POST",
        "/cluster/sdn/zones",
        &[("zone", "d1"), ("type", "vlan"), ("bridge", "vmbr0")],
    )
    .unwrap();
    sim.call(
        "POST",
        "/cluster/sdn/vnets",
        &[("vnet", "dv1"), ("zone", "d1"), ("tag", "40")],
    )
    .unwrap();
    let v = sim.call("GET", "/cluster/sdn/vnets/dv1", &[]).unwrap();
    let digest = v["digest"].as_str().unwrap().to_string();
    sim.call(
        "PUT",
        "/cluster/sdn/vnets/dv1",
        &[("alias", "first"), ("digest", &digest)],
    )
    .unwrap();
    let e = sim
        .call(
            "PUT",
            "/cluster/sdn/vnets/dv1",
            &[("alias", "second"), ("digest", &digest)],
        )
        .unwrap_err();
    assert!(
        e.message.contains("detected modified configuration"),
        "{e:?}"
    );
    // The pending view tells staged from running.
    let pending = sim
        .call("GET", "/cluster/sdn/vnets", &[("pending", "1")])
        .unwrap();
    assert_eq!(pending[0]["state"], "new");
    let running = sim
        .call("GET", "/cluster/sdn/vnets", &[("running", "1")])
        .unwrap();
    assert_eq!(running, serde_json::json!([]));
}
