//! Who a request is from: a credential's text (a token, or a session in the portal's cookie)
//! becomes the actor, the user behind it with the credential used and the user's role bindings
//! (its groups' included) as the policy engine reads them.

use scmp_authz::Principal;
use scmp_common::Error;

use crate::context::{Actor, AppState};

impl AppState {
    /// The actor a credential's text stands for; `None` when it is no live credential.
    pub async fn authenticate(&self, text: &str) -> Result<Option<Actor>, Error> {
        let Some((user, credential)) = self
            .store
            .credential_verify(text, self.clock.now_ms())
            .await?
        else {
            return Ok(None);
        };
        // A session that may only set up a second factor holds none of the user's roles.
        let stored = if super::mfa::is_setup_session(&credential) {
            Vec::new()
        } else {
            self.store.bindings_of(user.id).await?
        };
        let principal = Principal {
            id: user.id.to_string(),
            bindings: self.resolve_bindings(&stored).await?,
        };
        Ok(Some(Actor {
            user,
            credential,
            principal,
        }))
    }
}
