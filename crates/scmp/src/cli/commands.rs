//! The client sub-commands. Each calls one API operation; its name follows the operation id.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context as _;
use reqwest::Method;
use serde_json::{json, Value};

use super::client::Api;
use super::config::{Config, Context};
use super::guests::project_id;
use super::output::{print, Format};

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

/// `scmp login`.
#[derive(Debug, clap::Args)]
pub struct Login {
    /// The server, `https://host:8443`.
    #[arg(long)]
    server: String,
    /// The server certificate's SHA-256 fingerprint (its `tls-fingerprint` file).
    #[arg(long)]
    fingerprint: String,
    /// Read an API token from this file.
    #[arg(long, conflicts_with_all = ["username"])]
    token_file: Option<PathBuf>,
    /// Log in with this user name; the password is read from standard input.
    #[arg(long)]
    username: Option<String>,
    /// Name of the context to save.
    #[arg(long, default_value = "default")]
    name: String,
}

/// Amounts for a quota.
#[derive(Debug, Clone, clap::Args)]
pub struct QuotaArgs {
    /// vCPUs.
    #[arg(long, default_value_t = 0)]
    vcpus: u64,
    /// Memory in MiB.
    #[arg(long, default_value_t = 0)]
    memory_mib: u64,
    /// Disk in GiB.
    #[arg(long, default_value_t = 0)]
    disk_gib: u64,
    /// Guests.
    #[arg(long, default_value_t = 0)]
    guests: u64,
}

impl QuotaArgs {
    fn body(&self) -> Value {
        json!({"vcpus": self.vcpus, "memory_mib": self.memory_mib, "disk_gib": self.disk_gib, "guests": self.guests})
    }
}

/// `scmp context ...`
#[derive(Debug, clap::Subcommand)]
pub enum ContextCmd {
    /// List contexts (`*` marks the current one).
    List,
    /// Make a context the current one.
    Use {
        /// Its name.
        name: String,
    },
}

/// `scmp tenant ...`
#[derive(Debug, clap::Subcommand)]
pub enum TenantCmd {
    /// `tenant_list`.
    List,
    /// `tenant_create`.
    Create {
        /// Name.
        name: String,
        /// Description.
        #[arg(long)]
        description: Option<String>,
        /// A country (ISO 3166-1 alpha-2) the tenant's guests may run in; repeat for more.
        #[arg(long = "country")]
        countries: Vec<String>,
        #[command(flatten)]
        quota: QuotaArgs,
    },
    /// `tenant_update`: description, or the countries its guests may run in.
    Update {
        /// Id or name.
        tenant: String,
        /// The new description.
        #[arg(long)]
        description: Option<String>,
        /// A country its guests may run in (repeat for more; `--any-country` lifts the limit).
        #[arg(long = "country")]
        countries: Vec<String>,
        /// Let its guests run in any country.
        #[arg(long, conflicts_with = "countries")]
        any_country: bool,
    },
    /// `tenant_view`.
    View {
        /// Id or name.
        tenant: String,
    },
    /// `tenant_delete`.
    Delete {
        /// Id or name.
        tenant: String,
    },
    /// `tenant_quota_view`.
    QuotaView {
        /// Id or name.
        tenant: String,
    },
    /// `tenant_quota_update`.
    QuotaUpdate {
        /// Id or name.
        tenant: String,
        #[command(flatten)]
        quota: QuotaArgs,
    },
}

/// `scmp project ...`
#[derive(Debug, clap::Subcommand)]
pub enum ProjectCmd {
    /// `project_list`.
    List {
        /// The tenant (id or name).
        #[arg(long)]
        tenant: String,
    },
    /// `project_create`.
    Create {
        /// Name.
        name: String,
        /// The tenant (id or name).
        #[arg(long)]
        tenant: String,
        /// Description.
        #[arg(long)]
        description: Option<String>,
        #[command(flatten)]
        quota: QuotaArgs,
    },
    /// `project_view`.
    View {
        /// `TENANT/PROJECT` or the project id.
        project: String,
    },
    /// `project_delete`.
    Delete {
        /// `TENANT/PROJECT` or the project id.
        project: String,
    },
    /// `project_quota_view`.
    QuotaView {
        /// `TENANT/PROJECT` or the project id.
        project: String,
    },
    /// `project_quota_update`.
    QuotaUpdate {
        /// `TENANT/PROJECT` or the project id.
        project: String,
        #[command(flatten)]
        quota: QuotaArgs,
    },
}

/// `scmp token ...`
#[derive(Debug, clap::Subcommand)]
pub enum TokenCmd {
    /// `token_list`.
    List,
    /// `token_create` (the secret is printed once).
    Create {
        /// Name.
        name: String,
    },
    /// `token_delete`.
    Delete {
        /// Id.
        token: String,
    },
}

/// `scmp site ...`
#[derive(Debug, clap::Subcommand)]
pub enum SiteCmd {
    /// `site_list`.
    List,
    /// `site_update`.
    Update {
        /// Name or id.
        site: String,
        /// Region.
        #[arg(long)]
        region: Option<String>,
        /// Description.
        #[arg(long)]
        description: Option<String>,
    },
    /// `site_delete`.
    Delete {
        /// Name or id.
        site: String,
    },
    /// `site_create`.
    Create {
        /// Name.
        name: String,
        /// ISO 3166-1 alpha-2 country code.
        #[arg(long)]
        country: String,
        /// Region.
        #[arg(long)]
        region: Option<String>,
    },
}

/// `scmp me ...`
#[derive(Debug, clap::Subcommand)]
pub enum MeCmd {
    /// `me_view`.
    View,
}

pub fn api(g: &Global) -> anyhow::Result<Api> {
    let cfg = Config::load()?;
    Api::from_context(cfg.context(g.context.as_deref())?)
}

/// `scmp login`: checks the credential against the server, then saves the context.
pub async fn login(args: Login) -> anyhow::Result<()> {
    let token = match (&args.token_file, &args.username) {
        (Some(f), _) => std::fs::read_to_string(f)
            .with_context(|| format!("reading {}", f.display()))?
            .trim()
            .to_string(),
        (None, Some(user)) => {
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("reading the password from standard input")?;
            let anon = Api::new(&args.server, &args.fingerprint, None)?;
            let session = anon
                .call(Method::POST, "/sessions", Some(json!({"username": user, "password": password.trim_end_matches(['\n', '\r'])})))
                .await?;
            session["token"]
                .as_str()
                .context("the server answered no token")?
                .to_string()
        }
        (None, None) => {
            anyhow::bail!("give --token-file FILE or --username NAME (password on standard input)")
        }
    };
    let me = Api::new(&args.server, &args.fingerprint, Some(token.clone()))?
        .call(Method::GET, "/me", None)
        .await?;
    let mut cfg = Config::load()?;
    cfg.contexts.insert(
        args.name.clone(),
        Context {
            server: args.server.trim_end_matches('/').to_string(),
            fingerprint: args.fingerprint,
            token,
        },
    );
    cfg.current = Some(args.name.clone());
    cfg.save()?;
    println!(
        "logged in as {} (context '{}')",
        me["name"].as_str().unwrap_or("?"),
        args.name
    );
    Ok(())
}

/// `scmp context ...`
pub fn context(cmd: ContextCmd) -> anyhow::Result<()> {
    let mut cfg = Config::load()?;
    match cmd {
        ContextCmd::List => {
            for (name, c) in &cfg.contexts {
                let mark = if cfg.current.as_deref() == Some(name) {
                    "*"
                } else {
                    " "
                };
                println!("{mark} {name}\t{}", c.server);
            }
        }
        ContextCmd::Use { name } => {
            anyhow::ensure!(
                cfg.contexts.contains_key(&name),
                "no context named '{name}'"
            );
            cfg.current = Some(name);
            cfg.save()?;
        }
    }
    Ok(())
}

/// `scmp tenant ...`
pub async fn tenant(cmd: TenantCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let cols: &[&str] = &["name", "id", "quota", "description"];
    let (v, cols) = match cmd {
        TenantCmd::List => (a.list("/tenants").await?, cols),
        TenantCmd::Create {
            name,
            description,
            countries,
            quota,
        } => (
            a.call(
                Method::POST,
                "/tenants",
                Some(
                    json!({"name": name, "description": description, "quota": quota.body(),
                    "countries": countries}),
                ),
            )
            .await?,
            cols,
        ),
        TenantCmd::Update {
            tenant,
            description,
            countries,
            any_country,
        } => {
            let countries = (any_country || !countries.is_empty()).then_some(countries);
            (
                a.call(
                    Method::PUT,
                    &format!("/tenants/{tenant}"),
                    Some(json!({"description": description, "countries": countries})),
                )
                .await?,
                cols,
            )
        }
        TenantCmd::View { tenant } => (
            a.call(Method::GET, &format!("/tenants/{tenant}"), None)
                .await?,
            cols,
        ),
        TenantCmd::Delete { tenant } => (
            a.call(Method::DELETE, &format!("/tenants/{tenant}"), None)
                .await?,
            cols,
        ),
        TenantCmd::QuotaView { tenant } => (
            a.call(Method::GET, &format!("/tenants/{tenant}/quota"), None)
                .await?,
            &[][..],
        ),
        TenantCmd::QuotaUpdate { tenant, quota } => (
            a.call(
                Method::PUT,
                &format!("/tenants/{tenant}/quota"),
                Some(quota.body()),
            )
            .await?,
            &[][..],
        ),
    };
    print(&v, g.output, cols)
}

/// `scmp project ...`
pub async fn project(cmd: ProjectCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let cols: &[&str] = &["name", "id", "quota", "description"];
    let (v, cols) = match cmd {
        ProjectCmd::List { tenant } => {
            (a.list(&format!("/tenants/{tenant}/projects")).await?, cols)
        }
        ProjectCmd::Create {
            name,
            tenant,
            description,
            quota,
        } => (
            a.call(
                Method::POST,
                &format!("/tenants/{tenant}/projects"),
                Some(json!({"name": name, "description": description, "quota": quota.body()})),
            )
            .await?,
            cols,
        ),
        ProjectCmd::View { project } => (
            a.call(
                Method::GET,
                &format!("/projects/{}", project_id(&a, &project).await?),
                None,
            )
            .await?,
            cols,
        ),
        ProjectCmd::Delete { project } => (
            a.call(
                Method::DELETE,
                &format!("/projects/{}", project_id(&a, &project).await?),
                None,
            )
            .await?,
            cols,
        ),
        ProjectCmd::QuotaView { project } => (
            a.call(
                Method::GET,
                &format!("/projects/{}/quota", project_id(&a, &project).await?),
                None,
            )
            .await?,
            &[][..],
        ),
        ProjectCmd::QuotaUpdate { project, quota } => (
            a.call(
                Method::PUT,
                &format!("/projects/{}/quota", project_id(&a, &project).await?),
                Some(quota.body()),
            )
            .await?,
            &[][..],
        ),
    };
    print(&v, g.output, cols)
}

/// `scmp token ...`
pub async fn token(cmd: TokenCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let v = match cmd {
        TokenCmd::List => a.list("/tokens").await?,
        TokenCmd::Create { name } => {
            a.call(Method::POST, "/tokens", Some(json!({"name": name})))
                .await?
        }
        TokenCmd::Delete { token } => {
            a.call(Method::DELETE, &format!("/tokens/{token}"), None)
                .await?
        }
    };
    print(&v, g.output, &[])
}

/// `scmp site ...`
pub async fn site(cmd: SiteCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let v = match cmd {
        SiteCmd::List => a.list("/sites").await?,
        SiteCmd::Update {
            site,
            region,
            description,
        } => {
            a.call(
                Method::PUT,
                &format!("/sites/{site}"),
                Some(json!({"region": region, "description": description})),
            )
            .await?
        }
        SiteCmd::Delete { site } => {
            a.call(Method::DELETE, &format!("/sites/{site}"), None)
                .await?
        }
        SiteCmd::Create {
            name,
            country,
            region,
        } => {
            a.call(
                Method::POST,
                "/sites",
                Some(json!({"name": name, "country": country, "region": region})),
            )
            .await?
        }
    };
    print(&v, g.output, &["name", "country", "region", "id"])
}

/// `scmp me view`.
pub async fn me(_: MeCmd, g: &Global) -> anyhow::Result<()> {
    let v = api(g)?.call(Method::GET, "/me", None).await?;
    print(&v, g.output, &[])
}

/// `scmp audit list`.
pub async fn audit_list(args: &crate::cmd::audit::ListArgs, g: &Global) -> anyhow::Result<()> {
    let v = api(g)?.list(&format!("/audit{}", args.query())).await?;
    print(
        &v,
        g.output,
        &[
            "seq",
            "time",
            "phase",
            "actor.name",
            "actor.tenant",
            "credential.kind",
            "operation",
            "target",
            "result",
            "error",
        ],
    )
}
