//! AI lease revenue: colocation sold per kW of critical IT load per month, and GPU cloud sold
//! per GPU-hour; both ramp in over months after their start date.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Average days per month (365.25 / 12), used to turn monthly prices and ramps into days.
pub const DAYS_PER_MONTH: f64 = 30.4375;
const DAYS_PER_YEAR: f64 = 365.25;

/// How a contract is priced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum LeaseTerms {
    /// Colocation: the tenant pays per kW of critical IT load per month, escalating yearly.
    Colocation {
        critical_mw: f64,
        usd_per_kw_month: f64,
        escalator_pct_per_year: f64,
    },
    /// GPU cloud: the operator sells GPU-hours; revenue follows utilisation.
    GpuHours {
        gpus: u32,
        usd_per_gpu_hour: f64,
        utilisation: f64,
        server_kw_per_gpu: f64,
        /// The GPU model rented, as a rental index names it (e.g. `H100 SXM`): what the
        /// contract is marked to market against.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gpu_model: Option<String>,
    },
}

impl LeaseTerms {
    /// The contract's price: $/kW-month for colocation, $/GPU-hour for GPU cloud.
    pub fn price(&self) -> f64 {
        match self {
            LeaseTerms::Colocation {
                usd_per_kw_month, ..
            } => *usd_per_kw_month,
            LeaseTerms::GpuHours {
                usd_per_gpu_hour, ..
            } => *usd_per_gpu_hour,
        }
    }

    /// The same terms at another price (in the unit of [`LeaseTerms::price`]).
    pub fn with_price(&self, price: f64) -> LeaseTerms {
        let mut t = self.clone();
        match &mut t {
            LeaseTerms::Colocation {
                usd_per_kw_month, ..
            } => *usd_per_kw_month = price,
            LeaseTerms::GpuHours {
                usd_per_gpu_hour, ..
            } => *usd_per_gpu_hour = price,
        }
        t
    }
}

/// One step of a credit schedule: availability below `below_pct` earns the tenant
/// `credit_pct` of the month's fee (the largest step that applies is paid, not their sum).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreditStep {
    pub below_pct: f64,
    pub credit_pct: f64,
}

/// A contract's SLA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Sla {
    /// Availability promised each calendar month, % (e.g. 99.9).
    pub availability_pct: f64,
    pub credits: Vec<CreditStep>,
}

impl Sla {
    /// Percentages within 0–100, steps at or below the promise, credits that grow as
    /// availability falls.
    pub fn validate(&self) -> Result<(), String> {
        let pct = |v: f64| v.is_finite() && (0.0..=100.0).contains(&v);
        if !pct(self.availability_pct) {
            return Err("sla.availability_pct: must be within 0 and 100".into());
        }
        let mut steps = self.credits.clone();
        steps.sort_by(|a, b| b.below_pct.total_cmp(&a.below_pct));
        for (i, s) in steps.iter().enumerate() {
            if !pct(s.below_pct) || !pct(s.credit_pct) {
                return Err(format!(
                    "sla.credits[{i}]: percentages must be within 0 and 100"
                ));
            }
            if s.below_pct > self.availability_pct {
                return Err(format!(
                    "sla.credits[{i}]: a credit below {} % is above the promised {} %",
                    s.below_pct, self.availability_pct
                ));
            }
            if i > 0 && s.credit_pct < steps[i - 1].credit_pct {
                return Err(
                    "sla.credits: a lower availability must not earn a smaller credit".into(),
                );
            }
        }
        Ok(())
    }

    /// The credit owed at `availability_pct`, % of the month's fee.
    pub fn credit_pct(&self, availability_pct: f64) -> f64 {
        self.credits
            .iter()
            .filter(|s| availability_pct < s.below_pct)
            .map(|s| s.credit_pct)
            .fold(0.0, f64::max)
    }
}

/// An AI lease contract at a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LeaseContract {
    pub id: String,
    pub site_id: String,
    pub tenant: String,
    pub terms: LeaseTerms,
    /// First day of the ramp.
    pub start_on: NaiveDate,
    /// Months from start to full load (0 = full load on the start day).
    pub ramp_months: u32,
    /// Last day billed, if the contract ends.
    pub end_on: Option<NaiveDate>,
    /// True when the tenant pays the power bill (usual for colocation).
    pub power_pass_through: bool,
    /// The availability promised and the credits owed below it (`model::ai::sla`).
    #[serde(default)]
    pub sla: Option<Sla>,
    /// The GPUs the contract covers: node ids (all their GPUs) or GPU ids; empty = every GPU
    /// at its site (the hall).
    #[serde(default)]
    pub devices: Vec<String>,
    /// What investors are told about the contract beyond its price (`model::ai::contract_register`).
    #[serde(default, skip_serializing_if = "ContractRegister::is_empty")]
    pub register: ContractRegister,
}

/// An option the tenant holds to extend the term: its length and the price then (per kW-month
/// for colocation, per GPU-hour for GPU cloud); the escalator keeps running through it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExtensionOption {
    pub months: u32,
    /// The price during the extension; `None` carries the escalated price on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<f64>,
}

/// The register's fields of a contract: the gross MW the site gives it (critical IT × PUE and
/// shared plant), the extension options in order, and the counterparty's credit support as
/// the issuer describes it (a guarantee, a letter of credit, a parent's rating).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContractRegister {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gross_mw: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<ExtensionOption>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_support: Option<String>,
}

impl ContractRegister {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl LeaseContract {
    /// Share of the contract in force on `date`: 0 before start or after end, rising linearly
    /// over the ramp, then 1.
    pub fn ramp_fraction(&self, date: NaiveDate) -> f64 {
        if date < self.start_on || self.end_on.is_some_and(|end| date > end) {
            return 0.0;
        }
        if self.ramp_months == 0 {
            return 1.0;
        }
        let days = (date - self.start_on).num_days() as f64 + 1.0;
        (days / (self.ramp_months as f64 * DAYS_PER_MONTH)).min(1.0)
    }

    /// Revenue billed for `date`, USD.
    pub fn revenue_usd(&self, date: NaiveDate) -> f64 {
        self.revenue_usd_at(date, None)
    }

    /// Revenue billed for `date` with GPU-hour contracts at a measured utilisation (0–1) instead
    /// of the contract's assumption; colocation does not depend on it.
    pub fn revenue_usd_at(&self, date: NaiveDate, measured_utilisation: Option<f64>) -> f64 {
        let ramp = self.ramp_fraction(date);
        if ramp == 0.0 {
            return 0.0;
        }
        match &self.terms {
            LeaseTerms::Colocation { critical_mw, .. } => {
                critical_mw * 1000.0 * ramp * self.price_on(date) / DAYS_PER_MONTH
            }
            LeaseTerms::GpuHours {
                gpus,
                usd_per_gpu_hour,
                utilisation,
                ..
            } => {
                let u = measured_utilisation.map_or(*utilisation, |m| m.clamp(0.0, 1.0));
                *gpus as f64 * ramp * usd_per_gpu_hour * 24.0 * u
            }
        }
    }

    /// The price billed on `date`: colocation's escalated by the whole contract years since the
    /// start, GPU-hours' as signed.
    pub fn price_on(&self, date: NaiveDate) -> f64 {
        match &self.terms {
            LeaseTerms::Colocation {
                usd_per_kw_month,
                escalator_pct_per_year,
                ..
            } => {
                let years =
                    ((date - self.start_on).num_days().max(0) as f64 / DAYS_PER_YEAR).floor();
                usd_per_kw_month * (1.0 + escalator_pct_per_year / 100.0).powf(years)
            }
            LeaseTerms::GpuHours { .. } => self.terms.price(),
        }
    }

    /// Critical IT load energised for the tenant on `date`, MW.
    pub fn it_load_mw(&self, date: NaiveDate) -> f64 {
        let ramp = self.ramp_fraction(date);
        match &self.terms {
            LeaseTerms::Colocation { critical_mw, .. } => critical_mw * ramp,
            LeaseTerms::GpuHours {
                gpus,
                server_kw_per_gpu,
                ..
            } => *gpus as f64 * server_kw_per_gpu / 1000.0 * ramp,
        }
    }
}

/// GPUs one MW of facility power holds: 1 MW ÷ (whole-server W per GPU × PUE).
pub fn gpus_per_mw(server_w_per_gpu: f64, pue: f64) -> f64 {
    if server_w_per_gpu <= 0.0 || pue <= 0.0 {
        return 0.0;
    }
    1e6 / (server_w_per_gpu * pue)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn colo(ramp_months: u32) -> LeaseContract {
        LeaseContract {
            register: Default::default(),
            id: "c".into(),
            site_id: "s".into(),
            tenant: "t".into(),
            terms: LeaseTerms::Colocation {
                critical_mw: 100.0,
                usd_per_kw_month: 120.0,
                escalator_pct_per_year: 3.0,
            },
            start_on: day(2025, 1, 1),
            ramp_months,
            end_on: Some(day(2030, 12, 31)),
            power_pass_through: true,
            sla: None,
            devices: vec![],
        }
    }

    #[test]
    fn colocation_of_100_mw_at_120_per_kw_month_bills_144_million_a_year() {
        let c = colo(0);
        let year: f64 = (0..365)
            .map(|i| c.revenue_usd(day(2025, 1, 1) + chrono::Duration::days(i)))
            .sum();
        // 100,000 kW × $120 × 12 = $144.0 M; 365 of 365.25 days are counted.
        assert!((year - 144e6 * 365.0 / 365.25).abs() < 1.0, "{year}");
        // Second year escalates by 3 %.
        let y2 = c.revenue_usd(day(2026, 6, 1)) / c.revenue_usd(day(2025, 6, 1));
        assert!((y2 - 1.03).abs() < 1e-12);
        assert_eq!(c.revenue_usd(day(2024, 12, 31)), 0.0);
        assert_eq!(c.revenue_usd(day(2031, 1, 1)), 0.0);
    }

    #[test]
    fn ramp_is_linear_to_full_load() {
        let c = colo(6);
        let half = c.ramp_fraction(
            day(2025, 1, 1) + chrono::Duration::days((3.0 * DAYS_PER_MONTH) as i64 - 1),
        );
        assert!((half - 0.5).abs() < 0.01, "{half}");
        assert_eq!(c.ramp_fraction(day(2025, 8, 1)), 1.0);
        assert!((c.it_load_mw(day(2025, 8, 1)) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn gpu_hours_bill_rate_times_gpus_times_utilisation() {
        let mut c = colo(0);
        c.terms = LeaseTerms::GpuHours {
            gpus: 4096,
            usd_per_gpu_hour: 2.0,
            utilisation: 0.85,
            server_kw_per_gpu: 1.275,
            gpu_model: None,
        };
        let d = day(2025, 3, 1);
        assert!((c.revenue_usd(d) - 4096.0 * 2.0 * 24.0 * 0.85).abs() < 1e-6);
        assert!((c.it_load_mw(d) - 5.2224).abs() < 1e-9);
    }

    #[test]
    fn an_h100_megawatt_holds_about_600_gpus_at_pue_1_3() {
        // 10.2 kW per 8-GPU server = 1,275 W per GPU; 1 MW / (1,275 W × 1.3) ≈ 603 GPUs.
        let n = gpus_per_mw(1275.0, 1.3);
        assert!((n - 603.3).abs() < 0.1, "{n}");
        assert_eq!(gpus_per_mw(0.0, 1.3), 0.0);
    }
}
