//! AxeOS (Bitaxe and other open-hardware boards): `GET /api/system/info`, one JSON object.
//! Hashrate in GH/s, power in W from the board's own meter, the ASIC and regulator
//! temperatures, one fan; `bestDiff` is a string with a suffix ("483k"), not a number.

use serde_json::Value;

use app::model::fleet::devices::{AsicReading, PowerSource};
use app::model::fleet::reason::{FaultKind, FirmwareFault};

use super::error::PollError;
use super::http::{self, BaseUrl};
use super::io::ExchangeLimits;

pub async fn poll(base_url: &str, limits: ExchangeLimits) -> Result<AsicReading, PollError> {
    let base = BaseUrl::parse(base_url)?;
    let a = http::request(&base, "GET", "/api/system/info", &[], None, limits).await?;
    extract(&http::ok_body(a)?)
}

/// The board's name from its ASIC (the Bitaxe line is named by chip).
fn board_name(asic: &str) -> Option<&'static str> {
    match asic {
        "BM1370" => Some("Bitaxe Gamma"),
        "BM1368" => Some("Bitaxe Supra"),
        "BM1366" => Some("Bitaxe Ultra"),
        "BM1397" => Some("Bitaxe Max"),
        _ => None,
    }
}

pub fn extract(text: &str) -> Result<AsicReading, PollError> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| PollError::Malformed(format!("system/info: {e}")))?;
    let num = |k: &str| v.get(k).and_then(Value::as_f64).filter(|x| x.is_finite());
    let mut r = AsicReading {
        hashrate_ths: num("hashRate")
            .map(|gh| gh / 1000.0)
            .ok_or_else(|| PollError::Malformed("system/info has no hashRate".into()))?,
        power_w: num("power").filter(|w| *w > 0.0),
        uptime_s: num("uptimeSeconds").unwrap_or(0.0) as u64,
        accepted: num("sharesAccepted").unwrap_or(0.0) as u64,
        rejected: num("sharesRejected").unwrap_or(0.0) as u64,
        ..Default::default()
    };
    r.power_source = r.power_w.map(|_| PowerSource::Miner);
    r.temps_c = ["temp", "vrTemp"]
        .into_iter()
        .filter_map(num)
        .filter(|t| *t > -100.0 && *t != 0.0)
        .collect();
    r.fans_rpm = num("fanrpm").into_iter().collect();
    let text_of = |k: &str| v.get(k).and_then(Value::as_str);
    r.model = text_of("ASICModel")
        .map(|asic| board_name(asic).map_or_else(|| format!("AxeOS board {asic}"), str::to_string));
    r.firmware = Some(match text_of("version") {
        Some(ver) => format!("AxeOS {ver}"),
        None => "AxeOS".into(),
    });
    r.pool = text_of("stratumURL").map(|u| match num("stratumPort") {
        Some(p) => format!("stratum+tcp://{u}:{p}"),
        None => u.to_string(),
    });
    if num("overheat_mode").is_some_and(|m| m > 0.0) {
        r.faults.push(FirmwareFault::new(
            FaultKind::Protection,
            "AxeOS",
            "overheat_mode",
            "overheat mode: the board stopped hashing to cool down",
        ));
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bitaxe_reads_in_ths_and_watts() {
        let r = extract(include_str!("../../tests/fixtures/axeos/system-info.json")).unwrap();
        assert!((r.hashrate_ths - 1.1846).abs() < 1e-12);
        assert_eq!(r.power_w, Some(17.92));
        // 17.92 W / 1.1846 TH/s.
        assert!((r.power_w.unwrap() / r.hashrate_ths - 15.127).abs() < 1e-3);
        assert_eq!(r.temps_c, vec![61.25, 54.0]);
        assert_eq!(r.fans_rpm, vec![4102.0]);
        assert_eq!((r.accepted, r.rejected, r.uptime_s), (8812, 11, 350_412));
        assert_eq!(
            r.model
                .as_deref()
                .and_then(app::model::fleet::catalogue::identify_asic)
                .map(|m| m.id),
            Some("BitaxeGamma")
        );
        assert_eq!(r.firmware.as_deref(), Some("AxeOS v2.9.1"));
        assert_eq!(r.pool.as_deref(), Some("stratum+tcp://solo.example:3333"));
        assert!(r.faults.is_empty());
    }

    #[test]
    fn overheat_mode_is_a_protection_stop_and_garbage_an_error() {
        let text = include_str!("../../tests/fixtures/axeos/system-info.json")
            .replace(r#""overheat_mode":0"#, r#""overheat_mode":1"#);
        let r = extract(&text).unwrap();
        assert_eq!(r.faults[0].kind, FaultKind::Protection);
        assert!(matches!(
            extract("{\"hashRate\":\"fast\"}"),
            Err(PollError::Malformed(_))
        ));
        assert!(matches!(extract("<html>"), Err(PollError::Malformed(_))));
    }
}
