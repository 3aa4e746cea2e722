//! `scmp cluster`, `scmp host`, `scmp image` and `scmp instance-type`: what platform operators manage.

use std::path::PathBuf;

use anyhow::Context as _;
use reqwest::Method;
use serde_json::json;

use super::commands::{api, Global};
use super::output::print;

/// `scmp cluster ...`
#[derive(Debug, clap::Subcommand)]
pub enum ClusterCmd {
    /// `cluster_list`: a site's clusters.
    List {
        /// Site name or id.
        #[arg(long)]
        site: String,
    },
    /// `cluster_create`: register a Proxmox VE cluster (scmp connects and checks the token).
    Create {
        /// Name.
        name: String,
        /// Site name or id.
        #[arg(long)]
        site: String,
        /// `https://host:8006`.
        #[arg(long)]
        endpoint: String,
        /// A file holding `USER@REALM!TOKENID=SECRET` (what `scmp pve-sim --token-file` writes).
        #[arg(long)]
        token_file: PathBuf,
        /// The cluster certificate's SHA-256 fingerprint.
        #[arg(long)]
        fingerprint: String,
        /// vCPUs per physical core (default 4).
        #[arg(long)]
        cpu_overcommit: Option<f64>,
        /// Memory overcommit (default 1).
        #[arg(long)]
        memory_overcommit: Option<f64>,
    },
    /// `cluster_view`: capacity and health.
    View {
        /// Cluster name or id.
        cluster: String,
    },
    /// `cluster_update`.
    Update {
        /// Cluster name or id.
        cluster: String,
        /// vCPUs per physical core.
        #[arg(long)]
        cpu_overcommit: Option<f64>,
        /// Memory overcommit.
        #[arg(long)]
        memory_overcommit: Option<f64>,
        /// `report` or `repair` drift.
        #[arg(long)]
        drift_action: Option<String>,
    },
    /// `cluster_delete`: forget a cluster without scmp guests.
    Delete {
        /// Cluster name or id.
        cluster: String,
    },
}

/// `scmp host ...`
#[derive(Debug, clap::Subcommand)]
pub enum HostCmd {
    /// `host_list`.
    List {
        /// Cluster name or id.
        cluster: String,
    },
    /// `host_maintenance_enter`: no new guests on the host.
    MaintenanceEnter {
        /// Cluster name or id.
        cluster: String,
        /// Node name.
        host: String,
    },
    /// `host_maintenance_exit`.
    MaintenanceExit {
        /// Cluster name or id.
        cluster: String,
        /// Node name.
        host: String,
    },
}

/// `scmp image ...`
#[derive(Debug, clap::Subcommand)]
pub enum ImageCmd {
    /// `image_list`.
    List,
    /// `image_view`.
    View {
        /// Name or id.
        image: String,
    },
    /// `image_delete`: refused while guests were made from it.
    Delete {
        /// Name or id.
        image: String,
    },
    /// `image_create`.
    Create {
        /// Name.
        name: String,
        /// `vm` or `ct`.
        #[arg(long)]
        kind: String,
        /// Operating system.
        #[arg(long)]
        os: String,
        /// Its version.
        #[arg(long)]
        version: String,
        /// The template's name on the clusters.
        #[arg(long)]
        template: String,
    },
}

/// `scmp instance-type ...`
#[derive(Debug, clap::Subcommand)]
pub enum InstanceTypeCmd {
    /// `instance_type_list`.
    List,
    /// `instance_type_view`.
    View {
        /// Name or id.
        instance_type: String,
    },
    /// `instance_type_delete`.
    Delete {
        /// Name or id.
        instance_type: String,
    },
    /// `instance_type_create`.
    Create {
        /// Name.
        name: String,
        /// vCPUs.
        #[arg(long)]
        vcpus: u64,
        /// Memory in MiB.
        #[arg(long)]
        memory_mib: u64,
        /// Root disk in GiB.
        #[arg(long)]
        disk_gib: u64,
    },
}

const CLUSTER_COLUMNS: &[&str] = &["name", "endpoint", "health", "cpu_overcommit", "id"];

/// `scmp cluster ...`
pub async fn cluster(cmd: ClusterCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let v = match cmd {
        ClusterCmd::List { site } => a.list(&format!("/sites/{site}/clusters")).await?,
        ClusterCmd::Create {
            name,
            site,
            endpoint,
            token_file,
            fingerprint,
            cpu_overcommit,
            memory_overcommit,
        } => {
            let line = std::fs::read_to_string(&token_file)
                .with_context(|| format!("reading {}", token_file.display()))?;
            let (id, secret) = line
                .trim()
                .split_once('=')
                .context("the token file must hold USER@REALM!TOKENID=SECRET")?;
            a.call(
                Method::POST,
                &format!("/sites/{site}/clusters"),
                Some(json!({"name": name, "endpoint": endpoint, "token_id": id, "token_secret": secret,
                    "tls_fingerprint": fingerprint, "cpu_overcommit": cpu_overcommit,
                    "memory_overcommit": memory_overcommit})),
            )
            .await?
        }
        ClusterCmd::View { cluster } => {
            a.call(Method::GET, &format!("/clusters/{cluster}"), None)
                .await?
        }
        ClusterCmd::Update {
            cluster,
            cpu_overcommit,
            memory_overcommit,
            drift_action,
        } => {
            a.call(
                Method::PATCH,
                &format!("/clusters/{cluster}"),
                Some(
                    json!({"cpu_overcommit": cpu_overcommit, "memory_overcommit": memory_overcommit,
                    "drift_action": drift_action}),
                ),
            )
            .await?
        }
        ClusterCmd::Delete { cluster } => {
            a.call(Method::DELETE, &format!("/clusters/{cluster}"), None)
                .await?
        }
    };
    print(&v, g.output, CLUSTER_COLUMNS)
}

/// `scmp host ...`
pub async fn host(cmd: HostCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let v = match cmd {
        HostCmd::List { cluster } => a.list(&format!("/clusters/{cluster}/hosts")).await?,
        HostCmd::MaintenanceEnter { cluster, host } => {
            let path = format!("/clusters/{cluster}/hosts/{host}/maintenance-enter");
            a.call(Method::POST, &path, None).await?
        }
        HostCmd::MaintenanceExit { cluster, host } => {
            let path = format!("/clusters/{cluster}/hosts/{host}/maintenance-exit");
            a.call(Method::POST, &path, None).await?
        }
    };
    print(
        &v,
        g.output,
        &[
            "name",
            "online",
            "maintenance",
            "cores",
            "memory_mib",
            "cpu_usage",
            "memory_used_mib",
        ],
    )
}

/// `scmp image ...`
pub async fn image(cmd: ImageCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let v = match cmd {
        ImageCmd::List => a.list("/images").await?,
        ImageCmd::View { image } => a.call(Method::GET, &format!("/images/{image}"), None).await?,
        ImageCmd::Delete { image } => {
            a.call(Method::DELETE, &format!("/images/{image}"), None)
                .await?;
            println!("image {image} deleted");
            return Ok(());
        }
        ImageCmd::Create {
            name,
            kind,
            os,
            version,
            template,
        } => {
            a.call(
                Method::POST,
                "/images",
                Some(json!({"name": name, "kind": kind, "os": os, "version": version, "template": template})),
            )
            .await?
        }
    };
    print(
        &v,
        g.output,
        &["name", "kind", "os", "version", "template", "clusters"],
    )
}

/// `scmp instance-type ...`
pub async fn instance_type(cmd: InstanceTypeCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let v = match cmd {
        InstanceTypeCmd::List => a.list("/instance-types").await?,
        InstanceTypeCmd::View { instance_type } => {
            a.call(Method::GET, &format!("/instance-types/{instance_type}"), None)
                .await?
        }
        InstanceTypeCmd::Delete { instance_type } => {
            a.call(Method::DELETE, &format!("/instance-types/{instance_type}"), None)
                .await?;
            println!("instance type {instance_type} deleted");
            return Ok(());
        }
        InstanceTypeCmd::Create {
            name,
            vcpus,
            memory_mib,
            disk_gib,
        } => {
            a.call(
                Method::POST,
                "/instance-types",
                Some(json!({"name": name, "vcpus": vcpus, "memory_mib": memory_mib, "disk_gib": disk_gib})),
            )
            .await?
        }
    };
    print(&v, g.output, &["name", "vcpus", "memory_mib", "disk_gib"])
}
