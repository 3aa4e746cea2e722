//! Single sign-on logins under way (state, binding, nonce, PKCE verifier; then the verified user),
//! each giving one session at most, and the ID token behind each such session.

use scmp_common::{CredentialId, Error, RealmId, UserId};
use sqlx::Row;

use crate::db::{db_error, get_id, get_string, DataStore};

/// A login under way, as begun.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoLogin {
    /// The OAuth state.
    pub state: String,
    /// The realm.
    pub realm_id: RealmId,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier, sealed.
    pub verifier_sealed: String,
    /// The redirect URI the login was begun with.
    pub redirect_uri: String,
    /// The user, once the provider's ID token verified.
    pub user_id: Option<UserId>,
    /// That ID token.
    pub id_token: Option<String>,
}

impl DataStore {
    /// Records a login begun; it lasts until `expires_at` (ms).
    pub async fn sso_login_begin(
        &self,
        login: &SsoLogin,
        binding_hash: &str,
        expires_at: i64,
    ) -> Result<(), Error> {
        let now = self.now_ms();
        let mut tx = self.begin().await?;
        // Old ones go as new ones come.
        sqlx::query("DELETE FROM sso_logins WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        sqlx::query(
            "INSERT INTO sso_logins (state, realm_id, binding_hash, nonce, verifier_sealed, \
             redirect_uri, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&login.state)
        .bind(login.realm_id.to_string())
        .bind(binding_hash)
        .bind(&login.nonce)
        .bind(&login.verifier_sealed)
        .bind(&login.redirect_uri)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await
    }

    /// The login with this state and binding, of this realm, while it lasts and gave no session.
    pub async fn sso_login_get(
        &self,
        realm: RealmId,
        state: &str,
        binding_hash: &str,
    ) -> Result<Option<SsoLogin>, Error> {
        let row = sqlx::query(
            "SELECT state, realm_id, nonce, verifier_sealed, redirect_uri, user_id, id_token \
             FROM sso_logins WHERE state = $1 AND binding_hash = $2 AND realm_id = $3 \
             AND used_at IS NULL AND expires_at > $4",
        )
        .bind(state)
        .bind(binding_hash)
        .bind(realm.to_string())
        .bind(self.now_ms())
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(db_error)?;
        let Some(r) = row else { return Ok(None) };
        let user: Option<String> = r.try_get("user_id").map_err(Error::internal)?;
        Ok(Some(SsoLogin {
            state: get_string(&r, "state")?,
            realm_id: get_id(&r, "realm_id")?,
            nonce: get_string(&r, "nonce")?,
            verifier_sealed: get_string(&r, "verifier_sealed")?,
            redirect_uri: get_string(&r, "redirect_uri")?,
            user_id: user
                .map(|u| u.parse())
                .transpose()
                .map_err(Error::internal)?,
            id_token: r.try_get("id_token").map_err(Error::internal)?,
        }))
    }

    /// Keeps the user the provider's verified ID token names (once: false when it was already
    /// kept, the code then having been used).
    pub async fn sso_login_verified(
        &self,
        state: &str,
        user: UserId,
        id_token: &str,
    ) -> Result<bool, Error> {
        let r = sqlx::query(
            "UPDATE sso_logins SET user_id = $1, id_token = $2 \
             WHERE state = $3 AND user_id IS NULL AND used_at IS NULL",
        )
        .bind(user.to_string())
        .bind(id_token)
        .bind(state)
        .execute(&mut *self.write().await?)
        .await
        .map_err(db_error)?;
        Ok(r.rows_affected() == 1)
    }

    /// Marks the login as having given its session (false when one was given already), and
    /// keeps its ID token with that session.
    pub async fn sso_login_finish(
        &self,
        state: &str,
        credential: CredentialId,
    ) -> Result<bool, Error> {
        let now = self.now_ms();
        let mut tx = self.begin().await?;
        let r = sqlx::query(
            "UPDATE sso_logins SET used_at = $1 WHERE state = $2 AND used_at IS NULL \
             AND id_token IS NOT NULL",
        )
        .bind(now)
        .bind(state)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if r.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO sso_sessions (credential_id, realm_id, id_token, created_at) \
             SELECT $1, realm_id, id_token, $2 FROM sso_logins WHERE state = $3",
        )
        .bind(credential.to_string())
        .bind(now)
        .bind(state)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await?;
        Ok(true)
    }

    /// The realm and ID token behind a single sign-on session.
    pub async fn sso_session(
        &self,
        credential: CredentialId,
    ) -> Result<Option<(RealmId, String)>, Error> {
        let row =
            sqlx::query("SELECT realm_id, id_token FROM sso_sessions WHERE credential_id = $1")
                .bind(credential.to_string())
                .fetch_optional(&mut *self.read().await?)
                .await
                .map_err(db_error)?;
        row.map(|r| Ok((get_id(&r, "realm_id")?, get_string(&r, "id_token")?)))
            .transpose()
    }
}
