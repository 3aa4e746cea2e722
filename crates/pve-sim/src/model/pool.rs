//! Resource pools.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// One pool.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PoolRec {
    /// Comment.
    pub comment: Option<String>,
    /// Storage members (ids).
    pub storage: BTreeSet<String>,
}
