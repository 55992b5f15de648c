//! Shows errors from an `ErrorBoundary` in words, never as a blank area.

use leptos::prelude::*;

use crate::api::error::ApiError;

#[component]
pub fn ErrorPanel(errors: ArcRwSignal<Errors>) -> impl IntoView {
    let common = &crate::locale::t().common;
    // Our own errors are worded in the page's language; anything else as it comes.
    let words = move |e: &Error| match e.downcast_ref::<ApiError>() {
        Some(api) => (common.error)(api.words()),
        None => e.to_string(),
    };
    view! {
        <div class="error-panel" role="alert">
            <strong>{common.could_not_load}</strong>
            <ul>
                {move || errors.get().into_iter().map(|(_, e)| view! { <li>{words(&e)}</li> }).collect_view()}
            </ul>
        </div>
    }
}
