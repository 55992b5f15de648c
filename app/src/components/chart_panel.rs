//! A titled panel holding one chart: the layout every chart on every page uses.

use crate::charts::option::ChartOption;
use leptos::prelude::*;

use super::chart_export::ChartExport;
use super::e_chart::EChart;

#[component]
pub fn ChartPanel(
    title: &'static str,
    /// Passed through to `EChart`: stable DOM id and e2e handle.
    id: &'static str,
    #[prop(into)] chart: Signal<Option<ChartOption>>,
    height_px: u32,
    /// Accessible description of what the chart shows.
    label: &'static str,
    #[prop(optional, into)] note: MaybeProp<String>,
    /// Server CSV of the chart's data; without it the CSV is built from the chart in the browser.
    #[prop(optional, into)]
    csv_href: Option<Signal<String>>,
) -> impl IntoView {
    view! {
        <div class="panel">
            <div class="panel-head">
                <h2>{title}</h2>
                // A note may come from a resource (the status map's legend): under a Transition
                // the server waits for it, so the HTML and the hydrating app agree.
                <Transition fallback=|| ()>
                    {move || note.get().map(|n| view! { <span class="panel-note">{n}</span> })}
                </Transition>
            </div>
            <EChart id chart height_px label />
            <ChartExport id chart csv_href=csv_href />
        </div>
    }
}
