//! Clusters: the Proxmox VE clusters registered at a site (endpoint, API token, pinned
//! certificate, overcommit), and their hosts. Registration checks the input, reaches the cluster
//! with the token and pinned certificate and checks the token's privileges, seals the secret
//! (never stored or returned in the clear), records the cluster and looks at its inventory at once
//! so it can take guests.

use pve_client::ErrorKind;
use scmp_api::{ClusterCreate, ClusterUpdate, ClusterView, HostView, Page, PageQuery};
use scmp_authz::Action;
use scmp_common::{AuditTarget, ClusterId, Error, ResourceKind};
use scmp_store::{Cluster, NewCluster};

use super::paging;
use crate::context::{AppState, OpContext};

fn target(id: ClusterId) -> AuditTarget {
    AuditTarget::new(ResourceKind::Cluster, id)
}

fn invalid(field: &str, message: impl Into<String>) -> Error {
    Error::InvalidValue {
        field: field.into(),
        message: message.into(),
    }
}

/// An overcommit ratio: more than 0, at most 32 (`default` when not given).
fn ratio(field: &str, v: Option<f64>, default: f64) -> Result<f64, Error> {
    match v {
        None => Ok(default),
        Some(x) if x.is_finite() && x > 0.0 && x <= 32.0 => Ok(x),
        Some(_) => Err(invalid(field, "must be more than 0 and at most 32")),
    }
}

/// What registration refuses before it tries to reach the cluster.
fn check_registration(body: &ClusterCreate) -> Result<(), Error> {
    let endpoint_ok = body
        .endpoint
        .strip_prefix("https://")
        .is_some_and(|rest| !rest.is_empty())
        && body.endpoint.len() <= 255
        && !body.endpoint.contains(char::is_whitespace)
        && url::Url::parse(&body.endpoint).is_ok();
    if !endpoint_ok {
        return Err(invalid(
            "endpoint",
            "must be an https:// URL such as https://pve1.example:8006",
        ));
    }
    if body.token_id.token_name().is_none() {
        return Err(invalid(
            "token_id",
            "must be an API token: USER@REALM!TOKENID",
        ));
    }
    if body.token_secret.is_empty()
        || body.token_secret.len() > 256
        || body.token_secret.contains(char::is_control)
    {
        return Err(invalid(
            "token_secret",
            "must be 1 to 256 printable characters",
        ));
    }
    if body.tls_fingerprint.is_none() {
        return Err(invalid(
            "tls_fingerprint",
            "required: scmp pins the cluster's certificate (pvenode cert info shows it)",
        ));
    }
    Ok(())
}

/// What a failed first contact says about the input: the field at fault, or the cluster away.
fn probe_error(endpoint: &str, e: pve_client::Error) -> Error {
    match e.kind() {
        ErrorKind::Authentication => invalid("token_secret", "the cluster refused the token"),
        ErrorKind::Certificate => invalid(
            "tls_fingerprint",
            format!("the cluster's certificate does not match: {e}"),
        ),
        _ => Error::Unavailable(format!("cannot reach the cluster at {endpoint}: {e}")),
    }
}

impl AppState {
    /// Reaches a cluster with the given token and pinned certificate and checks the token's
    /// privileges.
    async fn probe_cluster(&self, body: &ClusterCreate) -> Result<(), Error> {
        let Some(fingerprint) = body.tls_fingerprint else {
            return Err(invalid("tls_fingerprint", "required"));
        };
        let access = scmp_agent::ClusterAccess {
            endpoint: body.endpoint.clone(),
            token_id: body.token_id.clone(),
            token_secret: body.token_secret.clone(),
            fingerprint,
        };
        let client = scmp_agent::connect(&access).map_err(|e| invalid("endpoint", e))?;
        match scmp_agent::check_privileges(&client).await {
            Ok(missing) if missing.is_empty() => Ok(()),
            Ok(missing) => Err(invalid(
                "token_id",
                format!(
                    "the token lacks privileges scmp needs: {}",
                    missing.join(", ")
                ),
            )),
            Err(e) => Err(probe_error(&body.endpoint, e)),
        }
    }

    /// A site's clusters, by name.
    pub async fn cluster_list(
        &self,
        ctx: &OpContext,
        site: &str,
        q: &PageQuery,
    ) -> Result<Page<ClusterView>, Error> {
        let site = self.lookup_site(ctx, site, Action::ClusterList).await?;
        let found = paging::fill(
            q.page_token.as_deref(),
            q.limit()?,
            |after: Option<String>, n| {
                let (store, site) = (self.store.clone(), site.id);
                async move { store.cluster_list(site, after.as_deref(), n).await }
            },
            |c| c.name.to_string(),
            paging::everything,
        )
        .await?;
        Ok(paging::page(found, crate::views::cluster))
    }

    /// Registers a Proxmox VE cluster at a site.
    pub async fn cluster_create(
        &self,
        ctx: &OpContext,
        site: &str,
        body: ClusterCreate,
    ) -> Result<ClusterView, Error> {
        let site = self.lookup_site(ctx, site, Action::ClusterCreate).await?;
        check_registration(&body)?;
        let new = NewCluster {
            cpu_overcommit: ratio("cpu_overcommit", body.cpu_overcommit, 4.0)?,
            memory_overcommit: ratio("memory_overcommit", body.memory_overcommit, 1.0)?,
            agent_id: None,
            name: body.name.clone(),
            endpoint: body.endpoint.clone(),
            token_id: body.token_id.clone(),
            token_secret_sealed: self.sealer.seal(&body.token_secret)?,
            tls_fingerprint: body.tls_fingerprint,
        };
        self.probe_cluster(&body).await?;
        let target =
            AuditTarget::new(ResourceKind::Site, site.id).child(ResourceKind::Cluster, &new.name);
        let c = self
            .audited(
                ctx,
                "cluster_create",
                target,
                None,
                self.store.cluster_create(site.id, &new),
            )
            .await?;
        // Nodes, capacity and templates now, so the cluster is placeable at once.
        if let Err(e) = crate::inventory::sync_cluster(self, &c).await {
            tracing::warn!(cluster = %c.name, error = %e.chain(), "first inventory sync failed");
        }
        // The site's tenant networks and security groups, as its other clusters have them.
        if let Err(e) = crate::site_bringup::bring_up(self, &c).await {
            tracing::warn!(cluster = %c.name, error = %e.chain(), "site networks not brought up");
        }
        self.placer.invalidate().await;
        Ok(crate::views::cluster(self.store.cluster_get(c.id).await?))
    }

    /// One cluster (without its secret).
    pub async fn cluster_view(&self, ctx: &OpContext, key: &str) -> Result<ClusterView, Error> {
        let c = self.lookup_cluster(ctx, key, Action::ClusterView).await?;
        Ok(crate::views::cluster(c.into_inner()))
    }

    /// Removes a cluster registration with its inventory; refused while scmp guests are placed
    /// on it. Nothing on the cluster itself changes.
    pub async fn cluster_delete(&self, ctx: &OpContext, key: &str) -> Result<(), Error> {
        let c = self.lookup_cluster(ctx, key, Action::ClusterDelete).await?;
        self.audited(
            ctx,
            "cluster_delete",
            target(c.id),
            None,
            self.store.cluster_delete(c.id),
        )
        .await?;
        self.connections.forget(c.id);
        self.placer.invalidate().await;
        Ok(())
    }

    /// Changes a cluster's overcommit ratios or drift action.
    pub async fn cluster_update(
        &self,
        ctx: &OpContext,
        key: &str,
        body: ClusterUpdate,
    ) -> Result<ClusterView, Error> {
        let c = self.lookup_cluster(ctx, key, Action::ClusterUpdate).await?;
        let cpu = ratio("cpu_overcommit", body.cpu_overcommit, c.cpu_overcommit)?;
        let mem = ratio(
            "memory_overcommit",
            body.memory_overcommit,
            c.memory_overcommit,
        )?;
        let drift = body.drift_action.unwrap_or(c.health.drift_action);
        let c = self
            .audited(
                ctx,
                "cluster_update",
                target(c.id),
                None,
                self.store.cluster_update(c.id, cpu, mem, drift),
            )
            .await?;
        self.placer.invalidate().await;
        Ok(crate::views::cluster(c))
    }

    /// A cluster's hosts as inventory last saw them.
    pub async fn host_list(
        &self,
        ctx: &OpContext,
        cluster: &str,
        q: &PageQuery,
    ) -> Result<Page<HostView>, Error> {
        let c = self.lookup_cluster(ctx, cluster, Action::HostList).await?;
        let found = paging::fill(
            q.page_token.as_deref(),
            q.limit()?,
            |after: Option<String>, n| {
                let (store, cluster) = (self.store.clone(), c.id);
                async move { store.host_list(cluster, after.as_deref(), n).await }
            },
            |h| h.observed.name.clone(),
            paging::everything,
        )
        .await?;
        Ok(paging::page(found, crate::views::host))
    }

    /// One host.
    pub async fn host_view(
        &self,
        ctx: &OpContext,
        cluster: &str,
        host: &str,
    ) -> Result<HostView, Error> {
        let c = self.lookup_cluster(ctx, cluster, Action::HostView).await?;
        Ok(crate::views::host(self.store.host_get(c.id, host).await?))
    }

    /// Puts a host into maintenance (placement puts no new guest on it) or takes it out.
    pub async fn host_maintenance(
        &self,
        ctx: &OpContext,
        cluster: &str,
        host: &str,
        on: bool,
    ) -> Result<HostView, Error> {
        let c: Cluster = self
            .lookup_cluster(ctx, cluster, Action::HostMaintenance)
            .await?
            .into_inner();
        self.store.host_get(c.id, host).await?;
        let operation = if on {
            "host_maintenance_enter"
        } else {
            "host_maintenance_exit"
        };
        let h = self
            .audited(
                ctx,
                operation,
                target(c.id).child(ResourceKind::Host, host),
                None,
                self.store.host_set_maintenance(c.id, host, on),
            )
            .await?;
        self.placer.invalidate().await;
        Ok(crate::views::host(h))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> ClusterCreate {
        ClusterCreate {
            name: "ber-1".parse().unwrap(),
            endpoint: "https://pve1.example:8006".into(),
            token_id: "scmp@pve!scmp".parse().unwrap(),
            token_secret: "secret".into(),
            tls_fingerprint: Some(vec!["AB"; 32].join(":").parse().unwrap()),
            cpu_overcommit: None,
            memory_overcommit: None,
        }
    }

    fn field(e: Error) -> String {
        match e {
            Error::InvalidValue { field, .. } => field,
            other => panic!("not a field error: {other}"),
        }
    }

    #[test]
    fn registration_names_the_field_at_fault() {
        assert!(check_registration(&body()).is_ok());
        for (change, at) in [
            (
                (|b: &mut ClusterCreate| b.endpoint = "http://x:8006".into())
                    as fn(&mut ClusterCreate),
                "endpoint",
            ),
            (|b| b.endpoint = "https://".into(), "endpoint"),
            (|b| b.endpoint = "https://a b".into(), "endpoint"),
            (|b| b.token_id = "root@pam".parse().unwrap(), "token_id"),
            (|b| b.token_secret = String::new(), "token_secret"),
            (|b| b.token_secret = "a\nb".into(), "token_secret"),
            (|b| b.tls_fingerprint = None, "tls_fingerprint"),
        ] {
            let mut b = body();
            change(&mut b);
            assert_eq!(field(check_registration(&b).unwrap_err()), at);
        }
    }

    #[test]
    fn ratios_stay_in_range() {
        assert_eq!(ratio("r", None, 4.0).unwrap(), 4.0);
        assert_eq!(ratio("r", Some(1.5), 4.0).unwrap(), 1.5);
        for bad in [0.0, -1.0, 33.0, f64::NAN, f64::INFINITY] {
            assert_eq!(field(ratio("r", Some(bad), 4.0).unwrap_err()), "r");
        }
    }
}
