//! `Idempotency-Key` on POST: the first answer to a key is kept (for a day) and given again to a
//! repeat of the same request by the same caller, so a client that lost an answer can retry without
//! creating twice. A key reused for a different request is refused; a repeat while the first is still
//! being answered gets 409.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode};
use scmp_store::{KeptAnswer, KeyState};
use sha2::{Digest, Sha256};

use crate::context::AppState;
use scmp_common::Error;

use crate::error::HttpError;

const HEADER: &str = "idempotency-key";

fn hash(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    hex::encode(h.finalize())
}

/// Answers worth keeping: successes and refusals that a repeat would meet again.
fn keep(status: StatusCode) -> bool {
    status.is_success()
        || matches!(
            status,
            StatusCode::BAD_REQUEST
                | StatusCode::FORBIDDEN
                | StatusCode::NOT_FOUND
                | StatusCode::CONFLICT
                | StatusCode::UNPROCESSABLE_ENTITY
        )
}

fn replay(a: KeptAnswer) -> Response {
    let status = StatusCode::from_u16(a.status).unwrap_or(StatusCode::OK);
    let mut resp = (status, a.body).into_response();
    let h = resp.headers_mut();
    h.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(if status.is_success() {
            "application/json"
        } else {
            "application/problem+json"
        }),
    );
    if let Ok(v) = HeaderValue::from_str(&a.location) {
        if !a.location.is_empty() {
            h.insert(http::header::LOCATION, v);
        }
    }
    h.insert("idempotent-replayed", HeaderValue::from_static("true"));
    resp
}

/// The middleware.
pub async fn idempotency(State(s): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get(HEADER).cloned() else {
        return next.run(req).await;
    };
    let key = match key.to_str() {
        Ok(k) if !k.is_empty() && k.len() <= 255 => k.to_string(),
        _ => {
            return HttpError::invalid("Idempotency-Key", "must be 1 to 255 visible characters")
                .into_response()
        }
    };
    // The caller is whoever the credential is: another caller's key is another key.
    let caller = hash(&[req
        .headers()
        .get(http::header::AUTHORIZATION)
        .map(HeaderValue::as_bytes)
        .unwrap_or_default()]);
    let (parts, body) = req.into_parts();
    let bytes = match super::extract::read_body(body).await {
        Ok(b) => b,
        Err(e) => return HttpError(e).into_response(),
    };
    let target = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or_default();
    let request = hash(&[target.as_bytes(), &bytes]);
    match s.store.idempotency_begin(&caller, &key, &request).await {
        Ok(KeyState::New) => {}
        Ok(KeyState::Answered(a)) => return replay(a),
        Ok(KeyState::InProgress) => {
            return HttpError(Error::Conflict(
                "a request with this Idempotency-Key is still being answered; try again shortly"
                    .into(),
            ))
            .into_response()
        }
        Ok(KeyState::Mismatch) => return HttpError(Error::IdempotencyKeyReused).into_response(),
        Err(e) => return HttpError::from(e).into_response(),
    }
    let resp = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status = resp.status();
    if !keep(status) {
        if let Err(e) = s.store.idempotency_abandon(&caller, &key).await {
            tracing::warn!(error = %e, "cannot release an idempotency key");
        }
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 16 << 20).await else {
        let _ = s.store.idempotency_abandon(&caller, &key).await;
        return HttpError::from(scmp_common::Error::internal("the answer could not be read"))
            .into_response();
    };
    let answer = KeptAnswer {
        status: status.as_u16(),
        location: parts
            .headers
            .get(http::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    if let Err(e) = s.store.idempotency_finish(&caller, &key, &answer).await {
        tracing::warn!(error = %e, "cannot keep an idempotent answer");
    }
    Response::from_parts(parts, Body::from(bytes))
}
