//! The shell, the root component and the route table.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::nav::Nav;
use crate::components::sim_banner::SimBanner;
use crate::pages::admin::AdminPage;
use crate::pages::device::DeviceDetailPage;
use crate::pages::estimators::EstimatorsPage;
use crate::pages::fleet::FleetPage;
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::overview::OverviewPage;
use crate::pages::timeline::TimelinePage;

/// The HTML document. ECharts and its theme load before the hydration scripts so charts can
/// draw as soon as the app hydrates.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <script src="/vendor/echarts.min.js"></script>
                <script src="/vendor/echarts-theme-rigshift.js"></script>
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Browser tests wait for this attribute before they interact.
    #[cfg(feature = "hydrate")]
    Effect::new(|_| {
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            body.set_attribute("data-hydrated", "true").ok();
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/rigshift.css" />
        <Title text="Rigshift" />
        <Router>
            <Routes fallback=|| view! { <main><NotFoundPage /></main> }>
                // The login page stands alone: no nav, no data, no live stream.
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                // Async: the whole page, numbers included, arrives as HTML (readable before wasm loads).
                <ParentRoute path=path!("") view=Dashboard ssr=SsrMode::Async>
                    <Route path=path!("") view=OverviewPage ssr=SsrMode::Async />
                    <Route path=path!("fleet") view=FleetPage ssr=SsrMode::Async />
                    <Route path=path!("device") view=DeviceDetailPage ssr=SsrMode::Async />
                    <Route path=path!("estimators") view=EstimatorsPage ssr=SsrMode::Async />
                    <Route path=path!("timeline") view=TimelinePage ssr=SsrMode::Async />
                    <Route path=path!("admin") view=AdminPage ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The signed-in layout: navigation, the data-provenance banner and the live stream.
#[component]
fn Dashboard() -> impl IntoView {
    crate::state::provide_live_fleet();
    crate::state::provide_me();
    view! {
        <Nav />
        <SimBanner />
        <main>
            <Outlet />
        </main>
    }
}
