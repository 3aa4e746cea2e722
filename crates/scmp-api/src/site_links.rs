//! Site links: each edge site's WireGuard tunnel to the datacentre's hub for workload traffic,
//! carrying the tenant networks that span sites. Keys are made where they are used; only public
//! keys are stored and shown.

use scmp_common::time::Time;
use scmp_common::SiteId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The datacentre's hub (`site_link_hub_set`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkHubBody {
    /// Where the sites reach it, `host:port`.
    pub endpoint: String,
    /// Its public key (WireGuard's base64; its private key stays on the hub).
    pub public_key: String,
    /// The tunnel prefix (`10.255.0.0/24`); the hub has its first address, the sites the next.
    pub tunnel_cidr: String,
    /// The port it listens on (default 51820).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listen_port: Option<u16>,
}

/// `site_link_enable`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteTunnelCreate {
    /// The port the site listens on (default 51820).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listen_port: Option<u16>,
}

/// A linked site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SiteTunnelView {
    /// The site.
    pub site_id: SiteId,
    /// Its name.
    pub site: String,
    /// Its tunnel address.
    pub address: String,
    /// The port it listens on.
    pub listen_port: u16,
    /// The public key its agent made at the site (none until it answered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// How often its key was made (rotations count).
    pub key_version: u64,
    /// When its key was last made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_made_at: Option<Time>,
    /// What the hub sends through the tunnel to the site.
    pub to_site: Vec<String>,
    /// What the site sends through the tunnel to the hub.
    pub to_hub: Vec<String>,
}

/// The hub and the linked sites (`site_link_list`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SiteTunnelsView {
    /// The hub, once set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hub: Option<LinkHubBody>,
    /// The linked sites, by tunnel address.
    pub sites: Vec<SiteTunnelView>,
    /// Subnets left out of the tunnels because they overlap one routed already.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<String>,
}

/// Which configuration format.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LinkConfigQuery {
    /// `wg-quick` (the default) or `networkd`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// One file of a configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LinkFile {
    /// Its name (`scmp0.conf`, `90-scmp0.netdev`, ...).
    pub name: String,
    /// Its text.
    pub text: String,
}

/// A rendered configuration: no private key in it, it names the key file of its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LinkConfigView {
    /// Its format.
    pub format: String,
    /// Its files.
    pub files: Vec<LinkFile>,
}
