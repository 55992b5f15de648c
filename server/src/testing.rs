//! Helpers the tests share (unit and integration): a database of their own on the test
//! PostgreSQL cluster.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;

/// Creates an empty database on the test cluster and returns its URL.
pub async fn postgres_database() -> Option<String> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let Ok(base) = std::env::var("RIGSHIFT_TEST_POSTGRES_URL") else {
        if std::env::var("RIGSHIFT_TEST_POSTGRES").as_deref() == Ok("skip") {
            return None;
        }
        panic!(
            "RIGSHIFT_TEST_POSTGRES_URL is not set: run scripts/test.sh (it starts a throwaway \
             PostgreSQL), or set RIGSHIFT_TEST_POSTGRES=skip to test SQLite alone"
        );
    };
    let name = format!(
        "t_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        chrono::Utc::now().timestamp_subsec_nanos()
    );
    let mut admin = sqlx::PgConnection::connect(&base).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap();
    let (prefix, _) = base.rsplit_once('/').expect("URL with a database");
    Some(format!("{prefix}/{name}"))
}

/// This process's CPU time so far, (user, system) in seconds (Linux `/proc/self/stat`; zeros
/// elsewhere): what the benches report per poll or per request.
pub fn process_cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(") ")
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 100.0
    };
    (ticks(11), ticks(12))
}
