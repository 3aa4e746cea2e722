//! The governance policies' engine and the compiled set of active policies a server holds,
//! recompiled when the store's policy generation changes (filled by `app::governance`); and the
//! parameter under which an operation carries its admission's policy warnings.

use std::collections::HashMap;
use std::sync::Arc;

use scmp_common::{Error, ProjectId, TenantId};
use scmp_governance::{Compiled, Governance};

/// Where a policy applies: the platform, a tenant, or one project.
pub(crate) type PolicyScope = (Option<TenantId>, Option<ProjectId>);

/// The key of an operation's parameters that holds the warnings of its admission.
pub(crate) const WARNINGS: &str = "policy_warnings";

/// The active policies, compiled, with where each applies and the approval rules of those that
/// hold requests; and those that no longer compile.
pub(crate) struct ActiveSet {
    pub(crate) compiled: Compiled,
    pub(crate) scopes: HashMap<String, PolicyScope>,
    pub(crate) rules: HashMap<String, scmp_api::ApprovalRule>,
    pub(crate) leases: HashMap<String, scmp_api::LeaseRule>,
    pub(crate) broken: Vec<(String, PolicyScope, String)>,
}

/// The engine and the compiled set of the store's generation.
pub struct PolicyCache {
    /// The engine (the input's schema and its validator).
    pub engine: Governance,
    pub(crate) set: tokio::sync::Mutex<Option<(i64, Arc<ActiveSet>)>>,
}

impl PolicyCache {
    /// An empty cache.
    pub fn new() -> Result<PolicyCache, Error> {
        Ok(PolicyCache {
            engine: Governance::new().map_err(Error::internal)?,
            set: Default::default(),
        })
    }
}

impl std::fmt::Debug for PolicyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PolicyCache")
    }
}
