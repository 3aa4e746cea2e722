//! scmp's shared vocabulary: typed ids, validated names, resource amounts and the one error type that
//! every layer returns and the API maps, in one place, to RFC 9457 problem details. No IO.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod clock;
pub mod country;
pub mod error;
pub mod ids;
pub mod lifecycle;
pub mod name;
pub mod random;
pub mod resources;
pub mod states;
pub mod target;
mod text_enum;
pub mod time;

pub use clock::{Clock, ManualClock, SharedClock, SystemClock};
pub use country::Country;
pub use error::{Dependents, Error, ResourceKind};
pub use ids::{
    AgentId, ClusterId, CredentialId, GroupId, GuestId, ImageId, InstanceTypeId, JoinTokenId,
    NetworkId, OperationId, PolicyId, ProjectId, PublicAddressId, PublicPoolId, RealmId,
    RoleBindingId, RoleId, SecurityGroupId, SiteId, SubnetId, TenantId, UserId,
};
pub use lifecycle::{ApprovalState, GuestKind, GuestState, OperationKind, OperationState};
pub use name::Name;
pub use random::Random;
pub use resources::{ResourceDelta, Resources};
pub use states::{
    AuditPhase, AuditResult, AuthMethod, ChainState, ClusterState, Direction, DriftAction,
    GuestEventKind, Protocol,
};
pub use target::AuditTarget;
