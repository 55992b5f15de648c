//! `/auth/login` and `/auth/logout`: plain HTML form posts, so signing in works before (and
//! without) the wasm bundle. Both answer with a redirect.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;

use app::api::auth::{Credential, Principal};
use app::i18n::{Lang, LANG_COOKIE};

use super::middleware::{cookie, encode_component, safe_next};
use super::{Auth, LoginError, SESSION_COOKIE};

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

pub fn router(auth: Arc<Auth>) -> Router {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/language", post(language))
        .layer(DefaultBodyLimit::max(8 * 1024))
        .with_state(auth)
}

fn secure(auth: &Auth, headers: &HeaderMap) -> bool {
    auth.cookie_secure
        || headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
}

fn set_cookie(value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let mut c =
        format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}");
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn back_to_login(error: &str, next: &str, extra: &str) -> Response {
    let next = encode_component(safe_next(next));
    Redirect::to(&format!("/login?error={error}{extra}&next={next}")).into_response()
}

async fn login(State(auth): State<Arc<Auth>>, req: Request) -> Response {
    let address = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    let headers = req.headers().clone();
    let Ok(Form(form)) = Form::<LoginForm>::from_request(req, &()).await else {
        return back_to_login("invalid", "/", "");
    };
    if form.username.len() > 64 || form.password.len() > 256 {
        return back_to_login("invalid", &form.next, "");
    }
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match auth
        .login(form.username.trim(), &form.password, &address, agent)
        .await
    {
        Ok(secret) => {
            let tenant = matches!(
                auth.store.user_by_name(form.username.trim()).await,
                Ok(Some(u)) if u.role == app::api::auth::Role::Tenant
            );
            let mut r = Redirect::to(landing(safe_next(&form.next), tenant)).into_response();
            r.headers_mut().insert(
                header::SET_COOKIE,
                set_cookie(
                    &secret,
                    auth.sessions.lifetime.num_seconds(),
                    secure(&auth, &headers),
                ),
            );
            r
        }
        Err(LoginError::RateLimited(wait)) => {
            back_to_login("rate_limited", &form.next, &format!("&retry={wait}"))
        }
        Err(LoginError::Invalid) => back_to_login("invalid", &form.next, ""),
        Err(LoginError::Internal) => back_to_login("unavailable", &form.next, ""),
    }
}

/// Where a sign-in lands: where it was going, unless a tenant was going to a staff page (the
/// overview, the timeline …) it would only be refused: then its SLA ledger.
fn landing(next: &str, tenant: bool) -> &str {
    const TENANT_PAGES: [&str; 4] = ["/sla", "/fleet", "/device", "/account"];
    let path = next.split(['?', '#']).next().unwrap_or(next);
    if tenant && !TENANT_PAGES.contains(&path) {
        "/sla"
    } else {
        next
    }
}

async fn logout(State(auth): State<Arc<Auth>>, headers: HeaderMap) -> Response {
    if let Some(secret) = cookie(&headers, SESSION_COOKIE) {
        auth.logout(&secret).await;
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie("", 0, secure(&auth, &headers)),
    );
    r
}

#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
    #[serde(default)]
    next: String,
}

/// The nav's language switch: saved as the signed-in user's setting, and as a cookie (for the
/// sign-in page and visitors), then back to the page it came from.
async fn language(State(auth): State<Arc<Auth>>, req: Request) -> Response {
    let principal = req.extensions().get::<Principal>().cloned();
    let headers = req.headers().clone();
    let Ok(Form(form)) = Form::<LanguageForm>::from_request(req, &()).await else {
        return Redirect::to("/").into_response();
    };
    let Some(lang) = Lang::parse(&form.lang) else {
        return Redirect::to(safe_next(&form.next)).into_response();
    };
    if let Some(p) = principal.filter(|p| p.via == Credential::Session) {
        if let Err(e) = auth.store.set_user_language(&p.name, Some(lang)).await {
            tracing::warn!(error = %e, "saving a language");
        }
    }
    let mut r = Redirect::to(safe_next(&form.next)).into_response();
    let mut c = format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age={}",
        lang.code(),
        365 * 24 * 3600
    );
    if secure(&auth, &headers) {
        c.push_str("; Secure");
    }
    if let Ok(v) = HeaderValue::from_str(&c) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}
