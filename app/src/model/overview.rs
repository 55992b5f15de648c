//! The executive overview: KPIs of today, the revenue mix over a range, revenue per MW by site.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::market::{MarketDay, MarketSource};
use super::projection::{project, Scenario};
use super::range::TimeRange;
use super::revenue::{site_day, site_series, totals, DailyTotal};
use super::site::{Site, SitePhase};

/// Today's headline figures across all sites.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kpis {
    pub as_of: NaiveDate,
    pub fleet_hashrate_ths: f64,
    pub btc_per_day: f64,
    pub hashprice_usd_per_ph_day: f64,
    pub mining_usd_per_day: f64,
    pub ai_lease_usd_per_day: f64,
    pub power_cost_usd_per_day: f64,
    pub mining_mw: f64,
    pub ai_mw: f64,
    pub btc_usd: f64,
    pub difficulty: f64,
}

/// One site's revenue per MW today, mining against AI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteRevenuePerMw {
    pub site_id: String,
    pub site_name: String,
    pub phase: SitePhase,
    pub mining_mw: f64,
    pub ai_mw: f64,
    /// `None` when the site has no mining MW.
    pub mining_usd_per_mw_day: Option<f64>,
    /// `None` when the site has no AI MW.
    pub ai_usd_per_mw_day: Option<f64>,
}

/// Everything the overview page draws.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub range: TimeRange,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub today: NaiveDate,
    pub kpis: Kpis,
    pub daily: Vec<DailyTotal>,
    pub per_site: Vec<SiteRevenuePerMw>,
    /// Last day of real (bundled or live) market figures.
    pub market_as_of: Option<NaiveDate>,
    /// True when any figure shown comes from the simulator or the bundled snapshot.
    pub simulated: bool,
    /// What the poller measures right now, when devices are polled.
    pub telemetry: Option<super::fleet::FleetSummary>,
    /// Operators' notes dated within the range (markers on the revenue chart).
    #[serde(default)]
    pub annotations: Vec<super::annotation::AnnotationMarker>,
}

/// KPIs of the market day `m` (today).
pub fn kpis(sites: &[Site], m: &MarketDay) -> Kpis {
    let rows: Vec<_> = sites.iter().map(|s| site_day(s, m)).collect();
    Kpis {
        as_of: m.date,
        fleet_hashrate_ths: rows.iter().map(|r| r.hashrate_ths).sum(),
        btc_per_day: rows.iter().map(|r| r.btc_mined).sum(),
        hashprice_usd_per_ph_day: m.hashprice_usd_per_ph_day(),
        mining_usd_per_day: rows.iter().map(|r| r.mining_usd).sum(),
        ai_lease_usd_per_day: rows.iter().map(|r| r.ai_lease_usd).sum(),
        power_cost_usd_per_day: rows.iter().map(|r| r.power_cost_usd).sum(),
        mining_mw: rows.iter().map(|r| r.mining_mw).sum(),
        ai_mw: rows.iter().map(|r| r.ai_mw).sum(),
        btc_usd: m.btc_usd,
        difficulty: m.difficulty,
    }
}

/// Revenue per MW of each site on market day `m`.
pub fn revenue_per_mw(sites: &[Site], m: &MarketDay) -> Vec<SiteRevenuePerMw> {
    sites
        .iter()
        .map(|s| {
            let r = site_day(s, m);
            let per = |usd: f64, mw: f64| (mw > 0.0).then(|| usd / mw);
            SiteRevenuePerMw {
                site_id: s.id.clone(),
                site_name: s.name.clone(),
                phase: s.phase(m.date),
                mining_mw: r.mining_mw,
                ai_mw: r.ai_mw,
                mining_usd_per_mw_day: per(r.mining_usd, r.mining_mw),
                ai_usd_per_mw_day: per(r.ai_lease_usd, r.ai_mw),
            }
        })
        .collect()
}

/// Market days for `[from, to]`: known days up to `today`, then the scenario's projection.
pub fn market_window(
    history: &[MarketDay],
    today: NaiveDate,
    from: NaiveDate,
    to: NaiveDate,
    scenario: &Scenario,
) -> Vec<MarketDay> {
    let mut days: Vec<MarketDay> = history
        .iter()
        .filter(|d| d.date >= from && d.date <= to && d.date <= today)
        .copied()
        .collect();
    if let Some(last) = history
        .iter()
        .filter(|d| d.date <= today)
        .max_by_key(|d| d.date)
    {
        days.extend(
            project(last, to, scenario)
                .into_iter()
                .filter(|d| d.date >= from),
        );
    }
    days
}

/// The overview for `range` around `today`. `history` must hold days up to `today`, date-ordered.
/// `market_as_of` is the last day of real (bundled or live) figures, which may lie before the window.
pub fn overview(
    sites: &[Site],
    history: &[MarketDay],
    today: NaiveDate,
    range: TimeRange,
    scenario: &Scenario,
    market_as_of: Option<NaiveDate>,
) -> Option<Overview> {
    let current = history
        .iter()
        .filter(|d| d.date <= today)
        .max_by_key(|d| d.date)?;
    let (from, to) = range.window(today);
    let window = market_window(history, today, from, to, scenario);
    let daily = totals(&site_series(sites, &window));
    Some(Overview {
        range,
        from,
        to,
        today,
        kpis: kpis(sites, current),
        daily,
        per_site: revenue_per_mw(sites, current),
        market_as_of,
        simulated: history.iter().any(|d| d.source != MarketSource::Live),
        telemetry: None,
        annotations: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::site::tests::{day, example_site};

    fn history() -> Vec<MarketDay> {
        (0..800)
            .map(|i| MarketDay {
                date: day(2024, 1, 1) + chrono::Duration::days(i),
                btc_usd: 60_000.0 + i as f64 * 50.0,
                difficulty: 80e12 + i as f64 * 0.05e12,
                fees_btc_per_block: 0.05,
                source: MarketSource::Bundled,
            })
            .collect()
    }

    #[test]
    fn overview_joins_history_and_projection_at_today() {
        let today = day(2025, 6, 1);
        let o = overview(
            &[example_site()],
            &history(),
            today,
            TimeRange::OneYear,
            &Scenario::default(),
            None,
        )
        .unwrap();
        assert_eq!(o.daily.first().unwrap().date, day(2024, 6, 1));
        assert_eq!(o.daily.last().unwrap().date, day(2026, 6, 1));
        assert!(o
            .daily
            .iter()
            .filter(|d| d.date <= today)
            .all(|d| !d.projected));
        assert!(o
            .daily
            .iter()
            .filter(|d| d.date > today)
            .all(|d| d.projected));
        assert_eq!(o.kpis.as_of, today);
        assert!(o.simulated);
        // The conversion on 2025-07-01 cuts mining revenue by 40 % overnight.
        let jun30 = o.daily.iter().find(|d| d.date == day(2025, 6, 30)).unwrap();
        let jul1 = o.daily.iter().find(|d| d.date == day(2025, 7, 1)).unwrap();
        assert!(jul1.mining_usd / jun30.mining_usd < 0.61);
    }

    #[test]
    fn ranges_change_the_series_length() {
        let today = day(2025, 6, 1);
        let six = overview(
            &[example_site()],
            &history(),
            today,
            TimeRange::SixMonths,
            &Scenario::default(),
            None,
        )
        .unwrap();
        let all = overview(
            &[example_site()],
            &history(),
            today,
            TimeRange::All,
            &Scenario::default(),
            None,
        )
        .unwrap();
        assert!(all.daily.len() > six.daily.len() * 3);
        assert!(overview(
            &[example_site()],
            &[],
            today,
            TimeRange::All,
            &Scenario::default(),
            None
        )
        .is_none());
    }

    #[test]
    fn revenue_per_mw_is_none_without_mw() {
        let s = example_site();
        let m = history()[100];
        let r = revenue_per_mw(&[s], &m);
        assert!(r[0].mining_usd_per_mw_day.unwrap() > 0.0);
        assert_eq!(r[0].ai_usd_per_mw_day, None);
    }
}
