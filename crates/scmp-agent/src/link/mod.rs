//! The agent's link to the centre: one long-lived WebSocket over mutual TLS, opened from the site
//! (no port open at the edge), carrying commands down and their answers up ([`wire`]), with
//! application pings, dead-peer detection and jittered reconnects ([`client`]), and what the agent
//! owes the centre kept in its [`journal`] until acknowledged; what is done at the site through its
//! own API is written in the site's signed audit [`chain`]; what the guests made there hold is
//! metered by the hour ([`metering`]).

mod backoff;
pub mod chain;
pub mod client;
mod event;
pub mod held;
pub mod journal;
mod ledger;
mod meter;
pub mod metering;
mod outbox;
mod site_tasks;
pub mod usage;
pub mod watch;
pub mod wire;

pub use backoff::Backoff;
pub use chain::{
    ChainCheck, ChainError, ChainSigner, LocalEvent, LocalGuest, SiteActor, SiteAuditEntry,
};
pub use client::{open, run, Credentials, LinkEnd, LinkOptions, LinkState, Socket};
pub use event::SiteEvent;
pub use held::Spending;
pub use journal::{Journal, JournalError};
pub use ledger::LocalChange;
pub use outbox::Outbox;
pub use site_tasks::{spawn_site_tasks, SiteTaskPeriods};
pub use usage::SiteUsage;
pub use wire::{
    ClusterHello, Down, Hello, Outcome, SiteBinding, SiteGovernance, SiteGrant, SiteIdentity,
    SiteImage, SiteInstanceType, SitePolicy, SiteProject, SiteRole, SiteState, SiteToken, Up,
    UpBody, LINK_PATH, PROTOCOL_VERSION,
};
