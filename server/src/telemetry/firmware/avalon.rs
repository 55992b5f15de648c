//! Canaan AvalonMiner: cgminer whose `stats` carries the machine's state as one string per
//! module, `"MM ID0": "Ver[1566-24102401_…] … Temp[31] TMax[78] TAvg[70] Fan1[4275] …
//! PS[0 1209 1187 297 3526 1188 3731] GHSspd[199241.07] GHSavg[184007.00] MGHS[a b c]
//! MTmax[x y z] …"`: `NAME[value …]` pairs. Hashrate per hashboard is `MGHS`, the hottest chip
//! per board `MTmax`, the wall power the last `PS` figure (or `WALLPOWER`).

use crate::telemetry::lenient_json::Json;
use app::model::fleet::devices::AsicReading;
use app::model::fleet::reason::{FaultKind, FirmwareFault};

use super::answer::Answer;

pub fn matches(a: &Answer) -> bool {
    a.text("VERSION", "PROD")
        .is_some_and(|p| p.to_ascii_lowercase().starts_with("avalon"))
        || a.items("STATS")
            .iter()
            .any(|s| mm_strings(s).next().is_some())
}

fn mm_strings<'a>(stats: &'a Json) -> impl Iterator<Item = &'a str> + 'a {
    stats
        .members()
        .iter()
        .filter(|(k, _)| k.starts_with("MM ID"))
        .filter_map(|(_, v)| v.as_str())
}

/// The values of `NAME[…]` in an MM ID string, split on spaces.
pub fn field<'a>(mm: &'a str, name: &str) -> Option<Vec<&'a str>> {
    let mut from = 0;
    while let Some(at) = mm[from..].find(&format!("{name}[")) {
        let start = from + at;
        // A whole name: not the tail of a longer one (`Temp[` inside `MTemp[`).
        let whole = start == 0 || mm.as_bytes()[start - 1] == b' ';
        let open = start + name.len() + 1;
        let close = open + mm[open..].find(']')?;
        if whole {
            return Some(mm[open..close].split_whitespace().collect());
        }
        from = close;
    }
    None
}

fn numbers(mm: &str, name: &str) -> Vec<f64> {
    field(mm, name)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.trim_end_matches('%').parse().ok())
        .collect()
}

/// `AvalonMiner 1566` or `Ver[1566-…]` → `Avalon A1566`.
fn model_name(a: &Answer, mm: Option<&str>) -> Option<String> {
    let code = a.text("VERSION", "MODEL").map(str::to_string).or_else(|| {
        mm.and_then(|m| field(m, "Ver")).and_then(|v| {
            v.first()
                .map(|s| s.split('-').next().unwrap_or(s).to_string())
        })
    })?;
    let code = code.trim().trim_start_matches(['A', 'a']);
    Some(format!("Avalon A{code}"))
}

pub fn refine(a: &Answer, r: &mut AsicReading) {
    let stats = a.items("STATS");
    let mm: Vec<&str> = stats.iter().flat_map(|s| mm_strings(s)).collect();
    let version = a
        .text("VERSION", "VERSION")
        .map(str::to_string)
        .or_else(|| {
            mm.first().and_then(|m| field(m, "Ver")).and_then(|v| {
                v.first()
                    .and_then(|s| s.split_once('-'))
                    .map(|(_, rest)| rest.to_string())
            })
        });
    r.firmware = Some(match version {
        Some(v) => format!("Avalon {v}"),
        None => "Avalon".into(),
    });
    if let Some(m) = model_name(a, mm.first().copied()) {
        r.model = Some(m);
    }
    let mut board = 0u32;
    for m in &mm {
        if let Some(ghs) = numbers(m, "GHSspd").first() {
            // The status string is fresher than the summary's averages.
            r.hashrate_ths = ghs / 1000.0;
        }
        for t in numbers(m, "TMax").into_iter().chain(numbers(m, "Temp")) {
            if t > 0.0 {
                r.temps_c.push(t);
            }
        }
        for name in ["Fan1", "Fan2", "Fan3", "Fan4"] {
            if let Some(rpm) = numbers(m, name).first().filter(|v| **v > 0.0) {
                r.fans_rpm.push(*rpm);
            }
        }
        let wall = numbers(m, "WALLPOWER")
            .first()
            .copied()
            .or_else(|| numbers(m, "PS").last().copied());
        if let Some(w) = wall.filter(|w| *w > 0.0) {
            r.power_w = Some(r.power_w.unwrap_or(0.0) + w);
        }
        let rates = numbers(m, "MGHS");
        let hottest = numbers(m, "MTmax");
        for (i, ghs) in rates.iter().enumerate() {
            let b = super::answer::board(r, board + i as u32);
            b.rate_ths = Some(ghs / 1000.0);
            b.temp_c = hottest.get(i).copied().filter(|t| *t > 0.0);
        }
        faults(m, board, r);
        board += rates.len() as u32;
    }
}

/// Canaan's own fault fields: `PS[…]` starts with the power supply's error code, `ECHU[…]`
/// holds one error code per hashboard and `ECMM[…]` the controller's (0: none). `SoftOFF[1]`
/// is a machine put to sleep on purpose, not a fault.
fn faults(mm: &str, first_board: u32, r: &mut AsicReading) {
    let mut push = |kind, code: String, words: String| {
        r.faults
            .push(FirmwareFault::new(kind, "Avalon", code, words));
    };
    // PS: only its first figure is an error code (the rest are voltages and watts).
    if let Some(ps) = numbers(mm, "PS").first().filter(|c| **c != 0.0) {
        push(
            FaultKind::Psu,
            format!("PS {ps:.0}"),
            format!("power supply error code {ps:.0}"),
        );
    }
    for (i, code) in numbers(mm, "ECHU")
        .iter()
        .enumerate()
        .filter(|(_, c)| **c != 0.0)
    {
        let board = first_board + i as u32;
        push(
            FaultKind::Hashing,
            format!("ECHU {code:.0}"),
            format!("hashboard {board} error code {code:.0}"),
        );
    }
    if let Some(code) = numbers(mm, "ECMM").first().filter(|c| **c != 0.0) {
        push(
            FaultKind::Hashing,
            format!("ECMM {code:.0}"),
            format!("controller error code {code:.0}"),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_are_found_whole() {
        let mm = "Ver[1566-24102401_25462b2_9ddf522] Temp[31] MTemp[9] TMax[78] PS[0 1209 1187 297 3526 1188 3731] FanR[49%]";
        assert_eq!(super::field(mm, "Temp"), Some(vec!["31"]));
        assert_eq!(super::numbers(mm, "PS").last(), Some(&3731.0));
        assert_eq!(super::numbers(mm, "FanR"), vec![49.0]);
        assert_eq!(super::field(mm, "Nope"), None);
    }

    #[test]
    fn status_fields_say_what_failed() {
        use app::model::fleet::reason::FaultKind;
        let mut r = app::model::fleet::devices::AsicReading::default();
        super::faults(
            "PS[0 1209 1187 297 3526 1188 3731] ECHU[0 0 0] ECMM[0] SoftOFF[0]",
            0,
            &mut r,
        );
        assert!(r.faults.is_empty());
        super::faults(
            "PS[17 0 0 0 0 0 0] ECHU[0 512 0] ECMM[0] SoftOFF[0]",
            0,
            &mut r,
        );
        let got: Vec<(FaultKind, &str)> = r
            .faults
            .iter()
            .map(|f| (f.kind, f.report.code.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![(FaultKind::Psu, "PS 17"), (FaultKind::Hashing, "ECHU 512")]
        );
        assert_eq!(r.faults[1].report.message, "hashboard 1 error code 512");
    }
}
