//! Which security groups a guest is in: named at creation (groups of the project at the site of
//! its networks) or changed later by an operation that makes the guest's firewall so.

use scmp_api::{GuestSecurityGroups, OperationView};
use scmp_authz::Action;
use scmp_common::{Error, OperationKind, SecurityGroupId, SiteId};
use scmp_store::{Project, SecurityGroupState};

use super::changes::Change;
use crate::context::{AppState, OpContext};

/// The most security groups a guest is in.
const MAX_GROUPS: usize = 8;

impl AppState {
    /// The groups `names` of project `p` at `site`, checked (`field` names them in errors).
    pub(crate) async fn check_security_groups(
        &self,
        p: &Project,
        names: &[String],
        site: Option<SiteId>,
        field: &str,
    ) -> Result<Vec<SecurityGroupId>, Error> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let Some(site) = site else {
            return Err(Error::invalid(
                field,
                "security groups filter NICs on tenant networks: give nics",
            ));
        };
        if names.len() > MAX_GROUPS {
            return Err(Error::invalid(
                field,
                format!("a guest is in at most {MAX_GROUPS} security groups"),
            ));
        }
        let mut out = Vec::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            let at = format!("{field}[{i}]");
            let g = match self.store.security_group_by_name(p.id, name).await {
                Ok(g) => g,
                Err(Error::NotFound { .. }) => {
                    return Err(Error::invalid(at, "no such security group in the project"))
                }
                Err(e) => return Err(e),
            };
            if g.site_id != site {
                return Err(Error::invalid(
                    at,
                    format!("security group '{}' is at another site", g.name),
                ));
            }
            if matches!(
                g.state,
                SecurityGroupState::Deleting | SecurityGroupState::Creating
            ) {
                return Err(Error::invalid(
                    at,
                    format!("security group '{}' is {}", g.name, g.state.as_str()),
                ));
            }
            if out.contains(&g.id) {
                return Err(Error::invalid(at, "named twice"));
            }
            out.push(g.id);
        }
        Ok(out)
    }

    /// Puts a guest in exactly these security groups (none: out of all, its firewall off), by an
    /// operation on the guest.
    pub async fn guest_security_groups_set(
        &self,
        ctx: &OpContext,
        key: &str,
        body: GuestSecurityGroups,
        wait: Option<u64>,
    ) -> Result<OperationView, Error> {
        let g = self
            .lookup_guest(ctx, key, Action::GuestOperate)
            .await?
            .into_inner();
        let p = self
            .lookup_project(ctx, &g.project_id.to_string(), Action::NetworkView)
            .await?;
        let nics = self.store.guest_nics(g.id).await?;
        let site = match (g.cluster_id, nics.is_empty()) {
            (Some(c), false) => Some(self.store.cluster_get(c).await?.site_id),
            _ => None,
        };
        let ids = self
            .check_security_groups(&p, &body.security_groups, site, "security_groups")
            .await?;
        let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
        let change = Change::update(
            OperationKind::GuestFirewall,
            serde_json::json!({ "security_groups": ids }),
        );
        self.guest_begin(ctx, &g, change, wait).await
    }
}
