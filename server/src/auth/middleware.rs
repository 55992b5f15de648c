//! The request gate, in order: who is calling (bearer token or session cookie), whether a
//! cookie-authenticated write really comes from our own pages (Origin/Referer, against CSRF),
//! and whether an anonymous caller may see the path at all. Role checks per route follow in
//! `require_role` (JSON API) and `app::api::auth::require` (server functions).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use app::api::auth::{check, Credential, Principal, Role};

use super::{Auth, SESSION_COOKIE};
use crate::http_error::{ErrorCode, HttpError};
use crate::limits::client_address;

/// Paths anonymous visitors may load.
pub fn is_public(path: &str) -> bool {
    is_static(path)
        || matches!(
            path,
            "/login"
                | "/auth/login"
                | "/auth/language"
                | "/api/v1/health"
                | "/api/v1/health/ready"
                | "/api/v1/openapi.json"
                | "/api/docs"
                | "/robots.txt"
        )
        // Embeds check their own token; they are read-only and hold no session.
        || path.starts_with("/embed/")
}

/// Built assets: public, identical for everyone, never a write.
fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path.starts_with("/vendor/")
        || path.starts_with("/embed-assets/")
        || path == "/favicon.svg"
}

/// The value of cookie `name` in the request, if any.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The `host[:port]` of an `http(s)://host[:port]/…` URL.
fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

/// True when the request's Origin (or, without one, its Referer) names this server's Host.
/// Browsers always send Origin on cross-site POSTs, so a forged form or fetch fails here.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    match source.and_then(authority) {
        Some(a) => a.eq_ignore_ascii_case(host),
        None => false,
    }
}

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Keeps only a local path for the post-login redirect (no `//host` or scheme tricks).
pub fn safe_next(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control())
        && next.len() <= 500;
    if ok {
        next
    } else {
        "/"
    }
}

/// Percent-encodes everything but unreserved characters and `/` (for a `next=` query value).
pub fn encode_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub async fn authenticate(State(auth): State<Arc<Auth>>, mut req: Request, next: Next) -> Response {
    // Static files need no caller: skip the credential lookup (a query per asset otherwise).
    // Nor do the health checks: liveness must answer whatever the database does, and a probe
    // that sends a token must not be told the token is the problem.
    if is_static(req.uri().path()) || req.uri().path().starts_with("/api/v1/health") {
        return next.run(req).await;
    }
    let headers = req.headers();
    let principal: Option<Principal> = if let Some(token) = bearer(headers) {
        match auth.token_principal(token).await {
            Ok(Some(p)) => Some(p),
            Ok(None) => {
                return HttpError::new(
                    StatusCode::UNAUTHORIZED,
                    ErrorCode::Unauthenticated,
                    "invalid or revoked API token",
                )
                .into_response()
            }
            Err(e) => return HttpError::from(e).into_response(),
        }
    } else if let Some(secret) = cookie(headers, SESSION_COOKIE) {
        let address = client_address(&req);
        match auth.session_principal(&secret, &address).await {
            Ok(p) => p,
            Err(e) => return HttpError::from(e).into_response(),
        }
    } else {
        None
    };

    let path = req.uri().path().to_string();
    let cookie_write = principal
        .as_ref()
        .is_some_and(|p| p.via == Credential::Session)
        || path.starts_with("/auth/");
    if is_write(req.method()) && cookie_write && !same_origin(req.headers()) {
        tracing::warn!(%path, "refused a cross-site write");
        return HttpError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::CsrfRejected,
            "cross-site request refused: the Origin does not match this server",
        )
        .into_response();
    }

    match principal {
        Some(p) => {
            req.extensions_mut().insert(p);
        }
        None if is_public(&path) => {}
        None if !path.starts_with("/api/") && !is_write(req.method()) => {
            let target = match req.uri().query() {
                Some(q) => format!("{path}?{q}"),
                None => path,
            };
            return Redirect::to(&format!("/login?next={}", encode_component(&target)))
                .into_response();
        }
        None => {
            return HttpError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthenticated,
                "sign in first",
            )
            .into_response()
        }
    }
    next.run(req).await
}

/// Route layer: the caller must hold `role` (401 without a principal, 403 with too little).
pub async fn require_role(role: Role, req: Request, next: Next) -> Response {
    match check(req.extensions().get::<Principal>(), role) {
        Ok(_) => next.run(req).await,
        Err(e) => HttpError::from(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn origin_must_name_the_host() {
        assert!(same_origin(&headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://evil.example")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "null")
        ])));
        assert!(same_origin(&headers(&[
            ("host", "dash.example"),
            ("referer", "https://dash.example/timeline?x=1")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "dash.example"),
            ("referer", "https://dash.example.evil/x")
        ])));
        assert!(!same_origin(&headers(&[("host", "dash.example")])));
    }

    #[test]
    fn cookies_and_next_paths() {
        let h = headers(&[("cookie", "a=1; rigshift_session=abc; b=2")]);
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(safe_next("/timeline?x=1"), "/timeline?x=1");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil"), "/");
        assert_eq!(encode_component("/device?id=a b"), "/device%3Fid%3Da%20b");
    }
}
