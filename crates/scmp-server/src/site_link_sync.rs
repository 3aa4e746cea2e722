//! Keeping the sites' link configurations current: each linked site's agent makes its key pair
//! (only the public key comes back) and is given its rendered configurations, anew whenever the
//! hub, the site's key or the tenant networks spanning sites change.

use std::collections::BTreeMap;

use scmp_agent::Command;
use scmp_common::{Error, SiteId};
use scmp_store::{LinkHub, SiteLink};

use crate::context::AppState;
use crate::site_link_plan::{plan, render, site_end, Format, Plan};

/// The hub, the linked sites, their names and what each tunnel carries.
pub struct Links {
    /// The hub.
    pub hub: LinkHub,
    /// The linked sites.
    pub links: Vec<SiteLink>,
    /// Sites' names by id.
    pub names: BTreeMap<SiteId, String>,
    /// What each tunnel carries.
    pub plan: Plan,
}

/// The links as they are now (none without a hub).
pub async fn current(state: &AppState) -> Result<Option<Links>, Error> {
    let Some(hub) = state.store.link_hub().await? else {
        return Ok(None);
    };
    let links = state.store.site_link_list().await?;
    let mut names = BTreeMap::new();
    for l in &links {
        let site = state.store.site_lookup(&l.site_id.to_string()).await?;
        names.insert(l.site_id, site.name.to_string());
    }
    let subnets = state.store.placed_subnets().await?;
    let plan = plan(&hub, &links, &subnets);
    Ok(Some(Links {
        hub,
        links,
        names,
        plan,
    }))
}

/// The agent of a site's first cluster (the site's end of its link).
async fn site_agent(
    state: &AppState,
    site: SiteId,
) -> Result<std::sync::Arc<dyn scmp_agent::Agent>, Error> {
    let clusters = state.store.cluster_list(site, None, 1).await?;
    let c = clusters
        .first()
        .ok_or_else(|| Error::Conflict("the site has no cluster, so no agent to link".into()))?;
    state.connections.get(c, &state.sealer)
}

/// Asks the site's agent for its public key (a new key pair with `rotate`) and records it.
pub async fn take_key(state: &AppState, site: SiteId, rotate: bool) -> Result<SiteLink, Error> {
    let agent = site_agent(state, site).await?;
    let key = agent
        .ask(Command::SiteLinkKey { rotate })
        .await
        .and_then(scmp_agent::Reply::public_key)
        .map_err(|e| Error::Unavailable(format!("the site's agent: {e}")))?;
    state.store.site_link_set_key(site, &key).await
}

/// Gives one site's agent its configurations (both formats).
pub async fn push_site(state: &AppState, links: &Links, site: SiteId) -> Result<(), Error> {
    let Some(link) = links.links.iter().find(|l| l.site_id == site) else {
        return Ok(());
    };
    let end = site_end(&links.hub, link, &links.plan);
    let mut files = render(&end, Format::WgQuick);
    files.extend(render(&end, Format::Networkd));
    site_agent(state, site)
        .await?
        .ask(Command::SiteLinkWrite { files })
        .await
        .and_then(scmp_agent::Reply::done)
        .map_err(|e| Error::Unavailable(format!("the site's agent: {e}")))
}

/// Gives every linked site its configurations; a site that cannot be reached now is logged and
/// gets them the next time.
pub async fn push_all(state: &AppState) {
    let links = match current(state).await {
        Ok(Some(l)) => l,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = %e, "site links: cannot read them");
            return;
        }
    };
    for l in &links.links {
        if let Err(e) = push_site(state, &links, l.site_id).await {
            tracing::warn!(site = %l.site_id, error = %e, "site link: configuration not delivered");
        }
    }
}
