//! The states and choices of clusters, guest events and audit entries, as stored and as the API
//! shows them.

use crate::text_enum::text_enum;

text_enum! {
    /// A cluster's health as inventory sync last saw it.
    ClusterState {
        /// Not synced yet.
        Unknown => "unknown",
        /// Every node up, quorate, everything read.
        Online => "online",
        /// Reached, but a node is down, quorum is lost or a section could not be read.
        Degraded => "degraded",
        /// Could not be reached.
        Unreachable => "unreachable",
    }
}

impl ClusterState {
    /// Whether guests may be placed on the cluster.
    pub fn accepts_guests(self) -> bool {
        matches!(self, ClusterState::Online | ClusterState::Degraded)
    }
}

text_enum! {
    /// What inventory sync does about drift on a cluster.
    DriftAction {
        /// Record it on the guest and say so.
        Report => "report",
        /// Start, stop and re-size guests back to scmp's record.
        Repair => "repair",
    }
}

text_enum! {
    /// What happened to a guest outside its own operations.
    GuestEventKind {
        /// Proxmox differs from scmp's record.
        Drift => "drift",
        /// Proxmox agrees with scmp's record again.
        InSync => "in_sync",
        /// Drift was repaired.
        Repaired => "repaired",
        /// A guest created by an unfinished operation was found and taken in.
        Adopted => "adopted",
        /// The guest moved to another host (Proxmox HA or an operator).
        Moved => "moved",
        /// What the guest's site saw happen to it while the site was cut off from the centre.
        SeenAtSite => "seen_at_site",
        /// A compliance scan found the guest violating a policy.
        PolicyViolation => "policy_violation",
        /// A compliance scan found the guest no longer violating a policy.
        PolicyResolved => "policy_resolved",
        /// The guest's lease ends soon.
        LeaseWarning => "lease_warning",
        /// The guest's lease was extended.
        LeaseExtended => "lease_extended",
        /// The guest's lease ended: it was stopped.
        LeaseEnded => "lease_ended",
        /// Its host failed; the guest is down.
        Down => "down",
        /// Its HA state changed (fence, recovery, started, error, ...).
        HaState => "ha_state",
        /// Back after its host failed: recovered by HA on another host, or its host returned.
        Recovered => "recovered",
        /// A backup of it was written.
        BackedUp => "backed_up",
        /// A backup of it failed.
        BackupFailed => "backup_failed",
        /// It was restored from a backup.
        Restored => "restored",
    }
}

text_enum! {
    /// Which of a request's two audit entries this is.
    AuditPhase {
        /// Written before the request acts.
        Begin => "begin",
        /// Written after it acted.
        End => "end",
    }
}

text_enum! {
    /// How a request recorded in the audit log ended.
    AuditResult {
        /// Not ended yet (a `begin` entry).
        Pending => "pending",
        /// It succeeded.
        Ok => "ok",
        /// It failed.
        Error => "error",
    }
}

text_enum! {
    /// How the actor of an audit entry authenticated.
    AuthMethod {
        /// An API token.
        Token => "token",
        /// A login session.
        Session => "session",
        /// A user name and scmp's own password (a login).
        Password => "password",
        /// A user name and password checked by a realm's directory (LDAP, Active Directory).
        Directory => "directory",
        /// A single sign-on through a realm's OpenID provider.
        Openid => "openid",
        /// The platform, acting for the request that started a workflow.
        Workflow => "workflow",
        /// A site agent's join token (its enrollment).
        JoinToken => "join_token",
        /// A site agent's enrolled key (a certificate request signed with it).
        AgentKey => "agent_key",
        /// A site's break-glass credential, at the site's own API while it was cut off.
        BreakGlass => "break_glass",
        /// A request signed with a shared secret (a ticketing system's callback).
        Signature => "signature",
    }
}

text_enum! {
    /// Whether the audit hash chain holds.
    ChainState {
        /// Every entry and checkpoint checked out.
        Intact => "intact",
        /// An entry or checkpoint does not match.
        Broken => "broken",
    }
}

text_enum! {
    /// Which traffic a security group rule lets through.
    Direction {
        /// To the group's guests.
        In => "in",
        /// From the group's guests.
        Out => "out",
    }
}

text_enum! {
    /// The protocol a security group rule matches.
    Protocol {
        /// Any protocol.
        Any => "any",
        /// TCP.
        Tcp => "tcp",
        /// UDP.
        Udp => "udp",
        /// ICMP (IPv4).
        Icmp => "icmp",
        /// ICMPv6.
        Icmpv6 => "icmpv6",
    }
}

impl Protocol {
    /// Its name on Proxmox (none for any).
    pub fn pve(self) -> Option<&'static str> {
        (self != Protocol::Any).then(|| self.as_str())
    }

    /// Whether its rules may name ports.
    pub fn has_ports(self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Udp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_and_text_agree() {
        fn check<T: serde::Serialize + std::str::FromStr + PartialEq + std::fmt::Debug>(
            all: &[T],
            text: impl Fn(&T) -> &'static str,
        ) where
            T::Err: std::fmt::Debug,
        {
            for v in all {
                assert_eq!(serde_json::to_value(v).unwrap(), text(v));
                assert_eq!(&text(v).parse::<T>().unwrap(), v);
            }
        }
        check(ClusterState::ALL, |v| v.as_str());
        check(DriftAction::ALL, |v| v.as_str());
        check(GuestEventKind::ALL, |v| v.as_str());
        check(AuditPhase::ALL, |v| v.as_str());
        check(AuditResult::ALL, |v| v.as_str());
        check(AuthMethod::ALL, |v| v.as_str());
        check(ChainState::ALL, |v| v.as_str());
        check(Direction::ALL, |v| v.as_str());
        check(Protocol::ALL, |v| v.as_str());
    }
}
