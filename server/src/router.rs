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
        // The release build hashes the bundle's names and lists them beside the binary.
        .hash_files(crate::static_files::hash_file().is_some())
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
    shutting_down: crate::ShuttingDown,
) -> Router {
    let options = leptos_options(args, addr);
    let hashed = options.hash_files;
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
        .merge(crate::static_files::router(&args.site_root, hashed))
        .merge(dashboard)
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
        .layer(axum::Extension(shutting_down))
        .layer(axum::middleware::from_fn_with_state(metrics, record_http))
        .layer(TraceLayer::new_for_http())
}
