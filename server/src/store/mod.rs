//! The store: SQLite (the embedded default: a file created on first start, WAL) or PostgreSQL
//! (several replicas on one database), chosen by the URL; migrations applied on connect.
//! One file of queries per aggregate, compiled once per engine (`sqlite.rs`, `postgres.rs`);
//! `Store` hands each call to the engine in use. `StoreError` is the only error that leaves
//! this module.

/// The samples of a rollup hour in which the device was unavailable to a tenant: offline, or
/// held by a reason `ReasonCode::unavailable` names (checked against it in the tests below).
macro_rules! unavailable_sum {
    () => {
        "SUM(CASE WHEN status = 'offline' OR reason IN ('fatal_xid', 'row_remap_failure') THEN 1 ELSE 0 END)"
    };
}

#[cfg(test)]
mod conformance;
mod error;
// The query modules are loaded once per engine on purpose (see sqlite.rs).
#[allow(clippy::duplicate_mod)]
mod postgres;
mod rows;
mod sample_buffer;
mod seed;
#[allow(clippy::duplicate_mod)]
mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};

use app::api::admin::{AuditEntry, SessionRow, TokenRow, UserRow};
use app::api::auth::Role;
use app::api::embeds::{EmbedGrant, EmbedRow};
use app::api::error::ApiError;
use app::api::ports::{MarketHistory, PoolRewards, PowerMarket, SiteStore, TimelineStore};
use app::model::company::site::Site;
use app::model::fleet::devices::{Device, SamplePoint};
use app::model::investor::embed::EmbedSpec;
use app::model::mining::forwards::{ForwardCurve, ForwardRow, GpuIndexQuote};
use app::model::mining::market::MarketDay;
use app::model::mining::measured::TelemetryGroup;
use app::model::mining::pool::PoolDay;
use app::model::power::contract::IntervalPrice;
use app::model::power::curtailment::SitePower;
use app::model::timeline::annotation::{Annotation, AnnotationTarget, AnnotationVersion};
use app::model::timeline::milestones::{Milestone, MilestoneEdit};

pub use error::StoreError;
pub use rows::{
    measures, DeviceSpec, GpuMonth, NewAnnotationRow, PriceCoverage, Retention, SessionUser,
    StoredUser,
};
use sample_buffer::SampleBuffer;
pub use sample_buffer::SampleRow;
pub use seed::{example_sites, seed_if_empty};

/// Which engine a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineKind {
    Sqlite,
    Postgres,
}

impl EngineKind {
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }
}

/// The store, on whichever engine the URL chose.
#[derive(Clone, Debug)]
pub struct Store {
    engine: Engines,
    /// Raw samples waiting to be written (shared by every clone of the store).
    samples: Arc<SampleBuffer>,
}

#[derive(Clone, Debug)]
enum Engines {
    Sqlite(sqlite::Engine),
    Postgres(postgres::Engine),
}

/// Runs `$body` with `$e` bound to the engine in use.
macro_rules! on_engine {
    ($self:expr, $e:ident => $body:expr) => {
        match &$self.engine {
            Engines::Sqlite($e) => $body,
            Engines::Postgres($e) => $body,
        }
    };
}

impl Store {
    /// Opens the database at `url` (`sqlite://FILE`, created if missing, or
    /// `postgres://…`) and applies migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        match EngineKind::of_url(url) {
            Some(EngineKind::Sqlite) => Ok(Self::on(Engines::Sqlite(
                sqlite::Engine::connect(url).await?,
            ))),
            Some(EngineKind::Postgres) => Ok(Self::on(Engines::Postgres(
                postgres::Engine::connect(url).await?,
            ))),
            None => Err(StoreError::UnsupportedUrl(url.to_string())),
        }
    }

    fn on(engine: Engines) -> Self {
        Self {
            engine,
            samples: Arc::default(),
        }
    }

    /// How long the poller's samples may wait in memory before they are written (zero, the
    /// default: with their tick). See `sample_buffer`.
    pub fn set_sample_hold(&self, hold: std::time::Duration) {
        self.samples.set_hold(hold);
    }

    /// Raw samples waiting to be written.
    pub fn pending_samples(&self) -> usize {
        self.samples.len()
    }

    /// Whether device states are published to the database for other replicas (PostgreSQL):
    /// only then does `write_tick` need the devices themselves, not just their samples.
    pub fn publishes_states(&self) -> bool {
        match &self.engine {
            Engines::Sqlite(_) => sqlite::Engine::PUBLISHES_STATES,
            Engines::Postgres(_) => postgres::Engine::PUBLISHES_STATES,
        }
    }

    /// One poller tick: the identities learned and (`publishes_states`) the device states
    /// now, the samples into the buffer (written when it is due).
    pub async fn write_tick(
        &self,
        at: DateTime<Utc>,
        devices: &[Device],
        samples: Vec<SampleRow>,
        identities: &[(&str, Option<&str>, Option<&str>, Option<&str>)],
    ) -> Result<(), StoreError> {
        on_engine!(self, e => e.write_tick_state(at, devices, identities).await)?;
        if self.samples.push(samples) {
            // In the background: at 100,000 devices a flush is ~100,000 rows (~0.6 s), which
            // the tick that happens to trigger it should not wait for.
            let store = self.clone();
            tokio::spawn(async move {
                if let Err(e) = store.flush_samples().await {
                    tracing::warn!(error = %e, "could not write samples; kept for the next flush");
                }
            });
        }
        Ok(())
    }

    /// Raw samples waiting to be written, and those dropped because the store could not take
    /// them (a full disk, a database that does not answer).
    pub fn sample_backlog(&self) -> (usize, u64) {
        (self.samples.len(), self.samples.dropped())
    }

    /// Writes samples now (with whatever is pending).
    pub async fn insert_samples(
        &self,
        at: DateTime<Utc>,
        devices: &[Device],
    ) -> Result<(), StoreError> {
        self.samples
            .push(devices.iter().map(|d| SampleRow::of(d, at)).collect());
        self.flush_samples().await
    }

    /// Writes every pending sample; on failure they stay pending for the next flush.
    pub async fn flush_samples(&self) -> Result<(), StoreError> {
        let _one_at_a_time = self.samples.flushing.lock().await;
        let rows = self.samples.take();
        if rows.is_empty() {
            return Ok(());
        }
        let written = on_engine!(self, e => e.insert_sample_rows(&rows).await);
        if written.is_err() {
            self.samples.put_back(rows);
        }
        written
    }

    /// A device's history (pending samples written first, so it ends at the latest poll).
    pub async fn device_history(
        &self,
        id: &str,
        now: DateTime<Utc>,
        hours: u32,
    ) -> Result<Vec<SamplePoint>, StoreError> {
        self.flush_samples().await?;
        on_engine!(self, e => e.device_history(id, now, hours).await)
    }

    /// Each GPU of `site` per month of `[from, to]`: unavailable minutes and observed hours
    /// (pending samples written first).
    pub async fn gpu_months(
        &self,
        site: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<GpuMonth>, StoreError> {
        self.flush_samples().await?;
        on_engine!(self, e => e.gpu_months(site, from, to).await)
    }

    /// What devices delivered per site and day (pending samples written first).
    pub async fn site_days(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Vec<TelemetryGroup>, StoreError> {
        self.flush_samples().await?;
        on_engine!(self, e => e.site_days(from, to, now).await)
    }

    /// Hourly rollups and raw-sample retention (pending samples written first).
    pub async fn roll_up_samples(
        &self,
        now: DateTime<Utc>,
        keep_raw: Duration,
    ) -> Result<Retention, StoreError> {
        self.flush_samples().await?;
        on_engine!(self, e => e.roll_up_samples(now, keep_raw).await)
    }

    pub fn kind(&self) -> EngineKind {
        match self.engine {
            Engines::Sqlite(_) => EngineKind::Sqlite,
            Engines::Postgres(_) => EngineKind::Postgres,
        }
    }

    /// The SQLite pool, for the file-level tools (backup, restore) that only SQLite has.
    pub fn sqlite_pool(&self) -> Option<&sqlx::SqlitePool> {
        match &self.engine {
            Engines::Sqlite(e) => Some(e.pool()),
            Engines::Postgres(_) => None,
        }
    }

    /// The PostgreSQL pool, for the replica coordination that only PostgreSQL has.
    pub fn postgres_pool(&self) -> Option<&sqlx::PgPool> {
        match &self.engine {
            Engines::Sqlite(_) => None,
            Engines::Postgres(e) => Some(e.pool()),
        }
    }

    pub fn registry_generation(&self) -> u64 {
        on_engine!(self, e => e.registry_generation())
    }

    /// Another process changed the device registry (the replica coordinator saw it).
    pub fn note_registry_changed(&self) {
        on_engine!(self, e => e.registry_changed())
    }

    /// Makes sure samples of these days can be written (PostgreSQL's day partitions).
    pub async fn prepare_sample_days(&self, days: &[NaiveDate]) -> Result<(), StoreError> {
        on_engine!(self, e => e.ensure_sample_partitions(days).await)
    }

    /// Names the replica in the device states it publishes (PostgreSQL).
    pub fn set_replica_name(&self, name: &str) {
        if let Engines::Postgres(e) = &self.engine {
            e.set_replica_name(name);
        }
    }
}

/// `Store` methods that hand the call to the engine's method of the same name.
macro_rules! delegate {
    ($( $(#[$m:meta])* fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty; )*) => {
        impl Store {
            $(
                $(#[$m])*
                pub async fn $name(&self $(, $arg: $ty)*) -> $ret {
                    on_engine!(self, e => e.$name($($arg),*).await)
                }
            )*
        }
    };
}

delegate! {
    fn user_count(&self) -> Result<i64, StoreError>;
    fn add_user(&self, name: &str, role: Role, tenant: Option<&str>, password_hash: &str, actor: &str) -> Result<bool, StoreError>;
    fn user_by_name(&self, name: &str) -> Result<Option<StoredUser>, StoreError>;
    fn users(&self) -> Result<Vec<UserRow>, StoreError>;
    fn create_session(&self, secret_hash: &str, user_id: i64, expires_at: DateTime<Utc>, address: &str, user_agent: &str) -> Result<i64, StoreError>;
    fn session_user(&self, secret_hash: &str, idle: Duration, address: &str) -> Result<Option<SessionUser>, StoreError>;
    fn delete_session(&self, secret_hash: &str) -> Result<(), StoreError>;
    fn set_user_language(&self, name: &str, language: Option<app::i18n::Lang>) -> Result<bool, StoreError>;
    fn sessions(&self, user: Option<&str>, idle: Duration) -> Result<Vec<SessionRow>, StoreError>;
    fn revoke_session(&self, id: i64, owner: Option<&str>, actor: &str) -> Result<bool, StoreError>;
    fn password_hash(&self, name: &str) -> Result<Option<String>, StoreError>;
    fn set_password(&self, name: &str, hash: &str, keep: Option<i64>, end_tokens: bool, actor: &str, action: &str) -> Result<bool, StoreError>;
    fn set_disabled(&self, name: &str, disabled: bool, actor: &str) -> Result<Option<UserRow>, StoreError>;
    fn user_row(&self, name: &str) -> Result<Option<UserRow>, StoreError>;
    fn create_token(&self, name: &str, role: Role, secret_hash: &str, actor: &str) -> Result<i64, StoreError>;
    fn revoke_token(&self, id: i64, actor: &str) -> Result<bool, StoreError>;
    fn token_user(&self, secret_hash: &str) -> Result<Option<(i64, String, Role)>, StoreError>;
    fn note_token_uses(&self, uses: &[(i64, DateTime<Utc>)]) -> Result<(), StoreError>;
    fn tokens(&self) -> Result<Vec<TokenRow>, StoreError>;
    fn login_failures(&self, keys: &[String; 2], since: DateTime<Utc>) -> Result<Vec<(String, i64, DateTime<Utc>)>, StoreError>;
    fn record_login_failure(&self, keys: &[String; 2], at: DateTime<Utc>, forget_before: DateTime<Utc>) -> Result<(), StoreError>;
    fn clear_login_failures(&self, key: &str) -> Result<(), StoreError>;
    fn audit(&self, actor: &str, action: &str, target: &str, detail: &str) -> Result<(), StoreError>;
    fn audit_entries(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError>;
    fn upsert_device(&self, d: &DeviceSpec, source: &str) -> Result<(), StoreError>;
    fn upsert_devices(&self, devices: &[DeviceSpec], source: &str) -> Result<(), StoreError>;
    fn remove_device(&self, id: &str) -> Result<bool, StoreError>;
    fn retire_source_except(&self, source: &str, keep: &[String]) -> Result<u64, StoreError>;
    fn active_devices(&self) -> Result<Vec<DeviceSpec>, StoreError>;
    fn embeds(&self) -> Result<Vec<EmbedRow>, StoreError>;
    fn create_embed(&self, spec: &EmbedSpec, token: &str, secret_hash: &str, actor: &str) -> Result<EmbedRow, StoreError>;
    fn revoke_embed(&self, id: i64, actor: &str) -> Result<bool, StoreError>;
    fn embed_grant(&self, secret_hash: &str) -> Result<Option<EmbedGrant>, StoreError>;
    fn insert_market_days(&self, days: &[MarketDay]) -> Result<u64, StoreError>;
    fn market_days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<MarketDay>, StoreError>;
    fn upsert_live_days(&self, days: &[MarketDay], fetched_at: DateTime<Utc>) -> Result<u64, StoreError>;
    fn days_without_live(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<NaiveDate>, StoreError>;
    fn last_market_day(&self) -> Result<Option<MarketDay>, StoreError>;
    fn upsert_pool_days(&self, days: &[PoolDay], fetched_at: DateTime<Utc>) -> Result<u64, StoreError>;
    fn replace_forward_curves(&self, rows: &[ForwardRow], source: &str, fetched_at: DateTime<Utc>) -> Result<u64, StoreError>;
    fn upsert_gpu_index(&self, quotes: &[GpuIndexQuote], source: &str, fetched_at: DateTime<Utc>) -> Result<u64, StoreError>;
    fn newest_forward_curve(&self) -> Result<Option<ForwardCurve>, StoreError>;
    fn gpu_index_latest(&self, on: NaiveDate) -> Result<Vec<GpuIndexQuote>, StoreError>;
    fn upsert_power_prices(&self, rows: &[IntervalPrice], source: &str, fetched_at: DateTime<Utc>) -> Result<u64, StoreError>;
    fn power_prices(&self, point: &str, energy_weighted: bool, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<IntervalPrice>, StoreError>;
    fn power_coverage(&self) -> Result<Vec<PriceCoverage>, StoreError>;
    fn set_site_power(&self, site_id: &str, terms: Option<&SitePower>, actor: &str) -> Result<bool, StoreError>;
    fn site_power(&self) -> Result<Vec<(String, SitePower)>, StoreError>;
    fn set_coincident_peaks(&self, peaks: &[DateTime<Utc>]) -> Result<u64, StoreError>;
    fn site_drawn_mw(&self, site: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<(DateTime<Utc>, f64)>, StoreError>;
    fn coincident_peaks(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<DateTime<Utc>>, StoreError>;
    fn last_pool_day(&self, site: &str, pool: &str) -> Result<Option<NaiveDate>, StoreError>;
    fn sites(&self) -> Result<Vec<Site>, StoreError>;
    fn stored_portfolio(&self) -> Result<app::api::portfolio::StoredPortfolio, StoreError>;
    fn mark_demo_sites(&self, ids: &[String]) -> Result<(), StoreError>;
    fn insert_site(&self, site: &Site, position: i64) -> Result<(), StoreError>;
    /// Adds a lease contract to its (existing) site.
    fn add_contract(&self, contract: &app::model::ai::lease::LeaseContract) -> Result<(), StoreError>;
    fn milestones(&self) -> Result<Vec<Milestone>, StoreError>;
    fn insert_milestones(&self, all: &[Milestone]) -> Result<usize, StoreError>;
    fn annotations(&self) -> Result<Vec<Annotation>, StoreError>;
    fn insert_annotation(&self, new: &NewAnnotationRow, actor: &str) -> Result<Annotation, StoreError>;
    fn annotation_versions(&self, id: i64) -> Result<Vec<AnnotationVersion>, StoreError>;
}

#[async_trait]
impl PowerMarket for Store {
    async fn drawn_mw(
        &self,
        site: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, f64)>, ApiError> {
        on_engine!(self, e => PowerMarket::drawn_mw(e, site, from, to).await)
    }

    async fn prices(
        &self,
        point: &str,
        energy_weighted: bool,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<IntervalPrice>, ApiError> {
        on_engine!(self, e => PowerMarket::prices(e, point, energy_weighted, from, to).await)
    }
    async fn site_terms(&self) -> Result<Vec<(String, SitePower)>, ApiError> {
        on_engine!(self, e => PowerMarket::site_terms(e).await)
    }
    async fn peaks(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, ApiError> {
        on_engine!(self, e => PowerMarket::peaks(e, from, to).await)
    }
    async fn price_source(
        &self,
        point: &str,
        energy_weighted: bool,
    ) -> Result<Option<(String, DateTime<Utc>, i64)>, ApiError> {
        on_engine!(self, e => PowerMarket::price_source(e, point, energy_weighted).await)
    }
    async fn set_terms(
        &self,
        site_id: &str,
        terms: Option<&SitePower>,
        actor: &str,
    ) -> Result<bool, ApiError> {
        on_engine!(self, e => PowerMarket::set_terms(e, site_id, terms, actor).await)
    }
}

#[async_trait]
impl SiteStore for Store {
    async fn ping(&self) -> Result<(), ApiError> {
        on_engine!(self, e => SiteStore::ping(e).await)
    }
    async fn closed_months(&self) -> Result<Vec<app::api::types::ClosedMonthRow>, ApiError> {
        on_engine!(self, e => SiteStore::closed_months(e).await)
    }
    async fn closed_month(
        &self,
        month: &str,
        version: Option<i64>,
    ) -> Result<Option<app::api::types::ClosedMonth>, ApiError> {
        on_engine!(self, e => SiteStore::closed_month(e, month, version).await)
    }
    async fn save_closed_month(
        &self,
        figures: &app::model::investor::monthly_close::MonthFigures,
        changes: &[app::model::investor::monthly_close::ChangedLine],
        reason: &str,
        actor: &str,
        after: i64,
    ) -> Result<i64, ApiError> {
        on_engine!(self, e => SiteStore::save_closed_month(e, figures, changes, reason, actor, after).await)
    }
    async fn power_credits(
        &self,
        month: Option<&str>,
    ) -> Result<Vec<app::model::power::credit::PowerCredit>, ApiError> {
        on_engine!(self, e => SiteStore::power_credits(e, month).await)
    }
    async fn add_power_credit(
        &self,
        credit: &app::model::power::credit::PowerCredit,
    ) -> Result<(), ApiError> {
        on_engine!(self, e => SiteStore::add_power_credit(e, credit).await)
    }
    async fn remove_power_credit(&self, id: &str, actor: &str) -> Result<bool, ApiError> {
        on_engine!(self, e => SiteStore::remove_power_credit(e, id, actor).await)
    }
    async fn list_sites(&self) -> Result<Vec<Site>, ApiError> {
        on_engine!(self, e => SiteStore::list_sites(e).await)
    }
    async fn portfolio(&self) -> Result<app::api::portfolio::StoredPortfolio, ApiError> {
        on_engine!(self, e => SiteStore::portfolio(e).await)
    }
    async fn apply_portfolio(
        &self,
        next: &app::model::company::portfolio::Portfolio,
        options: app::api::portfolio::ApplyOptions,
        actor: &str,
        today: NaiveDate,
    ) -> Result<app::model::company::portfolio::Plan, ApiError> {
        on_engine!(self, e => SiteStore::apply_portfolio(e, next, options, actor, today).await)
    }
    async fn reported_months(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<app::model::investor::reported::ReportedMonth>, ApiError> {
        on_engine!(self, e => SiteStore::reported_months(e, from, to).await)
    }
    async fn import_reported(
        &self,
        months: &[app::model::investor::reported::ReportedMonth],
        source: &str,
        actor: &str,
    ) -> Result<usize, ApiError> {
        on_engine!(self, e => SiteStore::import_reported(e, months, source, actor).await)
    }
}

#[async_trait]
impl MarketHistory for Store {
    async fn days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<MarketDay>, ApiError> {
        on_engine!(self, e => MarketHistory::days(e, from, to).await)
    }
    async fn last_real_day(&self) -> Result<Option<NaiveDate>, ApiError> {
        on_engine!(self, e => MarketHistory::last_real_day(e).await)
    }
    async fn newest_live(&self) -> Result<Option<(NaiveDate, DateTime<Utc>)>, ApiError> {
        on_engine!(self, e => MarketHistory::newest_live(e).await)
    }
    async fn forward_curve(&self) -> Result<Option<ForwardCurve>, ApiError> {
        on_engine!(self, e => Ok(e.newest_forward_curve().await?))
    }
    async fn gpu_quotes(&self, on: NaiveDate) -> Result<Vec<GpuIndexQuote>, ApiError> {
        on_engine!(self, e => Ok(e.gpu_index_latest(on).await?))
    }
}

#[async_trait]
impl PoolRewards for Store {
    async fn rewards(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        site: Option<&str>,
    ) -> Result<Vec<PoolDay>, ApiError> {
        on_engine!(self, e => PoolRewards::rewards(e, from, to, site).await)
    }
}

#[async_trait]
impl TimelineStore for Store {
    async fn milestones(&self) -> Result<Vec<Milestone>, ApiError> {
        on_engine!(self, e => TimelineStore::milestones(e).await)
    }
    async fn create_milestone(&self, milestone: &Milestone, actor: &str) -> Result<(), ApiError> {
        on_engine!(self, e => TimelineStore::create_milestone(e, milestone, actor).await)
    }
    async fn update_milestone(
        &self,
        id: &str,
        edit: &MilestoneEdit,
        actor: &str,
    ) -> Result<Milestone, ApiError> {
        on_engine!(self, e => TimelineStore::update_milestone(e, id, edit, actor).await)
    }
    async fn annotations(&self) -> Result<Vec<Annotation>, ApiError> {
        on_engine!(self, e => TimelineStore::annotations(e).await)
    }
    async fn create_annotation(
        &self,
        target: AnnotationTarget,
        site_id: Option<String>,
        on_date: NaiveDate,
        text: &str,
        actor: &str,
    ) -> Result<Annotation, ApiError> {
        on_engine!(self, e => TimelineStore::create_annotation(e, target, site_id, on_date, text, actor).await)
    }
    async fn edit_annotation(
        &self,
        id: i64,
        text: &str,
        base_version: i64,
        actor: &str,
    ) -> Result<Annotation, ApiError> {
        on_engine!(self, e => TimelineStore::edit_annotation(e, id, text, base_version, actor).await)
    }
    async fn annotation_history(&self, id: i64) -> Result<Vec<AnnotationVersion>, ApiError> {
        on_engine!(self, e => TimelineStore::annotation_history(e, id).await)
    }
}

#[cfg(test)]
mod unavailable_tests {
    /// The SQL's list is exactly the reasons the model calls unavailable.
    #[test]
    fn the_rollups_count_the_reasons_the_model_calls_unavailable() {
        use app::model::fleet::reason::ReasonCode;
        let sql = unavailable_sum!();
        let list = &sql[sql.find("reason IN").unwrap()..];
        for code in ReasonCode::ALL {
            let listed = list.contains(&format!("'{}'", code.as_str()));
            let expected = code.unavailable() && code != ReasonCode::Offline;
            assert_eq!(listed, expected, "{code:?}");
        }
        assert!(sql.contains("status = 'offline'"));
    }
}
