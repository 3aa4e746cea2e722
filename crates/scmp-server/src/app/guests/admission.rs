//! Admission of a guest creation: the request checked field by field (the catalog's image and
//! instance type, sizes, tags, cloud-init, network, site) and placement asked whether it fits now,
//! so that what cannot be built is refused at once with the field or the filter at fault. The
//! checks of the request's own text are pure functions (tested below); the admitting transaction
//! follows in `guest_create`.

use scmp_api::{CloudInitSpec, GuestCreate, NetworkSpec, NicSpec};
use scmp_common::{Error, Name};
use scmp_store::{
    CloudInit, CreationInput, Guest, GuestNetwork, NetworkState, NewGuest, NewNic, Project,
};

use crate::context::AppState;
use crate::placement::Placed;

/// A creation that passed every check: the guest to admit, and where placement would put it now.
pub struct CreateChecked {
    /// The guest record to admit.
    pub guest: NewGuest,
    /// Placement's answer now (the saga places for real).
    pub placed: Placed,
    /// What the saga needs of what admission read.
    pub creation: CreationInput,
}

/// The most NICs a guest has on tenant networks.
const MAX_NICS: usize = 8;

impl AppState {
    /// Checks a creation's NICs: networks of the project, ready, all at one site (answered), and
    /// addresses that parse; not together with a bridge and VLAN.
    async fn check_nics(
        &self,
        p: &Project,
        nics: Option<Vec<NicSpec>>,
        bridged: bool,
    ) -> Result<(Vec<NewNic>, Option<String>), Error> {
        let Some(nics) = nics else {
            return Ok((Vec::new(), None));
        };
        if bridged {
            return Err(invalid("nics", "give nics or network, not both"));
        }
        if nics.is_empty() || nics.len() > MAX_NICS {
            return Err(invalid("nics", format!("a guest has 1 to {MAX_NICS} NICs")));
        }
        let mut out = Vec::with_capacity(nics.len());
        let mut at: Option<scmp_common::SiteId> = None;
        for (i, nic) in nics.iter().enumerate() {
            let field = |f: &str| format!("nics[{i}].{f}");
            let n = match self.store.network_by_name(p.id, &nic.network).await {
                Ok(n) => n,
                Err(Error::NotFound { .. }) => {
                    return Err(invalid(field("network"), "no such network in the project"))
                }
                Err(e) => return Err(e),
            };
            if n.state != NetworkState::Ready {
                return Err(invalid(
                    field("network"),
                    format!("network '{}' is {}", n.name, n.state.as_str()),
                ));
            }
            if at.is_some_and(|s| s != n.site_id) {
                return Err(invalid(
                    field("network"),
                    "all of a guest's networks must be at one site",
                ));
            }
            at = Some(n.site_id);
            let address = match &nic.address {
                Some(a) => Some(a.parse::<std::net::IpAddr>().map_err(|_| {
                    invalid(field("address"), format!("'{a}' is not an IP address"))
                })?),
                None => None,
            };
            if out.iter().any(|o: &NewNic| o.network_id == n.id) {
                return Err(invalid(field("network"), "one NIC per network"));
            }
            out.push(NewNic {
                network_id: n.id,
                address,
            });
        }
        let site = match at {
            Some(id) => Some(
                self.store
                    .site_lookup(&id.to_string())
                    .await?
                    .name
                    .to_string(),
            ),
            None => None,
        };
        Ok((out, site))
    }

    /// Checks a creation in project `p`; refuses with the field at fault, or with placement's reason.
    pub(crate) async fn check_create(
        &self,
        p: &Project,
        body: GuestCreate,
    ) -> Result<CreateChecked, Error> {
        let s = self;
        let guest_name = body.name;
        let image = match s.store.image_lookup(&body.image).await {
            Ok(i) => i,
            Err(Error::NotFound { .. }) => {
                return Err(invalid("image", "no such image in the catalog"))
            }
            Err(e) => return Err(e),
        };
        if image.kind != body.kind {
            return Err(invalid(
                "image",
                format!(
                    "image '{}' is a {} image, not {}",
                    image.name, image.kind, body.kind
                ),
            ));
        }
        let (mut vcpus, mut memory_mib, mut disk_gib) =
            (body.vcpus, body.memory_mib, body.disk_gib);
        if let Some(t) = &body.instance_type {
            let t = match s.store.instance_type_lookup(t).await {
                Ok(t) => t,
                Err(Error::NotFound { .. }) => {
                    return Err(invalid("instance_type", "no such instance type"))
                }
                Err(e) => return Err(e),
            };
            vcpus = vcpus.or(Some(t.vcpus));
            memory_mib = memory_mib.or(Some(t.memory_mib));
            disk_gib = disk_gib.or(Some(t.disk_gib));
        }
        let missing = |f: &str| invalid(f, "give an instance_type or this size");
        let (vcpus, memory_mib, disk_gib) = check_sizes(
            vcpus.ok_or_else(|| missing("vcpus"))?,
            memory_mib.ok_or_else(|| missing("memory_mib"))?,
            disk_gib.ok_or_else(|| missing("disk_gib"))?,
        )?;
        let tags = check_tags(body.tags.unwrap_or_default())?;
        let cloud_init = check_cloud_init(body.cloud_init.unwrap_or_default())?;
        let bridged = body.network.is_some();
        let network = check_network(body.network.unwrap_or_default())?;
        let mut site = match &body.site {
            Some(key) => match s.store.site_lookup(key).await {
                Ok(site) => Some(site.name.to_string()),
                Err(Error::NotFound { .. }) => return Err(invalid("site", "no such site")),
                Err(e) => return Err(e),
            },
            None => None,
        };
        let (nics, nic_site) = s.check_nics(p, body.nics, bridged).await?;
        if let Some(at) = nic_site {
            if site.as_ref().is_some_and(|want| *want != at) {
                return Err(invalid(
                    "site",
                    format!("the guest's networks are at site {at}"),
                ));
            }
            site = Some(at);
        }
        let nic_site_id = match &site {
            Some(name) if !nics.is_empty() => Some(s.store.site_lookup(name).await?.id),
            _ => None,
        };
        let security_groups = s
            .check_security_groups(
                p,
                &body.security_groups.unwrap_or_default(),
                nic_site_id,
                "security_groups",
            )
            .await?;
        let anti_affinity = match body.anti_affinity_group {
            Some(g) => name("anti_affinity_group", &g)?.to_string(),
            None => String::new(),
        };
        // Refuse now, with the reason, what placement cannot place (the saga places for real).
        let tenant = s.store.tenant_get(p.tenant_id).await?;
        let req = scmp_placement::Request {
            vcpus,
            memory_mib,
            image: Some(image.id.to_string()),
            site: site.clone(),
            countries: tenant.countries.iter().map(|c| c.to_string()).collect(),
            anti_affinity: (!anti_affinity.is_empty()).then(|| format!("{}/{anti_affinity}", p.id)),
            network: crate::placement::network(&network),
            ..Default::default()
        };
        let fits = s.placer.place(&s.store, &req, false).await?;
        let placed = match fits {
            Ok(placed) => placed,
            Err(refusal) => {
                return Err(Error::Refused(format!("cannot place the guest: {refusal}")))
            }
        };
        let guest = NewGuest {
            nics,
            security_groups,
            project_id: p.id,
            tenant_id: p.tenant_id,
            name: guest_name,
            kind: body.kind,
            image_id: image.id,
            vcpus,
            memory_mib,
            disk_gib,
            site,
            ha: body.ha.unwrap_or(false),
            tags,
            cloud_init,
            network,
            anti_affinity,
            lease: None,
        };
        let creation = CreationInput {
            tenant_name: tenant.name.to_string(),
            countries: tenant.countries.clone(),
            image_name: image.name.to_string(),
            template: image.template.clone(),
            template_kind: image.kind,
        };
        Ok(CreateChecked {
            guest,
            placed,
            creation,
        })
    }
}

/// A resize keeps or grows the disk: Proxmox cannot shrink one.
pub fn check_disk_grows(g: &Guest, disk_gib: u64) -> Result<(), Error> {
    if disk_gib < g.disk_gib {
        Err(invalid(
            "disk_gib",
            format!("disks only grow: the guest has {} GiB", g.disk_gib),
        ))
    } else {
        Ok(())
    }
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> Error {
    Error::InvalidValue {
        field: field.into(),
        message: message.into(),
    }
}

fn name(field: &str, value: &str) -> Result<Name, Error> {
    Name::new(value).map_err(|e| invalid(field, e.to_string()))
}

/// The user's tags: at most 16, Proxmox tag characters, and none that looks like scmp's own marks.
fn check_tags(tags: Vec<String>) -> Result<Vec<String>, Error> {
    if tags.len() > 16 {
        return Err(invalid("tags", "at most 16 tags"));
    }
    for (i, t) in tags.iter().enumerate() {
        if !scmp_agent::identity::is_valid_tag(t)
            || t.starts_with("scmp")
            || t.starts_with("tenant-")
        {
            return Err(invalid(
                format!("tags[{i}]"),
                "must be lower case letters, digits, _ - + . (and not start with scmp or tenant-)",
            ));
        }
    }
    Ok(tags)
}

/// A guest's (or an instance type's) sizes, each within what scmp creates: 1 to 128 vCPUs, 64 MiB to
/// 4 TiB of memory, 1 to 65,536 GiB of disk.
pub fn check_sizes(vcpus: u64, memory_mib: u64, disk_gib: u64) -> Result<(u64, u64, u64), Error> {
    for (field, v, lo, hi) in [
        ("vcpus", vcpus, 1, 128),
        ("memory_mib", memory_mib, 64, 4 << 20),
        ("disk_gib", disk_gib, 1, 65_536),
    ] {
        if !(lo..=hi).contains(&v) {
            return Err(invalid(field, format!("must be between {lo} and {hi}")));
        }
    }
    Ok((vcpus, memory_mib, disk_gib))
}

fn check_network(n: NetworkSpec) -> Result<GuestNetwork, Error> {
    if let Some(b) = &n.bridge {
        let ok = (1..=15).contains(&b.len())
            && b.starts_with(|c: char| c.is_ascii_lowercase())
            && b.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
        if !ok {
            return Err(invalid(
                "network.bridge",
                "must be a bridge name (up to 15 lower case letters, digits, _ and ., like vmbr0)",
            ));
        }
    }
    if n.vlan.is_some_and(|v| !(1..=4094).contains(&v)) {
        return Err(invalid("network.vlan", "must be between 1 and 4094"));
    }
    Ok(GuestNetwork {
        bridge: n.bridge,
        vlan: n.vlan,
    })
}

fn check_cloud_init(ci: CloudInitSpec) -> Result<CloudInit, Error> {
    if let Some(u) = &ci.user {
        let ok = u.len() <= 32
            && u.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && u.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !ok {
            return Err(invalid(
                "cloud_init.user",
                "must be a Linux user name (lower case letters, digits, _ and -)",
            ));
        }
    }
    if ci.ssh_keys.len() > 32 {
        return Err(invalid("cloud_init.ssh_keys", "at most 32 keys"));
    }
    for (i, k) in ci.ssh_keys.iter().enumerate() {
        let mut parts = k.split_whitespace();
        let kind_ok = parts.next().is_some_and(|t| {
            t.starts_with("ssh-") || t.starts_with("ecdsa-") || t.starts_with("sk-")
        });
        let body_ok = parts.next().is_some_and(|b| {
            b.len() >= 16
                && b.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"+/=".contains(&c))
        });
        if !kind_ok || !body_ok || k.len() > 8192 || k.contains(char::is_control) {
            return Err(invalid(
                format!("cloud_init.ssh_keys[{i}]"),
                "must be an OpenSSH public key (ssh-ed25519 AAAA... comment)",
            ));
        }
    }
    if let Some(ip) = &ci.ip_config {
        if !ip_config_ok(ip) {
            return Err(invalid(
                "cloud_init.ip_config",
                "must be ip=dhcp or ip=ADDRESS/PREFIX[,gw=ADDRESS]",
            ));
        }
    }
    Ok(CloudInit {
        user: ci.user,
        ssh_keys: ci.ssh_keys,
        ip_config: ci.ip_config,
    })
}

fn ip_config_ok(s: &str) -> bool {
    if s == "ip=dhcp" {
        return true;
    }
    let mut parts = s.split(',');
    let ip_ok = parts
        .next()
        .and_then(|p| p.strip_prefix("ip="))
        .and_then(|cidr| cidr.split_once('/'))
        .is_some_and(|(a, len)| {
            a.parse::<std::net::Ipv4Addr>().is_ok() && len.parse::<u8>().is_ok_and(|l| l <= 32)
        });
    let rest_ok = parts.all(|p| {
        p.strip_prefix("gw=")
            .is_some_and(|g| g.parse::<std::net::Ipv4Addr>().is_ok())
    });
    ip_ok && rest_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(e: Error) -> String {
        match e {
            Error::InvalidValue { field, .. } => field,
            other => panic!("not a field error: {other}"),
        }
    }

    #[test]
    fn sizes_stay_within_what_scmp_creates() {
        assert_eq!(check_sizes(1, 64, 1).unwrap(), (1, 64, 1));
        assert_eq!(
            check_sizes(128, 4 << 20, 65_536).unwrap(),
            (128, 4 << 20, 65_536)
        );
        assert_eq!(field_of(check_sizes(0, 1024, 10).unwrap_err()), "vcpus");
        assert_eq!(field_of(check_sizes(129, 1024, 10).unwrap_err()), "vcpus");
        assert_eq!(field_of(check_sizes(1, 63, 10).unwrap_err()), "memory_mib");
        assert_eq!(field_of(check_sizes(1, 1024, 0).unwrap_err()), "disk_gib");
        assert_eq!(
            field_of(check_sizes(1, 1024, 65_537).unwrap_err()),
            "disk_gib"
        );
    }

    #[test]
    fn tags_are_proxmox_tags_and_not_scmps_own() {
        assert!(check_tags(vec!["web".into(), "tier-1".into(), "a.b+c_d".into()]).is_ok());
        assert_eq!(
            field_of(check_tags(vec!["ok".into(), "Bad".into()]).unwrap_err()),
            "tags[1]"
        );
        assert_eq!(
            field_of(check_tags(vec!["scmp-guest".into()]).unwrap_err()),
            "tags[0]"
        );
        assert_eq!(
            field_of(check_tags(vec!["tenant-acme".into()]).unwrap_err()),
            "tags[0]"
        );
        assert_eq!(
            field_of(check_tags(vec!["t".into(); 17]).unwrap_err()),
            "tags"
        );
    }

    #[test]
    fn networks_name_a_bridge_and_a_vlan_in_range() {
        let net = |bridge: Option<&str>, vlan: Option<u16>| NetworkSpec {
            bridge: bridge.map(str::to_string),
            vlan,
        };
        assert!(check_network(net(None, None)).is_ok());
        assert!(check_network(net(Some("vmbr0"), Some(4094))).is_ok());
        assert_eq!(
            field_of(check_network(net(Some("VMBR0"), None)).unwrap_err()),
            "network.bridge"
        );
        assert_eq!(
            field_of(check_network(net(Some("averyverylongbridge"), None)).unwrap_err()),
            "network.bridge"
        );
        assert_eq!(
            field_of(check_network(net(None, Some(0))).unwrap_err()),
            "network.vlan"
        );
        assert_eq!(
            field_of(check_network(net(None, Some(4095))).unwrap_err()),
            "network.vlan"
        );
    }

    #[test]
    fn cloud_init_takes_users_keys_and_addresses_proxmox_can_write() {
        let ci = |user: Option<&str>, keys: &[&str], ip: Option<&str>| CloudInitSpec {
            user: user.map(str::to_string),
            ssh_keys: keys.iter().map(|k| k.to_string()).collect(),
            ip_config: ip.map(str::to_string),
        };
        let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me@host";
        assert!(check_cloud_init(ci(
            Some("debian"),
            &[key],
            Some("ip=10.0.0.5/24,gw=10.0.0.1")
        ))
        .is_ok());
        assert!(check_cloud_init(ci(None, &[], Some("ip=dhcp"))).is_ok());
        assert_eq!(
            field_of(check_cloud_init(ci(Some("Root"), &[], None)).unwrap_err()),
            "cloud_init.user"
        );
        assert_eq!(
            field_of(check_cloud_init(ci(None, &[key, "rsa AAAA"], None)).unwrap_err()),
            "cloud_init.ssh_keys[1]"
        );
        assert_eq!(
            field_of(
                check_cloud_init(ci(None, &[&format!("{key}\nssh-rsa x")], None)).unwrap_err()
            ),
            "cloud_init.ssh_keys[0]"
        );
        for bad in [
            "ip=10.0.0.5",
            "ip=10.0.0.5/33",
            "ip=dhcp,gw=x",
            "ip=::1/64",
            "dhcp",
        ] {
            assert_eq!(
                field_of(check_cloud_init(ci(None, &[], Some(bad))).unwrap_err()),
                "cloud_init.ip_config",
                "{bad}"
            );
        }
    }
}
