//! Tenant networks: a project's network at a site, checked at the edge (prefixes, gateways,
//! DHCP ranges as Proxmox VE would take them), admitted within the project's network quota with
//! its tag from the site's pool, and made or removed on the site's clusters by a saga. A network
//! with guests on it is not deleted. The platform sets how each site realises them.

use std::net::IpAddr;

use ipnet::IpNet;
use scmp_api::{
    NetworkCreate, NetworkUpdate, NetworkView, OperationView, Page, PageQuery, SiteNetworkingBody,
    SubnetCreate, SubnetView,
};
use scmp_authz::Action;
use scmp_common::time::from_ms;
use scmp_common::{AuditTarget, Error, OperationKind, ResourceKind};
use scmp_store::{NewNetwork, NewOperation, NewSubnet, SiteNetworking};

use super::paging;
use crate::context::{AppState, OpContext};

/// The most subnets a network has.
const MAX_SUBNETS: usize = 8;

fn field(i: usize, name: &str) -> String {
    format!("subnets[{i}].{name}")
}

fn address(i: usize, name: &str, text: &str, net: &IpNet) -> Result<IpAddr, Error> {
    let ip: IpAddr = text
        .parse()
        .map_err(|_| Error::invalid(field(i, name), format!("'{text}' is not an IP address")))?;
    if !net.contains(&ip) {
        return Err(Error::invalid(
            field(i, name),
            format!("{ip} is not in {net}"),
        ));
    }
    if ip == net.network() || (net.addr().is_ipv4() && ip == net.broadcast()) {
        return Err(Error::invalid(
            field(i, name),
            format!("{ip} is the network's own or broadcast address"),
        ));
    }
    Ok(ip)
}

/// Checks one subnet as Proxmox VE takes it: a prefix given by its network address, with room
/// for guests, a gateway and a DHCP range inside it.
pub fn check_subnet(i: usize, s: &SubnetCreate) -> Result<(IpNet, NewSubnet), Error> {
    let net: IpNet = s.cidr.parse().map_err(|_| {
        Error::invalid(
            field(i, "cidr"),
            format!("'{}' is not a prefix (10.20.0.0/24, fd00:20::/64)", s.cidr),
        )
    })?;
    if net.network() != net.addr() {
        return Err(Error::invalid(
            field(i, "cidr"),
            format!("give the network address: {}", net.trunc()),
        ));
    }
    let (min_len, max_len) = if net.addr().is_ipv4() {
        (8, 29)
    } else {
        (32, 120)
    };
    if net.prefix_len() < min_len || net.prefix_len() > max_len {
        return Err(Error::invalid(
            field(i, "cidr"),
            format!("the prefix length must be {min_len} to {max_len}"),
        ));
    }
    let gateway = match &s.gateway {
        Some(g) => Some(address(i, "gateway", g, &net)?),
        None => None,
    };
    if s.snat == Some(true) && gateway.is_none() {
        return Err(Error::invalid(
            field(i, "snat"),
            "source NAT needs a gateway",
        ));
    }
    let dhcp = match (&s.dhcp_start, &s.dhcp_end) {
        (None, None) => None,
        (Some(a), Some(b)) => {
            let (start, end) = (
                address(i, "dhcp_start", a, &net)?,
                address(i, "dhcp_end", b, &net)?,
            );
            if start > end {
                return Err(Error::invalid(
                    field(i, "dhcp_end"),
                    format!("{end} comes before {start}"),
                ));
            }
            if gateway.is_some_and(|g| g >= start && g <= end) {
                return Err(Error::invalid(
                    field(i, "gateway"),
                    "the gateway is inside the DHCP range",
                ));
            }
            Some((start.to_string(), end.to_string()))
        }
        (Some(_), None) => {
            return Err(Error::invalid(
                field(i, "dhcp_end"),
                "give both ends of the range",
            ))
        }
        (None, Some(_)) => {
            return Err(Error::invalid(
                field(i, "dhcp_start"),
                "give both ends of the range",
            ))
        }
    };
    Ok((
        net,
        NewSubnet {
            cidr: net.to_string(),
            gateway: gateway.map(|g| g.to_string()).unwrap_or_default(),
            dhcp,
            snat: s.snat.unwrap_or(false),
        },
    ))
}

/// Checks a network's subnets: 1 to 8, none overlapping another.
pub fn check_subnets(subnets: &[SubnetCreate]) -> Result<Vec<NewSubnet>, Error> {
    if subnets.is_empty() || subnets.len() > MAX_SUBNETS {
        return Err(Error::invalid(
            "subnets",
            format!("a network has 1 to {MAX_SUBNETS} subnets"),
        ));
    }
    let mut seen: Vec<IpNet> = Vec::new();
    let mut out = Vec::new();
    for (i, s) in subnets.iter().enumerate() {
        let (net, new) = check_subnet(i, s)?;
        if let Some(other) = seen
            .iter()
            .find(|o| o.contains(&net.network()) || net.contains(&o.network()))
        {
            return Err(Error::invalid(
                field(i, "cidr"),
                format!("{net} overlaps {other}"),
            ));
        }
        seen.push(net);
        out.push(new);
    }
    Ok(out)
}

/// A network as the API shows it.
pub fn view(n: scmp_store::Network) -> NetworkView {
    let (zone, vnet) = (n.zone(), n.vnet());
    NetworkView {
        id: n.id,
        name: n.name,
        description: n.description,
        project_id: n.project_id,
        site_id: n.site_id,
        zone_type: n.zone_type.as_str().into(),
        zone,
        vnet,
        tag: n.tag,
        state: n.state.as_str().into(),
        error: (!n.error.is_empty()).then_some(n.error),
        subnets: n
            .subnets
            .into_iter()
            .map(|s| SubnetView {
                id: s.id,
                cidr: s.cidr,
                gateway: (!s.gateway.is_empty()).then_some(s.gateway),
                dhcp_start: s.dhcp.as_ref().map(|d| d.0.clone()),
                dhcp_end: s.dhcp.map(|d| d.1),
                snat: s.snat,
            })
            .collect(),
        created_at: from_ms(n.created_at),
        updated_at: from_ms(n.updated_at),
    }
}

fn settings_view(s: SiteNetworking) -> SiteNetworkingBody {
    let text = |t: String| (!t.is_empty()).then_some(t);
    SiteNetworkingBody {
        zone_type: s.zone_type.as_str().into(),
        bridge: text(s.bridge),
        peers: text(s.peers),
        controller: text(s.controller),
        tag_min: s.tag_min,
        tag_max: s.tag_max,
        mtu: (s.mtu > 0).then_some(s.mtu),
    }
}

impl AppState {
    /// A project's networks, by name.
    pub async fn network_list(
        &self,
        ctx: &OpContext,
        project: &str,
        q: &PageQuery,
    ) -> Result<Page<NetworkView>, Error> {
        let project = self
            .lookup_project(ctx, project, Action::NetworkView)
            .await?
            .id;
        let found = paging::fill(
            q.page_token.as_deref(),
            q.limit()?,
            |after: Option<String>, n| {
                let store = self.store.clone();
                async move { store.network_list(project, after.as_deref(), n).await }
            },
            |n| n.name.to_string(),
            |batch| vec![true; batch.len()],
        )
        .await?;
        Ok(paging::page(found, view))
    }

    /// Creates a network: admitted within the project's quota with the next tag of its site's
    /// pool, made on the site's clusters by an operation.
    pub async fn network_create(
        &self,
        ctx: &OpContext,
        project: &str,
        body: NetworkCreate,
        wait: Option<u64>,
    ) -> Result<OperationView, Error> {
        let p = self
            .lookup_project(ctx, project, Action::NetworkManage)
            .await?;
        let subnets = check_subnets(&body.subnets)?;
        let site = match self.store.site_lookup(&body.site).await {
            Ok(site) => site,
            Err(Error::NotFound { .. }) => return Err(Error::invalid("site", "no such site")),
            Err(e) => return Err(e),
        };
        let tenant = self.store.tenant_get(p.tenant_id).await?;
        if !tenant.countries.is_empty() && !tenant.countries.contains(&site.country) {
            return Err(Error::invalid(
                "site",
                format!(
                    "the site is in {}, outside the countries the tenant's guests may run in",
                    site.country
                ),
            ));
        }
        let new = NewNetwork {
            tenant_id: p.tenant_id,
            project_id: p.id,
            site_id: site.id,
            name: body.name,
            description: body.description.unwrap_or_default(),
            subnets,
        };
        let op = NewOperation {
            kind: OperationKind::NetworkCreate,
            target: format!("network/{}", new.name),
            params: serde_json::json!({}),
            request_id: ctx.request_id.clone(),
            requested_by: Some((ctx.actor.user.id.to_string(), ctx.actor.user.identity())),
            creation: None,
            approval: None,
        };
        let target =
            AuditTarget::new(ResourceKind::Project, p.id).child(ResourceKind::Network, &new.name);
        let (_, op) = self
            .audited(
                ctx,
                "network_create",
                target,
                Some(p.tenant_id),
                self.store.network_admit(&new, &op),
            )
            .await?;
        self.work.announce();
        let op = self.operation_wait(op, wait).await?;
        Ok(crate::views::operation(op))
    }

    /// One network.
    pub async fn network_view(&self, ctx: &OpContext, key: &str) -> Result<NetworkView, Error> {
        let n = self.lookup_network(ctx, key, Action::NetworkView).await?;
        Ok(view(n.into_inner()))
    }

    /// Changes a network's subnets on its site's clusters, by an operation; a subnet with guests'
    /// addresses is not removed (409).
    pub async fn network_update(
        &self,
        ctx: &OpContext,
        key: &str,
        body: NetworkUpdate,
        wait: Option<u64>,
    ) -> Result<OperationView, Error> {
        let n = self.lookup_network(ctx, key, Action::NetworkManage).await?;
        let subnets = check_subnets(&body.subnets)?;
        let description = body.description.unwrap_or_else(|| n.description.clone());
        let op = NewOperation {
            kind: OperationKind::NetworkUpdate,
            target: format!("network/{}", n.name),
            params: serde_json::json!({}),
            request_id: ctx.request_id.clone(),
            requested_by: Some((ctx.actor.user.id.to_string(), ctx.actor.user.identity())),
            creation: None,
            approval: None,
        };
        let target = AuditTarget::new(ResourceKind::Project, n.project_id)
            .child(ResourceKind::Network, &n.name);
        let op = self
            .audited(
                ctx,
                "network_update",
                target,
                Some(n.tenant_id),
                self.store
                    .network_begin_update(n.id, &description, &subnets, &op),
            )
            .await?;
        self.work.announce();
        let op = self.operation_wait(op, wait).await?;
        Ok(crate::views::operation(op))
    }

    /// Removes a network from its site's clusters and forgets it; refused (409, naming them)
    /// while guests have NICs on it.
    pub async fn network_delete(
        &self,
        ctx: &OpContext,
        key: &str,
        wait: Option<u64>,
    ) -> Result<OperationView, Error> {
        let n = self.lookup_network(ctx, key, Action::NetworkManage).await?;
        let op = NewOperation {
            kind: OperationKind::NetworkDelete,
            target: format!("network/{}", n.name),
            params: serde_json::json!({}),
            request_id: ctx.request_id.clone(),
            requested_by: Some((ctx.actor.user.id.to_string(), ctx.actor.user.identity())),
            creation: None,
            approval: None,
        };
        let target = AuditTarget::new(ResourceKind::Project, n.project_id)
            .child(ResourceKind::Network, &n.name);
        let op = self
            .audited(
                ctx,
                "network_delete",
                target,
                Some(n.tenant_id),
                self.store.network_begin_delete(n.id, &op),
            )
            .await?;
        self.work.announce();
        let op = self.operation_wait(op, wait).await?;
        Ok(crate::views::operation(op))
    }

    /// How a site realises tenant networks.
    pub async fn site_networking_view(
        &self,
        ctx: &OpContext,
        site: &str,
    ) -> Result<SiteNetworkingBody, Error> {
        let site = self.lookup_site(ctx, site, Action::SiteView).await?;
        Ok(settings_view(self.store.site_networking(site.id).await?))
    }

    /// Sets how a site realises tenant networks made from now on.
    pub async fn site_networking_set(
        &self,
        ctx: &OpContext,
        site: &str,
        body: SiteNetworkingBody,
    ) -> Result<SiteNetworkingBody, Error> {
        let site = self
            .lookup_site(ctx, site, Action::SiteNetworkManage)
            .await?;
        let settings = SiteNetworking {
            zone_type: body.zone_type.parse()?,
            bridge: body.bridge.unwrap_or_default(),
            peers: body.peers.unwrap_or_default(),
            controller: body.controller.unwrap_or_default(),
            tag_min: body.tag_min,
            tag_max: body.tag_max,
            mtu: body.mtu.unwrap_or(0),
        };
        if settings.mtu != 0 && !(576..=9000).contains(&settings.mtu) {
            return Err(Error::invalid("mtu", "the MTU must be 576 to 9000"));
        }
        let target = AuditTarget::new(ResourceKind::Site, site.id);
        self.audited(
            ctx,
            "site_networking_set",
            target,
            None,
            self.store.site_networking_set(site.id, &settings),
        )
        .await?;
        Ok(settings_view(settings))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subnet(cidr: &str, gw: Option<&str>) -> SubnetCreate {
        SubnetCreate {
            cidr: cidr.into(),
            gateway: gw.map(str::to_string),
            dhcp_start: None,
            dhcp_end: None,
            snat: None,
        }
    }

    fn field_of(e: Error) -> String {
        match e {
            Error::InvalidValue { field, .. } => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn subnets_are_checked_at_the_edge() {
        assert!(check_subnets(&[subnet("10.20.0.0/24", Some("10.20.0.1"))]).is_ok());
        assert!(check_subnets(&[subnet("fd00:20::/64", Some("fd00:20::1"))]).is_ok());
        for (bad, at) in [
            (subnet("10.20.0.1/24", None), "subnets[0].cidr"),
            (subnet("10.20.0.0/31", None), "subnets[0].cidr"),
            (subnet("banana", None), "subnets[0].cidr"),
            (
                subnet("10.20.0.0/24", Some("10.21.0.1")),
                "subnets[0].gateway",
            ),
            (
                subnet("10.20.0.0/24", Some("10.20.0.255")),
                "subnets[0].gateway",
            ),
        ] {
            assert_eq!(field_of(check_subnets(&[bad]).unwrap_err()), at);
        }
        let overlapping = [subnet("10.20.0.0/16", None), subnet("10.20.5.0/24", None)];
        assert_eq!(
            field_of(check_subnets(&overlapping).unwrap_err()),
            "subnets[1].cidr"
        );
        let mut snat = subnet("10.20.0.0/24", None);
        snat.snat = Some(true);
        assert_eq!(
            field_of(check_subnets(&[snat]).unwrap_err()),
            "subnets[0].snat"
        );
        let mut range = subnet("10.20.0.0/24", Some("10.20.0.150"));
        range.dhcp_start = Some("10.20.0.100".into());
        range.dhcp_end = Some("10.20.0.200".into());
        assert_eq!(
            field_of(check_subnets(&[range]).unwrap_err()),
            "subnets[0].gateway"
        );
        assert_eq!(field_of(check_subnets(&[]).unwrap_err()), "subnets");
    }
}
