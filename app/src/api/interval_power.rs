//! (ssr) Interval power prices turned into site-days: what each site with index or fixed terms
//! paid for power, and the share of each day it mined. The overview's history and the risk
//! bands' power costs both come from here.
#![cfg(feature = "ssr")]

use chrono::NaiveDate;

use crate::api::error::ApiError;
use crate::api::ports::Services;

/// Site-days of `[from, to]` costed at interval prices, for sites with index terms; and a
/// note per site saying where its power cost comes from.
pub async fn interval_power(
    svc: &Services,
    sites: &[crate::model::company::site::Site],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<
    (
        std::collections::BTreeMap<(NaiveDate, String), crate::model::power::days::PowerDay>,
        Vec<crate::model::power::days::PowerNote>,
    ),
    ApiError,
> {
    use crate::model::power::days::{power_days, PowerNote};
    let terms = svc.power.site_terms().await?;
    let mut days = std::collections::BTreeMap::new();
    let mut notes = Vec::new();
    let market = svc
        .market
        .days(from - chrono::Duration::days(7), to)
        .await?;
    let hashprice: std::collections::BTreeMap<NaiveDate, f64> = market
        .iter()
        .map(|d| (d.date, d.hashprice_usd_per_ph_day() / 1_000.0))
        .collect();
    let of_day = |d: NaiveDate| hashprice.range(..=d).next_back().map_or(0.0, |(_, v)| *v);
    let (start, end) = (
        crate::model::company::range::start_of_day(from),
        crate::model::company::range::start_of_day(to + chrono::Duration::days(1)),
    );
    for site in sites {
        let Some((_, t)) = terms.iter().find(|(id, _)| *id == site.id) else {
            notes.push(PowerNote {
                site: site.id.clone(),
                kind: crate::model::power::contract::ContractKind::Flat,
                point: None,
                intervals: 0,
            });
            continue;
        };
        let prices = match (&t.contract, t.contract.point()) {
            (c, Some(point)) => {
                svc.power
                    .prices(point, c.energy_weighted(), start, end)
                    .await?
            }
            (crate::model::power::contract::PowerContract::Fixed { usd_per_mwh }, None) => {
                let today = crate::model::company::range::start_of_day(
                    svc.clock.today() + chrono::Duration::days(1),
                );
                crate::model::power::contract::fixed_intervals(start, end.min(today), *usd_per_mwh)
            }
            _ => Vec::new(),
        };
        let point = t.contract.point();
        for (date, d) in power_days(site, t, &prices, of_day) {
            days.insert((date, site.id.clone()), d);
        }
        notes.push(PowerNote {
            site: site.id.clone(),
            kind: t.contract.kind(),
            point: point.map(str::to_string),
            intervals: prices.len() as u32,
        });
    }
    Ok((days, notes))
}
