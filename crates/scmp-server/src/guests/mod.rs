//! The guest use cases every front end shares (the API, and through it the portal and the CLI):
//! admission of a creation, and what is asked of a guest's site while a user looks at it.

mod admission;
mod live;

pub use admission::{check_create, check_sizes};
pub use live::{addresses, snapshots};
