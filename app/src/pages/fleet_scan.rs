//! The fleet page's "Scan a range" form (operators): finds miners on a range of addresses and,
//! when asked, registers the new ones. The server does the scanning (`scan_devices`).

use leptos::prelude::*;

use crate::api::auth::Role;
use crate::api::fleet::{register_device, scan_devices, NewDevice};
use crate::model::fleet::devices::DeviceKind;
use crate::model::fleet::discovery::{Cidr, ScanRequest};
use crate::model::fleet::protocol::{AddressForm, Protocol};

#[component]
pub fn ScanPanel() -> impl IntoView {
    let role = crate::state::my_role();
    let may_scan = move || role.get().is_some_and(|r| r >= Role::Operator);
    // Erased: the form's view type nested in the fleet page's overflows rustc's query depth.
    view! {
        <Show when=may_scan fallback=|| ()>
            <RegisterForm />
            <ScanForm />
        </Show>
    }
    .into_any()
}

/// One device by address and protocol (operators).
#[component]
fn RegisterForm() -> impl IntoView {
    let tx = &crate::locale::t().fleet;
    let protocol = RwSignal::new(Protocol::Cgminer);
    let address = RwSignal::new(String::new());
    let site = RwSignal::new(String::new());
    let model = RwSignal::new(String::new());
    let credentials = RwSignal::new(String::new());
    let register = Action::new(|d: &NewDevice| register_device(d.clone()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = |s: RwSignal<String>| {
            Some(s.get_untracked().trim().to_string()).filter(|v| !v.is_empty())
        };
        register.dispatch(NewDevice {
            kind: DeviceKind::Asic,
            address: address.get_untracked().trim().to_string(),
            site: site.get_untracked().trim().to_string(),
            model: text(model),
            protocol: protocol.get_untracked(),
            credentials_env: text(credentials),
        });
    };
    let placeholder = move || match protocol.get().address_form() {
        AddressForm::HostPort => format!("10.0.0.5:{}", protocol.get().default_port()),
        AddressForm::BaseUrl => "http://10.0.0.5".to_string(),
    };
    view! {
        <div class="panel" data-testid="register-panel">
            <div class="panel-head">
                <h2>{tx.register_title}</h2>
                <span class="panel-note">{tx.register_note}</span>
            </div>
            <form class="edit-form" on:submit=submit data-testid="register-form">
                <label>{tx.protocol}
                    <select name="protocol" on:change=move |ev| {
                        if let Some(p) = Protocol::parse(&event_target_value(&ev)) { protocol.set(p) }
                    }>
                        {Protocol::ALL.into_iter().map(|p| view! {
                            <option value=p.as_str() selected=move || protocol.get() == p>{(tx.protocol_name)(p)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>{tx.address}<input name="address" required maxlength="300" placeholder=placeholder prop:value=address on:input=move |ev| address.set(event_target_value(&ev)) /></label>
                <label>{tx.scan_site}<input name="site" required maxlength="100" placeholder=tx.scan_site_placeholder prop:value=site on:input=move |ev| site.set(event_target_value(&ev)) /></label>
                <label>{tx.model}<input name="model" maxlength="100" prop:value=model on:input=move |ev| model.set(event_target_value(&ev)) /></label>
                <Show when=move || protocol.get().needs_login() fallback=|| ()>
                    <label>{tx.credentials_env}<input name="credentials_env" maxlength="64" pattern="[A-Z0-9_]+" prop:value=credentials on:input=move |ev| credentials.set(event_target_value(&ev)) /></label>
                </Show>
                <div class="form-actions wide">
                    <button type="submit" class="primary" disabled=move || register.pending().get()>{tx.register_submit}</button>
                </div>
            </form>
            {move || register.value().get().map(|r| match r {
                Ok(id) => view! { <p class="muted" role="status" data-testid="registered">{(tx.registered_as)(&id)}</p> }.into_any(),
                Err(e) => view! { <p class="error-text" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </div>
    }
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
