//! A data-centre site: its power, its mining fleet, its conversion schedule and its AI contracts.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::ai::lease::LeaseContract;
use crate::model::fleet::catalogue;

/// A number of machines of one catalogue model at a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FleetLine {
    pub model_id: String,
    pub count: u32,
}

/// MW leaving mining on a date (to be retrofitted for AI).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConversionStep {
    pub effective_on: NaiveDate,
    pub mw: f64,
    pub label: String,
}

/// Where a site stands in its conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SitePhase {
    Mining,
    Converting,
    AiLive,
}

impl SitePhase {
    pub fn label(self) -> &'static str {
        match self {
            SitePhase::Mining => "Mining",
            SitePhase::Converting => "Converting",
            SitePhase::AiLive => "AI live",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Site {
    pub id: String,
    pub name: String,
    pub location: String,
    /// Grid interconnection capacity, MW.
    pub capacity_mw: f64,
    /// MW mining before any conversion step.
    pub initial_mining_mw: f64,
    pub power_usd_per_kwh: f64,
    /// Power usage effectiveness of the AI halls (facility ÷ IT power).
    pub pue_ai: f64,
    /// Share of time the mining fleet hashes (curtailment, downtime).
    pub mining_uptime: f64,
    pub pool_fee_pct: f64,
    /// First day the site no longer operates (retired: no MW mines or leases from then on;
    /// its history stays).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_on: Option<NaiveDate>,
    /// What it costs to run a MW of the site a month beyond its power (staff, maintenance,
    /// property tax, insurance), $/MW-month: with it hashcost and margins are all-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opex_usd_per_mw_month: Option<f64>,
    /// The site's IANA time zone (`America/Chicago`): a miner's local times without a zone
    /// (Whatsminer's error times) are read in it. UTC when none is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    pub fleet: Vec<FleetLine>,
    /// Derived from the timeline (`model::timeline::milestones::apply`); seed files may omit it.
    #[serde(default)]
    pub conversion: Vec<ConversionStep>,
    pub contracts: Vec<LeaseContract>,
}

impl Site {
    /// Nameplate hashrate of the fleet, TH/s (unknown models count zero).
    pub fn fleet_nameplate_ths(&self) -> f64 {
        self.fleet_sum(|m| m.hashrate_ths)
    }

    /// Nameplate power of the fleet, W.
    pub fn fleet_power_w(&self) -> f64 {
        self.fleet_sum(|m| m.power_w)
    }

    fn fleet_sum(&self, f: impl Fn(&catalogue::AsicModel) -> f64) -> f64 {
        self.fleet
            .iter()
            .filter_map(|line| catalogue::asic(&line.model_id).map(|m| f(m) * line.count as f64))
            .sum()
    }

    /// Power-weighted fleet efficiency, J/TH.
    pub fn fleet_efficiency_j_per_th(&self) -> Option<f64> {
        crate::model::mining::rewards::efficiency_j_per_th(
            self.fleet_power_w(),
            self.fleet_nameplate_ths(),
        )
    }

    /// MW moved out of mining by `date`.
    pub fn converted_mw(&self, date: NaiveDate) -> f64 {
        self.conversion
            .iter()
            .filter(|s| s.effective_on <= date)
            .map(|s| s.mw)
            .sum()
    }

    /// True on and after the day the site was retired.
    pub fn retired(&self, date: NaiveDate) -> bool {
        self.retired_on.is_some_and(|r| date >= r)
    }

    /// MW mining on `date` (none once retired).
    pub fn mining_mw(&self, date: NaiveDate) -> f64 {
        if self.retired(date) {
            return 0.0;
        }
        (self.initial_mining_mw - self.converted_mw(date)).max(0.0)
    }

    /// Critical IT MW energised for AI tenants on `date`.
    pub fn ai_mw(&self, date: NaiveDate) -> f64 {
        self.contracts.iter().map(|c| c.it_load_mw(date)).sum()
    }

    /// The AI halls' draw at the meter on `date` whose power the site buys (IT load × PUE of
    /// the contracts that do not pass power through), MW: firm, never curtailed.
    pub fn firm_power_mw(&self, date: NaiveDate) -> f64 {
        self.contracts
            .iter()
            .filter(|c| !c.power_pass_through)
            .map(|c| c.it_load_mw(date) * self.pue_ai)
            .sum()
    }

    /// Hashing capacity in service on `date`, TH/s: mining MW at the fleet's efficiency.
    pub fn mining_capacity_ths(&self, date: NaiveDate) -> f64 {
        match self.fleet_efficiency_j_per_th() {
            Some(j_th) => self.mining_mw(date) * 1e6 / j_th,
            None => 0.0,
        }
    }

    /// Hashrate modelled for `date`, TH/s: the capacity times the assumed uptime.
    pub fn mining_hashrate_ths(&self, date: NaiveDate) -> f64 {
        self.mining_capacity_ths(date) * self.mining_uptime
    }

    /// Phase on `date`: mining until the first step, AI live once no MW mines, converting between.
    pub fn phase(&self, date: NaiveDate) -> SitePhase {
        if self.converted_mw(date) <= 0.0 && self.ai_mw(date) <= 0.0 {
            SitePhase::Mining
        } else if self.mining_mw(date) <= 0.0 {
            SitePhase::AiLive
        } else {
            SitePhase::Converting
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::ai::lease::LeaseTerms;

    pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// A 100 MW site of S21s moving 40 MW to a colocation tenant on 2025-07-01.
    pub fn example_site() -> Site {
        Site {
            id: "tx".into(),
            name: "Example TX".into(),
            location: "Texas".into(),
            capacity_mw: 100.0,
            initial_mining_mw: 100.0,
            power_usd_per_kwh: 0.04,
            pue_ai: 1.3,
            mining_uptime: 1.0,
            pool_fee_pct: 0.0,
            retired_on: None,
            opex_usd_per_mw_month: None,
            timezone: None,
            fleet: vec![FleetLine {
                model_id: "S21".into(),
                count: 28_571,
            }],
            conversion: vec![ConversionStep {
                effective_on: day(2025, 7, 1),
                mw: 40.0,
                label: "Hall A".into(),
            }],
            contracts: vec![LeaseContract {
                register: Default::default(),
                id: "c1".into(),
                site_id: "tx".into(),
                tenant: "Tenant".into(),
                terms: LeaseTerms::Colocation {
                    critical_mw: 30.0,
                    usd_per_kw_month: 120.0,
                    escalator_pct_per_year: 0.0,
                },
                start_on: day(2026, 1, 1),
                ramp_months: 0,
                end_on: None,
                power_pass_through: true,
                sla: None,
                devices: vec![],
            }],
        }
    }

    #[test]
    fn mining_mw_drops_on_the_conversion_date_and_phase_follows() {
        let s = example_site();
        assert_eq!(s.mining_mw(day(2025, 6, 30)), 100.0);
        assert_eq!(s.mining_mw(day(2025, 7, 1)), 60.0);
        assert_eq!(s.phase(day(2025, 1, 1)), SitePhase::Mining);
        assert_eq!(s.phase(day(2025, 8, 1)), SitePhase::Converting);
        assert_eq!(s.ai_mw(day(2026, 2, 1)), 30.0);
    }

    #[test]
    fn hashrate_follows_mining_mw_at_fleet_efficiency() {
        let s = example_site();
        // 100 MW / 17.5 J/TH = 5.714 EH/s
        let ths = s.mining_hashrate_ths(day(2025, 1, 1));
        assert!((ths - 100e6 / 17.5).abs() < 1e-6, "{ths}");
        assert!((s.fleet_efficiency_j_per_th().unwrap() - 17.5).abs() < 1e-9);
    }
}
