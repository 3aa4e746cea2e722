//! Lists in pages, one way for every list: `?limit=&page_token=` -> `{items, next_page_token}`, and
//! the query parameters of each list (its filters, then `limit` and `page_token`).

use scmp_common::time::Time;
use scmp_common::{ApprovalState, Error, GuestId, GuestState, OperationState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most items a page holds.
pub const MAX_LIMIT: u32 = 1000;
/// Items on a page when the caller does not say.
pub const DEFAULT_LIMIT: u32 = 100;

/// A page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Pass as `page_token` for the next page; absent on the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// A page query's limit, checked: 1 to [`MAX_LIMIT`], [`DEFAULT_LIMIT`] when not given.
pub fn limit(limit: Option<u32>) -> Result<u32, Error> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(Error::InvalidValue {
            field: "limit".into(),
            message: format!("must be between 1 and {MAX_LIMIT}"),
        }),
    }
}

/// A list's query parameters: its filters, then `limit` and `page_token`, which every list takes.
macro_rules! list_query {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident: $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
        #[into_params(parameter_in = Query)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$fmeta])* #[serde(default, skip_serializing_if = "Option::is_none")] pub $field: $ty,)*
            /// At most this many items (1 to 1000, default 100).
            #[param(minimum = 1, maximum = 1000)]
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub limit: Option<u32>,
            /// The `next_page_token` of the page before.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub page_token: Option<String>,
        }

        impl $name {
            /// The limit, checked.
            pub fn limit(&self) -> Result<u32, Error> {
                limit(self.limit)
            }
        }
    };
}

list_query! {
    /// `?limit=&page_token=`.
    PageQuery {}
}

list_query! {
    /// Filter of `user_list`, `group_list` and `role_binding_list`.
    TenantFilter {
        /// Only this tenant's (id or name); without it, the platform's whole list (platform admins).
        tenant: Option<String>,
    }
}

list_query! {
    /// Whose tokens (`?user=`, as [`TokenOwner`]), a page at a time.
    TokenListQuery {
        /// A user the caller manages (id or name); the caller's own tokens when left out.
        user: Option<String>,
    }
}

list_query! {
    /// Filters of `audit_list`.
    AuditQuery {
        /// Only this tenant's entries (tenant admins and auditors see their tenant's only).
        tenant: Option<String>,
        /// Only entries of this actor: a user id, or the user name they had when acting.
        actor: Option<String>,
        /// Only entries of this operation (`tenant_create`, ...).
        operation: Option<String>,
        /// Only entries about this target (`tenant/<id>`, ...).
        target: Option<String>,
        /// From this time on (RFC 3339).
        since: Option<Time>,
        /// Until this time (RFC 3339).
        until: Option<Time>,
        /// Only entries of requests that acted on this guest (guest id): their requests and the
        /// Proxmox side of their operations.
        guest: Option<GuestId>,
    }
}

list_query! {
    /// Filters of `guest_list`.
    GuestListQuery {
        /// Only guests at this site (name).
        site: Option<String>,
        /// Only guests in this state.
        state: Option<GuestState>,
    }
}

list_query! {
    /// Filters of `operation_list`.
    OperationQuery {
        /// Only this guest's operations (id or name).
        guest: Option<String>,
        /// Only operations in this state.
        state: Option<OperationState>,
    }
}

/// Whose token: `?user=` (id or name) for a user the caller manages, else the caller's own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TokenOwner {
    /// A user the caller manages (id or name); the caller's own tokens when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert_eq!(limit(None).unwrap(), DEFAULT_LIMIT);
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(1001)).is_err());
        assert_eq!(limit(Some(1000)).unwrap(), 1000);
    }
}

list_query! {
    /// Filter of `approval_list`.
    ApprovalListQuery {
        /// Only approvals in this state (`pending` for those still open).
        state: Option<ApprovalState>,
        /// Only those the caller may still decide on (true), or every one they can see.
        mine: Option<bool>,
    }
}
