//! The whole HTTP surface: Leptos pages and server functions, `/api/v1`, static files, and the
//! headers every response carries.

use std::net::SocketAddr;
use std::sync::Arc;

use std::time::Duration;

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
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

/// Browser features no page of ours uses, turned off for every response.
const PERMISSIONS_POLICY: &str = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), \
     magnetometer=(), microphone=(), payment=(), usb=(), interest-cohort=()";

/// In a page render: the CSP header carrying the nonce Leptos put on its inline scripts.
fn page_csp() {
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(v) = HeaderValue::from_str(&crate::csp::page_csp_value(&nonce)) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, v);
    }
}

pub fn build(
    args: &ServeArgs,
    addr: SocketAddr,
    services: Services,
    auth: Arc<Auth>,
    metrics: Arc<Metrics>,
    shutting_down: crate::serve::ShuttingDown,
) -> Router {
    let options = leptos_options(args, addr);
    let hashed = options.hash_files;
    let routes = generate_route_list(App);
    let context = {
        let services = services.clone();
        move || {
            provide_context(services.clone());
            page_csp();
        }
    };
    let pages = Router::new()
        .leptos_routes_with_context(&options, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(
            context, shell,
        ))
        .with_state(options)
        .layer(axum::middleware::from_fn(crate::limits::bounded_body))
        // A kept overview is answered before any render (crate::page_cache).
        .layer(axum::middleware::from_fn_with_state(
            crate::page_cache::PageCache::new(services.clone()),
            crate::page_cache::serve,
        ));
    // Nothing but an embed may be framed: the dashboard, its API and its assets say so. Pages
    // replace this CSP with the full one (page_csp).
    let dashboard = Router::new()
        .nest("/api/v1", crate::http::router(services.clone()))
        .route(
            "/api/docs",
            axum::routing::get(crate::http::openapi::docs_page),
        )
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
    let mut app = Router::new()
        // Embeds set their own frame-ancestors from the token (crate::embed).
        .merge(crate::embed::router(services))
        .merge(crate::static_files::router(&args.site_root, hashed))
        .merge(dashboard)
        .layer(axum::Extension(crate::limits::StreamLimiter::new(
            args.max_streams_per_client,
        )));
    // Counted per caller, so it runs after authentication (layers run outside-in).
    if let Some(limiter) = crate::limits::RateLimiter::new(args.api_rate) {
        app = app.layer(axum::middleware::from_fn_with_state(
            limiter,
            crate::limits::rate_limit,
        ));
    }
    app.layer(axum::middleware::from_fn_with_state(
        auth,
        crate::auth::middleware::authenticate,
    ))
    // Times the handler until the response head: a stream's body is not cut.
    .layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        Duration::from_secs(args.request_timeout_secs),
    ))
    .layer(SetResponseHeaderLayer::if_not_present(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ))
    .layer(SetResponseHeaderLayer::if_not_present(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    ))
    .layer(SetResponseHeaderLayer::if_not_present(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static(PERMISSIONS_POLICY),
    ))
    .layer(CompressionLayer::new())
    .layer(axum::Extension(metrics.clone()))
    .layer(axum::Extension(shutting_down))
    .layer(axum::middleware::from_fn_with_state(metrics, record_http))
    // Outermost but for tracing: over capacity a request is refused before any work.
    .layer(axum::middleware::from_fn_with_state(
        crate::limits::Admission::new(args.max_in_flight),
        crate::limits::admit,
    ))
    .layer(TraceLayer::new_for_http())
}
