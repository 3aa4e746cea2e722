//! The harness the store's test files share: a fresh store on SQLite or on the PostgreSQL that
//! `scripts/test.sh` starts, and `on_both!`, which runs each case on both.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use scmp_store::DataStore;

/// A store on a fresh database; the guard keeps a temporary directory alive for SQLite.
pub struct Fresh {
    pub store: DataStore,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub async fn sqlite() -> Fresh {
    let dir = tempfile::tempdir().unwrap();
    let store = DataStore::open_dir(dir.path()).await.unwrap();
    let url = format!("sqlite://{}", dir.path().join("scmp.db").display());
    Fresh {
        store,
        url,
        _dir: Some(dir),
    }
}

pub async fn postgres() -> Option<Fresh> {
    let Ok(base) = std::env::var("SCMP_TEST_DATABASE_URL") else {
        assert!(
            std::env::var("SCMP_REQUIRE_EXTERNAL").is_err(),
            "SCMP_TEST_DATABASE_URL is not set but SCMP_REQUIRE_EXTERNAL is: run scripts/test.sh"
        );
        eprintln!("skipped: SCMP_TEST_DATABASE_URL not set (scripts/test.sh starts PostgreSQL)");
        return None;
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
    let url = format!("{prefix}/{name}");
    let store = DataStore::open(&url).await.unwrap();
    Some(Fresh {
        store,
        url,
        _dir: None,
    })
}

/// Runs a conformance check on SQLite and, when the harness gives one, on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let fresh = $crate::common::sqlite().await;
                    super::$name(&fresh.store, &fresh.url).await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    if let Some(fresh) = $crate::common::postgres().await {
                        super::$name(&fresh.store, &fresh.url).await;
                    }
                }
            )*
        }
    };
}
