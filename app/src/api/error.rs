//! `ApiError`: the one error every server function and `/api/v1` call returns.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::model::company::validate::InputError;

/// What went wrong, in words safe to show a user. Internal details are logged on the server
/// under `id` and never sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "code", content = "detail", rename_all = "snake_case")]
pub enum ApiError {
    #[error("{0}")]
    InvalidInput(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("the data store is unavailable; try again shortly")]
    Unavailable,
    #[error("internal error (reference {id})")]
    Internal { id: String },
    #[error("request failed: {0}")]
    Transport(String),
    #[error("sign in first")]
    Unauthenticated,
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A write made against an old version. The current version travels with the error so
    /// the user sees both texts and loses neither.
    #[error("changed by {current_author} since you opened it (now version {current_version})")]
    Conflict {
        current_version: i64,
        current_text: String,
        current_author: String,
    },
    #[error("too many attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// Every worker for a heavy computation is taken and its queue is full.
    #[error("busy computing for others; try again in {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
}

impl ApiError {
    /// Machine-readable code (the `code` field of API.md's error body).
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidInput(_) => "invalid_input",
            ApiError::NotFound(_) => "not_found",
            ApiError::Unavailable => "storage_unavailable",
            ApiError::Internal { .. } => "internal",
            ApiError::Transport(_) => "transport",
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::Conflict { .. } => "conflict",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Busy { .. } => "busy",
        }
    }

    /// HTTP status that fits the error.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::InvalidInput(_) => 422,
            ApiError::NotFound(_) => 404,
            ApiError::Unavailable => 503,
            ApiError::Internal { .. } => 500,
            ApiError::Transport(_) => 400,
            ApiError::Unauthenticated => 401,
            ApiError::Forbidden(_) => 403,
            ApiError::Conflict { .. } => 409,
            ApiError::RateLimited { .. } => 429,
            ApiError::Busy { .. } => 503,
        }
    }
}

impl ApiError {
    /// What the error says, for the words tables (`i18n::Common::error`).
    pub fn words(&self) -> crate::i18n::ErrorWords<'_> {
        use crate::i18n::ErrorWords as W;
        match self {
            ApiError::InvalidInput(d) => W::InvalidInput(d),
            ApiError::NotFound(d) => W::NotFound(d),
            ApiError::Unavailable => W::Unavailable,
            ApiError::Internal { id } => W::Internal { id },
            ApiError::Transport(d) => W::Transport(d),
            ApiError::Unauthenticated => W::Unauthenticated,
            ApiError::Forbidden(d) => W::Forbidden(d),
            ApiError::Conflict {
                current_version,
                current_author,
                ..
            } => W::Conflict {
                current_version: *current_version,
                current_author,
            },
            ApiError::RateLimited { retry_after_secs } => W::RateLimited {
                retry_after_secs: *retry_after_secs,
            },
            ApiError::Busy { retry_after_secs } => W::Busy {
                retry_after_secs: *retry_after_secs,
            },
        }
    }
}

impl From<InputError> for ApiError {
    fn from(e: InputError) -> Self {
        ApiError::InvalidInput(e.to_string())
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        ApiError::Transport(value.to_string())
    }
}

/// (ssr) Sets the HTTP status of a server-function response from its error, so a missing
/// device answers 404 and bad input 422 rather than a generic 500.
#[cfg(feature = "ssr")]
pub fn with_status<T>(result: Result<T, ApiError>) -> Result<T, ApiError> {
    if let Err(e) = &result {
        if let (Some(resp), Ok(code)) = (
            leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
            http::StatusCode::from_u16(e.status()),
        ) {
            resp.set_status(code);
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conflict_travels_to_the_browser_with_the_current_version() {
        let e = ApiError::Conflict {
            current_version: 3,
            current_text: "Transformer slipped".into(),
            current_author: "user:ops".into(),
        };
        let wire = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<ApiError>(&wire).unwrap(), e);
        assert_eq!((e.status(), e.code()), (409, "conflict"));
        assert_eq!(
            ApiError::RateLimited {
                retry_after_secs: 5
            }
            .status(),
            429
        );
        assert_eq!(ApiError::Unauthenticated.status(), 401);
    }
}
