//! The states and kinds of guests and operations, as stored and as the API shows them.

use crate::text_enum::text_enum;

text_enum! {
    /// A virtual machine or a container.
    GuestKind {
        /// A QEMU/KVM virtual machine.
        Vm => "vm",
        /// An LXC container.
        Ct => "ct",
    }
}

text_enum! {
    /// Where a guest is in its life.
    GuestState {
        /// Being created.
        Creating => "creating",
        /// Running.
        Running => "running",
        /// Stopped.
        Stopped => "stopped",
        /// A change (power, resize, snapshot) is under way.
        Updating => "updating",
        /// Being decommissioned.
        Deleting => "deleting",
        /// Creation failed and was undone; holds no quota.
        Failed => "failed",
        /// Gone from Proxmox without scmp deleting it.
        Missing => "missing",
        /// Its host failed: Proxmox cannot run it there (HA may be recovering it elsewhere).
        Down => "down",
    }
}

text_enum! {
    /// What an operation does.
    OperationKind {
        /// Create a guest.
        GuestCreate => "guest_create",
        /// Decommission a guest.
        GuestDelete => "guest_delete",
        /// Start a guest.
        GuestStart => "guest_start",
        /// Power a guest off.
        GuestStop => "guest_stop",
        /// Shut a guest down cleanly.
        GuestShutdown => "guest_shutdown",
        /// Reboot a guest.
        GuestReboot => "guest_reboot",
        /// Resize a guest.
        GuestResize => "guest_resize",
        /// Move a guest to another host of its cluster.
        GuestMigrate => "guest_migrate",
        /// Take a snapshot.
        SnapshotCreate => "snapshot_create",
        /// Roll back to a snapshot.
        SnapshotRollback => "snapshot_rollback",
        /// Delete a snapshot.
        SnapshotDelete => "snapshot_delete",
        /// Make a tenant network on its site's clusters.
        NetworkCreate => "network_create",
        /// Remove a tenant network from its site's clusters.
        NetworkDelete => "network_delete",
        /// Change a tenant network's subnets on its site's clusters.
        NetworkUpdate => "network_update",
        /// Attach a public address to a guest.
        AddressAttach => "address_attach",
        /// Detach a public address from a guest.
        AddressDetach => "address_detach",
        /// Make a security group's rules and members so on its site's clusters.
        SecurityGroupApply => "security_group_apply",
        /// Remove a security group from its site's clusters.
        SecurityGroupDelete => "security_group_delete",
        /// Change which security groups a guest is in.
        GuestFirewall => "guest_firewall",
        /// Back a guest up now.
        GuestBackup => "guest_backup",
        /// Delete one of a guest's backups.
        BackupDelete => "backup_delete",
        /// Restore a guest from one of its backups, in place (a backup taken first).
        GuestRestore => "guest_restore",
    }
}

impl OperationKind {
    /// Whether the operation acts on a tenant network.
    pub fn on_network(self) -> bool {
        matches!(
            self,
            OperationKind::NetworkCreate
                | OperationKind::NetworkDelete
                | OperationKind::NetworkUpdate
        )
    }

    /// Whether the operation acts on a security group.
    pub fn on_security_group(self) -> bool {
        matches!(
            self,
            OperationKind::SecurityGroupApply | OperationKind::SecurityGroupDelete
        )
    }
}

text_enum! {
    /// Where an operation is.
    OperationState {
        /// Accepted, not started.
        Pending => "pending",
        /// Held until its approvers approve (its quota reserved), or rejected at its deadline.
        AwaitingApproval => "awaiting_approval",
        /// Under way (or being undone after a failure).
        Running => "running",
        /// Done.
        Succeeded => "succeeded",
        /// Failed; its effects were undone.
        Failed => "failed",
        /// Cancelled by a user; its effects were undone.
        Cancelled => "cancelled",
    }
}

text_enum! {
    /// Where an approval of a held operation is.
    ApprovalState {
        /// Waiting for decisions.
        Pending => "pending",
        /// Approved: the operation runs.
        Approved => "approved",
        /// Rejected by an approver.
        Rejected => "rejected",
        /// Its deadline passed.
        Expired => "expired",
        /// Its operation was cancelled.
        Cancelled => "cancelled",
    }
}

impl OperationState {
    /// Whether the operation has ended.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            OperationState::Succeeded | OperationState::Failed | OperationState::Cancelled
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_and_text_agree() {
        for s in GuestState::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for k in OperationKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        for k in OperationState::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        for k in GuestKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }

    #[test]
    fn text_round_trips() {
        for s in GuestState::ALL {
            assert_eq!(s.as_str().parse::<GuestState>().unwrap(), *s);
        }
        for k in OperationKind::ALL {
            assert_eq!(k.as_str().parse::<OperationKind>().unwrap(), *k);
        }
        assert!("bogus".parse::<GuestKind>().is_err());
    }
}
