//! The SIMULATED DATA banner: on every page while demo or bundled data is a source.

use leptos::prelude::*;

use crate::api::status::get_data_status;

#[component]
pub fn SimBanner() -> impl IntoView {
    let status = Resource::new(|| (), |_| get_data_status());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(s) if s.simulated => {
                        let as_of = s
                            .market_as_of
                            .map(|d| format!("Market snapshot of public figures through {d}; later days are simulated."))
                            .unwrap_or_default();
                        let fleet = if s.simulator_on { " Fleet and market are simulated on loopback." } else { "" };
                        Some(view! {
                            <div class="sim-banner" role="status" data-testid="sim-banner">
                                <strong>"SIMULATED DATA"</strong>
                                " — not for investment decisions. "
                                {as_of}
                                {fleet}
                            </div>
                        }.into_any())
                    }
                    Ok(_) => None,
                    Err(e) => Some(view! { <div class="sim-banner" role="status">"SIMULATED DATA (status unknown: " {e.to_string()} ")"</div> }.into_any()),
                }
            })}
        </Suspense>
    }
}
