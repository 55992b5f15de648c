//! Investor-relations embeds: which public views exist, what an embed token may grant, and the
//! public-safe payload of each view. Payload types hold totals and names only — no device
//! addresses, no annotations, no user data — so nothing else can leak through them.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::model::company::revenue::RevenueDay;
use crate::model::company::validate::InputError;
use crate::model::fleet::devices::FleetSummary;
use crate::model::timeline::milestones::{MilestoneKind, MilestoneStatus, MwMix};

/// The views an IR page may frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmbedView {
    RevenueMix,
    MwConverted,
    Timeline,
    FleetSummary,
    /// The sector's KPIs (`model::investor::sector_kpis`) over the last 30 days.
    Kpis,
    /// A closed month's production update (`model::investor::monthly_close`): closed months only.
    Production,
}

impl EmbedView {
    pub const ALL: [EmbedView; 6] = [
        EmbedView::RevenueMix,
        EmbedView::MwConverted,
        EmbedView::Timeline,
        EmbedView::FleetSummary,
        EmbedView::Kpis,
        EmbedView::Production,
    ];

    /// The path segment under `/embed/`.
    pub fn slug(self) -> &'static str {
        match self {
            EmbedView::RevenueMix => "revenue-mix",
            EmbedView::MwConverted => "mw-converted",
            EmbedView::Timeline => "timeline",
            EmbedView::FleetSummary => "fleet-summary",
            EmbedView::Kpis => "kpis",
            EmbedView::Production => "production",
        }
    }

    pub fn from_slug(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.slug() == s)
    }

    pub fn title(self) -> &'static str {
        match self {
            EmbedView::RevenueMix => "Monthly revenue: bitcoin mining and AI leases",
            EmbedView::MwConverted => "Megawatts converted from mining to AI",
            EmbedView::Timeline => "Conversion timeline",
            EmbedView::FleetSummary => "Fleet summary",
            EmbedView::Kpis => "Sector KPIs",
            EmbedView::Production => "Monthly production update",
        }
    }

    /// Views showing projected figures carry a forward-looking-statement note.
    pub fn forward_looking(self) -> bool {
        !matches!(self, EmbedView::FleetSummary | EmbedView::Production)
    }
}

/// Most origins one embed token may list.
pub const MAX_ORIGINS: usize = 10;

/// Normalises `scheme://host[:port]` (http or https, no path, query, user or wildcard).
pub fn validate_origin(raw: &str) -> Result<String, InputError> {
    let bad = |why: &str| InputError::new("origins", format!("{raw:?}: {why}"));
    let s = raw.trim().trim_end_matches('/');
    let (scheme, rest) = s
        .split_once("://")
        .ok_or_else(|| bad("expected https://host[:port]"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(bad("only http and https origins"));
    }
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', '*', ' ', ';', ',', '\'', '"']) {
        return Err(bad("an origin is scheme://host[:port], nothing more"));
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.contains(']') || h.ends_with(']') => {
            p.parse::<u16>().map_err(|_| bad("port must be 1-65535"))?;
            (h, Some(p))
        }
        _ => (rest, None),
    };
    if host.is_empty()
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'))
    {
        return Err(bad("host name has characters an origin cannot have"));
    }
    Ok(match port {
        Some(p) => format!("{scheme}://{}:{p}", host.to_ascii_lowercase()),
        None => format!("{scheme}://{}", host.to_ascii_lowercase()),
    })
}

/// What an admin asks for: a view, the sites it covers (empty: all), the origins that may
/// frame it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmbedSpec {
    pub name: String,
    pub view: EmbedView,
    #[serde(default)]
    pub sites: Vec<String>,
    pub origins: Vec<String>,
}

impl EmbedSpec {
    /// Checks and normalises the spec (origins deduplicated and normalised).
    pub fn validated(mut self) -> Result<Self, InputError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(InputError::new("name", "1 to 100 characters"));
        }
        self.name = name.to_string();
        if self.origins.is_empty() || self.origins.len() > MAX_ORIGINS {
            return Err(InputError::new(
                "origins",
                format!("1 to {MAX_ORIGINS} origins that may frame the embed"),
            ));
        }
        let mut origins = Vec::new();
        for o in &self.origins {
            let o = validate_origin(o)?;
            if !origins.contains(&o) {
                origins.push(o);
            }
        }
        self.origins = origins;
        if self.sites.len() > 100 || self.sites.iter().any(|s| s.is_empty() || s.len() > 100) {
            return Err(InputError::new("sites", "site ids, at most 100"));
        }
        self.sites.sort();
        self.sites.dedup();
        Ok(self)
    }
}

/// Revenue of one calendar month, all covered sites.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MonthRevenue {
    /// First day of the month.
    pub month: NaiveDate,
    pub mining_usd: f64,
    pub ai_lease_usd: f64,
    /// True when any day of the month is a projection.
    pub projected: bool,
}

/// Sums daily rows (any sites) into calendar months, in date order.
pub fn monthly(days: &[RevenueDay]) -> Vec<MonthRevenue> {
    let mut out: Vec<MonthRevenue> = Vec::new();
    let mut rows: Vec<&RevenueDay> = days.iter().collect();
    rows.sort_by_key(|d| d.date);
    for d in rows {
        let month = NaiveDate::from_ymd_opt(d.date.year(), d.date.month(), 1).unwrap_or(d.date);
        match out.last_mut() {
            Some(m) if m.month == month => {
                m.mining_usd += d.mining_usd;
                m.ai_lease_usd += d.ai_lease_usd;
                m.projected |= d.projected;
            }
            _ => out.push(MonthRevenue {
                month,
                mining_usd: d.mining_usd,
                ai_lease_usd: d.ai_lease_usd,
                projected: d.projected,
            }),
        }
    }
    out
}

/// A milestone as the public sees it: no ids, no notes, no dependencies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PublicMilestone {
    pub site: String,
    pub title: String,
    pub kind: MilestoneKind,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub status: MilestoneStatus,
    pub mw: f64,
}

/// Fleet totals: counts, hashrate, utilisation and power; nothing per device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FleetTotals {
    pub devices: usize,
    pub online: usize,
    pub degraded: usize,
    pub offline: usize,
    pub asic_hashrate_ths: f64,
    pub gpus: usize,
    pub gpu_util_avg_pct: Option<f64>,
    pub power_kw: f64,
}

impl From<&FleetSummary> for FleetTotals {
    fn from(s: &FleetSummary) -> Self {
        FleetTotals {
            devices: s.devices,
            online: s.online,
            degraded: s.degraded,
            offline: s.offline,
            asic_hashrate_ths: s.asic_hashrate_ths,
            gpus: s.gpus,
            gpu_util_avg_pct: s.gpu_util_avg_pct,
            power_kw: s.power_kw,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EmbedPayload {
    RevenueMix {
        months: Vec<MonthRevenue>,
    },
    MwConverted {
        mix: Vec<MwMix>,
    },
    Timeline {
        milestones: Vec<PublicMilestone>,
        today: NaiveDate,
    },
    FleetSummary {
        totals: FleetTotals,
    },
    Kpis {
        kpis: crate::model::investor::sector_kpis::SectorKpis,
    },
    /// A closed month's figures for the sites the token covers (the company's total only when
    /// it covers them all), each against the month before where that is closed.
    Production {
        month: String,
        version: i64,
        closed_at: DateTime<Utc>,
        /// Column names: `total` or site names.
        columns: Vec<String>,
        rows: Vec<ProductionLine>,
    },
}

/// One figure of the production embed: its value per column and the first column's change on
/// the month before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProductionLine {
    pub figure: String,
    pub values: Vec<Option<f64>>,
    pub month_on_month_pct: Option<f64>,
}

/// The figures an investor-relations page shows from a closed month.
pub const PRODUCTION_FIGURES: [&str; 14] = [
    "btc_produced",
    "btc_per_day",
    "deployed_hashrate_ths",
    "avg_operating_hashrate_ths",
    "fleet_j_per_th",
    "energy_mwh",
    "net_power_usd_per_mwh",
    "power_cost_per_btc_usd",
    "mining_revenue_usd",
    "hardware_margin_pct",
    "ai_revenue_usd",
    "gpus_deployed",
    "mining_mw",
    "ai_mw",
];

/// Everything one embed shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EmbedData {
    pub view: EmbedView,
    pub title: String,
    /// Names of the sites covered.
    pub sites: Vec<String>,
    pub as_of: DateTime<Utc>,
    /// Date the market figures run to (later days are projected).
    pub today: NaiveDate,
    pub simulated: bool,
    pub payload: EmbedPayload,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised_and_anything_else_refused() {
        assert_eq!(
            validate_origin("https://IR.Example.com/").unwrap(),
            "https://ir.example.com"
        );
        assert_eq!(
            validate_origin("http://127.0.0.1:3101").unwrap(),
            "http://127.0.0.1:3101"
        );
        for bad in [
            "ir.example.com",
            "javascript://x",
            "https://ir.example.com/path",
            "https://*.example.com",
            "https://a.example; script-src *",
            "https://user@host",
            "https://host:99999",
            "https://",
            "'self'",
        ] {
            assert!(validate_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn specs_need_a_name_and_one_to_ten_origins() {
        let spec = EmbedSpec {
            name: " IR site ".into(),
            view: EmbedView::RevenueMix,
            sites: vec!["b".into(), "a".into(), "a".into()],
            origins: vec![
                "https://ir.example.com".into(),
                "https://IR.example.com/".into(),
            ],
        };
        let v = spec.clone().validated().unwrap();
        assert_eq!(v.name, "IR site");
        assert_eq!(v.origins, vec!["https://ir.example.com"]);
        assert_eq!(v.sites, vec!["a", "b"]);
        assert!(EmbedSpec {
            origins: vec![],
            ..spec.clone()
        }
        .validated()
        .is_err());
        assert!(EmbedSpec {
            origins: vec!["https://x.example".into(); 11],
            ..spec
        }
        .validated()
        .is_err());
    }

    #[test]
    fn monthly_sums_days_and_flags_projected_months() {
        let day = |y, m, d, mining: f64, projected| RevenueDay {
            ai_power_cost_usd: 0.0,
            date: NaiveDate::from_ymd_opt(y, m, d).unwrap(),
            site: "s".into(),
            mining_usd: mining,
            ai_lease_usd: 1.0,
            power_cost_usd: 0.0,
            btc_mined: 0.0,
            hashrate_ths: 0.0,
            mining_mw: 0.0,
            ai_mw: 0.0,
            projected,
            hashrate_source: crate::model::mining::measured::HashrateSource::Modelled,
            telemetry_coverage: 0.0,
            gpu_utilisation_measured: None,
            pool_paid_btc: None,
            sla_credit_usd: 0.0,
            forward: false,
            energy_mwh: 0.0,
        };
        let m = monthly(&[
            day(2026, 2, 1, 5.0, true),
            day(2026, 1, 30, 10.0, false),
            day(2026, 1, 31, 20.0, false),
            day(2026, 2, 2, 5.0, true),
        ]);
        assert_eq!(m.len(), 2);
        assert_eq!(
            (m[0].mining_usd, m[0].ai_lease_usd, m[0].projected),
            (30.0, 2.0, false)
        );
        assert_eq!((m[1].mining_usd, m[1].projected), (10.0, true));
        assert_eq!(m[1].month, NaiveDate::from_ymd_opt(2026, 2, 1).unwrap());
    }
}
