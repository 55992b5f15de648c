//! NVIDIA DCGM exporter: one HTTP scrape of `/metrics` gives every GPU of a node.

use std::collections::BTreeMap;

use app::model::fleet::GpuReading;

use super::error::PollError;
use super::io::{exchange, ExchangeLimits};
use super::prometheus;

/// Scrapes `http://host:port/path` (plain HTTP/1.0, so the answer is never chunked).
pub async fn scrape(url: &str, limits: ExchangeLimits) -> Result<Vec<GpuReading>, PollError> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| PollError::Connect(format!("only http:// URLs are supported: {url}")))?;
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/metrics"),
    };
    let request = format!("GET {path} HTTP/1.0\r\nHost: {hostport}\r\nAccept: text/plain\r\n\r\n");
    let raw = exchange(hostport, request.as_bytes(), limits).await?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| PollError::Malformed("no HTTP header end".into()))?;
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| PollError::Malformed("no HTTP status".into()))?;
    if status != 200 {
        return Err(PollError::HttpStatus(status));
    }
    extract(body)
}

/// GPUs from an exposition, keyed by their `gpu` label.
pub fn extract(text: &str) -> Result<Vec<GpuReading>, PollError> {
    let samples = prometheus::parse(text).map_err(|e| PollError::Malformed(e.to_string()))?;
    let mut gpus: BTreeMap<u32, GpuReading> = BTreeMap::new();
    for s in samples.iter().filter(|s| s.name.starts_with("DCGM_FI_")) {
        let Some(index) = s.label("gpu").and_then(|g| g.parse::<u32>().ok()) else {
            continue;
        };
        let g = gpus.entry(index).or_insert_with(|| GpuReading {
            gpu: index,
            ..Default::default()
        });
        if let Some(u) = s.label("UUID") {
            g.uuid = u.to_string();
        }
        if let Some(m) = s.label("modelName") {
            g.model_name = m.to_string();
        }
        if let Some(h) = s.label("Hostname") {
            g.hostname = h.to_string();
        }
        let v = Some(s.value).filter(|v| v.is_finite());
        match s.name.as_str() {
            "DCGM_FI_DEV_GPU_UTIL" => g.util_pct = v,
            "DCGM_FI_DEV_POWER_USAGE" => g.power_w = v,
            "DCGM_FI_DEV_GPU_TEMP" => g.temp_c = v,
            "DCGM_FI_DEV_FB_USED" => g.fb_used_mib = v,
            "DCGM_FI_DEV_FB_FREE" => g.fb_free_mib = v,
            "DCGM_FI_DEV_SM_CLOCK" => g.sm_clock_mhz = v,
            "DCGM_FI_DEV_XID_ERRORS" => g.xid_errors = v,
            _ => {}
        }
    }
    if gpus.is_empty() {
        return Err(PollError::Malformed(
            "no DCGM GPU metrics in the answer".into(),
        ));
    }
    Ok(gpus.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_metrics_by_gpu() {
        let text = "# TYPE DCGM_FI_DEV_GPU_UTIL gauge\n\
DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-a\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"n1\"} 95\n\
DCGM_FI_DEV_GPU_UTIL{gpu=\"1\",UUID=\"GPU-b\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"n1\"} 12\n\
DCGM_FI_DEV_POWER_USAGE{gpu=\"0\",UUID=\"GPU-a\"} 690.1\n\
DCGM_FI_DEV_GPU_TEMP{gpu=\"1\",UUID=\"GPU-b\"} NaN\n\
DCGM_FI_DEV_XID_ERRORS{gpu=\"1\",UUID=\"GPU-b\"} 79\n\
go_goroutines 12\n";
        let g = extract(text).unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!(
            (g[0].uuid.as_str(), g[0].util_pct, g[0].power_w),
            ("GPU-a", Some(95.0), Some(690.1))
        );
        assert_eq!(g[1].temp_c, None, "NaN is unknown, not a temperature");
        assert_eq!(g[1].xid_errors, Some(79.0));
        assert!(extract("go_goroutines 12\n").is_err());
    }
}
