//! Named contexts (server, pinned fingerprint, token) in `$SCMP_CONFIG_DIR/config.toml`
//! (default `~/.config/scmp/config.toml`), written with mode 0600 because it holds tokens.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

/// One server and the credential to use there.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// `https://host:8443`.
    pub server: String,
    /// The server certificate's SHA-256 fingerprint.
    pub fingerprint: String,
    /// The bearer token (an API token or a session).
    pub token: String,
}

/// The whole file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The context used when none is named.
    pub current: Option<String>,
    /// Contexts by name.
    #[serde(default)]
    pub contexts: BTreeMap<String, Context>,
}

fn path() -> anyhow::Result<PathBuf> {
    let dir = match std::env::var_os("SCMP_CONFIG_DIR") {
        Some(d) => PathBuf::from(d),
        None => {
            PathBuf::from(std::env::var_os("HOME").context("HOME is not set; set SCMP_CONFIG_DIR")?)
                .join(".config")
                .join("scmp")
        }
    };
    Ok(dir.join("config.toml"))
}

impl Config {
    /// Reads the file (empty when there is none).
    pub fn load() -> anyhow::Result<Self> {
        let p = path()?;
        if !p.exists() {
            return Ok(Self::default());
        }
        let text =
            std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("{} is not a valid scmp configuration", p.display()))
    }

    /// Writes the file (mode 0600).
    pub fn save(&self) -> anyhow::Result<()> {
        use std::io::Write;
        let p = path()?;
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let text = toml::to_string_pretty(self)?;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        opts.open(&p)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .with_context(|| format!("writing {}", p.display()))
    }

    /// The named context, or the current one.
    pub fn context(&self, name: Option<&str>) -> anyhow::Result<&Context> {
        let name = name.or(self.current.as_deref()).context(
            "not logged in: run `scmp login --server URL --fingerprint FP --token-file FILE`",
        )?;
        self.contexts
            .get(name)
            .with_context(|| format!("no context named '{name}'"))
    }
}
