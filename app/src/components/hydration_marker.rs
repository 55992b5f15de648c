//! Marks `<body data-hydrated="true">` once the page it is placed in has hydrated; the browser
//! tests wait for it before they interact. It sits in each route's view, not in the root: a
//! lazy route's chunk hydrates after the root, and a form filled before that would be reset.

use leptos::prelude::*;

#[component]
pub fn HydrationMarker() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(|_| {
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            body.set_attribute("data-hydrated", "true").ok();
        }
    });
}
