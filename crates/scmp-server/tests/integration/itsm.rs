//! The ITSM round trip against a stand-in ticketing service on loopback: the approval's change
//! request arrives signed (the first attempt is answered 503 and retried, both in the delivery
//! log), the service opens ticket CHG0042 and approves through the signed callback URL, and the
//! guest is built with the ticket recorded. Forged callbacks (a wrong link signature, a body
//! that is not the one signed, no signature, a stale one) are refused and change nothing.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use scmp_api::{ApprovalView, OperationView, PolicyView};
use scmp_common::{ApprovalState, Clock, OperationState, SystemClock};
use scmp_test_utils::helpers::{
    acme_web, bind_on_tenant, tenant_user, try_create_guest, vm, wait_operation,
};
use scmp_test_utils::TestContext;
use serde_json::{json, Value};
use sha2::Sha256;

const SECRET: &str = "the-change-board-shares-this";

fn hmac_hex(message: &[u8]) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    m.update(message);
    hex::encode(m.finalize().into_bytes())
}

fn signed(t: i64, body: &[u8]) -> String {
    let mut message = format!("{t}.").into_bytes();
    message.extend_from_slice(body);
    format!("t={t},v1={}", hmac_hex(&message))
}

fn verifies(header: &str, body: &[u8]) -> bool {
    let t: i64 = header
        .split(',')
        .find_map(|p| p.strip_prefix("t="))
        .and_then(|t| t.parse().ok())
        .unwrap_or_default();
    signed(t, body) == header
}

/// What the stand-in service saw: every request's signature check, and the change requests.
#[derive(Default)]
struct Desk {
    attempts: u32,
    badly_signed: u32,
    requests: Vec<Value>,
}

async fn changes(
    State(desk): State<Arc<Mutex<Desk>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let mut d = desk.lock().unwrap();
    d.attempts += 1;
    let sig = headers
        .get("x-scmp-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !verifies(sig, &body) {
        d.badly_signed += 1;
        return StatusCode::UNAUTHORIZED;
    }
    // The first attempt finds the desk busy.
    if d.attempts == 1 {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    d.requests.push(serde_json::from_slice(&body).unwrap());
    StatusCode::CREATED
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticketing_system_approves_through_the_signed_callback() {
    let desk = Arc::new(Mutex::new(Desk::default()));
    let app = axum::Router::new()
        .route("/changes", axum::routing::post(changes))
        .with_state(desk.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let desk_url = format!("http://{}/changes", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let ctx = TestContext::with_site("itsm").await;
    let p = acme_web(&ctx.admin, 10).await;
    let (alice, _) = tenant_user(&ctx, "alice", "acme").await;
    bind_on_tenant(&ctx.admin, "tenant-admin", "alice", "acme").await;
    let _: PolicyView = ctx
        .admin
        .post(
            "/policies",
            &json!({"name": "change-board", "enforcement": "require_approval",
                "builtin": {"kind": "max_size", "vcpus": 2},
                "approval": {"approvers": [{"kind": "role", "role": "platform-admin", "on": "platform"}],
                    "itsm": {"url": desk_url, "secret": SECRET}}}),
        )
        .await;
    let body = scmp_api::GuestCreate {
        vcpus: Some(4),
        ..vm("big1")
    };
    let a = try_create_guest(&alice, &p, &body).await;
    assert_eq!(a.status, 202, "{}", a.text);
    let op: OperationView = a.json();
    assert_eq!(op.state, OperationState::AwaitingApproval);

    // The change request arrives (after one retry), signed, naming what is asked.
    let mut request = None;
    for _ in 0..150 {
        if let Some(r) = desk.lock().unwrap().requests.first() {
            request = Some(r.clone());
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let request = request.expect("the change request did not arrive");
    assert_eq!(desk.lock().unwrap().badly_signed, 0);
    assert_eq!(request["type"], "approval.requested");
    assert_eq!(request["policy"], "change-board");
    assert_eq!(request["request"]["request"]["vcpus"], 4);
    assert_eq!(request["request"]["requested_by"], "alice");
    let callback = request["callback"].as_str().unwrap().to_string();
    assert!(
        callback.starts_with(ctx.admin.base().trim_end_matches("/api/v1")),
        "{callback}"
    );
    let path = format!("/approvals/{}", op.id);
    let a: ApprovalView = alice.get(&path).await;
    assert_eq!(a.deliveries.len(), 1);
    assert_eq!(a.deliveries[0].state, "delivered");
    assert_eq!(
        a.deliveries[0]
            .log
            .iter()
            .map(|l| l.status)
            .collect::<Vec<_>>(),
        [503, 201]
    );

    // Forged answers are refused and change nothing.
    let http = ctx.admin.anonymous();
    let answer = json!({"decision": "approve", "ticket": "CHG0042", "comment": "CAB approved"});
    let bytes = serde_json::to_vec(&answer).unwrap();
    let now = |skew: i64| SystemClock.now_ms() / 1000 + skew;
    let post = |url: String, sig: Option<String>, body: Vec<u8>| {
        let http = http.http().clone();
        async move {
            let mut r = http
                .post(url)
                .header("content-type", "application/json")
                .body(body);
            if let Some(s) = sig {
                r = r.header("x-scmp-signature", s);
            }
            r.send().await.unwrap()
        }
    };
    let forged_link = callback.replace("sig=", "sig=00");
    let tampered =
        serde_json::to_vec(&json!({"decision": "approve", "ticket": "CHG9999"})).unwrap();
    for (url, sig, body) in [
        (forged_link, Some(signed(now(0), &bytes)), bytes.clone()),
        (callback.clone(), Some(signed(now(0), &bytes)), tampered),
        (callback.clone(), None, bytes.clone()),
        (
            callback.clone(),
            Some(signed(now(-3600), &bytes)),
            bytes.clone(),
        ),
    ] {
        let r = post(url, sig, body).await;
        assert_eq!(r.status(), 401, "{}", r.text().await.unwrap());
    }
    let a: ApprovalView = alice.get(&path).await;
    assert_eq!(a.state, ApprovalState::Pending);
    assert!(a.decisions.is_empty());

    // The service's signed answer approves; the ticket is recorded and the guest is built.
    let r = post(
        callback.clone(),
        Some(signed(now(0), &bytes)),
        bytes.clone(),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let a: ApprovalView = alice.get(&path).await;
    assert_eq!(a.state, ApprovalState::Approved);
    assert_eq!(a.ticket.as_deref(), Some("CHG0042"));
    assert_eq!(a.decisions[0].by, "itsm:change-board");
    assert_eq!(
        wait_operation(&alice, &op).await.state,
        OperationState::Succeeded
    );
    // Replaying it changes nothing more.
    let r = post(callback, Some(signed(now(0), &bytes)), bytes).await;
    assert_eq!(r.status(), 409);
}
