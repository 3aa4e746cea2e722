//! `scmp policy ...`: governance policies: list, view (with the Cedar rules they are evaluated
//! as), create and update from a JSON or YAML file of the API's fields, delete, their versions, a
//! dry run over recent admissions, and `test`: a policy file evaluated against a sample request
//! file here, offline, by the same engine the server runs.

use std::path::PathBuf;

use anyhow::Context;
use reqwest::Method;
use scmp_api::{
    PolicyCreate, PolicyDryRun, PolicyDryRunReport, PolicyInput, PolicyUpdate, PolicyVersionView,
    PolicyView,
};
use scmp_governance::{Governance, PolicyDef, Source};

use super::client::query;
use super::output::{print, print_list};
use super::{api, Global};

const POLICY_COLUMNS: &[&str] = &[
    "name",
    "enforcement",
    "tenant_id",
    "project_id",
    "active",
    "version",
    "message",
];

/// `scmp policy ...`
#[derive(Debug, clap::Subcommand)]
pub enum PolicyCmd {
    /// `policy_list`: the platform's, and the tenants' and projects' you can see.
    List {
        /// Only the platform's and this tenant's.
        #[arg(long)]
        tenant: Option<String>,
    },
    /// `policy_view`, with the Cedar rules it is evaluated as.
    View {
        /// Name or id.
        policy: String,
    },
    /// `policy_create` from a file of its fields (`name`, `enforcement`, `builtin` or `cedar`,
    /// `tenant` or `project`, `message`, and `approval` for `require_approval`), JSON or YAML.
    Create {
        /// The file.
        #[arg(long)]
        file: PathBuf,
    },
    /// `policy_update` from a file of the fields to replace, with the `version` it is made from.
    Update {
        /// Name or id.
        policy: String,
        /// The file.
        #[arg(long)]
        file: PathBuf,
    },
    /// `policy_delete`.
    Delete {
        /// Name or id.
        policy: String,
    },
    /// `policy_versions`, newest first.
    Versions {
        /// Name or id.
        policy: String,
    },
    /// `policy_dry_run`: what the policy in the file would have done to recent admissions.
    DryRun {
        /// The policy (as for `create`).
        #[arg(long)]
        file: PathBuf,
        /// How many of the newest admissions to look at.
        #[arg(long)]
        last: Option<u32>,
    },
    /// Evaluates the policy in a file against a sample request, here, without a server; fails
    /// when a `deny` policy refuses it.
    Test {
        /// The policy (as for `create`).
        #[arg(long)]
        file: PathBuf,
        /// The request: the policies' input (`operation`, `request`, `actor`, `project`,
        /// `tenant`, `time`), JSON or YAML.
        #[arg(long)]
        request: PathBuf,
    },
}

fn read_file<T: serde::de::DeserializeOwned>(path: &PathBuf) -> anyhow::Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_norway::from_str(&text).with_context(|| format!("reading {}", path.display()))
}

/// The verdict of a policy file on a request file, printed; whether a `deny` refused it.
fn test_offline(file: &PathBuf, request: &PathBuf, g: &Global) -> anyhow::Result<bool> {
    let p: PolicyCreate = read_file(file)?;
    let input: PolicyInput = read_file(request)?;
    let source = match (p.builtin, p.cedar) {
        (Some(b), None) => Source::Builtin(b),
        (None, Some(c)) => Source::Cedar(c),
        _ => anyhow::bail!("{}: give either builtin or cedar", file.display()),
    };
    let def = PolicyDef {
        key: p.name.to_string(),
        enforcement: p.enforcement,
        message: p.message,
        source,
    };
    let engine = Governance::new()?;
    let set = engine
        .compile(std::slice::from_ref(&def))
        .map_err(|(_, e)| anyhow::anyhow!("{}: {e}", file.display()))?;
    let verdict = engine.evaluate(&set, &input)?;
    let refused = verdict.denial().is_some();
    let outcome = if refused {
        "refused"
    } else if verdict.approvals().next().is_some() {
        "needs_approval"
    } else if verdict.leases().next().is_some() {
        "leased"
    } else if verdict.hits.is_empty() {
        "allowed"
    } else {
        "warned"
    };
    let answer = serde_json::json!({"outcome": outcome, "hits": verdict.hits});
    print(&answer, g.output, &["outcome"])?;
    Ok(refused)
}

/// Runs `scmp policy ...`.
pub async fn policy(cmd: PolicyCmd, g: &Global) -> anyhow::Result<()> {
    if let PolicyCmd::Test { file, request } = &cmd {
        if test_offline(file, request, g)? {
            anyhow::bail!("a deny policy refuses the request");
        }
        return Ok(());
    }
    let a = api(g)?;
    let o = g.output;
    match cmd {
        PolicyCmd::List { tenant } => {
            let path = format!("/policies{}", query(&[("tenant", tenant.as_deref())]));
            print_list(&a.list::<PolicyView>(&path).await?, o, POLICY_COLUMNS)
        }
        PolicyCmd::View { policy } => {
            let p: PolicyView = a.get(&format!("/policies/{policy}")).await?;
            print(&p, o, &[])
        }
        PolicyCmd::Create { file } => {
            let body: PolicyCreate = read_file(&file)?;
            let p: PolicyView = a.call(Method::POST, "/policies", &body).await?;
            print(&p, o, POLICY_COLUMNS)
        }
        PolicyCmd::Update { policy, file } => {
            let body: PolicyUpdate = read_file(&file)?;
            let p: PolicyView = a
                .call(Method::PUT, &format!("/policies/{policy}"), &body)
                .await?;
            print(&p, o, POLICY_COLUMNS)
        }
        PolicyCmd::Delete { policy } => a.delete(&format!("/policies/{policy}")).await,
        PolicyCmd::Versions { policy } => {
            let v: Vec<PolicyVersionView> = a.get(&format!("/policies/{policy}/versions")).await?;
            print_list(
                &v,
                o,
                &[
                    "version",
                    "enforcement",
                    "active",
                    "changed_by",
                    "created_at",
                ],
            )
        }
        PolicyCmd::DryRun { file, last } => {
            let body = PolicyDryRun {
                policy: read_file(&file)?,
                last,
            };
            let r: PolicyDryRunReport = a.call(Method::POST, "/policies/dry-run", &body).await?;
            print(&r, o, &["examined", "hits"])
        }
        PolicyCmd::Test { .. } => Ok(()),
    }
}
