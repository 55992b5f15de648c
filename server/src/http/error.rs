//! JSON error bodies: `{"error": "...", "code": "..."}` with a fitting status.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use app::api::error::ApiError;

/// An error leaving the JSON API.
#[derive(Debug)]
pub struct HttpError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Fields added to the body (a conflict's current version).
    pub extra: Option<serde_json::Value>,
    pub retry_after_secs: Option<u64>,
}

impl HttpError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            extra: None,
            retry_after_secs: None,
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let mut body = json!({ "error": self.message, "code": self.code });
        if let (Some(map), Some(serde_json::Value::Object(extra))) =
            (body.as_object_mut(), self.extra)
        {
            map.extend(extra);
        }
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(secs),
            );
        }
        response
    }
}

impl From<ApiError> for HttpError {
    fn from(e: ApiError) -> Self {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut out = HttpError::new(status, e.code(), e.to_string());
        match e {
            ApiError::Conflict {
                current_version,
                current_text,
                current_author,
            } => {
                out.extra = Some(json!({ "current": {
                    "version": current_version, "text": current_text, "author": current_author
                }}));
            }
            ApiError::RateLimited { retry_after_secs } => {
                out.retry_after_secs = Some(retry_after_secs);
            }
            _ => {}
        }
        out
    }
}

impl From<JsonRejection> for HttpError {
    fn from(r: JsonRejection) -> Self {
        let code = match r {
            JsonRejection::JsonDataError(_) => "invalid_input",
            JsonRejection::JsonSyntaxError(_) => "malformed_json",
            JsonRejection::MissingJsonContentType(_) => "unsupported_media_type",
            JsonRejection::BytesRejection(_) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                "body_too_large"
            }
            _ => "bad_request",
        };
        let message = match code {
            "body_too_large" => format!(
                "request body is larger than {} bytes",
                super::MAX_BODY_BYTES
            ),
            _ => r.body_text(),
        };
        HttpError::new(r.status(), code, message)
    }
}

impl From<QueryRejection> for HttpError {
    fn from(r: QueryRejection) -> Self {
        HttpError::new(StatusCode::BAD_REQUEST, "invalid_query", r.body_text())
    }
}
