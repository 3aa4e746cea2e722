//! Escrowed offline budgets: what a project may create at a site while the site is cut off from
//! the centre, granted out of the project's quota and reserved in its usage in the same
//! transaction (the escrow method: central admission sees the grant as used, so the same quota is
//! never handed out twice). What the site reports it took of a budget (`consume`) or gave back
//! (`give_back`) is taken once per key; a budget past its validity keeps only what the site used
//! of it, and the rest goes back to the project. A cut (a smaller grant, a shorter validity, a
//! withdrawal) waits while the site may not know of it: the larger grant stays reserved until the
//! site says it holds one within the cut (`site_budget_held`), or the larger one runs out, so what
//! a cut-off site still spends is always reserved.

use scmp_common::{Error, ProjectId, ResourceDelta, Resources, SiteId};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{db_error, get_id, get_u64, DataStore};
use crate::link::Link;
use crate::projects::amounts;

/// A project's budget at a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteBudget {
    /// The project.
    pub project_id: ProjectId,
    /// The site.
    pub site_id: SiteId,
    /// What is granted (and reserved in the project's usage).
    pub granted: Resources,
    /// What the site reported it took of it.
    pub used: Resources,
    /// Valid until (ms).
    pub valid_until: i64,
    /// Last changed (ms).
    pub updated_at: i64,
    /// A cut the site may not know of yet: what the site is told, while `granted` (the larger)
    /// stays reserved.
    pub pending: Option<PendingCut>,
}

impl SiteBudget {
    /// What the site is told it has: the cut once one waits, else the grant.
    pub fn offered(&self) -> (Resources, i64) {
        match &self.pending {
            Some(p) => (p.granted, p.valid_until),
            None => (self.granted, self.valid_until),
        }
    }
}

/// A cut to a budget, waiting until its site holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingCut {
    /// The grant after the cut.
    pub granted: Resources,
    /// Its validity (ms).
    pub valid_until: i64,
}

const COLUMNS: &str = "project_id, site_id, vcpus, memory_mib, disk_gib, guests, used_vcpus, \
    used_memory_mib, used_disk_gib, used_guests, valid_until, updated_at, pending_vcpus, \
    pending_memory_mib, pending_disk_gib, pending_guests, pending_until";

fn pending(row: &AnyRow) -> Result<Option<PendingCut>, Error> {
    let until: Option<i64> = row.try_get("pending_until").map_err(Error::internal)?;
    let Some(valid_until) = until else {
        return Ok(None);
    };
    let amount = |col: &str| -> Result<u64, Error> {
        let v: Option<i64> = row.try_get(col).map_err(Error::internal)?;
        u64::try_from(v.unwrap_or_default())
            .map_err(|_| Error::internal(format!("negative value in {col}")))
    };
    Ok(Some(PendingCut {
        granted: Resources {
            public_addresses: 0,
            networks: 0,
            vcpus: amount("pending_vcpus")?,
            memory_mib: amount("pending_memory_mib")?,
            disk_gib: amount("pending_disk_gib")?,
            guests: amount("pending_guests")?,
        },
        valid_until,
    }))
}

/// The larger of two grants, amount by amount.
fn larger(a: &Resources, b: &Resources) -> Resources {
    Resources {
        public_addresses: 0,
        networks: 0,
        vcpus: a.vcpus.max(b.vcpus),
        memory_mib: a.memory_mib.max(b.memory_mib),
        disk_gib: a.disk_gib.max(b.disk_gib),
        guests: a.guests.max(b.guests),
    }
}

fn budget(row: &AnyRow) -> Result<SiteBudget, Error> {
    Ok(SiteBudget {
        project_id: get_id(row, "project_id")?,
        site_id: get_id(row, "site_id")?,
        granted: Resources {
            public_addresses: 0,
            networks: 0,
            vcpus: get_u64(row, "vcpus")?,
            memory_mib: get_u64(row, "memory_mib")?,
            disk_gib: get_u64(row, "disk_gib")?,
            guests: get_u64(row, "guests")?,
        },
        used: Resources {
            public_addresses: 0,
            networks: 0,
            vcpus: get_u64(row, "used_vcpus")?,
            memory_mib: get_u64(row, "used_memory_mib")?,
            disk_gib: get_u64(row, "used_disk_gib")?,
            guests: get_u64(row, "used_guests")?,
        },
        valid_until: row.try_get("valid_until").map_err(Error::internal)?,
        updated_at: row.try_get("updated_at").map_err(Error::internal)?,
        pending: pending(row)?,
    })
}

fn delta(from: &Resources, to: &Resources) -> Result<ResourceDelta, Error> {
    let (a, b) = (amounts(from)?, amounts(to)?);
    Ok(ResourceDelta {
        public_addresses: 0,
        networks: 0,
        vcpus: b.vcpus - a.vcpus,
        memory_mib: b.memory_mib - a.memory_mib,
        disk_gib: b.disk_gib - a.disk_gib,
        guests: b.guests - a.guests,
    })
}

async fn current(
    conn: &mut Link,
    project: ProjectId,
    site: SiteId,
) -> Result<Option<SiteBudget>, Error> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM site_budgets WHERE project_id = $1 AND site_id = $2"
    ))
    .bind(project.to_string())
    .bind(site.to_string())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_error)?;
    row.as_ref().map(budget).transpose()
}

/// Whether a site's report under `key` was taken already.
pub(crate) async fn key_taken(conn: &mut Link, key: &str) -> Result<bool, Error> {
    let seen: Option<String> = sqlx::query_scalar("SELECT key FROM budget_events WHERE key = $1")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(seen.is_some())
}

/// Marks a site's report under `key` as taken (in the transaction that takes it).
pub(crate) async fn take_key(conn: &mut Link, key: &str, now: i64) -> Result<(), Error> {
    sqlx::query("INSERT INTO budget_events (key, at) VALUES ($1, $2)")
        .bind(key)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(())
}

impl DataStore {
    /// Grants a project `granted` at a site until `valid_until` (replacing what it had: the
    /// difference is reserved in the project's usage in the same transaction). A cut (less of
    /// anything, or a shorter validity) waits for the site to hold it, the larger grant reserved
    /// until then. Refused when the project's quota has no room for it, or when it is less than
    /// what the site already used of its budget.
    pub async fn site_budget_set(
        &self,
        project: ProjectId,
        site: SiteId,
        granted: &Resources,
        valid_until: i64,
    ) -> Result<SiteBudget, Error> {
        let before = self.site_budget_get(project, site).await?;
        let now = self.now_ms();
        match before {
            // A cut while the site may still spend what it was told.
            Some(b)
                if b.valid_until > now
                    && !(b.granted.fits_in(granted) && b.valid_until <= valid_until) =>
            {
                let cut = PendingCut {
                    granted: *granted,
                    valid_until,
                };
                let reserved = larger(&b.granted, granted);
                self.site_budget_write(
                    project,
                    site,
                    (&reserved, b.valid_until.max(valid_until)),
                    Some(cut),
                )
                .await
            }
            _ => {
                self.site_budget_write(project, site, (granted, valid_until), None)
                    .await
            }
        }
    }

    /// Writes a budget as given (the difference reserved or released in the project's usage in
    /// the same transaction), with the cut that waits, if any.
    async fn site_budget_write(
        &self,
        project: ProjectId,
        site: SiteId,
        (granted, valid_until): (&Resources, i64),
        cut: Option<PendingCut>,
    ) -> Result<SiteBudget, Error> {
        let mut tx = self.begin().await?;
        let before = current(&mut tx, project, site).await?;
        let (old, used) = before
            .as_ref()
            .map(|b| (b.granted, b.used))
            .unwrap_or_default();
        let least = cut.map(|c| c.granted).unwrap_or(*granted);
        if let Some((what, has, _)) = used.first_excess(&least) {
            return Err(Error::InvalidValue {
                field: what.into(),
                message: format!(
                    "the site used {has} of its budget already: grant at least that much"
                ),
            });
        }
        if !self
            .change_project_usage(&mut tx, project, delta(&old, granted)?)
            .await?
        {
            drop(tx);
            let more = Resources {
                public_addresses: 0,
                networks: 0,
                vcpus: granted.vcpus.saturating_sub(old.vcpus),
                memory_mib: granted.memory_mib.saturating_sub(old.memory_mib),
                disk_gib: granted.disk_gib.saturating_sub(old.disk_gib),
                guests: granted.guests.saturating_sub(old.guests),
            };
            return Err(self.quota_refusal(project, &more).await);
        }
        let now = self.now_ms();
        let g = amounts(granted)?;
        let c = cut.map(|c| amounts(&c.granted)).transpose()?;
        sqlx::query(&format!(
            "INSERT INTO site_budgets ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, 0, 0, 0, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (project_id, site_id) DO UPDATE SET vcpus = $3, memory_mib = $4, \
             disk_gib = $5, guests = $6, valid_until = $7, updated_at = $8, pending_vcpus = $9, \
             pending_memory_mib = $10, pending_disk_gib = $11, pending_guests = $12, \
             pending_until = $13"
        ))
        .bind(project.to_string())
        .bind(site.to_string())
        .bind(g.vcpus)
        .bind(g.memory_mib)
        .bind(g.disk_gib)
        .bind(g.guests)
        .bind(valid_until)
        .bind(now)
        .bind(c.map(|c| c.vcpus))
        .bind(c.map(|c| c.memory_mib))
        .bind(c.map(|c| c.disk_gib))
        .bind(c.map(|c| c.guests))
        .bind(cut.map(|c| c.valid_until))
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        let after = current(&mut tx, project, site)
            .await?
            .ok_or_else(|| Error::internal("the budget just written is gone"))?;
        tx.commit().await?;
        Ok(after)
    }

    /// Withdraws a budget: a cut to what the site used, valid no longer; what the site did not
    /// use goes back to the project once the site holds the cut (or its grant runs out), what it
    /// used stays reserved until the guests it made are reconciled.
    pub async fn site_budget_withdraw(
        &self,
        project: ProjectId,
        site: SiteId,
    ) -> Result<(), Error> {
        let used = match self.site_budget_get(project, site).await? {
            Some(b) => b.used,
            None => return Ok(()),
        };
        let b = self
            .site_budget_set(project, site, &used, self.now_ms())
            .await?;
        if b.pending.is_none() {
            self.site_budget_drop_empty(project, site).await?;
        }
        Ok(())
    }

    /// Forgets a budget that grants nothing and was used for nothing.
    async fn site_budget_drop_empty(&self, project: ProjectId, site: SiteId) -> Result<(), Error> {
        sqlx::query(
            "DELETE FROM site_budgets WHERE project_id = $1 AND site_id = $2 \
             AND vcpus = 0 AND memory_mib = 0 AND disk_gib = 0 AND guests = 0 \
             AND used_vcpus = 0 AND used_memory_mib = 0 AND used_disk_gib = 0 \
             AND used_guests = 0 AND pending_until IS NULL",
        )
        .bind(project.to_string())
        .bind(site.to_string())
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    /// What a site says it holds (each project's grant and its validity, as the centre last told
    /// it): a cut waiting at the site takes effect where the site holds a grant within it (or
    /// none), giving back what the site did not use. Answers how many took effect.
    pub async fn site_budget_held(
        &self,
        site: SiteId,
        held: &[(ProjectId, Resources, i64)],
    ) -> Result<usize, Error> {
        let mut n = 0;
        for b in self.site_budget_list_at(site).await? {
            let Some(cut) = b.pending else { continue };
            let within = match held.iter().find(|(p, _, _)| *p == b.project_id) {
                Some((_, granted, until)) => {
                    granted.fits_in(&cut.granted) && *until <= cut.valid_until
                }
                None => true,
            };
            if within {
                self.site_budget_apply_cut(&b, &cut).await?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// A cut takes effect: the grant is the cut (never below what the site used).
    async fn site_budget_apply_cut(&self, b: &SiteBudget, cut: &PendingCut) -> Result<(), Error> {
        let granted = larger(&cut.granted, &b.used);
        self.site_budget_write(b.project_id, b.site_id, (&granted, cut.valid_until), None)
            .await?;
        self.site_budget_drop_empty(b.project_id, b.site_id).await
    }

    /// A project's budget at a site.
    pub async fn site_budget_get(
        &self,
        project: ProjectId,
        site: SiteId,
    ) -> Result<Option<SiteBudget>, Error> {
        current(&mut *self.read().await?, project, site).await
    }

    /// A project's budgets, by site id.
    pub async fn site_budget_list(&self, project: ProjectId) -> Result<Vec<SiteBudget>, Error> {
        self.site_budget_page(project, None, u32::MAX).await
    }

    /// The budgets granted at a site, by project id.
    pub async fn site_budget_list_at(&self, site: SiteId) -> Result<Vec<SiteBudget>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM site_budgets WHERE site_id = $1 ORDER BY project_id"
        ))
        .bind(site.to_string())
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(budget).collect()
    }

    /// A project's budgets by site id (`limit` of them after the site id `after`).
    pub async fn site_budget_page(
        &self,
        project: ProjectId,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<SiteBudget>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM site_budgets WHERE project_id = $1 AND site_id > $2              ORDER BY site_id LIMIT $3"
        ))
        .bind(project.to_string())
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(budget).collect()
    }

    /// The site took `amount` of its budget (a guest made there while cut off), reported under
    /// `key`: taken once per key; false when the budget has no room for it (or is gone).
    pub async fn site_budget_consume(
        &self,
        project: ProjectId,
        site: SiteId,
        amount: &Resources,
        key: &str,
    ) -> Result<bool, Error> {
        self.site_budget_change(project, site, amounts(amount)?, key)
            .await
    }

    /// The site gave `amount` of its budget back (a guest made there and deleted there), under
    /// `key`: taken once per key.
    pub async fn site_budget_give_back(
        &self,
        project: ProjectId,
        site: SiteId,
        amount: &Resources,
        key: &str,
    ) -> Result<bool, Error> {
        self.site_budget_change(project, site, -amounts(amount)?, key)
            .await
    }

    async fn site_budget_change(
        &self,
        project: ProjectId,
        site: SiteId,
        d: ResourceDelta,
        key: &str,
    ) -> Result<bool, Error> {
        let mut tx = self.begin().await?;
        if key_taken(&mut tx, key).await? {
            return Ok(true);
        }
        let done = sqlx::query(
            "UPDATE site_budgets SET used_vcpus = used_vcpus + $1, \
             used_memory_mib = used_memory_mib + $2, used_disk_gib = used_disk_gib + $3, \
             used_guests = used_guests + $4, updated_at = $5 \
             WHERE project_id = $6 AND site_id = $7 \
             AND used_vcpus + $1 <= vcpus AND used_memory_mib + $2 <= memory_mib \
             AND used_disk_gib + $3 <= disk_gib AND used_guests + $4 <= guests \
             AND used_vcpus + $1 >= 0 AND used_memory_mib + $2 >= 0 \
             AND used_disk_gib + $3 >= 0 AND used_guests + $4 >= 0",
        )
        .bind(d.vcpus)
        .bind(d.memory_mib)
        .bind(d.disk_gib)
        .bind(d.guests)
        .bind(self.now_ms())
        .bind(project.to_string())
        .bind(site.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        take_key(&mut tx, key, self.now_ms()).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Budgets past their validity (the larger one, where a cut waits) keep only what their
    /// sites used of them; the rest goes back to the projects. Answers how many expired.
    pub async fn site_budget_expire(&self) -> Result<usize, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM site_budgets WHERE valid_until <= $1 \
             AND (vcpus > used_vcpus OR memory_mib > used_memory_mib OR disk_gib > used_disk_gib \
             OR guests > used_guests OR pending_until IS NOT NULL)"
        ))
        .bind(self.now_ms())
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        let expired: Vec<SiteBudget> = rows.iter().map(budget).collect::<Result<_, _>>()?;
        // The site can spend none of it any more, whatever it was told last.
        for b in &expired {
            self.site_budget_write(b.project_id, b.site_id, (&b.used, b.valid_until), None)
                .await?;
            if b.pending.is_some() {
                self.site_budget_drop_empty(b.project_id, b.site_id).await?;
            }
        }
        Ok(expired.len())
    }

    /// Releases every budget at a site (the site is going): what they reserve goes back.
    pub(crate) async fn site_budgets_release(
        &self,
        tx: &mut crate::db::Tx,
        site: SiteId,
    ) -> Result<(), Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM site_budgets WHERE site_id = $1"
        ))
        .bind(site.to_string())
        .fetch_all(&mut **tx)
        .await
        .map_err(db_error)?;
        for b in rows.iter().map(budget) {
            let b = b?;
            self.change_project_usage(tx, b.project_id, -amounts(&b.granted)?)
                .await?;
        }
        sqlx::query("DELETE FROM site_budgets WHERE site_id = $1")
            .bind(site.to_string())
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        Ok(())
    }
}
