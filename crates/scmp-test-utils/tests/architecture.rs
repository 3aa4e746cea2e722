//! The crates' modules depend on each other in one direction: no module of any crate reaches,
//! through the modules it uses, back to itself (at the top level, and one level down).
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use scmp_test_utils::external::repo_root;
use scmp_test_utils::module_graph::{cycles, graph};

#[test]
fn no_crate_has_a_module_cycle() {
    let crates = repo_root().join("crates");
    let mut checked = 0;
    for entry in std::fs::read_dir(&crates).unwrap() {
        let src = entry.unwrap().path().join("src");
        if !src.is_dir() {
            continue;
        }
        for depth in [1, 2] {
            let found = cycles(&src, depth);
            assert!(
                found.is_empty(),
                "{}: module cycles at depth {depth}: {found:?}",
                src.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 10, "every crate checked ({checked})");
}

#[test]
fn the_server_is_layered() {
    let src = repo_root().join("crates/scmp-server/src");
    let g = graph(&src, 1);
    let uses = |a: &str, b: &str| g.get(a).is_some_and(|t| t.contains(b));
    // The handlers reach the store only through the app layer.
    assert!(uses("http", "app"));
    for below in [
        "app",
        "workflows",
        "inventory",
        "placement",
        "views",
        "context",
    ] {
        assert!(!uses(below, "http"), "{below} must not use http");
    }
    // The app records operations and signals them; it does not run them.
    assert!(!uses("app", "workflows"), "app must not use workflows");
    assert!(!uses("workflows", "app"), "workflows must not use app");
}
