//! The data directory holds the audit log, hashed credentials, sealed secrets and the server's keys,
//! so only the user running the server may read it: the directory (and any below it) is `0700` and
//! every file `0600`, as PostgreSQL insists for its own data directory. Checked at every start:
//! looser modes are repaired (and said so in the log); what cannot be repaired (a directory or
//! file of another user) refuses the start with what to do.

use std::path::Path;

use scmp_common::Error;

/// Creates `dir` (and its parents) when missing, for its owner alone.
pub fn create_private_dir(dir: &Path) -> Result<(), Error> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| Error::Unavailable(format!("cannot create {}: {e}", dir.display())))
}

/// Writes a file only its owner can read (a file that exists already is made so too).
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
    restrict(path, false)?;
    f.write_all(bytes)
        .map_err(|e| Error::Unavailable(format!("cannot write {}: {e}", path.display())))
}

/// Creates the data directory when missing and makes it and everything in it private; before
/// SQLite opens it, so the database (and the write-ahead log and shared-memory files SQLite makes
/// with the database's own mode) starts private.
pub fn prepare(dir: &Path, sqlite: bool) -> Result<(), Error> {
    create_private_dir(dir)?;
    if sqlite {
        let db = dir.join("scmp.db");
        if !db.exists() {
            write_private(&db, b"")?;
        }
    }
    secure(dir)
}

/// Makes `dir` and everything below it private (see the module's text).
pub fn secure(dir: &Path) -> Result<(), Error> {
    restrict(dir, true)?;
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::Unavailable(format!("cannot read {}: {e}", dir.display())))?;
    for entry in entries {
        let entry =
            entry.map_err(|e| Error::Unavailable(format!("cannot read {}: {e}", dir.display())))?;
        let path = entry.path();
        let kind = entry
            .file_type()
            .map_err(|e| Error::Unavailable(format!("cannot read {}: {e}", path.display())))?;
        if kind.is_dir() {
            secure(&path)?;
        } else if kind.is_file() {
            restrict(&path, false)?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn restrict(path: &Path, is_dir: bool) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::Unavailable(format!("cannot read {}: {e}", path.display())))?;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 == 0 {
        return Ok(());
    }
    let private = if is_dir { 0o700 } else { 0o600 };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(private)).map_err(|e| {
        Error::Unavailable(format!(
            "{} is readable by other users (mode {mode:04o}) and cannot be made private: {e}; \
             make it {private:04o} and owned by the user that runs scmp",
            path.display()
        ))
    })?;
    tracing::warn!(
        path = %path.display(),
        was = format!("{mode:04o}"),
        now = format!("{private:04o}"),
        "made private: the data directory is for the server's user alone"
    );
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _is_dir: bool) -> Result<(), Error> {
    Ok(())
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn loose_modes_are_repaired() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        prepare(&dir, true).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("scmp.db")), 0o600);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(dir.join("scmp.db-wal"), b"").unwrap();
        std::fs::set_permissions(
            dir.join("scmp.db-wal"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        std::fs::create_dir(dir.join("sites")).unwrap();
        std::fs::set_permissions(dir.join("sites"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        std::fs::write(dir.join("sites/a.token"), b"x").unwrap();
        secure(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("scmp.db-wal")), 0o600);
        assert_eq!(mode(&dir.join("sites")), 0o700);
        assert_eq!(mode(&dir.join("sites/a.token")), 0o600);
        // An existing file written again becomes private too.
        std::fs::write(dir.join("cert.pem"), b"x").unwrap();
        std::fs::set_permissions(dir.join("cert.pem"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        write_private(&dir.join("cert.pem"), b"y").unwrap();
        assert_eq!(mode(&dir.join("cert.pem")), 0o600);
    }
}
