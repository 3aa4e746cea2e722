//! Extractors whose every failure is a problem+json answer naming the field at fault.

use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use http::request::Parts;
use scmp_common::Error;
use serde::de::DeserializeOwned;

use crate::context::AppState;
use crate::error::HttpError;

/// The largest request body accepted.
pub const MAX_BODY: usize = 1 << 20;

/// How much of a refused body is still read, and for how long: a client still sending it then
/// reads the refusal, instead of a connection reset under it.
const DRAIN_BYTES: usize = 16 << 20;
const DRAIN_FOR: std::time::Duration = std::time::Duration::from_secs(2);

/// A request body of at most [`MAX_BODY`]; a larger one is refused (a body that breaks off too:
/// there is nothing to act on).
pub async fn read_body(body: axum::body::Body) -> Result<bytes::Bytes, Error> {
    use http_body_util::BodyExt;
    let too_large = Error::TooLarge {
        limit_bytes: MAX_BODY,
    };
    let mut body = body;
    let mut read = bytes::BytesMut::new();
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.map(|f| f.into_data()) else {
            return Err(too_large);
        };
        let Ok(data) = data else { continue };
        if read.len() + data.len() > MAX_BODY {
            let drained = async {
                let mut seen = 0;
                while let Some(Ok(f)) = body.frame().await {
                    seen += f.data_ref().map_or(0, |d| d.len());
                    if seen > DRAIN_BYTES {
                        break;
                    }
                }
            };
            let _ = tokio::time::timeout(DRAIN_FOR, drained).await;
            return Err(too_large);
        }
        read.extend_from_slice(&data);
    }
    Ok(read.freeze())
}

/// The field a deserialization error names (`body` for the whole).
fn field_of(path: &serde_path_to_error::Path, whole: &str) -> String {
    let path = path.to_string();
    if path == "." || path.is_empty() {
        whole.to_string()
    } else {
        path
    }
}

/// A JSON body: `application/json`, at most 1 MiB, of the type's exact shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<Arc<AppState>> for ApiJson<T> {
    type Rejection = HttpError;

    async fn from_request(req: Request, _: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !json {
            return Err(HttpError(Error::UnsupportedMediaType {
                expected: "application/json",
            }));
        }
        let bytes = read_body(req.into_body()).await.map_err(HttpError)?;
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| HttpError::invalid(&field_of(e.path(), "body"), e.inner().to_string()))?;
        de.end()
            .map_err(|e| HttpError::invalid("body", e.to_string()))?;
        Ok(ApiJson(value))
    }
}

/// Where the request came from (its id and peer), for what is done before anyone is
/// authenticated (a login).
pub struct Meta(pub crate::context::RequestMeta);

impl FromRequestParts<Arc<AppState>> for Meta {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let request_id = parts
            .extensions
            .get::<super::RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default();
        let source = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0)
            .unwrap_or_else(|| std::net::SocketAddr::from(([0, 0, 0, 0], 0)));
        Ok(Meta(crate::context::RequestMeta { request_id, source }))
    }
}

/// A path parameter.
pub struct ApiPath(pub String);

impl FromRequestParts<Arc<AppState>> for ApiPath {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(p)| ApiPath(p))
            .map_err(|e| HttpError::invalid("path", e.body_text()))
    }
}

/// Query parameters of the type's exact shape.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<Arc<AppState>> for ApiQuery<T> {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            // The parameter at fault, when the error is about one.
            .map_err(|e| HttpError::invalid(&field_of(e.path(), "query"), e.inner().to_string()))
    }
}

/// Two path parameters (a resource and one of its children).
pub struct ApiPath2(pub String, pub String);

impl FromRequestParts<Arc<AppState>> for ApiPath2 {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map(|Path((a, b))| ApiPath2(a, b))
            .map_err(|e| HttpError::invalid("path", e.body_text()))
    }
}
