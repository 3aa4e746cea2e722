//! scmp's shared vocabulary: typed ids, validated names, resource amounts and the one error type that
//! every layer returns and the API maps, in one place, to RFC 9457 problem details. No IO.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod error;
pub mod ids;
pub mod lifecycle;
pub mod name;
pub mod resources;
pub mod time;

pub use error::{Dependents, Error, ResourceKind};
pub use ids::{GuestId, OperationId, ProjectId, TenantId};
pub use lifecycle::{GuestKind, GuestState, OperationKind, OperationState};
pub use name::Name;
pub use resources::Resources;
