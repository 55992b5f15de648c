//! A closed month: each site's and the company's figures for one calendar month, frozen as a
//! version, and what changed between two versions (a restatement). Pure: the revenue rows of
//! the month come in, figures go out.
//!
//! BTC produced is what the pool paid where a pool reports the day, else what telemetry
//! measured, else what the capacity model gives; each site says how many days came from which.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::measured::HashrateSource;
use super::revenue::RevenueDay;

/// One site's month (or the company's, as `total`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SiteMonth {
    pub site: String,
    /// Days of the month with figures.
    pub days: u32,
    pub btc_produced: f64,
    pub btc_per_day: f64,
    /// Where the BTC came from, by days: `pool_paid`, `measured`, `reported`, `modelled`.
    pub btc_days_by_source: BTreeMap<String, u32>,
    /// Mean hashrate over the month, TH/s (measured where polled, else modelled).
    pub avg_operating_hashrate_ths: f64,
    /// Mean share of the hashing capacity polled, 0–1.
    pub telemetry_coverage: f64,
    pub mining_revenue_usd: f64,
    pub power_cost_usd: f64,
    /// Energy bought, MWh (mining as mined, the AI halls whose power the site pays).
    #[serde(default)]
    pub energy_mwh: f64,
    /// All-in power price: power cost ÷ energy, $/MWh (÷ 10: ¢/kWh); `None` without energy.
    #[serde(default)]
    pub power_usd_per_mwh: Option<f64>,
    /// Power cost over BTC produced, $ per BTC (`None` without BTC).
    pub power_cost_per_btc_usd: Option<f64>,
    /// (mining revenue − power) ÷ mining revenue, % (`None` without mining revenue).
    pub hardware_margin_pct: Option<f64>,
    /// AI lease revenue, net of SLA credits.
    pub ai_revenue_usd: f64,
    pub sla_credit_usd: f64,
    /// Mean MW operating in mining (uptime applied) and energised for AI (critical IT).
    pub mining_mw: f64,
    pub ai_mw: f64,
    /// Hashrate deployed at the month's end (the site's nameplate then), TH/s: what issuers
    /// report beside the average operating hashrate.
    #[serde(default)]
    pub deployed_hashrate_ths: Option<f64>,
    /// The fleet's efficiency at the month's end, J/TH (power-weighted over its models).
    #[serde(default)]
    pub fleet_j_per_th: Option<f64>,
}

/// One figure against the same figure of an earlier closed month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Comparison {
    /// A site's id, or `total`.
    pub site: String,
    pub figure: String,
    pub this: f64,
    pub prior: f64,
    /// (this − prior) ÷ |prior|, %; `None` when the prior figure is 0.
    pub change_pct: Option<f64>,
}

/// Every figure `this` and `prior` both have, as this against prior.
pub fn compare(this: &MonthFigures, prior: &MonthFigures) -> Vec<Comparison> {
    let (a, b) = (lines(this), lines(prior));
    a.iter()
        .filter_map(|(k, v)| {
            let (this, prior) = ((*v)?, b.get(k).copied().flatten()?);
            Some(Comparison {
                site: k.0.clone(),
                figure: k.1.to_string(),
                this,
                prior,
                change_pct: (prior != 0.0).then(|| 100.0 * (this - prior) / prior.abs()),
            })
        })
        .collect()
}

/// Adds what the sites' own records say at the month's end (`last`): deployed hashrate and
/// fleet efficiency, per site and for the company (efficiency weighted by hashrate).
pub fn with_fleet(figures: &mut MonthFigures, sites: &[super::site::Site], last: NaiveDate) {
    let (mut ths, mut joules) = (0.0, 0.0);
    for m in &mut figures.sites {
        let Some(site) = sites.iter().find(|s| s.id == m.site) else {
            continue;
        };
        let deployed = site.mining_capacity_ths(last);
        m.deployed_hashrate_ths = Some(deployed);
        m.fleet_j_per_th = site.fleet_efficiency_j_per_th();
        if let Some(j) = m.fleet_j_per_th {
            ths += deployed;
            joules += deployed * j;
        }
    }
    figures.total.deployed_hashrate_ths = Some(
        figures
            .sites
            .iter()
            .filter_map(|s| s.deployed_hashrate_ths)
            .sum(),
    );
    figures.total.fleet_j_per_th = (ths > 0.0).then(|| joules / ths);
}

/// The month as closed: every site and the total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MonthFigures {
    /// `YYYY-MM`.
    pub month: String,
    pub sites: Vec<SiteMonth>,
    pub total: SiteMonth,
}

/// One figure that a restatement changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChangedLine {
    /// A site's id, or `total`.
    pub site: String,
    pub figure: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
}

/// The first and last day of `month`'s calendar month.
pub fn month_bounds(month: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = month.with_day(1).expect("day 1 exists");
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .expect("a month after");
    (first, next.pred_opt().expect("a day before"))
}

/// The month's figures from its revenue rows (history rows of every site; projected rows and
/// rows outside the month are left out).
pub fn month_figures(rows: &[RevenueDay], month: NaiveDate) -> MonthFigures {
    let (first, last) = month_bounds(month);
    let mut by_site: BTreeMap<&str, Vec<&RevenueDay>> = BTreeMap::new();
    for r in rows
        .iter()
        .filter(|r| !r.projected && r.date >= first && r.date <= last)
    {
        by_site.entry(r.site.as_str()).or_default().push(r);
    }
    let sites: Vec<SiteMonth> = by_site
        .into_iter()
        .map(|(site, days)| site_month(site, &days))
        .collect();
    let total = total_of(&sites);
    MonthFigures {
        month: first.format("%Y-%m").to_string(),
        sites,
        total,
    }
}

fn source_of(r: &RevenueDay) -> &'static str {
    if r.pool_paid_btc.is_some() {
        return "pool_paid";
    }
    match r.hashrate_source {
        HashrateSource::Measured => "measured",
        HashrateSource::Reported => "reported",
        _ => "modelled",
    }
}

fn site_month(site: &str, days: &[&RevenueDay]) -> SiteMonth {
    let n = days.len() as f64;
    let mean = |f: fn(&RevenueDay) -> f64| {
        if n > 0.0 {
            days.iter().map(|r| f(r)).sum::<f64>() / n
        } else {
            0.0
        }
    };
    let mut by_source = BTreeMap::new();
    for r in days {
        *by_source.entry(source_of(r).to_string()).or_insert(0) += 1;
    }
    let btc: f64 = days
        .iter()
        .map(|r| r.pool_paid_btc.unwrap_or(r.btc_mined))
        .sum();
    let sum = |f: fn(&RevenueDay) -> f64| days.iter().map(|r| f(r)).sum::<f64>();
    let mut m = SiteMonth {
        site: site.to_string(),
        days: days.len() as u32,
        btc_produced: btc,
        btc_days_by_source: by_source,
        avg_operating_hashrate_ths: mean(|r| r.hashrate_ths),
        telemetry_coverage: mean(|r| r.telemetry_coverage),
        mining_revenue_usd: sum(|r| r.mining_usd),
        power_cost_usd: sum(|r| r.power_cost_usd),
        energy_mwh: sum(|r| r.energy_mwh),
        ai_revenue_usd: sum(|r| r.ai_lease_usd),
        sla_credit_usd: sum(|r| r.sla_credit_usd),
        mining_mw: mean(|r| r.mining_mw),
        ai_mw: mean(|r| r.ai_mw),
        ..Default::default()
    };
    derive_ratios(&mut m);
    m
}

/// Per-day, per-BTC and margin figures from the sums.
fn derive_ratios(m: &mut SiteMonth) {
    m.btc_per_day = if m.days > 0 {
        m.btc_produced / f64::from(m.days)
    } else {
        0.0
    };
    m.power_cost_per_btc_usd = (m.btc_produced > 0.0).then(|| m.power_cost_usd / m.btc_produced);
    m.power_usd_per_mwh = (m.energy_mwh > 0.0).then(|| m.power_cost_usd / m.energy_mwh);
    m.hardware_margin_pct = (m.mining_revenue_usd > 0.0)
        .then(|| 100.0 * (m.mining_revenue_usd - m.power_cost_usd) / m.mining_revenue_usd);
}

/// The company: sums, with hashrate and MW added across sites and coverage weighted by
/// hashrate.
fn total_of(sites: &[SiteMonth]) -> SiteMonth {
    let mut t = SiteMonth {
        site: "total".into(),
        days: sites.iter().map(|s| s.days).max().unwrap_or(0),
        ..Default::default()
    };
    for s in sites {
        t.btc_produced += s.btc_produced;
        t.avg_operating_hashrate_ths += s.avg_operating_hashrate_ths;
        t.telemetry_coverage += s.telemetry_coverage * s.avg_operating_hashrate_ths;
        t.mining_revenue_usd += s.mining_revenue_usd;
        t.power_cost_usd += s.power_cost_usd;
        t.energy_mwh += s.energy_mwh;
        t.ai_revenue_usd += s.ai_revenue_usd;
        t.sla_credit_usd += s.sla_credit_usd;
        t.mining_mw += s.mining_mw;
        t.ai_mw += s.ai_mw;
        for (k, v) in &s.btc_days_by_source {
            *t.btc_days_by_source.entry(k.clone()).or_insert(0) += v;
        }
    }
    if t.avg_operating_hashrate_ths > 0.0 {
        t.telemetry_coverage /= t.avg_operating_hashrate_ths;
    }
    derive_ratios(&mut t);
    t
}

/// The figures of a month line by line (site, figure name, value).
fn lines(f: &MonthFigures) -> BTreeMap<(String, &'static str), Option<f64>> {
    let mut out = BTreeMap::new();
    for s in f.sites.iter().chain(std::iter::once(&f.total)) {
        let figures: [(&'static str, Option<f64>); 18] = [
            ("energy_mwh", Some(s.energy_mwh)),
            ("power_usd_per_mwh", s.power_usd_per_mwh),
            ("deployed_hashrate_ths", s.deployed_hashrate_ths),
            ("fleet_j_per_th", s.fleet_j_per_th),
            ("days", Some(f64::from(s.days))),
            ("btc_produced", Some(s.btc_produced)),
            ("btc_per_day", Some(s.btc_per_day)),
            (
                "avg_operating_hashrate_ths",
                Some(s.avg_operating_hashrate_ths),
            ),
            ("telemetry_coverage", Some(s.telemetry_coverage)),
            ("mining_revenue_usd", Some(s.mining_revenue_usd)),
            ("power_cost_usd", Some(s.power_cost_usd)),
            ("power_cost_per_btc_usd", s.power_cost_per_btc_usd),
            ("hardware_margin_pct", s.hardware_margin_pct),
            ("ai_revenue_usd", Some(s.ai_revenue_usd)),
            ("sla_credit_usd", Some(s.sla_credit_usd)),
            ("mining_mw", Some(s.mining_mw)),
            ("ai_mw", Some(s.ai_mw)),
            (
                "pool_paid_days",
                Some(f64::from(
                    s.btc_days_by_source.get("pool_paid").copied().unwrap_or(0),
                )),
            ),
        ];
        for (name, v) in figures {
            out.insert((s.site.clone(), name), v);
        }
    }
    out
}

/// What changed from `before` to `after`, figure by figure (a change below a millionth of the
/// figure is rounding, not a restatement).
pub fn changes(before: &MonthFigures, after: &MonthFigures) -> Vec<ChangedLine> {
    let (a, b) = (lines(before), lines(after));
    let mut keys: Vec<&(String, &'static str)> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (x, y) = (a.get(k).copied().flatten(), b.get(k).copied().flatten());
            let same = match (x, y) {
                (Some(x), Some(y)) => (x - y).abs() <= 1e-6 * x.abs().max(y.abs()).max(1e-9),
                (None, None) => true,
                _ => false,
            };
            (!same).then(|| ChangedLine {
                site: k.0.clone(),
                figure: k.1.to_string(),
                before: x,
                after: y,
            })
        })
        .collect()
}

/// True when `month` has ended before `today` (only a whole month closes).
pub fn is_over(month: NaiveDate, today: NaiveDate) -> bool {
    month_bounds(month).1 < today
}

/// `YYYY-MM` as its first day, within 2000–2200.
pub fn parse_month(s: &str) -> Option<NaiveDate> {
    super::sla::parse_month(s).filter(|d| (2000..=2200).contains(&d.year()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(site: &str, d: u32, btc: f64, paid: Option<f64>, source: HashrateSource) -> RevenueDay {
        RevenueDay {
            date: NaiveDate::from_ymd_opt(2026, 11, d).unwrap(),
            site: site.into(),
            mining_usd: btc * 100_000.0,
            ai_lease_usd: if site == "b" { 10_000.0 } else { 0.0 },
            power_cost_usd: 2_000.0,
            btc_mined: btc,
            hashrate_ths: 1_000_000.0,
            mining_mw: 20.0,
            ai_mw: if site == "b" { 5.0 } else { 0.0 },
            projected: false,
            hashrate_source: source,
            telemetry_coverage: if source == HashrateSource::Measured {
                0.5
            } else {
                0.0
            },
            gpu_utilisation_measured: None,
            pool_paid_btc: paid,
            sla_credit_usd: if site == "b" { 100.0 } else { 0.0 },
            forward: false,
            energy_mwh: 480.0,
        }
    }

    /// November (30 days) worked by hand: site `a` pool-paid 0.1 BTC a day (its model says
    /// 0.12), site `b` modelled at 0.05 with a $10,000/day lease net of $100 SLA credit.
    #[test]
    fn a_month_closes_to_the_hand_figures_and_a_restatement_names_its_changes() {
        let mut rows = Vec::new();
        for d in 1..=30 {
            rows.push(day("a", d, 0.12, Some(0.1), HashrateSource::Measured));
            rows.push(day("b", d, 0.05, None, HashrateSource::Modelled));
        }
        // A day of December and a projected November day do not count.
        let mut dec = day("a", 1, 9.0, None, HashrateSource::Modelled);
        dec.date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        rows.push(dec);
        let mut projected = day("b", 15, 9.0, None, HashrateSource::Projected);
        projected.projected = true;
        rows.push(projected);
        let nov = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let f = month_figures(&rows, nov);
        assert_eq!(f.month, "2026-11");
        let a = &f.sites[0];
        assert!(
            (a.btc_produced - 3.0).abs() < 1e-12,
            "pool-paid, not modelled: {a:?}"
        );
        assert_eq!(a.btc_days_by_source.get("pool_paid"), Some(&30));
        assert!((a.btc_per_day - 0.1).abs() < 1e-12);
        // $12,000 a day of mining revenue, $2,000 of power: 83.33 % margin; $60,000 ÷ 3 BTC.
        assert!((a.hardware_margin_pct.unwrap() - 100.0 * 10_000.0 / 12_000.0).abs() < 1e-9);
        assert!((a.power_cost_per_btc_usd.unwrap() - 20_000.0).abs() < 1e-9);
        // 30 days × 480 MWh; $60,000 over 14,400 MWh is $4.1667/MWh all in.
        assert!((a.energy_mwh - 14_400.0).abs() < 1e-9);
        assert!((a.power_usd_per_mwh.unwrap() - 60_000.0 / 14_400.0).abs() < 1e-12);
        let b = &f.sites[1];
        assert_eq!(b.btc_days_by_source.get("modelled"), Some(&30));
        assert!((b.ai_revenue_usd - 300_000.0).abs() < 1e-9);
        assert!((b.sla_credit_usd - 3_000.0).abs() < 1e-9);
        let t = &f.total;
        assert!((t.btc_produced - 4.5).abs() < 1e-12);
        assert!((t.mining_mw - 40.0).abs() < 1e-12 && (t.ai_mw - 5.0).abs() < 1e-12);
        assert!(
            (t.telemetry_coverage - 0.25).abs() < 1e-12,
            "hashrate-weighted"
        );
        // The same month again: nothing changed. A late payout for b's 3 November: b's BTC and
        // the total move, and nothing else but their derived figures.
        assert!(changes(&f, &month_figures(&rows, nov)).is_empty());
        rows[5].pool_paid_btc = Some(0.07);
        let g = month_figures(&rows, nov);
        let changed: Vec<(String, String)> = changes(&f, &g)
            .into_iter()
            .map(|c| (c.site, c.figure))
            .collect();
        for want in [
            ("b", "btc_produced"),
            ("b", "pool_paid_days"),
            ("total", "btc_produced"),
        ] {
            assert!(
                changed.contains(&(want.0.to_string(), want.1.to_string())),
                "{want:?} in {changed:?}"
            );
        }
        assert!(!changed.iter().any(|(s, _)| s == "a"), "{changed:?}");
    }

    #[test]
    fn a_month_compares_with_an_earlier_one_figure_by_figure() {
        let oct: Vec<RevenueDay> = (1..=30)
            .map(|d| day("a", d, 0.1, None, HashrateSource::Modelled))
            .collect();
        let nov: Vec<RevenueDay> = (1..=30)
            .map(|d| day("a", d, 0.12, None, HashrateSource::Modelled))
            .collect();
        let first = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let (a, b) = (month_figures(&nov, first), month_figures(&oct, first));
        let c = compare(&a, &b);
        let btc = c
            .iter()
            .find(|c| c.site == "total" && c.figure == "btc_produced")
            .unwrap();
        // 3.6 BTC against 3.0: +20 %.
        assert!((btc.change_pct.unwrap() - 20.0).abs() < 1e-9, "{btc:?}");
        let ai = c
            .iter()
            .find(|c| c.site == "a" && c.figure == "ai_mw")
            .unwrap();
        assert_eq!(ai.change_pct, None, "no AI either month: no percentage");
    }

    #[test]
    fn only_a_whole_month_closes() {
        let nov = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert!(!is_over(
            nov,
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        ));
        assert!(is_over(nov, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()));
        assert_eq!(parse_month("2026-11"), Some(nov));
        assert_eq!(parse_month("1900-01"), None);
        assert_eq!(parse_month("2026-13"), None);
    }
}
