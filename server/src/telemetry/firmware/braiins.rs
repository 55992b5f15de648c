//! Braiins OS (bosminer): the CGMiner API without Bitmain's `stats` fields. Hashboards come from
//! `devs`, the model from `devdetails`, temperatures from `temps` (board and chip per
//! hashboard), fans from `fans`, and the miner's power from `tunerstatus`.

use crate::telemetry::lenient_json::Json;
use app::model::fleet::devices::AsicReading;

use super::answer::Answer;

// `version` keeps the firmware string current (it is in no other section).
pub const COMMAND: &str = "summary+devs+devdetails+temps+fans+tunerstatus+version";

pub fn matches(a: &Answer) -> bool {
    a.has_key("VERSION", "BOSminer") || a.has_key("STATS", "BOSminer")
}

pub fn refine(a: &Answer, r: &mut AsicReading) {
    if let Some(v) = a
        .text("VERSION", "BOSminer")
        .or_else(|| a.text("STATS", "BOSminer"))
    {
        r.firmware = Some(format!("BOSminer {v}"));
    }
    // Every section names a hashboard by `ID` (1-based); `devs` also counts `ASC` from 0, which
    // the shared reader used: rebuild the boards by `ID`.
    r.boards.clear();
    for d in a.items("DEVS") {
        let Some(id) = d.get("ID").and_then(Json::as_f64) else {
            continue;
        };
        let rate = ["MHS 5s", "MHS 1m", "MHS av"]
            .iter()
            .find_map(|k| d.get(k).and_then(Json::as_f64));
        super::answer::board(r, id as u32).rate_ths = rate.map(|mhs| mhs / 1e6);
    }
    for t in a.items("TEMPS") {
        let Some(id) = t.get("ID").and_then(Json::as_f64) else {
            continue;
        };
        let hottest = ["Chip", "Board"]
            .iter()
            .filter_map(|k| t.get(k).and_then(Json::as_f64))
            .filter(|v| *v > 0.0)
            .reduce(f64::max);
        if let Some(temp) = hottest {
            super::answer::board(r, id as u32).temp_c = Some(temp);
        }
    }
    r.fans_rpm.extend(
        a.items("FANS")
            .iter()
            .filter_map(|f| f.get("RPM").and_then(Json::as_f64))
            .filter(|rpm| *rpm > 0.0),
    );
    if let Some(w) = a.items("TUNERSTATUS").iter().find_map(|t| {
        t.get("ApproximateMinerPowerConsumption")
            .and_then(Json::as_f64)
    }) {
        r.power_w = Some(w);
    }
    for d in a.items("DEVDETAILS") {
        if let (Some(id), Some(chips)) = (
            d.get("ID").and_then(Json::as_f64),
            d.get("Chips").and_then(Json::as_f64),
        ) {
            super::answer::board(r, id as u32).chips = Some(chips as u32);
        }
    }
    r.boards.sort_by_key(|b| b.index);
}
