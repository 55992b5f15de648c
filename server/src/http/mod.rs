//! The public JSON API under `/api/v1` (API.md). Handlers are thin: parse, call the same
//! services as the server functions, answer JSON. Every failure is a JSON error body.

mod error;
mod handlers;
mod live;

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};
use axum::Router;

use app::api::ports::Services;

pub use error::HttpError;

/// Largest accepted request body. Estimates and annotations are small; anything larger is
/// refused before it is read into memory.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The `/api/v1` router (to be nested under that prefix).
pub fn router(services: Services) -> Router {
    Router::new()
        .route("/health", get(handlers::health))
        .route("/sites", get(handlers::sites))
        .route("/revenue", get(handlers::revenue))
        .route("/estimate/mining", post(handlers::estimate_mining))
        .route("/estimate/gpu", post(handlers::estimate_gpu))
        .route("/estimate/sha256", post(handlers::estimate_sha256))
        .route("/catalogue/gpus", get(handlers::catalogue_gpus))
        .route("/catalogue/asics", get(handlers::catalogue_asics))
        .route("/fleet", get(handlers::fleet))
        .route("/devices", post(handlers::add_device))
        .route("/devices/{id}", delete(handlers::remove_device))
        .route("/stream", get(live::stream))
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(services)
}
