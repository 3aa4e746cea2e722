//! Backups: every guest of a project backed up now (an operation, an event), listed with time,
//! size and protection, protected (then not deletable) and deleted; a tenant cannot list, take or
//! restore another tenant's backups; a failed backup raises an event; a restore in place needs a
//! confirmation, backs the guest up first, and leaves it running from the backup.

use reqwest::{Method, StatusCode};
use scmp_api::{BackupView, GuestView, OperationView, Page};
use scmp_common::{GuestEventKind, GuestState, OperationState};
use scmp_test_utils::helpers::{
    acme_web, create_guest, create_tenant, room_for, tenant_user, vm, wait_operation,
};
use scmp_test_utils::{Client, TestContext};
use serde_json::json;

async fn backup(c: &Client, g: &GuestView) -> OperationView {
    let op: OperationView = c
        .post(&format!("/guests/{}/backups?wait=30", g.id), &json!({}))
        .await;
    wait_operation(c, &op).await
}

async fn backups(c: &Client, g: &GuestView) -> Vec<BackupView> {
    let p: Page<BackupView> = c.get(&format!("/guests/{}/backups", g.id)).await;
    p.items
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_are_taken_listed_protected_deleted_and_restored() {
    let ctx = TestContext::with_site("backups").await;
    let p = acme_web(&ctx.admin, 5).await;
    let guests = [
        create_guest(&ctx.admin, &p, &vm("web1")).await,
        create_guest(&ctx.admin, &p, &vm("web2")).await,
    ];
    for g in &guests {
        assert_eq!(backup(&ctx.admin, g).await.state, OperationState::Succeeded);
        let list = backups(&ctx.admin, g).await;
        assert_eq!(list.len(), 1, "{list:?}");
        assert!(list[0].size_bytes > 0 && !list[0].protected, "{list:?}");
        assert!(list[0]
            .notes
            .as_deref()
            .unwrap()
            .contains(&g.id.to_string()));
        let now: GuestView = ctx.admin.get(&format!("/guests/{}", g.id)).await;
        assert_eq!(now.state, GuestState::Running);
        assert!(now
            .events
            .iter()
            .any(|e| e.kind == GuestEventKind::BackedUp));
    }
    let g = &guests[0];
    let b = backups(&ctx.admin, g).await.remove(0);

    // Another tenant sees nothing of them.
    create_tenant(&ctx.admin, "other", room_for(1)).await;
    let (stranger, _) = tenant_user(&ctx, "mallory", "other").await;
    let a = stranger
        .send(Method::GET, &format!("/guests/{}/backups", g.id), None)
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.text);
    let a = stranger
        .send(
            Method::POST,
            &format!("/guests/{}/restore", g.id),
            Some(json!({"backup": b.id, "confirm": true})),
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.text);

    // Protected: not deleted until the protection is lifted.
    let v: BackupView = ctx
        .admin
        .act(&format!("/guests/{}/backups/{}/protect", g.id, b.id))
        .await;
    assert!(v.protected);
    let a = ctx
        .admin
        .send(
            Method::DELETE,
            &format!("/guests/{}/backups/{}", g.id, b.id),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.text);
    let _: BackupView = ctx
        .admin
        .act(&format!("/guests/{}/backups/{}/unprotect", g.id, b.id))
        .await;

    // Restore in place: refused without confirmation; with it, a backup first, then the restore.
    let a = ctx
        .admin
        .send(
            Method::POST,
            &format!("/guests/{}/restore", g.id),
            Some(json!({"backup": b.id})),
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text);
    assert!(a.text.contains("confirm"), "{}", a.text);
    let op: OperationView = ctx
        .admin
        .post(
            &format!("/guests/{}/restore?wait=30", g.id),
            &json!({"backup": b.id, "confirm": true}),
        )
        .await;
    let op = wait_operation(&ctx.admin, &op).await;
    assert_eq!(op.state, OperationState::Succeeded, "{op:?}");
    let now: GuestView = ctx.admin.get(&format!("/guests/{}", g.id)).await;
    assert_eq!(
        now.state,
        GuestState::Running,
        "running again after the restore"
    );
    assert!(now
        .events
        .iter()
        .any(|e| e.kind == GuestEventKind::Restored));
    let list = backups(&ctx.admin, g).await;
    assert!(
        list.iter().any(|x| x
            .notes
            .as_deref()
            .is_some_and(|n| n.contains("before restore"))),
        "the backup taken before the restore: {list:?}"
    );

    // Deleted: gone from the list.
    let a = ctx
        .admin
        .send(
            Method::DELETE,
            &format!("/guests/{}/backups/{}?wait=30", g.id, b.id),
            None,
        )
        .await;
    assert!(
        matches!(a.status, StatusCode::OK | StatusCode::ACCEPTED),
        "{}",
        a.text
    );
    let op: OperationView = serde_json::from_value(a.body).unwrap();
    assert_eq!(
        wait_operation(&ctx.admin, &op).await.state,
        OperationState::Succeeded
    );
    assert!(!backups(&ctx.admin, g).await.iter().any(|x| x.id == b.id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_backup_raises_an_event() {
    let ctx = TestContext::with_site("backup-fails").await;
    let p = acme_web(&ctx.admin, 5).await;
    let g = create_guest(&ctx.admin, &p, &vm("web1")).await;
    // Something else holds the guest's lock on Proxmox.
    ctx.site()
        .sim
        .cluster()
        .guests
        .get_mut(&g.vmid.unwrap())
        .unwrap()
        .lock = Some("migrate".into());
    let op = backup(&ctx.admin, &g).await;
    assert_eq!(op.state, OperationState::Failed, "{op:?}");
    let now: GuestView = ctx.admin.get(&format!("/guests/{}", g.id)).await;
    let event = now
        .events
        .iter()
        .find(|e| e.kind == GuestEventKind::BackupFailed)
        .expect("a backup_failed event");
    assert!(event.detail.contains("locked (migrate)"), "{event:?}");
    assert_eq!(now.state, GuestState::Running, "back as it was");
}
