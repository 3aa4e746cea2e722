//! Where a guest runs: the cluster and host placement chose, and its VMID, reserved here before
//! Proxmox is asked to use it (Proxmox's `nextid` reserves nothing), in one transaction with the
//! placement.

use scmp_common::{ClusterId, Error, GuestId};

use crate::db::{db_error, is_unique_violation, DataStore};

impl DataStore {
    /// Records where placement put a guest, and why.
    pub async fn guest_place(
        &self,
        id: GuestId,
        cluster_id: ClusterId,
        node: &str,
        why: &str,
    ) -> Result<(), Error> {
        sqlx::query(
            "UPDATE guests SET cluster_id = $1, node = $2, placement = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(cluster_id.to_string())
        .bind(node)
        .bind(why)
        .bind(self.now_ms())
        .bind(id.to_string())
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    /// Reserves `vmid` on the guest's cluster for the guest. False when another guest holds it.
    pub async fn guest_reserve_vmid(
        &self,
        id: GuestId,
        cluster_id: ClusterId,
        vmid: u32,
    ) -> Result<bool, Error> {
        self.guest_place_and_reserve(id, cluster_id, vmid, None)
            .await
    }

    /// Records where placement put a guest (`placed`: its host and why), when it is not recorded
    /// yet, and reserves `vmid` on that cluster for it, in one transaction. False when another
    /// guest holds the VMID (and nothing is recorded).
    pub async fn guest_place_and_reserve(
        &self,
        id: GuestId,
        cluster_id: ClusterId,
        vmid: u32,
        placed: Option<(&str, &str)>,
    ) -> Result<bool, Error> {
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "INSERT INTO vmid_reservations (cluster_id, vmid, guest_id) VALUES ($1, $2, $3)",
        )
        .bind(cluster_id.to_string())
        .bind(i64::from(vmid))
        .bind(id.to_string())
        .execute(&mut *tx)
        .await;
        match r {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Ok(false),
            Err(e) => return Err(db_error(e)),
        }
        let q = match placed {
            Some((node, why)) => sqlx::query(
                "UPDATE guests SET vmid = $1, updated_at = $2, cluster_id = $4, node = $5, \
                 placement = $6 WHERE id = $3",
            )
            .bind(i64::from(vmid))
            .bind(self.now_ms())
            .bind(id.to_string())
            .bind(cluster_id.to_string())
            .bind(node)
            .bind(why),
            None => sqlx::query("UPDATE guests SET vmid = $1, updated_at = $2 WHERE id = $3")
                .bind(i64::from(vmid))
                .bind(self.now_ms())
                .bind(id.to_string()),
        };
        q.execute(&mut *tx).await.map_err(db_error)?;
        tx.commit().await?;
        Ok(true)
    }

    /// The VMIDs reserved on a cluster from `from` up, in order.
    pub async fn vmids_reserved(
        &self,
        cluster_id: ClusterId,
        from: u32,
    ) -> Result<Vec<u32>, Error> {
        let rows: Vec<i64> = sqlx::query_scalar(
            "SELECT vmid FROM vmid_reservations WHERE cluster_id = $1 AND vmid >= $2 ORDER BY vmid",
        )
        .bind(cluster_id.to_string())
        .bind(i64::from(from))
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .filter_map(|v| u32::try_from(v).ok())
            .collect())
    }
}
