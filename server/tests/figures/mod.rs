//! Real figures (issue 10): the market feed and the pool client against local servers replaying
//! recorded answers (and failing in the ways remote services fail), revenue history measured
//! from telemetry, device identity from the device. Part of the `api` test binary.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use serde_json::Value;

use app::model::fleet::devices::{Device, DeviceKind, DeviceStatus};
use app::model::mining::market::MarketSource;
use server::market::feed::{FeedError, MempoolFeed};
use server::remote::{RemoteError, RemoteLimits};
use server::store::{DeviceSpec, Store};

use super::support::{day, wait_until, TestApp};

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// How the fake mempool answers.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Recorded,
    /// 429 with `Retry-After: 0` on the first `n` requests, then recorded answers.
    RateLimitedFirst(usize),
    ServerError,
    Hang,
    /// Announces more bytes than it sends, then closes.
    Truncated,
    Oversized,
    /// Day prices (`historical-price`) fail with 500 once `n` of them have been answered; the
    /// rest as recorded.
    PricesFailAfter(usize),
}

#[derive(Clone)]
struct Fake {
    mode: Arc<Mutex<Mode>>,
    requests: Arc<AtomicUsize>,
    /// Requests per path (`/api/v1/historical-price`, `/api/v1/prices`, …).
    by_path: Arc<Mutex<HashMap<String, usize>>>,
}

impl Fake {
    fn count(&self, path: &str) -> usize {
        self.by_path.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

async fn mempool(
    State(f): State<Fake>,
    uri: axum::http::Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let n = f.requests.fetch_add(1, Ordering::SeqCst);
    let seen = {
        let mut by_path = f.by_path.lock().unwrap();
        let c = by_path.entry(uri.path().to_string()).or_default();
        *c += 1;
        *c
    };
    let mode = *f.mode.lock().unwrap();
    match mode {
        Mode::RateLimitedFirst(k) if n < k => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "0")],
                "slow down",
            )
                .into_response()
        }
        Mode::ServerError => return (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
        Mode::Hang => {
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        Mode::Truncated => {
            return (
                [("content-length", "5000")],
                "{\"time\":1703252411,\"USD\":4",
            )
                .into_response()
        }
        Mode::Oversized => return "x".repeat(200_000).into_response(),
        Mode::PricesFailAfter(k) if uri.path() == "/api/v1/historical-price" && seen > k => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "price history unavailable",
            )
                .into_response()
        }
        _ => {}
    }
    let path = uri.path();
    let body = match path {
        "/api/v1/prices" => fixture("mempool/prices.json"),
        "/api/blocks/tip/height" => fixture("mempool/tip-height.txt"),
        "/api/v1/mining/reward-stats/144" => fixture("mempool/reward-stats-100.json"),
        "/api/v1/historical-price" => {
            // The recorded answer's shape, priced per requested day so a backfill is checkable:
            // 20,000 USD plus the day of the month × 100.
            let ts: i64 = q["timestamp"].parse().unwrap();
            let d = chrono::DateTime::from_timestamp(ts, 0)
                .unwrap()
                .date_naive();
            let usd = 20_000.0 + 100.0 * chrono::Datelike::day(&d) as f64;
            fixture("mempool/historical-price.json")
                .replace("\"time\":1499904000", &format!("\"time\":{ts}"))
                .replace("\"USD\":2254.9", &format!("\"USD\":{usd}"))
        }
        p if p.starts_with("/api/v1/mining/hashrate/") => fixture("mempool/hashrate-3d.json"),
        p if p.starts_with("/api/v1/mining/blocks/fees/") => fixture("mempool/blocks-fees-1w.json"),
        _ => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    body.into_response()
}

async fn fake_mempool(mode: Mode) -> (String, Fake) {
    let fake = Fake {
        mode: Arc::new(Mutex::new(mode)),
        requests: Arc::new(AtomicUsize::new(0)),
        by_path: Arc::default(),
    };
    let app = Router::new()
        .fallback(get(mempool))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), fake)
}

fn quick_limits() -> RemoteLimits {
    RemoteLimits {
        timeout: Duration::from_millis(800),
        max_bytes: 64 * 1024,
        retries: 2,
        backoff: Duration::from_millis(10),
        max_retry_after: Duration::from_secs(1),
    }
}

async fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    (dir, Store::connect(&url).await.unwrap())
}

#[tokio::test]
async fn the_feed_reads_recorded_answers_and_failures_keep_the_last_good_figures() {
    let (url, fake) = fake_mempool(Mode::Recorded).await;
    let (_dir, store) = temp_store().await;
    let feed = MempoolFeed::new(&url, quick_limits()).unwrap();
    let today = day(2026, 3, 2);
    feed.refresh_today(&store, today).await.unwrap();
    let stored = store.market_days(today, today).await.unwrap();
    assert_eq!(stored.len(), 1);
    let row = stored[0];
    assert_eq!(row.source, MarketSource::Live);
    assert_eq!(row.btc_usd, 43753.0);
    assert_eq!(row.difficulty, 31251101365711.12);
    assert_eq!(row.height, Some(698767));
    assert!((row.fees_btc_per_block - 13.11748254 / 100.0).abs() < 1e-12);

    // 429 twice (Retry-After: 0), then the answer: retried, read.
    *fake.mode.lock().unwrap() = Mode::RateLimitedFirst(fake.requests.load(Ordering::SeqCst) + 2);
    assert_eq!(feed.price_now().await.unwrap().usd, 43753.0);

    // Every failure is an error that leaves the stored row exactly as it was.
    for (mode, what) in [
        (Mode::ServerError, "HTTP 500"),
        (Mode::Hang, "timeout"),
        (Mode::Truncated, "truncated"),
        (Mode::Oversized, "oversized"),
    ] {
        *fake.mode.lock().unwrap() = mode;
        let started = std::time::Instant::now();
        let err = feed.refresh_today(&store, today).await.unwrap_err();
        match (&err, mode) {
            (FeedError::Remote(RemoteError::Status { status: 500, .. }), Mode::ServerError) => {}
            (FeedError::Remote(RemoteError::Transport { .. }), Mode::Hang | Mode::Truncated) => {}
            (FeedError::Remote(RemoteError::TooLarge { .. }), Mode::Oversized) => {}
            other => panic!("{what}: unexpected {other:?}"),
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{what} took {:?}",
            started.elapsed()
        );
        assert_eq!(
            store.market_days(today, today).await.unwrap(),
            vec![row],
            "{what}"
        );
    }
    // Rate limited for longer than we will wait: given up at once, not slept on.
    *fake.mode.lock().unwrap() = Mode::RateLimitedFirst(usize::MAX);
    assert!(matches!(
        feed.price_now().await,
        Err(FeedError::Remote(RemoteError::RateLimited { .. }))
    ));
}

#[tokio::test]
async fn a_backfill_writes_one_live_row_per_priced_day() {
    let (url, _fake) = fake_mempool(Mode::Recorded).await;
    let (_dir, store) = temp_store().await;
    let feed = MempoolFeed::new(&url, quick_limits()).unwrap();
    // The recorded difficulty adjustment is of 2022-05-13: the days after it can be backfilled.
    let (from, to) = (day(2022, 5, 14), day(2022, 5, 20));
    let n = feed
        .backfill(&store, from, to, day(2022, 5, 21))
        .await
        .unwrap();
    assert_eq!(n, 7);
    let rows = store.market_days(from, to).await.unwrap();
    assert!(rows.iter().all(|r| r.source == MarketSource::Live));
    assert_eq!(rows[0].btc_usd, 21_400.0);
    assert_eq!(rows[6].btc_usd, 22_000.0);
    assert!(rows.iter().all(|r| r.difficulty == 31251101365711.12));
    // Heights count on from the adjustment's block at 144 a day.
    assert!(rows
        .windows(2)
        .all(|w| w[1].height.unwrap() == w[0].height.unwrap() + 144));
    assert!(store.days_without_live(from, to).await.unwrap().is_empty());
    // A second run has nothing left to do.
    assert_eq!(
        feed.backfill(&store, from, to, day(2022, 5, 21))
            .await
            .unwrap(),
        0
    );
}

/// A backfill stores its days in batches of 30: one that fails in its second batch keeps the
/// first, and the next run fetches only the days still missing.
#[tokio::test]
async fn a_backfill_that_fails_halfway_keeps_its_progress_and_resumes() {
    let (url, fake) = fake_mempool(Mode::PricesFailAfter(30)).await;
    let (_dir, store) = temp_store().await;
    let feed = MempoolFeed::new(&url, quick_limits()).unwrap();
    let (from, to, today) = (day(2022, 5, 14), day(2022, 6, 27), day(2022, 6, 28));
    let err = feed.backfill(&store, from, to, today).await.unwrap_err();
    assert!(
        matches!(
            err,
            FeedError::Remote(RemoteError::Status { status: 500, .. })
        ),
        "{err:?}"
    );
    // The first batch (14 May – 12 June) is stored, the rest is not.
    let missing = store.days_without_live(from, to).await.unwrap();
    assert_eq!(missing.first(), Some(&day(2022, 6, 13)));
    assert_eq!(missing.len(), 15);
    assert_eq!(store.market_days(from, to).await.unwrap().len(), 30);
    *fake.mode.lock().unwrap() = Mode::Recorded;
    let asked_before = fake.count("/api/v1/historical-price");
    assert_eq!(feed.backfill(&store, from, to, today).await.unwrap(), 15);
    // Resumed: one price request per missing day, none for the days already stored.
    assert_eq!(fake.count("/api/v1/historical-price") - asked_before, 15);
    assert!(store.days_without_live(from, to).await.unwrap().is_empty());
    let rows = store.market_days(from, to).await.unwrap();
    assert_eq!(rows.len(), 45);
    // 27 June is priced 20,000 + 27 × 100.
    assert_eq!(rows.last().unwrap().btc_usd, 22_700.0);
}

/// The running feed refreshes today every round; a failed backfill is tried again the next
/// round, a finished one not before its daily turn.
#[tokio::test]
async fn the_feed_retries_a_failed_backfill_each_round_and_a_finished_one_daily() {
    use server::clock::FixedClock;
    let (url, fake) = fake_mempool(Mode::PricesFailAfter(0)).await;
    let (_dir, store) = temp_store().await;
    let store = Arc::new(store);
    let feed = MempoolFeed::new(&url, quick_limits()).unwrap();
    let schedule = server::market::feed::FeedSchedule {
        refresh: Duration::from_millis(100),
        backfill: Duration::from_secs(3600),
    };
    let task = server::market::feed::spawn(
        feed,
        store.clone(),
        Arc::new(FixedClock(day(2022, 5, 21))),
        day(2022, 5, 14),
        schedule,
    );
    // Failing: every round asks again (three failed rounds, each retried by the client).
    let rounds = |f: &Fake| f.count("/api/v1/prices");
    wait_until(
        "three failed backfills",
        Duration::from_secs(20),
        || async {
            (fake.count("/api/v1/historical-price") >= 3 * 3 && rounds(&fake) >= 3).then_some(())
        },
    )
    .await;
    assert!(!store
        .days_without_live(day(2022, 5, 14), day(2022, 5, 20))
        .await
        .unwrap()
        .is_empty());
    *fake.mode.lock().unwrap() = Mode::Recorded;
    wait_until(
        "the backfill to finish",
        Duration::from_secs(20),
        || async {
            let missing = store
                .days_without_live(day(2022, 5, 14), day(2022, 5, 20))
                .await
                .unwrap();
            missing.is_empty().then_some(())
        },
    )
    .await;
    // Finished: three more refresh rounds ask for no day price.
    let (prices, after) = (fake.count("/api/v1/historical-price"), rounds(&fake));
    wait_until("three more rounds", Duration::from_secs(20), || async {
        (rounds(&fake) >= after + 3).then_some(())
    })
    .await;
    assert_eq!(fake.count("/api/v1/historical-price"), prices);
    task.abort();
}

/// Live figures are fresh for two hours after they were fetched and stale after; a feed that
/// fails after answering keeps its last figures and says when they were fetched, which tells
/// it from a feed that never answered (no live figure at all).
#[tokio::test]
async fn live_figures_turn_stale_two_hours_after_their_fetch_not_before() {
    let (url, _fake) = fake_mempool(Mode::ServerError).await;
    let dir = tempfile::tempdir().unwrap();
    let today = Utc::now().date_naive();
    let store = Store::connect(&format!(
        "sqlite://{}",
        dir.path().join("rigshift.db").display()
    ))
    .await
    .unwrap();
    let live = |usd: f64| app::model::mining::market::MarketDay {
        date: today,
        btc_usd: usd,
        difficulty: 1.2e14,
        fees_btc_per_block: 0.02,
        height: Some(925_000),
        source: MarketSource::Live,
    };
    let fetched = Utc::now() - chrono::Duration::minutes(119);
    store
        .upsert_live_days(&[live(91_000.0)], fetched)
        .await
        .unwrap();
    let app = TestApp::on(today)
        .simulator(false)
        .market_url(&url)
        .database_in(dir.path())
        .start()
        .await;
    let (_, latest) = app.get_json("/api/v1/market/latest").await;
    assert_eq!(
        (latest["stale"].as_bool(), latest["source"].as_str()),
        (Some(false), Some("live"))
    );
    assert_eq!(latest["btc_usd"], 91_000.0);
    let as_of: chrono::DateTime<Utc> = latest["as_of"].as_str().unwrap().parse().unwrap();
    assert!((as_of - fetched).num_milliseconds().abs() < 1, "{latest}");
    // The same figure, fetched 2 h 1 min ago: stale, and still dated by its fetch.
    let old = Utc::now() - chrono::Duration::minutes(121);
    store
        .upsert_live_days(&[live(91_000.0)], old)
        .await
        .unwrap();
    let (_, latest) = app.get_json("/api/v1/market/latest").await;
    assert_eq!(
        (latest["stale"].as_bool(), latest["source"].as_str()),
        (Some(true), Some("live"))
    );
    let as_of: chrono::DateTime<Utc> = latest["as_of"].as_str().unwrap().parse().unwrap();
    assert!((as_of - old).num_milliseconds().abs() < 1, "{latest}");
}

#[tokio::test]
async fn with_a_live_feed_and_no_simulator_nothing_says_simulated() {
    let (url, _fake) = fake_mempool(Mode::Recorded).await;
    let today = day(2026, 1, 10);
    let app = TestApp::on(today)
        .simulator(false)
        .market_url(&url)
        .start()
        .await;
    // The feed runs in the background: wait for today's live row.
    let mut latest = Value::Null;
    for _ in 0..200 {
        let (status, v) = app.get_json("/api/v1/market/latest").await;
        if status == 200 && v["source"] == "live" {
            latest = v;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(latest["source"], "live", "{latest}");
    assert_eq!(latest["btc_usd"], 43753.0);
    assert_eq!(latest["height"], 698767);
    assert_eq!(latest["stale"], false);
    assert!(latest["hashprice_usd_per_ph_day"].as_f64().unwrap() > 0.0);
    let as_of: chrono::DateTime<Utc> = latest["as_of"].as_str().unwrap().parse().unwrap();
    assert!((Utc::now() - as_of).num_seconds() < 60);

    let (status, market) = app
        .get_json("/api/v1/market?from=2025-10-30&to=2026-01-12")
        .await;
    assert_eq!(status, 200);
    let sources: Vec<&str> = market["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources.first(), Some(&"bundled"));
    assert!(!sources.contains(&"simulated"), "{sources:?}");
    assert_eq!(sources.last(), Some(&"projected"));

    let html = app
        .request_as(
            Some(app::api::auth::Role::Viewer),
            reqwest::Method::GET,
            "/",
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains("SIMULATED DATA"),
        "the banner names nothing simulated"
    );
    assert!(
        html.contains("live · mempool · 127.0.0.1"),
        "market provenance on the KPIs"
    );
}

#[tokio::test]
async fn a_feed_that_never_answers_is_reported_stale() {
    let (url, _fake) = fake_mempool(Mode::ServerError).await;
    let app = TestApp::on(day(2026, 1, 10))
        .simulator(false)
        .market_url(&url)
        .start()
        .await;
    let (status, latest) = app.get_json("/api/v1/market/latest").await;
    assert_eq!(
        status, 200,
        "pages read the store, never wait on the remote"
    );
    assert_eq!(latest["stale"], true);
    assert_ne!(latest["source"], "live");
    let html = app
        .client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Market data stale"),
        "the stale warning is on the page"
    );
}

/// A polled S21's reading, as the poller stores it.
fn sample(id: &str, ths: f64, status: DeviceStatus) -> Device {
    Device {
        status,
        hashrate_ths: Some(ths),
        temp_c: Some(60.0),
        power_w: Some(3500.0),
        ..Device::offline(id, DeviceKind::Asic, "S21", "pecos-ridge", "10.9.9.9:4028")
    }
}

#[tokio::test]
async fn a_history_day_with_telemetry_is_measured_next_to_a_modelled_one() {
    // Inside the bundled snapshot, so both days are history, not projection.
    let today = day(2025, 10, 20);
    let app = TestApp::on(today).simulator(false).start().await;
    let (_, sites) = app.get_json("/api/v1/sites").await;
    let site = sites["sites"][0]["id"].as_str().unwrap().to_string();
    // Two S21s polled on 2025-10-15 (wall-clock times of that day): one delivers 180 TH/s all
    // day, the other is offline half the day — 180 + 90 = 270 of 400 TH/s nameplate.
    let store = Store::connect(&app.database_url).await.unwrap();
    for id in ["m-1", "m-2"] {
        store
            .upsert_device(
                &DeviceSpec {
                    id: id.into(),
                    kind: DeviceKind::Asic,
                    model: "S21".into(),
                    site: site.clone(),
                    address: "10.9.9.9:4028".into(),
                    credentials_env: None,
                    protocol: Default::default(),
                },
                "api",
            )
            .await
            .unwrap();
        store.remove_device(id).await.unwrap(); // not polled now; its history stays
    }
    let measured_day = day(2025, 10, 15);
    for hour in 0..24 {
        let at = measured_day.and_hms_opt(hour, 30, 0).unwrap().and_utc();
        let second = if hour < 12 {
            sample("m-2", 180.0, DeviceStatus::Online)
        } else {
            sample("m-2", 0.0, DeviceStatus::Offline)
        };
        store
            .insert_samples(at, &[sample("m-1", 180.0, DeviceStatus::Online), second])
            .await
            .unwrap();
    }
    store
        .roll_up_samples(Utc::now(), chrono::Duration::hours(48))
        .await
        .unwrap();

    let (status, revenue) = app
        .get_json(&format!(
            "/api/v1/revenue?from=2025-10-14&to=2025-10-15&site={site}"
        ))
        .await;
    assert_eq!(status, 200, "{revenue}");
    let days = revenue["days"].as_array().unwrap();
    let (modelled, measured) = (&days[0], &days[1]);
    assert_eq!(modelled["hashrate_source"], "modelled", "{revenue}");
    assert_eq!(modelled["telemetry_coverage"], 0.0);
    assert_eq!(measured["hashrate_source"], "measured");
    let coverage = measured["telemetry_coverage"].as_f64().unwrap();
    let ths = measured["hashrate_ths"].as_f64().unwrap();
    // Realisation 270 / 400 applied to the site's capacity; coverage × capacity = 400 TH/s.
    let capacity = ths / (270.0 / 400.0);
    assert!(
        (coverage * capacity - 400.0).abs() < 1e-6,
        "coverage {coverage}, capacity {capacity}"
    );
    assert!(coverage > 0.0 && coverage < 0.01);
    let mining_ratio =
        measured["mining_usd"].as_f64().unwrap() / modelled["mining_usd"].as_f64().unwrap();
    let ths_ratio = ths / modelled["hashrate_ths"].as_f64().unwrap();
    assert!(
        (mining_ratio / ths_ratio - 1.0).abs() < 0.05,
        "revenue follows the measured hashrate"
    );
}

#[tokio::test]
async fn pool_payouts_are_fetched_with_the_token_and_never_shown() {
    let token = "braiins-test-token-5f2c";
    std::env::set_var("RIGSHIFT_TEST_BRAIINS_TOKEN", token);
    let seen_tokens: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = seen_tokens.clone();
    let pool = Router::new().route(
        "/accounts/rewards/json/btc",
        get(
            move |headers: HeaderMap, Query(q): Query<HashMap<String, String>>| {
                let seen = seen.clone();
                async move {
                    let t = headers
                        .get("pool-auth-token")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    seen.lock().unwrap().push(t.clone());
                    if t != "braiins-test-token-5f2c"
                        || !q.contains_key("from")
                        || !q.contains_key("to")
                    {
                        return (StatusCode::UNAUTHORIZED, String::new());
                    }
                    (StatusCode::OK, fixture("braiins/rewards.json"))
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let pool_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, pool).await });

    let dir = tempfile::tempdir().unwrap();
    let fleet = dir.path().join("fleet.toml");
    // The fixture's days are 2023-02-23..25; the server's "today" follows them.
    let today = day(2023, 2, 26);
    let site = "pecos-ridge".to_string(); // a seeded site
    std::fs::write(
        &fleet,
        format!("[[pool]]\nkind = \"braiins\"\nsite = \"{site}\"\nurl = \"{pool_url}\"\ntoken_env = \"RIGSHIFT_TEST_BRAIINS_TOKEN\"\n"),
    )
    .unwrap();
    let app = TestApp::on(today)
        .simulator(false)
        .fleet_file(&fleet)
        .start()
        .await;
    let mut rewards = Value::Null;
    for _ in 0..200 {
        let (_, v) = app
            .get_json("/api/v1/pool-rewards?from=2023-02-20&to=2023-02-26")
            .await;
        if v["rewards"].as_array().is_some_and(|r| r.len() == 3) {
            rewards = v;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rows = rewards["rewards"].as_array().expect("three payout days");
    assert_eq!(rows[0]["date"], "2023-02-23");
    assert_eq!(rows[0]["btc"], 0.00071383);
    assert_eq!(rows[0]["site"], site.as_str());
    assert_eq!(rows[0]["pool"], "braiins");
    let (_, market) = app
        .get_json("/api/v1/market?from=2023-02-23&to=2023-02-23")
        .await;
    let price = market["days"][0]["btc_usd"].as_f64().unwrap();
    assert!((rows[0]["usd"].as_f64().unwrap() - 0.00071383 * price).abs() < 1e-9);
    assert!(seen_tokens.lock().unwrap().iter().all(|t| t == token));

    let (_, revenue) = app
        .get_json(&format!(
            "/api/v1/revenue?from=2023-02-23&to=2023-02-23&site={site}"
        ))
        .await;
    assert_eq!(revenue["days"][0]["pool_paid_btc"], 0.00071383);
    // The token is in no answer, page or export.
    for path in [
        "/api/v1/pool-rewards?from=2023-02-20&to=2023-02-26",
        "/",
        "/api/v1/audit",
        "/api/v1/export/revenue-mix.csv",
    ] {
        let body = app
            .client
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!body.contains(token), "{path} shows the token");
    }
    let html = app
        .client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Paid by pool"),
        "the overview compares payouts with expectation"
    );
}

#[tokio::test]
async fn a_device_registered_by_address_reports_what_it_is() {
    let app = TestApp::on(day(2026, 3, 10)).asics(12).start().await;
    let mut antminer = None;
    for _ in 0..200 {
        let (_, fleet) = app.get_json("/api/v1/fleet").await;
        antminer = fleet["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| {
                d["kind"] == "asic"
                    && d["model"].as_str().unwrap().starts_with('S')
                    && d["firmware"]
                        .as_str()
                        .is_some_and(|f| f.starts_with("BMMiner"))
            })
            .cloned();
        if antminer.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let antminer = antminer.expect("a simulated Antminer");
    let address = antminer["address"].as_str().unwrap();
    let post = |body: Value| {
        app.client
            .post(app.url("/api/v1/devices"))
            .json(&body)
            .send()
    };
    let r = post(serde_json::json!({"kind": "asic", "address": address, "site": "pecos-ridge"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut found = Value::Null;
    for _ in 0..200 {
        let (_, f) = app.get_json("/api/v1/fleet").await;
        if let Some(d) = f["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id.as_str())
        {
            if d["model"] != "unknown" && !d["firmware"].is_null() {
                found = d.clone();
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(found["model"], antminer["model"], "{found}");
    assert_eq!(found["firmware"], antminer["firmware"], "{found}");
    assert!(found["firmware"].as_str().unwrap().contains("BMMiner"));
    assert!(found["model_mismatch"].is_null());
}
