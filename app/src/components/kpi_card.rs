//! A headline figure with its label and an optional note.

use leptos::prelude::*;

#[component]
pub fn KpiCard(
    label: &'static str,
    #[prop(into)] value: Signal<String>,
    #[prop(optional, into)] note: Option<Signal<String>>,
    #[prop(optional)] accent: Option<&'static str>,
    /// Where the figure comes from (live, bundled, simulated, modelled, measured, projected).
    #[prop(optional, into)]
    source: Option<String>,
    test_id: &'static str,
) -> impl IntoView {
    view! {
        <div class="kpi" class:kpi-mining=accent == Some("mining") class:kpi-ai=accent == Some("ai") data-testid=test_id>
            <div class="kpi-label">{label}</div>
            <div class="kpi-value">{value}</div>
            {note.map(|n| view! { <div class="kpi-note">{n}</div> })}
            {source.map(|s| view! { <div class="kpi-source" data-testid=format!("{test_id}-source")>{s}</div> })}
        </div>
    }
}
