//! The public JSON API under `/api/v1` (API.md). Handlers are thin: parse, call the same
//! services as the server functions, answer JSON. Every failure is a JSON error body.

mod admin;
mod export;
mod handlers;
mod live;
mod market;
pub mod openapi;
mod portfolio;
mod power;
mod reports;
mod risk;
mod sla;
mod timeline;

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn;
use axum::{Extension, Router};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use app::api::auth::Role;
use app::api::ports::Services;

use crate::auth::middleware::require_role;

pub use crate::http_error::{ErrorCode, HttpError, MAX_BODY_BYTES};

/// The `/api/v1` router (to be nested under that prefix) and its OpenAPI document, both built
/// from the handlers' `#[utoipa::path]` declarations. Routes are grouped by the role they need,
/// so the groups below are also the authorisation matrix.
pub fn router(services: Services) -> Router {
    router_and_document(services).0
}

pub fn router_and_document(services: Services) -> (Router, utoipa::openapi::OpenApi) {
    // Tenants and staff: a tenant's answers are scoped to its own contracts in the handler.
    let tenant = guarded(
        Role::Tenant,
        OpenApiRouter::new()
            .routes(routes!(handlers::fleet))
            .routes(routes!(sla::ledger))
            .routes(routes!(sla::ledger_csv))
            // Every signed-in user manages their own password and sessions (an admin: everyone's).
            .routes(routes!(admin::change_password))
            .routes(routes!(admin::sessions))
            .routes(routes!(admin::revoke_session)),
    );
    let viewer = guarded(
        Role::Viewer,
        OpenApiRouter::new()
            .routes(routes!(handlers::sites))
            .routes(routes!(portfolio::site))
            .routes(routes!(handlers::revenue))
            .routes(routes!(risk::risk))
            .routes(routes!(risk::lease_marks))
            .routes(routes!(risk::kpis))
            .routes(routes!(market::market))
            .routes(routes!(market::latest))
            .routes(routes!(market::pool_rewards))
            .routes(routes!(power::prices))
            .routes(routes!(power::curtailment))
            .routes(routes!(power::sites))
            .routes(routes!(handlers::estimate_mining))
            .routes(routes!(handlers::estimate_gpu))
            .routes(routes!(handlers::estimate_sha256))
            .routes(routes!(handlers::catalogue_gpus))
            .routes(routes!(handlers::catalogue_asics))
            .routes(routes!(live::stream))
            .routes(routes!(timeline::timeline))
            .routes(routes!(export::export))
            .routes(routes!(timeline::annotation_history))
            .routes(routes!(reports::list))
            .routes(routes!(reports::month))
            .routes(routes!(reports::month_csv))
            .routes(routes!(reports::credits)),
    );
    let operator = guarded(
        Role::Operator,
        OpenApiRouter::new()
            .routes(routes!(handlers::add_device))
            .routes(routes!(handlers::scan_devices))
            .routes(routes!(handlers::remove_device))
            .routes(routes!(timeline::create_milestone))
            .routes(routes!(timeline::update_milestone))
            .routes(routes!(timeline::create_annotation))
            .routes(routes!(timeline::edit_annotation))
            .routes(routes!(power::set_site))
            .routes(routes!(portfolio::add_site))
            .routes(routes!(portfolio::patch_site, portfolio::retire_site))
            .routes(routes!(portfolio::add_contract))
            .routes(routes!(portfolio::patch_contract, portfolio::end_contract)),
    );
    let admin_routes = guarded(
        Role::Admin,
        OpenApiRouter::new()
            .routes(routes!(admin::tokens, admin::create_token))
            .routes(routes!(admin::revoke_token))
            .routes(routes!(admin::list_embeds, admin::create_embed))
            .routes(routes!(admin::revoke_embed))
            .routes(routes!(admin::audit))
            .routes(routes!(admin::users))
            .routes(routes!(admin::update_user))
            .routes(routes!(portfolio::export, portfolio::import))
            .routes(routes!(portfolio::import_history))
            .routes(routes!(reports::close))
            .routes(routes!(reports::restate))
            .routes(routes!(reports::add_credit))
            .routes(routes!(reports::remove_credit)),
    );
    let (router, document) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(handlers::health))
        .routes(routes!(handlers::ready))
        .routes(routes!(openapi::document))
        .merge(tenant)
        .merge(viewer)
        .merge(operator)
        .merge(admin_routes)
        .split_for_parts();
    let document = openapi::finish(document);
    let json = openapi::DocumentJson(document.to_json().unwrap_or_default().into());
    let router = router
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .layer(Extension(json))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(
            crate::limits::bounded_query_dates,
        ))
        .with_state(services);
    (router, document)
}

/// A group of routes that needs `role`: documented as such, and enforced by a route layer.
fn guarded(role: Role, mut routes: OpenApiRouter<Services>) -> OpenApiRouter<Services> {
    openapi::require(routes.get_openapi_mut(), role);
    routes.route_layer(from_fn(move |r, n| require_role(role, r, n)))
}
