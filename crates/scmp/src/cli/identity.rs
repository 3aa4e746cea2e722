//! `scmp user`, `scmp group` and `scmp role-binding`: who may do what.

use reqwest::Method;
use serde_json::json;

use super::commands::{api, Global};
use super::output::print;

/// `scmp user ...`
#[derive(Debug, clap::Subcommand)]
pub enum UserCmd {
    /// `user_list`: one tenant's users, or (platform admins) all.
    List {
        /// The tenant (id or name).
        #[arg(long)]
        tenant: Option<String>,
    },
    /// `user_create`; the password (at least 12 characters) is read from standard input with
    /// `--password-stdin`.
    Create {
        /// Name.
        name: String,
        /// Its tenant; a platform user when left out.
        #[arg(long)]
        tenant: Option<String>,
        /// E-mail address.
        #[arg(long)]
        email: Option<String>,
        /// Read a password from standard input (otherwise the user logs in with tokens only).
        #[arg(long)]
        password_stdin: bool,
    },
    /// `user_view`.
    View {
        /// Id or name.
        user: String,
    },
    /// `user_update`: e-mail address, or a new password read from standard input.
    Update {
        /// Id or name.
        user: String,
        /// New e-mail address.
        #[arg(long)]
        email: Option<String>,
        /// Read a new password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// `user_delete`.
    Delete {
        /// Id or name.
        user: String,
    },
}

/// `scmp group ...`
#[derive(Debug, clap::Subcommand)]
pub enum GroupCmd {
    /// `group_list`.
    List {
        /// The tenant (id or name).
        #[arg(long)]
        tenant: Option<String>,
    },
    /// `group_create`.
    Create {
        /// Name.
        name: String,
        /// Its tenant; a platform group when left out.
        #[arg(long)]
        tenant: Option<String>,
        /// A member (repeat for more).
        #[arg(long = "member")]
        members: Vec<String>,
    },
    /// `group_view`.
    View {
        /// Id or name.
        group: String,
    },
    /// `group_update`: replace the members.
    SetMembers {
        /// Id or name.
        group: String,
        /// A member (repeat for more; none empties the group).
        #[arg(long = "member")]
        members: Vec<String>,
    },
    /// `group_delete`.
    Delete {
        /// Id or name.
        group: String,
    },
}

/// `scmp role-binding ...`
#[derive(Debug, clap::Subcommand)]
pub enum RoleBindingCmd {
    /// `role_binding_list`.
    List {
        /// The tenant (id or name).
        #[arg(long)]
        tenant: Option<String>,
    },
    /// `role_binding_create`: a role for a user or a group on the platform, a tenant or a project.
    Create {
        /// The role (`tenant-admin`, `member`, `viewer`, ...).
        role: String,
        /// The user (id or name).
        #[arg(long, conflicts_with = "group", required_unless_present = "group")]
        user: Option<String>,
        /// The group (id or name).
        #[arg(long)]
        group: Option<String>,
        /// On this tenant.
        #[arg(long, conflicts_with = "project")]
        tenant: Option<String>,
        /// On this project (id).
        #[arg(long)]
        project: Option<String>,
    },
    /// `role_binding_delete`.
    Delete {
        /// Id.
        id: String,
    },
}

fn read_password(from_stdin: bool) -> anyhow::Result<Option<String>> {
    if !from_stdin {
        return Ok(None);
    }
    let mut p = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut p)?;
    Ok(Some(p.trim_end_matches(['\n', '\r']).to_string()))
}

fn tenant_query(tenant: &Option<String>) -> String {
    tenant
        .as_ref()
        .map(|t| format!("?tenant={t}"))
        .unwrap_or_default()
}

/// `scmp user ...`
pub async fn user(cmd: UserCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let v = match cmd {
        UserCmd::List { tenant } => a.list(&format!("/users{}", tenant_query(&tenant))).await?,
        UserCmd::Create {
            name,
            tenant,
            email,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            a.call(
                Method::POST,
                "/users",
                Some(json!({"name": name, "tenant": tenant, "email": email, "password": password})),
            )
            .await?
        }
        UserCmd::View { user } => a.call(Method::GET, &format!("/users/{user}"), None).await?,
        UserCmd::Update {
            user,
            email,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            a.call(
                Method::PUT,
                &format!("/users/{user}"),
                Some(json!({"email": email, "password": password})),
            )
            .await?
        }
        UserCmd::Delete { user } => {
            a.call(Method::DELETE, &format!("/users/{user}"), None)
                .await?
        }
    };
    print(&v, g.output, &["name", "tenant_id", "email", "id"])
}

/// `scmp group ...`
pub async fn group(cmd: GroupCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let v = match cmd {
        GroupCmd::List { tenant } => a.list(&format!("/groups{}", tenant_query(&tenant))).await?,
        GroupCmd::Create {
            name,
            tenant,
            members,
        } => {
            a.call(
                Method::POST,
                "/groups",
                Some(json!({"name": name, "tenant": tenant, "members": members})),
            )
            .await?
        }
        GroupCmd::View { group } => {
            a.call(Method::GET, &format!("/groups/{group}"), None)
                .await?
        }
        GroupCmd::SetMembers { group, members } => {
            a.call(
                Method::PUT,
                &format!("/groups/{group}"),
                Some(json!({ "members": members })),
            )
            .await?
        }
        GroupCmd::Delete { group } => {
            a.call(Method::DELETE, &format!("/groups/{group}"), None)
                .await?
        }
    };
    print(&v, g.output, &["name", "tenant_id", "members", "id"])
}

/// `scmp role-binding ...`
pub async fn role_binding(cmd: RoleBindingCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let v = match cmd {
        RoleBindingCmd::List { tenant } => {
            a.list(&format!("/role-bindings{}", tenant_query(&tenant)))
                .await?
        }
        RoleBindingCmd::Create {
            role,
            user,
            group,
            tenant,
            project,
        } => {
            let subject = match (user, group) {
                (Some(u), _) => json!({ "user": u }),
                (None, Some(gr)) => json!({ "group": gr }),
                (None, None) => anyhow::bail!("give --user or --group"),
            };
            let scope = match (tenant, project) {
                (Some(t), _) => json!({ "tenant": t }),
                (None, Some(p)) => json!({ "project": p }),
                (None, None) => json!("platform"),
            };
            a.call(
                Method::POST,
                "/role-bindings",
                Some(json!({"subject": subject, "role": role, "scope": scope})),
            )
            .await?
        }
        RoleBindingCmd::Delete { id } => {
            a.call(Method::DELETE, &format!("/role-bindings/{id}"), None)
                .await?
        }
    };
    print(
        &v,
        g.output,
        &["role", "scope", "user_id", "group_id", "id"],
    )
}
