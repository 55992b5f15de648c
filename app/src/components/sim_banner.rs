//! The SIMULATED DATA banner (names exactly what is simulated) and the stale-market warning, on
//! every page.

use leptos::prelude::*;

use crate::api::status::{get_data_status, DataStatus};
use crate::i18n::{numbers, Texts};
use crate::locale::{t, use_lang};

#[component]
pub fn SimBanner() -> impl IntoView {
    let status = Resource::new(|| (), |_| get_data_status());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let tx = t();
                match status.await {
                    Ok(s) => Some(view! { {demo(&s, tx)} {simulated(&s, tx)} {stale(&s, tx)} }.into_any()),
                    Err(e) => Some(view! { <div class="sim-banner" role="status">{tx.banner.status_unknown} {e.to_string()}</div> }.into_any()),
                }
            })}
        </Suspense>
    }
}

/// The illustrative company is never mistaken for a real one; an empty portfolio says, on
/// every page, where to start.
fn demo(s: &DataStatus, tx: &'static Texts) -> Option<impl IntoView> {
    let (test_id, badge, words) = if s.demo_sites > 0 {
        ("demo-banner", tx.sites.demo_badge, tx.sites.demo_note)
    } else if s.sites == 0 {
        ("empty-banner", tx.sites.empty_title, tx.sites.empty_body)
    } else {
        return None;
    };
    Some(view! {
        <div class="sim-banner demo-banner" role="status" data-testid=test_id>
            <strong>{badge}</strong>" "{words}" "
            <a href="/sites">{tx.nav.sites}" →"</a>
        </div>
    })
}

fn simulated(s: &DataStatus, tx: &'static Texts) -> Option<impl IntoView> {
    let b = &tx.banner;
    let parts = match (s.market_simulated, s.fleet_simulated) {
        (true, true) => b.part_both.to_string(),
        (true, false) => b.part_market.to_string(),
        (false, true) => b.part_fleet.to_string(),
        (false, false) => return None,
    };
    let lang = use_lang();
    let market = s.market_simulated.then(|| match s.market_as_of {
        Some(d) => (b.market_after)(&numbers::date(lang, d)),
        None => b.market_simulated.to_string(),
    });
    let fleet = s.fleet_simulated.then_some(b.fleet_simulated);
    Some(view! {
        <div class="sim-banner" role="status" data-testid="sim-banner">
            <strong>{b.simulated}</strong>
            {(b.simulated_parts)(&parts)}
            {market}
            {fleet}
        </div>
    })
}

fn stale(s: &DataStatus, tx: &'static Texts) -> Option<impl IntoView> {
    let feed = s.market_feed.as_ref()?;
    let since = feed.stale_since?;
    let text = match feed.fetched_at {
        Some(_) => (tx.banner.stale_since)(&numbers::utc_minute(use_lang(), since), &feed.host),
        None => (tx.banner.stale_never)(&feed.host),
    };
    Some(view! { <div class="stale-banner" role="status" data-testid="stale-banner">{text}</div> })
}
