//! The client suite against the simulator, plus what only the simulator can show: ticket renewal,
//! pinning refusals, a wrong CA, dropped connections and retries, timeouts.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

mod common;

use std::time::Duration;

use common::{run_suite, Peer, Target};
use pve_client::{ClientConfig, Credentials, ErrorKind, PveApi, PveClient, Trust};
use pve_sim::{ClockMode, Faults, SimConfig, Simulator};

async fn start(time_scale: f64) -> (Simulator, Target) {
    let sim = Simulator::new(SimConfig {
        password: Some("suite-password".into()),
        time_scale,
        clock: ClockMode::Automatic,
        ..Default::default()
    })
    .unwrap();
    let (addr, _server) = sim.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let target = Target {
        peer: Peer::Sim,
        url: format!("https://{addr}"),
        fingerprint: sim.fingerprint(),
        password: sim.password().to_string(),
        token: sim.token_line(),
    };
    (sim, target)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suite_against_the_simulator() {
    let (_sim, target) = start(0.0).await;
    run_suite(&target).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_take_time_at_a_real_time_scale() {
    // At time scale 0.05 a 2 s start takes about 100 ms: the task is seen running, then stopped.
    let (_sim, t) = start(0.05).await;
    let c = t.token_client();
    let n = pve_types::NodeName::new("pve1").unwrap();
    let upid = c
        .guest_power(
            pve_types::api::guest::GuestKind::Lxc,
            &n,
            pve_types::Vmid::new(9001).unwrap(),
            pve_types::api::guest::PowerAction::Start,
        )
        .await
        .unwrap();
    let first = c.task_status(&upid).await.unwrap();
    assert_eq!(first.status, pve_types::api::tasks::TaskRunState::Running);
    assert!(
        c.wait_task(&upid, Default::default()).await.is_err(),
        "a template cannot start"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pinning_refuses_another_certificate() {
    let (_sim, t) = start(0.0).await;
    let mut other = t.fingerprint.clone();
    other.replace_range(0..2, if other.starts_with("00") { "11" } else { "00" });
    let client = PveClient::new(ClientConfig::new(
        t.url.parse().unwrap(),
        Trust::Fingerprint(other.parse().unwrap()),
        Credentials::parse_token(&t.token).unwrap(),
    ))
    .unwrap();
    let err = client.version().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Certificate, "{err}");
    assert!(
        err.to_string().contains("does not match the pinned"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ca_trust_accepts_the_servers_own_certificate() {
    let (sim, t) = start(0.0).await;
    let url = t.url.replace("127.0.0.1", "localhost");
    let client = PveClient::new(ClientConfig::new(
        url.parse().unwrap(),
        Trust::CaPem(sim.cert_pem()),
        Credentials::parse_token(&t.token).unwrap(),
    ))
    .unwrap();
    assert!(client.version().await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_are_renewed_before_they_expire() {
    let (sim, t) = start(0.0).await;
    let mut cfg = ClientConfig::new(
        t.url.parse().unwrap(),
        Trust::Fingerprint(t.fingerprint.parse().unwrap()),
        Credentials::Password {
            username: "root@pam".into(),
            password: t.password.clone(),
        },
    );
    // Renew on every call: each call then posts the current ticket as the password.
    cfg.ticket_renew_after = Duration::ZERO;
    let c = PveClient::new(cfg).unwrap();
    for _ in 0..3 {
        assert!(c.nodes().await.is_ok());
    }
    let (logins, renewals) = {
        let cl = sim.cluster();
        (cl.logins, cl.ticket_renewals)
    };
    assert_eq!(logins, 1, "one password login");
    assert_eq!(renewals, 2, "then the ticket itself renews the ticket");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_survive_dropped_connections() {
    let (sim, t) = start(0.0).await;
    sim.set_faults(Faults {
        drop_rate: 0.3,
        ..Default::default()
    });
    let c = t.token_client();
    // With four attempts per read, 30% drops almost never fail a read; 20 reads in a row show it.
    let mut ok = 0;
    for _ in 0..20 {
        let fresh = t.token_client();
        if fresh.version().await.is_ok() {
            ok += 1;
        }
    }
    assert!(ok >= 18, "only {ok} of 20 reads succeeded");
    drop(c);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_time_out() {
    let (sim, t) = start(0.0).await;
    sim.set_faults(Faults {
        latency_ms: 2_000,
        ..Default::default()
    });
    let mut cfg = ClientConfig::new(
        t.url.parse().unwrap(),
        Trust::Fingerprint(t.fingerprint.parse().unwrap()),
        Credentials::parse_token(&t.token).unwrap(),
    );
    cfg.timeout = Duration::from_millis(200);
    cfg.retry = pve_client::RetryPolicy::none();
    let c = PveClient::new(cfg).unwrap();
    let err = c.version().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_node_is_a_typed_error() {
    let (sim, t) = start(0.0).await;
    sim.node_down("pve3");
    let c = t.token_client();
    let err = c
        .node_status(&pve_types::NodeName::new("pve3").unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NodeUnreachable, "{err}");
}
