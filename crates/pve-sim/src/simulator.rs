//! [`Simulator`]: the model, its clock, credentials and TLS identity, and the handle tests use to
//! inject faults and move time.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::auth::{AuthState, TOKEN_ID};
use crate::clock::Clock;
use crate::model::{Cluster, Faults, NodeSpec};
use crate::tls::Identity;

/// Which clock the simulator runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMode {
    /// Wall-clock time; tasks and the HA manager move by themselves.
    Automatic,
    /// Time moves only through [`Simulator::advance`]; deterministic.
    Explicit,
}

/// How to build a simulator.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Cluster name.
    pub cluster_name: String,
    /// Number of nodes (3 = one host unit).
    pub nodes: usize,
    /// Hardware of each node.
    pub node_spec: NodeSpec,
    /// `root@pam`'s password; generated when absent.
    pub password: Option<String>,
    /// Task duration factor: 0 finishes tasks at once, 1 is real PVE timing.
    pub time_scale: f64,
    /// Seed of all randomness.
    pub seed: u64,
    /// The clock.
    pub clock: ClockMode,
    /// Where state is saved and loaded from (a demo survives restarts).
    pub state_file: Option<PathBuf>,
    /// The Proxmox VE release presented.
    pub release: crate::model::Release,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            cluster_name: "edge".into(),
            nodes: 3,
            node_spec: NodeSpec::default(),
            password: None,
            time_scale: 1.0,
            seed: 1,
            clock: ClockMode::Automatic,
            state_file: None,
            release: crate::model::Release::default(),
        }
    }
}

/// Failures of setting up or persisting the simulator.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Reading or writing the state file or binding the socket.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The state file is not a saved simulator state.
    #[error("state file {path}: {detail}")]
    State {
        /// The file.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// The TLS identity could not be made.
    #[error("TLS: {0}")]
    Tls(String),
}

/// Everything saved to the state file.
#[derive(Serialize, Deserialize)]
struct Saved {
    cluster: Cluster,
    auth: AuthState,
    identity: Identity,
}

pub(crate) struct Inner {
    pub cluster: Mutex<Cluster>,
    pub auth: AuthState,
    pub clock: Clock,
    pub identity: Identity,
    pub state_file: Option<PathBuf>,
}

/// A running (or ready) simulated cluster. Cheap to clone.
#[derive(Clone)]
pub struct Simulator {
    pub(crate) inner: Arc<Inner>,
}

fn random_secret(rng: &mut impl Rng) -> String {
    // A token secret looks like a UUID, as PVE's do.
    let b: [u8; 16] = rng.gen();
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

impl Simulator {
    /// Builds a simulator, loading the state file when it exists.
    pub fn new(config: SimConfig) -> Result<Self, SimError> {
        let clock = match config.clock {
            ClockMode::Automatic => Clock::Automatic,
            ClockMode::Explicit => Clock::explicit(),
        };
        let loaded = match &config.state_file {
            Some(p) if p.exists() => Some(load(p)?),
            _ => None,
        };
        let (mut cluster, mut auth, identity) = match loaded {
            Some(s) => (s.cluster, s.auth, s.identity),
            None => {
                let cluster = Cluster::new(
                    &config.cluster_name,
                    config.nodes,
                    config.node_spec,
                    config.seed,
                    clock.now(),
                    config.time_scale,
                );
                let mut rng = rand::thread_rng();
                let auth = AuthState {
                    root_password: String::new(),
                    token_secret: random_secret(&mut rng),
                    ticket_key: random_secret(&mut rng),
                };
                let names: Vec<String> = cluster
                    .nodes
                    .iter()
                    .take(16)
                    .map(|n| n.name.clone())
                    .collect();
                let identity = Identity::generate(&names).map_err(SimError::Tls)?;
                (cluster, auth, identity)
            }
        };
        cluster.reseed();
        cluster.time_scale = config.time_scale;
        cluster.release = config.release;
        match config.password {
            Some(p) => auth.root_password = p,
            None if auth.root_password.is_empty() => {
                auth.root_password = random_secret(&mut rand::thread_rng())[..18].replace('-', "")
            }
            None => {}
        }
        Ok(Self {
            inner: Arc::new(Inner {
                cluster: Mutex::new(cluster),
                auth,
                clock,
                identity,
                state_file: config.state_file,
            }),
        })
    }

    /// The certificate's SHA-256 fingerprint (`AB:CD:...`).
    pub fn fingerprint(&self) -> String {
        self.inner.identity.fingerprint()
    }

    /// The certificate as PEM (to trust it as a CA).
    pub fn cert_pem(&self) -> String {
        self.inner.identity.cert_pem()
    }

    /// `root@pam`'s password.
    pub fn password(&self) -> &str {
        &self.inner.auth.root_password
    }

    /// The API token as `root@pam!scmp=SECRET`.
    pub fn token_line(&self) -> String {
        format!("{TOKEN_ID}={}", self.inner.auth.token_secret)
    }

    /// The model, locked, moved to the current time first.
    pub fn cluster(&self) -> MutexGuard<'_, Cluster> {
        let mut c = self.inner.cluster.lock().unwrap_or_else(|e| e.into_inner());
        c.tick(self.inner.clock.now());
        c
    }

    /// The current simulated time.
    pub fn now(&self) -> f64 {
        self.inner.clock.now()
    }

    /// Moves an explicit clock forward and lets tasks and the HA manager catch up.
    pub fn advance(&self, by: Duration) {
        self.inner.clock.advance(by);
        drop(self.cluster());
    }

    /// Calls the API in-process as `root@pam` (no HTTP): what a request with a valid ticket would do.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        params: &[(&str, &str)],
    ) -> Result<serde_json::Value, crate::error::ApiError> {
        let caller = crate::auth::Caller {
            authid: crate::auth::ROOT.into(),
            ticket: true,
        };
        let params = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let now = self.now();
        let mut c = self.inner.cluster.lock().unwrap_or_else(|e| e.into_inner());
        crate::api::dispatch(&mut c, &self.inner.auth, &caller, method, path, params, now)
            .map(crate::api::Reply::into_value)
    }

    /// Calls a read in-process and returns the whole answer body, as the server would send it.
    pub fn call_raw(&self, method: &str, path: &str) -> Result<Vec<u8>, crate::error::ApiError> {
        let caller = crate::auth::Caller {
            authid: crate::auth::ROOT.into(),
            ticket: true,
        };
        let now = self.now();
        let mut c = self.inner.cluster.lock().unwrap_or_else(|e| e.into_inner());
        crate::api::dispatch(
            &mut c,
            &self.inner.auth,
            &caller,
            method,
            path,
            Default::default(),
            now,
        )
        .map(crate::api::Reply::into_body)
    }

    /// Fails a node (power loss).
    pub fn node_down(&self, node: &str) -> bool {
        let now = self.now();
        self.cluster().node_down(node, now)
    }

    /// Brings a node back (it rebooted).
    pub fn node_up(&self, node: &str) -> bool {
        let now = self.now();
        self.cluster().node_up(node, now)
    }

    /// Splits the cluster network into groups of nodes; nodes in no group form one more group.
    pub fn partition(&self, groups: Vec<Vec<String>>) {
        let now = self.now();
        let mut c = self.cluster();
        c.partition = groups
            .into_iter()
            .map(|g| g.into_iter().collect())
            .collect();
        c.partition_since = now;
    }

    /// Ends a partition.
    pub fn heal(&self) {
        self.cluster().partition.clear();
    }

    /// Sets the injected faults.
    pub fn set_faults(&self, faults: Faults) {
        self.cluster().faults = faults;
    }

    /// Saves the state to `path` (mode 0600: it holds the credentials).
    pub fn save_to(&self, path: &Path) -> Result<(), SimError> {
        let saved = {
            let c = self.cluster();
            serde_json::to_vec(&SavedRef {
                cluster: &c,
                auth: &self.inner.auth,
                identity: &self.inner.identity,
            })
        }
        .map_err(|e| SimError::State {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        let tmp = path.with_extension("tmp");
        let io = |source| SimError::Io {
            context: format!("writing {}", path.display()),
            source,
        };
        write_private(&tmp, &saved).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Saves to the configured state file, if any.
    pub fn save(&self) -> Result<bool, SimError> {
        match &self.inner.state_file {
            Some(p) => self.save_to(p).map(|_| true),
            None => Ok(false),
        }
    }
}

#[derive(Serialize)]
struct SavedRef<'a> {
    cluster: &'a Cluster,
    auth: &'a AuthState,
    identity: &'a Identity,
}

fn load(path: &Path) -> Result<Saved, SimError> {
    let bytes = std::fs::read(path).map_err(|source| SimError::Io {
        context: format!("reading {}", path.display()),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|e| SimError::State {
        path: path.display().to_string(),
        detail: e.to_string(),
    })
}

/// Writes a file only its owner can read.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}
