//! What a tenant principal may see: the GPUs its contracts cover and its own ledger. Staff see
//! everything; every staff-only route refuses a tenant by role before it gets here.

use std::collections::BTreeMap;

use crate::model::ai::lease::LeaseContract;
use crate::model::ai::sla::in_scope;
use crate::model::fleet::devices::{Device, DeviceKind};

use super::auth::{Principal, Role};
use super::error::ApiError;
use super::ports::Services;

/// A tenant's contracts; `None` from `of` for staff (no restriction).
#[derive(Debug, Clone)]
pub struct TenantScope {
    pub tenant: String,
    pub contracts: Vec<LeaseContract>,
    /// Lease contracts per site (all tenants'): a contract naming no devices covers its site
    /// only when it is the only one there.
    pub leases: BTreeMap<String, usize>,
}

/// How many lease contracts each site holds.
pub fn leases_by_site(sites: &[crate::model::company::site::Site]) -> BTreeMap<String, usize> {
    sites
        .iter()
        .map(|s| (s.id.clone(), s.contracts.len()))
        .collect()
}

impl TenantScope {
    /// The caller's scope: `None` for staff, the contracts of its tenant for a tenant (a tenant
    /// principal without a tenant sees nothing, not everything).
    pub async fn of(svc: &Services, who: &Principal) -> Result<Option<TenantScope>, ApiError> {
        if who.role != Role::Tenant {
            return Ok(None);
        }
        let tenant = who.tenant.clone().unwrap_or_default();
        let sites = svc.sites.list_sites().await?;
        let leases = leases_by_site(&sites);
        let contracts = sites
            .into_iter()
            .flat_map(|s| s.contracts)
            .filter(|c| !tenant.is_empty() && c.tenant == tenant)
            .collect();
        Ok(Some(TenantScope {
            tenant,
            contracts,
            leases,
        }))
    }

    /// A GPU its contracts cover (ASICs never: a tenant rents GPUs, not the miners beside them).
    pub fn sees(&self, d: &Device) -> bool {
        d.kind == DeviceKind::Gpu
            && self.contracts.iter().any(|c| {
                let at_site = self.leases.get(&c.site_id).copied().unwrap_or(1);
                in_scope(c, at_site, &d.site, &d.id)
            })
    }
}

/// Keeps what `scope` may see (everything without one).
pub fn visible(scope: Option<&TenantScope>, devices: &mut Vec<Device>) {
    if let Some(s) = scope {
        devices.retain(|d| s.sees(d));
    }
}
