//! Scale benchmark: `pve-sim` with 1,000 nodes and 50,000 guests answers `/cluster/resources` over
//! HTTPS and the client decodes it. Prints the answer time (request to last byte), the client's decode
//! time (bytes to typed values), their sum and the simulator's memory. Goal: under 200 ms in all.
//!
//!     cargo bench -p pve-client --bench cluster_resources
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::time::{Duration, Instant};

use pve_client::{ClientConfig, Credentials, PveApi, PveClient, Trust};
use pve_sim::{ClockMode, SimConfig, Simulator};
use pve_types::api::cluster::ClusterResource;

const NODES: usize = 1_000;
const GUESTS: usize = 50_000;
const ROUNDS: usize = 15;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn stats(name: &str, mut v: Vec<Duration>) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<28} min {:>7.1} ms   median {:>7.1} ms   p90 {:>7.1} ms   max {:>7.1} ms",
        ms(v[0]),
        ms(v[v.len() / 2]),
        ms(v[v.len() * 9 / 10]),
        ms(v[v.len() - 1])
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let before = rss_kib();
        let sim = Simulator::new(SimConfig {
            nodes: NODES,
            time_scale: 0.0,
            clock: ClockMode::Explicit,
            password: Some("bench".into()),
            ..Default::default()
        })
        .unwrap();
        {
            let now = sim.now();
            sim.cluster().populate(GUESTS, now);
        }
        let after = rss_kib();
        let (addr, _server) = sim.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let mut cfg = ClientConfig::new(
            format!("https://{addr}").parse().unwrap(),
            Trust::Fingerprint(sim.fingerprint().parse().unwrap()),
            Credentials::parse_token(&sim.token_line()).unwrap(),
        );
        cfg.timeout = Duration::from_secs(60);
        let client = PveClient::new(cfg.clone()).unwrap();
        // Raw bytes, for the answer time alone.
        let tls = cfg.trust.client_config().unwrap();
        let http = reqwest::Client::builder().use_preconfigured_tls(tls).build().unwrap();
        let auth = format!("PVEAPIToken={}", sim.token_line());
        let url = format!("https://{addr}/api2/json/cluster/resources");
        let (mut answer, mut decode, mut total, mut render) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut entries = 0;
        let mut bytes = 0;
        for round in 0..ROUNDS + 2 {
            let r0 = Instant::now();
            let rendered = sim.call_raw("GET", "/cluster/resources").unwrap();
            let r1 = Instant::now();
            drop(rendered);
            let t0 = Instant::now();
            let body = http.get(&url).header("Authorization", &auth).send().await.unwrap().bytes().await.unwrap();
            let t1 = Instant::now();
            let typed: Vec<ClusterResource> = pve_client::decode_answer(pve_types::api::cluster::RESOURCES, &body).unwrap();
            let t2 = Instant::now();
            let via_client = client.cluster_resources(None).await.unwrap();
            let t3 = Instant::now();
            assert_eq!(typed.len(), via_client.len());
            entries = typed.len();
            bytes = body.len();
            if round >= 2 {
                answer.push(t1 - t0);
                decode.push(t2 - t1);
                total.push(t3 - t2);
                render.push(r1 - r0);
            }
        }
        println!("pve-sim /cluster/resources: {NODES} nodes, {GUESTS} guests, {entries} entries, {:.1} MiB of JSON", bytes as f64 / 1048576.0);
        stats("simulator render (in-process)", render);
        stats("answer (request..last byte)", answer);
        stats("client decode (typed)", decode);
        stats("client call, decoded", total);
        println!("simulator memory for the model: {:.0} MiB (RSS {} -> {} KiB)", (after.saturating_sub(before)) as f64 / 1024.0, before, after);
        println!("process RSS after the runs: {:.0} MiB", rss_kib() as f64 / 1024.0);
    });
}
