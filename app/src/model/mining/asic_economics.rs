//! Every catalogue ASIC at today's market and a site's power price, and how a measured CPU
//! rate compares with it.

use serde::Serialize;

use crate::model::fleet::catalogue::{AsicModel, ASICS};
use crate::model::mining::rewards::{estimate, MiningInputs};
use crate::model::mining::sha256d::expected_hashes_per_block;

/// One ASIC model's economics.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AsicEconomics {
    pub model: AsicModel,
    pub btc_per_day: f64,
    pub revenue_usd_per_day: f64,
    pub margin_usd_per_day: f64,
    pub breakeven_usd_per_kwh: Option<f64>,
    /// Expected days for one machine to find a block alone.
    pub solo_block_days: f64,
    /// Measured machines (e.g. this server) needed to match one of these; `None` without a rate.
    pub measured_machines_per_asic: Option<f64>,
}

/// Market conditions for the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MarketPoint {
    pub difficulty: f64,
    pub subsidy_btc: f64,
    pub fees_btc_per_block: f64,
    pub btc_price_usd: f64,
    pub power_usd_per_kwh: f64,
}

/// Expected days to find a block alone at `hashes_per_s`.
pub fn solo_block_days(hashes_per_s: f64, difficulty: f64) -> f64 {
    if hashes_per_s <= 0.0 {
        return f64::INFINITY;
    }
    expected_hashes_per_block(difficulty) / hashes_per_s / 86_400.0
}

/// The whole catalogue at `m`, most efficient first.
pub fn asic_economics(m: &MarketPoint, measured_hashes_per_s: Option<f64>) -> Vec<AsicEconomics> {
    let mut rows: Vec<AsicEconomics> = ASICS
        .iter()
        .filter_map(|model| {
            let e = estimate(&MiningInputs {
                hashrate_ths: model.hashrate_ths,
                difficulty: m.difficulty,
                btc_price_usd: m.btc_price_usd,
                subsidy_btc: m.subsidy_btc,
                fees_btc_per_block: m.fees_btc_per_block,
                pool_fee_pct: 0.0,
                power_w: model.power_w,
                power_cost_usd_per_kwh: m.power_usd_per_kwh,
            })
            .ok()?;
            Some(AsicEconomics {
                model: *model,
                btc_per_day: e.btc_per_day,
                revenue_usd_per_day: e.revenue_usd_per_day,
                margin_usd_per_day: e.margin_usd_per_day,
                breakeven_usd_per_kwh: e.breakeven_power_cost_usd_per_kwh,
                solo_block_days: solo_block_days(model.hashrate_ths * 1e12, m.difficulty),
                measured_machines_per_asic: measured_hashes_per_s
                    .filter(|r| *r > 0.0)
                    .map(|r| model.hashrate_ths * 1e12 / r),
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        a.model
            .efficiency_j_per_th()
            .total_cmp(&b.model.efficiency_j_per_th())
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn market() -> MarketPoint {
        MarketPoint {
            difficulty: 100e12,
            subsidy_btc: 3.125,
            fees_btc_per_block: 0.0,
            btc_price_usd: 100_000.0,
            power_usd_per_kwh: 0.05,
        }
    }

    #[test]
    fn most_efficient_first_and_margins_follow_efficiency() {
        let rows = asic_economics(&market(), None);
        assert_eq!(rows.len(), ASICS.len());
        assert_eq!(rows[0].model.id, "S21XP");
        let s21 = rows.iter().find(|r| r.model.id == "S21").unwrap();
        assert!((s21.margin_usd_per_day - (12.5729 - 4.2)).abs() < 1e-3);
        assert!(s21.measured_machines_per_asic.is_none());
    }

    #[test]
    fn a_cpu_at_40_mh_s_needs_5_million_of_itself_per_s21() {
        let rows = asic_economics(&market(), Some(40e6));
        let s21 = rows.iter().find(|r| r.model.id == "S21").unwrap();
        assert!((s21.measured_machines_per_asic.unwrap() - 5e6).abs() < 1e-6);
        // One S21 alone: 4.295e23 hashes / 2e14 H/s = 2.147e9 s ≈ 24,855 days (68 years).
        assert!(
            (s21.solo_block_days - 24_855.1).abs() < 1.0,
            "{}",
            s21.solo_block_days
        );
        assert!(solo_block_days(0.0, 1.0).is_infinite());
    }
}
