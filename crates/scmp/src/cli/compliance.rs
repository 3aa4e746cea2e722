//! `scmp compliance ...`: a tenant's compliance report (what its guests violate of the current
//! policies, since when; as CSV with `--csv`) and an on-demand scan.

use scmp_api::ComplianceReport;

use super::output::{print, print_list};
use super::{api, Global};

const VIOLATION_COLUMNS: &[&str] = &["guest", "policy", "enforcement", "message", "since"];

/// `scmp compliance ...`
#[derive(Debug, clap::Subcommand)]
pub enum ComplianceCmd {
    /// `compliance_report`: the tenant's violations from its last scan.
    Report {
        /// Tenant (name or id).
        tenant: String,
        /// As CSV (for spreadsheets and auditors).
        #[arg(long)]
        csv: bool,
    },
    /// `compliance_scan`: scan the tenant's guests now; prints the report.
    Scan {
        /// Tenant (name or id).
        tenant: String,
    },
}

fn show(r: &ComplianceReport, g: &Global) -> anyhow::Result<()> {
    if g.output == super::output::Format::Table {
        let when = r
            .scanned_at
            .as_ref()
            .map(|t| t.to_string())
            .unwrap_or_else(|| "never".into());
        eprintln!(
            "tenant {}: {} guests scanned {when}, {} violations",
            r.tenant,
            r.guests,
            r.violations.len()
        );
        return print_list(&r.violations, g.output, VIOLATION_COLUMNS);
    }
    print(r, g.output, &[])
}

/// Runs `scmp compliance ...`.
pub async fn compliance(cmd: ComplianceCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    match cmd {
        ComplianceCmd::Report { tenant, csv: true } => {
            print!(
                "{}",
                a.get_text(&format!("/tenants/{tenant}/compliance?format=csv"))
                    .await?
            );
            Ok(())
        }
        ComplianceCmd::Report { tenant, csv: false } => {
            let r: ComplianceReport = a.get(&format!("/tenants/{tenant}/compliance")).await?;
            show(&r, g)
        }
        ComplianceCmd::Scan { tenant } => {
            let r: ComplianceReport = a
                .post(&format!("/tenants/{tenant}/compliance/scan"))
                .await?;
            show(&r, g)
        }
    }
}
