//! Migrations: numbered, embedded SQL files applied in order at open, each in its own transaction and
//! recorded in `schema_migrations`. On PostgreSQL an advisory lock keeps replicas starting together
//! from migrating twice.

use scmp_common::Error;

use crate::db::{db_error, Backend, DataStore};
use crate::link::Link;

/// Every migration, oldest first.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_tenancy.sql")),
    (2, include_str!("../migrations/0002_identity_audit.sql")),
    (3, include_str!("../migrations/0003_audit_checkpoints.sql")),
    (4, include_str!("../migrations/0004_sites_clusters.sql")),
    (5, include_str!("../migrations/0005_orchestration.sql")),
    (
        6,
        include_str!("../migrations/0006_residency_affinity_inventory.sql"),
    ),
    (7, include_str!("../migrations/0007_groups.sql")),
    (8, include_str!("../migrations/0008_idempotency.sql")),
    (9, include_str!("../migrations/0009_leases.sql")),
    (10, include_str!("../migrations/0010_guest_network.sql")),
    (11, include_str!("../migrations/0011_template_disk.sql")),
    (12, include_str!("../migrations/0012_audit_identity.sql")),
    (13, include_str!("../migrations/0013_agents.sql")),
    (14, include_str!("../migrations/0014_agent_clusters.sql")),
    (15, include_str!("../migrations/0015_site_budgets.sql")),
    (16, include_str!("../migrations/0016_site_audit.sql")),
    (
        17,
        include_str!("../migrations/0017_site_offline_groups.sql"),
    ),
    (18, include_str!("../migrations/0018_usage_records.sql")),
    (19, include_str!("../migrations/0019_budget_cuts.sql")),
    (20, include_str!("../migrations/0020_mfa.sql")),
    (
        21,
        include_str!("../migrations/0021_tenant_require_mfa.sql"),
    ),
    (22, include_str!("../migrations/0022_realms.sql")),
    (23, include_str!("../migrations/0023_sso.sql")),
    (24, include_str!("../migrations/0024_platform_settings.sql")),
    (25, include_str!("../migrations/0025_custom_roles.sql")),
    (26, include_str!("../migrations/0026_policies.sql")),
    (27, include_str!("../migrations/0027_labels.sql")),
    (28, include_str!("../migrations/0028_approvals.sql")),
    (29, include_str!("../migrations/0029_compliance.sql")),
    (30, include_str!("../migrations/0030_guest_leases.sql")),
    (31, include_str!("../migrations/0031_networks.sql")),
    (32, include_str!("../migrations/0032_public_addresses.sql")),
    (33, include_str!("../migrations/0033_security_groups.sql")),
    (34, include_str!("../migrations/0034_site_links.sql")),
    (35, include_str!("../migrations/0035_ha_state.sql")),
];

/// Arbitrary constant identifying scmp's migration lock.
const LOCK_KEY: i64 = 0x5C3D_0001;

/// Splits a migration into statements: comment lines dropped first, then split on semicolons (no
/// statement in our files contains one in a string).
fn statements(sql: &str) -> Vec<String> {
    let code: String = sql
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    code.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

pub(crate) async fn run(store: &DataStore) -> Result<(), Error> {
    let mut conn = store.write().await?;
    if store.backend() == Backend::Postgres {
        sqlx::query(&format!("SELECT pg_advisory_lock({LOCK_KEY})"))
            .execute(&mut *conn)
            .await
            .map_err(db_error)?;
    }
    let result = apply(&mut conn, store.now_ms()).await;
    if store.backend() == Backend::Postgres {
        let _ = sqlx::query(&format!("SELECT pg_advisory_unlock({LOCK_KEY})"))
            .execute(&mut *conn)
            .await;
    }
    result
}

async fn apply(conn: &mut Link, now_ms: i64) -> Result<(), Error> {
    sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)")
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    let current: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
        .fetch_one(&mut *conn)
        .await
        .map_err(db_error)?;
    let current = current.unwrap_or(0);
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        conn.begin().await.map_err(db_error)?;
        let applied = migrate(conn, *version, sql, now_ms).await;
        match applied {
            Ok(()) => conn.commit().await.map_err(db_error)?,
            Err(e) => {
                conn.start_rollback();
                return Err(e);
            }
        }
        tracing::info!(version, "applied database migration");
    }
    Ok(())
}

/// One migration's statements and its record, in the transaction the caller opened.
async fn migrate(conn: &mut Link, version: i64, sql: &str, now_ms: i64) -> Result<(), Error> {
    for stmt in statements(sql) {
        sqlx::query(&stmt)
            .execute(&mut *conn)
            .await
            .map_err(|e| Error::internal(format!("migration {version}: {e}")))?;
    }
    sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
        .bind(version)
        .bind(now_ms)
        .execute(&mut *conn)
        .await
        .map_err(db_error)?;
    Ok(())
}
