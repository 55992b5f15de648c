//! GET requests to remote services (the market feed, pools): one timeout per attempt, a byte cap
//! on the answer, retries with exponential backoff on transport errors and 5xx, and HTTP 429
//! honoured (`Retry-After`, capped). A 4xx other than 429 is final: retrying a bad token or a
//! missing route only adds load on someone else's server.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use reqwest::StatusCode;

#[derive(Debug, Clone)]
pub struct RemoteLimits {
    /// Whole-attempt deadline (connect, headers and body).
    pub timeout: Duration,
    pub max_bytes: usize,
    /// Attempts after the first.
    pub retries: u32,
    /// First backoff; doubles per attempt.
    pub backoff: Duration,
    /// Longest wait a `Retry-After` may impose before we give up for this round.
    pub max_retry_after: Duration,
}

impl Default for RemoteLimits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(15),
            max_bytes: 8 << 20,
            retries: 3,
            backoff: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("{url}: {why}")]
    Transport { url: String, why: String },
    #[error("{url}: HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url}: rate limited (HTTP 429), retry after {retry_after:?}")]
    RateLimited {
        url: String,
        retry_after: Option<Duration>,
    },
    #[error("{url}: answer larger than {max} bytes")]
    TooLarge { url: String, max: usize },
    #[error("{url}: answer is not UTF-8")]
    NotText { url: String },
}

/// A client for one remote service: its base URL, headers sent with every request (e.g. a
/// pool's token, never logged), and limits.
#[derive(Clone)]
pub struct Remote {
    http: reqwest::Client,
    base: String,
    headers: HeaderMap,
    pub limits: RemoteLimits,
}

impl Remote {
    pub fn new(base: &str, limits: RemoteLimits) -> Result<Self, RemoteError> {
        let http = reqwest::Client::builder()
            .timeout(limits.timeout)
            .connect_timeout(limits.timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("rigshift/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| RemoteError::Transport {
                url: redact(base),
                // reqwest's own message repeats the URL, credentials included.
                why: e.without_url().to_string(),
            })?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            headers: HeaderMap::new(),
            limits,
        })
    }

    /// Adds a header sent with every request; the value is marked sensitive so it never shows
    /// in debug output.
    pub fn with_secret_header(mut self, name: &'static str, value: &str) -> Self {
        if let Ok(mut v) = HeaderValue::from_str(value) {
            v.set_sensitive(true);
            self.headers.insert(HeaderName::from_static(name), v);
        }
        self
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// GETs `path` (relative to the base) and returns the body as text, retrying as described
    /// in the module doc.
    pub async fn get_text(&self, path: &str) -> Result<String, RemoteError> {
        let url = format!("{}{}", self.base, path);
        let mut attempt = 0;
        loop {
            let err = match self.attempt(&url).await {
                Ok(body) => return Ok(body),
                Err(e) => e,
            };
            let wait = match &err {
                RemoteError::RateLimited { retry_after, .. } => {
                    let wait = retry_after.unwrap_or(self.limits.backoff * 2u32.pow(attempt));
                    if wait > self.limits.max_retry_after {
                        return Err(err);
                    }
                    wait
                }
                RemoteError::Transport { .. } => self.limits.backoff * 2u32.pow(attempt),
                RemoteError::Status { status, .. } if *status >= 500 => {
                    self.limits.backoff * 2u32.pow(attempt)
                }
                _ => return Err(err),
            };
            if attempt >= self.limits.retries {
                return Err(err);
            }
            tracing::debug!(url = %redact(&url), error = %err, ?wait, "remote request failed; retrying");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn attempt(&self, url: &str) -> Result<String, RemoteError> {
        let transport = |e: reqwest::Error| RemoteError::Transport {
            url: redact(url),
            // reqwest's own message repeats the URL, credentials included.
            why: e.without_url().to_string(),
        };
        let mut resp = self
            .http
            .get(url)
            .headers(self.headers.clone())
            .send()
            .await
            .map_err(transport)?;
        let status = resp.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            let retry_after = resp
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            return Err(RemoteError::RateLimited {
                url: redact(url),
                retry_after,
            });
        }
        if !status.is_success() {
            return Err(RemoteError::Status {
                url: redact(url),
                status: status.as_u16(),
            });
        }
        let max = self.limits.max_bytes;
        if resp.content_length().is_some_and(|n| n as usize > max) {
            return Err(RemoteError::TooLarge {
                url: redact(url),
                max,
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > max {
                return Err(RemoteError::TooLarge {
                    url: redact(url),
                    max,
                });
            }
            body.extend_from_slice(&chunk);
        }
        String::from_utf8(body).map_err(|_| RemoteError::NotText { url: redact(url) })
    }
}

/// The host (and port) of `url`: what a feed's stored rows name as their source. Credentials
/// in the URL (`user:password@`) are never part of it: viewers read sources.
pub fn host_of(url: &str) -> String {
    let authority = url
        .split("://")
        .nth(1)
        .unwrap_or(url)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("");
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
        .to_string()
}

/// `url` as logs and error messages may show it: scheme, host and path, without credentials
/// and with the query (which may carry a key) elided.
pub fn redact(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let path_at = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let path = rest[path_at..].split(['?', '#']).next().unwrap_or("");
    let query = if rest[path_at..].contains('?') {
        "?…"
    } else {
        ""
    };
    let prefix = if scheme.is_empty() {
        String::new()
    } else {
        format!("{scheme}://")
    };
    format!("{prefix}{}{path}{query}", host_of(url))
}

#[cfg(test)]
mod redaction_tests {
    use super::*;

    #[test]
    fn credentials_and_keys_never_reach_a_source_or_a_log() {
        let url = "https://feeder:s3cret@prices.example.com:8443/v1/forwards.csv?key=abc#x";
        assert_eq!(host_of(url), "prices.example.com:8443");
        assert_eq!(
            redact(url),
            "https://prices.example.com:8443/v1/forwards.csv?…"
        );
        assert_eq!(host_of("http://10.0.0.5:8080/curve"), "10.0.0.5:8080");
        assert_eq!(redact("http://10.0.0.5/curve"), "http://10.0.0.5/curve");
        assert!(!redact(url).contains("s3cret") && !redact(url).contains("abc"));
    }
}
