use leptos::prelude::*;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    let tx = &crate::locale::t().device;
    view! {
        <section class="page">
            <h1>{tx.not_found}</h1>
            <p>{tx.not_found_text} <a href="/">{tx.back}</a></p>
        </section>
    }
}
