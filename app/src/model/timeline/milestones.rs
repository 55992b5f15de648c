//! The conversion timeline: the milestones that move a site's megawatts from mining to AI.
//!
//! Milestones are the source of truth for dates: a decommissioning milestone takes its MW out of
//! mining on its (actual, else planned) start, and an AI ramp milestone linked to a lease
//! contract starts that contract. `apply` turns a site's milestones into the conversion steps
//! and contract dates the revenue model reads, so moving a milestone moves projected revenue.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::company::site::{ConversionStep, Site};
use crate::model::company::validate::InputError;

/// What a milestone does to the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MilestoneKind {
    /// Curtail and remove miners: the MW leave mining.
    Decommission,
    /// Power, cooling and network works for AI halls.
    Retrofit,
    /// Tenant load ramps up (drives a lease contract's start).
    AiRamp,
    /// Contracted load fully live.
    AiLive,
}

impl MilestoneKind {
    pub const ALL: [MilestoneKind; 4] = [
        MilestoneKind::Decommission,
        MilestoneKind::Retrofit,
        MilestoneKind::AiRamp,
        MilestoneKind::AiLive,
    ];

    pub fn label(self) -> &'static str {
        match self {
            MilestoneKind::Decommission => "Decommissioning",
            MilestoneKind::Retrofit => "Retrofit",
            MilestoneKind::AiRamp => "AI ramp",
            MilestoneKind::AiLive => "AI live",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneKind::Decommission => "decommission",
            MilestoneKind::Retrofit => "retrofit",
            MilestoneKind::AiRamp => "ai_ramp",
            MilestoneKind::AiLive => "ai_live",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a milestone stands today, computed from its dates (never typed in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MilestoneStatus {
    Planned,
    InProgress,
    Done,
    Slipped,
}

impl MilestoneStatus {
    pub const ALL: [MilestoneStatus; 4] = [
        MilestoneStatus::Planned,
        MilestoneStatus::InProgress,
        MilestoneStatus::Done,
        MilestoneStatus::Slipped,
    ];

    pub fn label(self) -> &'static str {
        match self {
            MilestoneStatus::Planned => "Planned",
            MilestoneStatus::InProgress => "In progress",
            MilestoneStatus::Done => "Done",
            MilestoneStatus::Slipped => "Slipped",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Milestone {
    pub id: String,
    pub site_id: String,
    pub kind: MilestoneKind,
    pub title: String,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    pub actual_start: Option<NaiveDate>,
    pub actual_end: Option<NaiveDate>,
    /// MW this milestone moves (decommissioned, retrofitted or energised).
    pub mw: f64,
    /// Milestones that must finish before this one can start.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// The lease contract an AI ramp starts.
    #[serde(default)]
    pub contract_id: Option<String>,
    /// Optimistic-concurrency version; every edit increments it.
    #[serde(default = "first_version")]
    pub version: i64,
}

fn first_version() -> i64 {
    1
}

impl Milestone {
    /// Start as it happened, else as planned.
    pub fn start(&self) -> NaiveDate {
        self.actual_start.unwrap_or(self.planned_start)
    }

    /// End as it happened; else the planned duration counted from the actual start.
    pub fn forecast_end(&self) -> NaiveDate {
        match (self.actual_end, self.actual_start) {
            (Some(end), _) => end,
            (None, Some(start)) => start + (self.planned_end - self.planned_start),
            (None, None) => self.planned_end,
        }
    }

    /// Status on `today`. `dependencies` are the milestones this one depends on (others ignored):
    /// a milestone whose dependency is forecast to end after its own planned start has slipped.
    pub fn status(&self, today: NaiveDate, dependencies: &[&Milestone]) -> MilestoneStatus {
        if self.actual_end.is_some() {
            return MilestoneStatus::Done;
        }
        let late = today > self.planned_end || self.forecast_end() > self.planned_end;
        let blocked = dependencies.iter().any(|d| {
            self.depends_on.contains(&d.id)
                && d.actual_end.is_none()
                && d.forecast_end() > self.planned_start
        });
        if late || blocked {
            MilestoneStatus::Slipped
        } else if self.actual_start.is_some() || today >= self.planned_start {
            MilestoneStatus::InProgress
        } else {
            MilestoneStatus::Planned
        }
    }

    /// Days the forecast end lies after the planned end (0 if on time or early).
    pub fn slip_days(&self, today: NaiveDate) -> i64 {
        let end = if self.actual_end.is_none() && today > self.forecast_end() {
            today
        } else {
            self.forecast_end()
        };
        (end - self.planned_end).num_days().max(0)
    }
}

/// Status of every milestone, in input order, resolving dependencies within `all`.
pub fn statuses(all: &[Milestone], today: NaiveDate) -> Vec<MilestoneStatus> {
    all.iter()
        .map(|m| {
            let deps: Vec<&Milestone> = all
                .iter()
                .filter(|d| m.depends_on.contains(&d.id))
                .collect();
            m.status(today, &deps)
        })
        .collect()
}

/// Makes `site` follow its milestones: decommissioning milestones become its conversion steps
/// (MW leave mining on the start), and each AI ramp linked to a contract moves that contract's
/// start to the ramp's start, keeping the contract's term length.
pub fn apply(site: &mut Site, milestones: &[Milestone]) {
    let mut steps: Vec<ConversionStep> = milestones
        .iter()
        .filter(|m| m.site_id == site.id && m.kind == MilestoneKind::Decommission && m.mw > 0.0)
        .map(|m| ConversionStep {
            effective_on: m.start(),
            mw: m.mw,
            label: m.title.clone(),
        })
        .collect();
    steps.sort_by_key(|s| s.effective_on);
    site.conversion = steps;
    for m in milestones
        .iter()
        .filter(|m| m.site_id == site.id && m.kind == MilestoneKind::AiRamp)
    {
        let Some(contract_id) = &m.contract_id else {
            continue;
        };
        if let Some(c) = site.contracts.iter_mut().find(|c| &c.id == contract_id) {
            let shift = m.start() - c.start_on;
            c.start_on = m.start();
            c.end_on = c.end_on.map(|e| e + shift);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SiteBrief {
    pub id: String,
    pub name: String,
    pub capacity_mw: f64,
}

/// A milestone with what is computed from it today.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MilestoneRow {
    #[serde(flatten)]
    pub milestone: Milestone,
    pub status: MilestoneStatus,
    pub slip_days: i64,
    pub forecast_end: NaiveDate,
}

/// MW by use on one date, summed over sites.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MwMix {
    pub date: NaiveDate,
    pub mining_mw: f64,
    /// Taken out of mining, not yet earning as AI load (decommissioning and retrofit).
    pub converting_mw: f64,
    pub ai_mw: f64,
}

/// MW mining, converting and AI on each of `dates` across `sites` (already `apply`-ed).
pub fn mw_mix(sites: &[Site], dates: &[NaiveDate]) -> Vec<MwMix> {
    dates
        .iter()
        .map(|&date| {
            let mut mix = MwMix {
                date,
                mining_mw: 0.0,
                converting_mw: 0.0,
                ai_mw: 0.0,
            };
            for s in sites {
                let ai = s.ai_mw(date);
                mix.mining_mw += s.mining_mw(date);
                mix.ai_mw += ai;
                mix.converting_mw += (s.converted_mw(date).min(s.initial_mining_mw) - ai).max(0.0);
            }
            mix
        })
        .collect()
}

/// First day of each month from `from`'s month through `to`'s.
pub fn month_starts(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    use chrono::Datelike;
    let mut out = Vec::new();
    let mut d = NaiveDate::from_ymd_opt(from.year(), from.month(), 1).unwrap_or(from);
    while d <= to {
        out.push(d);
        d = d
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(NaiveDate::MAX);
    }
    out
}

/// What an operator may change on a milestone. Dates are checked together (end ≥ start).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MilestoneEdit {
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    pub actual_start: Option<NaiveDate>,
    pub actual_end: Option<NaiveDate>,
    pub mw: f64,
    pub title: String,
    /// The version the edit was made against (a stale one is refused with 409).
    pub version: i64,
}

impl MilestoneEdit {
    /// Checks the edit on its own: dates in order, MW finite and non-negative, a title.
    pub fn validate(&self) -> Result<(), InputError> {
        if self.planned_end < self.planned_start {
            return Err(InputError::new(
                "planned_end",
                "must not be before planned_start",
            ));
        }
        if let (Some(s), Some(e)) = (self.actual_start, self.actual_end) {
            if e < s {
                return Err(InputError::new(
                    "actual_end",
                    "must not be before actual_start",
                ));
            }
        }
        if self.actual_end.is_some() && self.actual_start.is_none() {
            return Err(InputError::new(
                "actual_start",
                "is needed when actual_end is set",
            ));
        }
        if !self.mw.is_finite() || self.mw < 0.0 || self.mw > 10_000.0 {
            return Err(InputError::new("mw", "must be between 0 and 10,000"));
        }
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(InputError::new("title", "must be 1 to 200 characters"));
        }
        Ok(())
    }

    pub fn apply_to(&self, m: &mut Milestone) {
        m.planned_start = self.planned_start;
        m.planned_end = self.planned_end;
        m.actual_start = self.actual_start;
        m.actual_end = self.actual_end;
        m.mw = self.mw;
        m.title = self.title.trim().to_string();
    }
}

/// A milestone an operator adds to a site's roadmap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewMilestone {
    pub site_id: String,
    pub kind: MilestoneKind,
    pub title: String,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    pub mw: f64,
    #[serde(default)]
    pub depends_on: Vec<String>,
    #[serde(default)]
    pub contract_id: Option<String>,
}

impl NewMilestone {
    /// Checks the milestone against the roadmap it joins: the site exists, dependencies are
    /// known milestones, a contract belongs to the site and only an AI ramp drives one.
    pub fn validate(&self, site: Option<&Site>, existing: &[Milestone]) -> Result<(), InputError> {
        let site = site.ok_or_else(|| InputError::new("site_id", "no such site"))?;
        MilestoneEdit {
            planned_start: self.planned_start,
            planned_end: self.planned_end,
            actual_start: None,
            actual_end: None,
            mw: self.mw,
            title: self.title.clone(),
            version: 0,
        }
        .validate()?;
        if self.depends_on.len() > 20 {
            return Err(InputError::new("depends_on", "at most 20 milestones"));
        }
        if let Some(unknown) = self
            .depends_on
            .iter()
            .find(|d| !existing.iter().any(|m| &m.id == *d))
        {
            return Err(InputError::new(
                "depends_on",
                format!("no milestone {unknown:?}"),
            ));
        }
        if let Some(c) = &self.contract_id {
            if self.kind != MilestoneKind::AiRamp {
                return Err(InputError::new(
                    "contract_id",
                    "only an AI ramp starts a contract",
                ));
            }
            if !site.contracts.iter().any(|k| &k.id == c) {
                return Err(InputError::new(
                    "contract_id",
                    format!("no contract {c:?} at this site"),
                ));
            }
        }
        Ok(())
    }

    /// An id from the site and the title (`pecos-ridge-hall-5-retrofit`), unique among `taken`.
    pub fn id(&self, taken: &[Milestone]) -> String {
        let mut slug = String::new();
        for c in self.title.trim().to_lowercase().chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
        }
        let slug: String = slug.trim_end_matches('-').chars().take(40).collect();
        let base = format!(
            "{}-{}",
            self.site_id,
            if slug.is_empty() {
                "milestone"
            } else {
                slug.as_str()
            }
        );
        let mut id = base.clone();
        let mut n = 2;
        while taken.iter().any(|m| m.id == id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }

    pub fn into_milestone(self, id: String) -> Milestone {
        Milestone {
            id,
            site_id: self.site_id,
            kind: self.kind,
            title: self.title.trim().to_string(),
            planned_start: self.planned_start,
            planned_end: self.planned_end,
            actual_start: None,
            actual_end: None,
            mw: self.mw,
            depends_on: self.depends_on,
            contract_id: self.contract_id,
            version: 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::company::site::tests::{day, example_site};

    fn milestone(id: &str, kind: MilestoneKind, start: NaiveDate, end: NaiveDate) -> Milestone {
        Milestone {
            id: id.into(),
            site_id: "tx".into(),
            kind,
            title: id.into(),
            planned_start: start,
            planned_end: end,
            actual_start: None,
            actual_end: None,
            mw: 40.0,
            depends_on: vec![],
            contract_id: None,
            version: 1,
        }
    }

    #[test]
    fn status_follows_the_dates() {
        let m = milestone(
            "r",
            MilestoneKind::Retrofit,
            day(2026, 3, 1),
            day(2026, 6, 30),
        );
        assert_eq!(m.status(day(2026, 2, 1), &[]), MilestoneStatus::Planned);
        assert_eq!(m.status(day(2026, 4, 1), &[]), MilestoneStatus::InProgress);
        assert_eq!(m.status(day(2026, 7, 1), &[]), MilestoneStatus::Slipped);
        assert_eq!(m.slip_days(day(2026, 7, 10)), 10);
        let mut done = m.clone();
        done.actual_start = Some(day(2026, 3, 5));
        done.actual_end = Some(day(2026, 7, 15));
        assert_eq!(done.status(day(2026, 8, 1), &[]), MilestoneStatus::Done);
        assert_eq!(done.slip_days(day(2026, 8, 1)), 15);
        // Started late: forecast end moves with the start, so it has slipped already.
        let mut late = m.clone();
        late.actual_start = Some(day(2026, 4, 1));
        assert_eq!(late.forecast_end(), day(2026, 7, 31));
        assert_eq!(late.status(day(2026, 4, 2), &[]), MilestoneStatus::Slipped);
    }

    #[test]
    fn a_late_dependency_slips_the_milestone_that_waits_for_it() {
        let mut retrofit = milestone(
            "r",
            MilestoneKind::Retrofit,
            day(2026, 3, 1),
            day(2026, 6, 30),
        );
        retrofit.actual_start = Some(day(2026, 4, 1)); // forecast end 2026-07-31
        let mut ramp = milestone(
            "a",
            MilestoneKind::AiRamp,
            day(2026, 7, 1),
            day(2026, 12, 31),
        );
        ramp.depends_on = vec!["r".into()];
        let all = vec![retrofit, ramp];
        let s = statuses(&all, day(2026, 5, 1));
        assert_eq!(s, vec![MilestoneStatus::Slipped, MilestoneStatus::Slipped]);
        // Without the dependency the ramp is merely planned.
        let mut alone = all[1].clone();
        alone.depends_on.clear();
        assert_eq!(
            alone.status(day(2026, 5, 1), &[&all[0]]),
            MilestoneStatus::Planned
        );
    }

    #[test]
    fn apply_moves_conversion_steps_and_contract_starts() {
        let mut site = example_site();
        let mut decom = milestone(
            "d",
            MilestoneKind::Decommission,
            day(2025, 9, 1),
            day(2025, 10, 1),
        );
        decom.mw = 50.0;
        let mut ramp = milestone(
            "a",
            MilestoneKind::AiRamp,
            day(2026, 4, 1),
            day(2026, 9, 30),
        );
        ramp.contract_id = Some("c1".into());
        site.contracts[0].end_on = Some(day(2036, 1, 1));
        apply(&mut site, &[decom, ramp]);
        assert_eq!(site.conversion.len(), 1);
        assert_eq!(site.mining_mw(day(2025, 8, 31)), 100.0);
        assert_eq!(site.mining_mw(day(2025, 9, 1)), 50.0);
        // Contract moved from 2026-01-01 to 2026-04-01, its term kept (the same number of days).
        assert_eq!(site.contracts[0].start_on, day(2026, 4, 1));
        assert_eq!(site.contracts[0].end_on, Some(day(2036, 3, 31)));
        assert_eq!(site.ai_mw(day(2026, 3, 1)), 0.0);
        assert_eq!(site.ai_mw(day(2026, 4, 1)), 30.0);
    }

    #[test]
    fn mw_mix_adds_up_to_the_mining_capacity() {
        let mut site = example_site();
        apply(
            &mut site,
            &[milestone(
                "d",
                MilestoneKind::Decommission,
                day(2025, 7, 1),
                day(2025, 8, 1),
            )],
        );
        let mix = mw_mix(
            &[site],
            &[day(2025, 6, 1), day(2025, 9, 1), day(2026, 2, 1)],
        );
        assert_eq!(
            (mix[0].mining_mw, mix[0].converting_mw, mix[0].ai_mw),
            (100.0, 0.0, 0.0)
        );
        assert_eq!(
            (mix[1].mining_mw, mix[1].converting_mw, mix[1].ai_mw),
            (60.0, 40.0, 0.0)
        );
        assert_eq!(
            (mix[2].mining_mw, mix[2].converting_mw, mix[2].ai_mw),
            (60.0, 10.0, 30.0)
        );
    }

    #[test]
    fn edits_are_validated() {
        let ok = MilestoneEdit {
            planned_start: day(2026, 1, 1),
            planned_end: day(2026, 2, 1),
            actual_start: None,
            actual_end: None,
            mw: 10.0,
            title: "Hall".into(),
            version: 1,
        };
        assert!(ok.validate().is_ok());
        let bad_dates = MilestoneEdit {
            planned_end: day(2025, 12, 1),
            ..ok.clone()
        };
        assert!(bad_dates.validate().is_err());
        let nan = MilestoneEdit {
            mw: f64::NAN,
            ..ok.clone()
        };
        assert!(nan.validate().is_err());
        let end_without_start = MilestoneEdit {
            actual_end: Some(day(2026, 2, 1)),
            ..ok.clone()
        };
        assert!(end_without_start.validate().is_err());
        let empty = MilestoneEdit {
            title: "  ".into(),
            ..ok
        };
        assert!(empty.validate().is_err());
    }

    #[test]
    fn new_milestones_are_checked_against_the_roadmap_and_get_readable_ids() {
        let site = example_site();
        let existing = vec![milestone(
            "tx-hall-a",
            MilestoneKind::Retrofit,
            day(2026, 1, 1),
            day(2026, 2, 1),
        )];
        let new = NewMilestone {
            site_id: "tx".into(),
            kind: MilestoneKind::AiRamp,
            title: "Hall A: tenant ramp!".into(),
            planned_start: day(2026, 3, 1),
            planned_end: day(2026, 9, 1),
            mw: 30.0,
            depends_on: vec!["tx-hall-a".into()],
            contract_id: Some("c1".into()),
        };
        assert!(new.validate(Some(&site), &existing).is_ok());
        assert_eq!(new.id(&existing), "tx-hall-a-tenant-ramp");
        let taken = vec![new.clone().into_milestone("tx-hall-a-tenant-ramp".into())];
        assert_eq!(new.id(&taken), "tx-hall-a-tenant-ramp-2");
        assert!(new.validate(None, &existing).is_err());
        let bad_dep = NewMilestone {
            depends_on: vec!["nope".into()],
            ..new.clone()
        };
        assert!(bad_dep.validate(Some(&site), &existing).is_err());
        let wrong_kind = NewMilestone {
            kind: MilestoneKind::Retrofit,
            ..new.clone()
        };
        assert!(wrong_kind.validate(Some(&site), &existing).is_err());
        let other_contract = NewMilestone {
            contract_id: Some("elsewhere".into()),
            ..new
        };
        assert!(other_contract.validate(Some(&site), &existing).is_err());
    }

    #[test]
    fn month_starts_cover_both_ends() {
        let m = month_starts(day(2025, 11, 15), day(2026, 2, 1));
        assert_eq!(
            m,
            vec![
                day(2025, 11, 1),
                day(2025, 12, 1),
                day(2026, 1, 1),
                day(2026, 2, 1)
            ]
        );
    }
}
