//! Guests, VMs (qemu) and containers (lxc): list, create, clone, config, power, delete, resize, migrate,
//! snapshots and templates. Both kinds share one set of builders, chosen by [`GuestKind`].

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::endpoint::{ApiRequest, Endpoint, HttpMethod::*, ParamsError};
use crate::ids::{NodeName, Vmid};
use crate::indexed::{IndexedKey, KeyPrefix};
use crate::perl;

macro_rules! endpoints {
    ($($q:ident, $l:ident, $m:ident, $suffix:literal;)*) => {
        $(
            #[doc = concat!("`", stringify!($m), " /nodes/{node}/qemu", $suffix, "`.")]
            pub const $q: Endpoint = Endpoint::new($m, concat!("/nodes/{node}/qemu", $suffix));
            #[doc = concat!("`", stringify!($m), " /nodes/{node}/lxc", $suffix, "`.")]
            pub const $l: Endpoint = Endpoint::new($m, concat!("/nodes/{node}/lxc", $suffix));
        )*
    };
}

endpoints! {
    QEMU_LIST, LXC_LIST, Get, "";
    QEMU_CREATE, LXC_CREATE, Post, "";
    QEMU_CLONE, LXC_CLONE, Post, "/{vmid}/clone";
    QEMU_CONFIG_GET, LXC_CONFIG_GET, Get, "/{vmid}/config";
    QEMU_CONFIG_SET, LXC_CONFIG_SET, Put, "/{vmid}/config";
    QEMU_STATUS, LXC_STATUS, Get, "/{vmid}/status/current";
    QEMU_START, LXC_START, Post, "/{vmid}/status/start";
    QEMU_STOP, LXC_STOP, Post, "/{vmid}/status/stop";
    QEMU_SHUTDOWN, LXC_SHUTDOWN, Post, "/{vmid}/status/shutdown";
    QEMU_REBOOT, LXC_REBOOT, Post, "/{vmid}/status/reboot";
    QEMU_SUSPEND, LXC_SUSPEND, Post, "/{vmid}/status/suspend";
    QEMU_RESUME, LXC_RESUME, Post, "/{vmid}/status/resume";
    QEMU_DELETE, LXC_DELETE, Delete, "/{vmid}";
    QEMU_RESIZE, LXC_RESIZE, Put, "/{vmid}/resize";
    QEMU_MIGRATE, LXC_MIGRATE, Post, "/{vmid}/migrate";
    QEMU_SNAPSHOT_LIST, LXC_SNAPSHOT_LIST, Get, "/{vmid}/snapshot";
    QEMU_SNAPSHOT_CREATE, LXC_SNAPSHOT_CREATE, Post, "/{vmid}/snapshot";
    QEMU_SNAPSHOT_ROLLBACK, LXC_SNAPSHOT_ROLLBACK, Post, "/{vmid}/snapshot/{snapname}/rollback";
    QEMU_SNAPSHOT_DELETE, LXC_SNAPSHOT_DELETE, Delete, "/{vmid}/snapshot/{snapname}";
    QEMU_TEMPLATE, LXC_TEMPLATE, Post, "/{vmid}/template";
}

/// `GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces`: a VM's interfaces, as its QEMU guest
/// agent reports them.
pub const QEMU_AGENT_INTERFACES: Endpoint = Endpoint::new(
    Get,
    "/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces",
);
/// `GET /nodes/{node}/lxc/{vmid}/interfaces`: a running container's interfaces.
pub const LXC_INTERFACES: Endpoint = Endpoint::new(Get, "/nodes/{node}/lxc/{vmid}/interfaces");

/// The QEMU guest agent's answer: `{"result": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentInterfaces {
    /// The interfaces.
    pub result: Vec<AgentInterface>,
}

/// An interface as the QEMU guest agent reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentInterface {
    /// Interface name (`eth0`, `lo`).
    pub name: String,
    /// MAC address.
    #[serde(
        rename = "hardware-address",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub hardware_address: Option<String>,
    /// Its addresses.
    #[serde(rename = "ip-addresses", default)]
    pub ip_addresses: Vec<AgentAddress>,
}

/// An address of an interface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentAddress {
    /// The address.
    #[serde(rename = "ip-address")]
    pub ip_address: String,
    /// `ipv4` or `ipv6`.
    #[serde(
        rename = "ip-address-type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub ip_address_type: Option<String>,
    /// Prefix length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<u8>,
}

/// A container's interface (`/lxc/{vmid}/interfaces`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LxcInterface {
    /// Interface name.
    pub name: String,
    /// MAC address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hwaddr: Option<String>,
    /// IPv4 address with prefix (`10.0.0.5/24`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inet: Option<String>,
    /// IPv6 address with prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inet6: Option<String>,
    /// Its addresses (as in the 8.4 and 9.1 schemas).
    #[serde(rename = "ip-addresses", default)]
    pub ip_addresses: Vec<AgentAddress>,
}

/// Builds the interface listing of a guest: the guest agent's for a VM, the container's own.
pub fn interfaces(kind: GuestKind, node: &NodeName, vmid: Vmid) -> ApiRequest {
    ApiRequest::new(
        kind.pick(QEMU_AGENT_INTERFACES, LXC_INTERFACES),
        &[node, &vmid],
    )
}

/// `POST /nodes/{node}/qemu/{vmid}/config`: the asynchronous config update (answers a UPID).
pub const QEMU_CONFIG_SET_ASYNC: Endpoint = Endpoint::new(Post, "/nodes/{node}/qemu/{vmid}/config");

/// The two kinds of guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum GuestKind {
    /// A KVM virtual machine.
    Qemu,
    /// A Linux container.
    Lxc,
}

impl GuestKind {
    /// `qemu` or `lxc`, as in paths and resource ids.
    pub fn as_str(self) -> &'static str {
        match self {
            GuestKind::Qemu => "qemu",
            GuestKind::Lxc => "lxc",
        }
    }

    /// The HA resource prefix (`vm` or `ct`).
    pub fn ha_prefix(self) -> &'static str {
        match self {
            GuestKind::Qemu => "vm",
            GuestKind::Lxc => "ct",
        }
    }

    pub(crate) fn pick(self, qemu: Endpoint, lxc: Endpoint) -> Endpoint {
        match self {
            GuestKind::Qemu => qemu,
            GuestKind::Lxc => lxc,
        }
    }
}

impl fmt::Display for GuestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Run state of a guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GuestState {
    /// Running (possibly paused; see `qmpstatus`).
    Running,
    /// Stopped.
    Stopped,
    /// Unknown (node unreachable).
    #[serde(other)]
    Unknown,
}

/// One entry of a node's guest list, and a guest's current status (the same fields and more).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuestStatus {
    /// Guest id.
    pub vmid: Vmid,
    /// Run state.
    pub status: GuestState,
    /// Name (VM) or hostname (container).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// QMP status (`running`, `paused`, `prelaunch`, ...), VMs only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qmpstatus: Option<String>,
    /// CPUs.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub cpus: Option<f64>,
    /// CPU usage (fraction).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub cpu: Option<f64>,
    /// Memory (bytes).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub maxmem: Option<u64>,
    /// Used memory (bytes).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub mem: Option<u64>,
    /// Root disk size (bytes).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub maxdisk: Option<u64>,
    /// Root disk usage (bytes).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub disk: Option<u64>,
    /// Uptime (seconds).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub uptime: Option<u64>,
    /// Process id while running.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub pid: Option<u64>,
    /// Whether it is a template.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub template: Option<bool>,
    /// Tags (`;`-separated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    /// Config lock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock: Option<String>,
    /// Network and disk IO counters (bytes).
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub netin: Option<u64>,
    /// See `netin`.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub netout: Option<u64>,
    /// See `netin`.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub diskread: Option<u64>,
    /// See `netin`.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub diskwrite: Option<u64>,
    /// HA manager state of this guest (`{"managed": 0}` when not HA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ha: Option<serde_json::Value>,
    /// Every other key (`proxmox-support`, `running-machine`, `blockstat`, `nics`, ...), kept.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// A guest config as `GET .../config` answers it: every key, with typed accessors.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GuestConfig(pub BTreeMap<String, serde_json::Value>);

impl GuestConfig {
    /// A key's value as text (numbers are rendered as PVE would).
    pub fn get(&self, key: &str) -> Option<String> {
        match self.0.get(key)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(u8::from(*b).to_string()),
            _ => None,
        }
    }

    fn get_u64(&self, key: &str) -> Option<u64> {
        self.get(key)?.parse().ok()
    }

    /// Memory in MiB.
    pub fn memory_mib(&self) -> Option<u64> {
        self.get_u64("memory")
    }

    /// Cores (per socket for VMs).
    pub fn cores(&self) -> Option<u64> {
        self.get_u64("cores")
    }

    /// Sockets (VMs).
    pub fn sockets(&self) -> Option<u64> {
        self.get_u64("sockets")
    }

    /// The config digest, for optimistic concurrency on updates.
    pub fn digest(&self) -> Option<String> {
        self.get("digest")
    }

    /// Tags as a list.
    pub fn tags(&self) -> Vec<String> {
        self.get("tags")
            .map(|t| {
                t.split([';', ',', ' '])
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether the guest is a template.
    pub fn is_template(&self) -> bool {
        self.get("template").as_deref() == Some("1")
    }

    /// Every indexed key of one family, parsed as `T`.
    pub fn indexed<T: std::str::FromStr>(
        &self,
        prefix: KeyPrefix,
    ) -> Result<BTreeMap<u16, T>, T::Err> {
        let mut out = BTreeMap::new();
        for (k, _) in self.0.iter() {
            if let Ok(key) = k.parse::<IndexedKey>() {
                if key.prefix == prefix {
                    if let Some(v) = self.get(k) {
                        out.insert(key.index, v.parse()?);
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Parameters of VM or container creation; indexed and other keys go into `extra`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GuestCreate {
    /// Guest id.
    pub vmid: Option<Vmid>,
    /// VM name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Container hostname.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// Container template volume (`local:vztmpl/...`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ostemplate: Option<String>,
    /// Memory (MiB).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<u64>,
    /// Cores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cores: Option<u64>,
    /// Container root filesystem (`local-lvm:8`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rootfs: Option<String>,
    /// Pool to add the guest to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
    /// Tags (`;`-separated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Start after creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<bool>,
    /// Further keys (`net0`, `scsi0`, `ostype`, `ipconfig0`, `sshkeys`, ...), as PVE text.
    #[serde(flatten)]
    pub extra: BTreeMap<String, String>,
}

/// Parameters of a clone.
#[derive(Debug, Clone, Serialize)]
pub struct GuestClone {
    /// The new guest's id.
    pub newid: Vmid,
    /// New VM name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New container hostname.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// Full copy (`true`) or linked clone (`false`, templates only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full: Option<bool>,
    /// Target node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<NodeName>,
    /// Target storage for a full clone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
    /// Pool for the new guest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
    /// Description of the new guest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A config change: keys to set and keys to delete, optionally guarded by the digest.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GuestConfigUpdate {
    /// Keys to delete, comma-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete: Option<String>,
    /// Refuse when the config changed since this digest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Keys to set, as PVE text.
    #[serde(flatten)]
    pub set: BTreeMap<String, String>,
}

/// Options of stop.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GuestStop {
    /// Stop even when the config is locked (root only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skiplock: Option<bool>,
}

/// Options of shutdown.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GuestShutdown {
    /// Wait at most this many seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// Stop the guest when the timeout passes.
    #[serde(rename = "forceStop", skip_serializing_if = "Option::is_none")]
    pub force_stop: Option<bool>,
}

/// Options of delete.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GuestDelete {
    /// Remove the guest from backup jobs, replication, HA and pools too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purge: Option<bool>,
    /// Destroy disks that are not referenced in the config but belong to the guest.
    #[serde(
        rename = "destroy-unreferenced-disks",
        skip_serializing_if = "Option::is_none"
    )]
    pub destroy_unreferenced_disks: Option<bool>,
}

/// Options of a migration.
#[derive(Debug, Clone, Serialize)]
pub struct GuestMigrate {
    /// Target node.
    pub target: NodeName,
    /// Live migration of a running guest (VMs; containers restart).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub online: Option<bool>,
}

/// A new snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotCreate {
    /// Snapshot name (`pve-configid`, at most 40 characters).
    pub snapname: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// One snapshot (the entry named `current` is the guest's present state).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Parent snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Creation time.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub snaptime: Option<u64>,
    /// Includes RAM.
    #[serde(
        default,
        deserialize_with = "perl::deserialize_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub vmstate: Option<bool>,
    /// Running state of `current`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running: Option<serde_json::Value>,
}

/// Power actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerAction {
    /// Start.
    Start,
    /// Hard stop.
    Stop,
    /// ACPI shutdown.
    Shutdown,
    /// Reboot.
    Reboot,
    /// Suspend (pause).
    Suspend,
    /// Resume.
    Resume,
}

/// Builds the node's guest list.
pub fn list(kind: GuestKind, node: &NodeName) -> ApiRequest {
    ApiRequest::new(kind.pick(QEMU_LIST, LXC_LIST), &[node])
}

/// Builds a create.
pub fn create(
    kind: GuestKind,
    node: &NodeName,
    p: &GuestCreate,
) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(kind.pick(QEMU_CREATE, LXC_CREATE), &[node]).with_params(p)
}

/// Builds a clone.
pub fn clone(
    kind: GuestKind,
    node: &NodeName,
    vmid: Vmid,
    p: &GuestClone,
) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(kind.pick(QEMU_CLONE, LXC_CLONE), &[node, &vmid]).with_params(p)
}

/// Builds a config read.
pub fn config_get(kind: GuestKind, node: &NodeName, vmid: Vmid) -> ApiRequest {
    ApiRequest::new(kind.pick(QEMU_CONFIG_GET, LXC_CONFIG_GET), &[node, &vmid])
}

/// Builds a synchronous config update (`PUT`).
pub fn config_set(
    kind: GuestKind,
    node: &NodeName,
    vmid: Vmid,
    p: &GuestConfigUpdate,
) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(kind.pick(QEMU_CONFIG_SET, LXC_CONFIG_SET), &[node, &vmid]).with_params(p)
}

/// Builds the asynchronous VM config update (`POST`, answers a UPID).
pub fn qemu_config_set_async(
    node: &NodeName,
    vmid: Vmid,
    p: &GuestConfigUpdate,
) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(QEMU_CONFIG_SET_ASYNC, &[node, &vmid]).with_params(p)
}

/// Builds the current status read.
pub fn status(kind: GuestKind, node: &NodeName, vmid: Vmid) -> ApiRequest {
    ApiRequest::new(kind.pick(QEMU_STATUS, LXC_STATUS), &[node, &vmid])
}

/// Builds a power action (options for stop and shutdown through [`power_with`]).
pub fn power(kind: GuestKind, node: &NodeName, vmid: Vmid, action: PowerAction) -> ApiRequest {
    let e = match action {
        PowerAction::Start => kind.pick(QEMU_START, LXC_START),
        PowerAction::Stop => kind.pick(QEMU_STOP, LXC_STOP),
        PowerAction::Shutdown => kind.pick(QEMU_SHUTDOWN, LXC_SHUTDOWN),
        PowerAction::Reboot => kind.pick(QEMU_REBOOT, LXC_REBOOT),
        PowerAction::Suspend => kind.pick(QEMU_SUSPEND, LXC_SUSPEND),
        PowerAction::Resume => kind.pick(QEMU_RESUME, LXC_RESUME),
    };
    ApiRequest::new(e, &[node, &vmid])
}

/// Builds a power action with options.
pub fn power_with<T: Serialize>(
    kind: GuestKind,
    node: &NodeName,
    vmid: Vmid,
    action: PowerAction,
    options: &T,
) -> Result<ApiRequest, ParamsError> {
    power(kind, node, vmid, action).with_params(options)
}

/// Builds a delete.
pub fn delete(
    kind: GuestKind,
    node: &NodeName,
    vmid: Vmid,
    p: &GuestDelete,
) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(kind.pick(QEMU_DELETE, LXC_DELETE), &[node, &vmid]).with_params(p)
}

/// Builds a disk resize; `size` is absolute (`32G`) or a growth (`+10G`).
pub fn resize(kind: GuestKind, node: &NodeName, vmid: Vmid, disk: &str, size: &str) -> ApiRequest {
    ApiRequest::new(kind.pick(QEMU_RESIZE, LXC_RESIZE), &[node, &vmid])
        .param("disk", disk)
        .param("size", size)
}

/// Builds a migration. Containers cannot migrate live: `online` asks PVE to restart them on the target.
pub fn migrate(
    kind: GuestKind,
    node: &NodeName,
    vmid: Vmid,
    p: &GuestMigrate,
) -> Result<ApiRequest, ParamsError> {
    let r = ApiRequest::new(kind.pick(QEMU_MIGRATE, LXC_MIGRATE), &[node, &vmid]);
    match kind {
        GuestKind::Qemu => r.with_params(p),
        GuestKind::Lxc => {
            let r = r.param("target", &p.target);
            Ok(if p.online == Some(true) {
                r.param("restart", 1)
            } else {
                r
            })
        }
    }
}

/// Builds the snapshot list.
pub fn snapshot_list(kind: GuestKind, node: &NodeName, vmid: Vmid) -> ApiRequest {
    ApiRequest::new(
        kind.pick(QEMU_SNAPSHOT_LIST, LXC_SNAPSHOT_LIST),
        &[node, &vmid],
    )
}

/// Builds a snapshot creation.
pub fn snapshot_create(
    kind: GuestKind,
    node: &NodeName,
    vmid: Vmid,
    p: &SnapshotCreate,
) -> Result<ApiRequest, ParamsError> {
    ApiRequest::new(
        kind.pick(QEMU_SNAPSHOT_CREATE, LXC_SNAPSHOT_CREATE),
        &[node, &vmid],
    )
    .with_params(p)
}

/// Builds a rollback.
pub fn snapshot_rollback(
    kind: GuestKind,
    node: &NodeName,
    vmid: Vmid,
    snapname: &str,
) -> ApiRequest {
    ApiRequest::new(
        kind.pick(QEMU_SNAPSHOT_ROLLBACK, LXC_SNAPSHOT_ROLLBACK),
        &[node, &vmid, &snapname],
    )
}

/// Builds a snapshot deletion.
pub fn snapshot_delete(kind: GuestKind, node: &NodeName, vmid: Vmid, snapname: &str) -> ApiRequest {
    ApiRequest::new(
        kind.pick(QEMU_SNAPSHOT_DELETE, LXC_SNAPSHOT_DELETE),
        &[node, &vmid, &snapname],
    )
}

/// Builds the conversion into a template.
pub fn template(kind: GuestKind, node: &NodeName, vmid: Vmid) -> ApiRequest {
    ApiRequest::new(kind.pick(QEMU_TEMPLATE, LXC_TEMPLATE), &[node, &vmid])
}
