//! `scmp cluster`, `scmp host`, `scmp image` and `scmp instance-type`: what platform operators manage.

use std::path::PathBuf;

use anyhow::Context as _;
use pve_types::{Authid, Fingerprint};
use reqwest::Method;
use scmp_api::*;
use scmp_common::{DriftAction, GuestKind, Name};

use super::output::{print, print_list};
use super::{api, Global};

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
        name: Name,
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
        fingerprint: Fingerprint,
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
        drift_action: Option<DriftAction>,
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
        name: Name,
        /// `vm` or `ct`.
        #[arg(long)]
        kind: GuestKind,
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
        name: Name,
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

/// A token file's `USER@REALM!TOKENID=SECRET` (what `scmp pve-sim --token-file` writes).
fn read_token_file(path: &std::path::Path) -> anyhow::Result<(Authid, String)> {
    let line =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let (id, secret) = line
        .trim()
        .split_once('=')
        .context("the token file must hold USER@REALM!TOKENID=SECRET")?;
    let id = id.parse().with_context(|| {
        format!(
            "the token id in {} is not USER@REALM!TOKENID",
            path.display()
        )
    })?;
    Ok((id, secret.to_string()))
}

/// `scmp cluster ...`
pub async fn cluster(cmd: ClusterCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let o = g.output;
    match cmd {
        ClusterCmd::List { site } => {
            let list: Vec<ClusterView> = a.list(&format!("/sites/{site}/clusters")).await?;
            print_list(&list, o, CLUSTER_COLUMNS)
        }
        ClusterCmd::Create {
            name,
            site,
            endpoint,
            token_file,
            fingerprint,
            cpu_overcommit,
            memory_overcommit,
        } => {
            let (token_id, token_secret) = read_token_file(&token_file)?;
            let body = ClusterCreate {
                name,
                endpoint,
                token_id,
                token_secret,
                tls_fingerprint: Some(fingerprint),
                cpu_overcommit,
                memory_overcommit,
            };
            let c: ClusterView = a
                .call(Method::POST, &format!("/sites/{site}/clusters"), &body)
                .await?;
            print(&c, o, CLUSTER_COLUMNS)
        }
        ClusterCmd::View { cluster } => {
            let c: ClusterView = a.get(&format!("/clusters/{cluster}")).await?;
            print(&c, o, CLUSTER_COLUMNS)
        }
        ClusterCmd::Update {
            cluster,
            cpu_overcommit,
            memory_overcommit,
            drift_action,
        } => {
            let body = ClusterUpdate {
                cpu_overcommit,
                memory_overcommit,
                drift_action,
            };
            let c: ClusterView = a
                .call(Method::PATCH, &format!("/clusters/{cluster}"), &body)
                .await?;
            print(&c, o, CLUSTER_COLUMNS)
        }
        ClusterCmd::Delete { cluster } => a.delete(&format!("/clusters/{cluster}")).await,
    }
}

const HOST_COLUMNS: &[&str] = &[
    "name",
    "online",
    "maintenance",
    "cores",
    "memory_mib",
    "cpu_usage",
    "memory_used_mib",
];

/// `scmp host ...`
pub async fn host(cmd: HostCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let (cluster, host, on) = match cmd {
        HostCmd::List { cluster } => {
            let list: Vec<HostView> = a.list(&format!("/clusters/{cluster}/hosts")).await?;
            return print_list(&list, g.output, HOST_COLUMNS);
        }
        HostCmd::MaintenanceEnter { cluster, host } => (cluster, host, "enter"),
        HostCmd::MaintenanceExit { cluster, host } => (cluster, host, "exit"),
    };
    let h: HostView = a
        .post(&format!(
            "/clusters/{cluster}/hosts/{host}/maintenance-{on}"
        ))
        .await?;
    print(&h, g.output, HOST_COLUMNS)
}

const IMAGE_COLUMNS: &[&str] = &["name", "kind", "os", "version", "template", "clusters"];

/// `scmp image ...`
pub async fn image(cmd: ImageCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let o = g.output;
    match cmd {
        ImageCmd::List => print_list(&a.list::<ImageView>("/images").await?, o, IMAGE_COLUMNS),
        ImageCmd::View { image } => {
            let i: ImageView = a.get(&format!("/images/{image}")).await?;
            print(&i, o, IMAGE_COLUMNS)
        }
        ImageCmd::Delete { image } => {
            a.delete(&format!("/images/{image}")).await?;
            println!("image {image} deleted");
            Ok(())
        }
        ImageCmd::Create {
            name,
            kind,
            os,
            version,
            template,
        } => {
            let body = ImageCreate {
                name,
                kind,
                os,
                version,
                template,
                description: None,
            };
            let i: ImageView = a.call(Method::POST, "/images", &body).await?;
            print(&i, o, IMAGE_COLUMNS)
        }
    }
}

const INSTANCE_TYPE_COLUMNS: &[&str] = &["name", "vcpus", "memory_mib", "disk_gib"];

/// `scmp instance-type ...`
pub async fn instance_type(cmd: InstanceTypeCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let o = g.output;
    match cmd {
        InstanceTypeCmd::List => {
            let list: Vec<InstanceTypeView> = a.list("/instance-types").await?;
            print_list(&list, o, INSTANCE_TYPE_COLUMNS)
        }
        InstanceTypeCmd::View { instance_type } => {
            let t: InstanceTypeView = a.get(&format!("/instance-types/{instance_type}")).await?;
            print(&t, o, INSTANCE_TYPE_COLUMNS)
        }
        InstanceTypeCmd::Delete { instance_type } => {
            a.delete(&format!("/instance-types/{instance_type}"))
                .await?;
            println!("instance type {instance_type} deleted");
            Ok(())
        }
        InstanceTypeCmd::Create {
            name,
            vcpus,
            memory_mib,
            disk_gib,
        } => {
            let body = InstanceTypeCreate {
                name,
                vcpus,
                memory_mib,
                disk_gib,
            };
            let t: InstanceTypeView = a.call(Method::POST, "/instance-types", &body).await?;
            print(&t, o, INSTANCE_TYPE_COLUMNS)
        }
    }
}
