//! Guests made at a site while it was cut off, reconciled into records of their own when the site
//! reports them: a guest's record, its placement, its VMID and its share of the project's quota,
//! moved out of the project's offline budget at that site, in one transaction (the project's usage
//! does not change: the budget already held it). A guest made and deleted at the site moves its
//! share back into the budget. Each report is taken once per key.

use scmp_common::{ClusterId, Error, GuestId, GuestState, ProjectId, ResourceDelta, SiteId};

use crate::budgets::{key_taken, take_key};
use crate::db::{db_error, is_unique_violation, to_i64, DataStore};
use crate::guests::NewGuest;
use crate::projects::amounts;

/// A guest a site made on its own, as it reported it.
#[derive(Debug, Clone)]
pub struct SiteGuest {
    /// Its id (made at the site).
    pub id: GuestId,
    /// What it is.
    pub new: NewGuest,
    /// The site's cluster.
    pub cluster_id: ClusterId,
    /// Its host.
    pub node: String,
    /// Its VMID.
    pub vmid: u32,
    /// Whether it was running when made.
    pub running: bool,
}

/// What adopting a site's guest did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adoption {
    /// It has a record of its own now, its share taken out of the budget.
    Adopted,
    /// It had one already (a report sent again).
    Already,
    /// The project's budget at the site has no room for it (gone, expired or spent): it stays
    /// without a record, for an operator to settle.
    NoBudget,
    /// Its name or VMID is another guest's.
    Clash,
}

/// Moves `d` out of (negative: back into) a project's budget at a site, and out of the cut that
/// waits there if any (the site counts the guest as the centre does); false when the budget is
/// missing or has too little left that the site did not use.
async fn move_budget(
    conn: &mut crate::link::Link,
    project: ProjectId,
    site: SiteId,
    d: ResourceDelta,
    now: i64,
) -> Result<bool, Error> {
    let done = sqlx::query(
        "UPDATE site_budgets SET vcpus = vcpus - $1, memory_mib = memory_mib - $2, \
         disk_gib = disk_gib - $3, guests = guests - $4, updated_at = $5, \
         pending_vcpus = CASE WHEN pending_vcpus IS NULL THEN NULL WHEN pending_vcpus > $1 THEN pending_vcpus - $1 ELSE 0 END, \
         pending_memory_mib = CASE WHEN pending_memory_mib IS NULL THEN NULL WHEN pending_memory_mib > $2 \
             THEN pending_memory_mib - $2 ELSE 0 END, \
         pending_disk_gib = CASE WHEN pending_disk_gib IS NULL THEN NULL WHEN pending_disk_gib > $3 THEN pending_disk_gib - $3 ELSE 0 END, \
         pending_guests = CASE WHEN pending_guests IS NULL THEN NULL WHEN pending_guests > $4 THEN pending_guests - $4 ELSE 0 END \
         WHERE project_id = $6 AND site_id = $7 \
         AND vcpus - used_vcpus >= $1 AND memory_mib - used_memory_mib >= $2 \
         AND disk_gib - used_disk_gib >= $3 AND guests - used_guests >= $4",
    )
    .bind(d.vcpus)
    .bind(d.memory_mib)
    .bind(d.disk_gib)
    .bind(d.guests)
    .bind(now)
    .bind(project.to_string())
    .bind(site.to_string())
    .execute(&mut *conn)
    .await
    .map_err(db_error)?;
    Ok(done.rows_affected() == 1)
}

/// Whether an insert ran into another guest's name or VMID (any other failure is an error).
fn clashed<T>(r: Result<T, sqlx::Error>) -> Result<bool, Error> {
    match r {
        Ok(_) => Ok(false),
        Err(e) if is_unique_violation(&e) => Ok(true),
        Err(e) => Err(db_error(e)),
    }
}

impl DataStore {
    /// Gives a guest the site made its own record, its share moved out of the project's budget
    /// at `site`, under `key` (taken once).
    pub async fn site_guest_adopt(
        &self,
        site: SiteId,
        g: &SiteGuest,
        key: &str,
    ) -> Result<Adoption, Error> {
        for t in &g.new.tags {
            crate::tenants::check_text("tags", t)?;
        }
        let now = self.now_ms();
        let mut tx = self.begin().await?;
        if key_taken(&mut tx, key).await? {
            return Ok(Adoption::Already);
        }
        let exists: Option<String> = sqlx::query_scalar("SELECT id FROM guests WHERE id = $1")
            .bind(g.id.to_string())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
        if exists.is_some() {
            return Ok(Adoption::Already);
        }
        if !move_budget(
            &mut tx,
            g.new.project_id,
            site,
            amounts(&g.new.resources())?,
            now,
        )
        .await?
        {
            return Ok(Adoption::NoBudget);
        }
        let state = if g.running {
            GuestState::Running
        } else {
            GuestState::Stopped
        };
        let r = sqlx::query(
            "INSERT INTO guests (id, project_id, tenant_id, name, kind, image_id, vcpus, \
             memory_mib, disk_gib, state, quota_held, site_request, cluster_id, node, vmid, ha, \
             tags, cloud_init, placement, drift, error, created_at, updated_at, anti_affinity, \
             bridge, vlan) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, NULL, $11, $12, \
             $13, 0, $14, $15, $16, '', '', $17, $17, '', $18, $19)",
        )
        .bind(g.id.to_string())
        .bind(g.new.project_id.to_string())
        .bind(g.new.tenant_id.to_string())
        .bind(g.new.name.as_str())
        .bind(g.new.kind.as_str())
        .bind(g.new.image_id.to_string())
        .bind(to_i64("vcpus", g.new.vcpus)?)
        .bind(to_i64("memory_mib", g.new.memory_mib)?)
        .bind(to_i64("disk_gib", g.new.disk_gib)?)
        .bind(state.as_str())
        .bind(g.cluster_id.to_string())
        .bind(&g.node)
        .bind(i64::from(g.vmid))
        .bind(g.new.tags.join(";"))
        .bind(serde_json::to_string(&g.new.cloud_init).map_err(Error::internal)?)
        .bind("made at the site while it was cut off, within its offline budget")
        .bind(now)
        .bind(g.new.network.bridge.as_deref().unwrap_or_default())
        .bind(i64::from(g.new.network.vlan.unwrap_or(0)))
        .execute(&mut *tx)
        .await;
        if clashed(r)? {
            return Ok(Adoption::Clash);
        }
        let r = sqlx::query(
            "INSERT INTO vmid_reservations (cluster_id, vmid, guest_id) VALUES ($1, $2, $3)",
        )
        .bind(g.cluster_id.to_string())
        .bind(i64::from(g.vmid))
        .bind(g.id.to_string())
        .execute(&mut *tx)
        .await;
        if clashed(r)? {
            return Ok(Adoption::Clash);
        }
        take_key(&mut tx, key, now).await?;
        tx.commit().await?;
        Ok(Adoption::Adopted)
    }

    /// A guest deleted at the site: its record, placement and VMID go, and its share of the quota
    /// moves back into the project's budget at `site` (to the project itself when the budget is
    /// gone), under `key` (taken once). False when there was no such guest.
    pub async fn site_guest_release(
        &self,
        site: SiteId,
        id: GuestId,
        key: &str,
    ) -> Result<bool, Error> {
        let g = match self.guest_get(id).await {
            Ok(g) => g,
            Err(Error::NotFound { .. }) => return Ok(false),
            Err(e) => return Err(e),
        };
        let now = self.now_ms();
        let mut tx = self.begin().await?;
        if key_taken(&mut tx, key).await? {
            return Ok(true);
        }
        let held = sqlx::query("UPDATE guests SET quota_held = 0 WHERE id = $1 AND quota_held = 1")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?
            .rows_affected()
            == 1;
        if held {
            let share = amounts(&g.resources())?;
            // Back into the budget (a negative move: always room for it).
            let back = move_budget(&mut tx, g.project_id, site, -share, now).await?;
            if !back
                && !self
                    .change_project_usage(&mut tx, g.project_id, -share)
                    .await?
            {
                return Err(Error::internal("releasing more than the project reserved"));
            }
        }
        for sql in [
            "DELETE FROM vmid_reservations WHERE guest_id = $1",
            "DELETE FROM guest_events WHERE guest_id = $1",
            "DELETE FROM guests WHERE id = $1",
        ] {
            sqlx::query(sql)
                .bind(id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        take_key(&mut tx, key, now).await?;
        tx.commit().await?;
        Ok(true)
    }
}
