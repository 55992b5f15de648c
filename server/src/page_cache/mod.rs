//! The overview rendered once and served from memory to everyone who asks for the same thing.
//!
//! On earnings day a crowd opens `/`; each render costs milliseconds of CPU that are the same
//! for every request of one session, query and language while the figures stand. A rendered
//! page is kept, keyed by what a render can depend on (path and query, the caller's cookies and
//! credentials, `Accept-Language`) and by the figures' version (the day, the minute and the
//! data revision the overview's own cache uses: an edit through this process shows at once,
//! background figures within the minute, as for `OverviewCache`). Each answer still carries a
//! nonce of its own: the page is kept deflated around its nonce (`splice`) and a fresh one goes
//! in per response, with the CSP header that names it.

mod splice;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use app::api::ports::Services;
use splice::Spliced;

/// The pages kept: the overview, which a crowd opens. The others show live telemetry per
/// request and are opened by few.
const CACHED_PATHS: &[&str] = &["/"];
/// Entries at most; past it, entries of an older version go, then all.
const MAX_ENTRIES: usize = 256;
/// A page larger than this is served as rendered and not kept.
const MAX_PAGE_BYTES: usize = 4 << 20;

/// Says whether a page came from memory (`hit`) or was rendered (`miss`), as caches do.
const CACHE_HEADER: &str = "x-page-cache";

type Key = [u8; 32];
/// The figures' version a page was rendered under: day, wall-clock minute, data revision.
type Version = (chrono::NaiveDate, i64, u64);

struct Entry {
    version: Version,
    status: StatusCode,
    headers: HeaderMap,
    page: Spliced,
}

#[derive(Clone)]
pub struct PageCache {
    services: Services,
    entries: Arc<Mutex<HashMap<Key, Arc<Entry>>>>,
    /// Keys being rendered now: while one request renders the new minute's page, the crowd
    /// behind it gets the previous minute's (same day and revision) instead of all rendering.
    rendering: Arc<Mutex<HashSet<Key>>>,
}

/// Marks a key as being rendered until dropped.
struct Rendering<'a>(&'a PageCache, Key);

impl Drop for Rendering<'_> {
    fn drop(&mut self) {
        let mut set = self.0.rendering.lock().unwrap_or_else(|e| e.into_inner());
        set.remove(&self.1);
    }
}

impl PageCache {
    pub fn new(services: Services) -> Self {
        PageCache {
            services,
            entries: Default::default(),
            rendering: Default::default(),
        }
    }

    /// Claims the render of `key`; `None` when another request is rendering it.
    fn claim(&self, key: Key) -> Option<Rendering<'_>> {
        let mut set = self.rendering.lock().unwrap_or_else(|e| e.into_inner());
        set.insert(key).then(|| Rendering(self, key))
    }

    /// The page kept for `key` under an earlier minute of the same day and revision: what the
    /// crowd gets while the new minute's page renders. A write (a new revision) never serves
    /// the old page.
    fn previous_minute(&self, key: &Key, version: Version) -> Option<Arc<Entry>> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key)
            .filter(|e| e.version.0 == version.0 && e.version.2 == version.2)
            .cloned()
    }

    fn version(&self) -> Version {
        let clock = &self.services.clock;
        (
            clock.today(),
            clock.now().timestamp().div_euclid(60),
            self.services.overview_cache.revision(),
        )
    }

    fn get(&self, key: &Key, version: Version) -> Option<Arc<Entry>> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key).filter(|e| e.version == version).cloned()
    }

    fn put(&self, key: Key, entry: Entry) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES {
            let version = entry.version;
            map.retain(|_, e| e.version == version);
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(key, Arc::new(entry));
    }
}

/// Everything of a request a page's render reads, hashed: who the authentication middleware
/// says is asking (none for a revoked session: its cookie alone must not find the page it had),
/// path and query, cookies (session, language), a bearer token, `Accept-Language`.
fn request_key(req: &Request) -> Key {
    let mut h = Sha256::new();
    let principal = req.extensions().get::<app::api::auth::Principal>();
    h.update(serde_json::to_vec(&principal).unwrap_or_default());
    let path = req.uri().path_and_query().map_or("", |p| p.as_str());
    h.update(path.as_bytes());
    for name in [
        header::COOKIE,
        header::AUTHORIZATION,
        header::ACCEPT_LANGUAGE,
    ] {
        for value in req.headers().get_all(&name) {
            h.update([0u8]);
            h.update(name.as_str().as_bytes());
            h.update([0u8]);
            h.update(value.as_bytes());
        }
    }
    h.finalize().into()
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused =
                parts.any(|p| p.replace(' ', "") == "q=0" || p.replace(' ', "") == "q=0.0");
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

/// The nonce a rendered page's CSP header names (`'nonce-…'`).
fn csp_nonce(headers: &HeaderMap) -> Option<String> {
    let csp = headers
        .get(header::CONTENT_SECURITY_POLICY)?
        .to_str()
        .ok()?;
    let start = csp.find("'nonce-")? + "'nonce-".len();
    let len = csp[start..].find('\'')?;
    Some(csp[start..start + len].to_string())
}

/// 128 random bits, in hex (a valid CSP nonce).
fn fresh_nonce() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the system's random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn respond(entry: &Entry, gzip: bool) -> Response {
    let nonce = fresh_nonce();
    let body = if gzip {
        entry.page.gzip(nonce.as_bytes())
    } else {
        entry.page.plain(nonce.as_bytes())
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = entry.status;
    *response.headers_mut() = entry.headers.clone();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&crate::csp::page_csp_value(&nonce)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    if gzip {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    headers.insert(CACHE_HEADER, HeaderValue::from_static("hit"));
    response
}

/// What of a fresh render may be kept: a whole 200 HTML page, not encoded, setting no cookie,
/// whose CSP names the nonce its scripts carry.
fn keepable(response: &Response) -> Option<String> {
    let h = response.headers();
    let html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let plain = !h.contains_key(header::CONTENT_ENCODING) && !h.contains_key(header::SET_COOKIE);
    (response.status() == StatusCode::OK && html && plain)
        .then(|| csp_nonce(h))
        .flatten()
}

/// The middleware: a kept page when there is one for this request and version, else the
/// render, kept when it may be.
pub async fn serve(State(cache): State<PageCache>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET || !CACHED_PATHS.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    let key = request_key(&req);
    let gzip = accepts_gzip(req.headers());
    let version = cache.version();
    if let Some(entry) = cache.get(&key, version) {
        return respond(&entry, gzip);
    }
    let Some(_rendering) = cache.claim(key) else {
        if let Some(entry) = cache.previous_minute(&key, version) {
            return respond(&entry, gzip);
        }
        let mut response = next.run(req).await;
        response
            .headers_mut()
            .insert(CACHE_HEADER, HeaderValue::from_static("miss"));
        return response;
    };
    let mut response = next.run(req).await;
    response
        .headers_mut()
        .insert(CACHE_HEADER, HeaderValue::from_static("miss"));
    let Some(nonce) = keepable(&response) else {
        return response;
    };
    let (parts, body) = response.into_parts();
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "a page could not be read for the page cache");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
                .into_response();
        }
    };
    // Kept only when the figures did not move while it rendered.
    if let (true, Some(page)) = (
        cache.version() == version,
        Spliced::new(&bytes, nonce.as_bytes()),
    ) {
        let mut headers = parts.headers.clone();
        headers.remove(header::CONTENT_LENGTH);
        headers.remove(header::CONTENT_SECURITY_POLICY);
        headers.remove(CACHE_HEADER);
        cache.put(
            key,
            Entry {
                version,
                status: parts.status,
                headers,
                page,
            },
        );
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_accepted_unless_refused() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            m
        };
        assert!(accepts_gzip(&h("gzip, deflate, br")));
        assert!(accepts_gzip(&h("br;q=1.0, GZIP;q=0.5")));
        assert!(accepts_gzip(&h("*")));
        assert!(!accepts_gzip(&h("gzip;q=0, br")));
        assert!(!accepts_gzip(&h("br")));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn the_nonce_is_read_from_the_csp_the_render_sent() {
        let mut h = HeaderMap::new();
        let csp = crate::csp::page_csp_value("abc123");
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&csp).unwrap(),
        );
        assert_eq!(csp_nonce(&h).as_deref(), Some("abc123"));
        let n = fresh_nonce();
        assert_eq!(n.len(), 32);
        assert_ne!(n, fresh_nonce());
    }

    #[test]
    fn two_sessions_or_two_languages_are_two_keys() {
        let req = |cookie: &str, lang: &str| {
            Request::get("/?range=1y")
                .header(header::COOKIE, cookie)
                .header(header::ACCEPT_LANGUAGE, lang)
                .body(Body::empty())
                .unwrap()
        };
        let a = request_key(&req("rigshift_session=a", "en"));
        assert_eq!(a, request_key(&req("rigshift_session=a", "en")));
        assert_ne!(a, request_key(&req("rigshift_session=b", "en")));
        assert_ne!(a, request_key(&req("rigshift_session=a", "it")));
        let other_query = Request::get("/?range=3y")
            .header(header::COOKIE, "rigshift_session=a")
            .header(header::ACCEPT_LANGUAGE, "en")
            .body(Body::empty())
            .unwrap();
        assert_ne!(a, request_key(&other_query));

        // The same cookie, once the session is known, is another key than without it.
        let mut signed_in = req("rigshift_session=a", "en");
        signed_in
            .extensions_mut()
            .insert(app::api::auth::Principal {
                name: "ceo".into(),
                role: app::api::auth::Role::Viewer,
                via: app::api::auth::Credential::Session,
                session_id: Some(7),
                language: None,
                tenant: None,
            });
        assert_ne!(a, request_key(&signed_in));
    }
}
