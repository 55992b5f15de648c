//! `/account`: change your password and see or end your own sessions (every role).

use leptos::prelude::*;

use crate::api::admin::{change_password, get_account, revoke_session, AccountView};
use crate::api::error::ApiError;
use crate::components::error_panel::ErrorPanel;
use crate::components::sessions_table::SessionsTable;

#[component]
pub fn AccountPage() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let data = Resource::new(move || reload.get(), |_| get_account());
    // The actions live here, above the view the reload re-creates, so their outcome ("Password
    // changed") outlives the refresh of the session list it triggers.
    let form = PasswordForm::default();
    let change = Action::new(move |_: &()| {
        let (c, n) = (form.current.get_untracked(), form.new.get_untracked());
        async move { change_password(c, n).await }
    });
    let revoke = Action::new(move |id: &i64| {
        let id = *id;
        async move { revoke_session(id).await }
    });
    Effect::new(move |_| {
        if matches!(change.value().get(), Some(Ok(_))) {
            form.current.set(String::new());
            form.new.set(String::new());
            form.repeat.set(String::new());
            reload.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if matches!(revoke.value().get(), Some(Ok(_))) {
            reload.update(|n| *n += 1);
        }
    });
    view! {
        <section class="page">
            <div class="page-head"><h1>{crate::locale::t().account.title}</h1></div>
            <Transition fallback=|| view! { <p class="loading">{crate::locale::t().common.loading}</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                    {move || Suspend::new(async move { data.await.map(|v| view! { <Account v form change revoke /> }) })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// The password form's fields.
#[derive(Clone, Copy)]
struct PasswordForm {
    current: RwSignal<String>,
    new: RwSignal<String>,
    repeat: RwSignal<String>,
    mismatch: RwSignal<bool>,
}

impl Default for PasswordForm {
    fn default() -> Self {
        Self {
            current: RwSignal::new(String::new()),
            new: RwSignal::new(String::new()),
            repeat: RwSignal::new(String::new()),
            mismatch: RwSignal::new(false),
        }
    }
}

#[component]
fn Account(
    v: AccountView,
    form: PasswordForm,
    change: Action<(), Result<(), ApiError>>,
    revoke: Action<i64, Result<(), ApiError>>,
) -> impl IntoView {
    let PasswordForm {
        current,
        new,
        repeat,
        mismatch,
    } = form;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let differ = new.get_untracked() != repeat.get_untracked();
        mismatch.set(differ);
        if !differ {
            change.dispatch(());
        }
    };
    let tx = &crate::locale::t().account;
    view! {
        <div class="panel">
            <div class="panel-head">
                <h2>{tx.password}</h2>
                <span class="panel-note" data-testid="account-who">{(tx.signed_in_as)(&v.name, v.role.as_str())}</span>
            </div>
            <form class="edit-form" on:submit=submit>
                <label>{tx.current}<input type="password" bind:value=current autocomplete="current-password" required /></label>
                <label>{tx.new}<input type="password" bind:value=new autocomplete="new-password" minlength="10" required /></label>
                <label>{tx.again}<input type="password" bind:value=repeat autocomplete="new-password" required /></label>
                <div class="form-actions"><button type="submit" class="primary">{tx.change}</button></div>
                {move || mismatch.get().then(|| view! { <p class="error-text" role="alert">{tx.differ}</p> })}
                {move || change.value().get().map(|r| match r {
                    Ok(()) => view! { <p class="ok-text" role="status" data-testid="password-changed">{tx.changed}</p> }.into_any(),
                    Err(e) => view! { <p class="error-text" role="alert">{(crate::locale::t().common.error)(e.words())}</p> }.into_any(),
                })}
            </form>
        </div>
        <div class="panel">
            <div class="panel-head"><h2>{tx.sessions}</h2><span class="panel-note">{tx.sessions_note}</span></div>
            <SessionsTable sessions=v.sessions revoke />
        </div>
    }
}
