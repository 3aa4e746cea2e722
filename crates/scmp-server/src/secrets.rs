//! Secrets at rest: cluster credentials are sealed with AES-256-GCM under the server's secret key,
//! from `SCMP_SECRET_KEY` (64 hex digits) or `DIR/secret-key` (generated on first start, mode 0600).
//! Sealed text: `v1:<nonce hex>:<ciphertext+tag hex>`.

use std::path::Path;

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use scmp_common::Error;

/// Binds sealed values to their use, so one cannot be moved into another field.
const CONTEXT: &[u8] = b"scmp cluster token secret v1";

/// The sealing key.
pub struct Sealer {
    key: LessSafeKey,
    rng: SystemRandom,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(<key>)")
    }
}

impl Sealer {
    /// The key from the environment, or from the data directory (created on first start).
    pub fn load_or_create(dir: &Path) -> Result<Self, Error> {
        let bytes = match std::env::var("SCMP_SECRET_KEY") {
            Ok(hexkey) => hex::decode(hexkey.trim())
                .ok()
                .filter(|k| k.len() == 32)
                .ok_or_else(|| Error::InvalidValue {
                    field: "SCMP_SECRET_KEY".into(),
                    message: "must be 64 hex digits".into(),
                })?,
            Err(_) => {
                let path = dir.join("secret-key");
                if !path.exists() {
                    let mut k = [0u8; 32];
                    SystemRandom::new()
                        .fill(&mut k)
                        .map_err(|_| Error::internal("no randomness"))?;
                    crate::datadir::write_private(&path, hex::encode(k).as_bytes())?;
                }
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    Error::Unavailable(format!("cannot read {}: {e}", path.display()))
                })?;
                hex::decode(text.trim())
                    .ok()
                    .filter(|k| k.len() == 32)
                    .ok_or_else(|| {
                        Error::Unavailable(format!("{} is not a 256-bit hex key", path.display()))
                    })?
            }
        };
        let key =
            UnboundKey::new(&AES_256_GCM, &bytes).map_err(|_| Error::internal("bad key length"))?;
        Ok(Self {
            key: LessSafeKey::new(key),
            rng: SystemRandom::new(),
        })
    }

    /// `N` bytes from the operating system's generator (for secrets, never the seedable source).
    pub fn random_bytes<const N: usize>(&self) -> Result<[u8; N], Error> {
        let mut out = [0u8; N];
        self.rng
            .fill(&mut out)
            .map_err(|_| Error::internal("the system's random generator failed"))?;
        Ok(out)
    }

    /// A secret of `N` random bytes, as lower-case hex.
    pub fn random_hex<const N: usize>(&self) -> Result<String, Error> {
        Ok(hex::encode(self.random_bytes::<N>()?))
    }

    /// Seals a secret.
    pub fn seal(&self, secret: &str) -> Result<String, Error> {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng
            .fill(&mut nonce)
            .map_err(|_| Error::internal("no randomness"))?;
        let mut data = secret.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(CONTEXT),
                &mut data,
            )
            .map_err(|_| Error::internal("sealing failed"))?;
        Ok(format!("v1:{}:{}", hex::encode(nonce), hex::encode(data)))
    }

    /// Opens a sealed secret.
    pub fn open(&self, sealed: &str) -> Result<String, Error> {
        let bad = || Error::internal("a sealed secret cannot be opened (wrong key or damaged)");
        let rest = sealed.strip_prefix("v1:").ok_or_else(bad)?;
        let (nonce, data) = rest.split_once(':').ok_or_else(bad)?;
        let nonce: [u8; NONCE_LEN] = hex::decode(nonce)
            .ok()
            .and_then(|n| n.try_into().ok())
            .ok_or_else(bad)?;
        let mut data = hex::decode(data).map_err(|_| bad())?;
        let plain = self
            .key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(CONTEXT),
                &mut data,
            )
            .map_err(|_| bad())?;
        String::from_utf8(plain.to_vec()).map_err(|_| bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open() {
        let dir = tempfile::tempdir().unwrap();
        let s = Sealer::load_or_create(dir.path()).unwrap();
        let sealed = s.seal("0b1c5e0e-aaaa-bbbb-cccc-123456789012").unwrap();
        assert!(!sealed.contains("0b1c5e0e"));
        assert_ne!(
            sealed,
            s.seal("0b1c5e0e-aaaa-bbbb-cccc-123456789012").unwrap(),
            "fresh nonce each time"
        );
        assert_eq!(
            s.open(&sealed).unwrap(),
            "0b1c5e0e-aaaa-bbbb-cccc-123456789012"
        );
        // Change the last hex digit of the tag (to a different digit, whatever it was).
        let mut damaged = sealed.clone();
        let last = damaged.pop().unwrap();
        damaged.push(if last == '0' { '1' } else { '0' });
        assert!(s.open(&damaged).is_err());
        let other = Sealer::load_or_create(tempfile::tempdir().unwrap().path()).unwrap();
        assert!(other.open(&sealed).is_err(), "another key cannot open it");
    }
}
