//! Live browser sessions with a revoke button each: the account page shows one's own, the
//! admin page everyone's.

use leptos::prelude::*;

use crate::api::admin::SessionRow;
use crate::api::error::ApiError;

#[component]
pub fn SessionsTable(
    sessions: Vec<SessionRow>,
    /// Show whose session each row is (the admin's view of everyone's).
    #[prop(optional)]
    with_user: bool,
    revoke: Action<i64, Result<(), ApiError>>,
) -> impl IntoView {
    let lang = crate::locale::use_lang();
    let tx = &crate::locale::t().account;
    let when = move |d: chrono::DateTime<chrono::Utc>| {
        format!(
            "{} {}",
            crate::i18n::numbers::date(lang, d.date_naive()),
            d.format("%H:%M")
        )
    };
    view! {
        <table class="data-table small" tabindex="0" data-testid="sessions">
            <thead><tr>
                {with_user.then(|| view! { <th>{tx.user}</th> })}
                <th>{tx.signed_in}</th><th>{tx.last_seen}</th><th>{tx.ends}</th><th>{tx.from}</th><th>{tx.browser}</th><th></th>
            </tr></thead>
            <tbody>{sessions.into_iter().map(|s| {
                let id = s.id;
                view! {
                    <tr data-session=id>
                        {with_user.then(|| view! { <td>{s.user.clone()}</td> })}
                        <td>{when(s.created_at)}</td>
                        <td>{when(s.last_seen_at)}</td>
                        <td>{when(s.expires_at)}</td>
                        <td>{s.address}</td>
                        <td class="detail">{s.user_agent}</td>
                        <td>{if s.current {
                            view! { <span class="badge">{tx.this_session}</span> }.into_any()
                        } else {
                            view! { <button class="link-button" on:click=move |_| { revoke.dispatch(id); }>{tx.revoke}</button> }.into_any()
                        }}</td>
                    </tr>
                }
            }).collect_view()}</tbody>
        </table>
        {move || revoke.value().get().and_then(Result::err).map(|e| view! { <p class="error-text" role="alert">{(crate::locale::t().common.error)(e.words())}</p> })}
    }
}
