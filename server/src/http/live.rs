//! `GET /api/v1/stream`: server-sent events. A `fleet` event carries the fleet summary each
//! time a poll cycle changed it (checked every second), so KPIs update without a reload.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures_util::stream::{self, StreamExt};

use app::api::ports::Services;

use crate::limits::{client_key, too_many, StreamLimiter};
use crate::metrics::Metrics;

/// Live fleet summary (server-sent events).
#[utoipa::path(get, path = "/stream", tag = "fleet",
    responses((status = 200, description = "Server-sent events: a `fleet` event with the fleet summary (JSON) each time a poll cycle changes it", content_type = "text/event-stream", body = String)))]
pub async fn stream(
    State(svc): State<Services>,
    metrics: Option<Extension<Arc<Metrics>>>,
    closing: Option<Extension<crate::serve::ShuttingDown>>,
    limiter: Option<Extension<Arc<StreamLimiter>>>,
    req: Request,
) -> Response {
    let slot = match limiter {
        Some(Extension(l)) => match l.open(client_key(&req)) {
            Some(slot) => Some(slot),
            None => {
                return too_many(
                    5,
                    &format!(
                        "at most {} live streams per client; close one first",
                        l.max()
                    ),
                )
            }
        },
        None => None,
    };
    // Counted while the stream lives: axum drops it when the client goes away.
    let client = metrics.map(|Extension(m)| m.sse_client());
    // Every stream reads the one shared summary: nothing is copied or recomputed per client.
    let events = stream::unfold((svc, None::<u64>, true), |(svc, last, first)| async move {
        loop {
            if !first {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            let (generation, json) = svc.fleet.summary_json().await;
            if last != Some(generation) {
                let event = Event::default().event("fleet").data(&*json);
                return Some((Ok::<_, Infallible>(event), (svc, Some(generation), false)));
            }
            if first {
                return Some((
                    Ok(Event::default().comment("no fleet data yet")),
                    (svc, last, false),
                ));
            }
        }
    });
    let events = events.map(move |e| {
        let _held = (&client, &slot);
        e
    });
    // A shutting-down server ends its streams (browsers reconnect, to another replica or to
    // this one restarted), so the graceful shutdown is not held open by them.
    let closed = async move {
        match closing {
            Some(Extension(crate::serve::ShuttingDown(mut rx))) => {
                let _ = rx.wait_for(|c| *c).await;
            }
            None => std::future::pending::<()>().await,
        }
    };
    let events = events.take_until(closed);
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}
