//! A tenant's service level: availability measured monthly from telemetry, credits owed as
//! steps of the monthly fee, and the ledger row a month gives (fee, availability, credit, net).
//! Pure: the caller passes the contract, the month and what telemetry measured.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::ai::lease::LeaseContract;
pub use crate::model::ai::lease::{CreditStep, Sla};

/// What telemetry measured of a contract's GPUs over one month.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MonthMeasure {
    /// GPUs in the contract's scope seen that month.
    pub gpus: u32,
    /// GPU-minutes a GPU was offline or held by a fatal error, from the polled samples.
    pub unavailable_gpu_minutes: f64,
    /// GPU-hours with samples.
    pub observed_gpu_hours: f64,
}

/// The first day of `day`'s month and the number of days in it.
pub fn month_of(day: NaiveDate) -> (NaiveDate, u32) {
    let first = day.with_day(1).expect("day 1 exists");
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    }
    .expect("valid month");
    (first, (next - first).num_days() as u32)
}

pub use crate::model::company::range::parse_month;

impl MonthMeasure {
    /// Availability over the `minutes` of the month measured so far (all of it once the month
    /// is over), %: unobserved time counts as available (the share observed is reported beside
    /// it); `None` when nothing was observed.
    pub fn availability_pct(&self, minutes: f64) -> Option<f64> {
        if self.gpus == 0 || self.observed_gpu_hours <= 0.0 || minutes <= 0.0 {
            return None;
        }
        let gpu_minutes = f64::from(self.gpus) * minutes;
        Some(100.0 * (1.0 - (self.unavailable_gpu_minutes / gpu_minutes).min(1.0)))
    }

    /// Share of the GPU-hours of the month's `minutes` so far with samples, 0–1.
    pub fn observed_share(&self, minutes: f64) -> f64 {
        let hours = f64::from(self.gpus) * minutes / 60.0;
        if hours <= 0.0 {
            0.0
        } else {
            (self.observed_gpu_hours / hours).min(1.0)
        }
    }
}

/// One contract's month in the ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LedgerRow {
    pub contract_id: String,
    pub tenant: String,
    pub site_id: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Billed for the month before credits (the contract's terms over its days), USD.
    pub fee_usd: f64,
    pub sla_pct: Option<f64>,
    /// Measured from telemetry; `None` when the month has no samples of the contract's GPUs.
    pub availability_pct: Option<f64>,
    /// Share of the month's GPU-hours observed, 0–1.
    pub observed_share: f64,
    pub gpus: u32,
    pub unavailable_gpu_minutes: f64,
    pub credit_pct: f64,
    pub credit_usd: f64,
    pub net_usd: f64,
    /// Where the availability comes from.
    pub source: AvailabilitySource,
}

/// Minutes of the month starting `first` (of `days` days) that have passed by `as_of`, counting
/// no further than the end of `through`.
pub fn minutes_elapsed(
    first: NaiveDate,
    days: u32,
    through: NaiveDate,
    as_of: DateTime<Utc>,
) -> f64 {
    let start = first.and_time(NaiveTime::MIN).and_utc();
    let month_end = start + Duration::days(i64::from(days));
    let through_end = (through + Duration::days(1))
        .and_time(NaiveTime::MIN)
        .and_utc();
    let end = month_end.min(through_end).min(as_of);
    (end - start).num_minutes().max(0) as f64
}

/// The ledger row of `contract` for the month starting `month`; `measure` is what telemetry
/// saw of its GPUs (`None`: nothing). Months are billed up to `through` (a month in progress
/// counts its days so far) and measured up to `as_of`: a month in progress divides its
/// downtime by the minutes elapsed, not by the whole month's.
pub fn ledger_row(
    contract: &LeaseContract,
    month: NaiveDate,
    through: NaiveDate,
    as_of: DateTime<Utc>,
    measure: Option<MonthMeasure>,
) -> LedgerRow {
    let (first, days) = month_of(month);
    let fee_usd: f64 = (0..days)
        .map(|i| first + chrono::Duration::days(i64::from(i)))
        .take_while(|d| *d <= through)
        .map(|d| contract.revenue_usd(d))
        .sum();
    let m = measure.unwrap_or_default();
    let minutes = minutes_elapsed(first, days, through, as_of);
    let availability_pct = m.availability_pct(minutes);
    let (credit_pct, source) = match (&contract.sla, availability_pct) {
        (None, _) => (0.0, AvailabilitySource::NoSla),
        (Some(_), None) => (0.0, AvailabilitySource::NotMeasured),
        (Some(sla), Some(a)) => (sla.credit_pct(a), AvailabilitySource::Measured),
    };
    let credit_usd = fee_usd * credit_pct / 100.0;
    LedgerRow {
        contract_id: contract.id.clone(),
        tenant: contract.tenant.clone(),
        site_id: contract.site_id.clone(),
        month: first.format("%Y-%m").to_string(),
        fee_usd,
        sla_pct: contract.sla.as_ref().map(|s| s.availability_pct),
        availability_pct,
        observed_share: m.observed_share(minutes),
        gpus: m.gpus,
        unavailable_gpu_minutes: m.unavailable_gpu_minutes,
        credit_pct,
        credit_usd,
        net_usd: fee_usd - credit_usd,
        source,
    }
}

/// `measured` when availability comes from telemetry, `not_measured` when it could not be (no
/// credit is assumed), `no_sla` for a contract without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AvailabilitySource {
    Measured,
    NotMeasured,
    NoSla,
}

impl AvailabilitySource {
    /// The name the API, the CSV and the page's `data-source` use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Measured => "measured",
            Self::NotMeasured => "not_measured",
            Self::NoSla => "no_sla",
        }
    }
}

/// True when `device_id` (a GPU, `node/gpuN`) is in the contract's scope: the devices it names
/// (a node id takes all its GPUs). A contract naming none covers every GPU at its site only
/// when it is the site's only lease contract (`leases_at_site` = 1): two tenants in one hall
/// never see, nor are measured on, each other's GPUs.
pub fn in_scope(
    contract: &LeaseContract,
    leases_at_site: usize,
    device_site: &str,
    device_id: &str,
) -> bool {
    if device_site != contract.site_id {
        return false;
    }
    if contract.devices.is_empty() {
        return leases_at_site <= 1;
    }
    contract.devices.iter().any(|d| {
        device_id == d
            || device_id
                .strip_prefix(d.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ai::lease::LeaseTerms;

    /// A moment after every month the tests bill.
    fn later() -> DateTime<Utc> {
        day(2027, 6, 1).and_hms_opt(0, 0, 0).unwrap().and_utc()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn standard() -> Sla {
        Sla {
            availability_pct: 99.9,
            credits: vec![
                CreditStep {
                    below_pct: 99.9,
                    credit_pct: 10.0,
                },
                CreditStep {
                    below_pct: 99.0,
                    credit_pct: 25.0,
                },
                CreditStep {
                    below_pct: 95.0,
                    credit_pct: 100.0,
                },
            ],
        }
    }

    fn contract() -> LeaseContract {
        LeaseContract {
            register: Default::default(),
            id: "hall-a".into(),
            site_id: "muskogee".into(),
            tenant: "Acme AI".into(),
            terms: LeaseTerms::GpuHours {
                gpus: 8,
                usd_per_gpu_hour: 2.5,
                utilisation: 1.0,
                server_kw_per_gpu: 1.275,
                gpu_model: None,
            },
            start_on: day(2026, 1, 1),
            ramp_months: 0,
            end_on: None,
            power_pass_through: false,
            sla: Some(standard()),
            devices: vec!["node-1".into()],
        }
    }

    /// One 8-GPU node offline for 50 minutes of November (30 days), worked by hand:
    /// 8 × 50 = 400 GPU-minutes of 8 × 43,200 = 345,600 → 1 − 400/345,600 = 99.884259 %,
    /// under 99.9 % → 10 % of the fee. Fee: 8 GPUs × $2.50 × 24 h × 30 days = $14,400;
    /// credit $1,440; net $12,960.
    #[test]
    fn fifty_minutes_offline_in_a_thirty_day_month_costs_a_ten_percent_credit() {
        let m = MonthMeasure {
            gpus: 8,
            unavailable_gpu_minutes: 400.0,
            observed_gpu_hours: 8.0 * 720.0,
        };
        let row = ledger_row(
            &contract(),
            day(2026, 11, 1),
            day(2026, 11, 30),
            later(),
            Some(m),
        );
        let expected = 100.0 * (1.0 - 400.0 / 345_600.0);
        assert!((row.availability_pct.unwrap() - expected).abs() < 1e-12);
        assert!((expected - 99.884_259).abs() < 1e-6);
        assert_eq!(row.month, "2026-11");
        assert!((row.fee_usd - 14_400.0).abs() < 1e-9, "{}", row.fee_usd);
        assert_eq!(row.credit_pct, 10.0);
        assert!((row.credit_usd - 1_440.0).abs() < 1e-9);
        assert!((row.net_usd - 12_960.0).abs() < 1e-9);
        assert_eq!(row.source, AvailabilitySource::Measured);
        assert_eq!(row.observed_share, 1.0);
        // 43 minutes is 99.9004 %: within the promise, no credit.
        let ok = MonthMeasure {
            unavailable_gpu_minutes: 8.0 * 43.0,
            ..m
        };
        assert_eq!(
            ledger_row(
                &contract(),
                day(2026, 11, 1),
                day(2026, 11, 30),
                later(),
                Some(ok)
            )
            .credit_usd,
            0.0
        );
        // Not observed: no availability, no credit assumed.
        let none = ledger_row(
            &contract(),
            day(2026, 11, 1),
            day(2026, 11, 30),
            later(),
            None,
        );
        assert_eq!(
            (none.availability_pct, none.credit_usd, none.source.as_str()),
            (None, 0.0, "not_measured")
        );
        // A month in progress bills its days so far.
        let part = ledger_row(
            &contract(),
            day(2026, 12, 1),
            day(2026, 12, 4),
            later(),
            None,
        );
        assert!((part.fee_usd - 4.0 * 480.0).abs() < 1e-9);
        // ...and measures its minutes so far: the same 400 GPU-minutes at noon on 4 December
        // (3.5 days, 5,040 minutes × 8 GPUs = 40,320) are 99.0079 %, not the whole month's
        // 99.884 %.
        let noon = day(2026, 12, 4).and_hms_opt(12, 0, 0).unwrap().and_utc();
        let early = ledger_row(
            &contract(),
            day(2026, 12, 1),
            day(2026, 12, 4),
            noon,
            Some(m),
        );
        let expected = 100.0 * (1.0 - 400.0 / 40_320.0);
        assert!(
            (early.availability_pct.unwrap() - expected).abs() < 1e-9,
            "{early:?}"
        );
        assert_eq!(early.credit_pct, standard().credit_pct(expected));
    }

    #[test]
    fn the_largest_applicable_step_is_paid() {
        let s = standard();
        assert_eq!(s.credit_pct(99.95), 0.0);
        assert_eq!(s.credit_pct(99.5), 10.0);
        assert_eq!(s.credit_pct(98.0), 25.0);
        assert_eq!(s.credit_pct(90.0), 100.0);
        assert!(s.validate().is_ok());
        let mut bad = standard();
        bad.credits[2].credit_pct = 5.0;
        assert!(bad.validate().is_err());
        bad = standard();
        bad.credits[0].below_pct = 99.95;
        assert!(bad.validate().unwrap_err().contains("above the promised"));
        bad = standard();
        bad.availability_pct = f64::NAN;
        assert!(bad.validate().is_err());
    }

    #[test]
    fn scope_takes_a_nodes_gpus_or_the_whole_site() {
        let c = contract();
        assert!(in_scope(&c, 2, "muskogee", "node-1/gpu3"));
        assert!(
            !in_scope(&c, 2, "muskogee", "node-10/gpu3"),
            "a prefix is not a node"
        );
        assert!(!in_scope(&c, 1, "pecos-ridge", "node-1/gpu3"));
        let site_wide = LeaseContract {
            devices: vec![],
            ..contract()
        };
        assert!(in_scope(&site_wide, 1, "muskogee", "anything/gpu0"));
        assert!(
            !in_scope(&site_wide, 2, "muskogee", "anything/gpu0"),
            "a contract naming nothing beside another covers nothing"
        );
        assert_eq!(parse_month("2026-11"), Some(day(2026, 11, 1)));
        assert_eq!(parse_month("2026-13"), None);
        assert_eq!(parse_month("26-11"), None);
        assert_eq!(month_of(day(2028, 2, 10)), (day(2028, 2, 1), 29));
    }
}
