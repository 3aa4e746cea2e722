//! Directory realms against a real OpenLDAP (`slapd` on loopback, seeded by the harness): a
//! tenant's users log in as `user@realm` with the directory's password (a bind as the user),
//! their groups, nested ones included, become `<group>-<realm>` groups whose role bindings give
//! their rights, and a user taken out of a group loses the role at the next login. Injection in
//! the user name, wrong passwords, a certificate that does not match, another tenant's realm
//! and more people than one unpaged search answers are all tried; the sync's dry run answers
//! what a sync then does.

use reqwest::Method;
use scmp_api::{
    AuditEntryView, GroupView, Page, RealmSyncReport, RealmTestView, RealmView, SessionView,
};
use scmp_test_utils::helpers::{create_project, create_tenant, create_user, quota};
use scmp_test_utils::slapd::{self, Slapd};
use scmp_test_utils::{Answer, Client, TestContext};
use serde_json::{json, Value};

/// The realm `corp` of tenant `acme` over the directory, on LDAPS with the directory's CA.
fn corp(d: &Slapd, extra: Value) -> Value {
    let mut directory = json!({
        "server1": "127.0.0.1",
        "port": d.ldaps_port,
        "mode": "ldaps",
        "ca_pem": d.ca_pem,
        "base_dn": format!("ou=people,{}", slapd::BASE_DN),
        "bind_dn": slapd::BIND_DN,
        "group_dn": format!("ou=groups,{}", slapd::BASE_DN),
    });
    if let (Some(o), Some(e)) = (directory.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    json!({
        "name": "corp", "type": "ldap", "tenant": "acme",
        "directory": directory, "secret": slapd::BIND_PASSWORD,
    })
}

/// `session_create` with a user name and password.
pub(super) async fn login(c: &Client, username: &str, password: &str) -> Answer {
    c.anonymous()
        .send(
            Method::POST,
            "/sessions",
            Some(json!({"username": username, "password": password})),
        )
        .await
}

async fn session(c: &Client, uid: &str) -> Client {
    let a = login(c, &format!("{uid}@corp"), &slapd::password_of(uid)).await;
    assert_eq!(a.status, 201, "{uid}: {}", a.text);
    let s: SessionView = a.json();
    c.with_token(&s.token)
}

async fn sync(c: &Client, body: Value) -> RealmSyncReport {
    let a = c.send(Method::POST, "/realms/corp/sync", Some(body)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directory_users_log_in_and_their_groups_give_their_roles() {
    let Some(dir) = Slapd::start().await else {
        return;
    };
    let ctx = TestContext::new("realm-login").await;
    let admin = &ctx.admin;
    create_tenant(admin, "acme", quota(4, 4, 4, 4)).await;
    let web = create_project(admin, "acme", "web", quota(4, 4, 4, 4)).await;

    let made = admin
        .send(Method::POST, "/realms", Some(corp(&dir, json!({}))))
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    assert!(
        !made.text.contains(slapd::BIND_PASSWORD),
        "the secret is never answered"
    );
    let r: RealmView = made.json();
    assert!(r.secret_set);

    let t: RealmTestView = admin.act("/realms/corp/test").await;
    assert!(t.ok, "{t:?}");
    let steps: Vec<&str> = t.steps.iter().map(|s| s.step.as_str()).collect();
    assert_eq!(steps, ["dns", "tcp", "tls", "bind", "search"]);

    // Groups first, so that roles can be bound before anyone logs in; the dry run answers the
    // difference and changes nothing.
    let dry = sync(admin, json!({"scope": "groups", "dry_run": true})).await;
    assert_eq!(
        dry.groups_added,
        ["devs-corp", "leads-corp", "ops-corp", "staff-corp"]
    );
    let groups: Page<GroupView> = admin.get("/groups?tenant=acme").await;
    assert!(groups.items.is_empty(), "a dry run changes nothing");
    let done = sync(admin, json!({"scope": "groups"})).await;
    assert_eq!(done.groups_added, dry.groups_added);
    let bind = json!({"subject": {"group": "devs-corp"}, "role": "member",
                      "scope": {"project": web.id}});
    let b = admin.send(Method::POST, "/role-bindings", Some(bind)).await;
    assert_eq!(b.status, 201, "{}", b.text);

    // Carol is in leads, which is in devs: a member of web through nesting.
    let carol = session(admin, "carol").await;
    let me: Value = carol.get("/me").await;
    assert_eq!(me["name"], "carol-corp", "{me}");
    let user: Value = admin.get("/users/carol-corp").await;
    assert_eq!(
        (&user["realm"], &user["tenant"]),
        (&json!("corp"), &json!("acme"))
    );
    assert_eq!(user["email"], "carol@corp.example");
    let guests = &format!("/projects/{}/guests", web.id);
    assert_eq!(carol.send(Method::GET, guests, None).await.status, 200);
    let bob = session(admin, "bob").await;
    assert_eq!(bob.send(Method::GET, guests, None).await.status, 404);

    // Wrong passwords, an empty one (an anonymous bind would succeed), and filters in the name.
    for (user, pw) in [
        ("carol@corp", "not-her-password"),
        ("carol@corp", ""),
        ("*@corp", &slapd::password_of("carol")),
        ("*)(uid=*))(|(uid=*@corp", &slapd::password_of("carol")),
        ("carol)(uid=*@corp", &slapd::password_of("carol")),
        ("nobody@corp", "whatever-it-is"),
    ] {
        let a = login(admin, user, pw).await;
        assert_eq!(a.status, 401, "{user}: {}", a.text);
    }

    // Leads taken out of devs in the directory: carol is out of devs-corp, and of web, at her
    // next login (still in leads-corp).
    dir.remove_member("devs", &slapd::group_dn("leads"));
    let carol = session(admin, "carol").await;
    assert_eq!(carol.send(Method::GET, guests, None).await.status, 404);
    let devs: GroupView = admin.get("/groups/devs-corp").await;
    let leads: GroupView = admin.get("/groups/leads-corp").await;
    assert_eq!(
        (devs.members.len(), leads.members.len()),
        (0, 1),
        "{devs:?}"
    );
    let edit = admin
        .send(
            Method::PUT,
            "/groups/leads-corp",
            Some(json!({"members": ["bob-corp"]})),
        )
        .await;
    assert_eq!(edit.status, 400, "the directory decides: {}", edit.text);

    // Every attempt is audited with the realm and the method.
    let log: Page<AuditEntryView> = admin
        .get("/audit?tenant=acme&operation=session_create&limit=100")
        .await;
    let ends: Vec<&AuditEntryView> = log
        .items
        .iter()
        .filter(|e| e.phase == scmp_common::AuditPhase::End)
        .collect();
    assert!(ends.len() >= 3, "{}", ends.len());
    for e in &ends {
        assert_eq!(e.actor.realm.as_deref(), Some("corp"), "{e:?}");
        assert_eq!(e.credential.kind, scmp_common::AuthMethod::Directory);
    }
    let all: Page<AuditEntryView> = admin.get("/audit?operation=session_create&limit=100").await;
    let failed = all
        .items
        .iter()
        .filter(|e| e.result == scmp_common::AuditResult::Error)
        .count();
    assert!(failed >= 6, "failures audited too: {failed}");
    let joined: Page<AuditEntryView> = admin
        .get("/audit?tenant=acme&operation=group_member_remove")
        .await;
    assert!(!joined.items.is_empty(), "membership changes are audited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_pages_past_the_size_limit_and_its_dry_run_tells_the_difference() {
    let Some(dir) = Slapd::start().await else {
        return;
    };
    let ctx = TestContext::new("realm-sync").await;
    let admin = &ctx.admin;
    create_tenant(admin, "acme", quota(4, 4, 4, 4)).await;
    let r = admin
        .send(Method::POST, "/realms", Some(corp(&dir, json!({}))))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);

    let first = sync(admin, json!({})).await;
    // Three people and the fillers: more than one search without paging answers.
    assert_eq!(first.users_added.len(), 3 + slapd::FILLER_PEOPLE);
    const { assert!(slapd::FILLER_PEOPLE > slapd::SIZE_LIMIT) };
    assert!(first.users_added.contains(&"user120-corp".to_string()));
    let staff: GroupView = admin.get("/groups/staff-corp").await;
    assert_eq!(staff.members.len(), slapd::FILLER_PEOPLE);
    let devs: GroupView = admin.get("/groups/devs-corp").await;
    assert_eq!(devs.members.len(), 2, "alice, and carol through leads");

    let again = sync(admin, json!({})).await;
    assert_eq!(again, RealmSyncReport::default(), "nothing left to do");

    dir.delete_person("user007");
    dir.remove_member("devs", &slapd::person_dn("alice"));
    let dry = sync(admin, json!({"remove_vanished": true, "dry_run": true})).await;
    assert!(dry.dry_run);
    assert_eq!(dry.users_removed, ["user007-corp"]);
    assert_eq!(dry.memberships_removed.len(), 1, "{dry:?}");
    assert_eq!(dry.memberships_removed[0].user, "alice-corp");
    assert_eq!(dry.memberships_removed[0].group, "devs-corp");
    let still = admin.send(Method::GET, "/users/user007-corp", None).await;
    assert_eq!(still.status, 200, "a dry run changes nothing");

    let done = sync(admin, json!({"remove_vanished": true})).await;
    assert_eq!(
        (done.users_removed.clone(), done.memberships_removed.clone()),
        (dry.users_removed.clone(), dry.memberships_removed.clone())
    );
    let gone = admin.send(Method::GET, "/users/user007-corp", None).await;
    assert_eq!(gone.status, 404);
    let log: Page<AuditEntryView> = admin.get("/audit?operation=realm_sync").await;
    assert!(!log.items.is_empty(), "syncs are audited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trust_settings_and_tenancy_are_enforced() {
    let Some(dir) = Slapd::start().await else {
        return;
    };
    let ctx = TestContext::new("realm-trust").await;
    let admin = &ctx.admin;
    create_tenant(admin, "acme", quota(4, 4, 4, 4)).await;
    create_tenant(admin, "globex", quota(4, 4, 4, 4)).await;

    // Settings are checked before anything is stored.
    for (body, field) in [
        (
            corp(&dir, json!({"filter": "(objectClass=person"})),
            "directory.filter",
        ),
        (
            corp(&dir, json!({"user_attr": "uid)(x"})),
            "directory.user_attr",
        ),
        (
            corp(&dir, json!({"fingerprint": "AA:BB"})),
            "directory.fingerprint",
        ),
        (
            corp(&dir, json!({"server1": "ldaps://x"})),
            "directory.server1",
        ),
        (
            json!({"name": "corp", "type": "ldap", "tenant": "acme",
                   "directory": corp(&dir, json!({}))["directory"]}),
            "secret",
        ),
        (
            json!({"name": "corp", "type": "openid",
                   "directory": corp(&dir, json!({}))["directory"]}),
            "openid",
        ),
    ] {
        let a = admin.send(Method::POST, "/realms", Some(body)).await;
        assert_eq!(a.status, 400, "{}", a.text);
        assert_eq!(a.field().as_deref(), Some(field), "{}", a.text);
    }

    // A certificate that does not name the server: the TLS step fails, and so does a login.
    let r = admin
        .send(
            Method::POST,
            "/realms",
            Some(corp(&dir, json!({"server1": "localhost"}))),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let t: RealmTestView = admin.act("/realms/corp/test").await;
    assert!(!t.ok);
    let last = t.steps.last().unwrap();
    assert_eq!(last.step, "tls", "{t:?}");
    assert!(last.detail.contains("certificate"), "{}", last.detail);
    let a = login(admin, "alice@corp", &slapd::password_of("alice")).await;
    assert_eq!(a.status, 503, "{}", a.text);

    // A pinned fingerprint: the wrong one fails at TLS, the right one passes.
    let pin = |fp: &str| json!({"directory": corp(&dir, json!({"fingerprint": fp}))["directory"]});
    let wrong = vec!["AB"; 32].join(":");
    let u = admin
        .send(Method::PUT, "/realms/corp", Some(pin(&wrong)))
        .await;
    assert_eq!(u.status, 200, "{}", u.text);
    let t: RealmTestView = admin.act("/realms/corp/test").await;
    assert_eq!(t.steps.last().map(|s| s.step.as_str()), Some("tls"));
    admin
        .send(Method::PUT, "/realms/corp", Some(pin(&dir.fingerprint)))
        .await;
    let t: RealmTestView = admin.act("/realms/corp/test").await;
    assert!(t.ok, "{t:?}");

    // Plain LDAP works where asked, and says what it is.
    let plain = json!({"directory": corp(&dir, json!({"mode": "ldap", "port": dir.ldap_port}))["directory"]});
    admin.send(Method::PUT, "/realms/corp", Some(plain)).await;
    let t: RealmTestView = admin.act("/realms/corp/test").await;
    assert!(t.ok && t.steps[2].detail.contains("plain"), "{t:?}");
    // A wrong service password: the bind step says so.
    let bad = admin
        .send(
            Method::PUT,
            "/realms/corp",
            Some(json!({"secret": "not-the-password"})),
        )
        .await;
    assert_eq!(bad.status, 200);
    let t: RealmTestView = admin.act("/realms/corp/test").await;
    assert_eq!(
        t.steps.last().map(|s| s.step.as_str()),
        Some("bind"),
        "{t:?}"
    );
    admin
        .send(
            Method::PUT,
            "/realms/corp",
            Some(json!({"secret": slapd::BIND_PASSWORD})),
        )
        .await;

    // Another tenant's realm: not seen, not usable for its users.
    create_user(
        admin,
        "gadmin",
        Some("globex"),
        Some("globex-admin-password"),
    )
    .await;
    scmp_test_utils::helpers::bind_on_tenant(admin, "tenant-admin", "gadmin", "globex").await;
    let s: SessionView = login(admin, "gadmin", "globex-admin-password").await.json();
    let gadmin = admin.with_token(&s.token);
    assert_eq!(
        gadmin.send(Method::GET, "/realms/corp", None).await.status,
        404
    );
    let listed: Page<RealmView> = gadmin.get("/realms?tenant=globex").await;
    assert!(listed.items.is_empty());
    let steal = gadmin
        .send(
            Method::POST,
            "/users",
            Some(json!({"name": "alice", "tenant": "globex", "realm": "corp"})),
        )
        .await;
    assert_eq!(steal.status, 400, "{}", steal.text);
    assert_eq!(steal.field().as_deref(), Some("realm"));
    let sync = gadmin
        .send(Method::POST, "/realms/corp/sync", Some(json!({})))
        .await;
    assert_eq!(sync.status, 404);
    // Globex's own user is not the directory's: logging in through corp is refused.
    let a = login(admin, "gadmin@corp", "globex-admin-password").await;
    assert_eq!(a.status, 401);
    // A directory user who logs in through corp is acme's, never globex's.
    session(admin, "alice").await;
    let alice: Value = admin.get("/users/alice-corp").await;
    assert_eq!(alice["tenant"], "acme");

    // A realm with users cannot be deleted.
    let del = admin.send(Method::DELETE, "/realms/corp", None).await;
    assert_eq!(del.status, 409, "{}", del.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_sync_brings_the_directory_over() {
    let Some(dir) = Slapd::start().await else {
        return;
    };
    let ctx = TestContext::new("realm-schedule").await;
    let admin = &ctx.admin;
    create_tenant(admin, "acme", quota(4, 4, 4, 4)).await;
    let mut body = corp(&dir, json!({}));
    body["sync"] = json!({"every_minutes": 1, "scope": "groups"});
    let r = admin.send(Method::POST, "/realms", Some(body)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let v: RealmView = r.json();
    assert_eq!(v.sync.as_ref().map(|s| s.every_minutes), Some(1));
    let ended = |log: &Page<AuditEntryView>| -> Vec<AuditEntryView> {
        log.items
            .iter()
            .filter(|e| e.phase == scmp_common::AuditPhase::End)
            .cloned()
            .collect()
    };
    let mut runs = Vec::new();
    for _ in 0..100 {
        let log: Page<AuditEntryView> = admin.get("/audit?operation=realm_sync").await;
        runs = ended(&log);
        if !runs.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!runs.is_empty(), "the schedule ran");
    let devs = admin.send(Method::GET, "/groups/devs-corp", None).await;
    assert_eq!(devs.status, 200, "the schedule synced the realm's groups");
    // Another few ticks: still the one run.
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let log: Page<AuditEntryView> = admin.get("/audit?operation=realm_sync").await;
    let runs = ended(&log);
    assert_eq!(
        runs.len(),
        1,
        "once per interval, not at every tick: {runs:?}"
    );
    assert_eq!(runs[0].actor.id, "platform");
    assert_eq!(runs[0].credential.kind, scmp_common::AuthMethod::Workflow);
    // None longer than a week.
    let mut bad = corp(&dir, json!({}));
    bad["name"] = json!("corp2");
    bad["sync"] = json!({"every_minutes": 20000});
    let a = admin.send(Method::POST, "/realms", Some(bad)).await;
    assert_eq!(
        (a.status.as_u16(), a.field().as_deref()),
        (400, Some("sync.every_minutes")),
        "{}",
        a.text
    );
}
