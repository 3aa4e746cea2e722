//! A test's own platform: the server in process on port 0, its own database, N simulated sites,
//! and a client for the administrator. The data directory is deleted when the test passes and
//! kept, with its path printed, when it fails.

use std::path::{Path, PathBuf};
use std::time::Duration;

use scmp_api::{SiteCreate, SiteView};
use scmp_common::SharedClock;
use scmp_server::{start, Running, ServerConfig};
use scmp_store::DataStore;

use crate::client::Client;
use crate::sim::SimSite;

/// Where the platform keeps its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Database {
    /// SQLite in the data directory.
    Sqlite,
    /// A fresh database on the test PostgreSQL.
    Postgres,
}

/// How to start a [`TestContext`].
#[derive(Clone)]
pub struct TestContextBuilder {
    name: String,
    database: Database,
    sites: usize,
    time_scale: f64,
    fault_step: Option<String>,
    repeat_steps: bool,
    sync_interval: Duration,
    database_url: Option<String>,
    clock: Option<SharedClock>,
    workers: Option<usize>,
    agent_link: scmp_server::LinkSettings,
    release: pve_sim::Release,
}

impl TestContextBuilder {
    /// This clock for the server and its store (a [`scmp_common::ManualClock`] the test moves).
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// A fresh PostgreSQL database instead of SQLite (the test is skipped without one, unless
    /// external peers are required).
    pub fn postgres(mut self) -> Self {
        self.database = Database::Postgres;
        self
    }

    /// This database (a second replica on the same PostgreSQL).
    pub fn database_url(mut self, url: &str) -> Self {
        self.database = Database::Postgres;
        self.database_url = Some(url.to_string());
        self
    }

    /// `n` simulated sites, each a site (`site1`, ...) with one cluster (`site1-1`, ...); the
    /// first site is called `fra` and its cluster `fra-1`.
    pub fn sites(mut self, n: usize) -> Self {
        self.sites = n;
        self
    }

    /// The simulators' time scale (0: tasks end at once, the default).
    pub fn time_scale(mut self, t: f64) -> Self {
        self.time_scale = t;
        self
    }

    /// The Proxmox VE release the simulated sites present (8.4 by default).
    pub fn pve_release(mut self, release: pve_sim::Release) -> Self {
        self.release = release;
        self
    }

    /// A saga step that reports failure after doing its work.
    pub fn fault_step(mut self, step: &str) -> Self {
        self.fault_step = Some(step.to_string());
        self
    }

    /// Every saga step (and undo) run twice.
    pub fn repeat_steps(mut self) -> Self {
        self.repeat_steps = true;
        self
    }

    /// How many operations the server runs at once (the server's default otherwise).
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = Some(n);
        self
    }

    /// How often inventory sync looks at the sites (300 ms by default).
    pub fn sync_interval(mut self, d: Duration) -> Self {
        self.sync_interval = d;
        self
    }

    /// How agents' links run (how long a command waits for its site, pings).
    pub fn agent_link(mut self, settings: scmp_server::LinkSettings) -> Self {
        self.agent_link = settings;
        self
    }

    /// Starts it; `None` when it needs a PostgreSQL there is not (and none is required).
    pub async fn try_start(self) -> Option<TestContext> {
        let database_url = match (self.database, self.database_url) {
            (Database::Sqlite, _) => None,
            (Database::Postgres, Some(url)) => Some(url),
            (Database::Postgres, None) => Some(crate::postgres::fresh_database().await?),
        };
        let dir = tempfile::Builder::new()
            .prefix(&format!("scmp-test-{}-", self.name))
            .tempdir()
            .unwrap();
        let mut config =
            ServerConfig::new(dir.path().to_path_buf(), "127.0.0.1:0".parse().unwrap());
        config.sync_interval = self.sync_interval;
        if let Some(n) = self.workers {
            config.workers = n;
        }
        config.fault_step = self.fault_step;
        config.repeat_steps = self.repeat_steps;
        config.database_url = database_url.clone();
        config.agent_listen = Some("127.0.0.1:0".parse().unwrap());
        config.agent_link = self.agent_link;
        if let Some(clock) = self.clock {
            config.clock = clock;
        }
        let running = start(config).await.unwrap();
        let admin_token = std::fs::read_to_string(dir.path().join("admin-token"))
            .unwrap()
            .trim()
            .to_string();
        let base = format!("https://{}", running.addr);
        let admin = Client::new(&base, &running.fingerprint, Some(admin_token));
        let mut ctx = TestContext {
            admin,
            sites: Vec::new(),
            database_url,
            running,
            name: self.name,
            dir: Some(dir),
        };
        for i in 0..self.sites {
            let name = if i == 0 {
                "fra".to_string()
            } else {
                format!("site{}", i + 1)
            };
            ctx.add_site_release(&name, "DE", self.time_scale, self.release)
                .await;
        }
        Some(ctx)
    }

    /// Starts it (fails the test when it needs a PostgreSQL there is not).
    pub async fn start(self) -> TestContext {
        let needs = self.database == Database::Postgres;
        match self.try_start().await {
            Some(c) => c,
            None => panic!("no test PostgreSQL (needs={needs}): run scripts/test.sh"),
        }
    }
}

/// A running platform for one test.
pub struct TestContext {
    /// A client with the platform administrator's token.
    pub admin: Client,
    /// The simulated sites, in the order they were added.
    pub sites: Vec<SimSite>,
    /// The PostgreSQL database, when it runs on one.
    pub database_url: Option<String>,
    /// The server.
    pub running: Running,
    name: String,
    dir: Option<tempfile::TempDir>,
}

impl TestContext {
    /// How to start one; `name` names its directory.
    pub fn builder(name: &str) -> TestContextBuilder {
        TestContextBuilder {
            name: name.to_string(),
            database: Database::Sqlite,
            sites: 0,
            time_scale: 0.0,
            fault_step: None,
            repeat_steps: false,
            sync_interval: Duration::from_millis(300),
            database_url: None,
            clock: None,
            workers: None,
            agent_link: Default::default(),
            release: pve_sim::Release::default(),
        }
    }

    /// A platform on SQLite with no site.
    pub async fn new(name: &str) -> TestContext {
        Self::builder(name).start().await
    }

    /// A platform on SQLite with one simulated site (`fra`, cluster `fra-1`).
    pub async fn with_site(name: &str) -> TestContext {
        Self::builder(name).sites(1).start().await
    }

    /// Starts a simulator and registers it: a site `name` in `country` with the cluster
    /// `name-1`.
    pub async fn add_site(&mut self, name: &str, country: &str, time_scale: f64) -> &SimSite {
        self.add_site_release(name, country, time_scale, pve_sim::Release::default())
            .await
    }

    /// As [`TestContext::add_site`], the simulator presenting Proxmox VE `release`.
    pub async fn add_site_release(
        &mut self,
        name: &str,
        country: &str,
        time_scale: f64,
        release: pve_sim::Release,
    ) -> &SimSite {
        let site = SimSite::start_release(time_scale, release).await;
        let body = SiteCreate {
            name: name.parse().unwrap(),
            country: country.parse().unwrap(),
            region: None,
            description: None,
        };
        let _: SiteView = self.admin.post("/sites", &body).await;
        let _: scmp_api::ClusterView = self
            .admin
            .post(
                &format!("/sites/{name}/clusters"),
                &site.cluster_create(&format!("{name}-1")),
            )
            .await;
        self.sites.push(site);
        self.sites.last().unwrap()
    }

    /// The first simulated site.
    pub fn site(&self) -> &SimSite {
        self.sites.first().expect("a context with a site")
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        self.dir.as_ref().map(|d| d.path()).unwrap()
    }

    /// The server's certificate fingerprint.
    pub fn fingerprint(&self) -> &str {
        &self.running.fingerprint
    }

    /// Where site agents connect (`https://127.0.0.1:PORT`).
    pub fn agent_base(&self) -> String {
        format!("https://{}", self.running.agent_addr.unwrap())
    }

    /// The store behind the server (a second handle on the same database), to set up what the
    /// API does not make (a user with a given role) or to look beneath it.
    pub async fn store(&self) -> DataStore {
        match &self.database_url {
            Some(url) => DataStore::open(url).await.unwrap(),
            None => DataStore::open_dir(self.dir()).await.unwrap(),
        }
    }
}

impl Drop for TestContext {
    fn drop(&mut self) {
        self.running.handle.shutdown();
        if std::thread::panicking() {
            if let Some(dir) = self.dir.take() {
                let kept: PathBuf = dir.keep();
                eprintln!(
                    "test context '{}' failed: its data directory is kept at {}",
                    self.name,
                    kept.display()
                );
            }
        }
    }
}
