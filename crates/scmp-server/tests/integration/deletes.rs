//! Deleting what others depend on answers 409 `in-use` naming the dependents and changes
//! nothing; deleting in a workable order then removes everything, with what each resource owns.
//! (Every order is walked in the store's own suite, `scmp-store/tests/deletes.rs`.)

use reqwest::Method;
use scmp_api::{Page, RoleBindingView};
use scmp_common::OperationState;
use scmp_test_utils::helpers::{
    acme_web, create_group, create_guest, create_user, vm, wait_operation,
};
use scmp_test_utils::TestContext;
use serde_json::json;

async fn deletes_name_their_dependents(ctx: TestContext) {
    let c = &ctx.admin;
    let p = acme_web(c, 5).await;
    create_user(c, "alice", Some("acme"), None).await;
    create_group(c, "ops", Some("acme"), &["alice"]).await;
    for body in [
        json!({"subject": {"user": "alice"}, "role": "member", "scope": {"project": p.id}}),
        json!({"subject": {"group": "ops"}, "role": "tenant-auditor", "scope": {"tenant": "acme"}}),
    ] {
        let _: RoleBindingView = c.post("/role-bindings", &body).await;
    }
    let guest = create_guest(c, &p, &vm("web1")).await;
    let project = format!("/projects/{}", p.id);
    let in_use = [
        ("/tenants/acme", vec!["project", "user", "group"]),
        (project.as_str(), vec!["guest"]),
        ("/sites/fra", vec!["cluster"]),
        ("/clusters/fra-1", vec!["guest"]),
        ("/images/debian-12", vec!["guest"]),
    ];
    for (path, kinds) in &in_use {
        let a = c.send(Method::DELETE, path, None).await;
        assert_eq!(a.status, 409, "{path}: {}", a.text);
        let problem = a.problem();
        assert_eq!(problem.slug(), "in-use");
        let named: Vec<&str> = problem.dependents.iter().map(|d| d.kind.as_str()).collect();
        assert_eq!(&named, kinds, "{path}: {}", a.text);
        assert!(!problem.instance.is_empty());
    }
    let a = c.send(Method::DELETE, &project, None).await;
    assert!(
        a.problem().detail.contains("'web1'"),
        "the guest is named: {}",
        a.text
    );
    // Nothing was lost on the way.
    assert_eq!(
        c.send(Method::GET, &format!("/guests/{}", guest.id), None)
            .await
            .status,
        200
    );
    assert_eq!(c.send(Method::GET, "/users/alice", None).await.status, 200);
    // The guest, then everything else, in an order that works.
    let a = c
        .send(
            Method::DELETE,
            &format!("/guests/{}?wait=30", guest.id),
            None,
        )
        .await;
    assert_eq!(
        wait_operation(c, &a.json()).await.state,
        OperationState::Succeeded
    );
    for path in [
        "/users/alice",
        "/groups/ops",
        project.as_str(),
        "/tenants/acme",
        "/images/debian-12",
        "/instance-types/small",
        "/clusters/fra-1",
        "/sites/fra",
    ] {
        c.delete(path).await;
        assert_eq!(
            c.send(Method::GET, path, None).await.status,
            404,
            "{path} is gone"
        );
    }
    let left: Page<RoleBindingView> = c.get("/role-bindings").await;
    assert_eq!(
        left.items.len(),
        1,
        "only the administrator's own binding is left"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_name_their_dependents_on_sqlite() {
    deletes_name_their_dependents(TestContext::with_site("deletes-sqlite").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_name_their_dependents_on_postgresql() {
    if let Some(ctx) = TestContext::builder("deletes-pg")
        .sites(1)
        .postgres()
        .try_start()
        .await
    {
        deletes_name_their_dependents(ctx).await;
    }
}
