//! The audit log's hash chain on SQLite and PostgreSQL: appends from many writers at once form one
//! chain, written together; every kind of tampering is found, at the entry where it is.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use scmp_common::{AuditPhase, AuditResult, AuditTarget, AuthMethod, ResourceKind, Resources};
use scmp_store::{AuditRecord, DataStore, NewTenant};

use scmp_test_utils::on_both;

on_both!(
    audit_chain_detects_tampering,
    audit_appends_written_together
);

fn record(i: usize, tenant: Option<scmp_common::TenantId>) -> AuditRecord {
    AuditRecord {
        request_id: format!("req-{i}"),
        phase: if i.is_multiple_of(2) {
            AuditPhase::Begin
        } else {
            AuditPhase::End
        },
        actor: "9c6f1e8e-0000-4000-8000-00000000a11c".into(),
        identity: scmp_store::ActorIdentity {
            name: "alice".into(),
            realm: "local".into(),
            tenant: "alpha".into(),
        },
        auth_method: AuthMethod::Token,
        credential: "c1".into(),
        credential_name: "ci".into(),
        source: "127.0.0.1".into(),
        operation: "project_create".into(),
        target: AuditTarget::new(ResourceKind::Project, format!("p{i}")),
        tenant_id: tenant,
        result: if i.is_multiple_of(2) {
            AuditResult::Pending
        } else {
            AuditResult::Ok
        },
        error: String::new(),
    }
}

async fn tamper(url: &str, sql: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    sqlx::query(sql).execute(&pool).await.unwrap();
    pool.close().await;
}

async fn audit_chain_detects_tampering(store: &DataStore, url: &str) {
    assert_eq!(store.audit_verify().await.unwrap(), Ok(0));
    let t = store
        .tenant_create(&NewTenant {
            name: "alpha".parse().unwrap(),
            description: String::new(),
            quota: Resources::ZERO,
        })
        .await
        .unwrap();
    // Concurrent appends still form one chain.
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .audit_append(&record(
                        i,
                        if i.is_multiple_of(3) {
                            Some(t.id)
                        } else {
                            None
                        },
                    ))
                    .await
            })
        })
        .collect();
    for r in futures::future::join_all(tasks).await {
        r.unwrap().unwrap();
    }
    assert_eq!(store.audit_verify().await.unwrap(), Ok(20));
    assert_eq!(store.audit_list(Some(t.id), 0, 100).await.unwrap().len(), 7);
    assert_eq!(
        store
            .audit_list(None, 10, 100)
            .await
            .unwrap()
            .first()
            .unwrap()
            .seq,
        11
    );

    tamper(
        url,
        "UPDATE audit_entries SET actor = 'mallory' WHERE seq = 7",
    )
    .await;
    let broken = store.audit_verify().await.unwrap().unwrap_err();
    assert_eq!(broken.seq, 7, "{broken}");
    tamper(
        url,
        "UPDATE audit_entries SET actor = '9c6f1e8e-0000-4000-8000-00000000a11c' WHERE seq = 7",
    )
    .await;
    assert_eq!(store.audit_verify().await.unwrap(), Ok(20), "restored");
    // Who acted is inside the hash: a changed name, realm, tenant or token name breaks the chain,
    // and so does pretending the entry predates identities (its format).
    for (column, value) in [
        ("actor_name", "'mallory'"),
        ("actor_realm", "'ldap'"),
        ("actor_tenant", "'beta'"),
        ("credential_name", "'other'"),
        ("format", "1"),
    ] {
        let original: &str = match column {
            "actor_name" => "'alice'",
            "actor_realm" => "'local'",
            "actor_tenant" => "'alpha'",
            "credential_name" => "'ci'",
            _ => "2",
        };
        tamper(
            url,
            &format!("UPDATE audit_entries SET {column} = {value} WHERE seq = 9"),
        )
        .await;
        let broken = store.audit_verify().await.unwrap().unwrap_err();
        assert_eq!(broken.seq, 9, "{column}: {broken}");
        tamper(
            url,
            &format!("UPDATE audit_entries SET {column} = {original} WHERE seq = 9"),
        )
        .await;
        assert_eq!(
            store.audit_verify().await.unwrap(),
            Ok(20),
            "{column} restored"
        );
    }
    // The actor is found by the name it had, as by its id.
    let by_name = scmp_store::AuditFilter {
        actor: Some("alice".into()),
        ..Default::default()
    };
    assert_eq!(
        store.audit_search(&by_name, 0, 100).await.unwrap().len(),
        20
    );
    let entry = &store.audit_list(None, 0, 1).await.unwrap()[0];
    assert_eq!(entry.record.identity.tenant, "alpha");
    assert_eq!(entry.record.credential_name, "ci");

    // Reordering: swap two entries' positions.
    tamper(url, "UPDATE audit_entries SET seq = 1000 WHERE seq = 5").await;
    tamper(url, "UPDATE audit_entries SET seq = 5 WHERE seq = 6").await;
    tamper(url, "UPDATE audit_entries SET seq = 6 WHERE seq = 1000").await;
    assert_eq!(store.audit_verify().await.unwrap().unwrap_err().seq, 5);
    tamper(url, "UPDATE audit_entries SET seq = 1000 WHERE seq = 5").await;
    tamper(url, "UPDATE audit_entries SET seq = 5 WHERE seq = 6").await;
    tamper(url, "UPDATE audit_entries SET seq = 6 WHERE seq = 1000").await;
    assert_eq!(store.audit_verify().await.unwrap(), Ok(20));

    // Insertion: an extra entry copied in at the end, and in the middle.
    tamper(url, "INSERT INTO audit_entries SELECT 21, time_ms, request_id, phase, actor, auth_method, credential, source, operation, target, tenant_id, result, error, prev_hash, hash, actor_name, actor_realm, actor_tenant, credential_name, format FROM audit_entries WHERE seq = 20").await;
    assert_eq!(store.audit_verify().await.unwrap().unwrap_err().seq, 21);
    tamper(url, "DELETE FROM audit_entries WHERE seq = 21").await;

    // Removal: the middle, then the last entry.
    tamper(url, "DELETE FROM audit_entries WHERE seq = 12").await;
    assert_eq!(store.audit_verify().await.unwrap().unwrap_err().seq, 12);
}

/// Appends that wait together are written together (in several INSERTs past 200 rows): each gets
/// its own position and the chain holds.
async fn audit_appends_written_together(store: &DataStore, _url: &str) {
    let tasks: Vec<_> = (0..450)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.audit_append(&record(i, None)).await })
        })
        .collect();
    let mut seqs: Vec<i64> = futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.unwrap().unwrap())
        .collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=450).collect::<Vec<i64>>());
    assert_eq!(store.audit_verify().await.unwrap(), Ok(450));
}
