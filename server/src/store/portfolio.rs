//! The portfolio as one document: read whole (inside the writer's transaction when applying,
//! so the plan is made against what is stored at that moment), applied as one transaction
//! with one audit entry per change, and reported monthly history. Compiled once per engine.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sqlx::Row;

use app::api::error::ApiError;
use app::api::portfolio::{ApplyOptions, StoredPortfolio};
use app::model::ai::lease::LeaseTerms;
use app::model::company::portfolio::{
    self, ChangeTarget, ContractDoc, MilestoneDoc, Plan, Portfolio, SiteDoc,
};
use app::model::company::site::FleetLine;
use app::model::investor::reported::ReportedMonth;
use app::model::power::curtailment::SitePower;

use super::audit::record;
use super::{Db, Engine, StoreError};

type Conn = <Db as sqlx::Database>::Connection;

fn corrupt(what: String) -> impl FnOnce(serde_json::Error) -> StoreError {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

/// Everything the portfolio holds, as stored.
pub(super) async fn read_portfolio(conn: &mut Conn) -> Result<StoredPortfolio, StoreError> {
    let mut out = StoredPortfolio::default();
    for r in sqlx::query(
        "SELECT id, name, location, capacity_mw, initial_mining_mw, power_usd_per_kwh, pue_ai, mining_uptime, pool_fee_pct, retired_on, opex_usd_per_mw_month, timezone, demo, version
         FROM sites ORDER BY position, id",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        let id: String = r.get("id");
        out.site_versions.insert(id.clone(), r.get("version"));
        if r.get::<i64, _>("demo") != 0 {
            out.demo_sites.push(id.clone());
        }
        out.portfolio.sites.push(SiteDoc {
            opex_usd_per_mw_month: r.get("opex_usd_per_mw_month"),
            timezone: r.get("timezone"),
            name: r.get("name"),
            location: r.get("location"),
            capacity_mw: r.get("capacity_mw"),
            initial_mining_mw: r.get("initial_mining_mw"),
            power_usd_per_kwh: r.get("power_usd_per_kwh"),
            pue_ai: r.get("pue_ai"),
            mining_uptime: r.get("mining_uptime"),
            pool_fee_pct: r.get("pool_fee_pct"),
            retired_on: r.get("retired_on"),
            fleet: Vec::new(),
            power: None,
            contracts: Vec::new(),
            milestones: Vec::new(),
            id,
        });
    }
    let by_id: BTreeMap<String, usize> = out
        .portfolio
        .sites
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), i))
        .collect();
    let sites = &mut out.portfolio.sites;
    let site_of = |id: &str| by_id.get(id).copied();

    for r in
        sqlx::query("SELECT site_id, model_id, count FROM fleet_lines ORDER BY site_id, model_id")
            .fetch_all(&mut *conn)
            .await?
    {
        if let Some(i) = site_of(r.get::<&str, _>("site_id")) {
            sites[i].fleet.push(FleetLine {
                model_id: r.get("model_id"),
                count: r.get::<i64, _>("count") as u32,
            });
        }
    }
    for r in sqlx::query("SELECT site_id, terms FROM site_power ORDER BY site_id")
        .fetch_all(&mut *conn)
        .await?
    {
        let site: String = r.get("site_id");
        let terms: SitePower = serde_json::from_str(r.get::<&str, _>("terms"))
            .map_err(corrupt(format!("site_power {site}")))?;
        if let Some(i) = site_of(&site) {
            sites[i].power = Some(terms);
        }
    }
    for r in sqlx::query(
        "SELECT id, site_id, tenant, terms, start_on, ramp_months, end_on, power_pass_through, sla, devices, register, version
         FROM lease_contracts ORDER BY start_on, id",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        let id: String = r.get("id");
        out.contract_versions.insert(id.clone(), r.get("version"));
        let terms: LeaseTerms = serde_json::from_str(r.get::<&str, _>("terms"))
            .map_err(corrupt(format!("contract {id}: terms")))?;
        let sla = r
            .get::<Option<&str>, _>("sla")
            .map(serde_json::from_str)
            .transpose()
            .map_err(corrupt(format!("contract {id}: sla")))?;
        let devices = serde_json::from_str(r.get::<&str, _>("devices"))
            .map_err(corrupt(format!("contract {id}: devices")))?;
        let register = r
            .get::<Option<&str>, _>("register")
            .map(serde_json::from_str)
            .transpose()
            .map_err(corrupt(format!("contract {id}: register")))?
            .unwrap_or_default();
        let contract = ContractDoc {
            register,
            tenant: r.get("tenant"),
            start_on: r.get("start_on"),
            ramp_months: r.get::<i64, _>("ramp_months") as u32,
            end_on: r.get("end_on"),
            power_pass_through: r.get::<i64, _>("power_pass_through") != 0,
            devices,
            terms,
            sla,
            id,
        };
        if let Some(i) = site_of(r.get::<&str, _>("site_id")) {
            sites[i].contracts.push(contract);
        }
    }
    for r in sqlx::query(
        "SELECT id, site_id, kind, title, planned_start, planned_end, actual_start, actual_end, mw, depends_on, contract_id, version
         FROM milestones ORDER BY site_id, planned_start, position, id",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        let m = super::timeline::milestone_from_row(&r)?;
        if let Some(i) = site_of(&m.site_id) {
            sites[i].milestones.push(MilestoneDoc::from_milestone(&m));
        }
    }
    Ok(out)
}

/// The stored version of `target` `id`, and who changed it last.
async fn version_of(
    conn: &mut Conn,
    target: ChangeTarget,
    id: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    let sql = match target {
        ChangeTarget::Site => "SELECT version, updated_by FROM sites WHERE id = $1",
        ChangeTarget::Contract => "SELECT version, updated_by FROM lease_contracts WHERE id = $1",
        ChangeTarget::Milestone => {
            "SELECT version, 'operator' AS updated_by FROM milestones WHERE id = $1"
        }
    };
    Ok(sqlx::query(sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| (r.get("version"), r.get("updated_by"))))
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Engine {
    /// The portfolio as stored.
    pub async fn stored_portfolio(&self) -> Result<StoredPortfolio, StoreError> {
        let mut conn = self.pool().acquire().await?;
        read_portfolio(&mut conn).await
    }

    /// Applies `next` in one transaction (see `model::company::portfolio::plan`); `Err(ApiError)` for a
    /// stale `expect` or an unknown target.
    pub async fn apply_portfolio(
        &self,
        next: &Portfolio,
        options: &ApplyOptions,
        actor: &str,
        today: NaiveDate,
    ) -> Result<Result<Plan, ApiError>, StoreError> {
        // A zone name of the right shape that the zone database does not know is refused
        // before anything is written (the model checks the shape; the names live here).
        if let Some((i, s)) = next.sites.iter().enumerate().find(|(_, s)| {
            s.timezone
                .as_deref()
                .is_some_and(|z| crate::clock::zone(z).is_none())
        }) {
            return Ok(Err(ApiError::InvalidInput(format!(
                "sites[{i}].timezone: {:?} is not a time zone the zone database knows (e.g. America/Chicago)",
                s.timezone.as_deref().unwrap_or_default()
            ))));
        }
        let mut tx = self.write_tx().await?;
        if let Some(expect) = &options.expect {
            match version_of(&mut tx, expect.target, &expect.id).await? {
                None => return Ok(Err(ApiError::NotFound(expect.id.clone()))),
                Some((version, author)) if version != expect.version => {
                    let current = read_portfolio(&mut tx).await?.portfolio;
                    let text = match expect.target {
                        ChangeTarget::Site => current.site(&expect.id).map(json).transpose()?,
                        _ => current
                            .contract(&expect.id)
                            .map(|(_, c)| json(c))
                            .transpose()?,
                    };
                    return Ok(Err(ApiError::Conflict {
                        current_version: version,
                        current_text: text.unwrap_or_default(),
                        current_author: author,
                    }));
                }
                Some(_) => {}
            }
        }
        let current = read_portfolio(&mut tx).await?;
        let plan = portfolio::plan(&current.portfolio, next, options.replace, today);
        if options.dry_run || plan.is_empty() {
            return Ok(Ok(plan));
        }
        for (position, site) in plan.result.sites.iter().enumerate() {
            let before = current.portfolio.site(&site.id);
            write_site(&mut tx, site, before, position as i64, actor).await?;
        }
        for c in &plan.changes {
            let action = format!(
                "{}.{}",
                match c.target {
                    ChangeTarget::Site => "site",
                    ChangeTarget::Contract => "contract",
                    ChangeTarget::Milestone => "milestone",
                },
                match c.action {
                    portfolio::ChangeAction::Add => "add",
                    portfolio::ChangeAction::Change => "change",
                    portfolio::ChangeAction::Retire => "retire",
                }
            );
            let detail = if c.fields.is_empty() {
                format!("site {}", c.site)
            } else {
                format!("site {}: {}", c.site, c.fields.join(", "))
            };
            record(&mut tx, actor, &action, &c.id, &detail).await?;
        }
        tx.commit().await?;
        Ok(Ok(plan))
    }

    /// Reported months whose month overlaps `[from, to]`.
    pub async fn reported_months(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<ReportedMonth>, StoreError> {
        use chrono::Datelike;
        let first = from.with_day(1).unwrap_or(from);
        Ok(sqlx::query(
            "SELECT site_id, month, btc_produced, mining_revenue_usd, power_cost_usd, energy_mwh, ai_revenue_usd, hashrate_ths_avg
             FROM reported_months WHERE month >= $1 AND month <= $2 ORDER BY month, site_id",
        )
        .bind(first)
        .bind(to)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| ReportedMonth {
            site: r.get("site_id"),
            month: r.get("month"),
            btc_produced: r.get("btc_produced"),
            mining_revenue_usd: r.get("mining_revenue_usd"),
            power_cost_usd: r.get("power_cost_usd"),
            energy_mwh: r.get("energy_mwh"),
            ai_revenue_usd: r.get("ai_revenue_usd"),
            hashrate_ths_avg: r.get("hashrate_ths_avg"),
        })
        .collect())
    }

    /// Stores reported months whole (one transaction; a month given again is replaced).
    pub async fn import_reported(
        &self,
        months: &[ReportedMonth],
        source: &str,
        actor: &str,
    ) -> Result<usize, StoreError> {
        let mut tx = self.write_tx().await?;
        let now = crate::store::rows::now();
        for m in months {
            sqlx::query(
                "INSERT INTO reported_months (site_id, month, btc_produced, mining_revenue_usd, power_cost_usd, energy_mwh, ai_revenue_usd, hashrate_ths_avg, source, imported_at, imported_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 ON CONFLICT (site_id, month) DO UPDATE SET btc_produced = excluded.btc_produced,
                   mining_revenue_usd = excluded.mining_revenue_usd, power_cost_usd = excluded.power_cost_usd,
                   energy_mwh = excluded.energy_mwh, ai_revenue_usd = excluded.ai_revenue_usd,
                   hashrate_ths_avg = excluded.hashrate_ths_avg, source = excluded.source,
                   imported_at = excluded.imported_at, imported_by = excluded.imported_by",
            )
            .bind(&m.site)
            .bind(m.month)
            .bind(m.btc_produced)
            .bind(m.mining_revenue_usd)
            .bind(m.power_cost_usd)
            .bind(m.energy_mwh)
            .bind(m.ai_revenue_usd)
            .bind(m.hashrate_ths_avg)
            .bind(source)
            .bind(now)
            .bind(actor)
            .execute(&mut *tx)
            .await?;
        }
        record(
            &mut tx,
            actor,
            "history.import",
            source,
            &format!("{} reported site-months", months.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(months.len())
    }

    /// Marks the sites the demo seed inserted as illustrative.
    pub async fn mark_demo_sites(&self, ids: &[String]) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        for id in ids {
            sqlx::query("UPDATE sites SET demo = 1 WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Writes one site of the plan's result: inserted when new, else only what differs from
/// `before` (a changed site or contract takes the next version and `actor` as its editor).
async fn write_site(
    tx: &mut sqlx::Transaction<'static, Db>,
    site: &SiteDoc,
    before: Option<&SiteDoc>,
    position: i64,
    actor: &str,
) -> Result<(), StoreError> {
    let own_fields_differ = before.is_none_or(|b| {
        let strip = |s: &SiteDoc| SiteDoc {
            contracts: Vec::new(),
            milestones: Vec::new(),
            fleet: {
                let mut f = s.fleet.clone();
                f.sort_by(|a, b| a.model_id.cmp(&b.model_id));
                f
            },
            ..s.clone()
        };
        strip(b) != strip(site)
    });
    // One set of parameters for both statements: a new site, or a changed one's next version.
    let write = if before.is_none() {
        Some(
            "INSERT INTO sites (id, name, location, capacity_mw, initial_mining_mw, power_usd_per_kwh, pue_ai, mining_uptime, pool_fee_pct, position, retired_on, demo, version, updated_by, opex_usd_per_mw_month, timezone)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, 1, $12, $13, $14)",
        )
    } else if own_fields_differ {
        Some(
            "UPDATE sites SET name = $2, location = $3, capacity_mw = $4, initial_mining_mw = $5, power_usd_per_kwh = $6,
               pue_ai = $7, mining_uptime = $8, pool_fee_pct = $9, position = $10, retired_on = $11,
               version = version + 1, updated_by = $12, opex_usd_per_mw_month = $13, timezone = $14
             WHERE id = $1",
        )
    } else {
        None
    };
    match write {
        Some(sql) => {
            sqlx::query(sql)
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
                .bind(site.retired_on)
                .bind(actor)
                .bind(site.opex_usd_per_mw_month)
                .bind(&site.timezone)
                .execute(&mut **tx)
                .await?;
        }
        None => {
            sqlx::query("UPDATE sites SET position = $2 WHERE id = $1")
                .bind(&site.id)
                .bind(position)
                .execute(&mut **tx)
                .await?;
        }
    }
    if own_fields_differ {
        sqlx::query("DELETE FROM fleet_lines WHERE site_id = $1")
            .bind(&site.id)
            .execute(&mut **tx)
            .await?;
        for line in &site.fleet {
            sqlx::query("INSERT INTO fleet_lines (site_id, model_id, count) VALUES ($1, $2, $3)")
                .bind(&site.id)
                .bind(&line.model_id)
                .bind(line.count as i64)
                .execute(&mut **tx)
                .await?;
        }
        write_power(tx, site, actor).await?;
    }
    for c in &site.contracts {
        let old = before.and_then(|b| b.contracts.iter().find(|o| o.id == c.id));
        if old != Some(c) {
            write_contract(tx, &site.id, c, old.is_none(), actor).await?;
        }
    }
    for (i, m) in site.milestones.iter().enumerate() {
        let old = before.and_then(|b| b.milestones.iter().find(|o| o.id == m.id));
        match old {
            None => {
                super::timeline::insert_milestone(tx, &m.to_milestone(&site.id), i as i64).await?
            }
            Some(o) if o != m => update_milestone(tx, &site.id, m).await?,
            Some(_) => {}
        }
    }
    Ok(())
}

async fn write_power(
    tx: &mut sqlx::Transaction<'static, Db>,
    site: &SiteDoc,
    actor: &str,
) -> Result<(), StoreError> {
    match &site.power {
        Some(terms) => {
            sqlx::query(
                "INSERT INTO site_power (site_id, terms, updated_at, updated_by) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (site_id) DO UPDATE SET terms = excluded.terms, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            )
            .bind(&site.id)
            .bind(json(terms)?)
            .bind(crate::store::rows::now())
            .bind(actor)
            .execute(&mut **tx)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM site_power WHERE site_id = $1")
                .bind(&site.id)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

async fn write_contract(
    tx: &mut sqlx::Transaction<'static, Db>,
    site_id: &str,
    c: &ContractDoc,
    new: bool,
    actor: &str,
) -> Result<(), StoreError> {
    let sql = if new {
        "INSERT INTO lease_contracts (id, site_id, tenant, terms, start_on, ramp_months, end_on, power_pass_through, sla, devices, version, updated_by, register)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12)"
    } else {
        "UPDATE lease_contracts SET site_id = $2, tenant = $3, terms = $4, start_on = $5, ramp_months = $6, end_on = $7,
           power_pass_through = $8, sla = $9, devices = $10, version = version + 1, updated_by = $11,
           register = $12
         WHERE id = $1"
    };
    sqlx::query(sql)
        .bind(&c.id)
        .bind(site_id)
        .bind(&c.tenant)
        .bind(json(&c.terms)?)
        .bind(c.start_on)
        .bind(c.ramp_months as i64)
        .bind(c.end_on)
        .bind(c.power_pass_through as i64)
        .bind(c.sla.as_ref().map(json).transpose()?)
        .bind(json(&c.devices)?)
        .bind(actor)
        .bind(
            (!c.register.is_empty())
                .then(|| json(&c.register))
                .transpose()?,
        )
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn update_milestone(
    tx: &mut sqlx::Transaction<'static, Db>,
    site_id: &str,
    m: &MilestoneDoc,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE milestones SET site_id = $2, kind = $3, title = $4, planned_start = $5, planned_end = $6, actual_start = $7,
           actual_end = $8, mw = $9, depends_on = $10, contract_id = $11, version = version + 1
         WHERE id = $1",
    )
    .bind(&m.id)
    .bind(site_id)
    .bind(m.kind.as_str())
    .bind(&m.title)
    .bind(m.planned_start)
    .bind(m.planned_end)
    .bind(m.actual_start)
    .bind(m.actual_end)
    .bind(m.mw)
    .bind(json(&m.depends_on)?)
    .bind(&m.contract_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
