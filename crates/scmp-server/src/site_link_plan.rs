//! The WireGuard configurations of the site links: which prefixes each tunnel carries, derived
//! from the tenant networks that span sites (a tenant with networks at two or more linked sites
//! has each site's subnets routed to the hub, and the hub routes them to the other sites), and the
//! configurations rendered for `wg-quick` and systemd-networkd. No configuration holds a private
//! key: each names the key file of the end it is for (the site's, made there by its agent).

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;
use scmp_common::{SiteId, TenantId};
use scmp_store::{LinkHub, PlacedSubnet, SiteLink};

/// Where a site's configuration names its key file until the agent writes it (the agent puts its
/// own key file's path there; one fetched through the API names `/etc/wireguard/scmp0.key`).
pub const KEY_FILE: &str = scmp_agent::site_link::KEY_PLACEHOLDER;
/// The key file a site's configuration fetched through the API names.
pub const SITE_KEY_FILE: &str = "/etc/wireguard/scmp0.key";
/// The key file the hub's configuration names.
pub const HUB_KEY_FILE: &str = "/etc/wireguard/scmp-hub.key";
/// The interface at a site.
pub const SITE_IFACE: &str = "scmp0";
/// The interface at the hub.
pub const HUB_IFACE: &str = "scmp-hub";

/// A configuration's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One `NAME.conf` for `wg-quick up`.
    WgQuick,
    /// A `.netdev` and a `.network` for systemd-networkd.
    Networkd,
}

impl std::str::FromStr for Format {
    type Err = scmp_common::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "wg-quick" => Ok(Format::WgQuick),
            "networkd" => Ok(Format::Networkd),
            _ => Err(scmp_common::Error::invalid(
                "format",
                "wg-quick or networkd",
            )),
        }
    }
}

/// What each tunnel carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// By site: what the hub sends to the site (its tunnel address and its subnets of spanning
    /// tenants).
    pub to_site: BTreeMap<SiteId, Vec<IpNet>>,
    /// By site: what the site sends to the hub (the tunnel prefix and the other sites' subnets of
    /// the tenants it shares with them).
    pub to_hub: BTreeMap<SiteId, Vec<IpNet>>,
    /// Subnets left out because they overlap one already routed elsewhere (WireGuard routes a
    /// prefix to one peer only).
    pub conflicts: Vec<String>,
}

/// The prefixes each tunnel carries.
pub fn plan(hub: &LinkHub, links: &[SiteLink], subnets: &[PlacedSubnet]) -> Plan {
    let linked: BTreeSet<SiteId> = links.iter().map(|l| l.site_id).collect();
    let mut sites_of: BTreeMap<TenantId, BTreeSet<SiteId>> = BTreeMap::new();
    for s in subnets.iter().filter(|s| linked.contains(&s.site_id)) {
        sites_of.entry(s.tenant_id).or_default().insert(s.site_id);
    }
    let spanning: BTreeSet<TenantId> = sites_of
        .iter()
        .filter(|(_, sites)| sites.len() > 1)
        .map(|(t, _)| *t)
        .collect();
    let mut plan = Plan::default();
    // The subnets routed to each site, none overlapping another's.
    let mut routed: Vec<(IpNet, SiteId, TenantId)> = Vec::new();
    for s in subnets
        .iter()
        .filter(|s| spanning.contains(&s.tenant_id) && linked.contains(&s.site_id))
    {
        let overlaps = routed
            .iter()
            .find(|(r, _, _)| r.contains(&s.cidr.network()) || s.cidr.contains(&r.network()));
        match overlaps {
            Some((r, _, _)) => plan.conflicts.push(format!(
                "{} of network {} overlaps {r}, routed already",
                s.cidr, s.network
            )),
            None => routed.push((s.cidr, s.site_id, s.tenant_id)),
        }
    }
    for l in links {
        let mut to_site = vec![IpNet::from(l.address)];
        to_site.extend(
            routed
                .iter()
                .filter(|(_, site, _)| *site == l.site_id)
                .map(|(n, _, _)| *n),
        );
        let tenants_here: BTreeSet<TenantId> = routed
            .iter()
            .filter(|(_, site, _)| *site == l.site_id)
            .map(|(_, _, t)| *t)
            .collect();
        let mut to_hub = vec![hub.tunnel.trunc()];
        to_hub.extend(
            routed
                .iter()
                .filter(|(_, site, t)| *site != l.site_id && tenants_here.contains(t))
                .map(|(n, _, _)| *n),
        );
        plan.to_site.insert(l.site_id, to_site);
        plan.to_hub.insert(l.site_id, to_hub);
    }
    plan
}

/// A peer of a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// Whom it is (a comment).
    pub name: String,
    /// Its public key.
    pub public_key: String,
    /// Where it is reached (none: it reaches us).
    pub endpoint: Option<String>,
    /// What is sent to it.
    pub allowed_ips: Vec<IpNet>,
    /// Keepalive interval (an end behind NAT keeps its mapping).
    pub keepalive: Option<u16>,
}

/// One end's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct End {
    /// The interface.
    pub iface: String,
    /// Its tunnel address with the tunnel's prefix length.
    pub address: String,
    /// The port it listens on.
    pub listen_port: u16,
    /// Its private key's file.
    pub key_file: String,
    /// Its peers.
    pub peers: Vec<Peer>,
}

fn ips(list: &[IpNet]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The files of one end's configuration (name, text).
pub fn render(end: &End, format: Format) -> Vec<(String, String)> {
    let head = format!(
        "# {}: an scmp site link, written by scmp; changes are overwritten.\n",
        end.iface
    );
    match format {
        Format::WgQuick => {
            let mut t = head;
            t.push_str(&format!(
                "[Interface]\nAddress = {}\nListenPort = {}\nPostUp = wg set %i private-key {}\n",
                end.address, end.listen_port, end.key_file
            ));
            for p in &end.peers {
                t.push_str(&format!(
                    "\n# {}\n[Peer]\nPublicKey = {}\nAllowedIPs = {}\n",
                    p.name,
                    p.public_key,
                    ips(&p.allowed_ips)
                ));
                if let Some(e) = &p.endpoint {
                    t.push_str(&format!("Endpoint = {e}\n"));
                }
                if let Some(k) = p.keepalive {
                    t.push_str(&format!("PersistentKeepalive = {k}\n"));
                }
            }
            vec![(format!("{}.conf", end.iface), t)]
        }
        Format::Networkd => {
            let mut netdev = head.clone();
            netdev.push_str(&format!(
                "[NetDev]\nName = {}\nKind = wireguard\n\n[WireGuard]\nPrivateKeyFile = {}\nListenPort = {}\n",
                end.iface, end.key_file, end.listen_port
            ));
            for p in &end.peers {
                netdev.push_str(&format!(
                    "\n# {}\n[WireGuardPeer]\nPublicKey = {}\nAllowedIPs = {}\n",
                    p.name,
                    p.public_key,
                    ips(&p.allowed_ips)
                ));
                if let Some(e) = &p.endpoint {
                    netdev.push_str(&format!("Endpoint = {e}\n"));
                }
                if let Some(k) = p.keepalive {
                    netdev.push_str(&format!("PersistentKeepalive = {k}\n"));
                }
            }
            let mut network = head;
            network.push_str(&format!(
                "[Match]\nName = {}\n\n[Network]\nAddress = {}\n",
                end.iface, end.address
            ));
            for p in &end.peers {
                for n in &p.allowed_ips {
                    network.push_str(&format!("\n[Route]\nDestination = {n}\n"));
                }
            }
            vec![
                (format!("90-{}.netdev", end.iface), netdev),
                (format!("90-{}.network", end.iface), network),
            ]
        }
    }
}

/// A site's end: the hub its one peer.
pub fn site_end(hub: &LinkHub, link: &SiteLink, plan: &Plan) -> End {
    End {
        iface: SITE_IFACE.into(),
        address: format!("{}/{}", link.address, hub.tunnel.prefix_len()),
        listen_port: link.listen_port,
        key_file: KEY_FILE.into(),
        peers: vec![Peer {
            name: "the datacentre".into(),
            public_key: hub.public_key.clone(),
            endpoint: Some(hub.endpoint.clone()),
            allowed_ips: plan.to_hub.get(&link.site_id).cloned().unwrap_or_default(),
            keepalive: Some(25),
        }],
    }
}

/// The hub's end: one peer per linked site whose key is known (`names` says whom).
pub fn hub_end(
    hub: &LinkHub,
    links: &[SiteLink],
    names: &BTreeMap<SiteId, String>,
    plan: &Plan,
) -> End {
    let address = hub
        .address()
        .map(|a| format!("{a}/{}", hub.tunnel.prefix_len()))
        .unwrap_or_default();
    End {
        iface: HUB_IFACE.into(),
        address,
        listen_port: hub.listen_port,
        key_file: HUB_KEY_FILE.into(),
        peers: links
            .iter()
            .filter(|l| !l.public_key.is_empty())
            .map(|l| Peer {
                name: format!(
                    "site {} (key version {})",
                    names.get(&l.site_id).cloned().unwrap_or_default(),
                    l.key_version
                ),
                public_key: l.public_key.clone(),
                endpoint: None,
                allowed_ips: plan.to_site.get(&l.site_id).cloned().unwrap_or_default(),
                keepalive: None,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(site: SiteId, address: &str) -> SiteLink {
        SiteLink {
            site_id: site,
            address: address.parse().unwrap(),
            listen_port: 51820,
            public_key: "k".into(),
            key_version: 1,
            key_at: 0,
            created_at: 0,
        }
    }

    fn subnet(t: TenantId, site: SiteId, cidr: &str) -> PlacedSubnet {
        PlacedSubnet {
            tenant_id: t,
            site_id: site,
            network: "n".into(),
            cidr: cidr.parse().unwrap(),
        }
    }

    #[test]
    fn tunnels_carry_the_networks_of_tenants_that_span_sites() {
        let hub = LinkHub {
            endpoint: "hub.example:51820".into(),
            public_key: "h".into(),
            tunnel: "10.255.0.0/24".parse().unwrap(),
            listen_port: 51820,
        };
        let (a, b) = (SiteId::new(), SiteId::new());
        let (spans, local) = (TenantId::new(), TenantId::new());
        let links = [link(a, "10.255.0.2"), link(b, "10.255.0.3")];
        let subnets = [
            subnet(spans, a, "10.1.0.0/24"),
            subnet(spans, b, "10.2.0.0/24"),
            // One site only: not carried.
            subnet(local, a, "10.3.0.0/24"),
            // Overlapping a routed one: left out, said so.
            subnet(spans, b, "10.1.0.0/25"),
        ];
        let p = plan(&hub, &links, &subnets);
        let s = |v: &[&str]| -> Vec<IpNet> { v.iter().map(|x| x.parse().unwrap()).collect() };
        assert_eq!(p.to_site[&a], s(&["10.255.0.2/32", "10.1.0.0/24"]));
        assert_eq!(p.to_hub[&a], s(&["10.255.0.0/24", "10.2.0.0/24"]));
        assert_eq!(p.to_hub[&b], s(&["10.255.0.0/24", "10.1.0.0/24"]));
        assert_eq!(p.conflicts.len(), 1, "{:?}", p.conflicts);
        let files = render(&site_end(&hub, &links[0], &p), Format::WgQuick);
        assert_eq!(files[0].0, "scmp0.conf");
        assert!(files[0]
            .1
            .contains("AllowedIPs = 10.255.0.0/24, 10.2.0.0/24"));
        assert!(files[0].1.contains("Endpoint = hub.example:51820"));
        assert!(
            !files[0].1.contains("PrivateKey ="),
            "no private key in a configuration"
        );
        let files = render(&site_end(&hub, &links[0], &p), Format::Networkd);
        assert_eq!(files.len(), 2);
        assert!(files[0].1.contains("PrivateKeyFile = @KEY_FILE@"));
        assert!(files[1].1.contains("Address = 10.255.0.2/24"));
    }
}
