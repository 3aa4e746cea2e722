//! A site's own audit chain at the centre: an entry joins the audit log once however often it is
//! sent (a replay on a new session, as after a restart, included), one not signed by the site's
//! agent is refused loudly and not kept, and `GET /audit/verify` checks every kept entry against
//! the agent's key, naming the first one changed beneath it. A site's usage records are kept once,
//! and only for the guests its own chain says it made.

use std::time::Duration;

use scmp_agent::link::chain::GENESIS;
use scmp_agent::link::{
    ChainSigner, Down, LocalEvent, LocalGuest, SiteAuditEntry, SiteUsage, Socket, Up, UpBody,
};
use scmp_api::{AuditEntryView, Page};
use scmp_common::{AuthMethod, GuestId, ProjectId, TenantId};
use scmp_test_utils::TestContext;

use crate::agent_link::{enrolled, hello, linked, next, send};

fn event(operation: &str) -> LocalEvent {
    LocalEvent {
        at_ms: 1,
        operation: operation.into(),
        guest: GuestId::new(),
        method: AuthMethod::BreakGlass,
        source: "192.0.2.7".into(),
        error: None,
        upids: vec![],
        made: None,
        actor: None,
    }
}

/// Sends `entry` as numbered message `seq` and waits until it is acknowledged.
async fn deliver(s: &mut Socket, seq: u64, entry: &SiteAuditEntry) {
    deliver_body(s, seq, UpBody::Local(entry.clone())).await
}

async fn deliver_body(s: &mut Socket, seq: u64, body: UpBody) {
    let up = Up::Message { seq, body };
    send(s, &up).await;
    for _ in 0..20 {
        if let Down::Ack { upto } = next(s).await {
            if upto >= seq {
                return;
            }
        }
    }
    panic!("message {seq} was not acknowledged");
}

async fn site_entries(ctx: &TestContext) -> Vec<AuditEntryView> {
    let page: Page<AuditEntryView> = ctx.admin.get("/audit?limit=1000").await;
    page.items
        .into_iter()
        .filter(|e| e.request_id.starts_with("site-"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_audit_entry_joins_the_log_once_and_is_verified_against_the_agents_key() {
    let ctx = TestContext::builder("site-audit")
        .sync_interval(Duration::from_secs(3600))
        .start()
        .await;
    let a = enrolled(&ctx, "edge").await;
    let signer = ChainSigner::from_pem(&a.key_pem).unwrap();
    let first = signer.seal(1, GENESIS, &event("guest_stop")).unwrap();
    let second = signer.seal(2, &first.hash, &event("guest_start")).unwrap();

    let (mut s, d) = linked(&ctx, &a, hello(&a, "edge-1")).await;
    assert!(matches!(d, Down::Welcome { .. }), "{d:?}");
    deliver(&mut s, 1, &first).await;
    drop(s);

    // A new session (a new stream, as after the agent lost its journal's numbering or the
    // centre restarted) sends the first entry again, then the second.
    let (mut s, _) = linked(&ctx, &a, hello(&a, "edge-1")).await;
    deliver(&mut s, 1, &first).await;
    deliver(&mut s, 2, &second).await;
    // Not signed by the site's agent: refused, not kept.
    let stranger =
        ChainSigner::from_pem(&rcgen::KeyPair::generate().unwrap().serialize_pem()).unwrap();
    let forged = stranger
        .seal(3, &second.hash, &event("guest_delete"))
        .unwrap();
    deliver(&mut s, 3, &forged).await;

    let entries = site_entries(&ctx).await;
    let ops: Vec<&str> = entries.iter().map(|e| e.operation.as_str()).collect();
    assert_eq!(
        ops,
        ["guest_stop", "guest_start", "site_audit_entry"],
        "{entries:?}"
    );
    assert!(entries[..2]
        .iter()
        .all(|e| e.actor.id.contains("break-glass@site:")));
    assert!(
        entries[2]
            .error
            .as_deref()
            .unwrap_or("")
            .contains("not signed"),
        "{:?}",
        entries[2]
    );
    let verify: serde_json::Value = ctx.admin.get("/audit/verify").await;
    assert_eq!(verify["state"], "intact", "{verify}");
    assert_eq!(verify["site_entries"], 2, "{verify}");

    // Changed beneath the centre: verification names the entry and the agent.
    sqlx::any::install_default_drivers();
    let url = ctx
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", ctx.dir().join("scmp.db").display()));
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::query("UPDATE site_audit_entries SET body = REPLACE(body, 'guest_start', 'guest_reboot') WHERE seq = 2")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let verify: serde_json::Value = ctx.admin.get("/audit/verify").await;
    assert_eq!(verify["state"], "broken", "{verify}");
    assert_eq!(verify["broken_at"], 2, "{verify}");
    let reason = verify["reason"].as_str().unwrap_or("");
    assert!(
        reason.contains(&a.enrolled.agent.id.to_string()) && reason.contains("changed"),
        "{verify}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_reports_the_usage_of_the_guests_it_made_only_and_each_hour_once() {
    let ctx = TestContext::builder("site-usage")
        .sync_interval(Duration::from_secs(3600))
        .start()
        .await;
    let a = enrolled(&ctx, "edge").await;
    let signer = ChainSigner::from_pem(&a.key_pem).unwrap();
    let (project, tenant) = (ProjectId::new(), TenantId::new());
    let mut made = event("guest_create");
    made.made = Some(LocalGuest {
        project,
        tenant,
        name: scmp_common::Name::new("local-1").unwrap(),
        kind: scmp_common::GuestKind::Vm,
        image: scmp_common::ImageId::new(),
        vcpus: 2,
        memory_mib: 2048,
        disk_gib: 20,
        node: "pve1".into(),
        vmid: 4242,
        running: true,
        tags: vec![],
    });
    let entry = signer.seal(1, GENESIS, &made).unwrap();
    let hour = scmp_agent::link::usage::HOUR_MS;
    let usage = |guest: GuestId, from_ms: i64, vcpus: u64| SiteUsage {
        guest,
        project,
        tenant,
        from_ms,
        to_ms: from_ms + hour,
        vcpus,
        memory_mib: 2048,
        disk_gib: 20,
        last: false,
    };
    let (mut s, _) = linked(&ctx, &a, hello(&a, "edge-1")).await;
    deliver(&mut s, 1, &entry).await;
    let mine = made.guest;
    let reports = [
        usage(mine, 10 * hour, 2),
        // The same hour again (a replay): kept once.
        usage(mine, 10 * hour, 2),
        usage(mine, 11 * hour, 2),
        // Not what the site made: more vCPUs, a guest it never made, an hour that runs over.
        usage(mine, 12 * hour, 8),
        usage(GuestId::new(), 12 * hour, 2),
        SiteUsage {
            to_ms: 14 * hour,
            ..usage(mine, 12 * hour, 2)
        },
    ];
    for (i, u) in reports.into_iter().enumerate() {
        deliver_body(&mut s, 2 + i as u64, UpBody::Usage(u)).await;
    }
    let kept = ctx
        .store()
        .await
        .usage_of_project(project, (0, 100 * hour))
        .await
        .unwrap();
    let spans: Vec<(GuestId, i64, u64)> = kept
        .iter()
        .map(|u| (u.guest_id, u.from_ms, u.vcpus))
        .collect();
    assert_eq!(spans, vec![(mine, 10 * hour, 2), (mine, 11 * hour, 2)]);
    assert!(kept.iter().all(|u| u.site_id == a.enrolled.agent.site));
}
