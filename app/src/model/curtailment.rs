//! Curtailment backtested at interval prices: when a MWh of hashing earns less than the power
//! it burns, a miner stops (a firm AI tenant cannot); what that earns per interval, day and
//! month; the transmission charge curtailing in the summer's four coincident peaks avoids (4CP);
//! demand-response credits; and the flexibility value a conversion to firm AI load gives up.
//! Pure: prices, hashprice and the fleet's efficiency come in; figures go out.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::{Deserialize, Serialize};

use super::power::{IntervalPrice, PowerContract, INTERVAL_HOURS};

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
        use super::power::in_range;
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

/// What the site mines with: MW of miners and their efficiency.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MiningLoad {
    pub mw: f64,
    pub j_per_th: f64,
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
    pub mined: bool,
    /// Power paid in the interval, $.
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

/// Backtests curtailment over `prices` (one point, any order) for a site drawing `load` under
/// `contract`. `hashprice` gives the $/TH/day of each interval's UTC day. A run of intervals
/// above the strike is curtailed — stretched to `min_intervals` — when what it saves beats the
/// ramp cost; otherwise it is mined through.
pub fn backtest(
    prices: &[IntervalPrice],
    load: MiningLoad,
    contract: &PowerContract,
    policy: &CurtailmentPolicy,
    hashprice: impl Fn(NaiveDate) -> f64,
) -> Vec<CurtailmentRow> {
    let mut sorted: Vec<&IntervalPrice> = prices.iter().collect();
    sorted.sort_by_key(|p| p.interval_start);
    let frame: Vec<(f64, f64, f64)> = sorted
        .iter()
        .map(|p| {
            let revenue =
                hashprice_usd_per_mwh(hashprice(p.interval_start.date_naive()), load.j_per_th);
            let strike = policy.strike_usd_per_mwh.unwrap_or(revenue);
            (p.usd_per_mwh, revenue, strike)
        })
        .collect();
    let off = curtailed_intervals(&frame, load, contract, policy);
    let energy = load.mw * INTERVAL_HOURS;
    sorted
        .iter()
        .zip(&frame)
        .enumerate()
        .map(|(i, (p, &(index, revenue, strike)))| {
            let curtailed = off[i];
            let first = curtailed && (i == 0 || !off[i - 1]);
            let cost = contract.interval_cost_usd(if curtailed { 0.0 } else { load.mw }, index);
            let (avoided, forgone) = if curtailed {
                (
                    contract.interval_cost_usd(load.mw, index) - cost,
                    revenue * energy,
                )
            } else {
                (0.0, 0.0)
            };
            let ramp = if first { policy.ramp_cost_usd } else { 0.0 };
            CurtailmentRow {
                interval_start: p.interval_start,
                price_usd_per_mwh: index,
                hashprice_usd_per_mwh: revenue,
                strike_usd_per_mwh: strike,
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

/// Which intervals are off: runs above the strike, stretched to the minimum length, kept when
/// they save more than a ramp costs.
fn curtailed_intervals(
    frame: &[(f64, f64, f64)],
    load: MiningLoad,
    contract: &PowerContract,
    policy: &CurtailmentPolicy,
) -> Vec<bool> {
    let mut off = vec![false; frame.len()];
    let above = |i: usize| {
        let (index, _, strike) = frame[i];
        contract.marginal_usd_per_mwh(index) > strike
    };
    let saving = |i: usize| {
        let (index, revenue, _) = frame[i];
        (contract.marginal_usd_per_mwh(index) - revenue) * load.mw * INTERVAL_HOURS
    };
    let mut i = 0;
    while i < frame.len() {
        if !above(i) {
            i += 1;
            continue;
        }
        let start = i;
        while i < frame.len() && above(i) {
            i += 1;
        }
        let end = i
            .max(start + policy.min_intervals.max(1) as usize)
            .min(frame.len());
        let saved: f64 = (start..end).map(saving).sum();
        if saved > policy.ramp_cost_usd {
            off[start..end].iter_mut().for_each(|o| *o = true);
            i = end;
        }
    }
    off
}

/// Adds rows up per UTC day (`monthly`: per month).
pub fn totals(rows: &[CurtailmentRow], monthly: bool, load: MiningLoad) -> Vec<CurtailmentTotal> {
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
            t.revenue_usd += r.hashprice_usd_per_mwh * load.mw * INTERVAL_HOURS;
        } else {
            t.hours_curtailed += INTERVAL_HOURS;
            t.energy_avoided_mwh += load.mw * INTERVAL_HOURS;
        }
    }
    out.into_values().collect()
}

/// The summer's coincident peaks the site sat out, and what that saves: ERCOT allocates a
/// year's transmission cost by each load's average draw in the four monthly peaks of June to
/// September, so every peak curtailed takes a quarter of the annual charge off each MW.
pub fn four_cp_avoided_usd(
    rows: &[CurtailmentRow],
    peaks: &[DateTime<Utc>],
    mw: f64,
    usd_per_kw_year: f64,
) -> (u32, f64) {
    let curtailed = peaks
        .iter()
        .filter(|p| rows.iter().any(|r| r.interval_start == **p && !r.mined))
        .count() as u32;
    let share = (curtailed.min(4) as f64) / 4.0;
    (curtailed, share * mw * 1_000.0 * usd_per_kw_year)
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

/// Mining's net margin over a backtest, $: revenue of the intervals mined less power paid and
/// ramps. With `curtail` off the miner runs through every interval.
pub fn mining_margin_usd(
    rows: &[CurtailmentRow],
    load: MiningLoad,
    contract: &PowerContract,
    curtail: bool,
) -> f64 {
    rows.iter()
        .map(|r| {
            let mined = !curtail || r.mined;
            let revenue = if mined {
                r.hashprice_usd_per_mwh * load.mw * INTERVAL_HOURS
            } else {
                0.0
            };
            let cost = if curtail {
                r.cost_usd
            } else {
                contract.interval_cost_usd(load.mw, r.price_usd_per_mwh)
            };
            revenue - cost - if curtail { r.ramp_usd } else { 0.0 }
        })
        .sum()
}

/// What flexibility is worth over the backtest, $: mining that curtails against mining that runs
/// through at the same prices. A firm AI load has none of it; converting gives it up.
pub fn flexibility_value_usd(
    rows: &[CurtailmentRow],
    load: MiningLoad,
    contract: &PowerContract,
) -> f64 {
    mining_margin_usd(rows, load, contract, true) - mining_margin_usd(rows, load, contract, false)
}

/// Firm load's power bill over the same intervals, $: `it_mw` of AI halls × PUE, every interval.
pub fn firm_power_cost_usd(
    prices: &[IntervalPrice],
    it_mw: f64,
    pue: f64,
    contract: &PowerContract,
) -> f64 {
    prices
        .iter()
        .map(|p| contract.interval_cost_usd(it_mw * pue, p.usd_per_mwh))
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

    /// A day of 96 intervals: $5,000/MWh in intervals 64–71 (1-based; 15:45–17:45 UTC), $25 the rest.
    fn spike_day() -> Vec<IntervalPrice> {
        let start = Utc.with_ymd_and_hms(2025, 8, 1, 0, 0, 0).unwrap();
        (1..=96)
            .map(|n| IntervalPrice {
                point: "HB_NORTH".into(),
                point_type: String::new(),
                interval_start: start + Duration::minutes(15 * (n - 1)),
                usd_per_mwh: if (64..=71).contains(&n) {
                    5_000.0
                } else {
                    25.0
                },
            })
            .collect()
    }

    const LOAD: MiningLoad = MiningLoad {
        mw: 100.0,
        j_per_th: 20.0,
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
        let day = &totals(&rows, false, LOAD)[0];
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
        assert_eq!(flexibility_value_usd(&rows, LOAD, &fixed), 0.0);
        let rows = spike_rows();
        // Running through pays the spike: 8 × 25 MWh × ($5,000 − $100) = $980,000 more.
        assert!((flexibility_value_usd(&rows, LOAD, &INDEX()) - 980_000.0).abs() < 1e-6);
        // A firm 80 MW IT load at PUE 1.25 pays every interval: 100 MW × (88 × $25 + 8 × $5,000) × 0.25 h.
        let firm = firm_power_cost_usd(&spike_day(), 80.0, 1.25, &INDEX());
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
            four_cp_avoided_usd(&rows, &peaks, 100.0, 60.0),
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
