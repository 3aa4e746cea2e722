//! The `scmp` client: log in to a server, keep named contexts, and call the API with sub-commands named
//! after its operations (`scmp tenant create` is `tenant_create`), printing tables, JSON or YAML.

pub mod approvals;
pub mod audit;
pub mod backups;
pub mod client;
pub mod commands;
pub mod compliance;
pub mod config;
pub mod guests;
pub mod identity;
pub mod mfa;
pub mod networks;
pub mod output;
pub mod platform;
pub mod policies;
pub mod realms;
pub mod roles;
pub mod sso;

use client::Api;
use config::Config;
use output::Format;

/// Options every client command takes.
#[derive(Debug, clap::Args)]
pub struct Global {
    /// Output format.
    #[arg(
        short = 'o',
        long = "output",
        value_enum,
        default_value = "table",
        global = true
    )]
    pub output: Format,
    /// The context to use (default: the current one).
    #[arg(long, global = true)]
    pub context: Option<String>,
}

/// The API client of the context the command runs in.
pub fn api(g: &Global) -> anyhow::Result<Api> {
    let cfg = Config::load()?;
    Api::from_context(cfg.context(g.context.as_deref())?)
}
