//! The conversion calculator: is a site's power worth more hashing or hosting AI, and when does
//! switching pay back? Month by month over a horizon, across the halvings, for both paths.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::model::ai::lease::{gpus_per_mw, DAYS_PER_MONTH};
use crate::model::company::validate::{non_negative, positive, within, InputError};
use crate::model::fleet::catalogue::{asic, gpu};
use crate::model::mining::chain::{estimated_height, subsidy_btc};
use crate::model::mining::rewards::{expected_btc_per_day, THS};

const HOURS_PER_MONTH: f64 = DAYS_PER_MONTH * 24.0;

/// How the AI path is sold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AiOffer {
    /// Colocation per kW of critical IT load per month; the tenant pays power and owns the GPUs.
    Colocation { usd_per_kw_month: f64 },
    /// Own GPU cloud: the operator buys the GPUs and pays the power.
    GpuHours {
        gpu_id: &'static str,
        usd_per_gpu_hour: f64,
        utilisation: f64,
        gpu_capex_usd: f64,
    },
}

/// Calculator inputs; every field is a slider or a choice on `/estimators`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConversionInputs {
    pub start: NaiveDate,
    pub horizon_months: u32,
    /// Facility power of the site, MW.
    pub site_mw: f64,
    pub power_usd_per_kwh: f64,
    pub asic_id: &'static str,
    /// Facility ÷ IT power of the mining halls (fans, transformers).
    pub mining_pue: f64,
    pub btc_price_usd: f64,
    pub btc_price_change_pct_per_year: f64,
    pub difficulty: f64,
    pub difficulty_growth_pct_per_month: f64,
    pub fees_btc_per_block: f64,
    pub ai: AiOffer,
    pub ai_pue: f64,
    /// Retrofit cost per facility MW (power, cooling, network), USD.
    pub conversion_capex_usd_per_mw: f64,
    /// Months from the decision to the first AI revenue (mining stops at once).
    pub build_months: u32,
    /// Months from first revenue to full load.
    pub ramp_months: u32,
}

/// One month of both paths.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConversionMonth {
    pub month: NaiveDate,
    pub mining_cash_usd: f64,
    pub ai_cash_usd: f64,
    pub cumulative_mining_usd: f64,
    pub cumulative_ai_usd: f64,
    /// The month's mining revenue before power, and the AI path's revenue before power (the
    /// risk fans move revenue, not the power bill).
    #[serde(default)]
    pub mining_revenue_usd: f64,
    #[serde(default)]
    pub ai_revenue_usd: f64,
}

/// The calculator's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConversionResult {
    pub months: Vec<ConversionMonth>,
    /// Months until the AI path's cumulative cash catches up with staying on mining.
    pub payback_months: Option<u32>,
    pub capex_usd: f64,
    pub mining_revenue_first_year_usd: f64,
    pub mining_margin_first_year_usd: f64,
    pub ai_revenue_full_year_usd: f64,
    pub ai_margin_full_year_usd: f64,
    /// GPUs that fit (GPU-hour offers; 0 for colocation).
    pub gpus: f64,
    pub critical_it_mw: f64,
}

fn add_months(d: NaiveDate, n: u32) -> NaiveDate {
    let total = d.month0() + n;
    NaiveDate::from_ymd_opt(d.year() + (total / 12) as i32, total % 12 + 1, 1)
        .expect("first of month is valid")
}

impl ConversionInputs {
    fn validate(&self) -> Result<(), InputError> {
        if self.horizon_months == 0 || self.horizon_months > 240 {
            return Err(InputError::new(
                "horizon_months",
                "must be between 1 and 240",
            ));
        }
        positive("site_mw", self.site_mw)?;
        non_negative("power_usd_per_kwh", self.power_usd_per_kwh)?;
        asic(self.asic_id).ok_or_else(|| InputError::new("asic", "unknown ASIC model"))?;
        within("mining_pue", self.mining_pue, 1.0, 2.0)?;
        non_negative("btc_price_usd", self.btc_price_usd)?;
        within(
            "btc_price_change_pct_per_year",
            self.btc_price_change_pct_per_year,
            -99.0,
            1000.0,
        )?;
        positive("difficulty", self.difficulty)?;
        within(
            "difficulty_growth_pct_per_month",
            self.difficulty_growth_pct_per_month,
            -50.0,
            50.0,
        )?;
        non_negative("fees_btc_per_block", self.fees_btc_per_block)?;
        within("ai_pue", self.ai_pue, 1.0, 3.0)?;
        non_negative(
            "conversion_capex_usd_per_mw",
            self.conversion_capex_usd_per_mw,
        )?;
        match self.ai {
            AiOffer::Colocation { usd_per_kw_month } => {
                non_negative("usd_per_kw_month", usd_per_kw_month)?;
            }
            AiOffer::GpuHours {
                gpu_id,
                usd_per_gpu_hour,
                utilisation,
                gpu_capex_usd,
            } => {
                gpu(gpu_id).ok_or_else(|| InputError::new("gpu", "unknown GPU"))?;
                non_negative("usd_per_gpu_hour", usd_per_gpu_hour)?;
                within("utilisation", utilisation, 0.0, 1.0)?;
                non_negative("gpu_capex_usd", gpu_capex_usd)?;
            }
        }
        Ok(())
    }
}

/// Runs both paths month by month.
pub fn compare(i: &ConversionInputs) -> Result<ConversionResult, InputError> {
    i.validate()?;
    let model = asic(i.asic_id).expect("validated");
    let hashrate_hs = i.site_mw / i.mining_pue * 1e6 / model.efficiency_j_per_th() * THS;
    let monthly_power_usd = i.site_mw * 1000.0 * HOURS_PER_MONTH * i.power_usd_per_kwh;
    let critical_it_mw = i.site_mw / i.ai_pue;
    let (gpus, capex_gpus, ai_full_month, ai_power_month) = match i.ai {
        AiOffer::Colocation { usd_per_kw_month } => {
            (0.0, 0.0, critical_it_mw * 1000.0 * usd_per_kw_month, 0.0)
        }
        AiOffer::GpuHours {
            gpu_id,
            usd_per_gpu_hour,
            utilisation,
            gpu_capex_usd,
        } => {
            let g = gpu(gpu_id).expect("validated");
            let n = (gpus_per_mw(g.server_w_per_gpu, i.ai_pue) * i.site_mw).floor();
            (
                n,
                n * gpu_capex_usd,
                n * usd_per_gpu_hour * HOURS_PER_MONTH * utilisation,
                monthly_power_usd,
            )
        }
    };
    let capex = i.conversion_capex_usd_per_mw * i.site_mw + capex_gpus;
    let diff_monthly = 1.0 + i.difficulty_growth_pct_per_month / 100.0;
    // libm: the browser's calculator and the server's agree to the bit.
    let price_monthly = libm::pow(1.0 + i.btc_price_change_pct_per_year / 100.0, 1.0 / 12.0);

    let mut months = Vec::with_capacity(i.horizon_months as usize);
    let (mut cum_mining, mut cum_ai) = (0.0, -capex);
    let mut payback = None;
    let first = NaiveDate::from_ymd_opt(i.start.year(), i.start.month(), 1).expect("valid");
    for m in 0..i.horizon_months {
        let month = add_months(first, m);
        let difficulty = i.difficulty * libm::pow(diff_monthly, f64::from(m));
        let price = i.btc_price_usd * libm::pow(price_monthly, f64::from(m));
        let reward = subsidy_btc(estimated_height(month)) + i.fees_btc_per_block;
        let mining_revenue =
            expected_btc_per_day(hashrate_hs, difficulty, reward) * DAYS_PER_MONTH * price;
        let mining_cash = mining_revenue - monthly_power_usd;
        let load = if m < i.build_months {
            0.0
        } else if i.ramp_months == 0 {
            1.0
        } else {
            ((m - i.build_months + 1) as f64 / i.ramp_months as f64).min(1.0)
        };
        let ai_cash = load * (ai_full_month - ai_power_month);
        cum_mining += mining_cash;
        cum_ai += ai_cash;
        if payback.is_none() && cum_ai >= cum_mining {
            payback = Some(m + 1);
        }
        months.push(ConversionMonth {
            month,
            mining_cash_usd: mining_cash,
            ai_cash_usd: ai_cash,
            cumulative_mining_usd: cum_mining,
            cumulative_ai_usd: cum_ai,
            mining_revenue_usd: mining_revenue,
            ai_revenue_usd: load * ai_full_month,
        });
    }
    let first_year: Vec<_> = months.iter().take(12).collect();
    let mining_revenue_first_year: f64 = first_year
        .iter()
        .map(|m| m.mining_cash_usd + monthly_power_usd)
        .sum();
    Ok(ConversionResult {
        payback_months: payback,
        capex_usd: capex,
        mining_revenue_first_year_usd: mining_revenue_first_year,
        mining_margin_first_year_usd: first_year.iter().map(|m| m.mining_cash_usd).sum(),
        ai_revenue_full_year_usd: ai_full_month * 12.0,
        ai_margin_full_year_usd: (ai_full_month - ai_power_month) * 12.0,
        gpus,
        critical_it_mw,
        months,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn base() -> ConversionInputs {
        ConversionInputs {
            start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            horizon_months: 60,
            site_mw: 100.0,
            power_usd_per_kwh: 0.04,
            asic_id: "S21",
            mining_pue: 1.0,
            btc_price_usd: 100_000.0,
            btc_price_change_pct_per_year: 0.0,
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

    #[test]
    fn mining_month_matches_the_hashprice_by_hand() {
        let r = compare(&ConversionInputs {
            difficulty_growth_pct_per_month: 0.0,
            ..base()
        })
        .unwrap();
        // 100 MW of S21s = 5.714 EH/s; $62.86/PH/day × 5,714 PH × 30.4375 days = $10.93 M; power
        // 100 MW × 730.5 h × $40/MWh = $2.922 M.
        let m0 = r.months[0];
        assert!(
            (m0.mining_cash_usd - (62.8643 * 5714.2857 * 30.4375 - 2_922_000.0)).abs() < 100.0,
            "{}",
            m0.mining_cash_usd
        );
        // The April 2028 halving halves mining revenue (flat difficulty and price here).
        let before = r
            .months
            .iter()
            .find(|m| m.month == NaiveDate::from_ymd_opt(2028, 3, 1).unwrap())
            .unwrap();
        let after = r
            .months
            .iter()
            .find(|m| m.month == NaiveDate::from_ymd_opt(2028, 6, 1).unwrap())
            .unwrap();
        assert!(
            ((after.mining_cash_usd + 2_922_000.0) / (before.mining_cash_usd + 2_922_000.0) - 0.5)
                .abs()
                < 1e-9
        );
    }

    #[test]
    fn colocation_pays_back_after_build_and_ramp() {
        let r = compare(&base()).unwrap();
        // 80 MW critical × $130/kW-month = $10.4 M/month; capex $300 M.
        assert!((r.ai_revenue_full_year_usd - 124.8e6).abs() < 1.0);
        assert_eq!(r.capex_usd, 300e6);
        assert!(r.months[..12].iter().all(|m| m.ai_cash_usd == 0.0));
        let p = r.payback_months.expect("pays back within five years");
        assert!(p > 18 && p <= 60, "{p}");
    }

    #[test]
    fn payback_shortens_as_the_lease_price_rises() {
        let mut last = u32::MAX;
        for price in [120.0, 150.0, 180.0, 220.0] {
            let p = compare(&ConversionInputs {
                ai: AiOffer::Colocation {
                    usd_per_kw_month: price,
                },
                ..base()
            })
            .unwrap()
            .payback_months
            .unwrap_or(u32::MAX);
            assert!(p <= last, "{price}: {p} after {last}");
            last = p;
        }
        assert!(last < u32::MAX);
    }

    #[test]
    fn gpu_hours_count_the_gpus_that_fit_and_their_capex() {
        let ai = AiOffer::GpuHours {
            gpu_id: "H100-SXM",
            usd_per_gpu_hour: 2.0,
            utilisation: 0.8,
            gpu_capex_usd: 30_000.0,
        };
        let r = compare(&ConversionInputs { ai, ..base() }).unwrap();
        // 100 MW / (1,275 W × 1.25) = 62,745 GPUs.
        assert_eq!(r.gpus, 62_745.0);
        assert!((r.capex_usd - (300e6 + 62_745.0 * 30_000.0)).abs() < 1.0);
        assert!(r.ai_margin_full_year_usd < r.ai_revenue_full_year_usd);
    }

    #[test]
    fn bad_inputs_are_named() {
        assert_eq!(
            compare(&ConversionInputs {
                site_mw: 0.0,
                ..base()
            })
            .unwrap_err()
            .field,
            "site_mw"
        );
        assert_eq!(
            compare(&ConversionInputs {
                asic_id: "S9",
                ..base()
            })
            .unwrap_err()
            .field,
            "asic"
        );
        assert_eq!(
            compare(&ConversionInputs {
                horizon_months: 0,
                ..base()
            })
            .unwrap_err()
            .field,
            "horizon_months"
        );
    }
}
