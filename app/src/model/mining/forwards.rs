//! Forward inputs with their provenance: a hashprice forward curve ($/PH/day per monthly tenor)
//! and a GPU rental index ($/GPU-hour per GPU model and day), each read from a plain CSV whole
//! or not at all, and the forward applied to projected revenue. Pure.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::model::company::revenue::RevenueDay;
use crate::model::company::site::Site;
use crate::model::power::contract::{column, fail, field, ImportError};

/// Forward hashprices above this are a typo (the 2017 peak was about $3,000/PH/day).
const MAX_USD_PER_PH_DAY: f64 = 100_000.0;
/// GPU-hour prices above this are a typo.
const MAX_USD_PER_GPU_HOUR: f64 = 1_000.0;

/// One tenor of a hashprice forward curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ForwardTenor {
    /// The delivery month's first day.
    pub month: NaiveDate,
    pub usd_per_ph_day: f64,
}

/// One line of a forward-curve file: the curve's date and one of its tenors.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForwardRow {
    pub as_of: NaiveDate,
    pub tenor: ForwardTenor,
}

/// The curve a projection uses (the newest one stored), with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ForwardCurve {
    pub as_of: NaiveDate,
    /// `import:FILE` or `feed:HOST`.
    pub source: String,
    /// Month-ordered.
    pub tenors: Vec<ForwardTenor>,
}

impl ForwardCurve {
    /// The forward hashprice of `date`'s month, when the curve has that tenor.
    pub fn usd_per_ph_day(&self, date: NaiveDate) -> Option<f64> {
        let m = month_start(date);
        self.tenors
            .binary_search_by_key(&m, |t| t.month)
            .ok()
            .map(|i| self.tenors[i].usd_per_ph_day)
    }

    /// How a figure priced on the curve is labelled on `today`: `forward · SOURCE · as of
    /// DATE`, and `· stale` when the curve is (see [`ForwardCurve::stale`]).
    pub fn label(&self, today: NaiveDate) -> String {
        let stale = if self.stale(today) { " · stale" } else { "" };
        format!("forward · {} · as of {}{stale}", self.source, self.as_of)
    }

    /// A curve is stale on `today` when it is dated after it (a clock or a file that cannot be
    /// right) or as old as its own horizon: as much time has passed since its date as it spans
    /// (from its date to its last tenor's end), so a newer curve should long have replaced it.
    pub fn stale(&self, today: NaiveDate) -> bool {
        let Some(last) = self.tenors.last() else {
            return true;
        };
        let horizon_end = last
            .month
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(last.month);
        self.as_of > today || today - self.as_of >= horizon_end - self.as_of
    }
}

/// The first day of `date`'s month.
pub fn month_start(date: NaiveDate) -> NaiveDate {
    date.with_day(1).expect("day 1 exists")
}

/// Reads `as_of,month,usd_per_ph_day` (the month as `YYYY-MM` or any date in it; the price a
/// positive $/PH/day). Any bad line, or a tenor given twice for one as-of, refuses the file.
pub fn parse_forward_curve(text: &str) -> Result<Vec<ForwardRow>, ImportError> {
    let (columns, rows) = table(text)?;
    let (as_of, month, price) = (
        column(&columns, "as_of")?,
        column(&columns, "month")?,
        column(&columns, "usd_per_ph_day")?,
    );
    let mut out: Vec<ForwardRow> = Vec::with_capacity(rows.len());
    let mut seen = std::collections::HashSet::new();
    for (line, f) in rows {
        let row = ForwardRow {
            as_of: date(line, field(line, &f, as_of, "as_of")?)?,
            tenor: ForwardTenor {
                month: month_of(line, field(line, &f, month, "month")?)?,
                usd_per_ph_day: positive(
                    line,
                    field(line, &f, price, "usd_per_ph_day")?,
                    MAX_USD_PER_PH_DAY,
                )?,
            },
        };
        if !seen.insert((row.as_of, row.tenor.month)) {
            return fail(
                line,
                format!(
                    "the {} tenor of the curve as of {} is given twice",
                    row.tenor.month.format("%Y-%m"),
                    row.as_of
                ),
            );
        }
        out.push(row);
    }
    Ok(out)
}

/// One day's rental price for one GPU model, with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GpuIndexQuote {
    pub date: NaiveDate,
    /// As the index names it, e.g. `H100 SXM`.
    pub gpu_model: String,
    pub usd_per_gpu_hour: f64,
    /// `import:FILE` or `feed:HOST` (empty until stored).
    #[serde(default)]
    pub source: String,
}

/// Reads `date,gpu_model,usd_per_gpu_hour`. Any bad line, or a model given twice for one day
/// (names compared by [`model_key`]), refuses the file.
pub fn parse_gpu_index(text: &str) -> Result<Vec<GpuIndexQuote>, ImportError> {
    let (columns, rows) = table(text)?;
    let (day, model, price) = (
        column(&columns, "date")?,
        column(&columns, "gpu_model")?,
        column(&columns, "usd_per_gpu_hour")?,
    );
    let mut out: Vec<GpuIndexQuote> = Vec::with_capacity(rows.len());
    let mut seen = std::collections::HashSet::new();
    for (line, f) in rows {
        let gpu_model = field(line, &f, model, "gpu_model")?;
        if gpu_model.len() > 64 || gpu_model.chars().any(char::is_control) {
            return fail(line, "gpu_model: at most 64 printable characters");
        }
        let q = GpuIndexQuote {
            date: date(line, field(line, &f, day, "date")?)?,
            gpu_model: gpu_model.to_string(),
            usd_per_gpu_hour: positive(
                line,
                field(line, &f, price, "usd_per_gpu_hour")?,
                MAX_USD_PER_GPU_HOUR,
            )?,
            source: String::new(),
        };
        if !seen.insert((q.date, model_key(&q.gpu_model))) {
            return fail(
                line,
                format!("{} on {} is given twice", q.gpu_model, q.date),
            );
        }
        out.push(q);
    }
    Ok(out)
}

/// A GPU model's name compared without case, spaces or punctuation: `H100 SXM` = `h100-sxm`.
pub fn model_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The newest quote on or before `today` for `gpu_model`.
pub fn latest_quote<'a>(
    quotes: &'a [GpuIndexQuote],
    gpu_model: &str,
    today: NaiveDate,
) -> Option<&'a GpuIndexQuote> {
    let key = model_key(gpu_model);
    quotes
        .iter()
        .filter(|q| q.date <= today && model_key(&q.gpu_model) == key)
        .max_by_key(|q| q.date)
}

/// Projected site-days in a month the curve prices take their mining revenue from it: the
/// site's hashrate in PH/s × the forward $/PH/day, net of the pool's fee. History is untouched.
pub fn apply(rows: &mut [RevenueDay], sites: &[Site], curve: &ForwardCurve) {
    for r in rows.iter_mut().filter(|r| r.projected) {
        let (Some(price), Some(site)) = (
            curve.usd_per_ph_day(r.date),
            sites.iter().find(|s| s.id == r.site),
        ) else {
            continue;
        };
        r.mining_usd = r.hashrate_ths / 1_000.0 * price * (1.0 - site.pool_fee_pct / 100.0);
        r.forward = true;
    }
}

/// The file's table, refused when it holds no row.
fn table(text: &str) -> Result<crate::model::power::contract::Table, ImportError> {
    let (columns, rows) = crate::model::power::contract::table(text)?;
    if rows.is_empty() {
        return fail(1, "no rows after the header");
    }
    Ok((columns, rows))
}

fn date(line: usize, text: &str) -> Result<NaiveDate, ImportError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| fail(line, format!("{text:?} is not a date (YYYY-MM-DD)")))
}

fn month_of(line: usize, text: &str) -> Result<NaiveDate, ImportError> {
    NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .map(month_start)
        .or_else(|_| fail(line, format!("{text:?} is not a month (YYYY-MM)")))
}

fn positive(line: usize, text: &str, max: f64) -> Result<f64, ImportError> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= max => Ok(v),
        _ => fail(
            line,
            format!("price {text:?} is not a positive number up to {max}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_forward_curve_reads_whole_and_prices_its_months() {
        let rows = parse_forward_curve(
            "as_of,month,usd_per_ph_day\n2026-12-01,2027-01,48.5\n\n2026-12-01,2027-02-15,47.25\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].tenor.month, d(2027, 2, 1));
        let curve = ForwardCurve {
            as_of: rows[0].as_of,
            source: "import:f.csv".into(),
            tenors: rows.iter().map(|r| r.tenor).collect(),
        };
        assert_eq!(curve.usd_per_ph_day(d(2027, 1, 31)), Some(48.5));
        assert_eq!(curve.usd_per_ph_day(d(2027, 2, 1)), Some(47.25));
        assert_eq!(curve.usd_per_ph_day(d(2027, 3, 1)), None);
        assert_eq!(
            curve.label(d(2026, 12, 7)),
            "forward · import:f.csv · as of 2026-12-01"
        );
        // Its horizon runs to the end of February 2027 (90 days from its date): on 1 March it
        // is 90 days old, as old as what it spans; dated after today it cannot be right.
        assert!(!curve.stale(d(2027, 2, 28)));
        assert!(curve.stale(d(2027, 3, 1)));
        assert_eq!(
            curve.label(d(2027, 3, 1)),
            "forward · import:f.csv · as of 2026-12-01 · stale"
        );
        assert!(curve.stale(d(2026, 11, 30)), "dated in the future");
    }

    #[test]
    fn bad_lines_refuse_the_file_with_their_number() {
        let head = "as_of,month,usd_per_ph_day\n2026-12-01,2027-01,48\n";
        for (bad, why) in [
            ("2026-12-01,2027-13,48", "not a month"),
            ("2026-12-01,2027-02,-3", "positive"),
            ("2026-12-01,2027-02,NaN", "positive"),
            ("2026-12-01,2027-02,", "missing"),
            ("2026-12-01,2027-01,49", "twice"),
            ("yesterday,2027-02,48", "not a date"),
        ] {
            let e = parse_forward_curve(&format!("{head}{bad}\n")).unwrap_err();
            assert_eq!(e.line, 3, "{bad}: {e}");
            assert!(e.message.contains(why), "{bad}: {e}");
        }
        assert_eq!(
            parse_forward_curve("month,usd_per_ph_day\n2027-01,3\n")
                .unwrap_err()
                .line,
            1
        );
        assert!(parse_forward_curve("as_of,month,usd_per_ph_day\n").is_err());
    }

    #[test]
    fn a_gpu_index_reads_models_by_their_key_and_finds_the_latest_quote() {
        let q = parse_gpu_index(
            "date,gpu_model,usd_per_gpu_hour\n2026-11-30,H100 SXM,2.05\n2026-12-01,h100-sxm,1.95\n2026-12-01,B200,3.9\n2026-12-09,H100 SXM,1.5\n",
        )
        .unwrap();
        let h100 = latest_quote(&q, "H100-SXM", d(2026, 12, 4)).unwrap();
        assert_eq!((h100.date, h100.usd_per_gpu_hour), (d(2026, 12, 1), 1.95));
        assert!(latest_quote(&q, "A100", d(2026, 12, 4)).is_none());
        let twice = parse_gpu_index(
            "date,gpu_model,usd_per_gpu_hour\n2026-12-01,H100 SXM,2\n2026-12-01,h100 sxm,2.1\n",
        )
        .unwrap_err();
        assert_eq!(twice.line, 3);
        let control =
            parse_gpu_index("date,gpu_model,usd_per_gpu_hour\n2026-12-01,\"H1\u{7}\",2\n")
                .unwrap_err();
        assert!(control.message.contains("printable"), "{control}");
    }
}
