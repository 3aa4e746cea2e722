//! Typed requests and responses of the PVE endpoints the platform uses, grouped by area.
//!
//! Each area declares its [`Endpoint`](crate::Endpoint)s as constants, listed again in [`ENDPOINTS`] so a
//! test can check every one against the official schema; builder functions turn typed parameters into
//! [`ApiRequest`](crate::ApiRequest)s.

pub mod access;
pub mod cluster;
pub mod guest;
pub mod guest_props;
pub mod ha;
pub mod nodes;
pub mod pools;
pub mod sdn;
pub mod storage;
pub mod tasks;

use crate::endpoint::Endpoint;

/// Every endpoint the client can call.
pub const ENDPOINTS: &[Endpoint] = &[
    access::VERSION,
    access::TICKET,
    access::PERMISSIONS,
    cluster::STATUS,
    cluster::RESOURCES,
    cluster::NEXTID,
    nodes::LIST,
    nodes::STATUS,
    nodes::RRDDATA,
    nodes::NETWORK,
    guest::QEMU_LIST,
    guest::QEMU_CREATE,
    guest::QEMU_CLONE,
    guest::QEMU_CONFIG_GET,
    guest::QEMU_CONFIG_SET,
    guest::QEMU_CONFIG_SET_ASYNC,
    guest::QEMU_STATUS,
    guest::QEMU_START,
    guest::QEMU_STOP,
    guest::QEMU_SHUTDOWN,
    guest::QEMU_REBOOT,
    guest::QEMU_SUSPEND,
    guest::QEMU_RESUME,
    guest::QEMU_DELETE,
    guest::QEMU_RESIZE,
    guest::QEMU_MIGRATE,
    guest::QEMU_SNAPSHOT_LIST,
    guest::QEMU_SNAPSHOT_CREATE,
    guest::QEMU_SNAPSHOT_ROLLBACK,
    guest::QEMU_SNAPSHOT_DELETE,
    guest::QEMU_TEMPLATE,
    guest::QEMU_AGENT_INTERFACES,
    guest::LXC_LIST,
    guest::LXC_CREATE,
    guest::LXC_CLONE,
    guest::LXC_CONFIG_GET,
    guest::LXC_CONFIG_SET,
    guest::LXC_STATUS,
    guest::LXC_START,
    guest::LXC_STOP,
    guest::LXC_SHUTDOWN,
    guest::LXC_REBOOT,
    guest::LXC_SUSPEND,
    guest::LXC_RESUME,
    guest::LXC_DELETE,
    guest::LXC_RESIZE,
    guest::LXC_MIGRATE,
    guest::LXC_SNAPSHOT_LIST,
    guest::LXC_SNAPSHOT_CREATE,
    guest::LXC_SNAPSHOT_ROLLBACK,
    guest::LXC_SNAPSHOT_DELETE,
    guest::LXC_INTERFACES,
    guest::LXC_TEMPLATE,
    tasks::LIST,
    tasks::STATUS,
    tasks::LOG,
    tasks::CLUSTER_LIST,
    pools::LIST,
    pools::CREATE,
    pools::GET,
    pools::UPDATE,
    pools::DELETE,
    storage::LIST,
    storage::NODE_LIST,
    storage::CONTENT,
    ha::RESOURCES_LIST,
    ha::RESOURCE_CREATE,
    ha::RESOURCE_GET,
    ha::RESOURCE_UPDATE,
    ha::RESOURCE_DELETE,
    ha::STATUS_CURRENT,
    sdn::APPLY,
    sdn::ZONES,
    sdn::ZONE_CREATE,
    sdn::ZONE_GET,
    sdn::ZONE_UPDATE,
    sdn::ZONE_DELETE,
    sdn::VNETS,
    sdn::VNET_CREATE,
    sdn::VNET_GET,
    sdn::VNET_UPDATE,
    sdn::VNET_DELETE,
    sdn::SUBNETS,
    sdn::SUBNET_CREATE,
    sdn::SUBNET_UPDATE,
    sdn::SUBNET_DELETE,
    sdn::IP_CREATE,
    sdn::IP_DELETE,
];
