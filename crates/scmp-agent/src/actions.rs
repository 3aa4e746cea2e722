//! The changes scmp makes on a cluster. Each is idempotent: run again after a crash or a lost answer,
//! it finds its work done (a guest is recognized by its scmp marks, a pool or HA resource by its id)
//! and does not repeat it. Each returns the task UPIDs it waited for, for the audit trail.

use std::time::Duration;

use pve_client::{PveApi, WaitOptions};
use pve_types::api::cluster::ResourceFilter;
use pve_types::api::guest::{
    GuestClone, GuestConfigUpdate, GuestDelete, GuestKind as PveKind, GuestState, GuestStop,
    PowerAction, SnapshotCreate,
};
use pve_types::api::guest_props::DiskSpec;
use pve_types::api::pools::PoolCreate;
use pve_types::{NodeName, PoolId, Upid, Vmid};
use scmp_common::{GuestId, GuestKind, ProjectId, TenantId};

use crate::identity;

/// An action's failure.
pub type Error = pve_client::Error;

/// Everything about a guest the actions need.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GuestSpec {
    /// The scmp guest.
    pub guest: GuestId,
    /// Its tenant.
    pub tenant: TenantId,
    /// The tenant's name (tags, pool).
    pub tenant_name: String,
    /// Its project.
    pub project: ProjectId,
    /// VM or container.
    pub kind: GuestKind,
    /// Name (hostname).
    pub name: String,
    /// vCPUs.
    pub vcpus: u64,
    /// Memory.
    pub memory_mib: u64,
    /// Root disk.
    pub disk_gib: u64,
    /// User tags.
    pub tags: Vec<String>,
    /// Cloud-init user.
    pub ci_user: Option<String>,
    /// SSH keys.
    pub ssh_keys: Vec<String>,
    /// `ip=dhcp` or `ip=ADDR/LEN,gw=GW`.
    pub ip_config: Option<String>,
    /// The bridge of its network interface (`vmbr0` when none).
    pub bridge: Option<String>,
    /// The VLAN on that bridge.
    pub vlan: Option<u16>,
    /// NICs on tenant networks (when any, they replace the one interface of `bridge`).
    #[serde(default)]
    pub nics: Vec<NicConfig>,
}

/// A NIC on a tenant network, with its address from scmp's IPAM.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NicConfig {
    /// The VNet (or, for a routed public address, the uplink bridge).
    pub bridge: String,
    /// The VLAN tag on the bridge (none on a VNet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<u32>,
    /// Its MAC address.
    pub mac: String,
    /// Its address with the prefix length (`10.20.0.2/24`).
    pub address: String,
    /// The gateway, if the subnet has one.
    pub gateway: Option<String>,
    /// Whether the Proxmox firewall filters it (`firewall=1`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub firewall: bool,
}

impl NicConfig {
    /// The `ip=`/`ip6=` settings of the address (cloud-init's `ipconfigN`, a container's `netN`).
    fn ip(&self) -> String {
        let v6 = self.address.contains(':');
        let (ip, gw) = if v6 { ("ip6", "gw6") } else { ("ip", "gw") };
        match &self.gateway {
            Some(g) => format!("{ip}={},{gw}={g}", self.address),
            None => format!("{ip}={}", self.address),
        }
    }

    /// The `tag=` and `firewall=` options of the NIC.
    fn tag(&self) -> String {
        let tag = self.tag.map(|t| format!(",tag={t}")).unwrap_or_default();
        if self.firewall {
            format!("{tag},firewall=1")
        } else {
            tag
        }
    }

    /// The NIC's `netN` and, for a VM, `ipconfigN` settings.
    fn settings(&self, kind: PveKind, index: u32) -> Vec<(String, String)> {
        match kind {
            PveKind::Qemu => vec![
                (
                    format!("net{index}"),
                    format!("virtio={},bridge={}{}", self.mac, self.bridge, self.tag()),
                ),
                (format!("ipconfig{index}"), self.ip()),
            ],
            PveKind::Lxc => vec![(
                format!("net{index}"),
                format!(
                    "name=eth{index},bridge={}{},hwaddr={},{}",
                    self.bridge,
                    self.tag(),
                    self.mac,
                    self.ip()
                ),
            )],
        }
    }
}

impl GuestSpec {
    fn pve_kind(&self) -> PveKind {
        pve_kind(self.kind)
    }
}

/// The Proxmox kind of an scmp guest kind.
pub fn pve_kind(kind: GuestKind) -> PveKind {
    match kind {
        GuestKind::Vm => PveKind::Qemu,
        GuestKind::Ct => PveKind::Lxc,
    }
}

/// The pool a tenant's guests go into on every cluster.
pub fn tenant_pool(tenant_name: &str) -> String {
    format!("scmp-{tenant_name}")
}

pub(crate) fn wait_options() -> WaitOptions {
    WaitOptions {
        first_poll: Duration::from_millis(10),
        max_poll: Duration::from_secs(1),
        deadline: Duration::from_secs(30 * 60),
        log_tail_lines: 20,
    }
}

async fn wait(api: &dyn PveApi, upid: Upid, upids: &mut Vec<String>) -> Result<(), Error> {
    upids.push(upid.to_string());
    api.wait_task(&upid, wait_options()).await.map(|_| ())
}

pub(crate) fn node(name: &str) -> Result<NodeName, Error> {
    NodeName::new(name).map_err(|e| Error::Config(e.to_string()))
}

pub(crate) fn vmid(id: u32) -> Result<Vmid, Error> {
    Vmid::new(id).map_err(|e| Error::Config(e.to_string()))
}

/// Makes sure the tenant's pool exists; answers whether it had to make it.
pub async fn ensure_pool(api: &dyn PveApi, tenant_name: &str) -> Result<bool, Error> {
    let name = tenant_pool(tenant_name);
    if api
        .pool_list()
        .await?
        .iter()
        .any(|p| p.poolid.as_str() == name)
    {
        return Ok(false);
    }
    let poolid = PoolId::new(name.as_str()).map_err(|e| Error::Config(e.to_string()))?;
    match api
        .pool_create(&PoolCreate {
            poolid,
            comment: Some(format!("scmp tenant {tenant_name}")),
        })
        .await
    {
        Ok(()) => Ok(true),
        // Created meanwhile by a concurrent step: the work is done.
        Err(_)
            if api
                .pool_list()
                .await?
                .iter()
                .any(|p| p.poolid.as_str() == name) =>
        {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// Where a VMID is on the cluster: its node and tags, if it exists.
pub async fn locate(
    api: &dyn PveApi,
    id: u32,
) -> Result<Option<(String, String, Option<String>)>, Error> {
    let res = api.cluster_resources(Some(ResourceFilter::Vm)).await?;
    Ok(res
        .into_iter()
        .find(|r| r.vmid.map(Vmid::get) == Some(id))
        .and_then(|r| Some((r.node?, r.tags.unwrap_or_default(), r.lock))))
}

/// Whether the guest at `id` (on `at`) is this scmp guest: its tag, or (right after the clone,
/// before the tags are set) the description the clone carried.
async fn is_ours(
    api: &dyn PveApi,
    kind: PveKind,
    at: &str,
    tags: &str,
    id: u32,
    guest: GuestId,
) -> Result<bool, Error> {
    if identity::guest_of_tags(tags) == Some(guest) {
        return Ok(true);
    }
    let config = api.guest_config(kind, &node(at)?, vmid(id)?).await?;
    Ok(config
        .get("description")
        .is_some_and(|d| identity::description_names(&d, guest)))
}

/// What [`ensure_clone`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloneOutcome {
    /// The guest exists at the VMID (cloned now or before).
    Done,
    /// Someone else's guest holds the VMID: reserve another.
    VmidTaken,
}

/// Clones the template to the reserved VMID on the chosen node, unless this guest is there already.
pub async fn ensure_clone(
    api: &dyn PveApi,
    spec: &GuestSpec,
    template: (u32, &str),
    target: &str,
    id: u32,
    upids: &mut Vec<String>,
) -> Result<CloneOutcome, Error> {
    let kind = spec.pve_kind();
    let description = identity::description(spec.guest, spec.tenant, spec.project);
    let p = GuestClone {
        newid: vmid(id)?,
        name: (kind == PveKind::Qemu).then(|| spec.name.clone()),
        hostname: (kind == PveKind::Lxc).then(|| spec.name.clone()),
        full: None,
        target: (target != template.1).then(|| node(target)).transpose()?,
        storage: None,
        pool: Some(tenant_pool(&spec.tenant_name)),
        description: Some(description),
    };
    // The common case, a free VMID, costs the clone alone: Proxmox refuses a clone onto a VMID
    // in use before it starts a task, and only then is the VMID looked into.
    let mut attempt = 0;
    loop {
        attempt += 1;
        let refused = match api
            .guest_clone(kind, &node(template.1)?, vmid(template.0)?, &p)
            .await
        {
            Ok(upid) => {
                wait(api, upid, upids).await?;
                return Ok(CloneOutcome::Done);
            }
            Err(e) => e,
        };
        if api.vmid_free(vmid(id)?).await? {
            return Err(refused);
        }
        match locate(api, id).await? {
            Some(found) => return existing_clone(api, spec, id, found).await,
            // Removed between the two looks: clone again, once.
            None if attempt < 2 => {}
            None => return Err(refused),
        }
    }
}

/// What a clone onto a VMID in use found there: this guest (cloned before, perhaps still
/// cloning) or someone else's.
async fn existing_clone(
    api: &dyn PveApi,
    spec: &GuestSpec,
    id: u32,
    (at, tags, lock): (String, String, Option<String>),
) -> Result<CloneOutcome, Error> {
    if !is_ours(api, spec.pve_kind(), &at, &tags, id, spec.guest).await? {
        return Ok(CloneOutcome::VmidTaken);
    }
    if lock.as_deref() == Some("clone") || lock.as_deref() == Some("create") {
        // A clone of ours is still running (we crashed while waiting): wait for the lock.
        for _ in 0..600 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            match locate(api, id).await? {
                Some((_, _, None)) | None => break,
                Some(_) => {}
            }
        }
    }
    Ok(CloneOutcome::Done)
}

fn encode_keys(keys: &[String]) -> String {
    // PVE wants the keys URL-encoded (spaces as %20), one per line.
    percent_encoding::utf8_percent_encode(&keys.join("\n"), percent_encoding::NON_ALPHANUMERIC)
        .to_string()
}

/// Sets sizes, identity and cloud-init, and grows the root disk to the asked size. `clone_disk_gib`
/// is the disk size the clone started with, when known (its template's): if that is enough,
/// Proxmox is not asked.
pub async fn configure(
    api: &dyn PveApi,
    spec: &GuestSpec,
    at: &str,
    id: u32,
    clone_disk_gib: Option<u64>,
    upids: &mut Vec<String>,
) -> Result<(), Error> {
    let kind = spec.pve_kind();
    let mut set = std::collections::BTreeMap::new();
    set.insert("cores".to_string(), spec.vcpus.to_string());
    set.insert("memory".to_string(), spec.memory_mib.to_string());
    set.insert(
        "tags".to_string(),
        identity::tags(spec.guest, &spec.tenant_name, &spec.tags),
    );
    set.insert(
        "description".to_string(),
        identity::description(spec.guest, spec.tenant, spec.project),
    );
    match kind {
        PveKind::Qemu => {
            if let Some(u) = &spec.ci_user {
                set.insert("ciuser".into(), u.clone());
            }
            if !spec.ssh_keys.is_empty() {
                set.insert("sshkeys".into(), encode_keys(&spec.ssh_keys));
            }
            set.insert(
                "ipconfig0".into(),
                spec.ip_config.clone().unwrap_or_else(|| "ip=dhcp".into()),
            );
        }
        PveKind::Lxc => {
            let ip = spec.ip_config.clone().unwrap_or_else(|| "ip=dhcp".into());
            let bridge = spec.bridge.as_deref().unwrap_or("vmbr0");
            let tag = spec.vlan.map(|t| format!(",tag={t}")).unwrap_or_default();
            set.insert(
                "net0".into(),
                format!("name=eth0,bridge={bridge}{tag},{ip}"),
            );
        }
    }
    // NICs on tenant networks replace the one interface.
    for (i, nic) in spec.nics.iter().enumerate() {
        set.extend(nic.settings(kind, i as u32));
    }
    let (n, v) = (node(at)?, vmid(id)?);
    if kind == PveKind::Qemu
        && spec.nics.is_empty()
        && (spec.bridge.is_some() || spec.vlan.is_some())
    {
        // The interface keeps the MAC address the clone gave it; only its bridge and VLAN change.
        let config = api.guest_config(kind, &n, v).await?;
        if let Some(mut net) = config
            .get("net0")
            .and_then(|n| n.parse::<pve_types::api::guest_props::QemuNet>().ok())
        {
            net.bridge = Some(spec.bridge.clone().unwrap_or_else(|| "vmbr0".into()));
            net.tag = spec.vlan;
            set.insert("net0".into(), net.to_string());
        }
    }
    api.guest_config_set(
        kind,
        &n,
        v,
        &GuestConfigUpdate {
            set,
            ..GuestConfigUpdate::default()
        },
    )
    .await?;
    if clone_disk_gib.is_some_and(|d| d >= spec.disk_gib) {
        return Ok(());
    }
    grow_disk(api, kind, at, id, spec.disk_gib, upids).await
}

/// Sets the guest's NIC `netN` (and its `ipconfigN`), or removes it when `nic` is `None`
/// (removing one that is not there is done).
pub async fn set_nic(
    api: &dyn PveApi,
    kind: GuestKind,
    at: &str,
    id: u32,
    index: u32,
    nic: Option<&NicConfig>,
) -> Result<(), Error> {
    let kind = pve_kind(kind);
    let (n, v) = (node(at)?, vmid(id)?);
    let update = match nic {
        Some(nic) => GuestConfigUpdate {
            set: nic.settings(kind, index).into_iter().collect(),
            ..GuestConfigUpdate::default()
        },
        None => {
            let config = api.guest_config(kind, &n, v).await?;
            let keys: Vec<String> = [format!("net{index}"), format!("ipconfig{index}")]
                .into_iter()
                .filter(|k| config.get(k).is_some())
                .collect();
            if keys.is_empty() {
                return Ok(());
            }
            GuestConfigUpdate {
                delete: Some(keys.join(",")),
                ..GuestConfigUpdate::default()
            }
        }
    };
    api.guest_config_set(kind, &n, v, &update).await?;
    Ok(())
}

/// Grows the root disk to `gib` (never shrinks: Proxmox cannot).
pub async fn grow_disk(
    api: &dyn PveApi,
    kind: PveKind,
    at: &str,
    id: u32,
    gib: u64,
    upids: &mut Vec<String>,
) -> Result<(), Error> {
    let (n, v) = (node(at)?, vmid(id)?);
    let disk = match kind {
        PveKind::Qemu => "scsi0",
        PveKind::Lxc => "rootfs",
    };
    let config = api.guest_config(kind, &n, v).await?;
    let current = config
        .get(disk)
        .and_then(|s| s.parse::<DiskSpec>().ok())
        .and_then(|d| d.size())
        .map_or(0, |s| s.gib_ceil());
    if current >= gib {
        return Ok(());
    }
    if let Some(upid) = api
        .guest_resize(kind, &n, v, disk, &format!("{gib}G"))
        .await?
    {
        wait(api, upid, upids).await?;
    }
    Ok(())
}

/// Sets vCPUs and memory.
pub async fn set_size(
    api: &dyn PveApi,
    kind: GuestKind,
    at: &str,
    id: u32,
    vcpus: u64,
    memory_mib: u64,
) -> Result<(), Error> {
    let mut set = std::collections::BTreeMap::new();
    set.insert("cores".to_string(), vcpus.to_string());
    set.insert("memory".to_string(), memory_mib.to_string());
    api.guest_config_set(
        pve_kind(kind),
        &node(at)?,
        vmid(id)?,
        &GuestConfigUpdate {
            set,
            ..GuestConfigUpdate::default()
        },
    )
    .await
}

/// Whether the guest runs.
pub async fn is_running(
    api: &dyn PveApi,
    kind: GuestKind,
    at: &str,
    id: u32,
) -> Result<bool, Error> {
    let status = api
        .guest_status(pve_kind(kind), &node(at)?, vmid(id)?)
        .await?;
    Ok(status.status == GuestState::Running)
}

/// The guest's snapshots, without Proxmox's `current` (the live state, not a snapshot).
pub async fn snapshots(
    api: &dyn PveApi,
    kind: GuestKind,
    at: &str,
    id: u32,
) -> Result<Vec<pve_types::api::guest::Snapshot>, Error> {
    let all = api
        .snapshot_list(pve_kind(kind), &node(at)?, vmid(id)?)
        .await?;
    Ok(all.into_iter().filter(|s| s.name != "current").collect())
}

/// The addresses a running guest reports (a VM through its QEMU guest agent), loopback left out.
pub async fn addresses(
    api: &dyn PveApi,
    kind: GuestKind,
    at: &str,
    id: u32,
) -> Result<Vec<String>, Error> {
    api.guest_addresses(pve_kind(kind), &node(at)?, vmid(id)?)
        .await
}

/// Brings the guest to `running` or `stopped` (or reboots it), unless it is there already.
pub async fn power(
    api: &dyn PveApi,
    kind: GuestKind,
    at: &str,
    id: u32,
    action: PowerAction,
    upids: &mut Vec<String>,
) -> Result<(), Error> {
    let (k, n, v) = (pve_kind(kind), node(at)?, vmid(id)?);
    if action == PowerAction::Start {
        // Starting is the common case (every creation): try it, and only when it fails ask
        // whether the guest runs already (a repeated step), which is success too.
        let started = match api.guest_power(k, &n, v, PowerAction::Start).await {
            Ok(upid) => wait(api, upid, upids).await,
            Err(e) => Err(e),
        };
        return match started {
            Ok(()) => Ok(()),
            Err(_) if is_running(api, kind, at, id).await? => Ok(()),
            Err(e) => Err(e),
        };
    }
    let running = is_running(api, kind, at, id).await?;
    let upid = match action {
        PowerAction::Stop | PowerAction::Shutdown if !running => return Ok(()),
        PowerAction::Reboot if !running => api.guest_power(k, &n, v, PowerAction::Start).await?,
        other => api.guest_power(k, &n, v, other).await?,
    };
    wait(api, upid, upids).await
}

/// Moves the guest to `target` (live for a running VM; a running container is stopped, moved and
/// started, as containers cannot move live). Returns where the guest is now; a guest already on
/// `target` is left there.
pub async fn migrate(
    api: &dyn PveApi,
    kind: GuestKind,
    id: u32,
    target: &str,
    upids: &mut Vec<String>,
) -> Result<(), Error> {
    let Some((at, _, _)) = locate(api, id).await? else {
        return Err(Error::Config(format!("VMID {id} is not on the cluster")));
    };
    if at == target {
        return Ok(());
    }
    let (k, n, v) = (pve_kind(kind), node(&at)?, vmid(id)?);
    let running = is_running(api, kind, &at, id).await?;
    let restart = running && kind == GuestKind::Ct;
    if restart {
        power(api, kind, &at, id, PowerAction::Stop, upids).await?;
    }
    let upid = api
        .guest_migrate(
            k,
            &n,
            v,
            &pve_types::api::guest::GuestMigrate {
                target: node(target)?,
                online: (kind == GuestKind::Vm && running).then_some(true),
            },
        )
        .await?;
    wait(api, upid, upids).await?;
    if restart {
        power(api, kind, target, id, PowerAction::Start, upids).await?;
    }
    Ok(())
}

/// Snapshot actions.
pub async fn snapshot(
    api: &dyn PveApi,
    kind: GuestKind,
    at: &str,
    id: u32,
    op: SnapshotOp<'_>,
    upids: &mut Vec<String>,
) -> Result<(), Error> {
    let (k, n, v) = (pve_kind(kind), node(at)?, vmid(id)?);
    let existing = api.snapshot_list(k, &n, v).await?;
    let has = |name: &str| existing.iter().any(|s| s.name == name);
    let upid = match op {
        SnapshotOp::Create(name) if has(name) => return Ok(()),
        SnapshotOp::Create(name) => {
            api.snapshot_create(
                k,
                &n,
                v,
                &SnapshotCreate {
                    snapname: name.to_string(),
                    description: Some("scmp".into()),
                },
            )
            .await?
        }
        SnapshotOp::Rollback(name) => api.snapshot_rollback(k, &n, v, name).await?,
        SnapshotOp::Delete(name) if !has(name) => return Ok(()),
        SnapshotOp::Delete(name) => api.snapshot_delete(k, &n, v, name).await?,
    };
    wait(api, upid, upids).await
}

/// A snapshot change.
#[derive(Debug, Clone, Copy)]
pub enum SnapshotOp<'a> {
    /// Take one.
    Create(&'a str),
    /// Go back to one.
    Rollback(&'a str),
    /// Remove one.
    Delete(&'a str),
}

/// Decommissions the guest at `id` if it is this scmp guest: out of HA, stopped, destroyed with its
/// disks and purged from jobs. A VMID that is free or holds someone else's guest is left alone.
pub async fn destroy(
    api: &dyn PveApi,
    guest: GuestId,
    kind: GuestKind,
    id: u32,
    upids: &mut Vec<String>,
) -> Result<(), Error> {
    let k = pve_kind(kind);
    let Some((at, tags, _)) = locate(api, id).await? else {
        return Ok(());
    };
    if !is_ours(api, k, &at, &tags, id, guest).await? {
        tracing::warn!(vmid = id, "VMID holds a guest that is not ours; left alone");
        return Ok(());
    }
    crate::ha::remove(api, kind, id).await?;
    let (n, v) = (node(&at)?, vmid(id)?);
    if is_running(api, kind, &at, id).await? {
        let upid = api
            .guest_stop(k, &n, v, &GuestStop { skiplock: None })
            .await?;
        wait(api, upid, upids).await?;
    }
    let upid = api
        .guest_delete(
            k,
            &n,
            v,
            &GuestDelete {
                purge: Some(true),
                destroy_unreferenced_disks: Some(true),
            },
        )
        .await?;
    wait(api, upid, upids).await
}
