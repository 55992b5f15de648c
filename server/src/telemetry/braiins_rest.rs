//! Braiins OS public REST API (BOS 25.07 and later): `POST /api/v1/auth/login` gives a token
//! sent as `Authorization` on every read; a 401 logs in again once. The reading comes from
//! `miner/stats`, `miner/details`, `cooling/state`, `miner/hw/hashboards`, `miner/errors`,
//! `performance/tuner-state` and `pools`, asked at once. Its `last_24h` hashrate covers the
//! miner's uptime only: it is a daily figure only after a day of running.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use serde_json::Value;

use app::model::fleet::devices::{AsicReading, PowerSource};
use app::model::fleet::fault_codes;
use app::model::fleet::reason::FirmwareFault;

use super::error::PollError;
use super::firmware::board;
use super::http::{self, BaseUrl};
use super::io::ExchangeLimits;

/// A login for a miner's API: from the environment, never the database or a log.
#[derive(Clone)]
pub struct Login {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Login({}, password hidden)", self.username)
    }
}

impl Login {
    /// `<PREFIX>_USER` and `<PREFIX>_PASSWORD` from the environment (the prefix a device's
    /// `credentials_env` names, `RIGSHIFT_BRAIINS` when it names none); Braiins OS ships with
    /// `root` and an empty password, which is what a miner without them is asked with.
    pub fn from_env(prefix: Option<&str>, env: impl Fn(&str) -> Option<String>) -> Login {
        let prefix = prefix.unwrap_or("RIGSHIFT_BRAIINS");
        Login {
            username: env(&format!("{prefix}_USER")).unwrap_or_else(|| "root".into()),
            password: env(&format!("{prefix}_PASSWORD")).unwrap_or_default(),
        }
    }
}

/// Tokens by miner (`host:port`), kept between polls so a poll costs no login; shared by the
/// polling threads, dropped on a 401.
static TOKENS: LazyLock<Mutex<HashMap<String, String>>> = LazyLock::new(Default::default);

const PATHS: [&str; 7] = [
    "/api/v1/miner/stats",
    "/api/v1/miner/details",
    "/api/v1/cooling/state",
    "/api/v1/miner/hw/hashboards",
    "/api/v1/miner/errors",
    "/api/v1/performance/tuner-state",
    "/api/v1/pools",
];

async fn login(base: &BaseUrl, who: &Login, limits: ExchangeLimits) -> Result<String, PollError> {
    let body =
        serde_json::json!({ "username": who.username, "password": who.password }).to_string();
    let a = http::request(base, "POST", "/api/v1/auth/login", &[], Some(&body), limits).await?;
    if a.status == 401 || a.status == 403 {
        return Err(PollError::DeviceError(
            "login refused: set the device's credentials (credentials_env)".into(),
        ));
    }
    let v: Value = serde_json::from_str(&http::ok_body(a)?)
        .map_err(|e| PollError::Malformed(format!("login answer: {e}")))?;
    v.get("token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty() && t.len() < 4096)
        .map(str::to_string)
        .ok_or_else(|| PollError::Malformed("login answer has no token".into()))
}

async fn read_all(
    base: &BaseUrl,
    token: &str,
    limits: ExchangeLimits,
) -> Result<Vec<http::HttpAnswer>, PollError> {
    let headers = [("Authorization", token)];
    let asks = PATHS.map(|p| http::request(base, "GET", p, &headers, None, limits));
    let answers = futures_join_all(asks).await;
    answers.into_iter().collect()
}

/// Awaits every request at once (seven, fixed).
async fn futures_join_all<F: std::future::Future>(fs: [F; 7]) -> Vec<F::Output> {
    let [a, b, c, d, e, f, g] = fs;
    let (a, b, c, d, e, f, g) = tokio::join!(a, b, c, d, e, f, g);
    vec![a, b, c, d, e, f, g]
}

/// Reads a miner at `base_url`, logging in first when no token is held.
pub async fn poll(
    base_url: &str,
    who: &Login,
    limits: ExchangeLimits,
) -> Result<AsicReading, PollError> {
    let base = BaseUrl::parse(base_url)?;
    let held = TOKENS
        .lock()
        .ok()
        .and_then(|t| t.get(&base.host_port).cloned());
    let token = match held {
        Some(t) => t,
        None => login(&base, who, limits).await?,
    };
    let mut answers = read_all(&base, &token, limits).await?;
    let token = if answers.iter().any(|a| a.status == 401) {
        // Expired (the miner restarted, or the token timed out): once more, freshly.
        let fresh = login(&base, who, limits).await?;
        answers = read_all(&base, &fresh, limits).await?;
        fresh
    } else {
        token
    };
    if let Ok(mut t) = TOKENS.lock() {
        t.insert(base.host_port.clone(), token);
    }
    let mut bodies = Vec::with_capacity(PATHS.len());
    for (i, a) in answers.into_iter().enumerate() {
        // Stats are the reading; the rest add to it when they came.
        match http::ok_body(a) {
            Ok(b) => bodies.push(Some(b)),
            Err(e) if i == 0 => return Err(e),
            Err(_) => bodies.push(None),
        }
    }
    let get = |i: usize| bodies[i].as_deref();
    extract(&Answers {
        stats: get(0).unwrap_or(""),
        details: get(1),
        cooling: get(2),
        hashboards: get(3),
        errors: get(4),
        tuner: get(5),
        pools: get(6),
    })
}

/// The answers of one poll (the stats required).
pub struct Answers<'a> {
    pub stats: &'a str,
    pub details: Option<&'a str>,
    pub cooling: Option<&'a str>,
    pub hashboards: Option<&'a str>,
    pub errors: Option<&'a str>,
    pub tuner: Option<&'a str>,
    pub pools: Option<&'a str>,
}

fn json(text: Option<&str>) -> Value {
    text.and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or(Value::Null)
}

fn num(v: &Value, pointer: &str) -> Option<f64> {
    v.pointer(pointer)
        .and_then(Value::as_f64)
        .filter(|x| x.is_finite())
}

/// Gigahash per second at `pointer` in TH/s.
fn ths(v: &Value, pointer: &str) -> Option<f64> {
    num(v, &format!("{pointer}/gigahash_per_second")).map(|g| g / 1000.0)
}

/// How many of the firmware's newest error reports a reading keeps.
const MAX_REPORTS: usize = 32;

/// The code bosminer writes into its message when `error_codes` is empty: `{HB:1}`.
fn inline_code(message: &str) -> Option<String> {
    let start = message.find('{')?;
    let end = start + message[start..].find('}')?;
    let code = &message[start + 1..end];
    (code.contains(':') && code.len() <= 16 && !code.contains(char::is_whitespace))
        .then(|| code.to_string())
}

pub fn extract(a: &Answers) -> Result<AsicReading, PollError> {
    let stats: Value = serde_json::from_str(a.stats)
        .map_err(|e| PollError::Malformed(format!("miner/stats: {e}")))?;
    let details = json(a.details);
    let uptime_s = num(&details, "/bosminer_uptime_s").unwrap_or(0.0) as u64;
    let rt = "/miner_stats/real_hashrate";
    let mut r = AsicReading {
        hashrate_ths: ths(&stats, &format!("{rt}/last_5s"))
            .or_else(|| ths(&stats, &format!("{rt}/last_1m")))
            .ok_or_else(|| PollError::Malformed("miner/stats has no hashrate".into()))?,
        // `last_24h` averages over a day only once the miner has run one.
        hashrate_avg_ths: if uptime_s >= 86_400 {
            ths(&stats, &format!("{rt}/last_24h"))
        } else {
            ths(&stats, &format!("{rt}/since_restart"))
        },
        nameplate_ths: ths(&stats, "/miner_stats/nominal_hashrate"),
        accepted: num(&stats, "/pool_stats/accepted_shares").unwrap_or(0.0) as u64,
        rejected: num(&stats, "/pool_stats/rejected_shares").unwrap_or(0.0) as u64,
        power_w: num(&stats, "/power_stats/approximated_consumption/watt").filter(|w| *w > 0.0),
        uptime_s,
        ..Default::default()
    };
    r.power_source = r.power_w.map(|_| PowerSource::Miner);
    r.model = details
        .pointer("/miner_identity/miner_model")
        .and_then(Value::as_str)
        .map(str::to_string);
    r.firmware = details
        .pointer("/bos_version/current")
        .and_then(Value::as_str)
        .map(|v| format!("Braiins OS {v}"));
    let tuner = json(a.tuner);
    r.power_limit_w = num(
        &tuner,
        "/mode_state/powertargetmodestate/current_target/watt",
    );
    let cooling = json(a.cooling);
    r.fans_rpm = cooling
        .get("fans")
        .and_then(Value::as_array)
        .map(|f| f.iter().filter_map(|f| f.get("rpm")?.as_f64()).collect())
        .unwrap_or_default();
    if let Some(t) = num(&cooling, "/highest_temperature/temperature/degree_c") {
        r.temps_c.push(t);
    }
    let hb = json(a.hashboards);
    for h in hb
        .get("hashboards")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(id) = h
            .get("id")
            .and_then(|i| i.as_str().and_then(|s| s.parse().ok()).or(i.as_u64()))
        else {
            continue;
        };
        let b = board(&mut r, id as u32);
        b.chips = h
            .get("chips_count")
            .and_then(Value::as_u64)
            .map(|c| c as u32);
        b.rate_ths = ths(h, "/stats/real_hashrate/last_5s");
        b.temp_c = num(h, "/highest_chip_temp/temperature/degree_c");
    }
    r.boards.sort_by_key(|b| b.index);
    let pools = json(a.pools);
    r.pool = pools
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| {
            g.get("pools")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .find(|p| p.get("active") == Some(&Value::Bool(true)))
        .and_then(|p| p.get("url")?.as_str())
        .map(str::to_string);
    let errors = json(a.errors);
    let listed = errors.get("errors").and_then(Value::as_array);
    // The firmware keeps a long log (a sensor that fails repeats every second): the newest
    // reports are what can still be a reason.
    let skip = listed.map_or(0, |l| l.len().saturating_sub(MAX_REPORTS));
    for e in listed.into_iter().flatten().skip(skip) {
        let message = e.get("message").and_then(Value::as_str).unwrap_or("");
        // `error_codes`: `{"code": "V2", "reason": "…", "hint": "…"}` (or a bare string); the
        // firmware's short reason goes with its message.
        let first = e
            .get("error_codes")
            .and_then(Value::as_array)
            .and_then(|c| c.first());
        let code = first
            .and_then(|c| c.get("code").unwrap_or(c).as_str())
            .map(str::to_string)
            .or_else(|| inline_code(message))
            .unwrap_or_default();
        let words = match first.and_then(|c| c.get("reason")).and_then(Value::as_str) {
            Some(reason) => format!("{message} ({reason})"),
            None => message.to_string(),
        };
        r.faults.push(
            FirmwareFault::new(fault_codes::braiins(message), "Braiins OS", code, words)
                .at_rfc3339(e.get("timestamp").and_then(Value::as_str)),
        );
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::fleet::diagnosis::{asic_status, settle_faults};
    use app::model::fleet::reason::{FaultKind, ReasonCode};

    macro_rules! fixture {
        ($name:literal) => {
            include_str!(concat!("../../tests/fixtures/braiins-rest/", $name))
        };
    }

    fn answers() -> Answers<'static> {
        Answers {
            stats: fixture!("miner-stats.json"),
            details: Some(fixture!("miner-details.json")),
            cooling: Some(fixture!("cooling-state.json")),
            hashboards: Some(fixture!("hashboards.json")),
            errors: Some(fixture!("errors.json")),
            tuner: Some(fixture!("tuner-state.json")),
            pools: Some(fixture!("pools.json")),
        }
    }

    #[test]
    fn an_s21_pro_reads_from_its_rest_answers() {
        let r = extract(&answers()).unwrap();
        assert!((r.hashrate_ths - 232.01844).abs() < 1e-9);
        // Five hours up: `last_24h` (48.1 TH/s) is not a daily figure; since-restart is.
        assert_eq!(r.uptime_s, 18_030);
        assert!((r.hashrate_avg_ths.unwrap() - 229.7613).abs() < 1e-9);
        assert!((r.nameplate_ths.unwrap() - 235.1204).abs() < 1e-9);
        assert_eq!((r.power_w, r.power_limit_w), (Some(3352.0), Some(3400.0)));
        assert_eq!(r.power_source, Some(PowerSource::Miner));
        assert_eq!((r.accepted, r.rejected), (1204, 2));
        assert_eq!(r.fans_rpm, vec![5820.0, 5790.0, 0.0, 5810.0]);
        assert_eq!(r.temps_c, vec![71.625]);
        assert_eq!(
            r.boards.iter().map(|b| b.index).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert_eq!(r.boards[0].chips, Some(65));
        assert!((r.boards[0].rate_ths.unwrap() - 77.41012).abs() < 1e-9);
        assert_eq!(r.pool.as_deref(), Some("stratum+tcp://backup.example:3333"));
        assert_eq!(r.model.as_deref(), Some("Antminer S21 Pro"));
        assert_eq!(
            r.firmware.as_deref(),
            Some("Braiins OS 2025-11-04-0-1c2b3a4d-25.10-plus")
        );
        let kinds: Vec<(FaultKind, &str)> = r
            .faults
            .iter()
            .map(|f| (f.kind, f.report.code.as_str()))
            .collect();
        assert_eq!(
            kinds,
            vec![(FaultKind::Sensor, ""), (FaultKind::Psu, "E_PSU_UNDERVOLT")]
        );
    }

    #[test]
    fn an_old_error_on_a_hashing_miner_is_history_and_a_stopped_fan_outranks_a_sensor() {
        let mut r = extract(&answers()).unwrap();
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-07T12:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        settle_faults(&mut r, |_| None, now);
        // The PSU report is 17 days old on a machine hashing 232 TH/s: gone. The sensor one
        // (9 hours) stays.
        assert_eq!(r.faults.len(), 1);
        assert_eq!(r.faults[0].kind, FaultKind::Sensor);
        let (_, why) = asic_status(&r, r.nameplate_ths);
        assert_eq!(why.map(|w| w.code()), Some(ReasonCode::FanFailure));
        // With the fans turning, the sensor is the reason, in the firmware's own words.
        r.fans_rpm = vec![5800.0; 4];
        let (_, why) = asic_status(&r, r.nameplate_ths);
        let why = why.unwrap();
        assert_eq!(why.code(), ReasonCode::SensorFault);
        assert!(why
            .firmware_report()
            .unwrap()
            .message
            .contains("hb3.2[TMP451]"));
    }

    #[test]
    fn broken_answers_are_clear_errors() {
        assert!(matches!(
            extract(&Answers {
                stats: "<html>",
                ..answers()
            }),
            Err(PollError::Malformed(_))
        ));
        assert!(matches!(
            extract(&Answers { stats: r#"{"miner_stats":{}}"#, ..answers() }),
            Err(PollError::Malformed(m)) if m.contains("hashrate")
        ));
        // Optional answers that are not JSON leave their figures unknown.
        let r = extract(&Answers {
            cooling: Some("garbage"),
            details: None,
            ..answers()
        })
        .unwrap();
        assert!(r.fans_rpm.is_empty() && r.model.is_none() && r.uptime_s == 0);
        let who = Login::from_env(Some("BOS_PECOS"), |k| {
            (k == "BOS_PECOS_PASSWORD").then(|| "s3cret".into())
        });
        assert_eq!(who.username, "root");
        assert!(!format!("{who:?}").contains("s3cret"));
    }
}
