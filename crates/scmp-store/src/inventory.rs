//! Inventory: what site agents observe on each cluster (health, hosts, templates), host maintenance,
//! and the capacity figures placement reads.

use scmp_common::{ClusterId, ClusterState, Error, GuestKind, ResourceKind};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{db_error, get_id, get_string, get_u64, to_i64, DataStore};

/// A host as observed.
#[derive(Debug, Clone, PartialEq)]
pub struct HostObservation {
    /// Node name.
    pub name: String,
    /// Up.
    pub online: bool,
    /// Physical cores (threads as PVE counts them).
    pub cores: u64,
    /// Memory.
    pub memory_mib: u64,
    /// CPU load 0..1.
    pub cpu_usage: f64,
    /// Memory in use.
    pub memory_used_mib: u64,
    /// vCPUs of guests that are not scmp's.
    pub unmanaged_vcpus: u64,
    /// Memory of guests that are not scmp's.
    pub unmanaged_memory_mib: u64,
}

/// A template as observed.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateObservation {
    /// Its VMID.
    pub vmid: u32,
    /// VM or container.
    pub kind: GuestKind,
    /// Its name (matched against images' `template`).
    pub name: String,
    /// Where it lives.
    pub node: String,
    /// Its boot disk's size in whole GiB (0: not known).
    pub disk_gib: u64,
}

/// One successful look at a cluster, as the store records it.
#[derive(Debug, Clone)]
pub struct ClusterObservation {
    /// `online` or `degraded`.
    pub health: ClusterState,
    /// Proxmox VE version.
    pub pve_version: String,
    /// Guests that are not scmp's.
    pub unmanaged_guests: u64,
    /// Hosts.
    pub hosts: Vec<HostObservation>,
    /// Templates.
    pub templates: Vec<TemplateObservation>,
    /// Storage (JSON list, kept as the agent reported it).
    pub storage: serde_json::Value,
    /// Bridges (JSON list); `None` keeps what was recorded before.
    pub bridges: Option<serde_json::Value>,
    /// Recent tasks (JSON list); `None` keeps what was recorded before.
    pub tasks: Option<serde_json::Value>,
    /// The HA manager's status, when it was read.
    pub ha: Option<serde_json::Value>,
    /// What could not be read this time, and why (empty when all was read).
    pub problems: String,
}

/// A host as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Host {
    /// Its cluster.
    pub cluster_id: ClusterId,
    /// What was observed.
    pub observed: HostObservation,
    /// In maintenance (no new guests).
    pub maintenance: bool,
    /// Last observed (ms).
    pub updated_at: i64,
}

/// What placement needs about one host: the host and what scmp guests hold on it.
#[derive(Debug, Clone)]
pub struct HostLoad {
    /// The host.
    pub host: Host,
    /// vCPUs of scmp guests placed on it (including those being created).
    pub guest_vcpus: u64,
    /// Memory of scmp guests placed on it.
    pub guest_memory_mib: u64,
    /// Anti-affinity groups (`project/group`) with a guest on it.
    pub groups: Vec<String>,
}

fn host(row: &AnyRow) -> Result<Host, Error> {
    Ok(Host {
        cluster_id: get_id(row, "cluster_id")?,
        observed: HostObservation {
            name: get_string(row, "name")?,
            online: get_u64(row, "online")? != 0,
            cores: get_u64(row, "cores")?,
            memory_mib: get_u64(row, "memory_mib")?,
            cpu_usage: row.try_get("cpu_usage").map_err(Error::internal)?,
            memory_used_mib: get_u64(row, "memory_used_mib")?,
            unmanaged_vcpus: get_u64(row, "unmanaged_vcpus")?,
            unmanaged_memory_mib: get_u64(row, "unmanaged_memory_mib")?,
        },
        maintenance: get_u64(row, "maintenance")? != 0,
        updated_at: row.try_get("updated_at").map_err(Error::internal)?,
    })
}

const HOST_COLUMNS: &str = "cluster_id, name, online, maintenance, cores, memory_mib, cpu_usage, \
     memory_used_mib, unmanaged_vcpus, unmanaged_memory_mib, updated_at";

impl DataStore {
    /// Records a successful sync: health, version, hosts (keeping their maintenance flag) and
    /// templates, in one transaction.
    pub async fn cluster_observed(
        &self,
        cluster_id: ClusterId,
        o: &ClusterObservation,
    ) -> Result<(), Error> {
        let (hosts, templates) = (&o.hosts, &o.templates);
        let now = self.now_ms();
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE clusters SET health_since = CASE WHEN health = $1 THEN health_since ELSE $2 END, \
             health = $1, last_seen_at = $2, last_error = $6, \
             pve_version = CASE WHEN $3 = '' THEN pve_version ELSE $3 END, unmanaged_guests = $4, \
             storage = $5 WHERE id = $7",
        )
        .bind(o.health.as_str())
        .bind(now)
        .bind(&o.pve_version)
        .bind(to_i64("unmanaged_guests", o.unmanaged_guests)?)
        .bind(o.storage.to_string())
        .bind(&o.problems)
        .bind(cluster_id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if let Some(t) = &o.tasks {
            sqlx::query("UPDATE clusters SET tasks = $1 WHERE id = $2")
                .bind(t.to_string())
                .bind(cluster_id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        if let Some(ha) = &o.ha {
            sqlx::query("UPDATE clusters SET ha_status = $1 WHERE id = $2")
                .bind(ha.to_string())
                .bind(cluster_id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        if let Some(b) = &o.bridges {
            sqlx::query("UPDATE clusters SET bridges = $1 WHERE id = $2")
                .bind(b.to_string())
                .bind(cluster_id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        let existing: Vec<String> =
            sqlx::query_scalar("SELECT name FROM hosts WHERE cluster_id = $1")
                .bind(cluster_id.to_string())
                .fetch_all(&mut *tx)
                .await
                .map_err(db_error)?;
        for gone in existing
            .iter()
            .filter(|n| !hosts.iter().any(|h| &h.name == *n))
        {
            sqlx::query("DELETE FROM hosts WHERE cluster_id = $1 AND name = $2")
                .bind(cluster_id.to_string())
                .bind(gone)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        for h in hosts {
            let values = [
                to_i64("cores", h.cores)?,
                to_i64("memory_mib", h.memory_mib)?,
                to_i64("memory_used_mib", h.memory_used_mib)?,
                to_i64("unmanaged_vcpus", h.unmanaged_vcpus)?,
                to_i64("unmanaged_memory_mib", h.unmanaged_memory_mib)?,
            ];
            let sql = if existing.contains(&h.name) {
                "UPDATE hosts SET online = $3, cores = $4, memory_mib = $5, cpu_usage = $6, \
                 memory_used_mib = $7, unmanaged_vcpus = $8, unmanaged_memory_mib = $9, updated_at = $10 \
                 WHERE cluster_id = $1 AND name = $2"
            } else {
                "INSERT INTO hosts (cluster_id, name, online, cores, memory_mib, cpu_usage, memory_used_mib, \
                 unmanaged_vcpus, unmanaged_memory_mib, updated_at, maintenance) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0)"
            };
            sqlx::query(sql)
                .bind(cluster_id.to_string())
                .bind(&h.name)
                .bind(i64::from(h.online))
                .bind(values[0])
                .bind(values[1])
                .bind(h.cpu_usage)
                .bind(values[2])
                .bind(values[3])
                .bind(values[4])
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        sqlx::query("DELETE FROM cluster_templates WHERE cluster_id = $1")
            .bind(cluster_id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        for t in templates {
            sqlx::query(
                "INSERT INTO cluster_templates (cluster_id, vmid, kind, name, node, disk_gib) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(cluster_id.to_string())
            .bind(i64::from(t.vmid))
            .bind(t.kind.as_str())
            .bind(&t.name)
            .bind(&t.node)
            .bind(to_i64("disk_gib", t.disk_gib)?)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records a sync that reached the cluster but could not read its inventory: degraded, with
    /// why; what was known of its hosts and guests stays.
    pub async fn cluster_degraded(&self, cluster_id: ClusterId, why: &str) -> Result<(), Error> {
        sqlx::query(
            "UPDATE clusters SET health_since = CASE WHEN health = 'degraded' THEN health_since ELSE $1 END, \
             health = 'degraded', last_seen_at = $1, last_error = $2 WHERE id = $3",
        )
        .bind(self.now_ms())
        .bind(why)
        .bind(cluster_id.to_string())
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    /// Records a failed sync: the cluster is unreachable (since the first failure).
    pub async fn cluster_unreachable(
        &self,
        cluster_id: ClusterId,
        error: &str,
    ) -> Result<(), Error> {
        sqlx::query(
            "UPDATE clusters SET health_since = CASE WHEN health = 'unreachable' THEN health_since ELSE $1 END, \
             health = 'unreachable', last_error = $2 WHERE id = $3",
        )
        .bind(self.now_ms())
        .bind(error)
        .bind(cluster_id.to_string())
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    /// A cluster's hosts by name.
    /// (`limit` of them after the name `after`).
    pub async fn host_list(
        &self,
        cluster_id: ClusterId,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Host>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {HOST_COLUMNS} FROM hosts WHERE cluster_id = $1 AND name > $2 ORDER BY name LIMIT $3"
        ))
        .bind(cluster_id.to_string())
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(host).collect()
    }

    /// Every host of a cluster by name.
    pub async fn host_list_all(&self, cluster_id: ClusterId) -> Result<Vec<Host>, Error> {
        self.host_list(cluster_id, None, u32::MAX).await
    }

    /// One host.
    pub async fn host_get(&self, cluster_id: ClusterId, name: &str) -> Result<Host, Error> {
        let row = sqlx::query(&format!(
            "SELECT {HOST_COLUMNS} FROM hosts WHERE cluster_id = $1 AND name = $2"
        ))
        .bind(cluster_id.to_string())
        .bind(name)
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        row.as_ref().map(host).unwrap_or_else(|| {
            Err(Error::NotFound {
                kind: ResourceKind::Host,
                name: name.to_string(),
            })
        })
    }

    /// Puts a host into maintenance or takes it out.
    pub async fn host_set_maintenance(
        &self,
        cluster_id: ClusterId,
        name: &str,
        on: bool,
    ) -> Result<Host, Error> {
        sqlx::query("UPDATE hosts SET maintenance = $1 WHERE cluster_id = $2 AND name = $3")
            .bind(i64::from(on))
            .bind(cluster_id.to_string())
            .bind(name)
            .execute(&mut *self.write().await?)
            .await
            .map_err(db_error)?;
        self.host_get(cluster_id, name).await
    }

    /// Every host with what scmp guests hold on it (failed guests hold nothing).
    pub async fn host_loads(&self) -> Result<Vec<HostLoad>, Error> {
        let hosts = sqlx::query(&format!(
            "SELECT {HOST_COLUMNS} FROM hosts ORDER BY cluster_id, name"
        ))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        let loads = sqlx::query(
            "SELECT cluster_id, node, CAST(SUM(vcpus) AS BIGINT) AS vcpus, \
             CAST(SUM(memory_mib) AS BIGINT) AS memory_mib FROM guests \
             WHERE cluster_id IS NOT NULL AND node IS NOT NULL AND state <> 'failed' \
             GROUP BY cluster_id, node",
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        let grouped = sqlx::query(
            "SELECT cluster_id, node, project_id, anti_affinity FROM guests \
             WHERE anti_affinity <> '' AND node IS NOT NULL AND state <> 'failed'",
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        let mut groups: std::collections::HashMap<(ClusterId, String), Vec<String>> =
            std::collections::HashMap::new();
        for r in &grouped {
            groups
                .entry((get_id(r, "cluster_id")?, get_string(r, "node")?))
                .or_default()
                .push(format!(
                    "{}/{}",
                    get_string(r, "project_id")?,
                    get_string(r, "anti_affinity")?
                ));
        }
        let mut map = std::collections::HashMap::new();
        for r in &loads {
            map.insert(
                (
                    get_id::<ClusterId>(r, "cluster_id")?,
                    get_string(r, "node")?,
                ),
                (get_u64(r, "vcpus")?, get_u64(r, "memory_mib")?),
            );
        }
        hosts
            .iter()
            .map(|r| {
                let host = host(r)?;
                let key = (host.cluster_id, host.observed.name.clone());
                let (v, m) = map.get(&key).copied().unwrap_or((0, 0));
                Ok(HostLoad {
                    groups: groups.remove(&key).unwrap_or_default(),
                    host,
                    guest_vcpus: v,
                    guest_memory_mib: m,
                })
            })
            .collect()
    }

    /// The templates of a cluster.
    pub async fn cluster_templates(
        &self,
        cluster_id: Option<ClusterId>,
    ) -> Result<Vec<(ClusterId, TemplateObservation)>, Error> {
        let rows = match cluster_id {
            Some(c) => sqlx::query(
                "SELECT cluster_id, vmid, kind, name, node, disk_gib FROM cluster_templates WHERE cluster_id = $1 ORDER BY vmid",
            )
            .bind(c.to_string())
            .fetch_all(&mut *self.read().await?)
            .await,
            None => sqlx::query(
                "SELECT cluster_id, vmid, kind, name, node, disk_gib FROM cluster_templates ORDER BY cluster_id, vmid",
            )
            .fetch_all(&mut *self.read().await?)
            .await,
        }
        .map_err(db_error)?;
        rows.iter()
            .map(|r| {
                Ok((
                    get_id(r, "cluster_id")?,
                    TemplateObservation {
                        vmid: u32::try_from(get_u64(r, "vmid")?).map_err(Error::internal)?,
                        kind: get_string(r, "kind")?.parse().map_err(Error::internal)?,
                        name: get_string(r, "name")?,
                        node: get_string(r, "node")?,
                        disk_gib: get_u64(r, "disk_gib")?,
                    },
                ))
            })
            .collect()
    }
}
