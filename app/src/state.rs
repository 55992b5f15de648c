//! Client-side contexts: the one live stream every page reads from, and who is signed in.

use leptos::prelude::*;

use crate::api::auth::{Principal, Role};
use crate::api::timeline::get_me;
use crate::model::fleet::devices::FleetSummary;

/// The latest fleet summary pushed by `/api/v1/stream`; `None` until the first event.
#[derive(Clone, Copy)]
pub struct LiveFleet(pub RwSignal<Option<FleetSummary>>);

/// Provides `LiveFleet` and, in the browser, opens the event stream feeding it.
pub fn provide_live_fleet() {
    let live = LiveFleet(RwSignal::new(None));
    provide_context(live);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        use futures_util::StreamExt;
        use gloo_net::eventsource::futures::EventSource;
        leptos::task::spawn_local(async move {
            let Ok(mut source) = EventSource::new("/api/v1/stream") else {
                return;
            };
            let Ok(mut events) = source.subscribe("fleet") else {
                return;
            };
            while let Some(Ok((_, message))) = events.next().await {
                if let Some(summary) = message
                    .data()
                    .as_string()
                    .and_then(|d| serde_json::from_str::<FleetSummary>(&d).ok())
                {
                    live.0.set(Some(summary));
                }
            }
            // The stream ended; the EventSource closes with `source` here.
            source.close();
        });
    });
}

/// The live fleet summary, if the stream has delivered one.
pub fn live_fleet() -> Option<RwSignal<Option<FleetSummary>>> {
    use_context::<LiveFleet>().map(|l| l.0)
}

/// The signed-in user, loaded once per page load (SSR'd, then hydrated from the HTML).
#[derive(Clone, Copy)]
pub struct Me(pub Resource<Result<Principal, crate::api::error::ApiError>>);

pub fn provide_me() {
    provide_context(Me(Resource::new(|| (), |_| get_me())));
}

/// The signed-in user's role, once known (`None` while loading or on error).
pub fn my_role() -> Signal<Option<Role>> {
    let me = use_context::<Me>();
    Signal::derive(move || {
        me.and_then(|m| m.0.get())
            .and_then(Result::ok)
            .map(|p| p.role)
    })
}
