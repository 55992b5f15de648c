//! The mempool project's REST API (self-hosted beside a node, or a public instance): the answers
//! Rigshift reads and how they become daily market rows. Pure — the HTTP client is
//! `market::feed`. Shapes follow the project's backend (`mining-routes.ts`, `prices`): numbers may
//! arrive as JSON numbers or strings, difficulty points carry `time` (older instances: `timestamp`).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use app::model::mining::market::{MarketDay, MarketSource};

const SATS_PER_BTC: f64 = 100_000_000.0;

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("unexpected answer from the market source: {0}")]
pub struct ParseError(pub String);

fn bad(what: impl Into<String>) -> ParseError {
    ParseError(what.into())
}

fn json(body: &str) -> Result<Value, ParseError> {
    serde_json::from_str(body).map_err(|e| bad(format!("not JSON ({e})")))
}

/// A number sent as a JSON number or a numeric string; finite only.
fn num(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|x: &f64| x.is_finite())
}

/// BTC/USD at a moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    pub time: i64,
    pub usd: f64,
}

/// `GET /api/v1/prices`: `{"time":…,"USD":…,"EUR":…}`.
pub fn parse_prices(body: &str) -> Result<Price, ParseError> {
    let v = json(body)?;
    let usd = num(v.get("USD"))
        .filter(|p| *p > 0.0)
        .ok_or_else(|| bad("prices: no positive USD"))?;
    let time = num(v.get("time")).ok_or_else(|| bad("prices: no time"))? as i64;
    Ok(Price { time, usd })
}

/// `GET /api/v1/historical-price?currency=USD&timestamp=…`: `{"prices":[{"time","USD"}],…}`.
/// `None` when the instance has no price for that moment (an empty list).
pub fn parse_historical_price(body: &str) -> Result<Option<Price>, ParseError> {
    let v = json(body)?;
    let prices = v
        .get("prices")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("historical-price: no prices list"))?;
    Ok(prices.iter().find_map(|p| {
        Some(Price {
            time: num(p.get("time"))? as i64,
            usd: num(p.get("USD")).filter(|u| *u > 0.0)?,
        })
    }))
}

/// A difficulty in effect from a block on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DifficultyPoint {
    pub time: i64,
    pub height: u64,
    pub difficulty: f64,
}

/// `GET /api/v1/mining/hashrate/{period}`: daily hashrates, difficulty adjustments and the
/// current difficulty (0 when the instance's node is unreachable).
#[derive(Debug, Clone, PartialEq)]
pub struct HashrateHistory {
    pub difficulty: Vec<DifficultyPoint>,
    pub current_difficulty: Option<f64>,
    /// Latest daily network hashrate, H/s.
    pub current_hashrate: Option<f64>,
}

pub fn parse_hashrate(body: &str) -> Result<HashrateHistory, ParseError> {
    let v = json(body)?;
    let list = v
        .get("difficulty")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("hashrate: no difficulty list"))?;
    let mut difficulty: Vec<DifficultyPoint> = list
        .iter()
        .filter_map(|p| {
            Some(DifficultyPoint {
                time: num(p.get("time").or_else(|| p.get("timestamp")))? as i64,
                height: num(p.get("height")).filter(|h| *h >= 0.0)? as u64,
                difficulty: num(p.get("difficulty")).filter(|d| *d > 0.0)?,
            })
        })
        .collect();
    difficulty.sort_by_key(|p| p.time);
    let positive = |k: &str| num(v.get(k)).filter(|x| *x > 0.0);
    Ok(HashrateHistory {
        difficulty,
        current_difficulty: positive("currentDifficulty"),
        current_hashrate: positive("currentHashrate"),
    })
}

/// Average fees of the blocks around a moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeeBucket {
    pub time: i64,
    pub avg_height: u64,
    pub avg_fees_btc: f64,
}

/// `GET /api/v1/mining/blocks/fees/{period}`: `[{"avgHeight","timestamp","avgFees" (sats)}]`.
pub fn parse_block_fees(body: &str) -> Result<Vec<FeeBucket>, ParseError> {
    let v = json(body)?;
    let list = v.as_array().ok_or_else(|| bad("blocks/fees: not a list"))?;
    let mut out: Vec<FeeBucket> = list
        .iter()
        .filter_map(|b| {
            Some(FeeBucket {
                time: num(b.get("timestamp"))? as i64,
                avg_height: num(b.get("avgHeight")).filter(|h| *h >= 0.0)? as u64,
                avg_fees_btc: num(b.get("avgFees")).filter(|f| *f >= 0.0)? / SATS_PER_BTC,
            })
        })
        .collect();
    out.sort_by_key(|b| b.time);
    Ok(out)
}

/// `GET /api/v1/mining/reward-stats/{blocks}`: total fees over the last blocks, as BTC per block,
/// and the newest block counted.
pub fn parse_reward_stats(body: &str) -> Result<(f64, u64), ParseError> {
    let v = json(body)?;
    let start = num(v.get("startBlock")).ok_or_else(|| bad("reward-stats: no startBlock"))?;
    let end = num(v.get("endBlock")).ok_or_else(|| bad("reward-stats: no endBlock"))?;
    let fee = num(v.get("totalFee"))
        .filter(|f| *f >= 0.0)
        .ok_or_else(|| bad("reward-stats: no totalFee"))?;
    let blocks = end - start + 1.0;
    if blocks < 1.0 {
        return Err(bad("reward-stats: endBlock before startBlock"));
    }
    Ok((fee / SATS_PER_BTC / blocks, end as u64))
}

/// `GET /api/blocks/tip/height`: a bare integer.
pub fn parse_tip_height(body: &str) -> Result<u64, ParseError> {
    body.trim()
        .parse()
        .map_err(|_| bad(format!("tip height: {:?}", truncate(body))))
}

fn truncate(s: &str) -> &str {
    let end = s.char_indices().nth(40).map(|(i, _)| i).unwrap_or(s.len());
    &s[..end]
}

/// The mining period the API should be asked for to cover `days` back from now.
pub fn period_covering(days: i64) -> &'static str {
    match days {
        ..=30 => "1m",
        31..=90 => "3m",
        91..=180 => "6m",
        181..=365 => "1y",
        366..=730 => "2y",
        731..=1095 => "3y",
        _ => "all",
    }
}

/// The last second of `day`, UTC.
pub fn day_end(day: NaiveDate) -> i64 {
    day.and_hms_opt(23, 59, 59)
        .expect("valid time")
        .and_utc()
        .timestamp()
}

fn date_of(ts: i64) -> Option<NaiveDate> {
    DateTime::<Utc>::from_timestamp(ts, 0).map(|t| t.date_naive())
}

/// Daily live rows for `[from, to]` from what the API answered: each day's close (`closes`),
/// the difficulty in effect at the day's end, the day's average fees per block (the last known
/// average when no bucket falls in the day) and the height at its end (from the fee buckets,
/// else counted on at 144 blocks a day from the last adjustment). A day without a close or
/// without any difficulty before it gets no row: it keeps what the store had.
pub fn daily_rows(
    from: NaiveDate,
    to: NaiveDate,
    closes: &BTreeMap<NaiveDate, f64>,
    adjustments: &[DifficultyPoint],
    fees: &[FeeBucket],
) -> Vec<MarketDay> {
    let mut by_day: BTreeMap<NaiveDate, (f64, usize, u64)> = BTreeMap::new();
    for b in fees {
        if let Some(d) = date_of(b.time) {
            let e = by_day.entry(d).or_insert((0.0, 0, 0));
            e.0 += b.avg_fees_btc;
            e.1 += 1;
            e.2 = e.2.max(b.avg_height);
        }
    }
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        let end = day_end(day);
        let in_effect = adjustments.iter().rev().find(|p| p.time <= end);
        if let (Some(&usd), Some(adj)) = (closes.get(&day), in_effect) {
            let fees_btc = by_day
                .range(..=day)
                .next_back()
                .map(|(_, (sum, n, _))| sum / *n as f64);
            let height = by_day.get(&day).map(|e| e.2).unwrap_or_else(|| {
                let days = (end - adj.time).max(0) as f64 / 86_400.0;
                adj.height + (days * 144.0) as u64
            });
            out.push(MarketDay {
                date: day,
                btc_usd: usd,
                difficulty: adj.difficulty,
                fees_btc_per_block: fees_btc.unwrap_or(0.0),
                height: Some(height),
                source: MarketSource::Live,
            });
        }
        day = day.succ_opt().expect("date in range");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/tests/fixtures/mempool/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn recorded_answers_read_back_exactly() {
        let p = parse_prices(&fixture("prices.json")).unwrap();
        assert_eq!((p.time, p.usd), (1703252411, 43753.0));
        let h = parse_historical_price(&fixture("historical-price.json"))
            .unwrap()
            .unwrap();
        assert_eq!((h.time, h.usd), (1499904000, 2254.9));
        let hr = parse_hashrate(&fixture("hashrate-3d.json")).unwrap();
        assert_eq!(
            hr.difficulty,
            vec![DifficultyPoint {
                time: 1652468330,
                height: 736249,
                difficulty: 31251101365711.12
            }]
        );
        assert_eq!(hr.current_difficulty, Some(31251101365711.12));
        let fees = parse_block_fees(&fixture("blocks-fees-1w.json")).unwrap();
        assert_eq!(fees.len(), 6);
        assert_eq!(fees[0].avg_height, 735644);
        assert!((fees[0].avg_fees_btc - 0.24212890).abs() < 1e-12);
        let (per_block, end) = parse_reward_stats(&fixture("reward-stats-100.json")).unwrap();
        assert_eq!(end, 736655);
        assert!((per_block - 13.11748254 / 100.0).abs() < 1e-12);
        assert_eq!(
            parse_tip_height(&fixture("tip-height.txt")).unwrap(),
            698767
        );
    }

    #[test]
    fn current_backend_spells_difficulty_time_as_time_and_zero_means_unknown() {
        let hr = parse_hashrate(
            r#"{"hashrates":[],"difficulty":[{"time":20,"height":2,"difficulty":5,"adjustment":1.0},{"time":10,"height":1,"difficulty":4,"adjustment":1.0}],"currentHashrate":0,"currentDifficulty":0}"#,
        )
        .unwrap();
        assert_eq!(hr.difficulty[0].height, 1, "sorted by time");
        assert_eq!(hr.current_difficulty, None);
    }

    #[test]
    fn hostile_answers_are_errors_not_panics() {
        for body in [
            "",
            "<html>",
            "{\"USD\":\"x\"}",
            "[]",
            "{\"USD\":-1,\"time\":1}",
        ] {
            assert!(parse_prices(body).is_err(), "{body}");
        }
        assert!(parse_tip_height("12abc").is_err());
        assert!(parse_block_fees("{}").is_err());
        assert!(parse_reward_stats(r#"{"startBlock":10,"endBlock":5,"totalFee":"1"}"#).is_err());
        assert_eq!(parse_historical_price(r#"{"prices":[]}"#).unwrap(), None);
    }

    #[test]
    fn daily_rows_take_the_difficulty_in_effect_and_the_days_fees() {
        // 2022-05-09 17:58 UTC onwards: the recorded fee buckets; adjustment at 2022-05-13.
        let fees = parse_block_fees(&fixture("blocks-fees-1w.json")).unwrap();
        let adjustments = [
            DifficultyPoint {
                time: 1651000000,
                height: 733000,
                difficulty: 29.79e12,
            },
            DifficultyPoint {
                time: 1652468330,
                height: 736249,
                difficulty: 31251101365711.12,
            },
        ];
        let closes: BTreeMap<_, _> = [
            (day(2022, 5, 9), 30_000.0),
            (day(2022, 5, 10), 31_000.0),
            (day(2022, 5, 13), 29_000.0),
        ]
        .into();
        let rows = daily_rows(
            day(2022, 5, 9),
            day(2022, 5, 14),
            &closes,
            &adjustments,
            &fees,
        );
        assert_eq!(rows.len(), 3, "days without a close get no row");
        let may9 = &rows[0];
        assert_eq!(may9.difficulty, 29.79e12);
        assert_eq!(may9.height, Some(735652));
        let expected: f64 = [
            24212890.0, 21655996.0, 20678859.0, 21020140.0, 23064200.0, 17620723.0,
        ]
        .iter()
        .sum::<f64>()
            / 6.0
            / 1e8;
        assert!((may9.fees_btc_per_block - expected).abs() < 1e-12);
        // The next day has no bucket: the last known average carries, height counts on.
        assert_eq!(rows[1].fees_btc_per_block, may9.fees_btc_per_block);
        let may13 = &rows[2];
        assert_eq!(may13.difficulty, 31251101365711.12);
        assert!(may13.height.unwrap() >= 736249);
        assert!(rows.iter().all(|r| r.source == MarketSource::Live));
    }

    #[test]
    fn periods_cover_the_gap() {
        assert_eq!(period_covering(10), "1m");
        assert_eq!(period_covering(390), "2y");
        assert_eq!(period_covering(5000), "all");
    }
}
