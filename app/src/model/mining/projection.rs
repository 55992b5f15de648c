//! Scenario projection of the market beyond the last known day.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::ai::lease::DAYS_PER_MONTH;
use crate::model::mining::market::{MarketDay, MarketSource};

/// Assumptions for days after the last known market figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Scenario {
    /// Difficulty growth per month, % (compounded daily).
    pub difficulty_growth_pct_per_month: f64,
    /// BTC price change per year, % (compounded daily).
    pub btc_price_change_pct_per_year: f64,
    /// Average fees per block, BTC; `None` keeps the last known figure.
    pub fees_btc_per_block: Option<f64>,
}

impl Default for Scenario {
    /// Baseline: difficulty +2 %/month (roughly the 2023–2025 trend), flat price, fees as last seen.
    fn default() -> Self {
        Self {
            difficulty_growth_pct_per_month: 2.0,
            btc_price_change_pct_per_year: 0.0,
            fees_btc_per_block: None,
        }
    }
}

/// Projected market days after `last` through `through` (inclusive).
pub fn project(last: &MarketDay, through: NaiveDate, scenario: &Scenario) -> Vec<MarketDay> {
    let diff_daily =
        (1.0 + scenario.difficulty_growth_pct_per_month / 100.0).powf(1.0 / DAYS_PER_MONTH);
    let price_daily = (1.0 + scenario.btc_price_change_pct_per_year / 100.0).powf(1.0 / 365.25);
    let fees = scenario
        .fees_btc_per_block
        .unwrap_or(last.fees_btc_per_block);
    let days = (through - last.date).num_days().max(0);
    (1..=days)
        .map(|i| MarketDay {
            date: last.date + chrono::Duration::days(i),
            btc_usd: last.btc_usd * price_daily.powi(i as i32),
            difficulty: last.difficulty * diff_daily.powi(i as i32),
            fees_btc_per_block: fees,
            // A known tip height runs on at the 144 blocks a day difficulty aims for.
            height: last.height.map(|h| h + 144 * i as u64),
            source: MarketSource::Projected,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn difficulty_compounds_monthly_and_price_yearly() {
        let d0 = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let last = MarketDay {
            date: d0,
            btc_usd: 100_000.0,
            difficulty: 100e12,
            fees_btc_per_block: 0.05,
            height: None,
            source: MarketSource::Bundled,
        };
        let s = Scenario {
            difficulty_growth_pct_per_month: 2.0,
            btc_price_change_pct_per_year: 10.0,
            fees_btc_per_block: None,
        };
        let p = project(&last, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), &s);
        assert_eq!(p.len(), 365);
        assert!(p.iter().all(|d| d.source == MarketSource::Projected));
        let year_later = p.last().unwrap();
        // 365 days ≈ 11.99 months of 2 % → ×1.268; price ×1.10 (365/365.25 of a year).
        assert!((year_later.difficulty / 100e12 - 1.02f64.powf(365.0 / 30.4375)).abs() < 1e-9);
        assert!((year_later.btc_usd / 100_000.0 - 1.1f64.powf(365.0 / 365.25)).abs() < 1e-9);
        assert_eq!(year_later.fees_btc_per_block, 0.05);
        assert!(project(&last, d0, &s).is_empty());
    }
}
