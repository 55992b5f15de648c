//! `/account`: change your password and see or end your own sessions (every role).

use leptos::prelude::*;

use crate::api::admin::{change_password, get_account, revoke_session, AccountView};
use crate::components::error_panel::ErrorPanel;
use crate::components::sessions_table::SessionsTable;

#[component]
pub fn AccountPage() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let data = Resource::new(move || reload.get(), |_| get_account());
    view! {
        <section class="page">
            <div class="page-head"><h1>"Your account"</h1></div>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                    {move || Suspend::new(async move { data.await.map(|v| view! { <Account v reload /> }) })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn Account(v: AccountView, reload: RwSignal<u32>) -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let mismatch = RwSignal::new(false);
    let change = Action::new(move |_: &()| {
        let (c, n) = (current.get_untracked(), new.get_untracked());
        async move { change_password(c, n).await }
    });
    let revoke = Action::new(move |id: &i64| {
        let id = *id;
        async move { revoke_session(id).await }
    });
    Effect::new(move |_| {
        if matches!(change.value().get(), Some(Ok(_))) {
            current.set(String::new());
            new.set(String::new());
            repeat.set(String::new());
            reload.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if matches!(revoke.value().get(), Some(Ok(_))) {
            reload.update(|n| *n += 1);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let differ = new.get_untracked() != repeat.get_untracked();
        mismatch.set(differ);
        if !differ {
            change.dispatch(());
        }
    };
    view! {
        <div class="panel">
            <div class="panel-head">
                <h2>"Password"</h2>
                <span class="panel-note" data-testid="account-who">{format!("Signed in as {} ({})", v.name, v.role.as_str())}</span>
            </div>
            <form class="edit-form" on:submit=submit>
                <label>"Current password"<input type="password" bind:value=current autocomplete="current-password" required /></label>
                <label>"New password (10+ characters)"<input type="password" bind:value=new autocomplete="new-password" minlength="10" required /></label>
                <label>"New password again"<input type="password" bind:value=repeat autocomplete="new-password" required /></label>
                <div class="form-actions"><button type="submit" class="primary">"Change password"</button></div>
                {move || mismatch.get().then(|| view! { <p class="error-text" role="alert">"The two new passwords differ."</p> })}
                {move || change.value().get().map(|r| match r {
                    Ok(()) => view! { <p class="ok-text" role="status" data-testid="password-changed">"Password changed. Your other sessions were signed out."</p> }.into_any(),
                    Err(e) => view! { <p class="error-text" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </form>
        </div>
        <div class="panel">
            <div class="panel-head"><h2>"Your sessions"</h2><span class="panel-note">"Browsers signed in as you. Revoke one you do not recognise, then change your password."</span></div>
            <SessionsTable sessions=v.sessions revoke />
        </div>
    }
}
