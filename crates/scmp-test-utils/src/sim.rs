//! A simulated Proxmox VE cluster on loopback, and what registers it as a cluster of a site.

use std::net::SocketAddr;

use scmp_api::ClusterCreate;

/// A running simulator.
pub struct SimSite {
    /// The simulator (to look at its guests, or inject faults).
    pub sim: pve_sim::Simulator,
    /// Where it listens.
    pub addr: SocketAddr,
    _server: tokio::task::JoinHandle<()>,
}

impl SimSite {
    /// A simulator whose tasks take their usual time times `time_scale` (0: at once).
    pub async fn start(time_scale: f64) -> SimSite {
        Self::start_release(time_scale, pve_sim::Release::default()).await
    }

    /// A simulator presenting Proxmox VE `release`.
    pub async fn start_release(time_scale: f64, release: pve_sim::Release) -> SimSite {
        let sim = pve_sim::Simulator::new(pve_sim::SimConfig {
            time_scale,
            release,
            ..Default::default()
        })
        .unwrap();
        let (addr, server) = sim.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        SimSite {
            sim,
            addr,
            _server: server,
        }
    }

    /// The body that registers it as cluster `name`.
    pub fn cluster_create(&self, name: &str) -> ClusterCreate {
        let line = self.sim.token_line();
        let (id, secret) = line.split_once('=').unwrap();
        ClusterCreate {
            name: name.parse().unwrap(),
            endpoint: format!("https://{}", self.addr),
            token_id: id.parse().unwrap(),
            token_secret: secret.to_string(),
            tls_fingerprint: Some(self.sim.fingerprint().parse().unwrap()),
            cpu_overcommit: None,
            memory_overcommit: None,
        }
    }

    /// Guests on the simulated cluster that are not templates: VMID and tags.
    pub fn guests(&self) -> Vec<(u32, String)> {
        let c = self.sim.cluster();
        c.guests
            .iter()
            .filter(|(_, g)| !g.is_template())
            .map(|(id, g)| (*id, g.config.get("tags").cloned().unwrap_or_default()))
            .collect()
    }
}
