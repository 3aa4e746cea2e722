//! The in-memory model of one Proxmox VE cluster: nodes, storage, guests, pools, tasks, HA and quorum.
//!
//! All changes go through methods here, under one lock held by the server; [`Cluster::tick`] moves
//! tasks and the HA manager forward to the current simulated time.

pub mod backup;
mod guest;
/// Which config keys are disks.
pub mod guest_keys {
    pub use super::guest::is_disk_key;
}
pub mod firewall;
mod ha;
pub mod ha_rules;
mod noise;
mod pool;
mod release;
pub mod sdn;
mod settings;
mod task;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use pve_types::api::guest::GuestKind;
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

pub use guest::{Guest, RunState, SnapshotRec};
pub use ha::{HaResourceRec, HaServiceState};
pub use ha_rules::{HaRuleKind, HaRuleRec};
pub use noise::noise;
pub use pool::PoolRec;
pub use release::Release;
pub use settings::{default_options, HaGroupRec, NodeSettings, ReplicationJob};
pub use task::{Effect, Task, TaskSpec};

use crate::clock::SimTime;

/// 1 GiB.
pub const GIB: u64 = 1 << 30;
/// 1 TB (storage vendors' terabyte, as the hardware is sold).
pub const TB: u64 = 1_000_000_000_000;

/// The hardware of one node.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct NodeSpec {
    /// CPU sockets.
    pub sockets: u64,
    /// Cores per socket.
    pub cores_per_socket: u64,
    /// Memory in bytes.
    pub memory: u64,
    /// Local SSD capacity in bytes (contributed to the shared Ceph pool).
    pub ssd: u64,
}

impl Default for NodeSpec {
    /// One host of a host unit: 2x24 cores, 512 GiB, 32 TB SSD.
    fn default() -> Self {
        Self {
            sockets: 2,
            cores_per_socket: 24,
            memory: 512 * GIB,
            ssd: 32 * TB,
        }
    }
}

impl NodeSpec {
    /// Logical CPUs as PVE counts them (`maxcpu`).
    pub fn cpus(&self) -> u64 {
        self.sockets * self.cores_per_socket
    }
}

/// A node's power and membership state.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum NodeState {
    /// Running.
    Up,
    /// Failed (power, kernel, network) at this time.
    Down {
        /// When it failed.
        since: SimTime,
    },
}

/// One node.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Node {
    /// Name (`pve1`).
    pub name: String,
    /// Corosync node id (from 1).
    pub nodeid: u64,
    /// Hardware.
    pub spec: NodeSpec,
    /// State.
    pub state: NodeState,
    /// When it last booted.
    pub boot_time: SimTime,
    /// IP address on the cluster network.
    pub ip: String,
    /// The node certificate's fingerprint (as `/nodes` shows it).
    pub ssl_fingerprint: String,
    /// While it reboots: when it is back up.
    #[serde(default)]
    pub back_at: Option<SimTime>,
}

/// One storage definition.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StorageDef {
    /// Id.
    pub id: String,
    /// Plugin type.
    pub kind: String,
    /// Content types.
    pub content: String,
    /// Shared by all nodes.
    pub shared: bool,
    /// Capacity in bytes (per node for local storage).
    pub total: u64,
    /// Bytes used by things the model does not track (OS, logs).
    pub base_used: u64,
    /// The plugin's other settings as `POST /storage` gave them (`path`, `pool`, `server`, ...).
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
}

/// A disk image allocated on a storage by `POST .../storage/{storage}/content`, not (yet) in any
/// guest's configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AllocatedVolume {
    /// The storage.
    pub storage: String,
    /// The node (for a storage that is not shared).
    pub node: String,
    /// Its owner.
    pub vmid: u32,
    /// `storage:name`.
    pub volid: String,
    /// Format.
    pub format: String,
    /// Size in bytes.
    pub size: u64,
}

/// A file volume on a node-local storage (templates, ISO images).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileVolume {
    /// Volume id.
    pub volid: String,
    /// Content type.
    pub content: String,
    /// Format.
    pub format: String,
    /// Size in bytes.
    pub size: u64,
    /// Creation time.
    pub ctime: u64,
}

/// Injected faults.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Faults {
    /// Share (0..1) of tasks that fail.
    pub task_failure_rate: f64,
    /// Added latency per request, in milliseconds.
    pub latency_ms: u64,
    /// Share (0..1) of connections dropped right after accept.
    pub drop_rate: f64,
}

/// The whole simulated cluster.
#[derive(Debug, Serialize, Deserialize)]
pub struct Cluster {
    /// Cluster name.
    pub name: String,
    /// The node that answers the API (the one the client connects to).
    pub entry_node: String,
    /// Nodes in order.
    pub nodes: Vec<Node>,
    /// Storage definitions.
    pub storages: Vec<StorageDef>,
    /// Files on each node's `local` storage.
    pub local_files: Vec<FileVolume>,
    /// Guests by vmid.
    pub guests: BTreeMap<u32, Guest>,
    /// Pools by id.
    pub pools: BTreeMap<String, PoolRec>,
    /// HA resources by sid.
    pub ha: BTreeMap<String, HaResourceRec>,
    /// Tasks, oldest first (bounded).
    pub tasks: VecDeque<Task>,
    /// Groups of nodes that can reach each other; empty when there is no partition.
    pub partition: Vec<BTreeSet<String>>,
    /// When the current partition began.
    pub partition_since: SimTime,
    /// Injected faults.
    pub faults: Faults,
    /// Task duration factor: 0 finishes at once, 1 is real PVE timing.
    pub time_scale: f64,
    /// The seed of all randomness.
    pub seed: u64,
    /// Next worker pid.
    pub next_pid: u32,
    /// Bumped on every config change (corosync config version stand-in).
    pub config_version: u64,
    /// Password logins so far.
    #[serde(default)]
    pub logins: u64,
    /// Ticket renewals (a valid ticket posted as the password) so far.
    #[serde(default)]
    pub ticket_renewals: u64,
    /// Datacenter options (`/cluster/options`).
    #[serde(default = "default_options")]
    pub options: BTreeMap<String, serde_json::Value>,
    /// HA groups by id.
    #[serde(default)]
    pub ha_groups: BTreeMap<String, HaGroupRec>,
    /// Backup volumes on the storages.
    #[serde(default)]
    pub backups: Vec<backup::BackupVolume>,
    /// HA rules by id (PVE 9).
    #[serde(default)]
    pub ha_rules: BTreeMap<String, HaRuleRec>,
    /// The release the cluster runs.
    #[serde(default)]
    pub release: Release,
    /// Replication jobs by id.
    #[serde(default)]
    pub replication: BTreeMap<String, ReplicationJob>,
    /// Each node's settings (DNS, time zone, subscription, network), by node.
    #[serde(default)]
    pub node_settings: BTreeMap<String, NodeSettings>,
    /// Disk images allocated outside guests' configurations.
    #[serde(default)]
    pub allocated: Vec<AllocatedVolume>,
    /// Software-defined networking.
    #[serde(default)]
    pub sdn: sdn::Sdn,
    /// The cluster's security groups and IP sets.
    #[serde(default)]
    pub firewall: firewall::Firewall,
    #[serde(skip, default = "default_rng")]
    pub(crate) rng: StdRng,
}

fn default_rng() -> StdRng {
    StdRng::seed_from_u64(0)
}

/// How many finished tasks are kept (PVE keeps an archive; we keep the most recent ones).
const TASK_HISTORY: usize = 20_000;

/// The shared Ceph pool.
pub const SHARED_STORAGE: &str = "ceph-vm";
/// The node-local directory storage.
pub const LOCAL_STORAGE: &str = "local";
/// The Debian 12 container template volume.
pub const DEBIAN_CT_TEMPLATE: &str = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";
/// The VM template's vmid.
pub const VM_TEMPLATE_VMID: u32 = 9000;
/// The container template's vmid.
pub const CT_TEMPLATE_VMID: u32 = 9001;

impl Cluster {
    /// A cluster of `nodes` nodes of `spec` hardware with shared Ceph storage, node-local storage with
    /// a Debian 12 container template and ISO, and the two Debian 12 templates (VM 9000, CT 9001).
    pub fn new(
        name: &str,
        nodes: usize,
        spec: NodeSpec,
        seed: u64,
        now: SimTime,
        time_scale: f64,
    ) -> Self {
        let nodes = nodes.max(1);
        let mut rng = StdRng::seed_from_u64(seed);
        let node_list: Vec<Node> = (1..=nodes)
            .map(|i| {
                let fp: Vec<String> = (0..32)
                    .map(|_| format!("{:02X}", rand::Rng::gen::<u8>(&mut rng)))
                    .collect();
                Node {
                    name: format!("pve{i}"),
                    nodeid: i as u64,
                    spec,
                    state: NodeState::Up,
                    boot_time: now - 86_400.0 * 12.0 - (i as f64) * 3_600.0,
                    ip: format!("172.16.{}.{}", 10 + i / 250, 10 + i % 250),
                    ssl_fingerprint: fp.join(":"),
                    back_at: None,
                }
            })
            .collect();
        // Ceph keeps three replicas: usable capacity is a third of the raw SSDs.
        let ceph_total = spec.ssd * nodes as u64 / 3;
        let storages = vec![
            StorageDef {
                id: LOCAL_STORAGE.into(),
                kind: "dir".into(),
                content: "backup,iso,snippets,vztmpl".into(),
                shared: false,
                total: 200 * GIB,
                base_used: 9 * GIB,
                settings: BTreeMap::new(),
            },
            StorageDef {
                id: SHARED_STORAGE.into(),
                kind: "rbd".into(),
                content: "images,rootdir".into(),
                shared: true,
                total: ceph_total,
                base_used: 0,
                settings: BTreeMap::new(),
            },
        ];
        let ctime = (now - 86_400.0 * 30.0) as u64;
        let local_files = vec![
            FileVolume {
                volid: DEBIAN_CT_TEMPLATE.into(),
                content: "vztmpl".into(),
                format: "tzst".into(),
                size: 126_021_120,
                ctime,
            },
            FileVolume {
                volid: "local:iso/debian-12.11.0-amd64-netinst.iso".into(),
                content: "iso".into(),
                format: "iso".into(),
                size: 702_545_920,
                ctime,
            },
        ];
        let entry_node = node_list[0].name.clone();
        let mut c = Cluster {
            name: name.to_string(),
            entry_node,
            nodes: node_list,
            storages,
            local_files,
            guests: BTreeMap::new(),
            pools: BTreeMap::new(),
            ha: BTreeMap::new(),
            tasks: VecDeque::new(),
            partition: Vec::new(),
            partition_since: now,
            faults: Faults::default(),
            time_scale,
            seed,
            next_pid: 4000 + (seed % 1000) as u32,
            config_version: 1,
            logins: 0,
            ticket_renewals: 0,
            options: default_options(),
            ha_groups: BTreeMap::new(),
            ha_rules: BTreeMap::new(),
            backups: Vec::new(),
            release: Release::default(),
            replication: BTreeMap::new(),
            node_settings: BTreeMap::new(),
            sdn: Default::default(),
            firewall: Default::default(),
            allocated: Vec::new(),
            rng,
        };
        let first = c.nodes[0].name.clone();
        c.guests.insert(
            VM_TEMPLATE_VMID,
            Guest::vm_template(VM_TEMPLATE_VMID, &first, now),
        );
        c.guests.insert(
            CT_TEMPLATE_VMID,
            Guest::ct_template(CT_TEMPLATE_VMID, &first, now),
        );
        c
    }

    /// Adds `count` guests spread over the nodes, as a busy estate looks (four in five VMs, seven in ten
    /// running), for demos and scale benchmarks. Ids start at 1000.
    pub fn populate(&mut self, count: usize, now: SimTime) {
        let nodes: Vec<String> = self.nodes.iter().map(|n| n.name.clone()).collect();
        for i in 0..count {
            let vmid = 1000 + i as u32;
            let node = &nodes[i % nodes.len()];
            let kind = if i % 5 == 4 {
                GuestKind::Lxc
            } else {
                GuestKind::Qemu
            };
            let mut config = BTreeMap::new();
            let cores = [1, 2, 2, 4, 8][i % 5];
            let memory = [1024, 2048, 4096, 8192, 16384][(i / 5) % 5];
            config.insert("cores".to_string(), cores.to_string());
            config.insert("memory".to_string(), memory.to_string());
            config.insert(
                "tags".to_string(),
                format!("tenant-{};project-{}", i % 17, i % 101),
            );
            let mac = format!(
                "BC:24:11:{:02X}:{:02X}:{:02X}",
                (vmid >> 16) & 0xff,
                (vmid >> 8) & 0xff,
                vmid & 0xff
            );
            match kind {
                GuestKind::Qemu => {
                    config.insert("name".into(), format!("vm-{vmid}"));
                    config.insert(
                        "scsi0".into(),
                        format!("{SHARED_STORAGE}:vm-{vmid}-disk-0,size=32G"),
                    );
                    config.insert(
                        "net0".into(),
                        format!("virtio={mac},bridge=vmbr0,tag={}", 100 + i % 17),
                    );
                    config.insert("ostype".into(), "l26".into());
                }
                GuestKind::Lxc => {
                    config.insert("hostname".into(), format!("ct-{vmid}"));
                    config.insert(
                        "rootfs".into(),
                        format!("{SHARED_STORAGE}:vm-{vmid}-disk-0,size=8G"),
                    );
                    config.insert(
                        "net0".into(),
                        format!(
                            "name=eth0,bridge=vmbr0,hwaddr={mac},ip=dhcp,tag={}",
                            100 + i % 17
                        ),
                    );
                    config.insert("ostype".into(), "debian".into());
                }
            }
            let mut g = Guest::new(vmid, kind, node, config);
            if i % 10 < 7 {
                g.set_running(now - (i % 86_400) as f64);
            }
            self.guests.insert(vmid, g);
        }
    }

    /// Restores the random source after loading saved state.
    pub fn reseed(&mut self) {
        self.rng = StdRng::seed_from_u64(self.seed ^ self.next_pid as u64);
    }

    /// A node by name.
    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name == name)
    }

    /// A node by name, for changes.
    pub fn node_mut(&mut self, name: &str) -> Option<&mut Node> {
        self.nodes.iter_mut().find(|n| n.name == name)
    }

    /// The group of nodes holding quorum, if any: up nodes that reach each other and are more than half.
    pub fn quorate_group(&self) -> Option<BTreeSet<String>> {
        let up: BTreeSet<String> = self
            .nodes
            .iter()
            .filter(|n| n.state == NodeState::Up)
            .map(|n| n.name.clone())
            .collect();
        let groups: Vec<BTreeSet<String>> = if self.partition.is_empty() {
            vec![up]
        } else {
            let mut gs: Vec<BTreeSet<String>> = self
                .partition
                .iter()
                .map(|g| g.intersection(&up).cloned().collect())
                .collect();
            // Nodes named in no group form one more group of their own.
            let named: BTreeSet<String> = self.partition.iter().flatten().cloned().collect();
            gs.push(up.difference(&named).cloned().collect());
            gs
        };
        groups.into_iter().find(|g| g.len() * 2 > self.nodes.len())
    }

    /// Whether the answering node is in the quorate group.
    pub fn is_quorate(&self) -> bool {
        self.quorate_group()
            .is_some_and(|g| g.contains(&self.entry_node))
    }

    /// Whether `node` is online as the answering node sees it.
    pub fn node_online(&self, node: &str) -> bool {
        let Some(n) = self.node(node) else {
            return false;
        };
        if n.state != NodeState::Up {
            return false;
        }
        if node == self.entry_node {
            return true;
        }
        match self.quorate_group() {
            Some(g) => g.contains(node) && g.contains(&self.entry_node),
            None => self.reachable(&self.entry_node, node),
        }
    }

    fn reachable(&self, a: &str, b: &str) -> bool {
        if self.partition.is_empty() {
            return true;
        }
        let group_of = |x: &str| self.partition.iter().position(|g| g.contains(x));
        group_of(a) == group_of(b)
    }

    /// The nodes online as the answering node sees them, computed once for bulk answers.
    pub fn online_set(&self) -> std::collections::HashSet<String> {
        let entry_up = self
            .node(&self.entry_node)
            .is_some_and(|n| n.state == NodeState::Up);
        let quorate = self.quorate_group();
        self.nodes
            .iter()
            .filter(|n| n.state == NodeState::Up)
            .filter(|n| {
                n.name == self.entry_node
                    || match &quorate {
                        Some(g) => g.contains(&n.name) && g.contains(&self.entry_node),
                        None => entry_up && self.reachable(&self.entry_node, &n.name),
                    }
            })
            .map(|n| n.name.clone())
            .collect()
    }

    /// CPU in use (cores) and memory in use (bytes) by the running guests of every node, in one pass.
    pub fn node_loads(&self, now: SimTime) -> std::collections::HashMap<&str, (f64, u64)> {
        let mut out: std::collections::HashMap<&str, (f64, u64)> = std::collections::HashMap::new();
        for g in self
            .guests
            .values()
            .filter(|g| g.state != RunState::Stopped)
        {
            let e = out.entry(g.node.as_str()).or_default();
            e.0 += g.cpu_usage(self.seed, now) * g.cpus() as f64;
            e.1 += g.mem_usage(self.seed, now);
        }
        out
    }

    /// Bytes used by guest disks per storage: shared storages by id, local ones by (id, node).
    pub fn disk_usage(
        &self,
    ) -> (
        std::collections::HashMap<String, u64>,
        std::collections::HashMap<(String, String), u64>,
    ) {
        let mut shared = std::collections::HashMap::new();
        let mut local = std::collections::HashMap::new();
        for g in self.guests.values() {
            for (storage, size) in g.disk_sizes() {
                match self.storage(storage) {
                    Some(def) if def.shared => *shared.entry(def.id.clone()).or_insert(0) += size,
                    Some(def) => {
                        *local.entry((def.id.clone(), g.node.clone())).or_insert(0) += size
                    }
                    None => {}
                }
            }
        }
        (shared, local)
    }

    /// Storage definition by id.
    pub fn storage(&self, id: &str) -> Option<&StorageDef> {
        self.storages.iter().find(|s| s.id == id)
    }

    /// Bytes used on a storage (on `node` for local storage): guest disks plus fixed use.
    pub fn storage_used(&self, id: &str, node: &str) -> u64 {
        let Some(def) = self.storage(id) else {
            return 0;
        };
        let disks: u64 = self
            .guests
            .values()
            .filter(|g| def.shared || g.node == node)
            .flat_map(|g| g.disks())
            .filter(|(_, spec)| spec.storage() == id)
            .map(|(_, spec)| spec.size().map(|s| s.bytes()).unwrap_or_default())
            .sum();
        let files: u64 = if id == LOCAL_STORAGE {
            self.local_files.iter().map(|f| f.size).sum()
        } else {
            0
        };
        def.base_used + disks + files + self.backup_bytes(id, node)
    }

    /// A fresh worker pid.
    pub fn pid(&mut self) -> u32 {
        self.next_pid = self
            .next_pid
            .wrapping_add(rand::Rng::gen_range(&mut self.rng, 1..40));
        self.next_pid
    }

    /// A random draw in 0..1 from the seeded source.
    pub fn draw(&mut self) -> f64 {
        rand::Rng::gen(&mut self.rng)
    }

    /// A MAC address in Proxmox's OUI (BC:24:11), from the seeded source.
    pub fn mac(&mut self) -> String {
        let b: [u8; 3] = rand::Rng::gen(&mut self.rng);
        format!("BC:24:11:{:02X}:{:02X}:{:02X}", b[0], b[1], b[2])
    }

    /// The lowest free vmid from 100 (what `/cluster/nextid` answers).
    pub fn next_free_vmid(&self) -> u32 {
        let mut id = 100;
        for &v in self.guests.keys() {
            if v == id {
                id += 1;
            } else if v > id {
                break;
            }
        }
        id
    }

    /// Moves the cluster to `now`: brings back rebooted nodes, finishes due tasks and runs the HA
    /// manager.
    pub fn tick(&mut self, now: SimTime) {
        let back: Vec<String> = self
            .nodes
            .iter()
            .filter(|n| n.back_at.is_some_and(|t| t <= now))
            .map(|n| n.name.clone())
            .collect();
        for node in back {
            self.node_up(&node, now);
        }
        self.run_due_tasks(now);
        self.run_ha(now);
        while self.tasks.len() > TASK_HISTORY {
            // Drop the oldest finished task; running ones stay.
            match self.tasks.iter().position(|t| t.exit.is_some()) {
                Some(i) => {
                    self.tasks.remove(i);
                }
                None => break,
            }
        }
    }

    /// A node shuts down cleanly (`POST /nodes/{node}/status` `shutdown` or `reboot`): its guests
    /// stop, and a rebooting node is back after `boot_secs` (scaled); its HA services are frozen
    /// meanwhile, as PVE's default shutdown policy does on a reboot.
    pub fn node_power_off(&mut self, node: &str, now: SimTime, reboot_after: Option<f64>) {
        for g in self.guests.values_mut().filter(|g| g.node == node) {
            g.set_stopped();
        }
        self.node_down(node, now);
        let scale = self.time_scale;
        if let Some(n) = self.node_mut(node) {
            n.back_at = reboot_after.map(|secs| now + secs * scale);
        }
    }

    /// Marks a node failed.
    pub fn node_down(&mut self, node: &str, now: SimTime) -> bool {
        match self.node_mut(node) {
            Some(n) if n.state == NodeState::Up => {
                n.state = NodeState::Down { since: now };
                true
            }
            Some(_) => true,
            None => false,
        }
    }

    /// Brings a node back: it has rebooted, so its guests are stopped unless they start on boot.
    pub fn node_up(&mut self, node: &str, now: SimTime) -> bool {
        let Some(n) = self.node_mut(node) else {
            return false;
        };
        n.back_at = None;
        if n.state == NodeState::Up {
            return true;
        }
        n.state = NodeState::Up;
        n.boot_time = now;
        for g in self.guests.values_mut().filter(|g| g.node == node) {
            if g.config.get("onboot").map(String::as_str) == Some("1") {
                g.set_running(now);
            } else {
                g.set_stopped();
            }
        }
        true
    }
}
