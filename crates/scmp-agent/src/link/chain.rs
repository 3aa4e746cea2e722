//! The site's audit chain: every entry of what was done at the site through its own API is
//! hashed over the entry before it and signed with the agent's enrolled key (ECDSA P-256), so the
//! centre, and `scmp audit verify` offline, can tell that the entries came from the site's agent,
//! unchanged, in order, with none left out. The entry keeps the exact text that was hashed and
//! signed, so checking it never depends on how a later version would write the same event.

use ring::rand::SystemRandom;
use ring::signature::{
    EcdsaKeyPair, UnparsedPublicKey, ECDSA_P256_SHA256_ASN1, ECDSA_P256_SHA256_ASN1_SIGNING,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Something done at the site through its own API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalEvent {
    /// When (ms, the site's clock).
    pub at_ms: i64,
    /// The operation (`guest_stop`, ...).
    pub operation: String,
    /// The guest it was done to.
    pub guest: scmp_common::GuestId,
    /// How the caller authenticated.
    pub method: scmp_common::AuthMethod,
    /// Where the request came from.
    pub source: String,
    /// Why it failed (absent: it was done).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The Proxmox tasks it waited for.
    #[serde(default)]
    pub upids: Vec<String>,
    /// The guest it made (`guest_create`), for the centre to give it a record of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made: Option<LocalGuest>,
    /// Who did it, when a user of the identity cache (absent: the break-glass credential).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<SiteActor>,
}

/// A user of the site's identity cache who acted there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteActor {
    /// The user.
    pub user: scmp_common::UserId,
    /// Its name then.
    pub name: scmp_common::Name,
    /// Its tenant.
    pub tenant: Option<scmp_common::TenantId>,
    /// The credential used.
    pub credential: scmp_common::CredentialId,
    /// Its name (a token's name; `login` for a session opened at the site).
    pub credential_name: String,
}

/// A guest the site made on its own, within its project's offline budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalGuest {
    /// Its project.
    pub project: scmp_common::ProjectId,
    /// The project's tenant.
    pub tenant: scmp_common::TenantId,
    /// Its name.
    pub name: scmp_common::Name,
    /// VM or container.
    pub kind: scmp_common::GuestKind,
    /// The catalog image it was made from.
    pub image: scmp_common::ImageId,
    /// vCPUs.
    pub vcpus: u64,
    /// Memory.
    pub memory_mib: u64,
    /// Root disk.
    pub disk_gib: u64,
    /// Its host.
    pub node: String,
    /// Its VMID.
    pub vmid: u32,
    /// Whether it was started.
    pub running: bool,
    /// User tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// What the first entry follows.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry of a site's audit chain, as it travels and as the centre keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteAuditEntry {
    /// Its place in the site's chain (from 1).
    pub seq: u64,
    /// The hash of the entry before it ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// What was done: a [`LocalEvent`] as JSON, the exact text hashed.
    pub body: String,
    /// SHA-256 (hex) over the domain, `seq`, `prev_hash` and `body`.
    pub hash: String,
    /// The agent's ECDSA P-256 signature (ASN.1 DER, hex) of the hash.
    pub signature: String,
}

/// Why an entry does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// Its hash is not that of its content.
    #[error("its content was changed")]
    Changed,
    /// The signature is not the agent's.
    #[error("it is not signed by the site's agent")]
    Signature,
    /// It does not follow the entry before it.
    #[error("it does not follow the entry before it")]
    Order,
    /// An entry is missing before it.
    #[error("an entry is missing before it")]
    Missing,
    /// Its body is not an event.
    #[error("its body is not a site event: {0}")]
    Body(String),
}

/// The hash an entry must carry.
pub fn entry_hash(seq: u64, prev_hash: &str, body: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"scmp-site-audit-v1\n");
    h.update(seq.to_string().as_bytes());
    h.update(b"\n");
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(body.as_bytes());
    hex::encode(h.finalize())
}

/// Signs the site's entries with the agent's key.
pub struct ChainSigner {
    key: EcdsaKeyPair,
    rng: SystemRandom,
}

impl std::fmt::Debug for ChainSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChainSigner")
    }
}

impl ChainSigner {
    /// The signer of the agent whose key this is (PEM, PKCS #8, as enrollment made it).
    pub fn from_pem(key_pem: &str) -> Result<Self, String> {
        let pair = rcgen::KeyPair::from_pem(key_pem).map_err(|e| e.to_string())?;
        let rng = SystemRandom::new();
        let key =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &pair.serialize_der(), &rng)
                .map_err(|e| format!("the agent's key is not ECDSA P-256: {e}"))?;
        Ok(Self { key, rng })
    }

    /// The entry `seq` after the one whose hash is `prev_hash`, for `event`.
    pub fn seal(
        &self,
        seq: u64,
        prev_hash: &str,
        event: &LocalEvent,
    ) -> Result<SiteAuditEntry, String> {
        let body = serde_json::to_string(event).map_err(|e| e.to_string())?;
        let hash = entry_hash(seq, prev_hash, &body);
        let signature = self
            .key
            .sign(&self.rng, hash.as_bytes())
            .map_err(|e| e.to_string())?;
        Ok(SiteAuditEntry {
            seq,
            prev_hash: prev_hash.to_string(),
            body,
            hash,
            signature: hex::encode(signature.as_ref()),
        })
    }
}

/// Checks one entry on its own: its hash, its signature by the agent whose public key (the
/// uncompressed point, as enrollment recorded it) is `public_key`; answers its event.
pub fn verify_entry(public_key: &[u8], e: &SiteAuditEntry) -> Result<LocalEvent, ChainError> {
    if entry_hash(e.seq, &e.prev_hash, &e.body) != e.hash {
        return Err(ChainError::Changed);
    }
    let signature = hex::decode(&e.signature).map_err(|_| ChainError::Signature)?;
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, public_key)
        .verify(e.hash.as_bytes(), &signature)
        .map_err(|_| ChainError::Signature)?;
    serde_json::from_str(&e.body).map_err(|err| ChainError::Body(err.to_string()))
}

/// Where a check of a whole chain has got to.
#[derive(Debug, Clone)]
pub struct ChainCheck {
    expected: u64,
    prev: String,
}

impl Default for ChainCheck {
    fn default() -> Self {
        Self {
            expected: 1,
            prev: GENESIS.to_string(),
        }
    }
}

impl ChainCheck {
    /// Checks the next entry (entries in the order of their numbers).
    pub fn next(&mut self, public_key: &[u8], e: &SiteAuditEntry) -> Result<(), ChainError> {
        if e.seq != self.expected {
            return Err(ChainError::Missing);
        }
        if e.prev_hash != self.prev {
            return Err(ChainError::Order);
        }
        verify_entry(public_key, e)?;
        self.prev.clone_from(&e.hash);
        self.expected += 1;
        Ok(())
    }

    /// How many entries held.
    pub fn count(&self) -> u64 {
        self.expected - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scmp_common::{AuthMethod, GuestId};

    fn event(n: i64) -> LocalEvent {
        LocalEvent {
            at_ms: n,
            operation: "guest_stop".into(),
            guest: GuestId::new(),
            method: AuthMethod::BreakGlass,
            source: "127.0.0.1".into(),
            error: None,
            upids: vec![],
            made: None,
            actor: None,
        }
    }

    fn chain(n: u64) -> (Vec<u8>, Vec<SiteAuditEntry>) {
        let key = rcgen::KeyPair::generate().expect("key");
        let public = rcgen::PublicKeyData::der_bytes(&key).to_vec();
        let signer = ChainSigner::from_pem(&key.serialize_pem()).expect("signer");
        let mut prev = GENESIS.to_string();
        let mut out = Vec::new();
        for seq in 1..=n {
            let e = signer.seal(seq, &prev, &event(seq as i64)).expect("seal");
            prev.clone_from(&e.hash);
            out.push(e);
        }
        (public, out)
    }

    fn check(public: &[u8], entries: &[SiteAuditEntry]) -> Result<u64, (u64, ChainError)> {
        let mut c = ChainCheck::default();
        for e in entries {
            c.next(public, e).map_err(|err| (e.seq, err))?;
        }
        Ok(c.count())
    }

    #[test]
    fn an_intact_chain_holds() {
        let (public, entries) = chain(5);
        assert_eq!(check(&public, &entries), Ok(5));
    }

    #[test]
    fn a_changed_dropped_reordered_or_foreign_entry_is_found() {
        let (public, entries) = chain(4);
        let mut changed = entries.clone();
        changed[1].body = changed[1].body.replace("guest_stop", "guest_start");
        assert_eq!(check(&public, &changed), Err((2, ChainError::Changed)));

        let mut dropped = entries.clone();
        dropped.remove(2);
        assert_eq!(check(&public, &dropped), Err((4, ChainError::Missing)));

        let mut swapped = entries.clone();
        swapped.swap(1, 2);
        assert_eq!(check(&public, &swapped), Err((3, ChainError::Missing)));

        // Rehashed after the change, but then the signature is not the agent's.
        let mut rehashed = changed.clone();
        rehashed[1].hash = entry_hash(2, &rehashed[1].prev_hash, &rehashed[1].body);
        assert_eq!(check(&public, &rehashed), Err((2, ChainError::Signature)));

        let (other, _) = chain(1);
        assert_eq!(check(&other, &entries), Err((1, ChainError::Signature)));
    }
}
