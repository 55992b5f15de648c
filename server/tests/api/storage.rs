//! Faults the store survives, on both engines: a database that cannot write (SQLite full, its
//! file capped; PostgreSQL read-only) lets valid credentials read on, refuses writes with 503
//! `storage_unavailable`, and recovers by itself once it can write again — no connection goes
//! back to the pool inside a failed transaction. A database that refuses connections answers
//! 503 (never 401 for a valid token) and the readiness check says so.

use app::api::auth::Role;
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::Connection;

use super::support::{day, TestApp};

async fn annotate(app: &TestApp, text: &str) -> (u16, Value, Option<String>) {
    let r = app
        .request_as(Some(Role::Operator), Method::POST, "/api/v1/annotations")
        .json(&json!({ "target": "muskogee", "text": text }))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let retry = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (status, r.json().await.unwrap_or(Value::Null), retry)
}

/// Writes until the store refuses one (at most `tries`); the refusal.
async fn write_until_refused(app: &TestApp, tries: usize) -> (u16, Value, Option<String>) {
    let note = "x".repeat(3_900);
    for i in 0..tries {
        let (s, b, retry) = annotate(app, &format!("{i} {note}")).await;
        if s != 201 {
            return (s, b, retry);
        }
    }
    panic!("{tries} writes all went through");
}

#[tokio::test]
async fn a_full_sqlite_file_reads_on_refuses_writes_and_recovers_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rigshift.db");
    // A first start seeds the database; a megabyte of ballast stands for the rest of the disk.
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .database_in(dir.path())
        .start()
        .await;
    app.stop().await;
    let url = format!("sqlite://{}", file.display());
    let mut side = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("CREATE TABLE ballast (b BLOB)")
        .execute(&mut side)
        .await
        .unwrap();
    sqlx::query("INSERT INTO ballast VALUES (zeroblob(1048576))")
        .execute(&mut side)
        .await
        .unwrap();
    let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
        .fetch_one(&mut side)
        .await
        .unwrap();
    // Restarted with the file capped where it stands: the disk is full.
    let capped = format!("{url}?max_mb={}", pages as f64 / 256.0);
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .database_in(dir.path())
        .args(move |a| a.database_url = capped)
        .start()
        .await;
    let (s, body, retry) = write_until_refused(&app, 400).await;
    assert_eq!(
        (s, body["code"].as_str()),
        (503, Some("storage_unavailable")),
        "{body}"
    );
    assert!(retry.is_some(), "a refusal says when to retry");
    // Reads go on, for a token too (its last use is not noted, and that is no reason to refuse).
    for _ in 0..3 {
        let (s, sites) = app.get_json("/api/v1/sites").await;
        assert_eq!(s, 200, "{sites}");
        assert!(
            sites["sites"].as_array().is_some_and(|a| !a.is_empty()),
            "{sites}"
        );
    }
    let (s, _) = app.get_json("/api/v1/health/ready").await;
    assert_eq!(s, 200, "a full database still answers");
    // Space returns (the ballast goes): writes succeed again, one after another, with no
    // connection stuck in the transaction that failed.
    sqlx::query("DELETE FROM ballast")
        .execute(&mut side)
        .await
        .unwrap();
    for i in 0..5 {
        let (s, b, _) = annotate(&app, &format!("after the disk freed up {i}")).await;
        assert_eq!(s, 201, "write {i} after recovery: {b}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_read_only_or_unreachable_postgresql_answers_503_not_401_and_recovers() {
    let Some(db) = server::testing::postgres_database().await else {
        return;
    };
    let name = db.rsplit('/').next().unwrap().to_string();
    let admin_url = std::env::var("RIGSHIFT_TEST_POSTGRES_URL").unwrap();
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .args(move |a| a.database_url = db)
        .start()
        .await;
    let (s, b, _) = annotate(&app, "before").await;
    assert_eq!(s, 201, "{b}");
    // The app's connections end; the new ones the pool opens are read-only.
    let kick = format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    );
    let run = |sql: String| sqlx::query(sqlx::AssertSqlSafe(sql));
    run(format!(
        "ALTER DATABASE {name} SET default_transaction_read_only = on"
    ))
    .execute(&mut admin)
    .await
    .unwrap();
    run(kick.clone()).execute(&mut admin).await.unwrap();
    let (s, body, retry) = write_until_refused(&app, 3).await;
    assert_eq!(
        (s, body["code"].as_str()),
        (503, Some("storage_unavailable")),
        "{body}"
    );
    assert!(retry.is_some());
    let (s, sites) = app.get_json("/api/v1/sites").await;
    assert_eq!(s, 200, "reads go on: {sites}");
    run(format!(
        "ALTER DATABASE {name} RESET default_transaction_read_only"
    ))
    .execute(&mut admin)
    .await
    .unwrap();
    run(kick.clone()).execute(&mut admin).await.unwrap();
    for i in 0..3 {
        let (s, b, _) = annotate(&app, &format!("writable again {i}")).await;
        assert_eq!(s, 201, "{b}");
    }
    // The database refuses every new connection: a valid token is not "revoked" (503, not
    // 401), and readiness fails, while liveness answers.
    run(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
        .execute(&mut admin)
        .await
        .unwrap();
    run(kick.clone()).execute(&mut admin).await.unwrap();
    let (s, body) = app.get_json("/api/v1/sites").await;
    assert_eq!(
        (s, body["code"].as_str()),
        (503, Some("storage_unavailable")),
        "{body}"
    );
    let (s, _) = app.get_json("/api/v1/health/ready").await;
    assert_eq!(s, 503);
    let (s, _) = app.get_json("/api/v1/health").await;
    assert_eq!(s, 200);
    run(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .execute(&mut admin)
        .await
        .unwrap();
    let (s, _) = app.get_json("/api/v1/health/ready").await;
    assert_eq!(s, 200, "back by itself");
    let (s, _) = app.get_json("/api/v1/sites").await;
    assert_eq!(s, 200);
    app.stop().await;
}

/// Dates at the edges of what a date can be are refused with 422 naming the field, not a panic
/// (a 500 or a dropped connection), on every endpoint that takes one.
#[tokio::test]
async fn extreme_dates_are_refused_not_panicked_on() {
    let app = TestApp::on(day(2026, 11, 25))
        .simulator(false)
        .start()
        .await;
    for extreme in ["+262142-12-31", "-262143-01-01", "9999-12-31", "0001-01-01"] {
        for path in [
            format!("/api/v1/revenue?from={extreme}&to=2026-11-20"),
            format!("/api/v1/revenue?from=2026-11-01&to={extreme}"),
            format!("/api/v1/market?from={extreme}&to=2026-11-20"),
            format!("/api/v1/pool-rewards?from={extreme}&to=2026-11-20"),
            format!("/api/v1/power/prices?site=pecos-ridge&from={extreme}&to=2026-11-20"),
            format!("/api/v1/curtailment?site=pecos-ridge&from=2026-11-01&to={extreme}"),
            format!("/api/v1/sla?month={}", &extreme[..extreme.len() - 3]),
            format!("/api/v1/export/revenue.csv?from={extreme}&to=2026-11-20"),
        ] {
            let r = app
                .request_as(Some(Role::Admin), Method::GET, &path)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{path}: the connection dropped: {e}"));
            let status = r.status().as_u16();
            assert!(
                status == 422 || status == 400 || status == 404 || status == 200,
                "{path}: {status} {}",
                r.text().await.unwrap_or_default()
            );
        }
    }
    // The widest window the bounds allow is answered or refused, not panicked on.
    for path in [
        "/api/v1/revenue?from=1970-01-01&to=2200-12-31",
        "/api/v1/market?from=1970-01-01&to=2200-12-31",
        "/api/v1/curtailment?site=pecos-ridge&from=1970-01-01&to=2200-12-31",
        "/api/v1/sla?month=2200-12",
        "/api/v1/sla?month=1970-01",
    ] {
        let r = app
            .request_as(Some(Role::Admin), Method::GET, path)
            .send()
            .await;
        let status = r.map(|r| r.status().as_u16()).unwrap_or(0);
        assert!([200, 400, 404, 422].contains(&status), "{path}: {status}");
    }
    // The server still answers.
    let (s, _) = app.get_json("/api/v1/sites").await;
    assert_eq!(s, 200);
}
