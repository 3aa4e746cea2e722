//! Security groups: a project's group at a site, its rules, its members (the guests in it) and
//! the addresses they have there, with the operations that realise it recorded in the same
//! transaction as the change. A group in use by guests, or named by another group's rules, cannot
//! be deleted.

use scmp_common::{
    Error, GuestId, Name, ProjectId, ResourceKind, SecurityGroupId, SiteId, TenantId,
};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{db_error, get_id, get_name, get_string, is_unique_violation, DataStore};
use crate::operations::{NewOperation, Operation, Subject};
use crate::sg_rules::{check_rules, Remote, SgRule};

/// Where a security group is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityGroupState {
    /// Being made on the site's clusters.
    Creating,
    /// On the site's clusters as recorded.
    Ready,
    /// A change of its rules is being made on the clusters.
    Updating,
    /// Being removed.
    Deleting,
    /// Its last change failed (the error says why); the clusters may hold the one before.
    Failed,
}

impl SecurityGroupState {
    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            SecurityGroupState::Creating => "creating",
            SecurityGroupState::Ready => "ready",
            SecurityGroupState::Updating => "updating",
            SecurityGroupState::Deleting => "deleting",
            SecurityGroupState::Failed => "failed",
        }
    }
}

impl std::str::FromStr for SecurityGroupState {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Ok(match s {
            "creating" => SecurityGroupState::Creating,
            "ready" => SecurityGroupState::Ready,
            "updating" => SecurityGroupState::Updating,
            "deleting" => SecurityGroupState::Deleting,
            "failed" => SecurityGroupState::Failed,
            other => return Err(Error::internal(format!("security group state '{other}'"))),
        })
    }
}

/// A security group to make.
#[derive(Debug, Clone)]
pub struct NewSecurityGroup {
    /// Its id (made by the caller, so that its rules can name the group itself).
    pub id: SecurityGroupId,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// Its project.
    pub project_id: ProjectId,
    /// Its site.
    pub site_id: SiteId,
    /// Its name (unique in the project).
    pub name: Name,
    /// What it is for.
    pub description: String,
    /// Its rules.
    pub rules: Vec<SgRule>,
}

/// A security group.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityGroup {
    /// Its id.
    pub id: SecurityGroupId,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// Its project.
    pub project_id: ProjectId,
    /// Its site.
    pub site_id: SiteId,
    /// Its name.
    pub name: Name,
    /// What it is for.
    pub description: String,
    /// Its name on Proxmox (`t<tenant>-<suffix>`, at most 18 characters).
    pub pve_name: String,
    /// Its rules.
    pub rules: Vec<SgRule>,
    /// Where it is.
    pub state: SecurityGroupState,
    /// Why its last change failed.
    pub error: String,
    /// What the last look found different on Proxmox (empty: nothing).
    pub drift: String,
    /// When it was made (ms).
    pub created_at: i64,
    /// When it last changed (ms).
    pub updated_at: i64,
}

impl SecurityGroup {
    /// The IP set of its members' addresses on Proxmox.
    pub fn members_ipset(&self) -> String {
        format!("{}-m", self.pve_name)
    }
}

/// The tenant's prefix of Proxmox names: `t` and six hex digits of its id.
pub fn tenant_prefix(tenant: TenantId) -> String {
    let hex = tenant.uuid().simple().to_string();
    format!("t{}", &hex[..6])
}

const COLUMNS: &str =
    "id, tenant_id, project_id, site_id, name, description, pve_name, rules, state, \
                       error, drift, created_at, updated_at";

fn group(row: &AnyRow) -> Result<SecurityGroup, Error> {
    let rules: Vec<SgRule> =
        serde_json::from_str(&get_string(row, "rules")?).map_err(Error::internal)?;
    Ok(SecurityGroup {
        id: get_id(row, "id")?,
        tenant_id: get_id(row, "tenant_id")?,
        project_id: get_id(row, "project_id")?,
        site_id: get_id(row, "site_id")?,
        name: get_name(row, "name")?,
        description: get_string(row, "description")?,
        pve_name: get_string(row, "pve_name")?,
        rules,
        state: get_string(row, "state")?.parse()?,
        error: get_string(row, "error")?,
        drift: get_string(row, "drift")?,
        created_at: row.try_get("created_at").map_err(Error::internal)?,
        updated_at: row.try_get("updated_at").map_err(Error::internal)?,
    })
}

fn not_found(name: &str) -> Error {
    Error::NotFound {
        kind: ResourceKind::SecurityGroup,
        name: name.to_string(),
    }
}

/// A fresh suffix of Proxmox names: seven lower-case letters and digits.
fn suffix(random: &scmp_common::Random) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    random
        .bytes(7)
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// Makes the guest a member of `groups`, inside a transaction.
pub(crate) async fn join(
    tx: &mut crate::db::Tx,
    guest: GuestId,
    groups: &[SecurityGroupId],
) -> Result<(), Error> {
    for g in groups {
        sqlx::query("INSERT INTO guest_security_groups (guest_id, group_id) VALUES ($1, $2)")
            .bind(guest.to_string())
            .bind(g.to_string())
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
    }
    Ok(())
}

impl DataStore {
    /// Makes a security group (state `creating`) and records the operation that realises it.
    pub async fn security_group_create(
        &self,
        new: &NewSecurityGroup,
        op: &NewOperation,
    ) -> Result<(SecurityGroup, Operation), Error> {
        crate::tenants::check_text("description", &new.description)?;
        check_rules(&new.rules)?;
        self.check_remotes(new.project_id, new.site_id, &new.rules, Some(new.id))
            .await?;
        let rules = serde_json::to_string(&new.rules).map_err(Error::internal)?;
        let id = new.id;
        let now = self.now_ms();
        let mut tx = self.begin().await?;
        let pve_name = format!("{}-{}", tenant_prefix(new.tenant_id), suffix(&self.random));
        let inserted = sqlx::query(&format!(
            "INSERT INTO security_groups ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
             'creating', '', '', $9, $9)"
        ))
        .bind(id.to_string())
        .bind(new.tenant_id.to_string())
        .bind(new.project_id.to_string())
        .bind(new.site_id.to_string())
        .bind(new.name.as_str())
        .bind(&new.description)
        .bind(&pve_name)
        .bind(&rules)
        .bind(now)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return Err(Error::AlreadyExists {
                    kind: ResourceKind::SecurityGroup,
                    name: new.name.to_string(),
                })
            }
            Err(e) => return Err(db_error(e)),
        }
        let op = self
            .insert_operation(
                &mut tx,
                op,
                Subject::SecurityGroup(id),
                new.tenant_id,
                new.project_id,
            )
            .await?;
        tx.commit().await?;
        Ok((self.security_group_get(id).await?, op))
    }

    /// Rules naming other groups name groups of the same project at the same site (not itself
    /// being deleted).
    async fn check_remotes(
        &self,
        project: ProjectId,
        site: SiteId,
        rules: &[SgRule],
        itself: Option<SecurityGroupId>,
    ) -> Result<(), Error> {
        for (i, r) in rules.iter().enumerate() {
            let Remote::Group(other) = &r.remote else {
                continue;
            };
            if Some(*other) == itself {
                continue;
            }
            let field = format!("rules[{i}].group");
            match self.security_group_get(*other).await {
                Ok(g) if g.project_id == project && g.site_id == site => {
                    if g.state == SecurityGroupState::Deleting {
                        return Err(Error::invalid(
                            &field,
                            format!("'{}' is being deleted", g.name),
                        ));
                    }
                }
                Ok(_) | Err(Error::NotFound { .. }) => {
                    return Err(Error::invalid(
                        &field,
                        "no such security group of the project at this site",
                    ))
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// A security group by id.
    pub async fn security_group_get(&self, id: SecurityGroupId) -> Result<SecurityGroup, Error> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM security_groups WHERE id = $1"
        ))
        .bind(id.to_string())
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?
        .ok_or_else(|| not_found(&id.to_string()))?;
        group(&row)
    }

    /// A project's security group by name.
    pub async fn security_group_by_name(
        &self,
        project: ProjectId,
        name: &str,
    ) -> Result<SecurityGroup, Error> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM security_groups WHERE project_id = $1 AND name = $2"
        ))
        .bind(project.to_string())
        .bind(name)
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?
        .ok_or_else(|| not_found(name))?;
        group(&row)
    }

    /// A project's security groups, by name, from `after` on (paging).
    pub async fn security_group_list(
        &self,
        project: ProjectId,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<SecurityGroup>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM security_groups WHERE project_id = $1 AND name > $2 \
             ORDER BY name LIMIT $3"
        ))
        .bind(project.to_string())
        .bind(after.unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(group).collect()
    }

    /// The security groups of a project at a site (all of them: what its clusters should hold).
    pub async fn security_groups_at(
        &self,
        project: ProjectId,
        site: SiteId,
    ) -> Result<Vec<SecurityGroup>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM security_groups WHERE project_id = $1 AND site_id = $2 \
             ORDER BY name"
        ))
        .bind(project.to_string())
        .bind(site.to_string())
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(group).collect()
    }

    /// The projects with security groups at a site.
    pub async fn security_group_projects_at(&self, site: SiteId) -> Result<Vec<ProjectId>, Error> {
        let rows = sqlx::query(
            "SELECT DISTINCT project_id FROM security_groups WHERE site_id = $1 ORDER BY project_id",
        )
        .bind(site.to_string())
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(|r| get_id(r, "project_id")).collect()
    }

    /// Replaces a group's rules (and description) and records the operation that makes them so.
    pub async fn security_group_update(
        &self,
        id: SecurityGroupId,
        description: &str,
        rules: &[SgRule],
        op: &NewOperation,
    ) -> Result<(SecurityGroup, Operation), Error> {
        crate::tenants::check_text("description", description)?;
        check_rules(rules)?;
        let g = self.security_group_get(id).await?;
        self.check_remotes(g.project_id, g.site_id, rules, Some(id))
            .await?;
        let text = serde_json::to_string(rules).map_err(Error::internal)?;
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE security_groups SET rules = $1, description = $2 WHERE id = $3")
            .bind(&text)
            .bind(description)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        let op = self
            .begin_on(&mut tx, &g, SecurityGroupState::Updating, op)
            .await?;
        tx.commit().await?;
        Ok((self.security_group_get(id).await?, op))
    }

    /// Moves a settled (ready or failed) group to `to` and records the operation, in `tx`; a
    /// group under way is refused.
    async fn begin_on(
        &self,
        tx: &mut crate::db::Tx,
        g: &SecurityGroup,
        to: SecurityGroupState,
        op: &NewOperation,
    ) -> Result<Operation, Error> {
        let moved = sqlx::query(
            "UPDATE security_groups SET state = $1, error = '', updated_at = $2 \
             WHERE id = $3 AND state IN ('ready', 'failed')",
        )
        .bind(to.as_str())
        .bind(self.now_ms())
        .bind(g.id.to_string())
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
        if moved.rows_affected() == 0 {
            return Err(Error::Conflict(format!(
                "security group '{}' is {}; try again when it is ready",
                g.name,
                g.state.as_str()
            )));
        }
        self.insert_operation(
            tx,
            op,
            Subject::SecurityGroup(g.id),
            g.tenant_id,
            g.project_id,
        )
        .await
    }

    /// Sets a group's state and error.
    pub async fn security_group_set_state(
        &self,
        id: SecurityGroupId,
        state: SecurityGroupState,
        error: &str,
    ) -> Result<(), Error> {
        sqlx::query(
            "UPDATE security_groups SET state = $1, error = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(state.as_str())
        .bind(error)
        .bind(self.now_ms())
        .bind(id.to_string())
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    /// Records what the last look at the clusters found different (empty: nothing).
    pub async fn security_group_set_drift(
        &self,
        id: SecurityGroupId,
        drift: &str,
    ) -> Result<(), Error> {
        sqlx::query("UPDATE security_groups SET drift = $1 WHERE id = $2 AND drift <> $1")
            .bind(drift)
            .bind(id.to_string())
            .execute(&mut *self.write().await?)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    /// Starts deleting a group: refused while guests are in it or other groups' rules name it.
    pub async fn security_group_begin_delete(
        &self,
        id: SecurityGroupId,
        op: &NewOperation,
    ) -> Result<Operation, Error> {
        let g = self.security_group_get(id).await?;
        let mut tx = self.begin().await?;
        let names = crate::db::names_in(
            &mut tx,
            "SELECT g.name FROM guest_security_groups m JOIN guests g ON g.id = m.guest_id \
             WHERE m.group_id = $1 ORDER BY g.name LIMIT 20",
            &id.to_string(),
        )
        .await?;
        if !names.is_empty() {
            return Err(Error::Conflict(format!(
                "security group '{}' is in use by guests {}",
                g.name,
                names.join(", ")
            )));
        }
        let others = self.security_groups_at(g.project_id, g.site_id).await?;
        let naming: Vec<String> = others
            .iter()
            .filter(|o| o.id != id)
            .filter(|o| o.rules.iter().any(|r| r.remote == Remote::Group(id)))
            .map(|o| o.name.to_string())
            .collect();
        if !naming.is_empty() {
            return Err(Error::Conflict(format!(
                "security group '{}' is named by the rules of {}",
                g.name,
                naming.join(", ")
            )));
        }
        let op = self
            .begin_on(&mut tx, &g, SecurityGroupState::Deleting, op)
            .await?;
        tx.commit().await?;
        Ok(op)
    }

    /// Forgets a group (taken down, or its creation undone). Gone already is done.
    pub async fn security_group_remove(&self, id: SecurityGroupId) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        for sql in [
            "DELETE FROM guest_security_groups WHERE group_id = $1",
            "DELETE FROM security_groups WHERE id = $1",
        ] {
            sqlx::query(sql)
                .bind(id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The groups a guest is in, by name.
    pub async fn guest_security_groups(&self, guest: GuestId) -> Result<Vec<SecurityGroup>, Error> {
        let cols: Vec<String> = COLUMNS.split(", ").map(|c| format!("s.{c}")).collect();
        let rows = sqlx::query(&format!(
            "SELECT {} FROM guest_security_groups m JOIN security_groups s ON s.id = m.group_id \
             WHERE m.guest_id = $1 ORDER BY s.name",
            cols.join(", ")
        ))
        .bind(guest.to_string())
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(group).collect()
    }

    /// Makes the guest a member of exactly `groups` (none: of none).
    pub async fn guest_set_security_groups(
        &self,
        guest: GuestId,
        groups: &[SecurityGroupId],
    ) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM guest_security_groups WHERE guest_id = $1")
            .bind(guest.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        join(&mut tx, guest, groups).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The guest leaves all its groups.
    pub async fn guest_leave_security_groups(&self, guest: GuestId) -> Result<(), Error> {
        sqlx::query("DELETE FROM guest_security_groups WHERE guest_id = $1")
            .bind(guest.to_string())
            .execute(&mut *self.write().await?)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    /// The names of the guests in a group, sorted.
    pub async fn security_group_guests(&self, id: SecurityGroupId) -> Result<Vec<String>, Error> {
        let rows = sqlx::query(
            "SELECT g.name FROM guest_security_groups m JOIN guests g ON g.id = m.guest_id \
             WHERE m.group_id = $1 ORDER BY g.name",
        )
        .bind(id.to_string())
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(|r| get_string(r, "name")).collect()
    }

    /// The addresses of a group's members (their NICs on tenant networks), sorted.
    pub async fn security_group_member_addresses(
        &self,
        id: SecurityGroupId,
    ) -> Result<Vec<String>, Error> {
        let rows = sqlx::query(
            "SELECT DISTINCT n.address FROM guest_security_groups m \
             JOIN guest_nics n ON n.guest_id = m.guest_id WHERE m.group_id = $1 ORDER BY n.address",
        )
        .bind(id.to_string())
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        rows.iter().map(|r| get_string(r, "address")).collect()
    }
}
