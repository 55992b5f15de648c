//! The executive overview: KPIs of today, the revenue mix over a range, revenue per MW by site.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::company::range::TimeRange;
use crate::model::company::revenue::{
    attach_pool_payouts, site_day_with, site_series, totals, DailyTotal,
};
use crate::model::company::site::{Site, SitePhase};
use crate::model::mining::market::{MarketDay, MarketSource};
use crate::model::mining::measured::{HashrateSource, SiteTelemetry};
use crate::model::mining::projection::{project, Scenario};

/// Today's headline figures across all sites.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    /// Block height of the day (reported by the market source, else estimated).
    pub height: u64,
    pub market_source: MarketSource,
    pub hashrate_source: HashrateSource,
    /// Share of mining capacity polled today (0 when modelled).
    pub telemetry_coverage: f64,
    /// ASICs whose telemetry measured today's hashrate.
    pub polled_asics: u32,
}

/// Pool payouts against what the hashrate was expected to earn, over the days pools reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PoolComparison {
    pub days: u32,
    pub paid_btc: f64,
    pub expected_btc: f64,
}

impl PoolComparison {
    /// Paid over expected, minus one: luck, the pool's fee and downtime together.
    pub fn gap(&self) -> Option<f64> {
        (self.expected_btc > 0.0).then(|| self.paid_btc / self.expected_btc - 1.0)
    }
}

/// One site's revenue per MW today, mining against AI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Overview {
    pub range: TimeRange,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub today: NaiveDate,
    pub kpis: Kpis,
    /// One row per day of the range, or per [`Overview::bucket_days`] once downsampled.
    pub daily: Vec<DailyTotal>,
    /// Days averaged into each row of `daily` (1 = daily).
    #[serde(default = "one")]
    pub bucket_days: u32,
    pub per_site: Vec<SiteRevenuePerMw>,
    /// Last day of real (bundled or live) market figures.
    pub market_as_of: Option<NaiveDate>,
    /// True when any figure shown comes from the simulator or the bundled snapshot.
    pub simulated: bool,
    /// What the poller measures right now, when devices are polled.
    pub telemetry: Option<crate::model::fleet::devices::FleetSummary>,
    /// Operators' notes dated within the range (markers on the revenue chart).
    #[serde(default)]
    pub annotations: Vec<crate::model::timeline::annotation::AnnotationMarker>,
    /// History days in the range whose hashrate is measured, and modelled.
    pub measured_days: u32,
    pub modelled_days: u32,
    /// Paid by pools against expected, when a pool reported in the range.
    pub pool: Option<PoolComparison>,
    /// The live market source and how fresh it is (filled by the service).
    #[serde(default)]
    pub market_feed: Option<MarketFeedStatus>,
    /// The fleet on this dashboard is the built-in simulator's.
    #[serde(default)]
    pub fleet_simulated: bool,
    /// Where each site's power cost comes from: its flat rate, or interval prices at a point.
    #[serde(default)]
    pub power_notes: Vec<crate::model::power::days::PowerNote>,
    /// `forward · SOURCE · as of DATE` when projected days are priced on a forward curve.
    #[serde(default)]
    pub forward: Option<String>,
}

fn one() -> u32 {
    1
}

impl Overview {
    /// The overview as the page receives it: long ranges averaged into weekly or monthly rows.
    pub fn for_chart(mut self) -> Self {
        let bucket = crate::model::company::daily_series::bucket_days(self.daily.len());
        if bucket > 1 {
            self.daily = crate::model::company::daily_series::downsample(&self.daily, bucket);
            self.bucket_days = bucket as u32;
        }
        self
    }
}

/// Where the market figures come from right now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MarketFeedStatus {
    /// The feed's host, e.g. `mempool.example.com`.
    pub host: String,
    /// When the newest live figure was fetched.
    pub fetched_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Set when the newest live figure is older than [`STALE_AFTER_HOURS`].
    pub stale_since: Option<chrono::DateTime<chrono::Utc>>,
}

/// Live market figures older than this are flagged stale.
pub const STALE_AFTER_HOURS: i64 = 2;

impl MarketFeedStatus {
    pub fn new(
        host: String,
        fetched_at: Option<chrono::DateTime<chrono::Utc>>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        let stale_since = match fetched_at {
            Some(at) if now - at > chrono::Duration::hours(STALE_AFTER_HOURS) => Some(at),
            Some(_) => None,
            // Configured but never answered: stale from the start.
            None => Some(now),
        };
        Self {
            host,
            fetched_at,
            stale_since,
        }
    }
}

/// KPIs of the market day `m` (today), measured where `telemetry` covers it.
pub fn kpis(sites: &[Site], m: &MarketDay, telemetry: &SiteTelemetry) -> Kpis {
    let today = |s: &Site| telemetry.get(&(m.date, s.id.clone()));
    let rows: Vec<_> = sites
        .iter()
        .map(|s| site_day_with(s, m, today(s)))
        .collect();
    let measured = rows
        .iter()
        .any(|r| r.hashrate_source == HashrateSource::Measured);
    let capacity: f64 = sites.iter().map(|s| s.mining_capacity_ths(m.date)).sum();
    let covered: f64 = rows
        .iter()
        .zip(sites)
        .map(|(r, s)| r.telemetry_coverage * s.mining_capacity_ths(m.date))
        .sum();
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
        height: m.height(),
        market_source: m.source,
        hashrate_source: if measured {
            HashrateSource::Measured
        } else {
            HashrateSource::Modelled
        },
        telemetry_coverage: if capacity > 0.0 {
            covered / capacity
        } else {
            0.0
        },
        polled_asics: sites.iter().filter_map(today).map(|t| t.asics).sum(),
    }
}

/// Revenue per MW of each site on market day `m`.
pub fn revenue_per_mw(sites: &[Site], m: &MarketDay) -> Vec<SiteRevenuePerMw> {
    sites
        .iter()
        .map(|s| {
            let r = crate::model::company::revenue::site_day(s, m);
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

/// What the overview is computed from besides sites and market days.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub telemetry: SiteTelemetry,
    /// Pool payouts per (date, site id), BTC.
    pub pool_paid: std::collections::BTreeMap<(NaiveDate, String), f64>,
    /// Site-days costed at interval power prices (`model::power::days`).
    pub power: std::collections::BTreeMap<(NaiveDate, String), crate::model::power::days::PowerDay>,
    /// Where each site's power cost comes from.
    pub power_notes: Vec<crate::model::power::days::PowerNote>,
    /// SLA credits owed per (date, site id), USD (`model::ai::sla`, spread over the month's days).
    pub sla_credits: std::collections::BTreeMap<(NaiveDate, String), f64>,
    /// The newest hashprice forward curve: projected months it prices take its figures.
    pub forward: Option<crate::model::mining::forwards::ForwardCurve>,
    /// The company's monthly actuals from before Rigshift (`model::investor::reported`).
    pub reported: Vec<crate::model::investor::reported::ReportedMonth>,
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
    observed: &Observed,
) -> Option<Overview> {
    let current = history
        .iter()
        .filter(|d| d.date <= today)
        .max_by_key(|d| d.date)?;
    let (from, to) = range.window(today);
    let window = market_window(history, today, from, to, scenario);
    let mut rows = site_series(sites, &window, &observed.telemetry);
    attach_pool_payouts(&mut rows, &observed.pool_paid);
    crate::model::company::revenue::apply_sla_credits(&mut rows, &observed.sla_credits);
    crate::model::power::days::apply(&mut rows, &observed.power);
    crate::model::investor::reported::apply(&mut rows, &observed.reported);
    let forward = observed.forward.as_ref().and_then(|curve| {
        crate::model::mining::forwards::apply(&mut rows, sites, curve);
        rows.iter().any(|r| r.forward).then(|| curve.label(today))
    });
    let pool = {
        let paid: Vec<_> = rows.iter().filter(|r| r.pool_paid_btc.is_some()).collect();
        (!paid.is_empty()).then(|| PoolComparison {
            days: paid
                .iter()
                .map(|r| r.date)
                .collect::<std::collections::BTreeSet<_>>()
                .len() as u32,
            paid_btc: paid.iter().filter_map(|r| r.pool_paid_btc).sum(),
            expected_btc: paid.iter().map(|r| r.btc_mined).sum(),
        })
    };
    let mut daily = totals(&rows);
    for (d, m) in daily.iter_mut().zip(&window) {
        d.pool_paid_usd = d.pool_paid_btc.map(|b| b * m.btc_usd);
    }
    let history_days = daily.iter().filter(|d| !d.projected);
    let measured_days = history_days.clone().filter(|d| d.measured).count() as u32;
    let modelled_days = history_days.count() as u32 - measured_days;
    Some(Overview {
        range,
        from,
        to,
        today,
        kpis: kpis(sites, current, &observed.telemetry),
        per_site: revenue_per_mw(sites, current),
        market_as_of,
        // Bundled figures are real (public, monthly); only simulated days make a view simulated.
        simulated: window.iter().any(|d| d.source == MarketSource::Simulated),
        telemetry: None,
        annotations: Vec::new(),
        measured_days,
        modelled_days,
        pool,
        market_feed: None,
        fleet_simulated: false,
        power_notes: observed.power_notes.clone(),
        forward,
        daily,
        bucket_days: 1,
    })
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_feed_is_stale_two_hours_after_its_last_fetch_and_from_the_start_if_it_never_answered() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-04T12:00:00Z")
            .unwrap()
            .to_utc();
        let at = |min: i64| Some(now - chrono::Duration::minutes(min));
        let status = |fetched| MarketFeedStatus::new("m.example".into(), fetched, now).stale_since;
        assert_eq!(status(at(0)), None);
        assert_eq!(status(at(119)), None);
        assert_eq!(status(at(120)), None, "exactly two hours is not yet stale");
        assert_eq!(status(at(121)), at(121), "stale since the fetch");
        assert_eq!(
            status(None),
            Some(now),
            "never answered: stale from now, no fetch time"
        );
    }

    use super::*;
    use crate::model::company::site::tests::{day, example_site};
    use chrono::Datelike;

    fn history() -> Vec<MarketDay> {
        (0..800)
            .map(|i| MarketDay {
                date: day(2024, 1, 1) + chrono::Duration::days(i),
                btc_usd: 60_000.0 + i as f64 * 50.0,
                difficulty: 80e12 + i as f64 * 0.05e12,
                fees_btc_per_block: 0.05,
                height: None,
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
            &Observed::default(),
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
        assert!(!o.simulated, "bundled figures are not simulated");
        // The conversion on 2025-07-01 cuts mining revenue by 40 % overnight.
        let jun30 = o.daily.iter().find(|d| d.date == day(2025, 6, 30)).unwrap();
        let jul1 = o.daily.iter().find(|d| d.date == day(2025, 7, 1)).unwrap();
        assert!(jul1.mining_usd / jun30.mining_usd < 0.61);
    }

    /// Projected days in a month the forward prices earn hashrate × forward × (1 − pool fee);
    /// other months and history keep the model, and the overview names the curve.
    #[test]
    fn a_forward_curve_prices_the_projected_months_it_covers() {
        use crate::model::mining::forwards::{ForwardCurve, ForwardTenor};
        let today = day(2025, 6, 1);
        let mut site = example_site();
        site.pool_fee_pct = 2.0;
        let observed = Observed {
            forward: Some(ForwardCurve {
                as_of: today,
                source: "import:f.csv".into(),
                tenors: vec![ForwardTenor {
                    month: day(2025, 8, 1),
                    usd_per_ph_day: 40.0,
                }],
            }),
            ..Observed::default()
        };
        let run = |o: &Observed| {
            overview(
                std::slice::from_ref(&site),
                &history(),
                today,
                TimeRange::OneYear,
                &Scenario::default(),
                None,
                o,
            )
            .unwrap()
        };
        let (with, without) = (run(&observed), run(&Observed::default()));
        for (a, b) in with.daily.iter().zip(&without.daily) {
            if a.date.month() == 8 && a.date.year() == 2025 {
                let expected = a.hashrate_ths / 1_000.0 * 40.0 * 0.98;
                assert!((a.mining_usd - expected).abs() < 1e-6, "{a:?}");
                assert!(a.forward);
            } else {
                assert_eq!(a.mining_usd, b.mining_usd, "{}", a.date);
                assert!(!a.forward);
            }
        }
        assert_eq!(
            with.forward.as_deref(),
            Some("forward · import:f.csv · as of 2025-06-01")
        );
        assert_eq!(without.forward, None);
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
            &Observed::default(),
        )
        .unwrap();
        let all = overview(
            &[example_site()],
            &history(),
            today,
            TimeRange::All,
            &Scenario::default(),
            None,
            &Observed::default(),
        )
        .unwrap();
        assert!(all.daily.len() > six.daily.len() * 3);
        assert!(overview(
            &[example_site()],
            &[],
            today,
            TimeRange::All,
            &Scenario::default(),
            None,
            &Observed::default(),
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
