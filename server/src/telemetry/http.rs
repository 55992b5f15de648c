//! The small HTTP client the device protocols share (DCGM exporter, Braiins OS REST, AxeOS):
//! HTTP/1.0 over the bounded exchange, so an answer is never chunked, ends with the peer's
//! close, and is cut off by the same timeouts and byte cap as every other poll. Plain `http://`
//! only: miners and exporters on a site network serve nothing else.

use super::error::PollError;
use super::io::{exchange, ExchangeLimits};

/// Where an HTTP device is: `host:port` to connect to and the path prefix of its base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    pub host_port: String,
    pub prefix: String,
}

impl BaseUrl {
    /// Parses `http://host[:port][/prefix]` (port 80 when none is given).
    pub fn parse(url: &str) -> Result<BaseUrl, PollError> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| PollError::Connect(format!("only http:// URLs are supported: {url}")))?;
        let (host, prefix) = match rest.find('/') {
            Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
            None => (rest, ""),
        };
        if host.is_empty() {
            return Err(PollError::Connect(format!("no host in {url}")));
        }
        let host_port = if host
            .rsplit_once(':')
            .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        {
            host.to_string()
        } else {
            format!("{host}:80")
        };
        Ok(BaseUrl {
            host_port,
            prefix: prefix.to_string(),
        })
    }
}

/// One HTTP answer: its status and body.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpAnswer {
    pub status: u16,
    pub body: String,
}

/// Sends one request. `headers` are sent as given (the caller keeps secrets out of logs:
/// nothing here logs). A JSON `body` goes with its length.
pub async fn request(
    base: &BaseUrl,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
    limits: ExchangeLimits,
) -> Result<HttpAnswer, PollError> {
    let mut req = format!(
        "{method} {}{path} HTTP/1.0\r\nHost: {}\r\nAccept: */*\r\n",
        base.prefix, base.host_port
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    if let Some(b) = body {
        req.push_str(b);
    }
    let raw = exchange(&base.host_port, req.as_bytes(), limits).await?;
    parse_answer(&raw)
}

/// Status and body of a raw HTTP/1.x answer.
pub fn parse_answer(raw: &[u8]) -> Result<HttpAnswer, PollError> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| PollError::Malformed("no HTTP header end".into()))?;
    let mut words = head.split_whitespace();
    if !words.next().is_some_and(|w| w.starts_with("HTTP/")) {
        return Err(PollError::Malformed("not an HTTP answer".into()));
    }
    let status = words
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| PollError::Malformed("no HTTP status".into()))?;
    Ok(HttpAnswer {
        status,
        body: body.to_string(),
    })
}

/// The body of a 200 answer, else the status as the error.
pub fn ok_body(a: HttpAnswer) -> Result<String, PollError> {
    if a.status == 200 {
        Ok(a.body)
    } else {
        Err(PollError::HttpStatus(a.status))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_and_answers() {
        assert_eq!(
            BaseUrl::parse("http://10.0.0.5").unwrap(),
            BaseUrl {
                host_port: "10.0.0.5:80".into(),
                prefix: String::new()
            }
        );
        assert_eq!(
            BaseUrl::parse("http://127.0.0.1:8080/bos/").unwrap(),
            BaseUrl {
                host_port: "127.0.0.1:8080".into(),
                prefix: "/bos".into()
            }
        );
        assert!(BaseUrl::parse("https://x").is_err());
        assert!(BaseUrl::parse("http:///x").is_err());
        let a = parse_answer(b"HTTP/1.1 401 Unauthorized\r\nX: y\r\n\r\n{}").unwrap();
        assert_eq!((a.status, a.body.as_str()), (401, "{}"));
        assert!(matches!(
            parse_answer(b"{\"STATUS\":1}\r\n\r\n"),
            Err(PollError::Malformed(_))
        ));
        assert_eq!(
            ok_body(HttpAnswer {
                status: 503,
                body: String::new()
            }),
            Err(PollError::HttpStatus(503))
        );
    }
}
