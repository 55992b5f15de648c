//! History from before Rigshift: monthly actuals a company reported per site (its production
//! updates, its books), read from `site,month,btc_produced,mining_revenue_usd,power_cost_usd,
//! energy_mwh,ai_revenue_usd,hashrate_ths_avg` (any figure may be blank) and laid over the
//! revenue history as source `reported` on the days of those months that telemetry did not
//! measure. A month's figure is spread evenly over its days, the last day taking what rounding
//! left, so the month's days add up to the imported figure.

use crate::model::company::range::parse_month;
use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::model::company::revenue::RevenueDay;
use crate::model::mining::measured::HashrateSource;
use crate::model::power::contract::{fail, table, ImportError};

/// One site's reported month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReportedMonth {
    pub site: String,
    /// The month's first day.
    pub month: NaiveDate,
    pub btc_produced: Option<f64>,
    pub mining_revenue_usd: Option<f64>,
    pub power_cost_usd: Option<f64>,
    pub energy_mwh: Option<f64>,
    pub ai_revenue_usd: Option<f64>,
    pub hashrate_ths_avg: Option<f64>,
}

/// The columns, in the order the file names them.
pub const COLUMNS: [&str; 8] = [
    "site",
    "month",
    "btc_produced",
    "mining_revenue_usd",
    "power_cost_usd",
    "energy_mwh",
    "ai_revenue_usd",
    "hashrate_ths_avg",
];

/// Generous bounds a real month stays within (a typo of three zeros does not).
const MAX_BTC: f64 = 100_000.0;
const MAX_USD: f64 = 1e11;
const MAX_MWH: f64 = 1e8;
const MAX_THS: f64 = 1e9;

/// Reads a reported-history CSV whole, or refuses it with the line of the first problem:
/// a missing column, a month that is not `YYYY-MM`, a figure that is not a number within its
/// range (`power_cost_usd` may be negative: a month of large credits), a site not in
/// `known_sites`, a (site, month) given twice.
pub fn parse(text: &str, known_sites: &[&str]) -> Result<Vec<ReportedMonth>, ImportError> {
    let (names, lines) = table(text)?;
    let mut index = [0usize; 8];
    for (k, col) in COLUMNS.iter().enumerate() {
        let want = col.replace('_', "");
        match names.iter().position(|n| *n == want) {
            Some(i) => index[k] = i,
            None => {
                return fail(
                    1,
                    format!("no column {col} (the header needs {})", COLUMNS.join(",")),
                )
            }
        }
    }
    let mut out: Vec<ReportedMonth> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (n, cells) in lines {
        let cell = |k: usize| cells.get(index[k]).map(|c| c.trim()).unwrap_or("");
        let site = cell(0);
        if !known_sites.contains(&site) {
            return fail(n, format!("no site {site:?} in the portfolio"));
        }
        let month = parse_month(cell(1)).ok_or_else(|| ImportError {
            line: n,
            message: format!("month {:?} is not YYYY-MM", cell(1)),
        })?;
        if !seen.insert((site.to_string(), month)) {
            return fail(n, format!("{site} {} is given twice", &cell(1)));
        }
        let figure = |k: usize, lo: f64, hi: f64| -> Result<Option<f64>, ImportError> {
            let raw = cell(k);
            if raw.is_empty() {
                return Ok(None);
            }
            match raw.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= lo && v <= hi => Ok(Some(v)),
                _ => fail(
                    n,
                    format!(
                        "{}: {raw:?} is not a number between {lo} and {hi}",
                        COLUMNS[k]
                    ),
                ),
            }
        };
        out.push(ReportedMonth {
            site: site.to_string(),
            month,
            btc_produced: figure(2, 0.0, MAX_BTC)?,
            mining_revenue_usd: figure(3, 0.0, MAX_USD)?,
            power_cost_usd: figure(4, -MAX_USD, MAX_USD)?,
            energy_mwh: figure(5, 0.0, MAX_MWH)?,
            ai_revenue_usd: figure(6, 0.0, MAX_USD)?,
            hashrate_ths_avg: figure(7, 0.0, MAX_THS)?,
        });
    }
    Ok(out)
}

/// Days in the month starting `first`.
fn days_in(first: NaiveDate) -> u32 {
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    (next - first).num_days().max(1) as u32
}

/// `total` over the month's days: an even share, the last day taking the remainder.
fn day_share(total: f64, date: NaiveDate) -> f64 {
    let days = days_in(date.with_day(1).unwrap_or(date));
    let even = total / days as f64;
    if date.day() == days {
        total - even * (days - 1) as f64
    } else {
        even
    }
}

/// Lays reported months over `rows`: a modelled history day of a reported month takes the
/// month's figures (each that is given) and source `reported`. Measured and projected days keep
/// theirs: telemetry wins where it exists, and a report is never a forecast.
pub fn apply(rows: &mut [RevenueDay], months: &[ReportedMonth]) {
    let by_key: BTreeMap<(&str, NaiveDate), &ReportedMonth> = months
        .iter()
        .map(|m| ((m.site.as_str(), m.month), m))
        .collect();
    for r in rows.iter_mut() {
        if r.hashrate_source != HashrateSource::Modelled {
            continue;
        }
        let Some(first) = r.date.with_day(1) else {
            continue;
        };
        let Some(m) = by_key.get(&(r.site.as_str(), first)) else {
            continue;
        };
        r.hashrate_source = HashrateSource::Reported;
        // The day's BTC price as the model valued it, for BTC reported without dollars.
        let price = (r.btc_mined > 0.0).then(|| r.mining_usd / r.btc_mined);
        if let Some(btc) = m.btc_produced {
            r.btc_mined = day_share(btc, r.date);
        }
        match (m.mining_revenue_usd, m.btc_produced) {
            (Some(usd), _) => r.mining_usd = day_share(usd, r.date),
            (None, Some(_)) => r.mining_usd = r.btc_mined * price.unwrap_or(0.0),
            (None, None) => {}
        }
        if let Some(usd) = m.power_cost_usd {
            // The reported bill keeps the model's split between mining and the AI halls.
            let ai_share = if r.power_cost_usd > 0.0 {
                r.ai_power_cost_usd / r.power_cost_usd
            } else {
                0.0
            };
            r.power_cost_usd = day_share(usd, r.date);
            r.ai_power_cost_usd = r.power_cost_usd * ai_share;
        }
        if let Some(mwh) = m.energy_mwh {
            r.energy_mwh = day_share(mwh, r.date);
        }
        if let Some(usd) = m.ai_revenue_usd {
            r.ai_lease_usd = day_share(usd, r.date);
        }
        if let Some(ths) = m.hashrate_ths_avg {
            r.hashrate_ths = ths;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    const FILE: &str = "site,month,btc_produced,mining_revenue_usd,power_cost_usd,energy_mwh,ai_revenue_usd,hashrate_ths_avg\n\
        north,2024-02,31.4,1950000.50,-120000,40000,,9500000\n\
        south,2024-02,,,,,3100000,\n";

    #[test]
    fn reads_blanks_as_no_figure_and_negative_power_as_credits() {
        let m = parse(FILE, &["north", "south"]).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].month, day(2024, 2, 1));
        assert_eq!(m[0].power_cost_usd, Some(-120_000.0));
        assert_eq!(m[0].ai_revenue_usd, None);
        assert_eq!(m[1].ai_revenue_usd, Some(3_100_000.0));
        assert_eq!(m[1].btc_produced, None);
    }

    #[test]
    fn refuses_the_file_by_line() {
        let bad_month = FILE.replace("south,2024-02", "south,2024-2");
        assert_eq!(
            parse(&bad_month, &["north", "south"])
                .unwrap_err()
                .to_string(),
            "line 3: month \"2024-2\" is not YYYY-MM"
        );
        assert_eq!(
            parse(FILE, &["north"]).unwrap_err().to_string(),
            "line 3: no site \"south\" in the portfolio"
        );
        let twice = format!("{FILE}north,2024-02,1,,,,,\n");
        assert_eq!(parse(&twice, &["north", "south"]).unwrap_err().line, 4);
        let huge = FILE.replace("31.4", "1e307");
        assert!(parse(&huge, &["north", "south"])
            .unwrap_err()
            .to_string()
            .starts_with("line 2: btc_produced"));
        assert_eq!(
            parse("site,month\n", &[]).unwrap_err().to_string(),
            "line 1: no column btc_produced (the header needs site,month,btc_produced,mining_revenue_usd,power_cost_usd,energy_mwh,ai_revenue_usd,hashrate_ths_avg)"
        );
    }

    fn row(site: &str, date: NaiveDate, source: HashrateSource) -> RevenueDay {
        RevenueDay {
            ai_power_cost_usd: 0.0,
            date,
            site: site.into(),
            mining_usd: 1.0,
            ai_lease_usd: 2.0,
            power_cost_usd: 3.0,
            btc_mined: 0.5,
            hashrate_ths: 7.0,
            mining_mw: 0.0,
            ai_mw: 0.0,
            projected: false,
            hashrate_source: source,
            telemetry_coverage: 0.0,
            gpu_utilisation_measured: None,
            pool_paid_btc: None,
            sla_credit_usd: 0.0,
            forward: false,
            energy_mwh: 0.0,
        }
    }

    #[test]
    fn a_reported_month_adds_up_to_the_imported_figures_and_measured_days_win() {
        let months = parse(FILE, &["north", "south"]).unwrap();
        // February 2024 has 29 days.
        let mut rows: Vec<RevenueDay> = (1..=29)
            .map(|d| row("north", day(2024, 2, d), HashrateSource::Modelled))
            .collect();
        rows.push(row("north", day(2024, 3, 1), HashrateSource::Modelled));
        rows.push(row("south", day(2024, 2, 10), HashrateSource::Measured));
        apply(&mut rows, &months);
        let feb: Vec<&RevenueDay> = rows
            .iter()
            .filter(|r| r.site == "north" && r.date.month() == 2)
            .collect();
        assert!(feb
            .iter()
            .all(|r| r.hashrate_source == HashrateSource::Reported));
        let btc: f64 = feb.iter().map(|r| r.btc_mined).sum();
        let usd: f64 = feb.iter().map(|r| r.mining_usd).sum();
        let power: f64 = feb.iter().map(|r| r.power_cost_usd).sum();
        assert!((btc - 31.4).abs() < 1e-9, "{btc}");
        assert!((usd - 1_950_000.50).abs() < 1e-6, "{usd}");
        assert!((power + 120_000.0).abs() < 1e-6, "{power}");
        assert_eq!(feb[0].ai_lease_usd, 2.0, "a blank figure keeps the model's");
        assert_eq!(feb[0].hashrate_ths, 9_500_000.0);
        assert_eq!(
            rows[29].hashrate_source,
            HashrateSource::Modelled,
            "March is not reported"
        );
        assert_eq!(
            rows[30].hashrate_source,
            HashrateSource::Measured,
            "telemetry wins"
        );
        assert_eq!(rows[30].ai_lease_usd, 2.0);
    }
}
