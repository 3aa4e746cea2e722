//! Builds placement's capacity snapshot from the store (hosts as inventory saw them, what scmp guests
//! hold on each, what other guests use, which images each cluster has), keeps it in memory between
//! decisions (each decision is applied to it at once; it is rebuilt from the store when older than a
//! few seconds), and explains decisions.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use scmp_common::{Country, Error, Name, SiteId};
use scmp_placement::{ClusterCap, Decision, HostCap, Refusal, Request, Snapshot};
use scmp_store::{Cluster, DataStore};

/// A snapshot and the clusters its indices point at.
pub struct Capacity {
    /// What placement reads.
    pub snapshot: Snapshot,
    /// The clusters, in snapshot order.
    pub clusters: Vec<Cluster>,
    /// The site of each cluster, in snapshot order.
    pub sites: Vec<SiteOf>,
}

/// A cluster's site as placement sees it.
#[derive(Debug, Clone)]
pub struct SiteOf {
    /// Its id.
    pub id: SiteId,
    /// Its name.
    pub name: Name,
    /// Its country.
    pub country: Country,
}

/// Reads the current capacity.
pub async fn capacity(store: &DataStore) -> Result<Capacity, Error> {
    let clusters = store.cluster_list_all().await?;
    let sites: HashMap<SiteId, SiteOf> = store
        .site_list_all()
        .await?
        .into_iter()
        .map(|s| {
            let of = SiteOf {
                id: s.id,
                name: s.name,
                country: s.country,
            };
            (s.id, of)
        })
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
            .map(|i| i.id.to_string())
            .collect();
        let Some(site) = sites.get(&c.site_id).cloned() else {
            // A cluster whose site is gone cannot be: the store refuses that delete.
            return Err(Error::internal(format!("cluster {} has no site", c.name)));
        };
        caps.push(ClusterCap::new(
            c.id.to_string(),
            site.name.to_string(),
            site.country.to_string(),
            c.health.state.accepts_guests(),
            has,
            hosts,
        ));
        site_of.push(site);
    }
    Ok(Capacity {
        snapshot: Snapshot { clusters: caps },
        clusters,
        sites: site_of,
    })
}

impl Capacity {
    /// Where a decision goes, and why, for people.
    pub fn placed(&self, d: &Decision) -> Placed {
        let cluster = &self.clusters[d.cluster];
        let site = &self.sites[d.cluster];
        let host = self.snapshot.clusters[d.cluster].hosts[d.host].name.clone();
        let reason = format!(
            "{} of {} hosts passed every filter; this one has the most free capacity",
            d.eligible, d.considered
        );
        Placed {
            site_id: site.id,
            site: site.name.clone(),
            country: site.country,
            cluster_id: cluster.id,
            cluster: cluster.name.clone(),
            host,
            reason,
            policy_warnings: Vec::new(),
            policy_approvals: Vec::new(),
        }
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

/// Where a guest goes, and why: the API's view of it, which a dry run answers as it is.
pub type Placed = scmp_api::PlacementView;

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
                let placed = cap.placed(&d);
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
pub fn request(g: &scmp_store::Guest, countries: &[Country]) -> Request {
    Request {
        vcpus: g.vcpus,
        memory_mib: g.memory_mib,
        image: Some(g.image_id.to_string()),
        site: g.site_request.clone(),
        countries: countries.iter().map(Country::to_string).collect(),
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
