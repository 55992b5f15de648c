//! Time ranges for the overview: a window of history around today and the projection after it.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// A picker choice. Every range shows history up to today, then a projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TimeRange {
    /// 6 months back, 6 months ahead.
    #[serde(rename = "6m")]
    SixMonths,
    /// 1 year back, 1 year ahead.
    #[default]
    #[serde(rename = "1y")]
    OneYear,
    /// 3 years back, 3 years ahead (covers the 2028 halving).
    #[serde(rename = "3y")]
    ThreeYears,
    /// From the start of the bundled history to the end of 2029.
    #[serde(rename = "all")]
    All,
}

/// `YYYY-MM` → the month's first day.
pub fn parse_month(s: &str) -> Option<NaiveDate> {
    let (y, m) = s.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)
}

/// A month a report may name (closed months, power credits): `YYYY-MM` within 2000–2200.
pub fn parse_report_month(s: &str) -> Option<NaiveDate> {
    parse_month(s).filter(|d| (2000..=2200).contains(&chrono::Datelike::year(d)))
}

/// The first instant of `date` in UTC (every day Rigshift counts is a UTC day).
pub fn start_of_day(date: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    date.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// First day of the bundled market history.
pub fn history_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 1, 1).expect("valid date")
}

impl TimeRange {
    pub const ALL: [TimeRange; 4] = [
        TimeRange::SixMonths,
        TimeRange::OneYear,
        TimeRange::ThreeYears,
        TimeRange::All,
    ];

    /// The URL form (`?range=1y`).
    pub fn as_str(self) -> &'static str {
        match self {
            TimeRange::SixMonths => "6m",
            TimeRange::OneYear => "1y",
            TimeRange::ThreeYears => "3y",
            TimeRange::All => "all",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TimeRange::SixMonths => "±6 months",
            TimeRange::OneYear => "±1 year",
            TimeRange::ThreeYears => "±3 years",
            TimeRange::All => "2023 – 2029",
        }
    }

    /// Parses the URL form; anything else is `None`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// (first day, last day) of the window around `today`.
    pub fn window(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let around = |days| {
            (
                (today - Duration::days(days)).max(history_start()),
                today + Duration::days(days),
            )
        };
        match self {
            TimeRange::SixMonths => around(182),
            TimeRange::OneYear => around(365),
            TimeRange::ThreeYears => around(1096),
            TimeRange::All => (
                history_start(),
                NaiveDate::from_ymd_opt(2029, 12, 31)
                    .expect("valid date")
                    .max(today),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_url_forms_and_windows_are_nested() {
        for r in TimeRange::ALL {
            assert_eq!(TimeRange::parse(r.as_str()), Some(r));
        }
        assert_eq!(TimeRange::parse("5y"), None);
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let spans: Vec<i64> = TimeRange::ALL
            .iter()
            .map(|r| {
                let (a, b) = r.window(today);
                (b - a).num_days()
            })
            .collect();
        assert!(spans.windows(2).all(|w| w[0] < w[1]), "{spans:?}");
        assert_eq!(TimeRange::All.window(today).0, history_start());
        let (from, to) = TimeRange::ThreeYears.window(today);
        assert!(from >= history_start() && to > NaiveDate::from_ymd_opt(2028, 4, 30).unwrap());
    }
}
