//! What a cluster and its nodes are configured with beyond guests: datacenter options, HA groups,
//! replication jobs, and each node's DNS, time zone, subscription and network interfaces (with the
//! pending changes PVE keeps in `/etc/network/interfaces.new` until they are applied).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::Cluster;
use crate::clock::SimTime;

/// An HA group (PVE 8's way to pin HA resources to nodes).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HaGroupRec {
    /// Its id.
    pub group: String,
    /// `node[:priority]` entries, comma separated as PVE keeps them.
    pub nodes: String,
    /// Resources stay on the nodes of the group only.
    pub restricted: bool,
    /// Resources do not move back when a higher-priority node returns.
    pub nofailback: bool,
    /// Comment.
    pub comment: Option<String>,
}

impl HaGroupRec {
    /// A digest over the group's settings (for optimistic updates).
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let text = format!(
            "{}|{}|{}|{}|{:?}",
            self.group, self.nodes, self.restricted, self.nofailback, self.comment
        );
        hex::encode(Sha256::digest(text.as_bytes()))[..40].to_string()
    }
}

/// A storage replication job (`<vmid>-<n>`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReplicationJob {
    /// `<vmid>-<job number>`.
    pub id: String,
    /// The guest.
    pub guest: u32,
    /// The node replicated to.
    pub target: String,
    /// Calendar schedule (default `*/15`).
    pub schedule: String,
    /// Rate limit in MB/s.
    pub rate: Option<f64>,
    /// Comment.
    pub comment: Option<String>,
    /// Disabled.
    pub disable: bool,
}

/// One node's settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeSettings {
    /// Search domain.
    pub search: String,
    /// Name servers.
    pub dns: [Option<String>; 3],
    /// Time zone.
    pub timezone: String,
    /// The subscription key, when one is set.
    pub subscription_key: Option<String>,
    /// When the key was last checked.
    pub subscription_checked: SimTime,
    /// Interfaces as configured now, by name (PVE's fields).
    pub network: BTreeMap<String, Map<String, Value>>,
    /// The configuration waiting to be applied, when there are changes.
    pub network_pending: Option<BTreeMap<String, Map<String, Value>>>,
}

impl NodeSettings {
    /// A node as installed: two uplinks in an LACP bond under the VLAN-aware bridge `vmbr0`.
    pub fn installed(ip: &str) -> Self {
        let iface = |v: Value| match v {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let mut network = BTreeMap::new();
        for (name, v) in [
            (
                "eno1",
                json!({"iface": "eno1", "type": "eth", "method": "manual", "method6": "manual", "active": 1, "autostart": 0, "exists": 1, "families": ["inet"], "priority": 3}),
            ),
            (
                "eno2",
                json!({"iface": "eno2", "type": "eth", "method": "manual", "method6": "manual", "active": 1, "autostart": 0, "exists": 1, "families": ["inet"], "priority": 4}),
            ),
            (
                "bond0",
                json!({"iface": "bond0", "type": "bond", "method": "manual", "method6": "manual", "active": 1, "autostart": 1, "slaves": "eno1 eno2", "bond_mode": "802.3ad", "bond-xmit-hash-policy": "layer3+4", "families": ["inet"], "priority": 5}),
            ),
            (
                "vmbr0",
                json!({"iface": "vmbr0", "type": "bridge", "method": "static", "method6": "manual", "active": 1, "autostart": 1,
                "address": ip, "netmask": "24", "cidr": format!("{ip}/24"), "gateway": "172.16.10.1",
                "bridge_ports": "bond0", "bridge_stp": "off", "bridge_fd": "0", "bridge_vlan_aware": 1,
                "bridge_vids": "2-4094", "families": ["inet"], "priority": 6}),
            ),
        ] {
            network.insert(name.to_string(), iface(v));
        }
        Self {
            search: "edge.internal".into(),
            dns: [Some("172.16.10.2".into()), Some("172.16.10.3".into()), None],
            timezone: "UTC".into(),
            subscription_key: None,
            subscription_checked: 0.0,
            network,
            network_pending: None,
        }
    }
}

/// Datacenter options as a fresh cluster has them.
pub fn default_options() -> BTreeMap<String, Value> {
    let mut o = BTreeMap::new();
    o.insert("keyboard".into(), json!("en-us"));
    o.insert("console".into(), json!("html5"));
    o.insert("migration".into(), json!({"type": "secure"}));
    o.insert(
        "next-id".into(),
        json!({"lower": "100", "upper": "1000000"}),
    );
    o
}

impl Cluster {
    /// A node's settings, made as installed when first asked for.
    pub fn node_settings(&mut self, node: &str) -> &mut NodeSettings {
        let ip = self.node(node).map(|n| n.ip.clone()).unwrap_or_default();
        self.node_settings
            .entry(node.to_string())
            .or_insert_with(|| NodeSettings::installed(&ip))
    }
}
