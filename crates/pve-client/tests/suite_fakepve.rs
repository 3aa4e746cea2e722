//! The client suite against the independent fake PVE server `fakepve` (PyPI), started on loopback.
//!
//! `scripts/test.sh` installs it into a virtual environment and sets `SCMP_TEST_PYTHON`; without it
//! the test is skipped, unless `SCMP_REQUIRE_EXTERNAL=1` says the peers must be there.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

mod common;

use common::{run_suite, Peer, Target};
use scmp_test_utils::external::FakePve;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suite_against_fakepve() {
    let Some(fake) = FakePve::start().await else {
        return;
    };
    let target = Target {
        peer: Peer::FakePve,
        url: fake.info.url.clone(),
        fingerprint: fake.info.fingerprint.clone(),
        password: fake.info.password.clone(),
        token: fake.info.token.clone(),
    };
    run_suite(&target).await;
    drop(fake);
}
