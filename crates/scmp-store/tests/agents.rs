//! Site agents in the store, on SQLite and PostgreSQL: one agent CA however many replicas make one,
//! a join token redeemed once (also when two agents present it at once), refused when used, expired
//! or wrong, revocation for good, and a deleted site taking its agents and tokens with it.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use scmp_common::{AgentId, Name};
use scmp_store::{AgentCertificate, DataStore, NewJoinToken, NewSite, StoredCa, Unredeemable};

use scmp_test_utils::on_both;

on_both!(
    one_agent_ca_is_kept,
    a_join_token_enrolls_one_agent_once,
    a_deleted_site_takes_its_agents_along,
);

async fn site(store: &DataStore, name: &str) -> scmp_store::Site {
    store
        .site_create(&NewSite {
            name: Name::new(name).unwrap(),
            country: "DE".parse().unwrap(),
            region: String::new(),
            description: String::new(),
        })
        .await
        .unwrap()
}

fn cert(serial: &str) -> AgentCertificate {
    AgentCertificate {
        serial: serial.into(),
        not_after: i64::MAX / 2,
    }
}

async fn one_agent_ca_is_kept(store: &DataStore, _url: &str) {
    assert_eq!(store.agent_ca_get().await.unwrap(), None);
    let made = |n: u32| StoredCa {
        cert_pem: format!("cert {n}"),
        key_sealed: format!("key {n}"),
    };
    let kept = futures::future::join_all((0..4).map(|n| {
        let ca = made(n);
        async move { store.agent_ca_init(&ca).await.unwrap() }
    }))
    .await;
    assert!(
        kept.iter().all(|k| *k == kept[0]),
        "every replica keeps the same CA"
    );
    assert_eq!(store.agent_ca_get().await.unwrap(), Some(kept[0].clone()));
}

async fn a_join_token_enrolls_one_agent_once(store: &DataStore, _url: &str) {
    let s = site(store, "fra").await;
    let now = store.now_ms();
    let token = store
        .join_token_create(&NewJoinToken {
            site_id: s.id,
            secret_hash: "aa".repeat(32),
            created_by: "admin".into(),
            expires_at: now + 60_000,
        })
        .await
        .unwrap();
    assert_eq!(token.site_id, s.id);
    assert_eq!(token.used_at, None);
    // The wrong secret does not use it up.
    let wrong = store
        .join_token_redeem(
            token.id,
            &"bb".repeat(32),
            "key",
            AgentId::new(),
            &cert("01"),
        )
        .await
        .unwrap();
    assert_eq!(wrong.unwrap_err(), Unredeemable::Unknown);
    // Two agents at once: one enrolls.
    let hash = "aa".repeat(32);
    let tries = futures::future::join_all((0..4).map(|i| {
        let hash = hash.clone();
        async move {
            store
                .join_token_redeem(
                    token.id,
                    &hash,
                    &format!("key {i}"),
                    AgentId::new(),
                    &cert("02"),
                )
                .await
                .unwrap()
        }
    }))
    .await;
    let enrolled: Vec<_> = tries.iter().filter_map(|t| t.as_ref().ok()).collect();
    assert_eq!(enrolled.len(), 1, "{tries:?}");
    assert!(tries
        .iter()
        .filter_map(|t| t.as_ref().err())
        .all(|e| *e == Unredeemable::Used));
    let agent = enrolled[0].clone();
    assert_eq!(agent.site_id, s.id);
    assert_eq!(
        store.agent_list(s.id, None, 10).await.unwrap(),
        vec![agent.clone()]
    );
    let after = agent.id.to_string();
    assert!(store
        .agent_list(s.id, Some(&after), 10)
        .await
        .unwrap()
        .is_empty());
    let listed = store.join_token_list(s.id, None, 10).await.unwrap();
    assert_eq!(listed[0].agent_id, Some(agent.id));
    assert!(listed[0].used_at.is_some());
    assert!(
        matches!(
            store.join_token_delete(token.id).await,
            Err(scmp_common::Error::Conflict(_))
        ),
        "a used token stays"
    );
    // An expired token.
    let old = store
        .join_token_create(&NewJoinToken {
            site_id: s.id,
            secret_hash: "cc".repeat(32),
            created_by: "admin".into(),
            expires_at: now - 1,
        })
        .await
        .unwrap();
    let late = store
        .join_token_redeem(old.id, &"cc".repeat(32), "key", AgentId::new(), &cert("03"))
        .await
        .unwrap();
    assert_eq!(late.unwrap_err(), Unredeemable::Expired);
    // An unused one is withdrawn.
    store.join_token_delete(old.id).await.unwrap();
    assert_eq!(store.join_token_get(old.id).await.unwrap(), None);
    // Renewal, then revocation for good.
    assert!(store.agent_renewed(agent.id, &cert("04")).await.unwrap());
    assert_eq!(store.agent_get(agent.id).await.unwrap().cert_serial, "04");
    let revoked = store.agent_revoke(agent.id).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    assert!(!store.agent_renewed(agent.id, &cert("05")).await.unwrap());
    let again = store.agent_revoke(agent.id).await.unwrap();
    assert_eq!(again.revoked_at, revoked.revoked_at, "revoked once");
}

async fn a_deleted_site_takes_its_agents_along(store: &DataStore, _url: &str) {
    let s = site(store, "ams").await;
    let token = store
        .join_token_create(&NewJoinToken {
            site_id: s.id,
            secret_hash: "dd".repeat(32),
            created_by: "admin".into(),
            expires_at: store.now_ms() + 60_000,
        })
        .await
        .unwrap();
    let agent = store
        .join_token_redeem(
            token.id,
            &"dd".repeat(32),
            "key",
            AgentId::new(),
            &cert("01"),
        )
        .await
        .unwrap()
        .unwrap();
    store.site_delete(s.id).await.unwrap();
    assert!(store.agent_get(agent.id).await.is_err());
    assert!(store
        .join_token_list(s.id, None, 10)
        .await
        .unwrap()
        .is_empty());
}
