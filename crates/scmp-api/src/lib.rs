//! The scmp API's types: every request body, query and view of the public REST API, shared by the
//! server (which answers them and generates the OpenAPI document from them), the `scmp` client
//! (which builds and reads them) and the portal (whose script is checked against that document).
//! No IO.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod agents;
pub mod approvals;
pub mod audit;
pub mod backups;
pub mod catalog;
pub mod compliance;
pub mod guests;
pub mod identity;
pub mod leases;
pub mod networks;
pub mod operations;
pub mod paging;
pub mod platform;
pub mod policies;
pub mod problem;
pub mod public_addresses;
pub mod quota;
pub mod realms;
pub mod roles;
pub mod security_groups;
pub mod site_links;
pub mod sites;
pub mod tenants;

pub use agents::*;
pub use approvals::*;
pub use audit::*;
pub use backups::*;
pub use catalog::*;
pub use compliance::*;
pub use guests::*;
pub use identity::*;
pub use leases::*;
pub use networks::*;
pub use operations::*;
pub use paging::{
    ApprovalListQuery, AuditQuery, GuestListQuery, OperationQuery, Page, PageQuery, TenantFilter,
    TokenListQuery, TokenOwner,
};
pub use platform::*;
pub use policies::*;
pub use problem::{DependentsView, FieldError, Problem, PROBLEM_TYPE_BASE};
pub use public_addresses::*;
pub use quota::*;
pub use realms::*;
pub use roles::*;
pub use security_groups::*;
pub use site_links::*;
pub use sites::*;
pub use tenants::*;

/// The base path of the API.
pub const BASE_PATH: &str = "/api/v1";
