//! The one place where errors become HTTP answers: RFC 9457 `application/problem+json` with the field
//! at fault. Handlers and extractors return [`HttpError`] (the one error type, `scmp_common::Error`,
//! made an answer); the request id of the answer's `instance` comes from the request being served.
//! Internal errors are logged with their whole cause chain and answered with a generic text.

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode};
use scmp_api::{DependentsView, FieldError, Problem, PROBLEM_TYPE_BASE};
use scmp_common::Error;

tokio::task_local! {
    /// The id of the request being served (set by the middleware around every request).
    pub static REQUEST_ID: String;
}

/// The id of the request being served, or empty outside one.
pub fn current_request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_default()
}

/// An error as an HTTP answer.
#[derive(Debug)]
pub struct HttpError(pub Error);

impl From<Error> for HttpError {
    fn from(e: Error) -> Self {
        HttpError(e)
    }
}

impl HttpError {
    /// Invalid input in one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        HttpError(Error::InvalidValue {
            field: field.to_string(),
            message: message.into(),
        })
    }
}

/// The status and problem type of each error.
fn status_and_slug(e: &Error) -> (StatusCode, &'static str) {
    match e {
        Error::NotFound { .. } => (StatusCode::NOT_FOUND, "not-found"),
        Error::NoSuchPath => (StatusCode::NOT_FOUND, "not-found"),
        Error::AlreadyExists { .. } => (StatusCode::CONFLICT, "already-exists"),
        Error::InvalidValue { .. } => (StatusCode::BAD_REQUEST, "invalid-input"),
        Error::QuotaExceeded { .. } | Error::QuotaBelowUse { .. } => {
            (StatusCode::UNPROCESSABLE_ENTITY, "quota")
        }
        Error::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
        Error::InUse { .. } => (StatusCode::CONFLICT, "in-use"),
        Error::Refused(_) => (StatusCode::UNPROCESSABLE_ENTITY, "refused"),
        Error::PolicyDenied { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "policy"),
        Error::IdempotencyKeyReused => (StatusCode::UNPROCESSABLE_ENTITY, "idempotency-key-reused"),
        Error::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        Error::Unauthenticated { .. } => (StatusCode::UNAUTHORIZED, "unauthenticated"),
        Error::MfaRequired => (StatusCode::UNAUTHORIZED, "mfa-required"),
        Error::Forbidden { .. } => (StatusCode::FORBIDDEN, "forbidden"),
        Error::CsrfMissing => (StatusCode::FORBIDDEN, "csrf"),
        Error::Throttled(_) => (StatusCode::TOO_MANY_REQUESTS, "throttled"),
        Error::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too-large"),
        Error::UnsupportedMediaType { .. } => {
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type")
        }
        Error::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed"),
        Error::Internal { .. } => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

/// The problem details of an error, for the request `instance`.
pub fn problem(e: &Error, instance: String) -> Problem {
    let (status, slug) = status_and_slug(e);
    let mut p = Problem {
        kind: format!("{PROBLEM_TYPE_BASE}{slug}"),
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        detail: e.to_string(),
        instance,
        errors: Vec::new(),
        dependents: Vec::new(),
        policy: None,
    };
    match e {
        Error::InvalidValue { field, message } => p.errors.push(FieldError {
            field: field.clone(),
            message: message.clone(),
        }),
        Error::QuotaExceeded { resource, .. } | Error::QuotaBelowUse { resource, .. } => {
            p.errors.push(FieldError {
                field: format!("quota.{resource}"),
                message: e.to_string(),
            })
        }
        Error::InUse { dependents, .. } => {
            p.dependents = dependents
                .iter()
                .map(|d| DependentsView {
                    kind: d.kind.to_string(),
                    count: d.count,
                    names: d.names.clone(),
                })
                .collect()
        }
        Error::PolicyDenied { policy, .. } => p.policy = Some(policy.clone()),
        Error::MfaRequired => p.errors.push(FieldError {
            field: "totp".into(),
            message: e.to_string(),
        }),
        Error::Internal { .. } => {
            tracing::error!(detail = %e.chain(), "internal error");
            p.detail = "an internal error occurred; it was logged".into();
        }
        _ => {}
    }
    p
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let p = problem(&self.0, current_request_id());
        let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&p).unwrap_or_default();
        let mut resp = (status, body).into_response();
        resp.headers_mut().insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                http::header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer"),
            );
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_names_its_request() {
        let p = problem(
            &Error::InvalidValue {
                field: "name".into(),
                message: "must not be empty".into(),
            },
            "req-1".into(),
        );
        assert_eq!(
            (p.status, p.slug(), p.instance.as_str()),
            (400, "invalid-input", "req-1")
        );
        assert_eq!(p.errors[0].field, "name");
        let internal = problem(
            &Error::internal_caused("x", std::io::Error::other("secret detail")),
            String::new(),
        );
        assert_eq!(internal.status, 500);
        assert!(!internal.detail.contains("secret"), "{}", internal.detail);
    }
}
