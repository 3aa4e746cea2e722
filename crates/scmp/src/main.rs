//! `scmp`: the Secure Cloud Management Platform for Proxmox VE edge locations.
//!
//! One binary for every role: the server, the Proxmox VE simulator, offline tools, and the API client.
//! This file only parses the command line and hands over to `cmd` and `cli`.
#![forbid(unsafe_code)]

mod cli;
mod cmd;

use clap::{CommandFactory, Parser, Subcommand};
use cli::commands as c;

// The server allocates many small, short-lived values per request across threads; mimalloc keeps
// that cheaper than the system allocator (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The Secure Cloud Management Platform for Proxmox VE edge locations.
#[derive(Debug, Parser)]
#[command(name = "scmp", version, about)]
struct Cli {
    #[command(flatten)]
    global: cli::Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the scmp server: the API over HTTPS on SQLite (default) or PostgreSQL.
    Server(cmd::server::Args),
    /// Run a simulated Proxmox VE cluster that speaks the real /api2/json API over HTTPS.
    PveSim(cmd::pve_sim::Args),
    /// The audit log: check it offline, or list it from the server.
    #[command(subcommand)]
    Audit(cmd::audit::Command),
    /// Print the OpenAPI document of the API.
    Openapi,
    /// Log in to a server and save the context.
    Login(c::Login),
    /// Named contexts (server and credential).
    #[command(subcommand)]
    Context(c::ContextCmd),
    /// Print shell completions.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Who am I.
    #[command(subcommand)]
    Me(c::MeCmd),
    /// Your second factor (an authenticator app).
    #[command(subcommand)]
    Mfa(cli::mfa::MfaCmd),
    /// The platform's own settings (a second factor for its staff).
    #[command(subcommand)]
    PlatformSettings(cli::mfa::PlatformSettingsCmd),
    /// Realms users log in through (LDAP, Active Directory, OpenID Connect).
    #[command(subcommand)]
    Realm(cli::realms::RealmCmd),
    /// Governance policies: what may be done at all, where (and `policy test`, offline).
    #[command(subcommand)]
    Policy(cli::policies::PolicyCmd),
    /// Roles: the built-in ones and custom roles (named sets of actions).
    #[command(subcommand)]
    Role(cli::roles::RoleCmd),
    /// Operations held for approval by policies: approve or reject them.
    #[command(subcommand)]
    Approval(cli::approvals::ApprovalCmd),
    /// A tenant's compliance with the current policies: report (JSON, table or CSV) and scan.
    #[command(subcommand)]
    Compliance(cli::compliance::ComplianceCmd),
    /// A project's tenant networks at a site.
    #[command(subcommand)]
    Network(cli::networks::NetworkCmd),
    /// A project's security groups at a site.
    #[command(subcommand)]
    SecurityGroup(cli::networks::SecurityGroupCmd),
    /// Tenants and their quota.
    #[command(subcommand)]
    Tenant(c::TenantCmd),
    /// Projects and their quota.
    #[command(subcommand)]
    Project(c::ProjectCmd),
    /// Your API tokens.
    #[command(subcommand)]
    Token(c::TokenCmd),
    /// Edge sites.
    #[command(subcommand)]
    Site(c::SiteCmd),
    /// Users.
    #[command(subcommand)]
    User(cli::identity::UserCmd),
    /// Groups of users.
    #[command(subcommand)]
    Group(cli::identity::GroupCmd),
    /// Roles of users and groups on the platform, tenants and projects.
    #[command(subcommand)]
    RoleBinding(cli::identity::RoleBindingCmd),
    /// Proxmox VE clusters at the sites.
    #[command(subcommand)]
    Cluster(cli::platform::ClusterCmd),
    /// Hosts of a cluster and their maintenance.
    #[command(subcommand)]
    Host(cli::platform::HostCmd),
    /// Catalog images.
    #[command(subcommand)]
    Image(cli::platform::ImageCmd),
    /// Catalog instance types (named sizes).
    #[command(subcommand)]
    InstanceType(cli::platform::InstanceTypeCmd),
    /// Guests (VMs and containers).
    #[command(subcommand)]
    Guest(cli::guests::GuestCmd),
    /// Guest snapshots.
    #[command(subcommand)]
    Snapshot(cli::guests::SnapshotCmd),
    /// Guest backups and restores.
    #[command(subcommand)]
    Backup(cli::backups::BackupCmd),
    /// Operations (long changes).
    #[command(subcommand)]
    Operation(cli::guests::OperationCmd),
    /// Everything on one machine: the server, simulated edge sites, a sample tenant.
    Demo(cmd::demo::Args),
    /// The site agent: enroll it with a join token.
    #[command(subcommand)]
    Agent(cmd::agent::Command),
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|rt| rt.block_on(run(cli)));
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let g = &cli.global;
    match cli.command {
        Command::PveSim(args) => cmd::pve_sim::run(args).await,
        Command::Server(args) => cmd::server::run(args).await,
        Command::Audit(cmd::audit::Command::List(args)) => cli::audit::audit_list(&args, g).await,
        Command::Audit(a) => cmd::audit::run(a).await,
        Command::Openapi => {
            println!("{}", scmp_server::openapi_document());
            Ok(())
        }
        Command::Login(args) => c::login(args).await,
        Command::Context(cmd) => c::context(cmd),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "scmp", &mut std::io::stdout());
            Ok(())
        }
        Command::Me(cmd) => c::me(cmd, g).await,
        Command::Mfa(cmd) => cli::mfa::mfa(cmd, g).await,
        Command::Realm(cmd) => cli::realms::realm(cmd, g).await,
        Command::Role(cmd) => cli::roles::role(cmd, g).await,
        Command::Policy(cmd) => cli::policies::policy(cmd, g).await,
        Command::Approval(cmd) => cli::approvals::approval(cmd, g).await,
        Command::Compliance(cmd) => cli::compliance::compliance(cmd, g).await,
        Command::Network(cmd) => cli::networks::network(cmd, g).await,
        Command::SecurityGroup(cmd) => cli::networks::security_group(cmd, g).await,
        Command::PlatformSettings(cmd) => cli::mfa::platform_settings(cmd, g).await,
        Command::Tenant(cmd) => c::tenant(cmd, g).await,
        Command::Project(cmd) => c::project(cmd, g).await,
        Command::Token(cmd) => c::token(cmd, g).await,
        Command::Site(cmd) => c::site(cmd, g).await,
        Command::User(cmd) => cli::identity::user(cmd, g).await,
        Command::Group(cmd) => cli::identity::group(cmd, g).await,
        Command::RoleBinding(cmd) => cli::identity::role_binding(cmd, g).await,
        Command::Cluster(cmd) => cli::platform::cluster(cmd, g).await,
        Command::Host(cmd) => cli::platform::host(cmd, g).await,
        Command::Image(cmd) => cli::platform::image(cmd, g).await,
        Command::InstanceType(cmd) => cli::platform::instance_type(cmd, g).await,
        Command::Guest(cmd) => cli::guests::guest(cmd, g).await,
        Command::Snapshot(cmd) => cli::guests::snapshot(cmd, g).await,
        Command::Backup(cmd) => cli::backups::backup(cmd, g).await,
        Command::Operation(cmd) => cli::guests::operation(cmd, g).await,
        Command::Demo(args) => cmd::demo::run(args).await,
        Command::Agent(cmd) => cmd::agent::run(cmd).await,
    }
}
