//! The SIMULATED DATA banner (names exactly what is simulated) and the stale-market warning, on
//! every page.

use leptos::prelude::*;

use crate::api::status::{get_data_status, DataStatus};
use crate::format;

#[component]
pub fn SimBanner() -> impl IntoView {
    let status = Resource::new(|| (), |_| get_data_status());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(s) => Some(view! { {simulated(&s)} {stale(&s)} }.into_any()),
                    Err(e) => Some(view! { <div class="sim-banner" role="status">"Data status unknown: " {e.to_string()}</div> }.into_any()),
                }
            })}
        </Suspense>
    }
}

fn simulated(s: &DataStatus) -> Option<impl IntoView> {
    let parts = s.simulated_parts()?;
    let market = s.market_simulated.then(|| match s.market_as_of {
        Some(d) => {
            format!(" Market figures after {d} are simulated (bundled public figures before).")
        }
        None => " Market figures are simulated.".to_string(),
    });
    let fleet = s
        .fleet_simulated
        .then_some(" The fleet is simulated on loopback, speaking the real device protocols.");
    Some(view! {
        <div class="sim-banner" role="status" data-testid="sim-banner">
            <strong>"SIMULATED DATA"</strong>
            {format!(" ({parts}) — not for investment decisions.")}
            {market}
            {fleet}
        </div>
    })
}

fn stale(s: &DataStatus) -> Option<impl IntoView> {
    let feed = s.market_feed.as_ref()?;
    let since = feed.stale_since?;
    let text = match feed.fetched_at {
        Some(_) => format!(
            "Market data stale since {} — {} has not answered; figures shown are the last good ones.",
            format::utc_minute(since),
            feed.host
        ),
        None => format!(
            "Market data stale: {} has not answered yet; figures shown are stored ones.",
            feed.host
        ),
    };
    Some(view! { <div class="stale-banner" role="status" data-testid="stale-banner">{text}</div> })
}
