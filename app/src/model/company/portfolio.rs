//! The company's own portfolio as one document: every site with its fleet lines, power terms,
//! lease contracts and conversion milestones. It is what `rigshift portfolio export` prints and
//! `import` applies, what `GET`/`PUT /api/v1/portfolio` exchange, and what the sites page edits.
//! Validated whole (every figure within a documented range, every reference resolved) before
//! anything is stored; `plan` says what applying it would add, change and retire.
//! Pure: the text formats (TOML, JSON) are read at the edge, which maps a [`FieldError`]'s path
//! to the line that holds it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::ai::lease::{ContractRegister, LeaseContract, LeaseTerms, Sla};
use crate::model::company::site::{FleetLine, Site};
use crate::model::fleet::catalogue;
use crate::model::power::curtailment::SitePower;
use crate::model::timeline::milestones::{Milestone, MilestoneKind};

/// The whole portfolio.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Portfolio {
    #[serde(default)]
    pub sites: Vec<SiteDoc>,
}

/// One site as the document writes it (scalars first, so TOML can write it as a table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SiteDoc {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub location: String,
    /// Grid interconnection, MW (0 < x ≤ 10,000).
    pub capacity_mw: f64,
    /// MW mining before any decommissioning milestone (0 ≤ x ≤ capacity).
    pub initial_mining_mw: f64,
    /// Flat power price, $/kWh (0 ≤ x ≤ 5), used where no interval terms apply.
    pub power_usd_per_kwh: f64,
    /// Power usage effectiveness of the AI halls (1 ≤ x ≤ 3).
    pub pue_ai: f64,
    /// Share of time the fleet hashes (0–1).
    pub mining_uptime: f64,
    /// Pool fee, % (0–20).
    pub pool_fee_pct: f64,
    /// First day the site no longer operates; its history stays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_on: Option<NaiveDate>,
    /// Operating cost beyond power, $/MW-month (0 ≤ x ≤ 1,000,000); margins are all-in with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opex_usd_per_mw_month: Option<f64>,
    /// IANA time zone (`America/Chicago`), in which a miner's zoneless local times are read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default)]
    pub fleet: Vec<FleetLine>,
    /// Interval power terms (index, hedge, curtailment policy); flat price without them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power: Option<SitePower>,
    #[serde(default)]
    pub contracts: Vec<ContractDoc>,
    #[serde(default)]
    pub milestones: Vec<MilestoneDoc>,
}

/// A lease contract, written under its site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContractDoc {
    pub id: String,
    pub tenant: String,
    pub start_on: NaiveDate,
    #[serde(default)]
    pub ramp_months: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_on: Option<NaiveDate>,
    #[serde(default)]
    pub power_pass_through: bool,
    /// Nodes or GPUs covered. Empty covers the site's GPUs only when this is the site's only
    /// lease contract (`model::ai::sla::in_scope`).
    #[serde(default)]
    pub devices: Vec<String>,
    pub terms: LeaseTerms,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<Sla>,
    /// Gross MW, extension options and credit support, as the issuer tells investors.
    #[serde(default, skip_serializing_if = "ContractRegister::is_empty")]
    pub register: ContractRegister,
}

/// A conversion milestone, written under its site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MilestoneDoc {
    pub id: String,
    pub kind: MilestoneKind,
    pub title: String,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual_start: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual_end: Option<NaiveDate>,
    pub mw: f64,
    #[serde(default)]
    pub depends_on: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<String>,
}

/// One step of a path into the document: a field name or a list index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum PathStep {
    Field(String),
    Index(usize),
}

/// A refused document: where (a path such as `sites[1].contracts[0].terms.critical_mw`) and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}: {reason}", path_text(.path))]
pub struct FieldError {
    pub path: Vec<PathStep>,
    pub reason: String,
}

/// `sites[1].contracts[0].terms`.
pub fn path_text(path: &[PathStep]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            PathStep::Field(f) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(f);
            }
            PathStep::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Builds paths as validation walks the document.
#[derive(Clone, Default)]
struct At(Vec<PathStep>);

impl At {
    fn field(&self, f: &str) -> At {
        let mut p = self.0.clone();
        p.push(PathStep::Field(f.to_string()));
        At(p)
    }
    fn index(&self, i: usize) -> At {
        let mut p = self.0.clone();
        p.push(PathStep::Index(i));
        At(p)
    }
    fn err<T>(&self, reason: impl Into<String>) -> Result<T, FieldError> {
        Err(FieldError {
            path: self.0.clone(),
            reason: reason.into(),
        })
    }
    /// A finite number within `[lo, hi]`.
    fn within(&self, f: &str, v: f64, lo: f64, hi: f64) -> Result<(), FieldError> {
        if v.is_finite() && v >= lo && v <= hi {
            Ok(())
        } else {
            self.field(f)
                .err(format!("must be between {lo} and {hi}, got {v}"))
        }
    }
    /// A finite number in `(lo, hi]`.
    fn above(&self, f: &str, v: f64, lo: f64, hi: f64) -> Result<(), FieldError> {
        if v.is_finite() && v > lo && v <= hi {
            Ok(())
        } else {
            self.field(f)
                .err(format!("must be above {lo} and at most {hi}, got {v}"))
        }
    }
}

/// The documented ranges (README "Your portfolio").
pub const MAX_SITE_MW: f64 = 10_000.0;
const MAX_POWER_USD_PER_KWH: f64 = 5.0;
const MAX_POOL_FEE_PCT: f64 = 20.0;
const MAX_FLEET_COUNT: u32 = 5_000_000;
const MAX_USD_PER_KW_MONTH: f64 = 5_000.0;
const MAX_USD_PER_GPU_HOUR: f64 = 500.0;
const MAX_GPUS: u32 = 5_000_000;
const MAX_RAMP_MONTHS: u32 = 120;
const MAX_TEXT: usize = 200;

/// An id: 1–64 of `a-z`, `0-9`, `-`, `_`, `.` (it appears in URLs, files and metrics labels).
fn check_id(at: &At, id: &str) -> Result<(), FieldError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_' || c == '.'
        });
    if ok {
        Ok(())
    } else {
        at.field("id").err(format!(
            "an id of 1 to 64 characters a-z, 0-9, '-', '_' or '.', got {id:?}"
        ))
    }
}

/// A name: 1–200 characters, no control characters.
fn check_text(at: &At, f: &str, v: &str, required: bool) -> Result<(), FieldError> {
    if required && v.trim().is_empty() {
        return at.field(f).err("must not be empty");
    }
    if v.chars().count() > MAX_TEXT || v.chars().any(char::is_control) {
        return at.field(f).err(format!(
            "at most {MAX_TEXT} characters, no control characters"
        ));
    }
    Ok(())
}

impl Portfolio {
    /// Checks the whole document; the first problem found is the answer.
    pub fn validate(&self) -> Result<(), FieldError> {
        let root = At::default().field("sites");
        let mut site_ids = BTreeSet::new();
        let mut contract_ids = BTreeSet::new();
        let mut milestone_ids = BTreeSet::new();
        for (i, site) in self.sites.iter().enumerate() {
            let at = root.index(i);
            site.validate(&at)?;
            if !site_ids.insert(site.id.as_str()) {
                return at
                    .field("id")
                    .err(format!("site {:?} is given twice", site.id));
            }
            for (j, c) in site.contracts.iter().enumerate() {
                if !contract_ids.insert(c.id.as_str()) {
                    return at
                        .field("contracts")
                        .index(j)
                        .field("id")
                        .err(format!("contract {:?} is given twice", c.id));
                }
            }
            for (j, m) in site.milestones.iter().enumerate() {
                if !milestone_ids.insert(m.id.as_str()) {
                    return at
                        .field("milestones")
                        .index(j)
                        .field("id")
                        .err(format!("milestone {:?} is given twice", m.id));
                }
            }
        }
        // Dependencies may cross sites (a ramp waits for another site's retrofit).
        for (i, site) in self.sites.iter().enumerate() {
            for (j, m) in site.milestones.iter().enumerate() {
                for (k, d) in m.depends_on.iter().enumerate() {
                    if !milestone_ids.contains(d.as_str()) || d == &m.id {
                        return root
                            .index(i)
                            .field("milestones")
                            .index(j)
                            .field("depends_on")
                            .index(k)
                            .err(format!("no other milestone {d:?} in the document"));
                    }
                }
            }
        }
        Ok(())
    }

    /// The site `id`, if present.
    pub fn site(&self, id: &str) -> Option<&SiteDoc> {
        self.sites.iter().find(|s| s.id == id)
    }

    /// The site holding contract `id`, with the contract.
    pub fn contract(&self, id: &str) -> Option<(&SiteDoc, &ContractDoc)> {
        self.sites
            .iter()
            .find_map(|s| s.contracts.iter().find(|c| c.id == id).map(|c| (s, c)))
    }
}

impl SiteDoc {
    fn validate(&self, at: &At) -> Result<(), FieldError> {
        check_id(at, &self.id)?;
        check_text(at, "name", &self.name, true)?;
        check_text(at, "location", &self.location, false)?;
        at.above("capacity_mw", self.capacity_mw, 0.0, MAX_SITE_MW)?;
        at.within(
            "initial_mining_mw",
            self.initial_mining_mw,
            0.0,
            MAX_SITE_MW,
        )?;
        if self.initial_mining_mw > self.capacity_mw {
            return at.field("initial_mining_mw").err(format!(
                "{} MW mining is beyond the site's {} MW capacity",
                self.initial_mining_mw, self.capacity_mw
            ));
        }
        at.within(
            "power_usd_per_kwh",
            self.power_usd_per_kwh,
            0.0,
            MAX_POWER_USD_PER_KWH,
        )?;
        at.within("pue_ai", self.pue_ai, 1.0, 3.0)?;
        at.within("mining_uptime", self.mining_uptime, 0.0, 1.0)?;
        at.within("pool_fee_pct", self.pool_fee_pct, 0.0, MAX_POOL_FEE_PCT)?;
        if let Some(opex) = self.opex_usd_per_mw_month {
            at.within("opex_usd_per_mw_month", opex, 0.0, 1_000_000.0)?;
        }
        if let Some(tz) = &self.timezone {
            if !is_zone_name(tz) {
                return at.field("timezone").err(format!(
                    "{tz:?} is not an IANA time zone name (e.g. America/Chicago, Europe/Oslo, UTC)"
                ));
            }
        }
        let mut models = BTreeSet::new();
        for (i, line) in self.fleet.iter().enumerate() {
            let at = at.field("fleet").index(i);
            if catalogue::asic(&line.model_id).is_none() {
                let known: Vec<&str> = catalogue::ASICS.iter().map(|m| m.id).collect();
                return at.field("model_id").err(format!(
                    "unknown ASIC model {:?} (the catalogue has {})",
                    line.model_id,
                    known.join(", ")
                ));
            }
            if !models.insert(line.model_id.as_str()) {
                return at
                    .field("model_id")
                    .err(format!("{} is given twice; add the counts", line.model_id));
            }
            if line.count > MAX_FLEET_COUNT {
                return at
                    .field("count")
                    .err(format!("at most {MAX_FLEET_COUNT} machines a line"));
            }
        }
        if let Some(power) = &self.power {
            power
                .validate()
                .or_else(|reason| at.field("power").err(reason))?;
        }
        for (i, c) in self.contracts.iter().enumerate() {
            c.validate(&at.field("contracts").index(i), self)?;
        }
        for (i, m) in self.milestones.iter().enumerate() {
            m.validate(&at.field("milestones").index(i), self)?;
        }
        Ok(())
    }
}

impl ContractDoc {
    fn validate(&self, at: &At, site: &SiteDoc) -> Result<(), FieldError> {
        check_id(at, &self.id)?;
        check_text(at, "tenant", &self.tenant, true)?;
        if self.ramp_months > MAX_RAMP_MONTHS {
            return at
                .field("ramp_months")
                .err(format!("at most {MAX_RAMP_MONTHS} months"));
        }
        // The day before the start is a cancelled contract (ended before it billed a day).
        let cancelled = self.start_on.pred_opt().unwrap_or(self.start_on);
        if self.end_on.is_some_and(|end| end < cancelled) {
            return at.field("end_on").err("is before start_on");
        }
        let terms = at.field("terms");
        match &self.terms {
            LeaseTerms::Colocation {
                critical_mw,
                usd_per_kw_month,
                escalator_pct_per_year,
            } => {
                terms.above("critical_mw", *critical_mw, 0.0, MAX_SITE_MW)?;
                terms.within(
                    "usd_per_kw_month",
                    *usd_per_kw_month,
                    0.0,
                    MAX_USD_PER_KW_MONTH,
                )?;
                terms.within(
                    "escalator_pct_per_year",
                    *escalator_pct_per_year,
                    -20.0,
                    20.0,
                )?;
            }
            LeaseTerms::GpuHours {
                gpus,
                usd_per_gpu_hour,
                utilisation,
                server_kw_per_gpu,
                gpu_model,
            } => {
                if *gpus == 0 || *gpus > MAX_GPUS {
                    return terms.field("gpus").err(format!("1 to {MAX_GPUS} GPUs"));
                }
                terms.within(
                    "usd_per_gpu_hour",
                    *usd_per_gpu_hour,
                    0.0,
                    MAX_USD_PER_GPU_HOUR,
                )?;
                terms.within("utilisation", *utilisation, 0.0, 1.0)?;
                terms.above("server_kw_per_gpu", *server_kw_per_gpu, 0.0, 10.0)?;
                if let Some(m) = gpu_model {
                    check_text(&terms, "gpu_model", m, true)?;
                }
            }
        }
        // What the contract draws at full load, facility side, must fit the site's grid.
        let it_mw = self.full_it_mw();
        if it_mw * site.pue_ai > site.capacity_mw + 1e-9 {
            return terms.err(format!(
                "{:.1} MW of IT load × PUE {} is beyond the site's {} MW",
                it_mw, site.pue_ai, site.capacity_mw
            ));
        }
        if let Some(sla) = &self.sla {
            sla.validate()
                .or_else(|reason| at.field("sla").err(reason))?;
        }
        self.validate_register(&at.field("register"), site, it_mw)?;
        let mut seen = BTreeSet::new();
        for (i, d) in self.devices.iter().enumerate() {
            let at = at.field("devices").index(i);
            if d.is_empty() || d.len() > 128 || d.chars().any(|c| c.is_control() || c == ' ') {
                return at.err("a device or node id of 1 to 128 characters, no spaces");
            }
            if !seen.insert(d.as_str()) {
                return at.err(format!("{d:?} is given twice"));
            }
        }
        Ok(())
    }

    /// Gross MW at least the critical IT load and within the site; extensions of 1 to 240
    /// months at a price within the terms' bounds; credit support a line of text.
    fn validate_register(&self, at: &At, site: &SiteDoc, it_mw: f64) -> Result<(), FieldError> {
        let r = &self.register;
        if let Some(gross) = r.gross_mw {
            at.within("gross_mw", gross, it_mw, site.capacity_mw)?;
        }
        let max_price = match self.terms {
            LeaseTerms::Colocation { .. } => MAX_USD_PER_KW_MONTH,
            LeaseTerms::GpuHours { .. } => MAX_USD_PER_GPU_HOUR,
        };
        if !r.extensions.is_empty() && self.end_on.is_none() {
            return at
                .field("extensions")
                .err("an open-ended contract has nothing to extend; give end_on");
        }
        for (i, e) in r.extensions.iter().enumerate() {
            let at = at.field("extensions").index(i);
            if e.months == 0 || e.months > 240 {
                return at.field("months").err("1 to 240 months");
            }
            if let Some(p) = e.price {
                at.within("price", p, 0.0, max_price)?;
            }
        }
        if let Some(note) = &r.credit_support {
            check_text(at, "credit_support", note, true)?;
        }
        Ok(())
    }

    /// Critical IT MW at full load.
    pub fn full_it_mw(&self) -> f64 {
        match &self.terms {
            LeaseTerms::Colocation { critical_mw, .. } => *critical_mw,
            LeaseTerms::GpuHours {
                gpus,
                server_kw_per_gpu,
                ..
            } => *gpus as f64 * server_kw_per_gpu / 1000.0,
        }
    }
}

impl MilestoneDoc {
    fn validate(&self, at: &At, site: &SiteDoc) -> Result<(), FieldError> {
        check_id(at, &self.id)?;
        check_text(at, "title", &self.title, true)?;
        if self.planned_end < self.planned_start {
            return at.field("planned_end").err("is before planned_start");
        }
        if let (Some(s), Some(e)) = (self.actual_start, self.actual_end) {
            if e < s {
                return at.field("actual_end").err("is before actual_start");
            }
        }
        at.within("mw", self.mw, 0.0, site.capacity_mw)?;
        if let Some(c) = &self.contract_id {
            if !site.contracts.iter().any(|k| &k.id == c) {
                return at
                    .field("contract_id")
                    .err(format!("no contract {c:?} at site {}", site.id));
            }
        }
        Ok(())
    }
}

// ---- between the document and the model ------------------------------------------------

impl SiteDoc {
    /// The model's site (conversion comes from the milestones: `timeline::apply`).
    pub fn to_site(&self) -> Site {
        Site {
            id: self.id.clone(),
            name: self.name.clone(),
            location: self.location.clone(),
            capacity_mw: self.capacity_mw,
            initial_mining_mw: self.initial_mining_mw,
            power_usd_per_kwh: self.power_usd_per_kwh,
            pue_ai: self.pue_ai,
            mining_uptime: self.mining_uptime,
            pool_fee_pct: self.pool_fee_pct,
            retired_on: self.retired_on,
            opex_usd_per_mw_month: self.opex_usd_per_mw_month,
            timezone: self.timezone.clone(),
            fleet: self.fleet.clone(),
            conversion: Vec::new(),
            contracts: self
                .contracts
                .iter()
                .map(|c| c.to_contract(&self.id))
                .collect(),
        }
    }

    /// The document's site from the model's, as stored (before the timeline is applied).
    pub fn from_site(site: &Site, power: Option<SitePower>, milestones: Vec<MilestoneDoc>) -> Self {
        SiteDoc {
            id: site.id.clone(),
            name: site.name.clone(),
            location: site.location.clone(),
            capacity_mw: site.capacity_mw,
            initial_mining_mw: site.initial_mining_mw,
            power_usd_per_kwh: site.power_usd_per_kwh,
            pue_ai: site.pue_ai,
            mining_uptime: site.mining_uptime,
            pool_fee_pct: site.pool_fee_pct,
            retired_on: site.retired_on,
            opex_usd_per_mw_month: site.opex_usd_per_mw_month,
            timezone: site.timezone.clone(),
            fleet: site.fleet.clone(),
            power,
            contracts: site
                .contracts
                .iter()
                .map(ContractDoc::from_contract)
                .collect(),
            milestones,
        }
    }
}

impl ContractDoc {
    pub fn to_contract(&self, site_id: &str) -> LeaseContract {
        LeaseContract {
            id: self.id.clone(),
            site_id: site_id.to_string(),
            tenant: self.tenant.clone(),
            terms: self.terms.clone(),
            start_on: self.start_on,
            ramp_months: self.ramp_months,
            end_on: self.end_on,
            power_pass_through: self.power_pass_through,
            sla: self.sla.clone(),
            devices: self.devices.clone(),
            register: self.register.clone(),
        }
    }

    pub fn from_contract(c: &LeaseContract) -> Self {
        ContractDoc {
            id: c.id.clone(),
            tenant: c.tenant.clone(),
            start_on: c.start_on,
            ramp_months: c.ramp_months,
            end_on: c.end_on,
            power_pass_through: c.power_pass_through,
            devices: c.devices.clone(),
            terms: c.terms.clone(),
            sla: c.sla.clone(),
            register: c.register.clone(),
        }
    }
}

impl MilestoneDoc {
    pub fn to_milestone(&self, site_id: &str) -> Milestone {
        Milestone {
            id: self.id.clone(),
            site_id: site_id.to_string(),
            kind: self.kind,
            title: self.title.clone(),
            planned_start: self.planned_start,
            planned_end: self.planned_end,
            actual_start: self.actual_start,
            actual_end: self.actual_end,
            mw: self.mw,
            depends_on: self.depends_on.clone(),
            contract_id: self.contract_id.clone(),
            version: 1,
        }
    }

    pub fn from_milestone(m: &Milestone) -> Self {
        MilestoneDoc {
            id: m.id.clone(),
            kind: m.kind,
            title: m.title.clone(),
            planned_start: m.planned_start,
            planned_end: m.planned_end,
            actual_start: m.actual_start,
            actual_end: m.actual_end,
            mw: m.mw,
            depends_on: m.depends_on.clone(),
            contract_id: m.contract_id.clone(),
        }
    }

    /// True when `m` says the same as this entry (its version aside).
    pub fn same_as(&self, m: &Milestone) -> bool {
        *self == MilestoneDoc::from_milestone(m)
    }
}

// ---- what applying a document does --------------------------------------------------------

/// What a change does to one thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeAction {
    Add,
    Change,
    Retire,
}

/// What is changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeTarget {
    Site,
    Contract,
    Milestone,
}

/// One line of a plan: `add contract muskogee-gpu-3 (site muskogee)`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Change {
    pub action: ChangeAction,
    pub target: ChangeTarget,
    pub id: String,
    pub site: String,
    /// The fields that differ (a change), empty otherwise.
    pub fields: Vec<String>,
}

/// Everything applying a document does, and the document as it will be stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Plan {
    pub changes: Vec<Change>,
    /// The portfolio after the change (what an export would print).
    pub result: Portfolio,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    pub fn count(&self, action: ChangeAction) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }
}

/// What applying `next` to the stored `current` does on `today`. A site the document lists
/// is taken whole: a contract it no longer lists ends (`end_on` today, unless it ended
/// already), so its history stays. With `replace`, a stored site the document does not list
/// is retired (`retired_on` today, its open contracts ended); without it, such a site is kept
/// as it is. Milestones are added or changed, never dropped (annotations hang on them).
pub fn plan(current: &Portfolio, next: &Portfolio, replace: bool, today: NaiveDate) -> Plan {
    let mut changes = Vec::new();
    let mut result = Vec::new();
    for site in &next.sites {
        let mut site = site.clone();
        match current.site(&site.id) {
            None => {
                changes.push(change(
                    ChangeAction::Add,
                    ChangeTarget::Site,
                    &site.id,
                    &site.id,
                ));
                for c in &site.contracts {
                    changes.push(change(
                        ChangeAction::Add,
                        ChangeTarget::Contract,
                        &c.id,
                        &site.id,
                    ));
                }
                for m in &site.milestones {
                    changes.push(change(
                        ChangeAction::Add,
                        ChangeTarget::Milestone,
                        &m.id,
                        &site.id,
                    ));
                }
            }
            Some(old) => {
                let fields = site_fields_changed(old, &site);
                // Setting a retirement date is retiring, whatever else changes with it.
                let action = if old.retired_on.is_none() && site.retired_on.is_some() {
                    ChangeAction::Retire
                } else {
                    ChangeAction::Change
                };
                if !fields.is_empty() {
                    changes.push(Change {
                        fields,
                        ..change(action, ChangeTarget::Site, &site.id, &site.id)
                    });
                }
                plan_contracts(old, &mut site, today, &mut changes);
                plan_milestones(old, &mut site, &mut changes);
            }
        }
        result.push(site);
    }
    for old in &current.sites {
        if next.site(&old.id).is_some() {
            continue;
        }
        let mut kept = old.clone();
        if replace && old.retired_on.is_none() {
            changes.push(change(
                ChangeAction::Retire,
                ChangeTarget::Site,
                &old.id,
                &old.id,
            ));
            retire_site(&mut kept, today);
        }
        result.push(kept);
    }
    changes.sort();
    Plan {
        changes,
        result: Portfolio { sites: result },
    }
}

/// Retires `site` from `today`: it stops operating and its open contracts end the day before.
pub fn retire_site(site: &mut SiteDoc, today: NaiveDate) {
    site.retired_on = Some(site.retired_on.map_or(today, |d| d.min(today)));
    for c in &mut site.contracts {
        end_contract(c, today);
    }
}

/// Ends `c` so that `today` is its first day without it; one that has not started yet is
/// cancelled (ends the day before its start, billing nothing).
pub fn end_contract(c: &mut ContractDoc, today: NaiveDate) {
    let last = today.pred_opt().unwrap_or(today);
    let end = c.end_on.map_or(last, |e| e.min(last));
    c.end_on = Some(end.max(c.start_on.pred_opt().unwrap_or(c.start_on)));
}

fn change(action: ChangeAction, target: ChangeTarget, id: &str, site: &str) -> Change {
    Change {
        action,
        target,
        id: id.to_string(),
        site: site.to_string(),
        fields: Vec::new(),
    }
}

/// The names of the site's own fields (not its contracts or milestones) that differ.
fn site_fields_changed(a: &SiteDoc, b: &SiteDoc) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |name: &str, same: bool| {
        if !same {
            out.push(name.to_string());
        }
    };
    check("name", a.name == b.name);
    check("location", a.location == b.location);
    check("capacity_mw", a.capacity_mw == b.capacity_mw);
    check(
        "initial_mining_mw",
        a.initial_mining_mw == b.initial_mining_mw,
    );
    check(
        "power_usd_per_kwh",
        a.power_usd_per_kwh == b.power_usd_per_kwh,
    );
    check("pue_ai", a.pue_ai == b.pue_ai);
    check("mining_uptime", a.mining_uptime == b.mining_uptime);
    check("pool_fee_pct", a.pool_fee_pct == b.pool_fee_pct);
    check("retired_on", a.retired_on == b.retired_on);
    check(
        "opex_usd_per_mw_month",
        a.opex_usd_per_mw_month == b.opex_usd_per_mw_month,
    );
    check("timezone", a.timezone == b.timezone);
    let lines = |s: &SiteDoc| -> BTreeMap<String, u32> {
        s.fleet
            .iter()
            .map(|l| (l.model_id.clone(), l.count))
            .collect()
    };
    check("fleet", lines(a) == lines(b));
    check("power", a.power == b.power);
    out
}

fn plan_contracts(old: &SiteDoc, site: &mut SiteDoc, today: NaiveDate, changes: &mut Vec<Change>) {
    for c in &site.contracts {
        match old.contracts.iter().find(|o| o.id == c.id) {
            None => changes.push(change(
                ChangeAction::Add,
                ChangeTarget::Contract,
                &c.id,
                &site.id,
            )),
            Some(o) if o != c => {
                // Moving the end before today (or before its start: cancelled) ends it,
                // whatever else changes with it.
                let open = |k: &ContractDoc| k.end_on.is_none_or(|e| e >= today && e >= k.start_on);
                let action = if open(o) && !open(c) {
                    ChangeAction::Retire
                } else {
                    ChangeAction::Change
                };
                changes.push(Change {
                    fields: contract_fields_changed(o, c),
                    ..change(action, ChangeTarget::Contract, &c.id, &site.id)
                })
            }
            Some(_) => {}
        }
    }
    // A contract the site no longer lists ends; it stays in the store with its history.
    for o in &old.contracts {
        if site.contracts.iter().any(|c| c.id == o.id) {
            continue;
        }
        let mut ended = o.clone();
        end_contract(&mut ended, today);
        if ended.end_on != o.end_on {
            changes.push(change(
                ChangeAction::Retire,
                ChangeTarget::Contract,
                &o.id,
                &site.id,
            ));
        }
        site.contracts.push(ended);
    }
}

fn contract_fields_changed(a: &ContractDoc, b: &ContractDoc) -> Vec<String> {
    let pairs = [
        ("tenant", a.tenant == b.tenant),
        ("start_on", a.start_on == b.start_on),
        ("ramp_months", a.ramp_months == b.ramp_months),
        ("end_on", a.end_on == b.end_on),
        (
            "power_pass_through",
            a.power_pass_through == b.power_pass_through,
        ),
        ("devices", a.devices == b.devices),
        ("terms", a.terms == b.terms),
        ("sla", a.sla == b.sla),
        ("register", a.register == b.register),
    ];
    pairs
        .iter()
        .filter(|(_, same)| !same)
        .map(|(n, _)| n.to_string())
        .collect()
}

fn plan_milestones(old: &SiteDoc, site: &mut SiteDoc, changes: &mut Vec<Change>) {
    for m in &site.milestones {
        match old.milestones.iter().find(|o| o.id == m.id) {
            None => changes.push(change(
                ChangeAction::Add,
                ChangeTarget::Milestone,
                &m.id,
                &site.id,
            )),
            Some(o) if o != m => changes.push(change(
                ChangeAction::Change,
                ChangeTarget::Milestone,
                &m.id,
                &site.id,
            )),
            Some(_) => {}
        }
    }
    for o in &old.milestones {
        if !site.milestones.iter().any(|m| m.id == o.id) {
            site.milestones.push(o.clone());
        }
    }
}

/// The shape of an IANA zone name (`UTC`, `America/Chicago`, `America/Argentina/Salta`,
/// `Etc/GMT+6`): whether the zone exists is the server's check (it holds the zone database).
pub fn is_zone_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && !s.starts_with('/')
        && !s.ends_with('/')
        && !s.contains("//")
        && !s.contains("..")
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'+'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ai::lease::CreditStep;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    pub(crate) fn two_sites() -> Portfolio {
        Portfolio {
            sites: vec![
                SiteDoc {
                    opex_usd_per_mw_month: None,
                    timezone: None,
                    id: "north".into(),
                    name: "North Hall".into(),
                    location: "Texas".into(),
                    capacity_mw: 100.0,
                    initial_mining_mw: 80.0,
                    power_usd_per_kwh: 0.04,
                    pue_ai: 1.25,
                    mining_uptime: 0.95,
                    pool_fee_pct: 1.0,
                    retired_on: None,
                    fleet: vec![FleetLine {
                        model_id: "S21".into(),
                        count: 20_000,
                    }],
                    power: None,
                    contracts: vec![ContractDoc {
                        register: Default::default(),
                        id: "north-colo".into(),
                        tenant: "Hyperscaler".into(),
                        start_on: day(2026, 1, 1),
                        ramp_months: 6,
                        end_on: Some(day(2035, 12, 31)),
                        power_pass_through: true,
                        devices: vec![],
                        terms: LeaseTerms::Colocation {
                            critical_mw: 16.0,
                            usd_per_kw_month: 130.0,
                            escalator_pct_per_year: 3.0,
                        },
                        sla: None,
                    }],
                    milestones: vec![],
                },
                SiteDoc {
                    opex_usd_per_mw_month: None,
                    timezone: None,
                    id: "south".into(),
                    name: "South GPU".into(),
                    location: "Oklahoma".into(),
                    capacity_mw: 50.0,
                    initial_mining_mw: 0.0,
                    power_usd_per_kwh: 0.05,
                    pue_ai: 1.3,
                    mining_uptime: 1.0,
                    pool_fee_pct: 0.0,
                    retired_on: None,
                    fleet: vec![],
                    power: None,
                    contracts: vec![
                        gpu("south-a", "Lab A", "node-a"),
                        gpu("south-b", "Lab B", "node-b"),
                    ],
                    milestones: vec![],
                },
            ],
        }
    }

    fn gpu(id: &str, tenant: &str, node: &str) -> ContractDoc {
        ContractDoc {
            register: Default::default(),
            id: id.into(),
            tenant: tenant.into(),
            start_on: day(2026, 6, 1),
            ramp_months: 0,
            end_on: None,
            power_pass_through: false,
            devices: vec![node.into()],
            terms: LeaseTerms::GpuHours {
                gpus: 8,
                usd_per_gpu_hour: 2.5,
                utilisation: 0.9,
                server_kw_per_gpu: 1.275,
                gpu_model: Some("H100 SXM".into()),
            },
            sla: Some(Sla {
                availability_pct: 99.9,
                credits: vec![CreditStep {
                    below_pct: 99.9,
                    credit_pct: 10.0,
                }],
            }),
        }
    }

    fn refused(p: &Portfolio) -> String {
        p.validate().unwrap_err().to_string()
    }

    #[test]
    fn a_sound_document_passes_and_each_kind_of_fault_names_its_field() {
        let ok = two_sites();
        ok.validate().unwrap();

        let mut p = ok.clone();
        p.sites[0].fleet[0].model_id = "S99".into();
        assert!(refused(&p).starts_with("sites[0].fleet[0].model_id: unknown ASIC model \"S99\""));

        let mut p = ok.clone();
        p.sites[1].capacity_mw = -5.0;
        assert!(
            refused(&p).starts_with("sites[1].capacity_mw: must be above 0"),
            "{}",
            refused(&p)
        );

        let mut p = ok.clone();
        p.sites[0].contracts[0].terms = LeaseTerms::Colocation {
            critical_mw: 90.0,
            usd_per_kw_month: 130.0,
            escalator_pct_per_year: 3.0,
        };
        // 90 MW × 1.25 = 112.5 MW at a 100 MW site.
        assert!(
            refused(&p).starts_with("sites[0].contracts[0].terms: 90.0 MW of IT load"),
            "{}",
            refused(&p)
        );

        let mut p = ok.clone();
        p.sites[1].id = "north".into();
        assert_eq!(refused(&p), "sites[1].id: site \"north\" is given twice");

        let mut p = ok.clone();
        p.sites[1].contracts[1].id = "north-colo".into();
        assert_eq!(
            refused(&p),
            "sites[1].contracts[1].id: contract \"north-colo\" is given twice"
        );

        let mut p = ok.clone();
        p.sites[0].power_usd_per_kwh = 1e307;
        assert!(refused(&p).starts_with("sites[0].power_usd_per_kwh: must be between 0 and 5"));

        let mut p = ok.clone();
        p.sites[0].initial_mining_mw = 120.0;
        assert!(refused(&p).starts_with("sites[0].initial_mining_mw: 120 MW mining is beyond"));

        let mut p = ok.clone();
        p.sites[0].contracts[0].end_on = Some(day(2025, 1, 1));
        assert_eq!(
            refused(&p),
            "sites[0].contracts[0].end_on: is before start_on"
        );

        let mut p = ok.clone();
        p.sites[0].name = "bad\u{7}name".into();
        assert!(refused(&p).starts_with("sites[0].name: at most 200 characters"));

        let mut p = ok;
        p.sites[0].id = "Has Spaces".into();
        assert!(refused(&p).starts_with("sites[0].id: an id of 1 to 64"));
    }

    #[test]
    fn unknown_fields_are_refused_by_the_reader() {
        let mut v = serde_json::to_value(two_sites()).unwrap();
        v["sites"][0]["capacity"] = 5.into();
        let e = serde_json::from_value::<Portfolio>(v)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field `capacity`"), "{e}");
        let mut v = serde_json::to_value(two_sites()).unwrap();
        v["sites"][0]["contracts"][0]["terms"]["price"] = 5.into();
        let e = serde_json::from_value::<Portfolio>(v)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field `price`"), "{e}");
    }

    #[test]
    fn milestones_refer_to_what_exists() {
        let mut p = two_sites();
        p.sites[0].milestones.push(MilestoneDoc {
            id: "north-ramp".into(),
            kind: MilestoneKind::AiRamp,
            title: "Ramp".into(),
            planned_start: day(2026, 1, 1),
            planned_end: day(2026, 6, 1),
            actual_start: None,
            actual_end: None,
            mw: 16.0,
            depends_on: vec!["nowhere".into()],
            contract_id: Some("north-colo".into()),
        });
        assert_eq!(
            refused(&p),
            "sites[0].milestones[0].depends_on[0]: no other milestone \"nowhere\" in the document"
        );
        p.sites[0].milestones[0].depends_on.clear();
        p.sites[0].milestones[0].contract_id = Some("south-a".into());
        assert_eq!(
            refused(&p),
            "sites[0].milestones[0].contract_id: no contract \"south-a\" at site north"
        );
    }

    #[test]
    fn a_plan_names_what_is_added_changed_and_retired() {
        let today = day(2026, 12, 7);
        let current = two_sites();
        assert!(
            plan(&current, &current, true, today).is_empty(),
            "the same document changes nothing"
        );

        let mut next = two_sites();
        next.sites.remove(1); // south is not listed
        next.sites[0].capacity_mw = 120.0;
        let extra = ContractDoc {
            id: "north-colo-2".into(),
            ..next.sites[0].contracts[0].clone()
        };
        next.sites[0].contracts.push(extra);
        let kept = plan(&current, &next, false, today);
        assert_eq!(kept.count(ChangeAction::Add), 1);
        assert_eq!(kept.count(ChangeAction::Change), 1);
        assert_eq!(
            kept.count(ChangeAction::Retire),
            0,
            "without replace, south is kept"
        );
        assert_eq!(kept.changes[1].fields, ["capacity_mw"]);
        assert_eq!(kept.result.sites.len(), 2);

        let replaced = plan(&current, &next, true, today);
        assert_eq!(replaced.count(ChangeAction::Retire), 1);
        let south = replaced.result.site("south").unwrap();
        assert_eq!(south.retired_on, Some(today));
        assert!(
            south
                .contracts
                .iter()
                .all(|c| c.end_on == Some(day(2026, 12, 6))),
            "open contracts end the day before"
        );

        // A contract dropped from a listed site ends, and stays.
        let mut fewer = two_sites();
        fewer.sites[1].contracts.remove(0);
        let p = plan(&current, &fewer, false, today);
        assert_eq!(p.changes.len(), 1);
        assert_eq!(p.changes[0].action, ChangeAction::Retire);
        assert_eq!(p.changes[0].id, "south-a");
        let ended = p.result.contract("south-a").unwrap().1;
        assert_eq!(ended.end_on, Some(day(2026, 12, 6)));
        // Applying the result again changes nothing.
        assert!(plan(&p.result, &p.result, true, today).is_empty());
    }

    #[test]
    fn document_and_model_convert_both_ways() {
        let p = two_sites();
        for s in &p.sites {
            let site = s.to_site();
            let back = SiteDoc::from_site(&site, s.power.clone(), s.milestones.clone());
            assert_eq!(&back, s);
        }
        assert!((p.sites[1].contracts[0].full_it_mw() - 8.0 * 1.275 / 1000.0).abs() < 1e-12);
    }
}
