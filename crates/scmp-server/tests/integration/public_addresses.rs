//! Public addresses through the API against a simulated site: pools defined by the platform,
//! addresses allocated within the project's quota (IPv4 and IPv6, none twice), a routed address
//! attached as a NIC of the guest on Proxmox and a NAT address in the site's NAT table, both
//! detached and released.

use scmp_api::{GuestView, NatTableView, PublicAddressView, PublicPoolView};
use scmp_common::OperationState;
use scmp_test_utils::helpers::{acme_web, wait_operation};
use scmp_test_utils::TestContext;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_addresses_are_allocated_attached_and_released() {
    let ctx = TestContext::with_site("public-addresses").await;
    let c = &ctx.admin;
    let p = acme_web(c, 3).await;
    let _: PublicPoolView = c
        .post(
            "/sites/fra/public-pools",
            &json!({"name": "nat4", "cidr": "203.0.113.0/30", "mode": "nat"}),
        )
        .await;
    let routed: PublicPoolView = c
        .post(
            "/sites/fra/public-pools",
            &json!({"name": "v6", "cidr": "2001:db8:5::/64", "gateway": "2001:db8:5::1",
                    "mode": "routed", "bridge": "vmbr0", "vlan": 40}),
        )
        .await;
    assert_eq!(routed.family, "ipv6");
    let bad = c
        .send(
            reqwest::Method::POST,
            "/sites/fra/public-pools",
            Some(json!({"name": "x", "cidr": "2001:db8:6::/64", "mode": "nat"})),
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    assert_eq!(bad.field().as_deref(), Some("mode"), "{}", bad.text);

    // A /30 hands out two addresses; the third is refused, as is a fourth past the quota.
    let alloc = |family: &str| {
        let body = json!({"site": "fra", "family": family});
        let path = format!("/projects/{}/public-addresses", p.id);
        async move { c.send(reqwest::Method::POST, &path, Some(body)).await }
    };
    let a1 = alloc("ipv4").await;
    assert_eq!(a1.status, 201, "{}", a1.text);
    let a1: PublicAddressView = a1.json();
    assert_eq!(a1.address, "203.0.113.1");
    let a2: PublicAddressView = alloc("ipv4").await.json();
    assert_eq!(a2.address, "203.0.113.2");
    let full = alloc("ipv4").await;
    assert_eq!(full.status, 409, "{}", full.text);
    let v6: PublicAddressView = alloc("ipv6").await.json();
    assert_eq!(v6.address, "2001:db8:5::2");
    let over = alloc("ipv6").await;
    assert_eq!(
        over.status, 422,
        "the project's quota holds three: {}",
        over.text
    );
    let released = c
        .send(
            reqwest::Method::DELETE,
            &format!("/public-addresses/{}", a2.id),
            None,
        )
        .await;
    assert_eq!(released.status, 204, "{}", released.text);

    // A routed address becomes a NIC of the guest on the uplink bridge and VLAN.
    let g =
        scmp_test_utils::helpers::create_guest(c, &p, &scmp_test_utils::helpers::vm("pub1")).await;
    let a = c
        .send(
            reqwest::Method::POST,
            &format!("/public-addresses/{}/attach", v6.id),
            Some(json!({"guest": "pub1"})),
        )
        .await;
    assert_eq!(a.status, 202, "{}", a.text);
    let op = wait_operation(c, &a.json()).await;
    assert_eq!(op.state, OperationState::Succeeded, "{op:?}");
    let v: GuestView = c.get(&format!("/guests/{}", g.id)).await;
    assert_eq!(v.public_addresses.len(), 1, "{v:?}");
    assert_eq!(
        (
            v.public_addresses[0].state.as_str(),
            v.public_addresses[0].nic
        ),
        ("attached", Some(8))
    );
    {
        let sim = ctx.site().sim.cluster();
        let guest = sim.guests.values().find(|x| x.name() == "pub1").unwrap();
        let net8 = guest.config.get("net8").cloned().unwrap_or_default();
        assert!(net8.contains("bridge=vmbr0,tag=40"), "{net8}");
        assert_eq!(
            guest.config.get("ipconfig8").map(String::as_str),
            Some("ip6=2001:db8:5::2/64,gw6=2001:db8:5::1")
        );
    }
    // A NAT address needs a NIC on a tenant network.
    let nat = c
        .send(
            reqwest::Method::POST,
            &format!("/public-addresses/{}/attach", a1.id),
            Some(json!({"guest": "pub1"})),
        )
        .await;
    assert_eq!(nat.status, 400, "{}", nat.text);
    assert_eq!(nat.field().as_deref(), Some("nic"), "{}", nat.text);
    // Attached, it is not released.
    let busy = c
        .send(
            reqwest::Method::DELETE,
            &format!("/public-addresses/{}", v6.id),
            None,
        )
        .await;
    assert_eq!(busy.status, 409, "{}", busy.text);

    // Detached: the NIC is gone from Proxmox; released: the quota is back.
    let d = c
        .send(
            reqwest::Method::POST,
            &format!("/public-addresses/{}/detach", v6.id),
            None,
        )
        .await;
    assert_eq!(d.status, 202, "{}", d.text);
    let op = wait_operation(c, &d.json()).await;
    assert_eq!(op.state, OperationState::Succeeded, "{op:?}");
    {
        let sim = ctx.site().sim.cluster();
        let guest = sim.guests.values().find(|x| x.name() == "pub1").unwrap();
        assert!(!guest.config.contains_key("net8"), "{:?}", guest.config);
    }
    let gone = c
        .send(
            reqwest::Method::DELETE,
            &format!("/public-addresses/{}", v6.id),
            None,
        )
        .await;
    assert_eq!(gone.status, 204, "{}", gone.text);
    let t: NatTableView = c.get("/sites/fra/nat").await;
    assert!(t.entries.is_empty());
    assert!(t.nftables.contains("table ip scmp_nat"));
}

/// A network namespace of the test's own, deleted when dropped.
struct Netns(String);

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = std::process::Command::new("ip")
            .args(["netns", "del", &self.0])
            .status();
    }
}

fn nft_in(ns: &str, args: &[&str]) -> Result<String, String> {
    let out = std::process::Command::new("ip")
        .args(["netns", "exec", ns, "nft"])
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nat_address_reaches_the_sites_nftables() {
    let ctx = TestContext::with_site("public-nat").await;
    let c = &ctx.admin;
    let p = acme_web(c, 3).await;
    let net = c
        .send(
            reqwest::Method::POST,
            &format!("/projects/{}/networks", p.id),
            Some(json!({"name": "front", "site": "fra",
                        "subnets": [{"cidr": "10.80.0.0/24", "gateway": "10.80.0.1"}]})),
        )
        .await;
    assert_eq!(net.status, 202, "{}", net.text);
    wait_operation(c, &net.json()).await;
    let _: PublicPoolView = c
        .post(
            "/sites/fra/public-pools",
            &json!({"name": "nat4", "cidr": "203.0.113.0/29", "mode": "nat"}),
        )
        .await;
    let body = scmp_api::GuestCreate {
        nics: Some(vec![scmp_api::NicSpec {
            network: "front".into(),
            address: None,
        }]),
        ..scmp_test_utils::helpers::vm("nat1")
    };
    scmp_test_utils::helpers::create_guest(c, &p, &body).await;
    let a: PublicAddressView = c
        .post(
            &format!("/projects/{}/public-addresses", p.id),
            &json!({"site": "fra"}),
        )
        .await;
    let at = c
        .send(
            reqwest::Method::POST,
            &format!("/public-addresses/{}/attach", a.id),
            Some(json!({"guest": "nat1", "nic": 0})),
        )
        .await;
    assert_eq!(at.status, 202, "{}", at.text);
    let op = wait_operation(c, &at.json()).await;
    assert_eq!(op.state, OperationState::Succeeded, "{op:?}");
    let t: NatTableView = c.get("/sites/fra/nat").await;
    assert_eq!(t.entries.len(), 1, "{t:?}");
    let pair = format!("{} : 10.80.0.2", a.address);
    assert!(t.nftables.contains(&pair), "{}", t.nftables);

    // The ruleset as the edge router loads it: checked, loaded, and loaded again over itself.
    if !scmp_test_utils::wireguard::has("nft") {
        scmp_test_utils::external::missing::<()>("nftables (nft)");
        return;
    }
    let ns = Netns(format!("scmp-nat-{}", std::process::id()));
    let made = std::process::Command::new("ip")
        .args(["netns", "add", &ns.0])
        .output()
        .unwrap();
    if !made.status.success() {
        eprintln!(
            "nftables cannot be loaded here (no network namespace: {}); the rendering was checked only",
            String::from_utf8_lossy(&made.stderr).trim()
        );
        return;
    }
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &t.nftables).unwrap();
    let path = file.path().display().to_string();
    nft_in(&ns.0, &["-c", "-f", &path]).unwrap();
    nft_in(&ns.0, &["-f", &path]).unwrap();
    nft_in(&ns.0, &["-f", &path]).expect("it replaces itself");
    let listed = nft_in(&ns.0, &["list", "map", "ip", "scmp_nat", "dnat_v4"]).unwrap();
    assert!(listed.contains(&pair), "{listed}");
}
