//! Usage records: what each guest held during part or all of one hour of the clock, kept once per
//! guest and start however often a record is sent (a site's replay after a reconnect, a restart
//! between receiving and acknowledging), for metering to integrate.

use scmp_common::{AgentId, Error, GuestId, ProjectId, SiteId, TenantId};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{db_error, get_id, get_opt_id, get_string, to_i64, DataStore};

/// Where a record comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsageSource {
    /// A site's agent metered a guest made at the site.
    Site {
        /// The agent.
        agent: AgentId,
        /// The message that carried it (its journal's stream and number).
        message: String,
    },
}

/// What one guest held during `[from_ms, to_ms)`, within one hour of the clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRecord {
    /// The guest.
    pub guest_id: GuestId,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// Its project.
    pub project_id: ProjectId,
    /// Its site.
    pub site_id: SiteId,
    /// From (ms).
    pub from_ms: i64,
    /// Until (ms).
    pub to_ms: i64,
    /// vCPUs.
    pub vcpus: u64,
    /// Memory.
    pub memory_mib: u64,
    /// Root disk.
    pub disk_gib: u64,
    /// The source's last record of the guest.
    pub last: bool,
    /// Where it comes from.
    pub source: UsageSource,
}

const COLUMNS: &str = "guest_id, tenant_id, project_id, site_id, from_ms, to_ms, vcpus, \
                       memory_mib, disk_gib, last, source, agent_id, message";

fn amount(r: &AnyRow, col: &str) -> Result<u64, Error> {
    let v: i64 = r.try_get(col).map_err(Error::internal)?;
    u64::try_from(v).map_err(Error::internal)
}

fn row(r: &AnyRow) -> Result<UsageRecord, Error> {
    let source = match get_string(r, "source")?.as_str() {
        "site" => UsageSource::Site {
            agent: get_opt_id(r, "agent_id")?
                .ok_or_else(|| Error::internal("a site's usage record without its agent"))?,
            message: r
                .try_get::<Option<String>, _>("message")
                .map_err(Error::internal)?
                .unwrap_or_default(),
        },
        other => return Err(Error::internal(format!("unknown usage source {other:?}"))),
    };
    Ok(UsageRecord {
        guest_id: get_id(r, "guest_id")?,
        tenant_id: get_id(r, "tenant_id")?,
        project_id: get_id(r, "project_id")?,
        site_id: get_id(r, "site_id")?,
        from_ms: r.try_get("from_ms").map_err(Error::internal)?,
        to_ms: r.try_get("to_ms").map_err(Error::internal)?,
        vcpus: amount(r, "vcpus")?,
        memory_mib: amount(r, "memory_mib")?,
        disk_gib: amount(r, "disk_gib")?,
        last: r.try_get::<i64, _>("last").map_err(Error::internal)? != 0,
        source,
    })
}

impl DataStore {
    /// Keeps a usage record unless one of the guest's from the same start is kept already;
    /// answers whether it was new (the first copy wins).
    pub async fn usage_keep(&self, u: &UsageRecord) -> Result<bool, Error> {
        let (source, agent, message) = match &u.source {
            UsageSource::Site { agent, message } => {
                ("site", Some(agent.to_string()), Some(message.clone()))
            }
        };
        let mut conn = self.write().await?;
        let done = sqlx::query(
            "INSERT INTO usage_records (guest_id, from_ms, to_ms, tenant_id, project_id, \
             site_id, vcpus, memory_mib, disk_gib, last, source, agent_id, message, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
             ON CONFLICT (guest_id, from_ms) DO NOTHING",
        )
        .bind(u.guest_id.to_string())
        .bind(u.from_ms)
        .bind(u.to_ms)
        .bind(u.tenant_id.to_string())
        .bind(u.project_id.to_string())
        .bind(u.site_id.to_string())
        .bind(to_i64("vcpus", u.vcpus)?)
        .bind(to_i64("memory_mib", u.memory_mib)?)
        .bind(to_i64("disk_gib", u.disk_gib)?)
        .bind(i64::from(u.last))
        .bind(source)
        .bind(agent)
        .bind(message)
        .bind(self.now_ms())
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
        Ok(done.rows_affected() == 1)
    }

    /// A project's usage records that overlap `[from_ms, to_ms)`, by guest and start.
    pub async fn usage_of_project(
        &self,
        project: ProjectId,
        (from_ms, to_ms): (i64, i64),
    ) -> Result<Vec<UsageRecord>, Error> {
        let mut conn = self.read().await?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM usage_records \
             WHERE project_id = $1 AND to_ms > $2 AND from_ms < $3 \
             ORDER BY guest_id, from_ms"
        ))
        .bind(project.to_string())
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error)?;
        rows.iter().map(row).collect()
    }
}
