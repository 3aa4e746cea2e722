//! `scmp approval ...`: operations held by `require_approval` policies: list (those waiting for
//! you with `--mine`), view (who must still approve, the decisions, the ITSM deliveries), approve
//! and reject with a comment.

use reqwest::Method;
use scmp_api::{ApprovalComment, ApprovalView};

use super::client::query;
use super::output::{print, print_list};
use super::{api, Global};

const APPROVAL_COLUMNS: &[&str] = &[
    "operation_id",
    "operation",
    "target",
    "requested_by",
    "state",
    "deadline",
    "may_decide",
];

/// `scmp approval ...`
#[derive(Debug, clap::Subcommand)]
pub enum ApprovalCmd {
    /// `approval_list`: the approvals of projects you see, and those you are an approver of.
    List {
        /// Only those you may still decide on.
        #[arg(long)]
        mine: bool,
        /// Only those in this state (`pending`, `approved`, `rejected`, `expired`, `cancelled`).
        #[arg(long)]
        state: Option<String>,
    },
    /// `approval_view`: what each policy asks, who approved, the ITSM deliveries.
    View {
        /// The held operation's id.
        approval: String,
    },
    /// `approval_approve`.
    Approve {
        /// The held operation's id.
        approval: String,
        /// Why.
        #[arg(long)]
        comment: Option<String>,
    },
    /// `approval_reject`: the operation is undone and its quota given back.
    Reject {
        /// The held operation's id.
        approval: String,
        /// Why (required).
        #[arg(long)]
        comment: String,
    },
}

/// Runs `scmp approval ...`.
pub async fn approval(cmd: ApprovalCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    let o = g.output;
    match cmd {
        ApprovalCmd::List { mine, state } => {
            let path = format!(
                "/approvals{}",
                query(&[
                    ("mine", mine.then_some("true")),
                    ("state", state.as_deref())
                ])
            );
            print_list(&a.list::<ApprovalView>(&path).await?, o, APPROVAL_COLUMNS)
        }
        ApprovalCmd::View { approval } => {
            let v: ApprovalView = a.get(&format!("/approvals/{approval}")).await?;
            print(&v, o, &[])
        }
        ApprovalCmd::Approve { approval, comment } => {
            let v: ApprovalView = a
                .call(
                    Method::POST,
                    &format!("/approvals/{approval}/approve"),
                    &ApprovalComment { comment },
                )
                .await?;
            print(&v, o, APPROVAL_COLUMNS)
        }
        ApprovalCmd::Reject { approval, comment } => {
            let v: ApprovalView = a
                .call(
                    Method::POST,
                    &format!("/approvals/{approval}/reject"),
                    &ApprovalComment {
                        comment: Some(comment),
                    },
                )
                .await?;
            print(&v, o, APPROVAL_COLUMNS)
        }
    }
}
