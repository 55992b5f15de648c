//! Per-client limits: API request rate (token bucket) and concurrent live streams. A client is
//! the signed-in user or API token when there is one (so colleagues behind one NAT do not
//! share a budget), else the peer address. Over a limit the answer is 429 with `Retry-After`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::api::auth::Principal;

use crate::http_error::{ErrorCode, HttpError};

/// The peer's IP address as text ("unknown" when the connection info is absent, in tests
/// that call the router directly).
pub fn client_address(req: &Request) -> String {
    req.extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Who a limit counts against.
pub fn client_key(req: &Request) -> String {
    match req.extensions().get::<Principal>() {
        Some(p) => p.actor(),
        None => format!("addr:{}", client_address(req)),
    }
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// A token bucket per client: `rate` requests per second on average, bursts of `burst`.
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// `None` when `rate` is 0 (no limit).
    pub fn new(rate_per_sec: u32) -> Option<Arc<Self>> {
        (rate_per_sec > 0).then(|| {
            Arc::new(Self {
                rate: rate_per_sec as f64,
                burst: rate_per_sec as f64 * 4.0,
                buckets: Mutex::new(HashMap::new()),
            })
        })
    }

    /// Takes one token; `Err(seconds to wait)` when there is none.
    pub fn take(&self, key: &str, now: Instant) -> Result<(), u64> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 10_000 {
            // Forget clients whose bucket has refilled: they would start full anyway.
            let full = Duration::from_secs_f64(self.burst / self.rate);
            buckets.retain(|_, b| now.duration_since(b.at) < full);
        }
        let b = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() * self.rate).min(self.burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - b.tokens) / self.rate).ceil().max(1.0) as u64)
        }
    }
}

/// Middleware over `/api/…` (JSON API and server functions); health checks and the live
/// stream (limited by count instead) pass.
pub async fn rate_limit(
    State(limiter): State<Arc<RateLimiter>>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let counted = path.starts_with("/api/") && path != "/api/v1/health" && path != "/api/v1/stream";
    if counted {
        if let Err(wait) = limiter.take(&client_key(&req), Instant::now()) {
            return too_many(
                wait,
                &format!(
                    "too many requests: at most {} per second on average",
                    limiter.rate
                ),
            );
        }
    }
    next.run(req).await
}

pub fn too_many(retry_after: u64, message: &str) -> Response {
    let mut r = HttpError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
        message,
    )
    .into_response();
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    r
}

/// Requests being worked on now (from arrival to their response head) and how many the server
/// takes at once. Over the cap a request is refused at once with 503 and `Retry-After`, before
/// any work (authentication included): a crowd beyond what the machine sustains gets a fast
/// answer, and the requests accepted stay fast instead of all queueing for seconds. The health
/// check is always answered.
pub struct Admission {
    in_flight: std::sync::atomic::AtomicUsize,
    max: usize,
}

impl Admission {
    pub fn new(max: usize) -> Arc<Self> {
        Arc::new(Admission {
            in_flight: Default::default(),
            max: max.max(1),
        })
    }
}

/// Lowers the in-flight count when the request's handler is done (or dropped).
struct InFlight<'a>(&'a Admission);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0
            .in_flight
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

pub async fn admit(State(a): State<Arc<Admission>>, req: Request, next: Next) -> Response {
    if req.uri().path() == "/api/v1/health" {
        return next.run(req).await;
    }
    let now = a
        .in_flight
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        + 1;
    let _held = InFlight(&a);
    if now > a.max {
        let mut r = HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Busy,
            "the server is at capacity; try again in a second",
        )
        .into_response();
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return r;
    }
    next.run(req).await
}

/// Open live streams per client.
pub struct StreamLimiter {
    max: u32,
    open: Mutex<HashMap<String, u32>>,
}

/// Held by a stream while it is open.
pub struct StreamSlot {
    limiter: Arc<StreamLimiter>,
    key: String,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.limiter.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.key);
            }
        }
    }
}

impl StreamLimiter {
    pub fn new(max: u32) -> Arc<Self> {
        Arc::new(Self {
            max,
            open: Mutex::new(HashMap::new()),
        })
    }

    pub fn max(&self) -> u32 {
        self.max
    }

    /// A slot for one more stream of `key`, or `None` at the limit.
    pub fn open(self: &Arc<Self>, key: String) -> Option<StreamSlot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(key.clone()).or_insert(0);
        if *n >= self.max {
            return None;
        }
        *n += 1;
        Some(StreamSlot {
            limiter: self.clone(),
            key,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three requests at once against a cap of two: one is refused at once (503, Retry-After),
    /// the two accepted finish; the health check is never refused; the count comes back down.
    #[tokio::test]
    async fn over_the_cap_a_request_is_refused_at_once() {
        use tower::ServiceExt;
        let gate = Arc::new(tokio::sync::Notify::new());
        let g = gate.clone();
        let admission = Admission::new(2);
        let app = axum::Router::new()
            .route(
                "/slow",
                axum::routing::get(move || {
                    let g = g.clone();
                    async move {
                        g.notified().await;
                        "done"
                    }
                }),
            )
            .route("/api/v1/health", axum::routing::get(|| async { "ok" }))
            .layer(axum::middleware::from_fn_with_state(
                admission.clone(),
                admit,
            ));
        let get = |path: &'static str| {
            let app = app.clone();
            tokio::spawn(async move {
                let r = app
                    .oneshot(Request::get(path).body(axum::body::Body::empty()).unwrap())
                    .await
                    .unwrap();
                (r.status(), r.headers().get(header::RETRY_AFTER).cloned())
            })
        };
        let (a, b) = (get("/slow"), get("/slow"));
        while admission
            .in_flight
            .load(std::sync::atomic::Ordering::SeqCst)
            < 2
        {
            tokio::task::yield_now().await;
        }
        let refused = get("/slow").await.unwrap();
        assert_eq!(refused.0, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(refused.1, Some(HeaderValue::from_static("1")));
        assert_eq!(get("/api/v1/health").await.unwrap().0, StatusCode::OK);
        gate.notify_waiters();
        assert_eq!(a.await.unwrap().0, StatusCode::OK);
        assert_eq!(b.await.unwrap().0, StatusCode::OK);
        assert_eq!(
            admission
                .in_flight
                .load(std::sync::atomic::Ordering::SeqCst),
            0
        );
    }

    #[test]
    fn a_bucket_allows_its_burst_then_the_rate() {
        let l = RateLimiter::new(2).unwrap();
        let t0 = Instant::now();
        for _ in 0..8 {
            assert!(l.take("a", t0).is_ok());
        }
        assert_eq!(l.take("a", t0), Err(1));
        assert!(l.take("b", t0).is_ok(), "clients have separate budgets");
        // Half a second refills one token at 2/s.
        assert!(l.take("a", t0 + Duration::from_millis(500)).is_ok());
        assert!(l.take("a", t0 + Duration::from_millis(500)).is_err());
        assert!(RateLimiter::new(0).is_none());
    }

    #[test]
    fn stream_slots_are_counted_and_freed() {
        let l = StreamLimiter::new(2);
        let a = l.open("u".into()).unwrap();
        let _b = l.open("u".into()).unwrap();
        assert!(l.open("u".into()).is_none());
        assert!(l.open("v".into()).is_some());
        drop(a);
        assert!(l.open("u".into()).is_some());
    }
}

/// Bounds a request body before anything reads it: Leptos' server functions read theirs whole
/// (and check the caller's role after), so every body reaching them is cut at the same limit
/// as `/api/v1`'s — a declared length over it is refused at once, an undeclared one as soon as
/// it passes it — with a 413 `body_too_large`.
pub async fn bounded_body(req: Request, next: Next) -> Response {
    let limit = crate::http_error::MAX_BODY_BYTES;
    let too_large = || {
        HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::BodyTooLarge,
            format!("request body is larger than {limit} bytes"),
        )
        .into_response()
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Err(_) => too_large(),
    }
}

/// Years a date in a query may name: the stored history starts after 1970, projections end
/// well before 2200. Beyond them date arithmetic has nothing to say and could overflow.
const YEARS: std::ops::RangeInclusive<i64> = 1970..=2200;

/// Refuses a query whose date (`YYYY-MM-DD` or `YYYY-MM`, any parameter) lies outside 1970–2200
/// with 422 naming the parameter, before any handler computes with it.
pub async fn bounded_query_dates(req: Request, next: Next) -> Response {
    if let Ok(axum::extract::Query(pairs)) =
        axum::extract::Query::<Vec<(String, String)>>::try_from_uri(req.uri())
    {
        for (name, value) in &pairs {
            if let Some(year) = date_year(value) {
                if !YEARS.contains(&year) {
                    return HttpError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        ErrorCode::InvalidInput,
                        format!(
                            "{name}: a date between {} and {}, got {value:?}",
                            YEARS.start(),
                            YEARS.end()
                        ),
                    )
                    .into_response();
                }
            }
        }
    }
    next.run(req).await
}

/// The year of a value shaped like a date (`[+-]YYYY…-MM[-DD]`), if it is one.
fn date_year(value: &str) -> Option<i64> {
    let unsigned = value.strip_prefix(['+', '-']).unwrap_or(value);
    let (year, rest) = unsigned.split_once('-')?;
    let month = rest.split('-').next()?;
    let digits = |s: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(year, 4..=6) || !digits(month, 2..=2) {
        return None;
    }
    let y: i64 = year.parse().ok()?;
    Some(if value.starts_with('-') { -y } else { y })
}

#[cfg(test)]
mod date_tests {
    use super::date_year;

    #[test]
    fn date_shaped_values_give_their_year() {
        assert_eq!(date_year("2026-11-25"), Some(2026));
        assert_eq!(date_year("+262142-12-31"), Some(262_142));
        assert_eq!(date_year("-262143-01-01"), Some(-262_143));
        assert_eq!(date_year("2026-11"), Some(2026));
        assert_eq!(date_year("pecos-ridge"), None);
        assert_eq!(date_year("36m"), None);
        assert_eq!(date_year("12"), None);
    }
}
