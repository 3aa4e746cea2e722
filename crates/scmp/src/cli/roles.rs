//! `scmp role ...`: roles, built-in and custom: list and view them, define custom roles for the
//! platform or a tenant as sets of actions, change and delete them, and list the actions there
//! are.

use reqwest::Method;
use scmp_api::{RoleCreate, RoleDefinition, RoleLevel, RoleUpdate};

use super::client::query;
use super::output::{print, print_list};
use super::{api, Global};

const ROLE_COLUMNS: &[&str] = &["name", "builtin", "level", "tenant_id", "actions"];

/// Where a role is bound.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Level {
    /// The platform.
    Platform,
    /// A tenant and its projects.
    Tenant,
    /// A project.
    Project,
}

impl From<Level> for RoleLevel {
    fn from(l: Level) -> Self {
        match l {
            Level::Platform => RoleLevel::Platform,
            Level::Tenant => RoleLevel::Tenant,
            Level::Project => RoleLevel::Project,
        }
    }
}

/// `scmp role ...`
#[derive(Debug, clap::Subcommand)]
pub enum RoleCmd {
    /// `role_list`: the built-in roles, the platform's and those of a tenant.
    List {
        /// Only the platform's and this tenant's custom roles.
        #[arg(long)]
        tenant: Option<String>,
    },
    /// `role_view`.
    View {
        /// Name (or a custom role's id).
        role: String,
    },
    /// `role_create`: a custom role, for the platform or (with `--tenant`) one tenant.
    Create {
        /// Name.
        name: String,
        /// Where it is bound.
        #[arg(long, value_enum)]
        level: Level,
        /// The tenant whose role it is.
        #[arg(long)]
        tenant: Option<String>,
        /// What it is for.
        #[arg(long)]
        description: Option<String>,
        /// The actions it grants (operation ids; repeat, or separate with commas).
        #[arg(long = "action", value_delimiter = ',', required = true)]
        actions: Vec<String>,
    },
    /// `role_update`: a new description, or all of its actions anew.
    Update {
        /// Name (or id).
        role: String,
        /// A new description.
        #[arg(long)]
        description: Option<String>,
        /// The new actions (repeat, or separate with commas).
        #[arg(long = "action", value_delimiter = ',')]
        actions: Vec<String>,
    },
    /// `role_delete` (refused while bindings give it).
    Delete {
        /// Name (or id).
        role: String,
    },
    /// The actions roles can grant (those of `platform-admin`, which holds them all).
    Actions,
}

/// Runs `scmp role ...`.
pub async fn role(cmd: RoleCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let o = g.output;
    match cmd {
        RoleCmd::List { tenant } => {
            let path = format!("/roles{}", query(&[("tenant", tenant.as_deref())]));
            print_list(&a.list::<RoleDefinition>(&path).await?, o, ROLE_COLUMNS)
        }
        RoleCmd::View { role } => {
            let r: RoleDefinition = a.get(&format!("/roles/{role}")).await?;
            print(&r, o, &[])
        }
        RoleCmd::Create {
            name,
            level,
            tenant,
            description,
            actions,
        } => {
            let body = RoleCreate {
                name: name.parse()?,
                level: level.into(),
                tenant,
                description,
                actions,
            };
            let r: RoleDefinition = a.call(Method::POST, "/roles", &body).await?;
            print(&r, o, ROLE_COLUMNS)
        }
        RoleCmd::Update {
            role,
            description,
            actions,
        } => {
            let body = RoleUpdate {
                description,
                actions: (!actions.is_empty()).then_some(actions),
            };
            let r: RoleDefinition = a
                .call(Method::PUT, &format!("/roles/{role}"), &body)
                .await?;
            print(&r, o, ROLE_COLUMNS)
        }
        RoleCmd::Delete { role } => {
            a.delete(&format!("/roles/{role}")).await?;
            Ok(())
        }
        RoleCmd::Actions => {
            let all: RoleDefinition = a.get("/roles/platform-admin").await?;
            let rows: Vec<serde_json::Value> = all
                .actions
                .iter()
                .map(|id| serde_json::json!({ "action": id }))
                .collect();
            print_list(&rows, o, &["action"])
        }
    }
}
