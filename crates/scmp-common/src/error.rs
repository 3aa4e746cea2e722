//! The one error type. Each variant carries what the user may be told; internal detail stays in
//! `Internal` and is logged, never shown. The API turns it into problem+json in exactly one place.

use std::fmt;

use crate::resources::Resources;

/// The kinds of resources errors name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceKind {
    /// A tenant.
    Tenant,
    /// A project.
    Project,
    /// An edge site.
    Site,
    /// A Proxmox VE cluster.
    Cluster,
    /// A user.
    User,
    /// A role binding.
    RoleBinding,
    /// A guest.
    Guest,
    /// An operation.
    Operation,
    /// An operation's approval.
    Approval,
    /// A catalog image.
    Image,
    /// An instance type.
    InstanceType,
    /// A host of a cluster.
    Host,
    /// A snapshot.
    Snapshot,
    /// A group of users.
    Group,
    /// An API token or login session.
    Token,
    /// A Proxmox VE task (by UPID).
    Task,
    /// A site agent.
    Agent,
    /// A join token for a site's agent.
    JoinToken,
    /// An authentication realm.
    Realm,
    /// The platform itself (its settings).
    Platform,
    /// A custom role.
    Role,
    /// A governance policy.
    Policy,
    /// A tenant network.
    Network,
    /// A site's pool of public addresses.
    PublicPool,
    /// A public address.
    PublicAddress,
    /// A security group.
    SecurityGroup,
    /// A backup of a guest.
    Backup,
}

impl ResourceKind {
    /// Every kind.
    pub const ALL: &'static [ResourceKind] = &[
        ResourceKind::Tenant,
        ResourceKind::Project,
        ResourceKind::Site,
        ResourceKind::Cluster,
        ResourceKind::User,
        ResourceKind::RoleBinding,
        ResourceKind::Guest,
        ResourceKind::Operation,
        ResourceKind::Approval,
        ResourceKind::Image,
        ResourceKind::InstanceType,
        ResourceKind::Host,
        ResourceKind::Snapshot,
        ResourceKind::Group,
        ResourceKind::Token,
        ResourceKind::Task,
        ResourceKind::Agent,
        ResourceKind::JoinToken,
        ResourceKind::Realm,
        ResourceKind::Platform,
        ResourceKind::Role,
        ResourceKind::Policy,
        ResourceKind::Network,
        ResourceKind::PublicPool,
        ResourceKind::PublicAddress,
        ResourceKind::SecurityGroup,
        ResourceKind::Backup,
    ];

    /// The kind as a step of a path (`instance_type`), in audit targets.
    pub fn path_name(self) -> &'static str {
        match self {
            ResourceKind::RoleBinding => "role_binding",
            ResourceKind::InstanceType => "instance_type",
            ResourceKind::Tenant => "tenant",
            ResourceKind::Project => "project",
            ResourceKind::Site => "site",
            ResourceKind::Cluster => "cluster",
            ResourceKind::User => "user",
            ResourceKind::Guest => "guest",
            ResourceKind::Operation => "operation",
            ResourceKind::Approval => "approval",
            ResourceKind::Image => "image",
            ResourceKind::Host => "host",
            ResourceKind::Snapshot => "snapshot",
            ResourceKind::Group => "group",
            ResourceKind::Token => "token",
            ResourceKind::Task => "task",
            ResourceKind::Agent => "agent",
            ResourceKind::JoinToken => "join_token",
            ResourceKind::Realm => "realm",
            ResourceKind::Platform => "platform",
            ResourceKind::Role => "role",
            ResourceKind::Policy => "policy",
            ResourceKind::Network => "network",
            ResourceKind::PublicPool => "public_pool",
            ResourceKind::PublicAddress => "public_address",
            ResourceKind::SecurityGroup => "security_group",
            ResourceKind::Backup => "backup",
        }
    }

    /// The kind of a path step.
    pub fn from_path_name(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.path_name() == s)
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ResourceKind::Tenant => "tenant",
            ResourceKind::Project => "project",
            ResourceKind::Site => "site",
            ResourceKind::Cluster => "cluster",
            ResourceKind::User => "user",
            ResourceKind::RoleBinding => "role binding",
            ResourceKind::Guest => "guest",
            ResourceKind::Operation => "operation",
            ResourceKind::Approval => "approval",
            ResourceKind::Image => "image",
            ResourceKind::InstanceType => "instance type",
            ResourceKind::Host => "host",
            ResourceKind::Snapshot => "snapshot",
            ResourceKind::Group => "group",
            ResourceKind::Token => "token",
            ResourceKind::Task => "Proxmox task",
            ResourceKind::Agent => "agent",
            ResourceKind::JoinToken => "join token",
            ResourceKind::Realm => "realm",
            ResourceKind::Platform => "platform",
            ResourceKind::Role => "role",
            ResourceKind::Policy => "policy",
            ResourceKind::Network => "network",
            ResourceKind::PublicPool => "public pool",
            ResourceKind::PublicAddress => "public address",
            ResourceKind::SecurityGroup => "security group",
            ResourceKind::Backup => "backup",
        })
    }
}

/// Everything that can go wrong, as callers need to tell it apart.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The object does not exist (or the caller may not know it does).
    #[error("{kind} '{name}' not found")]
    NotFound {
        /// What was looked for.
        kind: ResourceKind,
        /// By which name or id.
        name: String,
    },
    /// An object with that name exists already in its parent.
    #[error("{kind} '{name}' already exists")]
    AlreadyExists {
        /// What.
        kind: ResourceKind,
        /// The name.
        name: String,
    },
    /// An input value is not acceptable.
    #[error("{field}: {message}")]
    InvalidValue {
        /// The field at fault (JSON path).
        field: String,
        /// Why.
        message: String,
    },
    /// A quota does not allow the request; says which limit and the numbers.
    #[error("{scope} quota exceeded for {resource}: limit {limit}, allocated {allocated}, requested {requested}")]
    QuotaExceeded {
        /// `tenant 'x'` or `project 'y'`.
        scope: String,
        /// `vcpus`, `memory_mib`, `disk_gib` or `guests`.
        resource: &'static str,
        /// The limit.
        limit: u64,
        /// What is already allocated.
        allocated: u64,
        /// What was asked for on top.
        requested: u64,
    },
    /// The request is valid but cannot be carried out as asked: no host fits it, or a policy
    /// refuses it. The message says why.
    #[error("{0}")]
    Refused(String),
    /// A governance policy refuses the request.
    #[error("refused by policy '{policy}': {message}")]
    PolicyDenied {
        /// The policy's name.
        policy: String,
        /// What it says.
        message: String,
    },
    /// A quota cannot be lowered below what is allocated or used.
    #[error("{scope} quota for {resource} cannot be lowered to {requested}: {in_use} is {what}")]
    QuotaBelowUse {
        /// `tenant 'x'` or `project 'y'`.
        scope: String,
        /// Which resource.
        resource: &'static str,
        /// The requested limit.
        requested: u64,
        /// What is allocated or used.
        in_use: u64,
        /// `allocated to projects` or `used`.
        what: &'static str,
    },
    /// The change conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// A resource cannot be deleted while others depend on it; names them.
    #[error("{kind} '{name}' is in use: {}; delete {} first", describe(.dependents), if .dependents.len() == 1 { "it" } else { "them" })]
    InUse {
        /// What was to be deleted.
        kind: ResourceKind,
        /// Its name.
        name: String,
        /// What still depends on it, by kind.
        dependents: Vec<Dependents>,
    },
    /// A dependency (the database, a site) cannot be reached now.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// No valid credentials came with the request.
    #[error("{message}")]
    Unauthenticated {
        /// What the caller is told (`a valid bearer token is required`).
        message: String,
    },
    /// The password was right but the user has a second factor, and none came with it.
    #[error("a second factor is required: send totp (your authenticator's code) or recovery_code")]
    MfaRequired,
    /// The caller may see the resource but not do this to it.
    #[error("you may not {action} here")]
    Forbidden {
        /// What was refused (`tenant_delete`, `create platform users`).
        action: String,
    },
    /// A request carried by the portal's cookie lacks the session's CSRF value.
    #[error("the request lacks the session's CSRF value (header x-csrf-token); reload the page")]
    CsrfMissing,
    /// Too many attempts; try later.
    #[error("{0}")]
    Throttled(String),
    /// The body is larger than accepted.
    #[error("the body is larger than {limit_bytes} bytes")]
    TooLarge {
        /// The largest body accepted.
        limit_bytes: usize,
    },
    /// The body is not of the accepted type.
    #[error("send the body as {expected}")]
    UnsupportedMediaType {
        /// The accepted type.
        expected: &'static str,
    },
    /// No operation is served at the path.
    #[error("no such path")]
    NoSuchPath,
    /// The path does not take the method.
    #[error("this path does not take that method")]
    MethodNotAllowed,
    /// An `Idempotency-Key` was used before for a different request.
    #[error("this Idempotency-Key was used for a different request")]
    IdempotencyKeyReused,
    /// A bug or an unexpected failure; the detail (and its cause) is for the log only.
    #[error("internal error")]
    Internal {
        /// What happened, for the log.
        detail: String,
        /// The cause, when there is one.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

/// Resources of one kind that depend on another: how many, and the names of the first few.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependents {
    /// Their kind.
    pub kind: ResourceKind,
    /// How many there are.
    pub count: u64,
    /// The names of the first few (at most [`Dependents::NAMED`]).
    pub names: Vec<String>,
}

impl Dependents {
    /// How many names a message lists.
    pub const NAMED: usize = 5;
}

fn describe(deps: &[Dependents]) -> String {
    deps.iter()
        .map(|d| {
            let mut names = d
                .names
                .iter()
                .map(|n| format!("'{n}'"))
                .collect::<Vec<_>>()
                .join(", ");
            if (d.names.len() as u64) < d.count {
                names.push_str(&format!(" and {} more", d.count - d.names.len() as u64));
            }
            let plural = if d.count == 1 { "" } else { "s" };
            format!("{} {}{plural} ({names})", d.count, d.kind)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Error {
    /// A request's field that is not acceptable, and why.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidValue {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Nothing of `kind` by `name` (or nothing the caller may see).
    pub fn not_found(kind: crate::ResourceKind, name: impl Into<String>) -> Self {
        Error::NotFound {
            kind,
            name: name.into(),
        }
    }

    /// An internal error with its detail for the log.
    pub fn internal(detail: impl fmt::Display) -> Self {
        Error::Internal {
            detail: detail.to_string(),
            source: None,
        }
    }

    /// An internal error that keeps its cause (the log shows the whole chain).
    pub fn internal_caused(
        detail: impl fmt::Display,
        cause: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Internal {
            detail: detail.to_string(),
            source: Some(Box::new(cause)),
        }
    }

    /// What the log says of an error: its message and every cause under it, `: `-separated (for
    /// an internal error, its detail in place of the generic message).
    pub fn chain(&self) -> String {
        let mut out = match self {
            Error::Internal { detail, .. } => detail.clone(),
            other => other.to_string(),
        };
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            out.push_str(": ");
            out.push_str(&c.to_string());
            cause = c.source();
        }
        out
    }

    /// A quota error for the first resource where `allocated + requested` passes `limit`.
    pub fn quota(
        scope: String,
        limit: &Resources,
        allocated: &Resources,
        requested: &Resources,
    ) -> Option<Self> {
        limit
            .items()
            .iter()
            .zip(allocated.items())
            .zip(requested.items())
            .find(|(((_, l), (_, a)), (_, r))| a.saturating_add(*r) > *l)
            .map(|(((name, l), (_, a)), (_, r))| Error::QuotaExceeded {
                scope: scope.clone(),
                resource: name,
                limit: *l,
                allocated: a,
                requested: r,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_keep_their_cause() {
        let io = std::io::Error::other("disk on fire");
        let e = Error::internal_caused("writing the audit log", io);
        assert_eq!(e.to_string(), "internal error", "nothing internal is shown");
        assert_eq!(e.chain(), "writing the audit log: disk on fire");
    }

    #[test]
    fn in_use_names_its_dependents() {
        let e = Error::InUse {
            kind: ResourceKind::Tenant,
            name: "acme".into(),
            dependents: vec![
                Dependents {
                    kind: ResourceKind::Project,
                    count: 7,
                    names: vec!["a".into(), "b".into()],
                },
                Dependents {
                    kind: ResourceKind::User,
                    count: 1,
                    names: vec!["alice".into()],
                },
            ],
        };
        assert_eq!(
            e.to_string(),
            "tenant 'acme' is in use: 7 projects ('a', 'b' and 5 more), 1 user ('alice'); delete them first"
        );
    }
}
