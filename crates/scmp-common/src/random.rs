//! The one source of randomness of the server and the store: ids, credential secrets, password
//! salts and request ids all come from it. In production it is a ChaCha generator seeded from the
//! operating system (a cryptographically secure generator); a test may seed it to replay a run.
//! Keys and nonces of the cryptographic libraries (the secret sealing key, audit signing keys,
//! TLS) come from those libraries' own OS-backed generators and are never seeded.

use std::sync::{Arc, Mutex};

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use uuid::Uuid;

/// A shared random generator.
#[derive(Clone)]
pub struct Random(Arc<Mutex<StdRng>>);

impl std::fmt::Debug for Random {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Random")
    }
}

impl Random {
    /// Seeded from the operating system.
    pub fn from_os() -> Self {
        Self(Arc::new(Mutex::new(StdRng::from_entropy())))
    }

    /// Seeded with `seed` (for tests: the same seed gives the same ids and secrets).
    pub fn seeded(seed: u64) -> Self {
        Self(Arc::new(Mutex::new(StdRng::seed_from_u64(seed))))
    }

    /// Fills `buf` with random bytes.
    pub fn fill(&self, buf: &mut [u8]) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .fill_bytes(buf);
    }

    /// A random (version 4) UUID.
    pub fn uuid(&self) -> Uuid {
        let mut b = [0u8; 16];
        self.fill(&mut b);
        uuid::Builder::from_random_bytes(b).into_uuid()
    }

    /// A new id of one of the typed ids.
    pub fn id<T: From<Uuid>>(&self) -> T {
        T::from(self.uuid())
    }

    /// `n` random bytes.
    pub fn bytes(&self, n: usize) -> Vec<u8> {
        let mut b = vec![0u8; n];
        self.fill(&mut b);
        b
    }
}

impl Default for Random {
    fn default() -> Self {
        Self::from_os()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_generators_repeat_and_ids_are_v4() {
        let (a, b) = (Random::seeded(7), Random::seeded(7));
        assert_eq!(a.uuid(), b.uuid());
        assert_eq!(a.bytes(32), b.bytes(32));
        assert_eq!(a.uuid().get_version_num(), 4);
        assert_ne!(Random::from_os().uuid(), Random::from_os().uuid());
        let t: crate::TenantId = a.id();
        assert_eq!(t.uuid().get_version_num(), 4);
    }
}
