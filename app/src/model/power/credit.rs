//! Power credits a site was paid in a month, as the utility's or the market's statement gives
//! them: demand-response payments, 4CP transmission credits, power sold back while curtailed,
//! congestion credits. They arrive weeks after the month — which is why a closed month is
//! restated when they do. Pure: the type and its checks.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a credit was paid for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PowerCreditKind {
    DemandResponse,
    FourCp,
    PowerSale,
    Congestion,
    Other,
}

impl PowerCreditKind {
    pub const ALL: [PowerCreditKind; 5] = [
        Self::DemandResponse,
        Self::FourCp,
        Self::PowerSale,
        Self::Congestion,
        Self::Other,
    ];

    /// The name the API and the store use.
    pub fn key(self) -> &'static str {
        match self {
            Self::DemandResponse => "demand_response",
            Self::FourCp => "four_cp",
            Self::PowerSale => "power_sale",
            Self::Congestion => "congestion",
            Self::Other => "other",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// A credit as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PowerCredit {
    pub id: String,
    pub site: String,
    /// `YYYY-MM`: the month the credit is for (not the month it was paid).
    pub month: String,
    pub kind: PowerCreditKind,
    /// Paid to the site, $ (a claw-back is negative).
    pub usd: f64,
    /// Where it comes from (a statement's reference).
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// A credit to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPowerCredit {
    pub site: String,
    pub month: String,
    pub kind: PowerCreditKind,
    pub usd: f64,
    #[serde(default)]
    pub note: String,
}

/// The largest credit one entry may carry, $ (a billion: beyond any site's month).
pub const MAX_CREDIT_USD: f64 = 1e9;

impl NewPowerCredit {
    /// A month within 2000–2200, a non-zero finite amount within ±$1bn, a note of at most 500
    /// printable characters. (The site's existence is the store's to check.)
    pub fn validate(&self) -> Result<(), String> {
        if crate::model::company::range::parse_report_month(&self.month).is_none() {
            return Err(format!(
                "month: YYYY-MM between 2000 and 2200, not {:?}",
                self.month
            ));
        }
        if !self.usd.is_finite() || self.usd == 0.0 || self.usd.abs() > MAX_CREDIT_USD {
            return Err("usd: a non-zero amount within ±1,000,000,000".into());
        }
        if self.note.chars().count() > 500 || self.note.chars().any(char::is_control) {
            return Err("note: at most 500 printable characters".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credit(month: &str, usd: f64, note: &str) -> NewPowerCredit {
        NewPowerCredit {
            site: "a".into(),
            month: month.into(),
            kind: PowerCreditKind::DemandResponse,
            usd,
            note: note.into(),
        }
    }

    #[test]
    fn a_credit_needs_a_month_an_amount_and_a_printable_note() {
        assert!(credit("2026-11", 12_500.0, "ERCOT ERS statement 11/26")
            .validate()
            .is_ok());
        assert!(credit("2026-11", -300.0, "claw-back").validate().is_ok());
        assert!(credit("2026-13", 1.0, "").validate().is_err());
        assert!(credit("2026-11", 0.0, "").validate().is_err());
        assert!(credit("2026-11", f64::NAN, "").validate().is_err());
        assert!(credit("2026-11", 2e9, "").validate().is_err());
        assert!(credit("2026-11", 1.0, "a\u{0}b").validate().is_err());
        for k in PowerCreditKind::ALL {
            assert_eq!(PowerCreditKind::from_key(k.key()), Some(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.key()));
        }
    }
}
