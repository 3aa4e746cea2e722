//! What every cluster of a site should hold of its tenant networks: the site's ready networks
//! (a cluster added to the site later is given them).

use scmp_common::{Error, SiteId};

use crate::db::{db_error, get_id, DataStore};
use crate::networks::Network;

impl DataStore {
    /// The ready networks at a site.
    pub async fn networks_at_site(&self, site: SiteId) -> Result<Vec<Network>, Error> {
        let rows = sqlx::query(
            "SELECT id FROM networks WHERE site_id = $1 AND state = 'ready' ORDER BY name",
        )
        .bind(site.to_string())
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(self.network_get(get_id(r, "id")?).await?);
        }
        Ok(out)
    }
}
