//! What a running guest reports about itself: a VM through its QEMU guest agent, a container
//! through its interfaces.

use super::super::Request;
use crate::error::ApiError;
use crate::model::{Cluster, Guest, RunState};
use pve_types::api::guest::GuestKind;
use serde_json::{json, Value};

/// The address a guest is given, with its prefix length: its static one (`ip=10.0.0.5/24,...`),
/// or one the site's DHCP server would hand out, the same for the same VMID.
fn guest_address(ip: Option<&str>, vmid: u32) -> (String, u8) {
    let configured = ip
        .filter(|ip| *ip != "dhcp")
        .and_then(|ip| ip.split_once('/'))
        .and_then(|(addr, len)| Some((addr.to_string(), len.parse().ok()?)));
    configured.unwrap_or_else(|| {
        (
            format!("10.20.{}.{}", (vmid / 253) % 256, vmid % 253 + 1),
            16,
        )
    })
}

fn running_guest<'a>(c: &'a Cluster, r: &Request, kind: GuestKind) -> Result<&'a Guest, ApiError> {
    let vmid = r.vmid();
    let g = match c.guests.get(&vmid) {
        Some(g) if g.kind == kind && g.node == r.node() => g,
        _ => return Err(ApiError::no_config(kind, r.node(), vmid)),
    };
    if g.state != RunState::Running {
        return Err(ApiError::fail(format!(
            "{} {vmid} is not running",
            g.type_word()
        )));
    }
    Ok(g)
}

/// `GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces`: what the VM's guest agent reports
/// (it must be configured, `agent: 1`, and the VM running).
pub fn agent_interfaces(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = running_guest(c, r, GuestKind::Qemu)?;
    if !g
        .config
        .get("agent")
        .is_some_and(|a| a.starts_with('1') || a.contains("enabled=1"))
    {
        return Err(ApiError::fail("No QEMU guest agent configured"));
    }
    let ip = g
        .config
        .get("ipconfig0")
        .and_then(|c| c.split(',').find_map(|kv| kv.strip_prefix("ip=")));
    let (addr, prefix) = guest_address(ip, g.vmid);
    let mac = g
        .config
        .get("net0")
        .and_then(|n| n.parse::<pve_types::api::guest_props::QemuNet>().ok())
        .and_then(|n| n.macaddr)
        .unwrap_or_default();
    Ok(json!({"result": [
        {"name": "lo", "hardware-address": "00:00:00:00:00:00", "ip-addresses": [
            {"ip-address": "127.0.0.1", "ip-address-type": "ipv4", "prefix": 8},
            {"ip-address": "::1", "ip-address-type": "ipv6", "prefix": 128}]},
        {"name": "eth0", "hardware-address": mac.to_lowercase(), "ip-addresses": [
            {"ip-address": addr, "ip-address-type": "ipv4", "prefix": prefix}]},
    ]}))
}

/// `GET /nodes/{node}/lxc/{vmid}/interfaces`: a running container's interfaces.
pub fn lxc_interfaces(c: &mut Cluster, r: &Request) -> Result<Value, ApiError> {
    let g = running_guest(c, r, GuestKind::Lxc)?;
    let net = g
        .config
        .get("net0")
        .and_then(|n| n.parse::<pve_types::api::guest_props::LxcNet>().ok());
    let ip = net.as_ref().and_then(|n| n.ip.as_deref());
    let hwaddr = net
        .as_ref()
        .and_then(|n| n.hwaddr.clone())
        .unwrap_or_default();
    let (addr, prefix) = guest_address(ip, g.vmid);
    let hwaddr = hwaddr.to_lowercase();
    Ok(json!([
        {"name": "lo", "hwaddr": "00:00:00:00:00:00", "hardware-address": "00:00:00:00:00:00",
         "inet": "127.0.0.1/8", "inet6": "::1/128", "ip-addresses": [
            {"ip-address": "127.0.0.1", "ip-address-type": "inet", "prefix": 8},
            {"ip-address": "::1", "ip-address-type": "inet6", "prefix": 128}]},
        {"name": "eth0", "hwaddr": hwaddr, "hardware-address": hwaddr, "inet": format!("{addr}/{prefix}"),
         "ip-addresses": [{"ip-address": addr, "ip-address-type": "inet", "prefix": prefix}]},
    ]))
}
