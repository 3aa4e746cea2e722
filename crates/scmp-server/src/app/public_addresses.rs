//! Public addresses: the platform defines pools per site; a project allocates addresses from
//! them within its quota, attaches each to one of its guests at the same site and detaches and
//! releases it. Attaching and detaching are operations on the guest (a routed address becomes a
//! NIC of its own); NAT addresses form the site's 1:1 NAT table, served with an nftables
//! rendering for the site's edge router.

use std::fmt::Write as _;
use std::net::IpAddr;

use scmp_api::{
    NatEntryView, NatTableView, OperationView, Page, PageQuery, PublicAddressAttach,
    PublicAddressCreate, PublicAddressView, PublicPoolCreate, PublicPoolView,
};
use scmp_authz::Action;
use scmp_common::time::from_ms;
use scmp_common::{AuditTarget, Error, OperationKind, PublicAddressId, ResourceKind};
use scmp_store::{
    Family, NatEntry, NewPublicAddress, NewPublicPool, PublicMode, PublicPool, PublicState,
};

use super::guests::changes::Change;
use super::paging;
use crate::context::{AppState, OpContext};

/// The first NIC index of routed addresses (tenant networks' NICs are net0 to net7).
pub const FIRST_ROUTED_NIC: u32 = 8;
/// The most routed addresses a guest has.
pub const MAX_ROUTED: u32 = 8;

fn pool_view(p: PublicPool) -> PublicPoolView {
    let routed = p.mode == PublicMode::Routed;
    PublicPoolView {
        id: p.id,
        site: p.site_id,
        size: p.size(),
        name: p.name,
        cidr: p.cidr.to_string(),
        family: p.family.as_str().into(),
        gateway: p.gateway.map(|g| g.to_string()),
        mode: p.mode.as_str().into(),
        bridge: routed.then_some(p.bridge),
        vlan: (routed && p.vlan > 0).then_some(p.vlan),
        allocated: p.allocated,
        created_at: from_ms(p.created_at),
    }
}

/// A site's NAT table as an nftables ruleset that replaces itself as a whole.
pub fn nftables(entries: &[NatEntry]) -> String {
    let v4: Vec<&NatEntry> = entries
        .iter()
        .filter(|e| e.public.is_ipv4() && e.private.is_ipv4())
        .collect();
    let elements = |pairs: Vec<(IpAddr, IpAddr)>| {
        if pairs.is_empty() {
            return String::new();
        }
        let list: Vec<String> = pairs.iter().map(|(a, b)| format!("{a} : {b}")).collect();
        format!(" elements = {{ {} }};", list.join(", "))
    };
    let mut out = String::new();
    out.push_str("# scmp: the site's 1:1 NAT of public addresses; replaces itself as a whole.\n");
    out.push_str("table ip scmp_nat\ndelete table ip scmp_nat\n");
    out.push_str("table ip scmp_nat {\n");
    let _ = writeln!(
        out,
        "\tmap dnat_v4 {{ type ipv4_addr : ipv4_addr;{} }}",
        elements(v4.iter().map(|e| (e.public, e.private)).collect())
    );
    let _ = writeln!(
        out,
        "\tmap snat_v4 {{ type ipv4_addr : ipv4_addr;{} }}",
        elements(v4.iter().map(|e| (e.private, e.public)).collect())
    );
    out.push_str(
        "\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n\
         \t\tdnat to ip daddr map @dnat_v4\n\t}\n",
    );
    out.push_str(
        "\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\
         \t\tsnat to ip saddr map @snat_v4\n\t}\n",
    );
    out.push_str("}\n");
    out
}

fn parse_ip(field: &str, text: &str) -> Result<IpAddr, Error> {
    text.parse()
        .map_err(|_| Error::invalid(field, format!("'{text}' is not an IP address")))
}

impl AppState {
    /// A site's pools.
    pub async fn public_pool_list(
        &self,
        ctx: &OpContext,
        site: &str,
        q: &PageQuery,
    ) -> Result<Page<PublicPoolView>, Error> {
        let site = self
            .lookup_site(ctx, site, Action::SiteNetworkManage)
            .await?
            .id;
        let found = paging::fill(
            q.page_token.as_deref(),
            q.limit()?,
            |after: Option<String>, n| {
                let store = self.store.clone();
                async move {
                    // A site has a handful of pools: read them all, page by name.
                    let pools = store.public_pool_list(site).await?;
                    Ok(pools
                        .into_iter()
                        .filter(|p| after.as_deref().is_none_or(|a| p.name.as_str() > a))
                        .take(n as usize)
                        .collect::<Vec<_>>())
                }
            },
            |p| p.name.to_string(),
            |batch| vec![true; batch.len()],
        )
        .await?;
        Ok(paging::page(found, pool_view))
    }

    /// Defines a pool at a site.
    pub async fn public_pool_create(
        &self,
        ctx: &OpContext,
        site: &str,
        body: PublicPoolCreate,
    ) -> Result<PublicPoolView, Error> {
        let site = self
            .lookup_site(ctx, site, Action::SiteNetworkManage)
            .await?;
        let cidr = body.cidr.parse().map_err(|_| {
            Error::invalid(
                "cidr",
                format!("'{}' is not a prefix (203.0.113.0/28)", body.cidr),
            )
        })?;
        let new = NewPublicPool {
            site_id: site.id,
            name: body.name,
            cidr,
            gateway: body
                .gateway
                .as_deref()
                .map(|g| parse_ip("gateway", g))
                .transpose()?,
            mode: body.mode.parse()?,
            bridge: body.bridge.unwrap_or_default(),
            vlan: body.vlan.unwrap_or(0),
        };
        let target = AuditTarget::new(ResourceKind::Site, site.id)
            .child(ResourceKind::PublicPool, &new.name);
        let p = self
            .audited(
                ctx,
                "public_pool_create",
                target,
                None,
                self.store.public_pool_create(&new),
            )
            .await?;
        Ok(pool_view(p))
    }

    /// Removes a pool; refused while projects hold addresses of it.
    pub async fn public_pool_delete(&self, ctx: &OpContext, key: &str) -> Result<(), Error> {
        let kind = ResourceKind::PublicPool;
        let not_found = || Error::NotFound {
            kind,
            name: key.to_string(),
        };
        let id = key.parse().map_err(|_| not_found())?;
        let p = match self.store.public_pool_get(id).await {
            Ok(p) => p,
            Err(Error::NotFound { .. }) => return Err(not_found()),
            Err(e) => return Err(e),
        };
        let site = p.site_id.to_string();
        self.lookup_site(ctx, &site, Action::SiteNetworkManage)
            .await?;
        let target = AuditTarget::new(ResourceKind::Site, p.site_id).child(kind, &p.name);
        self.audited(
            ctx,
            "public_pool_delete",
            target,
            None,
            self.store.public_pool_delete(id),
        )
        .await
    }

    /// A site's 1:1 NAT table, for its edge router.
    pub async fn site_nat_table(&self, ctx: &OpContext, site: &str) -> Result<NatTableView, Error> {
        let site = self
            .lookup_site(ctx, site, Action::SiteNetworkManage)
            .await?;
        let entries = self.store.site_nat_table(site.id).await?;
        Ok(NatTableView {
            site: site.id,
            nftables: nftables(&entries),
            entries: entries
                .into_iter()
                .map(|e| NatEntryView {
                    public: e.public.to_string(),
                    private: e.private.to_string(),
                    guest: e.guest,
                })
                .collect(),
        })
    }

    /// A project's public addresses.
    pub async fn public_address_list(
        &self,
        ctx: &OpContext,
        project: &str,
        q: &PageQuery,
    ) -> Result<Page<PublicAddressView>, Error> {
        let project = self
            .lookup_project(ctx, project, Action::NetworkView)
            .await?
            .id;
        let found = paging::fill(
            q.page_token.as_deref(),
            q.limit()?,
            |after: Option<String>, n| {
                let store = self.store.clone();
                async move {
                    let after: Option<PublicAddressId> = after.and_then(|a| a.parse().ok());
                    store.public_address_list(project, after, n).await
                }
            },
            |a| a.id.to_string(),
            |batch| vec![true; batch.len()],
        )
        .await?;
        Ok(paging::page(found, crate::views::public_address))
    }

    /// Allocates a public address for a project at a site, within its quota.
    pub async fn public_address_create(
        &self,
        ctx: &OpContext,
        project: &str,
        body: PublicAddressCreate,
    ) -> Result<PublicAddressView, Error> {
        let p = self
            .lookup_project(ctx, project, Action::NetworkManage)
            .await?;
        let site = match self.store.site_lookup(&body.site).await {
            Ok(site) => site,
            Err(Error::NotFound { .. }) => return Err(Error::invalid("site", "no such site")),
            Err(e) => return Err(e),
        };
        let address = body
            .address
            .as_deref()
            .map(|a| parse_ip("address", a))
            .transpose()?;
        let family: Family = match (&body.family, address) {
            (Some(f), _) => f.parse()?,
            (None, Some(ip)) => Family::of(&ip),
            (None, None) => Family::Ipv4,
        };
        if address.is_some_and(|ip| Family::of(&ip) != family) {
            return Err(Error::invalid(
                "address",
                format!("not an {} address", family.as_str()),
            ));
        }
        let pool_id = match body.pool.as_deref() {
            Some(name) => match self.store.public_pool_by_name(site.id, name).await {
                Ok(pool) => Some(pool.id),
                Err(Error::NotFound { .. }) => {
                    return Err(Error::invalid("pool", "the site has no pool of that name"))
                }
                Err(e) => return Err(e),
            },
            None => None,
        };
        let new = NewPublicAddress {
            tenant_id: p.tenant_id,
            project_id: p.id,
            site_id: site.id,
            family,
            pool_id,
            address,
            description: body.description.unwrap_or_default(),
        };
        let target = AuditTarget::new(ResourceKind::Project, p.id);
        let a = self
            .audited(
                ctx,
                "public_address_create",
                target,
                Some(p.tenant_id),
                self.store.public_address_allocate(&new),
            )
            .await?;
        Ok(crate::views::public_address(a))
    }

    /// One public address.
    pub async fn public_address_view(
        &self,
        ctx: &OpContext,
        key: &str,
    ) -> Result<PublicAddressView, Error> {
        let a = self
            .lookup_public_address(ctx, key, Action::NetworkView)
            .await?;
        Ok(crate::views::public_address(a.into_inner()))
    }

    /// Releases a public address and its quota; refused while it is on a guest.
    pub async fn public_address_delete(&self, ctx: &OpContext, key: &str) -> Result<(), Error> {
        let a = self
            .lookup_public_address(ctx, key, Action::NetworkManage)
            .await?;
        let target = AuditTarget::new(ResourceKind::Project, a.project_id)
            .child(ResourceKind::PublicAddress, a.id);
        self.audited(
            ctx,
            "public_address_delete",
            target,
            Some(a.tenant_id),
            self.store.public_address_release(a.id),
        )
        .await
    }

    /// Attaches a free address to a guest of its project at its site: an operation on the guest.
    pub async fn public_address_attach(
        &self,
        ctx: &OpContext,
        key: &str,
        body: PublicAddressAttach,
        wait: Option<u64>,
    ) -> Result<OperationView, Error> {
        let a = self
            .lookup_public_address(ctx, key, Action::NetworkManage)
            .await?
            .into_inner();
        let g = match self
            .lookup_guest(ctx, &body.guest, Action::GuestOperate)
            .await
        {
            Ok(g) => g.into_inner(),
            Err(Error::NotFound { .. }) => {
                return Err(Error::invalid("guest", "no such guest in the project"))
            }
            Err(e) => return Err(e),
        };
        if g.project_id != a.project_id {
            return Err(Error::invalid(
                "guest",
                "the guest is in another project than the address",
            ));
        }
        if g.site_id != Some(a.pool.site_id) {
            return Err(Error::invalid(
                "guest",
                "the guest is at another site than the address",
            ));
        }
        if a.state != PublicState::Free {
            return Err(Error::Conflict(format!(
                "{} is on guest '{}' already",
                a.address,
                a.guest_name.as_deref().unwrap_or("?")
            )));
        }
        let on_guest = self.store.guest_public_addresses(g.id).await?;
        let nic = match a.pool.mode {
            PublicMode::Nat => {
                let nic = body.nic.unwrap_or(0);
                let nics = self.store.guest_nics(g.id).await?;
                let Some(n) = nics.iter().find(|n| n.index == nic) else {
                    return Err(Error::invalid(
                        "nic",
                        format!("the guest has no NIC net{nic} on a tenant network"),
                    ));
                };
                if !n.address.is_ipv4() {
                    return Err(Error::invalid(
                        "nic",
                        format!("net{nic} has no IPv4 address to NAT to"),
                    ));
                }
                if on_guest.iter().any(|o| o.nic == nic) {
                    return Err(Error::Conflict(format!(
                        "net{nic} of the guest has a public address already"
                    )));
                }
                nic
            }
            PublicMode::Routed => {
                if body.nic.is_some() {
                    return Err(Error::invalid(
                        "nic",
                        "a routed address is a NIC of its own: give no index",
                    ));
                }
                (FIRST_ROUTED_NIC..FIRST_ROUTED_NIC + MAX_ROUTED)
                    .find(|i| on_guest.iter().all(|o| o.nic != *i))
                    .ok_or_else(|| {
                        Error::Conflict(format!(
                            "the guest has {MAX_ROUTED} routed addresses, the most it takes"
                        ))
                    })?
            }
        };
        let change = Change::update(
            OperationKind::AddressAttach,
            serde_json::json!({"address": a.id.to_string(), "nic": nic}),
        );
        self.guest_begin(ctx, &g, change, wait).await
    }

    /// Takes an address off its guest: an operation on the guest.
    pub async fn public_address_detach(
        &self,
        ctx: &OpContext,
        key: &str,
        wait: Option<u64>,
    ) -> Result<OperationView, Error> {
        let a = self
            .lookup_public_address(ctx, key, Action::NetworkManage)
            .await?
            .into_inner();
        let (Some(guest), PublicState::Attached) = (a.guest_id, a.state) else {
            return Err(Error::Conflict(format!(
                "{} is {}, not attached",
                a.address,
                a.state.as_str()
            )));
        };
        let g = self
            .lookup_guest(ctx, &guest.to_string(), Action::GuestOperate)
            .await?
            .into_inner();
        let change = Change::update(
            OperationKind::AddressDetach,
            serde_json::json!({"address": a.id.to_string(), "nic": a.nic}),
        );
        self.guest_begin(ctx, &g, change, wait).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nat_table_renders_both_directions() {
        let e = NatEntry {
            public: "203.0.113.5".parse().unwrap(),
            private: "10.20.0.2".parse().unwrap(),
            guest: "web".into(),
        };
        let text = nftables(&[e]);
        assert!(text.contains("elements = { 203.0.113.5 : 10.20.0.2 }"));
        assert!(text.contains("elements = { 10.20.0.2 : 203.0.113.5 }"));
        let empty = nftables(&[]);
        assert!(!empty.contains("elements"));
    }
}
