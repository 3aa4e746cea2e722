//! Where a guest's console is in Proxmox VE's web interface: noVNC for a VM, xterm.js for a
//! container, as the interface itself links them (`?console=kvm&novnc=1&vmid=..&node=..`).

use scmp_api::ConsoleView;
use scmp_common::{GuestId, GuestKind};

/// The console of the guest `vmid` on `node` of the cluster whose API is at `endpoint`.
pub fn console(
    endpoint: &str,
    guest_id: GuestId,
    kind: GuestKind,
    node: &str,
    vmid: u32,
) -> ConsoleView {
    let (console, protocol) = match kind {
        GuestKind::Vm => ("kvm", "novnc"),
        GuestKind::Ct => ("lxc", "xtermjs"),
    };
    let base = endpoint.trim_end_matches('/');
    let base = base.strip_suffix("/api2/json").unwrap_or(base);
    let node_q: String = url::form_urlencoded::byte_serialize(node.as_bytes()).collect();
    ConsoleView {
        guest_id,
        node: node.to_string(),
        vmid,
        protocol: protocol.to_string(),
        url: format!("{base}/?console={console}&{protocol}=1&vmid={vmid}&node={node_q}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vm_gets_novnc_and_a_container_xterm() {
        let g = GuestId::new();
        let v = console("https://pve.example:8006/", g, GuestKind::Vm, "pve1", 101);
        assert_eq!(
            v.url,
            "https://pve.example:8006/?console=kvm&novnc=1&vmid=101&node=pve1"
        );
        let c = console("https://pve.example:8006", g, GuestKind::Ct, "pve 2", 102);
        assert_eq!(c.protocol, "xtermjs");
        assert!(
            c.url.ends_with("console=lxc&xtermjs=1&vmid=102&node=pve+2"),
            "{}",
            c.url
        );
    }
}
