//! Every built-in policy allowing and refusing, custom Cedar policies checked against the input's
//! schema, warn and deny, and parameters that could change a rule refused.
#![allow(clippy::unwrap_used)] // A test may unwrap: a panic fails it.

use scmp_governance::{
    ActorFacts, Builtin, Enforcement, Governance, GuestFacts, Operation, OwnerFacts, PolicyDef,
    PolicyError, PolicyInput, Source, TimeFacts,
};

fn input() -> PolicyInput {
    PolicyInput {
        operation: Operation::GuestCreate,
        request: GuestFacts {
            name: "web-1".into(),
            kind: "vm".into(),
            image: "debian-12".into(),
            vcpus: 2,
            memory_mib: 2048,
            disk_gib: 20,
            site: "berlin".into(),
            country: "DE".into(),
            host: String::new(),
            bridge: "vmbr0".into(),
            vlan: 0,
            tags: vec!["web".into(), "team-a".into()],
            ha: false,
            backup_policy: String::new(),
        },
        actor: ActorFacts {
            name: "alice".into(),
            groups: vec!["devs".into()],
            realm: String::new(),
        },
        project: OwnerFacts {
            name: "web".into(),
            labels: vec!["env=production".into()],
        },
        tenant: OwnerFacts {
            name: "acme".into(),
            labels: vec![],
        },
        time: TimeFacts::at(1_796_190_075_000),
    }
}

fn def(key: &str, enforcement: Enforcement, source: Source) -> PolicyDef {
    PolicyDef {
        key: key.into(),
        enforcement,
        message: None,
        source,
    }
}

/// The keys of the policies that hold against `input`.
fn held(g: &Governance, b: Builtin, input: &PolicyInput) -> bool {
    let set = g
        .compile(&[def("p", Enforcement::Deny, Source::Builtin(b))])
        .unwrap();
    let v = g.evaluate(&set, input).unwrap();
    v.denial().is_some()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// What turns a good request into one the policy refuses.
type Breaker = Box<dyn Fn(&mut PolicyInput)>;

#[test]
fn each_builtin_allows_and_refuses() {
    let g = Governance::new().unwrap();
    let ok = input();
    let mut cases: Vec<(Builtin, Breaker)> = vec![
        (
            Builtin::AllowedCountries {
                countries: strings(&["DE", "AT"]),
            },
            Box::new(|i| i.request.country = "US".into()),
        ),
        (
            Builtin::AllowedSites {
                sites: strings(&["berlin"]),
            },
            Box::new(|i| i.request.site = "paris".into()),
        ),
        (
            Builtin::MaxSize {
                vcpus: Some(8),
                memory_mib: Some(16384),
                disk_gib: None,
            },
            Box::new(|i| i.request.memory_mib = 32768),
        ),
        (
            Builtin::AllowedImages {
                images: strings(&["debian-12", "ubuntu-24.04"]),
            },
            Box::new(|i| i.request.image = "windows-2022".into()),
        ),
        (
            Builtin::RequiredTags {
                tags: strings(&["team-a"]),
            },
            Box::new(|i| i.request.tags = vec!["web".into()]),
        ),
        (
            Builtin::NamePattern {
                pattern: "web-*".into(),
            },
            Box::new(|i| i.request.name = "db-1".into()),
        ),
        (
            Builtin::AllowedNetworks {
                bridges: strings(&["vmbr0"]),
                vlans: vec![0, 100],
            },
            Box::new(|i| i.request.vlan = 200),
        ),
        (
            Builtin::BackupRequired {
                project_label: "env=production".into(),
            },
            Box::new(|_| {}),
        ),
        (
            Builtin::ProjectLabelled {
                project_label: "env=sandbox".into(),
            },
            Box::new(|i| i.project.labels = vec!["env=sandbox".into()]),
        ),
    ];
    for (b, break_it) in cases.drain(..) {
        let kind = b.kind();
        let mut bad = ok.clone();
        break_it(&mut bad);
        if kind == "backup_required" {
            // The good request has no backup policy in a production project: refused; with one,
            // or outside production, allowed.
            assert!(held(&g, b.clone(), &ok), "{kind}");
            let mut backed = ok.clone();
            backed.request.backup_policy = "daily".into();
            assert!(!held(&g, b.clone(), &backed), "{kind}");
            let mut sandbox = ok.clone();
            sandbox.project.labels = vec!["env=sandbox".into()];
            assert!(!held(&g, b, &sandbox), "{kind}");
            continue;
        }
        assert!(!held(&g, b.clone(), &ok), "{kind} allows the good request");
        assert!(held(&g, b, &bad), "{kind} refuses the bad one");
    }
}

#[test]
fn builtins_apply_to_their_operations_only() {
    let g = Governance::new().unwrap();
    let mut resize = input();
    resize.operation = Operation::GuestResize;
    resize.request.name = "legacy".into();
    assert!(
        !held(
            &g,
            Builtin::NamePattern {
                pattern: "web-*".into()
            },
            &resize
        ),
        "a resize keeps the name"
    );
    resize.request.vcpus = 64;
    assert!(held(
        &g,
        Builtin::MaxSize {
            vcpus: Some(8),
            memory_mib: None,
            disk_gib: None
        },
        &resize
    ));
    let mut migrate = input();
    migrate.operation = Operation::GuestMigrate;
    migrate.request.country = "FR".into();
    assert!(held(
        &g,
        Builtin::AllowedCountries {
            countries: strings(&["DE"])
        },
        &migrate
    ));
}

#[test]
fn parameters_cannot_change_a_rule() {
    let g = Governance::new().unwrap();
    for (b, field) in [
        (
            Builtin::AllowedSites {
                sites: strings(&["berlin\") || true || (\""]),
            },
            "sites[0]",
        ),
        (
            Builtin::AllowedCountries {
                countries: strings(&["DE", "germany"]),
            },
            "countries[1]",
        ),
        (
            Builtin::MaxSize {
                vcpus: Some(0),
                memory_mib: None,
                disk_gib: None,
            },
            "vcpus",
        ),
        (Builtin::AllowedImages { images: vec![] }, "images"),
        (
            Builtin::AllowedNetworks {
                bridges: vec![],
                vlans: vec![5000],
            },
            "vlans[0]",
        ),
        (
            Builtin::BackupRequired {
                project_label: "production".into(),
            },
            "project_label",
        ),
    ] {
        let e = g
            .compile(&[def("p", Enforcement::Deny, Source::Builtin(b))])
            .unwrap_err();
        assert!(
            matches!(&e.1, PolicyError::Parameter { field: f, .. } if f == field),
            "{e:?}"
        );
    }
}

#[test]
fn custom_policies_are_checked_against_the_schema() {
    let g = Governance::new().unwrap();
    let custom = |text: &str| def("c", Enforcement::Deny, Source::Cedar(text.into()));
    let ha_in_prod = custom(
        r#"@id("ha-in-production")
forbid (principal, action == Scmp::Action::"guest_create", resource)
when { context.project.labels.contains("env=production") && !context.request.ha };
// Nothing big on a weekend.
forbid (principal, action, resource)
when { context.time.weekday >= 6 && context.request.vcpus > 16 };"#,
    );
    let set = g.compile(&[ha_in_prod]).unwrap();
    let v = g.evaluate(&set, &input()).unwrap();
    assert_eq!(v.denial().unwrap().policy, "c");
    let mut ha = input();
    ha.request.ha = true;
    assert!(g.evaluate(&set, &ha).unwrap().hits.is_empty());

    for (text, says) in [
        ("permit (principal, action, resource);", "forbid rules"),
        (
            "forbid (principal, action, resource) when { context.request.cpus > 4 };",
            "does not fit",
        ),
        (
            "forbid (principal, action, resource) when { context.request.name > 4 };",
            "does not fit",
        ),
        (
            "forbid (principal == ?principal, action, resource);",
            "templates",
        ),
        (
            "forbid (principal, action, resource) when {",
            "does not parse",
        ),
        ("// only a comment", "no rule"),
    ] {
        let e = g.compile(&[custom(text)]).unwrap_err();
        assert!(e.1.to_string().contains(says), "{text}: {}", e.1);
    }
}

#[test]
fn the_input_fits_the_schema() {
    let g = Governance::new().unwrap();
    g.check_input(&input()).unwrap();
    // And a rule over every attribute of it evaluates without error.
    let every = def(
        "every",
        Enforcement::Deny,
        Source::Cedar(
            r#"forbid (principal, action, resource) when {
  context.request.name == "x" || context.request.kind == "x" || context.request.image == "x" ||
  context.request.vcpus == 0 || context.request.memory_mib == 0 || context.request.disk_gib == 0 ||
  context.request.site == "x" || context.request.country == "x" || context.request.host == "x" ||
  context.request.bridge == "x" || context.request.vlan == 9 || context.request.tags.contains("x") ||
  context.request.ha && context.request.backup_policy == "x" ||
  context.actor.name == "x" || context.actor.groups.contains("x") || context.actor.realm == "x" ||
  context.project.name == "x" || context.project.labels.contains("x") ||
  context.tenant.name == "x" || context.tenant.labels.contains("x") ||
  context.time.epoch_ms == 0 || context.time.hour == 99 || context.time.weekday == 0 ||
  resource in Scmp::Tenant::"globex"
};"#
            .into(),
        ),
    );
    let set = g.compile(&[every]).unwrap();
    assert!(g.evaluate(&set, &input()).unwrap().hits.is_empty());
    let mut other = input();
    other.tenant.name = "globex".into();
    assert_eq!(g.evaluate(&set, &other).unwrap().hits.len(), 1);
}

#[test]
fn warnings_pass_and_denials_name_their_policy() {
    let g = Governance::new().unwrap();
    let set = g
        .compile(&[
            PolicyDef {
                key: "tags-wanted".into(),
                enforcement: Enforcement::Warn,
                message: Some("please tag guests with a cost centre".into()),
                source: Source::Builtin(Builtin::RequiredTags {
                    tags: strings(&["cost-centre"]),
                }),
            },
            def(
                "small-only",
                Enforcement::Deny,
                Source::Builtin(Builtin::MaxSize {
                    vcpus: Some(4),
                    memory_mib: None,
                    disk_gib: None,
                }),
            ),
        ])
        .unwrap();
    let v = g.evaluate(&set, &input()).unwrap();
    assert!(v.denial().is_none());
    let w: Vec<_> = v.warnings().collect();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].message, "please tag guests with a cost centre");
    let mut big = input();
    big.request.vcpus = 8;
    let v = g.evaluate(&set, &big).unwrap();
    let d = v.denial().unwrap();
    assert_eq!(
        (d.policy.as_str(), d.message.as_str()),
        ("small-only", "guests may have at most 4 vCPUs")
    );
    assert_eq!(v.hits.len(), 2, "the warning too");
}
