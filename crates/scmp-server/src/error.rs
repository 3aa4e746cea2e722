//! The one place where errors become HTTP answers: RFC 9457 `application/problem+json` with the field
//! at fault. Internal errors are logged with their detail and answered with a generic text.

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode};
use scmp_common::Error;
use serde::Serialize;
use utoipa::ToSchema;

/// A field that was not acceptable.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    /// JSON path of the field (`quota.vcpus`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// Resources of one kind that stand in the way of a delete.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DependentsView {
    /// Their kind (`project`, `user`, `guest`, ...).
    pub kind: String,
    /// How many there are.
    pub count: u64,
    /// The names of the first few.
    pub names: Vec<String>,
}

/// RFC 9457 problem details.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type", serialize_with = "problem_uri")]
    #[schema(value_type = String)]
    pub kind: &'static str,
    /// A short summary of the problem type.
    #[schema(value_type = String)]
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong, for this request.
    pub detail: String,
    /// The request id.
    #[schema(value_type = String)]
    pub instance: Box<str>,
    /// The fields at fault, for invalid input.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// What still depends on a resource that could not be deleted (409 `in-use`).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    #[schema(value_type = Vec<DependentsView>)]
    pub dependents: Box<[DependentsView]>,
}

fn problem_uri<S: serde::Serializer>(slug: &&'static str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("https://scmp.dev/problems/{slug}"))
}

impl Problem {
    /// A problem of a status, with a detail.
    pub fn new(status: StatusCode, slug: &'static str, detail: impl Into<String>) -> Self {
        Self {
            kind: slug,
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: detail.into(),
            instance: Box::default(),
            errors: Vec::new(),
            dependents: Box::default(),
        }
    }

    /// Invalid input in one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut p = Self::new(
            StatusCode::BAD_REQUEST,
            "invalid-input",
            format!("{field}: {message}"),
        );
        p.errors.push(FieldError {
            field: field.to_string(),
            message,
        });
        p
    }

    /// 401.
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "a valid bearer token is required",
        )
    }

    /// 404 for a resource the caller may not see (or that does not exist).
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("{what} not found"),
        )
    }

    /// 403 for an action the caller may not do on a resource it may see.
    pub fn forbidden(action: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("you may not {action} here"),
        )
    }

    /// With the request id.
    pub fn at(mut self, request_id: &str) -> Self {
        self.instance = request_id.into();
        self
    }
}

impl From<Error> for Problem {
    fn from(e: Error) -> Self {
        match &e {
            Error::NotFound { .. } => {
                Problem::new(StatusCode::NOT_FOUND, "not-found", e.to_string())
            }
            Error::AlreadyExists { .. } => {
                Problem::new(StatusCode::CONFLICT, "already-exists", e.to_string())
            }
            Error::InvalidValue { field, message } => Problem::invalid(field, message.clone()),
            Error::QuotaExceeded { resource, .. } | Error::QuotaBelowUse { resource, .. } => {
                let mut p = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "quota", e.to_string());
                p.errors.push(FieldError {
                    field: format!("quota.{resource}"),
                    message: e.to_string(),
                });
                p
            }
            Error::Conflict(_) => Problem::new(StatusCode::CONFLICT, "conflict", e.to_string()),
            Error::InUse { dependents, .. } => {
                let mut p = Problem::new(StatusCode::CONFLICT, "in-use", e.to_string());
                p.dependents = dependents
                    .iter()
                    .map(|d| DependentsView {
                        kind: d.kind.to_string(),
                        count: d.count,
                        names: d.names.clone(),
                    })
                    .collect();
                p
            }
            Error::Refused(_) => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "refused", e.to_string())
            }
            Error::Unavailable(_) => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                e.to_string(),
            ),
            Error::Internal { detail } => {
                tracing::error!(%detail, "internal error");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "an internal error occurred; it was logged",
                )
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
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
