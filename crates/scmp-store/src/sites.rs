//! Sites (edge locations) and the Proxmox VE clusters registered at them. The cluster's token secret
//! arrives here already sealed by the server and leaves sealed.

use pve_types::{Authid, Fingerprint};
use scmp_common::{
    AgentId, ClusterId, ClusterState, Country, DriftAction, Error, GroupId, Name, ResourceKind,
    SiteId,
};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{
    db_error, get_id, get_name, get_opt_id, get_parsed, get_string, is_unique_violation, DataStore,
};
use crate::dependents;

/// A new site.
#[derive(Debug, Clone)]
pub struct NewSite {
    /// Name.
    pub name: Name,
    /// ISO 3166-1 alpha-2 country code (residency).
    pub country: Country,
    /// Region within the country.
    pub region: String,
    /// Description.
    pub description: String,
}

/// A site.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// Id.
    pub id: SiteId,
    /// Name.
    pub name: Name,
    /// Country code.
    pub country: Country,
    /// Region.
    pub region: String,
    /// Description.
    pub description: String,
    /// Created (ms).
    pub created_at: i64,
    /// The groups whose members the site's identity cache may hold.
    pub offline_groups: Vec<GroupId>,
}

/// A new cluster registration.
#[derive(Clone)]
pub struct NewCluster {
    /// Name, unique on the platform.
    pub name: Name,
    /// `https://host:8006`.
    pub endpoint: String,
    /// `USER@REALM!TOKENID`.
    pub token_id: Authid,
    /// The token secret, sealed (never the clear text).
    pub token_secret_sealed: String,
    /// Pinned certificate fingerprint.
    pub tls_fingerprint: Option<Fingerprint>,
    /// vCPUs per physical core allowed.
    pub cpu_overcommit: f64,
    /// Memory overcommit allowed.
    pub memory_overcommit: f64,
    /// The site agent it is reached through (none: the centre reaches it with the token).
    pub agent_id: Option<AgentId>,
}

/// A registered cluster.
#[derive(Clone, PartialEq)]
pub struct Cluster {
    /// Id.
    pub id: ClusterId,
    /// Its site.
    pub site_id: SiteId,
    /// Name.
    pub name: Name,
    /// API endpoint.
    pub endpoint: String,
    /// Token id.
    pub token_id: Authid,
    /// The sealed token secret.
    pub token_secret_sealed: String,
    /// Pinned fingerprint.
    pub tls_fingerprint: Option<Fingerprint>,
    /// CPU overcommit.
    pub cpu_overcommit: f64,
    /// Memory overcommit.
    pub memory_overcommit: f64,
    /// Created (ms).
    pub created_at: i64,
    /// Its health as inventory sync last saw it.
    pub health: ClusterHealth,
    /// Storage, bridges and tasks as inventory sync last saw them.
    pub inventory: ClusterInventory,
    /// The site agent it is reached through (none: the centre reaches it with the token).
    pub agent_id: Option<AgentId>,
}

/// A cluster's health as inventory sync sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterHealth {
    /// How sync last found it.
    pub state: ClusterState,
    /// Since when (ms).
    pub since: i64,
    /// Last successful sync (ms).
    pub last_seen_at: i64,
    /// The last error, when unreachable.
    pub last_error: String,
    /// The Proxmox VE version.
    pub pve_version: String,
    /// What to do about drift.
    pub drift_action: DriftAction,
    /// Guests on the cluster that are not scmp's.
    pub unmanaged_guests: u64,
}

/// What inventory sync found on a cluster besides hosts, as the agent reported it (JSON lists).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClusterInventory {
    /// Storage per node.
    pub storage: serde_json::Value,
    /// Network bridges.
    pub bridges: serde_json::Value,
    /// Recent tasks, newest first.
    pub tasks: serde_json::Value,
    /// The HA manager's status (quorum, master, each node's resource manager).
    pub ha: serde_json::Value,
}

// The sealed secret stays out of logs too.
impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("endpoint", &self.endpoint)
            .field("token_id", &self.token_id)
            .field("token_secret", &"<sealed>")
            .field("agent_id", &self.agent_id)
            .finish()
    }
}

fn site(row: &AnyRow) -> Result<Site, Error> {
    Ok(Site {
        id: get_id(row, "id")?,
        name: get_name(row, "name")?,
        country: get_parsed(row, "country")?,
        region: get_string(row, "region")?,
        description: get_string(row, "description")?,
        created_at: row.try_get("created_at").map_err(Error::internal)?,
        offline_groups: get_string(row, "offline_groups")?
            .split(';')
            .filter(|g| !g.is_empty())
            .map(|g| g.parse().map_err(Error::internal))
            .collect::<Result<_, _>>()?,
    })
}

fn cluster(row: &AnyRow) -> Result<Cluster, Error> {
    Ok(Cluster {
        id: get_id(row, "id")?,
        site_id: get_id(row, "site_id")?,
        name: get_name(row, "name")?,
        endpoint: get_string(row, "endpoint")?,
        token_id: get_parsed(row, "token_id")?,
        token_secret_sealed: get_string(row, "token_secret_sealed")?,
        tls_fingerprint: get_opt_id(row, "tls_fingerprint")?,
        cpu_overcommit: row.try_get("cpu_overcommit").map_err(Error::internal)?,
        memory_overcommit: row.try_get("memory_overcommit").map_err(Error::internal)?,
        created_at: row.try_get("created_at").map_err(Error::internal)?,
        health: ClusterHealth {
            state: get_parsed(row, "health")?,
            since: row.try_get("health_since").map_err(Error::internal)?,
            last_seen_at: row.try_get("last_seen_at").map_err(Error::internal)?,
            last_error: get_string(row, "last_error")?,
            pve_version: get_string(row, "pve_version")?,
            drift_action: get_parsed(row, "drift_action")?,
            unmanaged_guests: crate::db::get_u64(row, "unmanaged_guests")?,
        },
        inventory: ClusterInventory {
            storage: serde_json::from_str(&get_string(row, "storage")?).map_err(Error::internal)?,
            bridges: serde_json::from_str(&get_string(row, "bridges")?).map_err(Error::internal)?,
            tasks: serde_json::from_str(&get_string(row, "tasks")?).map_err(Error::internal)?,
            ha: serde_json::from_str(&get_string(row, "ha_status")?).map_err(Error::internal)?,
        },
        agent_id: get_opt_id(row, "agent_id")?,
    })
}

const SITE_COLUMNS: &str = "id, name, country, region, description, created_at, offline_groups";
const CLUSTER_COLUMNS: &str =
    "id, site_id, name, endpoint, token_id, token_secret_sealed, tls_fingerprint, \
     cpu_overcommit, memory_overcommit, created_at, health, health_since, last_seen_at, last_error, \
     pve_version, drift_action, unmanaged_guests, storage, bridges, tasks, ha_status, agent_id";
const CLUSTER_INSERT_COLUMNS: &str =
    "id, site_id, name, endpoint, token_id, token_secret_sealed, tls_fingerprint, \
     cpu_overcommit, memory_overcommit, created_at, agent_id";

impl DataStore {
    /// Creates a site.
    pub async fn site_create(&self, new: &NewSite) -> Result<Site, Error> {
        crate::tenants::check_text("description", &new.description)?;
        crate::tenants::check_text("region", &new.region)?;
        let id = self.random.id::<SiteId>();
        let r = sqlx::query(&format!(
            "INSERT INTO sites ({SITE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, '')"
        ))
        .bind(id.to_string())
        .bind(new.name.as_str())
        .bind(new.country.as_str())
        .bind(&new.region)
        .bind(&new.description)
        .bind(self.now_ms())
        .execute(&mut *self.write().await?)
        .await;
        match r {
            Ok(_) => self.site_lookup(&id.to_string()).await,
            Err(e) if is_unique_violation(&e) => Err(Error::AlreadyExists {
                kind: ResourceKind::Site,
                name: new.name.to_string(),
            }),
            Err(e) => Err(db_error(e)),
        }
    }

    /// A site by id or name.
    pub async fn site_lookup(&self, key: &str) -> Result<Site, Error> {
        let row = sqlx::query(&format!(
            "SELECT {SITE_COLUMNS} FROM sites WHERE id = $1 OR name = $1"
        ))
        .bind(key)
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        row.as_ref().map(site).unwrap_or_else(|| {
            Err(Error::NotFound {
                kind: ResourceKind::Site,
                name: key.to_string(),
            })
        })
    }

    /// Every site by name.
    /// (`limit` of them after the name `after`).
    pub async fn site_list(&self, after: Option<&str>, limit: u32) -> Result<Vec<Site>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {SITE_COLUMNS} FROM sites WHERE name > $1 ORDER BY name LIMIT $2"
        ))
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(site).collect()
    }

    /// Every site by name (for placement).
    pub async fn site_list_all(&self) -> Result<Vec<Site>, Error> {
        self.site_list(None, u32::MAX).await
    }

    /// Changes a site's region, description and the groups its identity cache may hold.
    pub async fn site_update(
        &self,
        id: SiteId,
        region: Option<&str>,
        description: Option<&str>,
        offline_groups: Option<&[GroupId]>,
    ) -> Result<Site, Error> {
        if let Some(groups) = offline_groups {
            let text: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
            sqlx::query("UPDATE sites SET offline_groups = $1 WHERE id = $2")
                .bind(text.join(";"))
                .bind(id.to_string())
                .execute(&mut *self.write().await?)
                .await
                .map_err(db_error)?;
        }
        if let Some(r) = region {
            crate::tenants::check_text("region", r)?;
            sqlx::query("UPDATE sites SET region = $1 WHERE id = $2")
                .bind(r)
                .bind(id.to_string())
                .execute(&mut *self.write().await?)
                .await
                .map_err(db_error)?;
        }
        if let Some(d) = description {
            crate::tenants::check_text("description", d)?;
            sqlx::query("UPDATE sites SET description = $1 WHERE id = $2")
                .bind(d)
                .bind(id.to_string())
                .execute(&mut *self.write().await?)
                .await
                .map_err(db_error)?;
        }
        self.site_lookup(&id.to_string()).await
    }

    /// Deletes a site; refused while clusters are registered at it.
    pub async fn site_delete(&self, id: SiteId) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM sites WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
        let name = name.ok_or_else(|| Error::NotFound {
            kind: ResourceKind::Site,
            name: id.to_string(),
        })?;
        let clusters = dependents::find(
            &mut tx,
            ResourceKind::Cluster,
            "clusters WHERE site_id = $1",
            "name",
            &id.to_string(),
        )
        .await?;
        dependents::refuse_if_any(ResourceKind::Site, &name, [clusters])?;
        // Offline budgets at the site give their reservations back to their projects.
        self.site_budgets_release(&mut tx, id).await?;
        // What the site owns goes with it: its agents (revoked with it) and their join tokens.
        for table in ["agent_join_tokens", "agents"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE site_id = $1"))
                .bind(id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        sqlx::query("DELETE FROM sites WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await
    }

    /// Registers a cluster at a site.
    pub async fn cluster_create(
        &self,
        site_id: SiteId,
        new: &NewCluster,
    ) -> Result<Cluster, Error> {
        let id = self.random.uuid().to_string();
        let r = sqlx::query(&format!(
            "INSERT INTO clusters ({CLUSTER_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ))
        .bind(&id)
        .bind(site_id.to_string())
        .bind(new.name.as_str())
        .bind(&new.endpoint)
        .bind(new.token_id.as_str())
        .bind(&new.token_secret_sealed)
        .bind(new.tls_fingerprint.map(|f| f.to_string()))
        .bind(new.cpu_overcommit)
        .bind(new.memory_overcommit)
        .bind(self.now_ms())
        .bind(new.agent_id.map(|a| a.to_string()))
        .execute(&mut *self.write().await?)
        .await;
        match r {
            Ok(_) => self.cluster_lookup(&id).await,
            Err(e) if is_unique_violation(&e) => Err(Error::AlreadyExists {
                kind: ResourceKind::Cluster,
                name: new.name.to_string(),
            }),
            Err(e) => Err(db_error(e)),
        }
    }

    /// A cluster by id or name.
    pub async fn cluster_lookup(&self, key: &str) -> Result<Cluster, Error> {
        let row = sqlx::query(&format!(
            "SELECT {CLUSTER_COLUMNS} FROM clusters WHERE id = $1 OR name = $1"
        ))
        .bind(key)
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        row.as_ref().map(cluster).unwrap_or_else(|| {
            Err(Error::NotFound {
                kind: ResourceKind::Cluster,
                name: key.to_string(),
            })
        })
    }

    /// A cluster by id.
    pub async fn cluster_get(&self, id: ClusterId) -> Result<Cluster, Error> {
        self.cluster_lookup(&id.to_string()).await
    }

    /// A site's clusters by name.
    /// (`limit` of them after the name `after`).
    pub async fn cluster_list(
        &self,
        site_id: SiteId,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Cluster>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {CLUSTER_COLUMNS} FROM clusters WHERE site_id = $1 AND name > $2 ORDER BY name LIMIT $3"
        ))
        .bind(site_id.to_string())
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(cluster).collect()
    }

    /// The cluster reached through an agent, if it registered one.
    pub async fn cluster_of_agent(&self, agent: AgentId) -> Result<Option<Cluster>, Error> {
        let row = sqlx::query(&format!(
            "SELECT {CLUSTER_COLUMNS} FROM clusters WHERE agent_id = $1"
        ))
        .bind(agent.to_string())
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        row.as_ref().map(cluster).transpose()
    }

    /// Records where an agent's cluster says it reaches Proxmox VE, and with which token.
    pub async fn cluster_set_reach(
        &self,
        id: ClusterId,
        endpoint: &str,
        token_id: &Authid,
    ) -> Result<(), Error> {
        sqlx::query("UPDATE clusters SET endpoint = $1, token_id = $2 WHERE id = $3")
            .bind(endpoint)
            .bind(token_id.as_str())
            .bind(id.to_string())
            .execute(&mut *self.write().await?)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    /// Every cluster on the platform by name (for inventory sync and placement).
    pub async fn cluster_list_all(&self) -> Result<Vec<Cluster>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {CLUSTER_COLUMNS} FROM clusters ORDER BY name"
        ))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(cluster).collect()
    }

    /// Changes a cluster's overcommit ratios and drift action.
    pub async fn cluster_update(
        &self,
        id: ClusterId,
        cpu_overcommit: f64,
        memory_overcommit: f64,
        drift_action: DriftAction,
    ) -> Result<Cluster, Error> {
        sqlx::query(
            "UPDATE clusters SET cpu_overcommit = $1, memory_overcommit = $2, drift_action = $3 WHERE id = $4",
        )
        .bind(cpu_overcommit)
        .bind(memory_overcommit)
        .bind(drift_action.as_str())
        .bind(id.to_string())
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        self.cluster_lookup(&id.to_string()).await
    }

    /// Removes a cluster registration with what inventory knew of it (hosts, templates, VMID
    /// reservations); refused while scmp guests are placed on it.
    pub async fn cluster_delete(&self, id: ClusterId) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM clusters WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
        let name = name.ok_or_else(|| Error::NotFound {
            kind: ResourceKind::Cluster,
            name: id.to_string(),
        })?;
        let guests = dependents::find(
            &mut tx,
            ResourceKind::Guest,
            "guests WHERE cluster_id = $1",
            "name",
            &id.to_string(),
        )
        .await?;
        dependents::refuse_if_any(ResourceKind::Cluster, &name, [guests])?;
        sqlx::query("DELETE FROM clusters WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await
    }
}
