//! One suite, two engines: every check here runs against a fresh SQLite file and a fresh
//! PostgreSQL database (`RIGSHIFT_TEST_POSTGRES_URL`, a cluster `scripts/test.sh` starts; set
//! `RIGSHIFT_TEST_POSTGRES=skip` to run the SQLite half alone by hand).

use chrono::{DateTime, Duration, NaiveDate, Utc};

use app::api::auth::Role;
use app::api::error::ApiError;
use app::api::ports::{MarketHistory, PoolRewards, TimelineStore};
use app::model::fleet::devices::{Device, DeviceKind, DeviceStatus};
use app::model::investor::embed::{EmbedSpec, EmbedView};
use app::model::mining::market::{MarketDay, MarketSource};
use app::model::mining::pool::PoolDay;
use app::model::timeline::annotation::AnnotationTarget;
use app::model::timeline::milestones::MilestoneEdit;

use super::{seed_if_empty, DeviceSpec, EngineKind, Store};

/// A store on a database of its own, dropped with the test.
pub(crate) struct TestDb {
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        Self {
            store: Store::connect(&url).await.unwrap(),
            _dir: Some(dir),
        }
    }

    /// A new database on the test cluster; `None` when PostgreSQL was skipped on purpose.
    pub async fn postgres() -> Option<Self> {
        let url = crate::testing::postgres_database().await?;
        Some(Self {
            store: Store::connect(&url).await.unwrap(),
            _dir: None,
        })
    }
}

/// `conformance!(name, check)`: `check(Store)` as two tests, `name::sqlite` and `name::postgres`.
macro_rules! conformance {
    ($($name:ident => $check:ident;)*) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let db = super::TestDb::sqlite().await;
                super::$check(db.store.clone()).await;
            }
            #[tokio::test]
            async fn postgres() {
                if let Some(db) = super::TestDb::postgres().await {
                    assert_eq!(db.store.kind(), super::EngineKind::Postgres);
                    super::$check(db.store.clone()).await;
                }
            }
        }
    )*};
}

conformance! {
    seed_and_sites => seed_and_sites;
    versioned_timeline_edits => versioned_timeline_edits;
    concurrent_edits_have_one_winner => concurrent_edits_have_one_winner;
    accounts_sessions_tokens => accounts_sessions_tokens;
    embeds => embeds;
    market_days => market_days;
    pool_rewards => pool_rewards;
    device_registry => device_registry;
    samples_roll_up_and_expire => samples_roll_up_and_expire;
    measured_site_days => measured_site_days;
    login_failures_are_shared => login_failures_are_shared;
    power_prices_terms_and_peaks => power_prices_terms_and_peaks;
    gpu_months_for_slas => gpu_months_for_slas;
    tenant_users => tenant_users;
    forward_curves_and_gpu_index => forward_curves_and_gpu_index;
    portfolio_round_trip_and_versions => portfolio_round_trip_and_versions;
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn seed_and_sites(store: Store) {
    let added = seed_if_empty(&store).await.unwrap();
    assert!(added >= 3, "example sites seeded: {added}");
    assert_eq!(seed_if_empty(&store).await.unwrap(), 0, "seeding is once");
    let sites = store.sites().await.unwrap();
    assert_eq!(sites.len(), added);
    assert!(
        sites.iter().all(|s| !s.fleet.is_empty()),
        "fleets read back"
    );
    assert!(
        sites.iter().any(|s| !s.contracts.is_empty()),
        "contracts (JSON terms) read back"
    );
    let milestones = store.milestones().await.unwrap();
    assert!(milestones.len() >= added, "timeline seeded");
    // The timeline drives each site's conversion dates.
    assert!(sites.iter().any(|s| !s.conversion.is_empty()));
}

async fn versioned_timeline_edits(store: Store) {
    seed_if_empty(&store).await.unwrap();
    let a = store
        .create_annotation(
            AnnotationTarget::Date(date("2026-03-01")),
            None,
            date("2026-03-01"),
            "Energisation of the first hall",
            "user:ops",
        )
        .await
        .unwrap();
    assert_eq!(a.version, 1);
    let b = store
        .edit_annotation(a.id, "First hall energised", 1, "user:lead")
        .await
        .unwrap();
    assert_eq!((b.version, b.author.as_str()), (2, "user:lead"));
    match store
        .edit_annotation(a.id, "stale words", 1, "user:ops")
        .await
    {
        Err(ApiError::Conflict {
            current_version,
            current_text,
            ..
        }) => {
            assert_eq!(current_version, 2);
            assert_eq!(current_text, "First hall energised");
        }
        other => panic!("stale edit: {other:?}"),
    }
    let history = store.annotation_history(a.id).await.unwrap();
    assert_eq!(
        history.iter().map(|v| v.version).collect::<Vec<_>>(),
        vec![1, 2]
    );
    let listed = TimelineStore::annotations(&store).await.unwrap();
    let read = listed.iter().find(|x| x.id == a.id).unwrap();
    assert_eq!(
        read.updated_at, b.updated_at,
        "what a write answers is what a read gives"
    );
    // The refused text is kept in the audit log, written in the same transaction.
    let audit = store.audit_entries(50).await.unwrap();
    assert!(audit
        .iter()
        .any(|e| e.action == "annotation.edit_conflict" && e.detail.contains("stale words")));

    let m = store.milestones().await.unwrap().remove(0);
    let edit = MilestoneEdit {
        planned_start: m.planned_start,
        planned_end: m.planned_end,
        actual_start: m.planned_start.into(),
        actual_end: None,
        mw: m.mw,
        title: "Renamed phase".into(),
        version: m.version,
    };
    let updated = store
        .update_milestone(&m.id, &edit, "user:lead")
        .await
        .unwrap();
    assert_eq!(updated.version, m.version + 1);
    assert!(matches!(
        store.update_milestone(&m.id, &edit, "user:ops").await,
        Err(ApiError::Conflict { .. })
    ));
    assert!(matches!(
        store.update_milestone("no-such", &edit, "user:ops").await,
        Err(ApiError::NotFound(_))
    ));
}

async fn concurrent_edits_have_one_winner(store: Store) {
    let a = store
        .create_annotation(
            AnnotationTarget::Date(date("2026-04-01")),
            None,
            date("2026-04-01"),
            "v1",
            "user:ops",
        )
        .await
        .unwrap();
    let edits = (0..8).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .edit_annotation(a.id, &format!("writer {i}"), 1, &format!("user:w{i}"))
                .await
        })
    });
    let mut results = Vec::new();
    for edit in edits.collect::<Vec<_>>() {
        results.push(edit.await.unwrap());
    }
    let won = results.iter().filter(|r| r.is_ok()).count();
    let refused = results
        .iter()
        .filter(|r| matches!(r, Err(ApiError::Conflict { .. })))
        .count();
    assert_eq!((won, refused), (1, 7), "{results:?}");
    assert_eq!(store.annotation_history(a.id).await.unwrap().len(), 2);
}

async fn accounts_sessions_tokens(store: Store) {
    assert_eq!(store.user_count().await.unwrap(), 0);
    assert!(store
        .add_user("ada", Role::Admin, None, "hash-a", "cli")
        .await
        .unwrap());
    assert!(
        !store
            .add_user("ada", Role::Viewer, None, "x", "cli")
            .await
            .unwrap(),
        "names are unique"
    );
    assert!(store
        .add_user("bob", Role::Operator, None, "hash-b", "cli")
        .await
        .unwrap());
    let bob = store.user_by_name("bob").await.unwrap().unwrap();
    assert_eq!(
        (bob.role, bob.password_hash.as_str()),
        (Role::Operator, "hash-b")
    );

    let idle = Duration::minutes(30);
    let expires = Utc::now() + Duration::hours(1);
    let s1 = store
        .create_session("h1", bob.id, expires, "10.0.0.1", "Firefox")
        .await
        .unwrap();
    let s2 = store
        .create_session("h2", bob.id, expires, "10.0.0.2", "Chromium")
        .await
        .unwrap();
    let who = store
        .session_user("h1", idle, "10.0.0.1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((who.session_id, who.name.as_str()), (s1, "bob"));
    // The saved language rides along with the session; unknown users are reported.
    assert_eq!(who.language, None);
    assert!(store
        .set_user_language("bob", Some(app::i18n::Lang::It))
        .await
        .unwrap());
    assert!(!store
        .set_user_language("nobody", Some(app::i18n::Lang::It))
        .await
        .unwrap());
    let who = store
        .session_user("h1", idle, "10.0.0.1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(who.language, Some(app::i18n::Lang::It));
    assert_eq!(store.sessions(Some("bob"), idle).await.unwrap().len(), 2);
    // An expired session opens nothing.
    store
        .create_session("h3", bob.id, Utc::now() - Duration::seconds(1), "", "")
        .await
        .unwrap();
    assert!(store.session_user("h3", idle, "").await.unwrap().is_none());

    // Another user cannot revoke bob's session; bob can.
    assert!(!store
        .revoke_session(s2, Some("ada"), "user:ada")
        .await
        .unwrap());
    assert!(store
        .revoke_session(s2, Some("bob"), "user:bob")
        .await
        .unwrap());
    assert!(store.session_user("h2", idle, "").await.unwrap().is_none());

    let token = store
        .create_token("ci", Role::Viewer, "th", "user:bob")
        .await
        .unwrap();
    assert_eq!(
        store.token_user("th").await.unwrap().unwrap().2,
        Role::Viewer
    );
    // Uses are noted in a batch; a later use is never replaced by an earlier one.
    let at = |m: u32| chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 1, 10, m, 0).unwrap();
    store.note_token_uses(&[(token, at(30))]).await.unwrap();
    store.note_token_uses(&[(token, at(10))]).await.unwrap();
    let used = store.tokens().await.unwrap();
    let row = used.iter().find(|t| t.id == token).unwrap();
    assert_eq!(row.last_used_at, Some(at(30)));
    // A password change keeps the current session, ends the others, revokes bob's tokens.
    store
        .create_session("h4", bob.id, expires, "", "")
        .await
        .unwrap();
    assert!(store
        .set_password(
            "bob",
            "hash-b2",
            Some(s1),
            true,
            "user:bob",
            "password.change"
        )
        .await
        .unwrap());
    assert!(store.session_user("h1", idle, "").await.unwrap().is_some());
    assert!(store.session_user("h4", idle, "").await.unwrap().is_none());
    assert!(store.token_user("th").await.unwrap().is_none());
    assert!(
        !store.revoke_token(token, "user:ada").await.unwrap(),
        "already revoked"
    );

    let row = store
        .set_disabled("bob", true, "user:ada")
        .await
        .unwrap()
        .unwrap();
    assert!(row.disabled);
    assert!(
        store.user_by_name("bob").await.unwrap().is_none(),
        "disabled users cannot sign in"
    );
    assert!(store.session_user("h1", idle, "").await.unwrap().is_none());
    let actions: Vec<String> = store
        .audit_entries(100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for action in ["session.revoke", "password.change", "user.disable"] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}

async fn embeds(store: Store) {
    let spec = EmbedSpec {
        name: "IR page".into(),
        view: EmbedView::MwConverted,
        sites: vec!["a".into()],
        origins: vec!["https://ir.example.com".into()],
    };
    let row = store
        .create_embed(&spec, "tok", "digest", "user:ada")
        .await
        .unwrap();
    let grant = store.embed_grant("digest").await.unwrap().unwrap();
    assert_eq!((grant.id, grant.view), (row.id, EmbedView::MwConverted));
    assert_eq!(
        (grant.sites, grant.origins),
        (spec.sites.clone(), spec.origins.clone())
    );
    assert_eq!(store.embeds().await.unwrap()[0].created_at, row.created_at);
    assert!(store.revoke_embed(row.id, "user:ada").await.unwrap());
    assert!(store.embed_grant("digest").await.unwrap().is_none());
}

fn market_day(d: &str, btc: f64, source: MarketSource) -> MarketDay {
    MarketDay {
        date: date(d),
        btc_usd: btc,
        difficulty: 1.5e14,
        fees_btc_per_block: 0.02,
        height: Some(925_000),
        source,
    }
}

async fn market_days(store: Store) {
    let bundled = [
        market_day("2026-11-01", 90_000.0, MarketSource::Bundled),
        market_day("2026-11-02", 91_000.0, MarketSource::Bundled),
    ];
    assert_eq!(store.insert_market_days(&bundled).await.unwrap(), 2);
    assert_eq!(
        store.insert_market_days(&bundled).await.unwrap(),
        0,
        "existing days kept"
    );
    let fetched = at("2026-11-03T06:00:00Z");
    let live = [market_day("2026-11-02", 95_000.0, MarketSource::Live)];
    store.upsert_live_days(&live, fetched).await.unwrap();
    let days = store
        .market_days(date("2026-11-01"), date("2026-11-30"))
        .await
        .unwrap();
    assert_eq!(days.len(), 2);
    assert_eq!(
        (days[1].btc_usd, days[1].source),
        (95_000.0, MarketSource::Live)
    );
    assert_eq!(
        store
            .days_without_live(date("2026-11-01"), date("2026-11-02"))
            .await
            .unwrap(),
        vec![date("2026-11-01")]
    );
    assert_eq!(
        store.newest_live().await.unwrap(),
        Some((date("2026-11-02"), fetched))
    );
    assert_eq!(
        store.last_market_day().await.unwrap().unwrap().date,
        date("2026-11-02")
    );
}

async fn pool_rewards(store: Store) {
    let day = |d: &str, site: &str, btc: f64| PoolDay {
        date: date(d),
        site: site.into(),
        pool: "braiins".into(),
        btc,
    };
    let fetched = at("2026-11-20T00:00:00Z");
    store
        .upsert_pool_days(
            &[
                day("2026-11-18", "a", 0.1),
                day("2026-11-19", "a", 0.2),
                day("2026-11-19", "b", 0.3),
            ],
            fetched,
        )
        .await
        .unwrap();
    // The pool revises the open day.
    store
        .upsert_pool_days(&[day("2026-11-19", "a", 0.25)], fetched)
        .await
        .unwrap();
    let a = store
        .rewards(date("2026-11-01"), date("2026-11-30"), Some("a"))
        .await
        .unwrap();
    assert_eq!(a.iter().map(|d| d.btc).collect::<Vec<_>>(), vec![0.1, 0.25]);
    assert_eq!(
        store
            .rewards(date("2026-11-19"), date("2026-11-19"), None)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        store.last_pool_day("a", "braiins").await.unwrap(),
        Some(date("2026-11-19"))
    );
    assert_eq!(store.last_pool_day("c", "braiins").await.unwrap(), None);
}

fn spec(id: &str, kind: DeviceKind, model: &str) -> DeviceSpec {
    DeviceSpec {
        id: id.into(),
        kind,
        model: model.into(),
        site: "north".into(),
        address: format!("{id}.local:4028"),
        credentials_env: None,
        protocol: Default::default(),
    }
}

async fn device_registry(store: Store) {
    let g0 = store.registry_generation();
    store
        .upsert_devices(
            &[
                spec("m-1", DeviceKind::Asic, "S21"),
                spec("m-2", DeviceKind::Asic, "unknown"),
                spec("g-1", DeviceKind::Gpu, "H100"),
            ],
            "api",
        )
        .await
        .unwrap();
    assert!(store.registry_generation() > g0);
    assert_eq!(store.active_devices().await.unwrap().len(), 3);
    assert!(store.remove_device("g-1").await.unwrap());
    assert!(
        !store.remove_device("g-1").await.unwrap(),
        "already removed"
    );
    // Re-registering brings a device back.
    store
        .upsert_device(&spec("g-1", DeviceKind::Gpu, "H200"), "api")
        .await
        .unwrap();
    let active = store.active_devices().await.unwrap();
    assert_eq!(active.iter().find(|d| d.id == "g-1").unwrap().model, "H200");
    // An identity learned by polling adopts the model of a device registered without one.
    store
        .write_tick(
            Utc::now(),
            &[],
            Vec::new(),
            &[(
                "m-2",
                Some("Antminer S19 XP"),
                Some("bmminer 2.0"),
                Some("S19XP"),
            )],
        )
        .await
        .unwrap();
    let m2 = store
        .active_devices()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.id == "m-2")
        .unwrap();
    assert_eq!(m2.model, "S19XP");
    store
        .upsert_devices(&[spec("s-1", DeviceKind::Asic, "S21")], "simulator")
        .await
        .unwrap();
    assert_eq!(
        store
            .retire_source_except("api", &["m-1".into()])
            .await
            .unwrap(),
        2
    );
    let ids: Vec<String> = store
        .active_devices()
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(ids, vec!["m-1".to_string(), "s-1".to_string()]);
}

fn sample(id: &str, status: DeviceStatus, ths: f64) -> Device {
    Device {
        status,
        hashrate_ths: Some(ths),
        temp_c: Some(60.0),
        power_w: Some(3500.0),
        ..Device::offline(id, DeviceKind::Asic, "S21", "north", "a:1")
    }
}

async fn samples_roll_up_and_expire(store: Store) {
    let now = at("2026-11-25T10:30:00Z");
    // Three days ago, two polls in one hour (one offline); and one poll now.
    let old = now - Duration::days(3);
    store
        .insert_samples(old, &[sample("d1", DeviceStatus::Online, 200.0)])
        .await
        .unwrap();
    store
        .insert_samples(
            old + Duration::minutes(10),
            &[sample("d1", DeviceStatus::Offline, 100.0)],
        )
        .await
        .unwrap();
    store
        .insert_samples(now, &[sample("d1", DeviceStatus::Online, 210.0)])
        .await
        .unwrap();
    let r = store
        .roll_up_samples(now, Duration::hours(48))
        .await
        .unwrap();
    assert_eq!(r.hours_written, 1);
    match store.kind() {
        EngineKind::Sqlite => assert_eq!((r.rows_deleted, r.partitions_dropped), (2, 0)),
        // The old day's partition goes whole; nothing is deleted row by row.
        EngineKind::Postgres => assert_eq!((r.rows_deleted, r.partitions_dropped), (0, 1)),
    }
    let week = store.device_history("d1", now, 168).await.unwrap();
    assert_eq!(week.len(), 2, "{week:?}");
    assert_eq!(week[0].hashrate_ths, Some(150.0));
    assert_eq!(week[0].online_share, 0.5);
    assert_eq!(week[1].hashrate_ths, Some(210.0));
    let hour = store.device_history("d1", now, 1).await.unwrap();
    assert_eq!(hour.len(), 1);
    // Rolling up again changes nothing and keeps the hour.
    let again = store
        .roll_up_samples(now, Duration::hours(48))
        .await
        .unwrap();
    assert_eq!((again.rows_deleted, again.partitions_dropped), (0, 0));
    assert_eq!(store.device_history("d1", now, 168).await.unwrap().len(), 2);
    // Later the hour of `now` is complete and rolled; the older ones are not redone.
    store
        .insert_samples(
            now + Duration::minutes(20),
            &[sample("d1", DeviceStatus::Online, 230.0)],
        )
        .await
        .unwrap();
    let later = store
        .roll_up_samples(now + Duration::minutes(40), Duration::hours(48))
        .await
        .unwrap();
    assert_eq!(later.hours_written, 1, "only the hour just completed");
    let week = store
        .device_history("d1", now + Duration::minutes(40), 168)
        .await
        .unwrap();
    let rates: Vec<f64> = week.iter().filter_map(|p| p.hashrate_ths).collect();
    assert_eq!(rates, vec![150.0, 220.0], "{week:?}");
}

async fn measured_site_days(store: Store) {
    store
        .upsert_devices(
            &[
                spec("m-1", DeviceKind::Asic, "S21"),
                spec("m-2", DeviceKind::Asic, "S21"),
            ],
            "api",
        )
        .await
        .unwrap();
    let day = date("2026-10-14");
    for hour in 0..24 {
        let t = day.and_hms_opt(hour, 30, 0).unwrap().and_utc();
        let second = if hour < 12 {
            sample("m-2", DeviceStatus::Online, 180.0)
        } else {
            sample("m-2", DeviceStatus::Offline, 0.0)
        };
        store
            .insert_samples(t, &[sample("m-1", DeviceStatus::Online, 180.0), second])
            .await
            .unwrap();
    }
    let now = at("2026-10-15T12:00:00Z");
    store
        .roll_up_samples(now, Duration::hours(48))
        .await
        .unwrap();
    let groups = store.site_days(day, day, now).await.unwrap();
    assert_eq!(groups.len(), 1, "{groups:?}");
    let g = &groups[0];
    assert_eq!(
        (g.site.as_str(), g.devices, g.model.as_str()),
        ("north", 2, "S21")
    );
    // m-1 delivered 180 all day, m-2 180 for half of it.
    assert!(
        (g.delivered_ths - 270.0).abs() < 1e-9,
        "{}",
        g.delivered_ths
    );
}

async fn login_failures_are_shared(store: Store) {
    let keys = ["u:ops".to_string(), "a:10.0.0.1".to_string()];
    let t0 = at("2026-11-25T10:00:00Z");
    for i in 0..3 {
        store
            .record_login_failure(&keys, t0 + Duration::seconds(i), t0 - Duration::minutes(15))
            .await
            .unwrap();
    }
    let mut seen = store
        .login_failures(&keys, t0 - Duration::minutes(15))
        .await
        .unwrap();
    seen.sort();
    assert_eq!(
        seen,
        vec![(keys[1].clone(), 3, t0), (keys[0].clone(), 3, t0)],
        "counts and the oldest failure per key"
    );
    // Only failures inside the window count; a later write forgets the old ones.
    assert!(store
        .login_failures(&keys, t0 + Duration::seconds(2))
        .await
        .unwrap()
        .is_empty());
    store.clear_login_failures("u:ops").await.unwrap();
    let left = store
        .login_failures(&keys, t0 - Duration::minutes(15))
        .await
        .unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].0, "a:10.0.0.1");
    store
        .record_login_failure(&keys, t0 + Duration::hours(1), t0 + Duration::minutes(30))
        .await
        .unwrap();
    let after = store
        .login_failures(&keys, t0 - Duration::minutes(15))
        .await
        .unwrap();
    assert!(after.iter().all(|(_, n, _)| *n == 1), "{after:?}");
}

async fn power_prices_terms_and_peaks(store: Store) {
    use app::model::power::contract::{IntervalPrice, PowerContract};
    use app::model::power::curtailment::SitePower;
    seed_if_empty(&store).await.unwrap();
    let price = |point: &str, t: &str, usd: f64| IntervalPrice {
        point: point.into(),
        point_type: String::new(),
        interval_start: at(t),
        usd_per_mwh: usd,
    };
    // 1,200 rows: more than one multi-row statement.
    let start = at("2025-08-01T00:00:00Z");
    let many: Vec<IntervalPrice> = (0..1_200)
        .map(|i| IntervalPrice {
            point: "HB_NORTH".into(),
            point_type: String::new(),
            interval_start: start + chrono::Duration::minutes(15 * i),
            usd_per_mwh: 20.0 + i as f64 / 100.0,
        })
        .collect();
    let fetched = at("2025-08-20T00:00:00Z");
    assert_eq!(
        store
            .upsert_power_prices(&many, "import:a.csv", fetched)
            .await
            .unwrap(),
        1_200
    );
    store
        .upsert_power_prices(
            &[
                price("HB_NORTH", "2025-08-01T00:15:00Z", 4_999.5),
                price("HB_WEST", "2025-08-01T00:00:00Z", -2.0),
            ],
            "feed:prices.example",
            fetched,
        )
        .await
        .unwrap();
    let day = store
        .power_prices(
            "HB_NORTH",
            false,
            at("2025-08-01T00:00:00Z"),
            at("2025-08-02T00:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(day.len(), 96);
    assert_eq!(day[0].usd_per_mwh, 20.0);
    assert_eq!(
        day[1].usd_per_mwh, 4_999.5,
        "a later figure replaces the interval's"
    );
    assert!(day
        .windows(2)
        .all(|w| w[0].interval_start < w[1].interval_start));
    let coverage = store.power_coverage().await.unwrap();
    assert_eq!(coverage.len(), 2);
    assert_eq!(
        (coverage[0].point.as_str(), coverage[0].intervals),
        ("HB_NORTH", 1_200)
    );
    assert_eq!(coverage[1].source.as_deref(), Some("feed:prices.example"));
    // A load zone's two prices are two series; a zone's typed price wins over an untyped one.
    let zone = |kind: &str, usd: f64| IntervalPrice {
        point_type: kind.into(),
        ..price("LZ_HOUSTON", "2025-08-01T00:00:00Z", usd)
    };
    store
        .upsert_power_prices(
            &[zone("LZ", 31.0), zone("LZEW", 32.5), zone("", 30.0)],
            "import:zones.csv",
            fetched,
        )
        .await
        .unwrap();
    let read = |weighted: bool| {
        let store = &store;
        async move {
            store
                .power_prices(
                    "LZ_HOUSTON",
                    weighted,
                    at("2025-08-01T00:00:00Z"),
                    at("2025-08-02T00:00:00Z"),
                )
                .await
                .unwrap()
                .iter()
                .map(|p| (p.point_type.clone(), p.usd_per_mwh))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(read(false).await, vec![("LZ".to_string(), 31.0)]);
    assert_eq!(read(true).await, vec![("LZEW".to_string(), 32.5)]);
    assert_eq!(store.power_coverage().await.unwrap().len(), 5);

    let terms = SitePower {
        contract: PowerContract::Index {
            point: "HB_NORTH".into(),
            settles_on: None,
            adder_usd_per_mwh: 3.5,
            cap_usd_per_mwh: Some(2_000.0),
        },
        policy: Default::default(),
        demand_response: None,
        four_cp_usd_per_kw_year: Some(60.0),
    };
    assert!(store
        .set_site_power("pecos-ridge", Some(&terms), "ops")
        .await
        .unwrap());
    assert!(!store
        .set_site_power("nowhere", Some(&terms), "ops")
        .await
        .unwrap());
    assert_eq!(
        store.site_power().await.unwrap(),
        vec![("pecos-ridge".to_string(), terms)]
    );
    assert!(store
        .set_site_power("pecos-ridge", None, "ops")
        .await
        .unwrap());
    assert!(store.site_power().await.unwrap().is_empty());
    let audit = store.audit_entries(10).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "site.power" && e.actor == "ops")
            .count(),
        2
    );

    // What a site's ASICs drew per hour, from the hourly rollups: two devices of pecos-ridge,
    // one of them offline for half its samples.
    let spec = |id: &str| DeviceSpec {
        id: id.into(),
        kind: DeviceKind::Asic,
        model: "S21".into(),
        site: "pecos-ridge".into(),
        address: format!("{id}:4028"),
        credentials_env: None,
        protocol: Default::default(),
    };
    store
        .upsert_devices(&[spec("m1"), spec("m2")], "api")
        .await
        .unwrap();
    let hour = at("2026-11-25T08:00:00Z");
    let mut d1 = sample("m1", DeviceStatus::Online, 200.0);
    d1.power_w = Some(3_500.0);
    let mut d2 = sample("m2", DeviceStatus::Online, 200.0);
    d2.power_w = Some(3_000.0);
    let mut d2_off = d2.clone();
    d2_off.status = DeviceStatus::Offline;
    d2_off.power_w = None;
    store
        .insert_samples(hour + chrono::Duration::minutes(5), &[d1.clone(), d2])
        .await
        .unwrap();
    store
        .insert_samples(hour + chrono::Duration::minutes(35), &[d1, d2_off])
        .await
        .unwrap();
    store
        .roll_up_samples(
            hour + chrono::Duration::hours(2),
            chrono::Duration::hours(48),
        )
        .await
        .unwrap();
    let drawn = store
        .site_drawn_mw(
            "pecos-ridge",
            hour - chrono::Duration::hours(1),
            hour + chrono::Duration::hours(1),
        )
        .await
        .unwrap();
    assert_eq!(drawn.len(), 1, "{drawn:?}");
    assert_eq!(drawn[0].0, hour);
    // m1 3,500 W all hour, m2 3,000 W half of it: 5,000 W.
    assert!((drawn[0].1 - 0.005).abs() < 1e-9, "{drawn:?}");
    assert!(store
        .site_drawn_mw("muskogee", hour, hour + chrono::Duration::hours(1))
        .await
        .unwrap()
        .is_empty());

    let peaks = [at("2025-06-20T21:30:00Z"), at("2025-07-15T22:00:00Z")];
    assert_eq!(store.set_coincident_peaks(&peaks).await.unwrap(), 2);
    assert_eq!(store.set_coincident_peaks(&peaks).await.unwrap(), 0);
    assert_eq!(
        store
            .coincident_peaks(at("2025-07-01T00:00:00Z"), at("2025-10-01T00:00:00Z"))
            .await
            .unwrap(),
        vec![peaks[1]]
    );
}

/// A contract's SLA and scope round-trip; each GPU's month: unavailable minutes from rolled-up
/// hours (offline or a fatal reason) and from raw samples of hours not rolled up yet.
async fn gpu_months_for_slas(store: Store) {
    seed_if_empty(&store).await.unwrap();
    let contract: app::model::ai::lease::LeaseContract = serde_json::from_value(serde_json::json!({
        "id": "hall-z", "site_id": "muskogee", "tenant": "Zeta",
        "terms": { "kind": "gpu_hours", "gpus": 2, "usd_per_gpu_hour": 2.0, "utilisation": 1.0, "server_kw_per_gpu": 1.2 },
        "start_on": "2026-01-01", "ramp_months": 0, "end_on": null, "power_pass_through": false,
        "sla": { "availability_pct": 99.5, "credits": [{ "below_pct": 99.5, "credit_pct": 5.0 }] },
        "devices": ["node-z"]
    }))
    .unwrap();
    store.add_contract(&contract).await.unwrap();
    let read = store
        .sites()
        .await
        .unwrap()
        .into_iter()
        .flat_map(|s| s.contracts)
        .find(|c| c.id == "hall-z")
        .unwrap();
    assert_eq!(read, contract);
    store
        .upsert_device(
            &DeviceSpec {
                id: "node-z".into(),
                kind: DeviceKind::Gpu,
                model: "H100".into(),
                site: "muskogee".into(),
                address: "http://x:9400/metrics".into(),
                credentials_env: None,
                protocol: Default::default(),
            },
            "api",
        )
        .await
        .unwrap();
    let gpu =
        |g: u32, status: DeviceStatus, reason: Option<app::model::fleet::reason::Reason>| Device {
            status,
            reason,
            gpu_util_pct: Some(90.0),
            ..Device::offline(
                format!("node-z/gpu{g}"),
                DeviceKind::Gpu,
                "H100",
                "muskogee",
                "x",
            )
        };
    use app::model::fleet::reason::Reason;
    // 10:00–10:59, six polls: gpu0 offline for two, gpu1 with a fatal Xid for three, and a
    // pending row remap (not unavailable) on gpu0 for one.
    let hour = at("2026-11-10T10:00:00Z");
    for i in 0..6 {
        let t = hour + Duration::minutes(10 * i);
        let g0 = match i {
            0 | 1 => gpu(0, DeviceStatus::Offline, Some(Reason::Offline)),
            2 => gpu(0, DeviceStatus::Degraded, Some(Reason::RowRemapPending)),
            _ => gpu(0, DeviceStatus::Online, None),
        };
        let g1 = if i < 3 {
            gpu(
                1,
                DeviceStatus::Degraded,
                Some(Reason::FatalXid { xid: 79 }),
            )
        } else {
            gpu(1, DeviceStatus::Online, None)
        };
        store.insert_samples(t, &[g0, g1]).await.unwrap();
    }
    store
        .roll_up_samples(at("2026-11-10T11:05:00Z"), Duration::days(400))
        .await
        .unwrap();
    // 11:00 is not rolled up: gpu1 offline for one of two polls there.
    store
        .insert_samples(
            at("2026-11-10T11:10:00Z"),
            &[gpu(1, DeviceStatus::Offline, Some(Reason::Offline))],
        )
        .await
        .unwrap();
    store
        .insert_samples(
            at("2026-11-10T11:20:00Z"),
            &[gpu(1, DeviceStatus::Online, None)],
        )
        .await
        .unwrap();
    let months = store
        .gpu_months("muskogee", date("2026-11-01"), date("2026-11-30"))
        .await
        .unwrap();
    let by: std::collections::BTreeMap<&str, (f64, f64)> = months
        .iter()
        .map(|m| {
            (
                m.device_id.as_str(),
                (m.unavailable_minutes, m.observed_hours),
            )
        })
        .collect();
    assert_eq!(by.len(), 2, "{months:?}");
    // gpu0: 2 of 6 → 20 minutes in one hour; gpu1: 3 of 6 → 30, then 1 of 2 → 30, two hours.
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(
        close(by["node-z/gpu0"].0, 20.0) && close(by["node-z/gpu0"].1, 1.0),
        "{by:?}"
    );
    assert!(
        close(by["node-z/gpu1"].0, 60.0) && close(by["node-z/gpu1"].1, 2.0),
        "{by:?}"
    );
    assert!(months.iter().all(|m| m.month == date("2026-11-01")));
    // Another site sees none of them.
    assert!(store
        .gpu_months("pecos-ridge", date("2026-11-01"), date("2026-11-30"))
        .await
        .unwrap()
        .is_empty());
}

/// A tenant user is stored with its tenant and its session says so; the database refuses a
/// tenant user without one.
async fn tenant_users(store: Store) {
    assert!(store
        .add_user("acme", Role::Tenant, Some("Acme AI"), "hash", "cli")
        .await
        .unwrap());
    let refused = store
        .add_user("ghost", Role::Tenant, None, "hash", "cli")
        .await;
    assert!(
        refused.is_err(),
        "the schema's check refuses a tenant user without a tenant"
    );
    let user = store.user_by_name("acme").await.unwrap().unwrap();
    assert_eq!(user.role, Role::Tenant);
    let expires = Utc::now() + Duration::days(1);
    store
        .create_session("digest-acme", user.id, expires, "127.0.0.1", "test")
        .await
        .unwrap();
    let s = store
        .session_user("digest-acme", Duration::hours(12), "127.0.0.1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (s.role, s.tenant.as_deref()),
        (Role::Tenant, Some("Acme AI"))
    );
}

/// A curve date re-imported replaces its tenors whole; the newest date is the curve; index
/// quotes keyed by model (however spelled), the newest on or before a day per model.
async fn forward_curves_and_gpu_index(store: Store) {
    use app::model::mining::forwards::{parse_forward_curve, parse_gpu_index};
    assert_eq!(store.newest_forward_curve().await.unwrap(), None);
    let rows = parse_forward_curve(
        "as_of,month,usd_per_ph_day\n2026-06-01,2026-07,40\n2026-06-01,2026-08,39.5\n2026-05-01,2026-06,45\n",
    )
    .unwrap();
    let t0 = at("2026-06-01T08:00:00Z");
    assert_eq!(
        store
            .replace_forward_curves(&rows, "import:a.csv", t0)
            .await
            .unwrap(),
        3
    );
    let curve = store.newest_forward_curve().await.unwrap().unwrap();
    assert_eq!(
        (curve.as_of, curve.source.as_str()),
        (date("2026-06-01"), "import:a.csv")
    );
    assert_eq!(curve.tenors.len(), 2);
    assert_eq!(curve.usd_per_ph_day(date("2026-08-31")), Some(39.5));
    // The same date again with one tenor: August is gone, not left stale.
    let again = parse_forward_curve("as_of,month,usd_per_ph_day\n2026-06-01,2026-07,41\n").unwrap();
    store
        .replace_forward_curves(&again, "feed:f.example", t0)
        .await
        .unwrap();
    let curve = store.newest_forward_curve().await.unwrap().unwrap();
    assert_eq!(curve.tenors.len(), 1);
    assert_eq!(
        (curve.tenors[0].usd_per_ph_day, curve.source.as_str()),
        (41.0, "feed:f.example")
    );

    let quotes = parse_gpu_index(
        "date,gpu_model,usd_per_gpu_hour\n2026-06-01,H100 SXM,2.4\n2026-06-03,h100-sxm,2.3\n2026-06-09,H100 SXM,2.2\n2026-06-02,B200,3.5\n",
    )
    .unwrap();
    assert_eq!(
        store
            .upsert_gpu_index(&quotes, "import:i.csv", t0)
            .await
            .unwrap(),
        4
    );
    let latest = store.gpu_index_latest(date("2026-06-05")).await.unwrap();
    assert_eq!(latest.len(), 2, "{latest:?}");
    let h100 = latest.iter().find(|q| q.gpu_model == "h100-sxm").unwrap();
    assert_eq!(
        (h100.date, h100.usd_per_gpu_hour),
        (date("2026-06-03"), 2.3)
    );
    assert_eq!(h100.source, "import:i.csv");
    // A day stored again takes the new price.
    let fix =
        parse_gpu_index("date,gpu_model,usd_per_gpu_hour\n2026-06-03,H100 SXM,2.25\n").unwrap();
    store
        .upsert_gpu_index(&fix, "feed:i.example", t0)
        .await
        .unwrap();
    let latest = store.gpu_index_latest(date("2026-06-05")).await.unwrap();
    assert!(latest
        .iter()
        .any(|q| q.usd_per_gpu_hour == 2.25 && q.source == "feed:i.example"));
    assert!(store
        .gpu_index_latest(date("2026-05-01"))
        .await
        .unwrap()
        .is_empty());
}

/// The demo exports, applies back as no change, and an edit bumps exactly the versions of what
/// it changed; a stale expectation is a conflict and stores nothing; reported months read back.
async fn portfolio_round_trip_and_versions(store: Store) {
    use app::api::portfolio::{ApplyOptions, Expect};
    use app::api::ports::SiteStore;
    use app::model::company::portfolio::{ChangeAction, ChangeTarget};
    seed_if_empty(&store).await.unwrap();
    let today = date("2026-12-07");
    let stored = store.stored_portfolio().await.unwrap();
    assert_eq!(stored.demo_sites.len(), 3, "the seed is marked as demo");
    stored
        .portfolio
        .validate()
        .expect("the demo is a valid document");
    let same = SiteStore::apply_portfolio(
        &store,
        &stored.portfolio,
        ApplyOptions::default(),
        "t",
        today,
    )
    .await
    .unwrap();
    assert!(same.is_empty(), "{:?}", same.changes);

    let mut next = stored.portfolio.clone();
    next.sites[1].capacity_mw += 10.0;
    let stale = ApplyOptions {
        expect: Some(Expect {
            target: ChangeTarget::Site,
            id: next.sites[1].id.clone(),
            version: 7,
        }),
        ..Default::default()
    };
    let e = SiteStore::apply_portfolio(&store, &next, stale, "t", today)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            ApiError::Conflict {
                current_version: 1,
                ..
            }
        ),
        "{e:?}"
    );
    let fresh = ApplyOptions {
        expect: Some(Expect {
            target: ChangeTarget::Site,
            id: next.sites[1].id.clone(),
            version: 1,
        }),
        ..Default::default()
    };
    let plan = SiteStore::apply_portfolio(&store, &next, fresh, "ops", today)
        .await
        .unwrap();
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].action, ChangeAction::Change);
    let after = store.stored_portfolio().await.unwrap();
    assert_eq!(after.portfolio, next, "what was applied reads back");
    assert_eq!(after.site_versions[&next.sites[1].id], 2);
    assert_eq!(
        after.site_versions[&next.sites[0].id], 1,
        "untouched sites keep theirs"
    );

    // With replace, a document of one site retires the others, keeping them.
    let one = app::model::company::portfolio::Portfolio {
        sites: vec![next.sites[0].clone()],
    };
    let replace = ApplyOptions {
        replace: true,
        ..Default::default()
    };
    let plan = SiteStore::apply_portfolio(&store, &one, replace, "ops", today)
        .await
        .unwrap();
    assert_eq!(plan.count(ChangeAction::Retire), 2);
    let sites = store.sites().await.unwrap();
    assert_eq!(sites.len(), 3, "retired sites stay");
    assert_eq!(
        sites.iter().filter(|s| s.retired_on == Some(today)).count(),
        2
    );

    let months = app::model::investor::reported::parse(
        "site,month,btc_produced,mining_revenue_usd,power_cost_usd,energy_mwh,ai_revenue_usd,hashrate_ths_avg\n\
         pecos-ridge,2024-05,310.25,,,,,\n",
        &["pecos-ridge"],
    )
    .unwrap();
    store
        .import_reported(&months, "import:t.csv", "t")
        .await
        .unwrap();
    let back = store
        .reported_months(date("2024-05-10"), date("2024-05-20"))
        .await
        .unwrap();
    assert_eq!(back, months);
}
