//! `scmp realm ...`: the realms users log in through (LDAP, Active Directory, OpenID Connect):
//! list, create and update from a JSON or YAML file of the API's fields (the secret read from
//! standard input, never from a file or the command line), view, delete, test the connection,
//! sync users and groups (with a dry run).

use std::path::PathBuf;

use anyhow::Context;
use reqwest::Method;
use scmp_api::{
    RealmCreate, RealmSyncReport, RealmSyncRequest, RealmTestView, RealmUpdate, RealmView,
    SyncScope,
};

use super::client::query;
use super::output::{print, print_list};
use super::{api, Global};

const REALM_COLUMNS: &[&str] = &["name", "type", "tenant_id", "secret_set", "id"];

/// `scmp realm ...`
#[derive(Debug, clap::Subcommand)]
pub enum RealmCmd {
    /// `realm_list`.
    List {
        /// Only this tenant's.
        #[arg(long)]
        tenant: Option<String>,
    },
    /// `realm_create` from a file of its fields (`name`, `type`, `tenant`, `directory` or
    /// `openid`), JSON or YAML.
    Create {
        /// The file.
        #[arg(long)]
        file: PathBuf,
        /// Read the bind password or client secret from standard input.
        #[arg(long)]
        secret_stdin: bool,
    },
    /// `realm_view`.
    View {
        /// Id or name.
        realm: String,
    },
    /// `realm_update` from a file of the fields to replace (`comment`, `directory`, `openid`).
    Update {
        /// Id or name.
        realm: String,
        /// The file.
        #[arg(long)]
        file: Option<PathBuf>,
        /// Read a new secret from standard input.
        #[arg(long)]
        secret_stdin: bool,
    },
    /// `realm_delete` (refused while it has users).
    Delete {
        /// Id or name.
        realm: String,
    },
    /// `realm_test`: name, connection, TLS, bind and search, each step's result.
    Test {
        /// Id or name.
        realm: String,
    },
    /// `realm_sync`: bring the directory's users and groups over.
    Sync {
        /// Id or name.
        realm: String,
        /// `users`, `groups` or `both`.
        #[arg(long, value_enum, default_value = "both")]
        scope: Scope,
        /// Do not make users scmp has not seen yet.
        #[arg(long)]
        no_new: bool,
        /// Delete the realm's users and groups the directory no longer has.
        #[arg(long)]
        remove_vanished: bool,
        /// Only print what would change.
        #[arg(long)]
        dry_run: bool,
    },
}

/// What a sync brings over.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Scope {
    /// Users and their memberships.
    Users,
    /// Groups.
    Groups,
    /// Both.
    Both,
}

fn read_file<T: serde::de::DeserializeOwned>(path: &PathBuf) -> anyhow::Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_norway::from_str(&text).with_context(|| format!("reading {}", path.display()))
}

fn read_secret(from_stdin: bool) -> anyhow::Result<Option<String>> {
    if !from_stdin {
        return Ok(None);
    }
    let mut s = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
        .context("reading the secret from standard input")?;
    Ok(Some(s.trim_end_matches(['\n', '\r']).to_string()))
}

/// Runs `scmp realm ...`.
pub async fn realm(cmd: RealmCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let o = g.output;
    match cmd {
        RealmCmd::List { tenant } => {
            let path = format!("/realms{}", query(&[("tenant", tenant.as_deref())]));
            print_list(&a.list::<RealmView>(&path).await?, o, REALM_COLUMNS)
        }
        RealmCmd::Create { file, secret_stdin } => {
            let mut body: RealmCreate = read_file(&file)?;
            if let Some(s) = read_secret(secret_stdin)? {
                body.secret = Some(s);
            }
            let r: RealmView = a.call(Method::POST, "/realms", &body).await?;
            print(&r, o, REALM_COLUMNS)
        }
        RealmCmd::View { realm } => {
            let r: RealmView = a.get(&format!("/realms/{realm}")).await?;
            print(&r, o, REALM_COLUMNS)
        }
        RealmCmd::Update {
            realm,
            file,
            secret_stdin,
        } => {
            let mut body: RealmUpdate = match &file {
                Some(f) => read_file(f)?,
                None => RealmUpdate {
                    comment: None,
                    directory: None,
                    openid: None,
                    secret: None,
                    sync: None,
                },
            };
            if let Some(s) = read_secret(secret_stdin)? {
                body.secret = Some(s);
            }
            let r: RealmView = a
                .call(Method::PUT, &format!("/realms/{realm}"), &body)
                .await?;
            print(&r, o, REALM_COLUMNS)
        }
        RealmCmd::Delete { realm } => {
            a.delete(&format!("/realms/{realm}")).await?;
            println!("realm {realm} deleted");
            Ok(())
        }
        RealmCmd::Test { realm } => {
            let t: RealmTestView = a.post(&format!("/realms/{realm}/test")).await?;
            for s in &t.steps {
                println!(
                    "{:<7} {:<4} {}",
                    s.step,
                    if s.ok { "ok" } else { "FAIL" },
                    s.detail
                );
            }
            if t.ok {
                Ok(())
            } else {
                anyhow::bail!("the connection test failed")
            }
        }
        RealmCmd::Sync {
            realm,
            scope,
            no_new,
            remove_vanished,
            dry_run,
        } => {
            let body = RealmSyncRequest {
                scope: match scope {
                    Scope::Users => SyncScope::Users,
                    Scope::Groups => SyncScope::Groups,
                    Scope::Both => SyncScope::Both,
                },
                enable_new: !no_new,
                remove_vanished,
                dry_run,
            };
            let r: RealmSyncReport = a
                .call(Method::POST, &format!("/realms/{realm}/sync"), &body)
                .await?;
            print(&r, o, &[])
        }
    }
}
