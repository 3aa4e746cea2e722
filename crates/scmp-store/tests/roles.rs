//! Custom roles in the store, on SQLite and PostgreSQL: names are unique, changes keep what is not
//! given, the definitions of the roles a user's bindings name are found by name, and a role is
//! never deleted while a binding names it, even when a delete and new bindings race.
#![allow(clippy::unwrap_used)] // A test may unwrap: a panic fails it.

use scmp_common::{Error, Name};
use scmp_store::{BindingSubject, DataStore, RoleLevel};
use scmp_test_utils::on_both;

fn name(s: &str) -> Name {
    Name::new(s).unwrap()
}

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

on_both!(a_role_in_use_is_never_deleted);

async fn a_role_in_use_is_never_deleted(store: &DataStore, _url: &str) {
    let role = store
        .custom_role_create(
            &name("watcher"),
            None,
            RoleLevel::Project,
            "watches",
            &ids(&["guest_view"]),
        )
        .await
        .unwrap();
    let again = store
        .custom_role_create(&name("watcher"), None, RoleLevel::Tenant, "", &[])
        .await;
    assert!(matches!(again, Err(Error::AlreadyExists { .. })));
    let changed = store
        .custom_role_update(role.id, None, Some(&ids(&["guest_view", "guest_list"])))
        .await
        .unwrap();
    assert_eq!(
        (changed.description.as_str(), changed.actions.len()),
        ("watches", 2)
    );
    let found = store
        .custom_roles_named(&["watcher", "viewer", "nothing"])
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].level, RoleLevel::Project);

    // A delete racing new bindings: either the role is gone and no binding names it, or it stays
    // with every binding made.
    for round in 0..5 {
        let role = store
            .custom_role_create(
                &name(&format!("racer-{round}")),
                None,
                RoleLevel::Platform,
                "",
                &ids(&["site_view"]),
            )
            .await
            .unwrap();
        let user = store
            .user_create(&name(&format!("user-{round}")), "", None, None)
            .await
            .unwrap();
        let subject = BindingSubject::User(user.id);
        let binds = futures::future::join_all(
            (0..4).map(|_| store.custom_role_binding_create(&subject, &role, None, None)),
        );
        let (made, deleted) = tokio::join!(binds, store.custom_role_delete(role.id));
        let bound = made.iter().filter(|m| m.is_ok()).count();
        let names: Vec<String> = store
            .bindings_of(user.id)
            .await
            .unwrap()
            .into_iter()
            .map(|b| b.role)
            .collect();
        assert_eq!(names.len(), bound, "round {round}");
        match deleted {
            Ok(()) => assert_eq!(bound, 0, "round {round}: deleted while bound"),
            Err(Error::InUse { .. }) => {
                assert!(bound > 0, "round {round}");
                assert!(store.custom_role_lookup(&role.id.to_string()).await.is_ok());
            }
            Err(e) => panic!("round {round}: {e}"),
        }
        for m in made.iter().filter(|m| m.is_err()) {
            assert!(
                matches!(m, Err(Error::NotFound { .. })),
                "round {round}: {m:?}"
            );
        }
    }
}
