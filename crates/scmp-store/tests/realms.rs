//! Realms in the store, on SQLite and PostgreSQL: names are unique, a realm's user is found by its
//! login there and made once however many logins race for it, a user's memberships among the
//! realm's groups become exactly what is given (other groups untouched), and a realm with users
//! is not deleted while one without takes its groups along; a sign-on under way is found only
//! with its binding, its code exchanged once, and gives one session, whose ID token is kept.
#![allow(clippy::unwrap_used)] // A test may unwrap: a panic fails it.

use scmp_common::{Error, Name};
use scmp_store::{DataStore, RealmChange, RealmKind, RealmUser};
use scmp_test_utils::on_both;

fn name(s: &str) -> Name {
    Name::new(s).unwrap()
}

on_both!(
    a_realm_brings_its_users_and_groups_once,
    a_sign_on_gives_one_session_with_its_binding
);

async fn a_realm_brings_its_users_and_groups_once(store: &DataStore, _url: &str) {
    let r = store
        .realm_create(&name("corp"), None, RealmKind::Ldap, "", "{}", Some("v1:x"))
        .await
        .unwrap();
    let again = store
        .realm_create(&name("corp"), None, RealmKind::Ad, "", "{}", None)
        .await;
    assert!(matches!(again, Err(Error::AlreadyExists { .. })));
    let changed = store
        .realm_update(
            r.id,
            RealmChange {
                comment: Some("the directory"),
                settings: None,
                secret_sealed: Some(None),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (changed.comment.as_str(), changed.secret_sealed),
        ("the directory", None)
    );

    // Ten logins race to make the same user: one user.
    let alice = name("alice-corp");
    let new = RealmUser {
        login: "alice",
        name: &alice,
        email: "alice@corp.example",
        tenant_id: None,
    };
    let made =
        futures::future::join_all((0..10).map(|_| store.realm_user_upsert(r.id, &new))).await;
    let ids: std::collections::BTreeSet<_> =
        made.iter().map(|m| m.as_ref().unwrap().0.id).collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(made.iter().filter(|m| m.as_ref().unwrap().1).count(), 1);
    let u = store.realm_user(r.id, "alice").await.unwrap().unwrap();
    assert_eq!(
        (u.realm.as_ref().map(Name::as_str), u.realm()),
        (Some("corp"), "corp")
    );
    // A name that is another user's is a conflict, not a takeover.
    store
        .user_create(&name("bob-corp"), "", None, None)
        .await
        .unwrap();
    let bob = RealmUser {
        login: "bob",
        name: &name("bob-corp"),
        email: "",
        tenant_id: None,
    };
    assert!(matches!(
        store.realm_user_upsert(r.id, &bob).await,
        Err(Error::Conflict(_))
    ));

    // Memberships among the realm's groups only.
    let (devs, made) = store
        .realm_group_ensure(r.id, "devs", &name("devs-corp"), None)
        .await
        .unwrap();
    assert!(made);
    let (ops, _) = store
        .realm_group_ensure(r.id, "ops", &name("ops-corp"), None)
        .await
        .unwrap();
    assert_eq!(
        store
            .realm_group_ensure(r.id, "devs", &name("devs-corp"), None)
            .await
            .unwrap(),
        (devs, false)
    );
    let local = store
        .group_create(&name("local"), None, "", &[u.id])
        .await
        .unwrap();
    let c = store
        .realm_memberships_set(r.id, u.id, &[devs, ops])
        .await
        .unwrap();
    assert_eq!((c.added.len(), c.removed.len()), (2, 0));
    let c = store
        .realm_memberships_set(r.id, u.id, &[ops])
        .await
        .unwrap();
    assert_eq!((c.added, c.removed), (vec![], vec![devs]));
    let local = store.group_lookup(&local.id.to_string()).await.unwrap();
    assert_eq!(
        local.members,
        vec![u.id],
        "scmp's own groups are not the realm's"
    );
    let groups = store.realm_groups(r.id).await.unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].1.realm_id, Some(r.id));

    // Users keep the realm; without them it goes, with its groups.
    assert!(matches!(
        store.realm_delete(r.id).await,
        Err(Error::Conflict(_))
    ));
    store.user_delete(u.id).await.unwrap();
    store.realm_delete(r.id).await.unwrap();
    assert!(store.group_lookup("devs-corp").await.is_err());
    assert!(store.group_lookup("local").await.is_ok());
}

async fn a_sign_on_gives_one_session_with_its_binding(store: &DataStore, _url: &str) {
    let r = store
        .realm_create(&name("idp"), None, RealmKind::OpenId, "", "{}", None)
        .await
        .unwrap();
    let login = scmp_store::SsoLogin {
        state: "state-1".into(),
        realm_id: r.id,
        nonce: "n".into(),
        verifier_sealed: "v1:v".into(),
        redirect_uri: "https://portal.example/".into(),
        user_id: None,
        id_token: None,
    };
    let later = store.now_ms() + 60_000;
    store
        .sso_login_begin(&login, "binding-hash", later)
        .await
        .unwrap();
    assert!(store
        .sso_login_get(r.id, "state-1", "another-binding")
        .await
        .unwrap()
        .is_none());
    let got = store
        .sso_login_get(r.id, "state-1", "binding-hash")
        .await
        .unwrap();
    assert_eq!(got, Some(login));
    let u = store
        .user_create(&name("carol-idp"), "", None, None)
        .await
        .unwrap();
    assert!(store
        .sso_login_verified("state-1", u.id, "id.token.x")
        .await
        .unwrap());
    assert!(
        !store
            .sso_login_verified("state-1", u.id, "id.token.y")
            .await
            .unwrap(),
        "the code is exchanged once"
    );
    let issued = store
        .credential_issue(
            u.id,
            scmp_store::CredentialKind::Session,
            "sso",
            Some(later),
        )
        .await
        .unwrap();
    assert!(store
        .sso_login_finish("state-1", issued.credential.id)
        .await
        .unwrap());
    assert!(!store
        .sso_login_finish("state-1", issued.credential.id)
        .await
        .unwrap());
    assert!(store
        .sso_login_get(r.id, "state-1", "binding-hash")
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store.sso_session(issued.credential.id).await.unwrap(),
        Some((r.id, "id.token.x".to_string()))
    );
    // The user goes with what it owns.
    store.user_delete(u.id).await.unwrap();
    assert_eq!(store.sso_session(issued.credential.id).await.unwrap(), None);
}
