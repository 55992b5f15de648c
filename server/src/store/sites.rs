//! Sites with their fleet lines and lease contracts; conversion dates come from the timeline.

use async_trait::async_trait;

use chrono::NaiveDate;

use app::api::error::ApiError;
use app::api::portfolio::{ApplyOptions, StoredPortfolio};
use app::api::ports::SiteStore;
use app::model::ai::lease::LeaseContract;
use app::model::company::portfolio::{Plan, Portfolio};
use app::model::company::site::Site;
use app::model::investor::reported::ReportedMonth;
use app::model::timeline::milestones::{Milestone, MilestoneKind};

use super::{Engine, StoreError};

impl Engine {
    /// All sites in display order (retired ones too: their history reads back), the timeline
    /// applied to conversion dates and contract starts.
    pub async fn sites(&self) -> Result<Vec<Site>, StoreError> {
        let stored = self.stored_portfolio().await?;
        let mut sites: Vec<Site> = stored.portfolio.sites.iter().map(|s| s.to_site()).collect();
        // The timeline is the source of conversion dates and contract starts.
        let milestones = self.milestones().await?;
        for site in &mut sites {
            app::model::timeline::milestones::apply(site, &milestones);
        }
        Ok(sites)
    }

    /// Inserts a site with its lines, steps and contracts in one transaction.
    pub async fn insert_site(&self, site: &Site, position: i64) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO sites (id, name, location, capacity_mw, initial_mining_mw, power_usd_per_kwh, pue_ai, mining_uptime, pool_fee_pct, position, opex_usd_per_mw_month, timezone)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&site.id)
        .bind(&site.name)
        .bind(&site.location)
        .bind(site.capacity_mw)
        .bind(site.initial_mining_mw)
        .bind(site.power_usd_per_kwh)
        .bind(site.pue_ai)
        .bind(site.mining_uptime)
        .bind(site.pool_fee_pct)
        .bind(position)
        .bind(site.opex_usd_per_mw_month)
        .bind(&site.timezone)
        .execute(&mut *tx)
        .await?;
        for line in &site.fleet {
            sqlx::query("INSERT INTO fleet_lines (site_id, model_id, count) VALUES ($1, $2, $3)")
                .bind(&site.id)
                .bind(&line.model_id)
                .bind(line.count as i64)
                .execute(&mut *tx)
                .await?;
        }
        // Conversion steps given with a site become its decommissioning milestones.
        for (i, step) in site.conversion.iter().enumerate() {
            let m = Milestone {
                id: format!("{}-decommission-{}", site.id, i + 1),
                site_id: site.id.clone(),
                kind: MilestoneKind::Decommission,
                title: step.label.clone(),
                planned_start: step.effective_on,
                planned_end: step.effective_on + chrono::Months::new(1),
                actual_start: None,
                actual_end: None,
                mw: step.mw,
                depends_on: Vec::new(),
                contract_id: None,
                version: 1,
            };
            super::timeline::insert_milestone(&mut tx, &m, i as i64).await?;
        }
        for c in &site.contracts {
            insert_contract(&mut tx, &site.id, c).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Adds a lease contract to its (existing) site.
    pub async fn add_contract(&self, c: &LeaseContract) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        insert_contract(&mut tx, &c.site_id, c).await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn insert_contract(
    tx: &mut sqlx::Transaction<'static, super::Db>,
    site_id: &str,
    c: &LeaseContract,
) -> Result<(), StoreError> {
    let corrupt = |e: serde_json::Error| StoreError::Corrupt(e.to_string());
    let terms = serde_json::to_string(&c.terms).map_err(corrupt)?;
    let sla = c
        .sla
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(corrupt)?;
    let devices = serde_json::to_string(&c.devices).map_err(corrupt)?;
    let register = (!c.register.is_empty())
        .then(|| serde_json::to_string(&c.register))
        .transpose()
        .map_err(corrupt)?;
    sqlx::query(
            "INSERT INTO lease_contracts (id, site_id, tenant, terms, start_on, ramp_months, end_on, power_pass_through, sla, devices, register)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&c.id)
        .bind(site_id)
        .bind(&c.tenant)
        .bind(terms)
        .bind(c.start_on)
        .bind(c.ramp_months as i64)
        .bind(c.end_on)
        .bind(c.power_pass_through as i64)
        .bind(sla)
        .bind(devices)
        .bind(register)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[async_trait]
impl SiteStore for Engine {
    async fn closed_months(&self) -> Result<Vec<app::api::types::ClosedMonthRow>, ApiError> {
        Ok(self.closed_month_rows().await?)
    }

    async fn closed_month(
        &self,
        month: &str,
        version: Option<i64>,
    ) -> Result<Option<app::api::types::ClosedMonth>, ApiError> {
        Ok(self.read_closed_month(month, version).await?)
    }

    async fn save_closed_month(
        &self,
        figures: &app::model::investor::monthly_close::MonthFigures,
        changes: &[app::model::investor::monthly_close::ChangedLine],
        reason: &str,
        actor: &str,
        after: i64,
    ) -> Result<i64, ApiError> {
        self.save_closed_month_checked(figures, changes, reason, actor, after)
            .await
    }

    async fn power_credits(
        &self,
        month: Option<&str>,
    ) -> Result<Vec<app::model::power::credit::PowerCredit>, ApiError> {
        Ok(self.read_power_credits(month).await?)
    }

    async fn add_power_credit(
        &self,
        credit: &app::model::power::credit::PowerCredit,
    ) -> Result<(), ApiError> {
        if self.write_power_credit(credit).await? {
            Ok(())
        } else {
            Err(ApiError::NotFound(format!("site {}", credit.site)))
        }
    }

    async fn remove_power_credit(&self, id: &str, actor: &str) -> Result<bool, ApiError> {
        Ok(self.delete_power_credit(id, actor).await?)
    }

    async fn ping(&self) -> Result<(), ApiError> {
        let answer = tokio::time::timeout(
            std::time::Duration::from_secs(2),
            sqlx::query("SELECT 1").execute(self.pool()),
        )
        .await;
        match answer {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(StoreError::from(e).into()),
            Err(_) => {
                tracing::error!("storage unavailable: the database did not answer within 2 s");
                Err(ApiError::Unavailable)
            }
        }
    }

    async fn list_sites(&self) -> Result<Vec<Site>, ApiError> {
        Ok(self.sites().await?)
    }

    async fn portfolio(&self) -> Result<StoredPortfolio, ApiError> {
        Ok(self.stored_portfolio().await?)
    }

    async fn apply_portfolio(
        &self,
        next: &Portfolio,
        options: ApplyOptions,
        actor: &str,
        today: NaiveDate,
    ) -> Result<Plan, ApiError> {
        Engine::apply_portfolio(self, next, &options, actor, today).await?
    }

    async fn reported_months(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<ReportedMonth>, ApiError> {
        Ok(Engine::reported_months(self, from, to).await?)
    }

    async fn import_reported(
        &self,
        months: &[ReportedMonth],
        source: &str,
        actor: &str,
    ) -> Result<usize, ApiError> {
        Ok(Engine::import_reported(self, months, source, actor).await?)
    }
}
