//! Power bought at interval prices: how a site's power is priced (fixed, index, index with a
//! hedge), the settlement point prices themselves, and what reading ERCOT's files shares (its
//! Central-time intervals, types, dates; the files are read by `price_file`). Pure.

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday,
};
use serde::{Deserialize, Serialize};

/// How a site buys its power: the kind of its contract, `flat` for a site without terms (its
/// flat $/kWh).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContractKind {
    Fixed,
    Index,
    IndexWithHedge,
    Flat,
}

/// Length of one settlement interval (ERCOT's real-time market settles every 15 minutes).
pub const INTERVAL_MINUTES: i64 = 15;
/// Hours one interval lasts.
pub const INTERVAL_HOURS: f64 = INTERVAL_MINUTES as f64 / 60.0;

/// How a site buys its power.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PowerContract {
    /// One price for every MWh.
    Fixed { usd_per_mwh: f64 },
    /// The settlement point's interval price plus an adder (fees, losses), optionally capped.
    Index {
        point: String,
        /// For a load zone, which of ERCOT's two zone prices the site settles on (default `LZ`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        settles_on: Option<ZonePrice>,
        adder_usd_per_mwh: f64,
        #[serde(default)]
        cap_usd_per_mwh: Option<f64>,
    },
    /// A fixed block of MW at a fixed price (a financial swap: unused block energy is sold back
    /// at the index), the rest at the index plus the adder.
    IndexWithHedge {
        point: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        settles_on: Option<ZonePrice>,
        adder_usd_per_mwh: f64,
        #[serde(default)]
        cap_usd_per_mwh: Option<f64>,
        hedge_mw: f64,
        hedge_usd_per_mwh: f64,
    },
}

/// ERCOT prices every load zone twice: `LZ`, the zone's settlement point price, and `LZEW`, the
/// same zone energy-weighted. A site on a load zone settles on one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ZonePrice {
    #[default]
    #[serde(rename = "LZ")]
    Lz,
    #[serde(rename = "LZEW")]
    Lzew,
}

/// The stored type of an energy-weighted zone price; every other type is the one price its
/// point has (ERCOT names only a load zone twice).
pub const ENERGY_WEIGHTED: &str = "LZEW";

impl PowerContract {
    pub fn kind(&self) -> ContractKind {
        match self {
            PowerContract::Fixed { .. } => ContractKind::Fixed,
            PowerContract::Index { .. } => ContractKind::Index,
            PowerContract::IndexWithHedge { .. } => ContractKind::IndexWithHedge,
        }
    }

    /// The settlement point whose prices the contract follows (none for a fixed price).
    pub fn point(&self) -> Option<&str> {
        match self {
            PowerContract::Fixed { .. } => None,
            PowerContract::Index { point, .. } | PowerContract::IndexWithHedge { point, .. } => {
                Some(point)
            }
        }
    }

    /// Whether the contract reads a load zone's energy-weighted price (`LZEW`) rather than the
    /// point's own.
    pub fn energy_weighted(&self) -> bool {
        match self {
            PowerContract::Fixed { .. } => false,
            PowerContract::Index { settles_on, .. }
            | PowerContract::IndexWithHedge { settles_on, .. } => {
                *settles_on == Some(ZonePrice::Lzew)
            }
        }
    }

    /// What one more MWh costs in an interval whose index price is `index` (the adder and cap
    /// applied): the price a curtailment decision weighs. A hedge does not change it: hedged
    /// energy not used is sold back at the index.
    pub fn marginal_usd_per_mwh(&self, index: f64) -> f64 {
        match self {
            PowerContract::Fixed { usd_per_mwh } => *usd_per_mwh,
            PowerContract::Index {
                adder_usd_per_mwh,
                cap_usd_per_mwh,
                ..
            }
            | PowerContract::IndexWithHedge {
                adder_usd_per_mwh,
                cap_usd_per_mwh,
                ..
            } => {
                let p = index + adder_usd_per_mwh;
                cap_usd_per_mwh.map_or(p, |cap| p.min(cap))
            }
        }
    }

    /// What an interval costs the site when it draws `mw` (0 when curtailed) at index `index`.
    pub fn interval_cost_usd(&self, mw: f64, index: f64) -> f64 {
        let h = INTERVAL_HOURS;
        match self {
            PowerContract::IndexWithHedge {
                hedge_mw,
                hedge_usd_per_mwh,
                ..
            } => {
                // The block is paid at its price whatever is drawn; the rest of the draw is bought
                // at the margin, or the unused block sold back at the index.
                let block = hedge_mw * hedge_usd_per_mwh * h;
                let above = (mw - hedge_mw).max(0.0) * self.marginal_usd_per_mwh(index) * h;
                let sold_back = (hedge_mw - mw).max(0.0) * index * h;
                block + above - sold_back
            }
            _ => mw * self.marginal_usd_per_mwh(index) * h,
        }
    }

    /// Checks the figures against their documented ranges (README "Power markets"): a price
    /// or adder within −1,000 and 10,000 $/MWh, a cap within −250 and 10,000, a hedge of 0 to
    /// 10,000 MW — so no figure can overflow a cost into infinity.
    pub fn validate(&self) -> Result<(), String> {
        let usd = |v: f64, what: &str| in_range(v, what, -1_000.0, 10_000.0);
        match self {
            PowerContract::Fixed { usd_per_mwh } => usd(*usd_per_mwh, "usd_per_mwh"),
            PowerContract::Index {
                point,
                settles_on,
                adder_usd_per_mwh,
                cap_usd_per_mwh,
            } => {
                check_point(point)?;
                check_zone(point, *settles_on)?;
                usd(*adder_usd_per_mwh, "adder_usd_per_mwh")?;
                cap_usd_per_mwh.map_or(Ok(()), |c| in_range(c, "cap_usd_per_mwh", -250.0, 10_000.0))
            }
            PowerContract::IndexWithHedge {
                point,
                settles_on,
                adder_usd_per_mwh,
                cap_usd_per_mwh,
                hedge_mw,
                hedge_usd_per_mwh,
            } => {
                check_point(point)?;
                check_zone(point, *settles_on)?;
                usd(*adder_usd_per_mwh, "adder_usd_per_mwh")?;
                cap_usd_per_mwh
                    .map_or(Ok(()), |c| in_range(c, "cap_usd_per_mwh", -250.0, 10_000.0))?;
                usd(*hedge_usd_per_mwh, "hedge_usd_per_mwh")?;
                in_range(*hedge_mw, "hedge_mw", 0.0, 10_000.0)
            }
        }
    }
}

/// `what: must be between lo and hi` unless `v` is a finite number in `[lo, hi]`.
pub(crate) fn in_range(v: f64, what: &str, lo: f64, hi: f64) -> Result<(), String> {
    if v.is_finite() && (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(format!("{what}: must be between {lo} and {hi}, got {v:?}"))
    }
}

pub(crate) fn check_point(point: &str) -> Result<(), String> {
    if point.is_empty()
        || point.len() > 64
        || !point
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(format!(
            "point: a settlement point name (letters, digits, _ and -), got {point:?}"
        ));
    }
    Ok(())
}

/// `settles_on` names a load zone's price: only a load zone (ERCOT's `LZ_` points) has two.
fn check_zone(point: &str, settles_on: Option<ZonePrice>) -> Result<(), String> {
    if settles_on.is_some() && !point.starts_with("LZ_") {
        return Err(format!(
            "settles_on: only a load zone (LZ_…) has LZ and LZEW prices, not {point}"
        ));
    }
    Ok(())
}

/// A fixed price as the intervals of `[from, to)`, so a fixed-price site is costed and
/// backtested the same way as an index one.
pub fn fixed_intervals(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    usd_per_mwh: f64,
) -> Vec<IntervalPrice> {
    let n = ((to - from).num_minutes() / INTERVAL_MINUTES).max(0);
    (0..n)
        .map(|i| IntervalPrice {
            point: "fixed".into(),
            point_type: String::new(),
            interval_start: from + Duration::minutes(i * INTERVAL_MINUTES),
            usd_per_mwh,
        })
        .collect()
}

/// One settlement interval's price at one point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IntervalPrice {
    pub point: String,
    /// ERCOT's settlement point type (`HU`, `LZ`, `LZEW`, `RN`, …); empty where a file does not
    /// say. A point and its type name one price series.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub point_type: String,
    /// Start of the 15-minute interval, UTC.
    pub interval_start: DateTime<Utc>,
    pub usd_per_mwh: f64,
}

/// A file that cannot be taken whole: the line (1-based, the header is line 1) and why; line 0
/// for a JSON page, whose message names the row.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", if *line == 0 { message.clone() } else { format!("line {line}: {message}") })]
pub struct ImportError {
    pub line: usize,
    pub message: String,
}

pub(crate) fn fail<T>(line: usize, message: impl Into<String>) -> Result<T, ImportError> {
    Err(ImportError {
        line,
        message: message.into(),
    })
}

/// A CSV file's header (squashed column names) and each data line (1-based number, fields);
/// blank lines skipped, a byte-order mark ignored.
pub(crate) type Table = (Vec<String>, Vec<(usize, Vec<String>)>);

pub(crate) fn table(text: &str) -> Result<Table, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return fail(1, "empty file");
    };
    let rows = lines.map(|(i, l)| (i + 1, split_csv(l))).collect();
    Ok((header_columns(header), rows))
}

/// Splits one CSV line (double quotes around fields that hold commas).
pub(crate) fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut cur, mut quoted) = (String::new(), false);
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// A header's column names squashed: no case, spaces or punctuation.
pub(crate) fn header_columns(header: &str) -> Vec<String> {
    split_csv(header)
        .iter()
        .map(|c| {
            c.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .collect()
}

/// The column `name` (as the header spells it in the file's usual form), compared squashed.
pub(crate) fn column(columns: &[String], name: &str) -> Result<usize, ImportError> {
    let squashed: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    columns
        .iter()
        .position(|c| *c == squashed)
        .map_or_else(|| fail(1, format!("missing column {name:?}")), Ok)
}

/// Prices a market can clear at: ERCOT's offer cap is 5,000 $/MWh and its floor −250, with
/// adders beyond; anything outside ±100,000 is a corrupt file, not a price.
const PRICE_BOUND: f64 = 100_000.0;

pub(crate) fn price(line: usize, text: &str) -> Result<f64, ImportError> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() <= PRICE_BOUND => Ok(v),
        Ok(v) if v.is_finite() => fail(line, format!("price {v:?} is beyond ±{PRICE_BOUND} $/MWh")),
        _ => fail(line, format!("price {:?} is not a number", text.trim())),
    }
}

pub(crate) fn field<'a>(
    line: usize,
    fields: &'a [String],
    i: usize,
    name: &str,
) -> Result<&'a str, ImportError> {
    fields
        .get(i)
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map_or_else(|| fail(line, format!("{name} is missing")), Ok)
}

/// A settlement point type as ERCOT writes it (`HU`, `LZ`, `LZEW`, `RN`, `SH`, `AH`, `PCCRN`,
/// `LCCRN`, `PUN`, …): letters, upper-cased; empty when the file does not say.
pub(crate) fn point_type(line: usize, text: Option<&String>) -> Result<String, ImportError> {
    let t = text.map_or("", |t| t.trim());
    if t.len() > 16 || !t.chars().all(|c| c.is_ascii_alphabetic()) {
        return fail(line, format!("Settlement Point Type {t:?} is not a type"));
    }
    Ok(t.to_ascii_uppercase())
}

/// The UTC start of an ERCOT interval named as its postings name it (Central delivery date,
/// hour ending 1–24, interval 1–4, the repeated hour flagged), or why not.
pub(crate) fn ercot_start(
    date: NaiveDate,
    hour: i64,
    interval: i64,
    repeated: bool,
) -> Result<DateTime<Utc>, String> {
    if !(1..=24).contains(&hour) {
        return Err("Delivery Hour: 1 to 24".into());
    }
    if !(1..=4).contains(&interval) {
        return Err("Delivery Interval: 1 to 4".into());
    }
    central_to_utc(date, hour as u32, interval as u32, repeated)
        .ok_or_else(|| format!("{date} hour {hour} does not exist in Central time"))
}

/// Where ERCOT's columns are in a file or a page (found by name: its layouts order them
/// differently); the type and the repeated-hour flag are optional.
pub(crate) struct ErcotColumns {
    pub date: usize,
    pub hour: usize,
    pub interval: usize,
    pub point: usize,
    pub point_type: Option<usize>,
    pub price: usize,
    pub dst: Option<usize>,
}

/// ERCOT's date as its CSV (`MM/DD/YYYY`) or its API (`YYYY-MM-DD`, maybe with a time) writes it,
/// within the years a price can be for.
pub(crate) fn ercot_date(text: &str) -> Option<NaiveDate> {
    let day = text.get(..10).unwrap_or(text);
    NaiveDate::parse_from_str(text, "%m/%d/%Y")
        .or_else(|_| NaiveDate::parse_from_str(day, "%Y-%m-%d"))
        .ok()
        .filter(|d| (1990..=2200).contains(&d.year()))
}

/// The `n`th `weekday` of a month.
fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, month, 1).expect("a month's first day");
    let offset = (7 + weekday.num_days_from_monday() - first.weekday().num_days_from_monday()) % 7;
    first + Duration::days((offset + 7 * (n - 1)) as i64)
}

/// The UTC start of ERCOT interval `interval` (1–4) of hour ending `hour` (1–24) on `date` in
/// Central prevailing time. Daylight time runs from 02:00 on the second Sunday of March to 02:00
/// on the first Sunday of November; on that day the hour ending 02 comes twice, the second time
/// flagged `repeated` (DSTFlag Y, standard time). `None` for the hour that spring skips.
pub fn central_to_utc(
    date: NaiveDate,
    hour: u32,
    interval: u32,
    repeated: bool,
) -> Option<DateTime<Utc>> {
    let local: NaiveDateTime = date.and_time(NaiveTime::MIN)
        + Duration::hours(hour as i64 - 1)
        + Duration::minutes((interval as i64 - 1) * INTERVAL_MINUTES);
    let year = date.year();
    let spring = nth_weekday(year, 3, Weekday::Sun, 2).and_hms_opt(2, 0, 0)?;
    let fall = nth_weekday(year, 11, Weekday::Sun, 1).and_hms_opt(2, 0, 0)?;
    if local >= spring && local < spring + Duration::hours(1) {
        return None;
    }
    let daylight =
        local >= spring && local < fall && !(repeated && local >= fall - Duration::hours(1));
    let offset_hours = if daylight { 5 } else { 6 };
    Some(Utc.from_utc_datetime(&(local + Duration::hours(offset_hours))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn ercot_intervals_are_central_time_with_the_repeated_hour_flagged() {
        // Winter: CST, UTC−6. HE 1 interval 1 starts at local midnight.
        assert_eq!(
            central_to_utc(NaiveDate::from_ymd_opt(2024, 1, 15).unwrap(), 1, 1, false),
            Some(utc("2024-01-15T06:00:00Z"))
        );
        // Summer: CDT, UTC−5. HE 17 interval 3 starts at 16:30 local.
        assert_eq!(
            central_to_utc(NaiveDate::from_ymd_opt(2024, 7, 1).unwrap(), 17, 3, false),
            Some(utc("2024-07-01T21:30:00Z"))
        );
        // 10 March 2024 (spring): HE 3 (02:00–03:00) does not exist.
        let spring = NaiveDate::from_ymd_opt(2024, 3, 10).unwrap();
        assert_eq!(central_to_utc(spring, 3, 1, false), None);
        assert_eq!(
            central_to_utc(spring, 2, 4, false),
            Some(utc("2024-03-10T07:45:00Z"))
        );
        assert_eq!(
            central_to_utc(spring, 4, 1, false),
            Some(utc("2024-03-10T08:00:00Z"))
        );
        // 3 November 2024 (fall): HE 2 twice — first CDT, then (DSTFlag Y) CST, an hour later.
        let fall = NaiveDate::from_ymd_opt(2024, 11, 3).unwrap();
        assert_eq!(
            central_to_utc(fall, 2, 1, false),
            Some(utc("2024-11-03T06:00:00Z"))
        );
        assert_eq!(
            central_to_utc(fall, 2, 1, true),
            Some(utc("2024-11-03T07:00:00Z"))
        );
        assert_eq!(
            central_to_utc(fall, 3, 1, false),
            Some(utc("2024-11-03T08:00:00Z"))
        );
    }

    #[test]
    fn a_hedge_pays_its_block_and_sells_back_what_is_not_drawn() {
        let c = PowerContract::IndexWithHedge {
            point: "HB_NORTH".into(),
            settles_on: None,
            adder_usd_per_mwh: 2.0,
            cap_usd_per_mwh: Some(1_000.0),
            hedge_mw: 40.0,
            hedge_usd_per_mwh: 45.0,
        };
        // 100 MW at index $30: 40 MW × $45 + 60 MW × $32, for a quarter hour.
        assert!(
            (c.interval_cost_usd(100.0, 30.0) - (40.0 * 45.0 + 60.0 * 32.0) * 0.25).abs() < 1e-9
        );
        // Curtailed at index $5,000: the block is paid, its energy sold back at the index.
        assert!(
            (c.interval_cost_usd(0.0, 5_000.0) - (40.0 * 45.0 - 40.0 * 5_000.0) * 0.25).abs()
                < 1e-9
        );
        // The margin is capped.
        assert_eq!(c.marginal_usd_per_mwh(5_000.0), 1_000.0);
        let fixed = PowerContract::Fixed { usd_per_mwh: 37.0 };
        assert_eq!(fixed.interval_cost_usd(100.0, 9_000.0), 100.0 * 37.0 * 0.25);
    }

    #[test]
    fn figures_beyond_their_range_are_refused_by_name_before_they_reach_a_cost() {
        let huge = PowerContract::Index {
            point: "HB_WEST".into(),
            settles_on: None,
            adder_usd_per_mwh: 1e307,
            cap_usd_per_mwh: None,
        };
        assert_eq!(
            huge.validate().unwrap_err(),
            "adder_usd_per_mwh: must be between -1000 and 10000, got 1e307"
        );
        let hedge = PowerContract::IndexWithHedge {
            point: "HB_WEST".into(),
            settles_on: None,
            adder_usd_per_mwh: 3.0,
            cap_usd_per_mwh: None,
            hedge_mw: -1.0,
            hedge_usd_per_mwh: 40.0,
        };
        assert!(hedge
            .validate()
            .unwrap_err()
            .starts_with("hedge_mw: must be between 0"));
        let terms = crate::model::power::curtailment::SitePower {
            contract: PowerContract::Fixed { usd_per_mwh: 40.0 },
            policy: crate::model::power::curtailment::CurtailmentPolicy {
                strike_usd_per_mwh: Some(f64::INFINITY),
                ..Default::default()
            },
            demand_response: None,
            four_cp_usd_per_kw_year: None,
        };
        assert!(terms
            .validate()
            .unwrap_err()
            .starts_with("policy.strike_usd_per_mwh: must be between"));
        let file =
            "settlement_point,interval_start_utc,usd_per_mwh\nHB_WEST,2026-07-01T00:00:00Z,1e307\n";
        assert_eq!(
            crate::model::power::price_file::parse_prices(file)
                .unwrap_err()
                .to_string(),
            "line 2: price 1e307 is beyond ±100000 $/MWh"
        );
    }
}
