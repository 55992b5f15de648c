//! Top navigation.

use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Nav() -> impl IntoView {
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark">"◧"</span>
                " Rigshift"
            </a>
            <nav aria-label="Main">
                <A href="/" exact=true>"Overview"</A>
                <A href="/fleet">"Fleet"</A>
                <A href="/estimators">"Estimators"</A>
            </nav>
        </header>
    }
}
