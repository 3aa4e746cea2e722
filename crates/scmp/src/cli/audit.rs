//! `scmp audit list`: the audit log from the server, oldest first, with who acted by name.

use scmp_api::AuditEntryView;

use super::client::query;
use super::output::print_list;
use super::{api, Global};

/// The filters of `scmp audit list` (those of `audit_list`).
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only this tenant's entries.
    #[arg(long)]
    pub tenant: Option<String>,
    /// Only this actor's entries: a user name (as it was when acting) or id.
    #[arg(long)]
    pub actor: Option<String>,
    /// Only this operation's entries (`tenant_create`, ...).
    #[arg(long)]
    pub operation: Option<String>,
    /// Only entries about this target (`tenant/<id>`, ...).
    #[arg(long)]
    pub target: Option<String>,
    /// From this time on (RFC 3339, e.g. 2026-12-01T00:00:00Z).
    #[arg(long)]
    pub since: Option<String>,
    /// Until this time (RFC 3339).
    #[arg(long)]
    pub until: Option<String>,
}

impl ListArgs {
    /// The query string of `audit_list` (empty when no filter is given).
    pub fn query(&self) -> String {
        query(&[
            ("tenant", self.tenant.as_deref()),
            ("actor", self.actor.as_deref()),
            ("operation", self.operation.as_deref()),
            ("target", self.target.as_deref()),
            ("since", self.since.as_deref()),
            ("until", self.until.as_deref()),
        ])
    }
}

/// `scmp audit list`.
pub async fn audit_list(args: &ListArgs, g: &Global) -> anyhow::Result<()> {
    let list: Vec<AuditEntryView> = api(g)?.list(&format!("/audit{}", args.query())).await?;
    print_list(
        &list,
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
