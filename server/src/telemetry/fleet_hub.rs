//! `FleetHub`: the `FleetService` the app sees — the poller's cache for reads, the store for
//! the device registry.

use std::sync::Arc;

use async_trait::async_trait;

use app::api::error::ApiError;
use app::api::fleet::NewDevice;
use app::api::ports::FleetService;
use app::model::fleet::devices::{
    Device, DevicePage, DeviceQuery, FleetSummary, SamplePoint, StatusGrid,
};

use super::fleet_cache::FleetCache;
use crate::store::{DeviceSpec, Store};

pub struct FleetHub {
    pub store: Arc<Store>,
    pub cache: Arc<FleetCache>,
}

#[async_trait]
impl FleetService for FleetHub {
    async fn devices(&self) -> Vec<Device> {
        self.cache.snapshot().await
    }

    async fn device(&self, id: &str) -> Option<Device> {
        self.cache.device(id).await
    }

    async fn page(&self, query: &DeviceQuery) -> DevicePage {
        self.cache.page(query).await
    }

    async fn status_grid(&self) -> Arc<StatusGrid> {
        self.cache.status_grid().await
    }

    async fn summary(&self) -> FleetSummary {
        FleetSummary::clone(&self.cache.shared_summary().await.summary)
    }

    async fn summary_json(&self) -> (u64, Arc<str>) {
        let s = self.cache.shared_summary().await;
        (s.generation, s.json)
    }

    async fn scan(
        &self,
        range: app::model::fleet::discovery::Cidr,
        port: u16,
        registered: &std::collections::HashSet<String>,
    ) -> app::model::fleet::discovery::ScanReport {
        super::discovery::scan(range, port, registered, super::discovery::limits()).await
    }

    async fn add_device(&self, d: NewDevice) -> Result<String, ApiError> {
        d.validate()?;
        // A device belongs to a site of the portfolio; a typo must not create a phantom one.
        let sites = self.store.sites().await?;
        let today = chrono::Utc::now().date_naive();
        match sites.iter().find(|s| s.id == d.site) {
            None => {
                let known: Vec<&str> = sites.iter().map(|s| s.id.as_str()).collect();
                return Err(ApiError::InvalidInput(format!(
                    "site: no site {:?} in the portfolio (sites: {}); add it on /sites first",
                    d.site,
                    if known.is_empty() {
                        "none yet".to_string()
                    } else {
                        known.join(", ")
                    }
                )));
            }
            Some(s) if s.retired(today) => {
                return Err(ApiError::InvalidInput(format!(
                    "site: {} was retired on {}",
                    s.id,
                    s.retired_on.map(|d| d.to_string()).unwrap_or_default()
                )));
            }
            Some(_) => {}
        }
        // Ids are derived from the address so registering the same device twice is idempotent.
        let id = format!(
            "dev-{}",
            d.address
                .trim_start_matches("http://")
                .replace(['/', ':', '.'], "-")
                .trim_matches('-')
        );
        let spec = DeviceSpec {
            id: id.clone(),
            kind: d.kind,
            // Registered by address alone: the device's own answer names it on the first poll.
            model: d
                .model
                .unwrap_or_else(|| super::poller::UNKNOWN_MODEL.into()),
            site: d.site,
            address: d.address,
            protocol: d.protocol,
            credentials_env: d.credentials_env,
        };
        self.store.upsert_device(&spec, "api").await?;
        Ok(id)
    }

    async fn history(&self, id: &str, hours: u32) -> Result<Vec<SamplePoint>, ApiError> {
        Ok(self
            .store
            .device_history(id, chrono::Utc::now(), hours)
            .await?)
    }

    async fn site_days(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<app::model::mining::measured::TelemetryGroup>, ApiError> {
        Ok(self.store.site_days(from, to, chrono::Utc::now()).await?)
    }

    async fn sla_measures(
        &self,
        contract: &app::model::ai::lease::LeaseContract,
        leases_at_site: usize,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<
        std::collections::BTreeMap<chrono::NaiveDate, app::model::ai::sla::MonthMeasure>,
        ApiError,
    > {
        let months = self.store.gpu_months(&contract.site_id, from, to).await?;
        Ok(crate::store::measures(&months, |id| {
            app::model::ai::sla::in_scope(contract, leases_at_site, &contract.site_id, id)
        }))
    }

    async fn remove_device(&self, id: &str) -> Result<(), ApiError> {
        if self.store.remove_device(id).await? {
            Ok(())
        } else {
            Err(ApiError::NotFound(format!("device {id}")))
        }
    }
}
