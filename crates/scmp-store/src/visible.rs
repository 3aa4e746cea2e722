//! Which rows of a list a caller may see, as the app layer works it out from the caller's roles,
//! so that a list reads only those: a page then costs one query whatever else the list holds.

use scmp_common::{ProjectId, TenantId};

/// The rows a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visible {
    /// Every row (a platform-wide role).
    All,
    /// The rows of these tenants (all their projects) and of these projects.
    Within {
        /// Tenants seen whole.
        tenants: Vec<TenantId>,
        /// Projects seen one by one.
        projects: Vec<ProjectId>,
    },
}

impl Visible {
    /// The SQL condition on a row whose tenant is in `tenant_col` and project (if it has one) in
    /// `project_col`. The ids are inlined: they are UUIDs, formatted here.
    pub(crate) fn condition(&self, tenant_col: &str, project_col: Option<&str>) -> String {
        let Visible::Within { tenants, projects } = self else {
            return "1 = 1".into();
        };
        let list = |ids: Vec<String>| {
            ids.iter()
                .map(|id| format!("'{id}'"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut any = Vec::new();
        if !tenants.is_empty() {
            let ids = list(tenants.iter().map(|t| t.to_string()).collect());
            any.push(format!("{tenant_col} IN ({ids})"));
        }
        if let Some(col) = project_col {
            if !projects.is_empty() {
                let ids = list(projects.iter().map(|p| p.to_string()).collect());
                any.push(format!("{col} IN ({ids})"));
            }
        }
        if any.is_empty() {
            "1 = 0".into()
        } else {
            format!("({})", any.join(" OR "))
        }
    }
}
