//! The bundled snapshot (`server/data/market_monthly.csv`), interpolated to days.

use app::model::mining::market::{interpolate_daily, parse_anchors, MarketDay};

use super::error::MarketError;

const MONTHLY_CSV: &str = include_str!("../../data/market_monthly.csv");

/// Every day of the bundled snapshot.
pub fn daily() -> Result<Vec<MarketDay>, MarketError> {
    let anchors = parse_anchors(MONTHLY_CSV).map_err(|e| MarketError::Snapshot(e.to_string()))?;
    Ok(interpolate_daily(&anchors))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn snapshot_covers_2023_through_autumn_2025_without_gaps() {
        let days = daily().unwrap();
        assert_eq!(days.first().unwrap().date, day(2023, 1, 1));
        assert!(days.last().unwrap().date >= day(2025, 11, 1));
        assert!(days
            .windows(2)
            .all(|w| (w[1].date - w[0].date).num_days() == 1));
    }

    #[test]
    fn snapshot_hashprice_matches_the_public_figure_and_the_halving() {
        // Public reference (Luxor Hashrate Index, rounded): ≈ $58/PH/day at the end of January 2025.
        let days = daily().unwrap();
        let at = |d: NaiveDate| {
            days.iter()
                .find(|m| m.date == d)
                .unwrap()
                .hashprice_usd_per_ph_day()
        };
        let jan = at(day(2025, 1, 31));
        assert!((jan - 58.0).abs() / 58.0 < 0.03, "2025-01-31: {jan}");
        // The halving (block 840,000, 2024-04-20) halves the subsidy: hashprice falls by over 40 %
        // between the week before and the week after, at nearly the same price and difficulty.
        let before = at(day(2024, 4, 13));
        let after = at(day(2024, 4, 27));
        assert!(after / before < 0.6, "{before} -> {after}");
    }
}
