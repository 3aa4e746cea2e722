//! The app layer: every use case of the API, one module per resource, as methods on the shared
//! [`AppState`](crate::context::AppState). A handler unpacks the request and calls one of these;
//! they look the objects up (authorized, see [`lookup`]), check the input, run the change inside
//! its audit entries ([`audit`]), call the store and the sites, and answer the API's views. Errors
//! are [`scmp_common::Error`]; `crate::error` alone turns them into problem answers.
//!
//! Layers, from the top: `http` (glue) -> `app` -> `inventory`, `placement`, `connections`,
//! `signals`, `views` -> the store and the agent. The workers (`workflows`) sit beside `app`:
//! the app records operations and signals them; the workers run them.

mod agent_link;
pub mod agents;
pub mod approval_rules;
pub mod approvals;
pub mod audit;
pub mod audit_log;
pub mod authenticate;
pub mod catalog;
pub mod clusters;
pub mod compliance;
pub mod governance;
pub mod groups;
pub mod guests;
pub mod itsm;
pub mod lease_terms;
pub mod leases;
pub mod lookup;
pub mod me;
pub mod mfa;
pub mod networks;
pub mod operations;
pub mod paging;
pub mod platform;
pub mod policies;
pub mod projects;
pub mod public_addresses;
mod realm_login;
mod realm_schedule;
mod realm_settings;
mod realm_sync;
pub mod realms;
pub mod role_bindings;
pub mod roles;
pub mod security_groups;
pub mod sessions;
mod site_audit;
mod site_budgets;
pub mod site_links;
mod site_policies;
mod site_reports;
mod site_state;
pub mod sites;
mod sso;
pub mod tenants;
pub mod tokens;
pub mod users;
pub mod visible;
