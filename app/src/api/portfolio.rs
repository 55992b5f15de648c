//! The company's portfolio over the seam: export, import (whole documents), and the edits the
//! sites page and `/api/v1/sites…` make. Every edit builds the next whole document from the
//! stored one and goes through the same validation and the same store transaction as an
//! import, so a form, a script and a file in git are held to one set of rules.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use super::types::{ApplyOptions, Expect, StoredPortfolio};
use crate::model::ai::lease::{LeaseTerms, Sla};
use crate::model::company::portfolio::{ContractDoc, SiteDoc};
use crate::model::company::site::FleetLine;
use crate::model::power::curtailment::SitePower;

/// One site as the sites page and `GET /api/v1/sites/{id}` show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SiteDetail {
    pub site: SiteDoc,
    pub version: i64,
    /// Each contract's version, by id.
    pub contract_versions: BTreeMap<String, i64>,
    /// True for a site of the illustrative demo company.
    pub demo: bool,
    /// What an operator should fix (e.g. a GPU contract that covers no GPUs).
    pub warnings: Vec<String>,
}

/// `PATCH /api/v1/sites/{id}`: the fields to change and the version they were made against.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SitePatch {
    pub version: i64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub capacity_mw: Option<f64>,
    #[serde(default)]
    pub initial_mining_mw: Option<f64>,
    #[serde(default)]
    pub power_usd_per_kwh: Option<f64>,
    #[serde(default)]
    pub pue_ai: Option<f64>,
    #[serde(default)]
    pub mining_uptime: Option<f64>,
    #[serde(default)]
    pub pool_fee_pct: Option<f64>,
    /// Operating cost beyond power, $/MW-month.
    #[serde(default)]
    pub opex_usd_per_mw_month: Option<f64>,
    /// IANA time zone name (`America/Chicago`).
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub fleet: Option<Vec<FleetLine>>,
    /// New power terms; `{"power": null}` is not a removal (use the power routes).
    #[serde(default)]
    pub power: Option<SitePower>,
}

/// `PATCH /api/v1/contracts/{id}`: the fields to change and the version they were made against.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContractPatch {
    pub version: i64,
    #[serde(default)]
    pub tenant: Option<String>,
    #[serde(default)]
    pub start_on: Option<NaiveDate>,
    #[serde(default)]
    pub ramp_months: Option<u32>,
    #[serde(default)]
    pub end_on: Option<NaiveDate>,
    #[serde(default)]
    pub power_pass_through: Option<bool>,
    #[serde(default)]
    pub devices: Option<Vec<String>>,
    #[serde(default)]
    pub terms: Option<LeaseTerms>,
    #[serde(default)]
    pub sla: Option<Sla>,
    /// Gross MW, extension options, credit support (replaces the whole register).
    #[serde(default)]
    pub register: Option<crate::model::ai::lease::ContractRegister>,
}

impl SitePatch {
    /// The site with the patch's fields set.
    pub fn apply_to(self, s: &mut SiteDoc) {
        let SitePatch {
            version: _,
            name,
            location,
            capacity_mw,
            initial_mining_mw,
            power_usd_per_kwh,
            pue_ai,
            mining_uptime,
            pool_fee_pct,
            opex_usd_per_mw_month,
            timezone,
            fleet,
            power,
        } = self;
        set(&mut s.name, name);
        set(&mut s.location, location);
        set(&mut s.capacity_mw, capacity_mw);
        set(&mut s.initial_mining_mw, initial_mining_mw);
        set(&mut s.power_usd_per_kwh, power_usd_per_kwh);
        set(&mut s.pue_ai, pue_ai);
        set(&mut s.mining_uptime, mining_uptime);
        set(&mut s.pool_fee_pct, pool_fee_pct);
        if opex_usd_per_mw_month.is_some() {
            s.opex_usd_per_mw_month = opex_usd_per_mw_month;
        }
        if timezone.is_some() {
            s.timezone = timezone;
        }
        set(&mut s.fleet, fleet);
        if power.is_some() {
            s.power = power;
        }
    }
}

impl ContractPatch {
    /// The contract with the patch's fields set.
    pub fn apply_to(self, c: &mut ContractDoc) {
        let ContractPatch {
            version: _,
            tenant,
            start_on,
            ramp_months,
            end_on,
            power_pass_through,
            devices,
            terms,
            sla,
            register,
        } = self;
        set(&mut c.tenant, tenant);
        set(&mut c.start_on, start_on);
        set(&mut c.ramp_months, ramp_months);
        if end_on.is_some() {
            c.end_on = end_on;
        }
        set(&mut c.power_pass_through, power_pass_through);
        set(&mut c.devices, devices);
        set(&mut c.terms, terms);
        if sla.is_some() {
            c.sla = sla;
        }
        set(&mut c.register, register);
    }
}

fn set<T>(field: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *field = v;
    }
}

/// Warnings about a site an operator should act on: GPU-hour contracts that cover no GPUs
/// because they name none while sharing the site (`model::ai::sla::in_scope`).
pub fn site_warnings(site: &SiteDoc) -> Vec<String> {
    let leases = site.contracts.len();
    site.contracts
        .iter()
        .filter(|c| leases > 1 && c.devices.is_empty())
        .filter(|c| matches!(c.terms, LeaseTerms::GpuHours { .. }))
        .map(|c| {
            format!(
                "contract {} names no nodes or GPUs and shares the site with {} other contract(s): it covers no GPUs (its tenant sees none and its SLA measures none) until it names them",
                c.id,
                leases - 1
            )
        })
        .collect()
}

/// One site as the sites list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteRow {
    pub detail: SiteDetail,
    pub mining_mw_today: f64,
    pub ai_mw_today: f64,
}

/// What the sites pages receive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SitesView {
    pub sites: Vec<SiteRow>,
    /// True when the caller may edit (operator or admin).
    pub can_edit: bool,
    /// ASIC catalogue ids a fleet line may name.
    pub models: Vec<String>,
    pub today: NaiveDate,
}

#[cfg(feature = "ssr")]
pub mod service {
    use super::*;
    use crate::api::error::ApiError;
    use crate::api::ports::Services;
    use crate::model::company::portfolio::Plan;
    use crate::model::company::portfolio::{ChangeTarget, Portfolio};

    fn refused(e: crate::model::company::portfolio::FieldError) -> ApiError {
        ApiError::InvalidInput(e.to_string())
    }

    /// The stored portfolio as a document.
    pub async fn export(svc: &Services) -> Result<Portfolio, ApiError> {
        Ok(svc.sites.portfolio().await?.portfolio)
    }

    /// Validates `next` whole and applies it (or, dry, says what it would do).
    pub async fn import(
        svc: &Services,
        next: &Portfolio,
        options: ApplyOptions,
        actor: &str,
    ) -> Result<Plan, ApiError> {
        next.validate().map_err(refused)?;
        let dry = options.dry_run;
        let plan = svc
            .sites
            .apply_portfolio(next, options, actor, svc.clock.today())
            .await?;
        if !dry && !plan.is_empty() {
            svc.overview_cache.invalidate();
        }
        Ok(plan)
    }

    /// Every site with today's split (retired ones last is the store's order: as entered).
    pub async fn sites_view(svc: &Services, can_edit: bool) -> Result<SitesView, ApiError> {
        let today = svc.clock.today();
        let stored = svc.sites.portfolio().await?;
        // Today's MW follow the timeline, as every other page shows them.
        let applied = svc.sites.list_sites().await?;
        let sites = stored
            .portfolio
            .sites
            .iter()
            .map(|s| {
                let live = applied.iter().find(|a| a.id == s.id);
                Ok(SiteRow {
                    detail: detail(&stored, &s.id)?,
                    mining_mw_today: live.map_or(0.0, |a| a.mining_mw(today)),
                    ai_mw_today: live.map_or(0.0, |a| a.ai_mw(today)),
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok(SitesView {
            sites,
            can_edit,
            models: crate::model::fleet::catalogue::ASICS
                .iter()
                .map(|m| m.id.to_string())
                .collect(),
            today,
        })
    }

    /// One site with its versions and warnings.
    pub async fn site_detail(svc: &Services, id: &str) -> Result<SiteDetail, ApiError> {
        let stored = svc.sites.portfolio().await?;
        detail(&stored, id)
    }

    fn detail(stored: &StoredPortfolio, id: &str) -> Result<SiteDetail, ApiError> {
        let site = stored
            .portfolio
            .site(id)
            .cloned()
            .ok_or_else(|| ApiError::NotFound(format!("site {id}")))?;
        Ok(SiteDetail {
            version: stored.site_versions.get(id).copied().unwrap_or(1),
            contract_versions: site
                .contracts
                .iter()
                .map(|c| {
                    (
                        c.id.clone(),
                        stored.contract_versions.get(&c.id).copied().unwrap_or(1),
                    )
                })
                .collect(),
            demo: stored.demo_sites.iter().any(|d| d == id),
            warnings: site_warnings(&site),
            site,
        })
    }

    /// Applies `edit` to the stored document under `expect`, then answers the site.
    async fn edit(
        svc: &Services,
        site_id: &str,
        expect: Option<Expect>,
        actor: &str,
        edit: impl FnOnce(&mut Portfolio) -> Result<(), ApiError>,
    ) -> Result<SiteDetail, ApiError> {
        let mut next = svc.sites.portfolio().await?.portfolio;
        edit(&mut next)?;
        import(
            svc,
            &next,
            ApplyOptions {
                replace: false,
                dry_run: false,
                expect,
            },
            actor,
        )
        .await?;
        site_detail(svc, site_id).await
    }

    fn site_mut<'a>(p: &'a mut Portfolio, id: &str) -> Result<&'a mut SiteDoc, ApiError> {
        p.sites
            .iter_mut()
            .find(|s| s.id == id)
            .ok_or_else(|| ApiError::NotFound(format!("site {id}")))
    }

    pub async fn add_site(
        svc: &Services,
        site: SiteDoc,
        actor: &str,
    ) -> Result<SiteDetail, ApiError> {
        let id = site.id.clone();
        edit(svc, &id, None, actor, |p| {
            if p.site(&site.id).is_some() {
                return Err(ApiError::InvalidInput(format!(
                    "id: site {:?} exists already",
                    site.id
                )));
            }
            p.sites.push(site);
            Ok(())
        })
        .await
    }

    pub async fn patch_site(
        svc: &Services,
        id: &str,
        patch: SitePatch,
        actor: &str,
    ) -> Result<SiteDetail, ApiError> {
        let expect = Expect {
            target: ChangeTarget::Site,
            id: id.to_string(),
            version: patch.version,
        };
        edit(svc, id, Some(expect), actor, |p| {
            patch.apply_to(site_mut(p, id)?);
            Ok(())
        })
        .await
    }

    /// Retires a site from today: its history stays, its open contracts end.
    pub async fn retire_site(
        svc: &Services,
        id: &str,
        actor: &str,
    ) -> Result<SiteDetail, ApiError> {
        let today = svc.clock.today();
        edit(svc, id, None, actor, |p| {
            crate::model::company::portfolio::retire_site(site_mut(p, id)?, today);
            Ok(())
        })
        .await
    }

    pub async fn add_contract(
        svc: &Services,
        site_id: &str,
        contract: ContractDoc,
        actor: &str,
    ) -> Result<SiteDetail, ApiError> {
        edit(svc, site_id, None, actor, |p| {
            if p.contract(&contract.id).is_some() {
                return Err(ApiError::InvalidInput(format!(
                    "id: contract {:?} exists already",
                    contract.id
                )));
            }
            site_mut(p, site_id)?.contracts.push(contract);
            Ok(())
        })
        .await
    }

    fn contract_site(p: &Portfolio, id: &str) -> Result<String, ApiError> {
        p.contract(id)
            .map(|(s, _)| s.id.clone())
            .ok_or_else(|| ApiError::NotFound(format!("contract {id}")))
    }

    pub async fn patch_contract(
        svc: &Services,
        id: &str,
        patch: ContractPatch,
        actor: &str,
    ) -> Result<SiteDetail, ApiError> {
        let site_id = contract_site(&svc.sites.portfolio().await?.portfolio, id)?;
        let expect = Expect {
            target: ChangeTarget::Contract,
            id: id.to_string(),
            version: patch.version,
        };
        edit(svc, &site_id, Some(expect), actor, |p| {
            let site = site_mut(p, &site_id)?;
            let c = site
                .contracts
                .iter_mut()
                .find(|c| c.id == id)
                .ok_or_else(|| ApiError::NotFound(format!("contract {id}")))?;
            patch.apply_to(c);
            Ok(())
        })
        .await
    }

    /// Ends a contract yesterday (today is its first day without it; one not yet started is
    /// cancelled); its history stays.
    pub async fn end_contract(
        svc: &Services,
        id: &str,
        actor: &str,
    ) -> Result<SiteDetail, ApiError> {
        let site_id = contract_site(&svc.sites.portfolio().await?.portfolio, id)?;
        let today = svc.clock.today();
        edit(svc, &site_id, None, actor, |p| {
            let site = site_mut(p, &site_id)?;
            if let Some(c) = site.contracts.iter_mut().find(|c| c.id == id) {
                crate::model::company::portfolio::end_contract(c, today);
            }
            Ok(())
        })
        .await
    }

    /// Reads a reported-history CSV against the stored sites and stores it whole.
    pub async fn import_history(
        svc: &Services,
        text: &str,
        source: &str,
        actor: &str,
    ) -> Result<usize, ApiError> {
        let stored = svc.sites.portfolio().await?;
        let ids: Vec<&str> = stored
            .portfolio
            .sites
            .iter()
            .map(|s| s.id.as_str())
            .collect();
        let months = crate::model::investor::reported::parse(text, &ids)
            .map_err(|e| ApiError::InvalidInput(e.to_string()))?;
        let n = svc.sites.import_reported(&months, source, actor).await?;
        svc.overview_cache.invalidate();
        Ok(n)
    }
}

/// Every site with today's split and the caller's right to edit.
#[leptos::server(endpoint = "get_sites")]
pub async fn get_sites() -> Result<SitesView, crate::api::error::ApiError> {
    super::server_fn::run(super::auth::Role::Viewer, move |svc, me| async move {
        service::sites_view(&svc, me.may(super::auth::Role::Operator)).await
    })
    .await
}

// JSON: its arguments hold tagged enums and numbers, which URL-encoded forms flatten to text.
#[leptos::server(endpoint = "add_site", input = leptos::server_fn::codec::Json)]
pub async fn add_site(site: SiteDoc) -> Result<SiteDetail, crate::api::error::ApiError> {
    super::server_fn::run(super::auth::Role::Operator, move |svc, me| async move {
        service::add_site(&svc, site, &me.actor()).await
    })
    .await
}

// JSON: its arguments hold tagged enums and numbers, which URL-encoded forms flatten to text.
#[leptos::server(endpoint = "patch_site", input = leptos::server_fn::codec::Json)]
pub async fn patch_site(
    id: String,
    patch: SitePatch,
) -> Result<SiteDetail, crate::api::error::ApiError> {
    super::server_fn::run(super::auth::Role::Operator, move |svc, me| async move {
        service::patch_site(&svc, &id, patch, &me.actor()).await
    })
    .await
}

#[leptos::server(endpoint = "retire_site")]
pub async fn retire_site(id: String) -> Result<SiteDetail, crate::api::error::ApiError> {
    super::server_fn::run(super::auth::Role::Operator, move |svc, me| async move {
        service::retire_site(&svc, &id, &me.actor()).await
    })
    .await
}

// JSON: its arguments hold tagged enums and numbers, which URL-encoded forms flatten to text.
#[leptos::server(endpoint = "add_contract", input = leptos::server_fn::codec::Json)]
pub async fn add_contract(
    site_id: String,
    contract: ContractDoc,
) -> Result<SiteDetail, crate::api::error::ApiError> {
    super::server_fn::run(super::auth::Role::Operator, move |svc, me| async move {
        service::add_contract(&svc, &site_id, contract, &me.actor()).await
    })
    .await
}

// JSON: its arguments hold tagged enums and numbers, which URL-encoded forms flatten to text.
#[leptos::server(endpoint = "patch_contract", input = leptos::server_fn::codec::Json)]
pub async fn patch_contract(
    id: String,
    patch: ContractPatch,
) -> Result<SiteDetail, crate::api::error::ApiError> {
    super::server_fn::run(super::auth::Role::Operator, move |svc, me| async move {
        service::patch_contract(&svc, &id, patch, &me.actor()).await
    })
    .await
}

#[leptos::server(endpoint = "end_contract")]
pub async fn end_contract(id: String) -> Result<SiteDetail, crate::api::error::ApiError> {
    super::server_fn::run(super::auth::Role::Operator, move |svc, me| async move {
        service::end_contract(&svc, &id, &me.actor()).await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::company::portfolio::Portfolio;

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let mut c = ContractDoc {
            register: Default::default(),
            id: "c".into(),
            tenant: "T".into(),
            start_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            ramp_months: 2,
            end_on: None,
            power_pass_through: true,
            devices: vec![],
            terms: LeaseTerms::Colocation {
                critical_mw: 10.0,
                usd_per_kw_month: 120.0,
                escalator_pct_per_year: 3.0,
            },
            sla: None,
        };
        ContractPatch {
            version: 1,
            terms: Some(LeaseTerms::Colocation {
                critical_mw: 10.0,
                usd_per_kw_month: 150.0,
                escalator_pct_per_year: 3.0,
            }),
            ..Default::default()
        }
        .apply_to(&mut c);
        assert_eq!(c.tenant, "T");
        assert_eq!(c.ramp_months, 2);
        assert!(
            matches!(c.terms, LeaseTerms::Colocation { usd_per_kw_month, .. } if usd_per_kw_month == 150.0)
        );
    }

    #[test]
    fn a_gpu_contract_without_devices_sharing_a_site_is_warned_about() {
        let doc: Portfolio = serde_json::from_str(
            r#"{"sites":[{"id":"s","name":"S","capacity_mw":50,"initial_mining_mw":0,"power_usd_per_kwh":0.05,
              "pue_ai":1.3,"mining_uptime":1,"pool_fee_pct":0,
              "contracts":[
                {"id":"a","tenant":"A","start_on":"2026-01-01","devices":["node-a"],
                 "terms":{"kind":"gpu_hours","gpus":8,"usd_per_gpu_hour":2,"utilisation":0.9,"server_kw_per_gpu":1.2}},
                {"id":"b","tenant":"B","start_on":"2026-01-01",
                 "terms":{"kind":"gpu_hours","gpus":8,"usd_per_gpu_hour":2,"utilisation":0.9,"server_kw_per_gpu":1.2}}]}]}"#,
        )
        .unwrap();
        let w = site_warnings(&doc.sites[0]);
        assert_eq!(w.len(), 1);
        assert!(w[0].starts_with("contract b names no nodes"), "{w:?}");
    }
}
