//! What every part of the server shares (the store, the clock, the keys, the caches; no logic of
//! its own: the app layer in `app/` adds that) and each request's operation context (who, from
//! where, which request).

use std::net::SocketAddr;
use std::path::PathBuf;

use scmp_authz::{Authorizer, Principal};
use scmp_common::{Error, Random, SharedClock};
use scmp_store::{Credential, DataStore, User};

use crate::metrics::Metrics;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where the SQLite database, TLS certificate and admin token live.
    pub data_dir: PathBuf,
    /// The address to serve HTTPS on.
    pub listen: SocketAddr,
    /// PostgreSQL instead of SQLite (`postgres://...`).
    pub database_url: Option<String>,
    /// How often inventory sync looks at every cluster.
    pub sync_interval: std::time::Duration,
    /// How many operations this replica runs at once.
    pub workers: usize,
    /// Fault injection for tests: the saga step of this name reports failure after doing its
    /// work, so every undo path can be exercised (`SCMP_FAULT_STEP`).
    pub fault_step: Option<String>,
    /// For tests: run every saga step (and undo) twice, as a crash between a step's work and the
    /// record of its progress would; the second run must find the work done.
    pub repeat_steps: bool,
    /// The clock (the system's; a test may give one it moves itself).
    pub clock: SharedClock,
    /// The source of randomness (from the operating system; a test may seed one).
    pub random: Random,
    /// Where site agents connect (mutual TLS under the platform's agent CA); none: no agents.
    pub agent_listen: Option<SocketAddr>,
    /// The names agents reach that listener by, in its certificate (DNS names or addresses).
    pub agent_names: Vec<String>,
    /// How the agents' links run (pings, how long a command waits for its site).
    pub agent_link: crate::agent_link::LinkSettings,
    /// The server's address as others reach it (`https://scmp.example`), for the links it sends
    /// out (ITSM callbacks); `https://` and the listening address when not given.
    pub public_url: Option<String>,
}

impl ServerConfig {
    /// The defaults: inventory every 5 s, 32 concurrent operations.
    pub fn new(data_dir: PathBuf, listen: SocketAddr) -> Self {
        Self {
            data_dir,
            listen,
            database_url: None,
            sync_interval: std::time::Duration::from_secs(5),
            workers: 32,
            fault_step: None,
            repeat_steps: false,
            clock: scmp_common::SystemClock::shared(),
            random: Random::from_os(),
            agent_listen: None,
            agent_names: vec!["localhost".into(), "127.0.0.1".into()],
            agent_link: Default::default(),
            public_url: None,
        }
    }
}

/// What every part of the server shares.
pub struct AppState {
    /// The store (with the same clock and randomness).
    pub store: DataStore,
    /// The one clock.
    pub clock: SharedClock,
    /// The one source of randomness.
    pub random: Random,
    /// The policy engine.
    pub authz: Authorizer,
    /// Request metrics.
    pub metrics: Metrics,
    /// Signs audit checkpoints.
    pub signer: std::sync::Arc<crate::checkpoint::Signer>,
    /// Seals secrets at rest.
    pub sealer: crate::secrets::Sealer,
    /// The agent of each cluster (in process, on a Proxmox VE client).
    pub connections: crate::connections::Connections,
    /// Wakes workers when an operation is recorded.
    pub work: crate::signals::Work,
    /// Waiters (`?wait=`) for operations to end, by operation.
    pub finished: crate::signals::Waiters,
    /// Checks scmp's own users' passwords at login (realms check theirs: `directory`, `sso`).
    pub authn: std::sync::Arc<dyn crate::authn::PasswordAuthenticator>,
    /// This replica's name in leases (unique per process).
    pub replica: String,
    /// VMID candidates handed out by this replica.
    pub vmid_hints: crate::hints::VmidHints,
    /// Tenant pools seen on each cluster.
    pub known_pools: crate::hints::KnownPools,
    /// Placement's capacity snapshot, shared by this replica's decisions.
    pub placer: crate::placement::Placer,
    /// A saga step that reports failure after doing its work, for tests.
    pub fault_step: Option<String>,
    /// Run every step twice, for tests.
    pub repeat_steps: bool,
    /// The platform's agent CA, loaded (or made) on first use.
    pub agent_ca: tokio::sync::OnceCell<crate::agent_ca::AgentCa>,
    /// The OpenID providers of single sign-on realms (their discovery documents and keys).
    pub sso: crate::sso::Providers,
    /// The governance policies' engine and their compiled set.
    pub governance: crate::policy_cache::PolicyCache,
    /// The server's address as others reach it, without a trailing `/`.
    pub public_url: String,
    /// What ITSM webhooks are posted with.
    pub outbound: reqwest::Client,
}

impl AppState {
    /// Builds the state; the store's clock and randomness are everyone's.
    pub fn new(
        store: DataStore,
        random: Random,
        signer: std::sync::Arc<crate::checkpoint::Signer>,
        sealer: crate::secrets::Sealer,
    ) -> Result<Self, Error> {
        let store = store.with_random(random.clone());
        Ok(Self {
            authn: std::sync::Arc::new(crate::authn::LocalPasswords::new(store.clone())),
            clock: store.clock().clone(),
            replica: format!("{}-{}", std::process::id(), random.uuid()),
            random,
            store,
            authz: Authorizer::new().map_err(Error::internal)?,
            metrics: Metrics::new(),
            signer,
            sealer,
            connections: Default::default(),
            work: Default::default(),
            finished: Default::default(),
            placer: Default::default(),
            vmid_hints: Default::default(),
            known_pools: Default::default(),
            fault_step: None,
            repeat_steps: false,
            agent_ca: Default::default(),
            sso: crate::sso::Providers::new()?,
            governance: crate::policy_cache::PolicyCache::new()?,
            public_url: String::new(),
            outbound: crate::outbound::client(std::time::Duration::from_secs(10))?,
        })
    }
}

/// The site and agent a connection's client certificate names on the agents' listener (verified
/// under the agent CA in the handshake); none when it came without one (enrollment, renewal).
#[derive(Debug, Clone, Copy, Default)]
pub struct PeerAgent(pub Option<(scmp_common::SiteId, scmp_common::AgentId)>);

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The real end user.
    pub user: User,
    /// The token or session used.
    pub credential: Credential,
    /// The user's role bindings, for the policy engine.
    pub principal: Principal,
}

/// Where a request came from, before anyone is authenticated (a login has only this).
#[derive(Debug, Clone)]
pub struct RequestMeta {
    /// The request id (also in `X-Request-Id` and problem `instance`).
    pub request_id: String,
    /// The peer address.
    pub source: SocketAddr,
}

/// One request's context: its id, its source and its authenticated actor.
#[derive(Debug, Clone)]
pub struct OpContext {
    /// The request id (also in `X-Request-Id` and problem `instance`).
    pub request_id: String,
    /// The peer address.
    pub source: SocketAddr,
    /// The caller.
    pub actor: Actor,
}
