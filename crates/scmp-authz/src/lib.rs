//! Who may do what: roles bound to scopes, the actions of the API, and [`Authorizer::authorize`],
//! decided by the Cedar policy engine from the checked-in policy (`policy/scmp.cedar`) and the
//! role-to-action table (`roles.rs`).
//!
//! The API answers 404 for what a caller may not see and 403 for what it may see but not do; that
//! split is made here, in [`Authorizer::check`], and nowhere else.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod action;
mod engine;
mod roles;

pub use action::Action;
pub use engine::{Authorizer, Denial, Principal, Resource};
pub use roles::{CustomRole, Grant, Level, Role, RoleBinding, Scope, UnknownRole};
