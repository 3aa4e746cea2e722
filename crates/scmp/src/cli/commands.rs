//! The client sub-commands. Each calls one API operation; its name follows the operation id.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context as _;
use reqwest::Method;
use scmp_api::*;
use scmp_common::{Country, Name};

use super::client::{project_id, Api};
use super::config::{Config, Context};
use super::output::{print, print_list};
use super::{api, Global};

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
    /// Log in with this user name (`user@realm` for a directory's user); the password is read
    /// from standard input.
    #[arg(long)]
    username: Option<String>,
    /// The realm to log in through, when the user name does not say it.
    #[arg(long, requires = "username")]
    realm: Option<String>,
    /// Sign on through this OpenID realm in the browser (the provider's URL is printed; the
    /// redirect comes back to a listener on a loopback port).
    #[arg(long, conflicts_with_all = ["token_file", "username"])]
    sso: Option<String>,
    /// The current code of your authenticator, when you have one.
    #[arg(long, conflicts_with = "recovery_code")]
    totp: Option<String>,
    /// Or one of your recovery codes (each works once).
    #[arg(long, requires = "username")]
    recovery_code: Option<String>,
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
    /// Tenant networks.
    #[arg(long, default_value_t = 0)]
    networks: u64,
    /// Public addresses.
    #[arg(long, default_value_t = 0)]
    public_addresses: u64,
}

impl QuotaArgs {
    fn body(&self) -> ResourcesBody {
        ResourcesBody {
            vcpus: self.vcpus,
            memory_mib: self.memory_mib,
            disk_gib: self.disk_gib,
            guests: self.guests,
            networks: self.networks,
            public_addresses: self.public_addresses,
        }
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
        name: Name,
        /// Description.
        #[arg(long)]
        description: Option<String>,
        /// A country (ISO 3166-1 alpha-2) the tenant's guests may run in; repeat for more.
        #[arg(long = "country")]
        countries: Vec<Country>,
        #[command(flatten)]
        quota: QuotaArgs,
    },
    /// `tenant_update`: description, the countries its guests may run in, or whether its users
    /// must have a second factor.
    Update {
        /// Id or name.
        tenant: String,
        /// The new description.
        #[arg(long)]
        description: Option<String>,
        /// A country its guests may run in (repeat for more; `--any-country` lifts the limit).
        #[arg(long = "country")]
        countries: Vec<Country>,
        /// Let its guests run in any country.
        #[arg(long, conflicts_with = "countries")]
        any_country: bool,
        /// Whether its users must have a second factor (`true` or `false`).
        #[arg(long)]
        require_mfa: Option<bool>,
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
        name: Name,
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
    /// `site_budget_list`: the project's offline budgets at sites.
    BudgetList {
        /// `TENANT/PROJECT` or the project id.
        project: String,
    },
    /// `site_budget_set`: what a site may create for the project while cut off, reserved out of
    /// its quota now (set it again to renew it).
    BudgetSet {
        /// `TENANT/PROJECT` or the project id.
        project: String,
        /// The site (name or id).
        #[arg(long)]
        site: String,
        #[command(flatten)]
        budget: QuotaArgs,
        /// Seconds it stays valid (30 days when left out).
        #[arg(long)]
        valid_for_s: Option<u64>,
    },
    /// `site_budget_withdraw`: what the site did not use goes back to the project.
    BudgetWithdraw {
        /// `TENANT/PROJECT` or the project id.
        project: String,
        /// The site (name or id).
        #[arg(long)]
        site: String,
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
        /// A group whose members the site's identity cache holds (repeat it; `--offline-group ""`
        /// empties the list).
        #[arg(long = "offline-group")]
        offline_groups: Vec<String>,
    },
    /// `site_delete`.
    Delete {
        /// Name or id.
        site: String,
    },
    /// `site_create`.
    Create {
        /// Name.
        name: Name,
        /// ISO 3166-1 alpha-2 country code.
        #[arg(long)]
        country: Country,
        /// Region.
        #[arg(long)]
        region: Option<String>,
    },
    /// `join_token_create`: a single-use join token for the site's agent (shown once).
    JoinToken {
        /// Name or id.
        site: String,
        /// Seconds until it expires (60 to 604800; 3600 when not given).
        #[arg(long)]
        expires_in: Option<u64>,
    },
    /// `join_token_list`: a site's join tokens (never their secrets).
    JoinTokens {
        /// Name or id.
        site: String,
    },
    /// `join_token_delete`: withdraws a join token that was not used.
    JoinTokenDelete {
        /// Join token id.
        token: String,
    },
    /// `agent_list`: a site's agents.
    Agents {
        /// Name or id.
        site: String,
    },
    /// `agent_view`: one of the sites' agents.
    Agent {
        /// Agent id.
        agent: String,
    },
    /// `agent_revoke`: revokes an agent for good.
    AgentRevoke {
        /// Agent id.
        agent: String,
    },
}

/// `scmp me ...`
#[derive(Debug, clap::Subcommand)]
pub enum MeCmd {
    /// `me_view`.
    View,
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
            let login = SessionCreate {
                username: user.clone(),
                password: password.trim_end_matches(['\n', '\r']).to_string(),
                realm: args.realm.clone(),
                totp: args.totp.clone(),
                recovery_code: args.recovery_code.clone(),
            };
            let session: SessionView = anon.call(Method::POST, "/sessions", &login).await?;
            if session.mfa_setup {
                eprintln!(
                    "your tenant requires a second factor: this session may only set one up \
                     (`scmp mfa enroll`, then `scmp mfa confirm --code ...`) and lasts 15 minutes; \
                     log in again with --totp afterwards"
                );
            }
            session.token
        }
        (None, None) => match &args.sso {
            Some(realm) => {
                let anon = Api::new(&args.server, &args.fingerprint, None)?;
                let session = super::sso::sign_on(&anon, realm, args.totp.clone()).await?;
                session.token
            }
            None => anyhow::bail!(
                "give --token-file FILE, --username NAME (password on standard input) or --sso REALM"
            ),
        },
    };
    let me: MeView = Api::new(&args.server, &args.fingerprint, Some(token.clone()))?
        .get("/me")
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
    println!("logged in as {} (context '{}')", me.name, args.name);
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

const TENANT_COLUMNS: &[&str] = &["name", "id", "quota", "description"];
const PROJECT_COLUMNS: &[&str] = &["name", "id", "quota", "description"];
const BUDGET_COLUMNS: &[&str] = &["site", "granted", "used", "valid_until", "pending"];

/// `scmp tenant ...`
pub async fn tenant(cmd: TenantCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let o = g.output;
    match cmd {
        TenantCmd::List => print_list(&a.list::<TenantView>("/tenants").await?, o, TENANT_COLUMNS),
        TenantCmd::Create {
            name,
            description,
            countries,
            quota,
        } => {
            let body = TenantCreate {
                name,
                description,
                quota: Some(quota.body()),
                countries: (!countries.is_empty()).then_some(countries),
            };
            let t: TenantView = a.call(Method::POST, "/tenants", &body).await?;
            print(&t, o, TENANT_COLUMNS)
        }
        TenantCmd::Update {
            tenant,
            description,
            countries,
            any_country,
            require_mfa,
        } => {
            let body = TenantUpdate {
                description,
                countries: (any_country || !countries.is_empty()).then_some(countries),
                require_mfa,
            };
            let t: TenantView = a
                .call(Method::PUT, &format!("/tenants/{tenant}"), &body)
                .await?;
            print(&t, o, TENANT_COLUMNS)
        }
        TenantCmd::View { tenant } => {
            let t: TenantView = a.get(&format!("/tenants/{tenant}")).await?;
            print(&t, o, TENANT_COLUMNS)
        }
        TenantCmd::Delete { tenant } => a.delete(&format!("/tenants/{tenant}")).await,
        TenantCmd::QuotaView { tenant } => {
            let q: QuotaBody = a.get(&format!("/tenants/{tenant}/quota")).await?;
            print(&q, o, &[])
        }
        TenantCmd::QuotaUpdate { tenant, quota } => {
            let q: QuotaBody = a
                .call(
                    Method::PUT,
                    &format!("/tenants/{tenant}/quota"),
                    &quota.body(),
                )
                .await?;
            print(&q, o, &[])
        }
    }
}

/// `scmp project ...`
pub async fn project(cmd: ProjectCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let o = g.output;
    match cmd {
        ProjectCmd::List { tenant } => {
            let list: Vec<ProjectView> = a.list(&format!("/tenants/{tenant}/projects")).await?;
            print_list(&list, o, PROJECT_COLUMNS)
        }
        ProjectCmd::Create {
            name,
            tenant,
            description,
            quota,
        } => {
            let body = ProjectCreate {
                name,
                description,
                quota: Some(quota.body()),
            };
            let p: ProjectView = a
                .call(Method::POST, &format!("/tenants/{tenant}/projects"), &body)
                .await?;
            print(&p, o, PROJECT_COLUMNS)
        }
        ProjectCmd::View { project } => {
            let id = project_id(&a, &project).await?;
            let p: ProjectView = a.get(&format!("/projects/{id}")).await?;
            print(&p, o, PROJECT_COLUMNS)
        }
        ProjectCmd::Delete { project } => {
            let id = project_id(&a, &project).await?;
            a.delete(&format!("/projects/{id}")).await
        }
        ProjectCmd::QuotaView { project } => {
            let id = project_id(&a, &project).await?;
            let q: QuotaBody = a.get(&format!("/projects/{id}/quota")).await?;
            print(&q, o, &[])
        }
        ProjectCmd::QuotaUpdate { project, quota } => {
            let id = project_id(&a, &project).await?;
            let q: QuotaBody = a
                .call(Method::PUT, &format!("/projects/{id}/quota"), &quota.body())
                .await?;
            print(&q, o, &[])
        }
        ProjectCmd::BudgetList { project } => {
            let id = project_id(&a, &project).await?;
            let list: Vec<SiteBudgetView> = a.list(&format!("/projects/{id}/site-budgets")).await?;
            print_list(&list, o, BUDGET_COLUMNS)
        }
        ProjectCmd::BudgetSet {
            project,
            site,
            budget,
            valid_for_s,
        } => {
            let id = project_id(&a, &project).await?;
            let body = SiteBudgetSet {
                budget: budget.body(),
                valid_for_s,
            };
            let b: SiteBudgetView = a
                .call(
                    Method::PUT,
                    &format!("/projects/{id}/site-budgets/{site}"),
                    &body,
                )
                .await?;
            print(&b, o, BUDGET_COLUMNS)
        }
        ProjectCmd::BudgetWithdraw { project, site } => {
            let id = project_id(&a, &project).await?;
            a.delete(&format!("/projects/{id}/site-budgets/{site}"))
                .await
        }
    }
}

/// `scmp token ...`
pub async fn token(cmd: TokenCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    match cmd {
        TokenCmd::List => print_list(&a.list::<TokenView>("/tokens").await?, g.output, &[]),
        TokenCmd::Create { name } => {
            let body = TokenCreate {
                name,
                expires_at: None,
            };
            let t: TokenView = a.call(Method::POST, "/tokens", &body).await?;
            print(&t, g.output, &[])
        }
        TokenCmd::Delete { token } => a.delete(&format!("/tokens/{token}")).await,
    }
}

const SITE_COLUMNS: &[&str] = &["name", "country", "region", "id"];

/// `scmp site ...`
pub async fn site(cmd: SiteCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let o = g.output;
    match cmd {
        SiteCmd::List => print_list(&a.list::<SiteView>("/sites").await?, o, SITE_COLUMNS),
        SiteCmd::Update {
            site,
            region,
            description,
            offline_groups,
        } => {
            let body = SiteUpdate {
                region,
                description,
                offline_groups: (!offline_groups.is_empty()).then(|| {
                    offline_groups
                        .into_iter()
                        .filter(|g| !g.is_empty())
                        .collect()
                }),
            };
            let s: SiteView = a
                .call(Method::PUT, &format!("/sites/{site}"), &body)
                .await?;
            print(&s, o, SITE_COLUMNS)
        }
        SiteCmd::Delete { site } => a.delete(&format!("/sites/{site}")).await,
        SiteCmd::Create {
            name,
            country,
            region,
        } => {
            let body = SiteCreate {
                name,
                country,
                region,
                description: None,
            };
            let s: SiteView = a.call(Method::POST, "/sites", &body).await?;
            print(&s, o, SITE_COLUMNS)
        }
        SiteCmd::JoinToken { site, expires_in } => {
            let body = JoinTokenCreate {
                expires_in_s: expires_in,
            };
            let t: JoinTokenCreated = a
                .call(Method::POST, &format!("/sites/{site}/join-tokens"), &body)
                .await?;
            print(&t, o, &["token"])
        }
        SiteCmd::JoinTokens { site } => print_list(
            &a.list::<JoinTokenView>(&format!("/sites/{site}/join-tokens"))
                .await?,
            o,
            &["id", "expires_at", "used_at", "agent"],
        ),
        SiteCmd::JoinTokenDelete { token } => a.delete(&format!("/join-tokens/{token}")).await,
        SiteCmd::Agents { site } => print_list(
            &a.list::<AgentView>(&format!("/sites/{site}/agents"))
                .await?,
            o,
            AGENT_COLUMNS,
        ),
        SiteCmd::Agent { agent } => {
            let v: AgentView = a.get(&format!("/agents/{agent}")).await?;
            print(&v, o, AGENT_COLUMNS)
        }
        SiteCmd::AgentRevoke { agent } => {
            let v: AgentView = a
                .call(
                    Method::POST,
                    &format!("/agents/{agent}/revoke"),
                    &serde_json::json!({}),
                )
                .await?;
            print(&v, o, AGENT_COLUMNS)
        }
    }
}

const AGENT_COLUMNS: &[&str] = &[
    "id",
    "site",
    "link.state",
    "link.since",
    "link.waiting_commands",
    "certificate_expires_at",
    "revoked_at",
];

/// `scmp me view`.
pub async fn me(_: MeCmd, g: &Global) -> anyhow::Result<()> {
    let me: MeView = api(g)?.get("/me").await?;
    print(&me, g.output, &[])
}
