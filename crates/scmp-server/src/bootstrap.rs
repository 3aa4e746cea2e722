//! First start on an empty store: the platform administrator and its token, written once to
//! `DIR/admin-token` (mode 0600). Nothing else ever prints or stores the token in the clear.

use std::path::Path;

use scmp_common::{Error, Name};
use scmp_store::{CredentialKind, DataStore};

/// Creates the administrator when the store has no user.
pub async fn first_start(store: &DataStore, dir: &Path) -> Result<(), Error> {
    if store.user_count().await? > 0 {
        return Ok(());
    }
    let name = Name::new("admin").map_err(Error::internal)?;
    let admin = store.user_create(&name, "", None, None).await?;
    store
        .binding_create(&admin.id, "platform-admin", None, None)
        .await?;
    let token = store
        .credential_issue(&admin.id, CredentialKind::Token, "bootstrap", None)
        .await?;
    write_private(
        &dir.join("admin-token"),
        format!("{}\n", token.text).as_bytes(),
    )?;
    tracing::info!(path = %dir.join("admin-token").display(), "created the platform administrator; its token is in the file");
    Ok(())
}

/// Writes a file only its owner can read.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .map_err(|e| Error::Unavailable(format!("cannot write {}: {e}", path.display())))?;
    f.write_all(bytes).map_err(Error::internal)
}
