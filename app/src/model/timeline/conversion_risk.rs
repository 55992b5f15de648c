//! The calculator's risk fans: each path's monthly cash for "keep mining" and "convert", from
//! the calculator's own deterministic months (`model::timeline::conversion`) moved by seeded price and
//! difficulty paths (`model::investor::risk`). Mining revenue moves with the path's hashprice against the
//! scenario's; GPU-hour revenue with utilisation; colocation and the power bills do not move.
//! Pure, and light enough to run in the browser on every slider move.

use chrono::NaiveDate;

use crate::model::investor::risk::{simulate, Band, Dynamics, MonthInputs};
use crate::model::timeline::conversion::{AiOffer, ConversionInputs, ConversionResult};

/// Difficulty's volatility a year in the calculator (the 2023–2025 retargets' spread, about
/// 2.5 % per two-week retarget, annualised).
pub const DIFFICULTY_VOL_PER_YEAR: f64 = 0.13;
/// σ of GPU-hour utilisation month to month.
pub const GPU_UTILISATION_VOL: f64 = 0.08;

/// Monthly cash bands of both paths over the first months of the horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct CashFans {
    pub months: Vec<NaiveDate>,
    pub keep_mining: Vec<Band>,
    pub convert: Vec<Band>,
}

impl CashFans {
    /// A fingerprint of every figure to the bit (FNV-1a over each band's numbers): the page
    /// carries the one its server computed and the one the browser computes, so a test can see
    /// that the same seed gives the same fans natively and in wasm.
    pub fn digest(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.keep_mining.iter().chain(&self.convert) {
            for v in [b.p5, b.p10, b.p50, b.p90, b.mean] {
                for byte in v.to_bits().to_le_bytes() {
                    h = (h ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
                }
            }
        }
        format!("{h:016x}")
    }
}

fn shift(b: Band, by: f64) -> Band {
    Band {
        p5: b.p5 + by,
        p10: b.p10 + by,
        p50: b.p50 + by,
        p90: b.p90 + by,
        mean: b.mean + by,
    }
}

/// The fans of the first `count` months of `result` (the calculator's answer to `inputs`), at
/// BTC volatility `btc_vol_per_year`, `paths` paths from `seed`.
pub fn cash_fans(
    inputs: &ConversionInputs,
    result: &ConversionResult,
    btc_vol_per_year: f64,
    paths: usize,
    seed: u64,
    count: usize,
) -> CashFans {
    let months = &result.months[..count.min(result.months.len())];
    let mining_power =
        result.mining_revenue_first_year_usd / 12.0 - result.mining_margin_first_year_usd / 12.0;
    let gpu_hours = matches!(inputs.ai, AiOffer::GpuHours { .. });
    let dynamics = Dynamics {
        btc_usd: inputs.btc_price_usd.max(1.0),
        difficulty: inputs.difficulty,
        btc_drift_per_year: libm::log(1.0 + inputs.btc_price_change_pct_per_year / 100.0),
        btc_vol_per_year,
        difficulty_growth_per_year: 12.0
            * libm::log(1.0 + inputs.difficulty_growth_pct_per_month / 100.0),
        difficulty_vol_per_year: DIFFICULTY_VOL_PER_YEAR,
        gpu_utilisation_vol: if gpu_hours { GPU_UTILISATION_VOL } else { 0.0 },
    };
    // Each path month: revenue at the scenario's price and difficulty, moved by the path.
    let inputs_of = |i: usize,
                     m: &crate::model::timeline::conversion::ConversionMonth,
                     mining: bool| MonthInputs {
        month: m.month,
        years: (i + 1) as f64 / 12.0,
        btc_at_unit_difficulty: 0.0,
        forward_mining_usd: if mining { m.mining_revenue_usd } else { 0.0 },
        mining_power_usd: 0.0,
        ai_firm_usd: if mining || gpu_hours {
            0.0
        } else {
            m.ai_revenue_usd
        },
        ai_gpu_hours_usd: if !mining && gpu_hours {
            m.ai_revenue_usd
        } else {
            0.0
        },
    };
    let keep: Vec<MonthInputs> = months
        .iter()
        .enumerate()
        .map(|(i, m)| inputs_of(i, m, true))
        .collect();
    let convert: Vec<MonthInputs> = months
        .iter()
        .enumerate()
        .map(|(i, m)| inputs_of(i, m, false))
        .collect();
    // Power is the same on every path: subtract it from every percentile.
    let keep_bands = simulate(&keep, &dynamics, paths, seed)
        .into_iter()
        .map(|b| shift(b.mining_usd, -mining_power))
        .collect();
    let convert_bands = simulate(&convert, &dynamics, paths, seed)
        .into_iter()
        .zip(months)
        .map(|(b, m)| shift(b.ai_usd, m.ai_cash_usd - m.ai_revenue_usd))
        .collect();
    CashFans {
        months: months.iter().map(|m| m.month).collect(),
        keep_mining: keep_bands,
        convert: convert_bands,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::timeline::conversion::compare;

    fn inputs() -> ConversionInputs {
        ConversionInputs {
            start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            horizon_months: 60,
            site_mw: 100.0,
            power_usd_per_kwh: 0.04,
            asic_id: "S21",
            mining_pue: 1.0,
            btc_price_usd: 100_000.0,
            btc_price_change_pct_per_year: 10.0,
            difficulty: 100e12,
            difficulty_growth_pct_per_month: 2.0,
            fees_btc_per_block: 0.0,
            ai: AiOffer::Colocation {
                usd_per_kw_month: 130.0,
            },
            ai_pue: 1.25,
            conversion_capex_usd_per_mw: 3_000_000.0,
            build_months: 12,
            ramp_months: 6,
        }
    }

    /// The P50s sit on the calculator's own cash lines; mining fans out, colocation does not.
    #[test]
    fn the_fans_centre_on_the_calculators_cash_and_only_mining_spreads_under_colocation() {
        let i = inputs();
        let r = compare(&i).unwrap();
        let f = cash_fans(&i, &r, 0.0, 500, 1, 36);
        assert_eq!(f.months.len(), 36);
        // No BTC volatility: mining still spreads with difficulty; its mean is the line (to 2 %
        // of the month's revenue at 500 paths).
        for (b, m) in f.keep_mining.iter().zip(&r.months) {
            assert!(
                (b.mean - m.mining_cash_usd).abs() < 0.02 * m.mining_revenue_usd,
                "{b:?} vs {m:?}"
            );
        }
        for (b, m) in f.convert.iter().zip(&r.months) {
            assert!((b.p10 - m.ai_cash_usd).abs() < 0.01 && (b.p90 - m.ai_cash_usd).abs() < 0.01);
        }
        let wide = cash_fans(&i, &r, 0.6, 2_000, 1, 36);
        let last = wide.keep_mining.last().unwrap();
        assert!(
            last.p90 - last.p10 > 0.5 * r.months[35].mining_revenue_usd,
            "{last:?}"
        );
        assert_eq!(wide, cash_fans(&i, &r, 0.6, 2_000, 1, 36), "seeded");
    }

    /// A GPU cloud's cash fans out with utilisation once it earns.
    #[test]
    fn a_gpu_cloud_fans_with_utilisation() {
        let i = ConversionInputs {
            ai: AiOffer::GpuHours {
                gpu_id: "H100-SXM",
                usd_per_gpu_hour: 2.0,
                utilisation: 0.8,
                gpu_capex_usd: 30_000.0,
            },
            ..inputs()
        };
        let r = compare(&i).unwrap();
        let f = cash_fans(&i, &r, 0.5, 2_000, 3, 36);
        let earning = &f.convert[30];
        assert!(earning.p90 > earning.p10, "{earning:?}");
        assert!((earning.mean / r.months[30].ai_cash_usd - 1.0).abs() < 0.02);
        assert!(
            f.convert[0].p90 == f.convert[0].p10,
            "nothing earned while building"
        );
    }
}
