//! Revenue economics over the seam: the overview, revenue series and the mining estimate.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
pub use super::overview_page::OverviewPage;
use crate::model::company::range::TimeRange;
use crate::model::mining::rewards::{MiningEstimate, MiningInputs};

/// Longest `/revenue` window, days (ten years of daily rows per site).
pub const MAX_REVENUE_DAYS: i64 = 3_660;
/// Days the sector's KPIs cover, ending today.
pub const KPI_WINDOW_DAYS: i64 = 30;

/// `POST /estimate/mining` body (API.md); optional fields take the defaults the response echoes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MiningEstimateRequest {
    pub hashrate_ths: f64,
    pub difficulty: f64,
    pub btc_price_usd: f64,
    pub block_height: Option<u64>,
    pub subsidy_btc: Option<f64>,
    pub fees_btc_per_block: Option<f64>,
    pub pool_fee_pct: Option<f64>,
    pub power_w: Option<f64>,
    pub power_cost_usd_per_kwh: Option<f64>,
}

/// `POST /estimate/mining` response: the inputs as used, then the estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MiningEstimateResponse {
    pub hashrate_ths: f64,
    pub difficulty: f64,
    pub btc_price_usd: f64,
    /// The height the subsidy came from; `None` when `subsidy_btc` was given.
    pub block_height: Option<u64>,
    pub fees_btc_per_block: f64,
    pub pool_fee_pct: f64,
    pub power_w: f64,
    pub power_cost_usd_per_kwh: f64,
    #[serde(flatten)]
    pub estimate: MiningEstimate,
}

impl MiningEstimateRequest {
    /// Applies defaults; `current_height` is used when neither height nor subsidy is given.
    pub fn resolve(&self, current_height: u64) -> (MiningInputs, Option<u64>) {
        let height = match self.subsidy_btc {
            Some(_) => None,
            None => Some(self.block_height.unwrap_or(current_height)),
        };
        let inputs = MiningInputs {
            hashrate_ths: self.hashrate_ths,
            difficulty: self.difficulty,
            btc_price_usd: self.btc_price_usd,
            subsidy_btc: self.subsidy_btc.unwrap_or_else(|| {
                crate::model::mining::chain::subsidy_btc(height.unwrap_or(current_height))
            }),
            fees_btc_per_block: self.fees_btc_per_block.unwrap_or(0.0),
            pool_fee_pct: self.pool_fee_pct.unwrap_or(0.0),
            power_w: self.power_w.unwrap_or(0.0),
            power_cost_usd_per_kwh: self.power_cost_usd_per_kwh.unwrap_or(0.0),
        };
        (inputs, height)
    }

    /// The estimate, with the inputs echoed.
    pub fn estimate(&self, current_height: u64) -> Result<MiningEstimateResponse, ApiError> {
        let (i, block_height) = self.resolve(current_height);
        let estimate = crate::model::mining::rewards::estimate(&i)?;
        Ok(MiningEstimateResponse {
            hashrate_ths: i.hashrate_ths,
            difficulty: i.difficulty,
            btc_price_usd: i.btc_price_usd,
            block_height,
            fees_btc_per_block: i.fees_btc_per_block,
            pool_fee_pct: i.pool_fee_pct,
            power_w: i.power_w,
            power_cost_usd_per_kwh: i.power_cost_usd_per_kwh,
            estimate,
        })
    }
}

/// (ssr) Services-level operations shared by server functions and the `/api/v1` handlers.
#[cfg(feature = "ssr")]
pub mod service {
    use super::*;
    use crate::api::ports::Services;
    use crate::model::company::revenue::{site_series, RevenueDay};
    use crate::model::investor::overview::{overview, MarketFeedStatus, Observed, Overview};
    use crate::model::mining::projection::Scenario;
    use chrono::NaiveDate;

    /// Market days from `from` through today. When the window holds no day (the market
    /// source stopped before it, e.g. the simulator is off), the last known day is included so
    /// the projection has a starting point.
    async fn history_through_today(
        svc: &Services,
        from: NaiveDate,
        today: NaiveDate,
    ) -> Result<Vec<crate::model::mining::market::MarketDay>, ApiError> {
        let mut history = svc.market.days(from.min(today), today).await?;
        if history.is_empty() {
            if let Some(last) = svc.market.last_real_day().await?.filter(|d| *d <= today) {
                history = svc.market.days(last, last).await?;
            }
        }
        Ok(history)
    }

    /// Refuses a reversed window or one longer than [`MAX_REVENUE_DAYS`].
    pub fn check_window(from: NaiveDate, to: NaiveDate) -> Result<(), ApiError> {
        if from > to {
            return Err(ApiError::InvalidInput(format!(
                "from ({from}) is after to ({to})"
            )));
        }
        if (to - from).num_days() >= MAX_REVENUE_DAYS {
            return Err(ApiError::InvalidInput(format!(
                "the range may span at most {MAX_REVENUE_DAYS} days"
            )));
        }
        Ok(())
    }

    /// Telemetry and pool payouts for `[from, to]` (history days only), and the forward curve
    /// the projection is priced on.
    pub async fn observed(
        svc: &Services,
        sites: &[crate::model::company::site::Site],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Observed, ApiError> {
        let forward = svc.market.forward_curve().await?;
        if from > to {
            return Ok(Observed {
                forward,
                ..Observed::default()
            });
        }
        let groups = svc.fleet.site_days(from, to).await?;
        let paid = svc.pools.rewards(from, to, None).await?;
        let (power, power_notes) =
            crate::api::interval_power::interval_power(svc, sites, from, to).await?;
        Ok(Observed {
            telemetry: crate::model::mining::measured::by_site(&groups, sites),
            pool_paid: crate::model::mining::pool::paid_by_site_day(&paid),
            power,
            power_notes,
            sla_credits: sla_credits(svc, sites, from, to).await?,
            forward,
            reported: svc.sites.reported_months(from, to).await?,
        })
    }

    /// The SLA credits owed in `[from, to]` per (day, site): each measured month's credit
    /// spread evenly over the days its fee covers.
    async fn sla_credits(
        svc: &Services,
        sites: &[crate::model::company::site::Site],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<std::collections::BTreeMap<(NaiveDate, String), f64>, ApiError> {
        use crate::model::ai::sla::{ledger_row, month_of};
        let mut out = std::collections::BTreeMap::new();
        let with_sla: Vec<(&crate::model::ai::lease::LeaseContract, usize)> = sites
            .iter()
            .flat_map(|s| s.contracts.iter().map(move |c| (c, s.contracts.len())))
            .filter(|(c, _)| c.sla.is_some())
            .collect();
        for (c, leases) in with_sla {
            // Whole months: availability is a month's figure even when the window starts mid-month.
            for (month, measure) in svc
                .fleet
                .sla_measures(c, leases, month_of(from).0, to)
                .await?
            {
                let (first, days) = month_of(month);
                let through = (first + chrono::Duration::days(i64::from(days) - 1)).min(to);
                let row = ledger_row(c, first, through, svc.clock.now(), Some(measure));
                if row.credit_usd <= 0.0 {
                    continue;
                }
                let n = (through - first).num_days() + 1;
                for i in 0..n {
                    let day = first + chrono::Duration::days(i);
                    *out.entry((day, c.site_id.clone())).or_insert(0.0) +=
                        row.credit_usd / n as f64;
                }
            }
        }
        Ok(out)
    }

    /// Where the live market figures stand, when a feed is configured.
    pub async fn market_feed_status(svc: &Services) -> Result<Option<MarketFeedStatus>, ApiError> {
        let Some(host) = svc.market_feed.clone() else {
            return Ok(None);
        };
        let fetched = svc.market.newest_live().await?.map(|(_, at)| at);
        Ok(Some(MarketFeedStatus::new(host, fetched, svc.clock.now())))
    }

    /// The overview for `range` around today as every request shares it (without the live
    /// fleet summary).
    async fn shared_overview(
        svc: &Services,
        range: TimeRange,
    ) -> Result<std::sync::Arc<Overview>, ApiError> {
        let today = svc.clock.today();
        svc.overview_cache
            .overview(
                range,
                (today, svc.clock.now()),
                compute_overview(svc, range, today),
            )
            .await
    }

    /// The overview for `range` around today: the figures shared through the cache, with the
    /// live fleet summary of this moment.
    pub async fn load_overview(svc: &Services, range: TimeRange) -> Result<Overview, ApiError> {
        let mut o = Overview::clone(&*shared_overview(svc, range).await?);
        o.telemetry = live_fleet(svc).await;
        Ok(o)
    }

    /// What the overview page receives, shared between requests like the overview itself.
    pub async fn load_overview_page(
        svc: &Services,
        range: TimeRange,
        lang: crate::i18n::Lang,
    ) -> Result<OverviewPage, ApiError> {
        let build = async {
            let shared = shared_overview(svc, range).await?;
            let mut page = OverviewPage::new(Overview::clone(&shared), lang);
            page.power = crate::api::power::service::overview_panel(svc, lang).await?;
            page.risk = risk_panel(svc, &shared, lang).await;
            page.kpis = Some(sector_kpis(svc, None).await?);
            let marks = crate::api::risk::service::lease_marks(svc).await?;
            page.leases = marks.marks;
            page.below_market_alert_pct = marks.threshold_pct;
            page.sites = svc.sites.list_sites().await?.len();
            Ok::<_, ApiError>(page)
        };
        let page = svc
            .overview_cache
            .page((range, lang), (svc.clock.today(), svc.clock.now()), build)
            .await?;
        let mut page = OverviewPage::clone(&page);
        page.overview.telemetry = live_fleet(svc).await;
        Ok(page)
    }

    /// The sector's KPIs over the last [`KPI_WINDOW_DAYS`] days for `only` those sites (every
    /// site when `None`), from the same cached revenue rows the pages show.
    pub async fn sector_kpis(
        svc: &Services,
        only: Option<&[crate::model::company::site::Site]>,
    ) -> Result<crate::model::investor::sector_kpis::SectorKpis, ApiError> {
        let today = svc.clock.today();
        let from = today - chrono::Duration::days(KPI_WINDOW_DAYS - 1);
        let sites = match only {
            Some(s) => s.to_vec(),
            None => svc.sites.list_sites().await?,
        };
        let rows: Vec<_> = load_revenue(svc, from, today, None)
            .await?
            .into_iter()
            .filter(|r| sites.iter().any(|s| s.id == r.site))
            .collect();
        let market = svc.market.days(from, today).await?;
        Ok(crate::model::investor::sector_kpis::sector_kpis(
            &sites, &rows, &market, today,
        ))
    }

    /// The overview's fan: 2,000 seeded paths over 36 months, on the history's dynamics. Too
    /// little history leaves the panel out rather than failing the page.
    async fn risk_panel(
        svc: &Services,
        o: &Overview,
        lang: crate::i18n::Lang,
    ) -> Option<crate::api::overview_page::RiskPanel> {
        let q = crate::api::risk::RiskQuery {
            range: Some("36m".into()),
            paths: Some(2_000),
            ..Default::default()
        };
        match crate::api::risk::service::risk(svc, &q).await {
            Ok(report) => Some(crate::api::overview_page::RiskPanel::new(
                crate::api::overview_page::RiskFigures {
                    months: &report.months,
                    paths: report.paths,
                    dynamics: report.dynamics,
                    source: &report.source,
                },
                o.forward.clone(),
                o.simulated,
                lang,
            )),
            Err(e) => {
                leptos::logging::log!("overview: no risk bands: {e}");
                None
            }
        }
    }

    /// What the polled devices deliver right now (not cached: the stream moves it every cycle).
    async fn live_fleet(svc: &Services) -> Option<crate::model::fleet::devices::FleetSummary> {
        let fleet = svc.fleet.summary().await;
        (fleet.devices > 0).then_some(fleet)
    }

    async fn compute_overview(
        svc: &Services,
        range: TimeRange,
        today: NaiveDate,
    ) -> Result<Overview, ApiError> {
        let (from, _) = range.window(today);
        let sites = svc.sites.list_sites().await?;
        let history = history_through_today(svc, from, today).await?;
        let as_of = svc.market.last_real_day().await?;
        let observed = observed(svc, &sites, from.min(today), today).await?;
        let mut o = overview(
            &sites,
            &history,
            today,
            range,
            &Scenario::default(),
            as_of,
            &observed,
        )
        .ok_or_else(|| ApiError::NotFound("no market figures up to today".into()))?;
        o.fleet_simulated = svc.fleet_simulated;
        // History measured on simulated machines is simulated too.
        o.simulated |= svc.fleet_simulated && o.measured_days > 0;
        o.market_feed = market_feed_status(svc).await?;
        o.annotations = crate::model::timeline::annotation::AnnotationMarker::within(
            &svc.timeline.annotations().await?,
            o.from,
            o.to,
        );
        Ok(o)
    }

    /// Daily revenue rows per site in `[from, to]`; days after today are projected.
    pub async fn load_revenue(
        svc: &Services,
        from: NaiveDate,
        to: NaiveDate,
        site: Option<&str>,
    ) -> Result<Vec<RevenueDay>, ApiError> {
        check_window(from, to)?;
        let today = svc.clock.today();
        if let Some(id) = site {
            if !svc.sites.list_sites().await?.iter().any(|s| s.id == id) {
                return Err(ApiError::NotFound(format!("site {id}")));
            }
        }
        let all = svc
            .overview_cache
            .revenue(
                (from, to),
                (today, svc.clock.now()),
                all_sites_revenue(svc, from, to, today),
            )
            .await?;
        Ok(all
            .iter()
            .filter(|r| site.is_none_or(|id| r.site == id))
            .cloned()
            .collect())
    }

    /// Every site's daily rows for `[from, to]` from the data as it is now — the overview's
    /// figures (interval-priced power included), never a cached copy: what a month closes on.
    pub async fn revenue_rows(
        svc: &Services,
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
    ) -> Result<Vec<RevenueDay>, ApiError> {
        let mut rows = all_sites_revenue(svc, from, to, today).await?;
        let sites = svc.sites.list_sites().await?;
        let (power, _) =
            crate::api::interval_power::interval_power(svc, &sites, from, to.min(today)).await?;
        crate::model::power::days::apply(&mut rows, &power);
        Ok(rows)
    }

    async fn all_sites_revenue(
        svc: &Services,
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
    ) -> Result<Vec<RevenueDay>, ApiError> {
        let sites = svc.sites.list_sites().await?;
        let history = history_through_today(svc, from, today).await?;
        let window = crate::model::investor::overview::market_window(
            &history,
            today,
            from,
            to,
            &Scenario::default(),
        );
        let observed = observed(svc, &sites, from, to.min(today)).await?;
        let mut rows = site_series(&sites, &window, &observed.telemetry);
        crate::model::company::revenue::attach_pool_payouts(&mut rows, &observed.pool_paid);
        crate::model::company::revenue::apply_sla_credits(&mut rows, &observed.sla_credits);
        crate::model::investor::reported::apply(&mut rows, &observed.reported);
        if let Some(curve) = &observed.forward {
            crate::model::mining::forwards::apply(&mut rows, &sites, curve);
        }
        Ok(rows)
    }

    /// The mining estimate with the current height from the clock.
    pub fn estimate_mining(
        svc: &Services,
        req: &MiningEstimateRequest,
    ) -> Result<MiningEstimateResponse, ApiError> {
        req.estimate(crate::model::mining::chain::estimated_height(
            svc.clock.today(),
        ))
    }
}

/// The executive overview for a time range.
#[server(endpoint = "get_overview")]
pub async fn get_overview(
    range: TimeRange,
    // Callers that do not say get English (the charts' words are in the answer).
    #[server(default)] lang: crate::i18n::Lang,
) -> Result<OverviewPage, ApiError> {
    super::server_fn::run(super::auth::Role::Viewer, move |svc, _| async move {
        service::load_overview_page(&svc, range, lang).await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req() -> MiningEstimateRequest {
        MiningEstimateRequest {
            hashrate_ths: 200.0,
            difficulty: 100e12,
            btc_price_usd: 100_000.0,
            block_height: None,
            subsidy_btc: None,
            fees_btc_per_block: None,
            pool_fee_pct: None,
            power_w: None,
            power_cost_usd_per_kwh: None,
        }
    }

    #[test]
    fn defaults_are_echoed_and_height_sets_the_subsidy() {
        let r = req().estimate(900_000).unwrap();
        assert_eq!(r.block_height, Some(900_000));
        assert_eq!(r.estimate.subsidy_btc, 3.125);
        assert_eq!(
            (r.fees_btc_per_block, r.pool_fee_pct, r.power_w),
            (0.0, 0.0, 0.0)
        );
        let after = MiningEstimateRequest {
            block_height: Some(1_050_000),
            ..req()
        }
        .estimate(900_000)
        .unwrap();
        assert_eq!(after.estimate.subsidy_btc, 1.5625);
        assert!((after.estimate.btc_per_day * 2.0 - r.estimate.btc_per_day).abs() < 1e-12);
        let explicit = MiningEstimateRequest {
            subsidy_btc: Some(6.25),
            ..req()
        }
        .estimate(900_000)
        .unwrap();
        assert_eq!(explicit.block_height, None);
        assert_eq!(explicit.estimate.subsidy_btc, 6.25);
    }

    #[test]
    fn response_json_has_the_api_md_fields_flat() {
        let v = serde_json::to_value(req().estimate(900_000).unwrap()).unwrap();
        for k in [
            "network_hashrate_ehs",
            "btc_per_day",
            "revenue_usd_per_day",
            "hashprice_usd_per_ph_day",
            "power_cost_usd_per_day",
            "margin_usd_per_day",
            "efficiency_j_per_th",
            "subsidy_btc",
            "breakeven_power_cost_usd_per_kwh",
            "pool_fee_pct",
        ] {
            assert!(v.get(k).is_some(), "missing {k}");
        }
    }
}
