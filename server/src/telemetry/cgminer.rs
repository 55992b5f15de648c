//! The CGMiner-family JSON API (Antminer, Whatsminer, Braiins OS, LuxOS, VNish, Avalon): TCP
//! 4028, `{"command":"summary+stats"}` (each family's own set, `firmware::Family::command`),
//! answer until the peer closes. Parse leniently, extract strictly: every figure is found by
//! name and unit, or left unknown. What the families share is read here; `firmware` adds each
//! one's quirks.

use app::model::fleet::devices::AsicReading;

use super::error::PollError;
use super::firmware::{self, board, Answer, Family};
use super::io::{exchange, exchange_until, ExchangeLimits};
use super::lenient_json::{self, Json};

/// Queries `addr` with the commands of `family` (or, unknown, asks what it is as well) and
/// extracts a reading and the family it answered as.
pub async fn poll(
    addr: &str,
    family: Option<Family>,
    limits: ExchangeLimits,
) -> Result<(AsicReading, Family), PollError> {
    let command = family.map_or(firmware::IDENTIFY_COMMAND, Family::command);
    let request = format!(r#"{{"command":"{command}"}}"#);
    // Bitmain's firmware ends its answer with a NUL: done then, without waiting for the close.
    let raw = exchange_until(addr, request.as_bytes(), limits, |a| a.last() == Some(&0)).await?;
    // Valid UTF-8 (as answers are) is checked by the fast validator; only a broken answer
    // takes the slower lossy pass.
    match std::str::from_utf8(&raw) {
        Ok(text) => extract_as(text, family),
        Err(_) => extract_as(&String::from_utf8_lossy(&raw), family),
    }
}

/// Sends any command (`summary`, `stats`, `devs`, `pools`, `version`, joined with `+`).
pub async fn command(
    addr: &str,
    command: &str,
    limits: ExchangeLimits,
) -> Result<Json<'static>, PollError> {
    let request = serde_json::json!({ "command": command }).to_string();
    let raw = exchange(addr, request.as_bytes(), limits).await?;
    lenient_json::parse(&String::from_utf8_lossy(&raw))
        .map(Json::into_owned)
        .map_err(|e| PollError::Malformed(e.to_string()))
}

/// Hashrate in TH/s from a section, whatever unit the firmware chose.
fn hashrate_ths(section: &Json, window: &str) -> Option<f64> {
    let names: &[(&str, f64)] = match window {
        "5s" => &[
            ("THS 5s", 1.0),
            ("GHS 5s", 1e-3),
            ("MHS 5s", 1e-6),
            ("THS 1m", 1.0),
            ("GHS 1m", 1e-3),
            ("MHS 1m", 1e-6),
        ],
        _ => &[("THS av", 1.0), ("GHS av", 1e-3), ("MHS av", 1e-6)],
    };
    for (name, scale) in names {
        if let Some(v) = section.get(name).and_then(Json::as_f64) {
            return Some(v * scale);
        }
    }
    // Newer Antminer firmware: `rate_5s` / `rate_avg` with a `rate_unit`.
    let field = if window == "5s" {
        "rate_5s"
    } else {
        "rate_avg"
    };
    let v = section.get(field).and_then(Json::as_f64)?;
    let scale = match section
        .get("rate_unit")
        .and_then(Json::as_str)
        .unwrap_or("GH/s")
        .to_ascii_uppercase()
        .as_str()
    {
        "TH/S" | "THS" => 1.0,
        "MH/S" | "MHS" => 1e-6,
        _ => 1e-3,
    };
    Some(v * scale)
}

/// What follows `prefix` in `key`, the prefix matched regardless of case (firmware spells
/// `Chain_Rate1` and `chain_rate1`); no copy of the key.
fn after_prefix<'k>(key: &'k str, prefix: &str) -> Option<&'k str> {
    let head = key.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &key[prefix.len()..])
}

/// `key` is `prefix` followed by a number (`temp2`, `fan1`); that number.
fn numbered(key: &str, prefix: &str) -> Option<u32> {
    after_prefix(key, prefix)
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse().ok())
}

/// The answer's status: `S`/`I` fine, `W` a warning, `E` (or `F`) an error with its message.
fn check_status(v: &Json) -> Result<(), PollError> {
    for status in v.get_all("STATUS").flat_map(|s| match s {
        Json::Array(items) => items.as_slice(),
        other => std::slice::from_ref(other),
    }) {
        let code = status.get("STATUS").and_then(Json::as_str).unwrap_or("S");
        if code == "E" || code == "F" {
            let msg = status
                .get("Msg")
                .and_then(Json::as_str)
                .unwrap_or("no message");
            return Err(PollError::DeviceError(msg.to_string()));
        }
    }
    Ok(())
}

/// The sections of a (possibly joined) answer: `summary+stats` answers `{"summary":[{..}],
/// "stats":[{..}]}`; a single command answers `{"STATUS":..,"SUMMARY":[..]}`.
fn sections<'t, 'a>(root: &'t Json<'a>) -> Vec<&'t Json<'a>> {
    match root {
        Json::Array(parts) => parts.iter().collect(),
        obj => {
            let joined: Vec<&Json<'a>> = [
                "summary",
                "stats",
                "devs",
                "pools",
                "version",
                "devdetails",
                "temps",
                "fans",
                "tunerstatus",
                "power",
                "events",
                "psu",
                "fan",
                "mode",
                "ipreport",
                "temperature",
            ]
            .iter()
            .flat_map(|k| obj.get(k).map_or(&[][..], Json::as_array))
            .collect();
            if joined.is_empty() {
                vec![obj]
            } else {
                joined
            }
        }
    }
}

/// The Antminer-style `stats` items: the model (`Type`), chains (`chain_acn*`, `chain_rate*`,
/// `temp2_*`), fans and temperatures, and the chain count that tells empty slots from dead
/// boards.
fn read_stats(stats_items: &[&Json], r: &mut AsicReading) {
    for stats in stats_items.iter().copied() {
        if let Some(t) = stats.get("Type").and_then(Json::as_str) {
            r.model.get_or_insert_with(|| t.to_string());
        }
        for (key, value) in stats.members() {
            let Some(v) = value.as_f64() else { continue };
            if let Some(n) = numbered(key, "chain_acn") {
                board(r, n).chips = Some(v as u32);
            } else if let Some(n) = numbered(key, "chain_rate") {
                board(r, n).rate_ths = Some(v / 1000.0);
            } else if let Some(n) = numbered(key, "temp2_") {
                // temp2_N is the chip temperature of chain N on Antminers.
                if v > 0.0 {
                    board(r, n).temp_c = Some(v);
                }
            } else if numbered(key, "fan").is_some() && v > 0.0 {
                r.fans_rpm.push(v);
            } else if numbered(key, "temp").is_some() && v > 0.0 {
                // temp1, temp2, … (duplicates kept: several firmware repeat `temp1`).
                r.temps_c.push(v);
            }
        }
    }
    // `miner_count` is how many chains the machine has: a slot past it reading no chips and no
    // rate is an empty connector (an S19k Pro reports `chain_acn4: 0`), not a dead board.
    if let Some(chains) = stats_items
        .iter()
        .find_map(|s| s.get("miner_count").and_then(Json::as_f64))
    {
        r.boards.retain(|b| {
            f64::from(b.index) <= chains
                || b.chips.is_some_and(|c| c > 0)
                || b.rate_ths.is_some_and(|t| t > 0.0)
        });
    }
}

/// Extracts a reading from a `summary+stats` (or `summary`, or any family's) answer.
pub fn extract(text: &str) -> Result<AsicReading, PollError> {
    extract_family(text).map(|(r, _)| r)
}

/// Extracts a reading and recognises the firmware family that sent it.
pub fn extract_family(text: &str) -> Result<(AsicReading, Family), PollError> {
    extract_as(text, None)
}

/// Extracts a reading of a device asked as `known` (its answer may say otherwise).
pub fn extract_as(text: &str, known: Option<Family>) -> Result<(AsicReading, Family), PollError> {
    let root = lenient_json::parse(text).map_err(|e| PollError::Malformed(e.to_string()))?;
    // A family that does not know one of the joined commands answers that part with an error
    // (btminer on `stats`): the part is dropped, the rest is read.
    let mut parts = Vec::new();
    let mut refused = None;
    for a in sections(&root) {
        match check_status(a) {
            Ok(()) => parts.push(a),
            Err(e) => {
                refused.get_or_insert(e);
            }
        }
    }
    let answer = Answer { parts };
    let items = |name: &str| answer.items(name);
    let summary = items("SUMMARY");
    let summary = match (summary.first().copied(), refused) {
        (Some(s), _) => s,
        (None, Some(e)) => return Err(e),
        (None, None) => return Err(PollError::Malformed("no SUMMARY section".into())),
    };
    let mut r = AsicReading {
        hashrate_ths: hashrate_ths(summary, "5s")
            .or_else(|| hashrate_ths(summary, "av"))
            .ok_or_else(|| PollError::Malformed("no hashrate field".into()))?,
        hashrate_avg_ths: hashrate_ths(summary, "av"),
        accepted: summary
            .get("Accepted")
            .and_then(Json::as_f64)
            .unwrap_or(0.0) as u64,
        rejected: summary
            .get("Rejected")
            .and_then(Json::as_f64)
            .unwrap_or(0.0) as u64,
        difficulty_accepted: summary.get("Difficulty Accepted").and_then(Json::as_f64),
        hw_errors: summary
            .get("Hardware Errors")
            .and_then(Json::as_f64)
            .unwrap_or(0.0) as u64,
        uptime_s: summary.get("Elapsed").and_then(Json::as_f64).unwrap_or(0.0) as u64,
        power_w: summary.get("Power").and_then(Json::as_f64),
        ..Default::default()
    };
    // Whatsminer reports temperature and fans in the summary.
    if let Some(t) = summary.get("Temperature").and_then(Json::as_f64) {
        r.temps_c.push(t);
    }
    for fan in ["Fan Speed In", "Fan Speed Out"] {
        if let Some(f) = summary.get(fan).and_then(Json::as_f64) {
            r.fans_rpm.push(f);
        }
    }
    read_stats(&items("STATS"), &mut r);
    // Whatsminer (btminer) and Braiins OS name the model `Model` in their summary and
    // `devdetails` answers.
    for section in items("DEVDETAILS").into_iter().chain([summary]) {
        if let Some(m) = section.get("Model").and_then(Json::as_str) {
            r.model.get_or_insert_with(|| m.to_string());
        }
    }
    for devs in items("DEVS") {
        let n = devs
            .get("ASC")
            .or_else(|| devs.get("Slot"))
            .and_then(Json::as_f64)
            .unwrap_or(0.0) as u32;
        // 0 or -273: the firmware has no sensor there.
        if let Some(t) = devs
            .get("Temperature")
            .and_then(Json::as_f64)
            .filter(|t| *t > 0.0)
        {
            board(&mut r, n).temp_c = Some(t);
        }
        if let Some(rate) = hashrate_ths(devs, "5s") {
            board(&mut r, n).rate_ths = Some(rate);
        }
    }
    if let Some(pool) = items("POOLS")
        .into_iter()
        .find(|p| p.get("Status").and_then(Json::as_str) == Some("Alive"))
    {
        r.pool = pool.get("URL").and_then(Json::as_str).map(str::to_string);
    }
    for v in items("VERSION") {
        if let Some(t) = v.get("Type").and_then(Json::as_str) {
            r.model = Some(t.to_string());
        }
    }
    // The miner program and its version name the firmware (`CompileTime` is only a date).
    let family = firmware::identify(&answer, known);
    firmware::refine(family, &answer, &mut r);
    r.boards.sort_by_key(|b| b.index);
    Ok((r, family))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Antminer S19-style `summary+stats`: GHS fields, string numbers, duplicate `temp1`,
    /// `%%` keys, a trailing NUL.
    const ANTMINER: &str = concat!(
        r#"{"summary":[{"STATUS":[{"STATUS":"S","When":1,"Code":11,"Msg":"Summary","Description":"cgminer 1.0.0"}],"#,
        r#""SUMMARY":[{"Elapsed":86400,"GHS 5s":"104123.45","GHS av":103998.1,"Accepted":"156.0000","Rejected":2,"Hardware Errors":7,"Difficulty Accepted":123456789.0,"Device Rejected%%":0.1}],"id":1}],"#,
        r#""stats":[{"STATUS":[{"STATUS":"S","Msg":"CGMiner stats"}],"STATS":[{"BMMiner":"1.0.0","Miner":"uart_trans.1.3","CompileTime":"Fri Dec 1 2023","Type":"Antminer S19j Pro"},"#,
        r#"{"STATS":0,"fan1":5880,"fan2":5760,"fan3":0,"temp1":64,"temp1":66,"temp2":67,"temp2_1":78,"temp2_2":79,"temp2_3":80,"chain_acn1":126,"chain_acn2":126,"chain_acn3":0,"chain_rate1":"34701.12","chain_rate2":"34690.01","chain_rate3":"0.00"}]}],"id":1}"#,
        "\0"
    );

    #[test]
    fn antminer_summary_stats_with_quirks() {
        let r = extract(ANTMINER).unwrap();
        assert!((r.hashrate_ths - 104.12345).abs() < 1e-9);
        assert!((r.hashrate_avg_ths.unwrap() - 103.9981).abs() < 1e-9);
        assert_eq!(
            (r.accepted, r.rejected, r.hw_errors, r.uptime_s),
            (156, 2, 7, 86_400)
        );
        assert_eq!(r.difficulty_accepted, Some(123_456_789.0));
        assert_eq!(r.model.as_deref(), Some("Antminer S19j Pro"));
        assert_eq!(r.temps_c, vec![64.0, 66.0, 67.0]);
        assert_eq!(r.fans_rpm, vec![5880.0, 5760.0]);
        assert_eq!(r.boards.len(), 3);
        assert_eq!(r.boards[2].chips, Some(0));
        assert_eq!(r.boards[0].rate_ths, Some(34.70112));
        assert_eq!(r.boards[1].temp_c, Some(79.0));
    }

    #[test]
    fn whatsminer_summary_in_mhs_with_temperature_and_power() {
        let text = r#"{"STATUS":[{"STATUS":"S","Msg":"Summary"}],"SUMMARY":[{"Elapsed":3600,"MHS av":186012345.0,"MHS 5s":185900000.5,"Accepted":900,"Rejected":1,"Temperature":71.5,"Fan Speed In":4200,"Fan Speed Out":4300,"Power":3440,"Difficulty Accepted":999.0}],"id":1}"#;
        let r = extract(text).unwrap();
        assert!((r.hashrate_ths - 185.9000005).abs() < 1e-6);
        assert_eq!(r.power_w, Some(3440.0));
        assert_eq!(r.temps_c, vec![71.5]);
        assert_eq!(r.fans_rpm, vec![4200.0, 4300.0]);
    }

    #[test]
    fn rate_unit_firmware_and_old_concatenated_objects() {
        let text = r#"{"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"rate_5s":"201.5","rate_avg":200.1,"rate_unit":"TH/s","Accepted":1}]}{"STATUS":[{"STATUS":"S"}],"STATS":[{"Type":"Antminer S21"}]}"#;
        let r = extract(text).unwrap();
        assert_eq!(r.hashrate_ths, 201.5);
        assert_eq!(r.model.as_deref(), Some("Antminer S21"));
    }

    #[test]
    fn error_status_and_garbage_are_clear_errors() {
        let e = extract(
            r#"{"STATUS":[{"STATUS":"E","Msg":"Access denied to 'summary' command"}],"id":1}"#,
        )
        .unwrap_err();
        assert_eq!(
            e,
            PollError::DeviceError("Access denied to 'summary' command".into())
        );
        assert!(matches!(
            extract("HTTP/1.1 400 Bad Request\r\n"),
            Err(PollError::Malformed(_))
        ));
        assert!(
            matches!(extract(r#"{"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"Accepted":1}]}"#), Err(PollError::Malformed(m)) if m.contains("hashrate"))
        );
        assert!(matches!(extract(""), Err(PollError::Malformed(_))));
    }
}
