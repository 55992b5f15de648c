//! Risk bands over the seam: the seeded Monte Carlo of `model::investor::risk` run on the sites'
//! schedules and contracts, with dynamics estimated from the stored market history.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use crate::model::investor::risk_report::RiskReport;

/// `range` (`12m`, `24m`, `36m`), `paths` (100–10,000) and `seed`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
pub struct RiskQuery {
    /// Months ahead: `12m`, `24m` or `36m` (default).
    pub range: Option<String>,
    /// Simulated paths, 100 to 10,000 (default 2,000).
    pub paths: Option<usize>,
    /// The seed: the same seed gives the same bands (default 1).
    pub seed: Option<u64>,
    /// BTC's volatility per year instead of the history's (0 to 3; 0.6 = 60 %).
    pub btc_vol: Option<f64>,
    /// BTC's drift per year instead of the history's (−2 to 2).
    pub btc_drift: Option<f64>,
}

/// What `GET /api/v1/leases/mark-to-market` answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LeaseMarks {
    pub as_of: NaiveDate,
    /// A lease ending within 90 days alerts this many percent or more below its index.
    pub threshold_pct: f64,
    /// Every GPU-hour contract not yet ended; `index` is `null` where the index has no quote
    /// for the contract's GPU model (or it names none).
    pub marks: Vec<crate::model::ai::mark_to_market::LeaseMark>,
}

/// How far back the dynamics are estimated, days.
pub const ESTIMATION_DAYS: i64 = 365;
/// σ of GPU-hour utilisation assumed month to month.
pub const GPU_UTILISATION_VOL: f64 = 0.08;

/// (ssr) The report for `q`.
#[cfg(feature = "ssr")]
pub mod service {
    use super::*;
    use crate::api::error::ApiError;
    use crate::api::ports::Services;
    use crate::model::investor::risk::simulate;
    use crate::model::investor::risk_inputs::{
        estimate, estimation_window, months, power_costs, Pricing,
    };

    /// Every GPU-hour lease against the newest index quotes for its GPU model.
    pub async fn lease_marks(svc: &Services) -> Result<LeaseMarks, ApiError> {
        let today = svc.clock.today();
        let sites = svc.sites.list_sites().await?;
        let quotes = svc.market.gpu_quotes(today).await?;
        Ok(LeaseMarks {
            as_of: today,
            threshold_pct: svc.below_market_alert_pct,
            marks: crate::model::ai::mark_to_market::mark(
                sites.iter().flat_map(|s| &s.contracts),
                &quotes,
                today,
                svc.below_market_alert_pct,
            ),
        })
    }

    /// The report for `q`, shared while the data and the minute are the same (the cache is the
    /// overview's, so a write that changes what the overview shows recomputes it too); the
    /// Monte Carlo itself runs on the bounded pool (`Services::workers`).
    pub async fn risk(svc: &Services, q: &RiskQuery) -> Result<RiskReport, ApiError> {
        let key = (
            q.range.clone(),
            q.paths,
            q.seed,
            q.btc_vol.map(f64::to_bits),
            q.btc_drift.map(f64::to_bits),
        );
        let at = (svc.clock.today(), svc.clock.now());
        let report = svc
            .overview_cache
            .risk(key, at, compute_risk(svc, q))
            .await?;
        Ok((*report).clone())
    }

    async fn compute_risk(svc: &Services, q: &RiskQuery) -> Result<RiskReport, ApiError> {
        let count = match q.range.as_deref().unwrap_or("36m") {
            "12m" => 12,
            "24m" => 24,
            "36m" => 36,
            other => {
                return Err(ApiError::InvalidInput(format!(
                    "range: 12m, 24m or 36m, not {other:?}"
                )))
            }
        };
        let paths = q.paths.unwrap_or(2_000);
        if !(100..=10_000).contains(&paths) {
            return Err(ApiError::InvalidInput(format!(
                "paths: 100 to 10000, not {paths}"
            )));
        }
        let seed = q.seed.unwrap_or(1);
        let today = svc.clock.today();
        let (from, to) = estimation_window(today, ESTIMATION_DAYS);
        let history = svc.market.days(from, to).await?;
        let mut dynamics = estimate(&history, GPU_UTILISATION_VOL).ok_or_else(|| {
            ApiError::InvalidInput(format!(
                "not enough stored market history before {today} to estimate volatility (60 days at least)"
            ))
        })?;
        // A scenario's own figures replace the history's.
        if let Some(v) = q.btc_vol {
            if !(0.0..=3.0).contains(&v) {
                return Err(ApiError::InvalidInput(format!(
                    "btc_vol: 0 to 3 per year, not {v}"
                )));
            }
            dynamics.btc_vol_per_year = v;
        }
        if let Some(m) = q.btc_drift {
            if !(-2.0..=2.0).contains(&m) {
                return Err(ApiError::InvalidInput(format!(
                    "btc_drift: -2 to 2 per year, not {m}"
                )));
            }
            dynamics.btc_drift_per_year = m;
        }
        let last = history.last().expect("estimate needs history");
        let sites = svc.sites.list_sites().await?;
        let forward = svc.market.forward_curve().await?;
        // Sites with interval-priced history pay what the last year of prices cost them.
        let (costed, _) = crate::api::interval_power::interval_power(
            svc,
            &sites,
            today - chrono::Duration::days(ESTIMATION_DAYS - 1),
            today,
        )
        .await?;
        let power = power_costs(&sites, &costed);
        let inputs = months(
            &sites,
            today.max(last.date),
            last.date,
            count,
            last.fees_btc_per_block,
            Pricing {
                forward: forward.as_ref(),
                power: Some(&power),
            },
        );
        let sources: std::collections::BTreeSet<&str> =
            history.iter().map(|d| d.source.as_str()).collect();
        Ok(RiskReport {
            as_of: last.date,
            paths,
            seed,
            estimated_over_days: (last.date - history[0].date).num_days(),
            source: format!(
                "modelled: Monte Carlo over {} days of {} prices{}{}",
                history.len(),
                sources.into_iter().collect::<Vec<_>>().join(" + "),
                if power.is_empty() {
                    String::new()
                } else {
                    let ids: Vec<&str> = power.keys().map(String::as_str).collect();
                    format!("; power at its terms' prices for {}", ids.join(", "))
                },
                match &forward {
                    Some(curve) => format!("; mining priced on {}", curve.label(today)),
                    None => String::new(),
                }
            ),
            months: {
                let dynamics = dynamics.clone();
                crate::api::ports::compute(svc.workers.as_ref(), move || {
                    simulate(&inputs, &dynamics, paths, seed)
                })
                .await?
            },
            dynamics,
            power,
        })
    }
}
