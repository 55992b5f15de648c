//! The tenants' SLA ledger over the seam: per contract and month, the fee, the availability
//! telemetry measured, the credit owed and the net. A tenant sees its own contracts only.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use crate::model::ai::sla::LedgerRow;

/// One month of the ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SlaLedger {
    /// `YYYY-MM`.
    pub month: String,
    /// The last day counted (the month's last, or today in the month in progress).
    pub through: chrono::NaiveDate,
    pub rows: Vec<LedgerRow>,
}

/// The ledger of `month` (`YYYY-MM`; empty: this month).
#[server(endpoint = "get_sla_ledger")]
pub async fn get_sla_ledger(month: String) -> Result<SlaLedger, ApiError> {
    super::server_fn::run(super::auth::Role::Tenant, move |svc, me| async move {
        let svc = svc;
        service::ledger(&svc, &me, &month).await
    })
    .await
}

/// (ssr) Shared by the server function, `GET /api/v1/sla` and its CSV.
#[cfg(feature = "ssr")]
pub mod service {
    use super::*;
    use crate::api::auth::Principal;
    use crate::api::ports::Services;
    use crate::api::tenant::TenantScope;
    use crate::model::ai::sla::{ledger_row, month_of, parse_month};

    pub async fn ledger(
        svc: &Services,
        who: &Principal,
        month: &str,
    ) -> Result<SlaLedger, ApiError> {
        let today = svc.clock.today();
        let first = if month.trim().is_empty() {
            month_of(today).0
        } else {
            parse_month(month.trim()).ok_or_else(|| {
                ApiError::InvalidInput(format!("month: expected YYYY-MM, got {month:?}"))
            })?
        };
        if first > today {
            return Err(ApiError::InvalidInput(format!(
                "month: {month} has not started"
            )));
        }
        let (_, days) = month_of(first);
        let last = first + chrono::Duration::days(i64::from(days) - 1);
        let through = last.min(today);
        let scope = TenantScope::of(svc, who).await?;
        let sites = svc.sites.list_sites().await?;
        let leases = crate::api::tenant::leases_by_site(&sites);
        let contracts: Vec<_> = match &scope {
            Some(s) => s.contracts.clone(),
            None => sites.into_iter().flat_map(|s| s.contracts).collect(),
        };
        let mut rows = Vec::new();
        for c in contracts
            .iter()
            .filter(|c| c.start_on <= through && c.end_on.is_none_or(|e| e >= first))
        {
            let at_site = leases.get(&c.site_id).copied().unwrap_or(1);
            let measured = svc.fleet.sla_measures(c, at_site, first, through).await?;
            rows.push(ledger_row(
                c,
                first,
                through,
                svc.clock.now(),
                measured.get(&first).copied(),
            ));
        }
        Ok(SlaLedger {
            month: first.format("%Y-%m").to_string(),
            through,
            rows,
        })
    }
}
