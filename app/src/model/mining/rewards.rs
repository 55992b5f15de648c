//! Mining economics: expected BTC per day, hashprice, power cost, margin, efficiency.

use serde::{Deserialize, Serialize};

use crate::model::company::validate::{non_negative, positive, within, InputError};
use crate::model::mining::chain::{network_hashrate_hs, HASHES_PER_DIFFICULTY};

const SECS_PER_DAY: f64 = 86_400.0;
const HOURS_PER_DAY: f64 = 24.0;
/// One PH/s in H/s.
pub const PHS: f64 = 1e15;
/// One TH/s in H/s.
pub const THS: f64 = 1e12;

/// Expected BTC per day for `hashrate_hs` (H/s) at `difficulty`, with `reward_btc` per block
/// (subsidy + fees): h × 86,400 × reward / (difficulty × 2^32).
pub fn expected_btc_per_day(hashrate_hs: f64, difficulty: f64, reward_btc: f64) -> f64 {
    if difficulty <= 0.0 {
        return 0.0;
    }
    hashrate_hs * SECS_PER_DAY * reward_btc / (difficulty * HASHES_PER_DIFFICULTY)
}

/// Hashprice: expected gross USD per PH/s per day (the industry's definition: before pool fees).
pub fn hashprice_usd_per_ph_day(difficulty: f64, reward_btc: f64, btc_price_usd: f64) -> f64 {
    expected_btc_per_day(PHS, difficulty, reward_btc) * btc_price_usd
}

/// Cost of drawing `power_w` for a day at `usd_per_kwh`.
pub fn power_cost_usd_per_day(power_w: f64, usd_per_kwh: f64) -> f64 {
    power_w / 1000.0 * HOURS_PER_DAY * usd_per_kwh
}

/// Efficiency in J/TH (W per TH/s); `None` without power or hashrate.
pub fn efficiency_j_per_th(power_w: f64, hashrate_ths: f64) -> Option<f64> {
    (power_w > 0.0 && hashrate_ths > 0.0).then(|| power_w / hashrate_ths)
}

/// Everything the mining estimate needs, already resolved (subsidy chosen, defaults applied).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MiningInputs {
    pub hashrate_ths: f64,
    pub difficulty: f64,
    pub btc_price_usd: f64,
    pub subsidy_btc: f64,
    pub fees_btc_per_block: f64,
    pub pool_fee_pct: f64,
    pub power_w: f64,
    pub power_cost_usd_per_kwh: f64,
}

/// The result of a mining estimate; field names carry their units (API.md `/estimate/mining`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MiningEstimate {
    pub network_hashrate_ehs: f64,
    /// Net of the pool fee.
    pub btc_per_day: f64,
    /// Net of the pool fee.
    pub revenue_usd_per_day: f64,
    /// Gross, before pool fee.
    pub hashprice_usd_per_ph_day: f64,
    pub power_cost_usd_per_day: f64,
    pub margin_usd_per_day: f64,
    pub efficiency_j_per_th: Option<f64>,
    pub subsidy_btc: f64,
    /// Power price at which the margin is zero; `None` without power.
    pub breakeven_power_cost_usd_per_kwh: Option<f64>,
}

impl MiningInputs {
    /// Rejects NaN, infinities, negatives, a zero difficulty and a pool fee outside 0–100 %.
    pub fn validate(&self) -> Result<(), InputError> {
        non_negative("hashrate_ths", self.hashrate_ths)?;
        positive("difficulty", self.difficulty)?;
        non_negative("btc_price_usd", self.btc_price_usd)?;
        within("subsidy_btc", self.subsidy_btc, 0.0, 50.0)?;
        non_negative("fees_btc_per_block", self.fees_btc_per_block)?;
        within("pool_fee_pct", self.pool_fee_pct, 0.0, 100.0)?;
        non_negative("power_w", self.power_w)?;
        non_negative("power_cost_usd_per_kwh", self.power_cost_usd_per_kwh)?;
        Ok(())
    }
}

/// The mining estimate for validated inputs.
pub fn estimate(inputs: &MiningInputs) -> Result<MiningEstimate, InputError> {
    inputs.validate()?;
    let reward = inputs.subsidy_btc + inputs.fees_btc_per_block;
    let net = 1.0 - inputs.pool_fee_pct / 100.0;
    let btc_per_day =
        expected_btc_per_day(inputs.hashrate_ths * THS, inputs.difficulty, reward) * net;
    let revenue = btc_per_day * inputs.btc_price_usd;
    let power_cost = power_cost_usd_per_day(inputs.power_w, inputs.power_cost_usd_per_kwh);
    let kwh_per_day = inputs.power_w / 1000.0 * HOURS_PER_DAY;
    Ok(MiningEstimate {
        network_hashrate_ehs: network_hashrate_hs(inputs.difficulty) / 1e18,
        btc_per_day,
        revenue_usd_per_day: revenue,
        hashprice_usd_per_ph_day: hashprice_usd_per_ph_day(
            inputs.difficulty,
            reward,
            inputs.btc_price_usd,
        ),
        power_cost_usd_per_day: power_cost,
        margin_usd_per_day: revenue - power_cost,
        efficiency_j_per_th: efficiency_j_per_th(inputs.power_w, inputs.hashrate_ths),
        subsidy_btc: inputs.subsidy_btc,
        breakeven_power_cost_usd_per_kwh: (kwh_per_day > 0.0).then(|| revenue / kwh_per_day),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s21_at_100t() -> MiningInputs {
        MiningInputs {
            hashrate_ths: 200.0,
            difficulty: 100e12,
            btc_price_usd: 100_000.0,
            subsidy_btc: 3.125,
            fees_btc_per_block: 0.0,
            pool_fee_pct: 0.0,
            power_w: 3500.0,
            power_cost_usd_per_kwh: 0.05,
        }
    }

    #[test]
    fn s21_at_difficulty_100t_earns_what_the_formula_gives_by_hand() {
        // By hand: 200e12 × 86,400 × 3.125 / (100e12 × 4,294,967,296) = 1.2572e-4 BTC/day.
        let e = estimate(&s21_at_100t()).unwrap();
        assert!(
            (e.btc_per_day - 1.2572e-4).abs() < 1e-8,
            "{}",
            e.btc_per_day
        );
        assert!((e.revenue_usd_per_day - 12.572).abs() < 0.001);
        // 3.5 kW × 24 h × $0.05 = $4.20
        assert!((e.power_cost_usd_per_day - 4.2).abs() < 1e-9);
        assert!((e.margin_usd_per_day - (12.572 - 4.2)).abs() < 0.001);
        assert!((e.efficiency_j_per_th.unwrap() - 17.5).abs() < 1e-9);
        assert!((e.network_hashrate_ehs - 715.83).abs() < 0.01);
        // Hashprice: 1 PH/s earns 5 × the 200 TH/s figure: $62.86/PH/day.
        assert!((e.hashprice_usd_per_ph_day - 62.86).abs() < 0.01);
        // Breakeven: $12.572 / 84 kWh = $0.1497/kWh
        assert!((e.breakeven_power_cost_usd_per_kwh.unwrap() - 0.14967).abs() < 1e-4);
    }

    #[test]
    fn pool_fee_reduces_revenue_but_not_hashprice() {
        let mut i = s21_at_100t();
        i.pool_fee_pct = 2.0;
        let e = estimate(&i).unwrap();
        let gross = estimate(&s21_at_100t()).unwrap();
        assert!((e.btc_per_day - gross.btc_per_day * 0.98).abs() < 1e-12);
        assert_eq!(e.hashprice_usd_per_ph_day, gross.hashprice_usd_per_ph_day);
    }

    #[test]
    fn hashprice_on_2025_01_31_is_within_3_percent_of_the_public_figure() {
        // Public reference: Luxor Hashrate Index hashprice at the end of January 2025 was about
        // $58/PH/day (difficulty 110.45 T, BTC ≈ $102,400, fees ≈ 0.03 BTC per block).
        let hp = hashprice_usd_per_ph_day(110.45e12, 3.125 + 0.03, 102_405.0);
        assert!((hp - 58.0).abs() / 58.0 < 0.03, "hashprice {hp}");
    }

    #[test]
    fn no_power_means_no_efficiency_and_no_breakeven() {
        let mut i = s21_at_100t();
        i.power_w = 0.0;
        let e = estimate(&i).unwrap();
        assert_eq!(e.efficiency_j_per_th, None);
        assert_eq!(e.breakeven_power_cost_usd_per_kwh, None);
        assert_eq!(e.margin_usd_per_day, e.revenue_usd_per_day);
    }

    #[test]
    fn bad_inputs_are_rejected_by_field() {
        let mut i = s21_at_100t();
        i.hashrate_ths = -1.0;
        assert_eq!(estimate(&i).unwrap_err().field, "hashrate_ths");
        let mut i = s21_at_100t();
        i.difficulty = f64::NAN;
        assert_eq!(estimate(&i).unwrap_err().field, "difficulty");
        let mut i = s21_at_100t();
        i.pool_fee_pct = 120.0;
        assert_eq!(estimate(&i).unwrap_err().field, "pool_fee_pct");
    }
}
