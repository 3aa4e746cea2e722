//! Reaching a cluster: an API token and a pinned certificate, and checking that the token may do
//! what scmp needs before the cluster is registered.

use std::time::Duration;

use pve_client::{ClientConfig, Credentials, Fingerprint, PveApi, PveClient, RetryPolicy, Trust};
use pve_types::Authid;

/// How to reach one cluster.
#[derive(Clone)]
pub struct ClusterAccess {
    /// `https://host:8006`.
    pub endpoint: String,
    /// `USER@REALM!TOKENID`.
    pub token_id: Authid,
    /// The token secret (in the clear only in memory).
    pub token_secret: String,
    /// The pinned certificate fingerprint.
    pub fingerprint: Fingerprint,
}

impl std::fmt::Debug for ClusterAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterAccess")
            .field("endpoint", &self.endpoint)
            .field("token_id", &self.token_id)
            .field("token_secret", &"<redacted>")
            .finish()
    }
}

/// A client for the cluster (no request is sent yet).
pub fn connect(access: &ClusterAccess) -> Result<PveClient, String> {
    let url = url::Url::parse(&access.endpoint).map_err(|e| format!("endpoint: {e}"))?;
    let mut config = ClientConfig::new(
        url,
        Trust::Fingerprint(access.fingerprint),
        Credentials::Token {
            id: access.token_id.clone(),
            secret: access.token_secret.clone(),
        },
    );
    config.timeout = Duration::from_secs(20);
    config.connect_timeout = Duration::from_secs(5);
    config.retry = RetryPolicy::default();
    PveClient::new(config).map_err(|e| e.to_string())
}

/// What the token must be allowed to do (on `/` or the paths below it).
pub const REQUIRED_PRIVILEGES: &[&str] = &[
    "Sys.Audit",
    "VM.Allocate",
    "VM.Clone",
    "VM.Config.CPU",
    "VM.Config.Memory",
    "VM.Config.Disk",
    "VM.Config.Cloudinit",
    "VM.Config.Options",
    "VM.Config.Network",
    "VM.PowerMgmt",
    "VM.Snapshot",
    // Backups: vzdump, and the backup volumes on the storages.
    "VM.Backup",
    "Datastore.AllocateSpace",
    "Datastore.Audit",
    "Pool.Allocate",
    // Tenant networks: SDN zones, VNets and subnets, and the guests' NICs on them.
    "SDN.Allocate",
    "SDN.Use",
    // Security groups and IP sets live in the cluster's firewall configuration.
    "Sys.Modify",
    // HA resources, groups and rules.
    "Sys.Console",
];

/// The privileges the token lacks (empty when it has all of them).
pub async fn check_privileges(api: &dyn PveApi) -> Result<Vec<&'static str>, pve_client::Error> {
    let perms = api.permissions(None).await?;
    Ok(REQUIRED_PRIVILEGES
        .iter()
        .copied()
        .filter(|p| !perms.values().any(|privs| privs.contains_key(*p)))
        .collect())
}
