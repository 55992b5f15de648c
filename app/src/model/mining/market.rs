//! Market history: BTC price, difficulty and fees per day, and the bundled monthly anchors.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::company::validate::InputError;
use crate::model::mining::chain::{estimated_height, subsidy_btc};
use crate::model::mining::rewards::hashprice_usd_per_ph_day;

/// Where a market figure comes from; anything but `Live` must be marked as not real-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MarketSource {
    /// The bundled snapshot of public figures.
    Bundled,
    /// Produced by the market simulator (fills days after the snapshot).
    Simulated,
    /// Fetched from a live market source.
    Live,
    /// A scenario projection.
    Projected,
}

impl MarketSource {
    /// The name used in the store and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            MarketSource::Bundled => "bundled",
            MarketSource::Simulated => "simulated",
            MarketSource::Live => "live",
            MarketSource::Projected => "projected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            MarketSource::Bundled,
            MarketSource::Simulated,
            MarketSource::Live,
            MarketSource::Projected,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }

    /// How a reader should understand a figure of this source.
    pub fn describe(self) -> &'static str {
        match self {
            MarketSource::Bundled => "bundled snapshot of public figures (monthly, interpolated)",
            MarketSource::Simulated => "simulated",
            MarketSource::Live => "live",
            MarketSource::Projected => "projected by the scenario",
        }
    }
}

/// One day of market figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MarketDay {
    pub date: NaiveDate,
    pub btc_usd: f64,
    pub difficulty: f64,
    /// Average transaction fees per block, BTC.
    pub fees_btc_per_block: f64,
    /// Block height at the day's end when a source reported it; otherwise estimated.
    #[serde(default)]
    pub height: Option<u64>,
    pub source: MarketSource,
}

impl MarketDay {
    /// The reported height, else the estimate from the date.
    pub fn height(&self) -> u64 {
        self.height.unwrap_or_else(|| estimated_height(self.date))
    }

    /// Subsidy on this day, from the block height.
    pub fn subsidy_btc(&self) -> f64 {
        subsidy_btc(self.height())
    }

    /// Subsidy plus average fees, BTC per block.
    pub fn reward_btc(&self) -> f64 {
        self.subsidy_btc() + self.fees_btc_per_block
    }

    /// Gross hashprice of this day, USD per PH/s per day.
    pub fn hashprice_usd_per_ph_day(&self) -> f64 {
        hashprice_usd_per_ph_day(self.difficulty, self.reward_btc(), self.btc_usd)
    }
}

/// A monthly anchor of the bundled snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MarketAnchor {
    pub date: NaiveDate,
    pub btc_usd: f64,
    pub difficulty: f64,
    pub fees_btc_per_block: f64,
}

/// Parses the bundled anchor CSV: `date,btc_usd,difficulty,fees_btc_per_block`, `#` comments,
/// a header line, dates strictly increasing.
pub fn parse_anchors(csv: &str) -> Result<Vec<MarketAnchor>, InputError> {
    let mut out: Vec<MarketAnchor> = Vec::new();
    for (n, line) in csv.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("date") {
            continue;
        }
        let bad = |why: &str| InputError::new("market csv", format!("line {}: {why}", n + 1));
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        if cols.len() != 4 {
            return Err(bad("expected 4 columns"));
        }
        let date = NaiveDate::parse_from_str(cols[0], "%Y-%m-%d").map_err(|_| bad("bad date"))?;
        let num = |s: &str| s.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0);
        let (Some(btc_usd), Some(difficulty), Some(fees)) =
            (num(cols[1]), num(cols[2]), num(cols[3]))
        else {
            return Err(bad("bad number"));
        };
        if out.last().is_some_and(|prev| prev.date >= date) {
            return Err(bad("dates must increase"));
        }
        out.push(MarketAnchor {
            date,
            btc_usd,
            difficulty,
            fees_btc_per_block: fees,
        });
    }
    Ok(out)
}

/// Daily figures between consecutive anchors, linearly interpolated (inclusive of both ends).
pub fn interpolate_daily(anchors: &[MarketAnchor]) -> Vec<MarketDay> {
    let mut days = Vec::new();
    for pair in anchors.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let span = (b.date - a.date).num_days();
        for i in 0..span {
            let t = i as f64 / span as f64;
            let lerp = |x: f64, y: f64| x + (y - x) * t;
            days.push(MarketDay {
                date: a.date + chrono::Duration::days(i),
                btc_usd: lerp(a.btc_usd, b.btc_usd),
                difficulty: lerp(a.difficulty, b.difficulty),
                fees_btc_per_block: lerp(a.fees_btc_per_block, b.fees_btc_per_block),
                height: None,
                source: MarketSource::Bundled,
            });
        }
    }
    if let Some(last) = anchors.last() {
        days.push(MarketDay {
            date: last.date,
            btc_usd: last.btc_usd,
            difficulty: last.difficulty,
            fees_btc_per_block: last.fees_btc_per_block,
            height: None,
            source: MarketSource::Bundled,
        });
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "# test\ndate,btc_usd,difficulty,fees_btc_per_block\n2024-01-01,40000,70e12,0.5\n2024-01-11,50000,80e12,0.3\n";

    #[test]
    fn parses_and_interpolates_daily() {
        let anchors = parse_anchors(CSV).unwrap();
        assert_eq!(anchors.len(), 2);
        let days = interpolate_daily(&anchors);
        assert_eq!(days.len(), 11);
        assert_eq!(days[5].btc_usd, 45_000.0);
        assert!((days[5].difficulty - 75e12).abs() < 1.0);
        assert_eq!(days[10].date, NaiveDate::from_ymd_opt(2024, 1, 11).unwrap());
    }

    #[test]
    fn rejects_unordered_or_malformed_rows() {
        assert!(parse_anchors("2024-01-02,1,1,0\n2024-01-01,1,1,0").is_err());
        assert!(parse_anchors("2024-01-01,abc,1,0").is_err());
        assert!(parse_anchors("2024-01-01,1,1").is_err());
        assert!(parse_anchors("2024-01-01,NaN,1,0").is_err());
    }

    #[test]
    fn reward_drops_at_the_2024_halving() {
        let mk = |d| MarketDay {
            date: d,
            btc_usd: 1.0,
            difficulty: 1.0,
            fees_btc_per_block: 0.1,
            height: None,
            source: MarketSource::Bundled,
        };
        assert_eq!(
            mk(NaiveDate::from_ymd_opt(2024, 4, 10).unwrap()).reward_btc(),
            6.35
        );
        assert_eq!(
            mk(NaiveDate::from_ymd_opt(2024, 5, 10).unwrap()).reward_btc(),
            3.225
        );
    }
}
