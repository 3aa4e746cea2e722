//! RFC 9457 problem details: what every error answer of the API carries
//! (`application/problem+json`), with the field at fault for invalid input and what stands in the
//! way of a delete.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where problem types are named (`https://scmp.dev/problems/<slug>`).
pub const PROBLEM_TYPE_BASE: &str = "https://scmp.dev/problems/";

/// A field that was not acceptable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// JSON path of the field (`quota.vcpus`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// Resources of one kind that stand in the way of a delete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DependentsView {
    /// Their kind (`project`, `user`, `guest`, ...).
    pub kind: String,
    /// How many there are.
    pub count: u64,
    /// The names of the first few.
    pub names: Vec<String>,
}

/// RFC 9457 problem details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type (`https://scmp.dev/problems/in-use`).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the problem type.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong, for this request.
    pub detail: String,
    /// The request id (also in `X-Request-Id`): what the server's log lines of the request carry.
    pub instance: String,
    /// The fields at fault, for invalid input.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// What still depends on a resource that could not be deleted (409 `in-use`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependents: Vec<DependentsView>,
    /// The governance policy that refused the request (422 `policy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

impl Problem {
    /// The problem type's slug (`in-use`), from its URI.
    pub fn slug(&self) -> &str {
        self.kind
            .strip_prefix(PROBLEM_TYPE_BASE)
            .unwrap_or(&self.kind)
    }
}
