//! Fleet over the seam: a page of the device table and the fleet summary.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
pub use super::types::NewDevice;
use crate::model::fleet::devices::{DeviceKind, DevicePage, DeviceQuery, FleetSummary};
use crate::model::fleet::protocol::{AddressForm, Protocol};

impl NewDevice {
    /// Rejects addresses the poller could not use, and oversized fields.
    pub fn validate(&self) -> Result<(), ApiError> {
        let bad = |m: &str| Err(ApiError::InvalidInput(m.to_string()));
        if self.site.trim().is_empty() || self.site.len() > 100 {
            return bad("site: must be 1 to 100 characters");
        }
        if self.model.as_ref().is_some_and(|m| m.len() > 100) {
            return bad("model: at most 100 characters");
        }
        if self.address.len() > 300
            || self
                .address
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return bad("address: at most 300 characters, no spaces");
        }
        if let Some(env) = &self.credentials_env {
            if env.is_empty()
                || env.len() > 64
                || !env
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            {
                return bad("credentials_env: the name of an environment variable prefix (A-Z, 0-9, _; at most 64), e.g. BOS_PECOS");
            }
        }
        match self.kind {
            DeviceKind::Asic => match self.protocol.address_form() {
                AddressForm::HostPort => {
                    let (host, port) = self
                        .address
                        .rsplit_once(':')
                        .ok_or(ApiError::InvalidInput("address: expected host:port".into()))?;
                    if host.is_empty() || port.parse::<u16>().map_or(true, |p| p == 0) {
                        return bad("address: expected host:port with a port from 1 to 65535");
                    }
                }
                AddressForm::BaseUrl => {
                    if !self.address.starts_with("http://") || self.address.len() <= "http://".len()
                    {
                        return bad("address: this protocol is read over HTTP: expected a base URL, e.g. http://10.0.0.5");
                    }
                }
            },
            DeviceKind::Gpu if self.protocol != Protocol::Cgminer => {
                return bad("protocol: GPUs are read from DCGM exporter; leave protocol out");
            }
            DeviceKind::Gpu => {
                if !self.address.starts_with("http://") || self.address.len() <= "http://".len() {
                    return bad("address: expected an http:// URL of a DCGM exporter, e.g. http://10.0.0.5:9400/metrics");
                }
            }
        }
        Ok(())
    }
}

/// A page of the device table, with the fleet summary of the same moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FleetView {
    pub summary: FleetSummary,
    pub page: DevicePage,
    /// Every device's status by site (blocks of devices in a large fleet), for the heatmap.
    pub grid: crate::model::fleet::devices::StatusGrid,
}

/// The device table page and summary.
#[server(endpoint = "get_fleet")]
pub async fn get_fleet(query: DeviceQuery) -> Result<FleetView, ApiError> {
    super::server_fn::run(super::auth::Role::Tenant, move |svc, me| async move {
        let fleet = svc.fleet.clone();
        // A tenant's table, totals and map are of its own GPUs only.
        if let Some(scope) = super::tenant::TenantScope::of(&svc, &me).await? {
            let mut devices = fleet.devices().await;
            super::tenant::visible(Some(&scope), &mut devices);
            devices.sort_by(|a, b| a.id.cmp(&b.id));
            return Ok(FleetView {
                summary: crate::model::fleet::devices::summarize(
                    &devices,
                    fleet.summary().await.at,
                    0,
                ),
                page: crate::model::fleet::devices::page(&devices, &query),
                grid: crate::model::fleet::devices::status_grid(&devices, 12_000),
            });
        }
        Ok(FleetView {
            summary: fleet.summary().await,
            page: fleet.page(&query).await,
            grid: crate::model::fleet::devices::StatusGrid::clone(&*fleet.status_grid().await),
        })
    })
    .await
}

/// A device's latest state and its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DeviceHistory {
    pub device: Option<crate::model::fleet::devices::Device>,
    pub hours: u32,
    pub points: Vec<crate::model::fleet::devices::SamplePoint>,
}

/// Ranges the device view offers, hours.
pub const HISTORY_HOURS: [u32; 4] = [1, 24, 168, 720];

/// One device's state and history over the last `hours` (1, 24, 168 or 720).
#[server(endpoint = "get_device_history")]
pub async fn get_device_history(id: String, hours: u32) -> Result<DeviceHistory, ApiError> {
    super::server_fn::run(super::auth::Role::Tenant, move |svc, me| async move {
        // Another tenant's device (or a miner) is not found, not forbidden: its existence
        // is not the tenant's to learn.
        if let Some(scope) = super::tenant::TenantScope::of(&svc, &me).await? {
            let mine = svc.fleet.device(&id).await.is_some_and(|d| scope.sees(&d));
            if !mine {
                return Err(ApiError::NotFound(format!("device {id}")));
            }
        }
        device_history(id, hours).await
    })
    .await
}

/// (ssr) Discovery, shared by `POST /api/v1/devices/scan` and the fleet page's form.
#[cfg(feature = "ssr")]
pub mod service {
    use super::*;
    use crate::api::ports::Services;
    use crate::model::fleet::discovery::{ScanReport, ScanRequest};

    /// Scans the range; with `add`, registers the miners not registered yet, each audited.
    pub async fn scan(
        svc: &Services,
        actor: &str,
        req: ScanRequest,
    ) -> Result<ScanReport, ApiError> {
        let range = req.range().map_err(ApiError::InvalidInput)?;
        let site = req
            .site
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_string();
        if req.add && !svc.sites.list_sites().await?.iter().any(|s| s.id == site) {
            return Err(ApiError::InvalidInput(format!("site: no site {site:?}")));
        }
        let registered = svc
            .fleet
            .devices()
            .await
            .into_iter()
            .map(|d| d.address)
            .collect();
        let mut report = svc.fleet.scan(range, req.port, &registered).await;
        if req.add {
            for found in report.found.iter_mut().filter(|f| !f.already_registered) {
                let id = svc
                    .fleet
                    .add_device(NewDevice {
                        kind: DeviceKind::Asic,
                        address: found.address.clone(),
                        site: site.clone(),
                        model: Some(found.model.clone()),
                        protocol: found.protocol,
                        credentials_env: None,
                    })
                    .await?;
                found.added = true;
                let detail = format!("found by a scan of {}", req.cidr.trim());
                if let Err(e) = svc.accounts.record(actor, "device.add", &id, &detail).await {
                    leptos::logging::warn!("audit log write failed: {e}");
                }
            }
        }
        Ok(report)
    }
}

/// Registers one device (operators); the fleet page's "Register a device" form. The same
/// checks as `POST /api/v1/devices`, audited as `device.add`.
#[server(endpoint = "register_device")]
pub async fn register_device(device: NewDevice) -> Result<String, ApiError> {
    super::server_fn::run(super::auth::Role::Operator, move |svc, me| async move {
        let detail = format!("{} over {}", device.address, device.protocol.as_str());
        let id = svc.fleet.add_device(device).await?;
        if let Err(e) = svc
            .accounts
            .record(&me.actor(), "device.add", &id, &detail)
            .await
        {
            leptos::logging::warn!("audit log write failed: {e}");
        }
        Ok(id)
    })
    .await
}

/// Scans a range for miners (operators); the fleet page's "Scan a range" form.
#[server(endpoint = "scan_devices")]
pub async fn scan_devices(
    req: crate::model::fleet::discovery::ScanRequest,
) -> Result<crate::model::fleet::discovery::ScanReport, ApiError> {
    super::server_fn::run(super::auth::Role::Operator, move |svc, me| async move {
        service::scan(&svc, &me.actor(), req).await
    })
    .await
}

#[cfg(feature = "ssr")]
async fn device_history(id: String, hours: u32) -> Result<DeviceHistory, ApiError> {
    if !HISTORY_HOURS.contains(&hours) {
        return Err(ApiError::InvalidInput(format!(
            "hours: one of {HISTORY_HOURS:?}"
        )));
    }
    let fleet = super::ports::services()?.fleet;
    let device = fleet.device(&id).await;
    let points = fleet.history(&id, hours).await?;
    if device.is_none() && points.is_empty() {
        return Err(ApiError::NotFound(format!("device {id}")));
    }
    Ok(DeviceHistory {
        device,
        hours,
        points,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(kind: DeviceKind, address: &str) -> NewDevice {
        NewDevice {
            kind,
            address: address.into(),
            site: "pecos-ridge".into(),
            model: None,
            protocol: Protocol::Cgminer,
            credentials_env: None,
        }
    }

    #[test]
    fn addresses_are_checked_by_kind() {
        assert!(dev(DeviceKind::Asic, "10.0.0.5:4028").validate().is_ok());
        assert!(dev(DeviceKind::Asic, "10.0.0.5").validate().is_err());
        assert!(dev(DeviceKind::Asic, "10.0.0.5:0").validate().is_err());
        assert!(dev(DeviceKind::Asic, "10.0.0.5:4028\n").validate().is_err());
        assert!(dev(DeviceKind::Gpu, "http://10.0.0.5:9400/metrics")
            .validate()
            .is_ok());
        assert!(dev(DeviceKind::Gpu, "10.0.0.5:9400").validate().is_err());
        assert!(NewDevice {
            site: "".into(),
            ..dev(DeviceKind::Asic, "a:1")
        }
        .validate()
        .is_err());
    }

    #[test]
    fn each_protocol_takes_its_address_form_and_a_credentials_name() {
        let with = |protocol, address: &str, env: Option<&str>| NewDevice {
            protocol,
            credentials_env: env.map(str::to_string),
            ..dev(DeviceKind::Asic, address)
        };
        assert!(with(Protocol::WhatsminerV3, "10.0.0.5:4433", None)
            .validate()
            .is_ok());
        assert!(with(Protocol::Fluxos, "10.0.0.5:4028", None)
            .validate()
            .is_ok());
        assert!(
            with(Protocol::BraiinsRest, "http://10.0.0.5", Some("BOS_PECOS"))
                .validate()
                .is_ok()
        );
        assert!(with(Protocol::Axeos, "http://10.0.0.9", None)
            .validate()
            .is_ok());
        // An HTTP API needs a URL; a TCP one host:port.
        assert!(with(Protocol::BraiinsRest, "10.0.0.5:80", None)
            .validate()
            .is_err());
        assert!(with(Protocol::WhatsminerV3, "http://10.0.0.5", None)
            .validate()
            .is_err());
        // A credentials name is a name, not a secret with spaces or a lower-case password.
        assert!(
            with(Protocol::BraiinsRest, "http://a", Some("hunter2 pass"))
                .validate()
                .is_err()
        );
        assert!(with(Protocol::BraiinsRest, "http://a", Some(""))
            .validate()
            .is_err());
        assert!(NewDevice {
            protocol: Protocol::Axeos,
            ..dev(DeviceKind::Gpu, "http://10.0.0.5:9400/metrics")
        }
        .validate()
        .is_err());
    }
}
