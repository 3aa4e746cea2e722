//! How operations end that did not fail: the errors a cancelled or an unapproved operation is
//! recorded with (set by the app layer, read by the workflows, which end them `cancelled`).

/// The error of an operation a user cancelled.
pub const CANCELLED: &str = "cancelled by a user";

/// The error of an operation whose approval did not pass starts with this.
pub const NOT_APPROVED: &str = "not approved: ";

/// Whether an operation with this error ends `cancelled` (nothing failed: it did not go ahead).
pub fn is_cancellation(error: &str) -> bool {
    error == CANCELLED || error.starts_with(NOT_APPROVED)
}
