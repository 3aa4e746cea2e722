//! Actions on a guest: power (start, stop, shutdown, reboot) and moving it to another host of its
//! cluster. Each is an operation.

use scmp_api::{GuestMigrate, OperationView};
use scmp_authz::Action;
use scmp_common::{Error, OperationKind};
use scmp_store::{Guest, Host};

use super::changes::Change;
use crate::context::{AppState, OpContext};

/// The host a migration asked for, checked against the guest's cluster: it must be another,
/// online host that is not in maintenance.
pub(crate) fn check_migration_target(
    hosts: &[Host],
    current: &str,
    wanted: &str,
) -> Result<(), Error> {
    let invalid = |message: &str| Error::InvalidValue {
        field: "host".into(),
        message: message.into(),
    };
    let Some(host) = hosts.iter().find(|x| x.observed.name == wanted) else {
        return Err(invalid("no such host in the guest's cluster"));
    };
    if wanted == current {
        return Err(invalid("the guest is on that host already"));
    }
    if !host.observed.online || host.maintenance {
        return Err(invalid("the host is offline or in maintenance"));
    }
    Ok(())
}

impl AppState {
    /// Starts, stops, shuts down or reboots a guest.
    pub async fn guest_power(
        &self,
        ctx: &OpContext,
        key: &str,
        kind: OperationKind,
        wait: Option<u64>,
    ) -> Result<OperationView, Error> {
        let g = self.lookup_guest(ctx, key, Action::GuestOperate).await?;
        let change = Change::update(kind, serde_json::json!({}));
        self.guest_begin(ctx, &g, change, wait).await
    }

    /// Where placement would move a guest within its cluster (any host but its own).
    async fn migration_host(&self, g: &Guest, current: &str) -> Result<String, Error> {
        let tenant = self.store.tenant_get(g.tenant_id).await?;
        let mut req = crate::placement::request(g, &tenant.countries);
        req.cluster = g.cluster_id.map(|c| c.to_string());
        req.avoid_host = Some(current.to_string());
        req.image = None;
        match self.placer.place(&self.store, &req, false).await? {
            Ok(p) => Ok(p.host),
            Err(refusal) => Err(Error::Refused(format!(
                "no other host can take the guest: {refusal}"
            ))),
        }
    }

    /// Moves a guest to another host of its cluster (live for running VMs; running containers
    /// restart); placement chooses the host when none is given.
    pub async fn guest_migrate(
        &self,
        ctx: &OpContext,
        key: &str,
        body: GuestMigrate,
        wait: Option<u64>,
    ) -> Result<OperationView, Error> {
        let g = self.lookup_guest(ctx, key, Action::GuestOperate).await?;
        let (Some(cluster_id), Some(current)) = (g.cluster_id, g.node.clone()) else {
            return Err(Error::Conflict(format!("guest '{}' is not placed", g.name)));
        };
        let target = match body.host {
            Some(h) => {
                let hosts = self.store.host_list_all(cluster_id).await?;
                check_migration_target(&hosts, &current, &h)?;
                h
            }
            None => self.migration_host(&g, &current).await?,
        };
        let governed = self
            .govern_change(ctx, &g, scmp_governance::Operation::GuestMigrate, |f| {
                f.host = target.clone()
            })
            .await?;
        let mut change = Change::update(
            OperationKind::GuestMigrate,
            serde_json::json!({ "host": target,
                super::governed::WARNINGS: super::governed::warnings_param(&governed.warnings) }),
        );
        change.approval = self.held_approval(&governed).await?;
        self.guest_begin(ctx, &g, change, wait).await
    }
}
