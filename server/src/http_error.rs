//! JSON error bodies: `{"error": "...", "code": "..."}` with a fitting status.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use app::api::error::ApiError;

/// Largest accepted request body. Estimates and annotations are small; anything larger is
/// refused before it is read into memory.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Every `code` an error body can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 422: a field is out of range or malformed.
    InvalidInput,
    /// 400: the query string does not parse.
    InvalidQuery,
    /// 400: the body is not JSON.
    MalformedJson,
    /// 400: another malformed request.
    BadRequest,
    /// 400: an upstream request failed.
    Transport,
    /// 401: no valid session or token.
    Unauthenticated,
    /// 403: the role is too low.
    Forbidden,
    /// 403: a cookie-authenticated write from another origin.
    CsrfRejected,
    /// 404: no such record or endpoint.
    NotFound,
    /// 405: the endpoint exists, not with this method.
    MethodNotAllowed,
    /// 409: the record changed since the version the write names.
    Conflict,
    /// 413: the body is larger than the server accepts.
    BodyTooLarge,
    /// 415: the body is not `application/json`.
    UnsupportedMediaType,
    /// 429: too many requests or streams; see `Retry-After`.
    RateLimited,
    /// 500: logged on the server under the reference in the message.
    Internal,
    /// 503: the data store is unavailable (full disk, read-only, unreachable); try again.
    #[serde(rename = "storage_unavailable")]
    Unavailable,
    /// 503: every worker for a heavy computation is taken; see `Retry-After`.
    Busy,
}

impl ErrorCode {
    /// The code an `ApiError` answers with.
    pub fn of(e: &ApiError) -> ErrorCode {
        match e {
            ApiError::InvalidInput(_) => ErrorCode::InvalidInput,
            ApiError::NotFound(_) => ErrorCode::NotFound,
            ApiError::Unavailable => ErrorCode::Unavailable,
            ApiError::Internal { .. } => ErrorCode::Internal,
            ApiError::Transport(_) => ErrorCode::Transport,
            ApiError::Unauthenticated => ErrorCode::Unauthenticated,
            ApiError::Forbidden(_) => ErrorCode::Forbidden,
            ApiError::Conflict { .. } => ErrorCode::Conflict,
            ApiError::RateLimited { .. } => ErrorCode::RateLimited,
            ApiError::Busy { .. } => ErrorCode::Busy,
        }
    }
}

/// An error leaving the JSON API.
#[derive(Debug)]
pub struct HttpError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    /// Fields added to the body (a conflict's current version).
    pub extra: Option<serde_json::Value>,
    pub retry_after_secs: Option<u64>,
}

impl HttpError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
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
        let mut out = HttpError::new(status, ErrorCode::of(&e), e.to_string());
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
            ApiError::RateLimited { retry_after_secs } | ApiError::Busy { retry_after_secs } => {
                out.retry_after_secs = Some(retry_after_secs);
            }
            // A store that cannot write now (full disk, read-only, unreachable) usually can
            // again once an operator frees space or the server restarts.
            ApiError::Unavailable => out.retry_after_secs = Some(5),
            _ => {}
        }
        out
    }
}

impl From<JsonRejection> for HttpError {
    fn from(r: JsonRejection) -> Self {
        let code = match r {
            JsonRejection::JsonDataError(_) => ErrorCode::InvalidInput,
            JsonRejection::JsonSyntaxError(_) => ErrorCode::MalformedJson,
            JsonRejection::MissingJsonContentType(_) => ErrorCode::UnsupportedMediaType,
            JsonRejection::BytesRejection(_) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ErrorCode::BodyTooLarge
            }
            _ => ErrorCode::BadRequest,
        };
        let message = match code {
            ErrorCode::BodyTooLarge => {
                format!("request body is larger than {} bytes", MAX_BODY_BYTES)
            }
            _ => r.body_text(),
        };
        HttpError::new(r.status(), code, message)
    }
}

impl From<QueryRejection> for HttpError {
    fn from(r: QueryRejection) -> Self {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidQuery,
            r.body_text(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ErrorCode::of` and `ApiError::code` (what server functions send) name the same code.
    #[test]
    fn api_error_codes_are_documented_codes() {
        let all = [
            ApiError::InvalidInput("x".into()),
            ApiError::NotFound("x".into()),
            ApiError::Unavailable,
            ApiError::Internal { id: "x".into() },
            ApiError::Transport("x".into()),
            ApiError::Unauthenticated,
            ApiError::Forbidden("x".into()),
            ApiError::Conflict {
                current_version: 2,
                current_text: "t".into(),
                current_author: "a".into(),
            },
            ApiError::RateLimited {
                retry_after_secs: 1,
            },
        ];
        for e in all {
            assert_eq!(serde_json::to_value(ErrorCode::of(&e)).unwrap(), e.code());
        }
    }
}
