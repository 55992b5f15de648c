//! Auradine FluxOS (GCMiner): CGMiner-style commands whose values are strings with their units
//! (`"PowerIn": "58.94W"`, `"FanSpeed1": "4052.00 RPM"`); hashboards by `ID` in `devs`, the
//! wall power from the PSU (`psu`), fans in `fan`, the machine in `ipreport`, its operating
//! mode (power target, sleep) in `mode`. A PSU whose output is 0 W is not powering the boards,
//! whatever the hashrate averages say.

use app::model::fleet::devices::{AsicReading, PowerSource};
use app::model::fleet::reason::{FaultKind, FirmwareFault};

use super::answer::{board, Answer};
use crate::telemetry::lenient_json::Json;

pub const COMMAND: &str = "summary+devs+psu+fan+mode+ipreport+pools+temperature";

pub fn matches(a: &Answer) -> bool {
    a.parts.iter().any(|p| {
        p.get("STATUS")
            .map(Json::as_array)
            .unwrap_or_default()
            .iter()
            .filter_map(|s| s.get("Description").and_then(Json::as_str))
            .any(|d| d.starts_with("FluxOS") || d.starts_with("GCMiner"))
    }) || a.has_key("PSU", "PowerIn")
}

/// A number with its unit after it (`"58.94W"`, `"4052.00 RPM"`, `"245.00V"`), or a plain
/// number.
pub fn with_unit(v: &Json) -> Option<f64> {
    if let Some(n) = v.as_f64() {
        return Some(n);
    }
    let s = v.as_str()?.trim();
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(s.len());
    s[..end].parse::<f64>().ok().filter(|n| n.is_finite())
}

pub fn refine(a: &Answer, r: &mut AsicReading) {
    let report = a.items("IPReport");
    let ip = report.first();
    let text = |k: &str| ip.and_then(|i| i.get(k)).and_then(Json::as_str);
    r.firmware = Some(match text("version") {
        Some(v) => format!("FluxOS {v}"),
        None => "FluxOS".into(),
    });
    if let Some(m) = text("model") {
        r.model = Some(format!("Auradine {m}"));
    }
    // Boards are numbered by `ID` (the shared reader looks for `ASC`/`Slot`): read again.
    r.boards.clear();
    for d in a.items("DEVS") {
        let Some(id) = d.get("ID").and_then(Json::as_f64) else {
            continue;
        };
        let b = board(r, id as u32);
        b.rate_ths = d.get("MHS 5s").and_then(with_unit).map(|m| m / 1e6);
        b.temp_c = d
            .get("Temperature")
            .and_then(with_unit)
            .filter(|t| *t > -100.0 && *t != 0.0);
    }
    for t in a.items("Temperature") {
        let Some(id) = t.get("ID").and_then(Json::as_f64).filter(|i| *i > 0.0) else {
            continue; // ID 0 is the control board
        };
        let hottest = t
            .get("ChipTemp")
            .map(Json::as_array)
            .unwrap_or_default()
            .iter()
            .filter_map(|c| c.get("Temperature").and_then(with_unit))
            .fold(f64::NEG_INFINITY, f64::max);
        if hottest.is_finite() && hottest > -100.0 {
            board(r, id as u32).temp_c = Some(hottest);
        }
    }
    r.fans_rpm = a
        .items("Fan")
        .iter()
        .filter_map(|f| f.get("Speed").and_then(with_unit))
        .collect();
    let mode = a.items("Mode");
    let mode = mode.first();
    if let Some(w) = mode.and_then(|m| m.get("Power")).and_then(with_unit) {
        r.power_limit_w = Some(w);
    }
    if let Some(ths) = mode.and_then(|m| m.get("Ths")).and_then(with_unit) {
        r.nameplate_ths = Some(ths);
    }
    let asleep = mode
        .and_then(|m| m.get("Sleep"))
        .and_then(Json::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("on"));
    let psu = a.items("PSU");
    let psu = psu.first();
    if let Some(w) = psu.and_then(|p| p.get("PowerIn")).and_then(with_unit) {
        r.power_w = Some(w);
        r.power_source = Some(PowerSource::Psu);
    }
    let out = psu.and_then(|p| p.get("PowerOut")).and_then(with_unit);
    if out == Some(0.0) {
        // The boards have no power: the hashrate fields are averages from before.
        r.hashrate_ths = 0.0;
        for b in &mut r.boards {
            b.rate_ths = Some(0.0);
        }
        if !asleep {
            r.faults.push(FirmwareFault::new(
                FaultKind::Hashing,
                "FluxOS",
                "PSU_OUTPUT_0W",
                "PSU output 0 W while not in sleep mode: the hashboards are not powered",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::lenient_json;

    #[test]
    fn numbers_with_units_and_sentinels() {
        for (text, want) in [
            (r#""58.94W""#, Some(58.94)),
            (r#""4052.00 RPM""#, Some(4052.0)),
            (r#""245.00V""#, Some(245.0)),
            (r#"3.5"#, Some(3.5)),
            (r#""""#, None),
            (r#""W""#, None),
        ] {
            let v = lenient_json::parse(text).unwrap();
            assert_eq!(with_unit(&v), want, "{text}");
        }
    }
}
