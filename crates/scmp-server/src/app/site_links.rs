//! Site links: the platform sets the datacentre's hub, links sites (each site's agent makes its
//! key pair there and reports the public key), rotates a site's key, and hands out the rendered
//! configurations of both ends; none holds a private key.

use std::str::FromStr;

use ipnet::IpNet;
use scmp_api::{
    LinkConfigView, LinkFile, LinkHubBody, SiteTunnelCreate, SiteTunnelView, SiteTunnelsView,
};
use scmp_authz::Action;
use scmp_common::time::from_ms;
use scmp_common::{AuditTarget, Error, ResourceKind, SiteId};
use scmp_store::{LinkHub, SiteLink};

use crate::context::{AppState, OpContext};
use crate::site_link_plan::{hub_end, render, site_end, Format, SITE_KEY_FILE};
use crate::site_link_sync::{self, Links};

/// The port WireGuard listens on unless told.
const DEFAULT_PORT: u16 = 51820;

fn check_hub(body: &LinkHubBody) -> Result<LinkHub, Error> {
    let endpoint = body.endpoint.trim();
    let port_ok = endpoint
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0));
    if !port_ok
        || endpoint
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(Error::invalid(
            "endpoint",
            "give host:port (hub.example.net:51820)",
        ));
    }
    let tunnel = IpNet::from_str(&body.tunnel_cidr)
        .map_err(|_| Error::invalid("tunnel_cidr", "not a prefix (10.255.0.0/24)"))?;
    if tunnel.network() != tunnel.addr() {
        return Err(Error::invalid(
            "tunnel_cidr",
            format!("give the network address: {}", tunnel.trunc()),
        ));
    }
    let (min, max) = if tunnel.addr().is_ipv4() {
        (16, 29)
    } else {
        (64, 125)
    };
    if tunnel.prefix_len() < min || tunnel.prefix_len() > max {
        return Err(Error::invalid(
            "tunnel_cidr",
            format!("the prefix length must be {min} to {max}"),
        ));
    }
    scmp_store::check_public_key("public_key", &body.public_key)?;
    Ok(LinkHub {
        endpoint: endpoint.to_string(),
        public_key: body.public_key.clone(),
        tunnel,
        listen_port: body.listen_port.unwrap_or(DEFAULT_PORT),
    })
}

fn view(l: &SiteLink, links: &Links) -> SiteTunnelView {
    let list = |m: &std::collections::BTreeMap<SiteId, Vec<IpNet>>| {
        m.get(&l.site_id)
            .map(|v| v.iter().map(ToString::to_string).collect())
            .unwrap_or_default()
    };
    SiteTunnelView {
        site_id: l.site_id,
        site: links.names.get(&l.site_id).cloned().unwrap_or_default(),
        address: l.address.to_string(),
        listen_port: l.listen_port,
        public_key: (!l.public_key.is_empty()).then(|| l.public_key.clone()),
        key_version: l.key_version,
        key_made_at: (l.key_at > 0).then(|| from_ms(l.key_at)),
        to_site: list(&links.plan.to_site),
        to_hub: list(&links.plan.to_hub),
    }
}

fn files(list: Vec<(String, String)>) -> Vec<LinkFile> {
    list.into_iter()
        .map(|(name, text)| LinkFile { name, text })
        .collect()
}

impl AppState {
    async fn links_now(&self) -> Result<Links, Error> {
        site_link_sync::current(self)
            .await?
            .ok_or_else(|| Error::Conflict("the platform has no site link hub yet".into()))
    }

    /// The hub and the linked sites.
    pub async fn site_link_list(&self, ctx: &OpContext) -> Result<SiteTunnelsView, Error> {
        self.authorize_platform(ctx, Action::SiteView)?;
        let Some(links) = site_link_sync::current(self).await? else {
            return Ok(SiteTunnelsView {
                hub: None,
                sites: Vec::new(),
                conflicts: Vec::new(),
            });
        };
        Ok(SiteTunnelsView {
            hub: Some(LinkHubBody {
                endpoint: links.hub.endpoint.clone(),
                public_key: links.hub.public_key.clone(),
                tunnel_cidr: links.hub.tunnel.to_string(),
                listen_port: Some(links.hub.listen_port),
            }),
            sites: links.links.iter().map(|l| view(l, &links)).collect(),
            conflicts: links.plan.conflicts.clone(),
        })
    }

    /// Sets the hub; every linked site gets its configuration anew.
    pub async fn site_link_hub_set(
        &self,
        ctx: &OpContext,
        body: LinkHubBody,
    ) -> Result<LinkHubBody, Error> {
        self.authorize_platform(ctx, Action::SiteNetworkManage)?;
        let hub = check_hub(&body)?;
        self.audited(
            ctx,
            "site_link_hub_set",
            AuditTarget::new(ResourceKind::Platform, "site-link-hub"),
            None,
            self.store.link_hub_set(&hub),
        )
        .await?;
        site_link_sync::push_all(self).await;
        Ok(LinkHubBody {
            endpoint: hub.endpoint,
            public_key: hub.public_key,
            tunnel_cidr: hub.tunnel.to_string(),
            listen_port: Some(hub.listen_port),
        })
    }

    /// The hub's configuration (one peer per linked site with a key).
    pub async fn site_link_hub_config(
        &self,
        ctx: &OpContext,
        format: Option<&str>,
    ) -> Result<LinkConfigView, Error> {
        self.authorize_platform(ctx, Action::SiteNetworkManage)?;
        let format_name = format.unwrap_or("wg-quick");
        let f: Format = format_name.parse()?;
        let links = self.links_now().await?;
        let end = hub_end(&links.hub, &links.links, &links.names, &links.plan);
        Ok(LinkConfigView {
            format: format_name.into(),
            files: files(render(&end, f)),
        })
    }

    /// Links a site: a tunnel address of its own, its agent's public key, its configuration
    /// written at the site.
    pub async fn site_link_enable(
        &self,
        ctx: &OpContext,
        site: &str,
        body: SiteTunnelCreate,
    ) -> Result<SiteTunnelView, Error> {
        let site = self
            .lookup_site(ctx, site, Action::SiteNetworkManage)
            .await?
            .into_inner();
        let port = body.listen_port.unwrap_or(DEFAULT_PORT);
        if port == 0 {
            return Err(Error::invalid("listen_port", "a port is 1 to 65535"));
        }
        self.audited(
            ctx,
            "site_link_enable",
            AuditTarget::new(ResourceKind::Site, site.id),
            None,
            self.store.site_link_enable(site.id, port),
        )
        .await?;
        self.site_link_key(site.id, false).await
    }

    /// Takes the site's key (a new one with `rotate`) and writes its configuration at the site;
    /// a newly linked site changes what the other sites' tunnels carry, so they get theirs anew.
    async fn site_link_key(&self, site: SiteId, rotate: bool) -> Result<SiteTunnelView, Error> {
        let link = site_link_sync::take_key(self, site, rotate).await?;
        let links = self.links_now().await?;
        site_link_sync::push_site(self, &links, site).await?;
        if !rotate {
            site_link_sync::push_all(self).await;
        }
        Ok(view(&link, &links))
    }

    /// A new key pair for the site, made at the site; the hub's configuration changes with it.
    pub async fn site_link_rotate(
        &self,
        ctx: &OpContext,
        site: &str,
    ) -> Result<SiteTunnelView, Error> {
        let site = self
            .lookup_site(ctx, site, Action::SiteNetworkManage)
            .await?
            .into_inner();
        if self.store.site_link(site.id).await?.is_none() {
            return Err(Error::Conflict(format!(
                "site '{}' is not linked",
                site.name
            )));
        }
        let target = AuditTarget::new(ResourceKind::Site, site.id);
        self.audited(
            ctx,
            "site_link_rotate",
            target,
            None,
            self.site_link_key(site.id, true),
        )
        .await
    }

    /// Unlinks a site.
    pub async fn site_link_delete(&self, ctx: &OpContext, site: &str) -> Result<(), Error> {
        let site = self
            .lookup_site(ctx, site, Action::SiteNetworkManage)
            .await?
            .into_inner();
        self.audited(
            ctx,
            "site_link_delete",
            AuditTarget::new(ResourceKind::Site, site.id),
            None,
            self.store.site_link_delete(site.id),
        )
        .await?;
        site_link_sync::push_all(self).await;
        Ok(())
    }

    /// A site's configuration, naming `/etc/wireguard/scmp0.key` for its key (the one its agent
    /// writes names the agent's key file).
    pub async fn site_link_config(
        &self,
        ctx: &OpContext,
        site: &str,
        format: Option<&str>,
    ) -> Result<LinkConfigView, Error> {
        let site = self
            .lookup_site(ctx, site, Action::SiteNetworkManage)
            .await?
            .into_inner();
        let format_name = format.unwrap_or("wg-quick");
        let f: Format = format_name.parse()?;
        let links = self.links_now().await?;
        let link = links
            .links
            .iter()
            .find(|l| l.site_id == site.id)
            .ok_or_else(|| Error::Conflict(format!("site '{}' is not linked", site.name)))?;
        let end = site_end(&links.hub, link, &links.plan);
        let rendered = render(&end, f)
            .into_iter()
            .map(|(n, t)| (n, t.replace(crate::site_link_plan::KEY_FILE, SITE_KEY_FILE)))
            .collect();
        Ok(LinkConfigView {
            format: format_name.into(),
            files: files(rendered),
        })
    }
}
