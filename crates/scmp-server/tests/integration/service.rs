//! The service around the API: its data directory, metrics, readiness, and the OpenAPI document.

use reqwest::Method;
use scmp_api::MeView;
use scmp_server::{start, ServerConfig};
use scmp_test_utils::helpers::{create_tenant, quota};
use scmp_test_utils::TestContext;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_start_makes_a_platform_administrator() {
    let ctx = TestContext::new("bootstrap").await;
    let me: MeView = ctx.admin.get("/me").await;
    assert_eq!(me.name.as_str(), "admin");
    assert_eq!(me.roles[0].role, "platform-admin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_counted_by_operation_and_status() {
    let ctx = TestContext::new("metrics").await;
    create_tenant(&ctx.admin, "acme", quota(1, 1, 1, 1)).await;
    let m = ctx
        .admin
        .anonymous()
        .request_url(Method::GET, "/metrics", None)
        .await;
    assert_eq!(m.status, 200);
    assert!(
        m.text.contains(
            "scmp_http_requests_total{operation=\"POST /api/v1/tenants\",status=\"201\"} 1"
        ),
        "{}",
        m.text
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_says_the_database_answers() {
    let ctx = TestContext::new("readyz").await;
    let r = ctx
        .admin
        .anonymous()
        .request_url(Method::GET, "/readyz", None)
        .await;
    assert_eq!((r.status.as_u16(), r.text.as_str()), (200, "ready\n"));
}

#[test]
fn the_checked_in_openapi_document_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/scmp.json");
    let now = scmp_server::openapi_document();
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(path, format!("{now}\n")).unwrap();
        return;
    }
    let checked_in =
        std::fs::read_to_string(path).expect("openapi/scmp.json (UPDATE_OPENAPI=1 writes it)");
    assert!(
        checked_in.trim_end() == now.trim_end(),
        "openapi/scmp.json is stale: run UPDATE_OPENAPI=1 cargo test -p scmp-server --test integration the_checked_in"
    );
    let doc: serde_json::Value = serde_json::from_str(&now).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
}

/// Every mode below `dir` (the directory itself as "."), for the data directory's checks.
#[cfg(unix)]
fn modes(dir: &std::path::Path) -> Vec<(String, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = vec![(
        ".".to_string(),
        std::fs::metadata(dir).unwrap().permissions().mode() & 0o777,
    )];
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let m = e.metadata().unwrap().permissions().mode() & 0o777;
        out.push((e.file_name().to_string_lossy().into_owned(), m));
    }
    out.sort();
    out
}

/// The data directory is its owner's alone: 0700, every file in it 0600 (the database and its
/// write-ahead log, the keys, the administrator's token).
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_directory_is_private() {
    let ctx = TestContext::new("datadir").await;
    // A write, so that SQLite's write-ahead log exists.
    create_tenant(&ctx.admin, "acme", quota(1, 1, 1, 1)).await;
    let found = modes(ctx.dir());
    assert!(found.iter().any(|(f, _)| f == "scmp.db-wal"), "{found:?}");
    assert!(found.iter().any(|(f, _)| f == "admin-token"), "{found:?}");
    for (file, mode) in &found {
        let want = if file == "." { 0o700 } else { 0o600 };
        assert_eq!(*mode, want, "{file}: {mode:o} in {found:?}");
    }
}

/// A data directory loosened while the server was stopped is repaired when it starts again.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loosened_data_directory_is_repaired_at_start() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let first = start(ServerConfig::new(
        dir.path().to_path_buf(),
        "127.0.0.1:0".parse().unwrap(),
    ))
    .await
    .unwrap();
    first.handle.shutdown();
    let _ = first.task.await;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    for f in ["scmp.db", "secret-key", "tls-cert.pem"] {
        std::fs::set_permissions(dir.path().join(f), std::fs::Permissions::from_mode(0o644))
            .unwrap();
    }
    let again = start(ServerConfig::new(
        dir.path().to_path_buf(),
        "127.0.0.1:0".parse().unwrap(),
    ))
    .await
    .unwrap();
    for (file, mode) in modes(dir.path()) {
        let want = if file == "." { 0o700 } else { 0o600 };
        assert_eq!(mode, want, "{file} repaired at start");
    }
    again.handle.shutdown();
}
