//! Signed audit checkpoints: every 100 entries and every 30 seconds the chain's length and head hash
//! are signed with an Ed25519 key kept in `DIR/audit-signing-key` (mode 0600). [`verify`] checks the
//! chain and every checkpoint offline against that key.

use std::path::Path;

use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use scmp_common::Error;
use scmp_store::{Checkpoint, DataStore};

/// Checkpoint after this many entries.
pub const EVERY_ENTRIES: i64 = 100;

/// The signing key.
pub struct Signer {
    key: Ed25519KeyPair,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({})", self.public_key_hex())
    }
}

fn key_path(dir: &Path) -> std::path::PathBuf {
    dir.join("audit-signing-key")
}

impl Signer {
    /// Loads the key from the data directory, creating it on first start.
    pub fn load_or_create(dir: &Path) -> Result<Self, Error> {
        let path = key_path(dir);
        if !path.exists() {
            let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
                .map_err(|_| Error::internal("key generation failed"))?;
            crate::datadir::write_private(&path, pkcs8.as_ref())?;
        }
        let bytes = std::fs::read(&path)
            .map_err(|e| Error::Unavailable(format!("cannot read {}: {e}", path.display())))?;
        let key = Ed25519KeyPair::from_pkcs8(&bytes)
            .map_err(|_| Error::Unavailable(format!("{} is not an Ed25519 key", path.display())))?;
        Ok(Self { key })
    }

    /// The public key, hex.
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.key.public_key().as_ref())
    }

    /// Signs the chain's current head when it moved since the last checkpoint.
    pub async fn checkpoint(&self, store: &DataStore) -> Result<Option<Checkpoint>, Error> {
        let (seq, head_hash) = store.audit_head().await?;
        let last = store
            .audit_checkpoint_list_all()
            .await?
            .last()
            .map(|c| c.seq)
            .unwrap_or(0);
        if seq == 0 || seq == last {
            return Ok(None);
        }
        let time_ms = store.now_ms();
        let message = Checkpoint::message(seq, &head_hash, time_ms);
        let c = Checkpoint {
            seq,
            head_hash,
            time_ms,
            public_key: self.public_key_hex(),
            signature: hex::encode(self.key.sign(message.as_bytes()).as_ref()),
        };
        Ok(store.audit_checkpoint_add(&c).await?.then_some(c))
    }
}

/// What `scmp audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The chain holds and every checkpoint is signed by the key and matches the chain.
    Intact {
        /// Entries.
        entries: i64,
        /// Checkpoints.
        checkpoints: usize,
        /// Entries of the sites' own chains (each signed by its site's agent).
        site_entries: i64,
    },
    /// The first problem found.
    Broken {
        /// The first bad entry (of the central chain, or of the site chain the reason names).
        seq: i64,
        /// Why.
        reason: String,
    },
}

/// Checks the chain, then every checkpoint's signature (with the public key of the key in `dir`) and
/// that its head hash is the chain's hash at that position.
pub async fn verify(store: &DataStore, dir: &Path) -> Result<Verdict, Error> {
    let signer = {
        let path = key_path(dir);
        let bytes = std::fs::read(&path)
            .map_err(|e| Error::Unavailable(format!("cannot read {}: {e}", path.display())))?;
        Ed25519KeyPair::from_pkcs8(&bytes)
            .map_err(|_| Error::Unavailable(format!("{} is not an Ed25519 key", path.display())))?
    };
    verify_with_key(store, signer.public_key().as_ref()).await
}

/// [`verify`] with the public key at hand (the running server's own).
pub async fn verify_with_key(store: &DataStore, public_key: &[u8]) -> Result<Verdict, Error> {
    let public = UnparsedPublicKey::new(&ED25519, public_key.to_vec());
    let entries = match store.audit_verify().await? {
        Ok(n) => n,
        Err(b) => {
            return Ok(Verdict::Broken {
                seq: b.seq,
                reason: b.reason,
            })
        }
    };
    let checkpoints = store.audit_checkpoint_list_all().await?;
    for c in &checkpoints {
        let message = Checkpoint::message(c.seq, &c.head_hash, c.time_ms);
        let signature = hex::decode(&c.signature).unwrap_or_default();
        if public.verify(message.as_bytes(), &signature).is_err() {
            return Ok(Verdict::Broken {
                seq: c.seq,
                reason: "the checkpoint's signature is not valid for the server's key".into(),
            });
        }
        match store.audit_hash_at(c.seq).await? {
            Some(h) if h == c.head_hash => {}
            Some(_) => {
                return Ok(Verdict::Broken {
                    seq: c.seq,
                    reason: "the entry differs from the one the checkpoint signed".into(),
                })
            }
            None => {
                return Ok(Verdict::Broken {
                    seq: c.seq,
                    reason: "an entry a checkpoint signed is missing".into(),
                })
            }
        }
    }
    let site_entries = match crate::site_chains::verify_sites(store).await? {
        Ok(n) => n,
        Err(b) => {
            return Ok(Verdict::Broken {
                seq: b.seq,
                reason: format!(
                    "entry {} of agent {}'s site chain: {}",
                    b.seq, b.agent, b.reason
                ),
            })
        }
    };
    Ok(Verdict::Intact {
        entries,
        checkpoints: checkpoints.len(),
        site_entries,
    })
}
