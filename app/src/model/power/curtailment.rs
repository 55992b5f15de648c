//! Curtailment backtested at interval prices: when a MWh of hashing earns less than the power
//! it burns, a miner stops (a firm AI tenant cannot); what that earns per interval, day and
//! month; the transmission charge curtailing in the summer's four coincident peaks avoids (4CP);
//! demand-response credits; and the flexibility value a conversion to firm AI load gives up.
//! Pure: prices, hashprice and the fleet's efficiency come in; figures go out.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::model::power::contract::{IntervalPrice, PowerContract, INTERVAL_HOURS};

/// Mining revenue per MWh burned, $: a TH/s at `j_per_th` draws that many watts, so one MWh
/// feeds 10⁶ ÷ (24 × J/TH) TH-days, each earning the hashprice.
pub fn hashprice_usd_per_mwh(hashprice_usd_per_th_day: f64, j_per_th: f64) -> f64 {
    if j_per_th <= 0.0 {
        return 0.0;
    }
    hashprice_usd_per_th_day * 1e6 / (24.0 * j_per_th)
}

/// How a site runs its curtailment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CurtailmentPolicy {
    /// Stop above this marginal price, $/MWh; `None`: at breakeven (the interval's mining
    /// revenue per MWh).
    #[serde(default)]
    pub strike_usd_per_mwh: Option<f64>,
    /// Once stopped, stay off at least this many 15-minute intervals (ramping takes time).
    #[serde(default = "one")]
    pub min_intervals: u32,
    /// What one stop and restart costs, $ (wear, lost shares while ramping).
    #[serde(default)]
    pub ramp_cost_usd: f64,
}

fn one() -> u32 {
    1
}

impl Default for CurtailmentPolicy {
    fn default() -> Self {
        Self {
            strike_usd_per_mwh: None,
            min_intervals: 1,
            ramp_cost_usd: 0.0,
        }
    }
}

/// A site's power terms and how it runs its flexibility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SitePower {
    pub contract: PowerContract,
    #[serde(default)]
    pub policy: CurtailmentPolicy,
    /// A demand-response programme the site is enrolled in.
    #[serde(default)]
    pub demand_response: Option<DemandResponse>,
    /// The transmission charge 4CP allocates, $/kW-year (ERCOT: about 60).
    #[serde(default)]
    pub four_cp_usd_per_kw_year: Option<f64>,
}

impl SitePower {
    /// Every figure within its documented range (README "Power markets").
    pub fn validate(&self) -> Result<(), String> {
        use crate::model::power::contract::in_range;
        self.contract.validate()?;
        let p = &self.policy;
        if let Some(strike) = p.strike_usd_per_mwh {
            in_range(strike, "policy.strike_usd_per_mwh", -1_000.0, 10_000.0)?;
        }
        in_range(p.ramp_cost_usd, "policy.ramp_cost_usd", 0.0, 10_000_000.0)?;
        if p.min_intervals > 96 * 7 {
            return Err("policy.min_intervals: at most a week (672)".into());
        }
        if let Some(dr) = &self.demand_response {
            in_range(
                dr.committed_mw,
                "demand_response.committed_mw",
                0.0,
                10_000.0,
            )?;
            in_range(
                dr.usd_per_mw_month,
                "demand_response.usd_per_mw_month",
                0.0,
                1_000_000.0,
            )?;
        }
        if let Some(v) = self.four_cp_usd_per_kw_year {
            in_range(v, "four_cp_usd_per_kw_year", 0.0, 1_000.0)?;
        }
        Ok(())
    }
}

/// What the site mines with on a day: MW of miners and their efficiency, and the firm load (AI
/// halls, MW at the meter) that buys its power under the same contract.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MiningLoad {
    pub mw: f64,
    pub j_per_th: f64,
    /// The AI halls' firm draw on the same contract, MW: it never curtails, and under a hedge it
    /// takes the block first (see [`mining_cost_usd`]).
    #[serde(default)]
    pub firm_mw: f64,
}

/// The load of each day of a backtest: one [`MiningLoad`] throughout, or a function of the day
/// (a site whose mining MW moves as halls convert).
pub trait LoadOn {
    fn on(&self, day: NaiveDate) -> MiningLoad;
}

impl LoadOn for MiningLoad {
    fn on(&self, _: NaiveDate) -> MiningLoad {
        *self
    }
}

impl<F: Fn(NaiveDate) -> MiningLoad> LoadOn for F {
    fn on(&self, day: NaiveDate) -> MiningLoad {
        self(day)
    }
}

/// What mining pays in an interval when it draws `mining_mw` beside `firm_mw` of firm load, $:
/// the site's bill for both less the firm load's own share. The firm halls are served first —
/// under a hedge they take the block first, at its price — so mining pays only what its draw
/// adds (and, where the halls leave part of the block unused, that part's price less what it
/// sells back for). The two shares add up to the site's bill: a block is counted once.
pub fn mining_cost_usd(contract: &PowerContract, mining_mw: f64, firm_mw: f64, index: f64) -> f64 {
    contract.interval_cost_usd(mining_mw + firm_mw, index) - firm_cost_usd(contract, firm_mw, index)
}

/// The firm load's share of an interval's bill, $: under a hedge, the block's price for the part
/// of the block it uses and the margin above it; otherwise its MW at the interval's price.
pub fn firm_cost_usd(contract: &PowerContract, firm_mw: f64, index: f64) -> f64 {
    let h = INTERVAL_HOURS;
    match contract {
        PowerContract::IndexWithHedge {
            hedge_mw,
            hedge_usd_per_mwh,
            ..
        } => {
            let in_block = firm_mw.min(*hedge_mw).max(0.0);
            (in_block * hedge_usd_per_mwh
                + (firm_mw - in_block) * contract.marginal_usd_per_mwh(index))
                * h
        }
        _ => contract.interval_cost_usd(firm_mw, index),
    }
}

/// One interval of a backtest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CurtailmentRow {
    pub interval_start: DateTime<Utc>,
    /// The index price, $/MWh.
    pub price_usd_per_mwh: f64,
    /// Mining revenue per MWh at the day's hashprice and the fleet's efficiency.
    pub hashprice_usd_per_mwh: f64,
    /// The price the decision was made against (the strike, or breakeven).
    pub strike_usd_per_mwh: f64,
    /// The miners' MW in this interval (what a running interval draws).
    pub mining_mw: f64,
    /// The firm load sharing the contract in this interval, MW.
    #[serde(default)]
    pub firm_mw: f64,
    pub mined: bool,
    /// Power mining paid in the interval, $ (its share: see `mining_cost_usd`).
    pub cost_usd: f64,
    /// Power cost avoided by curtailing, $ (0 when mined).
    pub avoided_usd: f64,
    /// Mining revenue forgone by curtailing, $ (0 when mined).
    pub forgone_usd: f64,
    /// Ramp cost charged to this interval (the first of a curtailment), $.
    pub ramp_usd: f64,
    /// avoided − forgone − ramp, $.
    pub net_usd: f64,
}

impl CurtailmentRow {
    /// Mining revenue the interval earns when mined, $.
    pub fn revenue_usd(&self) -> f64 {
        self.hashprice_usd_per_mwh * self.mining_mw * INTERVAL_HOURS
    }
}

/// Rows of one day or month added up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CurtailmentTotal {
    /// The day (or the month's first day).
    pub period: NaiveDate,
    pub intervals: u32,
    pub hours_curtailed: f64,
    pub energy_avoided_mwh: f64,
    pub cost_usd: f64,
    pub avoided_usd: f64,
    pub forgone_usd: f64,
    pub ramp_usd: f64,
    pub net_usd: f64,
    /// Mining revenue earned in the intervals mined, $.
    pub revenue_usd: f64,
}

/// Backtests curtailment over `prices` (one point, any order, any length: a run of high prices
/// crossing midnight is one run) for a site drawing `load` (each day's) under `contract`.
/// `hashprice` gives the $/TH/day of each interval's UTC day.
///
/// The rule, one for both policies: the decision price is the strike where the operator set
/// one, else breakeven (the interval's mining revenue per MWh). Every interval whose marginal
/// price is above the decision price starts or extends a run; a run — consecutive intervals, a
/// gap in the prices ends it — is stretched to `min_intervals` and curtailed when what it saves
/// against the decision price, Σ (marginal − decision) × MW × ¼ h, beats the ramp cost. With no
/// ramp cost and a minimum of one, that is exactly every interval above the strike.
pub fn backtest(
    prices: &[IntervalPrice],
    load: impl LoadOn,
    contract: &PowerContract,
    policy: &CurtailmentPolicy,
    hashprice: impl Fn(NaiveDate) -> f64,
) -> Vec<CurtailmentRow> {
    let mut sorted: Vec<&IntervalPrice> = prices.iter().collect();
    sorted.sort_by_key(|p| p.interval_start);
    let frame: Vec<Interval> = sorted
        .iter()
        .map(|p| {
            let day = p.interval_start.date_naive();
            let load = load.on(day);
            let revenue = hashprice_usd_per_mwh(hashprice(day), load.j_per_th);
            Interval {
                start: p.interval_start,
                index: p.usd_per_mwh,
                revenue,
                decision: policy.strike_usd_per_mwh.unwrap_or(revenue),
                load,
            }
        })
        .collect();
    let off = curtailed_intervals(&frame, contract, policy);
    frame
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let curtailed = off[i];
            let first = curtailed && (i == 0 || !off[i - 1] || !follows(&frame, i));
            let (mw, firm) = (f.load.mw, f.load.firm_mw);
            let running = mining_cost_usd(contract, mw, firm, f.index);
            let cost = if curtailed {
                mining_cost_usd(contract, 0.0, firm, f.index)
            } else {
                running
            };
            let (avoided, forgone) = if curtailed {
                (running - cost, f.revenue * mw * INTERVAL_HOURS)
            } else {
                (0.0, 0.0)
            };
            let ramp = if first { policy.ramp_cost_usd } else { 0.0 };
            CurtailmentRow {
                interval_start: f.start,
                price_usd_per_mwh: f.index,
                hashprice_usd_per_mwh: f.revenue,
                strike_usd_per_mwh: f.decision,
                mining_mw: mw,
                firm_mw: firm,
                mined: !curtailed,
                cost_usd: cost,
                avoided_usd: avoided,
                forgone_usd: forgone,
                ramp_usd: ramp,
                net_usd: avoided - forgone - ramp,
            }
        })
        .collect()
}

/// One interval as the decision sees it.
struct Interval {
    start: DateTime<Utc>,
    index: f64,
    revenue: f64,
    decision: f64,
    load: MiningLoad,
}

/// Interval `i` starts where `i − 1` ends (no gap in the prices between them).
fn follows(frame: &[Interval], i: usize) -> bool {
    i > 0
        && frame[i].start - frame[i - 1].start
            == chrono::Duration::minutes(crate::model::power::contract::INTERVAL_MINUTES)
}

/// Which intervals are off: runs above the decision price, stretched to the minimum length
/// (never across a gap), kept when they save more against the decision price than a ramp costs.
fn curtailed_intervals(
    frame: &[Interval],
    contract: &PowerContract,
    policy: &CurtailmentPolicy,
) -> Vec<bool> {
    let mut off = vec![false; frame.len()];
    let above = |i: usize| contract.marginal_usd_per_mwh(frame[i].index) > frame[i].decision;
    let saving = |i: usize| {
        let f = &frame[i];
        (contract.marginal_usd_per_mwh(f.index) - f.decision) * f.load.mw * INTERVAL_HOURS
    };
    let mut i = 0;
    while i < frame.len() {
        if !above(i) {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < frame.len() && above(i) && follows(frame, i) {
            i += 1;
        }
        let mut end = i;
        while end < frame.len()
            && end < start + policy.min_intervals.max(1) as usize
            && follows(frame, end)
        {
            end += 1;
        }
        let saved: f64 = (start..end).map(saving).sum();
        if saved > policy.ramp_cost_usd {
            off[start..end].iter_mut().for_each(|o| *o = true);
            i = end;
        }
    }
    off
}

/// Adds rows up per UTC day (`monthly`: per month).
pub fn totals(rows: &[CurtailmentRow], monthly: bool) -> Vec<CurtailmentTotal> {
    let mut out: BTreeMap<NaiveDate, CurtailmentTotal> = BTreeMap::new();
    for r in rows {
        let day = r.interval_start.date_naive();
        let period = if monthly {
            day.with_day(1).unwrap_or(day)
        } else {
            day
        };
        let t = out.entry(period).or_insert_with(|| CurtailmentTotal {
            period,
            ..Default::default()
        });
        t.intervals += 1;
        t.cost_usd += r.cost_usd;
        t.avoided_usd += r.avoided_usd;
        t.forgone_usd += r.forgone_usd;
        t.ramp_usd += r.ramp_usd;
        t.net_usd += r.net_usd;
        if r.mined {
            t.revenue_usd += r.revenue_usd();
        } else {
            t.hours_curtailed += INTERVAL_HOURS;
            t.energy_avoided_mwh += r.mining_mw * INTERVAL_HOURS;
        }
    }
    out.into_values().collect()
}

/// The summer's coincident peaks the site sat out, and what that saves: ERCOT allocates a
/// year's transmission cost by each load's average draw in the four monthly peaks of June to
/// September, so every peak curtailed takes a quarter of the annual charge off each MW mining
/// drew then.
pub fn four_cp_avoided_usd(
    rows: &[CurtailmentRow],
    peaks: &[DateTime<Utc>],
    usd_per_kw_year: f64,
) -> (u32, f64) {
    let sat_out: Vec<&CurtailmentRow> = peaks
        .iter()
        .filter_map(|p| rows.iter().find(|r| r.interval_start == *p && !r.mined))
        .collect();
    let avoided: f64 = sat_out
        .iter()
        .take(4)
        .map(|r| r.mining_mw * 1_000.0 * usd_per_kw_year / 4.0)
        .sum();
    (sat_out.len() as u32, avoided)
}

/// A demand-response programme: credits for MW committed, scaled by what was really shed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DemandResponse {
    pub committed_mw: f64,
    pub usd_per_mw_month: f64,
}

impl DemandResponse {
    /// Credits for `months` months when telemetry shows `shed_mw` shed on call (performance is
    /// shed ÷ committed, at most 1).
    pub fn credit_usd(&self, months: f64, shed_mw: f64) -> f64 {
        if self.committed_mw <= 0.0 {
            return 0.0;
        }
        let performance = (shed_mw / self.committed_mw).clamp(0.0, 1.0);
        self.committed_mw * self.usd_per_mw_month * months * performance
    }
}

/// Mining's net margin over a backtest, $: revenue of the intervals mined less the power
/// mining paid and its ramps. With `curtail` off the miner runs through every interval.
pub fn mining_margin_usd(rows: &[CurtailmentRow], contract: &PowerContract, curtail: bool) -> f64 {
    rows.iter()
        .map(|r| {
            if curtail {
                let revenue = if r.mined { r.revenue_usd() } else { 0.0 };
                revenue - r.cost_usd - r.ramp_usd
            } else {
                r.revenue_usd()
                    - mining_cost_usd(contract, r.mining_mw, r.firm_mw, r.price_usd_per_mwh)
            }
        })
        .sum()
}

/// What a site's flexibility earned over a backtest, in its parts.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Flexibility {
    /// Mining's net margin curtailing, and running through every interval, $.
    pub margin_curtailing_usd: f64,
    pub margin_running_through_usd: f64,
    /// What curtailment adds: the first minus the second, $.
    pub curtailment_value_usd: f64,
    /// Coincident peaks the site sat out and the transmission charge that avoids, $.
    pub four_cp_curtailed: u32,
    pub four_cp_avoided_usd: f64,
    /// Demand-response credits over the window at `performance`, $.
    pub demand_response_usd: f64,
    /// Share of the intervals priced above the decision price that were sat out (a run mined
    /// through because its ramp cost more counts against it); 1 when none was.
    pub modelled_performance: f64,
    /// Curtailment + 4CP + demand response, $: what a firm AI load gives up.
    pub flexibility_value_usd: f64,
    /// The same MW as a firm load, every interval, $ of power.
    pub firm_power_cost_usd: f64,
}

/// The flexibility of a backtest's `rows` under `terms` over `months`: `peaks` are the
/// coincident-peak intervals; `measured_performance` (0–1) is what telemetry shows was shed on
/// call, used for demand response in place of the model's own where it covers the called hours.
pub fn flexibility(
    rows: &[CurtailmentRow],
    terms: &SitePower,
    peaks: &[DateTime<Utc>],
    months: f64,
    measured_performance: Option<f64>,
) -> Flexibility {
    let c = &terms.contract;
    let with = mining_margin_usd(rows, c, true);
    let without = mining_margin_usd(rows, c, false);
    let (four_cp_curtailed, four_cp_avoided_usd) = match terms.four_cp_usd_per_kw_year {
        Some(rate) => four_cp_avoided_usd(rows, peaks, rate),
        None => (0, 0.0),
    };
    let called = rows
        .iter()
        .filter(|r| c.marginal_usd_per_mwh(r.price_usd_per_mwh) > r.strike_usd_per_mwh);
    let (called, shed) = called.fold((0u32, 0u32), |(n, s), r| (n + 1, s + u32::from(!r.mined)));
    let modelled_performance = if called == 0 {
        1.0
    } else {
        f64::from(shed) / f64::from(called)
    };
    let performance = measured_performance.unwrap_or(modelled_performance);
    let demand_response_usd = terms.demand_response.map_or(0.0, |dr| {
        dr.credit_usd(months, dr.committed_mw * performance)
    });
    Flexibility {
        margin_curtailing_usd: with,
        margin_running_through_usd: without,
        curtailment_value_usd: with - without,
        four_cp_curtailed,
        four_cp_avoided_usd,
        demand_response_usd,
        modelled_performance,
        flexibility_value_usd: with - without + four_cp_avoided_usd + demand_response_usd,
        firm_power_cost_usd: firm_power_cost_usd(rows, c),
    }
}

/// The same MW as a firm load, $: each interval's mining MW drawing in every interval, spikes
/// included, as its share of the site's bill.
pub fn firm_power_cost_usd(rows: &[CurtailmentRow], contract: &PowerContract) -> f64 {
    rows.iter()
        .map(|r| mining_cost_usd(contract, r.mining_mw, r.firm_mw, r.price_usd_per_mwh))
        .sum()
}

/// Keep mining against converting the same MW to colocation, over `months` at the same
/// interval prices: (mining with its flexibility, AI lease less firm power). The AI halls' IT
/// load is the site's MW over PUE, leased at `usd_per_kw_month`.
pub fn keep_or_convert_usd(
    mining_with_flexibility_usd: f64,
    firm_power_cost_usd: f64,
    mw: f64,
    pue: f64,
    usd_per_kw_month: f64,
    months: f64,
) -> (f64, f64) {
    let it_kw = if pue > 0.0 { mw / pue * 1_000.0 } else { 0.0 };
    (
        mining_with_flexibility_usd,
        it_kw * usd_per_kw_month * months - firm_power_cost_usd,
    )
}

/// Did the machines do what the backtest says they should have? Verified by telemetry (the
/// power the site's ASICs drew), not by any command's acknowledgement.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Adherence {
    /// Hours the model curtails whole (all four intervals).
    pub hours_called: u32,
    /// Of those, hours with telemetry.
    pub hours_observed: u32,
    /// Of those, hours the fleet drew at most a tenth of its running power.
    pub hours_followed: u32,
    /// followed ÷ observed, 0–100; `None` without an observed hour.
    pub percent: Option<f64>,
}

/// Compares the backtest's whole curtailed hours with what the site's ASICs drew each hour
/// (`drawn`: hour start and MW). The running draw is the median of the hours the model mines,
/// so a fleet that is smaller than its nameplate is judged against itself.
pub fn adherence(rows: &[CurtailmentRow], drawn: &[(DateTime<Utc>, f64)]) -> Adherence {
    let mut hours: BTreeMap<DateTime<Utc>, (u32, u32)> = BTreeMap::new();
    for r in rows {
        let hour = r.interval_start - chrono::Duration::minutes(r.interval_start.minute() as i64);
        let h = hours.entry(hour).or_default();
        h.0 += 1;
        if !r.mined {
            h.1 += 1;
        }
    }
    let called: Vec<DateTime<Utc>> = hours
        .iter()
        .filter(|(_, (n, off))| *n == 4 && *off == 4)
        .map(|(h, _)| *h)
        .collect();
    let mut running: Vec<f64> = drawn
        .iter()
        .filter(|(h, _)| hours.get(h).is_some_and(|(_, off)| *off == 0))
        .map(|(_, mw)| *mw)
        .collect();
    running.sort_by(|a, b| a.total_cmp(b));
    let median = running.get(running.len() / 2).copied().unwrap_or(0.0);
    let drawn_at: BTreeMap<DateTime<Utc>, f64> = drawn.iter().copied().collect();
    let observed: Vec<f64> = called
        .iter()
        .filter_map(|h| drawn_at.get(h).copied())
        .collect();
    let followed = observed.iter().filter(|mw| **mw <= 0.1 * median).count() as u32;
    Adherence {
        hours_called: called.len() as u32,
        hours_observed: observed.len() as u32,
        hours_followed: followed,
        percent: (!observed.is_empty()).then(|| 100.0 * followed as f64 / observed.len() as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    /// `n` intervals from 1 August 2025 00:00 UTC, the `i`th (0-based) at `price(i)`.
    fn intervals(n: i64, price: impl Fn(i64) -> f64) -> Vec<IntervalPrice> {
        let start = Utc.with_ymd_and_hms(2025, 8, 1, 0, 0, 0).unwrap();
        (0..n)
            .map(|i| IntervalPrice {
                point: "HB_WEST".into(),
                point_type: String::new(),
                interval_start: start + Duration::minutes(15 * i),
                usd_per_mwh: price(i),
            })
            .collect()
    }

    /// A day of 96 intervals: $5,000/MWh in intervals 64–71 (1-based; 15:45–17:45 UTC), $25 the rest.
    fn spike_day() -> Vec<IntervalPrice> {
        intervals(96, |i| {
            if (63..=70).contains(&i) {
                5_000.0
            } else {
                25.0
            }
        })
    }

    const LOAD: MiningLoad = MiningLoad {
        mw: 100.0,
        j_per_th: 20.0,
        firm_mw: 0.0,
    };
    #[allow(non_snake_case)]
    fn INDEX() -> PowerContract {
        PowerContract::Index {
            point: "HB_NORTH".into(),
            settles_on: None,
            adder_usd_per_mwh: 0.0,
            cap_usd_per_mwh: None,
        }
    }

    /// The spike day backtested at an index, breakeven ($100/MWh), no minimum, no ramp cost.
    fn spike_rows() -> Vec<CurtailmentRow> {
        backtest(
            &spike_day(),
            LOAD,
            &INDEX(),
            &CurtailmentPolicy::default(),
            |_| 0.048,
        )
    }

    #[test]
    fn revenue_per_mwh_follows_hashprice_and_efficiency() {
        // $0.048/TH/day at 20 J/TH: 10⁶ ÷ 480 = 2,083.33 TH-days per MWh → $100/MWh.
        assert!((hashprice_usd_per_mwh(0.048, 20.0) - 100.0).abs() < 1e-9);
        assert_eq!(hashprice_usd_per_mwh(0.048, 0.0), 0.0);
    }

    #[test]
    fn a_price_spike_is_curtailed_and_worked_out_by_hand() {
        // Breakeven $100/MWh; 100 MW for a quarter hour is 25 MWh.
        let rows = spike_rows();
        let off: Vec<usize> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.mined)
            .map(|(i, _)| i + 1)
            .collect();
        assert_eq!(off, (64..=71).collect::<Vec<_>>());
        // Each curtailed interval: avoids 25 MWh × $5,000 = $125,000, forgoes 25 × $100 = $2,500.
        let day = &totals(&rows, false)[0];
        assert_eq!(day.hours_curtailed, 2.0);
        assert_eq!(day.energy_avoided_mwh, 200.0);
        assert!((day.avoided_usd - 8.0 * 125_000.0).abs() < 1e-6);
        assert!((day.forgone_usd - 8.0 * 2_500.0).abs() < 1e-6);
        assert!((day.net_usd - 980_000.0).abs() < 1e-6);
        // Paid: 88 intervals × 25 MWh × $25 = $55,000; earned 88 × 25 × $100 = $220,000.
        assert!((day.cost_usd - 55_000.0).abs() < 1e-6);
        assert!((day.revenue_usd - 220_000.0).abs() < 1e-6);
    }

    #[test]
    fn a_strike_a_minimum_length_and_a_ramp_cost_change_the_decision() {
        // A strike above the spike: nothing curtailed.
        let high = CurtailmentPolicy {
            strike_usd_per_mwh: Some(6_000.0),
            ..Default::default()
        };
        assert!(backtest(&spike_day(), LOAD, &INDEX(), &high, |_| 0.048)
            .iter()
            .all(|r| r.mined));
        // Stay off 12 intervals once stopped: 64–75, the last four forgoing $2,500 for $625 saved.
        let long = CurtailmentPolicy {
            min_intervals: 12,
            ramp_cost_usd: 10_000.0,
            ..Default::default()
        };
        let rows = backtest(&spike_day(), LOAD, &INDEX(), &long, |_| 0.048);
        assert_eq!(rows.iter().filter(|r| !r.mined).count(), 12);
        let net: f64 = rows.iter().map(|r| r.net_usd).sum();
        assert!((net - (980_000.0 - 4.0 * (2_500.0 - 625.0) - 10_000.0)).abs() < 1e-6);
        // A ramp that costs more than the spike saves: mined through.
        let dear = CurtailmentPolicy {
            ramp_cost_usd: 2_000_000.0,
            ..Default::default()
        };
        assert!(backtest(&spike_day(), LOAD, &INDEX(), &dear, |_| 0.048)
            .iter()
            .all(|r| r.mined));
    }

    /// A day at $30 but for two runs: intervals 41–48 (1-based) at 97–114 and 71–78 at
    /// 100–340 $/MWh, as an ERCOT July evening posts them.
    fn two_runs_day() -> Vec<IntervalPrice> {
        let first = [97.0, 101.71, 106.95, 110.09, 113.85, 99.5, 100.0, 114.0];
        let second = [100.0, 150.0, 340.0, 220.0, 100.01, 100.0, 180.0, 101.0];
        let mut day = spike_day();
        for (n, p) in day.iter_mut().enumerate() {
            p.usd_per_mwh = match n + 1 {
                41..=48 => first[n - 40],
                71..=78 => second[n - 70],
                _ => 30.0,
            };
        }
        day
    }

    fn off(rows: &[CurtailmentRow]) -> Vec<usize> {
        rows.iter()
            .enumerate()
            .filter(|(_, r)| !r.mined)
            .map(|(i, _)| i + 1)
            .collect()
    }

    #[test]
    fn at_a_strike_exactly_the_intervals_above_it_are_curtailed() {
        // Hashprice $0.0576/TH/day at 20 J/TH is $120/MWh of revenue: above the strike, so a
        // rule measured against revenue would mine 101.71–113.85. The strike is the rule.
        let strike = CurtailmentPolicy {
            strike_usd_per_mwh: Some(100.0),
            ..Default::default()
        };
        let rows = backtest(&two_runs_day(), LOAD, &INDEX(), &strike, |_| 0.0576);
        assert!((rows[0].hashprice_usd_per_mwh - 120.0).abs() < 1e-9);
        assert_eq!(off(&rows), vec![42, 43, 44, 45, 48, 72, 73, 74, 75, 77, 78]);
        // Breakeven instead: the decision price is the $120 revenue.
        let rows = backtest(&two_runs_day(), LOAD, &INDEX(), &Default::default(), |_| {
            0.0576
        });
        assert_eq!(off(&rows), vec![72, 73, 74, 77]);
        // A ramp cost is weighed against what a run saves below the strike, by hand: run 42–45
        // saves (1.71 + 6.95 + 10.09 + 13.85) × 25 MWh = $815, run 48 (14 × 25) $350, run
        // 72–75 (50 + 240 + 120 + 0.01) × 25 = $10,250.25, 77–78 (80 + 1) × 25 = $2,025.
        let ramped = CurtailmentPolicy {
            ramp_cost_usd: 814.0,
            ..strike.clone()
        };
        let rows = backtest(&two_runs_day(), LOAD, &INDEX(), &ramped, |_| 0.0576);
        assert_eq!(off(&rows), vec![42, 43, 44, 45, 72, 73, 74, 75, 77, 78]);
        let ramp: f64 = rows.iter().map(|r| r.ramp_usd).sum();
        assert_eq!(ramp, 3.0 * 814.0, "one ramp per run kept");
        let dearer = CurtailmentPolicy {
            ramp_cost_usd: 816.0,
            ..strike
        };
        let rows = backtest(&two_runs_day(), LOAD, &INDEX(), &dearer, |_| 0.0576);
        assert_eq!(off(&rows), vec![72, 73, 74, 75, 77, 78]);
    }

    #[test]
    fn a_run_crossing_midnight_is_one_run_and_a_gap_ends_one() {
        // 23:15–00:45 UTC at $500 across two days (18:15–19:45 Central): six intervals.
        let prices = intervals(192, |n| if (93..99).contains(&n) { 500.0 } else { 25.0 });
        let start = prices[0].interval_start;
        // Each half saves 3 × (500 − 100) × 25 = $30,000; the run $60,000. A $45,000 ramp is
        // paid once for the whole run, which neither half would justify alone.
        let policy = CurtailmentPolicy {
            strike_usd_per_mwh: Some(100.0),
            ramp_cost_usd: 45_000.0,
            ..Default::default()
        };
        let rows = backtest(&prices, LOAD, &INDEX(), &policy, |_| 0.048);
        assert_eq!(off(&rows), (94..=99).collect::<Vec<_>>());
        assert_eq!(rows.iter().map(|r| r.ramp_usd).sum::<f64>(), 45_000.0);
        // The same prices with the midnight interval missing: two runs, of $30,000 and $20,000,
        // neither worth the ramp.
        let gapped: Vec<IntervalPrice> = prices
            .iter()
            .filter(|p| p.interval_start != start + Duration::days(1))
            .cloned()
            .collect();
        assert!(backtest(&gapped, LOAD, &INDEX(), &policy, |_| 0.048)
            .iter()
            .all(|r| r.mined));
    }

    #[test]
    fn a_hedge_block_is_counted_once_and_mining_pays_only_its_own_power() {
        let hedge = PowerContract::IndexWithHedge {
            point: "HB_NORTH".into(),
            settles_on: None,
            adder_usd_per_mwh: 0.0,
            cap_usd_per_mwh: None,
            hedge_mw: 60.0,
            hedge_usd_per_mwh: 40.0,
        };
        // 50 MW of AI halls and 100 MW of miners at index $25: the halls take 50 MW of the
        // block at $40; mining the other 10 MW of it and 90 MW at the index.
        let firm = firm_cost_usd(&hedge, 50.0, 25.0);
        assert!((firm - 50.0 * 40.0 * 0.25).abs() < 1e-9);
        let mining = mining_cost_usd(&hedge, 100.0, 50.0, 25.0);
        assert!((mining - (10.0 * 40.0 + 90.0 * 25.0) * 0.25).abs() < 1e-9);
        assert!((firm + mining - hedge.interval_cost_usd(150.0, 25.0)).abs() < 1e-9);
        // Curtailed in a $5,000 interval: mining's 10 MW of block is sold back at the index.
        let idle = mining_cost_usd(&hedge, 0.0, 50.0, 5_000.0);
        assert!((idle - 10.0 * (40.0 - 5_000.0) * 0.25).abs() < 1e-9);
        // Without a hedge, mining pays its MW at the interval's price whatever the halls draw.
        assert_eq!(
            mining_cost_usd(&INDEX(), 100.0, 50.0, 25.0),
            100.0 * 25.0 * 0.25
        );
        // The backtest charges mining its own share.
        let load = MiningLoad {
            firm_mw: 50.0,
            ..LOAD
        };
        let rows = backtest(
            &spike_day(),
            load,
            &hedge,
            &CurtailmentPolicy::default(),
            |_| 0.048,
        );
        let site_bill: f64 = rows
            .iter()
            .map(|r| r.cost_usd + firm_cost_usd(&hedge, r.firm_mw, r.price_usd_per_mwh))
            .sum();
        let direct: f64 = rows
            .iter()
            .map(|r| {
                hedge.interval_cost_usd(if r.mined { 150.0 } else { 50.0 }, r.price_usd_per_mwh)
            })
            .sum();
        assert!((site_bill - direct).abs() < 1e-6);
    }

    #[test]
    fn the_firm_comparison_uses_each_intervals_mw() {
        // 100 MW mining on the first day, 40 MW on the second (60 MW converted), all at $25.
        let prices = intervals(192, |_| 25.0);
        let second = prices[0].interval_start.date_naive() + Duration::days(1);
        let load = |d: NaiveDate| MiningLoad {
            mw: if d < second { 100.0 } else { 40.0 },
            ..LOAD
        };
        let rows = backtest(&prices, load, &INDEX(), &Default::default(), |_| 0.048);
        let firm = firm_power_cost_usd(&rows, &INDEX());
        assert!((firm - (100.0 + 40.0) * 24.0 * 25.0).abs() < 1e-6);
        let days = totals(&rows, false);
        assert!((days[1].revenue_usd - 40.0 * 24.0 * 100.0).abs() < 1e-6);
    }

    #[test]
    fn flexibility_is_worth_nothing_at_a_fixed_price_and_the_spike_at_an_index() {
        let fixed = PowerContract::Fixed { usd_per_mwh: 45.0 };
        let rows = backtest(
            &spike_day(),
            LOAD,
            &fixed,
            &CurtailmentPolicy::default(),
            |_| 0.048,
        );
        let terms = |contract| SitePower {
            contract,
            policy: CurtailmentPolicy::default(),
            demand_response: Some(DemandResponse {
                committed_mw: 10.0,
                usd_per_mw_month: 5_000.0,
            }),
            four_cp_usd_per_kw_year: None,
        };
        let at_fixed = flexibility(&rows, &terms(fixed), &[], 1.0, None);
        assert_eq!(at_fixed.curtailment_value_usd, 0.0);
        let rows = spike_rows();
        // Running through pays the spike: 8 × 25 MWh × ($5,000 − $100) = $980,000 more; every
        // called interval sat out earns the whole month's $50,000 of demand response.
        let f = flexibility(&rows, &terms(INDEX()), &[], 1.0, None);
        assert!((f.curtailment_value_usd - 980_000.0).abs() < 1e-6);
        assert_eq!(f.modelled_performance, 1.0);
        assert!((f.demand_response_usd - 50_000.0).abs() < 1e-9);
        assert!((f.flexibility_value_usd - 1_030_000.0).abs() < 1e-6);
        // Telemetry shows half the committed MW shed: half the credit.
        let measured = flexibility(&rows, &terms(INDEX()), &[], 1.0, Some(0.5));
        assert!((measured.demand_response_usd - 25_000.0).abs() < 1e-9);
        // The same 100 MW as a firm load pays every interval: 100 MW × (88 × $25 + 8 × $5,000) × 0.25 h.
        let firm = firm_power_cost_usd(&rows, &INDEX());
        assert!((firm - 100.0 * (88.0 * 25.0 + 8.0 * 5_000.0) * 0.25).abs() < 1e-6);
    }

    #[test]
    fn converting_leases_it_load_over_pue_and_pays_firm_power() {
        // 100 MW at PUE 1.25 → 80 MW IT = 80,000 kW × $130 × 12 months = $124.8 M, less $40 M power.
        let (mining, ai) = keep_or_convert_usd(30e6, 40e6, 100.0, 1.25, 130.0, 12.0);
        assert_eq!(mining, 30e6);
        assert!((ai - (124.8e6 - 40e6)).abs() < 1e-3);
    }

    #[test]
    fn adherence_counts_curtailed_hours_the_fleet_really_sat_out() {
        // Off at least 12 intervals: 64–75 (15:45–18:45), so whole hours 16:00 and 17:00 are called.
        let long = CurtailmentPolicy {
            min_intervals: 12,
            ..Default::default()
        };
        let rows = backtest(&spike_day(), LOAD, &INDEX(), &long, |_| 0.048);
        let at = |h: u32| Utc.with_ymd_and_hms(2025, 8, 1, h, 0, 0).unwrap();
        let mut drawn: Vec<(DateTime<Utc>, f64)> = (0..24).map(|h| (at(h), 95.0)).collect();
        drawn[16].1 = 4.0; // sat out
        drawn[17].1 = 60.0; // kept running
        let a = adherence(&rows, &drawn);
        assert_eq!(
            (a.hours_called, a.hours_observed, a.hours_followed),
            (2, 2, 1)
        );
        assert_eq!(a.percent, Some(50.0));
        // Without telemetry for those hours: called, not observed, no percentage.
        let a = adherence(&rows, &drawn[..10]);
        assert_eq!((a.hours_called, a.hours_observed, a.percent), (2, 0, None));
    }

    #[test]
    fn four_cp_and_demand_response_credit_what_was_shed() {
        let rows = spike_rows();
        let peaks = [rows[66].interval_start, rows[10].interval_start];
        // One of two peaks sat out: a quarter of $60/kW-year on 100 MW.
        assert_eq!(
            four_cp_avoided_usd(&rows, &peaks, 60.0),
            (1, 0.25 * 100.0 * 1_000.0 * 60.0)
        );
        let dr = DemandResponse {
            committed_mw: 50.0,
            usd_per_mw_month: 4_000.0,
        };
        assert_eq!(dr.credit_usd(3.0, 50.0), 600_000.0);
        assert_eq!(dr.credit_usd(3.0, 25.0), 300_000.0);
        assert_eq!(dr.credit_usd(3.0, 80.0), 600_000.0);
    }
}
