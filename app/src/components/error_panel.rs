//! Shows errors from an `ErrorBoundary` in words, never as a blank area.

use leptos::prelude::*;

#[component]
pub fn ErrorPanel(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <div class="error-panel" role="alert">
            <strong>{crate::i18n::t().common.could_not_load}</strong>
            <ul>
                {move || errors.get().into_iter().map(|(_, e)| view! { <li>{e.to_string()}</li> }).collect_view()}
            </ul>
        </div>
    }
}
