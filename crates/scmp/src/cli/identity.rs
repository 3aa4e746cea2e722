//! `scmp user`, `scmp group` and `scmp role-binding`: who may do what.

use reqwest::Method;
use scmp_api::*;
use scmp_common::Name;

use super::client::query;
use super::output::{print, print_list};
use super::{api, Global};

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
        name: Name,
        /// Its tenant; a platform user when left out.
        #[arg(long)]
        tenant: Option<String>,
        /// E-mail address.
        #[arg(long)]
        email: Option<String>,
        /// Read a password from standard input (otherwise the user logs in with tokens only).
        #[arg(long, conflicts_with = "realm")]
        password_stdin: bool,
        /// The realm the user logs in through (made before their first login).
        #[arg(long)]
        realm: Option<String>,
        /// The user's login name in that realm (the name when left out).
        #[arg(long, requires = "realm")]
        login: Option<String>,
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
        name: Name,
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

const USER_COLUMNS: &[&str] = &["name", "realm", "tenant_id", "email", "id"];
const GROUP_COLUMNS: &[&str] = &["name", "tenant_id", "members", "id"];
const BINDING_COLUMNS: &[&str] = &["role", "scope", "user_id", "group_id", "id"];

/// `scmp user ...`
pub async fn user(cmd: UserCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let o = g.output;
    match cmd {
        UserCmd::List { tenant } => {
            let path = format!("/users{}", query(&[("tenant", tenant.as_deref())]));
            print_list(&a.list::<UserView>(&path).await?, o, USER_COLUMNS)
        }
        UserCmd::Create {
            name,
            tenant,
            email,
            password_stdin,
            realm,
            login,
        } => {
            let body = UserCreate {
                name,
                email,
                password: read_password(password_stdin)?,
                tenant,
                realm,
                login,
            };
            let u: UserView = a.call(Method::POST, "/users", &body).await?;
            print(&u, o, USER_COLUMNS)
        }
        UserCmd::View { user } => {
            let u: UserView = a.get(&format!("/users/{user}")).await?;
            print(&u, o, USER_COLUMNS)
        }
        UserCmd::Update {
            user,
            email,
            password_stdin,
        } => {
            let body = UserUpdate {
                email,
                password: read_password(password_stdin)?,
            };
            let u: UserView = a
                .call(Method::PUT, &format!("/users/{user}"), &body)
                .await?;
            print(&u, o, USER_COLUMNS)
        }
        UserCmd::Delete { user } => a.delete(&format!("/users/{user}")).await,
    }
}

/// `scmp group ...`
pub async fn group(cmd: GroupCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let o = g.output;
    match cmd {
        GroupCmd::List { tenant } => {
            let path = format!("/groups{}", query(&[("tenant", tenant.as_deref())]));
            print_list(&a.list::<GroupView>(&path).await?, o, GROUP_COLUMNS)
        }
        GroupCmd::Create {
            name,
            tenant,
            members,
        } => {
            let body = GroupCreate {
                name,
                tenant,
                description: None,
                members,
            };
            let gr: GroupView = a.call(Method::POST, "/groups", &body).await?;
            print(&gr, o, GROUP_COLUMNS)
        }
        GroupCmd::View { group } => {
            let gr: GroupView = a.get(&format!("/groups/{group}")).await?;
            print(&gr, o, GROUP_COLUMNS)
        }
        GroupCmd::SetMembers { group, members } => {
            let body = GroupUpdate {
                description: None,
                members: Some(members),
            };
            let gr: GroupView = a
                .call(Method::PUT, &format!("/groups/{group}"), &body)
                .await?;
            print(&gr, o, GROUP_COLUMNS)
        }
        GroupCmd::Delete { group } => a.delete(&format!("/groups/{group}")).await,
    }
}

/// `scmp role-binding ...`
pub async fn role_binding(cmd: RoleBindingCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let o = g.output;
    match cmd {
        RoleBindingCmd::List { tenant } => {
            let path = format!("/role-bindings{}", query(&[("tenant", tenant.as_deref())]));
            print_list(&a.list::<RoleBindingView>(&path).await?, o, BINDING_COLUMNS)
        }
        RoleBindingCmd::Create {
            role,
            user,
            group,
            tenant,
            project,
        } => {
            let subject = match (user, group) {
                (Some(u), _) => Subject {
                    user: Some(u),
                    group: None,
                },
                (None, Some(gr)) => Subject {
                    user: None,
                    group: Some(gr),
                },
                (None, None) => anyhow::bail!("give --user or --group"),
            };
            let scope = match (tenant, project) {
                (Some(tenant), _) => ScopeBody::Tenant { tenant },
                (None, Some(project)) => ScopeBody::Project { project },
                (None, None) => ScopeBody::Platform("platform".into()),
            };
            let body = RoleBindingCreate {
                subject,
                role,
                scope,
            };
            let b: RoleBindingView = a.call(Method::POST, "/role-bindings", &body).await?;
            print(&b, o, BINDING_COLUMNS)
        }
        RoleBindingCmd::Delete { id } => a.delete(&format!("/role-bindings/{id}")).await,
    }
}
