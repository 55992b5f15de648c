//! The shell, the root component and the route table.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::{lazy_route, path, Lazy, LazyRoute, SsrMode};

use crate::components::hydration_marker::HydrationMarker;
use crate::components::nav::Nav;
use crate::components::sim_banner::SimBanner;
use crate::pages::account::AccountPage;
use crate::pages::admin::AdminPage;
use crate::pages::device::DeviceDetailPage;
use crate::pages::estimators::EstimatorsPage;
use crate::pages::fleet::FleetPage;
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::overview::OverviewPage;
use crate::pages::reports::ReportsPage;
use crate::pages::sites::SitesPage;
use crate::pages::sla::SlaPage;
use crate::pages::timeline::TimelinePage;

/// The HTML document. ECharts and its theme load before the hydration scripts so charts can
/// draw as soon as the app hydrates.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // `<html lang>` is how the hydrating app learns the language the server rendered in.
    #[cfg(feature = "ssr")]
    let lang = crate::locale::request_lang();
    #[cfg(not(feature = "ssr"))]
    let lang = crate::i18n::Lang::En;
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="stylesheet" id="leptos" href=stylesheet_href(&options) />
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

/// `/pkg/rigshift.css`, or its content-hashed name when the build hashed file names (the hash
/// file cargo-leptos writes beside the binary lists it as `css: <hash>`).
fn stylesheet_href(options: &LeptosOptions) -> String {
    static HREF: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HREF.get_or_init(|| {
        let name = options.output_name.to_string();
        let hash = options
            .hash_files
            .then(|| {
                let exe = std::env::current_exe().ok()?;
                let text = std::fs::read_to_string(exe.parent()?.join(&*options.hash_file)).ok()?;
                text.lines()
                    .filter_map(|l| l.split_once(':'))
                    .find(|(k, _)| k.trim() == "css")
                    .map(|(_, h)| h.trim().to_string())
            })
            .flatten();
        match hash {
            Some(h) => format!("/{}/{name}.{h}.css", options.site_pkg_dir),
            None => format!("/{}/{name}.css", options.site_pkg_dir),
        }
    })
    .clone()
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "ssr")]
    provide_context(crate::locale::request_lang());
    #[cfg(feature = "hydrate")]
    provide_context(crate::locale::document_lang());
    view! {
        <Title text="Rigshift" />
        <Router>
            <Routes fallback=|| view! { <main><NotFoundPage /></main> <HydrationMarker /> }>
                // The login page stands alone: no nav, no data, no live stream.
                <Route path=path!("/login") view=|| view! { <LoginPage /> <HydrationMarker /> } ssr=SsrMode::Async />
                // Async: the whole page, numbers included, arrives as HTML (readable before wasm loads).
                <ParentRoute path=path!("") view=Dashboard ssr=SsrMode::Async>
                    <Route path=path!("") view=|| view! { <OverviewPage /> <HydrationMarker /> } ssr=SsrMode::Async />
                    // The other pages are split into their own wasm chunks (`cargo xtask
                    // build`): the overview's first load carries none of them.
                    <Route path=path!("fleet") view={Lazy::<FleetRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("device") view={Lazy::<DeviceRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("estimators") view={Lazy::<EstimatorsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("timeline") view={Lazy::<TimelineRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("sla") view={Lazy::<SlaRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("sites") view={Lazy::<SitesRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("sites/:id") view={Lazy::<SitesRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("reports") view={Lazy::<ReportsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("reports/:month") view={Lazy::<ReportsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("admin") view={Lazy::<AdminRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("account") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::Async />
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

/// A page loaded as its own wasm chunk. The page components load their own data, so a route
/// carries no data of its own; only the view is lazy.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page /> <HydrationMarker /> }.into_any()
            }
        }
    };
}

lazy_page!(FleetRoute, FleetPage);
lazy_page!(DeviceRoute, DeviceDetailPage);
lazy_page!(EstimatorsRoute, EstimatorsPage);
lazy_page!(TimelineRoute, TimelinePage);
lazy_page!(AdminRoute, AdminPage);
lazy_page!(AccountRoute, AccountPage);
lazy_page!(SlaRoute, SlaPage);
lazy_page!(SitesRoute, SitesPage);
lazy_page!(ReportsRoute, ReportsPage);
