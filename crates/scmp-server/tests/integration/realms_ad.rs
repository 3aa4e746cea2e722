//! An Active Directory realm against Samba's AD domain controller (provisioned by the harness on
//! a loopback address of its own; it needs root for AD's fixed LDAP ports, so without root the
//! test is skipped and says so): logins by `sAMAccountName` or `userPrincipalName` reach the
//! same user, groups nested through `memberOf` chains count, a disabled account is refused even
//! with its password, and a sync brings neither disabled accounts nor computers.

use reqwest::Method;
use scmp_api::{AuditEntryView, GroupView, Page, RealmSyncReport, RealmTestView, SessionView};
use scmp_test_utils::helpers::{create_tenant, quota};
use scmp_test_utils::samba_ad::{self, SambaAd};
use scmp_test_utils::TestContext;

use super::realms::login;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn active_directory_logins_follow_its_rules() {
    let Some(ad) = SambaAd::start().await else {
        return;
    };
    let ctx = TestContext::new("realm-ad").await;
    let admin = &ctx.admin;
    create_tenant(admin, "acme", quota(4, 4, 4, 4)).await;
    let realm = json!({
        "name": "ad", "type": "ad", "tenant": "acme",
        "directory": {
            "server1": ad.address, "mode": "ldaps", "fingerprint": ad.fingerprint,
            "base_dn": samba_ad::BASE_DN, "group_dn": samba_ad::USERS_DN,
            "bind_dn": samba_ad::ADMIN_DN,
        },
        "secret": samba_ad::ADMIN_PASSWORD,
    });
    let r = admin.send(Method::POST, "/realms", Some(realm)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let t: RealmTestView = admin.act("/realms/ad/test").await;
    assert!(t.ok, "{t:?}");

    // By account name and by principal name: one user.
    let a = login(admin, "carol@ad", &samba_ad::password_of("carol")).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let upn = format!("carol@{}@ad", samba_ad::DOMAIN);
    let a = login(admin, &upn, &samba_ad::password_of("carol")).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let s: SessionView = a.json();
    let me: Value = admin.with_token(&s.token).get("/me").await;
    assert_eq!(me["name"], "carol-ad");
    // Team Leads is in Developers: carol is in both.
    let carol: Value = admin.get("/users/carol-ad").await;
    let id = carol["id"].as_str().unwrap().to_string();
    for g in ["team-leads-ad", "developers-ad"] {
        let g: GroupView = admin.get(&format!("/groups/{g}")).await;
        assert!(g.members.iter().any(|m| m.to_string() == id), "{g:?}");
    }

    // Disabled: refused with the right password, and the log says why.
    let a = login(admin, "dave@ad", &samba_ad::password_of("dave")).await;
    assert_eq!(a.status, 401, "{}", a.text);
    let log: Page<AuditEntryView> = admin.get("/audit?operation=session_create&limit=100").await;
    assert!(
        log.items
            .iter()
            .any(|e| e.error.as_deref().is_some_and(|m| m.contains("disabled"))),
        "{log:?}"
    );
    assert_eq!(
        login(admin, "alice@ad", "not-her-password").await.status,
        401
    );

    // A sync: no disabled accounts (dave, krbtgt, Guest), no computers (the DC's own account).
    let a = admin
        .send(
            Method::POST,
            "/realms/ad/sync",
            Some(json!({"dry_run": true})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let dry: RealmSyncReport = a.json();
    assert!(dry.users_added.contains(&"alice-ad".to_string()), "{dry:?}");
    for absent in ["dave-ad", "krbtgt-ad", "guest-ad", "dc1-ad"] {
        assert!(
            !dry.users_added.iter().any(|u| u == absent),
            "{absent}: {dry:?}"
        );
    }
    assert!(
        dry.groups_added.contains(&"domain-admins-ad".to_string()),
        "{dry:?}"
    );
}
