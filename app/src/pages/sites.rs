//! `/sites` and `/sites/{id}`: the company's own portfolio. Operators add sites, change their
//! figures and fleet, sign and end lease contracts and retire sites; viewers read. Every save
//! carries the version it was made against; a stale one shows what is stored now.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::error::ApiError;
use crate::api::portfolio::{
    add_contract, add_site, end_contract, get_sites, patch_contract, patch_site, retire_site,
    ContractPatch, SitePatch, SiteRow, SitesView,
};
use crate::components::error_panel::ErrorPanel;
use crate::i18n::{numbers, Lang};
use crate::locale::{t, use_lang};
use crate::model::ai::lease::LeaseTerms;
use crate::model::company::portfolio::{ContractDoc, SiteDoc};
use crate::model::company::site::FleetLine;

#[component]
pub fn SitesPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).filter(|s| !s.is_empty()));
    let version = RwSignal::new(0u32);
    let view_data = Resource::new(move || version.get(), |_| get_sites());
    let reload = move || version.update(|v| *v += 1);
    let tx = &t().sites;
    view! {
        <section class="page" data-testid="sites-page">
            <div class="page-head">
                <h1>{tx.title}</h1>
                <p class="muted">{tx.note}</p>
            </div>
            <Transition fallback=|| view! { <p class="loading">{t().common.loading}</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                    {move || Suspend::new(async move {
                        view_data.await.map(|v| match id.get() {
                            Some(id) => view! { <SiteView v id reload /> }.into_any(),
                            None => view! { <SiteList v reload /> }.into_any(),
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

fn mw(lang: Lang, v: f64) -> String {
    numbers::number(lang, v, 1)
}

/// The first-run panel: what to do when the portfolio is empty.
#[component]
pub fn FirstRun() -> impl IntoView {
    let tx = &t().sites;
    view! {
        <div class="panel first-run" data-testid="first-run">
            <h2>{tx.empty_title}</h2>
            <p>{tx.empty_body}" "<a href="/sites">{tx.add_site}" →"</a></p>
            <p class="muted">{tx.empty_import}</p>
            <pre><code>"rigshift portfolio import portfolio.toml\nrigshift history import history.csv"</code></pre>
        </div>
    }
}

#[component]
fn SiteList(v: SitesView, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let lang = use_lang();
    let tx = &t().sites;
    let empty = v.sites.is_empty();
    view! {
        {empty.then(|| view! { <FirstRun /> })}
        {(!empty).then(|| view! {
            <div class="panel">
                <table class="data-table" data-testid="site-table">
                    <thead><tr>
                        <th>{tx.name}</th><th>{tx.location}</th><th class="num">{tx.capacity}</th>
                        <th class="num">{tx.mining_today}</th><th class="num">{tx.ai_today}</th>
                        <th class="num">{tx.contracts}</th><th></th>
                    </tr></thead>
                    <tbody>
                        {v.sites.iter().map(|s: &SiteRow| {
                            let d = &s.detail;
                            view! {
                                <tr data-testid="site-row" data-id=d.site.id.clone()>
                                    <td><a href=format!("/sites/{}", d.site.id)>{d.site.name.clone()}</a></td>
                                    <td>{d.site.location.clone()}</td>
                                    <td class="num">{mw(lang, d.site.capacity_mw)}</td>
                                    <td class="num">{mw(lang, s.mining_mw_today)}</td>
                                    <td class="num">{mw(lang, s.ai_mw_today)}</td>
                                    <td class="num">{d.site.contracts.len()}</td>
                                    <td>
                                        {d.demo.then(|| view! { <span class="badge">{tx.demo_badge}</span> })}
                                        {d.site.retired_on.map(|r| view! { <span class="badge status-slipped">{(tx.retired_on)(&numbers::date(lang, r))}</span> })}
                                        {(!d.warnings.is_empty()).then(|| view! { <span class="badge status-slipped" title=d.warnings.join("\n")>{tx.warnings}</span> })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
        {if v.can_edit { view! { <NewSiteForm reload /> }.into_any() } else { view! { <p class="muted">{tx.read_only}</p> }.into_any() }}
    }
}

/// A number typed in a form, or the words of what is wrong with it.
fn number(field: &str, s: &str) -> Result<f64, ApiError> {
    s.trim()
        .replace(',', ".")
        .parse()
        .map_err(|_| ApiError::InvalidInput(format!("{field}: {}", t().sites.a_number)))
}

fn error_text(e: &ApiError) -> String {
    let tx = &t().sites;
    let words = (t().common.error)(e.words());
    match e {
        ApiError::Conflict { current_text, .. } => (tx.conflict)(&words, current_text),
        _ => words,
    }
}

#[component]
fn NewSiteForm(reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let tx = &t().sites;
    let fields =
        ["", "", "", "", "", "0.04", "1.3", "0.95", "1"].map(|v| RwSignal::new(v.to_string()));
    let [id, name, location, capacity, mining, power, pue, uptime, fee] = fields;
    let add = Action::new(move |_: &()| {
        let site = (|| -> Result<SiteDoc, ApiError> {
            Ok(SiteDoc {
                id: id.get_untracked().trim().to_string(),
                name: name.get_untracked().trim().to_string(),
                location: location.get_untracked().trim().to_string(),
                capacity_mw: number(tx.capacity, &capacity.get_untracked())?,
                initial_mining_mw: number(tx.initial_mining, &mining.get_untracked())?,
                power_usd_per_kwh: number(tx.power_price, &power.get_untracked())?,
                pue_ai: number(tx.pue, &pue.get_untracked())?,
                mining_uptime: number(tx.uptime, &uptime.get_untracked())?,
                pool_fee_pct: number(tx.pool_fee, &fee.get_untracked())?,
                retired_on: None,
                opex_usd_per_mw_month: None,
                timezone: None,
                fleet: Vec::new(),
                power: None,
                contracts: Vec::new(),
                milestones: Vec::new(),
            })
        })();
        async move { add_site(site?).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            reload();
        }
    });
    view! {
        <form class="panel edit-form" data-testid="new-site" on:submit=move |ev| { ev.prevent_default(); add.dispatch(()); }>
            <h2 class="wide">{tx.add_site}</h2>
            <label>{tx.id}<input name="id" bind:value=id required pattern="[a-z0-9._-]{1,64}" /></label>
            <label>{tx.name}<input name="name" bind:value=name required maxlength="200" /></label>
            <label>{tx.location}<input name="location" bind:value=location maxlength="200" /></label>
            <label>{tx.capacity}<input name="capacity_mw" bind:value=capacity inputmode="decimal" required /></label>
            <label>{tx.initial_mining}<input name="initial_mining_mw" bind:value=mining inputmode="decimal" required /></label>
            <label>{tx.power_price}<input name="power_usd_per_kwh" bind:value=power inputmode="decimal" required /></label>
            <label>{tx.pue}<input name="pue_ai" bind:value=pue inputmode="decimal" required /></label>
            <label>{tx.uptime}<input name="mining_uptime" bind:value=uptime inputmode="decimal" required /></label>
            <label>{tx.pool_fee}<input name="pool_fee_pct" bind:value=fee inputmode="decimal" required /></label>
            <div class="form-actions"><button type="submit" class="primary" disabled=move || add.pending().get()>{tx.add_site}</button></div>
            {move || add.value().get().and_then(Result::err).map(|e| view! { <p class="error-text" role="alert">{error_text(&e)}</p> })}
        </form>
    }
}

#[component]
fn SiteView(
    v: SitesView,
    id: String,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let tx = &t().sites;
    let lang = use_lang();
    let Some(row) = v.sites.iter().find(|s| s.detail.site.id == id).cloned() else {
        return view! { <ErrorPanel errors=ArcRwSignal::new(Errors::default()) /> <p><a href="/sites">{tx.back}</a></p> }.into_any();
    };
    let d = row.detail.clone();
    let can_edit = v.can_edit && d.site.retired_on.is_none();
    view! {
        <p><a href="/sites">"← "{tx.back}</a>" · "<a href="/timeline">{tx.see_timeline}</a>" · "
           <a href=format!("/fleet?site={}", d.site.id)>{tx.see_devices}</a></p>
        {d.demo.then(|| view! { <span class="badge">{tx.demo_badge}</span> })}
        <h2 data-testid="site-name">{d.site.name.clone()}
            {d.site.retired_on.map(|r| view! { " " <span class="badge status-slipped">{(tx.retired_on)(&numbers::date(lang, r))}</span> })}
        </h2>
        <p class="muted">{format!("{} · {} {} · {} {} MW · {} {} MW", d.site.location, tx.version, d.version,
            tx.mining_today, mw(lang, row.mining_mw_today), tx.ai_today, mw(lang, row.ai_mw_today))}</p>
        {(!d.warnings.is_empty()).then(|| view! {
            <div class="panel warning-panel" data-testid="site-warnings">
                <h3>{tx.warnings}</h3>
                <ul>{d.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}</ul>
            </div>
        })}
        <SiteForm site=d.site.clone() version=d.version can_edit reload />
        <Contracts row=row.clone() can_edit reload />
        {can_edit.then(|| view! { <RetireButton id=d.site.id.clone() reload /> })}
    }
    .into_any()
}

/// `S21 20000` per line.
fn fleet_text(fleet: &[FleetLine]) -> String {
    fleet
        .iter()
        .map(|l| format!("{} {}", l.model_id, l.count))
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_fleet(text: &str) -> Result<Vec<FleetLine>, ApiError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut parts = l.split_whitespace();
            match (
                parts.next(),
                parts.next().and_then(|c| c.parse::<u32>().ok()),
                parts.next(),
            ) {
                (Some(model), Some(count), None) => Ok(FleetLine {
                    model_id: model.to_string(),
                    count,
                }),
                _ => Err(ApiError::InvalidInput(format!(
                    "{}: {l:?}",
                    t().sites.fleet_hint
                ))),
            }
        })
        .collect()
}

#[component]
fn SiteForm(
    site: SiteDoc,
    version: i64,
    can_edit: bool,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let tx = &t().sites;
    let name = RwSignal::new(site.name.clone());
    let location = RwSignal::new(site.location.clone());
    let capacity = RwSignal::new(site.capacity_mw.to_string());
    let mining = RwSignal::new(site.initial_mining_mw.to_string());
    let power = RwSignal::new(site.power_usd_per_kwh.to_string());
    let pue = RwSignal::new(site.pue_ai.to_string());
    let uptime = RwSignal::new(site.mining_uptime.to_string());
    let fee = RwSignal::new(site.pool_fee_pct.to_string());
    let opex = RwSignal::new(
        site.opex_usd_per_mw_month
            .map(|v| v.to_string())
            .unwrap_or_default(),
    );
    let timezone = RwSignal::new(site.timezone.clone().unwrap_or_default());
    let fleet = RwSignal::new(fleet_text(&site.fleet));
    let id = site.id.clone();
    let save = Action::new(move |_: &()| {
        let id = id.clone();
        let patch = (|| -> Result<SitePatch, ApiError> {
            Ok(SitePatch {
                version,
                name: Some(name.get_untracked()),
                location: Some(location.get_untracked()),
                capacity_mw: Some(number(tx.capacity, &capacity.get_untracked())?),
                initial_mining_mw: Some(number(tx.initial_mining, &mining.get_untracked())?),
                power_usd_per_kwh: Some(number(tx.power_price, &power.get_untracked())?),
                pue_ai: Some(number(tx.pue, &pue.get_untracked())?),
                mining_uptime: Some(number(tx.uptime, &uptime.get_untracked())?),
                pool_fee_pct: Some(number(tx.pool_fee, &fee.get_untracked())?),
                // Blank keeps what is stored (a figure once given is changed, not erased).
                opex_usd_per_mw_month: match opex.get_untracked().trim() {
                    "" => None,
                    v => Some(number(tx.opex, v)?),
                },
                timezone: match timezone.get_untracked().trim() {
                    "" => None,
                    v => Some(v.to_string()),
                },
                fleet: Some(parse_fleet(&fleet.get_untracked())?),
                power: None,
            })
        })();
        async move { patch_site(id, patch?).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            reload();
        }
    });
    view! {
        <form class="panel edit-form" data-testid="site-form" on:submit=move |ev| { ev.prevent_default(); save.dispatch(()); }>
            <label>{tx.name}<input name="name" bind:value=name disabled=!can_edit /></label>
            <label>{tx.location}<input name="location" bind:value=location disabled=!can_edit /></label>
            <label>{tx.capacity}<input name="capacity_mw" bind:value=capacity inputmode="decimal" disabled=!can_edit /></label>
            <label>{tx.initial_mining}<input name="initial_mining_mw" bind:value=mining inputmode="decimal" disabled=!can_edit /></label>
            <label>{tx.power_price}<input name="power_usd_per_kwh" bind:value=power inputmode="decimal" disabled=!can_edit /></label>
            <label>{tx.pue}<input name="pue_ai" bind:value=pue inputmode="decimal" disabled=!can_edit /></label>
            <label>{tx.uptime}<input name="mining_uptime" bind:value=uptime inputmode="decimal" disabled=!can_edit /></label>
            <label>{tx.pool_fee}<input name="pool_fee_pct" bind:value=fee inputmode="decimal" disabled=!can_edit /></label>
            <label>{tx.opex}<input name="opex_usd_per_mw_month" bind:value=opex inputmode="decimal" disabled=!can_edit /></label>
            <label>{tx.timezone}<input name="timezone" bind:value=timezone placeholder="America/Chicago" disabled=!can_edit /></label>
            <label class="wide">{tx.fleet}" ("{tx.fleet_hint}")"<textarea name="fleet" rows="4" bind:value=fleet disabled=!can_edit></textarea></label>
            {can_edit.then(|| view! {
                <div class="form-actions"><button type="submit" class="primary" data-testid="save-site" disabled=move || save.pending().get()>{tx.save_site}</button></div>
            })}
            {move || save.value().get().and_then(Result::err).map(|e| view! { <p class="error-text" role="alert" data-testid="site-error">{error_text(&e)}</p> })}
        </form>
    }
}

fn devices_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_string)
        .collect()
}

#[component]
fn Contracts(
    row: SiteRow,
    can_edit: bool,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let tx = &t().sites;
    let lang = use_lang();
    let d = row.detail;
    view! {
        <div class="panel">
            <h2>{tx.contracts}</h2>
            <table class="data-table" data-testid="contract-table">
                <thead><tr>
                    <th>{tx.contract}</th><th>{tx.tenant}</th><th>{tx.size}</th><th>{tx.start}</th><th>{tx.end}</th>
                    <th class="num">{tx.price}</th><th>{tx.devices}</th><th></th>
                </tr></thead>
                <tbody>
                    {d.site.contracts.iter().map(|c| {
                        let version = d.contract_versions.get(&c.id).copied().unwrap_or(1);
                        view! { <ContractRow c=c.clone() version can_edit reload lang /> }
                    }).collect_view()}
                </tbody>
            </table>
            {can_edit.then(|| view! { <NewContractForm site_id=d.site.id.clone() reload /> })}
        </div>
    }
}

#[component]
fn ContractRow(
    c: ContractDoc,
    version: i64,
    can_edit: bool,
    reload: impl Fn() + Copy + Send + Sync + 'static,
    lang: Lang,
) -> impl IntoView {
    let tx = &t().sites;
    let price = RwSignal::new(c.terms.price().to_string());
    let devices = RwSignal::new(c.devices.join(", "));
    let (size, unit) = match &c.terms {
        LeaseTerms::Colocation { critical_mw, .. } => {
            (format!("{} MW", mw(lang, *critical_mw)), tx.price_colo)
        }
        LeaseTerms::GpuHours { gpus, .. } => (
            format!("{} {}", numbers::number(lang, *gpus as f64, 0), tx.gpus),
            tx.price_gpu,
        ),
    };
    let terms = c.terms.clone();
    let id = c.id.clone();
    let save = Action::new(move |_: &()| {
        let (id, terms) = (id.clone(), terms.clone());
        let patch = number(tx.price, &price.get_untracked()).map(|p| ContractPatch {
            version,
            terms: Some(terms.with_price(p)),
            devices: Some(devices_list(&devices.get_untracked())),
            ..Default::default()
        });
        async move { patch_contract(id, patch?).await }
    });
    let id = c.id.clone();
    let end = Action::new(move |_: &()| end_contract(id.clone()));
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(_))) || matches!(end.value().get(), Some(Ok(_))) {
            reload();
        }
    });
    view! {
        <tr data-testid="contract-row" data-id=c.id.clone()>
            <td>{c.id.clone()}</td>
            <td>{c.tenant.clone()}</td>
            <td>{size}</td>
            <td>{numbers::date(lang, c.start_on)}</td>
            <td>{c.end_on.map_or("—".to_string(), |e| numbers::date(lang, e))}</td>
            <td class="num"><input class="narrow" name="price" aria-label=unit title=unit bind:value=price inputmode="decimal" disabled=!can_edit />" "{unit}</td>
            <td><input name="devices" bind:value=devices title=tx.devices_hint disabled=!can_edit /></td>
            <td>{can_edit.then(|| view! {
                <button class="link-button" data-testid="save-contract" on:click=move |_| { save.dispatch(()); }>{tx.save}</button>
                " "
                <button class="link-button" on:click=move |_| { end.dispatch(()); }>{tx.end_contract}</button>
            })}
            {move || save.value().get().and_then(Result::err).or_else(|| end.value().get().and_then(Result::err))
                .map(|e| view! { <p class="error-text" role="alert" data-testid="contract-error">{error_text(&e)}</p> })}</td>
        </tr>
    }
}

#[component]
fn NewContractForm(
    site_id: String,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let tx = &t().sites;
    let id = RwSignal::new(String::new());
    let tenant = RwSignal::new(String::new());
    let kind = RwSignal::new("colocation".to_string());
    let size = RwSignal::new(String::new());
    let price = RwSignal::new(String::new());
    let start = RwSignal::new(String::new());
    let ramp = RwSignal::new("0".to_string());
    let pass_through = RwSignal::new(true);
    let devices = RwSignal::new(String::new());
    let add = Action::new(move |_: &()| {
        let site_id = site_id.clone();
        let contract = (|| -> Result<ContractDoc, ApiError> {
            let size_v = number(tx.size, &size.get_untracked())?;
            let price_v = number(tx.price, &price.get_untracked())?;
            let terms = if kind.get_untracked() == "gpu_hours" {
                LeaseTerms::GpuHours {
                    gpus: size_v.max(0.0) as u32,
                    usd_per_gpu_hour: price_v,
                    utilisation: 0.85,
                    server_kw_per_gpu: 1.275,
                    gpu_model: None,
                }
            } else {
                LeaseTerms::Colocation {
                    critical_mw: size_v,
                    usd_per_kw_month: price_v,
                    escalator_pct_per_year: 0.0,
                }
            };
            Ok(ContractDoc {
                id: id.get_untracked().trim().to_string(),
                tenant: tenant.get_untracked().trim().to_string(),
                start_on: start
                    .get_untracked()
                    .parse()
                    .map_err(|_| ApiError::InvalidInput(format!("{}: YYYY-MM-DD", tx.start)))?,
                ramp_months: number(tx.ramp_months, &ramp.get_untracked())?.max(0.0) as u32,
                end_on: None,
                power_pass_through: pass_through.get_untracked(),
                devices: devices_list(&devices.get_untracked()),
                terms,
                sla: None,
                register: Default::default(),
            })
        })();
        async move { add_contract(site_id, contract?).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            reload();
        }
    });
    view! {
        <form class="edit-form" data-testid="new-contract" on:submit=move |ev| { ev.prevent_default(); add.dispatch(()); }>
            <h3 class="wide">{tx.add_contract}</h3>
            <label>{tx.id}<input name="id" bind:value=id required pattern="[a-z0-9._-]{1,64}" /></label>
            <label>{tx.tenant}<input name="tenant" bind:value=tenant required maxlength="200" /></label>
            <label>{tx.kind}<select name="kind" bind:value=kind>
                <option value="colocation">{tx.colocation}</option>
                <option value="gpu_hours">{tx.gpu_hours}</option>
            </select></label>
            <label>{move || if kind.get() == "gpu_hours" { tx.gpus } else { tx.critical_mw }}<input name="size" bind:value=size inputmode="decimal" required /></label>
            <label>{move || if kind.get() == "gpu_hours" { tx.price_gpu } else { tx.price_colo }}<input name="price" bind:value=price inputmode="decimal" required /></label>
            <label>{tx.start}<input type="date" name="start_on" bind:value=start required /></label>
            <label>{tx.ramp_months}<input name="ramp_months" bind:value=ramp inputmode="numeric" /></label>
            <label class="check"><input type="checkbox" name="power_pass_through" bind:checked=pass_through />{tx.pass_through}</label>
            <label class="wide">{tx.devices}" ("{tx.devices_hint}")"<input name="devices" bind:value=devices /></label>
            <div class="form-actions"><button type="submit" class="primary" disabled=move || add.pending().get()>{tx.add_contract}</button></div>
            {move || add.value().get().and_then(Result::err).map(|e| view! { <p class="error-text" role="alert">{error_text(&e)}</p> })}
        </form>
    }
}

#[component]
fn RetireButton(id: String, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let tx = &t().sites;
    let armed = RwSignal::new(false);
    let retire = Action::new(move |_: &()| retire_site(id.clone()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = retire.value().get() {
            reload();
        }
    });
    view! {
        <div class="panel">
            {move || if armed.get() {
                view! {
                    <p>{tx.retire_confirm}</p>
                    <button class="danger" on:click=move |_| { retire.dispatch(()); }>{tx.retire_site}</button>
                    " "
                    <button class="link-button" on:click=move |_| armed.set(false)>{t().common.cancel}</button>
                }.into_any()
            } else {
                view! { <button class="link-button" on:click=move |_| armed.set(true)>{tx.retire_site}</button> }.into_any()
            }}
            {move || retire.value().get().and_then(Result::err).map(|e| view! { <p class="error-text" role="alert">{error_text(&e)}</p> })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fleet_lines_read_back_as_written() {
        let lines = vec![
            FleetLine {
                model_id: "S21".into(),
                count: 20_000,
            },
            FleetLine {
                model_id: "M60S".into(),
                count: 12,
            },
        ];
        assert_eq!(parse_fleet(&fleet_text(&lines)).unwrap(), lines);
        assert!(parse_fleet("S21 twenty").is_err());
        assert!(parse_fleet("S21 5 extra").is_err());
        assert_eq!(devices_list(" node-1, ,node-2 "), ["node-1", "node-2"]);
    }
}
