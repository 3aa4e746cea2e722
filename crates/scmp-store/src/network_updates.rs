//! Changing a network's subnets: subnets added, changed (gateway, DHCP range, source NAT) or
//! removed in one transaction with the operation that makes the site's clusters so. A subnet
//! with guests' addresses is not removed, and no change may take an address a guest holds (as
//! the gateway, or inside a DHCP range). What the network had before is kept with the operation,
//! so that a change that fails on a cluster is undone here too.

use std::net::IpAddr;

use scmp_common::{Error, NetworkId};

use crate::db::{db_error, get_string, DataStore};
use crate::networks::{insert_subnet, NewSubnet, Subnet};
use crate::operations::{NewOperation, Operation, Subject};

/// A subnet as kept with an update's operation (to put back).
fn as_new(s: &Subnet) -> NewSubnet {
    NewSubnet {
        cidr: s.cidr.clone(),
        gateway: s.gateway.clone(),
        dhcp: s.dhcp.clone(),
        snat: s.snat,
    }
}

/// The subnets as an operation's input keeps them.
pub fn subnets_json(subnets: &[NewSubnet]) -> serde_json::Value {
    serde_json::Value::Array(
        subnets
            .iter()
            .map(|s| {
                serde_json::json!({
                    "cidr": s.cidr, "gateway": s.gateway, "snat": s.snat,
                    "dhcp": s.dhcp.as_ref().map(|(a, b)| vec![a.clone(), b.clone()]),
                })
            })
            .collect(),
    )
}

/// The subnets an operation's input keeps.
pub fn subnets_from_json(v: &serde_json::Value) -> Option<Vec<NewSubnet>> {
    v.as_array()?
        .iter()
        .map(|s| {
            let text = |k: &str| s.get(k).and_then(|x| x.as_str()).map(str::to_string);
            let dhcp = match s.get("dhcp").and_then(|d| d.as_array()) {
                Some(d) if d.len() == 2 => {
                    Some((d[0].as_str()?.to_string(), d[1].as_str()?.to_string()))
                }
                _ => None,
            };
            Some(NewSubnet {
                cidr: text("cidr")?,
                gateway: text("gateway").unwrap_or_default(),
                dhcp,
                snat: s.get("snat").and_then(|x| x.as_bool()).unwrap_or(false),
            })
        })
        .collect()
}

impl DataStore {
    /// The addresses guests hold in a subnet.
    async fn held_in(tx: &mut crate::db::Tx, subnet: &Subnet) -> Result<Vec<IpAddr>, Error> {
        let rows = sqlx::query("SELECT address FROM addresses WHERE subnet_id = $1")
            .bind(subnet.id.to_string())
            .fetch_all(&mut **tx)
            .await
            .map_err(db_error)?;
        rows.iter()
            .map(|r| get_string(r, "address")?.parse().map_err(Error::internal))
            .collect()
    }

    /// Replaces a ready network's subnets (and description), recording the operation that makes
    /// its clusters so; answers it. `previous` of its input is what the network had.
    pub async fn network_begin_update(
        &self,
        id: NetworkId,
        description: &str,
        subnets: &[NewSubnet],
        op: &NewOperation,
    ) -> Result<Operation, Error> {
        crate::tenants::check_text("description", description)?;
        let n = self.network_get(id).await?;
        let mut op = op.clone();
        let before: Vec<NewSubnet> = n.subnets.iter().map(as_new).collect();
        op.params["previous"] = subnets_json(&before);
        op.params["previous_description"] = serde_json::json!(n.description);
        let mut tx = self.begin().await?;
        let moved = sqlx::query(
            "UPDATE networks SET state = 'updating', error = '', description = $1, updated_at = $2 \
             WHERE id = $3 AND state = 'ready'",
        )
        .bind(description)
        .bind(self.now_ms())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if moved.rows_affected() == 0 {
            return Err(Error::Conflict(format!(
                "network '{}' is {}; try again when it is ready",
                n.name,
                n.state.as_str()
            )));
        }
        for (i, old) in n.subnets.iter().enumerate() {
            let held = Self::held_in(&mut tx, old).await?;
            match subnets.iter().find(|s| s.cidr == old.cidr) {
                None if !held.is_empty() => {
                    return Err(Error::Conflict(format!(
                        "subnet {} holds guests' addresses ({}); it stays",
                        old.cidr,
                        held.iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )))
                }
                None => drop_subnet(&mut tx, old).await?,
                Some(new) => {
                    check_held(i, new, &held)?;
                    set_subnet(&mut tx, old, new).await?;
                }
            }
        }
        for s in subnets
            .iter()
            .filter(|s| !n.subnets.iter().any(|o| o.cidr == s.cidr))
        {
            insert_subnet(&mut tx, &self.random, id, s).await?;
        }
        let op = self
            .insert_operation(
                &mut tx,
                &op,
                Subject::Network(id),
                n.tenant_id,
                n.project_id,
            )
            .await?;
        tx.commit().await?;
        Ok(op)
    }

    /// Puts back the subnets and description a failed update replaced (the subnets the update
    /// added hold no addresses yet: nothing could be given from them meanwhile).
    pub async fn network_restore(
        &self,
        id: NetworkId,
        description: &str,
        subnets: &[NewSubnet],
    ) -> Result<(), Error> {
        let n = self.network_get(id).await?;
        let mut tx = self.begin().await?;
        for old in &n.subnets {
            match subnets.iter().find(|s| s.cidr == old.cidr) {
                None => drop_subnet(&mut tx, old).await?,
                Some(s) => set_subnet(&mut tx, old, s).await?,
            }
        }
        for s in subnets
            .iter()
            .filter(|s| !n.subnets.iter().any(|o| o.cidr == s.cidr))
        {
            insert_subnet(&mut tx, &self.random, id, s).await?;
        }
        sqlx::query("UPDATE networks SET description = $1 WHERE id = $2")
            .bind(description)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await?;
        Ok(())
    }
}

/// A kept subnet's gateway, DHCP range and source NAT as `new` has them.
async fn set_subnet(tx: &mut crate::db::Tx, old: &Subnet, new: &NewSubnet) -> Result<(), Error> {
    let (start, end) = new.dhcp.clone().unwrap_or_default();
    sqlx::query(
        "UPDATE subnets SET gateway = $1, dhcp_start = $2, dhcp_end = $3, snat = $4 WHERE id = $5",
    )
    .bind(&new.gateway)
    .bind(start)
    .bind(end)
    .bind(i64::from(new.snat))
    .bind(old.id.to_string())
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(())
}

/// A subnet left out.
async fn drop_subnet(tx: &mut crate::db::Tx, old: &Subnet) -> Result<(), Error> {
    sqlx::query("DELETE FROM subnets WHERE id = $1")
        .bind(old.id.to_string())
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    Ok(())
}

/// No address a guest holds becomes the gateway or falls in the DHCP range.
fn check_held(i: usize, s: &NewSubnet, held: &[IpAddr]) -> Result<(), Error> {
    let parse = |t: &str| t.parse::<IpAddr>().ok();
    if let Some(g) = parse(&s.gateway) {
        if held.contains(&g) {
            return Err(Error::Conflict(format!(
                "subnets[{i}].gateway: {g} is a guest's address"
            )));
        }
    }
    if let Some((a, b)) = &s.dhcp {
        if let (Some(a), Some(b)) = (parse(a), parse(b)) {
            if let Some(h) = held.iter().find(|h| **h >= a && **h <= b) {
                return Err(Error::Conflict(format!(
                    "subnets[{i}]: the DHCP range would take {h}, a guest's address"
                )));
            }
        }
    }
    Ok(())
}
