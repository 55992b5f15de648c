//! The public JSON API under `/api/v1` (API.md). Handlers are thin: parse, call the same
//! services as the server functions, answer JSON. Every failure is a JSON error body.

mod admin;
mod error;
mod export;
mod handlers;
mod live;
mod market;
mod timeline;

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn;
use axum::routing::{delete, get, patch, post};
use axum::Router;

use app::api::auth::Role;
use app::api::ports::Services;

use crate::auth::middleware::require_role;

pub use error::HttpError;

/// Largest accepted request body. Estimates and annotations are small; anything larger is
/// refused before it is read into memory.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The `/api/v1` router (to be nested under that prefix). Routes are grouped by the role they
/// need, so the table below is also the authorisation matrix.
pub fn router(services: Services) -> Router {
    let viewer = Router::new()
        .route("/sites", get(handlers::sites))
        .route("/revenue", get(handlers::revenue))
        .route("/market", get(market::market))
        .route("/market/latest", get(market::latest))
        .route("/pool-rewards", get(market::pool_rewards))
        .route("/estimate/mining", post(handlers::estimate_mining))
        .route("/estimate/gpu", post(handlers::estimate_gpu))
        .route("/estimate/sha256", post(handlers::estimate_sha256))
        .route("/catalogue/gpus", get(handlers::catalogue_gpus))
        .route("/catalogue/asics", get(handlers::catalogue_asics))
        .route("/fleet", get(handlers::fleet))
        .route("/stream", get(live::stream))
        .route("/timeline", get(timeline::timeline))
        .route("/export/{file}", get(export::export))
        .route(
            "/annotations/{id}/history",
            get(timeline::annotation_history),
        )
        // Every signed-in user manages their own password and sessions (an admin: everyone's).
        .route("/me/password", post(admin::change_password))
        .route("/sessions", get(admin::sessions))
        .route("/sessions/{id}", delete(admin::revoke_session))
        .route_layer(from_fn(|r, n| require_role(Role::Viewer, r, n)));
    let operator = Router::new()
        .route("/devices", post(handlers::add_device))
        .route("/devices/scan", post(handlers::scan_devices))
        .route("/devices/{id}", delete(handlers::remove_device))
        .route("/milestones", post(timeline::create_milestone))
        .route("/milestones/{id}", patch(timeline::update_milestone))
        .route("/annotations", post(timeline::create_annotation))
        .route("/annotations/{id}", patch(timeline::edit_annotation))
        .route_layer(from_fn(|r, n| require_role(Role::Operator, r, n)));
    let admin_routes = Router::new()
        .route("/tokens", get(admin::tokens).post(admin::create_token))
        .route("/tokens/{id}", delete(admin::revoke_token))
        .route("/embeds", get(admin::list_embeds).post(admin::create_embed))
        .route("/embeds/{id}", delete(admin::revoke_embed))
        .route("/audit", get(admin::audit))
        .route("/users", get(admin::users))
        .route("/users/{name}", patch(admin::update_user))
        .route_layer(from_fn(|r, n| require_role(Role::Admin, r, n)));
    Router::new()
        .route("/health", get(handlers::health))
        .merge(viewer)
        .merge(operator)
        .merge(admin_routes)
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(services)
}
