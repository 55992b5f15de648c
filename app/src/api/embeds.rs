//! Embed tokens over the seam (admin) and the read-only assembly of an embed's public data.
//!
//! `service::embed_data` is the only path from an embed token to data: it takes the grant (one
//! view, some sites) and builds that view's `EmbedData` from read ports. It has no principal and
//! touches no write port, so an embed cannot reach anything but its own view.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
pub use super::types::{CreatedEmbed, EmbedGrant, EmbedRow};
use crate::model::investor::embed::EmbedSpec;

/// The admin page's embed section: the tokens and the sites one may cover.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EmbedsView {
    pub embeds: Vec<EmbedRow>,
    pub sites: Vec<crate::model::timeline::milestones::SiteBrief>,
}

#[server(endpoint = "get_embeds")]
pub async fn get_embeds() -> Result<EmbedsView, ApiError> {
    super::server_fn::run(super::auth::Role::Admin, move |svc, _| async move {
        Ok(EmbedsView {
            embeds: svc.embeds.list().await?,
            sites: svc
                .sites
                .list_sites()
                .await?
                .into_iter()
                .map(|s| crate::model::timeline::milestones::SiteBrief {
                    id: s.id,
                    name: s.name,
                    capacity_mw: s.capacity_mw,
                })
                .collect(),
        })
    })
    .await
}

#[server(endpoint = "create_embed")]
pub async fn create_embed(spec: EmbedSpec) -> Result<CreatedEmbed, ApiError> {
    super::server_fn::run(super::auth::Role::Admin, move |svc, me| async move {
        service::create(&svc, spec, &me.actor()).await
    })
    .await
}

#[server(endpoint = "revoke_embed")]
pub async fn revoke_embed(id: i64) -> Result<(), ApiError> {
    super::server_fn::run(super::auth::Role::Admin, move |svc, me| async move {
        svc.embeds.revoke(id, &me.actor()).await
    })
    .await
}

#[cfg(feature = "ssr")]
pub mod service {
    use crate::model::investor::embed::EmbedView;
    use chrono::{Datelike, DurationRound, Months, NaiveDate, Utc};

    use super::*;
    use crate::api::ports::Services;
    use crate::model::company::site::Site;
    use crate::model::investor::embed::{
        monthly, EmbedData, EmbedPayload, FleetTotals, PublicMilestone,
    };
    use crate::model::timeline::milestones;

    /// Months of history and of projection an embed shows.
    const MONTHS_BACK: u32 = 24;
    const MONTHS_AHEAD: u32 = 36;

    /// Validates the spec (sites must exist) and stores a new embed token.
    pub async fn create(
        svc: &Services,
        spec: EmbedSpec,
        actor: &str,
    ) -> Result<CreatedEmbed, ApiError> {
        let spec = spec.validated()?;
        let known = svc.sites.list_sites().await?;
        if let Some(unknown) = spec
            .sites
            .iter()
            .find(|id| !known.iter().any(|s| &s.id == *id))
        {
            return Err(ApiError::InvalidInput(format!(
                "sites: no site {unknown:?}"
            )));
        }
        svc.embeds.create(&spec, actor).await
    }

    fn covered(sites: Vec<Site>, grant: &EmbedGrant) -> Vec<Site> {
        sites
            .into_iter()
            .filter(|s| grant.sites.is_empty() || grant.sites.contains(&s.id))
            .collect()
    }

    /// A closed month's production figures for the covered sites: `month`, else the newest
    /// closed month. A month that is not closed is `NotFound`: an embed publishes closed
    /// figures only, never live ones.
    async fn production(
        svc: &Services,
        grant: &EmbedGrant,
        sites: &[Site],
        month: Option<&str>,
    ) -> Result<EmbedPayload, ApiError> {
        use crate::model::investor::embed::{ProductionLine, PRODUCTION_FIGURES};
        use crate::model::investor::monthly_close::{figure_lines, SiteMonth};
        let month = match month {
            Some(m) => m.to_string(),
            None => svc
                .sites
                .closed_months()
                .await?
                .into_iter()
                .next()
                .map(|r| r.month)
                .ok_or_else(|| ApiError::NotFound("no closed month".into()))?,
        };
        let closed = crate::api::reports::service::read(svc, &month, None).await?;
        let f = &closed.figures;
        // The company's total only when the token covers every site.
        let columns: Vec<&SiteMonth> = if grant.sites.is_empty() {
            vec![&f.total]
        } else {
            f.sites
                .iter()
                .filter(|m| sites.iter().any(|s| s.id == m.site))
                .collect()
        };
        let lines: Vec<_> = columns.iter().map(|m| figure_lines(m)).collect();
        let value = |col: usize, figure: &str| {
            lines[col]
                .iter()
                .find(|(name, _)| *name == figure)
                .and_then(|(_, v)| *v)
        };
        let first = columns.first().map(|m| m.site.clone()).unwrap_or_default();
        let rows = PRODUCTION_FIGURES
            .iter()
            .map(|figure| ProductionLine {
                figure: figure.to_string(),
                values: (0..columns.len()).map(|i| value(i, figure)).collect(),
                month_on_month_pct: closed.month_on_month.as_ref().and_then(|c| {
                    c.lines
                        .iter()
                        .find(|l| l.site == first && l.figure == *figure)
                        .and_then(|l| l.change_pct)
                }),
            })
            .collect();
        let name = |id: &str| {
            sites
                .iter()
                .find(|s| s.id == id)
                .map_or_else(|| id.to_string(), |s| s.name.clone())
        };
        Ok(EmbedPayload::Production {
            month: closed.month.clone(),
            version: closed.version,
            closed_at: closed.closed_at,
            columns: columns.iter().map(|m| name(&m.site)).collect(),
            rows,
        })
    }

    /// The public data of the granted view (`month`: the production view's month).
    pub async fn embed_data(
        svc: &Services,
        grant: &EmbedGrant,
        month: Option<&str>,
    ) -> Result<EmbedData, ApiError> {
        let today = svc.clock.today();
        let sites = covered(svc.sites.list_sites().await?, grant);
        let month_start = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
        let from = month_start - Months::new(MONTHS_BACK);
        let to = month_start + Months::new(MONTHS_AHEAD + 1) - chrono::Duration::days(1);
        // Market-based views are as of the market day (stable all day, so ETags hold until the
        // data changes); the fleet is as of its last poll cycle, to the minute.
        let mut as_of = crate::model::company::range::start_of_day(today);
        let payload = match grant.view {
            EmbedView::RevenueMix => {
                let ids: Vec<&str> = sites.iter().map(|s| s.id.as_str()).collect();
                let days =
                    crate::api::economics::service::load_revenue(svc, from, to, None).await?;
                let days: Vec<_> = days
                    .into_iter()
                    .filter(|d| ids.contains(&d.site.as_str()))
                    .collect();
                EmbedPayload::RevenueMix {
                    months: monthly(&days),
                }
            }
            EmbedView::MwConverted => EmbedPayload::MwConverted {
                mix: milestones::mw_mix(&sites, &milestones::month_starts(from, to)),
            },
            EmbedView::Timeline => {
                let all = svc.timeline.milestones().await?;
                let statuses = milestones::statuses(&all, today);
                let mut milestones: Vec<PublicMilestone> = all
                    .iter()
                    .zip(statuses)
                    .filter_map(|(m, status)| {
                        let site = sites.iter().find(|s| s.id == m.site_id)?;
                        Some(PublicMilestone {
                            site: site.name.clone(),
                            title: m.title.clone(),
                            kind: m.kind,
                            start: m.start(),
                            end: m.forecast_end().max(m.start()),
                            status,
                            mw: m.mw,
                        })
                    })
                    .collect();
                let position = |name: &str| {
                    sites
                        .iter()
                        .position(|s| s.name == name)
                        .unwrap_or(usize::MAX)
                };
                milestones.sort_by(|a, b| {
                    (position(&a.site), a.start).cmp(&(position(&b.site), b.start))
                });
                EmbedPayload::Timeline { milestones, today }
            }
            EmbedView::FleetSummary => {
                let devices: Vec<_> = svc
                    .fleet
                    .devices()
                    .await
                    .into_iter()
                    .filter(|d| sites.iter().any(|s| s.id == d.site))
                    .collect();
                let live = svc.fleet.summary().await;
                let at = live.at.unwrap_or_else(Utc::now);
                as_of = at
                    .duration_trunc(chrono::TimeDelta::minutes(1))
                    .unwrap_or(at);
                let summary =
                    crate::model::fleet::devices::summarize(&devices, live.at, live.poll_lag_ms);
                EmbedPayload::FleetSummary {
                    totals: FleetTotals::from(&summary),
                }
            }
            EmbedView::Kpis => EmbedPayload::Kpis {
                kpis: crate::api::economics::service::sector_kpis(svc, Some(&sites)).await?,
            },
            EmbedView::Production => {
                let p = production(svc, grant, &sites, month).await?;
                if let EmbedPayload::Production { closed_at, .. } = &p {
                    as_of = *closed_at;
                }
                p
            }
        };
        let status = crate::api::status::data_status(svc).await?;
        Ok(EmbedData {
            view: grant.view,
            title: grant.view.title().to_string(),
            sites: sites.iter().map(|s| s.name.clone()).collect(),
            as_of,
            today,
            simulated: status.simulated,
            payload,
        })
    }
}
