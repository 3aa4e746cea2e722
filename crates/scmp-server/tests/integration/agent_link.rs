//! An agent's link speaks only for the agent's own site: a hello for another site's cluster, or
//! naming another agent, is refused and changes nothing; an answer to another agent's command is
//! dropped; a numbered message sent again is taken once; and the connection serves nothing of the
//! API (its certificate is no credential there).

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use scmp_agent::enroll::Enrollment;
use scmp_agent::link::{
    ClusterHello, Credentials, Down, Hello, Outcome, Socket, Up, UpBody, PROTOCOL_VERSION,
};
use scmp_agent::{AgentError, AgentErrorKind, Answer, Reply};
use scmp_api::{AgentView, ClusterView, JoinTokenCreated};
use scmp_test_utils::TestContext;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

pub(crate) async fn enrolled(ctx: &TestContext, site: &str) -> Enrollment {
    let _: serde_json::Value = ctx
        .admin
        .post("/sites", &json!({"name": site, "country": "DE"}))
        .await;
    let t: JoinTokenCreated = ctx
        .admin
        .post(&format!("/sites/{site}/join-tokens"), &json!({}))
        .await;
    scmp_agent::enroll::enroll(&ctx.agent_base(), &t.token)
        .await
        .unwrap()
}

pub(crate) fn creds(e: &Enrollment) -> Credentials {
    Credentials {
        cert_pem: e.enrolled.certificate.clone(),
        key_pem: e.key_pem.clone(),
        ca_pem: e.enrolled.ca_certificate.clone(),
    }
}

pub(crate) fn hello(e: &Enrollment, cluster: &str) -> Up {
    Up::Hello(Hello {
        protocol: PROTOCOL_VERSION,
        agent: e.enrolled.agent.id,
        cluster: ClusterHello {
            name: cluster.parse().unwrap(),
            endpoint: "https://pve.edge.example:8006".into(),
            token_id: "scmp@pve!agent".parse().unwrap(),
            missing_privileges: vec![],
        },
        stream: uuid::Uuid::new_v4(),
        resend_from: 1,
        waiting: 0,
    })
}

pub(crate) async fn send(s: &mut Socket, up: &Up) {
    s.send(Message::text(serde_json::to_string(up).unwrap()))
        .await
        .unwrap();
}

/// The next message down that is not a ping.
pub(crate) async fn next(s: &mut Socket) -> Down {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(10), s.next())
            .await
            .expect("a message in time")
            .expect("the link is open")
            .unwrap();
        if let Message::Text(t) = m {
            let d: Down = serde_json::from_str(t.as_str()).unwrap();
            // Pings and the site's state (sent when it changes) are not what the tests wait for.
            if !matches!(d, Down::Ping { .. } | Down::SiteState(_)) {
                return d;
            }
        }
    }
}

pub(crate) async fn linked(ctx: &TestContext, e: &Enrollment, up: Up) -> (Socket, Down) {
    let mut s = scmp_agent::link::open(&ctx.agent_base(), &creds(e), Duration::from_secs(10))
        .await
        .unwrap();
    send(&mut s, &up).await;
    let first = next(&mut s).await;
    (s, first)
}

async fn waiting(ctx: &TestContext, e: &Enrollment) -> u64 {
    let v: AgentView = ctx
        .admin
        .get(&format!("/agents/{}", e.enrolled.agent.id))
        .await;
    v.link.waiting_commands
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_speaks_only_for_its_own_site() {
    // Inventory sync only when a link opens: the commands on the links are the test's to count.
    let ctx = TestContext::builder("agent-link-isolation")
        .sites(1)
        .sync_interval(Duration::from_secs(3600))
        .start()
        .await;
    let fra_before: ClusterView = ctx.admin.get("/clusters/fra-1").await;
    let a = enrolled(&ctx, "edge").await;
    let b = enrolled(&ctx, "far").await;

    // Another site's cluster: refused, and that cluster stays as it was.
    let (_, d) = linked(&ctx, &a, hello(&a, "fra-1")).await;
    assert!(
        matches!(&d, Down::Refused { reason } if reason.contains("fra-1")),
        "{d:?}"
    );
    let fra_after: ClusterView = ctx.admin.get("/clusters/fra-1").await;
    assert_eq!(fra_after, fra_before);
    // A hello naming another agent than the certificate does: refused.
    let (_, d) = linked(&ctx, &a, hello(&b, "edge-1")).await;
    assert!(
        matches!(&d, Down::Refused { reason } if reason.contains("another agent")),
        "{d:?}"
    );

    // B links and is asked to look at its cluster (the first inventory sync).
    let (mut sb, d) = linked(&ctx, &b, hello(&b, "far-1")).await;
    assert!(matches!(d, Down::Welcome { acked: 0, .. }), "{d:?}");
    let Down::Command { id: b_command, .. } = next(&mut sb).await else {
        panic!("B is asked to observe its cluster");
    };
    assert_eq!(waiting(&ctx, &b).await, 1);

    // A links for its own site, and answers B's command: dropped, B's command still waits.
    let (mut sa, d) = linked(&ctx, &a, hello(&a, "edge-1")).await;
    assert!(matches!(d, Down::Welcome { .. }), "{d:?}");
    let Down::Command { .. } = next(&mut sa).await else {
        panic!("A is asked to observe its cluster");
    };
    let forged = Up::Message {
        seq: 1,
        body: UpBody::Reply {
            id: b_command,
            outcome: Outcome::Ok(Reply {
                answer: Answer::Done,
                upids: vec![],
            }),
        },
    };
    send(&mut sa, &forged).await;
    assert_eq!(next(&mut sa).await, Down::Ack { upto: 1 });
    assert_eq!(waiting(&ctx, &b).await, 1, "A cannot answer for B");

    // B answers its own command; sent again (a replay after a lost ack), it is taken once.
    let reply = Up::Message {
        seq: 1,
        body: UpBody::Reply {
            id: b_command,
            outcome: Outcome::Err(AgentError::new(AgentErrorKind::Api, "the cluster is busy")),
        },
    };
    send(&mut sb, &reply).await;
    assert_eq!(next(&mut sb).await, Down::Ack { upto: 1 });
    send(&mut sb, &reply).await;
    assert_eq!(next(&mut sb).await, Down::Ack { upto: 1 });
    assert_eq!(waiting(&ctx, &b).await, 0);
    let far: ClusterView = ctx.admin.get("/clusters/far-1").await;
    assert_eq!(far.agent, Some(b.enrolled.agent.id));
    assert!(
        far.health
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("busy"),
        "{far:?}"
    );

    // The agents' listener serves no API, certificate or not; the API's listener does not take
    // the certificate as a credential.
    let tls = pve_client::Trust::CaPem(a.enrolled.ca_certificate.clone())
        .client_config_with_cert(&a.enrolled.certificate, &a.key_pem)
        .unwrap();
    let http = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .build()
        .unwrap();
    for path in ["/api/v1/sites", "/api/v1/clusters/far-1", "/api/v1/guests"] {
        let r = http
            .get(format!("{}{path}", ctx.agent_base()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 404, "{path}");
    }
    let r = ctx
        .admin
        .anonymous()
        .send(reqwest::Method::GET, "/sites", None)
        .await;
    assert_eq!(r.status.as_u16(), 401);
}

/// An agent that counts the power commands it carries out, and holds on to each answer a while
/// (long enough for a test to cut the link before the answer goes up).
pub(crate) struct Counting {
    inner: scmp_agent::LocalAgent,
    power: std::sync::atomic::AtomicUsize,
    hold: Duration,
}

impl Counting {
    pub(crate) fn on(site: &scmp_test_utils::SimSite, hold: Duration) -> std::sync::Arc<Counting> {
        let c = site.cluster_create("x");
        let access = scmp_agent::ClusterAccess {
            endpoint: c.endpoint,
            token_id: c.token_id,
            token_secret: c.token_secret,
            fingerprint: c.tls_fingerprint.unwrap(),
        };
        let client = scmp_agent::connect(&access).unwrap();
        std::sync::Arc::new(Counting {
            inner: scmp_agent::LocalAgent::new(std::sync::Arc::new(client)),
            power: Default::default(),
            hold,
        })
    }
}

#[async_trait::async_trait]
impl scmp_agent::Agent for Counting {
    async fn call(
        &self,
        id: scmp_agent::CommandId,
        command: scmp_agent::Command,
    ) -> Result<Reply, AgentError> {
        let power = matches!(command, scmp_agent::Command::Power { .. });
        let r = self.inner.call(id, command).await;
        if power {
            self.power.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::time::sleep(self.hold).await;
        }
        r
    }
}

fn link(
    server: String,
    e: &Enrollment,
    agent: std::sync::Arc<Counting>,
    journal: std::sync::Arc<scmp_agent::link::Journal>,
) -> (
    tokio::task::JoinHandle<scmp_agent::link::LinkEnd>,
    tokio::sync::watch::Sender<bool>,
) {
    let Up::Hello(h) = hello(e, "edge-1") else {
        unreachable!()
    };
    let options = scmp_agent::link::LinkOptions {
        server,
        agent: e.enrolled.agent.id,
        cluster: h.cluster,
        backoff: (Duration::from_millis(100), Duration::from_millis(500)),
        connect_timeout: Duration::from_secs(5),
    };
    let (_creds_tx, creds) = tokio::sync::watch::channel(creds(e));
    let (state, _) = tokio::sync::watch::channel(scmp_agent::link::LinkState::Connecting);
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(async move {
        let _keep = _creds_tx;
        let outbox = scmp_agent::link::Outbox::new(journal);
        let site = tokio::sync::watch::channel(None).0;
        scmp_agent::link::run(options, creds, agent, outbox, site, state, stop).await
    });
    (task, stop_tx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_command_carried_out_before_the_agent_restarted_is_not_carried_out_again() {
    use scmp_test_utils::helpers::{acme_web, create_guest, vm, wait_operation};
    let ctx = TestContext::new("agent-link-restart").await;
    let e = enrolled(&ctx, "edge").await;
    let site = scmp_test_utils::SimSite::start(0.0).await;
    let proxy =
        scmp_test_utils::link_proxy::LinkProxy::start(ctx.running.agent_addr.unwrap()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    let first = Counting::on(&site, Duration::from_millis(800));
    let journal = std::sync::Arc::new(scmp_agent::link::Journal::open(&path).unwrap());
    let (run, stop) = link(proxy.url(), &e, first.clone(), journal);
    let mut placeable = false;
    for _ in 0..200 {
        let page: scmp_api::Page<ClusterView> = ctx.admin.get("/sites/edge/clusters").await;
        if page.items.iter().any(|c| c.health.last_seen_at.is_some()) {
            placeable = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        placeable,
        "the cluster registered through the agent and was looked at"
    );
    let p = acme_web(&ctx.admin, 2).await;
    let g = create_guest(&ctx.admin, &p, &vm("web-1")).await;

    // The stop is carried out at the site; the link breaks and the agent stops before its answer
    // goes up.
    let started = first.power.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(started, 1, "the guest's start");
    let op: scmp_api::OperationView = ctx.admin.act(&format!("/guests/{}/stop", g.id)).await;
    for _ in 0..400 {
        if first.power.load(std::sync::atomic::Ordering::SeqCst) > started {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    proxy.cut();
    // Stopping, it waits for the stop it is carrying out and journals its answer.
    stop.send_replace(true);
    run.await.unwrap();
    assert_eq!(
        first.power.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "the stop reached the site"
    );

    // Restarted on the same journal (and no memory of its own), the agent gets the stop again
    // and answers it from the journal.
    proxy.mend();
    let second = Counting::on(&site, Duration::ZERO);
    let journal = std::sync::Arc::new(scmp_agent::link::Journal::open(&path).unwrap());
    let (run, stop) = link(proxy.url(), &e, second.clone(), journal);
    let ended = wait_operation(&ctx.admin, &op).await;
    assert_eq!(
        ended.state,
        scmp_common::OperationState::Succeeded,
        "{ended:?}"
    );
    assert_eq!(second.power.load(std::sync::atomic::Ordering::SeqCst), 0);
    let stops = site
        .sim
        .cluster()
        .tasks
        .iter()
        .filter(|t| t.upid.worker_type() == "qmstop")
        .count();
    assert_eq!(stops, 1);
    stop.send_replace(true);
    run.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_centre_shows_how_much_a_sites_journal_holds_for_it() {
    let ctx = TestContext::builder("agent-link-journaled")
        .sync_interval(Duration::from_secs(3600))
        .start()
        .await;
    let a = enrolled(&ctx, "edge").await;
    let journaled = |ctx: &TestContext| {
        let path = format!("/agents/{}", a.enrolled.agent.id);
        let admin = ctx.admin.clone();
        async move {
            let v: AgentView = admin.get(&path).await;
            v.link.journaled_waiting
        }
    };
    // Back after a while cut off, with three messages in its journal.
    let Up::Hello(mut h) = hello(&a, "edge-1") else {
        unreachable!()
    };
    h.waiting = 3;
    let (mut s, d) = linked(&ctx, &a, Up::Hello(h)).await;
    assert!(matches!(d, Down::Welcome { .. }), "{d:?}");
    assert_eq!(journaled(&ctx).await, 3);
    // One of them arrives: two left.
    let reply = Up::Message {
        seq: 1,
        body: UpBody::Reply {
            id: scmp_agent::CommandId::new(),
            outcome: Outcome::Err(AgentError::new(AgentErrorKind::NotFound, "gone")),
        },
    };
    send(&mut s, &reply).await;
    let mut left = 0;
    for _ in 0..50 {
        left = journaled(&ctx).await;
        if left == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(left, 2);
    // The agent's pings say what its journal holds.
    send(
        &mut s,
        &Up::Ping {
            nonce: 7,
            waiting: 0,
        },
    )
    .await;
    for _ in 0..50 {
        left = journaled(&ctx).await;
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(left, 0);
    let site: scmp_api::SiteView = ctx.admin.get("/sites/edge").await;
    assert_eq!(site.link.map(|l| l.journaled_waiting), Some(0));
}
