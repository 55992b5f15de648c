//! The HPC contract register investors are shown: each lease contract's term, escalator,
//! extension options, critical against gross MW and credit support, with the revenue it has
//! left to bill (with and without its extensions), its run-rate per critical MW, and the whole
//! book's backlog burning down by calendar year. Pure: contracts and a day in, figures out.
//!
//! Remaining revenue is what the contract bills by its own terms from the day after `as_of`:
//! colocation at its escalated price, GPU-hours at the contracted rate and the utilisation the
//! contract assumes (what was signed, not what telemetry will measure). An open-ended contract
//! has no remaining figure: its backlog is not a number anyone can report.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::model::ai::lease::{ExtensionOption, LeaseContract, LeaseTerms};

/// One contract as the register shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RegisterLine {
    pub contract: String,
    pub site: String,
    pub tenant: String,
    /// `colocation` or `gpu_hours`.
    pub kind: String,
    pub term_start: NaiveDate,
    pub term_end: Option<NaiveDate>,
    /// Whole months from `as_of` to the term's end (0 when it has ended).
    pub months_remaining: Option<u32>,
    pub escalator_pct_per_year: f64,
    /// The price billed on `as_of` (escalated), $/kW-month or $/GPU-hour.
    pub price_now: f64,
    pub critical_mw: f64,
    pub gross_mw: Option<f64>,
    pub extensions: Vec<ExtensionOption>,
    /// The term's end if every option is taken.
    pub extended_end: Option<NaiveDate>,
    pub credit_support: Option<String>,
    /// Revenue left to bill after `as_of`, $ (`None` for an open-ended contract).
    pub remaining_usd: Option<f64>,
    pub remaining_with_extensions_usd: Option<f64>,
    /// The rate billed on `as_of`, a year of it, $.
    pub annual_run_rate_usd: f64,
    /// The run-rate over the contract's critical MW at full load, $ per MW-year.
    pub run_rate_per_critical_mw_usd: Option<f64>,
}

/// The backlog billed in one calendar year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BacklogYear {
    pub year: i32,
    pub contracted_usd: f64,
    pub with_extensions_usd: f64,
}

/// The register on a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ContractRegisterReport {
    pub as_of: NaiveDate,
    pub contracts: Vec<RegisterLine>,
    pub backlog: Vec<BacklogYear>,
    pub remaining_usd: f64,
    pub remaining_with_extensions_usd: f64,
    /// Contracts without an end, left out of the backlog.
    pub open_ended: u32,
}

/// The register of `contracts` as it stands at the end of `as_of`.
pub fn register(contracts: &[LeaseContract], as_of: NaiveDate) -> ContractRegisterReport {
    let mut lines = Vec::new();
    let mut backlog: BTreeMap<i32, (f64, f64)> = BTreeMap::new();
    let mut open_ended = 0;
    for c in contracts {
        let (remaining, extended) = match c.end_on {
            Some(end) => {
                let base = billed_by_year(&[Billing::whole(c)], as_of);
                let periods = extension_periods(c, end);
                let ext_end = periods
                    .last()
                    .and_then(|p| p.contract.end_on)
                    .unwrap_or(end);
                let ext = billed_by_year(&periods, as_of);
                for (y, v) in &base {
                    backlog.entry(*y).or_default().0 += v;
                }
                for (y, v) in base.iter().chain(ext.iter()) {
                    backlog.entry(*y).or_default().1 += v;
                }
                (
                    Some(base.values().sum::<f64>()),
                    Some((
                        base.values().sum::<f64>() + ext.values().sum::<f64>(),
                        ext_end,
                    )),
                )
            }
            None => {
                open_ended += 1;
                (None, None)
            }
        };
        lines.push(line(c, as_of, remaining, extended));
    }
    ContractRegisterReport {
        as_of,
        remaining_usd: lines.iter().filter_map(|l| l.remaining_usd).sum(),
        remaining_with_extensions_usd: lines
            .iter()
            .filter_map(|l| l.remaining_with_extensions_usd)
            .sum(),
        contracts: lines,
        backlog: backlog
            .into_iter()
            .map(
                |(year, (contracted_usd, with_extensions_usd))| BacklogYear {
                    year,
                    contracted_usd,
                    with_extensions_usd,
                },
            )
            .collect(),
        open_ended,
    }
}

fn line(
    c: &LeaseContract,
    as_of: NaiveDate,
    remaining: Option<f64>,
    extended: Option<(f64, NaiveDate)>,
) -> RegisterLine {
    let (kind, critical_mw, escalator) = match &c.terms {
        LeaseTerms::Colocation {
            critical_mw,
            escalator_pct_per_year,
            ..
        } => ("colocation", *critical_mw, *escalator_pct_per_year),
        LeaseTerms::GpuHours {
            gpus,
            server_kw_per_gpu,
            ..
        } => ("gpu_hours", *gpus as f64 * server_kw_per_gpu / 1000.0, 0.0),
    };
    let run_rate = c.revenue_usd(as_of) * 365.25;
    RegisterLine {
        contract: c.id.clone(),
        site: c.site_id.clone(),
        tenant: c.tenant.clone(),
        kind: kind.into(),
        term_start: c.start_on,
        term_end: c.end_on,
        months_remaining: c.end_on.map(|end| whole_months(as_of, end)),
        escalator_pct_per_year: escalator,
        price_now: c.price_on(as_of),
        critical_mw,
        gross_mw: c.register.gross_mw,
        extensions: c.register.extensions.clone(),
        extended_end: extended.map(|e| e.1),
        credit_support: c.register.credit_support.clone(),
        remaining_usd: remaining,
        remaining_with_extensions_usd: extended.map(|e| e.0),
        annual_run_rate_usd: run_rate,
        run_rate_per_critical_mw_usd: (critical_mw > 0.0).then(|| run_rate / critical_mw),
    }
}

fn whole_months(from: NaiveDate, to: NaiveDate) -> u32 {
    if to <= from {
        return 0;
    }
    let months = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    let months = if to.day() < from.day() {
        months - 1
    } else {
        months
    };
    months.max(0) as u32
}

/// A stretch of billing: a contract's terms, billed from `first` (an extension without its own
/// price keeps the contract's start, so its escalator keeps counting years from there).
struct Billing {
    contract: LeaseContract,
    first: NaiveDate,
}

impl Billing {
    fn whole(c: &LeaseContract) -> Self {
        Billing {
            contract: c.clone(),
            first: c.start_on,
        }
    }
}

/// Each extension as a stretch after the one before: at its own price (escalating from its
/// start, no ramp) or, without one, the original terms carried on.
fn extension_periods(c: &LeaseContract, end: NaiveDate) -> Vec<Billing> {
    let mut out = Vec::new();
    let mut from = end;
    for e in &c.register.extensions {
        let start = from + Duration::days(1);
        let Some(next_end) = start
            .checked_add_months(Months::new(e.months))
            .and_then(|d| d.pred_opt())
        else {
            break;
        };
        let mut period = c.clone();
        period.end_on = Some(next_end);
        if let Some(price) = e.price {
            period.start_on = start;
            period.ramp_months = 0;
            period.terms = c.terms.with_price(price);
        }
        out.push(Billing {
            contract: period,
            first: start,
        });
        from = next_end;
    }
    out
}

/// Revenue of `stretches` billed on the days after `as_of`, by calendar year.
fn billed_by_year(stretches: &[Billing], as_of: NaiveDate) -> BTreeMap<i32, f64> {
    let mut out = BTreeMap::new();
    for b in stretches {
        let Some(last) = b.contract.end_on else {
            continue;
        };
        let mut day = (as_of + Duration::days(1)).max(b.first);
        while day <= last {
            *out.entry(day.year()).or_insert(0.0) += b.contract.revenue_usd(day);
            day += Duration::days(1);
        }
    }
    out
}
