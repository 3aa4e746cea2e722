//! Password authentication of scmp's own users behind one interface: argon2id hashes in the
//! store. A realm's users are checked elsewhere: by binding to their directory (`directory`,
//! through `app::realm_login`) or by their OpenID provider (`sso`).

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::Argon2;
use async_trait::async_trait;
use scmp_common::Error;
use scmp_store::{DataStore, User};

/// Checks a user name and a password.
#[async_trait]
pub trait PasswordAuthenticator: Send + Sync {
    /// The user, when the password is theirs; `None` for a wrong name or password (the same
    /// answer, in the same time, for both).
    async fn authenticate(&self, username: &str, password: &str) -> Result<Option<User>, Error>;
}

/// Local users: argon2id hashes in the store.
pub struct LocalPasswords {
    store: DataStore,
}

impl LocalPasswords {
    /// Over the store.
    pub fn new(store: DataStore) -> Self {
        Self { store }
    }
}

/// A hash of a password nobody has, checked for unknown users so the time does not tell who exists.
const DUMMY: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2NtcGR1bW15c2FsdA$2yZ4oBfr2m5KQb4jOTDa1bW+l8x/4oRkBvT4oIi2S0A";

#[async_trait]
impl PasswordAuthenticator for LocalPasswords {
    async fn authenticate(&self, username: &str, password: &str) -> Result<Option<User>, Error> {
        let (user, hash) = match self.store.user_lookup(username).await? {
            Some((u, Some(h))) => (Some(u), h),
            _ => (None, DUMMY.to_string()),
        };
        let password = password.to_string();
        // Argon2 is deliberately slow: keep it off the async workers.
        let ok = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|h| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &h)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .map_err(Error::internal)?;
        Ok(user.filter(|_| ok))
    }
}
