//! How the site's API refuses: RFC 9457 problem details, as the platform's API answers them.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A refusal, answered as RFC 9457 problem details.
pub struct Refusal {
    /// The HTTP status.
    pub status: StatusCode,
    /// The problem type's last path segment.
    pub slug: &'static str,
    /// Its title.
    pub title: &'static str,
    /// What was wrong, for this request.
    pub detail: String,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "type": format!("https://scmp.dev/problems/{}", self.slug),
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
            "instance": uuid::Uuid::new_v4().to_string(),
        });
        (
            self.status,
            [(axum::http::header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
        )
            .into_response()
    }
}

/// A refusal.
pub fn problem(
    status: StatusCode,
    slug: &'static str,
    title: &'static str,
    detail: &str,
) -> Refusal {
    Refusal {
        status,
        slug,
        title,
        detail: detail.to_string(),
    }
}
