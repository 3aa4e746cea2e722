//! The platform's agent CA: the certificate authority that gives site agents their short-lived
//! client certificates. One per platform, kept in the store (its key sealed like the other
//! secrets) so that every replica signs with the same one; made by the first replica that needs it.

use rcgen::{
    BasicConstraints, CertificateParams, CertificateSigningRequestParams, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use scmp_common::{AgentId, Error, SiteId};
use scmp_store::{AgentCertificate, DataStore, StoredCa};
use sha2::{Digest, Sha256};

use crate::secrets::Sealer;

/// How long the CA's own certificate is good for (its agents' certificates are far shorter).
const CA_DAYS: i64 = 3650;

/// A certificate starts a little before it is signed, for clocks that are slightly behind.
const SKEW_S: i64 = 300;

/// The CA, ready to sign.
pub struct AgentCa {
    cert_pem: String,
    sha256: String,
    issuer: rcgen::Certificate,
    key: KeyPair,
}

impl std::fmt::Debug for AgentCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentCa")
            .field("sha256", &self.sha256)
            .finish_non_exhaustive()
    }
}

/// What the CA gave an agent.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The certificate (PEM).
    pub cert_pem: String,
    /// Its serial and end, as the store keeps them.
    pub cert: AgentCertificate,
    /// The agent's public key (hex), as it proves possession of later.
    pub public_key: String,
}

fn time(ms: i64) -> Result<time::OffsetDateTime, Error> {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).map_err(Error::internal)
}

impl AgentCa {
    /// The platform's CA, made and kept on first use.
    pub async fn load_or_create(
        store: &DataStore,
        sealer: &Sealer,
        now_ms: i64,
    ) -> Result<Self, Error> {
        let stored = match store.agent_ca_get().await? {
            Some(s) => s,
            None => {
                let made = Self::generate(sealer, now_ms)?;
                store.agent_ca_init(&made).await?
            }
        };
        Self::from_stored(&stored, sealer)
    }

    fn generate(sealer: &Sealer, now_ms: i64) -> Result<StoredCa, Error> {
        let key = KeyPair::generate().map_err(Error::internal)?;
        let mut params = CertificateParams::default();
        params
            .distinguished_name
            .push(DnType::CommonName, "scmp agent CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = time(now_ms - SKEW_S * 1000)?;
        params.not_after = time(now_ms + CA_DAYS * 86_400_000)?;
        let cert = params.self_signed(&key).map_err(Error::internal)?;
        Ok(StoredCa {
            cert_pem: cert.pem(),
            key_sealed: sealer.seal(&key.serialize_pem())?,
        })
    }

    fn from_stored(stored: &StoredCa, sealer: &Sealer) -> Result<Self, Error> {
        let key = KeyPair::from_pem(&sealer.open(&stored.key_sealed)?)
            .map_err(|e| Error::internal(format!("the agent CA's key does not load: {e}")))?;
        let params = CertificateParams::from_ca_cert_pem(&stored.cert_pem).map_err(|e| {
            Error::internal(format!("the agent CA's certificate does not load: {e}"))
        })?;
        let der = rustls::pki_types::pem::PemObject::from_pem_slice(stored.cert_pem.as_bytes())
            .map(|d: rustls::pki_types::CertificateDer<'static>| d)
            .map_err(|e| Error::internal(format!("the agent CA's certificate: {e}")))?;
        let sha256 = hex::encode(Sha256::digest(der.as_ref()));
        // The issuer's name and key are what signing uses; this copy is never handed out.
        let issuer = params.self_signed(&key).map_err(Error::internal)?;
        Ok(Self {
            cert_pem: stored.cert_pem.clone(),
            sha256,
            issuer,
            key,
        })
    }

    /// The CA certificate (PEM), as agents trust it.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// SHA-256 of the CA certificate (DER, hex): what a join token carries.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Signs an agent's certificate request: the certificate names the agent and its site (so a
    /// connection made with it can speak for that site only), is for client authentication only,
    /// and ends after `lifetime_ms`. The request's own names are not taken.
    pub fn issue(
        &self,
        csr_pem: &str,
        agent: AgentId,
        site: SiteId,
        now_ms: i64,
        lifetime_ms: i64,
        serial: [u8; 16],
    ) -> Result<Issued, Error> {
        let mut csr = CertificateSigningRequestParams::from_pem(csr_pem).map_err(|e| {
            Error::InvalidValue {
                field: "csr".into(),
                message: format!("not a signed certificate request in PEM: {e}"),
            }
        })?;
        let public_key = hex::encode(rcgen::PublicKeyData::der_bytes(&csr.public_key));
        let mut params = CertificateParams::default();
        params
            .distinguished_name
            .push(DnType::CommonName, format!("scmp agent {agent}"));
        params.subject_alt_names = vec![SanType::URI(
            agent_uri(site, agent).try_into().map_err(Error::internal)?,
        )];
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.use_authority_key_identifier_extension = true;
        params.serial_number = Some(SerialNumber::from_slice(&serial));
        params.not_before = time(now_ms - SKEW_S * 1000)?;
        let not_after = now_ms + lifetime_ms;
        params.not_after = time(not_after)?;
        csr.params = params;
        let cert = csr
            .signed_by(&self.issuer, &self.key)
            .map_err(Error::internal)?;
        Ok(Issued {
            cert_pem: cert.pem(),
            cert: AgentCertificate {
                serial: hex::encode(serial),
                not_after: not_after.div_euclid(1000) * 1000,
            },
            public_key,
        })
    }
}

impl AgentCa {
    /// A certificate for the listener agents connect to, for `names` (DNS names or addresses),
    /// with its key (PEM): agents trust it because the CA that issued it is the one their join
    /// token names. Made afresh at every start.
    pub fn issue_server(
        &self,
        names: &[String],
        now_ms: i64,
        lifetime_ms: i64,
    ) -> Result<(String, String), Error> {
        let key = KeyPair::generate().map_err(Error::internal)?;
        let mut params =
            CertificateParams::new(names.to_vec()).map_err(|e| Error::InvalidValue {
                field: "agent_names".into(),
                message: e.to_string(),
            })?;
        params
            .distinguished_name
            .push(DnType::CommonName, "scmp agent endpoint");
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        params.not_before = time(now_ms - SKEW_S * 1000)?;
        params.not_after = time(now_ms + lifetime_ms)?;
        let cert = params
            .signed_by(&key, &self.issuer, &self.key)
            .map_err(Error::internal)?;
        Ok((cert.pem(), key.serialize_pem()))
    }
}

/// The name an agent's certificate carries: its site and itself.
pub fn agent_uri(site: SiteId, agent: AgentId) -> String {
    format!("urn:scmp:site:{site}:agent:{agent}")
}

/// The site and agent an agent certificate's name says, if it is one.
pub fn parse_agent_uri(uri: &str) -> Option<(SiteId, AgentId)> {
    let rest = uri.strip_prefix("urn:scmp:site:")?;
    let (site, agent) = rest.split_once(":agent:")?;
    Some((site.parse().ok()?, agent.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agents_name_round_trips() {
        let (s, a) = (SiteId::new(), AgentId::new());
        assert_eq!(agent_uri(s, a), format!("urn:scmp:site:{s}:agent:{a}"));
        assert_eq!(parse_agent_uri(&agent_uri(s, a)), Some((s, a)));
        assert_eq!(parse_agent_uri("urn:scmp:site:x:agent:y"), None);
        assert_eq!(parse_agent_uri("https://example.com"), None);
    }
}
