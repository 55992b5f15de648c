//! Rigshift's Leptos application: pure model and chart builders, the server-function seam,
//! components and pages. `hydrate()` is the wasm entry point.

pub mod api;
pub mod app;
pub mod charts;
pub mod components;
pub mod i18n;
pub mod locale;
pub mod model;
pub mod pages;
pub mod state;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Lazy: the route chunks split off by the release build (`cargo xtask build`) load on demand.
    leptos::mount::hydrate_lazy(app::App);
}
