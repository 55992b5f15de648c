//! `/admin`: users (add, disable/enable, reset a password), everyone's sessions, API tokens and
//! the audit log (admin role). A new token's secret is shown once, right after it is created.

use leptos::prelude::*;

use chrono::{DateTime, Utc};

use crate::api::admin::{
    add_user, create_token, get_admin, revoke_session, revoke_token, update_user, AdminView,
    AuditEntry, TokenRow, UserRow,
};
use crate::api::auth::Role;
use crate::components::error_panel::ErrorPanel;
use crate::components::sessions_table::SessionsTable;

#[component]
pub fn AdminPage() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let data = Resource::new(move || reload.get(), |_| get_admin());
    // Above the view the reload re-creates, so "password reset" stays on screen after the
    // session list refreshes.
    let reset_name = RwSignal::new(String::new());
    let reset_password = RwSignal::new(String::new());
    let reset = Action::new(move |_: &()| {
        let (name, pw) = (reset_name.get_untracked(), reset_password.get_untracked());
        async move { update_user(name, None, Some(pw)).await }
    });
    Effect::new(move |_| {
        if matches!(reset.value().get(), Some(Ok(_))) {
            reset_password.set(String::new());
            reload.update(|n| *n += 1);
        }
    });
    let reset_form = ResetForm {
        name: reset_name,
        password: reset_password,
        action: reset,
    };
    view! {
        <section class="page">
            <div class="page-head"><h1>{crate::locale::t().admin.title}</h1></div>
            <Transition fallback=|| view! { <p class="loading">{crate::locale::t().common.loading}</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                    {move || Suspend::new(async move { data.await.map(|v| view! { <Admin v reload reset_form /> }) })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

fn role_options() -> impl IntoView {
    Role::ALL
        .into_iter()
        .map(|r| view! { <option value=r.as_str()>{r.as_str()}</option> })
        .collect_view()
}

/// The "Reset a password" form's state.
#[derive(Clone, Copy)]
struct ResetForm {
    name: RwSignal<String>,
    password: RwSignal<String>,
    action: Action<(), Result<crate::api::admin::UserRow, crate::api::error::ApiError>>,
}

#[component]
fn Admin(v: AdminView, reload: RwSignal<u32>, reset_form: ResetForm) -> impl IntoView {
    let user_names: Vec<String> = v.users.iter().map(|u| u.name.clone()).collect();
    let end_session = Action::new(move |id: &i64| {
        let id = *id;
        async move { revoke_session(id).await }
    });
    Effect::new(move |_| {
        if matches!(end_session.value().get(), Some(Ok(_))) {
            reload.update(|n| *n += 1);
        }
    });
    let tx = &crate::locale::t().admin;
    view! {
        <UsersPanel users=v.users reload />
        <ResetPanel user_names form=reset_form />
        <div class="panel">
            <div class="panel-head"><h2>{tx.sessions}</h2><span class="panel-note">{tx.sessions_note}</span></div>
            <SessionsTable sessions=v.sessions with_user=true revoke=end_session />
        </div>
        <TokensPanel tokens=v.tokens reload />
        <crate::pages::admin_embeds::EmbedsAdmin />
        <AuditPanel audit=v.audit />
    }
}

/// A date and a minute in the page's language.
fn day(lang: crate::i18n::Lang) -> impl Fn(DateTime<Utc>) -> String + Copy {
    move |d| crate::i18n::numbers::date(lang, d.date_naive())
}

/// Users: the table with enable/disable, and the form that adds one.
#[component]
fn UsersPanel(users: Vec<UserRow>, reload: RwSignal<u32>) -> impl IntoView {
    let bump = move || reload.update(|n| *n += 1);
    let user_name = RwSignal::new(String::new());
    let user_role = RwSignal::new("viewer".to_string());
    let user_password = RwSignal::new(String::new());
    let user_tenant = RwSignal::new(String::new());
    let add = Action::new(move |_: &()| {
        let (name, role, pw, tenant) = (
            user_name.get_untracked(),
            user_role.get_untracked(),
            user_password.get_untracked(),
            user_tenant.get_untracked(),
        );
        let role = Role::parse(&role).unwrap_or(Role::Viewer);
        // Only a tenant user carries a tenant; the server refuses it on any other role.
        let tenant = (role == Role::Tenant).then_some(tenant);
        async move { add_user(name, role, pw, tenant).await }
    });
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(_))) {
            user_password.set(String::new());
            bump();
        }
    });
    // (name, disabled) from the users table's buttons.
    let toggle = Action::new(move |(name, disabled): &(String, bool)| {
        let (name, disabled) = (name.clone(), *disabled);
        async move { update_user(name, Some(disabled), None).await }
    });
    Effect::new(move |_| {
        if matches!(toggle.value().get(), Some(Ok(_))) {
            bump();
        }
    });
    let (tx, err) = (&crate::locale::t().admin, crate::locale::t().common.error);
    let day = day(crate::locale::use_lang());
    view! {
        <div class="panel">
            <div class="panel-head"><h2>{tx.users}</h2><span class="panel-note">{tx.roles_note}</span></div>
            <table class="data-table" tabindex="0" data-testid="users"><thead><tr><th>{tx.name}</th><th>{tx.role}</th><th>{tx.created}</th><th>{tx.state}</th><th></th></tr></thead>
                <tbody>{users.into_iter().map(|u| {
                    let (name, disabled) = (u.name.clone(), u.disabled);
                    let row_name = u.name.clone();
                    view! {
                        <tr data-user=row_name>
                            <td>{u.name}</td><td>{u.role.as_str()}</td><td>{day(u.created_at)}</td>
                            <td>{if disabled { tx.disabled } else { tx.active }}</td>
                            <td><button class="link-button" on:click=move |_| { toggle.dispatch((name.clone(), !disabled)); }>
                                {if disabled { tx.enable } else { tx.disable }}
                            </button></td>
                        </tr>
                    }
                }).collect_view()}</tbody>
            </table>
            {move || toggle.value().get().and_then(Result::err).map(|e| view! { <p class="error-text" role="alert">{err(e.words())}</p> })}
            <form class="edit-form" on:submit=move |ev| { ev.prevent_default(); add.dispatch(()); }>
                <label>{tx.name}<input bind:value=user_name maxlength="64" required /></label>
                <label>{tx.role}<select bind:value=user_role>{role_options()}<option value="tenant">"tenant"</option></select></label>
                <label>{tx.tenant}<input bind:value=user_tenant maxlength="100" placeholder=tx.tenant_hint disabled=move || user_role.get() != "tenant" /></label>
                <label>{tx.password_10}<input type="password" bind:value=user_password autocomplete="new-password" required /></label>
                <div class="form-actions"><button type="submit" class="primary">{tx.add_user}</button></div>
                {move || add.value().get().and_then(Result::err).map(|e| view! { <p class="error-text" role="alert">{err(e.words())}</p> })}
            </form>
        </div>
    }
}

/// "Reset a password" (its state lives above the reloading view: see `AdminPage`).
#[component]
fn ResetPanel(user_names: Vec<String>, form: ResetForm) -> impl IntoView {
    let ResetForm {
        name: reset_name,
        password: reset_password,
        action: reset,
    } = form;
    let (tx, a, err) = (
        &crate::locale::t().admin,
        &crate::locale::t().account,
        crate::locale::t().common.error,
    );
    view! {
        <div class="panel">
            <div class="panel-head"><h2>{tx.reset_title}</h2><span class="panel-note">{tx.reset_note}</span></div>
            <form class="edit-form" on:submit=move |ev| { ev.prevent_default(); reset.dispatch(()); }>
                <label>{a.user}<select bind:value=reset_name required>
                    <option value="">{tx.choose}</option>
                    {user_names.into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
                </select></label>
                <label>{a.new}<input type="password" bind:value=reset_password autocomplete="new-password" required /></label>
                <div class="form-actions"><button type="submit" class="primary">{tx.reset}</button></div>
                {move || reset.value().get().map(|r| match r {
                    Ok(u) => view! { <p class="ok-text" role="status">{(tx.reset_done)(&u.name)}</p> }.into_any(),
                    Err(e) => view! { <p class="error-text" role="alert">{err(e.words())}</p> }.into_any(),
                })}
            </form>
        </div>
    }
}

/// API tokens: the list with revoke, and the form that creates one (its secret shown once).
#[component]
fn TokensPanel(tokens: Vec<TokenRow>, reload: RwSignal<u32>) -> impl IntoView {
    let token_name = RwSignal::new(String::new());
    let token_role = RwSignal::new("viewer".to_string());
    let create = Action::new(move |_: &()| {
        let (name, role) = (token_name.get_untracked(), token_role.get_untracked());
        async move { create_token(name, Role::parse(&role).unwrap_or(Role::Viewer)).await }
    });
    let revoke = Action::new(move |id: &i64| {
        let id = *id;
        async move { revoke_token(id).await }
    });
    Effect::new(move |_| {
        if matches!(revoke.value().get(), Some(Ok(_))) {
            reload.update(|n| *n += 1);
        }
    });
    let lang = crate::locale::use_lang();
    let (tx, a, err) = (
        &crate::locale::t().admin,
        &crate::locale::t().account,
        crate::locale::t().common.error,
    );
    let day = day(lang);
    let minute = move |d: DateTime<Utc>| crate::i18n::numbers::utc_minute(lang, d);
    view! {
        <div class="panel">
            <div class="panel-head"><h2>{tx.tokens}</h2><span class="panel-note">{tx.tokens_note}</span></div>
            <table class="data-table" tabindex="0"><thead><tr><th>"Id"</th><th>{tx.name}</th><th>{tx.role}</th><th>{tx.created}</th><th>{tx.last_used}</th><th>{tx.state}</th><th></th></tr></thead>
                <tbody>{tokens.into_iter().map(|t| {
                    let active = t.revoked_at.is_none();
                    view! {
                        <tr>
                            <td>{t.id}</td><td>{t.name}</td><td>{t.role.as_str()}</td>
                            <td>{(tx.created_by)(&day(t.created_at), &t.created_by)}</td>
                            <td>{t.last_used_at.map_or(crate::locale::t().device.never.to_string(), minute)}</td>
                            <td>{t.revoked_at.map_or(tx.active.to_string(), |d| (tx.revoked)(&day(d)))}</td>
                            <td>{active.then(|| view! { <button class="link-button" on:click=move |_| { revoke.dispatch(t.id); }>{a.revoke}</button> })}</td>
                        </tr>
                    }
                }).collect_view()}</tbody>
            </table>
            <form class="edit-form" on:submit=move |ev| { ev.prevent_default(); create.dispatch(()); }>
                <label>{tx.name}<input bind:value=token_name maxlength="64" required /></label>
                <label>{tx.role}<select bind:value=token_role>{role_options()}</select></label>
                <div class="form-actions"><button type="submit" class="primary">{tx.create_token}</button></div>
                {move || create.value().get().map(|r| match r {
                    Ok(t) => view! { <p class="token-once" data-testid="new-token">{tx.copy_now}<code>{t.token}</code></p> }.into_any(),
                    Err(e) => view! { <p class="error-text" role="alert">{err(e.words())}</p> }.into_any(),
                })}
            </form>
        </div>
    }
}

/// The audit log, newest first.
#[component]
fn AuditPanel(audit: Vec<AuditEntry>) -> impl IntoView {
    let tx = &crate::locale::t().admin;
    let day = day(crate::locale::use_lang());
    view! {
        <div class="panel">
            <div class="panel-head"><h2>{tx.audit}</h2><span class="panel-note">{tx.audit_note}</span></div>
            <table class="data-table small" tabindex="0" data-testid="audit-log"><thead><tr><th>{tx.when}</th><th>{tx.who}</th><th>{tx.what}</th><th>{tx.target}</th><th>{tx.detail}</th></tr></thead>
                <tbody>{audit.into_iter().map(|e| view! {
                    <tr><td>{format!("{} {}", day(e.at), e.at.format("%H:%M:%S"))}</td><td>{e.actor}</td><td>{e.action}</td><td>{e.target}</td><td class="detail">{e.detail}</td></tr>
                }).collect_view()}</tbody>
            </table>
        </div>
    }
}
