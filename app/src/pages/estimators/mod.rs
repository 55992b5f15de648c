//! `/estimators`: the conversion calculator, the GPU throughput estimator and the SHA-256d
//! measurement. Everything but the server-side SHA-256d run is computed in the browser by the
//! same model code the server uses.

#[cfg(feature = "hydrate")]
mod browser_sha256;
mod calc_params;
mod cash_fan;
mod conversion_calc;
mod flexibility;
mod gpu_estimator;
mod sha256_panel;

use leptos::prelude::*;

use crate::api::estimators::get_market_now;
use crate::components::error_panel::ErrorPanel;

#[component]
pub fn EstimatorsPage() -> impl IntoView {
    let market = Resource::new(|| (), |_| get_market_now());
    let tx = &crate::locale::t().estimators;
    view! {
        <section class="page">
            <div class="page-head">
                <h1>{tx.title}</h1>
                <span class="panel-note">{tx.note}</span>
            </div>
            <Suspense fallback=|| view! { <p class="loading">{tx.loading}</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                    {move || Suspend::new(async move {
                        market.await.map(|m| view! {
                            <conversion_calc::ConversionCalc market=m />
                            <flexibility::FlexibilityTable />
                            <gpu_estimator::GpuEstimator />
                            <sha256_panel::Sha256Panel market=m />
                        })
                    })}
                </ErrorBoundary>
            </Suspense>
        </section>
    }
}
