//! Policy evaluation at admission: 100 active policies (the built-ins with varied parameters and
//! custom Cedar rules), 20,000 evaluations of varied requests. Prints evaluations per second and
//! the latency distribution. Goal: p99 under 1 ms.
//!
//!     cargo bench -p scmp-governance --bench evaluate
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::time::{Duration, Instant};

use scmp_governance::{
    ActorFacts, Builtin, Enforcement, Governance, GuestFacts, Operation, OwnerFacts, PolicyDef,
    PolicyInput, Source, TimeFacts,
};

const POLICIES: usize = 100;
const EVALUATIONS: usize = 20_000;

fn policies() -> Vec<PolicyDef> {
    (0..POLICIES)
        .map(|i| {
            let source = match i % 9 {
                0 => Source::Builtin(Builtin::AllowedCountries {
                    countries: vec!["DE".into(), "AT".into(), "FR".into(), "NL".into()],
                }),
                1 => Source::Builtin(Builtin::AllowedSites {
                    sites: (0..20).map(|s| format!("site-{s}")).collect(),
                }),
                2 => Source::Builtin(Builtin::MaxSize {
                    vcpus: Some(64 + i as i64),
                    memory_mib: Some(262_144),
                    disk_gib: None,
                }),
                3 => Source::Builtin(Builtin::AllowedImages {
                    images: vec!["debian-12".into(), "ubuntu-24.04".into(), "rocky-9".into()],
                }),
                4 => Source::Builtin(Builtin::RequiredTags {
                    tags: vec!["owner".into()],
                }),
                5 => Source::Builtin(Builtin::NamePattern {
                    pattern: "*-*".into(),
                }),
                6 => Source::Builtin(Builtin::AllowedNetworks {
                    bridges: vec!["vmbr0".into(), "vmbr1".into()],
                    vlans: (0..50).collect(),
                }),
                7 => Source::Builtin(Builtin::BackupRequired {
                    project_label: format!("env=prod-{i}"),
                }),
                _ => Source::Cedar(format!(
                    "forbid (principal, action, resource) when {{ context.actor.groups.contains(\"banned-{i}\") || \
                     (context.time.hour < 6 && context.request.vcpus > {}) }};",
                    32 + i
                )),
            };
            PolicyDef {
                key: format!("policy-{i}"),
                enforcement: if i.is_multiple_of(2) {
                    Enforcement::Deny
                } else {
                    Enforcement::Warn
                },
                message: None,
                source,
            }
        })
        .collect()
}

fn request(n: usize) -> PolicyInput {
    PolicyInput {
        operation: Operation::ALL[n % 3],
        request: GuestFacts {
            name: format!("web-{n}"),
            kind: "vm".into(),
            image: if n.is_multiple_of(7) {
                "windows"
            } else {
                "debian-12"
            }
            .into(),
            vcpus: 1 + (n % 96) as i64,
            memory_mib: 1024 * (1 + (n % 64) as i64),
            disk_gib: 20,
            site: format!("site-{}", n % 25),
            country: ["DE", "FR", "US"][n % 3].into(),
            host: String::new(),
            bridge: "vmbr0".into(),
            vlan: (n % 60) as i64,
            tags: vec!["owner".into(), format!("t{}", n % 5)],
            ha: n.is_multiple_of(2),
            backup_policy: String::new(),
        },
        actor: ActorFacts {
            name: format!("user-{}", n % 50),
            groups: vec!["devs".into(), format!("team-{}", n % 10)],
            realm: "corp".into(),
        },
        project: OwnerFacts {
            name: format!("project-{}", n % 40),
            labels: vec![format!("env=prod-{}", n % 100)],
        },
        tenant: OwnerFacts {
            name: format!("tenant-{}", n % 8),
            labels: vec![],
        },
        time: TimeFacts::at(1_796_190_075_000 + n as i64 * 60_000),
    }
}

fn main() {
    let g = Governance::new().unwrap();
    let started = Instant::now();
    let set = g.compile(&policies()).unwrap();
    println!(
        "compiled {} policies in {:.1} ms",
        set.len(),
        started.elapsed().as_secs_f64() * 1e3
    );
    let inputs: Vec<PolicyInput> = (0..EVALUATIONS).map(request).collect();
    let mut times: Vec<Duration> = Vec::with_capacity(EVALUATIONS);
    let mut hits = 0usize;
    let all = Instant::now();
    for i in &inputs {
        let t = Instant::now();
        hits += g.evaluate(&set, i).unwrap().hits.len();
        times.push(t.elapsed());
    }
    let total = all.elapsed();
    times.sort_unstable();
    let q = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "{EVALUATIONS} evaluations over {POLICIES} policies: {:.0}/s on one core; {hits} violations",
        EVALUATIONS as f64 / total.as_secs_f64()
    );
    println!(
        "latency: p50 {:?}, p90 {:?}, p99 {:?}, max {:?}",
        q(0.50),
        q(0.90),
        q(0.99),
        times[times.len() - 1]
    );
    // The same requests without policies: what reading the input costs.
    let empty = g.compile(&[]).unwrap();
    let mut bare: Vec<Duration> = inputs
        .iter()
        .map(|i| {
            let t = Instant::now();
            g.evaluate(&empty, i).unwrap();
            t.elapsed()
        })
        .collect();
    bare.sort_unstable();
    println!(
        "without policies: p50 {:?}, p99 {:?}",
        bare[bare.len() / 2],
        bare[bare.len() * 99 / 100]
    );
}
