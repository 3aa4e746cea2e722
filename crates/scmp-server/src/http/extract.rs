//! Extractors whose every failure is a problem+json answer naming the field at fault.

use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use http::request::Parts;
use http::StatusCode;
use serde::de::DeserializeOwned;

use super::RequestId;
use crate::context::AppState;
use crate::error::Problem;

/// The request id the middleware set.
fn request_id(ext: &http::Extensions) -> String {
    ext.get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default()
}

/// The largest request body accepted.
pub const MAX_BODY: usize = 1 << 20;

/// A JSON body: `application/json`, at most 1 MiB, of the type's exact shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<Arc<AppState>> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, _: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let id = request_id(req.extensions());
        Self::read(req).await.map_err(|p| p.at(&id))
    }
}

impl<T: DeserializeOwned> ApiJson<T> {
    async fn read(req: Request) -> Result<Self, Problem> {
        let json = req
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !json {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "send the body as application/json",
            ));
        }
        let bytes = axum::body::to_bytes(req.into_body(), MAX_BODY)
            .await
            .map_err(|_| {
                Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too-large",
                    format!("the body is larger than {MAX_BODY} bytes"),
                )
            })?;
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." || path.is_empty() {
                "body".to_string()
            } else {
                path
            };
            Problem::invalid(&field, e.inner().to_string())
        })?;
        de.end()
            .map_err(|e| Problem::invalid("body", e.to_string()))?;
        Ok(ApiJson(value))
    }
}

/// A path parameter.
pub struct ApiPath(pub String);

impl FromRequestParts<Arc<AppState>> for ApiPath {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(p)| ApiPath(p))
            .map_err(|e| Problem::invalid("path", e.body_text()).at(&request_id(&parts.extensions)))
    }
}

/// Query parameters of the type's exact shape.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<Arc<AppState>> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                // The parameter at fault, when the error is about one.
                let path = e.path().to_string();
                let field = if path == "." || path.is_empty() {
                    "query".to_string()
                } else {
                    path
                };
                Problem::invalid(&field, e.inner().to_string()).at(&request_id(&parts.extensions))
            })
    }
}

/// Two path parameters (a resource and one of its children).
pub struct ApiPath2(pub String, pub String);

impl FromRequestParts<Arc<AppState>> for ApiPath2 {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map(|Path((a, b))| ApiPath2(a, b))
            .map_err(|e| Problem::invalid("path", e.body_text()).at(&request_id(&parts.extensions)))
    }
}
