//! A store on a fresh database, for the store's own tests, and `on_both!`, which runs a case on
//! SQLite and on PostgreSQL.

use scmp_store::DataStore;

/// A store on a fresh database; keeps the SQLite directory alive.
pub struct Fresh {
    /// The store.
    pub store: DataStore,
    /// Its URL (a second connection may open it, to tamper).
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// A store on SQLite in a new directory.
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

/// A store on a new PostgreSQL database (none when there is no test PostgreSQL and none is
/// required).
pub async fn postgres() -> Option<Fresh> {
    let url = crate::postgres::fresh_database().await?;
    let store = DataStore::open(&url).await.unwrap();
    Some(Fresh {
        store,
        url,
        _dir: None,
    })
}

/// Runs each named `async fn(&DataStore, &str)` on SQLite and, when there is one, on PostgreSQL,
/// as tests `on_sqlite::NAME` and `on_postgres::NAME`.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let fresh = $crate::store::sqlite().await;
                    super::$name(&fresh.store, &fresh.url).await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    if let Some(fresh) = $crate::store::postgres().await {
                        super::$name(&fresh.store, &fresh.url).await;
                    }
                }
            )*
        }
    };
}
