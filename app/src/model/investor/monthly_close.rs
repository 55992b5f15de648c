//! A closed month: each site's and the company's figures for one calendar month, frozen as a
//! version, and what changed between two versions (a restatement). Pure: the revenue rows of
//! the month come in, figures go out.
//!
//! BTC produced is what the pool paid where a pool reports the day, else what telemetry
//! measured, else what the capacity model gives; each site says how many days came from which.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::model::ai::lease::LeaseTerms;
use crate::model::company::revenue::RevenueDay;
use crate::model::mining::measured::HashrateSource;
use crate::model::power::credit::PowerCredit;

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
    /// Of the power cost, what the AI halls the operator powers cost, $.
    #[serde(default)]
    pub ai_power_cost_usd: f64,
    /// Power credits paid for the month by kind (`model::power::credit`), $, and their sum.
    #[serde(default)]
    pub power_credits_usd: BTreeMap<String, f64>,
    #[serde(default)]
    pub power_credits_total_usd: f64,
    /// Power cost less credits, $, and over the energy, $/MWh (÷ 10: ¢/kWh) — negative in a
    /// month whose credits beat the bill.
    #[serde(default)]
    pub net_power_cost_usd: f64,
    #[serde(default)]
    pub net_power_usd_per_mwh: Option<f64>,
    /// Operating cost beyond power ($/MW-month × MW × the share of the month), mining's and
    /// the AI halls', $.
    #[serde(default)]
    pub mining_opex_usd: f64,
    #[serde(default)]
    pub ai_opex_usd: f64,
    /// (mining revenue − mining's net power − mining opex) ÷ mining revenue, %.
    #[serde(default)]
    pub mining_margin_all_in_pct: Option<f64>,
    /// Mining's net power and opex over the hashrate operated, $ per PH/s per day.
    #[serde(default)]
    pub hashcost_usd_per_ph_day: Option<f64>,
    /// (AI revenue net of SLA − AI power − AI opex) ÷ AI revenue, %.
    #[serde(default)]
    pub ai_margin_pct: Option<f64>,
    /// GPUs under GPU-hour contracts at the month's end (ramp applied).
    #[serde(default)]
    pub gpus_deployed: u32,
    /// Mean GPU utilisation DCGM measured over the month's days that have it, 0–1.
    #[serde(default)]
    pub gpu_utilisation: Option<f64>,
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

/// The month's figures as they close: the revenue rows', then what the sites' records say at
/// the month's end (deployed hashrate, fleet J/TH, GPUs under contract, operating cost) and
/// the power credits recorded for the month. Credits are mining's: demand response, 4CP and
/// power sold back are paid for the miners' flexibility, so they lower mining's power.
pub fn close(
    rows: &[RevenueDay],
    sites: &[crate::model::company::site::Site],
    credits: &[PowerCredit],
    month: NaiveDate,
) -> MonthFigures {
    let (first, last) = month_bounds(month);
    let key = first.format("%Y-%m").to_string();
    let mut figures = month_figures(rows, month);
    let days_in_month = f64::from((last - first).num_days() as u32 + 1);
    for m in &mut figures.sites {
        if let Some(site) = sites.iter().find(|s| s.id == m.site) {
            with_site(m, site, last, days_in_month);
        }
        for c in credits
            .iter()
            .filter(|c| c.site == m.site && c.month == key)
        {
            *m.power_credits_usd
                .entry(c.kind.key().to_string())
                .or_insert(0.0) += c.usd;
        }
        derive_ratios(m);
    }
    figures.total = total_of(&figures.sites);
    let contracts: Vec<_> = sites.iter().flat_map(|s| s.contracts.clone()).collect();
    figures.register = Some(crate::model::ai::contract_register::register(
        &contracts, last,
    ));
    figures
}

/// What `site`'s records say at the month's end (`last`).
fn with_site(
    m: &mut SiteMonth,
    site: &crate::model::company::site::Site,
    last: NaiveDate,
    days_in_month: f64,
) {
    m.deployed_hashrate_ths = Some(site.mining_capacity_ths(last));
    m.fleet_j_per_th = site.fleet_efficiency_j_per_th();
    m.gpus_deployed = site
        .contracts
        .iter()
        .map(|c| match c.terms {
            LeaseTerms::GpuHours { gpus, .. } => f64::from(gpus) * c.ramp_fraction(last),
            LeaseTerms::Colocation { .. } => 0.0,
        })
        .sum::<f64>()
        .round() as u32;
    if let Some(rate) = site.opex_usd_per_mw_month {
        let months = f64::from(m.days) / days_in_month;
        m.mining_opex_usd = rate * m.mining_mw * months;
        m.ai_opex_usd = rate * m.ai_mw * months;
    }
}

/// The month as closed: every site and the total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MonthFigures {
    /// `YYYY-MM`.
    pub month: String,
    pub sites: Vec<SiteMonth>,
    pub total: SiteMonth,
    /// The HPC contract register at the month's end (`None` in a rows-only figure).
    #[serde(default)]
    pub register: Option<crate::model::ai::contract_register::ContractRegisterReport>,
    /// Where the month's market figures (price, difficulty, fees) came from, by days:
    /// `bundled`, `live`, `simulated`.
    #[serde(default)]
    pub market_days_by_source: BTreeMap<String, u32>,
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
        register: None,
        market_days_by_source: BTreeMap::new(),
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

/// A day's mining revenue: what the pool paid at the day's price where it paid, else the
/// model's (or telemetry's) BTC at that price.
fn mining_revenue_of(r: &RevenueDay) -> f64 {
    match r.pool_paid_btc {
        Some(paid) if r.btc_mined > 0.0 => paid * r.mining_usd / r.btc_mined,
        _ => r.mining_usd,
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
        mining_revenue_usd: sum(mining_revenue_of),
        power_cost_usd: sum(|r| r.power_cost_usd),
        energy_mwh: sum(|r| r.energy_mwh),
        ai_revenue_usd: sum(|r| r.ai_lease_usd),
        sla_credit_usd: sum(|r| r.sla_credit_usd),
        mining_mw: mean(|r| r.mining_mw),
        ai_mw: mean(|r| r.ai_mw),
        ai_power_cost_usd: sum(|r| r.ai_power_cost_usd),
        gpu_utilisation: {
            let measured: Vec<f64> = days
                .iter()
                .filter_map(|r| r.gpu_utilisation_measured)
                .collect();
            (!measured.is_empty()).then(|| measured.iter().sum::<f64>() / measured.len() as f64)
        },
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
    m.power_credits_total_usd = m.power_credits_usd.values().sum();
    m.net_power_cost_usd = m.power_cost_usd - m.power_credits_total_usd;
    m.power_usd_per_mwh = (m.energy_mwh > 0.0).then(|| m.power_cost_usd / m.energy_mwh);
    m.net_power_usd_per_mwh = (m.energy_mwh > 0.0).then(|| m.net_power_cost_usd / m.energy_mwh);
    let mining_power = m.net_power_cost_usd - m.ai_power_cost_usd;
    m.power_cost_per_btc_usd = (m.btc_produced > 0.0).then(|| mining_power / m.btc_produced);
    let margin =
        |revenue: f64, cost: f64| (revenue > 0.0).then(|| 100.0 * (revenue - cost) / revenue);
    m.hardware_margin_pct = margin(m.mining_revenue_usd, mining_power);
    m.mining_margin_all_in_pct = margin(m.mining_revenue_usd, mining_power + m.mining_opex_usd);
    let ph_days = m.avg_operating_hashrate_ths / 1_000.0 * f64::from(m.days);
    m.hashcost_usd_per_ph_day =
        (ph_days > 0.0).then(|| (mining_power + m.mining_opex_usd) / ph_days);
    m.ai_margin_pct = margin(m.ai_revenue_usd, m.ai_power_cost_usd + m.ai_opex_usd);
}

/// The company: sums, with hashrate and MW added across sites and coverage weighted by
/// hashrate.
fn total_of(sites: &[SiteMonth]) -> SiteMonth {
    let mut t = SiteMonth {
        site: "total".into(),
        days: sites.iter().map(|s| s.days).max().unwrap_or(0),
        ..Default::default()
    };
    let (mut joules, mut rated, mut utilisation, mut weight) = (0.0, 0.0, 0.0, 0.0);
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
        t.ai_power_cost_usd += s.ai_power_cost_usd;
        t.mining_opex_usd += s.mining_opex_usd;
        t.ai_opex_usd += s.ai_opex_usd;
        t.gpus_deployed += s.gpus_deployed;
        for (k, v) in &s.btc_days_by_source {
            *t.btc_days_by_source.entry(k.clone()).or_insert(0) += v;
        }
        for (k, v) in &s.power_credits_usd {
            *t.power_credits_usd.entry(k.clone()).or_insert(0.0) += v;
        }
        if let Some(d) = s.deployed_hashrate_ths {
            *t.deployed_hashrate_ths.get_or_insert(0.0) += d;
            if let Some(j) = s.fleet_j_per_th {
                joules += d * j;
                rated += d;
            }
        }
        if let Some(u) = s.gpu_utilisation {
            // Weighted by GPUs where the site has them under contract, else counted once.
            let w = f64::from(s.gpus_deployed.max(1));
            utilisation += u * w;
            weight += w;
        }
    }
    if t.avg_operating_hashrate_ths > 0.0 {
        t.telemetry_coverage /= t.avg_operating_hashrate_ths;
    }
    t.fleet_j_per_th = (rated > 0.0).then(|| joules / rated);
    t.gpu_utilisation = (weight > 0.0).then(|| utilisation / weight);
    derive_ratios(&mut t);
    t
}

/// The figures of a month line by line (site, figure name, value).
fn lines(f: &MonthFigures) -> BTreeMap<(String, String), Option<f64>> {
    let mut out = BTreeMap::new();
    for s in f.sites.iter().chain(std::iter::once(&f.total)) {
        for (name, v) in figure_lines(s) {
            out.insert((s.site.clone(), name.to_string()), v);
        }
        for (kind, usd) in &s.power_credits_usd {
            out.insert(
                (s.site.clone(), format!("power_credit_{kind}_usd")),
                Some(*usd),
            );
        }
    }
    out
}

/// A month's figures in the order the production update prints them: (name, value).
pub fn figure_lines(s: &SiteMonth) -> Vec<(&'static str, Option<f64>)> {
    let some = Some;
    vec![
        ("days", some(f64::from(s.days))),
        ("btc_produced", some(s.btc_produced)),
        ("btc_per_day", some(s.btc_per_day)),
        (
            "pool_paid_days",
            some(f64::from(
                s.btc_days_by_source.get("pool_paid").copied().unwrap_or(0),
            )),
        ),
        ("deployed_hashrate_ths", s.deployed_hashrate_ths),
        (
            "avg_operating_hashrate_ths",
            some(s.avg_operating_hashrate_ths),
        ),
        ("telemetry_coverage", some(s.telemetry_coverage)),
        ("fleet_j_per_th", s.fleet_j_per_th),
        ("energy_mwh", some(s.energy_mwh)),
        ("power_cost_usd", some(s.power_cost_usd)),
        ("power_usd_per_mwh", s.power_usd_per_mwh),
        ("power_credits_total_usd", some(s.power_credits_total_usd)),
        ("net_power_cost_usd", some(s.net_power_cost_usd)),
        ("net_power_usd_per_mwh", s.net_power_usd_per_mwh),
        ("power_cost_per_btc_usd", s.power_cost_per_btc_usd),
        ("mining_revenue_usd", some(s.mining_revenue_usd)),
        ("hardware_margin_pct", s.hardware_margin_pct),
        ("mining_opex_usd", some(s.mining_opex_usd)),
        ("mining_margin_all_in_pct", s.mining_margin_all_in_pct),
        ("hashcost_usd_per_ph_day", s.hashcost_usd_per_ph_day),
        ("ai_revenue_usd", some(s.ai_revenue_usd)),
        ("sla_credit_usd", some(s.sla_credit_usd)),
        ("ai_power_cost_usd", some(s.ai_power_cost_usd)),
        ("ai_opex_usd", some(s.ai_opex_usd)),
        ("ai_margin_pct", s.ai_margin_pct),
        ("gpus_deployed", some(f64::from(s.gpus_deployed))),
        ("gpu_utilisation", s.gpu_utilisation),
        ("mining_mw", some(s.mining_mw)),
        ("ai_mw", some(s.ai_mw)),
    ]
}

/// What changed from `before` to `after`, figure by figure (a change below a millionth of the
/// figure is rounding, not a restatement).
pub fn changes(before: &MonthFigures, after: &MonthFigures) -> Vec<ChangedLine> {
    let (a, b) = (lines(before), lines(after));
    let mut keys: Vec<&(String, String)> = a.keys().chain(b.keys()).collect();
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

/// One line of the production update: a site's (or the total's) figure with the same figure a
/// month and a year before, where those months are closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductionRow {
    pub site: String,
    pub figure: String,
    pub value: Option<f64>,
    pub prior_month: Option<f64>,
    pub month_on_month_pct: Option<f64>,
    pub year_before: Option<f64>,
    pub year_on_year_pct: Option<f64>,
}

/// The production update's lines: the total first, then each site, figures in print order.
pub fn production_rows(
    f: &MonthFigures,
    month_on_month: &[Comparison],
    year_on_year: &[Comparison],
) -> Vec<ProductionRow> {
    let find = |list: &[Comparison], site: &str, figure: &str| {
        list.iter()
            .find(|c| c.site == site && c.figure == figure)
            .map(|c| (c.prior, c.change_pct))
    };
    std::iter::once(&f.total)
        .chain(f.sites.iter())
        .flat_map(|s| {
            figure_lines(s).into_iter().map(|(figure, value)| {
                let mom = find(month_on_month, &s.site, figure);
                let yoy = find(year_on_year, &s.site, figure);
                ProductionRow {
                    site: s.site.clone(),
                    figure: figure.to_string(),
                    value,
                    prior_month: mom.map(|m| m.0),
                    month_on_month_pct: mom.and_then(|m| m.1),
                    year_before: yoy.map(|y| y.0),
                    year_on_year_pct: yoy.and_then(|y| y.1),
                }
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
    crate::model::company::range::parse_report_month(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(site: &str, d: u32, btc: f64, paid: Option<f64>, source: HashrateSource) -> RevenueDay {
        RevenueDay {
            ai_power_cost_usd: 0.0,
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
        // 0.1 BTC paid a day at $100,000 is $10,000 of mining revenue (not the model's 0.12),
        // $2,000 of power: an 80 % margin; $60,000 ÷ 3 BTC.
        assert!((a.mining_revenue_usd - 300_000.0).abs() < 1e-6);
        assert!((a.hardware_margin_pct.unwrap() - 80.0).abs() < 1e-9);
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

    /// The month the issue asks for, worked by hand: November 2026, two sites.
    ///
    /// Site `pool`: 35 MW of S21 (17.5 J/TH: 2,000,000 TH/s), a pool paying 1 BTC a day, power
    /// at $40/MWh, $10,000/MW-month of opex, a 10 MW colocation hall at $130/kW-month escalating
    /// 3 % a year since 2024-06-01 whose power (PUE 1.25) the operator pays, and $3,000 of power
    /// sold back. Site `model`: 20 MW of S21 at 90 % uptime and a 2 % pool fee, modelled; power
    /// at $50/MWh; 1,024 GPUs rented at $2.00/GPU-hour, 80 % utilisation, the tenant paying its
    /// power, with a $5,000 SLA credit; $12,500 of demand-response credit.
    #[test]
    fn the_issues_month_closes_to_the_hand_figures() {
        use crate::model::ai::lease::{
            ContractRegister, ExtensionOption, LeaseContract, LeaseTerms,
        };
        use crate::model::company::revenue::{apply_sla_credits, attach_pool_payouts, site_series};
        use crate::model::company::site::{FleetLine, Site};
        use crate::model::mining::market::{MarketDay, MarketSource};
        use crate::model::power::credit::PowerCreditKind;
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let site = |id: &str, mw: f64, usd_per_kwh: f64, uptime: f64, fee: f64| Site {
            id: id.into(),
            name: id.into(),
            location: String::new(),
            capacity_mw: 60.0,
            initial_mining_mw: mw,
            power_usd_per_kwh: usd_per_kwh,
            pue_ai: 1.25,
            mining_uptime: uptime,
            pool_fee_pct: fee,
            retired_on: None,
            opex_usd_per_mw_month: None,
            fleet: vec![FleetLine {
                model_id: "S21".into(),
                count: 10_000,
            }],
            conversion: vec![],
            contracts: vec![],
            timezone: None,
        };
        let contract = |id: &str, site: &str, terms, start, end, pass| LeaseContract {
            id: id.into(),
            site_id: site.into(),
            tenant: "Tenant".into(),
            terms,
            start_on: start,
            ramp_months: 0,
            end_on: Some(end),
            power_pass_through: pass,
            sla: None,
            devices: vec![],
            register: ContractRegister::default(),
        };
        let mut pool = site("pool", 35.0, 0.04, 1.0, 0.0);
        pool.opex_usd_per_mw_month = Some(10_000.0);
        let mut colo = contract(
            "colo",
            "pool",
            LeaseTerms::Colocation {
                critical_mw: 10.0,
                usd_per_kw_month: 130.0,
                escalator_pct_per_year: 3.0,
            },
            d(2024, 6, 1),
            d(2031, 5, 31),
            false,
        );
        colo.register = ContractRegister {
            gross_mw: Some(14.0),
            extensions: vec![ExtensionOption {
                months: 60,
                price: Some(150.0),
            }],
            credit_support: Some("parent guarantee".into()),
        };
        pool.contracts.push(colo);
        let mut model = site("model", 20.0, 0.05, 0.9, 2.0);
        model.contracts.push(contract(
            "gpus",
            "model",
            LeaseTerms::GpuHours {
                gpus: 1_024,
                usd_per_gpu_hour: 2.0,
                utilisation: 0.8,
                server_kw_per_gpu: 1.4,
                gpu_model: None,
            },
            d(2026, 1, 1),
            d(2028, 12, 31),
            true,
        ));
        let difficulty = 1.2e14;
        let market: Vec<MarketDay> = (1..=30)
            .map(|day| MarketDay {
                date: d(2026, 11, day),
                btc_usd: 100_000.0,
                difficulty,
                fees_btc_per_block: 0.0,
                height: Some(930_000),
                source: MarketSource::Bundled,
            })
            .collect();
        let sites = vec![pool, model];
        let mut rows = site_series(&sites, &market, &Default::default());
        let paid = market
            .iter()
            .map(|m| ((m.date, "pool".to_string()), 1.0))
            .collect();
        attach_pool_payouts(&mut rows, &paid);
        let sla = market
            .iter()
            .map(|m| ((m.date, "model".to_string()), 5_000.0 / 30.0))
            .collect();
        apply_sla_credits(&mut rows, &sla);
        let credit = |site: &str, kind, usd| PowerCredit {
            id: format!("{site}-{usd}"),
            site: site.into(),
            month: "2026-11".into(),
            kind,
            usd,
            note: String::new(),
            recorded_by: "admin".into(),
            recorded_at: chrono::DateTime::UNIX_EPOCH,
        };
        let credits = [
            credit("pool", PowerCreditKind::PowerSale, 3_000.0),
            credit("model", PowerCreditKind::DemandResponse, 12_500.0),
            // Another month's credit does not count.
            PowerCredit {
                month: "2026-10".into(),
                ..credit("model", PowerCreditKind::DemandResponse, 99_999.0)
            },
        ];
        let f = close(&rows, &sites, &credits, d(2026, 11, 1));
        let close_to = |got: f64, want: f64, what: &str| {
            assert!(
                (got - want).abs() <= 1e-9 * want.abs().max(1.0),
                "{what}: {got} ≠ {want}"
            )
        };

        let a = f.sites.iter().find(|s| s.site == "pool").unwrap();
        close_to(a.btc_produced, 30.0, "pool BTC, as paid");
        close_to(a.mining_revenue_usd, 3_000_000.0, "30 BTC × $100,000");
        // 35 MW × 720 h × $40 mining, 10 MW × 1.25 × 720 h × $40 for the hall.
        close_to(a.power_cost_usd, 1_008_000.0 + 360_000.0, "pool power");
        close_to(a.ai_power_cost_usd, 360_000.0, "hall power");
        close_to(a.energy_mwh, (35.0 + 12.5) * 720.0, "pool MWh");
        close_to(a.power_credits_total_usd, 3_000.0, "sold back");
        close_to(
            a.net_power_usd_per_mwh.unwrap(),
            1_365_000.0 / 34_200.0,
            "net $/MWh",
        );
        close_to(
            a.power_cost_per_btc_usd.unwrap(),
            1_005_000.0 / 30.0,
            "power per BTC",
        );
        close_to(a.hardware_margin_pct.unwrap(), 66.5, "hardware margin");
        close_to(a.mining_opex_usd, 350_000.0, "35 MW × $10,000");
        close_to(a.ai_opex_usd, 100_000.0, "10 MW × $10,000");
        close_to(
            a.mining_margin_all_in_pct.unwrap(),
            100.0 * (3_000_000.0 - 1_005_000.0 - 350_000.0) / 3_000_000.0,
            "all-in mining margin",
        );
        close_to(
            a.hashcost_usd_per_ph_day.unwrap(),
            1_355_000.0 / (2_000.0 * 30.0),
            "hashcost",
        );
        // Third contract year: $130 × 1.03², 10,000 kW, 30 of 30.4375 days a month.
        let colo_month = 10_000.0 * 130.0 * 1.03 * 1.03 * 30.0 / 30.4375;
        close_to(a.ai_revenue_usd, colo_month, "escalated colocation");
        close_to(
            a.ai_margin_pct.unwrap(),
            100.0 * (colo_month - 360_000.0 - 100_000.0) / colo_month,
            "AI margin",
        );
        close_to(a.deployed_hashrate_ths.unwrap(), 2_000_000.0, "deployed");
        close_to(a.fleet_j_per_th.unwrap(), 17.5, "J/TH");

        let b = f.sites.iter().find(|s| s.site == "model").unwrap();
        // 20 MW ÷ 17.5 J/TH × 90 % uptime, in H/s; 3.125 BTC a block; 2 % fee.
        let hs = 20e6 / 17.5 * 0.9 * 1e12;
        let btc_day = hs * 86_400.0 * 3.125 / (difficulty * 4_294_967_296.0) * 0.98;
        close_to(b.btc_produced, 30.0 * btc_day, "modelled BTC");
        assert_eq!(b.btc_days_by_source.get("modelled"), Some(&30));
        close_to(b.power_cost_usd, 20.0 * 0.9 * 720.0 * 50.0, "model power");
        close_to(b.power_credits_total_usd, 12_500.0, "DR credit");
        close_to(b.net_power_cost_usd, 648_000.0 - 12_500.0, "net of DR");
        let gpu_month = 1_024.0 * 2.0 * 24.0 * 0.8 * 30.0;
        close_to(
            b.ai_revenue_usd,
            gpu_month - 5_000.0,
            "GPU-hours net of SLA",
        );
        close_to(b.sla_credit_usd, 5_000.0, "SLA credit");
        assert_eq!(b.gpus_deployed, 1_024);
        close_to(b.ai_mw, 1.4336, "1,024 × 1.4 kW");
        close_to(
            b.ai_margin_pct.unwrap(),
            100.0,
            "no AI power or opex to pay",
        );

        let t = &f.total;
        close_to(t.btc_produced, 30.0 + 30.0 * btc_day, "total BTC");
        close_to(t.power_credits_total_usd, 15_500.0, "credits");
        assert_eq!(
            t.power_credits_usd.keys().collect::<Vec<_>>(),
            ["demand_response", "power_sale"]
        );
        assert_eq!(t.gpus_deployed, 1_024);

        // The register at 30 November: the GPU contract has Dec 2026 – Dec 2028 (762 days) to
        // bill; the colocation's option adds 2031-06-01 to 2036-05-31 at $150 — its first 214
        // days (June to December 2031) unescalated.
        let reg = f.register.as_ref().unwrap();
        let gpu = reg.contracts.iter().find(|c| c.contract == "gpus").unwrap();
        close_to(gpu.remaining_usd.unwrap(), 762.0 * 39_321.6, "GPU backlog");
        assert_eq!(gpu.months_remaining, Some(25));
        let colo = reg.contracts.iter().find(|c| c.contract == "colo").unwrap();
        assert_eq!(colo.extended_end, Some(d(2036, 5, 31)));
        assert_eq!(colo.gross_mw, Some(14.0));
        close_to(colo.price_now, 130.0 * 1.03 * 1.03, "price now");
        close_to(
            colo.run_rate_per_critical_mw_usd.unwrap(),
            colo_month / 30.0 * 365.25 / 10.0,
            "run-rate per critical MW",
        );
        let y2031 = reg.backlog.iter().find(|y| y.year == 2031).unwrap();
        close_to(
            y2031.with_extensions_usd - y2031.contracted_usd,
            214.0 * 10_000.0 * 150.0 / 30.4375,
            "the option's 2031",
        );
        let backlog: f64 = reg.backlog.iter().map(|y| y.contracted_usd).sum();
        close_to(backlog, reg.remaining_usd, "the burn-down adds up");
        assert!(reg.remaining_with_extensions_usd > reg.remaining_usd);
    }
}
