//! All of scmp's SQL. One [`DataStore`] over SQLite (the embedded default) or PostgreSQL (several
//! server replicas), the same portable SQL on both, migrations applied at open, and one conformance
//! test suite that runs against both. Statements are built and rows read with sqlx for both; on
//! SQLite they run in place (`link`, `sqlite`), on PostgreSQL through sqlx's driver.
//!
//! Quota reservation is one conditional `UPDATE` inside the admitting transaction: the row changes only
//! when the new total stays within the limit, so concurrent requests can never over-allocate.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod addresses;
mod agents;
mod approvals;
mod audit;
mod audit_record;
mod audit_verify;
mod budgets;
mod catalog;
mod compliance;
mod db;
mod dependents;
mod groups;
mod guest_events;
mod guest_leases;
mod guests;
mod idempotency;
mod identity;
mod inventory;
mod itsm;
mod labels;
mod leases;
mod link;
mod mfa;
mod migrate;
mod network_updates;
mod networks;
mod offline_identities;
mod open;
mod operations;
mod platform;
mod policies;
mod projects;
mod public_addresses;
mod public_pools;
mod realms;
mod roles;
mod security_groups;
mod sg_rules;
mod site_audit;
mod site_guests;
mod site_links;
mod site_networks;
mod sites;
mod sqlite;
mod sso;
mod tenants;
mod usage;
mod visible;
mod vmids;

pub use addresses::{GuestNic, NewNic};
pub use agents::{Agent, AgentCertificate, JoinToken, NewJoinToken, StoredCa, Unredeemable};
pub use approvals::{
    ApprovalRow, Decision, DecisionRow, NewApproval, NewDelivery, Requirement, ITSM_PREFIX,
};
pub use audit::{ActorIdentity, AuditEntry, AuditFilter, AuditRecord, ChainBreak, Checkpoint};
pub use budgets::{PendingCut, SiteBudget};
pub use catalog::{Image, InstanceType, NewImage, NewInstanceType};
pub use compliance::{ComplianceScan, Violation};
pub use db::{Backend, DataStore};
pub use groups::Group;
pub use guest_events::GuestEvent;
pub use guest_leases::{GuestLease, LeaseState, NewLease};
pub use guests::{CloudInit, Guest, GuestNetwork, NewGuest};
pub use idempotency::{KeptAnswer, KeyState};
pub use identity::{BindingSubject, Credential, CredentialKind, IssuedSecret, StoredBinding, User};
pub use inventory::{ClusterObservation, Host, HostLoad, HostObservation, TemplateObservation};
pub use itsm::{Attempt, DeliveryRow, DeliveryState};
pub use labels::Labels;
pub use mfa::Totp;
pub use network_updates::{subnets_from_json, subnets_json};
pub use networks::{
    Network, NetworkState, NewNetwork, NewSubnet, SiteNetworking, Subnet, ZoneType,
};
pub use offline_identities::{CachedToken, OfflineIdentity};
pub use operations::{CreationInput, NewOperation, Operation, Progress, Subject};
pub use platform::PlatformSettings;
pub use policies::{
    AdmissionRow, PolicyContent, PolicyLevel, PolicyRow, PolicyVersion, ADMISSIONS_KEPT,
};
pub use projects::{NewProject, Project};
pub use public_addresses::{NatEntry, NewPublicAddress, PublicAddress, PublicState};
pub use public_pools::{check_pool, Family, NewPublicPool, PublicMode, PublicPool};
pub use realms::{MembershipChange, Realm, RealmChange, RealmKind, RealmUser};
pub use roles::{CustomRoleRow, RoleLevel};
pub use security_groups::{tenant_prefix, NewSecurityGroup, SecurityGroup, SecurityGroupState};
pub use sg_rules::{Direction, Protocol, Remote, SgRule};
pub use site_audit::SiteAuditRow;
pub use site_guests::{Adoption, SiteGuest};
pub use site_links::{check_public_key, LinkHub, PlacedSubnet, SiteLink};
pub use sites::{Cluster, ClusterHealth, ClusterInventory, NewCluster, NewSite, Site};
pub use sso::SsoLogin;
pub use tenants::{NewTenant, QuotaView, Tenant};
pub use usage::{UsageRecord, UsageSource};
pub use visible::Visible;
