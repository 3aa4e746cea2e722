//! The portal's scripts without a browser: the unit tests of their pure helpers (node --test), the
//! type check of every script against the API's types (tsc --checkJs, with JSDoc types generated
//! from the OpenAPI document), and that those generated types are current.
//!
//! scripts/test.sh installs Node.js and the packages (TypeScript, pinned in tests/portal).
#![allow(clippy::unwrap_used)] // A test may unwrap: a panic fails it.

use std::path::PathBuf;
use std::process::Command;

use scmp_test_utils::external::{missing, repo_root};

fn portal_tests() -> PathBuf {
    repo_root().join("tests/portal")
}

/// Runs `node ARGS` in tests/portal; fails the test with its output when it fails.
fn node(args: &[&str]) -> Option<String> {
    let tsc = portal_tests().join("node_modules/typescript/bin/tsc");
    if !tsc.exists() {
        return missing("tests/portal/node_modules (npm ci in tests/portal)");
    }
    let out = Command::new("node")
        .args(args)
        .current_dir(portal_tests())
        .output()
        .expect("node runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "node {args:?} failed:\n{text}");
    Some(text)
}

#[test]
fn the_portals_pure_helpers_pass_their_unit_tests() {
    if let Some(text) = node(&["--test", "unit/"]) {
        assert!(text.contains("# fail 0"), "{text}");
    }
}

#[test]
fn every_portal_script_type_checks_against_the_api() {
    node(&["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"]);
}

#[test]
fn the_portals_api_types_follow_the_openapi_document() {
    node(&["gen-types.mjs", "--check"]);
}
