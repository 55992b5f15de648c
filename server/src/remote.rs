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
                url: base.to_string(),
                why: e.to_string(),
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
            tracing::debug!(%url, error = %err, ?wait, "remote request failed; retrying");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn attempt(&self, url: &str) -> Result<String, RemoteError> {
        let transport = |e: reqwest::Error| RemoteError::Transport {
            url: url.to_string(),
            why: e.to_string(),
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
                url: url.to_string(),
                retry_after,
            });
        }
        if !status.is_success() {
            return Err(RemoteError::Status {
                url: url.to_string(),
                status: status.as_u16(),
            });
        }
        let max = self.limits.max_bytes;
        if resp.content_length().is_some_and(|n| n as usize > max) {
            return Err(RemoteError::TooLarge {
                url: url.to_string(),
                max,
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > max {
                return Err(RemoteError::TooLarge {
                    url: url.to_string(),
                    max,
                });
            }
            body.extend_from_slice(&chunk);
        }
        String::from_utf8(body).map_err(|_| RemoteError::NotText {
            url: url.to_string(),
        })
    }
}

/// The host (and port) of `url`: what a feed's stored rows name as their source.
pub fn host_of(url: &str) -> String {
    url.split("://")
        .nth(1)
        .unwrap_or(url)
        .split(['/', '?'])
        .next()
        .unwrap_or("")
        .to_string()
}
