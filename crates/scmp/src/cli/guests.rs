//! `scmp guest`, `scmp snapshot` and `scmp operation`: the guest lifecycle. Long changes wait for
//! their operation with a progress bar unless `--no-wait`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use reqwest::Method;
use serde_json::{json, Value};

use super::client::Api;
use super::commands::{api, Global};
use super::output::{print, Format};

/// Waiting options of long changes.
#[derive(Debug, Clone, clap::Args)]
pub struct WaitArgs {
    /// Answer with the operation at once instead of waiting for it.
    #[arg(long)]
    no_wait: bool,
}

/// `scmp guest ...`
#[derive(Debug, clap::Subcommand)]
pub enum GuestCmd {
    /// `guest_list`: a project's guests.
    List {
        /// The project: `TENANT/PROJECT` or its id.
        #[arg(long)]
        project: String,
    },
    /// `guest_create`: a VM or container from a catalog image.
    Create(Box<GuestCreateArgs>),
    /// `guest_view`.
    View {
        /// Guest id or name.
        guest: String,
    },
    /// `guest_start`.
    Start {
        /// Guest id or name.
        guest: String,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// `guest_stop`: power off at once.
    Stop {
        /// Guest id or name.
        guest: String,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// `guest_shutdown`: a clean shutdown.
    Shutdown {
        /// Guest id or name.
        guest: String,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// `guest_reboot`.
    Reboot {
        /// Guest id or name.
        guest: String,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// `guest_update`: new sizes (the disk only grows).
    Resize {
        /// Guest id or name.
        guest: String,
        /// vCPUs.
        #[arg(long)]
        vcpus: Option<u64>,
        /// Memory in MiB.
        #[arg(long)]
        memory_mib: Option<u64>,
        /// Root disk in GiB.
        #[arg(long)]
        disk_gib: Option<u64>,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// `guest_migrate`: move to another host of its cluster.
    Migrate {
        /// Guest id or name.
        guest: String,
        /// The host to move to (placement chooses when left out).
        #[arg(long)]
        host: Option<String>,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// `guest_delete`: stop, remove from HA, destroy, release the quota.
    Delete {
        /// Guest id or name.
        guest: String,
        #[command(flatten)]
        wait: WaitArgs,
    },
}

/// Options of `scmp guest create`.
#[derive(Debug, clap::Args)]
pub struct GuestCreateArgs {
    /// Name (also the hostname).
    name: String,
    /// The project: `TENANT/PROJECT` or its id.
    #[arg(long)]
    project: String,
    /// `vm` or `ct`.
    #[arg(long, default_value = "vm")]
    kind: String,
    /// Catalog image (`scmp image list`).
    #[arg(long, default_value = "debian-12")]
    image: String,
    /// Instance type (`scmp instance-type list`), or give the sizes.
    #[arg(long = "type")]
    instance_type: Option<String>,
    /// vCPUs.
    #[arg(long)]
    vcpus: Option<u64>,
    /// Memory in MiB.
    #[arg(long)]
    memory_mib: Option<u64>,
    /// Root disk in GiB.
    #[arg(long)]
    disk_gib: Option<u64>,
    /// Run at this site (otherwise placement chooses).
    #[arg(long)]
    site: Option<String>,
    /// Cloud-init user.
    #[arg(long)]
    user: Option<String>,
    /// A file with SSH public keys (one per line) for that user.
    #[arg(long)]
    ssh_key_file: Option<PathBuf>,
    /// `ip=dhcp` or `ip=10.0.0.5/24,gw=10.0.0.1`.
    #[arg(long)]
    ip: Option<String>,
    /// The bridge of its network interface (`vmbr0` when left out).
    #[arg(long)]
    bridge: Option<String>,
    /// A VLAN (1..4094) on that bridge.
    #[arg(long)]
    vlan: Option<u16>,
    /// Managed by Proxmox HA.
    #[arg(long)]
    ha: bool,
    /// A tag (repeat for more).
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// Anti-affinity group: no two guests of the project's group on one host.
    #[arg(long)]
    anti_affinity_group: Option<String>,
    #[command(flatten)]
    wait: WaitArgs,
}

/// `scmp snapshot ...`
#[derive(Debug, clap::Subcommand)]
pub enum SnapshotCmd {
    /// `snapshot_list`.
    List {
        /// Guest id or name.
        guest: String,
    },
    /// `snapshot_create`.
    Create {
        /// Guest id or name.
        guest: String,
        /// Snapshot name.
        name: String,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// `snapshot_rollback`.
    Rollback {
        /// Guest id or name.
        guest: String,
        /// Snapshot name.
        name: String,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// `snapshot_delete`.
    Delete {
        /// Guest id or name.
        guest: String,
        /// Snapshot name.
        name: String,
        #[command(flatten)]
        wait: WaitArgs,
    },
}

/// `scmp operation ...`
#[derive(Debug, clap::Subcommand)]
pub enum OperationCmd {
    /// `operation_list`.
    List {
        /// Only this guest's.
        #[arg(long)]
        guest: Option<String>,
    },
    /// `operation_view`.
    View {
        /// Operation id.
        operation: String,
        /// Wait for it to end, with a progress bar.
        #[arg(long)]
        wait: bool,
    },
}

const GUEST_COLUMNS: &[&str] = &[
    "name",
    "kind",
    "state",
    "vcpus",
    "memory_mib",
    "disk_gib",
    "site",
    "host",
    "vmid",
    "drift",
    "id",
];
const OPERATION_COLUMNS: &[&str] = &["kind", "target", "state", "progress", "error", "id"];

/// `TENANT/PROJECT` to the project's id (an id passes through).
pub async fn project_id(a: &Api, key: &str) -> anyhow::Result<String> {
    let Some((tenant, project)) = key.split_once('/') else {
        return Ok(key.to_string());
    };
    let list = a.list(&format!("/tenants/{tenant}/projects")).await?;
    list["items"]
        .as_array()
        .and_then(|items| items.iter().find(|p| p["name"] == project))
        .and_then(|p| p["id"].as_str())
        .map(str::to_string)
        .with_context(|| format!("no project '{project}' in tenant '{tenant}'"))
}

/// Waits for an operation with a progress bar (on a terminal) and answers it as it ended.
pub async fn follow(a: &Api, op: Value, format: Format) -> anyhow::Result<Value> {
    let id = op["id"]
        .as_str()
        .context("the server answered no operation")?
        .to_string();
    let bar = if format == Format::Table {
        let bar = ProgressBar::new(100);
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg:<40} [{bar:30}] {pos:>3}%")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut current = op;
    loop {
        bar.set_position(current["progress"].as_u64().unwrap_or(0));
        bar.set_message(format!(
            "{} {}",
            current["kind"].as_str().unwrap_or(""),
            current["target"].as_str().unwrap_or("")
        ));
        match current["state"].as_str() {
            Some("succeeded") => {
                bar.finish_and_clear();
                return Ok(current);
            }
            Some("failed") | Some("cancelled") => {
                bar.abandon();
                anyhow::bail!(
                    "{} {}: {}",
                    current["kind"].as_str().unwrap_or("operation"),
                    current["state"].as_str().unwrap_or(""),
                    current["error"].as_str().unwrap_or("no reason given")
                );
            }
            _ => {}
        }
        current = a
            .call(Method::GET, &format!("/operations/{id}?wait=1"), None)
            .await?;
    }
}

async fn long(
    a: &Api,
    method: Method,
    path: &str,
    body: Option<Value>,
    wait: &WaitArgs,
    g: &Global,
) -> anyhow::Result<()> {
    let op = a.call(method, path, body).await?;
    if wait.no_wait {
        return print(&op, g.output, OPERATION_COLUMNS);
    }
    let done = follow(a, op, g.output).await?;
    // Show what the operation acted on, as it is now (a deleted guest is gone).
    let guest = done["guest_id"].as_str().unwrap_or_default();
    match a.call(Method::GET, &format!("/guests/{guest}"), None).await {
        Ok(v) => print(&v, g.output, GUEST_COLUMNS),
        Err(_) => print(&done, g.output, OPERATION_COLUMNS),
    }
}

/// `scmp guest ...`
pub async fn guest(cmd: GuestCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    match cmd {
        GuestCmd::List { project } => {
            let id = project_id(&a, &project).await?;
            let v = a.list(&format!("/projects/{id}/guests")).await?;
            print(&v, g.output, GUEST_COLUMNS)
        }
        GuestCmd::Create(args) => {
            let GuestCreateArgs {
                name,
                project,
                kind,
                image,
                instance_type,
                vcpus,
                memory_mib,
                disk_gib,
                site,
                user,
                ssh_key_file,
                ip,
                bridge,
                vlan,
                ha,
                tags,
                anti_affinity_group,
                wait,
            } = *args;
            let id = project_id(&a, &project).await?;
            let ssh_keys: Vec<String> = match &ssh_key_file {
                Some(f) => std::fs::read_to_string(f)
                    .with_context(|| format!("reading {}", f.display()))?
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_string)
                    .collect(),
                None => Vec::new(),
            };
            let instance_type = match (&instance_type, vcpus, memory_mib, disk_gib) {
                (None, None, None, None) => Some("small".to_string()),
                (t, ..) => t.clone(),
            };
            let mut body = json!({
                "name": name, "kind": kind, "image": image, "instance_type": instance_type,
                "vcpus": vcpus, "memory_mib": memory_mib, "disk_gib": disk_gib, "site": site,
                "cloud_init": {"user": user, "ssh_keys": ssh_keys, "ip_config": ip},
                "ha": ha, "tags": tags, "anti_affinity_group": anti_affinity_group,
            });
            if bridge.is_some() || vlan.is_some() {
                body["network"] = json!({"bridge": bridge, "vlan": vlan});
            }
            long(
                &a,
                Method::POST,
                &format!("/projects/{id}/guests"),
                Some(body),
                &wait,
                g,
            )
            .await
        }
        GuestCmd::View { guest } => {
            let v = a
                .call(Method::GET, &format!("/guests/{guest}"), None)
                .await?;
            print(&v, g.output, &[])
        }
        GuestCmd::Start { guest, wait } => {
            long(
                &a,
                Method::POST,
                &format!("/guests/{guest}/start"),
                None,
                &wait,
                g,
            )
            .await
        }
        GuestCmd::Stop { guest, wait } => {
            long(
                &a,
                Method::POST,
                &format!("/guests/{guest}/stop"),
                None,
                &wait,
                g,
            )
            .await
        }
        GuestCmd::Shutdown { guest, wait } => {
            long(
                &a,
                Method::POST,
                &format!("/guests/{guest}/shutdown"),
                None,
                &wait,
                g,
            )
            .await
        }
        GuestCmd::Reboot { guest, wait } => {
            long(
                &a,
                Method::POST,
                &format!("/guests/{guest}/reboot"),
                None,
                &wait,
                g,
            )
            .await
        }
        GuestCmd::Resize {
            guest,
            vcpus,
            memory_mib,
            disk_gib,
            wait,
        } => {
            let body = json!({"vcpus": vcpus, "memory_mib": memory_mib, "disk_gib": disk_gib});
            long(
                &a,
                Method::PATCH,
                &format!("/guests/{guest}"),
                Some(body),
                &wait,
                g,
            )
            .await
        }
        GuestCmd::Migrate { guest, host, wait } => {
            let body = json!({ "host": host });
            long(
                &a,
                Method::POST,
                &format!("/guests/{guest}/migrate"),
                Some(body),
                &wait,
                g,
            )
            .await
        }
        GuestCmd::Delete { guest, wait } => {
            long(
                &a,
                Method::DELETE,
                &format!("/guests/{guest}"),
                None,
                &wait,
                g,
            )
            .await
        }
    }
}

/// `scmp snapshot ...`
pub async fn snapshot(cmd: SnapshotCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    match cmd {
        SnapshotCmd::List { guest } => {
            let v = a.list(&format!("/guests/{guest}/snapshots")).await?;
            print(&v, g.output, &["name", "description", "taken_at"])
        }
        SnapshotCmd::Create { guest, name, wait } => {
            let body = json!({ "name": name });
            long(
                &a,
                Method::POST,
                &format!("/guests/{guest}/snapshots"),
                Some(body),
                &wait,
                g,
            )
            .await
        }
        SnapshotCmd::Rollback { guest, name, wait } => {
            let path = format!("/guests/{guest}/snapshots/{name}/rollback");
            long(&a, Method::POST, &path, None, &wait, g).await
        }
        SnapshotCmd::Delete { guest, name, wait } => {
            let path = format!("/guests/{guest}/snapshots/{name}");
            long(&a, Method::DELETE, &path, None, &wait, g).await
        }
    }
}

/// `scmp operation ...`
pub async fn operation(cmd: OperationCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    match cmd {
        OperationCmd::List { guest } => {
            let path = match guest {
                Some(gu) => format!("/operations?guest={gu}"),
                None => "/operations".to_string(),
            };
            let v = a.list(&path).await?;
            print(&v, g.output, OPERATION_COLUMNS)
        }
        OperationCmd::View { operation, wait } => {
            let v = a
                .call(Method::GET, &format!("/operations/{operation}"), None)
                .await?;
            let v = if wait {
                follow(&a, v, g.output).await?
            } else {
                v
            };
            print(&v, g.output, &[])
        }
    }
}
