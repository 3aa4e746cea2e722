//! `scmp server`: the public API over HTTPS. Handlers (`http`) are glue: they unpack typed input
//! and call one function of the app layer (`app`), which looks up and authorizes, checks, audits,
//! calls the store and the sites and answers the API's views; the one error type becomes RFC 9457
//! problem details in one place (`error.rs`). Workers (`workflows`) run the operations the app
//! records; inventory sync (`inventory`) keeps the store in step with the sites.
#![forbid(unsafe_code)]

mod agent_ca;
mod agent_link;
mod agent_listener;
mod agent_session;
mod app;
mod authn;
mod backup_marks;
mod bootstrap;
pub mod checkpoint;
mod connections;
mod context;
pub mod datadir;
mod directory;
mod error;
mod firewall_drift;
mod firewall_spec;
mod hints;
mod host_failure;
mod http;
mod inventory;
mod metrics;
mod outbound;
mod outcomes;
mod placement;
mod policy_cache;
pub mod secrets;
mod signals;
mod site_bringup;
mod site_chains;
mod site_link_plan;
mod site_link_sync;
mod sso;
mod tls;
mod views;
mod workflows;

pub use agent_link::LinkSettings;
pub use context::ServerConfig;
pub use http::openapi_document;

use std::net::SocketAddr;
use std::sync::Arc;

use scmp_common::Error;

/// A started server.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The TLS certificate's SHA-256 fingerprint (`AB:CD:...`).
    pub fingerprint: String,
    /// Where site agents connect, when they may.
    pub agent_addr: Option<SocketAddr>,
    /// Stops the server.
    pub handle: axum_server::Handle,
    /// Ends when the server stops.
    pub task: tokio::task::JoinHandle<()>,
}

/// Opens the store, bootstraps an empty platform, and serves HTTPS on `config.listen`.
pub async fn start(config: ServerConfig) -> Result<Running, Error> {
    datadir::prepare(&config.data_dir, config.database_url.is_none())?;
    let store = match &config.database_url {
        Some(url) => scmp_store::DataStore::open(url).await?,
        None => scmp_store::DataStore::open_dir(&config.data_dir).await?,
    }
    .with_clock(config.clock.clone())
    .with_random(config.random.clone());
    bootstrap::first_start(&store, &config.data_dir).await?;
    let (tls, fingerprint) = tls::load_or_create(&config.data_dir)?;
    let signer = Arc::new(checkpoint::Signer::load_or_create(&config.data_dir)?);
    let sealer = secrets::Sealer::load_or_create(&config.data_dir)?;
    // Again, now that the store, the keys and the certificate are there.
    datadir::secure(&config.data_dir)?;
    let listener = std::net::TcpListener::bind(config.listen)
        .map_err(|e| Error::Unavailable(format!("cannot listen on {}: {e}", config.listen)))?;
    listener.set_nonblocking(true).map_err(Error::internal)?;
    let addr = listener.local_addr().map_err(Error::internal)?;
    let mut state = context::AppState::new(store, config.random.clone(), signer, sealer)?;
    state.public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("https://{addr}"))
        .trim_end_matches('/')
        .to_string();
    state.fault_step = config.fault_step.clone();
    state.repeat_steps = config.repeat_steps;
    state.connections = connections::Connections::new(config.agent_link)
        .with_link_root(config.data_dir.join("site-links"));
    let state = Arc::new(state);
    {
        let state = state.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                // One replica signs the timed checkpoints.
                match state
                    .store
                    .lease_try("audit-checkpoint", &state.replica, 90_000)
                    .await
                {
                    Ok(true) => {
                        if let Err(e) = state.signer.checkpoint(&state.store).await {
                            tracing::warn!(error = %e, "audit checkpoint failed");
                        }
                    }
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "audit checkpoint: cannot take the lease"),
                }
            }
        });
    }
    {
        // Offline budgets past their validity give back what their sites did not use.
        let state = state.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                if let Err(e) = state.store.site_budget_expire().await {
                    tracing::warn!(error = %e, "offline budgets: cannot expire");
                }
            }
        });
    }
    {
        // Realms whose settings ask for a scheduled sync; each checks its own interval.
        let state = state.clone();
        let tick = config.sync_interval.min(std::time::Duration::from_secs(60));
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(tick).await;
                if let Err(e) = state.realm_syncs_due().await {
                    tracing::warn!(error = %e.chain(), "scheduled realm syncs");
                }
            }
        });
    }
    {
        // Approvals past their deadline are rejected; ITSM webhooks are delivered and retried;
        // leases warn, stop and decommission.
        let state = state.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                if let Err(e) = state.approvals_due().await {
                    tracing::warn!(error = %e.chain(), "approvals: cannot expire or deliver");
                }
                if let Err(e) = state.leases_due().await {
                    tracing::warn!(error = %e.chain(), "leases: cannot act on those due");
                }
            }
        });
    }
    {
        // Each tenant's compliance is scanned when its last scan is an hour old.
        let state = state.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                if let Err(e) = state.compliance_scan_due().await {
                    tracing::warn!(error = %e.chain(), "compliance scans");
                }
            }
        });
    }
    tokio::spawn(inventory::run(state.clone(), config.sync_interval));
    workflows::spawn(state.clone(), config.workers);
    let handle = axum_server::Handle::new();
    let agent_addr = match config.agent_listen {
        Some(listen) => Some(
            agent_listener::start(state.clone(), listen, &config.agent_names, handle.clone())
                .await?,
        ),
        None => None,
    };
    let app = http::router(state);
    let server = axum_server::from_tcp_rustls(
        listener,
        axum_server::tls_rustls::RustlsConfig::from_config(tls),
    )
    .handle(handle.clone());
    let task = tokio::spawn(async move {
        if let Err(e) = server
            .serve(app.into_make_service_with_connect_info::<SocketAddr>())
            .await
        {
            tracing::error!(error = %e, "the server stopped");
        }
    });
    Ok(Running {
        addr,
        fingerprint,
        agent_addr,
        handle,
        task,
    })
}
