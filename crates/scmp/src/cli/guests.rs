//! `scmp guest`, `scmp snapshot` and `scmp operation`: the guest lifecycle. Long changes wait for
//! their operation with a progress bar unless `--no-wait`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use reqwest::Method;
use scmp_api::*;
use scmp_common::{GuestKind, Name, OperationState};

use super::client::{project_id, query, Api};
use super::output::{print, print_list, Format};
use super::{api, Global};

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
    /// `guest_console`: where the guest's console is (Proxmox VE's, on its host).
    Console {
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
    /// `guest_lease_extend`: extend the guest's lease by some days (within its policy's limit).
    ExtendLease {
        /// Guest id or name.
        guest: String,
        /// Days to add.
        #[arg(long)]
        days: u32,
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
    name: Name,
    /// The project: `TENANT/PROJECT` or its id.
    #[arg(long)]
    project: String,
    /// `vm` or `ct`.
    #[arg(long, default_value = "vm")]
    kind: GuestKind,
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
    /// A NIC on a tenant network of the project, `NETWORK` or `NETWORK=ADDRESS` (repeat for
    /// more; not with --bridge or --vlan).
    #[arg(long = "nic", value_name = "NETWORK[=ADDRESS]")]
    nics: Vec<String>,
    /// A security group of the project at the site of the NICs' networks (repeat for more): the
    /// guest's firewall lets in only what its groups allow.
    #[arg(long = "security-group", value_name = "GROUP")]
    security_groups: Vec<String>,
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

/// Waits for an operation with a progress bar (on a terminal) and answers it as it ended.
pub async fn follow(a: &Api, op: OperationView, format: Format) -> anyhow::Result<OperationView> {
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
        bar.set_position(u64::from(current.progress));
        bar.set_message(format!("{} {}", current.kind, current.target));
        match current.state {
            OperationState::Succeeded => {
                bar.finish_and_clear();
                return Ok(current);
            }
            OperationState::Failed | OperationState::Cancelled => {
                bar.abandon();
                anyhow::bail!(
                    "{} {}: {}",
                    current.kind,
                    current.state,
                    current.error.as_deref().unwrap_or("no reason given")
                );
            }
            OperationState::AwaitingApproval => {
                bar.finish_and_clear();
                let held: scmp_api::ApprovalView =
                    a.get(&format!("/approvals/{}", current.id)).await?;
                for r in &held.requirements {
                    let who: Vec<String> = r
                        .approvers
                        .iter()
                        .map(|a| match a {
                            scmp_api::Approver::Role { role, on } => {
                                format!("{role} on the {on:?}").to_lowercase()
                            }
                            scmp_api::Approver::Group { group } => format!("group {group}"),
                        })
                        .collect();
                    eprintln!(
                        "awaiting approval by policy {} ({}/{}): {}; approvers: {} (until {})",
                        r.policy,
                        r.approvals,
                        r.required,
                        r.message,
                        who.join(", "),
                        held.deadline
                    );
                }
                eprintln!("see: scmp approval view {}", current.id);
                return Ok(current);
            }
            OperationState::Pending | OperationState::Running => {}
        }
        current = a.get(&format!("/operations/{}?wait=1", current.id)).await?;
    }
}

/// After a long change: the operation (with `--no-wait`), or what it acted on once it ended (the
/// operation itself when the guest is gone).
pub(super) async fn long(
    a: &Api,
    op: OperationView,
    wait: &WaitArgs,
    g: &Global,
) -> anyhow::Result<()> {
    if wait.no_wait {
        return print(&op, g.output, OPERATION_COLUMNS);
    }
    let done = follow(a, op, g.output).await?;
    let Some(guest) = done.guest_id else {
        return print(&done, g.output, OPERATION_COLUMNS);
    };
    match a.get::<GuestView>(&format!("/guests/{guest}")).await {
        Ok(v) => print(&v, g.output, GUEST_COLUMNS),
        Err(_) => print(&done, g.output, OPERATION_COLUMNS),
    }
}

fn ssh_keys(file: Option<&PathBuf>) -> anyhow::Result<Vec<String>> {
    let Some(f) = file else {
        return Ok(Vec::new());
    };
    Ok(std::fs::read_to_string(f)
        .with_context(|| format!("reading {}", f.display()))?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

/// The body of `guest_create` from the command's options.
fn create_body(args: &GuestCreateArgs) -> anyhow::Result<GuestCreate> {
    let instance_type = match (
        &args.instance_type,
        args.vcpus,
        args.memory_mib,
        args.disk_gib,
    ) {
        (None, None, None, None) => Some("small".to_string()),
        (t, ..) => t.clone(),
    };
    let network = (args.bridge.is_some() || args.vlan.is_some()).then(|| NetworkSpec {
        bridge: args.bridge.clone(),
        vlan: args.vlan,
    });
    Ok(GuestCreate {
        security_groups: (!args.security_groups.is_empty()).then(|| args.security_groups.clone()),
        name: args.name.clone(),
        kind: args.kind,
        image: args.image.clone(),
        instance_type,
        vcpus: args.vcpus,
        memory_mib: args.memory_mib,
        disk_gib: args.disk_gib,
        site: args.site.clone(),
        cloud_init: Some(CloudInitSpec {
            user: args.user.clone(),
            ssh_keys: ssh_keys(args.ssh_key_file.as_ref())?,
            ip_config: args.ip.clone(),
        }),
        network,
        ha: Some(args.ha),
        tags: Some(args.tags.clone()),
        anti_affinity_group: args.anti_affinity_group.clone(),
        nics: (!args.nics.is_empty()).then(|| {
            args.nics
                .iter()
                .map(|n| match n.split_once('=') {
                    Some((network, address)) => NicSpec {
                        network: network.to_string(),
                        address: Some(address.to_string()),
                    },
                    None => NicSpec {
                        network: n.clone(),
                        address: None,
                    },
                })
                .collect()
        }),
    })
}

/// `scmp guest ...`
pub async fn guest(cmd: GuestCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    match cmd {
        GuestCmd::List { project } => {
            let id = project_id(&a, &project).await?;
            let list: Vec<GuestView> = a.list(&format!("/projects/{id}/guests")).await?;
            print_list(&list, g.output, GUEST_COLUMNS)
        }
        GuestCmd::View { guest } => {
            let v: GuestView = a.get(&format!("/guests/{guest}")).await?;
            print(&v, g.output, &[])
        }
        GuestCmd::Console { guest } => {
            let v: ConsoleView = a.get(&format!("/guests/{guest}/console")).await?;
            print(&v, g.output, &["node", "vmid", "protocol", "url"])
        }
        GuestCmd::Create(args) => {
            let id = project_id(&a, &args.project).await?;
            let body = create_body(&args)?;
            let op = a
                .call(Method::POST, &format!("/projects/{id}/guests"), &body)
                .await?;
            long(&a, op, &args.wait, g).await
        }
        GuestCmd::Start { guest, wait } => {
            let op = a.post(&format!("/guests/{guest}/start")).await?;
            long(&a, op, &wait, g).await
        }
        GuestCmd::Stop { guest, wait } => {
            let op = a.post(&format!("/guests/{guest}/stop")).await?;
            long(&a, op, &wait, g).await
        }
        GuestCmd::Shutdown { guest, wait } => {
            let op = a.post(&format!("/guests/{guest}/shutdown")).await?;
            long(&a, op, &wait, g).await
        }
        GuestCmd::Reboot { guest, wait } => {
            let op = a.post(&format!("/guests/{guest}/reboot")).await?;
            long(&a, op, &wait, g).await
        }
        GuestCmd::Resize {
            guest,
            vcpus,
            memory_mib,
            disk_gib,
            wait,
        } => {
            let body = GuestUpdate {
                vcpus,
                memory_mib,
                disk_gib,
            };
            let op = a
                .call(Method::PATCH, &format!("/guests/{guest}"), &body)
                .await?;
            long(&a, op, &wait, g).await
        }
        GuestCmd::Migrate { guest, host, wait } => {
            let body = GuestMigrate { host };
            let op = a
                .call(Method::POST, &format!("/guests/{guest}/migrate"), &body)
                .await?;
            long(&a, op, &wait, g).await
        }
        GuestCmd::Delete { guest, wait } => {
            let op = a.delete_answering(&format!("/guests/{guest}")).await?;
            long(&a, op, &wait, g).await
        }
        GuestCmd::ExtendLease { guest, days } => {
            let l: scmp_api::LeaseView = a
                .call(
                    Method::POST,
                    &format!("/guests/{guest}/lease/extend"),
                    &scmp_api::LeaseExtend { days },
                )
                .await?;
            print(
                &l,
                g.output,
                &["policy", "expires_at", "max_until", "state"],
            )
        }
    }
}

/// `scmp snapshot ...`
pub async fn snapshot(cmd: SnapshotCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let (op, wait): (OperationView, WaitArgs) = match cmd {
        SnapshotCmd::List { guest } => {
            let list: Vec<SnapshotView> = a.list(&format!("/guests/{guest}/snapshots")).await?;
            return print_list(&list, g.output, &["name", "description", "taken_at"]);
        }
        SnapshotCmd::Create { guest, name, wait } => {
            let body = SnapshotCreate { name };
            let op = a
                .call(Method::POST, &format!("/guests/{guest}/snapshots"), &body)
                .await?;
            (op, wait)
        }
        SnapshotCmd::Rollback { guest, name, wait } => {
            let op = a
                .post(&format!("/guests/{guest}/snapshots/{name}/rollback"))
                .await?;
            (op, wait)
        }
        SnapshotCmd::Delete { guest, name, wait } => {
            let op = a
                .delete_answering(&format!("/guests/{guest}/snapshots/{name}"))
                .await?;
            (op, wait)
        }
    };
    long(&a, op, &wait, g).await
}

/// `scmp operation ...`
pub async fn operation(cmd: OperationCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    match cmd {
        OperationCmd::List { guest } => {
            let path = format!("/operations{}", query(&[("guest", guest.as_deref())]));
            let list: Vec<OperationView> = a.list(&path).await?;
            print_list(&list, g.output, OPERATION_COLUMNS)
        }
        OperationCmd::View { operation, wait } => {
            let v: OperationView = a.get(&format!("/operations/{operation}")).await?;
            let v = if wait {
                follow(&a, v, g.output).await?
            } else {
                v
            };
            print(&v, g.output, &[])
        }
    }
}
