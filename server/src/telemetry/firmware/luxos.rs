//! LuxOS (luxminer): bmminer-style `summary` and `stats`, a `LUXminer` version key, and the
//! wall power in its own `power` command (`{"POWER":[{"Watts": …}]}`), and why it is not
//! hashing in `events` (`NOPIC_PROTECTION`, `REBOOT_NOT_HASHING`, each with a documentation
//! link).

use crate::telemetry::lenient_json::Json;
use app::model::fleet::devices::{AsicReading, PowerSource};
use app::model::fleet::fault_codes;
use app::model::fleet::reason::FirmwareFault;

use super::answer::Answer;

pub const COMMAND: &str = "summary+stats+power+events";

pub fn matches(a: &Answer) -> bool {
    a.has_key("VERSION", "LUXminer") || a.has_key("STATS", "LUXminer")
}

pub fn refine(a: &Answer, r: &mut AsicReading) {
    if let Some(v) = a
        .text("VERSION", "LUXminer")
        .or_else(|| a.text("STATS", "LUXminer"))
    {
        r.firmware = Some(format!("LUXminer {v}"));
    }
    if let Some(w) = a
        .items("POWER")
        .iter()
        .find_map(|p| p.get("Watts").and_then(Json::as_f64))
        .filter(|w| *w > 0.0)
    {
        r.power_w = Some(w);
        r.power_source = Some(PowerSource::Psu);
    }
    for e in a.items("EVENTS") {
        let Some(code) = e.get("Code").and_then(Json::as_str) else {
            continue;
        };
        let text = |k: &str| e.get(k).and_then(Json::as_str);
        r.faults.push(
            FirmwareFault::new(
                fault_codes::luxos(code),
                "LuxOS",
                code,
                text("Description").unwrap_or(""),
            )
            .doc_url(text("DocUrl").map(str::to_string))
            .at_rfc3339(text("CreatedAt")),
        );
    }
}
