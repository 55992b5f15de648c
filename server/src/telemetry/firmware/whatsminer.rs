//! Whatsminer (btminer): hashrate in MH/s, temperature, fans and power in `summary`, hashboards
//! in `devs` (chip temperatures per slot), the model in `devdetails` with MicroBT's hardware
//! revision after it (`M50S.VH20`, `M30S+VE40`: the machine is M50S, M30S+). The firmware
//! version is `Firmware Version` in the summary, quoted in single quotes. Only these read
//! commands are used: btminer's privileged API (token, AES) changes settings and is left alone.

use crate::telemetry::lenient_json::Json;
use app::model::fleet::devices::AsicReading;

use super::answer::Answer;

pub const COMMAND: &str = "summary+devs+devdetails";

pub fn matches(a: &Answer) -> bool {
    let summary = a.items("SUMMARY");
    let s = summary.first();
    a.items("DEVDETAILS")
        .iter()
        .any(|d| d.get("Driver").and_then(Json::as_str) == Some("bitmicro"))
        || s.is_some_and(|s| s.get("Firmware Version").is_some() || s.get("Power Mode").is_some())
        || a.text("VERSION", "Firmware")
            .is_some_and(|f| f.to_ascii_lowercase().contains("btminer"))
}

/// `M50S.VH20` → `M50S`, `M30S+VE40` → `M30S+`, `M60SVK30` → `M60S`.
pub fn machine(model: &str) -> String {
    let base = model.split('.').next().unwrap_or(model);
    // The revision starts with a `V` followed by another letter.
    let bytes = base.as_bytes();
    let cut = (1..bytes.len().saturating_sub(1))
        .find(|&i| bytes[i] == b'V' && bytes[i + 1].is_ascii_alphabetic())
        .unwrap_or(base.len());
    base[..cut].to_string()
}

pub fn refine(a: &Answer, r: &mut AsicReading) {
    let summary = a.items("SUMMARY");
    if let Some(fw) = summary
        .first()
        .and_then(|s| s.get("Firmware Version"))
        .and_then(Json::as_str)
        .or_else(|| a.text("VERSION", "Firmware"))
    {
        r.firmware = Some(format!("btminer {}", fw.trim_matches(['\'', '"', ' '])));
    } else {
        r.firmware.get_or_insert_with(|| "btminer".into());
    }
    if let Some(m) = a.text("DEVDETAILS", "Model").or_else(|| {
        summary
            .first()
            .and_then(|s| s.get("Model"))
            .and_then(Json::as_str)
    }) {
        r.model = Some(format!("Whatsminer {}", machine(m)));
    }
    for d in a.items("DEVS") {
        let slot = d
            .get("Slot")
            .or_else(|| d.get("ASC"))
            .and_then(Json::as_f64)
            .unwrap_or(0.0) as u32;
        if let Some(t) = d
            .get("Chip Temp Max")
            .and_then(Json::as_f64)
            .filter(|t| *t > 0.0)
        {
            super::answer::board(r, slot).temp_c = Some(t);
        }
        if let Some(chips) = d.get("Effective Chips").and_then(Json::as_f64) {
            super::answer::board(r, slot).chips = Some(chips as u32);
        }
    }
    r.boards.sort_by_key(|b| b.index);
}
