//! Second factors in the store, on SQLite and PostgreSQL: an enrolment can start again until it is
//! confirmed, not after; a time step is taken once and never one older than the last; a recovery
//! code works once; removing the factor (or the user) leaves nothing behind.
#![allow(clippy::unwrap_used)] // A test may unwrap: a panic fails it.

use scmp_common::Name;
use scmp_store::DataStore;
use scmp_test_utils::on_both;

on_both!(a_second_factor_is_taken_once);

async fn a_second_factor_is_taken_once(store: &DataStore, _url: &str) {
    let u = store
        .user_create(&Name::new("alice").unwrap(), "", None, None)
        .await
        .unwrap();
    assert_eq!(store.totp_get(u.id).await.unwrap(), None);
    store.totp_begin(u.id, "v1:sealed-1").await.unwrap();
    store.totp_begin(u.id, "v1:sealed-2").await.unwrap();
    let kept = store.totp_get(u.id).await.unwrap().unwrap();
    assert_eq!(
        (kept.secret_sealed.as_str(), kept.confirmed_at),
        ("v1:sealed-2", None)
    );
    // Not confirmed: no step is taken.
    assert!(!store.totp_take_step(u.id, 100).await.unwrap());
    let hashes: Vec<String> = (0..3).map(|i| format!("hash-{i}")).collect();
    assert!(store.totp_confirm(u.id, 100, &hashes).await.unwrap());
    assert!(
        !store.totp_confirm(u.id, 101, &hashes).await.unwrap(),
        "once"
    );
    assert!(
        store.totp_begin(u.id, "v1:sealed-3").await.is_err(),
        "confirmed: remove it first"
    );
    assert!(store.totp_users().await.unwrap().contains(&u.id));
    // The confirming step is taken; a later one once; an older one never.
    assert!(!store.totp_take_step(u.id, 100).await.unwrap());
    assert!(store.totp_take_step(u.id, 102).await.unwrap());
    assert!(!store.totp_take_step(u.id, 102).await.unwrap());
    assert!(!store.totp_take_step(u.id, 101).await.unwrap());
    assert!(store.recovery_code_take(u.id, "hash-1").await.unwrap());
    assert!(!store.recovery_code_take(u.id, "hash-1").await.unwrap());
    assert!(!store.recovery_code_take(u.id, "hash-9").await.unwrap());
    assert_eq!(store.recovery_codes_left(u.id).await.unwrap(), 2);
    store.totp_remove(u.id).await.unwrap();
    assert_eq!(store.totp_get(u.id).await.unwrap(), None);
    assert_eq!(store.recovery_codes_left(u.id).await.unwrap(), 0);
    // A user with a second factor can be deleted.
    store.totp_begin(u.id, "v1:sealed-4").await.unwrap();
    assert!(store.totp_confirm(u.id, 5, &hashes).await.unwrap());
    store.user_delete(u.id).await.unwrap();
    assert_eq!(store.totp_get(u.id).await.unwrap(), None);
}
