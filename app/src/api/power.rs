//! Power markets over the seam: a site's interval prices, its curtailment backtest (with 4CP,
//! demand response and the flexibility a conversion gives up), and its power terms.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::model::power::contract::IntervalPrice;
use crate::model::power::curtailment::SitePower;
use crate::model::power::curtailment::{CurtailmentRow, CurtailmentTotal};

/// Longest backtest window, days.
pub const MAX_POWER_DAYS: i64 = 366;

/// `GET /power/prices` and `/curtailment` query: a site and an inclusive UTC date range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
pub struct PowerQuery {
    pub site: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Curtail above this $/MWh instead of the site's own strike (or breakeven).
    #[serde(default)]
    pub strike: Option<f64>,
    /// `interval` (default), `day` or `month` rows.
    #[serde(default)]
    pub group: Option<String>,
}

/// A site's interval prices with where they came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PowerPrices {
    pub site: String,
    /// The settlement point (none for a fixed-price site).
    pub point: Option<String>,
    /// `import:FILE`, `feed:HOST`, `simulated`, or `fixed` for a fixed-price contract.
    pub source: String,
    pub fetched_at: Option<DateTime<Utc>>,
    pub intervals: Vec<IntervalPrice>,
}

/// What the backtest mined with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BacktestLoad {
    pub mining_mw: f64,
    pub j_per_th: f64,
    /// `measured` (the site's polled ASICs) or `catalogue` (its fleet's nameplate).
    pub efficiency_source: String,
}

/// A site's curtailment backtest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CurtailmentReport {
    pub site: String,
    pub point: Option<String>,
    pub contract: crate::model::power::contract::ContractKind,
    pub load: BacktestLoad,
    /// Where the prices came from (see `PowerPrices::source`).
    pub price_source: String,
    /// Hashprice per day comes from the stored market days (`bundled`, `live`, `simulated`).
    pub hashprice_source: String,
    /// Interval rows (`group=interval`), else empty.
    pub rows: Vec<CurtailmentRow>,
    /// Per day (`group=day`) or month (`group=month`); the whole window's total otherwise.
    pub totals: Vec<CurtailmentTotal>,
    /// Mining's net margin curtailing vs running through every interval, $.
    pub margin_curtailing_usd: f64,
    pub margin_running_through_usd: f64,
    /// What curtailment adds: the first minus the second, $.
    pub curtailment_value_usd: f64,
    /// Coincident peaks in the window, how many the site sat out, and the transmission charge
    /// that avoids, $.
    pub four_cp_peaks: u32,
    pub four_cp_curtailed: u32,
    pub four_cp_avoided_usd: f64,
    /// Demand-response credits for the window, $: performance is the adherence telemetry shows
    /// where it covers the called hours, else the backtest's own.
    pub demand_response_usd: f64,
    /// Everything flexibility earns: curtailment + 4CP + demand response, $. A firm AI load
    /// earns none of it; converting the site gives it up.
    pub flexibility_value_usd: f64,
    /// The same MW as a firm load (every interval, spikes included), $ of power.
    pub firm_power_cost_usd: f64,
    /// The hours the model curtails against what the site's polled ASICs drew (measured).
    pub adherence: crate::model::power::curtailment::Adherence,
}

/// `PUT /sites/{id}/power` answer and `GET /power/sites` row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SitePowerRow {
    pub site: String,
    pub terms: SitePower,
}

/// One site's year at its stored prices: mining as it runs (curtailing, with its credits)
/// against the same MW as a firm AI load (the page adds the lease revenue the user enters).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SiteFlexibility {
    pub site: String,
    pub contract: crate::model::power::contract::ContractKind,
    pub point: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub mining_mw: f64,
    pub pue_ai: f64,
    /// Mining margin curtailing, plus 4CP and demand-response credits, $.
    pub mining_with_flexibility_usd: f64,
    pub flexibility_value_usd: f64,
    /// The site's MW drawn every interval, $.
    pub firm_power_cost_usd: f64,
    /// Intervals priced in the window.
    pub intervals: u32,
    /// Share of the model's curtailed hours the polled fleet really sat out, % (none without
    /// telemetry for them).
    pub adherence_percent: Option<f64>,
}

/// Every site with power terms, over the year through today (the calculator's comparison).
#[leptos::server(endpoint = "get_site_flexibility")]
pub async fn get_site_flexibility() -> Result<Vec<SiteFlexibility>, crate::api::error::ApiError> {
    crate::api::server_fn::run(crate::api::auth::Role::Viewer, |svc, _| async move {
        service::site_flexibility(&svc).await
    })
    .await
}

/// (ssr) Shared by the JSON handlers, the exports and the overview.
#[cfg(feature = "ssr")]
pub mod service {
    use std::collections::BTreeMap;

    use chrono::Duration;

    use super::*;
    use crate::api::error::ApiError;
    use crate::api::ports::Services;
    use crate::model::company::site::Site;
    use crate::model::fleet::devices::{DeviceKind, DeviceStatus};
    use crate::model::power::contract::PowerContract;
    use crate::model::power::curtailment::{self, MiningLoad};

    fn window(q: &PowerQuery) -> Result<(DateTime<Utc>, DateTime<Utc>), ApiError> {
        let days = (q.to - q.from).num_days() + 1;
        if days < 1 || days > MAX_POWER_DAYS {
            return Err(ApiError::InvalidInput(format!(
                "from/to: an inclusive range of 1 to {MAX_POWER_DAYS} days"
            )));
        }
        let start = crate::model::company::range::start_of_day(q.from);
        Ok((start, start + Duration::days(days)))
    }

    /// The site and its power terms, or a clear error.
    async fn site_and_terms(svc: &Services, id: &str) -> Result<(Site, SitePower), ApiError> {
        let site = svc
            .sites
            .list_sites()
            .await?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| ApiError::NotFound(format!("site {id}")))?;
        let terms = svc
            .power
            .site_terms()
            .await?
            .into_iter()
            .find(|(s, _)| s == id)
            .map(|(_, t)| t)
            .ok_or_else(|| {
                ApiError::InvalidInput(format!(
                    "site {id} has no power terms; set them with PUT /api/v1/sites/{id}/power"
                ))
            })?;
        Ok((site, terms))
    }

    /// The window's prices: the point's stored intervals, or a fixed price on every interval.
    async fn prices_for(
        svc: &Services,
        site: &str,
        contract: &PowerContract,
        (from, to): (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<PowerPrices, ApiError> {
        let Some(point) = contract.point() else {
            let PowerContract::Fixed { usd_per_mwh } = contract else {
                unreachable!("only a fixed contract has no point")
            };
            return Ok(PowerPrices {
                site: site.into(),
                point: None,
                source: "fixed".into(),
                fetched_at: None,
                intervals: crate::model::power::contract::fixed_intervals(from, to, *usd_per_mwh),
            });
        };
        let weighted = contract.energy_weighted();
        let intervals = svc.power.prices(point, weighted, from, to).await?;
        let (source, fetched_at) = match svc.power.price_source(point, weighted).await? {
            Some((source, at, _)) => (source, Some(at)),
            None => ("none".into(), None),
        };
        Ok(PowerPrices {
            site: site.into(),
            point: Some(point.into()),
            source,
            fetched_at,
            intervals,
        })
    }

    pub async fn load_prices(svc: &Services, q: &PowerQuery) -> Result<PowerPrices, ApiError> {
        let w = window(q)?;
        let (_, terms) = site_and_terms(svc, &q.site).await?;
        prices_for(svc, &q.site, &terms.contract, w).await
    }

    /// The site's mining efficiency: measured over its answering ASICs where polled.
    async fn efficiency(svc: &Services, site: &Site) -> (f64, &'static str) {
        let (mut w, mut ths) = (0.0, 0.0);
        for d in svc.fleet.devices().await {
            if d.site == site.id && d.kind == DeviceKind::Asic && d.status != DeviceStatus::Offline
            {
                if let (Some(p), Some(h)) = (d.power_w, d.hashrate_ths) {
                    w += p;
                    ths += h;
                }
            }
        }
        if ths > 0.0 {
            (w / ths, "measured")
        } else {
            (site.fleet_efficiency_j_per_th().unwrap_or(0.0), "catalogue")
        }
    }

    pub async fn load_curtailment(
        svc: &Services,
        q: &PowerQuery,
    ) -> Result<CurtailmentReport, ApiError> {
        let w = window(q)?;
        if q.strike.is_some_and(|s| !s.is_finite()) {
            return Err(ApiError::InvalidInput("strike: a number, $/MWh".into()));
        }
        let group = q.group.as_deref().unwrap_or("interval");
        if !["interval", "day", "month"].contains(&group) {
            return Err(ApiError::InvalidInput(
                "group: interval, day or month".into(),
            ));
        }
        let (site, terms) = site_and_terms(svc, &q.site).await?;
        let prices = prices_for(svc, &q.site, &terms.contract, w).await?;
        let days = svc.market.days(q.from - Duration::days(7), q.to).await?;
        let hashprice: BTreeMap<NaiveDate, f64> = days
            .iter()
            .map(|d| (d.date, d.hashprice_usd_per_ph_day() / 1_000.0))
            .collect();
        let sources: std::collections::BTreeSet<&str> =
            days.iter().map(|d| d.source.as_str()).collect();
        let (j_per_th, efficiency_source) = efficiency(svc, &site).await;
        // Each day's mining MW (halls convert inside a window) beside the AI halls' firm draw.
        let load = |d: NaiveDate| MiningLoad {
            mw: site.mining_mw(d),
            j_per_th,
            firm_mw: site.firm_power_mw(d),
        };
        let mut policy = terms.policy.clone();
        if q.strike.is_some() {
            policy.strike_usd_per_mwh = q.strike;
        }
        // A day without a stored figure takes the latest before it.
        let price_of_day =
            |d: NaiveDate| hashprice.range(..=d).next_back().map_or(0.0, |(_, v)| *v);
        let rows = curtailment::backtest(
            &prices.intervals,
            &load,
            &terms.contract,
            &policy,
            price_of_day,
        );
        let peaks = svc.power.peaks(w.0, w.1).await?;
        let months = (w.1 - w.0).num_days() as f64 / crate::model::ai::lease::DAYS_PER_MONTH;
        let adherence =
            curtailment::adherence(&rows, &svc.power.drawn_mw(&site.id, w.0, w.1).await?);
        // What telemetry shows was shed, where the polled fleet covers the called hours.
        let measured = adherence.percent.map(|p| p / 100.0);
        let flex = curtailment::flexibility(&rows, &terms, &peaks, months, measured);
        let totals = match group {
            "day" => curtailment::totals(&rows, false),
            "month" => curtailment::totals(&rows, true),
            _ => Vec::new(),
        };
        Ok(CurtailmentReport {
            site: site.id.clone(),
            point: prices.point.clone(),
            contract: terms.contract.kind(),
            load: BacktestLoad {
                mining_mw: load(q.from).mw,
                j_per_th,
                efficiency_source: efficiency_source.into(),
            },
            price_source: prices.source.clone(),
            hashprice_source: sources.into_iter().collect::<Vec<_>>().join("+"),
            rows: if group == "interval" {
                rows
            } else {
                Vec::new()
            },
            totals,
            margin_curtailing_usd: flex.margin_curtailing_usd,
            margin_running_through_usd: flex.margin_running_through_usd,
            curtailment_value_usd: flex.curtailment_value_usd,
            four_cp_peaks: peaks.len() as u32,
            four_cp_curtailed: flex.four_cp_curtailed,
            four_cp_avoided_usd: flex.four_cp_avoided_usd,
            demand_response_usd: flex.demand_response_usd,
            flexibility_value_usd: flex.flexibility_value_usd,
            firm_power_cost_usd: flex.firm_power_cost_usd,
            adherence,
        })
    }

    /// The overview's power panel: the first site priced at an index, over the week through
    /// today; none while no site has index terms or prices.
    pub async fn overview_panel(
        svc: &Services,
        lang: crate::i18n::Lang,
    ) -> Result<Option<crate::api::overview_page::PowerPanel>, ApiError> {
        let terms = svc.power.site_terms().await?;
        let Some((site, point)) = terms
            .iter()
            .find_map(|(s, t)| t.contract.point().map(|p| (s.clone(), p.to_string())))
        else {
            return Ok(None);
        };
        let today = svc.clock.today();
        let q = PowerQuery {
            site: site.clone(),
            from: today - Duration::days(6),
            to: today,
            strike: None,
            group: None,
        };
        let report = load_curtailment(svc, &q).await?;
        if report.rows.is_empty() {
            return Ok(None);
        }
        let chart = crate::charts::power::price_vs_strike(
            &report.rows,
            &point,
            &crate::charts::palette::Palette::DARK,
            lang,
        );
        let hours = report.rows.iter().filter(|r| !r.mined).count() as f64 * 0.25;
        Ok(Some(crate::api::overview_page::PowerPanel {
            site,
            point,
            from: q.from,
            to: q.to,
            chart: chart.into(),
            hours_curtailed: hours,
            flexibility_value_usd: report.flexibility_value_usd,
            price_source: report.price_source,
        }))
    }

    /// Every site with terms over the 365 days through today.
    pub async fn site_flexibility(svc: &Services) -> Result<Vec<SiteFlexibility>, ApiError> {
        let today = svc.clock.today();
        let sites = svc.sites.list_sites().await?;
        let mut out = Vec::new();
        for (id, _) in svc.power.site_terms().await? {
            let q = PowerQuery {
                site: id.clone(),
                from: today - Duration::days(MAX_POWER_DAYS - 1),
                to: today,
                strike: None,
                group: Some("month".into()),
            };
            let r = load_curtailment(svc, &q).await?;
            let intervals = r.totals.iter().map(|t| t.intervals).sum();
            if intervals == 0 {
                continue;
            }
            out.push(SiteFlexibility {
                pue_ai: sites.iter().find(|s| s.id == id).map_or(1.0, |s| s.pue_ai),
                site: id,
                contract: r.contract,
                point: r.point,
                from: q.from,
                to: q.to,
                mining_mw: r.load.mining_mw,
                mining_with_flexibility_usd: r.margin_curtailing_usd
                    + r.four_cp_avoided_usd
                    + r.demand_response_usd,
                flexibility_value_usd: r.flexibility_value_usd,
                firm_power_cost_usd: r.firm_power_cost_usd,
                intervals,
                adherence_percent: r.adherence.percent,
            });
        }
        Ok(out)
    }

    /// The sites whose power schedule has mining curtailed in the interval holding `now` (the
    /// same backtest the curtailment report runs, over `now`'s day); a site whose prices do not
    /// cover `now` is not curtailed.
    pub async fn curtailed_now(
        svc: &Services,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<std::collections::BTreeSet<String>, ApiError> {
        let mut out = std::collections::BTreeSet::new();
        for (site, _) in svc.power.site_terms().await? {
            let q = PowerQuery {
                site: site.clone(),
                from: now.date_naive(),
                to: now.date_naive(),
                strike: None,
                group: None,
            };
            let report = load_curtailment(svc, &q).await?;
            let now_row = report.rows.iter().find(|r| {
                r.interval_start <= now && now < r.interval_start + Duration::minutes(15)
            });
            if now_row.is_some_and(|r| !r.mined) {
                out.insert(site);
            }
        }
        Ok(out)
    }

    pub async fn site_terms(svc: &Services) -> Result<Vec<SitePowerRow>, ApiError> {
        Ok(svc
            .power
            .site_terms()
            .await?
            .into_iter()
            .map(|(site, terms)| SitePowerRow { site, terms })
            .collect())
    }

    pub async fn set_site_terms(
        svc: &Services,
        site: &str,
        terms: SitePower,
        actor: &str,
    ) -> Result<SitePowerRow, ApiError> {
        terms.validate().map_err(ApiError::InvalidInput)?;
        if !svc.power.set_terms(site, Some(&terms), actor).await? {
            return Err(ApiError::NotFound(format!("site {site}")));
        }
        svc.overview_cache.invalidate();
        Ok(SitePowerRow {
            site: site.into(),
            terms,
        })
    }
}
