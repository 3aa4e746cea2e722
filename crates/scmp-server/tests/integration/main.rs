//! The API end to end over HTTPS, one behaviour per test, grouped by theme. Each test has its own
//! platform ([`scmp_test_utils::TestContext`]): the server in process on its own database, with
//! simulated Proxmox VE sites where guests are involved.
#![allow(clippy::unwrap_used)] // A test may unwrap: a panic fails it.

mod agent_link;
mod agents;
mod approvals;
mod audit;
mod authorization;
mod backups;
mod clusters;
mod compliance;
mod deletes;
mod governance;
mod groups;
mod guest_changes;
mod guest_lifecycle;
mod guest_peers;
mod guest_quota;
mod ha;
mod inventory;
mod itsm;
mod leases;
mod lists;
mod mfa;
mod networks;
mod offline_month;
mod placement;
mod portal;
mod problems;
mod public_addresses;
mod realms;
mod realms_ad;
mod roles;
mod sagas;
mod security_groups;
mod service;
mod sessions;
mod site_audit;
mod site_links;
mod sso;
mod tenants;
mod tokens;
mod users;
