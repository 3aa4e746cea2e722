//! OpenAPI schemas (feature `utoipa`) of the types an API built on this one shows its users.

use utoipa::openapi::schema::{Schema, Type};
use utoipa::openapi::{ObjectBuilder, RefOr};
use utoipa::{PartialSchema, ToSchema};

use crate::{Authid, Fingerprint, NodeName};

fn string(pattern: &str, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .description(Some(description))
        .into()
}

impl PartialSchema for Authid {
    fn schema() -> RefOr<Schema> {
        string(
            r"^[^\s:/!]+@[A-Za-z0-9._-]+(![A-Za-z][A-Za-z0-9._-]*)?$",
            "A Proxmox VE authentication id: USER@REALM, or an API token USER@REALM!TOKENID",
        )
    }
}

impl ToSchema for Authid {}

impl PartialSchema for Fingerprint {
    fn schema() -> RefOr<Schema> {
        string(
            "^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$",
            "A certificate's SHA-256 fingerprint as Proxmox VE shows it (AB:CD:...)",
        )
    }
}

impl ToSchema for Fingerprint {}

impl PartialSchema for NodeName {
    fn schema() -> RefOr<Schema> {
        string(
            "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$",
            "A Proxmox VE node name (a DNS label)",
        )
    }
}

impl ToSchema for NodeName {}

impl PartialSchema for crate::Upid {
    fn schema() -> RefOr<Schema> {
        string(
            "^UPID:[^:]+:[0-9A-Fa-f]*:[0-9A-Fa-f]*:[0-9A-Fa-f]+:[^:]*:[^:]*:[^:]*:.*$",
            "A Proxmox VE task id (UPID:node:pid:pstart:starttime:type:id:user:)",
        )
    }
}

impl ToSchema for crate::Upid {}
