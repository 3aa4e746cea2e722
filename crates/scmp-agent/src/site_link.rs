//! The site's end of its WireGuard link to the datacentre: the site's key pair is made here, at
//! the site, and only its public key leaves (the private key stays in a file of mode 0600 that the
//! rendered configurations name); the configurations scmp renders are written beside it for
//! `wg-quick` or systemd-networkd to bring up.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use x25519_dalek::{PublicKey, StaticSecret};

use crate::command::{AgentError, AgentErrorKind};

/// The file of the site's private key in the link directory.
pub const KEY_FILE: &str = "private.key";
/// Where a rendered configuration names the key file; written at the site, it becomes the path
/// of the site's key.
pub const KEY_PLACEHOLDER: &str = "@KEY_FILE@";

fn fail(what: &str, e: impl std::fmt::Display) -> AgentError {
    AgentError::new(AgentErrorKind::Local, format!("site link: {what}: {e}"))
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

/// The public key of a private key, both in WireGuard's base64.
pub fn public_of(private: &str) -> Option<String> {
    let bytes: [u8; 32] = b64().decode(private.trim()).ok()?.try_into().ok()?;
    let secret = StaticSecret::from(bytes);
    Some(b64().encode(PublicKey::from(&secret).as_bytes()))
}

/// The site's public key: its key pair made now when there is none (or `rotate`), else read.
pub fn key(dir: &Path, rotate: bool) -> Result<String, AgentError> {
    std::fs::create_dir_all(dir).map_err(|e| fail("its directory", e))?;
    let path = dir.join(KEY_FILE);
    if !rotate {
        if let Ok(text) = std::fs::read_to_string(&path) {
            if let Some(public) = public_of(&text) {
                return Ok(public);
            }
        }
    }
    let secret = StaticSecret::random();
    let private = b64().encode(secret.to_bytes());
    write_private(&path, &private)?;
    Ok(b64().encode(PublicKey::from(&secret).as_bytes()))
}

/// Writes `text` to `path` through a temporary file, readable by the owner only.
fn write_private(path: &Path, text: &str) -> Result<(), AgentError> {
    let tmp = path.with_extension("tmp");
    let mut f = open_private(&tmp).map_err(|e| fail("writing the key", e))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| fail("writing the key", e))?;
    std::fs::rename(&tmp, path).map_err(|e| fail("writing the key", e))
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::create(path)
}

/// Writes the rendered configurations (file name, text) into the link directory, naming the
/// site's key file where they say `@KEY_FILE@`.
pub fn write(dir: &Path, files: &[(String, String)]) -> Result<Vec<PathBuf>, AgentError> {
    std::fs::create_dir_all(dir).map_err(|e| fail("its directory", e))?;
    let mut out = Vec::new();
    for (name, text) in files {
        let ok = !name.is_empty()
            && name != KEY_FILE
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && !name.starts_with('.');
        if !ok {
            return Err(fail("a file name", name));
        }
        let path = dir.join(name);
        let key = dir.join(KEY_FILE);
        let text = text.replace(KEY_PLACEHOLDER, &key.display().to_string());
        std::fs::write(&path, text).map_err(|e| fail("writing a configuration", e))?;
        out.push(path);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_kept_private_and_rotated() {
        let dir = tempfile::tempdir().unwrap();
        let first = key(dir.path(), false).unwrap();
        assert_eq!(key(dir.path(), false).unwrap(), first, "kept");
        let text = std::fs::read_to_string(dir.path().join(KEY_FILE)).unwrap();
        assert_eq!(public_of(&text).as_deref(), Some(first.as_str()));
        assert_ne!(text.trim(), first, "the file holds the private key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let second = key(dir.path(), true).unwrap();
        assert_ne!(second, first, "rotated");
        assert!(write(dir.path(), &[(KEY_FILE.into(), "x".into())]).is_err());
        assert!(write(dir.path(), &[("../x.conf".into(), "x".into())]).is_err());
        let written = write(
            dir.path(),
            &[(
                "scmp0.conf".into(),
                "PostUp = wg set %i private-key @KEY_FILE@\n".into(),
            )],
        )
        .unwrap();
        let text = std::fs::read_to_string(&written[0]).unwrap();
        assert!(
            text.ends_with(&format!("{}\n", dir.path().join(KEY_FILE).display())),
            "{text}"
        );
    }
}
