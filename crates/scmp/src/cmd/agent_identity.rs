//! An enrolled agent's identity in its data directory: `agent.json` (who it is, its site, the
//! platform's agent endpoint, its certificate's life), its key sealed with the directory's own
//! secret key, its certificate and the CA it enrolled under; all private to the agent's user.

use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// What an enrolled agent's directory says about it (`agent.json`).
#[derive(Debug, Serialize, Deserialize)]
pub struct Identity {
    /// The agent.
    pub agent: scmp_common::AgentId,
    /// Its site.
    pub site: scmp_common::SiteId,
    /// The platform's agent endpoint.
    pub server: String,
    /// When its certificate ends.
    pub certificate_expires_at: scmp_common::time::Time,
    /// When it was issued (absent in directories enrolled before this was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_issued_at: Option<scmp_common::time::Time>,
}

/// The identity's file in the agent's directory.
pub const IDENTITY: &str = "agent.json";

/// The identity in `dir`, if there is one.
pub fn load(dir: &Path) -> anyhow::Result<Option<Identity>> {
    match std::fs::read_to_string(dir.join(IDENTITY)) {
        Ok(text) => Ok(Some(serde_json::from_str(&text).with_context(|| {
            format!("{} is not an agent identity", dir.join(IDENTITY).display())
        })?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The agent's certificate, key and CA from its directory.
pub fn credentials(dir: &Path) -> anyhow::Result<scmp_agent::link::Credentials> {
    let sealer = scmp_server::secrets::Sealer::load_or_create(dir)?;
    Ok(scmp_agent::link::Credentials {
        cert_pem: std::fs::read_to_string(dir.join("agent-cert.pem"))?,
        key_pem: sealer.open(std::fs::read_to_string(dir.join("agent-key.sealed"))?.trim())?,
        ca_pem: std::fs::read_to_string(dir.join("agent-ca.pem"))?,
    })
}

/// Renews the certificate of the agent in `dir` and keeps the new one.
pub async fn renew_in(dir: &Path, identity: &mut Identity) -> anyhow::Result<()> {
    let path = dir.join(IDENTITY);
    let sealer = scmp_server::secrets::Sealer::load_or_create(dir)?;
    let key = sealer.open(std::fs::read_to_string(dir.join("agent-key.sealed"))?.trim())?;
    let pin = scmp_agent::enroll::ca_sha256(&std::fs::read_to_string(dir.join("agent-ca.pem"))?)?;
    let renewed = scmp_agent::enroll::renew(&identity.server, &pin, identity.agent, &key).await?;
    scmp_server::datadir::write_private(
        &dir.join("agent-cert.pem"),
        renewed.certificate.as_bytes(),
    )?;
    identity.certificate_expires_at = renewed.agent.certificate_expires_at;
    identity.certificate_issued_at = Some(renewed.agent.renewed_at);
    scmp_server::datadir::write_private(
        &path,
        serde_json::to_string_pretty(&identity)?.as_bytes(),
    )?;
    Ok(())
}

/// Enrolls with a join token and keeps the identity in `dir`.
pub async fn enroll_into(
    dir: &Path,
    server: &str,
    join_token: &str,
) -> anyhow::Result<scmp_agent::enroll::Enrollment> {
    let done = scmp_agent::enroll::enroll(server, join_token).await?;
    keep(dir, server, &done)?;
    Ok(done)
}

/// Writes the identity: the key sealed, everything private to the agent's user.
fn keep(dir: &Path, server: &str, done: &scmp_agent::enroll::Enrollment) -> anyhow::Result<()> {
    use scmp_server::datadir::{create_private_dir, write_private};
    create_private_dir(dir)?;
    let sealer = scmp_server::secrets::Sealer::load_or_create(dir)?;
    write_private(
        &dir.join("agent-key.sealed"),
        sealer.seal(&done.key_pem)?.as_bytes(),
    )?;
    write_private(
        &dir.join("agent-cert.pem"),
        done.enrolled.certificate.as_bytes(),
    )?;
    write_private(
        &dir.join("agent-ca.pem"),
        done.enrolled.ca_certificate.as_bytes(),
    )?;
    let identity = Identity {
        agent: done.enrolled.agent.id,
        site: done.enrolled.agent.site,
        server: server.to_string(),
        certificate_expires_at: done.enrolled.agent.certificate_expires_at,
        certificate_issued_at: Some(done.enrolled.agent.renewed_at),
    };
    write_private(
        &dir.join(IDENTITY),
        serde_json::to_string_pretty(&identity)?.as_bytes(),
    )?;
    Ok(())
}
