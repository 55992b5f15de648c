//! (ssr only) The capabilities server functions need, implemented by the server crate.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::auth::{Principal, Role};
use super::error::ApiError;
use super::types::{
    AuditEntry, CreatedEmbed, CreatedToken, EmbedGrant, EmbedRow, NewDevice, PasswordChange,
    SessionRow, Sha256Measurement, TokenRow, UserPatch, UserRow,
};
use crate::model::company::site::Site;
use crate::model::investor::embed::EmbedSpec;
use crate::model::mining::market::MarketDay;
use crate::model::timeline::annotation::{Annotation, AnnotationTarget, AnnotationVersion};
use crate::model::timeline::milestones::{Milestone, MilestoneEdit};

/// Sites with their fleets, conversion steps and contracts: the company's portfolio.
#[async_trait]
pub trait SiteStore: Send + Sync {
    /// Whether the database answers a query now (within a couple of seconds): what a load
    /// balancer's readiness check asks.
    async fn ping(&self) -> Result<(), ApiError>;
    /// Every closed month's versions, newest month first.
    async fn closed_months(&self) -> Result<Vec<super::types::ClosedMonthRow>, ApiError>;
    /// A closed month (`YYYY-MM`): its newest version, or `version`.
    async fn closed_month(
        &self,
        month: &str,
        version: Option<i64>,
    ) -> Result<Option<super::types::ClosedMonth>, ApiError>;
    /// Stores the next version of a month in one transaction with its audit entry
    /// (`report.close` for version 1, `report.restate` after), provided the newest stored
    /// version is still `after` (0: none); the version written.
    async fn save_closed_month(
        &self,
        figures: &crate::model::investor::monthly_close::MonthFigures,
        changes: &[crate::model::investor::monthly_close::ChangedLine],
        reason: &str,
        actor: &str,
        after: i64,
    ) -> Result<i64, ApiError>;
    /// Power credits recorded for `month` (`YYYY-MM`), or every month's, oldest first.
    async fn power_credits(
        &self,
        month: Option<&str>,
    ) -> Result<Vec<crate::model::power::credit::PowerCredit>, ApiError>;
    /// Records a credit, audited (`power_credit.add`); `NotFound` for an unknown site.
    async fn add_power_credit(
        &self,
        credit: &crate::model::power::credit::PowerCredit,
    ) -> Result<(), ApiError>;
    /// Removes a credit recorded in error, audited (`power_credit.remove`); false if none.
    async fn remove_power_credit(&self, id: &str, actor: &str) -> Result<bool, ApiError>;
    /// Every site (retired ones too: their history reads back), the timeline applied.
    async fn list_sites(&self) -> Result<Vec<Site>, ApiError>;
    /// The portfolio as stored (before the timeline moves dates), with each site's and
    /// contract's version.
    async fn portfolio(&self) -> Result<super::types::StoredPortfolio, ApiError>;
    /// Applies `next` (validated by the caller) in one transaction on `today`: the plan's
    /// changes, audited as `actor`. With `expect`, the named site or contract must still be at
    /// that version (else `Conflict`). With `dry_run`, only the plan.
    async fn apply_portfolio(
        &self,
        next: &crate::model::company::portfolio::Portfolio,
        options: super::types::ApplyOptions,
        actor: &str,
        today: NaiveDate,
    ) -> Result<crate::model::company::portfolio::Plan, ApiError>;
    /// Reported months overlapping `[from, to]`.
    async fn reported_months(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<crate::model::investor::reported::ReportedMonth>, ApiError>;
    /// Stores reported months (a month given again replaces the stored one); audited.
    async fn import_reported(
        &self,
        months: &[crate::model::investor::reported::ReportedMonth],
        source: &str,
        actor: &str,
    ) -> Result<usize, ApiError>;
}

/// Daily market figures.
#[async_trait]
pub trait MarketHistory: Send + Sync {
    /// Days in `[from, to]`, date-ordered.
    async fn days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<MarketDay>, ApiError>;
    /// Last day of real (bundled or live) figures, if any.
    async fn last_real_day(&self) -> Result<Option<NaiveDate>, ApiError>;
    /// The newest live day and when it was fetched.
    async fn newest_live(&self) -> Result<Option<(NaiveDate, DateTime<Utc>)>, ApiError>;
    /// The newest hashprice forward curve stored, if any.
    async fn forward_curve(
        &self,
    ) -> Result<Option<crate::model::mining::forwards::ForwardCurve>, ApiError>;
    /// Each GPU model's newest rental-index quote on or before `on`.
    async fn gpu_quotes(
        &self,
        on: NaiveDate,
    ) -> Result<Vec<crate::model::mining::forwards::GpuIndexQuote>, ApiError>;
}

/// What pools paid, per site and day.
#[async_trait]
pub trait PoolRewards: Send + Sync {
    /// Rows in `[from, to]`, date- then site-ordered; `site` filters by site id.
    async fn rewards(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        site: Option<&str>,
    ) -> Result<Vec<crate::model::mining::pool::PoolDay>, ApiError>;
}

/// Power markets: settlement point prices, each site's power terms, coincident peaks.
#[async_trait]
pub trait PowerMarket: Send + Sync {
    /// A point's prices with intervals starting in `[from, to)`, time-ordered: a load zone's
    /// energy-weighted price (`LZEW`) when `energy_weighted`, else the point's own.
    async fn prices(
        &self,
        point: &str,
        energy_weighted: bool,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<crate::model::power::contract::IntervalPrice>, ApiError>;
    /// Every site's power terms, by site id.
    async fn site_terms(
        &self,
    ) -> Result<Vec<(String, crate::model::power::curtailment::SitePower)>, ApiError>;
    /// The coincident-peak intervals in `[from, to)`.
    async fn peaks(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, ApiError>;
    /// Where a point's newest prices came from, when, and how many intervals are stored.
    async fn price_source(
        &self,
        point: &str,
        energy_weighted: bool,
    ) -> Result<Option<(String, DateTime<Utc>, i64)>, ApiError>;
    /// What a site's ASICs drew per completed hour in `[from, to)`, MW (telemetry).
    async fn drawn_mw(
        &self,
        site: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, f64)>, ApiError>;
    /// Sets (`None`: removes) a site's terms; false when the site is unknown.
    async fn set_terms(
        &self,
        site_id: &str,
        terms: Option<&crate::model::power::curtailment::SitePower>,
        actor: &str,
    ) -> Result<bool, ApiError>;
}

/// Measures SHA-256d throughput on the server's CPU.
#[async_trait]
pub trait Sha256Bench: Send + Sync {
    /// Hashes for `millis` ms on every core (one measurement at a time; callers queue).
    async fn measure(&self, millis: u32) -> Result<Sha256Measurement, ApiError>;
}

/// Live fleet state and the device registry.
#[async_trait]
pub trait FleetService: Send + Sync {
    /// Every device's latest state (a copy of the whole fleet: for exports and scrapes, not
    /// for pages).
    async fn devices(&self) -> Vec<crate::model::fleet::devices::Device>;
    /// One device's latest state.
    async fn device(&self, id: &str) -> Option<crate::model::fleet::devices::Device>;
    /// A page of the device table, computed where the devices are (nothing copied but the page).
    async fn page(
        &self,
        query: &crate::model::fleet::devices::DeviceQuery,
    ) -> crate::model::fleet::devices::DevicePage;
    /// The status map of the current state, computed once per change and shared.
    async fn status_grid(&self) -> Arc<crate::model::fleet::devices::StatusGrid>;
    async fn summary(&self) -> crate::model::fleet::devices::FleetSummary;
    /// The summary as the live stream sends it (JSON), with a number that changes whenever it
    /// may have: computed once per change and shared by every stream.
    async fn summary_json(&self) -> (u64, Arc<str>);
    /// Asks every host of `range` on `port` whether it is a miner (`registered`: addresses
    /// already in the registry).
    async fn scan(
        &self,
        range: crate::model::fleet::discovery::Cidr,
        port: u16,
        registered: &std::collections::HashSet<String>,
    ) -> crate::model::fleet::discovery::ScanReport;
    /// Registers a device; it is polled from the next cycle on. Returns its id.
    async fn add_device(&self, device: NewDevice) -> Result<String, ApiError>;
    /// Stops polling a device; its history stays.
    async fn remove_device(&self, id: &str) -> Result<(), ApiError>;
    /// A device's samples over the last `hours`, averaged into at most a few hundred buckets.
    async fn history(
        &self,
        id: &str,
        hours: u32,
    ) -> Result<Vec<crate::model::fleet::devices::SamplePoint>, ApiError>;
    /// What polled devices delivered per site and day in `[from, to]` (hourly rollups and the
    /// current hour), grouped by kind and model.
    async fn site_days(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<crate::model::mining::measured::TelemetryGroup>, ApiError>;
    /// What telemetry measured of `contract`'s GPUs per month in `[from, to]` (months with
    /// samples only).
    async fn sla_measures(
        &self,
        contract: &crate::model::ai::lease::LeaseContract,
        leases_at_site: usize,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<std::collections::BTreeMap<NaiveDate, crate::model::ai::sla::MonthMeasure>, ApiError>;
}

/// The conversion timeline and operators' annotations. Writes take the actor for the audit log
/// and the version the caller saw; a stale version is refused with `ApiError::Conflict`.
#[async_trait]
pub trait TimelineStore: Send + Sync {
    async fn milestones(&self) -> Result<Vec<Milestone>, ApiError>;
    /// Adds a validated milestone (its id chosen by the caller).
    async fn create_milestone(&self, milestone: &Milestone, actor: &str) -> Result<(), ApiError>;
    async fn update_milestone(
        &self,
        id: &str,
        edit: &MilestoneEdit,
        actor: &str,
    ) -> Result<Milestone, ApiError>;
    async fn annotations(&self) -> Result<Vec<Annotation>, ApiError>;
    async fn create_annotation(
        &self,
        target: AnnotationTarget,
        site_id: Option<String>,
        on_date: NaiveDate,
        text: &str,
        actor: &str,
    ) -> Result<Annotation, ApiError>;
    async fn edit_annotation(
        &self,
        id: i64,
        text: &str,
        base_version: i64,
        actor: &str,
    ) -> Result<Annotation, ApiError>;
    async fn annotation_history(&self, id: i64) -> Result<Vec<AnnotationVersion>, ApiError>;
}

/// Users, API tokens and the audit log (hashing happens behind this port, in the server).
#[async_trait]
pub trait Accounts: Send + Sync {
    async fn users(&self) -> Result<Vec<UserRow>, ApiError>;
    async fn add_user(
        &self,
        name: &str,
        role: Role,
        tenant: Option<&str>,
        password: &str,
        actor: &str,
    ) -> Result<(), ApiError>;
    async fn tokens(&self) -> Result<Vec<TokenRow>, ApiError>;
    async fn create_token(
        &self,
        name: &str,
        role: Role,
        actor: &str,
    ) -> Result<CreatedToken, ApiError>;
    async fn revoke_token(&self, id: i64, actor: &str) -> Result<(), ApiError>;
    /// `me` changes their own password (the current one is checked); their other sessions end.
    async fn change_password(
        &self,
        me: &Principal,
        change: &PasswordChange,
    ) -> Result<(), ApiError>;
    /// An admin disables/enables a user or resets their password; either ends the user's
    /// sessions and the tokens they created at once.
    async fn update_user(
        &self,
        me: &Principal,
        name: &str,
        patch: &UserPatch,
    ) -> Result<UserRow, ApiError>;
    /// Live sessions: `me`'s own, or everyone's for an admin; `current` marks `me`'s.
    async fn sessions(&self, me: &Principal) -> Result<Vec<SessionRow>, ApiError>;
    /// Ends a session: one's own, or anyone's for an admin (404 otherwise).
    async fn revoke_session(&self, me: &Principal, id: i64) -> Result<(), ApiError>;
    async fn audit(&self, limit: u32) -> Result<Vec<AuditEntry>, ApiError>;
    /// Appends to the audit log a change made through another port (device registry).
    async fn record(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<(), ApiError>;
}

/// Embed tokens: created and revoked by admins, resolved (read-only) by the embed views.
#[async_trait]
pub trait Embeds: Send + Sync {
    async fn list(&self) -> Result<Vec<EmbedRow>, ApiError>;
    async fn create(&self, spec: &EmbedSpec, actor: &str) -> Result<CreatedEmbed, ApiError>;
    async fn revoke(&self, id: i64, actor: &str) -> Result<(), ApiError>;
    /// The grant of a valid, unrevoked token; `None` otherwise.
    async fn resolve(&self, token: &str) -> Result<Option<EmbedGrant>, ApiError>;
}

/// The current date; behind a port so tests can pin it.
pub trait Clock: Send + Sync {
    fn today(&self) -> NaiveDate;
    /// Wall-clock time: how old a fetched figure is does not depend on a pinned date.
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Where CPU-heavy computations (the risk Monte Carlo) run: off the async runtime, on a bounded
/// pool whose queue, once full, refuses with [`ApiError::Busy`].
#[async_trait]
pub trait HeavyWork: Send + Sync {
    async fn run(&self, job: Box<dyn FnOnce() + Send>) -> Result<(), ApiError>;
}

/// Runs `f` on `workers` and returns what it computed.
pub async fn compute<T: Send + 'static>(
    workers: &dyn HeavyWork,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let slot = Arc::new(std::sync::Mutex::new(None));
    let out = slot.clone();
    workers
        .run(Box::new(move || {
            let value = f();
            *out.lock().unwrap_or_else(|e| e.into_inner()) = Some(value);
        }))
        .await?;
    let value = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
    value.ok_or_else(|| ApiError::Internal {
        id: "heavy-work-lost".into(),
    })
}

/// Everything the server provides to server functions, through Leptos context.
#[derive(Clone)]
pub struct Services {
    pub sites: Arc<dyn SiteStore>,
    pub market: Arc<dyn MarketHistory>,
    pub clock: Arc<dyn Clock>,
    pub sha256: Arc<dyn Sha256Bench>,
    pub fleet: Arc<dyn FleetService>,
    pub timeline: Arc<dyn TimelineStore>,
    pub accounts: Arc<dyn Accounts>,
    pub embeds: Arc<dyn Embeds>,
    pub pools: Arc<dyn PoolRewards>,
    pub power: Arc<dyn PowerMarket>,
    /// The bounded pool heavy computations run on.
    pub workers: Arc<dyn HeavyWork>,
    /// True while the built-in simulator feeds the fleet.
    pub fleet_simulated: bool,
    /// The live market source (its host), when one is configured.
    pub market_feed: Option<String>,
    /// The overview shared between requests; writes that change it invalidate it.
    pub overview_cache: Arc<super::overview_cache::OverviewCache>,
    /// How far below its index (%) a GPU-hour lease up for renewal may be priced before it
    /// alerts.
    pub below_market_alert_pct: f64,
}

/// The `Services` of this request.
pub fn services() -> Result<Services, ApiError> {
    leptos::prelude::use_context::<Services>().ok_or_else(|| ApiError::Internal {
        id: "no-services-context".into(),
    })
}
