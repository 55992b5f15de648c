//! `GET /api/v1/stream`: server-sent events. A `fleet` event carries the fleet summary each
//! time a poll cycle changed it (checked every second), so KPIs update without a reload.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Extension;
use futures_util::stream::{self, Stream, StreamExt};

use app::api::ports::Services;

use crate::metrics::Metrics;

pub async fn stream(
    State(svc): State<Services>,
    metrics: Option<Extension<Arc<Metrics>>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // Counted while the stream lives: axum drops it when the client goes away.
    let client = metrics.map(|Extension(m)| m.sse_client());
    let events = stream::unfold(
        (svc, None::<String>, true),
        |(svc, last, first)| async move {
            loop {
                if !first {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                let summary = svc.fleet.summary().await;
                let Ok(json) = serde_json::to_string(&summary) else {
                    continue;
                };
                if last.as_deref() != Some(json.as_str()) {
                    let event = Event::default().event("fleet").data(json.clone());
                    return Some((Ok(event), (svc, Some(json), false)));
                }
                if first {
                    return Some((
                        Ok(Event::default().comment("no fleet data yet")),
                        (svc, last, false),
                    ));
                }
            }
        },
    );
    let events = events.map(move |e| {
        let _connected = &client;
        e
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
