//! The steps sagas are made of, by name.

/// One step of a saga.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Choose cluster and host.
    Place,
    /// Reserve a VMID in our store.
    ReserveVmid,
    /// Make sure the tenant's pool exists.
    Pool,
    /// Clone the image's template.
    Clone,
    /// Sizes, identity, cloud-init, disk.
    Configure,
    /// Proxmox HA.
    Ha,
    /// Start it.
    Start,
    /// Mark it running.
    Created,
    /// Stop, un-HA and destroy it on Proxmox.
    Destroy,
    /// Release its quota and forget it.
    Remove,
    /// Start.
    PowerStart,
    /// Hard stop.
    PowerStop,
    /// Clean shutdown.
    PowerShutdown,
    /// Reboot.
    PowerReboot,
    /// New sizes on Proxmox.
    Resize,
    /// Move to another host of the cluster.
    Migrate,
    /// Take a snapshot.
    SnapshotCreate,
    /// Roll back.
    SnapshotRollback,
    /// Remove a snapshot.
    SnapshotDelete,
    /// Record the guest's resulting state.
    Settle,
    /// Make a network on its site's clusters.
    NetworkApply,
    /// Mark a network ready.
    NetworkReady,
    /// Remove a network from its site's clusters.
    NetworkTeardown,
    /// Forget a network and give back its quota.
    NetworkForget,
    /// Bind a public address to the guest.
    AddressBind,
    /// Put the address on the guest (a routed one as a NIC).
    AddressUp,
    /// Take the address off the guest.
    AddressDown,
    /// Free the address.
    AddressUnbind,
    /// Make a security group's project's groups so on its site's clusters.
    GroupApply,
    /// Mark a security group ready.
    GroupReady,
    /// Take a security group off its site's clusters.
    GroupTeardown,
    /// Forget a security group.
    GroupForget,
    /// Make the guest's firewall apply its security groups.
    Firewall,
    /// Take the guest out of its security groups.
    FirewallLeave,
    /// Back the guest up.
    Backup,
    /// Delete one of its backups.
    BackupDelete,
    /// Back the guest up as it is, before a restore.
    PreRestore,
    /// Stop the guest for a restore.
    RestoreStop,
    /// Restore the guest in place from the backup.
    Restore,
    /// Start the guest again when it ran before the restore.
    RestoreStart,
}

impl Step {
    /// The step's name (in errors and logs).
    pub fn name(self) -> &'static str {
        match self {
            Step::Place => "place",
            Step::ReserveVmid => "reserve_vmid",
            Step::Pool => "pool",
            Step::Clone => "clone",
            Step::Configure => "configure",
            Step::Ha => "ha",
            Step::Start => "start",
            Step::Created => "created",
            Step::Destroy => "destroy",
            Step::Remove => "remove",
            Step::PowerStart => "power_start",
            Step::PowerStop => "power_stop",
            Step::PowerShutdown => "power_shutdown",
            Step::PowerReboot => "power_reboot",
            Step::Resize => "resize",
            Step::Migrate => "migrate",
            Step::SnapshotCreate => "snapshot_create",
            Step::SnapshotRollback => "snapshot_rollback",
            Step::SnapshotDelete => "snapshot_delete",
            Step::Settle => "settle",
            Step::NetworkApply => "network_apply",
            Step::NetworkReady => "network_ready",
            Step::NetworkTeardown => "network_teardown",
            Step::NetworkForget => "network_forget",
            Step::AddressBind => "address_bind",
            Step::AddressUp => "address_up",
            Step::AddressDown => "address_down",
            Step::AddressUnbind => "address_unbind",
            Step::GroupApply => "group_apply",
            Step::GroupReady => "group_ready",
            Step::GroupTeardown => "group_teardown",
            Step::GroupForget => "group_forget",
            Step::Firewall => "firewall",
            Step::FirewallLeave => "firewall_leave",
            Step::Backup => "backup",
            Step::BackupDelete => "backup_delete",
            Step::PreRestore => "pre_restore",
            Step::RestoreStop => "restore_stop",
            Step::Restore => "restore",
            Step::RestoreStart => "restore_start",
        }
    }

    /// Whether the saga records its progress after this step. Place and reserve_vmid keep their
    /// result in the guest's record and pool and HA find their work done, so a resumed saga that
    /// repeats them loses nothing.
    pub fn records_progress(self) -> bool {
        !matches!(
            self,
            Step::Place | Step::ReserveVmid | Step::Pool | Step::Ha | Step::Start
        )
    }
}
