//! Builds placement's capacity snapshot from the store (hosts as inventory saw them, what scmp guests
//! hold on each, what other guests use, which images each cluster has), keeps it in memory between
//! decisions (each decision is applied to it at once; it is rebuilt from the store when older than a
//! few seconds), and explains decisions.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use scmp_common::Error;
use scmp_placement::{ClusterCap, Decision, HostCap, Refusal, Request, Snapshot};
use scmp_store::{Cluster, DataStore};

/// A snapshot and the clusters its indices point at.
pub struct Capacity {
    /// What placement reads.
    pub snapshot: Snapshot,
    /// The clusters, in snapshot order.
    pub clusters: Vec<Cluster>,
    /// Site name and country of each cluster, in snapshot order.
    pub sites: Vec<(String, String)>,
}

/// Reads the current capacity.
pub async fn capacity(store: &DataStore) -> Result<Capacity, Error> {
    let clusters = store.cluster_list_all().await?;
    let sites: HashMap<String, (String, String)> = store
        .site_list_all()
        .await?
        .into_iter()
        .map(|s| (s.id, (s.name.to_string(), s.country)))
        .collect();
    let loads = store.host_loads().await?;
    let templates = store.cluster_templates(None).await?;
    let images = store.image_list_all().await?;
    let mut caps = Vec::with_capacity(clusters.len());
    let mut site_of = Vec::with_capacity(clusters.len());
    for c in &clusters {
        let oc = (c.cpu_overcommit, c.memory_overcommit);
        let bridges: Vec<scmp_agent::protocol::ObservedBridge> =
            serde_json::from_value(c.inventory.bridges.clone()).unwrap_or_default();
        let hosts = loads
            .iter()
            .filter(|l| l.host.cluster_id == c.id)
            .map(|l| {
                let o = &l.host.observed;
                let mut h = HostCap::new(
                    o.name.clone(),
                    o.cores,
                    o.memory_mib,
                    l.guest_vcpus + o.unmanaged_vcpus,
                    l.guest_memory_mib + o.unmanaged_memory_mib,
                    oc,
                );
                h.online = o.online;
                h.maintenance = l.host.maintenance;
                h.groups = l.groups.clone();
                h.bridges = bridges
                    .iter()
                    .filter(|b| b.nodes.contains(&o.name))
                    .map(|b| (b.name.clone(), b.vlan_aware))
                    .collect();
                h
            })
            .collect();
        let has: Vec<String> = images
            .iter()
            .filter(|i| {
                templates
                    .iter()
                    .any(|(cid, t)| *cid == c.id && t.name == i.template && t.kind == i.kind)
            })
            .map(|i| i.id.clone())
            .collect();
        let (site, country) = sites.get(&c.site_id).cloned().unwrap_or_default();
        let healthy = matches!(c.health.state.as_str(), "online" | "degraded");
        caps.push(ClusterCap::new(
            c.id.clone(),
            site.clone(),
            country.clone(),
            healthy,
            has,
            hosts,
        ));
        site_of.push((site, country));
    }
    Ok(Capacity {
        snapshot: Snapshot { clusters: caps },
        clusters,
        sites: site_of,
    })
}

impl Capacity {
    /// Why the decision went where it did, for people.
    pub fn explain(&self, d: &Decision) -> String {
        let c = &self.snapshot.clusters[d.cluster];
        let (site, country) = &self.sites[d.cluster];
        format!(
            "site {site} ({country}), cluster {}, host {}: {} of {} hosts passed every filter; this one has the most free capacity",
            self.clusters[d.cluster].name, c.hosts[d.host].name, d.eligible, d.considered
        )
    }
}

/// How long a snapshot serves before it is rebuilt from the store. Decisions made meanwhile are
/// applied to it, so within a replica no two decisions take the same room; guests removed meanwhile
/// free their room at the next rebuild.
const FRESH_FOR: Duration = Duration::from_secs(2);

/// The in-memory snapshot, shared by this replica's decisions.
#[derive(Default)]
pub struct Placer {
    cached: tokio::sync::Mutex<Option<(Instant, Capacity)>>,
}

/// Where a guest goes.
pub struct Placed {
    /// The cluster's id.
    pub cluster_id: String,
    /// The host.
    pub host: String,
    /// Why, for people.
    pub why: String,
}

impl Placer {
    /// Forgets the snapshot (a cluster was added or removed, or inventory changed).
    pub async fn invalidate(&self) {
        *self.cached.lock().await = None;
    }

    /// Decides where `req` goes; with `commit` the decision takes its room in the snapshot.
    pub async fn place(
        &self,
        store: &DataStore,
        req: &Request,
        commit: bool,
    ) -> Result<Result<Placed, Refusal>, Error> {
        let mut cached = self.cached.lock().await;
        let stale = cached
            .as_ref()
            .is_none_or(|(at, _)| at.elapsed() > FRESH_FOR);
        if stale {
            *cached = Some((Instant::now(), capacity(store).await?));
        }
        let Some((_, cap)) = cached.as_mut() else {
            return Err(Error::internal("no capacity snapshot"));
        };
        Ok(match scmp_placement::place(&cap.snapshot, req) {
            Ok(d) => {
                let placed = Placed {
                    cluster_id: cap.clusters[d.cluster].id.clone(),
                    host: cap.snapshot.clusters[d.cluster].hosts[d.host].name.clone(),
                    why: cap.explain(&d),
                };
                if commit {
                    cap.snapshot.apply(&d, req);
                }
                Ok(placed)
            }
            Err(r) => Err(r),
        })
    }
}

/// The placement request of a guest: its sizes, image, site, its tenant's countries and its
/// anti-affinity group (namespaced by project).
pub fn request(g: &scmp_store::Guest, countries: &[String]) -> Request {
    Request {
        vcpus: g.vcpus,
        memory_mib: g.memory_mib,
        image: Some(g.image_id.clone()),
        site: g.site_request.clone(),
        countries: countries.to_vec(),
        anti_affinity: (!g.anti_affinity.is_empty())
            .then(|| format!("{}/{}", g.project_id, g.anti_affinity)),
        network: network(&g.network),
        ..Request::default()
    }
}

/// What placement must find for a guest's network: only a network asked for is checked.
pub fn network(n: &scmp_store::GuestNetwork) -> Option<scmp_placement::NetworkNeed> {
    (n.bridge.is_some() || n.vlan.is_some()).then(|| scmp_placement::NetworkNeed {
        bridge: n.bridge.clone().unwrap_or_else(|| "vmbr0".into()),
        vlan: n.vlan.is_some(),
    })
}
