//! Site links through the API: the hub set by the platform, two sites linked with tunnel
//! addresses of their own and key pairs made by their agents (only public keys come back, the
//! private key stays in a file of mode 0600), the tunnels carrying the networks of a tenant that
//! spans both sites, a key rotated, the configurations rendered for wg-quick and systemd-networkd
//! and checked with WireGuard's own tools; and, where the machine allows namespaces and userspace
//! WireGuard devices, the hub and a site brought up with them and passing traffic.

use scmp_api::{LinkConfigView, LinkHubBody, SiteTunnelView, SiteTunnelsView};
use scmp_test_utils::helpers::{acme_web, wait_operation};
use scmp_test_utils::wireguard;
use scmp_test_utils::{Client, TestContext};
use serde_json::json;

async fn network(c: &Client, project: &str, name: &str, site: &str, cidr: &str) {
    let a = c
        .send(
            reqwest::Method::POST,
            &format!("/projects/{project}/networks"),
            Some(json!({"name": name, "site": site, "subnets": [{"cidr": cidr}]})),
        )
        .await;
    assert_eq!(a.status, 202, "{}", a.text);
    wait_operation(c, &a.json()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sites_link_to_the_hub_with_keys_made_at_the_site() {
    let mut ctx = TestContext::with_site("site-links").await;
    ctx.add_site("muc", "DE", 0.0).await;
    let c = &ctx.admin;
    let tools = wireguard::missing_tools();
    if !tools.is_empty() {
        scmp_test_utils::external::missing::<()>(&format!("WireGuard's tools ({tools:?})"));
    }
    let keys = tempfile::tempdir().unwrap();
    let (hub_public, hub_key) = if tools.is_empty() {
        wireguard::genkey(keys.path(), "hub.key").unwrap()
    } else {
        (
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into(),
            keys.path().join("none"),
        )
    };

    // No hub yet: nothing to link to.
    let early = c
        .send(reqwest::Method::PUT, "/sites/fra/tunnel", Some(json!({})))
        .await;
    assert_eq!(early.status, 409, "{}", early.text);
    for (body, field) in [
        (
            json!({"endpoint": "hub.example", "public_key": hub_public, "tunnel_cidr": "10.255.0.0/24"}),
            "endpoint",
        ),
        (
            json!({"endpoint": "192.0.2.1:51820", "public_key": hub_public, "tunnel_cidr": "10.255.0.1/24"}),
            "tunnel_cidr",
        ),
        (
            json!({"endpoint": "192.0.2.1:51820", "public_key": "short", "tunnel_cidr": "10.255.0.0/24"}),
            "public_key",
        ),
    ] {
        let r = c
            .send(reqwest::Method::PUT, "/tunnels/hub", Some(body))
            .await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert_eq!(r.field().as_deref(), Some(field), "{}", r.text);
    }
    let _: LinkHubBody = c
        .put(
            "/tunnels/hub",
            &json!({"endpoint": "192.0.2.1:51820", "public_key": hub_public,
                    "tunnel_cidr": "10.255.0.0/24"}),
        )
        .await;

    // A tenant with networks at both sites: the tunnels carry them.
    let p = acme_web(c, 3).await;
    let project = p.id.to_string();
    network(c, &project, "fra-net", "fra", "10.60.0.0/24").await;
    network(c, &project, "muc-net", "muc", "10.61.0.0/24").await;
    let fra: SiteTunnelView = c.put("/sites/fra/tunnel", &json!({})).await;
    let muc: SiteTunnelView = c.put("/sites/muc/tunnel", &json!({})).await;
    assert_eq!(
        (fra.address.as_str(), muc.address.as_str()),
        ("10.255.0.2", "10.255.0.3")
    );
    let fra_key = fra.public_key.clone().expect("the agent's public key");
    assert_eq!(fra.key_version, 1);
    assert_eq!(
        fra.to_hub,
        vec!["10.255.0.0/24"],
        "alone, fra shares no tenant"
    );
    let again: SiteTunnelView = c.put("/sites/fra/tunnel", &json!({})).await;
    assert_eq!(again.public_key.as_deref(), Some(fra_key.as_str()), "kept");
    assert_eq!(again.to_hub, vec!["10.255.0.0/24", "10.61.0.0/24"]);
    assert_eq!(again.to_site, vec!["10.255.0.2/32", "10.60.0.0/24"]);

    // The agent made the key at the site: a private file there, named by its configuration.
    let clusters: scmp_api::Page<scmp_api::ClusterView> = c.get("/sites/fra/clusters").await;
    let dir = ctx
        .dir()
        .join("site-links")
        .join(clusters.items[0].id.to_string());
    let key_file = dir.join("private.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let written = std::fs::read_to_string(dir.join("scmp0.conf")).unwrap();
    assert!(
        written.contains(&format!("private-key {}", key_file.display())),
        "{written}"
    );
    assert!(dir.join("90-scmp0.netdev").exists() && dir.join("90-scmp0.network").exists());
    let private = std::fs::read_to_string(&key_file).unwrap();
    let list: SiteTunnelsView = c.get("/tunnels").await;
    let shown = serde_json::to_string(&list).unwrap();
    assert!(
        !shown.contains(private.trim()),
        "a private key is never shown"
    );
    assert_eq!(list.sites.len(), 2);

    // Rotation: a new key made at the site; the hub's configuration follows.
    let rotated: SiteTunnelView = c.post("/sites/fra/tunnel/rotate", &json!({})).await;
    assert_eq!(rotated.key_version, 2);
    let new_key = rotated.public_key.clone().unwrap();
    assert_ne!(new_key, fra_key);
    let hub: LinkConfigView = c.get("/tunnels/hub/config").await;
    let hub_text = hub.files[0].text.clone();
    assert!(
        hub_text.contains(&new_key) && !hub_text.contains(&fra_key),
        "{hub_text}"
    );
    assert!(
        hub_text.contains("AllowedIPs = 10.255.0.2/32, 10.60.0.0/24"),
        "{hub_text}"
    );
    let networkd: LinkConfigView = c.get("/sites/fra/tunnel/config?format=networkd").await;
    assert_eq!(networkd.files.len(), 2);
    assert!(networkd.files[0]
        .text
        .contains("PrivateKeyFile = /etc/wireguard/scmp0.key"));
    let bad = c
        .send(
            reqwest::Method::GET,
            "/sites/fra/tunnel/config?format=ini",
            None,
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.text);

    if !tools.is_empty() {
        return;
    }
    // WireGuard's own tools read both ends' configurations.
    let hub_conf = keys.path().join("scmp-hub.conf");
    std::fs::write(&hub_conf, &hub_text).unwrap();
    let hub_stripped = wireguard::strip(&hub_conf).unwrap();
    assert!(hub_stripped.contains(&new_key), "{hub_stripped}");
    let site_stripped = wireguard::strip(&dir.join("scmp0.conf")).unwrap();
    assert!(
        site_stripped.contains("Endpoint = 192.0.2.1:51820"),
        "{site_stripped}"
    );

    // Both ends up, in namespaces of their own, passing traffic through the tunnel.
    let pair = match wireguard::Pair::new("link") {
        Ok(p) => p,
        Err(why) => {
            eprintln!(
                "the two-end tunnel cannot run here ({why}); the configurations were checked only"
            );
            return;
        }
    };
    pair.configure(true, &hub_stripped, &hub_key, "10.255.0.1/24")
        .unwrap();
    pair.configure(false, &site_stripped, &key_file, "10.255.0.2/24")
        .unwrap();
    let echoed = pair.exchange("10.255.0.2", "through the tunnel");
    assert_eq!(
        echoed.as_deref(),
        Ok("THROUGH THE TUNNEL"),
        "hub: {}\nsite: {}",
        pair.show(true),
        pair.show(false)
    );
    assert!(
        pair.show(true).contains("latest handshake"),
        "{}",
        pair.show(true)
    );
}
