//! The whole HTTP surface: Leptos pages and server functions, `/api/v1`, static files, and the
//! headers every response carries.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use app::api::ports::Services;
use app::app::{shell, App};

use crate::auth::Auth;
use crate::config::ServeArgs;
use crate::metrics::{record_http, Metrics};

/// Leptos options from our flags: the binary runs without cargo-leptos' environment.
fn leptos_options(args: &ServeArgs, addr: SocketAddr) -> LeptosOptions {
    let env = match std::env::var("LEPTOS_ENV").as_deref() {
        Ok("DEV") | Ok("dev") | Ok("development") => leptos::config::Env::DEV,
        _ => leptos::config::Env::PROD,
    };
    LeptosOptions::builder()
        .output_name("rigshift")
        .site_root(args.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .env(env)
        .build()
}

pub fn build(
    args: &ServeArgs,
    addr: SocketAddr,
    services: Services,
    auth: Arc<Auth>,
    metrics: Arc<Metrics>,
) -> Router {
    let options = leptos_options(args, addr);
    let routes = generate_route_list(App);
    let context = {
        let services = services.clone();
        move || provide_context(services.clone())
    };
    let pages = Router::new()
        .leptos_routes_with_context(&options, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(
            context, shell,
        ))
        .with_state(options);
    // Nothing but an embed may be framed: the dashboard, its API and its assets say so.
    let dashboard = Router::new()
        .nest("/api/v1", crate::http::router(services.clone()))
        .merge(crate::auth::routes::router(auth.clone()))
        .merge(pages)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        ));
    Router::new()
        // Embeds set their own frame-ancestors from the token (crate::embed).
        .merge(crate::embed::router(services))
        .merge(dashboard)
        .layer(axum::middleware::from_fn(cache_static_assets))
        .layer(axum::middleware::from_fn_with_state(
            auth,
            crate::auth::middleware::authenticate,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(CompressionLayer::new())
        .layer(axum::Extension(metrics.clone()))
        .layer(axum::middleware::from_fn_with_state(metrics, record_http))
        .layer(TraceLayer::new_for_http())
}

/// Third-party and embed assets change only with a release: let browsers and an IR site's
/// visitors keep them an hour instead of re-fetching ECharts (≈195 KB gzip) for every embed.
/// (`/pkg` is left to revalidation: its file names carry no hash.)
async fn cache_static_assets(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let cacheable = {
        let p = req.uri().path();
        p.starts_with("/vendor/") || p.starts_with("/embed-assets/")
    };
    let mut response = next.run(req).await;
    if cacheable && response.status().is_success() {
        response
            .headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("public, max-age=3600"));
    }
    response
}
