//! LuxOS (luxminer): bmminer-style `summary` and `stats`, a `LUXminer` version key, and the
//! wall power in its own `power` command (`{"POWER":[{"Watts": …}]}`).

use crate::telemetry::lenient_json::Json;
use app::model::fleet::devices::AsicReading;

use super::answer::Answer;

pub const COMMAND: &str = "summary+stats+power";

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
    }
}
