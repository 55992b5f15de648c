//! Mark-to-market of GPU-hour leases: each contract's rate against the rental index for its GPU
//! model, what the gap is worth a month, and whether a contract up for renewal soon is priced
//! below the market by more than the threshold. Pure.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::ai::lease::{LeaseContract, LeaseTerms, DAYS_PER_MONTH};
use crate::model::mining::forwards::{latest_quote, GpuIndexQuote};

/// A contract ending within this many days is "up for renewal".
pub const RENEWAL_WINDOW_DAYS: i64 = 90;

/// One GPU-hour contract against the market.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LeaseMark {
    pub contract_id: String,
    pub site_id: String,
    pub tenant: String,
    /// `None` when the contract names no GPU model.
    pub gpu_model: Option<String>,
    pub gpus: u32,
    pub contract_usd_per_gpu_hour: f64,
    /// The index quote it is marked against, when the index has the model.
    pub index: Option<GpuIndexQuote>,
    /// (contract − index) × GPUs × utilisation × hours in an average month: above the market
    /// when positive.
    pub vs_market_usd_per_month: Option<f64>,
    /// Contract ÷ index − 1, %.
    pub vs_market_pct: Option<f64>,
    pub end_on: Option<NaiveDate>,
    /// Days until the contract ends, when it ends and has not yet.
    pub renews_in_days: Option<i64>,
    /// Up for renewal within [`RENEWAL_WINDOW_DAYS`] and below the market by more than the
    /// threshold.
    pub alert: bool,
}

/// Every GPU-hour contract in `contracts` in force or yet to start on `today`, marked against
/// the newest quote on or before `today`; `threshold_pct` is how far below the market a
/// renewing contract may be before it alerts.
pub fn mark<'a>(
    contracts: impl IntoIterator<Item = &'a LeaseContract>,
    quotes: &[GpuIndexQuote],
    today: NaiveDate,
    threshold_pct: f64,
) -> Vec<LeaseMark> {
    contracts
        .into_iter()
        .filter(|c| c.end_on.is_none_or(|end| end >= today))
        .filter_map(|c| {
            let LeaseTerms::GpuHours {
                gpus,
                usd_per_gpu_hour,
                utilisation,
                gpu_model,
                ..
            } = &c.terms
            else {
                return None;
            };
            let index = gpu_model
                .as_deref()
                .and_then(|m| latest_quote(quotes, m, today))
                .cloned();
            let hours = 24.0 * DAYS_PER_MONTH * utilisation * f64::from(*gpus);
            let gap = index
                .as_ref()
                .map(|q| (usd_per_gpu_hour - q.usd_per_gpu_hour) * hours);
            let pct = index
                .as_ref()
                .map(|q| (usd_per_gpu_hour / q.usd_per_gpu_hour - 1.0) * 100.0);
            let renews_in_days = c.end_on.map(|end| (end - today).num_days());
            Some(LeaseMark {
                contract_id: c.id.clone(),
                site_id: c.site_id.clone(),
                tenant: c.tenant.clone(),
                gpu_model: gpu_model.clone(),
                gpus: *gpus,
                contract_usd_per_gpu_hour: *usd_per_gpu_hour,
                alert: renews_in_days.is_some_and(|d| d <= RENEWAL_WINDOW_DAYS)
                    && pct.is_some_and(|p| p < -threshold_pct),
                index,
                vs_market_usd_per_month: gap,
                vs_market_pct: pct,
                end_on: c.end_on,
                renews_in_days,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn gpu_contract(id: &str, rate: f64, end_on: Option<NaiveDate>) -> LeaseContract {
        LeaseContract {
            register: Default::default(),
            id: id.into(),
            site_id: "s".into(),
            tenant: "t".into(),
            terms: LeaseTerms::GpuHours {
                gpus: 1_000,
                usd_per_gpu_hour: rate,
                utilisation: 0.8,
                server_kw_per_gpu: 1.2,
                gpu_model: Some("H100 SXM".into()),
            },
            start_on: d(2026, 1, 1),
            ramp_months: 0,
            end_on,
            power_pass_through: false,
            sla: None,
            devices: Vec::new(),
        }
    }

    #[test]
    fn a_contract_is_marked_against_its_models_latest_quote() {
        let quotes = vec![GpuIndexQuote {
            date: d(2026, 12, 1),
            gpu_model: "h100-sxm".into(),
            usd_per_gpu_hour: 2.0,
            source: "import:x".into(),
        }];
        let today = d(2026, 12, 4);
        let c = [
            // 60 days left, 10 % below a $2.00 market: alerts at a 5 % threshold.
            gpu_contract("low", 1.8, Some(d(2027, 2, 2))),
            // Below the market too, but a year left: no alert.
            gpu_contract("long", 1.8, Some(d(2027, 12, 4))),
            gpu_contract("high", 2.5, Some(d(2027, 1, 1))),
            gpu_contract("ended", 1.0, Some(d(2026, 12, 3))),
        ];
        let m = mark(&c, &quotes, today, 5.0);
        assert_eq!(m.len(), 3, "an ended contract is not marked");
        // (1.80 − 2.00) × 1,000 GPUs × 0.8 × 24 h × 30.4375 days = −$116,880 a month.
        assert!((m[0].vs_market_usd_per_month.unwrap() + 116_880.0).abs() < 1e-6);
        assert!((m[0].vs_market_pct.unwrap() + 10.0).abs() < 1e-9);
        assert_eq!(m[0].renews_in_days, Some(60));
        assert!(m[0].alert);
        assert!(!m[1].alert, "a year from renewal");
        assert!(!m[2].alert && m[2].vs_market_usd_per_month.unwrap() > 0.0);
        assert!(
            !mark(&c[..1], &quotes, today, 15.0)[0].alert,
            "within the threshold"
        );
        assert!(mark(&c[..1], &[], today, 5.0)[0].index.is_none());
    }
}
