//! The fleet page's "Scan a range" form (operators): finds miners on a range of addresses and,
//! when asked, registers the new ones. The server does the scanning (`scan_devices`).

use leptos::prelude::*;

use crate::api::auth::Role;
use crate::api::fleet::scan_devices;
use crate::model::fleet::discovery::{Cidr, ScanRequest};

#[component]
pub fn ScanPanel() -> impl IntoView {
    let role = crate::state::my_role();
    let may_scan = move || role.get().is_some_and(|r| r >= Role::Operator);
    // Erased: the form's view type nested in the fleet page's overflows rustc's query depth.
    view! {
        <Show when=may_scan fallback=|| ()>
            <ScanForm />
        </Show>
    }
    .into_any()
}

#[component]
fn ScanForm() -> impl IntoView {
    let cidr = RwSignal::new(String::new());
    let port = RwSignal::new("4028".to_string());
    let site = RwSignal::new(String::new());
    let add = RwSignal::new(false);
    let scan = Action::new(|req: &ScanRequest| scan_devices(req.clone()));
    // What the running scan covers, for the progress line.
    let scanning = RwSignal::new(None::<(String, u64)>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let range = cidr.get_untracked();
        let count = Cidr::parse(&range).map(|c| c.host_count()).unwrap_or(0);
        scanning.set(Some((range.clone(), count)));
        scan.dispatch(ScanRequest {
            cidr: range,
            port: port.get_untracked().trim().parse().unwrap_or(0),
            site: Some(site.get_untracked()).filter(|s| !s.trim().is_empty()),
            add: add.get_untracked(),
        });
    };
    let result = move || scan.value().get();
    let lang = crate::locale::use_lang();
    let tx = &crate::locale::t().fleet;
    let number = move |v: f64, d: usize| crate::i18n::numbers::number(lang, v, d);
    view! {
        <div class="panel" data-testid="scan-panel">
            <div class="panel-head">
                <h2>{tx.scan_title}</h2>
                <span class="panel-note">{tx.scan_note}</span>
            </div>
            <form class="edit-form" on:submit=submit data-testid="scan-form">
                <label>{tx.scan_range}<input name="cidr" required placeholder="10.0.0.0/22" maxlength="18" prop:value=cidr on:input=move |ev| cidr.set(event_target_value(&ev)) /></label>
                <label>{tx.scan_port}<input name="port" type="number" min="1" max="65535" prop:value=port on:input=move |ev| port.set(event_target_value(&ev)) /></label>
                <label>{tx.scan_site}<input name="site" placeholder=tx.scan_site_placeholder maxlength="100" prop:value=site on:input=move |ev| site.set(event_target_value(&ev)) /></label>
                <label class="check"><input type="checkbox" prop:checked=add on:change=move |ev| add.set(event_target_checked(&ev)) />{tx.scan_add}</label>
                <div class="form-actions wide">
                    <button type="submit" class="primary" disabled=move || scan.pending().get()>{tx.scan_submit}</button>
                    <Show when=move || scan.pending().get() fallback=|| ()>
                        <progress aria-label=tx.scanning></progress>
                        <span class="muted" data-testid="scan-progress">{move || scanning.get().map(|(r, n)| (tx.scanning_n)(&number(n as f64, 0), &r))}</span>
                    </Show>
                </div>
            </form>
            {move || result().map(|r| match r {
                Err(e) => view! { <p class="error-text" role="alert">{e.to_string()}</p> }.into_any(),
                Ok(report) => view! {
                    <p class="muted" data-testid="scan-summary">{format!(
                        "{}{}",
                        (tx.scan_result)(report.found.len(), &number(report.scanned as f64, 0), &number(report.seconds, 1)),
                        if report.unidentified.is_empty() { String::new() } else { (tx.unidentified)(report.unidentified.len(), &report.unidentified.join(", ")) }
                    )}</p>
                    <table class="data-table" tabindex="0" data-testid="scan-found">
                        <thead><tr><th>{tx.address}</th><th>{tx.model}</th><th>{tx.firmware}</th><th>{tx.registry}</th></tr></thead>
                        <tbody>
                            {report.found.into_iter().map(|f| view! {
                                <tr>
                                    <td>{f.address}</td>
                                    <td>{f.model}</td>
                                    <td>{f.firmware.unwrap_or_default()}</td>
                                    <td>{if f.added { tx.added } else if f.already_registered { tx.registered } else { tx.new_device }}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            })}
        </div>
    }
    .into_any()
}
