//! [`PveApi`]: one method per PVE endpoint the platform uses, all built on [`PveApi::execute`].

use std::time::Instant;

use async_trait::async_trait;
use pve_types::api::access::{self, Permissions, VersionInfo};
use pve_types::api::backup::{self as backups, VolumeInfo, VolumeUpdate, Vzdump};
use pve_types::api::cluster::{self, ClusterResource, ClusterStatusItem, ResourceFilter};
use pve_types::api::firewall::{
    self, FirewallOptions, GroupListItem, IpSetEntry, IpSetListItem, Rule,
};
use pve_types::api::guest::{
    self, GuestClone, GuestConfig, GuestConfigUpdate, GuestCreate, GuestDelete, GuestKind,
    GuestMigrate, GuestShutdown, GuestStatus, GuestStop, PowerAction, Snapshot, SnapshotCreate,
};
use pve_types::api::ha::{self, HaResource, HaResourceCreate, HaResourceUpdate, HaStatusEntry};
use pve_types::api::ha_placement::{
    self, HaGroup, HaGroupCreate, HaRule, HaRuleCreate, HaRuleUpdate,
};
use pve_types::api::nodes::{
    self, NetworkInterface, NodeListItem, NodeStatus, RrdPoint, Timeframe,
};
use pve_types::api::pools::{self, PoolConfig, PoolCreate, PoolListItem, PoolUpdate};
use pve_types::api::sdn::{
    self, IpMapping, Subnet, SubnetCreate, SubnetUpdate, View, Vnet, VnetCreate, VnetUpdate, Zone,
    ZoneCreate,
};
use pve_types::api::storage::{self, NodeStorage, StorageConfig, StorageContent};
use pve_types::api::tasks::{
    self, TaskListItem, TaskListParams, TaskLogLine, TaskOutcome, TaskRunState, TaskStatus,
};
use pve_types::{ApiRequest, NodeName, PoolId, StorageId, Upid, Vmid};
use serde::de::DeserializeOwned;

use crate::client::{decode, PveClient};

use crate::error::Error;
use crate::wait::WaitOptions;

async fn call<T: DeserializeOwned, A: PveApi + ?Sized>(
    api: &A,
    req: ApiRequest,
) -> Result<T, Error> {
    let body = api.execute_raw(&req).await?;
    crate::client::decode_answer(req.endpoint, &body)
}

async fn call_upid<A: PveApi + ?Sized>(api: &A, req: ApiRequest) -> Result<Upid, Error> {
    call(api, req).await
}

/// Calls that answer a task, or null when PVE had nothing to run in the background.
async fn call_opt_upid<A: PveApi + ?Sized>(
    api: &A,
    req: ApiRequest,
) -> Result<Option<Upid>, Error> {
    let data = api.execute(&req).await?;
    if data.is_null() {
        Ok(None)
    } else {
        decode(&req, data).map(Some)
    }
}

async fn call_unit<A: PveApi + ?Sized>(api: &A, req: ApiRequest) -> Result<(), Error> {
    api.execute(&req).await.map(|_| ())
}

/// The Proxmox VE API as the platform uses it. Implement [`execute`](PveApi::execute) to fake it.
#[async_trait]
pub trait PveApi: Send + Sync {
    /// Sends one request and returns the `data` of the answer.
    async fn execute(&self, req: &ApiRequest) -> Result<serde_json::Value, Error>;

    /// Sends one request and returns the whole successful answer (`{"data": ...}`) as bytes. The default
    /// serializes what [`execute`](PveApi::execute) returns; the HTTPS client returns the body as received.
    async fn execute_raw(&self, req: &ApiRequest) -> Result<Vec<u8>, Error> {
        let data = self.execute(req).await?;
        serde_json::to_vec(&serde_json::json!({ "data": data })).map_err(|e| Error::Decode {
            endpoint: req.endpoint,
            detail: e.to_string(),
        })
    }

    /// `GET /version`.
    async fn version(&self) -> Result<VersionInfo, Error> {
        call(self, access::version()).await
    }
    /// `GET /access/permissions` (for the caller; one path or all).
    async fn permissions(&self, path: Option<&str>) -> Result<Permissions, Error> {
        call(self, access::permissions(path)).await
    }

    /// `GET /cluster/status`.
    async fn cluster_status(&self) -> Result<Vec<ClusterStatusItem>, Error> {
        call(self, cluster::status()).await
    }
    /// `GET /cluster/resources`.
    async fn cluster_resources(
        &self,
        filter: Option<ResourceFilter>,
    ) -> Result<Vec<ClusterResource>, Error> {
        call(self, cluster::resources(filter)).await
    }
    /// `GET /cluster/nextid`: a free id now (it reserves nothing).
    async fn nextid(&self) -> Result<Vmid, Error> {
        call(self, cluster::nextid(None)).await
    }
    /// `GET /cluster/nextid?vmid=N`: whether no guest on the cluster has that id now. Cheaper than
    /// searching `/cluster/resources`, which grows with the cluster.
    async fn vmid_free(&self, vmid: Vmid) -> Result<bool, Error> {
        match call::<Vmid, _>(self, cluster::nextid(Some(vmid))).await {
            Ok(_) => Ok(true),
            Err(Error::Parameter { errors, .. }) if errors.contains_key("vmid") => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// `GET /nodes`.
    async fn nodes(&self) -> Result<Vec<NodeListItem>, Error> {
        call(self, nodes::list()).await
    }
    /// `GET /nodes/{node}/status`.
    async fn node_status(&self, node: &NodeName) -> Result<NodeStatus, Error> {
        call(self, nodes::status(node)).await
    }
    /// `GET /nodes/{node}/network?type=any_bridge`.
    async fn node_bridges(&self, node: &NodeName) -> Result<Vec<NetworkInterface>, Error> {
        call(self, nodes::bridges(node)).await
    }
    /// `GET /nodes/{node}/rrddata`.
    async fn node_rrddata(
        &self,
        node: &NodeName,
        timeframe: Timeframe,
    ) -> Result<Vec<RrdPoint>, Error> {
        call(self, nodes::rrddata(node, timeframe)).await
    }

    /// `GET /nodes/{node}/{qemu,lxc}`.
    async fn guest_list(
        &self,
        kind: GuestKind,
        node: &NodeName,
    ) -> Result<Vec<GuestStatus>, Error> {
        call(self, guest::list(kind, node)).await
    }
    /// `POST /nodes/{node}/{qemu,lxc}`.
    async fn guest_create(
        &self,
        kind: GuestKind,
        node: &NodeName,
        p: &GuestCreate,
    ) -> Result<Upid, Error> {
        call_upid(self, guest::create(kind, node, p)?).await
    }
    /// `POST .../{vmid}/clone` (full or linked).
    async fn guest_clone(
        &self,
        kind: GuestKind,
        node: &NodeName,
        vmid: Vmid,
        p: &GuestClone,
    ) -> Result<Upid, Error> {
        call_upid(self, guest::clone(kind, node, vmid, p)?).await
    }
    /// `GET .../{vmid}/config`.
    async fn guest_config(
        &self,
        kind: GuestKind,
        node: &NodeName,
        vmid: Vmid,
    ) -> Result<GuestConfig, Error> {
        call(self, guest::config_get(kind, node, vmid)).await
    }
    /// `PUT .../{vmid}/config` (synchronous).
    async fn guest_config_set(
        &self,
        kind: GuestKind,
        node: &NodeName,
        vmid: Vmid,
        p: &GuestConfigUpdate,
    ) -> Result<(), Error> {
        call_unit(self, guest::config_set(kind, node, vmid, p)?).await
    }
    /// `POST /nodes/{node}/qemu/{vmid}/config` (a task).
    async fn qemu_config_set_async(
        &self,
        node: &NodeName,
        vmid: Vmid,
        p: &GuestConfigUpdate,
    ) -> Result<Option<Upid>, Error> {
        call_opt_upid(self, guest::qemu_config_set_async(node, vmid, p)?).await
    }
    /// The addresses a running guest has (`10.0.0.5/24`), loopback left out: from the QEMU guest
    /// agent for a VM (`agent/network-get-interfaces`), from the container for a CT.
    async fn guest_addresses(
        &self,
        kind: GuestKind,
        node: &NodeName,
        vmid: Vmid,
    ) -> Result<Vec<String>, Error> {
        let req = guest::interfaces(kind, node, vmid);
        let is_loopback = |a: &str| a.starts_with("127.") || a.starts_with("::1");
        Ok(match kind {
            GuestKind::Qemu => call::<guest::AgentInterfaces, _>(self, req)
                .await?
                .result
                .into_iter()
                .filter(|i| i.name != "lo")
                .flat_map(|i| i.ip_addresses)
                .filter(|a| !is_loopback(&a.ip_address))
                .map(|a| match a.prefix {
                    Some(p) => format!("{}/{p}", a.ip_address),
                    None => a.ip_address,
                })
                .collect(),
            GuestKind::Lxc => call::<Vec<guest::LxcInterface>, _>(self, req)
                .await?
                .into_iter()
                .filter(|i| i.name != "lo")
                .flat_map(|i| [i.inet, i.inet6])
                .flatten()
                .filter(|a| !is_loopback(a))
                .collect(),
        })
    }
    /// `GET .../{vmid}/status/current`.
    async fn guest_status(
        &self,
        kind: GuestKind,
        node: &NodeName,
        vmid: Vmid,
    ) -> Result<GuestStatus, Error> {
        call(self, guest::status(kind, node, vmid)).await
    }
    /// `POST .../{vmid}/status/{start,stop,shutdown,reboot,suspend,resume}`.
    async fn guest_power(
        &self,
        kind: GuestKind,
        node: &NodeName,
        vmid: Vmid,
        action: PowerAction,
    ) -> Result<Upid, Error> {
        call_upid(self, guest::power(kind, node, vmid, action)).await
    }
    /// `POST .../{vmid}/status/stop` with options.
    async fn guest_stop(
        &self,
        kind: GuestKind,
        node: &NodeName,
        vmid: Vmid,
        p: &GuestStop,
    ) -> Result<Upid, Error> {
        call_upid(
            self,
            guest::power_with(kind, node, vmid, PowerAction::Stop, p)?,
        )
        .await
    }
    /// `POST .../{vmid}/status/shutdown` with options.
    async fn guest_shutdown(
        &self,
        kind: GuestKind,
        node: &NodeName,
        vmid: Vmid,
        p: &GuestShutdown,
    ) -> Result<Upid, Error> {
        call_upid(
            self,
            guest::power_with(kind, node, vmid, PowerAction::Shutdown, p)?,
        )
        .await
    }
    /// `DELETE .../{vmid}`.
    async fn guest_delete(
        &self,
        kind: GuestKind,
        node: &NodeName,
        vmid: Vmid,
        p: &GuestDelete,
    ) -> Result<Upid, Error> {
        call_upid(self, guest::delete(kind, node, vmid, p)?).await
    }
    /// `PUT .../{vmid}/resize`: VMs answer a task, containers too (PVE 8).
    async fn guest_resize(
        &self,
        kind: GuestKind,
        node: &NodeName,
        vmid: Vmid,
        disk: &str,
        size: &str,
    ) -> Result<Option<Upid>, Error> {
        call_opt_upid(self, guest::resize(kind, node, vmid, disk, size)).await
    }
    /// `POST .../{vmid}/migrate`.
    async fn guest_migrate(
        &self,
        kind: GuestKind,
        node: &NodeName,
        vmid: Vmid,
        p: &GuestMigrate,
    ) -> Result<Upid, Error> {
        call_upid(self, guest::migrate(kind, node, vmid, p)?).await
    }
    /// `GET .../{vmid}/snapshot`.
    async fn snapshot_list(
        &self,
        kind: GuestKind,
        node: &NodeName,
        vmid: Vmid,
    ) -> Result<Vec<Snapshot>, Error> {
        call(self, guest::snapshot_list(kind, node, vmid)).await
    }
    /// `POST .../{vmid}/snapshot`.
    async fn snapshot_create(
        &self,
        kind: GuestKind,
        node: &NodeName,
        vmid: Vmid,
        p: &SnapshotCreate,
    ) -> Result<Upid, Error> {
        call_upid(self, guest::snapshot_create(kind, node, vmid, p)?).await
    }
    /// `POST .../{vmid}/snapshot/{snapname}/rollback`.
    async fn snapshot_rollback(
        &self,
        kind: GuestKind,
        node: &NodeName,
        vmid: Vmid,
        snapname: &str,
    ) -> Result<Upid, Error> {
        call_upid(self, guest::snapshot_rollback(kind, node, vmid, snapname)).await
    }
    /// `DELETE .../{vmid}/snapshot/{snapname}`.
    async fn snapshot_delete(
        &self,
        kind: GuestKind,
        node: &NodeName,
        vmid: Vmid,
        snapname: &str,
    ) -> Result<Upid, Error> {
        call_upid(self, guest::snapshot_delete(kind, node, vmid, snapname)).await
    }
    /// `POST .../{vmid}/template`: VMs answer a task, containers null.
    async fn guest_template(
        &self,
        kind: GuestKind,
        node: &NodeName,
        vmid: Vmid,
    ) -> Result<Option<Upid>, Error> {
        call_opt_upid(self, guest::template(kind, node, vmid)).await
    }

    /// `GET /nodes/{node}/tasks`.
    async fn task_list(
        &self,
        node: &NodeName,
        p: &TaskListParams,
    ) -> Result<Vec<TaskListItem>, Error> {
        call(self, tasks::list(node, p)?).await
    }
    /// `GET /cluster/tasks`: recent tasks of every node.
    async fn cluster_tasks(&self) -> Result<Vec<TaskListItem>, Error> {
        call(self, tasks::cluster_list()).await
    }
    /// `GET /nodes/{node}/tasks/{upid}/status`.
    async fn task_status(&self, upid: &Upid) -> Result<TaskStatus, Error> {
        call(self, tasks::status(upid)).await
    }
    /// `GET /nodes/{node}/tasks/{upid}/log`.
    async fn task_log(
        &self,
        upid: &Upid,
        start: u64,
        limit: u64,
    ) -> Result<Vec<TaskLogLine>, Error> {
        call(self, tasks::log(upid, start, limit)).await
    }
    /// Polls the task with backoff until it stops. `OK` and `WARNINGS: n` are success; anything else is
    /// [`Error::TaskFailed`] with the tail of the task log.
    async fn wait_task(&self, upid: &Upid, opts: WaitOptions) -> Result<TaskOutcome, Error> {
        let started = Instant::now();
        let mut polls = 0u32;
        loop {
            let status = self.task_status(upid).await?;
            if status.status == TaskRunState::Stopped {
                let exit = status.exitstatus.unwrap_or_else(|| "unknown".into());
                let outcome = TaskOutcome::from_exitstatus(&exit);
                if outcome.is_success() {
                    return Ok(outcome);
                }
                let log_tail = self.task_log_tail(upid, opts.log_tail_lines).await;
                return Err(Error::TaskFailed {
                    upid: Box::new(upid.clone()),
                    exitstatus: exit,
                    log_tail,
                });
            }
            if started.elapsed() >= opts.deadline {
                return Err(Error::TaskTimeout {
                    upid: Box::new(upid.clone()),
                    waited_ms: started.elapsed().as_millis() as u64,
                });
            }
            tokio::time::sleep(opts.pause(polls)).await;
            polls += 1;
        }
    }
    /// The last `lines` lines of a task log (empty when the log cannot be read).
    async fn task_log_tail(&self, upid: &Upid, lines: u64) -> Vec<String> {
        // The log endpoint pages from the start; read a generous page and keep the end.
        match self.task_log(upid, 0, 10_000).await {
            Ok(log) => {
                let skip = log.len().saturating_sub(lines as usize);
                log.into_iter().skip(skip).map(|l| l.t).collect()
            }
            Err(_) => Vec::new(),
        }
    }

    /// `GET /pools`.
    async fn pool_list(&self) -> Result<Vec<PoolListItem>, Error> {
        call(self, pools::list()).await
    }
    /// `POST /pools`.
    async fn pool_create(&self, p: &PoolCreate) -> Result<(), Error> {
        call_unit(self, pools::create(p)?).await
    }
    /// `GET /pools/{poolid}`.
    async fn pool_get(&self, pool: &PoolId) -> Result<PoolConfig, Error> {
        call(self, pools::get(pool)).await
    }
    /// `PUT /pools/{poolid}` (comment, members).
    async fn pool_update(&self, pool: &PoolId, p: &PoolUpdate) -> Result<(), Error> {
        call_unit(self, pools::update(pool, p)?).await
    }
    /// `DELETE /pools/{poolid}`.
    async fn pool_delete(&self, pool: &PoolId) -> Result<(), Error> {
        call_unit(self, pools::delete(pool)).await
    }

    /// `GET /storage`.
    async fn storage_list(&self) -> Result<Vec<StorageConfig>, Error> {
        call(self, storage::list()).await
    }
    /// `GET /nodes/{node}/storage`.
    async fn node_storage(
        &self,
        node: &NodeName,
        content: Option<&str>,
    ) -> Result<Vec<NodeStorage>, Error> {
        call(self, storage::node_list(node, content)).await
    }
    /// `GET /nodes/{node}/storage/{storage}/content`.
    async fn storage_content(
        &self,
        node: &NodeName,
        storage: &StorageId,
        content: Option<&str>,
    ) -> Result<Vec<StorageContent>, Error> {
        call(self, storage::content(node, storage, content)).await
    }

    /// `POST /nodes/{node}/vzdump`: the backup task.
    async fn vzdump(&self, node: &NodeName, p: &Vzdump) -> Result<Upid, Error> {
        call_upid(self, backups::vzdump(node, p)?).await
    }
    /// `GET .../storage/{storage}/content/{volume}`.
    async fn volume(
        &self,
        node: &NodeName,
        storage: &StorageId,
        volid: &str,
    ) -> Result<VolumeInfo, Error> {
        call(self, backups::volume(node, storage, volid)).await
    }
    /// `PUT .../storage/{storage}/content/{volume}`: notes, protection.
    async fn volume_update(
        &self,
        node: &NodeName,
        storage: &StorageId,
        volid: &str,
        p: &VolumeUpdate,
    ) -> Result<(), Error> {
        call_unit(self, backups::volume_update(node, storage, volid, p)?).await
    }
    /// `DELETE .../storage/{storage}/content/{volume}`: a task, or none when it ended at once.
    async fn volume_delete(
        &self,
        node: &NodeName,
        storage: &StorageId,
        volid: &str,
    ) -> Result<Option<Upid>, Error> {
        call_opt_upid(self, backups::volume_delete(node, storage, volid)).await
    }

    /// `GET /cluster/ha/resources`.
    async fn ha_resources(&self) -> Result<Vec<HaResource>, Error> {
        call(self, ha::list()).await
    }
    /// `POST /cluster/ha/resources`.
    async fn ha_resource_create(&self, p: &HaResourceCreate) -> Result<(), Error> {
        call_unit(self, ha::create(p)?).await
    }
    /// `GET /cluster/ha/resources/{sid}`.
    async fn ha_resource(&self, sid: &str) -> Result<HaResource, Error> {
        call(self, ha::get(sid)).await
    }
    /// `PUT /cluster/ha/resources/{sid}`.
    async fn ha_resource_update(&self, sid: &str, p: &HaResourceUpdate) -> Result<(), Error> {
        call_unit(self, ha::update(sid, p)?).await
    }
    /// `DELETE /cluster/ha/resources/{sid}`.
    async fn ha_resource_delete(&self, sid: &str) -> Result<(), Error> {
        call_unit(self, ha::delete(sid)).await
    }
    /// `GET /cluster/ha/status/current`.
    async fn ha_status(&self) -> Result<Vec<HaStatusEntry>, Error> {
        call(self, ha::status_current()).await
    }
    /// `GET /cluster/ha/groups` (PVE 8).
    async fn ha_groups(&self) -> Result<Vec<HaGroup>, Error> {
        call(self, ha_placement::groups()).await
    }
    /// `POST /cluster/ha/groups` (PVE 8).
    async fn ha_group_create(&self, p: &HaGroupCreate) -> Result<(), Error> {
        call_unit(self, ha_placement::group_create(p)?).await
    }
    /// `DELETE /cluster/ha/groups/{group}` (PVE 8).
    async fn ha_group_delete(&self, group: &str) -> Result<(), Error> {
        call_unit(self, ha_placement::group_delete(group)).await
    }
    /// `GET /cluster/ha/rules` (PVE 9).
    async fn ha_rules(&self) -> Result<Vec<HaRule>, Error> {
        call(self, ha_placement::rules()).await
    }
    /// `POST /cluster/ha/rules` (PVE 9).
    async fn ha_rule_create(&self, p: &HaRuleCreate) -> Result<(), Error> {
        call_unit(self, ha_placement::rule_create(p)?).await
    }
    /// `PUT /cluster/ha/rules/{rule}` (PVE 9).
    async fn ha_rule_update(&self, rule: &str, p: &HaRuleUpdate) -> Result<(), Error> {
        call_unit(self, ha_placement::rule_update(rule, p)?).await
    }
    /// `DELETE /cluster/ha/rules/{rule}` (PVE 9).
    async fn ha_rule_delete(&self, rule: &str) -> Result<(), Error> {
        call_unit(self, ha_placement::rule_delete(rule)).await
    }

    /// `GET /cluster/firewall/groups`.
    async fn fw_groups(&self) -> Result<Vec<GroupListItem>, Error> {
        call(self, firewall::groups()).await
    }
    /// `POST /cluster/firewall/groups`.
    async fn fw_group_create(&self, group: &str, comment: Option<&str>) -> Result<(), Error> {
        call_unit(self, firewall::group_create(group, comment)).await
    }
    /// `GET /cluster/firewall/groups/{group}`: its rules, first to last.
    async fn fw_group_rules(&self, group: &str) -> Result<Vec<Rule>, Error> {
        call(self, firewall::group_rules(group)).await
    }
    /// `POST /cluster/firewall/groups/{group}`: a rule at the top.
    async fn fw_group_rule_create(&self, group: &str, rule: &Rule) -> Result<(), Error> {
        call_unit(self, firewall::group_rule_create(group, rule)?).await
    }
    /// `DELETE /cluster/firewall/groups/{group}/{pos}`.
    async fn fw_group_rule_delete(&self, group: &str, pos: u64) -> Result<(), Error> {
        call_unit(self, firewall::group_rule_delete(group, pos, None)).await
    }
    /// `DELETE /cluster/firewall/groups/{group}`.
    async fn fw_group_delete(&self, group: &str) -> Result<(), Error> {
        call_unit(self, firewall::group_delete(group)).await
    }
    /// `GET /cluster/firewall/ipset`.
    async fn fw_ipsets(&self) -> Result<Vec<IpSetListItem>, Error> {
        call(self, firewall::ipsets()).await
    }
    /// `POST /cluster/firewall/ipset`.
    async fn fw_ipset_create(&self, name: &str, comment: Option<&str>) -> Result<(), Error> {
        call_unit(self, firewall::ipset_create(name, comment)).await
    }
    /// `GET /cluster/firewall/ipset/{name}`.
    async fn fw_ipset_entries(&self, name: &str) -> Result<Vec<IpSetEntry>, Error> {
        call(self, firewall::ipset_entries(name)).await
    }
    /// `POST /cluster/firewall/ipset/{name}`.
    async fn fw_ipset_add(
        &self,
        name: &str,
        cidr: &str,
        comment: Option<&str>,
    ) -> Result<(), Error> {
        call_unit(self, firewall::ipset_add(name, cidr, comment)).await
    }
    /// `DELETE /cluster/firewall/ipset/{name}/{cidr}`.
    async fn fw_ipset_remove(&self, name: &str, cidr: &str) -> Result<(), Error> {
        call_unit(self, firewall::ipset_remove(name, cidr)).await
    }
    /// `DELETE /cluster/firewall/ipset/{name}` with its entries.
    async fn fw_ipset_delete(&self, name: &str) -> Result<(), Error> {
        call_unit(self, firewall::ipset_delete(name, true)).await
    }
    /// `GET .../firewall/options` of a guest.
    async fn fw_options(
        &self,
        kind: GuestKind,
        node: &NodeName,
        vmid: Vmid,
    ) -> Result<FirewallOptions, Error> {
        call(self, firewall::options(kind, node, vmid)).await
    }
    /// `PUT .../firewall/options` of a guest.
    async fn fw_options_set(
        &self,
        kind: GuestKind,
        node: &NodeName,
        vmid: Vmid,
        o: &FirewallOptions,
    ) -> Result<(), Error> {
        call_unit(self, firewall::options_set(kind, node, vmid, o)?).await
    }
    /// `GET .../firewall/rules` of a guest.
    async fn fw_rules(
        &self,
        kind: GuestKind,
        node: &NodeName,
        vmid: Vmid,
    ) -> Result<Vec<Rule>, Error> {
        call(self, firewall::rules(kind, node, vmid)).await
    }
    /// `POST .../firewall/rules` of a guest: a rule at the top.
    async fn fw_rule_create(
        &self,
        kind: GuestKind,
        node: &NodeName,
        vmid: Vmid,
        rule: &Rule,
    ) -> Result<(), Error> {
        call_unit(self, firewall::rule_create(kind, node, vmid, rule)?).await
    }
    /// `DELETE .../firewall/rules/{pos}` of a guest.
    async fn fw_rule_delete(
        &self,
        kind: GuestKind,
        node: &NodeName,
        vmid: Vmid,
        pos: u64,
    ) -> Result<(), Error> {
        call_unit(self, firewall::rule_delete(kind, node, vmid, pos, None)).await
    }

    /// `PUT /cluster/sdn`: applies the staged SDN configuration; answers the task.
    async fn sdn_apply(&self) -> Result<Upid, Error> {
        call_upid(self, sdn::apply()).await
    }
    /// `GET /cluster/sdn/zones`.
    async fn sdn_zones(&self, v: View) -> Result<Vec<Zone>, Error> {
        call(self, sdn::zones(v)).await
    }
    /// `POST /cluster/sdn/zones`.
    async fn sdn_zone_create(&self, z: &ZoneCreate) -> Result<(), Error> {
        call_unit(self, sdn::zone_create(z)?).await
    }
    /// `DELETE /cluster/sdn/zones/{zone}`.
    async fn sdn_zone_delete(&self, zone: &str) -> Result<(), Error> {
        call_unit(self, sdn::zone_delete(zone)).await
    }
    /// `GET /cluster/sdn/vnets`.
    async fn sdn_vnets(&self, v: View) -> Result<Vec<Vnet>, Error> {
        call(self, sdn::vnets(v)).await
    }
    /// `GET /cluster/sdn/vnets/{vnet}` (the staged configuration, with its digest).
    async fn sdn_vnet(&self, vnet: &str) -> Result<Vnet, Error> {
        call(self, sdn::vnet_get(vnet)).await
    }
    /// `POST /cluster/sdn/vnets`.
    async fn sdn_vnet_create(&self, v: &VnetCreate) -> Result<(), Error> {
        call_unit(self, sdn::vnet_create(v)?).await
    }
    /// `PUT /cluster/sdn/vnets/{vnet}`.
    async fn sdn_vnet_update(&self, vnet: &str, u: &VnetUpdate) -> Result<(), Error> {
        call_unit(self, sdn::vnet_update(vnet, u)?).await
    }
    /// `DELETE /cluster/sdn/vnets/{vnet}`.
    async fn sdn_vnet_delete(&self, vnet: &str) -> Result<(), Error> {
        call_unit(self, sdn::vnet_delete(vnet)).await
    }
    /// `GET /cluster/sdn/vnets/{vnet}/subnets`.
    async fn sdn_subnets(&self, vnet: &str, v: View) -> Result<Vec<Subnet>, Error> {
        call(self, sdn::subnets(vnet, v)).await
    }
    /// `POST /cluster/sdn/vnets/{vnet}/subnets`.
    async fn sdn_subnet_create(&self, vnet: &str, s: &SubnetCreate) -> Result<(), Error> {
        call_unit(self, sdn::subnet_create(vnet, s)?).await
    }
    /// `PUT /cluster/sdn/vnets/{vnet}/subnets/{subnet}`.
    async fn sdn_subnet_update(
        &self,
        vnet: &str,
        subnet: &str,
        u: &SubnetUpdate,
    ) -> Result<(), Error> {
        call_unit(self, sdn::subnet_update(vnet, subnet, u)?).await
    }
    /// `DELETE /cluster/sdn/vnets/{vnet}/subnets/{subnet}`.
    async fn sdn_subnet_delete(&self, vnet: &str, subnet: &str) -> Result<(), Error> {
        call_unit(self, sdn::subnet_delete(vnet, subnet)).await
    }
    /// `POST /cluster/sdn/vnets/{vnet}/ips`.
    async fn sdn_ip_create(&self, vnet: &str, m: &IpMapping) -> Result<(), Error> {
        call_unit(self, sdn::ip_create(vnet, m)?).await
    }
    /// `DELETE /cluster/sdn/vnets/{vnet}/ips`.
    async fn sdn_ip_delete(&self, vnet: &str, m: &IpMapping) -> Result<(), Error> {
        call_unit(self, sdn::ip_delete(vnet, m)?).await
    }
}

#[async_trait]
impl PveApi for PveClient {
    async fn execute(&self, req: &ApiRequest) -> Result<serde_json::Value, Error> {
        self.send(req).await
    }

    async fn execute_raw(&self, req: &ApiRequest) -> Result<Vec<u8>, Error> {
        self.send_raw(req).await
    }
}
