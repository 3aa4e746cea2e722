//! Fresh databases on the PostgreSQL `scripts/test.sh` starts (`SCMP_TEST_DATABASE_URL`): one new
//! database per call, so tests never see each other's rows.

use std::sync::atomic::{AtomicU32, Ordering};

/// The URL of a new, empty database (none when there is no test PostgreSQL and none is required).
pub async fn fresh_database() -> Option<String> {
    let Ok(base) = std::env::var("SCMP_TEST_DATABASE_URL") else {
        return crate::external::missing("SCMP_TEST_DATABASE_URL (the test PostgreSQL)");
    };
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "scmp_test_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&base)
        .await
        .expect("connect to the test PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let (prefix, _) = base.rsplit_once('/').unwrap();
    Some(format!("{prefix}/{name}"))
}
