//! Whatsminer API v3 (M60/M66-era firmware): TCP 4433, each message a 4-byte little-endian
//! length then JSON (`{"cmd":"get.miner.status","param":"summary"}`), one command per
//! connection. Hashrate is in TH/s (`hash-realtime`, `factory-hash`), power in W
//! (`power-realtime`, `power-limit`); `get.device.info` carries the machine, firmware and the
//! current error codes, whose times are local strings without a zone. Only `get.*` commands
//! are sent: reading needs no account (the `set.*` commands' token is never built here).

use app::model::fleet::devices::{AsicReading, PowerSource};
use app::model::fleet::fault_codes;
use app::model::fleet::reason::FirmwareFault;

use super::error::PollError;
use super::firmware::board;
use super::firmware::whatsminer_machine as machine;
use super::io::{exchange_until, ExchangeLimits};
use super::lenient_json::{self, Json};

/// One request as the API frames it.
pub fn frame(cmd: &str, param: Option<&str>) -> Vec<u8> {
    let body = match param {
        Some(p) => serde_json::json!({ "cmd": cmd, "param": p }),
        None => serde_json::json!({ "cmd": cmd }),
    }
    .to_string();
    let mut out = (body.len() as u32).to_le_bytes().to_vec();
    out.extend_from_slice(body.as_bytes());
    out
}

/// True once `buf` holds a whole framed message (its length read from the first 4 bytes).
pub fn complete(buf: &[u8]) -> bool {
    buf.len() >= 4 && buf.len() - 4 >= u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize
}

/// The JSON text of a framed answer. A length that promises more than arrived, or a body that
/// is not text, is malformed.
pub fn unframe(raw: &[u8]) -> Result<String, PollError> {
    if raw.len() < 4 {
        return Err(PollError::Malformed(
            "shorter than its length prefix".into(),
        ));
    }
    let len = u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]) as usize;
    let body = raw
        .get(4..4 + len)
        .ok_or_else(|| PollError::Malformed(format!("length prefix {len} beyond the answer")))?;
    String::from_utf8(body.to_vec()).map_err(|_| PollError::Malformed("answer is not UTF-8".into()))
}

async fn ask(
    addr: &str,
    cmd: &str,
    param: Option<&str>,
    limits: ExchangeLimits,
) -> Result<String, PollError> {
    let raw = exchange_until(addr, &frame(cmd, param), limits, complete).await?;
    unframe(&raw)
}

/// Reads a device: status summary, hashboards, pools and device info, asked at once.
pub async fn poll(addr: &str, limits: ExchangeLimits) -> Result<AsicReading, PollError> {
    let (summary, edevs, pools, info) = tokio::join!(
        ask(addr, "get.miner.status", Some("summary"), limits),
        ask(addr, "get.miner.status", Some("edevs"), limits),
        ask(addr, "get.miner.status", Some("pools"), limits),
        ask(addr, "get.device.info", None, limits),
    );
    // The summary is the reading; the rest add to it when they came.
    extract(
        &summary?,
        edevs.ok().as_deref(),
        pools.ok().as_deref(),
        info.ok().as_deref(),
    )
}

/// The `msg` of an answer whose `code` is 0; the device's own words otherwise.
fn message<'a>(v: &'a Json<'a>) -> Result<&'a Json<'a>, PollError> {
    let code = v.get("code").and_then(Json::as_f64);
    match code {
        Some(c) if c == 0.0 => v
            .get("msg")
            .ok_or_else(|| PollError::Malformed("no msg".into())),
        Some(_) => Err(PollError::DeviceError(
            v.get("msg")
                .and_then(Json::as_str)
                .unwrap_or("error without a message")
                .to_string(),
        )),
        None => Err(PollError::Malformed("no code in the answer".into())),
    }
}

fn parse(text: &str) -> Result<Json<'_>, PollError> {
    lenient_json::parse(text).map_err(|e| PollError::Malformed(e.to_string()))
}

/// A reading from the four answers (the summary required, the others optional).
pub fn extract(
    summary: &str,
    edevs: Option<&str>,
    pools: Option<&str>,
    info: Option<&str>,
) -> Result<AsicReading, PollError> {
    let root = parse(summary)?;
    let s = message(&root)?
        .get("summary")
        .ok_or_else(|| PollError::Malformed("no summary".into()))?;
    let num = |k: &str| s.get(k).and_then(Json::as_f64);
    let mut r = AsicReading {
        hashrate_ths: num("hash-realtime")
            .ok_or_else(|| PollError::Malformed("no hash-realtime".into()))?,
        hashrate_avg_ths: num("hash-average"),
        nameplate_ths: num("factory-hash"),
        power_w: num("power-realtime").filter(|w| *w > 0.0),
        power_limit_w: num("power-limit").filter(|w| *w > 0.0),
        uptime_s: num("elapsed").unwrap_or(0.0) as u64,
        ..Default::default()
    };
    r.power_source = r.power_w.map(|_| PowerSource::Miner);
    r.temps_c = [num("chip-temp-max")]
        .into_iter()
        .flatten()
        .chain(
            s.get("board-temperature")
                .map(Json::as_array)
                .unwrap_or_default()
                .iter()
                .filter_map(Json::as_f64),
        )
        .filter(|t| *t > -100.0 && *t != 0.0)
        .collect();
    r.fans_rpm = ["fan-speed-in", "fan-speed-out"]
        .into_iter()
        .filter_map(num)
        .collect();
    if let Some(text) = edevs {
        let root = parse(text)?;
        if let Ok(m) = message(&root) {
            for d in m.get("edevs").map(Json::as_array).unwrap_or_default() {
                let id = d.get("id").and_then(Json::as_f64).unwrap_or(0.0) as u32;
                let b = board(&mut r, id);
                b.rate_ths = d.get("hash-realtime").and_then(Json::as_f64);
                b.chips = d
                    .get("effective-chips")
                    .and_then(Json::as_f64)
                    .map(|c| c as u32);
                b.temp_c = d
                    .get("chip-temp-max")
                    .and_then(Json::as_f64)
                    .filter(|t| *t > -100.0);
            }
        }
    }
    if let Some(text) = pools {
        let root = parse(text)?;
        if let Ok(m) = message(&root) {
            r.pool = m
                .get("pools")
                .map(Json::as_array)
                .unwrap_or_default()
                .iter()
                .find(|p| matches!(p.get("stratum-active"), Some(Json::Bool(true))))
                .and_then(|p| p.get("url").and_then(Json::as_str))
                .map(str::to_string);
        }
    }
    if let Some(text) = info {
        let root = parse(text)?;
        if let Ok(m) = message(&root) {
            read_device_info(m, &mut r);
        }
    }
    r.boards.sort_by_key(|b| b.index);
    Ok(r)
}

/// The machine, firmware and current error codes from `get.device.info`.
fn read_device_info(m: &Json, r: &mut AsicReading) {
    let text = |section: &str, key: &str| {
        m.get(section)
            .and_then(|s| s.get(key))
            .and_then(Json::as_str)
            .map(str::to_string)
    };
    if let Some(t) = text("miner", "type") {
        r.model = Some(format!("Whatsminer {}", machine(&t.replace('_', ""))));
    }
    let fw = text("system", "fwversion");
    let api = text("system", "api");
    r.firmware = Some(match (fw, api) {
        (Some(fw), Some(api)) => format!("Whatsminer {fw} (API {api})"),
        (Some(fw), None) => format!("Whatsminer {fw}"),
        _ => "Whatsminer API v3".into(),
    });
    for e in m.get("error-code").map(Json::as_array).unwrap_or_default() {
        // Each entry: {"<code>": "<local time>", "reason": "<words>"}.
        let Some((code, when)) = e
            .members()
            .iter()
            .find(|(k, _)| k.parse::<u32>().is_ok())
            .map(|(k, v)| (k.to_string(), v.as_str().unwrap_or("").to_string()))
        else {
            continue;
        };
        let kind = fault_codes::whatsminer(code.parse().unwrap_or(0));
        let words = e.get("reason").and_then(Json::as_str).unwrap_or("");
        r.faults.push(
            FirmwareFault::new(kind, "Whatsminer", code, words)
                .local_time(chrono::NaiveDateTime::parse_from_str(&when, "%Y-%m-%d %H:%M:%S").ok()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::fleet::reason::FaultKind;

    macro_rules! fixture {
        ($name:literal) => {
            include_str!(concat!("../../tests/fixtures/whatsminer-v3/", $name))
        };
    }

    #[test]
    fn frames_carry_their_length_little_endian() {
        let f = frame("get.miner.status", Some("summary"));
        let body = r#"{"cmd":"get.miner.status","param":"summary"}"#;
        assert_eq!(&f[..4], &(body.len() as u32).to_le_bytes());
        assert_eq!(&f[4..], body.as_bytes());
        assert!(complete(&f) && !complete(&f[..f.len() - 1]) && !complete(&f[..3]));
        assert_eq!(unframe(&f).unwrap(), body);
        // A prefix promising more than came is malformed, not a hang or a panic.
        let mut short = f.clone();
        short.truncate(10);
        assert!(matches!(unframe(&short), Err(PollError::Malformed(_))));
        assert!(matches!(unframe(b"\x01"), Err(PollError::Malformed(_))));
    }

    #[test]
    fn a_m60s_reads_its_figures_from_the_four_answers() {
        let r = extract(
            fixture!("summary.json"),
            Some(fixture!("edevs.json")),
            Some(fixture!("pools.json")),
            Some(fixture!("device-info-psu-errors.json")),
        )
        .unwrap();
        assert_eq!(r.hashrate_ths, 184.107);
        assert_eq!(r.hashrate_avg_ths, Some(183.4));
        assert_eq!(r.nameplate_ths, Some(186.2));
        assert_eq!((r.power_w, r.power_limit_w), (Some(3402.0), Some(3500.0)));
        assert_eq!(r.power_source, Some(PowerSource::Miner));
        // J/TH from the reading: 3402 W / 184.107 TH/s.
        assert!((r.power_w.unwrap() / r.hashrate_ths - 18.478).abs() < 1e-3);
        assert_eq!(r.uptime_s, 7240);
        // −273 °C is "no sensor", not a reading.
        assert_eq!(r.temps_c, vec![79.5, 43.2, 44.0]);
        assert_eq!(r.fans_rpm, vec![5520.0, 5410.0]);
        assert_eq!(r.boards.len(), 3);
        assert_eq!(r.boards[1].chips, Some(111));
        assert_eq!(r.boards[2].rate_ths, Some(61.357));
        assert_eq!(r.pool.as_deref(), Some("stratum+tcp://backup.example:443"));
        assert_eq!(
            r.model
                .as_deref()
                .and_then(app::model::fleet::catalogue::identify_asic)
                .map(|m| m.id),
            Some("M60S")
        );
        assert_eq!(
            r.firmware.as_deref(),
            Some("Whatsminer 20251209.16.Rel2 (API 3.0.2)")
        );
        let codes: Vec<(&str, FaultKind)> = r
            .faults
            .iter()
            .map(|f| (f.report.code.as_str(), f.kind))
            .collect();
        assert_eq!(
            codes,
            vec![("265", FaultKind::Psu), ("267", FaultKind::Psu)]
        );
        // The local time is kept as the firmware gave it, for the site's zone to place.
        assert_eq!(
            r.faults[1].local_time.unwrap().to_string(),
            "2026-12-07 01:47:13"
        );
        assert_eq!(
            r.faults[1].report.message,
            "Power watch dog protected. code: 0xffffffffc0000000"
        );
    }

    #[test]
    fn errors_and_garbage_are_clear() {
        assert_eq!(
            extract(
                r#"{"code":-2,"msg":"invalid command","when":1}"#,
                None,
                None,
                None
            ),
            Err(PollError::DeviceError("invalid command".into()))
        );
        assert!(matches!(
            extract(r#"{"code":0,"msg":{"summary":{"elapsed":3}}}"#, None, None, None),
            Err(PollError::Malformed(m)) if m.contains("hash-realtime")
        ));
        assert!(matches!(
            extract("\u{1}\u{2}garbage", None, None, None),
            Err(PollError::Malformed(_))
        ));
        // A broken optional answer does not lose the summary's reading.
        let r = extract(
            fixture!("summary.json"),
            Some(r#"{"code":14,"msg":"busy"}"#),
            None,
            None,
        )
        .unwrap();
        assert_eq!(r.hashrate_ths, 184.107);
        assert!(r.boards.is_empty());
    }
}
